"""`migrator schema scan|diff|checklist`: the schemas are valid JSON Schema, the real
outputs of the commands on our fixtures (notebooks, config files, routes, grouped
checklist items) validate against them, and an output missing a contract key does not."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from migrator.cli import main

ROOT = Path(__file__).resolve().parent.parent
FINDINGS = ROOT / "fixtures" / "findings"

OUTPUTS = {
    "scan-fixtures": ("scan", ["scan", str(ROOT / "fixtures")]),
    "diff-demo": ("diff", ["diff", str(ROOT / "fixtures" / "demo-app"), "--to", "qwen"]),
    "diff-rag-route": (
        "diff",
        [
            "diff",
            str(ROOT / "fixtures" / "projects" / "rag-app"),
            "--to",
            "deepseek",
            "--route",
            "embeddings=qwen",
        ],
    ),  # fmt: skip
    "checklist-findings": (
        "checklist",
        [
            "checklist",
            str(FINDINGS / "repo"),
            "--to",
            "acme",
            "--mapping",
            str(FINDINGS / "mapping.yaml"),
        ],
    ),  # fmt: skip
}


def invoke(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def schema(name: str) -> dict:
    return json.loads(invoke("schema", name))


@pytest.mark.parametrize("name", ["scan", "diff", "checklist"])
def test_each_schema_is_valid_json_schema(name: str) -> None:
    Draft202012Validator.check_schema(schema(name))


@pytest.fixture(scope="module")
def outputs() -> dict[str, dict]:
    return {
        label: json.loads(invoke(*args, "--format", "json")) for label, (_, args) in OUTPUTS.items()
    }


@pytest.mark.parametrize("label", list(OUTPUTS))
def test_real_outputs_validate(outputs: dict[str, dict], label: str) -> None:
    document = outputs[label]
    validator = Draft202012Validator(schema(OUTPUTS[label][0]))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []


def test_the_fixtures_exercise_the_extensions(outputs: dict[str, dict]) -> None:
    """The outputs above hold the optional keys, so the schemas' types for them are checked."""
    usages = outputs["scan-fixtures"]["usages"]
    assert any("base_url" in u for u in usages) and any("cell" in u for u in usages)
    assert any("cell_diff" in f for f in outputs["diff-rag-route"]["files"])
    assert any("places" in i for i in outputs["checklist-findings"]["items"])


@pytest.mark.parametrize(
    ("label", "path"),
    [
        ("scan-fixtures", ["usages", 0, "line"]),
        ("diff-demo", ["summary", "edits"]),
        ("diff-demo", ["findings", 0, "severity"]),
        ("checklist-findings", ["items", 0, "id"]),
    ],
)
def test_an_output_missing_a_contract_key_is_rejected(
    outputs: dict[str, dict], label: str, path: list
) -> None:
    document = copy.deepcopy(outputs[label])
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    del parent[path[-1]]
    validator = Draft202012Validator(schema(OUTPUTS[label][0]))
    assert not validator.is_valid(document)
