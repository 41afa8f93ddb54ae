"""A user's own api_key expression: can it be None, and does it read the key variable?

The SDK reads OPENAI_API_KEY whenever a client gets api_key=None, so a kept key that can
be None would quietly send the OpenAI key to the provider; the fixers then make the
fallback explicit (`key or os.environ["<PROVIDER_KEY>"]`). Only the plain forms count:
what else a name or attribute holds is unknown (MIG101 asks a person to check it).
"""

from __future__ import annotations

import libcst as cst
from migrator.codemods._scope import visible

from migrator.env_reads import Resolve, env_read, syntactic
from migrator.rewrite import Plan
from migrator.source import code_of
from migrator.walk import walk


def ends_with_key_read(
    value: cst.BaseExpression, key_env: str, resolve: Resolve = syntactic
) -> bool:
    """`key or os.getenv("OPENAI_API_KEY")`: a kept key whose last resort is the key
    variable itself."""
    return (
        isinstance(value, cst.BooleanOperation)
        and isinstance(value.operator, cst.Or)
        and reads_key_var(value.right, key_env, resolve)
    )


def or_else(value: cst.BaseExpression, fallback: cst.BaseExpression) -> cst.BooleanOperation:
    chained = isinstance(value, cst.BooleanOperation) and isinstance(value.operator, cst.Or)
    simple = isinstance(value, (cst.Name, cst.Attribute, cst.Call, cst.Subscript))
    if not (simple or chained or value.lpar):
        value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.BooleanOperation(left=value, operator=cst.Or(), right=fallback)


def reads_key_var(value: cst.BaseExpression, key_env: str, resolve: Resolve = syntactic) -> bool:
    """`os.getenv("OPENAI_API_KEY")` / `os.environ["<PROVIDER_KEY>"]`: a read, without a
    default, of the key variable itself (which the env-var fixer renames to the
    provider's). Any one-argument call naming the variable counts as well
    (`secrets.get("OPENAI_API_KEY")`): it yields that key just the same. `resolve` tells
    the os module's names apart (see `env_reads`)."""
    if isinstance(value, cst.Call):
        if len(value.args) != 1:
            return False
        name = value.args[0].value
        return isinstance(name, cst.SimpleString) and name.evaluated_value in (
            "OPENAI_API_KEY",
            key_env,
        )
    read = env_read(value, resolve)
    return read is not None and read.strict and read.var in ("OPENAI_API_KEY", key_env)


def is_none(value: cst.BaseExpression) -> bool:
    return isinstance(value, cst.Name) and value.value == "None"


_MAX_FOLLOW = 3


def may_be_none(plan: Plan, value: cst.BaseExpression, depth: int = 0) -> bool:
    """Can this key expression be None? Only the forms that plainly can: `None`, a
    `.get(key)` / `getenv(name)` without a default, a conditional with such a branch, and
    a name bound to one of these or a parameter defaulting to None, unless read past an
    `if not name: raise` (what else a name or attribute holds is unknown: MIG101 asks a
    person to check it)."""
    if depth > _MAX_FOLLOW:
        return False
    if is_none(value):
        return True
    if isinstance(value, cst.Call):
        func = value.func
        method = func.attr.value if isinstance(func, cst.Attribute) else code_of(func)
        plain = [a for a in value.args if a.keyword is None and not a.star]
        named = {a.keyword.value for a in value.args if a.keyword is not None}
        return (
            method in ("get", "getenv")
            and len(plain) == 1
            and len(value.args) == 1
            and not named & {"default"}
        )
    if isinstance(value, cst.IfExp):
        return may_be_none(plan, value.body, depth + 1) or may_be_none(
            plan, value.orelse, depth + 1
        )
    if isinstance(value, cst.BooleanOperation) and isinstance(value.operator, cst.Or):
        return may_be_none(plan, value.right, depth + 1)
    if _is_self_attribute(value):
        assert isinstance(value, cst.Attribute)
        return any(
            may_be_none(plan, assigned, depth + 1) for assigned in _self_assignments(plan, value)
        )
    if isinstance(value, cst.Name):
        if _checked_before(plan, value):
            return False
        for binding in visible(plan, value.value, value):
            if isinstance(binding, cst.Param):
                if binding.default is not None and is_none(binding.default):
                    return True
                continue
            assigned = _assigned_value(plan, binding)
            if assigned is not None and may_be_none(plan, assigned, depth + 1):
                return True
    return False


