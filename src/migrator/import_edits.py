"""Adding and removing imports in a rewritten module, as a person would write them.

An added plain or `from` import joins the import block where it sorts (stdlib with
stdlib, after the docstring and `__future__`); the rest are appended to the leading import
block (import_block.py, where libcst's AddImportsVisitor would put them);
an import a fixer made unused is removed by a plain name count (libcst's
RemoveImportsVisitor needs scope analysis of the whole module). Statements a fixer inserts
(a module's client) go after the imports.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import libcst as cst

from migrator.import_block import append_imports
from migrator.import_place import ImportItem, inherit_leading_lines
from migrator.source import code_of, sequence_separator
from migrator.walk import walk


def _is_import_line(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
    )


def _imports_from(stmt: cst.CSTNode, source: str) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and any(
        isinstance(small, cst.ImportFrom)
        and not small.relative
        and small.module is not None
        and code_of(small.module) == source
        for small in stmt.body
    )


def _is_docstring(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def insertion_index(module: cst.Module) -> int:
    """Where `Plan.insert_after_imports` puts new top-level statements (without a settings
    anchor): after the last import of the leading block (or the docstring)."""
    index = 0
    for position, stmt in enumerate(module.body):
        if _is_import_line(stmt) or (position == 0 and _is_docstring(stmt)):
            index = position + 1
        elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)) or (
            index and not isinstance(stmt, cst.SimpleStatementLine)
        ):
            # (a guarded `if`/`try` block may come before the first import; a definition
            # ends the header: an import further down is code's, not the leading block's)
            break
    return index


def insert_statements(module: cst.Module, statements: list[cst.CSTNode]) -> cst.Module:
    """Put new top-level statements after the last top-level import (or the docstring),
    as a block of their own: one blank line above it; the code below keeps its own."""
    index = insertion_index(module)
    first, *rest = statements
    first = first.with_changes(leading_lines=[cst.EmptyLine()] if index else [])
    return module.with_changes(body=[*module.body[:index], first, *rest, *module.body[index:]])


def _stdlib(name: str) -> bool:
    return name.split(".")[0] in sys.stdlib_module_names


def _import_names(stmt: cst.SimpleStatementLine) -> list[tuple[str, bool]]:
    """(module, is a plain `import`) for each import in a statement line."""
    out: list[tuple[str, bool]] = []
    for small in stmt.body:
        if isinstance(small, cst.Import):
            out.extend((code_of(a.name), True) for a in small.names)
        elif isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
            out.append((code_of(small.module), False))
        else:
            out.append(("", False))  # relative import: first-party
    return out


def _add_plain_import(module: cst.Module, name: str, alias: str | None = None) -> cst.Module | None:
    """`import name [as alias]` (a stdlib module) where isort would put it, or None to
    fall back.

    Into the first block of stdlib imports, in order among its plain imports; with no
    such block, as a block of its own before the first non-__future__ import. Never below
    the first statement that uses the name."""
    body = list(module.body)
    positions = [i for i, stmt in enumerate(body) if _is_import_line(stmt)]
    for i in positions:
        for imported, plain in _import_names(body[i]):  # type: ignore[arg-type]
            if plain and imported == name and alias is None:
                return module  # already imported
    new = cst.parse_statement(
        f"import {name}{f' as {alias}' if alias else ''}{module.default_newline}"
    )
    first_stdlib = next(
        (
            i
            for i in positions
            if all(_stdlib(m) and m != "__future__" for m, _ in _import_names(body[i]))  # type: ignore[arg-type]
        ),
        None,
    )
    first_use = _first_use(body, alias or name)
    if first_stdlib is not None and first_stdlib < first_use:
        index = first_stdlib
        while index < len(body) and _is_import_line(body[index]):
            names = _import_names(body[index])  # type: ignore[arg-type]
            if index > first_stdlib and body[index].leading_lines:
                break  # a blank line or comment ends the block
            if not all(_stdlib(m) for m, _ in names):
                break
            if not names[0][1] or names[0][0] > name:
                break
            index += 1
        if index == first_stdlib:
            blank, comments = _split_leading(body[index].leading_lines)
            new = new.with_changes(leading_lines=blank)
            body[index] = body[index].with_changes(leading_lines=comments)
        body.insert(index, new)  # at or above `first_use`: the loop passes imports only
        return module.with_changes(body=body)
    others = [
        i
        for i in positions
        if any(m != "__future__" for m, _ in _import_names(body[i]))  # type: ignore[arg-type]
    ]
    # The new name must be bound before the first statement that uses it (a `try:` block
    # above the imports, say).
    index = min(others[0], first_use) if others else first_use
    if index >= len(body):
        return None
    # A block of its own; a comment above the first import stays with that import.
    blank, comments = _split_leading(body[index].leading_lines)
    new = new.with_changes(leading_lines=blank)
    body[index] = body[index].with_changes(leading_lines=[cst.EmptyLine(), *comments])
    body.insert(index, new)
    return module.with_changes(body=body)


def _first_use(body: Sequence[cst.BaseStatement], name: str) -> int:
    """The index of the first top-level statement, imports aside, that mentions `name`
    (len(body) when none does)."""
    for index, stmt in enumerate(body):
        if _is_import_line(stmt):
            continue
        finder = NamesInUse()
        walk(stmt, finder)
        if name in finder.names:
            return index
    return len(body)


def _split_leading(
    lines: Sequence[cst.EmptyLine],
) -> tuple[list[cst.EmptyLine], list[cst.EmptyLine]]:
    """Blank lines before the first comment, and the rest (comments belong to the code
    below them)."""
    for index, line in enumerate(lines):
        if line.comment is not None:
            return list(lines[:index]), list(lines[index:])
    return list(lines), []


def _add_from_import(module: cst.Module, source: str, name: str) -> cst.Module | None:
    """Add `name` to an existing top-level `from source import ...` (in order when the
    names there are sorted), or None to fall back to `append_imports`.

    Only an import above `insertion_index` counts: a `from openai import ...` further down
    binds its names too late for the statements inserted there, so the name gets a
    statement of its own at that index."""
    limit = insertion_index(module)
    for index, stmt in enumerate(module.body):
        if not _is_import_line(stmt):
            continue
        if index >= limit:
            if not _imports_from(stmt, source):
                continue
            new = cst.parse_statement(f"from {source} import {name}" + module.default_newline)
            return module.with_changes(body=[*module.body[:limit], new, *module.body[limit:]])
        assert isinstance(stmt, cst.SimpleStatementLine)
        for small_index, small in enumerate(stmt.body):
            if (
                not isinstance(small, cst.ImportFrom)
                or small.relative
                or small.module is None
                or code_of(small.module) != source
                or isinstance(small.names, cst.ImportStar)
            ):
                continue
            aliases = list(small.names)
            present = [code_of(a.name) for a in aliases]
            if any(p == name and a.asname is None for p, a in zip(present, aliases, strict=True)):
                return module
            position = len(aliases)
            if present == sorted(present, key=str.lower):
                position = next(
                    (i for i, p in enumerate(present) if p.lower() > name.lower()), len(aliases)
                )
            names = _with_alias(small, position, cst.ImportAlias(name=cst.Name(name)))
            new_small = small.with_changes(names=names)
            new_stmt = stmt.with_changes(
                body=[*stmt.body[:small_index], new_small, *stmt.body[small_index + 1 :]]
            )
            return module.with_changes(
                body=[*module.body[:index], new_stmt, *module.body[index + 1 :]]
            )
    return None


def _with_alias(
    small: cst.ImportFrom, position: int, alias: cst.ImportAlias
) -> list[cst.ImportAlias]:
    """The names of `small` with `alias` inserted at `position`, commas threaded as the
    list had them."""
    aliases = list(small.names)  # type: ignore[arg-type]
    opening = small.lpar.whitespace_after if small.lpar else cst.SimpleWhitespace("")
    separator = sequence_separator([a.comma for a in aliases], opening)
    if position == len(aliases):
        last = aliases[-1]
        return [
            *aliases[:-1],
            last.with_changes(comma=separator),
            alias.with_changes(comma=last.comma),
        ]
    return [*aliases[:position], alias.with_changes(comma=separator), *aliases[position:]]


def add_imports(module: cst.Module, items: list[ImportItem], in_use: set[str]) -> cst.Module:
    # Fixers ask for imports while planning; an edit may then be suppressed (an ignore
    # comment): only what the new code uses is imported.
    fallback: list[ImportItem] = []
    for item in items:
        if (item.alias or item.obj_name or item.module.split(".")[0]) not in in_use:
            continue
        if item.obj_name is None and _stdlib(item.module):
            added = _add_plain_import(module, item.module, item.alias)
        elif item.obj_name is not None and item.alias is None:
            added = _add_from_import(module, item.module, item.obj_name)
        else:
            added = None
        if added is None:
            fallback.append(item)
        else:
            module = added
    if fallback:
        module = append_imports(module, fallback)
    return module


class NamesInUse(cst.CSTVisitor):
    """Every bare name the module uses outside its import statements."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        # `x.RateLimitError` does not use a bare name `RateLimitError`
        walk(node.value, self)
        return False


