"""Facts about SDK call sites that the checklist needs and only a syntax tree can tell:
whether the response leaves its function (a later native rewrite must follow it) and
the literal `n=` asked for. Computed by the rewrite worker while the tree is parsed, so
the checklist never parses a file again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import libcst as cst

if TYPE_CHECKING:
    from migrator.rewrite import Plan

CONTENT_FAMILIES = frozenset({"chat", "completions", "embeddings", "responses"})


@dataclass(frozen=True)
class CallFacts:
    escape: str | None = None  # "returned by `f()`" and the like
    n: int | None = None  # a literal n=...


def call_facts(plan: Plan) -> dict[tuple[int, int], CallFacts]:
    """(line, column) of each content call -> its facts."""
    out: dict[tuple[int, int], CallFacts] = {}
    parents = _Parents(plan)
    for call in plan.inventory.calls:
        if call.family not in CONTENT_FAMILIES:
            continue
        n = next(
            (
                int(arg.value.evaluated_value)
                for arg in call.node.args
                if arg.keyword is not None
                and arg.keyword.value == "n"
                and isinstance(arg.value, cst.Integer)
            ),
            None,
        )
        out[(call.usage.line, call.usage.column)] = CallFacts(_escape(call.node, parents), n)
    return out


class _Parents:
    """The plan's (lazily resolved) parent map, as the `.get` the helpers below use."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    def get(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.plan.parent_of(node)


def _escape(call: cst.Call, parents: Any) -> str | None:
    """How a call's response leaves its function, if it plainly does."""
    node: cst.CSTNode = call
    parent = parents.get(node)
    while isinstance(parent, cst.Await):
        node, parent = parent, parents.get(parent)
    function = _enclosing_function(node, parents)
    if function is None:
        return None
    label = f"`{function.name.value}()`"
    if isinstance(parent, cst.Return):
        return f"returned by {label}"
    if isinstance(parent, cst.Yield):
        return f"yielded by {label}"
    target: cst.BaseExpression | None = None
    if isinstance(parent, cst.Assign) and len(parent.targets) == 1:
        target = parent.targets[0].target
    elif isinstance(parent, cst.AnnAssign):
        target = parent.target
    if not isinstance(target, cst.Name):
        return None
    name = target.value
    finder = _ReturnsName(name)
    function.body.visit(finder)
    if finder.found:
        return f"{finder.found} by {label} (as `{name}`)"
    return None


def _enclosing_function(node: cst.CSTNode, parents: Any) -> cst.FunctionDef | None:
    current = parents.get(node)
    while current is not None:
        if isinstance(current, cst.FunctionDef):
            return current
        if isinstance(current, (cst.ClassDef, cst.Lambda)):
            return None
        current = parents.get(current)
    return None


class _ReturnsName(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        self.name = name
        self.found: str | None = None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # a nested function's returns are its own

    def visit_Return(self, node: cst.Return) -> None:
        if isinstance(node.value, cst.Name) and node.value.value == self.name:
            self.found = self.found or "returned"

    def visit_Yield(self, node: cst.Yield) -> None:
        if isinstance(node.value, cst.Name) and node.value.value == self.name:
            self.found = self.found or "yielded"
