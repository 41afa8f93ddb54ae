"""Rewrite the access paths `response_flow.follow` found, with a table per call family.

A provider's SDK may name the fields of its responses differently from OpenAI's:
DashScope reports `usage.input_tokens` where OpenAI has `usage.prompt_tokens`, and
embeddings under `.embeddings` where OpenAI has `.data`. A strategy states that as a
table of path rewrites and records it on a Plan:

    CHAT = {("usage", "prompt_tokens"): ("usage", "input_tokens"), ("id",): ("request_id",),
            ("system_fingerprint",): None}
    record_rewrites(plan, follow(plan, call.node), CHAT, "MIG...")

Keys are matched against the start of each access path, after the ITEM steps of an
iteration over the response itself (a stream's table is written for one chunk), the
longest key first; the other paths are left as they are. A value of None means the
provider has no such field: the access is marked instead. A key may hold ITEM
(`("choices", ITEM, "message")`) to match an index or a loop. A rewrite of the same
length renames each field in place, so the code's layout stays; one that changes
the length rebuilds the accessed expression, which must then be one chain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from migrator.response_flow import ITEM, Access, ResponseUses, Step, Table
from migrator.source import code_of

if TYPE_CHECKING:
    from migrator.rewrite import Plan


@dataclass
class Rewritten:
    """What `record_rewrites` did with each access a table matched."""

    renamed: list[Access] = field(default_factory=list)
    missing: list[Access] = field(default_factory=list)  # no equivalent: marked
    left: list[Access] = field(default_factory=list)  # could not be rewritten: marked


def match(path: tuple[str, ...], table: Table) -> tuple[int, tuple[str, ...]] | None:
    """(where the key starts in `path`, the key) for the longest key `path` starts with."""
    start = 0
    while start < len(path) and path[start] == ITEM:
        start += 1
    best: tuple[str, ...] | None = None
    for key in table:
        if path[start : start + len(key)] == key and (best is None or len(key) > len(best)):
            best = key
    return (start, best) if best is not None else None


def record_rewrites(
    plan: Plan,
    uses: ResponseUses,
    table: Table,
    rule: str,
    missing_rule: str | None = None,
    what: str = "the response",
    reasons: Mapping[tuple[str, ...], str] | None = None,
) -> Rewritten:
    """Record the edits `table` asks for on every access in `uses` (rule `rule`); mark
    the accesses to fields with no equivalent, and those that cannot be rewritten, with
    `missing_rule` (default: `rule`). `what` names the response in messages; `reasons`
    says, by key, why a field has no equivalent."""
    return _Recorder(plan, table, rule, missing_rule or rule, what, reasons or {}).run(uses)


class _Recorder:
    def __init__(
        self,
        plan: Plan,
        table: Table,
        rule: str,
        missing_rule: str,
        what: str,
        reasons: Mapping[tuple[str, ...], str],
    ) -> None:
        self.plan = plan
        self.reasons = reasons
        self.table = table
        self.rule = rule
        self.missing_rule = missing_rule
        self.what = what
        self.result = Rewritten()
        # node -> what was decided for it: a field's new name, or the new path it reads
        self.decided: dict[cst.CSTNode, object] = {}

    def run(self, uses: ResponseUses) -> Rewritten:
        for access in uses.accesses:
            found = match(access.path, self.table)
            if found is None:
                continue
            start, key = found
            new = self.table[key]
            steps = access.all_steps[start : start + len(key)]
            if new is None:
                self._mark_missing(access, key, steps[-1].node)
            elif new == key:
                continue
            elif self._same_shape(key, new):
                self._rename(access, steps, new)
            else:
                self._rebuild(access, steps, key, new)
        return self.result

    @staticmethod
    def _same_shape(key: tuple[str, ...], new: tuple[str, ...]) -> bool:
        return len(key) == len(new) and all(
            (a == ITEM) == (b == ITEM) for a, b in zip(key, new, strict=True)
        )

    def _rename(self, access: Access, steps: tuple[Step, ...], new: tuple[str, ...]) -> None:
        edits = [(s, n) for s, n in zip(steps, new, strict=True) if s.field != n and n != ITEM]
        if any(self.decided.get(s.node, n) != n for s, n in edits):
            self._leave(access, steps[-1].node, "two rewrites disagree on a shared part")
            return
        for step, name in edits:
            if step.node in self.decided:
                continue
            self.decided[step.node] = name
            self.plan.replace(step.node, lambda n, s=step, v=name: _renamed(n, s, v), self.rule)
        self.result.renamed.append(access)

    def _rebuild(
        self,
        access: Access,
        steps: tuple[Step, ...],
        key: tuple[str, ...],
        new: tuple[str, ...],
    ) -> None:
        last = steps[-1].node
        one_chain = all(s.kind in ("attr", "key") for s in steps) and all(
            getattr(b.node, "value", None) is a.node for a, b in zip(steps, steps[1:], strict=False)
        )
        if not one_chain or ITEM in new:
            self._leave(access, last, f"`{'.'.join(key)}` becomes `{'.'.join(new)}`")
            return
        if self.decided.get(last, new) != new:
            self._leave(access, last, "two rewrites disagree on a shared part")
            return
        if last not in self.decided:
            self.decided[last] = new
            depth = len(steps)
            keyed = steps[-1].kind == "key"
            quote = _quote_of(last) if keyed else '"'
            self.plan.replace(
                last, lambda n, d=depth, v=new, k=keyed: _rebuilt(n, d, v, k, quote), self.rule
            )
        self.result.renamed.append(access)

    def _mark_missing(self, access: Access, key: tuple[str, ...], node: cst.CSTNode) -> None:
        shown = ".".join("[]" if k == ITEM else k for k in key)
        reason = f" ({self.reasons[key]})" if key in self.reasons else ""
        self.plan.mark(
            node,
            self.missing_rule,
            f"`{code_of(node)}` reads `{shown}`, which {self.what} does not have{reason}: "
            "rewrite this by hand",
            short=f"{self.what} has no `{shown}`",
        )
        self.result.missing.append(access)

    def _leave(self, access: Access, node: cst.CSTNode, why: str) -> None:
        self.plan.mark(
            node,
            self.missing_rule,
            f"`{code_of(node)}`: {why} on {self.what}; the access spans names or "
            "indices and is left: rewrite it by hand",
            short=f"access on {self.what} left: rewrite by hand",
        )
        self.result.left.append(access)


def _quote_of(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Subscript):
        value = node.slice[0].slice
        if isinstance(value, cst.Index) and isinstance(value.value, cst.SimpleString):
            return value.value.quote
    return '"'


def _key(value: cst.BaseExpression, name: str, quote: str) -> cst.Subscript:
    return cst.Subscript(
        value=value,
        slice=[cst.SubscriptElement(slice=cst.Index(value=cst.SimpleString(quote + name + quote)))],
    )


def _renamed(node: cst.CSTNode, step: Step, name: str) -> cst.CSTNode:
    """One field read under another name, in the style it was read (`.a` or `["a"]`)."""
    if isinstance(node, cst.Attribute):
        return node.with_changes(attr=cst.Name(name))
    if isinstance(node, cst.Subscript):
        element = node.slice[0]
        index = element.slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            string = index.value
            new = string.with_changes(value=f"{string.prefix}{string.quote}{name}{string.quote}")
            return node.with_changes(
                slice=[element.with_changes(slice=index.with_changes(value=new))]
            )
    return node


def _rebuilt(
    node: cst.CSTNode, depth: int, new: tuple[str, ...], keyed: bool, quote: str
) -> cst.CSTNode:
    """`node` (a chain of `depth` field reads) as the same base reading `new`."""
    base: cst.CSTNode = node
    for _ in range(depth):
        if not isinstance(base, (cst.Attribute, cst.Subscript)):
            return node  # another edit changed its shape: leave it
        base = base.value
    assert isinstance(base, cst.BaseExpression)
    out: cst.BaseExpression = base
    for name in new:
        out = _key(out, name, quote) if keyed else cst.Attribute(value=out, attr=cst.Name(name))
    assert isinstance(node, (cst.Attribute, cst.Subscript))
    return out.with_changes(lpar=node.lpar, rpar=node.rpar)
