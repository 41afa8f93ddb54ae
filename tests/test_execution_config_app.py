"""Execution test: an app whose model and endpoint live in settings.yaml.

fixtures/projects/config_app/app.py reads `llm.model` and `llm.base_url` from
settings.yaml and sends one chat request with them. The project is copied and migrated
with `migrator apply --in-place --retarget-configured` (the client's base_url comes from
configuration, which migrator retargets only when asked, MIG105) for qwen and glm; the
edited settings.yaml must carry the provider's model and base URL, comments and quoting
kept, and the migrated app, run with the provider's key only and the network faked, must
send its request to the provider's host with the provider's key and the model from the
edited YAML.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrator.cli import main
from tests.execution.harness import run_program

pytest.importorskip("openai")
pytest.importorskip("yaml")

PROJECT = Path(__file__).resolve().parent.parent / "fixtures" / "projects" / "config_app"

CASES = {
    # --to, key variable, host, path, model, base_url as written in settings.yaml
    "qwen": ("DASHSCOPE_API_KEY", "dashscope.aliyuncs.com", "/compatible-mode/v1/chat/completions",
             "qwen-plus", "https://dashscope.aliyuncs.com/compatible-mode/v1"),
    "glm": ("ZAI_API_KEY", "open.bigmodel.cn", "/api/paas/v4/chat/completions",
            "glm-4-air-250414", "https://open.bigmodel.cn/api/paas/v4/"),
}  # fmt: skip


@pytest.mark.parametrize("to", sorted(CASES))
def test_migrated_app_sends_the_model_of_the_edited_settings(tmp_path: Path, to: str) -> None:
    key_env, host, path, model, base_url = CASES[to]
    root = tmp_path / "config_app"
    shutil.copytree(PROJECT, root)
    original = run_program(root / "app.py", {"OPENAI_API_KEY": "sk-original"}).assert_ok()
    assert original.request.host == "api.openai.com"
    assert original.request.json["model"] == "gpt-4o-mini"

    result = CliRunner().invoke(
        main,
        ["apply", str(root), "--to", to, "--in-place", "--retarget-configured"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert (root / "settings.yaml").read_text(encoding="utf-8") == (
        "# Settings of the support bot: read by app.py at start-up.\n"
        "llm:\n"
        f"  model: {model}              # the chat model\n"
        f'  base_url: "{base_url}"\n'
        "  temperature: 0.3\n"
    )

    run = run_program(root / "app.py", {key_env: f"test-{to}-key"}).assert_ok()
    request = run.request
    assert (request.host, request.path) == (host, path)
    assert request.headers["authorization"] == f"Bearer test-{to}-key"
    assert request.json["model"] == model
    assert request.json["temperature"] == 0.3
    assert request.sent_by == "openai"
    assert run.stdout.strip() == original.stdout.strip()
    assert run.blocked == []
