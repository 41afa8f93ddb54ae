"""A read-only walk of a libcst tree that does not rebuild it.

`node.visit(visitor)` in libcst rebuilds every node it passes (each node's
`_visit_and_replace_children` constructs a new node from its visited children, even for a
read-only `CSTVisitor`), so a walk costs about as much as the parse that made the tree.
`walk(node, visitor)` calls the same `on_visit` / `on_leave` hooks on the same (original)
nodes in the same order, and only reads the children.

The order is libcst's own: the fields each node class's `_visit_and_replace_children`
visits, in the order it visits them, read once per class from that method's source. A
class whose method cannot be read that way (no source, a field named by a computed
string) is walked by libcst itself, so the order is always libcst's. The attribute hooks
(`visit_<Node>_<field>`) are not called: no visitor here defines one, and
`tests/test_walk.py` checks both that and the order against libcst's walk.

Importing this module also gives libcst's node classes a hash computed in C (see
`_identity_hash_in_c`): the same identity-based hash, without a Python call per lookup.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable

import libcst as cst

__all__ = ["Visitor", "find_all", "walk"]


def _identity_hash_in_c() -> None:
    """Give libcst's node classes `object.__hash__` in place of `CSTNode.__hash__`.

    Nodes hash and compare by identity (`CSTNode.__hash__` returns `id(self)`, `__eq__`
    is `is`), and the inventory keys its parent, order and scope tables by node: on a
    real project that is millions of calls to a Python-level `__hash__`, 15-20% of the
    inventory. `object.__hash__` is identity-based as well, so every dict and set of
    nodes holds and finds exactly the same entries; only the hash numbers differ."""
    python_hash = cst.CSTNode.__dict__["__hash__"]
    pending = [cst.CSTNode]
    while pending:
        kind = pending.pop()
        pending.extend(kind.__subclasses__())
        if kind.__dict__.get("__hash__") is python_hash:
            kind.__hash__ = object.__hash__  # type: ignore[method-assign]


_identity_hash_in_c()

# node class -> the fields holding its children, in visit order; None: let libcst walk it
_CHILD_FIELDS: dict[type[cst.CSTNode], tuple[str, ...] | None] = {}


class Visitor(cst.CSTVisitor):
    """A CSTVisitor that finds its `visit_<Node>` / `leave_<Node>` methods once per node
    class instead of at every node (libcst formats the name and looks it up each time).
    The methods are read from the class, so one defined on an instance is not seen."""

    _visit_methods: dict[type[cst.CSTNode], Callable[..., object] | None]
    _leave_methods: dict[type[cst.CSTNode], Callable[..., object] | None]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls._visit_methods = {}
        cls._leave_methods = {}

    def on_visit(self, node: cst.CSTNode) -> bool:
        kind = type(node)
        methods = self._visit_methods
        method = methods[kind] if kind in methods else self.visit_method(kind)
        return method is None or method(self, node) is not False

    def on_leave(self, original_node: cst.CSTNode) -> None:
        kind = type(original_node)
        methods = self._leave_methods
        method = methods[kind] if kind in methods else self.leave_method(kind)
        if method is not None:
            method(self, original_node)

    @classmethod
    def visit_method(cls, kind: type[cst.CSTNode]) -> Callable[..., object] | None:
        """The class's `visit_<Node>` for node class `kind` (None: there is none)."""
        method = cls._visit_methods[kind] = getattr(cls, f"visit_{kind.__name__}", None)
        return method

    @classmethod
    def leave_method(cls, kind: type[cst.CSTNode]) -> Callable[..., object] | None:
        """The class's `leave_<Node>` for node class `kind` (None: there is none)."""
        method = cls._leave_methods[kind] = getattr(cls, f"leave_{kind.__name__}", None)
        return method


def walk(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """Visit `node` and its subtree with `visitor`, as `node.visit(visitor)` would."""
    if visitor.on_visit(node):
        kind = type(node)
        fields = _CHILD_FIELDS[kind] if kind in _CHILD_FIELDS else _child_fields(kind)
        if fields is None:
            for child in node.children:
                child.visit(visitor)
        else:
            for field in fields:
                value = getattr(node, field)
                if isinstance(value, cst.CSTNode):
                    walk(value, visitor)
                elif type(value) is tuple or type(value) is list:
                    for child in value:
                        walk(child, visitor)
    visitor.on_leave(node)


def find_all(
    node: cst.CSTNode, kinds: type[cst.CSTNode] | tuple[type[cst.CSTNode], ...]
) -> list[cst.CSTNode]:
    """The nodes of `node`'s subtree (itself included) that are `kinds`, in source order
    (what `libcst.matchers.findall(node, m.Kind() | ...)` returns, without importing the
    matchers, which cost a fifth of a second at every start)."""
    found = _Found(kinds)
    walk(node, found)
    return found.nodes


class _Found(cst.CSTVisitor):
    def __init__(self, kinds: type[cst.CSTNode] | tuple[type[cst.CSTNode], ...]) -> None:
        super().__init__()
        self.kinds = kinds
        self.nodes: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, self.kinds):
            self.nodes.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        return None


def _child_fields(kind: type[cst.CSTNode]) -> tuple[str, ...] | None:
    """The fields `kind._visit_and_replace_children` visits, in the order it visits them.

    Every visit there is a `visit_required/optional/sentinel/sequence/...(self, "field",
    ...)` call; as keyword arguments of one constructor call, they run in source order.
    A field visited in two branches (`names` of ImportFrom: a star or a sequence) counts
    once, where it first appears.
    """
    fields: tuple[str, ...] | None = None
    try:
        source = textwrap.dedent(inspect.getsource(kind._visit_and_replace_children))
        calls: list[tuple[int, int, str]] = []
        for node in ast.walk(ast.parse(source)):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id.startswith("visit_")
            ):
                continue
            if len(node.args) < 2 or not (
                isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
            ):
                raise ValueError("a field named by a computed value")
            calls.append((node.lineno, node.col_offset, node.args[1].value))
        ordered: list[str] = []
        for _, _, field in sorted(calls):
            if field not in ordered:
                ordered.append(field)
        fields = tuple(ordered)
    except (OSError, TypeError, ValueError, SyntaxError):
        fields = None
    _CHILD_FIELDS[kind] = fields
    return fields
