"""Where a base URL expression can point, as far as the file shows it.

A client's `base_url=` (or `openai.api_base = ...`) is often not a literal: a parameter,
`self.base_url`, `x or DEFAULT`, a module constant, `os.getenv("VAR", default)`, a config
read. The codemods may only retarget a client shown to talk to OpenAI, so the inventory
follows the value to every place it can come from and records each as an
`EndpointSource`. Deciding what a source means (OpenAI, a provider, a local server) is
the codemods' job: it depends on the run's mapping.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import libcst as cst

from migrator.class_defaults import DefaultValue
from migrator.source import code_of

# String methods that keep the host of the URL they are called on.
_URL_PRESERVING_METHODS = frozenset({"strip", "rstrip", "lstrip", "removesuffix", "lower"})
_MAX_DEPTH = 8


@dataclass(frozen=True)
class EndpointSource:
    """One value a base URL expression can take.

    kind: "none" (no URL: the SDK's default, OpenAI), "url" (a literal: `value` is the
    URL), "env" (an environment variable: `value` is its name), "config" (a value read
    from configuration, a parameter or an attribute: `value` is the key, attribute or
    parameter name, which may name a provider; "" when there is none)."""

    kind: str
    value: str
    code: str


class ValueSource(Protocol):
    """What the inventory knows about the values bound in a module."""

    def name_values(self, node: cst.Name) -> list[cst.BaseExpression | None] | None:
        """Values bound to the name (None for a binding with no known value, such as a
        parameter without default); None when the name is not bound in this module."""

    def attribute_values(self, node: cst.Attribute) -> list[cst.BaseExpression] | None:
        """Values bound to `self.x` / `cls.x` / `Holder.x` in this module."""

    def instance_attribute(
        self, node: cst.Attribute
    ) -> list[cst.BaseExpression | DefaultValue | None] | None:
        """`settings.base_url` where `settings` is shown to be an instance of classes the
        run knows (`Settings()`, `settings or Settings()`, a parameter annotated
        `Settings | None`): every value the attribute can take, as an expression of this
        module (a class default, a constructor keyword), a default another file's class
        gives, or None when one is not shown. None when `settings` is not shown to be
        such an instance."""

    def env_read(self, node: cst.BaseExpression) -> tuple[str, cst.BaseExpression | None] | None:
        """`os.getenv("X", d)` / `os.environ.get("X", d)` / `os.environ["X"]` -> ("X", d)."""

    def dict_value(self, node: cst.BaseExpression) -> cst.BaseExpression | None:
        """The value of `D["k"]` / `D.get("k")` for a dict literal bound in this module."""

    def imported_string(self, node: cst.Name | cst.Attribute) -> str | None:
        """The value of a string constant another file of the run defines."""


def trace_endpoint(
    expr: cst.BaseExpression | None, values: ValueSource
) -> tuple[EndpointSource, ...]:
    """Every source `expr` can take its value from (never empty)."""
    if expr is None:
        return (EndpointSource("none", "", ""),)
    found = _Tracer(values).trace(expr, 0, frozenset())
    if not found:  # only cycles (`url = url or url`): nothing is shown
        found = [EndpointSource("config", "", code_of(expr))]
    return tuple(dict.fromkeys(found))  # de-duplicated, in order


class _Tracer:
    def __init__(self, values: ValueSource) -> None:
        self.values = values

    def trace(
        self, expr: cst.BaseExpression, depth: int, seen: frozenset[cst.CSTNode]
    ) -> list[EndpointSource]:
        code = code_of(expr)
        if expr in seen:
            return []  # a value that refers back to itself adds no new source
        if depth > _MAX_DEPTH:
            return [EndpointSource("config", "", code)]
        seen = seen | {expr}
        follow = depth + 1
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
            value = expr.evaluated_value
            if isinstance(value, str):
                return [EndpointSource("url" if value else "none", value, code)]
            return [EndpointSource("config", "", code)]
        if isinstance(expr, cst.FormattedString):
            return [_formatted(expr, code)]
        if isinstance(expr, cst.Name) and expr.value == "None":
            return [EndpointSource("none", "", code)]
        if isinstance(expr, cst.BooleanOperation):
            # `x or DEFAULT` (and the rarer `flag and URL`): either side can be the value
            return [*self.trace(expr.left, follow, seen), *self.trace(expr.right, follow, seen)]
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
            # `base + "/v1"`, `url.rstrip("/") + "/"`: the host is in the left part
            return self.trace(expr.left, follow, seen)
        if isinstance(expr, cst.IfExp):
            return [*self.trace(expr.body, follow, seen), *self.trace(expr.orelse, follow, seen)]
        env = self.values.env_read(expr)
        if env is not None:
            var, default = env
            found = [EndpointSource("env", var, code)]
            if default is not None:
                found += self.trace(default, follow, seen)
            return found
        entry = self.values.dict_value(expr)
        if entry is not None:
            return self.trace(entry, follow, seen)
        if isinstance(expr, cst.Call):
            return self._call(expr, code, follow, seen)
        if isinstance(expr, cst.Subscript):
            return [EndpointSource("config", _subscript_key(expr), code)]
        if isinstance(expr, cst.Name):
            return self._name(expr, code, follow, seen)
        if isinstance(expr, cst.Attribute):
            return self._attribute(expr, code, follow, seen)
        return [EndpointSource("config", "", code)]

    def _call(
        self, call: cst.Call, code: str, depth: int, seen: frozenset[cst.CSTNode]
    ) -> list[EndpointSource]:
        func = call.func
        if isinstance(func, cst.Attribute):
            if func.attr.value in _URL_PRESERVING_METHODS:
                return self.trace(func.value, depth, seen)  # `(url or "").rstrip("/")`
            if func.attr.value == "get" and call.args:
                # `cfg.get("moonshot_base_url", default)`: the key names what is configured
                key = call.args[0].value
                name = key.evaluated_value if isinstance(key, cst.SimpleString) else ""
                found = [EndpointSource("config", str(name or ""), code)]
                if len(call.args) > 1:
                    found += self.trace(call.args[1].value, depth, seen)
                return found
        if isinstance(func, cst.Name) and func.value == "str" and len(call.args) == 1:
            return self.trace(call.args[0].value, depth, seen)
        default = _field_default(call)
        if default is not None:  # `base_url: str = field(default_factory=lambda: ...)`
            return self.trace(default, depth, seen)
        return [EndpointSource("config", "", code)]

    def _name(
        self, node: cst.Name, code: str, depth: int, seen: frozenset[cst.CSTNode]
    ) -> list[EndpointSource]:
        bound = self.values.name_values(node)
        if bound is None:
            imported = self.values.imported_string(node)
            if imported is not None:
                return [EndpointSource("url" if imported else "none", imported, code)]
            return [EndpointSource("config", node.value, code)]
        found: list[EndpointSource] = []
        for value in bound:
            if value is None:  # a parameter without default, a loop variable, ...
                found.append(EndpointSource("config", node.value, code))
            else:
                found += self.trace(value, depth, seen)
        return found

    def _attribute(
        self, node: cst.Attribute, code: str, depth: int, seen: frozenset[cst.CSTNode]
    ) -> list[EndpointSource]:
        imported = self.values.imported_string(node)
        if imported is not None:
            return [EndpointSource("url" if imported else "none", imported, code)]
        bound = self.values.attribute_values(node)
        if not bound:
            instance = self.values.instance_attribute(node)
            if instance is not None:
                return self._instance(node, instance, code, depth, seen)
            # `settings.DEEPSEEK_API_BASE`: the attribute names what it holds
            return [EndpointSource("config", node.attr.value, code)]
        found: list[EndpointSource] = []
        for value in bound:
            found += self.trace(value, depth, seen)
        return found

    def _instance(
        self,
        node: cst.Attribute,
        values: list[cst.BaseExpression | DefaultValue | None],
        code: str,
        depth: int,
        seen: frozenset[cst.CSTNode],
    ) -> list[EndpointSource]:
        found: list[EndpointSource] = []
        for value in values:
            if value is None:  # declared without a value, or set by a constructor argument
                found.append(EndpointSource("config", node.attr.value, code))
            elif isinstance(value, DefaultValue):
                found.append(_from_other_file(value))
            else:
                found += self.trace(value, depth, seen)
        return found


def _from_other_file(value: DefaultValue) -> EndpointSource:
    """A value another file's class gives an attribute (see class_defaults.py)."""
    kind = "config" if value.kind == "unknown" else value.kind
    return EndpointSource(kind, value.value, value.code)


