"""`migrator apply` stopped midway: every file is old or new, and the repo recovers.

The subprocess runs with the test-only hook MIGRATOR_TEST_SLOW_WRITES (apply.py), which
reports each written file on stderr and then sleeps, so the test can stop it after N files
(it has the length of one sleep to react).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrator.cli import main

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "fixtures" / "findings" / "mapping.yaml"
BRANCH = "migrator/openai-to-acme"
WRITTEN = "migrator: test hook: wrote "


def module(name: str) -> str:
    return (
        f'"""{name}"""\n\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\n'
        f"def {name}(text: str) -> str:\n"
        f'    resp = client.chat.completions.create(model="gpt-4o-mini", '
        f'messages=[{{"role": "user", "content": text}}])\n'
        f"    return resp.choices[0].message.content\n"
    )


FILES = {
    **{f"app/{name}.py": module(name) for name in ("alpha", "beta", "gamma", "delta", "omega")},
    "requirements.txt": "openai<1\n",
    ".env.example": "OPENAI_API_KEY=\n",
}


@pytest.fixture
def git_env(tmp_path: Path) -> dict[str, str]:
    """An environment with no developer git config and a fixed identity in the repo."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_", "MIGRATOR_")) and k != "EMAIL"
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        GIT_CONFIG_GLOBAL="/dev/null",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CEILING_DIRECTORIES=str(tmp_path),
    )
    return env


def git(repo: Path, env: dict[str, str], *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def make_repo(path: Path, env: dict[str, str]) -> Path:
    for name, text in FILES.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    git(path, env, "init", "-q", "-b", "main")
    git(path, env, "config", "user.name", "Test Dev")
    git(path, env, "config", "user.email", "dev@example.com")
    git(path, env, "config", "commit.gpgsign", "false")
    git(path, env, "add", "-A")
    git(path, env, "commit", "-q", "-m", "initial")
    return path


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def migrated(repo: Path, tmp_path: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
             ) -> dict[str, bytes]:  # fmt: skip
    """The files an uninterrupted apply writes (run on a copy)."""
    copy = tmp_path / "reference"
    shutil.copytree(repo, copy)
    for key in [k for k in os.environ if k.startswith("GIT_") or k == "EMAIL"]:
        monkeypatch.delenv(key)
    for key in ("HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM",
                "GIT_CEILING_DIRECTORIES"):  # fmt: skip
        monkeypatch.setenv(key, env[key])
    monkeypatch.delenv("MIGRATOR_TEST_SLOW_WRITES", raising=False)
    result = CliRunner().invoke(
        main, ["apply", str(copy), "--to", "acme", "--mapping", str(MAPPING)],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return snapshot(copy)


def start_and_stop(repo: Path, env: dict[str, str], after: int, how: signal.Signals
                   ) -> tuple[subprocess.Popen[str], list[str], str]:  # fmt: skip
    """Run apply, stop it with `how` once `after` files were written; (proc, written, stderr)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "migrator", "apply", str(repo), "--to", "acme",
         "--mapping", str(MAPPING), "--jobs", "1"],
        env={**env, "MIGRATOR_TEST_SLOW_WRITES": "4"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    written: list[str] = []
    lines: list[str] = []
    try:
        assert proc.stderr is not None
        while len(written) < after:
            line = proc.stderr.readline()
            assert line, "apply ended early:\n" + "".join(lines) + proc.stderr.read()
            lines.append(line)
            if line.startswith(WRITTEN):
                written.append(line[len(WRITTEN) :].strip())
        proc.send_signal(how)
        _, rest = proc.communicate(timeout=60)
        # a slow machine may have let one more write through before the signal
        written += [
            ln[len(WRITTEN) :].strip() for ln in rest.splitlines() if ln.startswith(WRITTEN)
        ]
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    return proc, written, "".join(lines) + rest


def test_sigkill_leaves_old_or_new_files_and_recovers(
    tmp_path: Path, git_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "repo", git_env)
    original = snapshot(repo)
    base = git(repo, git_env, "rev-parse", "main")
    expected = migrated(repo, tmp_path, git_env, monkeypatch)

    proc, written, _ = start_and_stop(repo, git_env, 2, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    assert 2 <= len(written) < len(expected)

    now = snapshot(repo)
    assert set(now) <= set(expected) | set(original)  # no temp files left behind
    for name in sorted(set(expected) | set(original)):
        state = now.get(name)
        assert state in (original.get(name), expected.get(name)), f"{name} is partial"
        if name in written:
            assert state == expected[name]
        else:
            assert state == original.get(name)
    # the original branch was never written to
    assert git(repo, git_env, "rev-parse", "main") == base
    assert git(repo, git_env, "symbolic-ref", "--short", "HEAD") == BRANCH

    # the recovery the README documents for a hard kill
    git(repo, git_env, "stash", "push", "--include-untracked", "-q", "-m", "migrator: partial")
    git(repo, git_env, "checkout", "-q", "main")
    git(repo, git_env, "branch", "-D", BRANCH)
    assert snapshot(repo) == original
    assert git(repo, git_env, "status", "--porcelain") == ""
    assert git(repo, git_env, "branch", "--list") == "* main"


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_restores_files_and_prints_recovery(
    tmp_path: Path, git_env: dict[str, str], how: signal.Signals
) -> None:
    repo = make_repo(tmp_path / "repo", git_env)
    original = snapshot(repo)
    base = git(repo, git_env, "rev-parse", "main")

    proc, written, stderr = start_and_stop(repo, git_env, 2, how)
    assert proc.returncode == 130, stderr
    assert 2 <= len(written) < len(FILES)
    assert stderr.endswith(
        f"apply stopped before committing; the {len(written)} file(s) written so far were "
        "restored, so the "
        "work tree is as it was.\n"
        f"Branch {BRANCH} was created for the migration; to go back to where you were:\n"
        "  git checkout main\n"
        f"  git branch -D {BRANCH}\n"
        "interrupted.\n"
    )
    assert snapshot(repo) == original
    assert git(repo, git_env, "rev-parse", "main") == base
    # the printed commands work
    git(repo, git_env, "checkout", "-q", "main")
    git(repo, git_env, "branch", "-D", BRANCH)
    assert git(repo, git_env, "status", "--porcelain") == ""
    assert git(repo, git_env, "branch", "--list") == "* main"
