"""Where the nodes the inventory may report start, computed for those nodes only.

libcst's PositionProvider records a range for every node of a module, which costs more
than the whole inventory; `syntactic_starts` hooks the same code generation and notes
the start of the wanted nodes alone (tests/test_inventory.py checks the two agree).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst

try:  # the hook libcst's own position providers use (see `syntactic_starts`)
    from libcst._nodes.internal import CodegenState as _CodegenState
except ImportError:  # pragma: no cover - a future libcst; PositionProvider still works
    _CodegenState = None  # type: ignore[assignment,misc]


class _Start:
    """Context manager a node's codegen enters where its syntactic position begins."""

    __slots__ = ("node", "state")

    def __init__(self, state: _StartsState, node: cst.CSTNode) -> None:
        self.state = state
        self.node = node

    def __enter__(self) -> None:
        starts = self.state.starts
        starts[self.node] = len(self.state.tokens)
        if len(starts) == len(self.state.wanted):
            raise _AllFound  # what follows the last wanted start changes none of them

    def __exit__(self, *exc: object) -> None:
        return None


class _NoStart:
    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


_NO_START = _NoStart()


class _AllFound(Exception):  # noqa: N818 - a signal, not an error
    """Every wanted node's start is known: the rest of the module need not be generated."""


if _CodegenState is not None:

    @dataclass(frozen=False)
    class _StartsState(_CodegenState):  # type: ignore[misc,valid-type]
        """Code generation that notes, for the wanted nodes only, the index of the token
        where the node's syntactic position starts (the same hook PositionProvider uses)."""

        wanted: set[cst.CSTNode] = field(default_factory=set)
        starts: dict[cst.CSTNode, int] = field(default_factory=dict)

        def record_syntactic_position(  # type: ignore[override]
            self,
            node: cst.CSTNode,
            *,
            start_node: cst.CSTNode | None = None,
            end_node: cst.CSTNode | None = None,
        ) -> _Start | _NoStart:
            if start_node is None and node in self.wanted:
                return _Start(self, node)
            return _NO_START


_NEWLINE = re.compile(r"\r\n?|\n")


def syntactic_starts(
    module: cst.Module, wanted: set[cst.CSTNode]
) -> dict[cst.CSTNode, tuple[int, int]]:
    """Start (line, 1-based column) of each wanted node, as PositionProvider computes it.

    PositionProvider records a range for every node of the module, which costs more
    than the whole inventory; this records only the nodes that may be reported. It uses
    libcst's code generation hook; on any surprise it returns nothing and `_pos` falls
    back to PositionProvider, node by node.
    """
    if _CodegenState is None or not wanted:
        return {}
    try:
        state = _StartsState(
            default_indent=module.default_indent,
            default_newline=module.default_newline,
            wanted=wanted,
        )
        module._codegen(state)
    except _AllFound:
        pass
    except Exception:  # noqa: BLE001 - a libcst internals change: use the provider
        return {}
    by_index: dict[int, list[cst.CSTNode]] = {}
    for node, index in state.starts.items():
        by_index.setdefault(index, []).append(node)
    result: dict[cst.CSTNode, tuple[int, int]] = {}
    line, column = 1, 0
    for index, token in enumerate(state.tokens):
        nodes = by_index.get(index)
        if nodes is not None:
            for node in nodes:
                result[node] = (line, column + 1)
        if "\n" in token or "\r" in token:
            segments = _NEWLINE.split(token)
            line += len(segments) - 1
            column = len(segments[-1])
        else:
            column += len(token)
    for node in by_index.get(len(state.tokens), ()):  # where generation stopped
        result[node] = (line, column + 1)
    return result
