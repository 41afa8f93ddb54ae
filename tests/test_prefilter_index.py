"""The prefilter's index of dropped files (prefilter_index.py): a later run does not read a
file an earlier one dropped, unless its stat changed; whatever changes a file makes the
next run read it, and a run's report never differs from an uncached one.

Reads are counted by wrapping `Path.read_bytes` (the way `select` reads a file).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrator import file_stamps
from migrator.cli import main
from migrator.discovery import discover
from migrator.report_memo import ReportMemo
from migrator.result_cache import ResultCache
from migrator.runner import select

ROOT = Path(__file__).resolve().parent.parent
USES = "import openai\nclient = openai.OpenAI()\n"
PLAIN = "def add(a, b):\n    return a + b\n"
OLD_NS = 1_600_000_000 * 10**9  # 2020: long settled


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """The names of the test's source files read, in order (not the cache's entries)."""
    names: list[str] = []
    original = Path.read_bytes

    def counting(self: Path) -> bytes:
        if self.suffix == ".py" and tmp_path in self.parents:
            names.append(self.name)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    return names


@pytest.fixture
def settled_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test count as settled (they are seconds old, not minutes)."""
    monkeypatch.setattr(file_stamps, "SETTLED_NS", -(10**12))


def tree(folder: Path) -> Path:
    folder.mkdir()
    (folder / "app.py").write_text(USES)
    for n in range(3):
        (folder / f"util{n}.py").write_text(PLAIN)
    return folder


def selected(root: Path, cache: ResultCache | None) -> list[str]:
    todo, unreadable = select(discover(root), cache)
    assert unreadable == []
    return [rel for rel, _ in todo]


def test_a_second_run_reads_only_what_the_prefilter_kept(
    tmp_path: Path, reads: list[str], settled_now: None
) -> None:
    root = tree(tmp_path / "t")
    cache = ResultCache(tmp_path / "cache")
    assert selected(root, cache) == ["app.py"]
    assert sorted(reads) == ["app.py", "util0.py", "util1.py", "util2.py"]
    reads.clear()
    assert selected(root, ResultCache(tmp_path / "cache")) == ["app.py"]
    assert reads == ["app.py"]


@pytest.mark.parametrize(
    "change",
    ["grown", "same size, time put back", "replaced by another file"],
)
def test_a_changed_dropped_file_is_read_again(
    tmp_path: Path, reads: list[str], settled_now: None, change: str
) -> None:
    root = tree(tmp_path / "t")
    selected(root, ResultCache(tmp_path / "cache"))
    target = root / "util1.py"
    before = target.stat()
    if change == "grown":
        target.write_text(PLAIN + USES)
    elif change == "same size, time put back":
        # as long as PLAIN, and its modification time restored: the change time tells
        same_size = "import openai;x=openai.OpenAI()".ljust(len(PLAIN) - 1) + "\n"
        assert len(same_size) == len(PLAIN)
        target.write_text(same_size)
        os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    else:
        other = tmp_path / "other.py"
        other.write_text(PLAIN.replace("add", "use").replace("a + b", "openai.x"))
        shutil.copy2(other, target)  # copy2: mtime of the other file, a new ctime
    reads.clear()
    assert selected(root, ResultCache(tmp_path / "cache")) == ["app.py", "util1.py"]
    assert sorted(reads) == ["app.py", "util1.py"]


def test_files_added_and_removed_among_the_recorded_ones_cost_only_their_own_read(
    tmp_path: Path, reads: list[str], settled_now: None
) -> None:
    """The record is walked beside the sorted listing: names before, between and after
    the recorded ones, a recorded name gone, non-ASCII and undecodable names."""
    root = tree(tmp_path / "t")
    odd = ["é.py", "z\udcff.py"]  # a name from bytes that are not UTF-8 (surrogateescape)
    for name in odd:
        try:
            (root / name).write_text(PLAIN)
        except (UnicodeEncodeError, OSError):  # a file system that cannot name it
            odd.remove(name)
    selected(root, ResultCache(tmp_path / "cache"))
    (root / "util1.py").unlink()
    for name in ("a0.py", "util05.py", "util9.py"):
        (root / name).write_text(PLAIN)
    reads.clear()
    assert selected(root, ResultCache(tmp_path / "cache")) == ["app.py"]
    assert sorted(reads) == ["a0.py", "app.py", "util05.py", "util9.py"]
    reads.clear()
    assert selected(root, ResultCache(tmp_path / "cache")) == ["app.py"]
    assert reads == ["app.py"]


