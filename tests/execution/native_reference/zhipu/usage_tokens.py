"""Label a bug report and show what the call cost in tokens."""

import os

from zai import ZhipuAiClient

client = ZhipuAiClient(api_key=os.environ["ZAI_API_KEY"])


def label(report: str):
    return client.chat.completions.create(
        model="glm-4-plus",
        messages=[
            {"role": "system", "content": "Answer with one word: bug, feature or question."},
            {"role": "user", "content": report},
        ],
        max_tokens=20,
    )


def main() -> None:
    resp = label("The export button crashes the app")
    print(f"label: {resp.choices[0].message.content}")
    print(f"prompt tokens: {resp.usage.prompt_tokens}")
    print(f"completion tokens: {resp.usage.completion_tokens}")
    print(f"total tokens: {resp.usage.total_tokens}")


if __name__ == "__main__":
    main()
