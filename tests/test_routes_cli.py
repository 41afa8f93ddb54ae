"""`--route FAMILY=PROVIDER` on diff / apply / checklist, and `[tool.migrator] route`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from migrator.cli import main
from migrator.config import ConfigError, load_project_config
from migrator.mapping import load_registry
from migrator.routes import ROUTABLE_FAMILIES, RouteError, providers_serving, resolve_routes
from tests.codemod_helpers import ROOT

ROUTED = ROOT / "fixtures" / "routes"
# The programs only: golden/ holds the golden test's input and outputs.
ONLY_PROGRAMS = shutil.ignore_patterns("golden", "*.md")
CLEAN_ENV = {"NO_COLOR": None, "FORCE_COLOR": None, "TERM": None, "COLUMNS": "200"}


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [*map(str, args)], env=CLEAN_ENV, catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    shutil.copytree(ROUTED, root, ignore=ONLY_PROGRAMS)
    return root


def _diff_json(*args: str | Path) -> dict:
    result = run("diff", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _rule_ids(report: dict) -> set[str]:
    return {f["id"] for f in report["findings"]}


def test_flag_routes_embeddings(project: Path) -> None:
    report = _diff_json(project, "--to", "deepseek", "--route", "embeddings=qwen")
    assert "MIG170" in _rule_ids(report) and "MIG401" not in _rule_ids(report)
    diff = run("diff", project, "--to", "deepseek", "--route", "embeddings=qwen").output
    assert "+embeddings_client = OpenAI(api_key=" in diff
    assert "DASHSCOPE_API_KEY" in diff


def test_without_a_route_the_family_is_marked_and_routes_suggested(project: Path) -> None:
    report = _diff_json(project, "--to", "deepseek")
    assert {"MIG401", "MIG172"} <= _rule_ids(report)
    (suggestion, *_) = [f for f in report["findings"] if f["id"] == "MIG172"]
    serving = providers_serving(load_registry().all(), "embeddings", exclude="deepseek")
    assert f"providers with one: {', '.join(serving)}" in suggestion["message"]
    assert "`--route embeddings=PROVIDER`" in suggestion["message"]
    assert "dashscope" in serving and "deepseek" not in serving


def test_pyproject_route_and_the_flag_wins(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.migrator]\nprovider = "deepseek"\nroute = {embeddings = "qwen"}\n',
        encoding="utf-8",
    )
    assert load_project_config(project).route == {"embeddings": "qwen"}
    diff = run("diff", project).output
    assert "DASHSCOPE_API_KEY" in diff and "ZAI_API_KEY" not in diff
    diff = run("diff", project, "--route", "embeddings=glm").output
    assert "ZAI_API_KEY" in diff and "DASHSCOPE_API_KEY" not in diff


def test_pyproject_route_must_be_a_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.migrator]\nroute = "embeddings=qwen"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="route must map families to providers"):
        load_project_config(tmp_path)
    assert run("diff", tmp_path, "--to", "deepseek").exit_code == 2


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ("embeddings", "--route takes FAMILY=PROVIDER, got 'embeddings'"),
        ("=qwen", "--route takes FAMILY=PROVIDER"),
        ("embedding=qwen", "unknown endpoint family 'embedding'"),
        ("chat=qwen", "unknown endpoint family 'chat'"),
        ("embeddings=nosuch", "nosuch"),
        ("embeddings=moonshot", "Moonshot AI (Kimi) has no OpenAI-compatible embeddings"),
        ("embeddings=deepseek", "is the target itself"),
        ("images=qwen", "has no OpenAI-compatible images endpoint"),
    ],
)
def test_route_errors_exit_2_with_a_clear_message(project: Path, route: str, message: str) -> None:
    for command in ("diff", "checklist"):
        result = run(command, project, "--to", "deepseek", "--route", route)
        assert result.exit_code == 2, result.output
        assert message in result.output


def test_route_to_the_target_through_its_alias(project: Path) -> None:
    result = run("diff", project, "--to", "qwen", "--route", "embeddings=dashscope")
    assert result.exit_code == 2 and "is the target itself" in result.output


def test_unknown_family_lists_the_families() -> None:
    registry = load_registry()
    with pytest.raises(RouteError) as caught:
        resolve_routes(registry, registry.get("deepseek"), {"vectors": "qwen"}, ())
    assert ", ".join(ROUTABLE_FAMILIES) in str(caught.value)


def test_a_provider_lacking_the_family_names_those_that_have_it() -> None:
    registry = load_registry()
    with pytest.raises(RouteError, match=r"providers with one: .*dashscope"):
        resolve_routes(registry, registry.get("deepseek"), {}, ("embeddings=kimi",))


def test_aliases_are_accepted_and_resolved(project: Path) -> None:
    registry = load_registry()
    (route,) = resolve_routes(registry, registry.get("moonshot"), {}, ("Embeddings=glm",))
    assert (route.family, route.mapping.id) == ("embeddings", "zhipu")


def test_checklist_lists_the_route_providers_key(project: Path) -> None:
    result = run("checklist", project, "--to", "deepseek", "--route", "embeddings=qwen")
    assert result.exit_code == 0, result.output
    assert "--route embeddings=dashscope` -->" in result.output.splitlines()[0]
    assert "provision `DASHSCOPE_API_KEY` (the Alibaba Cloud DashScope (Qwen) API key" in (
        result.output
    )
    assert "provision `DEEPSEEK_API_KEY`" in result.output


def test_apply_in_place_writes_both_keys_into_the_env_template(project: Path) -> None:
    (project / ".env.example").write_text("OPENAI_API_KEY=\n", encoding="utf-8")
    result = run("apply", project, "--in-place", "--to", "deepseek", "--route", "embeddings=qwen")
    assert result.exit_code == 0, result.output
    template = (project / ".env.example").read_text(encoding="utf-8")
    assert template.splitlines() == [
        "DEEPSEEK_API_KEY=",
        "# added by migrator",
        "DASHSCOPE_API_KEY=",
    ]
    assert "embeddings_client.embeddings.create(" in (project / "rag_sync.py").read_text()