def test_the_record_holds_names_and_packed_stamps_only(tmp_path: Path, settled_now: None) -> None:
    root = tree(tmp_path / "t")
    cache = ResultCache(tmp_path / "cache")
    selected(root, cache)
    record = cache.load_named(f"prefilter-dropped:{root.resolve()}")
    assert isinstance(record, tuple) and record[1] == b"util0.py\0util1.py\0util2.py"
    assert len(record[2]) == 3 * 32


@pytest.mark.parametrize(
    "record",
    [{"util0.py": (1, 2, 3, 4)}, ("names+stamps/1", "util0.py", 7), ("other", b"", b"")],
    ids=["older layout", "wrong types", "unknown format"],
)
def test_a_record_of_another_shape_is_not_used(
    tmp_path: Path, reads: list[str], settled_now: None, record: object
) -> None:
    root = tree(tmp_path / "t")
    cache = ResultCache(tmp_path / "cache")
    cache.store_named(f"prefilter-dropped:{root.resolve()}", record)
    assert selected(root, cache) == ["app.py"]
    assert sorted(reads) == ["app.py", "util0.py", "util1.py", "util2.py"]
    reads.clear()
    assert selected(root, ResultCache(tmp_path / "cache")) == ["app.py"]
    assert reads == ["app.py"]  # replaced by this run's record


def test_a_recently_changed_file_is_not_trusted_until_it_settles(
    tmp_path: Path, reads: list[str]
) -> None:
    root = tree(tmp_path / "t")
    settled = root / "util0.py"
    os.utime(settled, ns=(OLD_NS, OLD_NS))  # its change time is still now
    selected(root, ResultCache(tmp_path / "cache"))
    reads.clear()
    selected(root, ResultCache(tmp_path / "cache"))
    # written a moment ago (a change within the clock's granularity could go unseen)
    assert sorted(reads) == ["app.py", "util0.py", "util1.py", "util2.py"]


def test_no_cache_or_a_single_file_reads_every_time(
    tmp_path: Path, reads: list[str], settled_now: None
) -> None:
    root = tree(tmp_path / "t")
    for _ in range(2):
        selected(root, None)
    assert len(reads) == 8
    reads.clear()
    single = discover(root / "util0.py")
    for _ in range(2):
        select(single, ResultCache(tmp_path / "cache"))
    assert reads == ["util0.py", "util0.py"]


def test_a_deleted_file_is_forgotten_and_an_unreadable_one_reported(
    tmp_path: Path, settled_now: None
) -> None:
    root = tree(tmp_path / "t")
    selected(root, ResultCache(tmp_path / "cache"))
    (root / "util0.py").unlink()
    target = discover(root)
    # Gone between the listing and the read: a file an earlier run dropped is judged by
    # the stamp the listing took (unchanged: not read); one to read is reported.
    (root / "util1.py").unlink()
    (root / "app.py").unlink()
    todo, unreadable = select(target, ResultCache(tmp_path / "cache"))
    assert todo == []
    assert [r.path for r in unreadable] == ["app.py"]
    assert "cannot read" in unreadable[0].errors[0].message


def test_a_file_that_starts_using_openai_is_reported_by_the_next_cached_run(
    tmp_path: Path, settled_now: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MIGRATOR_NO_CACHE", raising=False)
    monkeypatch.setenv("MIGRATOR_CACHE_DIR", str(tmp_path / "cache"))
    shutil.copytree(ROOT / "fixtures" / "demo-app", tmp_path / "app")
    root = tmp_path / "app"
    (root / "helpers.py").write_text(PLAIN)

    def diff(*extra: str) -> str:
        result = CliRunner().invoke(
            main, ["diff", str(root), "--to", "qwen", "-j", "1", *extra], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        return result.stdout

    first = diff()
    assert diff() == first == diff("--no-cache")
    # (the report memo would spare the run the prefilter: report_memo.py)
    monkeypatch.setattr(ReportMemo, "load", lambda self, options: None)
    again = CliRunner().invoke(main, ["diff", str(root), "--to", "qwen", "-j", "1", "-v"])
    assert again.stdout == first
    assert "file(s) dropped by an earlier run and unchanged: not read" in again.stderr
    assert "helpers.py" not in first
    (root / "helpers.py").write_text(
        "import openai\n\nclient = openai.OpenAI()\n"
        'reply = client.chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    changed = diff()
    assert changed == diff("--no-cache")
    assert "+++ b/helpers.py" in changed
