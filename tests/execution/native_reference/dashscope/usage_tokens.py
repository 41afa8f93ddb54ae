"""Label a bug report and show what the call cost in tokens."""

import os

import dashscope

client = dashscope.Client(api_key=os.environ["DASHSCOPE_API_KEY"])


def label(report: str):
    return client.chat.completions.create(
        model="qwen3-max",
        messages=[
            {"role": "system", "content": "Answer with one word: bug, feature or question."},
            {"role": "user", "content": report},
        ],
        max_tokens=20,
    )


def main() -> None:
    resp = label("The export button crashes the app")
    print(f"label: {resp.choices[0].message.content}")
    # DashScope counts input and output tokens
    print(f"prompt tokens: {resp.usage.input_tokens}")
    print(f"completion tokens: {resp.usage.output_tokens}")
    print(f"total tokens: {resp.usage.total_tokens}")


if __name__ == "__main__":
    main()
