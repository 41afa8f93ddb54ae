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

try:  # the hook libcst's own position providers use (see `Starts`)
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
        self.state.starts.append((self.node, len(self.state.tokens), True))

    def __exit__(self, *exc: object) -> None:
        return None


class _NoStart:
    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


_NO_START = _NoStart()

# Where a node starts, as the code generation notes it: (node, the index of the token it
# precedes or the node whose start it takes, whether it is the node's syntactic start).
_Noted = tuple[cst.CSTNode, "int | cst.CSTNode", bool]


if _CodegenState is not None:

    @dataclass(frozen=False)
    class _StartsState(_CodegenState):  # type: ignore[misc,valid-type]
        """Code generation that notes, for the wanted nodes only, the index of the token
        where the node's syntactic position starts (the same hook PositionProvider uses).
        With `every`, it notes every node as PositionProvider places it: its syntactic
        start where the node has one (or the start of the child it names), else where its
        code begins."""

        wanted: set[cst.CSTNode] = field(default_factory=set)
        every: bool = False
        starts: list[_Noted] = field(default_factory=list)

        def before_codegen(self, node: cst.CSTNode) -> None:
            if self.every:
                self.starts.append((node, len(self.tokens), False))

        def record_syntactic_position(  # type: ignore[override]
            self,
            node: cst.CSTNode,
            *,
            start_node: cst.CSTNode | None = None,
            end_node: cst.CSTNode | None = None,
        ) -> _Start | _NoStart:
            if self.every or node in self.wanted:
                if start_node is None:
                    return _Start(self, node)
                if self.every:
                    self.starts.append((node, start_node, True))
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
    caller falls back to PositionProvider); with `wanted=None` every node is wanted.
    Iterating or counting generates the whole module. On any surprise from libcst's
    internals nothing is found.
    """

    def __init__(self, module: cst.Module, wanted: Iterable[cst.CSTNode] | None) -> None:
        """`wanted=None`: every node of the module (as a fallback for the odd node a
        fixer names: cheaper than PositionProvider, which generates the whole module)."""
        self._module = module
        self._every = wanted is None
        self._wanted = set(wanted or ())
        self._found: dict[cst.CSTNode, tuple[int, int]] = {}
        self._parts = iter([*module.header, *module.body, *module.footer])
        self._state: _StartsState | None = None
        if _CodegenState is not None and (self._wanted or self._every):
            self._state = _StartsState(
                default_indent=module.default_indent,
                default_newline=module.default_newline,
                wanted=self._wanted,
                every=self._every,
            )
        self._done = self._state is None
        self._waiting: dict[int, list[cst.CSTNode]] = {}  # recorded starts, by token index
        self._hoisted: dict[cst.CSTNode, list[cst.CSTNode]] = {}  # child -> nodes taking its start
        self._recorded: set[cst.CSTNode] = set()
        # id of each top-level part generated -> (the part, its first token, the end)
        self._spans: dict[int, tuple[cst.CSTNode, int, int]] = {}
        self._seen = 0  # how many of the state's recorded starts are in _waiting
        self._placed = 0  # tokens read so far; (_line, _column) is the position after them
        self._line, self._column = 1, 0

    def __getitem__(self, node: cst.CSTNode) -> tuple[int, int]:
        if self._every or node in self._wanted:
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
        while not self._done and (self._every or len(self._found) < len(self._wanted)):
            self._advance()

    def _advance(self) -> None:
        state = self._state
        assert state is not None
        try:
            part = next(self._parts, None)
            if part is None:
                self._finish(state)
                return
            begin = len(state.tokens)
            part._codegen(state)
            self._spans[id(part)] = (part, begin, len(state.tokens))
            self._note(state.starts[self._seen :])
            self._seen = len(state.starts)
            self._place(state)
            if not self._every and len(self._recorded) == len(self._wanted):
                # every start is recorded: what follows changes none of them
                self._place_at_end(state)
                self._done = True
        except Exception:  # noqa: BLE001 - a libcst internals change: use the provider
            self._found.clear()
            self._spans.clear()
            self._done = True

    def generates_like(self, module: cst.Module) -> bool:
        """Whether `module` is generated with this pass's indent and newline (a part's
        tokens hold them)."""
        return (module.default_indent, module.default_newline) == (
            self._module.default_indent,
            self._module.default_newline,
        )

    def tokens_of(self, part: cst.CSTNode) -> list[str] | None:
        """The code this pass generated for `part`, a top-level statement (or header or
        footer line) of its module, as libcst's tokens; None when it did not generate all
        of it. A part's code does not depend on the parts before it."""
        span = self._spans.get(id(part))
        state = self._state
        if span is None or span[0] is not part or state is None or span[2] > len(state.tokens):
            return None  # (the module's end may have taken the last part's newline)
        return state.tokens[span[1] : span[2]]

    def _note(self, noted: list[_Noted]) -> None:
        """File the starts one part of the module noted: a node's syntactic start over
        where its code begins (both are noted within the part that holds the node)."""
        chosen: dict[cst.CSTNode, int | cst.CSTNode] = {}
        syntactic: set[cst.CSTNode] = set()
        for node, where, is_syntactic in noted:
            if is_syntactic:
                syntactic.add(node)
                chosen[node] = where
            elif node not in syntactic:
                chosen[node] = where
        for node, where in chosen.items():
            self._recorded.add(node)
            if isinstance(where, int):
                self._waiting.setdefault(where, []).append(node)
            elif where in self._found:
                self._found_at(node, self._found[where])
            else:
                self._hoisted.setdefault(where, []).append(node)

    def _found_at(self, node: cst.CSTNode, start: tuple[int, int]) -> None:
        self._found[node] = start
        for taker in self._hoisted.pop(node, ()):
            self._found_at(taker, start)

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
        tokens, waiting = state.tokens, self._waiting
        for index in range(self._placed, len(tokens)):
            nodes = waiting.pop(index, None)
            if nodes is not None:
                for node in nodes:
                    self._found_at(node, (line, column + 1))
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
            self._found_at(node, (self._line, self._column + 1))


def module_code(module: cst.Module, generated: Iterable[object]) -> str:
    """`module.code`, taking a top-level part's code from a `Starts` in `generated` that
    already generated that very part. A rewrite leaves most statements of a module as
    they were, and placing the nodes it reports generated them up to the last: on a
    3.5 MB module, generating them all again was a seventh of the run. Parts the rewrite
    changed or added are generated here; on any surprise from libcst, all of them."""
    passes = [k for k in generated if isinstance(k, Starts) and k.generates_like(module)]
    if _CodegenState is None or not passes:
        return module.code
    state = _CodegenState(
        default_indent=module.default_indent, default_newline=module.default_newline
    )
    try:
        for part in (*module.header, *module.body, *module.footer):
            tokens = next((t for known in passes if (t := known.tokens_of(part)) is not None), None)
            if tokens is None:
                part._codegen(state)
            else:
                state.tokens.extend(tokens)
        # the end of the module, as Module._codegen_impl writes it
        if module.has_trailing_newline:
            if not state.tokens:
                state.add_token(state.default_newline)
        else:
            state.pop_trailing_newline()
    except Exception:  # noqa: BLE001 - a libcst internals change: its own code generation
        return module.code
    return "".join(state.tokens)