def _is_self_attribute(value: cst.BaseExpression) -> bool:
    return (
        isinstance(value, cst.Attribute)
        and isinstance(value.value, cst.Name)
        and value.value.value == "self"
    )


class _SelfAssignments(cst.CSTVisitor):
    """The values a class's methods assign to `self.<name>`, and its own `<name> = ...`."""

    def __init__(self, name: str, cls: cst.ClassDef) -> None:
        self.name, self.cls = name, cls
        self.values: list[cst.BaseExpression] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return node is self.cls  # a nested class's `self` is another object

    def visit_Assign(self, node: cst.Assign) -> None:
        if any(self._names(t.target) for t in node.targets):
            self.values.append(node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None and self._names(node.target):
            self.values.append(node.value)

    def _names(self, target: cst.BaseExpression) -> bool:
        if isinstance(target, cst.Name):  # a class attribute: the instance's default
            return target.value == self.name
        return _is_self_attribute(target) and target.attr.value == self.name  # type: ignore[attr-defined]


def _self_assignments(plan: Plan, value: cst.Attribute) -> list[cst.BaseExpression]:
    """What `self.<attr>` read in a method may hold: every value the class assigns to it
    (`self.api_key = api_key` in `__init__`, where `api_key=None` is a parameter's
    default, or a class attribute `api_key = None`)."""
    current: cst.CSTNode | None = plan.parent_of(value)
    while current is not None and not isinstance(current, cst.ClassDef):
        current = plan.parent_of(current)
    if current is None:
        return []
    finder = _SelfAssignments(value.attr.value, current)
    walk(current, finder)
    return finder.values


def _assigned_value(plan: Plan, target: cst.CSTNode) -> cst.BaseExpression | None:
    """The value a plain `name = value` / `name: T = value` binds."""
    parent = plan.parent_of(target)
    if isinstance(parent, cst.AssignTarget):
        assign = plan.parent_of(parent)
        return assign.value if isinstance(assign, cst.Assign) else None
    if isinstance(parent, cst.AnnAssign) and parent.target is target:
        return parent.value
    return None


_LEAVES = (cst.Raise, cst.Return, cst.Continue, cst.Break)


def _checked_before(plan: Plan, name: cst.Name) -> bool:
    """Is `name` read after `if not name: raise ...` (or `return`, `continue`, `break`)
    in the same block or an enclosing one of its function, with no statement between
    that uses the name? Past such a check it is truthy, so never None."""
    current: cst.CSTNode | None = name
    while current is not None:
        parent = plan.parent_of(current)
        if isinstance(parent, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return False
        body = getattr(parent, "body", None)
        if isinstance(body, (list, tuple)):
            before = next((body[:i] for i, s in enumerate(body) if s is current), ())
            for statement in reversed(before):
                if _leaves_unless(statement, name.value):
                    return True
                if _mentions(statement, name.value):
                    return False
        current = parent
    return False


def _leaves_unless(statement: cst.CSTNode, name: str) -> bool:
    """`if not name: ... raise` (no else): what follows runs only when `name` is truthy."""
    if not isinstance(statement, cst.If) or statement.orelse is not None:
        return False
    test = statement.test
    if not (
        isinstance(test, cst.UnaryOperation)
        and isinstance(test.operator, cst.Not)
        and isinstance(test.expression, cst.Name)
        and test.expression.value == name
    ):
        return False
    body = statement.body.body  # an indented block, or `if not key: raise ...` on one line
    last = body[-1] if body else None
    if isinstance(last, cst.SimpleStatementLine):
        last = last.body[-1] if last.body else None
    return isinstance(last, _LEAVES)


def _mentions(statement: cst.CSTNode, name: str) -> bool:
    """Does `statement` use `name` at all? Any use might rebind it (a conservative
    answer: the check must be the last word on the name before the read)."""
    found = False

    class Uses(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            nonlocal found
            found = found or node.value == name

    walk(statement, Uses())
    return found
