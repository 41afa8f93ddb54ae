"""OpenAI's wire format: what api.openai.com (and every OpenAI-compatible endpoint) answers.

Routing is on the path's tail, so every compatible prefix works (``/v1``,
``/compatible-mode/v1``, ``/openai/deployments/<name>``...).
"""

from __future__ import annotations

import base64
import re
import struct
from typing import Any

from _fakenet.common import (
    CREATED,
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
    sse,
    sse_response,
    usage,
    vector,
)

SYSTEM_FINGERPRINT = "fp_fakenet"
MODEL_IDS = ("gpt-4o", "gpt-4o-mini", "text-embedding-3-small")


def _legacy_function_name(body: Json) -> str | None:
    """The tool rule for the deprecated ``functions`` parameter (answered with
    ``function_call``)."""
    functions = body.get("functions")
    if not isinstance(functions, list) or not functions or body.get("function_call") == "none":
        return None
    if "weather" not in last_user_text(body.get("messages")).lower():
        return None
    name = functions[0].get("name") if isinstance(functions[0], dict) else None
    return name if isinstance(name, str) else "function"


def include_usage(body: Json) -> bool:
    options = body.get("stream_options")
    return isinstance(options, dict) and bool(options.get("include_usage"))


def chat(body: Json, seq: int) -> tuple[Json | list[Json], bool]:
    """Chat completion (or its stream events) for ``body``; second item: streamed?"""
    model = body.get("model")
    messages = body.get("messages")
    n = body.get("n") if isinstance(body.get("n"), int) and body["n"] > 0 else 1
    tool_name = first_tool_name(body.get("tools"), body.get("tool_choice"), messages)
    function_name = None if tool_name else _legacy_function_name(body)
    content = "echo:" + last_user_text(messages)
    completion_tokens = count_words(TOOL_ARGUMENTS if tool_name or function_name else content)
    totals = usage(prompt_tokens(messages), completion_tokens)
    base: Json = {
        "id": f"chatcmpl-fakenet-{seq}",
        "created": CREATED,
        "model": model,
        "system_fingerprint": SYSTEM_FINGERPRINT,
    }
    call_id = f"call_fakenet_{seq}"

    if not body.get("stream"):
        message: Json = {"role": "assistant", "content": content, "refusal": None}
        finish = "stop"
        if tool_name:
            message["content"] = None
            message["tool_calls"] = [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": tool_name, "arguments": TOOL_ARGUMENTS},
                }
            ]
            finish = "tool_calls"
        elif function_name:
            message["content"] = None
            message["function_call"] = {"name": function_name, "arguments": TOOL_ARGUMENTS}
            finish = "function_call"
        choices = [
            {"index": i, "message": message, "logprobs": None, "finish_reason": finish}
            for i in range(n)
        ]
        return {**base, "object": "chat.completion", "choices": choices, "usage": totals}, False

    with_usage = include_usage(body)

    def chunk(delta: Json, finish: str | None = None) -> Json:
        choices = [
            {"index": i, "delta": delta, "logprobs": None, "finish_reason": finish}
            for i in range(n)
        ]
        event: Json = {**base, "object": "chat.completion.chunk", "choices": choices}
        if with_usage:
            event["usage"] = None
        return event

    arg_pieces = halves(TOOL_ARGUMENTS)
    if tool_name:
        first_call = {
            "index": 0,
            "id": call_id,
            "type": "function",
            "function": {"name": tool_name, "arguments": ""},
        }
        events = [chunk({"role": "assistant", "content": None, "tool_calls": [first_call]})]
        events += [
            chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})
            for piece in arg_pieces
        ]
        events.append(chunk({}, "tool_calls"))
    elif function_name:
        first_fc = {"name": function_name, "arguments": ""}
        events = [chunk({"role": "assistant", "content": None, "function_call": first_fc})]
        events += [chunk({"function_call": {"arguments": piece}}) for piece in arg_pieces]
        events.append(chunk({}, "function_call"))
    else:
        events = [chunk({"role": "assistant", "content": ""})]
        events += [chunk({"content": piece}) for piece in split_pieces(content)]
        events.append(chunk({}, "stop"))
    if with_usage:
        events.append({**base, "object": "chat.completion.chunk", "choices": [], "usage": totals})
    return events, True


