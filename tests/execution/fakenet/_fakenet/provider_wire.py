"""Zhipu's paas v4 and Volcengine Ark's v3 wire formats: OpenAI-like, with their own details.

What differs from OpenAI's answers, as the providers' SDKs model them:

* Zhipu (``zai-sdk==0.2.3:zai/types/chat/chat_completion.py``, ``chat_completion_chunk.py``,
  ``zai/types/embeddings/embeddings.py``): a ``request_id`` beside ``id``; no
  ``system_fingerprint``, ``object``, ``logprobs`` or ``refusal``; tool calls carry their
  ``index``. A stream always ends with a chunk that holds ``finish_reason`` and ``usage``
  (there is no ``stream_options``) and a tool call arrives whole in one chunk. Embedding
  usage is the chat usage model, ``completion_tokens`` included. Errors are
  ``{"error": {"code", "message"}}`` with Zhipu's business codes (1302: too many concurrent
  requests, 1214: invalid parameter; https://docs.z.ai/api-reference/api-code).
* Ark (``volcengine-ark-runtime==5.0.54:volcenginesdkarkruntime/types/chat/``, an OpenAI
  fork): ``service_tier`` and token details instead of ``system_fingerprint``; streams
  as OpenAI's do. Errors are ``{"error": {"code", "message", "param", "type"}}`` with Ark's
  public codes (https://www.volcengine.com/docs/82379/1299023).
"""

from __future__ import annotations

from typing import Any

from _fakenet import openai_wire
from _fakenet.common import (
    CREATED,
    NO_RETRY_HEADERS,
    TOOL_ARGUMENTS,
    Canned,
    Json,
    asks_rate_limit,
    count_words,
    first_tool_name,
    json_response,
    last_user_text,
    prompt_tokens,
    split_pieces,
    sse,
    sse_response,
    usage,
)

# zai-sdk==0.2.3:zai/_client.py (default_base_url of ZhipuAiClient, ZaiClient)
ZHIPU_HOSTS = ("open.bigmodel.cn", "api.z.ai")
# volcengine-ark-runtime==5.0.54:volcenginesdkarkruntime/_constants.py (BASE_URL)
ARK_HOST_SUFFIX = ".volces.com"


def _zhipu_error(status: int, code: str, message: str) -> Canned:
    extra = NO_RETRY_HEADERS if status == 429 else ()
    return json_response(status, {"error": {"code": code, "message": message}}, extra)


def _zhipu_chat(body: Json, seq: int) -> Canned:
    messages = body.get("messages")
    tool_name = first_tool_name(body.get("tools"), body.get("tool_choice"), messages)
    content = "echo:" + last_user_text(messages)
    totals = usage(prompt_tokens(messages), count_words(TOOL_ARGUMENTS if tool_name else content))
    base: Json = {"id": f"fakenet-zhipu-{seq}", "created": CREATED, "model": body.get("model")}
    call = {
        "id": f"call_fakenet_{seq}",
        "index": 0,
        "type": "function",
        "function": {"name": tool_name, "arguments": TOOL_ARGUMENTS},
    }
    finish = "tool_calls" if tool_name else "stop"
    if not body.get("stream"):
        message: Json = {"role": "assistant", "content": content}
        if tool_name:
            message = {"role": "assistant", "content": None, "tool_calls": [call]}
        choice = {"index": 0, "finish_reason": finish, "message": message}
        payload = {**base, "request_id": base["id"], "choices": [choice], "usage": totals}
        return json_response(200, payload)

    def chunk(delta: Json) -> Json:
        return {**base, "choices": [{"index": 0, "delta": {"role": "assistant", **delta}}]}

    if tool_name:
        events = [chunk({"tool_calls": [call]})]
    else:
        events = [chunk({"content": piece}) for piece in split_pieces(content)]
    last = {"index": 0, "finish_reason": finish, "delta": {"role": "assistant", "content": ""}}
    events.append({**base, "choices": [last], "usage": totals})
    return sse_response(sse(events))


def _zhipu_embeddings(body: Json) -> Json:
    result = openai_wire.embeddings(body)
    tokens = result["usage"]["prompt_tokens"]
    return {**result, "usage": usage(tokens, 0)}


def zhipu_answer(method: str, path: str, body: Any, body_is_json: bool, seq: int) -> Canned:
    kind = openai_wire.endpoint(method, path)
    if kind not in ("chat", "embeddings"):
        return _zhipu_error(404, "404", f"fakenet: no canned response for {method} {path}")
    if not body_is_json or not isinstance(body, dict):
        return _zhipu_error(400, "1214", "fakenet: expected a JSON object body")
    if asks_rate_limit(openai_wire.texts_sent(kind, body)):
        message = "fakenet: high concurrency usage of this API, please reduce concurrency"
        return _zhipu_error(429, "1302", message)
    if kind == "embeddings":
        return json_response(200, _zhipu_embeddings(body))
    return _zhipu_chat(body, seq)


def _ark_error(status: int, code: str, type_: str, message: str) -> Canned:
    payload = {"error": {"code": code, "message": message, "param": "", "type": type_}}
    return json_response(status, payload, NO_RETRY_HEADERS if status == 429 else ())


def _ark_event(event: Json, seq: int) -> Json:
    event = {**event, "id": f"ark-fakenet-{seq}", "service_tier": "default"}
    event.pop("system_fingerprint", None)
    if event.get("usage"):
        details = {
            "prompt_tokens_details": {"cached_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0},
        }
        event["usage"] = {**event["usage"], **details}
    return event


def ark_answer(method: str, path: str, body: Any, body_is_json: bool, seq: int) -> Canned:
    kind = openai_wire.endpoint(method, path)
    if kind not in ("chat", "embeddings"):
        message = f"fakenet: no canned response for {method} {path}"
        return _ark_error(404, "InvalidEndpointOrModel.NotFound", "NotFound", message)
    if not body_is_json or not isinstance(body, dict):
        return _ark_error(400, "InvalidParameter", "BadRequest", "fakenet: expected JSON")
    if asks_rate_limit(openai_wire.texts_sent(kind, body)):
        message = "fakenet: the request rate of this endpoint is over its RPM limit"
        return _ark_error(429, "RateLimitExceeded.EndpointRPMExceeded", "TooManyRequests", message)
    if kind == "embeddings":
        payload = {"id": f"ark-fakenet-{seq}", "created": CREATED, **openai_wire.embeddings(body)}
        return json_response(200, payload)
    result, _ = openai_wire.chat(body, seq)
    if isinstance(result, dict):
        return json_response(200, _ark_event(result, seq))
    return sse_response(sse([_ark_event(event, seq) for event in result]))
