"""The attribute defaults of a project module's top-level classes, read with `ast`.

`OpenAI(base_url=settings.base_url)` where `settings = Settings()` and `Settings` lives in
app/config.py can only be retargeted when the worker of the client's file knows what
`Settings.base_url` defaults to. The constants pre-pass (constants.py) reads the modules a
migrated file imports from; this reads their classes in the same pass, and describes each
default in the few forms an endpoint can be classified by (`DefaultValue`): a literal, an
environment read, or unknown. The description is plain data, so it crosses to the workers.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from migrator.ast_env_reads import ast_env_read, import_aliases, qualifier

# String methods that keep the host of the URL they are called on (as endpoint_trace).
_URL_PRESERVING_METHODS = frozenset({"strip", "rstrip", "lstrip", "removesuffix", "lower"})
# Bases whose instances also take their fields from the environment or a .env file.
_ENV_SETTINGS_BASES = frozenset({"BaseSettings"})
_MAX_DEPTH = 8


@dataclass(frozen=True)
class DefaultValue:
    """One value a class attribute can take, as far as its module shows it.

    kind: "url" (a string literal: `value`), "none" (None or ""), "env" (an environment
    read: `value` names the variable; the values of the read's default come right after
    it in the attribute's tuple), "unknown" (anything else: `value` is the name, attribute
    or key it is read from, which may name a provider; "" when there is none).
    `code` is the source text of the value."""

    kind: str
    value: str
    code: str


@dataclass(frozen=True)
class ProjectClass:
    """A class defined at the top level of `path` and the values of its attributes.

    `attributes` pairs each attribute set in the class body (`name: T = v`, `name = v`,
    a dataclass `field(...)` / pydantic `Field(...)` default) or in a method
    (`self.name = v`) with every value those give it; an attribute with no value
    (`name: T`) has an empty tuple. An attribute not listed may come from a base class."""

    path: str
    name: str
    line: int
    attributes: tuple[tuple[str, tuple[DefaultValue, ...]], ...]

    def values_of(self, attribute: str) -> tuple[DefaultValue, ...] | None:
        """The values of `attribute` (empty: declared without one); None when the class
        does not set it."""
        for name, values in self.attributes:
            if name == attribute:
                return values
        return None


def module_classes(
    rel: str, tree: ast.Module, strings: Mapping[str, str], *, setattr_calls: bool = True
) -> dict[str, ProjectClass]:
    """The top-level classes of a parsed module. `strings` are its str constants, which a
    default may name (`base_url: str = DEFAULT_URL`). `setattr_calls=False` says that the
    module cannot call `__setattr__` (its source never spells it): the methods' statements
    are then read without their expressions."""
    reader = _Reader(import_aliases(tree, nested=False), strings, setattr_calls)
    classes: dict[str, ProjectClass] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            classes[node.name] = reader.read_class(rel, node)
    return classes


class _Reader:
    def __init__(
        self, aliases: Mapping[str, str], strings: Mapping[str, str], setattr_calls: bool
    ) -> None:
        # `os.environ.get` (also through `import os as o`, `from os import environ`)
        self._qualified = qualifier(aliases)
        self.strings = strings
        self.setattr_calls = setattr_calls

    def read_class(self, rel: str, node: ast.ClassDef) -> ProjectClass:
        values: dict[str, list[DefaultValue]] = {}
        for name, value in _class_body_values(node):
            found = values.setdefault(name, [])
            if value is not None:
                found += self.describe(value, 0)
        for name, value in _method_assignments(node, self.setattr_calls):
            values.setdefault(name, []).extend(self.describe(value, 0))
        if any(
            self._qualified(base).rsplit(".", 1)[-1] in _ENV_SETTINGS_BASES for base in node.bases
        ):
            # A settings class reads each field from the environment too (under a name its
            # configuration may prefix): the default is only one of the values.
            for name, found in values.items():
                found.append(DefaultValue("unknown", name, f"{node.name}.{name}"))
        attributes = tuple((name, tuple(dict.fromkeys(found))) for name, found in values.items())
        return ProjectClass(rel, node.name, node.lineno, attributes)

    def describe(self, expr: ast.expr, depth: int) -> list[DefaultValue]:
        """Every value `expr` can take, as far as the module shows it."""
        code = ast.unparse(expr)
        if depth > _MAX_DEPTH:
            return [DefaultValue("unknown", "", code)]
        follow = depth + 1
        if isinstance(expr, ast.Constant):
            if expr.value is None or expr.value == "":
                return [DefaultValue("none", "", code)]
            if isinstance(expr.value, str):
                return [DefaultValue("url", expr.value, code)]
            return [DefaultValue("unknown", "", code)]
        if isinstance(expr, ast.BoolOp):  # `os.getenv("X") or DEFAULT`: either value
            return [found for value in expr.values for found in self.describe(value, follow)]
        if isinstance(expr, ast.IfExp):
            return [*self.describe(expr.body, follow), *self.describe(expr.orelse, follow)]
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            return self.describe(expr.left, follow)  # `base + "/v1"`: the host is on the left
        if isinstance(expr, ast.Call):
            return self._call(expr, code, follow)
        if isinstance(expr, ast.Subscript):
            read = ast_env_read(expr, self._qualified)
            if read is not None:
                return [DefaultValue("env", read.var, code)]
            return [DefaultValue("unknown", _string(expr.slice) or "", code)]
        if isinstance(expr, ast.Name):
            if expr.id in self.strings:
                value = self.strings[expr.id]
                return [DefaultValue("url" if value else "none", value, code)]
            return [DefaultValue("unknown", expr.id, code)]
        if isinstance(expr, ast.Attribute):
            return [DefaultValue("unknown", expr.attr, code)]
        return [DefaultValue("unknown", "", code)]

    def _call(self, call: ast.Call, code: str, depth: int) -> list[DefaultValue]:
        # (`os.environ.setdefault` is not counted: nothing here ever did, and a default
        # it sets would only be one more value to follow)
        read = ast_env_read(call, self._qualified, setdefault=False)
        if read is not None:
            found = [DefaultValue("env", read.var, code)]
            if read.default is not None:
                found += self.describe(read.default, depth)
            return found
        func = self._qualified(call.func)
        if func.rsplit(".", 1)[-1] in ("field", "Field"):
            default = _field_default(call, func.endswith("Field"))
            if default is not None:
                return self.describe(default, depth)
            return [DefaultValue("unknown", "", code)]
        if func == "str" and len(call.args) == 1:
            return self.describe(call.args[0], depth)
        if isinstance(call.func, ast.Attribute) and call.func.attr in _URL_PRESERVING_METHODS:
            return self.describe(call.func.value, depth)
        return [DefaultValue("unknown", "", code)]


def _class_body_values(node: ast.ClassDef) -> Iterator[tuple[str, ast.expr | None]]:
    """`name: T = v`, `name = v` (also `a = b = v`) and `name: T` (None) in the class body."""
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            yield stmt.target.id, stmt.value
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    yield target.id, stmt.value


def _method_assignments(
    node: ast.ClassDef, setattr_calls: bool = True
) -> Iterator[tuple[str, ast.expr]]:
    """`self.name = v` in the class's methods: such a value replaces the default. Without
    `setattr_calls` (no `object.__setattr__(self, ...)` to find, which may sit in any
    expression) only statements are walked: an assignment is always one, and they come in
    `ast.walk`'s order (a statement's parents are statements, handlers and match cases:
    it is as deep in both walks). Expressions are most of a method's nodes."""
    for stmt in node.body:
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for inner in ast.walk(stmt) if setattr_calls else _statements(stmt):
            if isinstance(inner, (ast.Assign, ast.AnnAssign)):
                targets = inner.targets if isinstance(inner, ast.Assign) else [inner.target]
                for target in targets:
                    if (
                        isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id == "self"
                        and inner.value is not None
                    ):
                        yield target.attr, inner.value
            elif isinstance(inner, ast.Call) and _is_setattr_on_self(inner):
                yield _string(inner.args[1]) or "", inner.args[2]


