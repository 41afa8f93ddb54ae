"""Rename the response fields the SDK spells differently, where the response stays in view.

DashScope's client answers `usage.input_tokens` where openai has `usage.prompt_tokens`,
`request_id` for `id`, and an embedding response's vectors are `.embeddings`, not `.data`
(`native.responses` in the mapping). In the function that makes a native call, reads of
those paths on its result (`resp.usage.prompt_tokens`, `client.embeddings.create(...).data`)
are renamed; a path with no equivalent is marked.

Where the response leaves the function (returned, passed to another call, stored on an
object or in a container) its readers are out of sight: the call is reported with where
the response goes, never silently.

Rules:
  MIG150 response field renamed for the SDK (edit)
  MIG151 response field with no equivalent in the SDK: left, marked
  MIG152 an SDK response leaves the function: its readers must use the SDK's field names
"""

from __future__ import annotations

import libcst as cst
from migrator.codemods.native._common import native_of, on_fallback
from migrator.codemods.policy.endpoints import call_retargeted

from migrator.inventory import CallSite
from migrator.mapping_native import ResponseRename
from migrator.rewrite import Plan
from migrator.source import code_of

_FAMILIES = ("chat", "embeddings")


def fix_native_responses(plan: Plan) -> None:
    native = native_of(plan)
    if not native.responses:
        return
    for call in plan.inventory.calls:
        if call.family not in _FAMILIES or call.stream or on_fallback(plan, call):
            continue
        if not call_retargeted(plan, call):
            continue
        renames = native.renames(call.family)
        if renames:
            _fix_call(plan, call, renames, native.package)


def _outer(plan: Plan, node: cst.CSTNode) -> cst.CSTNode:
    """`node` without the `await` around it."""
    parent = plan.parent_of(node)
    return parent if isinstance(parent, cst.Await) else node


def _fix_call(plan: Plan, call: CallSite, renames: dict[str, ResponseRename], package: str) -> None:
    value = _outer(plan, call.node)
    _rename_reads(plan, value, renames, package)
    parent = plan.parent_of(value)
    escapes: list[str] = []
    if isinstance(parent, (cst.Assign, cst.AnnAssign)) and parent.value is value:
        targets = parent.targets if isinstance(parent, cst.Assign) else [parent]
        names = [t.target for t in targets if isinstance(t.target, cst.Name)]
        others = [t.target for t in targets if not isinstance(t.target, cst.Name)]
        escapes += [f"stored in `{code_of(t)}`" for t in others]
        for name in names:
            escapes += _follow_name(plan, call, name.value, renames, package)
    elif isinstance(parent, cst.Return):
        escapes.append("returned")
    elif isinstance(parent, cst.Arg):
        escapes.append("passed to a call")
    if escapes:
        fields = ", ".join(
            f"{r.path} -> {r.to}" if r.to else f"{r.path} (none)" for r in renames.values()
        )
        plan.finding(
            "MIG152",
            f"{call.api} returns a {package} object, {'; '.join(dict.fromkeys(escapes))}: "
            f"code reading it elsewhere must use {package}'s fields ({fields})",
            node=call.node,
        )


def _follow_name(
    plan: Plan, call: CallSite, name: str, renames: dict[str, ResponseRename], package: str
) -> list[str]:
    """Rename reads of `name` in the function that holds the call; say where it goes."""
    scope = _function_of(plan, call.node)
    finder = _Uses(name)
    scope.visit(finder)
    escapes: list[str] = []
    for use in finder.found:
        if plan.line_of(use) < plan.line_of(call.node):
            continue  # an earlier binding of the same name
        parent = plan.parent_of(use)
        if isinstance(parent, cst.Attribute) and parent.value is use:
            _rename_reads(plan, use, renames, package)
        elif isinstance(parent, cst.Return):
            escapes.append(f"returned at line {plan.line_of(use)}")
        elif isinstance(parent, cst.Arg):
            escapes.append(f"passed on at line {plan.line_of(use)}")
        elif isinstance(parent, (cst.Assign, cst.Element, cst.DictElement, cst.Yield)):
            escapes.append(f"stored at line {plan.line_of(use)}")
    return escapes


def _function_of(plan: Plan, node: cst.CSTNode) -> cst.CSTNode:
    current: cst.CSTNode | None = node
    while current is not None and not isinstance(current, cst.FunctionDef):
        current = plan.parent_of(current)
    return current if current is not None else plan.module


def _rename_reads(
    plan: Plan, value: cst.CSTNode, renames: dict[str, ResponseRename], package: str
) -> None:
    """`value.<path>` read through attribute access: rename the longest path the mapping
    knows (`usage.prompt_tokens` before `usage`)."""
    chain: list[cst.Attribute] = []
    current = value
    while isinstance(parent := plan.parent_of(current), cst.Attribute) and parent.value is current:
        chain.append(parent)
        current = parent
    names = [a.attr.value for a in chain]
    for length in range(len(names), 0, -1):
        rename = renames.get(".".join(names[:length]))
        if rename is None:
            continue
        if rename.to is None:
            plan.mark(
                chain[length - 1],
                "MIG151",
                f"{rename.path} has no {package} equivalent: {rename.reason}",
                short=f"{rename.path}: no {package} equivalent",
            )
            return
        for attr, new in zip(chain[:length], rename.to.split("."), strict=True):
            if attr.attr.value != new:
                plan.replace(attr.attr, lambda _n, new=new: cst.Name(new), "MIG150")
        plan.finding(
            "MIG150", f"{rename.path} read as {rename.to} ({package}'s name)", node=chain[0]
        )
        return


class _Uses(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.found: list[cst.Name] = []

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.found.append(node)
