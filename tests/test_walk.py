"""`walk` visits the nodes libcst's own `visit` does, in the same order, without
rebuilding them; `find_all` returns what `libcst.matchers.findall` does."""

from __future__ import annotations

import ast
import inspect
import textwrap
import typing
from pathlib import Path

import libcst as cst
import libcst.matchers as m
import pytest

import codemods
import migrator
from migrator.site_collector import SiteCollector
from migrator.walk import (
    _NODE_CLASSES,
    LAYOUT,
    _annotations,
    _child_fields,
    _is_node,
    _layout_only,
    find_all,
    walk,
    walk_syntax,
)

ROOT = Path(__file__).resolve().parent.parent
# Every Python file we have: fixtures (odd layouts included), our own code and tests.
SOURCES = sorted(
    p
    for folder in ("fixtures", "src", "codemods")
    for p in (ROOT / folder).rglob("*.py")
    if "golden" not in p.parts or p.name.endswith("before.py")
)

EDGE_CASES = """\
from . import (a, b as c)
from .m import *
x = f"{a!r:>{width}} {b=}"
def g[T: int = str](*, y: int = 1) -> T: ...
match p:
    case {"k": [1, *rest]} | Point(x=0) if rest: pass
lambda a, /, b=1, *c, d, **e: (yield)
async def h():
    async with a as (b, c): await d
    async for x in y: print(*x, **{})
try: pass
except* E as e: raise e from None
finally: del a[1:2:3], b.c
global q; nonlocal_ = ~-+x if not y else x @ y
"""


class _Recorder(cst.CSTVisitor):
    def __init__(self, skip: type[cst.CSTNode] | None = None) -> None:
        self.events: list[tuple[str, int]] = []
        self.kinds: dict[int, type[cst.CSTNode]] = {}
        self.skip = skip

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.events.append(("visit", id(node)))
        self.kinds[id(node)] = type(node)
        return not (self.skip is not None and isinstance(node, self.skip))

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.events.append(("leave", id(original_node)))


def _modules() -> list[tuple[str, cst.Module]]:
    modules = [("edge cases", cst.parse_module(EDGE_CASES))]
    for path in SOURCES:
        try:
            modules.append((str(path.relative_to(ROOT)), cst.parse_module(path.read_bytes())))
        except (cst.ParserSyntaxError, UnicodeDecodeError):
            continue  # fixtures of files that do not parse or decode
    return modules


MODULES = _modules()


def test_the_corpus_is_large() -> None:
    assert len(MODULES) > 300


@pytest.mark.parametrize("skip", [None, cst.FunctionDef, cst.Call])
def test_walk_visits_what_libcst_visits_in_its_order(skip: type[cst.CSTNode] | None) -> None:
    for name, module in MODULES:
        theirs, ours = _Recorder(skip), _Recorder(skip)
        module.visit(theirs)
        walk(module, ours)
        assert ours.events == theirs.events, name


@pytest.mark.parametrize("skip", [None, cst.FunctionDef, cst.Call])
def test_walk_syntax_is_walk_less_the_layout_nodes(skip: type[cst.CSTNode] | None) -> None:
    layout_seen = 0
    for name, module in MODULES:
        full, syntax = _Recorder(skip), _Recorder(skip)
        walk(module, full)
        walk_syntax(module, syntax)
        expected = [e for e in full.events if not issubclass(full.kinds[e[1]], LAYOUT)]
        assert syntax.events == expected, name
        layout_seen += len(full.events) - len(expected)
    assert layout_seen > 100_000  # the corpus has layout to skip


def test_a_layout_node_holds_only_layout() -> None:
    # What makes walk_syntax's "skip the node" the same as "skip it and its subtree".
    for _, module in MODULES[::5]:
        found = _Recorder()
        walk(module, found)
        for node in find_all(module, LAYOUT):
            inside = _Recorder()
            walk(node, inside)
            assert all(issubclass(kind, LAYOUT) for kind in inside.kinds.values()), node


