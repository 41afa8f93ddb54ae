"""Fake network for the execution tests (loaded by ``site`` at interpreter start-up).

Put this directory first on a subprocess's ``PYTHONPATH`` and set ``FAKENET_LOG`` to a file
path. Then, in that subprocess:

* the network layer of every HTTP client a program or an SDK may use is replaced, as soon
  as its module is imported, by a fake that appends one JSON line per request to
  ``FAKENET_LOG`` and answers with a canned response built from the request, in the wire
  format of the provider the URL names (``_fakenet/routing.py``): OpenAI's (and every
  OpenAI-compatible endpoint's), DashScope's native API, Zhipu's, Volcengine Ark's. The
  clients: ``httpx2`` (what openai>=3 sends through) and ``httpx`` (dashscope 2.x, zai, Ark),
  ``urllib.request``, ``requests`` and ``aiohttp`` (DashScope's 1.x API, hand-written calls)
  (``_fakenet/transports.py``). No real connection pool is ever used.
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

import importlib.machinery
import importlib.util
import os
import socket
import sys
import traceback
from types import ModuleType
from typing import Any

LOG_ENV = "FAKENET_LOG"
ALLOW_SOCKETS_ENV = "FAKENET_ALLOW_SOCKETS"


def _patch_module(module: ModuleType) -> None:
    from _fakenet.transports import PATCHES

    PATCHES[module.__name__](module)


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
    """Meta-path finder: lets the other finders find a module to patch, then wraps the loader."""

    def __init__(self, targets: tuple[str, ...]) -> None:
        self._targets = targets

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname not in self._targets:
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
    from _fakenet.routing import log

    log({"event": "blocked", "what": what, "target": repr(target)})
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
        from _fakenet.transports import PATCHES

        sys.meta_path.insert(0, _PatchOnImport(tuple(PATCHES)))
        for name in PATCHES:
            if name in sys.modules:
                _patch_module(sys.modules[name])
    _chain_next_sitecustomize()


_install()
