"""Discovery's stamps (discovery.Target.stamps): the `lstat` that checks each listed file
is a file is kept as the file's stamp, and the records that look for changed files --
the replay record, the report memo, the prefilter's index -- read it instead of a
`stat` of their own. A cached run on an unchanged tree stats no listed file again.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrator import file_stamps
from migrator.cli import main
from migrator.discovery import Target, discover, list_project
from migrator.file_stamps import NO_STAMP, PACKED, stamp_of, unpacked_stamps

ROOT = Path(__file__).resolve().parent.parent


def test_each_listed_file_has_its_stat_as_stamp_and_a_link_has_none(tmp_path: Path) -> None:
    root = tmp_path / "t"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "a.py").write_text("import openai\n")
    (root / "b.py").write_text("x = 1\n")
    (root / "notes.md").write_text("OPENAI_API_KEY\n")
    (root / "link.py").symlink_to(root / "b.py")
    listing = list_project(root)
    target = listing.target
    assert target.project == ("b.py", "link.py", "notes.md", "pkg/a.py")
    stamps = dict(target.listing_stamps())
    for rel in ("b.py", "notes.md", "pkg/a.py"):
        assert stamps[rel] == stamp_of(os.stat(root / rel))
    assert stamps["link.py"] is None  # its stamp is its target's: the reader stats it
    assert list(target.name_stamps()) == [
        (rel, stamps[rel]) for rel in ("b.py", "link.py", "pkg/a.py")
    ]
    assert discover(root).stamps == target.stamps


def test_names_missing_from_the_listing_or_a_wrong_length_give_no_stamp() -> None:
    packed = PACKED.pack(1, 2, 3, 4) + NO_STAMP
    assert list(unpacked_stamps(["a", "b"], packed)) == [("a", (1, 2, 3, 4)), ("b", None)]
    assert list(unpacked_stamps(["a"], packed)) == [("a", None)]
    target = Target(Path("."), ("a", "c"), ("a", "b"), packed, 5)
    assert list(target.name_stamps()) == [("a", (1, 2, 3, 4)), ("c", None)]
    assert list(target.stamps_of(["0", "b", "z"])) == [("0", None), ("b", None), ("z", None)]
    # without a project listing the names are the listing
    alone = Target(Path("."), ("a", "b"), (), PACKED.pack(1, 2, 3, 4) + PACKED.pack(5, 6, 7, 8))
    assert list(alone.stamps_of(["b"])) == [("b", (5, 6, 7, 8))]
    assert Target(Path("."), ("a",)).settled_since(9) == 9  # no stamps: the run's start
    assert target.settled_since(9) == 5  # stamps taken before it started


def test_a_stamp_is_judged_from_when_discovery_took_it(tmp_path: Path) -> None:
    root = tmp_path / "t"
    root.mkdir()
    (root / "a.py").write_text("x = 1\n")
    before = time.time_ns()
    target = discover(root)
    after = time.time_ns()
    assert before <= target.stamped_ns <= after
    assert target.settled_since(after + 10**12) == target.stamped_ns


@pytest.fixture
def cached_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("MIGRATOR_NO_CACHE", raising=False)
    monkeypatch.setenv("MIGRATOR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(file_stamps, "SETTLED_NS", -(10**12))  # the test's files count as old
    shutil.copytree(ROOT / "fixtures" / "demo-app", tmp_path / "app")
    return tmp_path / "app"


@pytest.mark.parametrize("command", ["scan", "diff", "checklist"])
def test_a_cached_run_stats_no_listed_file_again(
    cached_app: Path, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second run is served by the cached records (the report memo, the prefilter's
    index: its output format differs, so it is not a replay), the third replays the
    second's output. Neither stats a listed file after discovery, but for two the run
    looks up by name: the configuration file, and the checklist's test of whether the
    entry point's folder is a package."""
    args = [command, str(cached_app)] + ([] if command == "scan" else ["--to", "qwen"])
    runner = CliRunner()
    first = runner.invoke(main, [*args, "--format", "json"])
    assert first.exit_code in (0, 1), first.output
    listed = {str(cached_app / rel) for rel in discover(cached_app).project}
    listed -= {str(cached_app / "pyproject.toml"), str(cached_app / "app" / "__init__.py")}
    stated: list[str] = []
    real_stat = os.stat

    def counting(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if os.fspath(path) in listed:  # type: ignore[call-overload]
            stated.append(os.fspath(path))  # type: ignore[call-overload]
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", counting)
    for _ in range(2):
        again = runner.invoke(main, args)
        assert again.exit_code == first.exit_code
        assert stated == [], stated
    monkeypatch.setattr(os, "stat", real_stat)
    assert again.output == runner.invoke(main, [*args, "--no-cache"]).output
