"""Embedding responses, as LiteLLM gives them.

`litellm.embedding` returns an `EmbeddingResponse` whose `data` items are plain dicts on
its HTTP path (litellm==1.110.2: litellm/types/utils.py, EmbeddingResponse.data is an
untyped `list` filled with the JSON body's items), where openai's are objects: `item.embedding`
raises AttributeError. Chat responses and stream chunks keep openai's attribute access
(ModelResponse / ModelResponseStream), so only this differs.

The response of each moved embeddings call is followed (response_flow.py); every read of a
field on an item of `data` (`resp.data[0].embedding`, `for d in resp.data: d.index`)
becomes a key read (`["embedding"]`, MIG187). Where the items or the response go where
that cannot be followed (passed to `sorted`, returned), the call is marked (MIG188).

Stream chunks (ModelResponseStream) have no `usage` attribute until the chunk that carries
it, where openai's chunks hold None: `chunk.usage` becomes `getattr(chunk, "usage", None)`
(MIG189).

Rules:
  MIG189 stream chunk usage read with getattr (edit)
  MIG187 embedding item field read as a dict key (edit)
  MIG188 embedding items go where migrator cannot follow them
"""

from __future__ import annotations

import libcst as cst
from migrator.codemods.litellm._common import moved_calls

from migrator.response_flow import ITEM, follow
from migrator.rewrite import Plan
from migrator.walk import walk

_DATA_ITEM = ("data", ITEM)


def fix_litellm_responses(plan: Plan) -> None:
    moved = moved_calls(plan)
    for call in plan.inventory.calls:
        if call.node in moved and call.family == "chat" and call.stream:
            _chunk_usage(plan, call.node)
        if call.family != "embeddings" or call.node not in moved:
            continue
        uses = follow(plan, call.node)
        done: set[cst.CSTNode] = set()
        for access in uses.accesses:
            position = 0
            for step in access.all_steps:
                if position == len(_DATA_ITEM):
                    if step.kind == "attr" and step.node not in done:
                        done.add(step.node)
                        _as_key(plan, step.node, step.field or "")
                    break
                if step.element != _DATA_ITEM[position]:
                    break
                position += 1
        left = [
            e for e in uses.escapes
            if e.path in ((), ("data",), _DATA_ITEM)
        ]  # fmt: skip
        if left and call.style == "v1":  # (v0 code was written for dict items)
            where = "; ".join(dict.fromkeys(e.where for e in left))
            plan.mark(
                call.node,
                "MIG188",
                f"litellm.{moved[call.node]} returns data items as dicts: the response or its "
                f"items go on ({where}), where `.embedding` / `.index` on an item fails with "
                'AttributeError: read them as item["embedding"]',
                'LiteLLM\'s embedding items are dicts: read item["embedding"] where they go',
            )


def _chunk_usage(plan: Plan, call: cst.Call) -> None:
    """`chunk.usage` on a LiteLLM stream chunk -> `getattr(chunk, "usage", None)`: a
    ModelResponseStream has the attribute only on the chunk that carries the usage
    (litellm==1.110.2: litellm/types/utils.py ModelResponseStream.__init__ sets it only
    when given), where openai's chunks hold None."""
    done: set[cst.CSTNode] = set()
    for access in follow(plan, call).accesses:
        steps = access.all_steps
        if len(steps) < 2 or steps[0].element != ITEM:
            continue
        step = steps[1]
        if step.kind != "attr" or step.field != "usage" or step.node in done:
            continue
        if step not in access.steps:
            continue  # read through a name bound to `chunk.usage`: rewritten at that binding
        done.add(step.node)
        if _guarded(plan, step.node):
            continue  # under `if chunk.usage ...:`, rewritten there: the attribute exists
        if plan.replace(step.node, _getattr_usage, "MIG189"):
            plan.finding(
                "MIG189",
                "stream chunk usage read with getattr(..., None): LiteLLM's chunks have no "
                "usage attribute until the one that carries it",
                node=step.node,
            )


def _guarded(plan: Plan, usage: cst.CSTNode) -> bool:
    """Is this `<chunk>.usage` read in the body of an `if` (or a conditional expression)
    whose test reads `<chunk>.usage` of the same name? That test (rewritten with getattr)
    passes only on the chunk that has the attribute, so plain reads under it are safe."""
    if not isinstance(usage, cst.Attribute):
        return False
    base = usage.value
    child: cst.CSTNode = usage
    parent = plan.parent_of(usage)
    while parent is not None:
        guard = None
        if isinstance(parent, cst.If) and child is parent.body:
            guard = parent.test
        elif isinstance(parent, cst.IfExp) and child is parent.body:
            guard = parent.test
        elif isinstance(parent, cst.BooleanOperation) and child is parent.right:
            if isinstance(parent.operator, cst.And):
                guard = parent.left
        if guard is not None and _reads_usage_of(guard, base):
            return True
        if isinstance(parent, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            return False
        child, parent = parent, plan.parent_of(parent)
    return False


def _reads_usage_of(test: cst.CSTNode, base: cst.BaseExpression) -> bool:
    """`test` reads `base.usage` (compared with None, or as a truth value)."""
    found = False

    class Finder(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> bool:
            nonlocal found
            if node.attr.value == "usage" and node.value.deep_equals(base):
                found = True
            return True

    walk(test, Finder())
    return found


def _getattr_usage(updated: cst.CSTNode) -> cst.CSTNode:
    if not isinstance(updated, cst.Attribute):
        return updated
    return cst.Call(
        func=cst.Name("getattr"),
        args=[
            cst.Arg(updated.value),
            cst.Arg(cst.SimpleString('"usage"')),
            cst.Arg(cst.Name("None")),
        ],
        lpar=updated.lpar,
        rpar=updated.rpar,
    )


def _as_key(plan: Plan, node: cst.CSTNode, name: str) -> None:
    """`x.name` -> `x["name"]` (the attribute read on a dict item)."""
    if not isinstance(node, cst.Attribute) or not name:
        return

    quote = _quote_for(plan, node)

    def edit(updated: cst.CSTNode) -> cst.CSTNode:
        if not isinstance(updated, cst.Attribute):
            return updated
        key = cst.SubscriptElement(cst.Index(cst.SimpleString(f"{quote}{name}{quote}")))
        # The parentheses around the read are the Attribute's own: they must stay, or a
        # read spread over lines inside them is no longer one expression.
        return cst.Subscript(value=updated.value, slice=[key], lpar=updated.lpar,
                             rpar=updated.rpar)  # fmt: skip

    if plan.replace(node, edit, "MIG187"):
        plan.finding(
            "MIG187",
            f'.{name} read as ["{name}"]: LiteLLM\'s embedding items are dicts',
            node=node,
        )


def _quote_for(plan: Plan, node: cst.CSTNode) -> str:
    """The quote a key may use at `node`: inside an f-string, the one its delimiters do not
    use (before Python 3.12 an f-string's expression cannot reuse its quote)."""
    current: cst.CSTNode | None = plan.parent_of(node)
    while current is not None:
        if isinstance(current, cst.FormattedString):
            return "'" if '"' in current.start else '"'
        current = plan.parent_of(current)
    return '"'
