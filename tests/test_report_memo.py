"""A cached run takes the report of an earlier one whole when nothing it read has changed
(report_memo.py), and runs as usual otherwise: the report is always the one an uncached
run makes."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from migrator.codemods.strategies import strategy_named

import migrator.migrate
import migrator.migrate_run
from migrator import file_stamps
from migrator.discovery import discover
from migrator.mapping import load_registry
from migrator.migrate import MigrationReport, migrate
from migrator.options import RewriteOptions
from migrator.result_cache import open_cache

KEY = "sk-" + "Zx81Qw2Er3Ty4Ui5Op6As7Df8Gh9Jk0Lm1Nb2Vc3"
MAIN = """\
import openai
import yaml

from app.config import TIMEOUT
from app.models import CHAT_MODEL

SETTINGS = yaml.safe_load(open("settings.yaml"))
client = openai.OpenAI(timeout=TIMEOUT)
reply = client.chat.completions.create(model=CHAT_MODEL, messages=[])
"""


@pytest.fixture(autouse=True)
def cache_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MIGRATOR_NO_CACHE", raising=False)
    monkeypatch.setenv("MIGRATOR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(file_stamps, "SETTLED_NS", -(10**12))  # files made here are settled


@pytest.fixture
def selected(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per run that listed and read the files itself (took no memo)."""
    runs: list[int] = []
    real = migrator.migrate_run.select

    def counted(target: object, cache: object = None, *args: object) -> object:
        if cache is not None:  # (not the uncached runs the tests compare with)
            runs.append(1)
        return real(target, cache, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(migrator.migrate_run, "select", counted)
    return runs


def project(tmp_path: Path) -> Path:
    """main.py uses openai; models.py defines its model (kept: a model id), config.py a
    plain constant it imports (read by the constants pre-pass, dropped by the prefilter);
    util.py is dropped and never read; settings.yaml is configuration code reads."""
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "main.py").write_text(MAIN)
    (root / "app" / "models.py").write_text('CHAT_MODEL = "gpt-4o"\n')
    (root / "app" / "config.py").write_text("TIMEOUT = 30\n")
    (root / "app" / "util.py").write_text("def add(a, b):\n    return a + b\n")
    (root / "settings.yaml").write_text("llm:\n  model: gpt-4o-mini\n")
    return root


def options(provider: str = "qwen") -> RewriteOptions:
    return RewriteOptions(load_registry().get(provider), strategy_named("compat"))


def run(root: Path, opts: RewriteOptions | None = None, cached: bool = True) -> MigrationReport:
    cache = open_cache() if cached else None
    return migrate(discover(root), opts or options(), jobs=1, show_progress=False, cache=cache)


def seen(report: MigrationReport) -> list[tuple[object, ...]]:
    """What a report tells: per file its rewrite, findings, errors and usages."""
    return [
        (r.path, r.old_source, r.new_source, r.findings, r.errors, r.usages, r.edits)
        for r in report.results
    ]


def uncached(root: Path, opts: RewriteOptions | None = None) -> list[tuple[object, ...]]:
    report = run(root, replace(opts or options(), call_facts=True), cached=False)
    return seen(report)


def test_an_unchanged_tree_takes_the_earlier_report(tmp_path: Path, selected: list[int]) -> None:
    root = project(tmp_path)
    first = run(root)
    assert "settings.yaml" in {r.path for r in first.changed}, "the fixture must change"
    assert "app/main.py" in {r.path for r in first.changed}
    again = run(root)
    assert selected == [1], "the second run read no file list"
    assert seen(again) == seen(first) == uncached(root)
    assert again.stats == first.stats


