"""What every wire format of the fake shares: the answer rules and the JSON plumbing.

The rules, whichever provider answers:

* a chat reply is ``"echo:" + <the last user message's text>``;
* a request with ``tools`` whose last user message mentions "weather" gets a call of the
  first tool with :data:`TOOL_ARGUMENTS`;
* a request whose last user message (or an embedded text) contains
  :data:`RATE_LIMIT_TRIGGER` gets an HTTP 429 in the provider's own error format;
* tokens are words (``str.split``): prompt tokens count every message's words;
* an embedding is a deterministic vector of :data:`DEFAULT_EMBEDDING_DIM` floats (or the
  size the request asks for), derived from the text.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

Json = dict[str, Any]
# status, headers, body chunks, streamed?
Canned = tuple[int, list[tuple[str, str]], list[bytes], bool]

CREATED = 1_700_000_000
DEFAULT_EMBEDDING_DIM = 8
TOOL_ARGUMENTS = json.dumps({"city": "Beijing"})
RATE_LIMIT_TRIGGER = "[rate-limit]"
# Every SDK the programs use obeys this (non-standard) header: one 429 is one request,
# not three with back-off sleeps in between (openai, dashscope v2, zai and Ark all read it).
NO_RETRY_HEADERS = (("x-should-retry", "false"),)


def text_of(content: Any) -> str:
    """Text of a message ``content``: a string, or the text parts of a content-part list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [p.get("text", "") for p in content if isinstance(p, dict)]
        return " ".join(t for t in texts if isinstance(t, str) and t)
    return ""


def last_user_text(messages: Any) -> str:
    if not isinstance(messages, list):
        return ""
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return text_of(message.get("content"))
    return ""


def prompt_tokens(messages: Any) -> int:
    return sum(
        count_words(text_of(m.get("content")))
        for m in (messages if isinstance(messages, list) else [])
        if isinstance(m, dict)
    )


def count_words(text: str) -> int:
    return len(text.split())


def split_pieces(text: str) -> list[str]:
    """Split ``text`` into 2+ stream pieces that join back to it."""
    pieces = re.findall(r"\S+\s*|\s+", text)
    if len(pieces) < 2:
        mid = max(1, len(text) // 2)
        pieces = [text[:mid], text[mid:]]
    return pieces


def usage(prompt: int, completion: int) -> Json:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def first_tool_name(tools: Any, tool_choice: Any, messages: Any) -> str | None:
    """Name of the tool a "weather" question is answered with, or None for no tool call."""
    if not isinstance(tools, list) or not tools or tool_choice == "none":
        return None
    if "weather" not in last_user_text(messages).lower():
        return None
    first = tools[0] if isinstance(tools[0], dict) else {}
    function = first.get("function")
    name = function.get("name") if isinstance(function, dict) else first.get("name")
    return name if isinstance(name, str) else "tool"


def halves(text: str) -> list[str]:
    """``text`` in two pieces, as tool-call arguments are streamed."""
    half = len(text) // 2
    return [text[:half], text[half:]]


def embedding_inputs(raw: Any) -> list[Any]:
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list):
        if raw and all(isinstance(x, int) for x in raw):
            return [raw]  # one pre-tokenised input
        return list(raw)
    return []


def input_tokens(item: Any) -> int:
    return count_words(item) if isinstance(item, str) else len(item or [])


def vector(item: Any, dim: int) -> list[float]:
    seed = json.dumps(item, ensure_ascii=False, sort_keys=True).encode()
    data = b""
    block = 0
    while len(data) < dim:
        data += hashlib.sha256(seed + b"#" + str(block).encode()).digest()
        block += 1
    return [round((b - 127.5) / 127.5, 4) for b in data[:dim]]


def size_asked(value: Any) -> int:
    return value if isinstance(value, int) and value > 0 else DEFAULT_EMBEDDING_DIM


def asks_rate_limit(texts: list[Any]) -> bool:
    return any(isinstance(t, str) and RATE_LIMIT_TRIGGER in t for t in texts)


def sse(events: list[Json]) -> list[bytes]:
    """OpenAI-style server-sent events (``data: {...}``), ended by ``data: [DONE]``."""
    chunks = [f"data: {json.dumps(e, ensure_ascii=False)}\n\n".encode() for e in events]
    chunks.append(b"data: [DONE]\n\n")
    return chunks


def sse_response(chunks: list[bytes]) -> Canned:
    return 200, [("content-type", "text/event-stream; charset=utf-8")], chunks, True


def json_response(
    status: int, payload: Any, extra_headers: tuple[tuple[str, str], ...] = ()
) -> Canned:
    data = json.dumps(payload, ensure_ascii=False).encode()
    headers = [("content-type", "application/json"), ("content-length", str(len(data)))]
    return status, [*headers, *extra_headers], [data], False
