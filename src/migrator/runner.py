"""Run a per-file job over a target: read and prefilter the files (a large tree's on the
workers too), parse in a process pool.

Results come back in the order of the (sorted) file list whatever the pool does, so
output is deterministic. Progress goes to stderr (progress.py), never to stdout (JSON).
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from migrator.discovery import Target
from migrator.file_stamps import Stamp, stamp_of
from migrator.model import FileError, FileResult
from migrator.prefilter import worth_parsing
from migrator.prefilter_index import DroppedFiles
from migrator.progress import FileProgress, phase

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from migrator.result_cache import ResultCache

NOTEBOOK_SUFFIX = ".ipynb"

# A job takes (relative path, bytes, options) and returns a FileResult.
Job = Callable[[str, bytes, Any], FileResult]

# Below this many files to parse, a pool costs more than it saves, unless they are large:
# starting one takes 15-20 ms, and a file is parsed and rewritten at 50-150 KB/s, so two
# files of 16 KB between them already save more than that in two processes (the second
# round of a diff is often two or three large settings modules).
_POOL_THRESHOLD = 8
_POOL_MIN_BYTES = 16_000
# `_read_all`: the bytes this process reads and prefilters itself before the workers
# take the rest (some 0.15 s of work), in chunks of this many files, this many chunks per
# worker queued at a time.
_READ_HERE = 16_000_000
_CHUNK_FILES = 256
_CHUNKS_QUEUED = 4
# Test-only hook: each file's job sleeps this many seconds in the pool (interrupt tests).
_SLOW_JOBS = "MIGRATOR_TEST_SLOW_JOBS"
# What a worker runs its job on when warmed up (`Workers.warm`): a file that loads the
# engine and the strategy's fixers, as a first real file would.
_WARM_UP_FILE = ("warm_up.py", b"import openai\n\nclient = openai.OpenAI()\n")


@dataclass
class RunStats:
    """How many files a run listed, and how many it parsed."""

    files_scanned: int
    files_parsed: int


def default_jobs() -> int:
    return os.cpu_count() or 1


class Workers:
    """The worker processes of one run, shared by its rounds (a diff reruns the files
    other files sent requests): started when a round first needs them, so that a later
    round does not fork and warm up new ones (25 ms a worker on a first file).

    Before the fork, the parent's objects are frozen (`gc.freeze`): a worker's collector
    then never visits them, and so never copies the pages that hold them (Python's
    advice for forked workers); the parent unfreezes them when the workers are done."""

    def __init__(self, jobs: int | None) -> None:
        self.jobs = jobs or default_jobs()
        self._pool: ProcessPoolExecutor | None = None

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # (imported here: a run that finds every file in the result cache starts no
            # process, and concurrent.futures with multiprocessing is 15-20 ms of imports)
            from concurrent.futures import ProcessPoolExecutor

            gc.freeze()
            self._pool = ProcessPoolExecutor(max_workers=self.jobs)
        return self._pool

    @property
    def started(self) -> bool:
        return self._pool is not None

    def pay_for(self, sizes: Sequence[int]) -> bool:
        """Whether files of these sizes, still to run, go to the workers (see
        `_POOL_THRESHOLD`; started workers take any round of two or more)."""
        small = len(sizes) < _POOL_THRESHOLD and sum(sizes) < _POOL_MIN_BYTES
        return self.jobs > 1 and len(sizes) >= 2 and (self.started or not small)

    def warm(self, job: Job, options: Any) -> None:
        """Start the workers now, each running `job` on a two-line file: what the job
        imports on its first file (libcst, the engine, the strategy's fixers: some 70 ms
        a worker) then loads while the parent still works (the pre-passes), not after.
        For a run that will give them files. What the warm-up gives is dropped, a
        failure of it too: it shows again on a real file, reported for that file."""
        pool = self.pool()
        for _ in range(self.jobs):
            pool.submit(job, *_WARM_UP_FILE, options)

    def stop(self, *, cancel: bool = False) -> None:
        """Shut the workers down once the files they run are done (`cancel`: drop the
        queued ones first): at the end of the run, on Ctrl-C, or when a round found them
        broken (a later round starts new ones)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        try:
            if cancel:
                pool.shutdown(wait=False, cancel_futures=True)
            pool.shutdown(wait=True)
        finally:
            gc.unfreeze()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run(
    target: Target,
    job: Job,
    options: Any,
    *,
    jobs: int | None = None,
    show_progress: bool | None = None,
    cache: ResultCache | None = None,
) -> tuple[list[FileResult], RunStats]:
    """Run `job` on every file of `target` that passes the prefilter."""
    with Workers(jobs) as workers:
        todo, unreadable = select(target, cache, workers=workers)
        results = execute(
            todo,
            job,
            lambda _: options,
            show_progress=show_progress,
            phase="scan",
            cache=cache,
            workers=workers,
        )
    results.extend(unreadable)
    results.sort(key=lambda r: r.path)
    return results, RunStats(len(target.names), len(todo))


