"""Run the rewrite over a target and gather what diff, apply and checklist need."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from migrator.config_files import config_results
from migrator.constants import (
    ConstantEdit,
    ModuleIndex,
    imported_names,
    looked_up,
    module_definitions,
    project_definitions,
)
from migrator.cross_module import Notice, defining_lasts, notice_key, project_importers
from migrator.discovery import Target
from migrator.model import FileError, FileResult, Finding
from migrator.notebook import is_notebook
from migrator.notebook_job import cell_diff, python_view
from migrator.options import RewriteOptions
from migrator.progress import phase
from migrator.report_memo import ReportMemo, digest_of
from migrator.runner import RunStats, Workers, execute, select
from migrator.secrets import redact_secrets
from migrator.text_diff import file_encoding, unified_diff

if TYPE_CHECKING:
    from migrator.result_cache import ResultCache


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
    todo, unreadable = select(target, cache, memo.stamps if memo is not None else None)
    read = _SourceCache(target.root, todo, digests=memo is not None)
    started = time.perf_counter()
    # A notebook's imports are read from its code cells; it is never a defining module.
    views = [(rel, python_view(rel, data)) for rel, data in todo]
    imports = {rel: imported_names(rel, view) for rel, view in views}
    kept_modules = [rel for rel, _ in todo if not is_notebook(rel)]
    # The index names only the modules the pre-passes can ask about.
    lasts = looked_up(imports.values())
    if options.strategy.tells_importers:
        lasts |= defining_lasts(kept_modules)
    index = ModuleIndex(target.names, lasts)
    definitions = module_definitions if cache is None else partial(cache.memo, module_definitions)
    tables = project_definitions(
        views, index, read.peek, definitions, imports=lambda rel, _view: imports[rel]
    )
    phase("constants pre-pass", f"{len(tables)} file(s) get constants from others", started)
    importers: dict[str, dict[str, tuple[str, ...]]] = {}
    if options.strategy.tells_importers:
        importers = project_importers(kept_modules, list(target.names), index, read.peek)

    def options_for(rel: str) -> RewriteOptions:
        table = tables.get(rel)
        found = importers.get(rel)
        if table is None and found is None:
            return options
        return replace(
            options,
            constants=table.constants if table else {},
            classes=table.classes if table else {},
            importers=found or {},
        )

    # A module other files take constants from is rewritten after them, with the edits
    # they ask of it: one run of it instead of one without the edits and one with them.
    defining = {c.path for table in tables.values() for c in table.constants.values()}
    with Workers(jobs) as workers:  # one set of processes for every round
        results = execute(
            [(rel, data) for rel, data in todo if rel not in defining],
            rewrite_file,
            options_for,
            show_progress=show_progress,
            phase="rewrite",
            cache=cache,
            workers=workers,
        )
        waiting = [rel for rel, _ in todo if rel in defining]
        results = _apply_requests(results, read, options_for, workers, cache, waiting)
    if cache is not None:
        cache.report()
    rewritten = [r.path for r in results]
    kept = [*config_results(target.project, results, read.peek, options), *unreadable]
    results.extend(kept)
    results.sort(key=lambda r: r.path)
    report = MigrationReport(target.root, options, results, RunStats(len(target.names), len(todo)))
    if memo is not None:
        memo.store(report, rewritten, kept, read.digests)
    return report


def rewrite_file(rel: str, data: bytes, options: RewriteOptions) -> FileResult:
    """The job each file runs (`rewrite.rewrite_job`). The engine, and libcst with it, is
    imported by the first file the result cache does not hold: a run that finds every
    file cached never loads it."""
    from migrator.rewrite import rewrite_job

    return rewrite_job(rel, data, options)


class _SourceCache:
    """A file's bytes by relative path: those the prefilter already read, else from disk
    once (None when unreadable), for the request rounds. The pre-passes `peek`: the
    defining modules the constants pre-pass reads (parsed once, kept as definitions) are
    mostly files the prefilter dropped, and keeping their bytes held 9 MB on the
    100,000-file tree; the few that receive a request are read again for their round."""

    def __init__(
        self, root: Path, todo: Sequence[tuple[str, bytes]], *, digests: bool = False
    ) -> None:
        self.root = root
        self.data: dict[str, bytes | None] = dict(todo)
        # every file read, with `digest_of` the bytes read (for the report memo), if asked
        self.digests: dict[str, bytes | None] = {}
        self._keep_digests = digests
        if digests:
            self.digests.update((rel, digest_of(data)) for rel, data in todo)

    def __call__(self, rel: str) -> bytes | None:
        if rel not in self.data:
            self.data[rel] = self._read(rel)
        return self.data[rel]

    def peek(self, rel: str) -> bytes | None:
        """A file's bytes without keeping them (the importers scan reads every file)."""
        if rel in self.data:
            return self.data[rel]
        return self._read(rel)

    def _read(self, rel: str) -> bytes | None:
        try:
            data: bytes | None = (self.root / rel).read_bytes()
        except OSError:
            data = None
        if self._keep_digests and rel not in self.digests:
            self.digests[rel] = digest_of(data)
        return data


# A request can only lead to another when a defining file imports constants in turn.
_MAX_REQUEST_ROUNDS = 4


def _apply_requests(
    results: list[FileResult],
    read: Callable[[str], bytes | None],
    options_for: Callable[[str], RewriteOptions],
    workers: Workers,
    cache: ResultCache | None = None,
    waiting: Sequence[str] = (),
) -> list[FileResult]:
    """Run each file that other files sent requests once more, with those requests: a
    constant they asked to change, a fact about what they define (cross_module.py); its
    new result replaces the first. Repeats while requests change. The `waiting` files,
    not run yet, run in the first round with what was asked of them (maybe nothing)."""
    by_path = {r.path: r for r in results}
    granted: dict[str, tuple[ConstantEdit | Notice, ...]] = {}
    first: dict[str, tuple[ConstantEdit | Notice, ...]] = {path: () for path in waiting}
    for _ in range(_MAX_REQUEST_ROUNDS):
        wanted: dict[str, set[ConstantEdit | Notice]] = {}
        for result in by_path.values():
            for edit in result.requests:
                wanted.setdefault(edit.path, set()).add(edit)
        changed, first = first, {}
        for path, edits in wanted.items():
            ordered = tuple(sorted(edits, key=_edit_key))
            if path in changed or ordered != granted.get(path):
                changed[path] = ordered
        if not changed:
            break
        granted.update(changed)
        todo = []
        for path in sorted(changed):
            data = read(path)
            if data is None:
                by_path[path] = FileResult(path, errors=[FileError(path, 1, "cannot read")])
            else:
                todo.append((path, data))
        redone = execute(
            todo,
            rewrite_file,
            lambda rel: replace(
                options_for(rel),
                constant_edits=tuple(e for e in granted[rel] if isinstance(e, ConstantEdit)),
                notices=tuple(e for e in granted[rel] if not isinstance(e, ConstantEdit)),
            ),
            show_progress=False,
            phase="rewrite (files other files sent requests)",
            cache=cache,
            workers=workers,
        )
        by_path.update((r.path, r) for r in redone)
    return list(by_path.values())


def _edit_key(edit: ConstantEdit | Notice) -> tuple[str, ...]:
    if isinstance(edit, ConstantEdit):
        return ("", edit.name, str(edit.new), edit.reason)
    return notice_key(edit)
