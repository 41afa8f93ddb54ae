"""Stream a short story to the terminal, then report the token usage."""

import os

import dashscope

MODEL = "qwen3-max"


def tell_story(client: dashscope.Client, topic: str) -> tuple[str, int | None]:
    # every event of a DashScope stream carries the usage so far: no stream_options
    stream = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": f"Tell a two line story about {topic}"}],
        stream=True,
    )
    parts: list[str] = []
    total_tokens = None
    for chunk in stream:
        if chunk.delta is not None and chunk.delta.content:
            parts.append(chunk.delta.content)
        if chunk.usage is not None:
            total_tokens = chunk.usage.total_tokens
    return "".join(parts), total_tokens


def main() -> None:
    client = dashscope.Client(api_key=os.environ["DASHSCOPE_API_KEY"])
    story, tokens = tell_story(client, "a lighthouse keeper")
    print(story)
    print(f"total tokens: {tokens}")


if __name__ == "__main__":
    main()