def select(
    target: Target,
    cache: ResultCache | None = None,
    stamps: dict[str, Stamp] | None = None,
    workers: Workers | None = None,
) -> tuple[list[tuple[str, bytes]], list[FileResult]]:
    """The files worth parsing (relative path, bytes), and those that could not be read.
    With a `cache`, files an earlier run dropped and that have not changed since are not
    read again (prefilter_index.py); a single-file target always reads its file. Each
    file's stamp, taken before it is read, goes in `stamps` (given a cache). Given
    `workers`, a large tree's files are read and prefiltered by them (`_read_all`)."""
    dropped = None
    if cache is not None and target.project:
        dropped = DroppedFiles(cache, target.root, started_ns=target.settled_since(time.time_ns()))
    todo: list[tuple[str, bytes]] = []
    unreadable: list[FileResult] = []
    root = os.fspath(target.root)

    def to_read() -> Iterator[tuple[str, Stamp | None]]:
        for rel, known in target.name_stamps():
            if dropped is None:
                yield rel, None
                continue
            # stat before reading (discovery's lstat was): a change after it shows in the
            # next run's stamp. A string to stat: a Path per listed file cost more than
            # the stat (10,000 files).
            try:
                stamp = known or stamp_of(os.stat(os.path.join(root, rel)))
            except OSError as exc:
                unreadable.append(_unreadable(rel, str(exc)))
                continue
            if stamps is not None:
                stamps[rel] = stamp
            if not dropped.unchanged(rel, stamp):
                yield rel, stamp

    for rel, stamp, data, error in _read_all(root, to_read(), workers):
        if error is not None:
            unreadable.append(_unreadable(rel, error))
        elif data is not None:
            todo.append((rel, data))
        elif dropped is not None and stamp is not None:
            dropped.dropped(rel, stamp)
    if dropped is not None:
        dropped.save()
        phase(
            "prefilter",
            f"{dropped.skipped} file(s) dropped by an earlier run and unchanged: not read",
        )
    return todo, unreadable


def _unreadable(rel: str, error: str) -> FileResult:
    return FileResult(rel, errors=[FileError(rel, 1, f"cannot read: {error}")])


# (relative path, its stamp or None, its bytes when the prefilter keeps it, the error
# that kept it from being read)
_Verdict = tuple[str, "Stamp | None", "bytes | None", "str | None"]


def _read_and_filter(root: str, rel: str) -> tuple[bytes | None, str | None, int]:
    """A listed file's bytes if the prefilter keeps it, the error if it cannot be read,
    and how many bytes were read."""
    try:
        data = Path(os.path.join(root, rel)).read_bytes()
    except OSError as exc:
        return None, str(exc), 0
    return (data if worth_parsing(rel, data) else None), None, len(data)


def _read_and_filter_all(root: str, rels: list[str]) -> list[tuple[bytes | None, str | None]]:
    """`_read_and_filter` for a chunk of files, in a worker."""
    return [_read_and_filter(root, rel)[:2] for rel in rels]


def _read_all(
    root: str, files: Iterable[tuple[str, Stamp | None]], workers: Workers | None
) -> Iterator[_Verdict]:
    """The verdict on each of `files` (relative path, stamp), in their order.

    Reading a tree and searching its bytes for anything that can matter is the serial
    part of a run: 5 of the 100,000-file tree's 20 seconds, with the workers idle. So
    this process reads the first `_READ_HERE` bytes itself (a small tree, or a cached run
    that reads only changed files, never starts a worker for it), and the workers, when
    there are two or more, read the rest (`_read_on_workers`)."""
    files = iter(files)
    read_here = 0
    for rel, stamp in files:
        data, error, size = _read_and_filter(root, rel)
        yield rel, stamp, data, error
        read_here += size
        if read_here >= _READ_HERE and workers is not None and workers.jobs > 1:
            yield from _read_on_workers(root, files, workers)


