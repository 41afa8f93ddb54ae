"""DashScope's native wire format (``/api/v1/services/...``), as its SDK reads it.

Requests (``dashscope==2.0.2:dashscope/v2/protocols/native.py``,
``dashscope/v2/resources/embeddings.py``; the 1.x classes send the same bodies):

* text generation: ``{"model", "input": {"messages"} or {"prompt"}, "parameters": {...}}``;
  ``parameters.result_format`` "message" gets ``output.choices[].message``, anything else
  the older ``output.text``. A stream is asked for with the header ``X-DashScope-SSE:
  enable`` (not in the body); unless ``parameters.incremental_output`` is true, each event
  holds the text so far (a cumulative snapshot) rather than the next piece.
* text embedding: ``{"model", "input": {"texts"}, "parameters": {"dimension"?}}``.

Answers carry ``request_id`` and ``usage`` with ``input_tokens`` / ``output_tokens`` /
``total_tokens`` (``dashscope/v2/types/common.py`` ``Usage``); embeddings
``output.embeddings[].embedding`` / ``text_index`` and ``usage.total_tokens``. Streams are
SSE events ``id:`` / ``event:result`` / ``:HTTP_STATUS/200`` / ``data:{...}`` (the lines
1.x's ``dashscope/api_entities/http_request.py`` parses); an unfinished choice has
``finish_reason`` "null", a string, as DashScope sends it. Errors are ``{"request_id",
"code", "message"}`` with DashScope's codes (``dashscope/v2/errors.py`` ``ErrorCode``).
"""

from __future__ import annotations

import json
from typing import Any

from _fakenet.common import (
    NO_RETRY_HEADERS,
    TOOL_ARGUMENTS,
    Canned,
    Json,
    asks_rate_limit,
    count_words,
    embedding_inputs,
    first_tool_name,
    halves,
    input_tokens,
    json_response,
    last_user_text,
    prompt_tokens,
    size_asked,
    split_pieces,
    sse_response,
    vector,
)

TEXT_GENERATION_PATH = "/services/aigc/text-generation/generation"
TEXT_EMBEDDING_PATH = "/services/embeddings/text-embedding/text-embedding"
NATIVE_PATHS = (TEXT_GENERATION_PATH, TEXT_EMBEDDING_PATH)
SSE_HEADER = "x-dashscope-sse"
UNFINISHED = "null"  # DashScope's finish_reason of a choice still streaming: a string


def _request_id(seq: int) -> str:
    return f"fakenet-dashscope-{seq}"


def _error(status: int, code: str, message: str, seq: int) -> Canned:
    payload = {"request_id": _request_id(seq), "code": code, "message": message}
    return json_response(status, payload, NO_RETRY_HEADERS if status == 429 else ())


def _usage(prompt: int, output: int) -> Json:
    return {"input_tokens": prompt, "output_tokens": output, "total_tokens": prompt + output}


def _output(text: str, finish: str, as_message: bool, calls: list[Json] | None = None) -> Json:
    if not as_message:
        return {"text": text, "finish_reason": finish}
    message: Json = {"role": "assistant", "content": text}
    if calls:
        message["tool_calls"] = calls
    return {"choices": [{"finish_reason": finish, "message": message}]}


def _answer(outputs: list[tuple[Json, Json]], streamed: bool, seq: int) -> Canned:
    """``(output, usage)`` pairs as one JSON answer (the last pair) or as a stream."""
    bodies = [{"output": o, "usage": u, "request_id": _request_id(seq)} for o, u in outputs]
    if not streamed:
        return json_response(200, bodies[-1])
    events = [
        f"id:{n}\nevent:result\n:HTTP_STATUS/200\ndata:{json.dumps(e, ensure_ascii=False)}\n\n"
        for n, e in enumerate(bodies, 1)
    ]
    return sse_response([event.encode() for event in events])


