"""-q/-v and progress: phases (discover, constants pre-pass, rewrite) with counts on
stderr with -v, plain progress lines with an ETA when stderr is not a terminal, nothing
with -q, never anything on stdout beside the JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from migrator import progress
from migrator.cli import main
from tests.codemod_helpers import REWRITE_FIXTURES


def run(*args: str | Path) -> Result:
    env = {"NO_COLOR": None, "FORCE_COLOR": None, "COLUMNS": "200"}
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


@pytest.fixture
def target(tmp_path: Path) -> Path:
    shutil.copy(REWRITE_FIXTURES / "v1_sync.py", tmp_path)
    (tmp_path / "vendor").mkdir()
    shutil.copy(REWRITE_FIXTURES / "v1_sync.py", tmp_path / "vendor" / "lib.py")
    return tmp_path


@pytest.mark.parametrize("where", ["command", "group"])
def test_verbose_prints_phases_on_stderr_only(target: Path, where: str) -> None:
    args = ["diff", target, "--to", "qwen", "--format", "json"]
    result = run("-v", *args) if where == "group" else run(*args, "-v")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["summary"]["files_changed"] == 1
    lines = result.stderr.splitlines()
    for phase in ("discover: 1 Python file(s)", "constants pre-pass:", "rewrite: 1 file(s) read"):
        assert any(line.startswith(f"migrator: {phase}") for line in lines), (phase, lines)


def test_default_and_quiet(target: Path) -> None:
    default = run("scan", target, "--format", "json")
    assert "discover" not in default.stderr
    assert "skipped third-party code: vendor/" in default.stderr  # a note
    quiet = run("scan", target, "--format", "json", "-q")
    assert quiet.stderr == ""
    assert json.loads(quiet.stdout) == json.loads(default.stdout)
    # -v then -q cancel out; the level does not leak into the next run in this process
    assert "discover" not in run("-v", "scan", target, "-q").stderr
    assert "discover" not in run("scan", target).stderr


def test_plain_progress_lines_with_an_eta(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(progress, "_LINE_EVERY", 0.0)
    progress.set_verbosity(1)
    try:
        bar = progress.FileProgress("rewrite", 4)
        for done in range(1, 5):
            bar.update(done)
        bar.close()
    finally:
        progress.set_verbosity(0)
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "migrator: rewrite: 4 file(s) to read"
    assert err[1].startswith("migrator: rewrite: 1/4 files, about ") and err[1].endswith("s left")
    assert err[-1].startswith("migrator: rewrite: 4 file(s) read (")
