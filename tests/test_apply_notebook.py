"""`migrator apply` on a repository whose OpenAI code lives in notebooks only."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrator.cli import main
from tests.test_apply import git, isolated_git, make_repo  # noqa: F401 - autouse fixture

NOTEBOOKS = Path(__file__).resolve().parent.parent / "fixtures" / "notebooks"


@pytest.mark.parametrize("strategy", ["compat", "native"])
def test_apply_writes_and_commits_notebooks(tmp_path: Path, strategy: str) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {"requirements.txt": "openai>=1.40\npandas\n", ".env.example": "OPENAI_API_KEY=\n"},
        commit=False,
    )
    shutil.copy(NOTEBOOKS / "usage_report.ipynb", repo / "usage_report.ipynb")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "initial")
    before = (repo / "usage_report.ipynb").read_bytes()
    result = CliRunner().invoke(
        main, ["apply", str(repo), "--to", "qwen", "--strategy", strategy],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    changed = git(repo, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert "usage_report.ipynb" in changed and "MIGRATION.md" in changed
    assert ".env.example" in changed  # the notebook's key variable is renamed there too
    after = (repo / "usage_report.ipynb").read_bytes()
    old_doc, new_doc = json.loads(before), json.loads(after)
    for old, new in zip(old_doc["cells"], new_doc["cells"], strict=True):
        assert {k: v for k, v in old.items() if k != "source"} == {
            k: v for k, v in new.items() if k != "source"
        }
    assert after.count(b"\n") == after.count(b"\r\n")
    env = (repo / ".env.example").read_text(encoding="utf-8")
    assert "DASHSCOPE_API_KEY" in env
    if strategy == "native":
        assert "dashscope" in (repo / "requirements.txt").read_text(encoding="utf-8")
    checklist = (repo / "MIGRATION.md").read_text(encoding="utf-8")
    assert "usage_report.ipynb:4:2" in checklist  # MIG620 on the %%bash cell, by cell
    assert "MIG605" not in checklist
