"""Ask the assistant, and back off politely when the API says we are over our rate limit."""

import os

import dashscope
from dashscope.v2.errors import RateLimitError

client = dashscope.Client(api_key=os.environ["DASHSCOPE_API_KEY"])


def ask(question: str) -> str:
    try:
        response = client.chat.completions.create(
            model="qwen-plus",
            messages=[{"role": "user", "content": question}],
        )
    except RateLimitError as err:
        return f"rate limited (HTTP {err.status_code}), try again later"
    return response.choices[0].message.content


def main() -> None:
    # the fake network answers a message holding "[rate-limit]" with an HTTP 429
    print(ask("[rate-limit] How many tickets are open?"))
    print(ask("How many tickets are closed?"))


if __name__ == "__main__":
    main()