def _tool_call(tool_name: str, asked: int, streamed: bool, seq: int) -> Canned:
    """The call, whole; streamed, in fragments DashScope addresses by ``index``."""
    call = {"index": 0, "id": f"call_fakenet_{seq}", "type": "function",
            "function": {"name": tool_name, "arguments": TOOL_ARGUMENTS}}  # fmt: skip
    totals = _usage(asked, count_words(TOOL_ARGUMENTS))
    if not streamed:
        return _answer([(_output("", "tool_calls", True, [call]), totals)], False, seq)
    first, rest = halves(TOOL_ARGUMENTS)
    fragments = [
        {**call, "function": {"name": tool_name, "arguments": first}},
        {"index": 0, "id": "", "type": "function", "function": {"arguments": rest}},
    ]
    outputs = [(_output("", UNFINISHED, True, [fragment]), totals) for fragment in fragments]
    outputs.append((_output("", "tool_calls", True), totals))
    return _answer(outputs, True, seq)


def _text(content: str, asked: int, as_message: bool, cumulative: bool) -> list[tuple[Json, Json]]:
    """The stream of ``content``: pieces, or (``cumulative``) the text so far each time."""
    outputs, sent = [], ""
    for piece in split_pieces(content):
        sent += piece
        text = sent if cumulative else piece
        outputs.append((_output(text, UNFINISHED, as_message), _usage(asked, count_words(sent))))
    totals = _usage(asked, count_words(content))
    outputs.append((_output(content if cumulative else "", "stop", as_message), totals))
    return outputs


def _generation(body: Json, streamed: bool, seq: int) -> Canned:
    given = body.get("input") if isinstance(body.get("input"), dict) else {}
    parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
    messages = given.get("messages")
    if messages is None and isinstance(given.get("prompt"), str):
        messages = [{"role": "user", "content": given["prompt"]}]
    question = last_user_text(messages)
    if asks_rate_limit([question]):
        return _error(429, "Throttling.RateQuota", "Requests rate limit exceeded (fakenet)", seq)
    as_message = parameters.get("result_format") == "message"
    tool_name = first_tool_name(parameters.get("tools"), parameters.get("tool_choice"), messages)
    if tool_name and as_message:
        return _tool_call(tool_name, prompt_tokens(messages), streamed, seq)
    content = "echo:" + question
    if not streamed:
        totals = _usage(prompt_tokens(messages), count_words(content))
        return _answer([(_output(content, "stop", as_message), totals)], False, seq)
    # DashScope's default (incremental_output absent) is cumulative snapshots; the 2.x client
    # always asks for pieces (dashscope==2.0.2:dashscope/v2/protocols/native.py).
    cumulative = parameters.get("incremental_output") is not True
    return _answer(_text(content, prompt_tokens(messages), as_message, cumulative), True, seq)


def _embedding(body: Json, seq: int) -> Canned:
    given = body.get("input") if isinstance(body.get("input"), dict) else {}
    parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
    texts = embedding_inputs(given.get("texts"))
    if asks_rate_limit(texts):
        return _error(429, "Throttling.RateQuota", "Requests rate limit exceeded (fakenet)", seq)
    dim = size_asked(parameters.get("dimension"))
    embeddings = [
        {"text_index": index, "embedding": vector(text, dim)} for index, text in enumerate(texts)
    ]
    tokens = sum(input_tokens(text) for text in texts)
    payload = {
        "output": {"embeddings": embeddings},
        "usage": {"total_tokens": tokens},
        "request_id": _request_id(seq),
    }
    return json_response(200, payload)


def is_native(path: str) -> bool:
    """DashScope's native API, at the shared gateway or a workspace one."""
    return path.startswith("/api/v1/services/")


def answer(
    method: str, path: str, headers: dict[str, str], body: Any, body_is_json: bool, seq: int
) -> Canned:
    """Canned answer to one request at DashScope's native API."""
    if method != "POST" or not path.endswith(NATIVE_PATHS):
        message = f"fakenet: no canned response for {method} {path}"
        return _error(404, "NotFound", message, seq)
    if not body_is_json or not isinstance(body, dict):
        return _error(400, "InvalidParameter", "fakenet: expected a JSON object body", seq)
    if path.endswith(TEXT_EMBEDDING_PATH):
        return _embedding(body, seq)
    streamed = headers.get(SSE_HEADER, "").lower() == "enable"
    return _generation(body, streamed, seq)
