"""The patches that put the fake in place of each HTTP client's network layer.

Each records the request (:func:`_fakenet.routing.record_and_answer`) and hands the client
the canned answer through the client's own response type, so the SDK on top parses it
as it would a real one:

* httpx2 / httpx (``HTTPTransport.handle_request``, ``AsyncHTTPTransport.
  handle_async_request``): what openai, dashscope's 2.x client, zai and Ark send through;
* ``urllib.request`` (``AbstractHTTPHandler.do_open``);
* requests (``HTTPAdapter.send``, answered with a urllib3 response): DashScope's 1.x API;
* aiohttp (``TCPConnector._create_connection``, see :mod:`_fakenet.aiohttp_transport`):
  DashScope's 1.x async API.

:data:`PATCHES` maps the module to patch to its patch; ``sitecustomize`` applies it as
soon as the module is imported.
"""

from __future__ import annotations

import http.client
import io
from collections.abc import AsyncIterator, Callable, Iterator
from types import ModuleType
from typing import Any

from _fakenet.routing import record_and_answer


def request_id_header(seq: int) -> tuple[str, str]:
    return ("x-request-id", f"req_fakenet_{seq}")


def _header_dict(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, value in raw:
        name = key.decode("latin-1").lower()
        text = value.decode("latin-1")
        headers[name] = f"{headers[name]}, {text}" if name in headers else text
    return headers


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


# --------------------------------------------------------------------------- httpx2 / httpx


def _respond(module: ModuleType, request: Any, raw_body: bytes) -> Any:
    headers_in = _header_dict(list(request.headers.raw))
    seq, answer = record_and_answer(request.method, str(request.url), headers_in, raw_body)
    status, headers, chunks, streamed = answer
    headers = [*headers, request_id_header(seq)]
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


def patch_httpx(module: ModuleType) -> None:
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


# --------------------------------------------------------------------------- urllib


def patch_urllib(module: ModuleType) -> None:
    """Replace ``urllib.request``'s HTTP(S) opening with the fake (``module`` is that module)."""
    import email.message
    import urllib.response

    handler_cls = module.AbstractHTTPHandler
    if getattr(handler_cls, "_fakenet", False):
        return

    def do_open(self: Any, http_class: Any, req: Any, **kwargs: Any) -> Any:
        data = req.data if isinstance(req.data, bytes) else b""
        headers_in = {name.lower(): value for name, value in req.header_items()}
        url = req.full_url
        seq, (status, headers, chunks, _) = record_and_answer(
            req.get_method(), url, headers_in, data
        )
        message = email.message.Message()
        for name, value in [*headers, request_id_header(seq)]:
            message[name] = value
        response = urllib.response.addinfourl(io.BytesIO(b"".join(chunks)), message, url, status)
        response.msg = http.client.responses.get(status, "")  # what urllib's handlers read
        return response

    handler_cls.do_open = do_open
    handler_cls._fakenet = True


# --------------------------------------------------------------------------- requests


def _body_bytes(body: Any) -> bytes:
    """A prepared request's body (bytes, text, a file or an iterable of chunks) as bytes."""
    if body is None:
        return b""
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    return b"".join(c.encode("utf-8") if isinstance(c, str) else bytes(c) for c in body)


def patch_requests(module: ModuleType) -> None:
    """Replace ``requests.adapters.HTTPAdapter.send`` (``module`` is ``requests.adapters``)."""
    adapter_cls = module.HTTPAdapter
    if getattr(adapter_cls, "_fakenet", False):
        return

    def send(self: Any, request: Any, stream: bool = False, *args: Any, **kwargs: Any) -> Any:
        import urllib3

        headers_in = {_text(k).lower(): _text(v) for k, v in request.headers.items()}
        seq, (status, headers, chunks, _) = record_and_answer(
            request.method, request.url, headers_in, _body_bytes(request.body)
        )
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(b"".join(chunks)),
            headers=urllib3.HTTPHeaderDict([*headers, request_id_header(seq)]),
            status=status,
            reason=http.client.responses.get(status, ""),
            preload_content=False,
            decode_content=False,
            request_method=request.method,
            request_url=request.url,
        )
        return self.build_response(request, raw)

    adapter_cls.send = send
    adapter_cls._fakenet = True


# --------------------------------------------------------------------------- aiohttp


def patch_aiohttp(module: ModuleType) -> None:
    """Give ``aiohttp.connector.TCPConnector`` in-memory connections (``module`` is
    ``aiohttp.connector``); asyncio is imported only for a program that uses aiohttp."""
    from _fakenet.aiohttp_transport import patch_connector

    patch_connector(module.TCPConnector)


PATCHES: dict[str, Callable[[ModuleType], None]] = {
    "httpx2": patch_httpx,
    "httpx": patch_httpx,
    "urllib.request": patch_urllib,
    "requests.adapters": patch_requests,
    "aiohttp.connector": patch_aiohttp,
}
