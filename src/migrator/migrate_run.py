"""The run over a target's files when no earlier report serves (migrate.py): select and
read them, the pre-passes that look across files (constants other modules define,
the files importing each module), the workers, the rounds for files other files sent
requests, and the configuration files."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

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
from migrator.migrate import MigrationReport, rewrite_file
from migrator.model import FileError, FileResult
from migrator.notebook import is_notebook
from migrator.notebook_job import python_view
from migrator.options import RewriteOptions
from migrator.progress import phase
from migrator.report_memo import ReportMemo, digest_of
from migrator.runner import RunStats, Workers, execute, select

if TYPE_CHECKING:
    from migrator.result_cache import ResultCache


def run_files(
    target: Target,
    options: RewriteOptions,
    *,
    jobs: int | None = None,
    show_progress: bool | None = None,
    cache: ResultCache | None = None,
    memo: ReportMemo | None = None,
) -> MigrationReport:
    """Rewrite the target's files; keep the report in `memo` when given."""
    with Workers(jobs) as workers:  # one set of processes for every round
        stamps = memo.stamps if memo is not None else None
        todo, unreadable = select(target, cache, stamps, workers)
        read = _SourceCache(target.root, todo, digests=memo is not None)
        cold = cache is None or (memo is not None and not memo.found)
        if cold and workers.pay_for([len(data) for _, data in todo]):
            # Nothing cached to serve these files: the workers load the engine (some
            # 70 ms each) while this process runs the pre-passes, not after them.
            workers.warm(rewrite_file, options)
        options_for, defining = _pre_passes(target, options, todo, read, cache)
        # A module other files take constants from is rewritten after them, with the
        # edits they ask of it: one run of it instead of one without the edits and one
        # with them.
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


def _pre_passes(
    target: Target,
    options: RewriteOptions,
    todo: list[tuple[str, bytes]],
    read: _SourceCache,
    cache: ResultCache | None,
) -> tuple[Callable[[str], RewriteOptions], set[str]]:
    """What each file's rewrite is given from the others (the constants and classes it
    imports, the files importing it), and the modules that define constants others
    take: the pre-passes across files."""
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

    defining = {c.path for table in tables.values() for c in table.constants.values()}
    return options_for, defining


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
