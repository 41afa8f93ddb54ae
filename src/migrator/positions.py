"""Where the nodes the inventory may report start, computed for those nodes only.

libcst's PositionProvider records a range for every node of a module, which costs more
than the whole inventory; `Starts` hooks the same code generation and notes the start
of the wanted nodes alone, generating the module only as far as the nodes looked up
(tests/test_inventory.py and tests/test_plan_positions.py check they agree).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
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
        self.state.starts.append((self.node, len(self.state.tokens)))

    def __exit__(self, *exc: object) -> None:
        return None


class _NoStart:
    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


_NO_START = _NoStart()


if _CodegenState is not None:

    @dataclass(frozen=False)
    class _StartsState(_CodegenState):  # type: ignore[misc,valid-type]
        """Code generation that notes, for the wanted nodes only, the index of the token
        where the node's syntactic position starts (the same hook PositionProvider uses)."""

        wanted: set[cst.CSTNode] = field(default_factory=set)
        # (node, index of the token its start precedes), in the order they are met
        starts: list[tuple[cst.CSTNode, int]] = field(default_factory=list)

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


class Starts(Mapping[cst.CSTNode, tuple[int, int]]):
    """Start (line, 1-based column) of each wanted node, as PositionProvider computes it,
    found by generating the module's code only as far as the nodes looked up so far.

    The code is generated one top-level statement at a time, with libcst's own code
    generation hooked where a node's syntactic position begins: a lookup generates the
    statements up to the one holding the node, so a file whose last usage is in its
    first half never generates the second (a scan asks only for its usages' starts).
    A node that is not wanted, or whose start the hook does not see, is not found (the
    caller falls back to PositionProvider). Iterating or counting generates the whole
    module. On any surprise from libcst's internals nothing is found.
    """

    def __init__(self, module: cst.Module, wanted: Iterable[cst.CSTNode]) -> None:
        self._module = module
        self._wanted = wanted = set(wanted)
        self._found: dict[cst.CSTNode, tuple[int, int]] = {}
        self._parts = iter([*module.header, *module.body, *module.footer])
        self._state: _StartsState | None = None
        if _CodegenState is not None and wanted:
            self._state = _StartsState(
                default_indent=module.default_indent,
                default_newline=module.default_newline,
                wanted=wanted,
            )
        self._done = self._state is None
        self._waiting: dict[int, list[cst.CSTNode]] = {}  # recorded starts, by token index
        self._recorded: set[cst.CSTNode] = set()
        self._seen = 0  # how many of the state's recorded starts are in _waiting
        self._placed = 0  # tokens read so far; (_line, _column) is the position after them
        self._line, self._column = 1, 0

    def __getitem__(self, node: cst.CSTNode) -> tuple[int, int]:
        if node in self._wanted:
            while node not in self._found and not self._done:
                self._advance()
        return self._found[node]

    def __iter__(self) -> Iterator[cst.CSTNode]:
        self.complete()
        return iter(self._found)

    def __len__(self) -> int:
        self.complete()
        return len(self._found)

    def complete(self) -> None:
        """Generate until every wanted node is found (or the module ends)."""
        while not self._done and len(self._found) < len(self._wanted):
            self._advance()

    def _advance(self) -> None:
        state = self._state
        assert state is not None
        try:
            part = next(self._parts, None)
            if part is None:
                self._finish(state)
                return
            part._codegen(state)
            for node, index in state.starts[self._seen :]:
                self._waiting.setdefault(index, []).append(node)
                self._recorded.add(node)
            self._seen = len(state.starts)
            self._place(state)
            if len(self._recorded) == len(self._wanted):
                # every start is recorded: what follows changes none of them
                self._place_at_end(state)
                self._done = True
        except Exception:  # noqa: BLE001 - a libcst internals change: use the provider
            self._found.clear()
            self._done = True

    def _finish(self, state: _StartsState) -> None:
        """The module's end, as Module._codegen_impl writes it, then the last starts."""
        if self._module.has_trailing_newline:
            if not state.tokens:
                state.add_token(state.default_newline)
        else:
            state.pop_trailing_newline()
        self._place(state)
        self._place_at_end(state)
        self._done = True

    def _place(self, state: _StartsState) -> None:
        """Place the starts recorded before the tokens not read yet, reading them."""
        line, column = self._line, self._column
        tokens, waiting, found = state.tokens, self._waiting, self._found
        for index in range(self._placed, len(tokens)):
            nodes = waiting.pop(index, None)
            if nodes is not None:
                for node in nodes:
                    found[node] = (line, column + 1)
            token = tokens[index]
            if "\n" in token or "\r" in token:
                segments = _NEWLINE.split(token)
                line += len(segments) - 1
                column = len(segments[-1])
            else:
                column += len(token)
        self._placed = max(self._placed, len(tokens))
        self._line, self._column = line, column

    def _place_at_end(self, state: _StartsState) -> None:
        """The starts where generation stopped (a node with nothing before its end)."""
        for node in self._waiting.pop(len(state.tokens), ()):
            self._found[node] = (self._line, self._column + 1)


def syntactic_starts(
    module: cst.Module, wanted: set[cst.CSTNode]
) -> dict[cst.CSTNode, tuple[int, int]]:
    """Start (line, 1-based column) of each wanted node, as PositionProvider computes it
    (every one `Starts` finds: the module generated as far as the last of them)."""
    starts = Starts(module, wanted)
    starts.complete()
    return dict(starts.items())
