"""Bytes-level trigger scan: decides which files are worth parsing at all.

It must be a superset of what the inventory can report: every usage kind contains
one of these tokens (the module name, an OPENAI_* variable, or an OpenAI model id).
Model-id prefixes come from `OPENAI_MODEL_PATTERN` so the two never drift apart.
"""

from __future__ import annotations

import re

# Full-match pattern for an OpenAI model id (used by the inventory on str literals).
OPENAI_MODEL_PATTERN = re.compile(
    r"(?:gpt-[0-9][\w.\-]*|chatgpt-[\w.\-]+|o[1-9](?:-[\w.\-]+)?"
    r"|text-embedding-[\w.\-]+|text-(?:davinci|curie|babbage|ada)-\d+"
    r"|(?:davinci|babbage)-00\d|dall-e-[23]|whisper-1|tts-1(?:-hd)?(?:-\d+)?"
    r"|gpt-image-[\w.\-]+|omni-moderation-[\w.\-]+|text-moderation-[\w.\-]+)"
)

_TRIGGER = re.compile(
    rb"(?i:openai)|gpt-[0-9]|chatgpt-|[\"']o[1-9][\"'-]|text-embedding-|text-(?:davinci|curie|babbage|ada)-"
    rb"|(?:davinci|babbage)-00|dall-e-|whisper-1|tts-1|gpt-image-|-moderation-"
)


def has_trigger(data: bytes) -> bool:
    """True when `data` may contain OpenAI usage and must be parsed."""
    return _TRIGGER.search(data) is not None


def is_openai_model(value: str) -> bool:
    return OPENAI_MODEL_PATTERN.fullmatch(value) is not None
