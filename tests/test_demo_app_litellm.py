"""The demo app under `migrator apply --to deepseek --strategy litellm`, run with its own tests.

The Done-when of the litellm strategy: the branch `apply` leaves is code a LiteLLM user
would write (the chat calls are `litellm.completion`, the shared openai client stays only
for what LiteLLM's calls do not replace), every module of the app imports on the real
LiteLLM with the network blocked, and the demo's own tests pass except those the checklist
(MIGRATION.md) names. Here those are the tests that patch `app.chat.client` with a fake:
the calls no longer go through that client, and the checklist item of app/chat.py says so
and names their file.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.execution.harness import FAKENET_DIR, read_log
from tests.test_demo_app_own_tests import _IMPORT_ALL, _checklist_items, _git, demo_git_copy

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("litellm") is None, reason="litellm is not installed"
)

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo-app"
# The demo tests that install a fake client with `monkeypatch.setattr(chat, "client", ...)`.
PATCHING_CLIENT = "tests/test_chat.py"


def test_litellm_branch_passes_its_tests_but_those_the_checklist_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = demo_git_copy(tmp_path, monkeypatch)
    # (that they all pass before: tests/test_demo_app_own_tests.py)
    proc = subprocess.run(
        [sys.executable, "-m", "migrator", "apply", str(root), "--to", "deepseek",
         "--strategy", "litellm"],
        capture_output=True, text=True, encoding="utf-8", check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _git(root, "status", "--porcelain") == ""
    chat = (root / "app" / "chat.py").read_text(encoding="utf-8")
    assert "client.chat.completions.create" not in chat
    assert chat.count("litellm.completion(") == 4
    assert chat.count('api_key=os.environ["DEEPSEEK_API_KEY"]') == 4
    assert "from app.llm import client" not in chat
    assert re.search(r"^import litellm$", chat, re.MULTILINE)
    config = (root / "app" / "config.py").read_text(encoding="utf-8")
    assert 'CHAT_MODEL = "deepseek/deepseek-v4-pro"' in config
    requirements = (root / "requirements.txt").read_text(encoding="utf-8")
    assert "litellm>=1.110.2" in requirements

    log = tmp_path / "network.jsonl"
    log.touch()
    network = {
        "PYTHONPATH": str(FAKENET_DIR),
        "FAKENET_LOG": str(log),
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    }
    # One interpreter (importing LiteLLM costs seconds): every module of the app must import
    # on the real LiteLLM (the demo's tests import only app.chat), then the demo's tests
    # run. app.config's Settings still reads OPENAI_API_KEY (MIG504), as the demo's
    # conftest sets it for its tests.
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env.pop("PYTEST_ADDOPTS", None)
    env.update({"DEEPSEEK_API_KEY": "test-key", "OPENAI_API_KEY": "test-key", **network})
    script = _IMPORT_ALL + (
        "import pytest, sys\n"
        "sys.exit(pytest.main(['-q', '-rA', '-p', 'no:cacheprovider', 'tests']))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=root, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert "Traceback" not in proc.stderr, proc.stderr  # every module imported
    after: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        word, _, rest = line.partition(" ")
        if word in ("PASSED", "FAILED", "ERROR"):
            after[rest.split(" - ")[0].strip()] = word
    assert after, proc.stdout + proc.stderr
    assert read_log(log) == ([], [])  # nothing reached for the network, not even LiteLLM

    failed = sorted(name for name, outcome in after.items() if outcome != "PASSED")
    assert failed, after  # (all of today's demo tests patch the client)
    assert all(name.startswith(PATCHING_CLIENT + "::") for name in failed), failed
    checklist = (root / "MIGRATION.md").read_text(encoding="utf-8")
    items = _checklist_items(checklist, "app/chat.py")
    assert any(
        rule == "MIG182" and PATCHING_CLIENT in text and "app.chat.client" in text
        for rule, text in items
    ), items
    assert "LITELLM_LOCAL_MODEL_COST_MAP=True" in checklist
