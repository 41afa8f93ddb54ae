"""Imports that take the place of the openai import they replace.

A strategy that moves code to another SDK (native) asks for that SDK's imports with
`Plan.add_import_in_place`. A person porting the file by hand would write them where the
openai import stood, in the same group: `from openai import OpenAI` becomes
`import dashscope` on that line, not a new line appended after the first-party imports.
So the new imports go right next to the first top-level openai import (before it when
they sort before `openai`), and when that import then goes unused and is removed, the
blank lines and comments above it stay with the import that replaced it.

Compat never asks for these: its output does not depend on this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from migrator.source import code_of

LINE_WIDTH = 99  # what the rewrite's own new statements stay within


@dataclass(frozen=True)
class ImportItem:
    """An import a fixer asks for: `import module [as alias]`, or `from module import
    obj_name [as alias]`. Ours rather than libcst.codemod's (the same three fields):
    importing libcst.codemod costs a third of a second at every start of the CLI, and
    is only needed in the rare fallback that places an import with libcst's visitor."""

    module: str
    obj_name: str | None = None
    alias: str | None = None


def place_imports(
    module: cst.Module, items: Sequence[ImportItem], in_use: set[str]
) -> tuple[cst.Module, list[ImportItem], set[int]]:
    """`module` with `items` imported next to its first top-level openai import.

    Returns the module, the items that found no openai import to stand by (the caller adds
    them the ordinary way), and the ids of the statements inserted (the heirs of an openai
    import that is removed afterwards: `inherit_leading_lines`)."""
    wanted = [i for i in items if (i.alias or i.obj_name or i.module.split(".")[0]) in in_use]
    old_body = list(module.body)
    anchor = next((i for i, s in enumerate(old_body) if _imports_openai(s)), None)
    if not wanted or anchor is None:
        return module, wanted, set()
    sources = _sources(wanted, _already_imported(old_body))
    if not sources:
        return module, [], set()
    new_lines = [cst.parse_statement(src + module.default_newline) for src in sources]
    # A name the new imports bind is the SDK's now: an openai import of it would clash.
    rebound = {i.obj_name for i in wanted if i.obj_name is not None and i.alias is None}
    body: list[cst.BaseStatement] = []
    for index, stmt in enumerate(old_body):
        stripped = _without_names(stmt, rebound)
        if index != anchor:
            if stripped is not None:
                body.append(stripped)
            continue
        if stripped is None:  # the openai line is gone: the new lines stand in its place
            new_lines[0] = new_lines[0].with_changes(leading_lines=stmt.leading_lines)
            body.extend(new_lines)
        elif _statement_module(new_lines[0]) < "openai":
            # Before the openai import (isort's order), taking over what was above it.
            new_lines[0] = new_lines[0].with_changes(leading_lines=stripped.leading_lines)
            body.extend([*new_lines, stripped.with_changes(leading_lines=[])])
        else:
            body.extend([stripped, *new_lines])
    return module.with_changes(body=body), [], {id(s) for s in new_lines}


def inherit_leading_lines(
    original: Sequence[cst.BaseStatement],
    body: Sequence[cst.BaseStatement | cst.RemovalSentinel],
    heirs: set[int],
) -> list[cst.BaseStatement]:
    """`body` (`original` statement by statement, a removed import line a RemovalSentinel)
    without the removed lines; an inserted import right after a removed one takes that
    line's blank lines and comments, so its group stays apart from the group above."""
    out: list[cst.BaseStatement] = []
    carried: list[cst.EmptyLine] = []
    for old, stmt in zip(original, body, strict=True):
        if isinstance(stmt, cst.RemovalSentinel):
            if heirs and not carried:
                carried = list(getattr(old, "leading_lines", ()))
            continue
        if carried and id(stmt) in heirs:
            stmt = stmt.with_changes(leading_lines=[*carried, *stmt.leading_lines])
        carried = []
        out.append(stmt)
    return out


def _without_names(stmt: cst.BaseStatement, names: set[str]) -> cst.BaseStatement | None:
    """`stmt` without the unaliased `names` its `from openai import` binds (None: nothing
    is left of the line)."""
    if not names or not _imports_openai(stmt):
        return stmt
    assert isinstance(stmt, cst.SimpleStatementLine)
    smalls: list[cst.BaseSmallStatement] = []
    for small in stmt.body:
        if (
            isinstance(small, cst.ImportFrom)
            and small.module is not None
            and code_of(small.module) == "openai"
            and not isinstance(small.names, cst.ImportStar)
        ):
            kept = [a for a in small.names if a.asname is not None or code_of(a.name) not in names]
            if not kept:
                continue
            if len(kept) != len(small.names):
                kept[-1] = kept[-1].with_changes(comma=small.names[-1].comma)
                small = small.with_changes(names=kept)
        smalls.append(small)
    if not smalls:
        return None
    if smalls == list(stmt.body):
        return stmt
    if isinstance(smalls[-1].semicolon, cst.Semicolon):
        smalls[-1] = smalls[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return stmt.with_changes(body=smalls)


def _imports_openai(stmt: cst.CSTNode) -> bool:
    if not isinstance(stmt, cst.SimpleStatementLine):
        return False
    for small in stmt.body:
        if isinstance(small, cst.Import) and any(
            code_of(a.name).split(".")[0] == "openai" for a in small.names
        ):
            return True
        if (
            isinstance(small, cst.ImportFrom)
            and not small.relative
            and small.module is not None
            and code_of(small.module).split(".")[0] == "openai"
        ):
            return True
    return False


def _already_imported(body: Sequence[cst.BaseStatement]) -> set[tuple[str, str | None]]:
    """(module, name) of every top-level import: (module, None) for `import module`."""
    found: set[tuple[str, str | None]] = set()
    for stmt in body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Import):
                found.update((code_of(a.name), None) for a in small.names if a.asname is None)
            elif (
                isinstance(small, cst.ImportFrom)
                and small.module is not None
                and not small.relative
                and not isinstance(small.names, cst.ImportStar)
            ):
                module = code_of(small.module)
                found.update((module, code_of(a.name)) for a in small.names if a.asname is None)
    return found


def _sources(items: Sequence[ImportItem], present: set[tuple[str, str | None]]) -> list[str]:
    """One line per module, sorted as isort would: plain imports, then `from` imports."""
    plain: list[str] = []
    names: dict[str, list[str]] = {}
    for item in items:
        if item.obj_name is None:
            text = item.module + (f" as {item.alias}" if item.alias else "")
            if (item.module, None) not in present and text not in plain:
                plain.append(text)
        elif (item.module, item.obj_name) not in present:
            text = item.obj_name + (f" as {item.alias}" if item.alias else "")
            found = names.setdefault(item.module, [])
            if text not in found:
                found.append(text)
    out = [f"import {text}" for text in sorted(plain)]
    for module, found in sorted(names.items()):
        listed = ", ".join(sorted(found, key=str.lower))
        line = f"from {module} import {listed}"
        if len(line) > LINE_WIDTH:
            body = "".join(f"    {n},\n" for n in sorted(found, key=str.lower))
            line = f"from {module} import (\n{body})"
        out.append(line)
    return out


def _statement_module(stmt: cst.BaseStatement) -> str:
    assert isinstance(stmt, cst.SimpleStatementLine)
    small = stmt.body[0]
    if isinstance(small, cst.Import):
        return code_of(small.names[0].name)
    assert isinstance(small, cst.ImportFrom) and small.module is not None
    return code_of(small.module)
