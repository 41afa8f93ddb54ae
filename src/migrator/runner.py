"""Run a per-file job over a target: prefilter in the parent, parse in a process pool.

Results come back in the order of the (sorted) file list whatever the pool does, so
output is deterministic. A progress bar appears on stderr only when stderr is a
terminal and the run has lasted about a second; it never touches stdout (JSON).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from migrator.discovery import Target
from migrator.model import FileError, FileResult
from migrator.prefilter import has_trigger, has_trigger_in_json

NOTEBOOK_SUFFIX = ".ipynb"

# A job takes (relative path, bytes, options) and returns a FileResult.
Job = Callable[[str, bytes, Any], FileResult]

# Below this many files to parse, a pool costs more than it saves.
_POOL_THRESHOLD = 8
_PROGRESS_DELAY = 1.0
# Test-only hook: each file's job sleeps this many seconds in the pool (interrupt tests).
_SLOW_JOBS = "MIGRATOR_TEST_SLOW_JOBS"


@dataclass
class RunStats:
    files_scanned: int
    files_parsed: int


def default_jobs() -> int:
    return os.cpu_count() or 1


def run(
    target: Target,
    job: Job,
    options: Any,
    *,
    jobs: int | None = None,
    show_progress: bool | None = None,
) -> tuple[list[FileResult], RunStats]:
    """Run `job` on every file of `target` that passes the prefilter."""
    todo, unreadable = select(target)
    results = execute(todo, job, lambda _: options, jobs=jobs, show_progress=show_progress)
    results.extend(unreadable)
    results.sort(key=lambda r: r.path)
    return results, RunStats(len(target.files), len(todo))


def select(target: Target) -> tuple[list[tuple[str, bytes]], list[FileResult]]:
    """The files worth parsing (relative path, bytes), and those that could not be read."""
    todo: list[tuple[str, bytes]] = []
    unreadable: list[FileResult] = []
    for path in target.files:
        rel = target.rel(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            unreadable.append(FileResult(rel, errors=[FileError(rel, 1, f"cannot read: {exc}")]))
            continue
        if has_trigger(data) or (rel.endswith(NOTEBOOK_SUFFIX) and has_trigger_in_json(data)):
            todo.append((rel, data))
    return todo, unreadable


def execute(
    todo: Sequence[tuple[str, bytes]],
    job: Job,
    options_for: Callable[[str], Any],
    *,
    jobs: int | None = None,
    show_progress: bool | None = None,
) -> list[FileResult]:
    """Run `job` on each (relative path, bytes) with that file's options, in `todo` order."""
    start = time.perf_counter()
    jobs = jobs or default_jobs()
    if show_progress is None:
        show_progress = sys.stderr.isatty()
    tasks = [(rel, data, options_for(rel)) for rel, data in todo]
    if jobs <= 1 or len(tasks) < _POOL_THRESHOLD:
        return [_guarded(job, *task) for task in tasks]
    results: list[FileResult | None] = [None] * len(tasks)
    progress: Progress | None = None
    done = 0
    try:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [(i, pool.submit(_guarded, job, *task)) for i, task in enumerate(tasks)]
            for index, future in futures:
                try:
                    results[index] = future.result()
                except BrokenProcessPool:
                    break  # a worker died; the rest is retried one by one below
                except KeyboardInterrupt:
                    # Ctrl-C: drop the queued files instead of running them all on exit.
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
                done += 1
                if (
                    show_progress
                    and progress is None
                    and time.perf_counter() - start > _PROGRESS_DELAY
                ):
                    progress = _progress_bar(len(tasks))
                    progress.start()
                if progress is not None:
                    progress.update(progress.task_ids[0], completed=done)
    except BrokenProcessPool:
        pass
    finally:
        if progress is not None:
            progress.stop()
    for index, task in enumerate(tasks):
        if results[index] is None:
            results[index] = _isolated(job, *task)
    return [r for r in results if r is not None]


def _isolated(job: Job, rel: str, data: bytes, options: Any) -> FileResult:
    """Run one file in a pool of its own, so that a crash costs only that file."""
    try:
        with ProcessPoolExecutor(max_workers=1) as pool:
            return pool.submit(_guarded, job, rel, data, options).result()
    except BrokenProcessPool:
        return FileResult(
            rel, errors=[FileError(rel, 1, "internal error: the parser crashed on this file")]
        )


def _guarded(job: Job, rel: str, data: bytes, options: Any) -> FileResult:
    """A bug in one file's processing is reported for that file; the run goes on.
    A notebook goes through its adapter (notebook_job.py): the job reads its Python."""
    if os.environ.get(_SLOW_JOBS):
        print(f"migrator: test hook: job {rel}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ[_SLOW_JOBS]))
    try:
        if rel.endswith(NOTEBOOK_SUFFIX):
            from migrator.notebook_job import run_notebook

            return run_notebook(job, rel, data, options)
        return job(rel, data, options)
    except Exception as exc:  # noqa: BLE001 - reported, never swallowed silently
        return FileResult(
            rel, errors=[FileError(rel, 1, f"internal error: {type(exc).__name__}: {exc}")]
        )


def _progress_bar(total: int) -> Progress:
    progress = Progress(
        TextColumn("[bold]migrator"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    progress.add_task("files", total=total)
    return progress