def _read_on_workers(
    root: str, files: Iterator[tuple[str, Stamp | None]], workers: Workers
) -> Iterator[_Verdict]:
    """`_read_all` on the workers: chunks of files, a bounded number of them queued at a
    time (the listing is not copied whole). A kept file's bytes come back, a dropped
    file's do not. If a worker dies, its chunk and the later ones are read here."""
    from concurrent.futures.process import BrokenProcessPool

    queued: deque[tuple[list[tuple[str, Stamp | None]], Future[Any] | None]] = deque()
    broken = False

    def receive() -> Iterator[_Verdict]:
        nonlocal broken
        chunk, future = queued.popleft()
        verdicts = None
        if future is not None and not broken:
            try:
                verdicts = _result(future)
            except KeyboardInterrupt:
                workers.stop(cancel=True)
                raise
            except BrokenProcessPool:
                workers.stop(cancel=True)  # a later round starts new workers
                broken = True
        if verdicts is None:
            verdicts = _read_and_filter_all(root, [rel for rel, _ in chunk])
        for (rel, stamp), (data, error) in zip(chunk, verdicts, strict=True):
            yield rel, stamp, data, error

    while chunk := list(islice(files, _CHUNK_FILES)):
        rels = [rel for rel, _ in chunk]
        future = None if broken else workers.pool().submit(_read_and_filter_all, root, rels)
        queued.append((chunk, future))
        while len(queued) > _CHUNKS_QUEUED * workers.jobs:
            yield from receive()
    while queued:
        yield from receive()


def execute(
    todo: Sequence[tuple[str, bytes]],
    job: Job,
    options_for: Callable[[str], Any],
    *,
    jobs: int | None = None,
    show_progress: bool | None = None,
    phase: str = "files",
    cache: ResultCache | None = None,
    workers: Workers | None = None,
) -> list[FileResult]:
    """Run `job` on each (relative path, bytes) with that file's options, in `todo` order.
    Progress for `phase` goes to stderr (progress.py); `show_progress=False` hides it.
    With a `cache`, files whose result it holds are not run, and new results are stored.
    `workers` are processes shared with other calls (else the call starts its own)."""
    if workers is None:
        with Workers(jobs) as own:
            return execute(
                todo, job, options_for, jobs=jobs, show_progress=show_progress, phase=phase,
                cache=cache, workers=own,
            )  # fmt: skip
    tasks = [(rel, data, options_for(rel)) for rel, data in todo]
    if cache is None:
        return _execute(tasks, job, workers, show_progress, phase)
    keys = [cache.key(job, rel, data, options) for rel, data, options in tasks]
    found = [
        cache.get(key, data) if key is not None else None
        for key, (_, data, _) in zip(keys, tasks, strict=True)
    ]
    missing = [i for i, result in enumerate(found) if result is None]
    held = [key if result is not None else None for key, result in zip(keys, found, strict=True)]
    computed = _execute([tasks[i] for i in missing], job, workers, show_progress, phase)
    for index, result in zip(missing, computed, strict=True):
        found[index] = result
        key = keys[index]
        if key is not None and cache.put(key, result, tasks[index][1]):
            held[index] = key
    cache.held.update((task[0], key) for task, key in zip(tasks, held, strict=True))
    return [r for r in found if r is not None]


def _execute(
    tasks: list[tuple[str, bytes, Any]],
    job: Job,
    workers: Workers,
    show_progress: bool | None,
    phase: str,
) -> list[FileResult]:
    progress = FileProgress(phase, len(tasks), show_progress)
    try:
        # (started workers take even a small round: they are warm, and it costs no fork)
        if not workers.pay_for([len(task[1]) for task in tasks]):
            serial = []
            for task in tasks:
                serial.append(_guarded(job, *task))
                progress.update(len(serial))
            return serial
        return _in_pool(tasks, job, workers, progress)
    finally:
        progress.close()


