"""Reshape the reads of the SDK's responses: in the function, in its callers, in other modules.

DashScope's client answers `usage.input_tokens` where openai has `usage.prompt_tokens`,
`request_id` for `id`, and an embedding response's vectors are `.embeddings`, not `.data`
(`native.responses` in the mapping). That table is the rewrite table of the response-flow
component (response_flow.follow, response_rewrites.record_rewrites) for a call's
response; a stream's table is the same one read on each chunk (DashScope's chunks carry
the envelope and the usage of a whole response).

A response is followed where it goes:
- through names, loops and indices in its function (`follow`);
- returned from a top-level function: into the calls of that function in the module, and,
  through a request to each file of the run importing it (`ReturnedResponse`,
  cross_module.py), into the calls there: that file's worker reshapes them the same way;
- anywhere else (passed to a call, stored on an object or in a container, yielded,
  returned from a method, a function no file of the run is shown to call): the call is
  marked with where the response goes. Never silently.

Rules:
  MIG150 response field renamed for the SDK (edit)
  MIG151 response field with no equivalent in the SDK, or a read that cannot be rewritten:
         left, marked
  MIG152 an SDK response goes where it cannot be followed: the call is marked with where
  MIG153 an SDK response returned to callers: followed into them (here and other modules)
  MIG154 a stream's usage summed over its chunks (DashScope: every event carries it)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst
from migrator.codemods.native._common import native_of, on_fallback
from migrator.codemods.native._imports import imported_uses
from migrator.codemods.policy.endpoints import call_retargeted

from migrator.constants import module_of
from migrator.cross_module import ReturnedResponse, importers_of, same_module
from migrator.mapping_native import Native
from migrator.response_flow import ITEM, Escape, ResponseUses, follow, references_to
from migrator.response_rewrites import match, record_rewrites
from migrator.rewrite import Plan
from migrator.source import code_of

_FAMILIES = ("chat", "embeddings")
# SDKs whose stream events each carry the usage so far (DashScope: every SSE event has
# `usage`, and the SDK's own accumulator keeps the last one:
# dashscope==2.0.2:dashscope/v2/resources/chat/completions.py:457-514).
_USAGE_ON_EVERY_CHUNK = frozenset({"dashscope"})
_MAX_DEPTH = 8  # functions returning functions' responses: a bound, not a limit met in practice

Path = tuple[str, ...]


@dataclass(frozen=True)
class Shape:
    """The rewrite table of one kind of response (a chat reply, its stream, embeddings)."""

    family: str
    stream: bool
    table: dict[Path, Path | None]
    reasons: dict[Path, str]

    @property
    def label(self) -> str:
        return "embedding response" if self.family == "embeddings" else (
            "chat stream" if self.stream else "chat response"
        )  # fmt: skip

    def matters(self, path: Path) -> bool:
        """Could reads below `path` (a part of the response that escapes) need the table?"""
        if self.stream:
            if not path:
                return True  # the stream itself: its chunks are read elsewhere
            if path[0] != ITEM:
                return False
        start = 0
        while start < len(path) and path[start] == ITEM:
            start += 1
        rest = path[start:]
        return any(len(key) > len(rest) and key[: len(rest)] == rest for key in self.table)


def shape_of(native: Native, family: str, stream: bool) -> Shape | None:
    renames = native.renames(family)
    if not renames:
        return None
    table: dict[Path, Path | None] = {}
    reasons: dict[Path, str] = {}
    for rename in renames.values():
        key = tuple(rename.path.split("."))
        table[key] = tuple(rename.to.split(".")) if rename.to else None
        if rename.reason:
            reasons[key] = rename.reason
    return Shape(family, stream, table, reasons)


def fix_native_responses(plan: Plan) -> None:
    native = native_of(plan)
    if not native.responses:
        return
    reshaper = _Reshaper(plan, native)
    for call in plan.inventory.calls:
        if call.family not in _FAMILIES or on_fallback(plan, call):
            continue
        if not call_retargeted(plan, call):
            continue
        shape = shape_of(native, call.family, call.stream)
        if shape is not None:
            origin = f"{plan.path}:{plan.line_of(call.node)}"
            reshaper.reshape([call.node], shape, call.node, origin, 0)
    for notice in plan.options.notices:
        if isinstance(notice, ReturnedResponse):
            shape = shape_of(native, notice.family, notice.stream)
            if shape is not None:
                reshaper.imported(notice, shape)


class _Reshaper:
    def __init__(self, plan: Plan, native: Native) -> None:
        self.plan = plan
        self.native = native
        self.package = native.package
        self.followed: set[cst.FunctionDef] = set()

    def reshape(
        self,
        calls: Sequence[cst.Call],
        shape: Shape,
        site: cst.CSTNode,
        origin: str,
        depth: int,
    ) -> None:
        """Rewrite the reads of the responses of `calls` (`site` is where a mark goes:
        the SDK call, or the call of a function returning its response)."""
        plan = self.plan
        uses = follow(plan, calls)
        if shape.stream:  # a stream's fields are its chunks'
            uses = ResponseUses(
                uses.roots,
                [a for a in uses.accesses if a.path[:1] == (ITEM,)],
                uses.bindings,
                uses.escapes,
            )
        what = f"{self.package}'s {shape.label}"
        done = record_rewrites(plan, uses, shape.table, "MIG150", "MIG151", what, shape.reasons)
        for access in done.renamed:
            found = match(access.path, shape.table)
            assert found is not None
            key = found[1]
            new = shape.table[key]
            assert new is not None
            plan.finding(
                "MIG150",
                f"`{'.'.join(key)}` read as `{'.'.join(new)}` ({what}, from {origin})",
                node=access.end,
            )
        if shape.stream and self.package in _USAGE_ON_EVERY_CHUNK:
            self._summed_usage(uses)
        lost: list[str] = [
            f"entered by `with` (line {plan.line_of(root)}): what it binds is not followed"
            for root in uses.roots
            if isinstance(plan.parent_of(root), cst.WithItem)
        ]
        for escape in uses.escapes:
            if not shape.matters(escape.path):
                continue
            if not self._returned(escape, shape, site, origin, depth):
                lost.append(f"{escape.where} (line {plan.line_of(escape.node)})")
        if lost:
            fields = ", ".join(
                f"{'.'.join(k)} -> {'.'.join(v)}" if v else f"{'.'.join(k)} (none)"
                for k, v in shape.table.items()
            )
            plan.mark(
                site,
                "MIG152",
                f"`{_short(code_of(site))}` gives {what} ({origin}), "
                f"{'; '.join(dict.fromkeys(lost))}: code reading it there must use "
                f"{self.package}'s fields ({fields})",
                short=f"{self.package} response goes on: {'; '.join(dict.fromkeys(lost))}",
            )

    def _returned(
        self, escape: Escape, shape: Shape, site: cst.CSTNode, origin: str, depth: int
    ) -> bool:
        """Follow a response returned from a top-level function into its callers: those of
        this module here, those of other modules through a request. False when that
        cannot be done (the caller marks the escape)."""
        plan = self.plan
        function = escape.function
        if escape.kind != "returned" or not escape.certain or escape.path or function is None:
            return False
        if plan.parent_of(function) is not plan.module or depth >= _MAX_DEPTH:
            return False  # a method, a nested function: its callers are not followed
        if function in self.followed:
            return True
        name = function.name.value
        refs = references_to(plan.inventory, function, name, plan.analyses)
        if refs is None:
            return False
        calls = [r for r in refs if _called(plan, r)]
        if len(calls) != len(refs):
            return False  # the function is used as a value: its calls are not in sight
        readers = importers_of(plan.options.importers, name)
        if not calls and not readers:
            return False
        self.followed.add(function)
        module = module_of(plan.path)
        for path in readers:
            plan.request(ReturnedResponse(path, module, name, shape.family, shape.stream, origin))
        where = [f"line {plan.line_of(c)}" for c in calls] + list(readers)
        plan.finding(
            "MIG153",
            f"`{module}.{name}` returns {self.package}'s {shape.label}: its callers' reads "
            f"are reshaped ({', '.join(where)}); callers outside this run must read "
            f"{self.package}'s fields",
            node=site,
        )
        for ref in calls:
            call = plan.parent_of(ref)
            assert isinstance(call, cst.Call)
            self.reshape([call], shape, call, origin, depth + 1)
        return True

    def imported(self, notice: ReturnedResponse, shape: Shape) -> None:
        """Reshape the reads of the calls of a function another file of the run told this
        one returns the SDK's response."""
        plan = self.plan
        wanted = notice.function
        for qualified, nodes in imported_uses(plan).items():
            module, _, name = qualified.rpartition(".")
            if name != wanted or not same_module(notice.module, module):
                continue
            for node in nodes:
                if not _called(plan, node):
                    plan.mark(
                        node,
                        "MIG152",
                        f"`{code_of(node)}` returns {self.package}'s {shape.label} "
                        f"({notice.origin}) and is used here as a value: its calls are not "
                        f"followed; their readers must use {self.package}'s fields",
                        short=f"`{code_of(node)}` returns a {self.package} response",
                    )
                    continue
                call = plan.parent_of(node)
                assert isinstance(call, cst.Call)
                plan.finding(
                    "MIG153",
                    f"`{_short(code_of(call))}` returns {self.package}'s {shape.label} "
                    f"({notice.origin}): its reads here are reshaped",
                    node=call,
                )
                self.reshape([call], shape, call, notice.origin, 1)

    def _summed_usage(self, uses: ResponseUses) -> None:
        """`total += chunk.usage.total_tokens` counts every event's running usage."""
        for access in uses.accesses:
            path = access.path
            if path[:2] != (ITEM, "usage"):
                continue
            node: cst.CSTNode = access.end
            while (parent := self.plan.parent_of(node)) is not None:
                if isinstance(parent, cst.AugAssign):
                    if parent.value is node and isinstance(parent.operator, cst.AddAssign):
                        self.plan.mark(
                            parent,
                            "MIG154",
                            f"`{_short(code_of(parent))}` adds up the usage of every chunk: "
                            f"each {self.package} stream event carries the usage so far, "
                            "so this counts tokens many times; keep the last chunk's usage",
                            short=f"{self.package} chunks carry the usage so far: keep the last",
                        )
                    break
                if isinstance(parent, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
                    break
                node = parent


def _called(plan: Plan, node: cst.CSTNode) -> bool:
    parent = plan.parent_of(node)
    return isinstance(parent, cst.Call) and parent.func is node


def _short(code: str) -> str:
    flat = " ".join(code.split())
    return flat if len(flat) <= 60 else flat[:57] + "..."
