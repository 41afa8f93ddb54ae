"""Faults while `apply` writes, on every kind of file it writes (code, a notebook, a config
file, dependencies, the env template, MIGRATION.md): a full disk, a file deleted by someone
else mid-run. Each leaves the work tree as it was (kill -9 and Ctrl-C/SIGTERM are
tests/test_apply_interrupt.py's)."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import migrator.apply
from migrator.cli import main
from tests.test_apply import git, make_repo, snapshot

ROOT = Path(__file__).resolve().parent.parent
APP = """\
import yaml
from openai import OpenAI

SETTINGS = yaml.safe_load(open("settings.yaml"))
client = OpenAI()


def ask(q: str) -> str:
    r = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": q}])
    return r.choices[0].message.content
"""


def _repo(tmp_path: Path) -> Path:
    repo = make_repo(
        tmp_path / "repo",
        {"app.py": APP, "requirements.txt": "openai<1\n", ".env.example": "OPENAI_API_KEY=\n"},
        commit=False,
    )
    shutil.copy(ROOT / "fixtures/notebooks/ticket_triage.ipynb", repo / "triage.ipynb")
    shutil.copy(ROOT / "fixtures/configs/formats/settings.yaml", repo / "settings.yaml")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "initial")
    return repo


def _writes(repo: Path) -> list[str]:
    """The files an undisturbed apply writes, in order (run on a copy)."""
    copy = repo.parent / "reference"
    shutil.copytree(repo, copy)
    written: list[str] = []
    real = migrator.apply.write_atomic

    def record(path: Path, data: bytes, **kwargs: object) -> None:
        written.append(Path(path).relative_to(copy).as_posix())
        real(path, data, **kwargs)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(migrator.apply, "write_atomic", record)
        result = CliRunner().invoke(main, ["apply", str(copy), "--to", "deepseek"])
    assert result.exit_code == 0, result.output
    return written


def test_every_kind_of_write_is_covered(tmp_path: Path) -> None:
    written = _writes(_repo(tmp_path))
    assert {"app.py", "triage.ipynb", "settings.yaml", "requirements.txt", ".env.example",
            "MIGRATION.md"} <= set(written)  # fmt: skip


@pytest.mark.parametrize("fail_at", range(6))
def test_disk_full_mid_run_restores_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int
) -> None:
    repo = _repo(tmp_path)
    original = snapshot(repo)
    real = migrator.apply.write_atomic
    calls: list[Path] = []

    def fill_up(path: Path, data: bytes, **kwargs: object) -> None:
        calls.append(path)
        if len(calls) == fail_at + 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(migrator.apply, "write_atomic", fill_up)
    result = CliRunner().invoke(main, ["apply", str(repo), "--to", "deepseek"])
    assert result.exit_code != 0
    assert "No space left on device" in result.output
    assert "restored, so the work tree is as it was" in result.output
    assert snapshot(repo) == original


@pytest.mark.parametrize("victim", ["triage.ipynb", "settings.yaml", "requirements.txt"])
def test_file_deleted_mid_run_is_not_resurrected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, victim: str
) -> None:
    repo = _repo(tmp_path)
    order = _writes(repo)
    assert order.index(victim) > 0
    original = snapshot(repo)
    real = migrator.apply.write_atomic

    def delete_victim_first(path: Path, data: bytes, **kwargs: object) -> None:
        (repo / victim).unlink(missing_ok=True)  # another process, between two writes
        real(path, data, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(migrator.apply, "write_atomic", delete_victim_first)
    result = CliRunner().invoke(main, ["apply", str(repo), "--to", "deepseek"])
    assert result.exit_code != 0
    assert f"{victim} was changed or deleted while apply ran" in result.output
    del original[victim]
    assert snapshot(repo) == original  # the others restored, the deleted file stays deleted
