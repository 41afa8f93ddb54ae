"""Draft replies to the morning's tickets and report what they cost.

The model is called in helpdesk/llm.py, which hands the whole response back here.
"""

from helpdesk.llm import draft_reply

TICKETS = ["VPN drops every hour", "Need access to the sales dashboard"]


def main() -> None:
    total = 0
    for ticket in TICKETS:
        response = draft_reply(ticket)
        print(f"{ticket} => {response.choices[0].message.content}")
        total += response.usage.total_tokens
    print(f"tokens used: {total}")


if __name__ == "__main__":
    main()
