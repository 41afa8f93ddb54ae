"""Run the rewrite over a target and gather what diff, apply and checklist need."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from migrator.discovery import Target
from migrator.model import FileError, FileResult, Finding
from migrator.rewrite import RewriteOptions, file_encoding, rewrite_job, unified_diff
from migrator.runner import RunStats, run
from migrator.secrets import redact_secrets


@dataclass
class MigrationReport:
    root: Path
    options: RewriteOptions
    results: list[FileResult]
    stats: RunStats

    @property
    def changed(self) -> list[FileResult]:
        return [r for r in self.results if r.new_source is not None]

    @property
    def findings(self) -> list[Finding]:
        return sorted((f for r in self.results for f in r.findings), key=Finding.sort_key)

    @property
    def errors(self) -> list[FileError]:
        return [e for r in self.results for e in r.errors]

    @property
    def edits(self) -> int:
        return sum(r.edits for r in self.changed)

    def severity_counts(self) -> Counter[str]:
        return Counter(f.severity for f in self.findings)

    def diffs(self) -> list[tuple[str, str]]:
        out = []
        for result in self.changed:
            assert result.old_source is not None and result.new_source is not None
            encoding = file_encoding(result.old_source)
            text = unified_diff(result.path, result.old_source, result.new_source, encoding)
            out.append((result.path, redact_secrets(text)))
        return out

    def to_json(self) -> dict[str, Any]:
        mapping = self.options.mapping
        return {
            "version": 1,
            "provider": mapping.id,
            "strategy": self.options.strategy,
            "files": [{"path": path, "diff": diff} for path, diff in self.diffs()],
            "findings": [f.to_json() for f in self.findings],
            "errors": [{**e.to_json(), "message": redact_secrets(e.message)} for e in self.errors],
            "summary": {"files_changed": len(self.changed), "edits": self.edits},
        }


def migrate(
    target: Target,
    options: RewriteOptions,
    *,
    jobs: int | None = None,
    show_progress: bool | None = None,
) -> MigrationReport:
    results, stats = run(target, rewrite_job, options, jobs=jobs, show_progress=show_progress)
    return MigrationReport(target.root, options, results, stats)
