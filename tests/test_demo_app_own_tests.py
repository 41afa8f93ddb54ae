"""The demo app's own test suite, before and after `migrator apply --to glm`.

The demo's tests replace the client with a fake and assert on the keyword arguments
each call passes. Migrated, the app must still import and work (its client is built at
import time from the provider's variable), and exactly the tests that pin values GLM
does not take must fail: the README's walkthrough says so, and this keeps it true.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.execution.harness import migrate_folder

pytest.importorskip("openai")
pytest.importorskip("yaml")

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo-app"


def _run_demo_tests(root: Path, env_var: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env[env_var] = "test-key-not-used"
    env.pop("PYTEST_ADDOPTS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", "tests"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    outcomes: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        word, _, rest = line.partition(" ")
        if word in ("PASSED", "FAILED", "ERROR"):
            outcomes[rest.split(" - ")[0].strip()] = word
    assert outcomes, proc.stdout + proc.stderr
    return outcomes


def test_migrated_demo_app_passes_its_tests_but_those_pinning_openai_values(
    tmp_path: Path,
) -> None:
    root = tmp_path / "demo-app"
    shutil.copytree(DEMO, root)
    before = _run_demo_tests(root, "OPENAI_API_KEY")
    assert set(before.values()) == {"PASSED"}, before

    report = migrate_folder(root, "glm")

    after = _run_demo_tests(root, "ZAI_API_KEY")
    failed = sorted(name for name, outcome in after.items() if outcome != "PASSED")
    assert failed == [
        "tests/test_chat.py::test_classify_ticket_parses_json",  # temperature 0 -> 0.01
        "tests/test_chat.py::test_draft_replies_asks_for_n_candidates",  # user -> extra_body
    ]
    assert after.keys() == before.keys()
    rules = {f.id for f in report.findings if f.path == "app/chat.py"}
    assert {"MIG303", "MIG304"} <= rules  # the checklist names both differences
