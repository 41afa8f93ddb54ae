"""The runner: deterministic order whatever the pool does, and one bad file never sinks a run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from migrator import file_stamps, progress, runner
from migrator.cli import main
from migrator.discovery import Target, discover
from migrator.model import FileResult, Usage
from migrator.scan import scan

SNIPPETS = [
    "from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n"
    "    return client.chat.completions.create(model='gpt-4o', messages=[{'role': 'user',"
    " 'content': q}], temperature=0.2)\n",
    "import openai\n\nopenai.api_key = 'x'\nr = openai.ChatCompletion.create(model='gpt-3.5-turbo',"
    " messages=[])\n",
    "import os\n\nKEY = os.getenv('OPENAI_API_KEY')\nMODEL = 'text-embedding-3-small'\n",
    "from openai import AsyncOpenAI\n\n\nasync def go():\n    c = AsyncOpenAI()\n"
    "    return await c.embeddings.create(model='text-embedding-3-large', input=['a'])\n",
    "def unrelated(x):\n    return {'answer': x * 2}\n",  # no trigger: never parsed
]


def make_repo(root: Path, count: int = 40) -> Path:
    """`count` files spread over folders, written in an order unlike their sorted order."""
    for i in reversed(range(count)):
        folder = ("pkg", "pkg/sub", "tools", "z_last", "a_first")[i % 5]
        body = SNIPPETS[i % len(SNIPPETS)]
        # Vary the size so that some files take much longer than others to parse.
        padding = "".join(
            f"\n\ndef f{i}_{k}(a, b):\n    return a + b * {k}\n" for k in range(i * 8)
        )
        path = root / folder / f"m{(i * 7) % count:03d}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body + padding, encoding="utf-8")
    return root


def result_paths(results: list[FileResult]) -> list[str]:
    return [r.path for r in results]


# --- jobs that the pool pickles by reference (module level on purpose) -------------------


def sleepy_job(rel: str, data: bytes, options: Any) -> FileResult:
    """Earlier files take longer, so a pool finishes them last."""
    rank = int(data.split(b"#rank=", 1)[1].split(b"\n", 1)[0])
    time.sleep(max(0.0, 0.2 - rank * 0.01))
    return FileResult(rel, usages=[Usage(rel, 1, 1, "import", api="openai")])


def raising_job(rel: str, data: bytes, options: Any) -> FileResult:
    if b"BOOM" in data:
        raise ValueError(f"cannot handle {rel}")
    return FileResult(rel, usages=[Usage(rel, 1, 1, "import", api="openai")])


def dying_job(rel: str, data: bytes, options: Any) -> FileResult:
    if b"BOOM" in data:
        os._exit(3)  # what a segfault in a C extension looks like to the pool
    time.sleep(0.05)
    return FileResult(rel, usages=[Usage(rel, 1, 1, "import", api="openai")])


# --- order ----------------------------------------------------------------------------------


def test_scan_output_identical_for_jobs_1_and_4(tmp_path: Path) -> None:
    target = discover(make_repo(tmp_path / "repo"))
    assert len(target.files) == 40
    one = scan(target, jobs=1, show_progress=False)
    four = scan(target, jobs=4, show_progress=False)
    assert one.to_json() == four.to_json()
    assert one.stats.files_parsed == four.stats.files_parsed == 32  # 1 in 5 has no trigger
    paths = result_paths(four.results)
    assert paths == sorted(paths) and len(paths) == 32
    usages = [(u.path, u.line, u.column) for u in four.usages]
    assert usages == sorted(usages)
    assert one.usages, "the fixture must produce usages, or this test proves nothing"


def test_cli_json_identical_for_jobs_1_and_4(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", count=24)
    cli = CliRunner()
    outputs = []
    for jobs in ("1", "4"):
        result = cli.invoke(main, ["scan", str(root), "--format", "json", "--jobs", jobs])
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["files_with_usage"] > 0


def _ranked_target(root: Path, count: int) -> Target:
    for rank in range(count):
        (root / f"f{rank:02d}.py").parent.mkdir(parents=True, exist_ok=True)
        (root / f"f{rank:02d}.py").write_bytes(b"import openai\n#rank=%d\n" % rank)
    return discover(root)


def test_results_follow_file_order_not_completion_order(tmp_path: Path) -> None:
    target = _ranked_target(tmp_path / "repo", 16)
    results, stats = runner.run(target, sleepy_job, None, jobs=4, show_progress=False)
    assert result_paths(results) == [f"f{rank:02d}.py" for rank in range(16)]
    assert stats.files_parsed == stats.files_scanned == 16


# --- failures stay per file -----------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 4])
def test_a_job_that_raises_becomes_an_error_entry(tmp_path: Path, jobs: int) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    for i in range(12):
        marker = b"BOOM" if i == 5 else b""
        (root / f"f{i:02d}.py").write_bytes(b"import openai\n" + marker + b"\n")
    results, _ = runner.run(discover(root), raising_job, None, jobs=jobs, show_progress=False)
    assert result_paths(results) == [f"f{i:02d}.py" for i in range(12)]
    bad = results[5]
    assert bad.usages == []
    assert [(e.path, e.line) for e in bad.errors] == [("f05.py", 1)]
    assert "internal error: ValueError: cannot handle f05.py" in bad.errors[0].message
    assert all(r.usages and not r.errors for i, r in enumerate(results) if i != 5)


def test_a_worker_that_dies_becomes_an_error_entry(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    for i in range(10):
        marker = b"BOOM" if i == 3 else b""
        (root / f"f{i:02d}.py").write_bytes(b"import openai\n" + marker + b"\n")
    results, _ = runner.run(discover(root), dying_job, None, jobs=2, show_progress=False)
    assert result_paths(results) == [f"f{i:02d}.py" for i in range(10)]
    assert results[3].errors and results[3].errors[0].path == "f03.py"
    assert all(r.usages for i, r in enumerate(results) if i != 3)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_parser_crash_on_pathological_file_is_an_error_entry(tmp_path: Path, jobs: str) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    for i in range(9):
        (root / f"ok{i}.py").write_text("from openai import OpenAI\nclient = OpenAI()\n")
    depth = 100_000
    (root / "nested.py").write_text("import openai\nx = " + "(" * depth + "1" + ")" * depth + "\n")
    proc = subprocess.run(
        [sys.executable, "-m", "migrator", "scan", str(root), "--format", "json", "--jobs", jobs],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    assert [e["path"] for e in data["errors"]] == ["nested.py"]
    assert data["files_with_usage"] == 9


def test_files_that_do_not_parse_are_error_entries(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", count=10)
    (root / "broken.py").write_text("import openai\n\nx = 1 2\nprint(x)\n")
    (root / "latin.py").write_bytes(b"import openai\n# ok\nname = 'caf\xe9'\n")  # no cookie
    report = scan(discover(root), jobs=4, show_progress=False)
    errors = {e.path: e for e in report.errors}
    assert sorted(errors) == ["broken.py", "latin.py"]
    assert errors["broken.py"].message.startswith("syntax error")
    assert errors["latin.py"].line == 3
    assert report.files_with_usage == 8
    assert report.stats.files_scanned == 12


def _files_with_trigger(root: Path, names: list[str]) -> Target:
    root.mkdir(parents=True, exist_ok=True)
    for name in names:
        (root / name).write_text("from openai import OpenAI\nclient = OpenAI()\n")
    return discover(root)


@pytest.mark.parametrize("jobs", [1, 4])
def test_file_gone_after_discovery_is_an_error_entry(tmp_path: Path, jobs: int) -> None:
    names = [f"{c}.py" for c in "abcdefghijkl"]
    target = _files_with_trigger(tmp_path / "repo", names)
    (target.root / "f.py").unlink()  # deleted between discovery and read
    (target.root / "h.py").unlink()
    (target.root / "h.py").mkdir()  # and replaced by a folder
    results, stats = runner.run(target, scan_job_ref(), None, jobs=jobs, show_progress=False)
    assert result_paths(results) == names  # error entries sit in sorted position
    by_path = {r.path: r for r in results}
    for gone in ("f.py", "h.py"):
        (error,) = by_path[gone].errors
        assert error.path == gone and error.line == 1
        assert error.message.startswith("cannot read:")
    assert all(r.usages for r in results if r.path not in ("f.py", "h.py"))
    assert stats.files_scanned == 12 and stats.files_parsed == 10


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads mode-000 files"
)
def test_unreadable_file_is_an_error_entry(tmp_path: Path) -> None:
    target = _files_with_trigger(tmp_path / "repo", ["a.py", "b.py", "c.py"])
    locked = target.root / "b.py"
    locked.chmod(0)
    try:
        report = scan(target, jobs=1, show_progress=False)
    finally:
        locked.chmod(0o644)
    assert [(e.path, e.message.startswith("cannot read:")) for e in report.errors] == [
        ("b.py", True)
    ]
    assert report.files_with_usage == 2


def scan_job_ref() -> Any:
    from migrator.scan import scan_job

    return scan_job


# --- progress never touches stdout ---------------------------------------------------------


def test_progress_bar_goes_to_stderr_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(progress, "_BAR_DELAY", 0.0)
    target = _ranked_target(tmp_path / "repo", 12)
    results, _ = runner.run(target, sleepy_job, None, jobs=2, show_progress=True)
    assert len(results) == 12
    out, _err = capsys.readouterr()
    assert out == ""


# --- workers shared by the rounds of a run --------------------------------------------------


def pid_job(rel: str, data: bytes, options: Any) -> FileResult:
    """Reports the process that ran it (as the usage's api)."""
    return FileResult(rel, usages=[Usage(rel, 1, 1, "import", api=str(os.getpid()))])


def _tasks(count: int, marker: bytes = b"") -> list[tuple[str, bytes]]:
    return [
        (f"f{i:02d}.py", b"import openai\n" + (marker if i == 1 else b"")) for i in range(count)
    ]


def test_rounds_given_the_same_workers_run_in_the_same_processes() -> None:
    with runner.Workers(2) as workers:
        first = runner.execute(_tasks(10), pid_job, lambda _: None, workers=workers)
        assert workers.started
        # a second round too small for a pool of its own still goes to the started workers
        second = runner.execute(_tasks(2), pid_job, lambda _: None, workers=workers)
    assert not workers.started
    first_pids = {r.usages[0].api for r in first}
    second_pids = {r.usages[0].api for r in second}
    assert str(os.getpid()) not in first_pids | second_pids
    assert second_pids <= first_pids


def test_a_small_round_without_started_workers_runs_in_this_process() -> None:
    with runner.Workers(2) as workers:
        results = runner.execute(_tasks(2), pid_job, lambda _: None, workers=workers)
        assert not workers.started
    assert {r.usages[0].api for r in results} == {str(os.getpid())}


def test_a_round_after_a_worker_died_gets_new_workers() -> None:
    with runner.Workers(2) as workers:
        broken = runner.execute(_tasks(10, b"BOOM"), dying_job, lambda _: None, workers=workers)
        assert broken[1].errors and all(r.usages for i, r in enumerate(broken) if i != 1)
        assert not workers.started  # stopped: the broken pool is not reused
        again = runner.execute(_tasks(10), pid_job, lambda _: None, workers=workers)
    assert all(r.usages and not r.errors for r in again)
    assert str(os.getpid()) not in {r.usages[0].api for r in again}


def changing_job(rel: str, data: bytes, options: Any) -> FileResult:
    return FileResult(rel, old_source=data, new_source=data.upper(), edits=1)


def test_a_workers_result_holds_the_parents_bytes_not_a_copy_sent_back() -> None:
    """A rewritten file's old bytes do not travel back from the worker: the result holds
    the very bytes the parent had (one copy in memory, half the bytes to pickle)."""
    tasks = _tasks(10)
    with runner.Workers(2) as workers:
        results = runner.execute(tasks, changing_job, lambda _: None, workers=workers)
        assert workers.started
    for (_, data), result in zip(tasks, results, strict=True):
        assert result.old_source is data and result.new_source == data.upper()


def test_workers_freeze_the_parents_objects_while_they_run() -> None:
    import gc

    assert gc.get_freeze_count() == 0
    with runner.Workers(2) as workers:
        runner.execute(_tasks(10), pid_job, lambda _: None, workers=workers)
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def collector_state_job(rel: str, data: bytes, options: Any) -> FileResult:
    import gc

    state = "enabled" if gc.isenabled() else "paused"
    return FileResult(rel, usages=[Usage(rel, 1, 1, "import", api=state)])


def test_a_job_runs_with_the_cyclic_collector_paused_and_gets_it_back() -> None:
    """A big file's tree is walked by the collector again and again as it grows (a 3.5 MB
    module: eleven full collections); a job runs without it, and the caller's setting
    comes back, whatever the job did."""
    import gc

    assert gc.isenabled()
    result = runner._guarded(collector_state_job, "a.py", b"", None)
    assert result.usages[0].api == "paused" and gc.isenabled()
    broken = runner._guarded(dying_job_raises, "a.py", b"", None)
    assert broken.errors and gc.isenabled()
    gc.disable()
    try:
        runner._guarded(collector_state_job, "a.py", b"", None)
        assert not gc.isenabled()  # a caller that had paused it keeps it paused
    finally:
        gc.enable()


def dying_job_raises(rel: str, data: bytes, options: Any) -> FileResult:
    raise RuntimeError("boom")


# --- warm workers -----------------------------------------------------------------------------


def warm_marking_job(rel: str, data: bytes, options: Any) -> FileResult:
    """Leaves a file per process that ran the warm-up file (`options`: the folder); the
    warm-up takes a while, as loading the engine does, so each worker takes one."""
    if rel == runner._WARM_UP_FILE[0]:
        (Path(options) / str(os.getpid())).write_text("warm")
        time.sleep(0.3)
    return FileResult(rel, usages=[Usage(rel, 1, 1, "import", api=str(os.getpid()))])


def test_warmed_workers_ran_the_job_once_each_and_then_take_the_round(tmp_path: Path) -> None:
    with runner.Workers(2) as workers:
        workers.warm(warm_marking_job, str(tmp_path))
        assert workers.started
        results = runner.execute(
            _tasks(10), warm_marking_job, lambda _: str(tmp_path), workers=workers
        )
    warmed = {path.name for path in tmp_path.iterdir()}
    assert len(warmed) == 2 and str(os.getpid()) not in warmed
    # the warm-up's own result is nowhere in the round's
    assert [r.path for r in results] == [f"f{i:02d}.py" for i in range(10)]
    assert {r.usages[0].api for r in results} <= warmed


def test_a_warm_up_that_fails_leaves_the_files_to_report_it(tmp_path: Path) -> None:
    with runner.Workers(2) as workers:
        workers.warm(raising_job, None)  # raises on no file of its own: BOOM is in f01 only
        workers.warm(_raise_always, None)
        results = runner.execute(_tasks(4, b"BOOM"), raising_job, lambda _: None, workers=workers)
    assert [bool(r.errors) for r in results] == [False, True, False, False]


def _raise_always(rel: str, data: bytes, options: Any) -> FileResult:
    raise RuntimeError("the engine does not load")


def test_only_a_diff_with_nothing_cached_warms_its_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no cache, or a cache that holds no earlier run of these options on this tree,
    the workers are started before the pre-passes; a run whose files are likely cached
    (a memo was found, though it cannot serve) does not start them on a guess."""
    repo = make_repo(tmp_path / "repo")
    monkeypatch.setattr(file_stamps, "SETTLED_NS", -(10**12))  # the files count as old
    monkeypatch.delenv("MIGRATOR_NO_CACHE", raising=False)
    monkeypatch.setenv("MIGRATOR_CACHE_DIR", str(tmp_path / "cache"))
    warmed: list[object] = []
    real_warm = runner.Workers.warm

    def recording(self: runner.Workers, job: runner.Job, options: Any) -> None:
        warmed.append(job)
        real_warm(self, job, options)

    monkeypatch.setattr(runner.Workers, "warm", recording)
    cli = CliRunner()
    args = ["diff", str(repo), "--to", "deepseek", "--jobs", "2"]
    uncached = cli.invoke(main, [*args, "--no-cache"])
    assert len(warmed) == 1
    cold = cli.invoke(main, args)  # an empty cache
    assert len(warmed) == 2
    assert cold.output == uncached.output
    (repo / "pkg" / "m000.py").write_text("import openai\n\nclient = openai.OpenAI()\n")
    changed = cli.invoke(main, args)  # the memo is found, and a file it read changed
    assert len(warmed) == 2
    assert changed.exit_code == uncached.exit_code
    single = cli.invoke(main, [*args[:-1], "1", "--no-cache"])
    assert len(warmed) == 2  # one job: no workers
    assert single.output == changed.output
