"""The rewrite engine: inventory + mapping -> planned edits -> new source, diff, findings.

Fixers (codemods/, one per file, run in registry order) never walk the tree
themselves: they read the inventory's sites and record edits on a `Plan`, keyed by
the identity of the original node. One transformer then applies every edit in a
single pass, so fixers compose (a call can get its model renamed by one fixer and a
parameter dropped by another) and bytes outside edited nodes stay as they were.

What cannot be rewritten safely is left as it is, marked with a one-line
`# migrator: MIGxxx reason` comment above its statement, and reported as a finding.
A `# migrator: ignore[MIGxxx]` comment on a line suppresses that rule there.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, ImportItem, RemoveImportsVisitor
from libcst.metadata import ParentNodeProvider, PositionProvider

from migrator.inventory import Inventory, build_inventory
from migrator.model import Category, FileResult, Finding, Severity
from migrator.source import parse_source

if TYPE_CHECKING:
    from migrator.mapping import Mapping

MARKER_PREFIX = "# migrator:"
_IGNORE = re.compile(r"#\s*migrator:\s*ignore(?:\[([A-Z0-9,\s]+)\])?")

Edit = Callable[[Any], Any]


@dataclass(frozen=True)
class RewriteOptions:
    """Everything a worker needs; picklable (sent to the process pool)."""

    mapping: Mapping
    strategy: str = "compat"
    upgrade_v0: bool = False
    ignore: frozenset[str] = frozenset()


@dataclass
class Plan:
    """Edits and findings for one file, recorded by fixers and applied once."""

    path: str
    module: cst.Module
    inventory: Inventory
    options: RewriteOptions
    wrapper: cst.MetadataWrapper
    edits: dict[cst.CSTNode, list[Edit]] = field(default_factory=dict)
    markers: dict[cst.CSTNode, list[str]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    imports_to_add: list[ImportItem] = field(default_factory=list)
    imports_to_remove: list[tuple[str, str | None]] = field(default_factory=list)
    statements_after_imports: list[str] = field(default_factory=list)
    edit_count: int = 0
    _ignored: dict[int, frozenset[str] | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._positions = self.wrapper.resolve(PositionProvider)
        self._parents = self.wrapper.resolve(ParentNodeProvider)
        for number, text in enumerate(self.module.code.splitlines(), 1):
            match = _IGNORE.search(text)
            if match:
                codes = match.group(1)
                self._ignored[number] = (
                    frozenset(c.strip() for c in codes.split(",") if c.strip()) if codes else None
                )

    @property
    def mapping(self) -> Mapping:
        return self.options.mapping

    # -- positions -------------------------------------------------------------------------
    def line_of(self, node: cst.CSTNode) -> int:
        try:
            return self._positions[node].start.line
        except KeyError:
            return 1

    def statement_of(self, node: cst.CSTNode) -> cst.CSTNode:
        """The statement (simple line or compound) that holds `node`."""
        current: cst.CSTNode = node
        while True:
            parent = self._parents.get(current)
            if parent is None or isinstance(
                current, (cst.SimpleStatementLine, cst.BaseCompoundStatement)
            ):
                return current
            current = parent

    def parent_of(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self._parents.get(node)

    def suppressed(
        self, rule: str, node: cst.CSTNode | None = None, line: int | None = None
    ) -> bool:
        if rule in self.options.ignore:
            return True
        if line is None and node is not None:
            statement = self.statement_of(node)
            lines = {self.line_of(node), self.line_of(statement)}
            return any(self._line_ignores(n, rule) for n in lines)
        return line is not None and self._line_ignores(line, rule)

    def _line_ignores(self, line: int, rule: str) -> bool:
        if line not in self._ignored:
            return False
        codes = self._ignored[line]
        return codes is None or rule in codes

    # -- recording -------------------------------------------------------------------------
    def replace(self, node: cst.CSTNode, edit: Edit, rule: str) -> bool:
        """Queue `edit(updated_node) -> new_node` for `node`; False when suppressed."""
        if self.suppressed(rule, node):
            return False
        self.edits.setdefault(node, []).append(edit)
        self.edit_count += 1
        return True

    def finding(
        self,
        rule: str,
        severity: Severity,
        category: Category,
        message: str,
        node: cst.CSTNode | None = None,
        line: int | None = None,
    ) -> None:
        where = line if line is not None else (self.line_of(node) if node is not None else 1)
        if self.suppressed(rule, node, None if node is not None else where):
            return
        finding = Finding(rule, severity, category, self.path, where, message)
        if finding not in self.findings:
            self.findings.append(finding)

    def mark(
        self,
        node: cst.CSTNode,
        rule: str,
        severity: Severity,
        category: Category,
        message: str,
        short: str | None = None,
    ) -> None:
        """Leave `node` as it is: a marker comment above its statement, and a finding.

        `short` is the comment's text (kept brief: it lives in the user's code); the
        finding carries the full message."""
        if self.suppressed(rule, node):
            return
        self.finding(rule, severity, category, message, node=node)
        statement = self.statement_of(node)
        text = f"{MARKER_PREFIX} {rule} {_one_line(short or message)}"
        if _has_marker(statement, rule):
            return
        existing = self.markers.setdefault(statement, [])
        if text not in existing:
            existing.append(text)
            self.edit_count += 1

    def add_import(self, module: str, name: str | None = None) -> None:
        item = ImportItem(module, name)
        if item not in self.imports_to_add:
            self.imports_to_add.append(item)

    def remove_import_if_unused(self, module: str, name: str | None = None) -> None:
        self.imports_to_remove.append((module, name))

    def insert_after_imports(self, source: str) -> None:
        if source not in self.statements_after_imports:
            self.statements_after_imports.append(source)
            self.edit_count += 1


def _one_line(text: str) -> str:
    return " ".join(text.split())[:100]


def _has_marker(statement: cst.CSTNode, rule: str) -> bool:
    leading = getattr(statement, "leading_lines", ())
    return any(
        line.comment is not None and line.comment.value.startswith(f"{MARKER_PREFIX} {rule}")
        for line in leading
    )


class _Applier(cst.CSTTransformer):
    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        result: Any = updated_node
        for edit in self.plan.edits.get(original_node, ()):
            result = edit(result)
        markers = self.plan.markers.get(original_node)
        if markers and hasattr(result, "leading_lines"):
            added = [cst.EmptyLine(comment=cst.Comment(text)) for text in markers]
            result = result.with_changes(leading_lines=[*result.leading_lines, *added])
        return result


def _insert_statements(module: cst.Module, sources: list[str]) -> cst.Module:
    """Put new top-level statements after the last top-level import (or the docstring)."""
    statements = [cst.parse_statement(src + module.default_newline) for src in sources]
    index = 0
    for position, stmt in enumerate(module.body):
        if isinstance(stmt, cst.SimpleStatementLine) and (
            all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)
            or (position == 0 and isinstance(stmt.body[0], cst.Expr))
        ):
            index = position + 1
        elif index and not isinstance(stmt, cst.SimpleStatementLine):
            break
    return module.with_changes(body=[*module.body[:index], *statements, *module.body[index:]])


def rewrite_module(
    module: cst.Module, path: str, options: RewriteOptions
) -> tuple[cst.Module, Plan]:
    """Plan and apply every fixer to one parsed module."""
    from migrator.codemods.registry import FIXERS

    wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True)
    inventory = build_inventory(wrapper, path)
    plan = Plan(path, wrapper.module, inventory, options, wrapper)
    if not inventory.usages():
        return module, plan
    for fixer in FIXERS:
        fixer(plan)
    new = wrapper.module.visit(_Applier(plan))
    if plan.statements_after_imports:
        new = _insert_statements(new, plan.statements_after_imports)
    if plan.imports_to_add:
        new = AddImportsVisitor(CodemodContext(), plan.imports_to_add).transform_module(new)
    if plan.imports_to_remove:
        context = CodemodContext()
        for module_name, name in plan.imports_to_remove:
            RemoveImportsVisitor.remove_unused_import(context, module_name, name)
        new = RemoveImportsVisitor(context).transform_module(new)
    return new, plan


def rewrite_job(rel: str, data: bytes, options: RewriteOptions) -> FileResult:
    """Worker entry point: one file in, its diff material and findings out."""
    module, error = parse_source(data, rel)
    if module is None:
        assert error is not None
        return FileResult(rel, errors=[error])
    new_module, plan = rewrite_module(module, rel, options)
    result = FileResult(
        rel,
        usages=plan.inventory.usages(),
        findings=sorted(plan.findings, key=Finding.sort_key),
    )
    new_bytes = new_module.bytes
    if new_bytes != data:
        # Never hand back code that does not parse: report it as our bug instead.
        _, check = parse_source(new_bytes, rel)
        if check is not None:
            result.errors.append(
                type(check)(
                    rel, check.line, f"internal error: rewrite does not parse: {check.message}"
                )
            )
            return result
        result.old_source = data
        result.new_source = new_bytes
        result.edits = plan.edit_count
    return result


def unified_diff(path: str, old: bytes, new: bytes, encoding: str = "utf-8") -> str:
    """A git-style unified diff; decodes with the file's own encoding for display."""
    old_text = _decode(old, encoding)
    new_text = _decode(new, encoding)
    lines = difflib.unified_diff(
        old_text.splitlines(keepends=True),
        new_text.splitlines(keepends=True),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _decode(data: bytes, encoding: str) -> str:
    text = data.decode(encoding, errors="replace")
    return text.replace("\r\n", "\n")


def file_encoding(data: bytes) -> str:
    try:
        return cst.parse_module(data).encoding
    except Exception:  # noqa: BLE001 - display only
        return "utf-8"
