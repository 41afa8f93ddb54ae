"""Fake network for the execution tests (loaded by ``site`` at interpreter start-up).

Put this directory first on a subprocess's ``PYTHONPATH`` and set ``FAKENET_LOG`` to a file
path. Then, in that subprocess:

* ``HTTPTransport.handle_request`` / ``AsyncHTTPTransport.handle_async_request`` of
  ``httpx2`` (what openai>=3 sends through) and of ``httpx`` (if a program imports it) are
  replaced, as soon as either package is imported, by a fake that appends one JSON line per
  request to ``FAKENET_LOG`` and answers with a canned, OpenAI-shaped response built from the
  request (see :func:`build_response`). The real connection pool is never used.
* ``urllib.request``'s HTTP(S) handlers get the same fake, so a raw HTTP call a program
  makes next to the SDK (its URL and its ``Authorization`` header) is recorded too.
* ``socket.socket.connect`` / ``connect_ex`` and ``socket.getaddrinfo`` raise, and log a
  ``blocked`` line, so nothing can reach the network by another route either
  (``FAKENET_ALLOW_SOCKETS=1`` lifts this, e.g. for a loopback server).

Without ``FAKENET_LOG`` the module does nothing except chain to the next ``sitecustomize``
on ``sys.path``, which it always does so that shadowing one changes nothing else.

Log lines are ``{"event": "request", "seq", "method", "url", "headers", "body",
"body_is_json"}`` (header names lower-cased; ``body`` is the parsed JSON when the body is
JSON, else its text, else null) or ``{"event": "blocked", "what", "target"}``.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.machinery
import importlib.util
import itertools
import json
import os
import re
import socket
import struct
import sys
import threading
import traceback
from collections.abc import AsyncIterator, Iterator
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

LOG_ENV = "FAKENET_LOG"
ALLOW_SOCKETS_ENV = "FAKENET_ALLOW_SOCKETS"
HTTPX_MODULES = ("httpx2", "httpx")
URLLIB_MODULE = "urllib.request"
PATCH_TARGETS = (*HTTPX_MODULES, URLLIB_MODULE)
CREATED = 1_700_000_000
DEFAULT_EMBEDDING_DIM = 8
SYSTEM_FINGERPRINT = "fp_fakenet"
MODEL_IDS = ("gpt-4o", "gpt-4o-mini", "text-embedding-3-small")

_lock = threading.Lock()
_seq = itertools.count(1)

Json = dict[str, Any]
# status, headers, body chunks, streamed?
Canned = tuple[int, list[tuple[str, str]], list[bytes], bool]


# --------------------------------------------------------------------------- logging


def _log(record: Json) -> None:
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


# --------------------------------------------------------------------------- canned bodies


def _text_of(content: Any) -> str:
    """Text of a message ``content``: a string, or the text parts of a content-part list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [p.get("text", "") for p in content if isinstance(p, dict)]
        return " ".join(t for t in texts if isinstance(t, str) and t)
    return ""


def _last_user_text(messages: Any) -> str:
    if not isinstance(messages, list):
        return ""
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return _text_of(message.get("content"))
    return ""


def _count_words(text: str) -> int:
    return len(text.split())


