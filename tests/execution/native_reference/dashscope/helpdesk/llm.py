"""The helpdesk's one place that talks to the model."""

import os

import dashscope

MODEL = "qwen3-max"

client = dashscope.Client(api_key=os.environ["DASHSCOPE_API_KEY"])


def draft_reply(ticket: str):
    """The whole response: callers read the text and the usage they need."""
    return client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Draft a short, polite reply to the ticket."},
            {"role": "user", "content": ticket},
        ],
        temperature=0.3,
    )
