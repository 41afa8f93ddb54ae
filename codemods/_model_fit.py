"""Which provider model a call gets, given what the call does.

The mapping's plain answer for an OpenAI id (`Mapping.resolve_model`) is blind to the call;
here the call's own syntax says what it needs (capabilities.CallNeeds): image parts in its
messages (written in the call, or in a variable assigned in the same function), `tools=`,
and whether it streams. Calls that share one model literal of this file share the outcome,
so the literal is judged by the needs of all of them.

Both the model fixer (which id to write) and the parameter fixer (which model's
`extra_body` to merge) read the same choice.
"""

from __future__ import annotations

import libcst as cst

from migrator.capabilities import CallNeeds, ModelChoice, choose_model
from migrator.inventory import CallSite
from migrator.mapping import ModelTarget
from migrator.rewrite import Plan
from migrator.walk import walk

# Message content parts that carry an image: chat `image_url`, Responses `input_image`.
_IMAGE_PART_TYPES = frozenset({"image_url", "input_image"})
_NEEDS_FAMILIES = frozenset({"chat", "completions", "responses"})
# List methods that put elements into a messages list built step by step.
_ADDERS = frozenset({"append", "extend", "insert"})
# How many names of a messages expression are followed to their assignments: enough for
# `messages` -> `content` -> `parts`, bounded for huge module-level expressions.
_MAX_NAMES = 16
_CALL_NEEDS = "model_fit.call_needs"  # Plan.analyses key


def call_needs(plan: Plan, call: CallSite) -> CallNeeds:
    """What one call asks of its model, as far as its syntax tells."""
    # Both fixers ask, for every call sharing a literal: each call is read once per
    # file. Kept on the plan, so that it goes with the file's tree (a cache that outlived
    # the plan held the last file's tree alive, a gigabyte for a 3.5 MB module).
    known: dict[cst.Call, CallNeeds] = plan.analyses.setdefault(_CALL_NEEDS, {})
    if call.node not in known:
        known[call.node] = _read_needs(plan, call)
    return known[call.node]


def _read_needs(plan: Plan, call: CallSite) -> CallNeeds:
    if call.family not in _NEEDS_FAMILIES:
        return CallNeeds(streams=None)
    keywords = {arg.keyword.value: arg.value for arg in call.node.args if arg.keyword is not None}
    splat = any(arg.star for arg in call.node.args)
    streams: bool | None
    if call.stream:
        streams = True
    elif "stream" in keywords:
        streams = False if _is_constant(keywords["stream"], ("False", "None")) else None
    else:
        streams = None if splat else False
    tools = any(
        name in keywords and not _is_constant(keywords[name], ("None",))
        for name in ("tools", "functions")
    )
    content = keywords.get("messages") or keywords.get("input")
    images = content is not None and _sends_images(plan, content, _scope_of(plan, call.node))
    return CallNeeds(images=images, streams=streams, tools=tools)


def shared_calls(plan: Plan, call: CallSite) -> list[CallSite]:
    """The calls of this file whose model is the same literal as `call`'s (itself included)."""
    literal = call.model.literal if call.model is not None else None
    if literal is None:
        return [call]
    return [c for c in plan.inventory.calls if c.model is not None and c.model.literal is literal]


def model_choice(plan: Plan, call: CallSite) -> ModelChoice | None:
    """The model the call's id becomes, judged with every call sharing its literal.
    None when the call's model is not a known id."""
    ref = call.model
    if ref is None or not ref.value:
        return None
    needs = CallNeeds.combine(call_needs(plan, c) for c in shared_calls(plan, call))
    return choose_model(plan.mapping, ref.value, needs)


def call_target(plan: Plan, call: CallSite) -> ModelTarget | None:
    """The provider model the call ends up sending (None: the id is left as it is).

    A constant defined in another file is mapped there without this call's needs: the call
    then sends the mapping's plain answer."""
    ref = call.model
    if ref is not None and ref.literal is not None and plan.suppressed("MIG200", ref.literal):
        return None  # `# migrator: ignore[MIG200]`: the id stays, so does what it sends
    choice = model_choice(plan, call)
    if choice is None:
        return None
    if call.model is not None and call.model.literal is None:
        return choice.planned
    return choice.target


def _is_constant(expr: cst.BaseExpression, names: tuple[str, ...]) -> bool:
    return isinstance(expr, cst.Name) and expr.value in names


def _scope_of(plan: Plan, node: cst.CSTNode) -> cst.CSTNode:
    """The function around `node`, else the module."""
    current = plan.parent_of(node)
    while current is not None:
        if isinstance(current, (cst.FunctionDef, cst.Lambda)):
            return current
        current = plan.parent_of(current)
    return plan.module


class _Parts(cst.CSTVisitor):
    """Finds image content parts and the names an expression reads."""

    def __init__(self) -> None:
        self.image = False
        self.names: set[str] = set()

    def visit_Dict(self, node: cst.Dict) -> None:
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                continue
            key = _string(element.key)
            if key in _IMAGE_PART_TYPES or (
                key == "type" and _string(element.value) in _IMAGE_PART_TYPES
            ):
                self.image = True

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)


class _Assignments(cst.CSTVisitor):
    """The values a scope gives one name: `name = ...`, `name += ...`, `name.append(...)`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.values: list[cst.CSTNode] = []

    def _is_name(self, node: cst.CSTNode) -> bool:
        return isinstance(node, cst.Name) and node.value == self.name

    def visit_Assign(self, node: cst.Assign) -> None:
        if any(self._is_name(t.target) for t in node.targets):
            self.values.append(node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None and self._is_name(node.target):
            self.values.append(node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if self._is_name(node.target):
            self.values.append(node.value)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in _ADDERS
            and self._is_name(func.value)
        ):
            self.values.extend(arg.value for arg in node.args)


def _sends_images(plan: Plan, expr: cst.BaseExpression, scope: cst.CSTNode) -> bool:
    """Image parts in `expr`, or in what the scope assigns to the names it reads."""
    pending: list[cst.CSTNode] = [expr]
    seen: set[str] = set()
    while pending:
        parts = _Parts()
        walk(pending.pop(), parts)
        if parts.image:
            return True
        for name in sorted(parts.names - seen):
            if len(seen) >= _MAX_NAMES:
                return False
            seen.add(name)
            found = _Assignments(name)
            walk(scope, found)
            pending.extend(found.values)
    return False


def _string(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None