def test_no_syntax_walker_hooks_a_layout_node() -> None:
    # The inventory walks with walk_syntax: a visit_/leave_ method for a layout class
    # would silently never run.
    names = {f"{hook}_{kind.__name__}" for kind in LAYOUT for hook in ("visit", "leave")}
    # (libcst's CSTVisitor has a do-nothing method for every class)
    assert not [n for n in names if getattr(SiteCollector, n) is not getattr(cst.CSTVisitor, n)]


def test_is_node_is_isinstance_of_a_node() -> None:
    class Custom(cst.Name):
        pass

    for value in (cst.Name("x"), Custom("y"), None, cst.MaybeSentinel.DEFAULT, "x", (), 1):
        assert _is_node(value) == isinstance(value, cst.CSTNode), value


def test_find_all_returns_what_matchers_findall_returns() -> None:
    for name, module in MODULES[::6]:  # matchers' findall is slow: every sixth file
        for kinds, matcher in (
            (cst.Name, m.Name()),
            ((cst.Name, cst.Attribute), m.Name() | m.Attribute()),
            ((cst.SimpleString, cst.FormattedString), m.SimpleString() | m.FormattedString()),
            (cst.Module, m.Module()),
        ):
            assert find_all(module, kinds) == m.findall(module, matcher), (name, kinds)


def test_every_node_class_has_its_fields_read_from_libcst() -> None:
    # No class falls back to libcst's rebuilding walk with this libcst.
    def subclasses(kind: type) -> set[type]:
        found = set()
        for sub in kind.__subclasses__():
            found |= {sub, *subclasses(sub)}
        return found

    concrete = [k for k in subclasses(cst.CSTNode) if not inspect.isabstract(k)]
    assert len(concrete) > 100
    for kind in concrete:
        if kind.__module__.startswith("libcst."):
            assert _child_fields(kind) is not None, kind.__name__


def _fields_by_ast(kind: type[cst.CSTNode]) -> tuple[str, ...] | None:
    """The reference reading of `_visit_and_replace_children`: its source, parsed."""
    source = textwrap.dedent(inspect.getsource(kind._visit_and_replace_children))
    calls: list[tuple[int, int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id.startswith("visit_")
        ):
            if len(node.args) < 2 or not (
                isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
            ):
                return None
            calls.append((node.lineno, node.col_offset, node.args[1].value))
    return tuple(dict.fromkeys(field for *_, field in sorted(calls)))


def test_child_fields_are_those_a_parse_of_the_method_finds() -> None:
    # _child_fields reads the method's lines off its code object and matches the calls
    # with a pattern; parsing the method's source must give the same, for every class.
    kinds = [k for k in _NODE_CLASSES if k.__module__.startswith("libcst.")]
    assert len(kinds) > 100
    for kind in kinds:
        assert _child_fields(kind) == _fields_by_ast(kind), kind.__name__


def test_declared_field_types_decide_as_resolved_type_hints_do() -> None:
    for kind in _NODE_CLASSES:
        if not kind.__module__.startswith("libcst."):
            continue
        resolved = typing.get_type_hints(kind)
        read = _annotations(kind)
        for field in _child_fields(kind) or ():
            assert _layout_only(read[field]) == _layout_only(resolved[field]), (kind, field)


def test_no_visitor_of_ours_defines_an_attribute_hook() -> None:
    # `walk` does not call visit_<Node>_<field> hooks: none may exist.
    hooks = []
    for package in (migrator, codemods):
        for path in Path(package.__path__[0]).rglob("*.py"):
            for line in path.read_text(encoding="utf-8").splitlines():
                stripped = line.strip()
                if stripped.startswith(("def visit_", "def leave_")):
                    name = stripped[4:].split("(")[0]
                    node_and_field = name.split("_", 1)[1]
                    if "_" in node_and_field:
                        hooks.append((path.name, name))
    assert hooks == []


def test_nodes_hash_by_identity_in_c() -> None:
    a, b = cst.Name("x"), cst.Name("x")
    assert type(a).__hash__ is object.__hash__
    assert a == a and a != b and a.deep_equals(b)
    table = {a: 1, b: 2}
    assert table[a] == 1 and table[b] == 2 and len({a, b, a}) == 2
