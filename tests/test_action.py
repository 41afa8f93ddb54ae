"""action.yml: a composite action whose scripts run migrator with options that exist.

The `run:` steps are executed here as the runner would (bash -eo pipefail, inputs as
environment variables, GITHUB_OUTPUT a file), with the installed `migrator` on PATH; the
`uses:` steps (setup-python, upload-sarif) are GitHub's and are only checked for shape.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from migrator.cli import main
from tests.codemod_helpers import REWRITE_FIXTURES, ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def test_action_is_composite_with_known_inputs() -> None:
    assert ACTION["runs"]["using"] == "composite"
    inputs = ACTION["inputs"]
    assert {"command", "path", "provider", "args", "sarif-file", "upload-sarif"} <= set(inputs)
    steps = ACTION["runs"]["steps"]
    for step in steps:
        assert ("uses" in step) != ("run" in step)
        if "run" in step:
            assert step["shell"] == "bash"
            # inputs reach scripts through env, never spliced into the script's text
            assert "${{" not in step["run"]
    uses = [step["uses"] for step in steps if "uses" in step]
    assert uses == ["actions/setup-python@v5", "github/codeql-action/upload-sarif@v3"]
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    for reference in re.findall(r"inputs\.([a-z-]+)", text):
        assert reference in inputs, reference


def test_scripts_use_real_cli_options() -> None:
    script = next(s["run"] for s in ACTION["runs"]["steps"] if s.get("id") == "check")
    for command in ("diff", "scan"):
        line = next(x for x in script.splitlines() if f"args=({command} " in x)
        options = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", line))
        params = main.commands[command].params
        known = {opt for p in params for opt in (*p.opts, *p.secondary_opts)}
        assert options and options <= known, (command, options - known)
    assert "--format sarif" in script and "--check" in script


def run_steps(workspace: Path, inputs: dict[str, str]) -> tuple[int, dict[str, str], str]:
    """The action's `run:` steps after the install, as the runner runs them."""
    values = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    values.update(inputs)
    outputs: dict[str, str] = {}
    log = ""
    bindir = str(Path(sys.executable).parent)
    for step in ACTION["runs"]["steps"]:
        if "run" not in step or step["name"] == "Install migrator":
            continue
        output_file = workspace / "github_output"
        output_file.write_text("")

        def evaluate(match: re.Match[str]) -> str:
            scope, _, name = match.group(1).rpartition(".")
            return values[name] if scope == "inputs" else outputs.get(name, "")

        env = {k: v for k, v in os.environ.items() if not k.startswith("MIGRATOR_")}
        env.update({k: EXPRESSION.sub(evaluate, str(v)) for k, v in step.get("env", {}).items()})
        env.update(GITHUB_OUTPUT=str(output_file), PATH=f"{bindir}{os.pathsep}{env['PATH']}")
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workspace, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        log += proc.stdout + proc.stderr
        for line in output_file.read_text().splitlines():
            key, _, value = line.partition("=")
            outputs[key] = value
        if proc.returncode != 0:
            return proc.returncode, outputs, log
    return 0, outputs, log


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    shutil.copy(REWRITE_FIXTURES / "v1_sync.py", tmp_path / "app.py")
    (tmp_path / "pyproject.toml").write_text('[tool.migrator]\nprovider = "deepseek"\n')
    return tmp_path


def test_diff_check_writes_sarif_and_fails_after_it(workspace: Path) -> None:
    status, outputs, log = run_steps(workspace, {})
    assert status == 1, log
    assert outputs == {"sarif-file": "migrator.sarif", "exit-code": "1"}
    assert "::error title=migrator::OpenAI code is left to migrate" in log
    log_json = json.loads((workspace / "migrator.sarif").read_text())
    rules = {r["ruleId"] for r in log_json["runs"][0]["results"]}
    assert "MIG911" in rules  # the pending rewrite, with its fix


def test_extra_args_and_provider_reach_migrator(workspace: Path) -> None:
    status, outputs, log = run_steps(
        workspace, {"provider": "qwen", "args": "--exclude app.py", "sarif-file": "out.sarif"}
    )
    assert (status, outputs["exit-code"]) == (0, "0"), log  # app.py excluded: nothing left
    assert json.loads((workspace / "out.sarif").read_text())["runs"][0]["results"] == []


def test_scan_check_and_a_usage_error(workspace: Path) -> None:
    status, outputs, _ = run_steps(workspace, {"command": "scan"})
    assert (status, outputs["exit-code"]) == (1, "1")
    status, outputs, log = run_steps(workspace, {"provider": "no-such-provider"})
    assert status == 2 and outputs["exit-code"] == "2"  # an error, not a finding
    assert "unknown provider" in log
    status, _, log = run_steps(workspace, {"command": "apply"})
    assert status == 2 and "command must be diff or scan" in log


def test_readme_snippets_use_the_hook_and_the_action_as_they_are() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## pre-commit and CI\n", 1)[1].split("\n## ", 1)[0]
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", section, re.S)]
    pre_commit, workflow = blocks
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in pre_commit["repos"][0]["hooks"]] == [h["id"] for h in hooks]
    assert workflow["permissions"]["security-events"] == "write"  # upload-sarif needs it
    (job,) = workflow["jobs"].values()
    step = job["steps"][-1]
    assert set(step["with"]) <= set(ACTION["inputs"])
    assert step["uses"].split("@")[0].endswith("/migrator")
