"""Stream a haiku with the async client and show it once it is complete."""

import asyncio
import os

from volcenginesdkarkruntime import AsyncArk

client = AsyncArk(api_key=os.environ["ARK_API_KEY"])


async def haiku(topic: str) -> list[str]:
    stream = await client.chat.completions.create(
        model="doubao-seed-2-0-lite-260215",
        messages=[{"role": "user", "content": f"Write a haiku about {topic}"}],
        stream=True,
    )
    parts: list[str] = []
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            parts.append(chunk.choices[0].delta.content)
    return parts


async def main() -> None:
    parts = await haiku("autumn rain")
    print("".join(parts))
    print(f"arrived in pieces: {len(parts) > 1}")


if __name__ == "__main__":
    asyncio.run(main())
