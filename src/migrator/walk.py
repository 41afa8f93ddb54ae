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

`walk_syntax` is the same walk without the layout nodes (`LAYOUT`: whitespace, comments,
line ends and punctuation), which are about two thirds of a module's nodes and which no
visitor that reads code looks at: the inventory's walk visits each node of every file.

Importing this module also gives libcst's node classes a hash computed in C (see
`_identity_hash_in_c`): the same identity-based hash, without a Python call per lookup.
"""

from __future__ import annotations

import inspect
import linecache
import re
import types
import typing
from collections.abc import Callable

import libcst as cst

__all__ = ["LAYOUT", "Visitor", "find_all", "walk", "walk_syntax"]

# The nodes that only lay code out: whitespace, comments, line ends, and punctuation
# (operators and keywords such as `not`, `in`, `async` are syntax and stay).
LAYOUT: tuple[type[cst.CSTNode], ...] = (
    cst.SimpleWhitespace,
    cst.ParenthesizedWhitespace,
    cst.TrailingWhitespace,
    cst.EmptyLine,
    cst.Newline,
    cst.Comment,
    cst.Comma,
    cst.Dot,
    cst.Colon,
    cst.Semicolon,
    cst.AssignEqual,
    cst.LeftParen,
    cst.RightParen,
    cst.LeftSquareBracket,
    cst.RightSquareBracket,
    cst.LeftCurlyBrace,
    cst.RightCurlyBrace,
)
_LAYOUT_KINDS = frozenset(LAYOUT)


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


def _concrete(kind: type[cst.CSTNode]) -> list[type[cst.CSTNode]]:
    """The concrete classes of libcst's `kind` (an abstract base: its subclasses)."""
    found = [kind] if not inspect.isabstract(kind) else []
    for sub in kind.__subclasses__():
        found.extend(_concrete(sub))
    return found


# Every node class libcst defines; a node of a class made later is found by isinstance.
_NODE_CLASSES = frozenset(_concrete(cst.CSTNode))

# node class -> the fields holding its children, in visit order; None: let libcst walk it
_CHILD_FIELDS: dict[type[cst.CSTNode], tuple[str, ...] | None] = {}
# the same, less the fields that hold layout nodes only (walk_syntax)
_SYNTAX_FIELDS: dict[type[cst.CSTNode], tuple[str, ...] | None] = {}


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
    _walk(node, visitor, _CHILD_FIELDS, _child_fields, frozenset())