def _in_pool(
    tasks: list[tuple[str, bytes, Any]], job: Job, workers: Workers, progress: FileProgress
) -> list[FileResult]:
    from concurrent.futures.process import BrokenProcessPool

    results: list[FileResult | None] = [None] * len(tasks)
    done = 0
    # Largest files first: a big file queued last keeps one worker busy while the others
    # idle, and a tree's few large modules are often most of its parse time. Results keep
    # the order of `tasks`.
    order = sorted(range(len(tasks)), key=lambda i: -len(tasks[i][1]))
    try:
        pool = workers.pool()
        futures = [(i, pool.submit(_guarded_in_worker, job, *tasks[i])) for i in order]
        for index, future in futures:
            try:
                results[index] = _with_old_source(_result(future), tasks[index][1])
            except BrokenProcessPool:
                workers.stop(cancel=True)  # a later round starts new workers
                break  # a worker died; the rest is retried one by one below
            done += 1
            progress.update(done)
    except KeyboardInterrupt:
        # Ctrl-C (while files are queued, or still being queued): drop the queued files
        # instead of running them all on the way out.
        workers.stop(cancel=True)
        raise
    except BrokenProcessPool:
        workers.stop(cancel=True)
    for index, task in enumerate(tasks):
        if results[index] is None:
            results[index] = _isolated(job, *task)
    return [r for r in results if r is not None]


def _result(future: Future[FileResult]) -> FileResult:
    """The future's result, waited for in short slices. Ctrl-C is a signal the kernel
    may hand to any thread (the pool has threads of its own); Python runs its handler
    only when the main thread next runs code, so a main thread blocked in one long wait
    would see Ctrl-C only once the file it waits for is done (a large file: tens of
    seconds)."""
    while True:
        try:
            return future.result(timeout=0.2)
        except TimeoutError:
            continue


def _isolated(job: Job, rel: str, data: bytes, options: Any) -> FileResult:
    """Run one file in a pool of its own, so that a crash costs only that file."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    try:
        with ProcessPoolExecutor(max_workers=1) as pool:
            return pool.submit(_guarded, job, rel, data, options).result()
    except BrokenProcessPool:
        return FileResult(
            rel, errors=[FileError(rel, 1, "internal error: the parser crashed on this file")]
        )


def _guarded_in_worker(job: Job, rel: str, data: bytes, options: Any) -> FileResult:
    """`_guarded`, its result sent back without the file's bytes as `old_source` (the
    parent has them: `_with_old_source`). A rewritten file's old text went through the
    pipe back to the parent, which then kept two copies of it (7 MB more on the
    100,000-file tree)."""
    result = _guarded(job, rel, data, options)
    if result.new_source is not None and (result.old_source is data or result.old_source == data):
        result.old_source = None
    return result


def _with_old_source(result: FileResult, data: bytes) -> FileResult:
    """A result from `_guarded_in_worker`, with the bytes it was not sent back (the
    result cache's convention too: a changed file stored without its old bytes)."""
    if result.new_source is not None and result.old_source is None:
        result.old_source = data
    return result


def _guarded(job: Job, rel: str, data: bytes, options: Any) -> FileResult:
    """A bug in one file's processing is reported for that file; the run goes on.
    A notebook goes through its adapter (notebook_job.py): the job reads its Python."""
    if os.environ.get(_SLOW_JOBS):
        print(f"migrator: test hook: job {rel}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ[_SLOW_JOBS]))
    try:
        with _collector_paused():
            if rel.endswith(NOTEBOOK_SUFFIX):
                from migrator.notebook_job import run_notebook

                return run_notebook(job, rel, data, options)
            return job(rel, data, options)
    except Exception as exc:  # noqa: BLE001 - reported, never swallowed silently
        return FileResult(
            rel, errors=[FileError(rel, 1, f"internal error: {type(exc).__name__}: {exc}")]
        )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """One file's job runs with the cyclic garbage collector paused. A job builds a syntax
    tree of several nodes per source byte, and the collector, triggered by allocations,
    walked the growing tree again and again: on a 3.5 MB module eleven full collections,
    2.5 s of a 12.7 s rewrite, for no more memory saved. The job's cyclic garbage is
    collected once the collector runs again, as anything allocated before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
