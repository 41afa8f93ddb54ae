"""Stream a haiku with the async client and show it once it is complete."""

import asyncio
import os

import dashscope

client = dashscope.AsyncClient(api_key=os.environ["DASHSCOPE_API_KEY"])


async def haiku(topic: str) -> list[str]:
    stream = await client.chat.completions.create(
        model="qwen-plus",
        messages=[{"role": "user", "content": f"Write a haiku about {topic}"}],
        stream=True,
    )
    parts: list[str] = []
    async for chunk in stream:
        if chunk.delta is not None and chunk.delta.content:
            parts.append(chunk.delta.content)
    return parts


async def main() -> None:
    parts = await haiku("autumn rain")
    print("".join(parts))
    print(f"arrived in pieces: {len(parts) > 1}")


if __name__ == "__main__":
    asyncio.run(main())
