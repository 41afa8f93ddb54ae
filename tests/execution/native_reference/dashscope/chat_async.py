"""Translate a few phrases concurrently with the async client."""

import asyncio
import os

import dashscope

client = dashscope.AsyncClient(api_key=os.environ["DASHSCOPE_API_KEY"])


async def translate(phrase: str) -> str:
    completion = await client.chat.completions.create(
        model="qwen-plus",
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
