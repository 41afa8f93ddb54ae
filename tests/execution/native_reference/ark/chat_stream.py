"""Stream a short story to the terminal, then report the token usage."""

import os

from volcenginesdkarkruntime import Ark

MODEL = "doubao-seed-2-0-pro-260215"


def tell_story(client: Ark, topic: str) -> tuple[str, int | None]:
    stream = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": f"Tell a two line story about {topic}"}],
        stream=True,
        stream_options={"include_usage": True},
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
    story, tokens = tell_story(Ark(api_key=os.environ["ARK_API_KEY"]), "a lighthouse keeper")
    print(story)
    print(f"total tokens: {tokens}")


if __name__ == "__main__":
    main()