def _edit(rel: str, text: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        (root / rel).write_text(text)

    return edit


def _add(root: Path) -> None:
    (root / "app" / "extra.py").write_text("X = 1\n")


def _remove(root: Path) -> None:
    (root / "app" / "util.py").unlink()


def _touch_dropped(root: Path) -> None:
    path = root / "app" / "util.py"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            _edit("app/util.py", "import openai\n\nopenai.OpenAI().models.list()\n"),
            id="a dropped file starts using openai",
        ),
        pytest.param(_edit("app/config.py", "TIMEOUT = 60\n"), id="a module read for constants"),
        pytest.param(_edit("app/models.py", 'CHAT_MODEL = "gpt-4o-mini"\n'), id="a kept file"),
        pytest.param(_edit("settings.yaml", "llm:\n  model: gpt-4\n"), id="configuration"),
        pytest.param(_add, id="a new file"),
        pytest.param(_remove, id="a removed file"),
    ],
)
def test_a_change_to_what_the_run_read_runs_again(
    tmp_path: Path, selected: list[int], change: Callable[[Path], None]
) -> None:
    root = project(tmp_path)
    run(root)
    change(root)
    changed = run(root)
    assert selected == [1, 1]
    assert seen(changed) == uncached(root)


def test_a_file_the_run_did_not_read_is_compared_by_its_stamp(
    tmp_path: Path, selected: list[int]
) -> None:
    """Its bytes are not known: a new stamp may be new bytes that the prefilter keeps.
    (Without configuration files nothing reads util.py; with them, the search for code
    naming them reads every Python file.)"""
    root = project(tmp_path)
    (root / "settings.yaml").unlink()
    run(root)
    run(root)
    _touch_dropped(root)
    assert seen(run(root)) == uncached(root)
    assert selected == [1, 1]


def test_a_file_written_back_with_the_same_bytes_is_compared_by_its_bytes(
    tmp_path: Path, selected: list[int]
) -> None:
    """`git checkout` of a migrated branch and back writes the files again: new stamps,
    same bytes."""
    root = project(tmp_path)
    first = run(root)
    for rel in ("app/main.py", "app/config.py", "settings.yaml"):
        data = (root / rel).read_bytes()
        (root / rel).unlink()
        (root / rel).write_bytes(data)
    again = run(root)
    assert selected == [1]
    assert seen(again) == seen(first)


def test_other_options_or_a_moved_tree_run_again(tmp_path: Path, selected: list[int]) -> None:
    root = project(tmp_path)
    run(root)
    assert seen(run(root, options("glm"))) == uncached(root, options("glm"))
    assert selected == [1, 1]
    moved = shutil.copytree(root, tmp_path / "moved")
    assert seen(run(moved)) == uncached(moved)
    assert selected == [1, 1, 1]


def test_a_cache_emptied_of_results_runs_again(tmp_path: Path, selected: list[int]) -> None:
    root = project(tmp_path)
    run(root)
    cache = open_cache()
    assert cache is not None
    for entry in cache.entries.rglob("*"):
        if entry.is_file() and not entry.name.startswith(".") and entry.stat().st_size > 0:
            body = entry.read_bytes()
            if b"FileResult" in body and b"report-memo" not in body:
                entry.unlink()
    assert seen(run(root)) == uncached(root)
    assert selected == [1, 1]


def test_a_credential_in_a_rewritten_file_stays_out_of_the_cache(
    tmp_path: Path, selected: list[int]
) -> None:
    root = project(tmp_path)
    main = root / "app" / "main.py"
    main.write_text(MAIN + f'FALLBACK_KEY = "{KEY}"\n')
    first = run(root)
    again = run(root)
    assert selected == [1]
    assert seen(again) == seen(first) == uncached(root)
    read_again = {r.path: r for r in again.results}["app/main.py"]
    assert KEY.encode() in (read_again.old_source or b"")
    stored = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert stored and not any(KEY.encode() in p.read_bytes() for p in stored)


def test_a_configuration_file_holding_a_credential_is_not_memoized(
    tmp_path: Path, selected: list[int]
) -> None:
    root = project(tmp_path)
    (root / "settings.yaml").write_text(f"llm:\n  model: gpt-4o-mini\n  key: {KEY}\n")
    first = run(root)
    again = run(root)
    assert selected == [1, 1], "the configuration results would hold the key"
    assert seen(again) == seen(first)
    stored = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert not any(KEY.encode() in p.read_bytes() for p in stored)
