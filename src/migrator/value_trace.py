"""Following a name, an attribute, a dict entry or an env read to the values it can take.

`ValueTracer` is the layer of the inventory's visitor that answers "what is this bound
to?" from what the scope engine (scopes.py) recorded: names, `self.<attr>` and class
attributes, dict literals, `os.getenv(...)` / `os.environ[...]`, constants imported from
other files of the run. `BoundValues` hands the same knowledge to endpoint_trace.py.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst
from libcst.metadata import QualifiedNameSource

from migrator.class_defaults import DefaultValue, ProjectClass
from migrator.constants import Constant, absolute_module
from migrator.env_reads import env_read
from migrator.scopes import ValueWalker, dotted_path

# Calls whose literal arguments may still be model names we should rewrite.
# How far a value is followed through names, calls and attributes.
MAX_DEPTH = 8


def string_value(node: cst.BaseExpression | None) -> str | None:
    """The str a string literal evaluates to (None: not a str literal).

    libcst's `evaluated_value` compiles the literal with `ast.literal_eval` on every call;
    the inventory asks it of every string of a module (mem0: 7,000 times, a tenth of a
    second). A literal whose text is its value -- no escapes, or a raw string -- is read
    off its text; the rest still goes through libcst."""
    if not isinstance(node, cst.SimpleString):
        return None
    prefix, body = node.prefix, node.raw_value  # (libcst gives the prefix in lower case)
    if "\r" not in body and ((prefix in ("", "u") and "\\" not in body) or prefix == "r"):
        return body
    value = node.evaluated_value
    return value if isinstance(value, str) else None


def subscript_index(expr: cst.Subscript) -> cst.BaseExpression | None:
    """The index of `x[i]` (None for slices and `x[i, j]`)."""
    if len(expr.slice) != 1 or not isinstance(expr.slice[0].slice, cst.Index):
        return None
    return expr.slice[0].slice.value


def keywords(call: cst.Call) -> dict[str, cst.BaseExpression]:
    return {a.keyword.value: a.value for a in call.args if a.keyword is not None}


def param_names(call: cst.Call) -> tuple[str, ...]:
    names: list[str] = []
    for arg in call.args:
        if arg.keyword is not None:
            names.append(arg.keyword.value)
        elif arg.star == "**":
            names.append("**")
        elif arg.star == "*":
            names.append("*")
    return tuple(names)


def _is_true(expr: cst.BaseExpression | None) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "True"


class ValueTracer(ValueWalker):
    """The values bound to names, attributes and dict entries, and env reads."""

    def __init__(
        self,
        path: str,
        wrapper: cst.MetadataWrapper,
        constants: Mapping[str, Constant] | None = None,
        classes: Mapping[str, ProjectClass] | None = None,
    ) -> None:
        super().__init__()
        self.path = path
        self.constants = constants or {}
        self.classes = classes or {}
        self.wrapper = wrapper

    def _name_values(self, node: cst.Name) -> list[tuple[cst.BaseExpression, bool]]:
        """Values bound to the name visible at `node`, in source order, each with whether
        it is a parameter default. Empty when the name is not bound to a value here."""
        values: list[tuple[cst.BaseExpression, bool]] = []
        for target in self._bindings(node):
            if target in self.assigned:
                values.append((self.assigned[target], False))
            elif isinstance(target, cst.Param) and target.default is not None:
                values.append((target.default, True))
            else:  # bound some other way (loop, import, def): no single known value
                return []
        return values

    def _attribute_values(self, node: cst.Attribute) -> list[cst.BaseExpression] | None:
        """Values bound to `self.x` / `cls.x` (in the enclosing class) or `Holder.x`."""
        if not isinstance(node.value, cst.Name):
            return None
        owner = self.attr_owner.get(node)
        if owner is None and node.value.value not in ("self", "cls"):
            owner = node.value.value
        if owner is None:
            return None
        values = self.class_attrs.get(owner, {}).get(node.attr.value)
        return list(values) if values else None

    def _is_true(self, expr: cst.BaseExpression | None) -> bool:
        """`True`, or a name bound only to `True` (a constant, a parameter default)."""
        if _is_true(expr):
            return True
        if isinstance(expr, cst.Name):
            values = self._name_values(expr)
            return len(values) == 1 and _is_true(values[0][0])
        return False

    def _resolve_root(self, name: cst.Name) -> str:
        """What the first name of a dotted read stands for here (`_os` -> "os"), for the
        one env-read recogniser (env_reads.py); the name itself when not one import."""
        qnames = {q.name for q in self._qnames(name)}
        return qnames.pop() if len(qnames) == 1 else name.value

    def _env_lookup(self, call: cst.Call) -> tuple[str, str | None] | None:
        """`os.getenv("X", "d")` / `os.environ.get("X", "d")` (and `setdefault`) ->
        ("X", "d")."""
        read = env_read(call, self._resolve_root)
        if read is None or read.strict:
            return None
        default = string_value(read.default) if read.default is not None else None
        return read.var, default

    def _environ_subscript(self, node: cst.Subscript) -> str | None:
        read = env_read(node, self._resolve_root)
        return read.var if read is not None else None

    def _dict_entry_value(self, expr: cst.Subscript) -> cst.BaseExpression | None:
        """`MODELS["chat"]` with `MODELS = {"chat": ...}` bound once in this module."""
        if len(expr.slice) != 1 or not isinstance(expr.slice[0].slice, cst.Index):
            return None
        return self._dict_lookup(expr.value, expr.slice[0].slice.value)

    def _dict_get(self, call: cst.Call) -> cst.BaseExpression | None:
        """`MODELS.get("chat")` (or its default when the key is absent)."""
        func = call.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "get" and call.args):
            return None
        found = self._dict_lookup(func.value, call.args[0].value)
        if found is None and len(call.args) > 1 and isinstance(func.value, cst.Name):
            if self._dict_literal(func.value) is not None:
                return call.args[1].value
        return found

    def _dict_literal(self, owner: cst.BaseExpression) -> cst.Dict | None:
        if not isinstance(owner, cst.Name):
            return None
        values = self._name_values(owner)
        if len(values) != 1 or not isinstance(values[0][0], cst.Dict):
            return None
        return values[0][0]

    def _dict_lookup(
        self, owner: cst.BaseExpression, key_expr: cst.BaseExpression
    ) -> cst.BaseExpression | None:
        key = string_value(key_expr)
        mapping = self._dict_literal(owner)
        if key is None or mapping is None:
            return None
        for element in mapping.elements:
            if isinstance(element, cst.DictElement) and string_value(element.key) == key:
                return element.value
        return None

    def _imported(
        self, expr: cst.Name | cst.Attribute, kind: type[str] | type[int]
    ) -> tuple[str, Constant | None] | None:
        """The qualified name `expr` was imported as, and the project constant it names
        when the run knows one whose value is a `kind`."""
        imported = sorted(
            q.name for q in self._qnames(expr) if q.source == QualifiedNameSource.IMPORT
        )
        if not imported:
            return None
        name = imported[0]
        module, _, attr = name.rpartition(".")
        constant = self.constants.get(f"{absolute_module(self.path, module)}.{attr}")
        return name, constant if constant is not None and isinstance(constant.value, kind) else None

    def _describe_base_url(self, expr: cst.BaseExpression | None, depth: int = 0) -> str | None:
        """A literal URL, `env:VAR` (with its default), or `dynamic`. Constants and dict
        entries bound in this module are followed to their value."""
        if expr is None:
            return None
        literal = string_value(expr)
        if literal is not None:
            return literal
        if depth < MAX_DEPTH:
            if isinstance(expr, cst.Call):
                env = self._env_lookup(expr)
                if env is not None:
                    var, default = env
                    return f"env:{var}" + (f" (default {default})" if default else "")
                value = self._dict_get(expr)
                if value is not None:
                    return self._describe_base_url(value, depth + 1)
            if isinstance(expr, cst.Subscript):
                env = self._environ_subscript(expr)
                if env is not None:
                    return f"env:{env}"
                value = self._dict_entry_value(expr)
                if value is not None:
                    return self._describe_base_url(value, depth + 1)
            if isinstance(expr, cst.Name):
                values = self._name_values(expr)
                if len(values) == 1:
                    return self._describe_base_url(values[0][0], depth + 1)
        return "dynamic"


# A class an object is an instance of (a ProjectClass of another file, or the name of a
# class of this module) and the call that made it (None: a parameter's caller did).
_Instance = tuple[ProjectClass | str, cst.Call | None]


class BoundValues:
    """The collector's knowledge of bound values, as endpoint_trace.ValueSource."""

    def __init__(self, collector: ValueTracer) -> None:
        self.collector = collector

    def name_values(self, node: cst.Name) -> list[cst.BaseExpression | None] | None:
        collector = self.collector
        values: list[cst.BaseExpression | None] = []
        for target in collector._bindings(node):
            if target in collector.import_binding:
                return None  # imported: its value is a project constant, or unknown
            if target in collector.assigned:
                values.append(collector.assigned[target])
            elif isinstance(target, cst.Param):
                values.append(target.default)
            else:
                values.append(None)
        return values or None

    def attribute_values(self, node: cst.Attribute) -> list[cst.BaseExpression] | None:
        """`self.x` also takes the values subclasses in this module give `x`: a shared
        base class (`self.client = OpenAI(base_url=self.base_url)`) serves them all."""
        collector = self.collector
        values = list(collector._attribute_values(node) or [])
        owner = collector.attr_owner.get(node)
        if owner is not None:
            for subclass in self._subclasses(owner):
                values += collector.class_attrs.get(subclass, {}).get(node.attr.value, [])
        return values or None

    def instance_attribute(
        self, node: cst.Attribute
    ) -> list[cst.BaseExpression | DefaultValue | None] | None:
        owner = node.value
        if not isinstance(owner, cst.Name) or owner.value in ("self", "cls"):
            return None
        instances = self._instances(owner, set())
        if not instances:
            return None
        attr = node.attr.value
        values: list[cst.BaseExpression | DefaultValue | None] = []
        for cls, call in instances:
            keyword = keywords(call).get(attr) if call is not None else None
            if keyword is not None:  # `Settings(base_url=...)`
                values.append(keyword)
            elif call is not None and any(arg.keyword is None for arg in call.args):
                values.append(None)  # a positional or `**` argument may set it
            elif isinstance(cls, ProjectClass):
                defaults = cls.values_of(attr)
                values += defaults if defaults else [None]
            else:
                values += self.collector.class_attrs.get(cls, {}).get(attr) or [None]
                if "BaseSettings" in self.collector.class_bases.get(cls, []):
                    values.append(None)  # its fields are also read from the environment
        return values

    def _instances(self, name: cst.Name, seen: set[cst.CSTNode]) -> list[_Instance] | None:
        """The classes (and constructor calls) every binding of `name` makes it an
        instance of; None when one binding is not shown to be such an instance."""
        collector = self.collector
        found: list[_Instance] = []
        for target in collector._bindings(name):
            if target in seen:
                continue  # `settings = settings or Settings()` refers back to itself
            seen.add(target)
            if target in collector.assigned:
                more = self._instances_of(collector.assigned[target], seen)
            elif isinstance(target, cst.Param) and target.annotation is not None:
                # A caller's instance: the class's defaults stand for what it holds.
                more = self._annotated(target.annotation.annotation)
                if more is not None and target.default is not None:
                    default = self._instances_of(target.default, seen)
                    more = None if default is None else more + default
            else:
                more = None
            if more is None:
                return None
            found += more
        return found

    def _instances_of(
        self, expr: cst.BaseExpression, seen: set[cst.CSTNode]
    ) -> list[_Instance] | None:
        if isinstance(expr, cst.Name) and expr.value == "None":
            return []  # no instance, and no attribute read from it
        if isinstance(expr, (cst.BooleanOperation, cst.IfExp)):
            parts = (
                (expr.left, expr.right)
                if isinstance(expr, cst.BooleanOperation)
                else (expr.body, expr.orelse)
            )
            found: list[_Instance] = []
            for part in parts:
                more = self._instances_of(part, seen)
                if more is None:
                    return None
                found += more
            return found
        if isinstance(expr, cst.Name):
            return self._instances(expr, seen)
        if isinstance(expr, cst.Call):
            cls = self._known_class(expr.func)
            return [(cls, expr)] if cls is not None else None
        return None

    def _annotated(self, annotation: cst.BaseExpression) -> list[_Instance] | None:
        """The classes of `Settings`, `Settings | None`, `Optional[Settings]`."""
        if isinstance(annotation, cst.Name) and annotation.value == "None":
            return []
        if isinstance(annotation, cst.BinaryOperation) and isinstance(
            annotation.operator, cst.BitOr
        ):
            left = self._annotated(annotation.left)
            right = self._annotated(annotation.right)
            return None if left is None or right is None else left + right
        if (
            isinstance(annotation, cst.Subscript)
            and (dotted_path(annotation.value) or "").rsplit(".", 1)[-1] == "Optional"
            and len(annotation.slice) == 1
            and isinstance(annotation.slice[0].slice, cst.Index)
        ):
            return self._annotated(annotation.slice[0].slice.value)
        cls = self._known_class(annotation)
        return [(cls, None)] if cls is not None else None

    def _known_class(self, expr: cst.BaseExpression) -> ProjectClass | str | None:
        """A class defined in this module (its name) or in a project module this file
        imports (its ProjectClass), as `expr` names it; None otherwise."""
        collector = self.collector
        if isinstance(expr, cst.Name):
            bindings = collector._bindings(expr)
            if bindings and all(isinstance(b, cst.ClassDef) for b in bindings):
                return expr.value if expr.value in collector.class_attrs else None
        if not isinstance(expr, (cst.Name, cst.Attribute)):
            return None
        names = collector._qnames(expr)
        if len(names) != 1:
            return None
        name = next(iter(names))
        if name.source != QualifiedNameSource.IMPORT:
            return None
        module, _, attr = name.name.rpartition(".")
        return collector.classes.get(f"{absolute_module(collector.path, module)}.{attr}")

    def _subclasses(self, owner: str) -> list[str]:
        found: list[str] = []
        pending = [owner]
        while pending:
            current = pending.pop()
            for name, bases in self.collector.class_bases.items():
                if current in bases and name not in found and name != owner:
                    found.append(name)
                    pending.append(name)
        return found

    def env_read(self, node: cst.BaseExpression) -> tuple[str, cst.BaseExpression | None] | None:
        collector = self.collector
        if isinstance(node, cst.Subscript):
            var = collector._environ_subscript(node)
            return (var, None) if var is not None else None
        if isinstance(node, cst.Call) and collector._env_lookup(node) is not None:
            var = string_value(node.args[0].value)
            assert var is not None
            return var, node.args[1].value if len(node.args) > 1 else None
        return None

    def dict_value(self, node: cst.BaseExpression) -> cst.BaseExpression | None:
        if isinstance(node, cst.Subscript):
            return self.collector._dict_entry_value(node)
        if isinstance(node, cst.Call):
            return self.collector._dict_get(node)
        return None

    def imported_string(self, node: cst.Name | cst.Attribute) -> str | None:
        imported = self.collector._imported(node, str)
        if imported is None or imported[1] is None:
            return None
        return str(imported[1].value)
