"""Imports appended to a module's leading import block, as libcst's AddImportsVisitor
appends them, without it.

`import_edits` places the imports it can place as a person would (a stdlib module in
the stdlib group, a name in an existing `from` import); the rest go here. Until now that
was libcst's AddImportsVisitor itself. It gave the right places, but importing
`libcst.codemod` costs 0.4-0.5 s, and its matcher-driven transform rebuilds the whole
module (about half a parse) for a handful of import lines: most of what a small `diff`
spent beyond parsing. This module makes the same decisions on the module's top-level
statements only, and its output is the visitor's, byte for byte
(`tests/test_import_block.py` compares the two):

- the leading block is the run of top-level lines that are exactly one `import` or
  `from ... import`, after a docstring or `__strict__ = ...` first line;
- what that block already imports is not imported again (a relative import counts for
  nothing, `from m import *` for every name of `m`);
- a wanted name of a module the block already has a `from` import of goes first in that
  import (the first one), sorted, unaliased names before aliased ones;
- everything else is appended after the block, in this order: `__future__` names (above
  the block), `import m` sorted, `import m as a` in the order asked, then one
  `from m import ...` per module, modules with an aliased name first; a blank line then
  separates the block from the code below it.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from migrator.import_place import ImportItem
from migrator.source import dotted_name


def append_imports(module: cst.Module, items: Sequence[ImportItem]) -> cst.Module:
    """`module` importing every item, placed as libcst's AddImportsVisitor places them."""
    for item in items:
        if item.module == "__future__" and (item.obj_name is None or item.alias is not None):
            raise ValueError(f"cannot add {item!r}: a __future__ import names a feature")
    wanted = _Wanted(items)
    start = 1 if _skip_first(module) else 0
    block_end = start
    while block_end < len(module.body) and _single_import(module.body[block_end]):
        block_end += 1
    wanted.drop(_Present(module.body[start:block_end]))
    if not wanted:
        return module

    body = list(module.body)
    for index in range(start, block_end):
        line = body[index]
        assert isinstance(line, cst.SimpleStatementLine)
        small = line.body[0]
        if (
            not isinstance(small, cst.ImportFrom)
            or isinstance(small.names, cst.ImportStar)
            or small.relative
            or small.module is None
        ):
            continue
        front = wanted.take_from(dotted_name(small.module))
        if front:
            body[index] = line.with_changes(
                body=[small.with_changes(names=[*front, *small.names]), *line.body[1:]]
            )

    if not wanted:
        # every name went into an existing `from` line: the code below is left as it is
        return module.with_changes(body=body)
    future, appended = wanted.new_lines()
    after = _blank_line_above(body[block_end:])
    return module.with_changes(
        body=[*body[:start], *future, *body[start:block_end], *appended, *after]
    )


class _Wanted:
    """What is still to be imported, in the four forms AddImportsVisitor keeps apart:
    `import m`, `from m import n`, `import m as a`, `from m import n as a`."""

    def __init__(self, items: Sequence[ImportItem]) -> None:
        self.plain = {i.module for i in items if i.obj_name is None and i.alias is None}
        from_modules = sorted(
            {i.module for i in items if i.obj_name is not None and i.alias is None}
        )
        self.names: dict[str, set[str]] = {
            m: {i.obj_name for i in items if i.module == m and i.obj_name and i.alias is None}
            for m in from_modules
        }
        self.module_aliases = {i.module: i.alias for i in items if i.obj_name is None and i.alias}
        aliased_modules = sorted({i.module for i in items if i.obj_name is not None and i.alias})
        self.aliased: dict[str, list[tuple[str, str]]] = {
            m: [(i.obj_name, i.alias) for i in items if i.module == m and i.obj_name and i.alias]
            for m in aliased_modules
        }

    def __bool__(self) -> bool:
        return bool(self.plain or self.names or self.module_aliases or self.aliased)

    def drop(self, present: _Present) -> None:
        """Less what the leading import lines already import."""
        self.plain -= present.plain
        for name, alias in present.module_aliases.items():
            if self.module_aliases.get(name) == alias:
                del self.module_aliases[name]
        for name, pairs in present.aliased.items():
            for pair in pairs:
                if pair in self.aliased.get(name, ()):
                    self.aliased[name].remove(pair)
                    if not self.aliased[name]:
                        del self.aliased[name]
        for name, objects in present.objects.items():
            if name not in self.names:
                continue
            if "*" in objects:
                del self.names[name]
            else:
                self.names[name] -= objects
                if not self.names[name]:
                    del self.names[name]

    def take_from(self, source: str) -> list[cst.ImportAlias]:
        """The names an existing `from source import ...` line takes in front of its own
        (no longer wanted elsewhere)."""
        front = [cst.ImportAlias(name=cst.Name(n)) for n in sorted(self.names.pop(source, ()))]
        front += [
            cst.ImportAlias(name=cst.Name(n), asname=cst.AsName(name=cst.Name(a)))
            for n, a in sorted(self.aliased.pop(source, ()))
        ]
        return front

    def new_lines(self) -> tuple[list[cst.SimpleStatementLine], list[cst.SimpleStatementLine]]:
        """The new `from __future__` lines (first in the block) and the other new lines
        (after it)."""
        from_lines: dict[str, list[tuple[str, str | None]]] = {}
        for name, pairs in self.aliased.items():
            from_lines.setdefault(name, []).extend(pairs)
        for name, objects in self.names.items():
            from_lines.setdefault(name, []).extend((o, None) for o in objects)
        future = [_from_line(m, pairs) for m, pairs in from_lines.items() if m == "__future__"]
        appended = [
            *(_line(f"import {name}") for name in sorted(self.plain)),
            *(_line(f"import {name} as {alias}") for name, alias in self.module_aliases.items()),
            *(_from_line(m, pairs) for m, pairs in from_lines.items() if m != "__future__"),
        ]
        return future, appended


