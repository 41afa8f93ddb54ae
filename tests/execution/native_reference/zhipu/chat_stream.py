"""Stream a short story to the terminal, then report the token usage."""

import os

from zai import ZhipuAiClient

MODEL = "glm-4-plus"


def tell_story(client: ZhipuAiClient, topic: str) -> tuple[str, int | None]:
    # GLM streams always end with a chunk carrying the usage: no stream_options
    stream = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": f"Tell a two line story about {topic}"}],
        stream=True,
    )
    parts: list[str] = []
    total_tokens = None
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            parts.append(chunk.choices[0].delta.content)
        if chunk.usage is not None:
            total_tokens = chunk.usage.total_tokens
    return "".join(parts), total_tokens


def main() -> None:
    story, tokens = tell_story(
        ZhipuAiClient(api_key=os.environ["ZAI_API_KEY"]), "a lighthouse keeper"
    )
    print(story)
    print(f"total tokens: {tokens}")


if __name__ == "__main__":
    main()