# What holds statements: a statement, an `except` clause, a `case` of a match.
_STATEMENT_LEVEL: tuple[type[ast.AST], ...] = (
    ast.stmt,
    ast.excepthandler,
    *((ast.match_case,) if hasattr(ast, "match_case") else ()),
)


def _statements(root: ast.stmt) -> Iterator[ast.AST]:
    """`ast.walk(root)` less every node that is not statement-level: breadth first, each
    node's lists of statements (body, handlers, orelse, finalbody, cases) in field order."""
    pending = deque([root])
    while pending:
        node = pending.popleft()
        yield node
        for field in node._fields:
            value = getattr(node, field, None)
            if type(value) is list and value and isinstance(value[0], _STATEMENT_LEVEL):
                pending.extend(value)


def _is_setattr_on_self(call: ast.Call) -> bool:
    """`object.__setattr__(self, "name", v)`: how frozen dataclasses set a field."""
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "__setattr__"
        and len(call.args) == 3
        and isinstance(call.args[0], ast.Name)
        and call.args[0].id == "self"
        and _string(call.args[1]) is not None
    )


def _field_default(call: ast.Call, pydantic: bool) -> ast.expr | None:
    """The default of `field(default=...)`, `field(default_factory=lambda: ...)`,
    `Field(default)` / `Field(default=...)` (`...` means required: no default)."""
    for keyword in call.keywords:
        if keyword.arg == "default":
            return _not_required(keyword.value)
        if keyword.arg == "default_factory" and isinstance(keyword.value, ast.Lambda):
            return keyword.value.body
    if pydantic and call.args:
        return _not_required(call.args[0])
    return None


def _not_required(expr: ast.expr) -> ast.expr | None:
    return None if isinstance(expr, ast.Constant) and expr.value is Ellipsis else expr


def _string(expr: ast.expr) -> str | None:
    return expr.value if isinstance(expr, ast.Constant) and isinstance(expr.value, str) else None
