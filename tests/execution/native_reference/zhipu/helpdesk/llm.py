"""The helpdesk's one place that talks to the model."""

import os

from zai import ZhipuAiClient

MODEL = "glm-4-plus"

client = ZhipuAiClient(api_key=os.environ["ZAI_API_KEY"])


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
