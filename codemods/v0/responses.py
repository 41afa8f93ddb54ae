"""v1 responses are objects: dict-style access on them becomes attribute access."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst
from migrator.codemods.v0.calls import Upgraded, upgraded_calls
from migrator.codemods.v0.tables import RULE

from migrator.response_flow import Binding, Step, follow, subscript_key
from migrator.rewrite import Plan
from migrator.source import code_of

Edit = Callable[[cst.CSTNode], cst.CSTNode]


def fix_v0_responses(plan: Plan) -> None:
    """Convert dict-style access on the upgraded calls' responses; one note for the file."""
    calls = upgraded_calls(plan)
    if calls is None:
        return
    upgraded = calls.upgraded
    _convert_responses(plan, [u for u in upgraded if u.returns_object])
    names = sorted({u.client_name for u in upgraded})
    plan.finding(
        RULE,
        f"{len(upgraded)} v0 call(s) now go through the v1 client "
        f"{' / '.join(f'`{n}`' for n in names)}: responses are typed objects, not dicts — "
        "dict-style access was converted where the response variable is visible; review "
        "code that receives responses elsewhere (json.dumps, other functions)",
        node=upgraded[0].site.node,
        severity="info",
        category="code",
    )


# Parents in which `a or b` needs no parentheses.
OR_SAFE_PARENTS = (
    cst.Assign,
    cst.AnnAssign,
    cst.AugAssign,
    cst.Return,
    cst.Arg,
    cst.Element,
    cst.DictElement,
    cst.FormattedStringExpression,
    cst.Expr,
    cst.Index,
    cst.If,
    cst.While,
)


def needs_parentheses(plan: Plan, call: cst.Call) -> bool:
    """Does `a or b` put in place of `call` need parentheses (or keep the call's own)?"""
    return not isinstance(plan.parent_of(call), OR_SAFE_PARENTS) or bool(call.lpar)


def or_default(call: cst.Call, value: cst.BaseExpression, wrap: bool) -> cst.BaseExpression:
    """`value or <default>` in place of `call` (`x.get("k", default)`), in the call's own
    parentheses or new ones when `wrap`: where v0 left a field out, the typed response
    holds None, which `get` or the attribute gives instead of the default."""
    either = cst.BooleanOperation(left=value, operator=cst.Or(), right=call.args[1].value)
    if wrap:
        return either.with_changes(
            lpar=call.lpar or [cst.LeftParen()], rpar=call.rpar or [cst.RightParen()]
        )
    return either


Edit = Callable[[cst.CSTNode], cst.CSTNode]


def _convert_responses(plan: Plan, upgraded: list[Upgraded]) -> None:
    """Dict-style access on v1 response objects becomes attribute access.

    `response_flow` follows each upgraded call's response through names, loops and
    `enumerate`; a name that also holds other values is not followed, so an unrelated
    dict that shares the name is never touched (its first dict-style access is marked)."""
    uses = follow(plan, [u.site.node for u in upgraded])
    converter = _DictAccess(plan)
    for access in uses.accesses:
        converter.convert(access.steps)
    for binding in uses.shared:
        if not binding.via:  # bound from the call itself
            _mark_shared(plan, binding)


def _mark_shared(plan: Plan, binding: Binding) -> None:
    """A response variable that also holds other values: its dict access is left."""
    name = binding.name.value
    for ref in binding.references:
        parent = plan.parent_of(ref)
        keyed = isinstance(parent, cst.Subscript) and isinstance(subscript_key(parent), str)
        getter = isinstance(parent, cst.Attribute) and parent.attr.value == "get"
        if keyed or getter:
            assert isinstance(parent, (cst.Subscript, cst.Attribute))
            plan.mark(
                parent,
                "MIG418",
                f"`{name}` holds a v1 response object here and other values "
                "elsewhere: convert its dict-style access by hand",
                short=f"`{name}` may be a v1 response object: use attribute access",
            )
            return


class _DictAccess:
    """Converts the steps of one access chain: `["key"]` -> `.key`, `.get("key"[, d])` ->
    `.key` / `(.key or d)`, `.to_dict()` -> `.model_dump()`; what cannot be is marked."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.done: set[cst.CSTNode] = set()

    def convert(self, steps: tuple[Step, ...]) -> None:
        for step in steps:
            node = step.node
            if step.kind == "key":
                self._replace(
                    node,
                    lambda n, a=step.field: cst.Attribute(
                        value=n.value, attr=cst.Name(a), lpar=n.lpar, rpar=n.rpar
                    ),
                )
            elif step.kind == "opaque":
                assert isinstance(node, cst.Subscript)
                self._mark(node, f"[{code_of(node.slice[0])}]")
            elif step.kind == "get":
                assert isinstance(node, cst.Call)
                self._get(node, step.field)
            elif step.kind == "method":
                call = self.plan.parent_of(node)
                assert isinstance(node, cst.Attribute) and isinstance(call, cst.Call)
                if step.field in ("to_dict", "to_dict_recursive") and not call.args:
                    self._replace(node, lambda n: n.with_changes(attr=cst.Name("model_dump")))

    def _get(self, call: cst.Call, attr: str | None) -> None:
        if attr is None:
            self._mark(call, ".get(...)")
            return
        args = call.args
        default = args[1].value if len(args) == 2 else None
        if isinstance(default, cst.Name) and default.value == "None":
            default = None
        if default is None:
            self._replace(
                call,
                lambda n, a=attr: cst.Attribute(
                    value=n.func.value, attr=cst.Name(a), lpar=n.lpar, rpar=n.rpar
                ),
            )
            return
        wrap = needs_parentheses(self.plan, call)

        def edit(n: cst.Call, a: str = attr) -> cst.BaseExpression:
            assert isinstance(n.func, cst.Attribute)
            field = cst.Attribute(value=n.func.value, attr=cst.Name(a))
            return or_default(n, field, wrap)

        self._replace(call, edit)
        after = self.plan.parent_of(call)
        if (isinstance(after, cst.Subscript) and after.value is call) or (
            isinstance(after, cst.Attribute) and after.value is call
        ):
            self._mark(call, ".get(key, default) followed by more access")

    def _replace(self, node: cst.CSTNode, edit: Edit) -> None:
        if node in self.done:
            return
        self.done.add(node)
        self.plan.replace(node, edit, RULE)

    def _mark(self, node: cst.CSTNode, what: str) -> None:
        self.plan.mark(
            node,
            "MIG418",
            f"`{code_of(node)}`: v1 responses are objects, not dicts; {what} could not be "
            "converted to attribute access",
            short=f"v1 response is an object: convert {what} by hand",
        )