def walk_syntax(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """`walk` without the `LAYOUT` nodes: the visitor sees every other node, in the same
    order, with nothing of the layout's (a layout node holds only layout). `node` itself
    is visited whatever it is. A node libcst must walk itself (see `_child_fields`; none
    with the libcst we test) is walked whole, layout included."""
    _walk(node, visitor, _SYNTAX_FIELDS, _syntax_fields, _LAYOUT_KINDS)


def _walk(
    node: cst.CSTNode,
    visitor: cst.CSTVisitor,
    table: dict[type[cst.CSTNode], tuple[str, ...] | None],
    fields_of: Callable[[type[cst.CSTNode]], tuple[str, ...] | None],
    skip: frozenset[type[cst.CSTNode]],
) -> None:
    """The walk: the children in `table`'s fields (filled by `fields_of`), less the
    nodes whose class is in `skip`."""
    if visitor.on_visit(node):
        kind = type(node)
        fields = table[kind] if kind in table else fields_of(kind)
        if fields is None:
            for child in node.children:
                if type(child) not in skip:
                    child.visit(visitor)
        else:
            for field in fields:
                value = getattr(node, field)
                if type(value) is tuple or type(value) is list:
                    for child in value:
                        if type(child) not in skip:
                            _walk(child, visitor, table, fields_of, skip)
                elif type(value) not in skip and _is_node(value):
                    _walk(value, visitor, table, fields_of, skip)
    visitor.on_leave(node)


def _is_node(value: object) -> bool:
    """isinstance(value, CSTNode) without the ABC machinery's Python-level check for the
    usual values of a child field: a node of a known class, None, or a MaybeSentinel."""
    kind = type(value)
    if kind in _NODE_CLASSES:
        return True
    if value is None or kind is cst.MaybeSentinel:
        return False
    return isinstance(value, cst.CSTNode)


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


def _syntax_fields(kind: type[cst.CSTNode]) -> tuple[str, ...] | None:
    """`_child_fields` less those whose declared type holds layout nodes only (a node's
    `whitespace_*`, `lpar`, `comma`, `leading_lines`...); None when libcst walks `kind`.
    A field whose type cannot be read is kept: `walk_syntax` skips its layout children
    one by one."""
    fields = _CHILD_FIELDS[kind] if kind in _CHILD_FIELDS else _child_fields(kind)
    if fields is not None:
        hints = _annotations(kind)
        fields = tuple(f for f in fields if f not in hints or not _layout_only(hints[f]))
    _SYNTAX_FIELDS[kind] = fields
    return fields


def _annotations(kind: type) -> dict[str, object]:
    """The declared type of each field of `kind`. libcst annotates with type objects, read
    as they are from the classes (`typing.get_type_hints` costs 20 ms a process more);
    a string annotation is resolved by `get_type_hints`, and one it cannot resolve leaves
    its field out (kept by the walk)."""
    found: dict[str, object] = {}
    for base in reversed(kind.__mro__):
        found.update(base.__dict__.get("__annotations__", {}))
    if any(isinstance(hint, str) for hint in found.values()):
        try:
            return typing.get_type_hints(kind)
        except Exception:  # noqa: BLE001 - an annotation libcst's own module cannot resolve
            return {n: h for n, h in found.items() if not isinstance(h, str)}
    return found


def _layout_only(hint: object) -> bool:
    """Whether every node class a field's type admits is a layout class (`Sequence[Comma]`,
    `Union[AssignEqual, MaybeSentinel]`, `BaseParenthesizableWhitespace`). A type that
    admits no node class at all (`str`), or names one by a forward reference, is not:
    such a field is left to the walk."""
    kinds: list[type] = []
    pending = [hint]
    while pending:
        current = pending.pop()
        args = typing.get_args(current)
        if args:
            if typing.get_origin(current) is not typing.Literal:
                pending.extend(args)
        elif isinstance(current, type) and issubclass(current, cst.CSTNode):
            kinds.append(current)
        elif isinstance(current, (str, typing.ForwardRef)):
            return False  # a class named, not given: it may be syntax
    return bool(kinds) and all(
        issubclass(k, LAYOUT) or all(issubclass(sub, LAYOUT) for sub in _concrete(k)) for k in kinds
    )


def _child_fields(kind: type[cst.CSTNode]) -> tuple[str, ...] | None:
    """The fields `kind._visit_and_replace_children` visits, in the order it visits them.

    Every visit there is a `visit_required/optional/sentinel/sequence/...(self, "field",
    ...)` call; as keyword arguments of one constructor call, they run in source order.
    A field visited in two branches (`names` of ImportFrom: a star or a sequence) counts
    once, where it first appears. The method's lines are read from its code object's line
    table, not found by `inspect.getsource` (which tokenizes the file: each worker process
    spent some 0.1 s on it for the classes it met).
    """
    fields: tuple[str, ...] | None = None
    code = getattr(getattr(kind, "_visit_and_replace_children", None), "__code__", None)
    source = _source_of(code) if code is not None else None
    if source is not None:
        names = [match.group(1) for match in _VISIT_CALL.finditer(source)]
        if all(names):  # else a field is named by a computed value: libcst walks it
            fields = tuple(dict.fromkeys(names))
    _CHILD_FIELDS[kind] = fields
    return fields


# A call of one of libcst's `visit_*` helpers, with the field's name when it is a literal
# second argument after `self`.
_VISIT_CALL = re.compile(r'(?<![\w.])visit_\w+\(\s*(?:self\s*,\s*"(\w+)")?')


def _source_of(code: types.CodeType) -> str | None:
    """The lines of a function's source, from its first line to the last one its code
    runs (the line table), or None when its file cannot be read."""
    lines = linecache.getlines(code.co_filename)
    last = max((line for _, _, line in code.co_lines() if line is not None), default=None)
    if not lines or last is None or last > len(lines):
        return None
    return "".join(lines[code.co_firstlineno - 1 : last])
