"""Bytes-level trigger scan: decides which files are worth parsing at all.

It must be a superset of what the inventory can report: every usage kind contains
one of these tokens (the module name, an OPENAI_* variable, an OpenAI model id, or
the path of an unmistakable SDK call such as `.chat.completions.create`, which the
inventory counts even through a client imported from another module).

Most files of a repository are rejected here, so this is a hot loop: one C-level
`bytes.translate` folds case (and every digit 2-9 to 1, so that `"o3"` and `"o1"`
look alike), then plain substring searches. A regular expression over the same
tokens runs about four times slower.
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


def _fold_table() -> bytes:
    table = bytearray(range(256))
    for byte in range(ord("A"), ord("Z") + 1):
        table[byte] = byte + 32
    for byte in range(ord("2"), ord("9") + 1):
        table[byte] = ord("1")
    return bytes(table)


_FOLD = _fold_table()

# Searched in the folded bytes (lower case, digits 2-9 read as 1). Each alternative of
# OPENAI_MODEL_PATTERN has its token here; tests/test_prefilter.py checks the two agree.
_TOKENS: tuple[bytes, ...] = (
    b"openai",  # the package, OPENAI_* / AZURE_OPENAI_* variables
    b"gpt-",  # gpt-4o..., chatgpt-..., gpt-image-...
    b"'o1'", b"'o1-", b'"o1"', b'"o1-',  # o1, o3-mini, o4-mini-2025-04-16 (quoted)
    b"text-embedding-", b"text-davinci-", b"text-curie-", b"text-babbage-", b"text-ada-",
    b"davinci-00", b"babbage-00", b"dall-e-", b"whisper-1", b"tts-1", b"-moderation-",
    # SDK call paths the inventory recognises without any of the above in the file
    b".completions.create", b".completions.parse", b".completions.stream",
    b".embeddings.create", b".responses.create", b".responses.parse", b".responses.stream",
    b".images.generate", b".images.edit", b".images.create_variation",
    b".transcriptions.create", b".translations.create", b".speech.create",
    b".moderations.create",
)  # fmt: skip


def has_trigger(data: bytes) -> bool:
    """True when `data` may contain OpenAI usage and must be parsed."""
    folded = data.translate(_FOLD)
    return any(token in folded for token in _TOKENS)


def has_trigger_in_json(data: bytes) -> bool:
    """`has_trigger` for a notebook: its code sits in JSON strings, where `"o1"` reads
    `\\"o1\\"`; the escapes are undone (roughly, bytes only) before the search."""
    return has_trigger(data.replace(b'\\"', b'"').replace(b"\\\\", b"\\"))


def is_openai_model(value: str) -> bool:
    return OPENAI_MODEL_PATTERN.fullmatch(value) is not None
