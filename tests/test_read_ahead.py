"""Reading and prefiltering a large tree on the workers (runner._read_all).

Past its first bytes, a tree's files are read and searched by the workers in chunks.
Whoever reads them, a run must keep the same files in the same order, report the same
unreadable files and record the same dropped ones; hold a bounded number of chunks at a
time; read a dead worker's files itself; and never start a worker for a small tree.
"""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest

from migrator import file_stamps, runner
from migrator.discovery import discover
from migrator.result_cache import ResultCache
from migrator.runner import Workers, select

USES = "import openai\nclient = openai.OpenAI()\n"
PLAIN = "def add(a, b):\n    return a + b\n"


@pytest.fixture(autouse=True)
def settled_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test count as settled (they are seconds old, not minutes)."""
    monkeypatch.setattr(file_stamps, "SETTLED_NS", -(10**12))


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """A few files read here, the rest sent in chunks of three, one chunk per worker
    queued beyond the one being received."""
    monkeypatch.setattr(runner, "_READ_HERE", 200)
    monkeypatch.setattr(runner, "_CHUNK_FILES", 3)
    monkeypatch.setattr(runner, "_CHUNKS_QUEUED", 1)


def tree(root: Path, files: int = 40) -> Path:
    """Every fifth module uses openai; the listing has one file deleted after it."""
    for n in range(files):
        folder = root / f"pkg{n % 4}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"mod{n:02d}.py").write_text(USES if n % 5 == 0 else PLAIN)
    return root


def run_select(root: Path, cache_dir: Path, workers: Workers | None) -> Any:
    target = discover(root)
    (root / "pkg1" / "mod13.py").unlink()  # listed, then gone: reported unreadable
    try:
        return select(target, ResultCache(cache_dir), workers=workers)
    finally:
        (root / "pkg1" / "mod13.py").write_text(PLAIN)


def test_workers_keep_read_and_drop_what_this_process_does(
    tmp_path: Path, small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(tmp_path / "t")
    alone = run_select(root, tmp_path / "alone", None)
    with Workers(2) as workers:
        shared = run_select(root, tmp_path / "shared", workers)
        assert workers.started  # the chunks went to the workers
    assert [rel for rel, _ in shared[0]] == [rel for rel, _ in alone[0]]
    assert shared[0] == alone[0]
    assert len(alone[0]) == 8
    assert shared[1] == alone[1]
    assert [r.path for r in shared[1]] == ["pkg1/mod13.py"]
    # the dropped files the workers judged are recorded: a next run reads only the rest
    (root / "pkg1" / "mod13.py").unlink()
    read: list[str] = []
    original = Path.read_bytes

    def counting(self: Path) -> bytes:
        if root in self.parents:
            read.append(self.relative_to(root).as_posix())
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    again = select(discover(root), ResultCache(tmp_path / "shared"))
    assert [rel for rel, _ in again[0]] == [rel for rel, _ in alone[0]]
    assert read == [rel for rel, _ in alone[0]]


class _DeadPool:
    """A pool whose workers died: every future fails as a broken pool's does."""

    def submit(self, *_: object) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_exception(BrokenProcessPool("a worker died"))
        return future


class _DeadWorkers(Workers):
    def __init__(self) -> None:
        super().__init__(2)
        self.stops = 0

    def pool(self) -> Any:
        return _DeadPool()

    def stop(self, *, cancel: bool = False) -> None:
        self.stops += 1


def test_a_dead_workers_files_are_read_here(tmp_path: Path, small_chunks: None) -> None:
    root = tree(tmp_path / "t")
    alone = run_select(root, tmp_path / "alone", None)
    dead = _DeadWorkers()
    after_death = run_select(root, tmp_path / "dead", dead)
    assert after_death == alone
    assert dead.stops == 1  # stopped once, then every chunk is read here


class _CountingPool:
    """Runs each chunk at once, and counts the chunks sent whose result was not taken."""

    def __init__(self) -> None:
        self.waiting = 0
        self.most = 0

    def submit(self, fn: Any, *args: Any) -> Future[Any]:
        pool = self

        class Counted(Future):  # type: ignore[type-arg]
            def result(self, timeout: float | None = None) -> Any:
                pool.waiting -= 1
                return super().result(timeout)

        future = Counted()
        future.set_result(fn(*args))
        self.waiting += 1
        self.most = max(self.most, self.waiting)
        return future


class _CountingWorkers(Workers):
    def __init__(self) -> None:
        super().__init__(2)
        self.counting = _CountingPool()

    def pool(self) -> Any:
        return self.counting


def test_a_bounded_number_of_chunks_is_queued(tmp_path: Path, small_chunks: None) -> None:
    root = tree(tmp_path / "t", files=90)
    alone = run_select(root, tmp_path / "alone", None)
    workers = _CountingWorkers()
    assert run_select(root, tmp_path / "counted", workers) == alone
    assert workers.counting.waiting == 0
    # 1 chunk per worker queued beyond the one received: never the whole listing
    assert 2 <= workers.counting.most <= 1 * 2 + 1


def test_a_small_tree_starts_no_worker(tmp_path: Path) -> None:
    root = tree(tmp_path / "t")
    with Workers(2) as workers:
        todo, _ = select(discover(root), None, workers=workers)
        assert not workers.started
    assert len(todo) == 8