class _Present:
    """What the leading import lines already import."""

    def __init__(self, lines: Sequence[cst.BaseStatement]) -> None:
        self.plain: set[str] = set()
        self.module_aliases: dict[str, str] = {}
        self.objects: dict[str, set[str]] = {}
        self.aliased: dict[str, list[tuple[str, str]]] = {}
        for line in lines:
            assert isinstance(line, cst.SimpleStatementLine)
            small = line.body[0]
            if isinstance(small, cst.Import):
                for alias in small.names:
                    if alias.asname is None:
                        self.plain.add(alias.evaluated_name)
                    else:
                        self.module_aliases[alias.evaluated_name] = alias.evaluated_alias or ""
            elif isinstance(small, cst.ImportFrom):
                self._add_from(small)

    def _add_from(self, small: cst.ImportFrom) -> None:
        if small.relative or small.module is None:
            return  # libcst cannot name the module of a relative import without a package
        source = dotted_name(small.module)
        if source is None:
            return
        if isinstance(small.names, cst.ImportStar):
            self.objects[source] = {"*"}
            return
        pairs = [
            (alias.evaluated_name, alias.evaluated_alias or "")
            for alias in small.names
            if alias.asname is not None
        ]
        if pairs:
            self.aliased.setdefault(source, []).extend(pairs)
        objects = {alias.evaluated_name for alias in small.names if alias.asname is None}
        if objects:
            found = self.objects.setdefault(source, set())
            if "*" in found:
                return
            found.update(objects)


def _skip_first(module: cst.Module) -> bool:
    """A first line that imports never go above: a docstring (a plain string, alone) or
    `__strict__ = ...`."""
    if not module.body or not isinstance(module.body[0], cst.SimpleStatementLine):
        return False
    line = module.body[0]
    if len(line.body) != 1:
        return False
    small = line.body[0]
    if isinstance(small, cst.Expr):
        return isinstance(small.value, cst.SimpleString)
    return (
        isinstance(small, cst.Assign)
        and len(small.targets) == 1
        and isinstance(small.targets[0].target, cst.Name)
        and small.targets[0].target.value == "__strict__"
    )


def _single_import(stmt: cst.BaseStatement) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], (cst.Import, cst.ImportFrom))
    )


def _blank_line_above(statements: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
    """The code after the block, its first statement with a blank line above it."""
    if not statements:
        return statements
    first = statements[0]
    leading = list(first.leading_lines)
    if leading and leading[0].comment is None:
        return statements
    return [first.with_changes(leading_lines=[cst.EmptyLine(), *leading]), *statements[1:]]


def _from_line(source: str, pairs: list[tuple[str, str | None]]) -> cst.SimpleStatementLine:
    listed = ", ".join(n if a is None else f"{n} as {a}" for n, a in sorted(pairs, key=_pair_key))
    return _line(f"from {source} import {listed}")


def _pair_key(pair: tuple[str, str | None]) -> tuple[str, str]:
    # AddImportsVisitor sorts (name, alias) tuples; an alias of None sorts as no alias
    return pair[0], pair[1] or ""


def _line(source: str) -> cst.SimpleStatementLine:
    statement = cst.parse_statement(source)
    assert isinstance(statement, cst.SimpleStatementLine)
    return statement
