"""Facts about SDK call sites that the checklist needs and only a syntax tree can tell:
whether the response leaves its function (a later native rewrite must follow it) and
the literal `n=` asked for (where a response goes is `response_flow`'s to tell).
Computed by the rewrite worker while the tree is parsed, so the checklist never parses
a file again; the checklist reads them as `model.CallFacts`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from migrator.model import CallFacts
from migrator.response_flow import follow, returned_or_yielded

if TYPE_CHECKING:
    from migrator.rewrite import Plan

CONTENT_FAMILIES = frozenset({"chat", "completions", "embeddings", "responses"})


def call_facts(plan: Plan) -> dict[tuple[int, int], CallFacts]:
    """(line, column) of each content call -> its facts."""
    out: dict[tuple[int, int], CallFacts] = {}
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
        escape = returned_or_yielded(follow(plan, call.node), call.node, plan.inventory)
        out[(call.usage.line, call.usage.column)] = CallFacts(escape, n)
    return out
