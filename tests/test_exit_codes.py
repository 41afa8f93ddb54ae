"""One test per row of the README's exit-code table (src/migrator/exits.py).

0 success; 1 `--check` found something (usage, a pending rewrite, a file it could not
read or parse); 2 usage/config error, or a failure while `apply` writes or commits;
123 internal error; 130 interrupted.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from migrator import atomic
from migrator.cli import main
from migrator.scan import scan_job
from tests.codemod_helpers import REWRITE_FIXTURES, ROOT
from tests.test_apply import apply, git, isolated_git, make_repo  # noqa: F401 - fixture

NOTEBOOKS = ROOT / "fixtures" / "notebooks"
BROKEN = "import openai\ndef broken(:\n    pass\n"


def run(*args: str | Path) -> Result:
    env = {"NO_COLOR": None, "FORCE_COLOR": None, "COLUMNS": "200"}
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    root = tmp_path / "clean"
    root.mkdir()
    (root / "app.py").write_text("import json\n\nprint(json.dumps({}))\n", encoding="utf-8")
    return root


@pytest.fixture
def broken_only(clean: Path) -> Path:
    """No readable OpenAI code; the only openai import is in a file that does not parse."""
    (clean / "broken.py").write_text(BROKEN, encoding="utf-8")
    return clean


# --------------------------------------------------------------------------- 0


def test_0_success(clean: Path) -> None:
    assert run("scan", clean, "--check").exit_code == 0
    assert run("diff", clean, "--to", "qwen", "--check").exit_code == 0
    shutil.copy(REWRITE_FIXTURES / "v1_sync.py", clean)
    assert run("diff", clean, "--to", "qwen").exit_code == 0  # changes shown, no --check


# --------------------------------------------------------------------------- 1


def test_1_check_found_usage_or_pending_rewrite(clean: Path) -> None:
    shutil.copy(REWRITE_FIXTURES / "v1_sync.py", clean)
    assert run("scan", clean, "--check").exit_code == 1
    assert run("diff", clean, "--to", "qwen", "--check").exit_code == 1


@pytest.mark.parametrize("command", [["scan"], ["diff", "--to", "qwen"]])
def test_1_check_fails_on_a_file_it_could_not_parse(broken_only: Path, command: list[str]) -> None:
    result = run(command[0], broken_only, *command[1:], "--check")
    assert result.exit_code == 1, result.output
    assert "could not read or parse" in result.stderr
    assert "broken.py" in result.stderr
    # Without --check the unparsable file is reported but does not change the exit code.
    assert run(command[0], broken_only, *command[1:]).exit_code == 0


@pytest.mark.parametrize("command", [["scan"], ["diff", "--to", "qwen"]])
def test_skip_unparsable_lets_check_pass(broken_only: Path, command: list[str]) -> None:
    result = run(command[0], broken_only, *command[1:], "--check", "--skip-unparsable")
    assert result.exit_code == 0, result.output


def test_1_check_fails_on_an_unreadable_notebook(clean: Path) -> None:
    text = (NOTEBOOKS / "ticket_triage.ipynb").read_text(encoding="utf-8")
    (clean / "nb.ipynb").write_text(text[: len(text) // 2], encoding="utf-8")  # cut JSON
    result = run("scan", clean, "--check", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["errors"][0]["path"] == "nb.ipynb"
    assert "nb.ipynb" in result.stderr


# --------------------------------------------------------------------------- 2


def test_2_usage_and_config_errors(clean: Path, tmp_path: Path) -> None:
    assert run("diff", clean, "--to", "openrouter").exit_code == 2
    assert run("scan", tmp_path / "missing").exit_code == 2
    (clean / "pyproject.toml").write_text("[tool.migrator]\nprovidr = 'qwen'\n")
    result = run("scan", clean)
    assert result.exit_code == 2
    assert "unknown key(s) in [tool.migrator]: providr" in result.output


def test_2_io_failure_during_apply(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path / "repo")

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("migrator.apply.write_atomic", disk_full)
    assert atomic.write_atomic is not disk_full
    result = apply(repo)
    assert result.exit_code == 2, result.output
    assert "No space left on device" in result.output
    assert git(repo, "status", "--porcelain") == ""  # nothing left half-written


def test_2_rejected_commit_hook(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'policy: no commits today' >&2\nexit 1\n")
    hook.chmod(0o755)
    result = apply(repo)
    assert result.exit_code == 2, result.output
    assert "staged on branch" in result.output


# --------------------------------------------------------------------------- 123


def test_123_internal_error(clean: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("migrator.scan.scan", crash)
    result = CliRunner().invoke(main, ["scan", str(clean)])
    assert result.exit_code == 123
    assert "RuntimeError: a bug" in result.stderr
    assert "internal error" in result.stderr


def test_123_a_bug_on_one_file_after_the_run(clean: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As black: the run goes on past a file migrator fails on, prints its output, and
    then exits 123 naming the file."""
    shutil.copy(REWRITE_FIXTURES / "v1_sync.py", clean)
    shutil.copy(REWRITE_FIXTURES / "v1_sync.py", clean / "other.py")

    def buggy(rel: str, data: bytes, options: object) -> object:
        if rel == "other.py":
            raise ValueError("cannot handle this")
        return scan_job(rel, data, options)

    monkeypatch.setattr("migrator.scan.scan_job", buggy)
    result = run("scan", clean, "--format", "json", "--jobs", "1")
    assert result.exit_code == 123
    doc = json.loads(result.stdout)
    assert {u["path"] for u in doc["usages"]} == {"v1_sync.py"}  # the rest was scanned
    assert "internal error on 1 file(s)" in result.stderr and "other.py" in result.stderr


# --------------------------------------------------------------------------- 130


def test_130_interrupted_in_process(clean: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("migrator.migrate.migrate", interrupted)
    result = CliRunner().invoke(main, ["diff", str(clean), "--to", "qwen"])
    assert result.exit_code == 130
    assert "interrupted" in result.stderr


def test_130_sigint_during_a_real_run(clean: Path) -> None:
    """SIGINT to `python -m migrator scan` while its worker pool runs: exit 130."""
    for i in range(40):  # 10 s of jobs on 2 workers: Ctrl-C comes well before the end
        shutil.copy(REWRITE_FIXTURES / "v1_sync.py", clean / f"m{i}.py")
    env = {**os.environ, "MIGRATOR_TEST_SLOW_JOBS": "0.5"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "migrator", "scan", str(clean), "--jobs", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )  # fmt: skip
    assert proc.stderr is not None
    line = proc.stderr.readline()  # the test hook says when the first job started
    assert "test hook" in line, line
    time.sleep(0.3)  # the parent is past starting the pool, waiting on results
    assert proc.poll() is None  # still running (a stalled test would signal a finished run)
    proc.send_signal(signal.SIGINT)
    started = time.monotonic()
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.count("test hook") < 40  # the queued files were dropped
    assert time.monotonic() - started < 15  # no hang (a loose bound: the machine is shared)
