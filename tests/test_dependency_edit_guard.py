"""A dependency edit that cannot be made is a checklist item (MIG612), never silently
skipped: when the edited file still lacks a requirement the strategy adds (as an old
tomlkit once returned pyproject files unchanged), `checklist` says so at that file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import migrator.apply_plan as apply_plan
from migrator.cli import main
from migrator.deps import DependencyChange, EditResult


def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(
        "from openai import OpenAI\n\nclient = OpenAI()\n"
        'r = client.chat.completions.create(model="gpt-4o", messages=[])\n',
        encoding="utf-8",
    )
    (tmp_path / "requirements.txt").write_text("openai>=1.30\nrequests\n", encoding="utf-8")
    return tmp_path


def items(root: Path) -> list[dict]:
    result = CliRunner().invoke(
        main, ["checklist", str(root), "--to", "qwen", "--strategy", "native", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["items"]


def test_an_edit_that_drops_the_added_requirement_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unchanged(path: object, text: str, change: DependencyChange) -> EditResult:
        return EditResult(text, False, [])

    monkeypatch.setattr(apply_plan, "edit_dependency_file", unchanged)
    found = [i for i in items(project(tmp_path)) if i["path"] == "requirements.txt"]
    assert [i["id"] for i in found] == ["MIG612"]
    assert "could not be added; update it by hand" in found[0]["message"]
    assert "dashscope" in found[0]["message"]


def test_a_real_edit_raises_no_such_item(tmp_path: Path) -> None:
    found = [i for i in items(project(tmp_path)) if i["path"] == "requirements.txt"]
    assert not any("could not be added" in i["message"] for i in found)


def test_names_match_across_dashes_underscores_and_case() -> None:
    change = DependencyChange(add=["volcengine-python-sdk[ark]>=1.0"], remove=[])
    assert apply_plan._not_added("Volcengine_Python_SDK[ark]>=1.0\n", change) == []
    assert apply_plan._not_added("volcengine-python-sdk-extra\n", change) == [change.add[0]]