def remove_unused_imports(
    module: cst.Module,
    items: list[tuple[str, str | None]],
    in_use: set[str],
    heirs: set[int] | None = None,
) -> cst.Module:
    """Drop `from module import name` entries the rewrite left unused.

    Only names a fixer replaced are candidates, so a plain name count is enough (libcst's
    RemoveImportsVisitor needs scope analysis of the whole module: ~0.3 s a file)."""
    unused = {(m, n) for m, n in items if n is not None and n not in in_use}
    # `import openai` whose last use a fixer replaced (the native strategy's clients and
    # exceptions): asked for as (module, None).
    plain = {m for m, n in items if n is None and m.split(".")[0] not in in_use}
    if not unused and not plain:
        return module
    body = list(module.body)
    for index, stmt in enumerate(body):
        if not _is_import_line(stmt):
            continue
        assert isinstance(stmt, cst.SimpleStatementLine)
        smalls: list[cst.BaseSmallStatement] = []
        for small in stmt.body:
            if isinstance(small, cst.Import) and plain:
                names = [
                    a for a in small.names if a.asname is not None or code_of(a.name) not in plain
                ]
                if not names:
                    continue
                if len(names) != len(small.names):
                    small = small.with_changes(
                        names=[*names[:-1], names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
                    )
            if (
                isinstance(small, cst.ImportFrom)
                and not small.relative
                and small.module is not None
                and not isinstance(small.names, cst.ImportStar)
            ):
                source = code_of(small.module)
                kept = [
                    a
                    for a in small.names
                    if a.asname is not None or (source, code_of(a.name)) not in unused
                ]
                if not kept:
                    continue
                if len(kept) != len(small.names):
                    last = small.names[-1].comma
                    kept[-1] = kept[-1].with_changes(comma=last)
                    small = small.with_changes(names=kept)
            smalls.append(small)
        if not smalls:
            body[index] = cst.RemoveFromParent()  # type: ignore[assignment]
        elif smalls != list(stmt.body):
            body[index] = stmt.with_changes(body=smalls)
    return module.with_changes(body=inherit_leading_lines(module.body, body, heirs or set()))