def _split_pieces(text: str) -> list[str]:
    """Split ``text`` into 2+ stream pieces that join back to it."""
    pieces = re.findall(r"\S+\s*|\s+", text)
    if len(pieces) < 2:
        mid = max(1, len(text) // 2)
        pieces = [text[:mid], text[mid:]]
    return pieces


def _usage(prompt_tokens: int, completion_tokens: int) -> Json:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def _first_tool_name(body: Json) -> str | None:
    """Name of the tool a "weather" question is answered with, or None for no tool call."""
    tools = body.get("tools")
    if not isinstance(tools, list) or not tools or body.get("tool_choice") == "none":
        return None
    if "weather" not in _last_user_text(body.get("messages")).lower():
        return None
    first = tools[0] if isinstance(tools[0], dict) else {}
    function = first.get("function")
    name = function.get("name") if isinstance(function, dict) else first.get("name")
    return name if isinstance(name, str) else "tool"


def _legacy_function_name(body: Json) -> str | None:
    """Same rule for the deprecated ``functions`` parameter (answered with ``function_call``)."""
    functions = body.get("functions")
    if not isinstance(functions, list) or not functions or body.get("function_call") == "none":
        return None
    if "weather" not in _last_user_text(body.get("messages")).lower():
        return None
    name = functions[0].get("name") if isinstance(functions[0], dict) else None
    return name if isinstance(name, str) else "function"


TOOL_ARGUMENTS = json.dumps({"city": "Beijing"})


def _sse(events: list[Json]) -> list[bytes]:
    chunks = [f"data: {json.dumps(e, ensure_ascii=False)}\n\n".encode() for e in events]
    chunks.append(b"data: [DONE]\n\n")
    return chunks


def _include_usage(body: Json) -> bool:
    options = body.get("stream_options")
    return isinstance(options, dict) and bool(options.get("include_usage"))


def _chat(body: Json, seq: int) -> tuple[Json | list[Json], bool]:
    """Chat completion (or its stream events) for ``body``; second item: streamed?"""
    model = body.get("model")
    messages = body.get("messages")
    n = body.get("n") if isinstance(body.get("n"), int) and body["n"] > 0 else 1
    prompt_tokens = sum(
        _count_words(_text_of(m.get("content")))
        for m in (messages if isinstance(messages, list) else [])
        if isinstance(m, dict)
    )
    tool_name = _first_tool_name(body)
    function_name = None if tool_name else _legacy_function_name(body)
    content = "echo:" + _last_user_text(messages)
    completion_tokens = _count_words(TOOL_ARGUMENTS if tool_name or function_name else content)
    usage = _usage(prompt_tokens, completion_tokens)
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
        return {**base, "object": "chat.completion", "choices": choices, "usage": usage}, False

    with_usage = _include_usage(body)

    def chunk(delta: Json, finish: str | None = None) -> Json:
        choices = [
            {"index": i, "delta": delta, "logprobs": None, "finish_reason": finish}
            for i in range(n)
        ]
        event: Json = {**base, "object": "chat.completion.chunk", "choices": choices}
        if with_usage:
            event["usage"] = None
        return event

    half = len(TOOL_ARGUMENTS) // 2
    arg_pieces = [TOOL_ARGUMENTS[:half], TOOL_ARGUMENTS[half:]]
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
        events += [chunk({"content": piece}) for piece in _split_pieces(content)]
        events.append(chunk({}, "stop"))
    if with_usage:
        events.append({**base, "object": "chat.completion.chunk", "choices": [], "usage": usage})
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
    usage = _usage(_count_words(prompt), _count_words(text))
    base: Json = {
        "id": f"cmpl-fakenet-{seq}",
        "object": "text_completion",
        "created": CREATED,
        "model": body.get("model"),
        "system_fingerprint": SYSTEM_FINGERPRINT,
    }
    if not body.get("stream"):
        choice = {"index": 0, "text": text, "logprobs": None, "finish_reason": "stop"}
        return {**base, "choices": [choice], "usage": usage}, False
    events = [
        {**base, "choices": [{"index": 0, "text": p, "logprobs": None, "finish_reason": None}]}
        for p in _split_pieces(text)
    ]
    events.append(
        {**base, "choices": [{"index": 0, "text": "", "logprobs": None, "finish_reason": "stop"}]}
    )
    if _include_usage(body):
        events.append({**base, "choices": [], "usage": usage})
    return events, True


def _embedding_inputs(raw: Any) -> list[Any]:
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list):
        if raw and all(isinstance(x, int) for x in raw):
            return [raw]  # one pre-tokenised input
        return list(raw)
    return []


def _vector(item: Any, dim: int) -> list[float]:
    seed = json.dumps(item, ensure_ascii=False, sort_keys=True).encode()
    data = b""
    block = 0
    while len(data) < dim:
        data += hashlib.sha256(seed + b"#" + str(block).encode()).digest()
        block += 1
    return [round((b - 127.5) / 127.5, 4) for b in data[:dim]]


