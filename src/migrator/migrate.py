"""Run the rewrite over a target and gather what diff, apply and checklist need.

`migrate` takes an earlier run's report when the report memo allows (report_memo.py),
else runs the files (migrate_run.py: the pre-passes, the workers, the request rounds),
which a run served by the memo does not import."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from migrator.discovery import Target
from migrator.model import FileError, FileResult, Finding
from migrator.notebook import is_notebook
from migrator.notebook_job import cell_diff
from migrator.options import RewriteOptions
from migrator.report_memo import ReportMemo
from migrator.runner import RunStats
from migrator.secrets import redact_secrets
from migrator.text_diff import file_encoding, unified_diff

if TYPE_CHECKING:
    from migrator.result_cache import ResultCache


@dataclass
class MigrationReport:
    """A migration's results, file by file, with the options it ran with."""

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
            notebook = is_notebook(result.path)
            encoding = "utf-8" if notebook else file_encoding(result.old_source)
            text = unified_diff(
                result.path, result.old_source, result.new_source, encoding, keep_cr=notebook
            )
            out.append((result.path, redact_secrets(text)))
        return out

    def review_diffs(self, diffs: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
        """The diffs a person reads: a notebook's as per-cell hunks of its Python lines
        (`diffs()`, or the `diffs` already made, keeps the JSON-level patch `git apply`
        takes)."""
        out = []
        made = self.diffs() if diffs is None else diffs
        for (path, diff), result in zip(made, self.changed, strict=True):
            if is_notebook(path):
                assert result.old_source is not None and result.new_source is not None
                diff = redact_secrets(cell_diff(path, result.old_source, result.new_source))
            out.append((path, diff))
        return out

    def to_json(self) -> dict[str, Any]:
        mapping = self.options.mapping
        files: list[dict[str, Any]] = []
        diffs = self.diffs()
        for (path, diff), (_, review) in zip(diffs, self.review_diffs(diffs), strict=True):
            entry = {"path": path, "diff": diff}
            if is_notebook(path):
                entry["cell_diff"] = review  # contract extension: notebooks
            files.append(entry)
        return {
            "version": 1,
            "provider": mapping.id,
            "strategy": self.options.strategy.id,
            "files": files,
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
    cache: ResultCache | None = None,
) -> MigrationReport:
    memo: ReportMemo | None = None
    if cache is not None:
        # One entry serves diff, apply and checklist: the checklist's call facts are
        # always computed when results are kept (no output of `diff` reads them).
        options = replace(options, call_facts=True)
        memo = ReportMemo(cache, target, options)
        report = memo.load(options)
        if report is not None:
            return report
    from migrator.migrate_run import run_files

    return run_files(target, options, jobs=jobs, show_progress=show_progress, cache=cache,
                     memo=memo)  # fmt: skip


def rewrite_file(rel: str, data: bytes, options: RewriteOptions) -> FileResult:
    """The job each file runs (`rewrite.rewrite_job`). The engine, and libcst with it, is
    imported by the first file the result cache does not hold: a run that finds every
    file cached never loads it."""
    from migrator.rewrite import rewrite_job

    return rewrite_job(rel, data, options)
