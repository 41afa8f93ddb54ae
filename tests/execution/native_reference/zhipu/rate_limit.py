"""Ask the assistant, and back off politely when the API says we are over our rate limit."""

import os

from zai import ZhipuAiClient
from zai.core import APIReachLimitError

client = ZhipuAiClient(api_key=os.environ["ZAI_API_KEY"])


def ask(question: str) -> str:
    try:
        response = client.chat.completions.create(
            model="glm-4-air-250414",
            messages=[{"role": "user", "content": question}],
        )
    except APIReachLimitError as err:  # zai's error for HTTP 429
        return f"rate limited (HTTP {err.status_code}), try again later"
    return response.choices[0].message.content


def main() -> None:
    # the fake network answers a message holding "[rate-limit]" with an HTTP 429
    print(ask("[rate-limit] How many tickets are open?"))
    print(ask("How many tickets are closed?"))


if __name__ == "__main__":
    main()