def _embeddings(body: Json) -> Json:
    dims = body.get("dimensions")
    dim = dims if isinstance(dims, int) and dims > 0 else DEFAULT_EMBEDDING_DIM
    as_base64 = body.get("encoding_format") == "base64"
    data = []
    tokens = 0
    for index, item in enumerate(_embedding_inputs(body.get("input"))):
        vector = _vector(item, dim)
        tokens += _count_words(item) if isinstance(item, str) else len(item or [])
        embedding: Any = vector
        if as_base64:
            embedding = base64.b64encode(struct.pack(f"<{dim}f", *vector)).decode("ascii")
        data.append({"object": "embedding", "index": index, "embedding": embedding})
    return {
        "object": "list",
        "data": data,
        "model": body.get("model"),
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


def _model(model_id: str) -> Json:
    return {"id": model_id, "object": "model", "created": CREATED, "owned_by": "fakenet"}


def _error(status: int, message: str, type_: str, code: str) -> Canned:
    payload = {"error": {"message": message, "type": type_, "param": None, "code": code}}
    return _json_response(status, payload)


def _json_response(status: int, payload: Any) -> Canned:
    data = json.dumps(payload, ensure_ascii=False).encode()
    headers = [("content-type", "application/json"), ("content-length", str(len(data)))]
    return status, headers, [data], False


def build_response(method: str, url: str, body: Any, body_is_json: bool, seq: int) -> Canned:
    """Canned answer to one request: ``(status, headers, body chunks, streamed)``.

    Routing is on the path's tail, so every provider's prefix works (``/v1``,
    ``/compatible-mode/v1``, ``/api/paas/v4``, ``/openai/deployments/<name>``...).
    """
    path = urlsplit(url).path.rstrip("/")
    method = method.upper()
    kind = None
    if method == "POST" and path.endswith("/chat/completions"):
        kind = "chat"
    elif method == "POST" and path.endswith("/completions"):
        kind = "completion"
    elif method == "POST" and path.endswith("/embeddings"):
        kind = "embeddings"
    elif method == "GET" and path.endswith("/models"):
        return _json_response(200, {"object": "list", "data": [_model(m) for m in MODEL_IDS]})
    elif method == "GET" and re.search(r"/models/[^/]+$", path):
        return _json_response(200, _model(path.rsplit("/", 1)[1]))
    if kind is None:
        message = f"fakenet: no canned response for {method} {path or '/'}"
        return _error(404, message, "invalid_request_error", "unknown_url")
    if not body_is_json or not isinstance(body, dict):
        return _error(400, "fakenet: expected a JSON object body", "invalid_request_error", "")
    if kind == "embeddings":
        return _json_response(200, _embeddings(body))
    result, streamed = _chat(body, seq) if kind == "chat" else _completion(body, seq)
    if not streamed:
        return _json_response(200, result)
    assert isinstance(result, list)
    headers = [("content-type", "text/event-stream; charset=utf-8")]
    return 200, headers, _sse(result), True


# --------------------------------------------------------------------------- transport patch


def _header_dict(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, value in raw:
        name = key.decode("latin-1").lower()
        text = value.decode("latin-1")
        headers[name] = f"{headers[name]}, {text}" if name in headers else text
    return headers


def _record_and_answer(
    method: str, url: str, headers: dict[str, str], raw_body: bytes
) -> tuple[int, Canned]:
    """Log one request and build its canned answer; returns ``(seq, answer)``."""
    seq = next(_seq)
    body, body_is_json = _decode_body(raw_body)
    _log(
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
        return seq, build_response(method, url, body, body_is_json, seq)
    except Exception as exc:  # a bug in the fake must show, and must not be retried
        traceback.print_exc()
        return seq, _error(400, f"fakenet internal error: {exc!r}", "fakenet_error", "fakenet")


def _respond(module: ModuleType, request: Any, raw_body: bytes) -> Any:
    headers_in = _header_dict(list(request.headers.raw))
    seq, answer = _record_and_answer(request.method, str(request.url), headers_in, raw_body)
    status, headers, chunks, streamed = answer
    headers = [*headers, ("x-request-id", f"req_fakenet_{seq}")]
    extensions = {"http_version": b"HTTP/1.1"}
    if not streamed:
        content = b"".join(chunks)
        return module.Response(status, headers=headers, content=content, extensions=extensions)
    return module.Response(
        status, headers=headers, stream=_stream_class(module)(chunks), extensions=extensions
    )


_STREAM_CLASSES: dict[str, type] = {}


def _stream_class(module: ModuleType) -> type:
    """A byte stream, usable by sync and async clients, that yields one chunk per SSE event."""
    cls = _STREAM_CLASSES.get(module.__name__)
    if cls is None:

        class ChunkStream(module.SyncByteStream, module.AsyncByteStream):  # type: ignore[name-defined,misc]
            def __init__(self, chunks: list[bytes]) -> None:
                self._chunks = chunks

            def __iter__(self) -> Iterator[bytes]:
                yield from self._chunks

            async def __aiter__(self) -> AsyncIterator[bytes]:
                for chunk in self._chunks:
                    yield chunk

        cls = _STREAM_CLASSES[module.__name__] = ChunkStream
    return cls


def _patch_httpx(module: ModuleType) -> None:
    """Replace the real transports' send methods in an httpx-like ``module``."""
    sync_cls = getattr(module, "HTTPTransport", None)
    async_cls = getattr(module, "AsyncHTTPTransport", None)

    def handle_request(self: Any, request: Any) -> Any:
        return _respond(module, request, request.read())

    async def handle_async_request(self: Any, request: Any) -> Any:
        return _respond(module, request, await request.aread())

    if sync_cls is not None and not getattr(sync_cls, "_fakenet", False):
        sync_cls.handle_request = handle_request
        sync_cls._fakenet = True
    if async_cls is not None and not getattr(async_cls, "_fakenet", False):
        async_cls.handle_async_request = handle_async_request
        async_cls._fakenet = True


def _patch_urllib(module: ModuleType) -> None:
    """Replace ``urllib.request``'s HTTP(S) opening with the fake (``module`` is that module)."""
    import email.message
    import http.client
    import io
    import urllib.response

    handler_cls = module.AbstractHTTPHandler
    if getattr(handler_cls, "_fakenet", False):
        return

    def do_open(self: Any, http_class: Any, req: Any, **kwargs: Any) -> Any:
        data = req.data if isinstance(req.data, bytes) else b""
        headers_in = {name.lower(): value for name, value in req.header_items()}
        url = req.full_url
        seq, (status, headers, chunks, _) = _record_and_answer(
            req.get_method(), url, headers_in, data
        )
        message = email.message.Message()
        for name, value in [*headers, ("x-request-id", f"req_fakenet_{seq}")]:
            message[name] = value
        response = urllib.response.addinfourl(io.BytesIO(b"".join(chunks)), message, url, status)
        response.msg = http.client.responses.get(status, "")  # what urllib's handlers read
        return response

    handler_cls.do_open = do_open
    handler_cls._fakenet = True


def _patch_module(module: ModuleType) -> None:
    if module.__name__ == URLLIB_MODULE:
        _patch_urllib(module)
    else:
        _patch_httpx(module)


class _PatchingLoader:
    """Wraps a package's loader: runs it, then patches the module it made."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: Any) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        try:
            _patch_module(module)
        except Exception:
            traceback.print_exc()
            raise

    def __getattr__(self, name: str) -> Any:  # get_resource_reader, is_package, ...
        return getattr(self._loader, name)


class _PatchOnImport:
    """Meta-path finder: lets the other finders find httpx2 / httpx, then wraps the loader."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname not in PATCH_TARGETS:
            return None
        for finder in sys.meta_path:
            find_spec = getattr(finder, "find_spec", None)
            if finder is self or find_spec is None:
                continue
            spec = find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _PatchingLoader(spec.loader)
                return spec
        return None


# --------------------------------------------------------------------------- socket guard


def _blocked(what: str, target: Any) -> OSError:
    _log({"event": "blocked", "what": what, "target": repr(target)})
    return ConnectionRefusedError(f"fakenet: {what} {target!r} blocked (no real network in tests)")


def _guard_sockets() -> None:
    def connect(self: socket.socket, address: Any) -> None:
        raise _blocked("connect", address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        raise _blocked("connect", address)

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        raise _blocked("getaddrinfo", (host, port))

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo


# --------------------------------------------------------------------------- start-up


def _chain_next_sitecustomize() -> None:
    """Run the ``sitecustomize`` this one shadows, if there is one."""
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None or spec.origin == __file__:
        return
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception:
        traceback.print_exc()


def _install() -> None:
    if os.environ.get(LOG_ENV):
        if os.environ.get(ALLOW_SOCKETS_ENV) != "1":
            _guard_sockets()
        sys.meta_path.insert(0, _PatchOnImport())
        for name in PATCH_TARGETS:
            if name in sys.modules:
                _patch_module(sys.modules[name])
    _chain_next_sitecustomize()


_install()
