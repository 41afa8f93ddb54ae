"""Summarise a support ticket in one sentence."""

import os

from volcenginesdkarkruntime import Ark

MODEL = "doubao-seed-2-0-pro-260215"

client = Ark(api_key=os.environ["ARK_API_KEY"])


def summarise(ticket: str) -> tuple[str, int]:
    response = client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "You summarise support tickets in one sentence."},
            {"role": "user", "content": ticket},
        ],
        temperature=0.2,
        max_completion_tokens=200,
        user="ticket-bot",
    )
    return response.choices[0].message.content, response.usage.total_tokens


def main() -> None:
    summary, tokens = summarise("Printer on floor 3 is jammed again")
    print(f"summary: {summary}")
    print(f"tokens: {tokens}")


if __name__ == "__main__":
    main()
