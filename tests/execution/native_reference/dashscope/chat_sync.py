"""Summarise a support ticket in one sentence."""

import os

import dashscope

MODEL = "qwen3-max"

client = dashscope.Client(api_key=os.environ["DASHSCOPE_API_KEY"])


def summarise(ticket: str) -> tuple[str, int]:
    # DashScope takes max_tokens (not max_completion_tokens) and has no user= parameter
    response = client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "You summarise support tickets in one sentence."},
            {"role": "user", "content": ticket},
        ],
        temperature=0.2,
        max_tokens=200,
    )
    return response.choices[0].message.content, response.usage.total_tokens


def main() -> None:
    summary, tokens = summarise("Printer on floor 3 is jammed again")
    print(f"summary: {summary}")
    print(f"tokens: {tokens}")


if __name__ == "__main__":
    main()
