"""The migration checklist: what a person must still do, grouped in five sections.

`collect(plan)` turns a `ProjectPlan` (apply_plan.py) into findings: the codemods' findings as
they are, plus items that need the whole repository or the mapping (rules MIG6xx-MIG9xx
in rules.py): environment variables to provision, endpoints, dependency and env files,
behaviour differences of the mapped models, the data region and filing status, personal
data, and how to verify the result. `render_markdown` / `render_json` print them.
Findings of one rule and one cause become one item naming its places (grouping.py);
data files (results, outputs, recordings, release notes) are not read as configuration
(datafiles.py).

Line numbers: `migrator checklist` describes the code as it is now, so every item points
at the current files; MIGRATION.md is committed next to the migrated code, so `apply`
asks for `applied=True` and items point at the rewritten files (lines are carried over
with a line diff of the old and new bytes).

Suppression works as for code findings: `--ignore MIGxxx` / `[tool.migrator] ignore`
everywhere, `# migrator: ignore[MIGxxx]` on the line an item points at. A real `.env` is
never read except through `envfiles.scan_dotenv_for_keys`, which only returns redacted
values.
Layout: checklist_scan.py (the shared context, line maps, and what the repository's
non-Python files show), checklist_items.py (code and configuration items),
checklist_review.py (behaviour, compliance and verification items), checklist_render.py
(Markdown and JSON).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from migrator.checklist_items import CodeItems, ConfigItems
from migrator.checklist_render import (
    CHECKLIST_MARKER,
    render_markdown,
    severity_counts,
    sort_findings,
    to_json,
)
from migrator.checklist_review import BehaviourItems, ComplianceItems, VerificationItems
from migrator.checklist_scan import Item, LineMap, RepoFiles
from migrator.grouping import group_findings
from migrator.model import FileError, Finding
from migrator.notebook import is_notebook
from migrator.notebook_job import place_of
from migrator.secrets import redact_secrets
from migrator.suppression import line_suppresses

if TYPE_CHECKING:
    from migrator.apply_plan import ProjectPlan

# What other modules import from here (cli_apply.py, apply.py, the tests).
__all__ = [
    "CHECKLIST_MARKER",
    "LineMap",
    "collect",
    "render_markdown",
    "severity_counts",
    "sort_findings",
    "to_json",
]


def collect(plan: ProjectPlan, *, applied: bool = False) -> list[Finding]:
    """Every checklist item for `plan`, sorted by section, severity, path and line."""
    return Checklist(plan, applied).run()


class Checklist(
    CodeItems, ConfigItems, BehaviourItems, ComplianceItems, VerificationItems, RepoFiles
):
    """Every item builder, run in the order that decides which items are made."""

    # -- the run ---------------------------------------------------------------------------
    def run(self) -> list[Finding]:
        for finding in self.plan.report.findings:
            self.add(finding.id, finding.path, finding.line, finding.message,
                     severity=finding.severity, category=finding.category,
                     cell=_cell(finding))  # fmt: skip
        for error in self.plan.report.errors:
            self.add("MIG603", error.path, error.line,
                     f"not migrated: {redact_secrets(error.message)}; fix the file or port it by "
                     "hand", cell=_cell(error))  # fmt: skip
        details = self._call_details()
        self._exceptions()
        self._escapes(details)
        self._openai_hosts()
        self._kept_env_vars()
        if self.sdk and self.migrated_paths:
            self._env_to_provision()
            self._endpoint()
            self._strategy_notes()
            self._behaviour(details)
            self._compliance()
            self._entry_points()
        elif self.sdk:
            self._nothing_retargeted()
        if self.plan.is_project:
            if self.sdk:
                self._dependencies()
                self._env_templates()
                self._test_command()
            self._dotenv_files()
            self._other_files()
        return self._finish()

    def _strategy_notes(self) -> None:
        """The strategy's own items (the native SDK's responses, errors, ranges)."""
        notes = self.plan.options.strategy.checklist_notes
        primary = self.primary
        if notes is None or primary is None:
            return
        rules = frozenset(f.id for f in self.plan.report.findings)
        for message in notes(self.mapping, rules, self.plan.migrated_sources):
            self.add("MIG707", primary.path, primary.line, message)

    def _finish(self) -> list[Finding]:
        ignore = self.plan.options.ignore
        dotenv = set(self.plan.dotenv_files)
        findings: set[Finding] = set()
        for item in self.items:
            if item.id in ignore:
                continue
            if item.path not in dotenv and self._line_ignores(item):
                continue
            line = self.out_line(item.path, item.line, item.coord)
            cell = item.cell if item.cell and line == item.line else self._cell_of(item.path, line)
            findings.add(
                Finding(item.id, item.severity, item.category, item.path, line, item.message,
                        cell=cell[0] if cell else None, cell_line=cell[1] if cell else None)
            )  # fmt: skip
        # Suppressed and carried to the output's lines place by place, then one item a cause.
        return sort_findings(group_findings(findings))

    def _cell_of(self, path: str, line: int) -> tuple[int, int] | None:
        """A notebook's (cell, line in cell) for a line of its JSON file in the output."""
        if not is_notebook(path):
            return None
        return place_of(self.bytes_of(path, "new" if self.applied else "old"), line)

    def _line_ignores(self, item: Item) -> bool:
        if is_notebook(item.path):
            return False
        lines = self.lines_of(item.path, item.coord)
        if not lines or item.line > len(lines):
            return False
        return line_suppresses(lines[item.line - 1], item.id)


def _cell(place: Finding | FileError) -> tuple[int, int] | None:
    if place.cell is None or place.cell_line is None:
        return None
    return place.cell, place.cell_line
