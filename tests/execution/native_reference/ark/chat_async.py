"""Translate a few phrases concurrently with the async client."""

import asyncio
import os

from volcenginesdkarkruntime import AsyncArk

client = AsyncArk(api_key=os.environ["ARK_API_KEY"])


async def translate(phrase: str) -> str:
    completion = await client.chat.completions.create(
        model="doubao-seed-2-0-lite-260215",
        messages=[
            {"role": "system", "content": "Translate the user's text into French."},
            {"role": "user", "content": phrase},
        ],
        temperature=0,
    )
    return completion.choices[0].message.content


async def main() -> None:
    phrases = ["good morning", "thank you very much"]
    results = await asyncio.gather(*(translate(p) for p in phrases))
    for phrase, result in zip(phrases, results, strict=True):
        print(f"{phrase} -> {result}")


if __name__ == "__main__":
    asyncio.run(main())
