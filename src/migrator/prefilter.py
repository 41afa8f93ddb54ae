"""Bytes-level trigger scan: decides which files are worth parsing at all.

It must be a superset of what the inventory can report: every usage kind contains
one of these tokens (the module name, an OPENAI_* variable, an OpenAI model id, or
the path of an unmistakable SDK call such as `.chat.completions.create`, which the
inventory counts even through a client imported from another module).

Most files of a repository are rejected here, so this is a hot loop: one C-level
`bytes.translate` folds case (and every digit 2-9 to 1, so that `"o3"` and `"o1"`
look alike), then plain substring searches, tokens that share a part searched for that
part first. A regular expression over the same tokens runs about four times slower.

The word "openai" alone is not enough for a source file (`might_use_openai`): a file
that names the company in a comment or docstring ("compatible with OpenAI's API") has
nothing the inventory reports. Every usage the inventory finds through that word is
written as code: an import that names it (`import openai`, `from langchain_openai
import ...`, `from llama_index.llms import OpenAI`), a name or attribute joined to it
(`openai.api_key`, `AsyncOpenAI(`, `OPENAI_API_KEY`, `llms.openai`), or a framework
model string (`"openai:gpt-4o"`). So an occurrence counts when it touches an identifier
character, a dot or a call's bracket, sits on an import line, or opens a string before
`:` or `/`; prose ("OpenAI's", "the OpenAI API", "github.com/openai/...") does not.
`has_trigger` keeps the broad reading for the callers that want any mention (a
notebook's shell lines, `!pip install openai`).
"""

from __future__ import annotations

import re

from migrator.notebook import is_notebook

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
_OPENAI = b"openai"  # the package, OPENAI_* / AZURE_OPENAI_* variables, wrapped classes
_MODEL_AND_CALL_TOKENS: tuple[bytes, ...] = (
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

# Each token is searched only in files that hold an anchor it contains: 13 searches of a
# file that holds none (most files) instead of 27. A file holds some token exactly when it
# holds some group's anchor and one of that group's tokens, since every token is in a
# group (tests/test_prefilter.py checks) and contains its group's anchor.
_ANCHORS = (
    b"gpt-", b"o1", b"text-", b"-00", b"dall-e-", b"whisper-1", b"tts-1", b"-moderation-",
    b"completions.", b"responses.", b"images.", b"s.create", b".speech.create",
)  # fmt: skip
# (anchor, the tokens holding it; None when the anchor is the group's only token)
_GROUPS: tuple[tuple[bytes, tuple[bytes, ...] | None], ...] = tuple(
    (anchor, None if tokens == (anchor,) else tokens)
    for anchor in _ANCHORS
    for tokens in [tuple(t for t in _MODEL_AND_CALL_TOKENS if anchor in t)]
)

# Folded bytes that, next to "openai", make it part of a name, an attribute or a call.
_JOINED_BEFORE = frozenset(b"abcdefghijklmnopqrstuvwxyz01_.")
_JOINED_AFTER = frozenset(b"abcdefghijklmnopqrstuvwxyz01_.(")
_QUOTES = frozenset(b"'\"")
_IMPORT_STARTS = (b"import ", b"import\t", b"from ", b"from\t")


def _has_model_or_call_token(folded: bytes) -> bool:
    """Any of `_MODEL_AND_CALL_TOKENS` in the folded bytes (searched by groups)."""
    for anchor, tokens in _GROUPS:
        if anchor in folded and (tokens is None or any(t in folded for t in tokens)):
            return True
    return False


def has_trigger(data: bytes) -> bool:
    """True when `data` may contain OpenAI usage and must be parsed."""
    folded = data.translate(_FOLD)
    return _OPENAI in folded or _has_model_or_call_token(folded)


def might_use_openai(data: bytes) -> bool:
    """True when a Python file's `data` may hold something the inventory reports: a model
    id, an SDK call path, or "openai" written as code (see the module docstring)."""
    folded = data.translate(_FOLD)
    if _has_model_or_call_token(folded):
        return True
    at = folded.find(_OPENAI)
    while at >= 0:
        if _openai_as_code(folded, at):
            return True
        at = folded.find(_OPENAI, at + len(_OPENAI))
    return False


def _openai_as_code(folded: bytes, at: int) -> bool:
    """Whether the "openai" at `at` of the folded bytes is written as code."""
    before = folded[at - 1] if at else 0x0A
    end = at + len(_OPENAI)
    after = folded[end] if end < len(folded) else 0x0A
    if before in _JOINED_BEFORE or after in _JOINED_AFTER:
        return True
    if before in _QUOTES and after in b":/":
        return True  # "openai:gpt-4o", "openai/gpt-4o" (framework model strings)
    line_start = folded.rfind(b"\n", 0, at) + 1
    line_end = folded.find(b"\n", end)
    line = folded[line_start : len(folded) if line_end < 0 else line_end].strip()
    if line.startswith(_IMPORT_STARTS):
        return True  # import openai / import os, openai / from llama_index.llms import OpenAI
    # a line of a parenthesized import list: `    OpenAI,` / `    OpenAI as Client,`
    if not line.startswith(_OPENAI):
        return False
    rest = line[len(_OPENAI) :].lstrip()
    return rest in (b"", b",", b")", b"),") or rest.startswith(b"as ")


def has_trigger_in_json(data: bytes) -> bool:
    """`has_trigger` for a notebook: its code sits in JSON strings, where `"o1"` reads
    `\\"o1\\"`; the escapes are undone (roughly, bytes only) before the search."""
    return has_trigger(data.replace(b'\\"', b'"').replace(b"\\\\", b"\\"))


def worth_parsing(rel: str, data: bytes) -> bool:
    """The prefilter of a run: a notebook keeps the broad reading (its shell lines, such
    as `!pip install openai`, are reported too), a source file the precise one."""
    if is_notebook(rel):
        return has_trigger(data) or has_trigger_in_json(data)
    return might_use_openai(data)


def is_openai_model(value: str) -> bool:
    return OPENAI_MODEL_PATTERN.fullmatch(value) is not None
