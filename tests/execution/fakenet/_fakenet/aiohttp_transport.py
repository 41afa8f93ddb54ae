"""aiohttp's side of the fake: a connection that is an in-memory transport.

``TCPConnector._create_connection`` is replaced: instead of resolving the host and opening a
socket, it connects aiohttp's own ``ResponseHandler`` protocol to :class:`_InMemoryTransport`,
which reads the HTTP/1.1 request aiohttp writes into it, records it, and feeds back the
canned answer as HTTP/1.1 bytes. aiohttp's parser and ``ClientResponse`` do the rest, so a
program reads the answer exactly as it would read a server's (``async for line in
resp.content`` included).
"""

from __future__ import annotations

import asyncio
import http.client
from typing import Any

from _fakenet.common import Canned
from _fakenet.routing import record_and_answer
from _fakenet.transports import request_id_header


def _parse_http_request(data: bytes) -> tuple[str, str, dict[str, str], bytes] | None:
    """``(method, target, headers, body)`` of the HTTP/1.1 request in ``data``, or None
    while it is incomplete."""
    head_end = data.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    lines = data[:head_end].decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    rest = data[head_end + 4 :]
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size_end = rest.find(b"\r\n")
            if size_end < 0:
                return None
            size = int(rest[:size_end].split(b";")[0], 16)
            if len(rest) < size_end + 2 + size + 2:
                return None
            if size == 0:
                return method, target, headers, body
            body += rest[size_end + 2 : size_end + 2 + size]
            rest = rest[size_end + 2 + size + 2 :]
    length = int(headers.get("content-length", "0"))
    if len(rest) < length:
        return None
    return method, target, headers, rest[:length]


def _http_response_pieces(seq: int, answer: Canned) -> list[bytes]:
    """The answer as HTTP/1.1 bytes: the head, then one piece per streamed event (chunked
    transfer encoding), so the client reads a stream incrementally."""
    status, headers, chunks, streamed = answer
    lines = [f"HTTP/1.1 {status} {http.client.responses.get(status, 'Unknown')}"]
    lines += [f"{name}: {value}" for name, value in [*headers, request_id_header(seq)]]
    lines.append("connection: close")  # one request per in-memory connection
    if not streamed:
        return ["\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + b"".join(chunks)]
    lines.append("transfer-encoding: chunked")
    pieces = ["\r\n".join(lines).encode("latin-1") + b"\r\n\r\n"]
    pieces += [f"{len(c):x}\r\n".encode() + c + b"\r\n" for c in chunks if c]
    pieces.append(b"0\r\n\r\n")
    return pieces


class _InMemoryTransport(asyncio.Transport):
    """The socket side of one aiohttp connection: answers the request written to it."""

    def __init__(self, protocol: Any, loop: asyncio.AbstractEventLoop, scheme: str) -> None:
        super().__init__()
        self._protocol = protocol
        self._loop = loop
        self._scheme = scheme
        self._written = b""
        self._closing = False
        self._answered = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._written += bytes(data)
        if self._answered:
            return
        request = _parse_http_request(self._written)
        if request is None:
            return
        self._answered = True
        method, target, headers, body = request
        url = f"{self._scheme}://{headers.get('host', '')}{target}"
        seq, answer = record_and_answer(method, url, headers, body)
        for piece in _http_response_pieces(seq, answer):
            self._loop.call_soon(self._deliver, piece)

    def _deliver(self, piece: bytes) -> None:
        if not self._closing:
            self._protocol.data_received(piece)

    def writelines(self, chunks: Any) -> None:
        self.write(b"".join(bytes(c) for c in chunks))

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        if not self._closing:
            self._closing = True
            self._loop.call_soon(self._protocol.connection_lost, None)

    def abort(self) -> None:
        self.close()

    def can_write_eof(self) -> bool:
        return False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default  # no socket, no TLS, no peer

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def is_reading(self) -> bool:
        return True

    def get_write_buffer_size(self) -> int:
        return 0


def patch_connector(connector_cls: type) -> None:
    """Give ``connector_cls`` (aiohttp's ``TCPConnector``) in-memory connections: no DNS
    lookup, no socket."""
    if getattr(connector_cls, "_fakenet", False):
        return

    async def _create_connection(self: Any, req: Any, traces: Any, timeout: Any) -> Any:
        protocol = self._factory()
        scheme = "https" if req.is_ssl() else "http"
        protocol.connection_made(_InMemoryTransport(protocol, self._loop, scheme))
        return protocol

    connector_cls._create_connection = _create_connection
    connector_cls._fakenet = True
