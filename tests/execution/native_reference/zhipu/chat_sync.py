"""Summarise a support ticket in one sentence."""

import os

from zai import ZhipuAiClient

MODEL = "glm-4-plus"

client = ZhipuAiClient(api_key=os.environ["ZAI_API_KEY"])


def summarise(ticket: str) -> tuple[str, int]:
    # GLM takes max_tokens, and the end user's id as user_id
    response = client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "You summarise support tickets in one sentence."},
            {"role": "user", "content": ticket},
        ],
        temperature=0.2,
        max_tokens=200,
        user_id="ticket-bot",
    )
    return response.choices[0].message.content, response.usage.total_tokens


def main() -> None:
    summary, tokens = summarise("Printer on floor 3 is jammed again")
    print(f"summary: {summary}")
    print(f"tokens: {tokens}")


if __name__ == "__main__":
    main()
