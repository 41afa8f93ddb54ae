"""Ask the assistant, and back off politely when the API says we are over our rate limit."""

import os

from volcenginesdkarkruntime import Ark
from volcenginesdkarkruntime._exceptions import ArkRateLimitError

client = Ark(api_key=os.environ["ARK_API_KEY"])


def ask(question: str) -> str:
    try:
        response = client.chat.completions.create(
            model="doubao-seed-2-0-lite-260215",
            messages=[{"role": "user", "content": question}],
        )
    except ArkRateLimitError as err:
        return f"rate limited (HTTP {err.status_code}), try again later"
    return response.choices[0].message.content


def main() -> None:
    # the fake network answers a message holding "[rate-limit]" with an HTTP 429
    print(ask("[rate-limit] How many tickets are open?"))
    print(ask("How many tickets are closed?"))


if __name__ == "__main__":
    main()