def _prompt_text(prompt: Any) -> str:
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, list) and prompt and isinstance(prompt[0], str):
        return prompt[0]
    return ""


def _completion(body: Json, seq: int) -> tuple[Json | list[Json], bool]:
    prompt = _prompt_text(body.get("prompt"))
    text = "echo:" + prompt
    totals = usage(count_words(prompt), count_words(text))
    base: Json = {
        "id": f"cmpl-fakenet-{seq}",
        "object": "text_completion",
        "created": CREATED,
        "model": body.get("model"),
        "system_fingerprint": SYSTEM_FINGERPRINT,
    }
    if not body.get("stream"):
        choice = {"index": 0, "text": text, "logprobs": None, "finish_reason": "stop"}
        return {**base, "choices": [choice], "usage": totals}, False
    events = [
        {**base, "choices": [{"index": 0, "text": p, "logprobs": None, "finish_reason": None}]}
        for p in split_pieces(text)
    ]
    events.append(
        {**base, "choices": [{"index": 0, "text": "", "logprobs": None, "finish_reason": "stop"}]}
    )
    if include_usage(body):
        events.append({**base, "choices": [], "usage": totals})
    return events, True


def embeddings(body: Json) -> Json:
    dim = size_asked(body.get("dimensions"))
    as_base64 = body.get("encoding_format") == "base64"
    data = []
    tokens = 0
    for index, item in enumerate(embedding_inputs(body.get("input"))):
        values = vector(item, dim)
        tokens += input_tokens(item)
        embedding: Any = values
        if as_base64:
            embedding = base64.b64encode(struct.pack(f"<{dim}f", *values)).decode("ascii")
        data.append({"object": "embedding", "index": index, "embedding": embedding})
    return {
        "object": "list",
        "data": data,
        "model": body.get("model"),
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


def _model(model_id: str) -> Json:
    return {"id": model_id, "object": "model", "created": CREATED, "owned_by": "fakenet"}


def error(status: int, message: str, type_: str, code: str) -> Canned:
    payload = {"error": {"message": message, "type": type_, "param": None, "code": code}}
    return json_response(status, payload)


def rate_limited() -> Canned:
    message = "Rate limit reached for requests (fakenet)"
    payload = {"error": {"message": message, "type": "requests", "param": None,
                         "code": "rate_limit_exceeded"}}  # fmt: skip
    return json_response(429, payload, NO_RETRY_HEADERS)


def endpoint(method: str, path: str) -> str | None:
    """Which OpenAI endpoint ``method path`` is: chat, completion, embeddings, models,
    model, or None."""
    if method == "POST" and path.endswith("/chat/completions"):
        return "chat"
    if method == "POST" and path.endswith("/completions"):
        return "completion"
    if method == "POST" and path.endswith("/embeddings"):
        return "embeddings"
    if method == "GET" and path.endswith("/models"):
        return "models"
    if method == "GET" and re.search(r"/models/[^/]+$", path):
        return "model"
    return None


def texts_sent(kind: str, body: Json) -> list[Any]:
    """The texts the rate-limit trigger is looked for in."""
    if kind == "chat":
        return [last_user_text(body.get("messages"))]
    if kind == "completion":
        return [_prompt_text(body.get("prompt"))]
    return embedding_inputs(body.get("input"))


def answer(method: str, path: str, body: Any, body_is_json: bool, seq: int) -> Canned:
    """Canned answer to one request at an OpenAI(-compatible) endpoint."""
    kind = endpoint(method, path)
    if kind == "models":
        return json_response(200, {"object": "list", "data": [_model(m) for m in MODEL_IDS]})
    if kind == "model":
        return json_response(200, _model(path.rsplit("/", 1)[1]))
    if kind is None:
        message = f"fakenet: no canned response for {method} {path or '/'}"
        return error(404, message, "invalid_request_error", "unknown_url")
    if not body_is_json or not isinstance(body, dict):
        return error(400, "fakenet: expected a JSON object body", "invalid_request_error", "")
    if asks_rate_limit(texts_sent(kind, body)):
        return rate_limited()
    if kind == "embeddings":
        return json_response(200, embeddings(body))
    result, streamed = chat(body, seq) if kind == "chat" else _completion(body, seq)
    if not streamed:
        return json_response(200, result)
    assert isinstance(result, list)
    return sse_response(sse(result))
