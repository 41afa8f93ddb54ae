"""Configuration as ruff finds it: the nearest [tool.migrator] above PATH, `--config FILE`,
`--isolated`; several PATHs in one run; unknown rule ids are errors, a model override that
matches nothing is a warning, a mapping that replaces a built-in provider is said."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from migrator.cli import main
from migrator.config import rebase_globs
from tests.codemod_helpers import REWRITE_FIXTURES, ROOT


def run(*args: str | Path) -> Result:
    env = {"NO_COLOR": None, "FORCE_COLOR": None, "COLUMNS": "200"}
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """[tool.migrator] at the top; code in pkg/ and pkg/legacy/ (excluded), and in tools/."""
    root = tmp_path / "project"
    for folder in ("pkg/legacy", "tools"):
        (root / folder).mkdir(parents=True)
    shutil.copy(REWRITE_FIXTURES / "v1_sync.py", root / "pkg" / "app.py")
    shutil.copy(REWRITE_FIXTURES / "v1_sync.py", root / "pkg" / "legacy" / "old.py")
    shutil.copy(REWRITE_FIXTURES / "v1_sync.py", root / "tools" / "cli.py")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.migrator]\nprovider = "glm"\nexclude = ["pkg/legacy/**"]\n',
        encoding="utf-8",
    )
    return root


def diff_json(*args: str | Path) -> dict:
    result = run("diff", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_config_is_found_from_a_subfolder(project: Path) -> None:
    doc = diff_json(project / "pkg")
    assert doc["provider"] == "zhipu"  # provider = "glm" from the top folder
    assert [f["path"] for f in doc["files"]] == ["app.py"]  # pkg/legacy/** excluded


def test_a_nearer_pyproject_without_the_table_is_passed_over(project: Path) -> None:
    (project / "pkg" / "pyproject.toml").write_text('[project]\nname = "pkg"\n')
    assert diff_json(project / "pkg")["provider"] == "zhipu"


def test_config_file_and_isolated(project: Path, tmp_path: Path) -> None:
    own = tmp_path / "migrator.toml"
    own.write_text('provider = "deepseek"\n', encoding="utf-8")
    assert diff_json(project / "pkg", "--config", own)["provider"] == "deepseek"
    bare = tmp_path / "pyproject.toml"
    bare.write_text('[project]\nname = "y"\n', encoding="utf-8")
    result = run("diff", project / "pkg", "--config", bare)
    assert result.exit_code == 2 and "no [tool.migrator] table" in result.output
    isolated = run("diff", project / "pkg", "--isolated")
    assert isolated.exit_code == 2 and "no provider" in isolated.output
    doc = diff_json(project / "pkg", "--isolated", "--to", "qwen")
    assert [f["path"] for f in doc["files"]] == ["app.py", "legacy/old.py"]  # no excludes


def test_several_paths_in_one_run(project: Path) -> None:
    doc = diff_json(project / "pkg", project / "tools")
    assert [f["path"] for f in doc["files"]] == ["pkg/app.py", "tools/cli.py"]
    scan = run("scan", project / "pkg" / "app.py", project / "tools", "--format", "json")
    assert scan.exit_code == 0
    assert {u["path"] for u in json.loads(scan.stdout)["usages"]} == {"pkg/app.py", "tools/cli.py"}
    # apply and checklist take one PATH (a branch and a MIGRATION.md per project).
    result = run("apply", project / "pkg", project / "tools", "--to", "qwen")
    assert result.exit_code == 2 and "unexpected extra argument" in result.output


def test_unknown_rule_ids_are_usage_errors(project: Path) -> None:
    result = run("diff", project / "pkg", "--ignore", "MIG999")
    assert result.exit_code == 2
    assert "unknown rule id(s) in --ignore: MIG999" in result.output
    assert run("diff", project / "pkg", "--ignore", "mig108").exit_code == 0
    config = project / "pyproject.toml"
    config.write_text(config.read_text() + 'ignore = ["MIG10"]\n')
    result = run("checklist", project / "pkg")
    assert result.exit_code == 2
    assert "unknown rule id(s) in [tool.migrator] ignore: MIG10" in result.output


def test_a_model_map_key_that_never_matches_is_a_warning(project: Path) -> None:
    result = run("diff", project / "pkg", "--model-map", "gpt-4o=glm-4-plus",
                 "--model-map", "gtp-4o=glm-4-plus")  # fmt: skip
    assert result.exit_code == 0
    assert "no model id 'gtp-4o' was found" in result.stderr
    assert "'gpt-4o'" not in result.stderr


def test_a_mapping_that_replaces_a_built_in_provider_says_so(project: Path, tmp_path: Path) -> None:
    own = tmp_path / "deepseek.yaml"
    shutil.copy(ROOT / "mappings" / "deepseek.yaml", own)
    result = run("diff", project / "pkg", "--mapping", own, "--to", "deepseek")
    assert result.exit_code == 0
    assert f"{own} replaces the built-in provider 'deepseek'" in result.stderr
    acme = ROOT / "fixtures" / "findings" / "mapping.yaml"
    assert "replaces" not in run("diff", project / "pkg", "--mapping", acme).stderr


def test_rebase_globs() -> None:
    assert rebase_globs(("pkg/legacy/**", "*.gen.py", "!pkg/vendor", "docs"), "pkg/") == (
        "legacy/**", "*.gen.py", "!vendor", "docs",
    )  # fmt: skip
    assert rebase_globs(("pkg",), "pkg/sub/") == ("**",)