def _field_default(call: cst.Call) -> cst.BaseExpression | None:
    """The default of a dataclass `field(...)` / pydantic `Field(...)` declaration."""
    func = call.func
    if isinstance(func, cst.Attribute):
        name = func.attr.value  # `dataclasses.field(...)`, `pydantic.Field(...)`
    elif isinstance(func, cst.Name):
        name = func.value
    else:
        return None
    if name not in ("field", "Field"):
        return None
    for arg in call.args:
        keyword = arg.keyword.value if arg.keyword is not None else None
        if keyword == "default" or (keyword is None and name == "Field" and arg is call.args[0]):
            return arg.value
        if keyword == "default_factory" and isinstance(arg.value, cst.Lambda):
            return arg.value.body
    return None


def _formatted(node: cst.FormattedString, code: str) -> EndpointSource:
    """`f"http://localhost:{port}/v1"`: the host, when the literal start spells it out."""
    first = node.parts[0] if node.parts else None
    if isinstance(first, cst.FormattedStringText) and "://" in first.value:
        rest = first.value.split("://", 1)[1]
        if any(mark in rest for mark in ":/") or len(node.parts) == 1:
            return EndpointSource("url", first.value, code)
    return EndpointSource("config", "", code)


def _subscript_key(node: cst.Subscript) -> str:
    """`cfg["moonshot_base_url"]` -> "moonshot_base_url" ("" when not a literal key)."""
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        key = node.slice[0].slice.value
        if isinstance(key, cst.SimpleString) and isinstance(key.evaluated_value, str):
            return key.evaluated_value
    return ""
