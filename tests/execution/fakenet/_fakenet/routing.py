"""Which wire format answers a request, and the request log every transport writes.

A request is answered in the format of the provider its host and path name:

* a path under ``/api/v1/services/``: DashScope's native API (any DashScope host: the
  shared gateway, the international one, a workspace's ``*.maas.aliyuncs.com``);
* Zhipu's hosts (``open.bigmodel.cn``, ``api.z.ai``): Zhipu's paas v4 format;
* a ``*.volces.com`` host: Volcengine Ark's v3 format;
* anything else: OpenAI's format, whatever the prefix (DashScope's ``/compatible-mode/v1``,
  DeepSeek, Moonshot, Azure deployments, gateways...).

Log lines are ``{"event": "request", "seq", "method", "url", "headers", "body",
"body_is_json"}`` (header names lower-cased, so the ``user-agent`` each client sets is
there; ``body`` is the parsed JSON when the body is JSON, else its text, else null).
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import traceback
from typing import Any
from urllib.parse import urlsplit

from _fakenet import dashscope_wire, openai_wire, provider_wire, token_inputs
from _fakenet.common import Canned, Json

LOG_ENV = "FAKENET_LOG"

_lock = threading.Lock()
_seq = itertools.count(1)


def log(record: Json) -> None:
    path = os.environ.get(LOG_ENV)
    if not path:
        return
    line = json.dumps(record, ensure_ascii=False)
    with _lock, open(path, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def _decode_body(body: bytes) -> tuple[Any, bool]:
    if not body:
        return None, False
    try:
        return json.loads(body), True
    except ValueError:
        return body.decode("utf-8", errors="replace"), False


def wire_of(host: str, path: str) -> str:
    """The provider whose format answers ``host`` + ``path``."""
    if dashscope_wire.is_native(path):
        return "dashscope"
    if host in provider_wire.ZHIPU_HOSTS:
        return "zhipu"
    if host.endswith(provider_wire.ARK_HOST_SUFFIX):
        return "ark"
    return "openai"


def build_response(
    method: str, url: str, headers: dict[str, str], body: Any, body_is_json: bool, seq: int
) -> Canned:
    """Canned answer to one request: ``(status, headers, body chunks, streamed)``."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    method = method.upper()
    wire = wire_of(parts.hostname or "", path)
    host = parts.hostname or ""
    if (
        wire in ("openai", "zhipu", "ark")
        and openai_wire.endpoint(method, path) == "embeddings"
        and isinstance(body, dict)
        and token_inputs.has_token_ids(body.get("input"))
        and token_inputs.refuses(host)
    ):
        return token_inputs.refusal(wire)  # see token_inputs.py
    if wire == "dashscope":
        return dashscope_wire.answer(method, path, headers, body, body_is_json, seq)
    if wire == "zhipu":
        return provider_wire.zhipu_answer(method, path, body, body_is_json, seq)
    if wire == "ark":
        return provider_wire.ark_answer(method, path, body, body_is_json, seq)
    return openai_wire.answer(method, path, body, body_is_json, seq)


def record_and_answer(
    method: str, url: str, headers: dict[str, str], raw_body: bytes
) -> tuple[int, Canned]:
    """Log one request and build its canned answer; returns ``(seq, answer)``."""
    seq = next(_seq)
    body, body_is_json = _decode_body(raw_body)
    log(
        {
            "event": "request",
            "seq": seq,
            "method": method,
            "url": url,
            "headers": headers,
            "body": body,
            "body_is_json": body_is_json,
        }
    )
    try:
        return seq, build_response(method, url, headers, body, body_is_json, seq)
    except Exception as exc:  # a bug in the fake must show, and must not be retried
        traceback.print_exc()
        message = f"fakenet internal error: {exc!r}"
        return seq, openai_wire.error(400, message, "fakenet_error", "fakenet")
