"""Execution test: a program that reads OPENAI_API_KEY for an SDK client and for a raw
HTTP call to api.openai.com never sends a key to the wrong host once migrated.

The program reads OPENAI_API_KEY once, into a module constant; it lists OpenAI's models
with a hand-written `httpx2.get` (the key in an Authorization header) and asks a chat
question through an `OpenAI(api_key=KEY)` client. It is migrated with the real
engine and run through `tests/execution/harness.run_program` with the network faked and
both keys set (the user keeps the OpenAI key for what the migration left, as MIG504 and
MIG505 tell them). Each request must carry the key of the host it goes to: the
provider's key to the provider, the OpenAI key to api.openai.com, never the other way.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from migrator.migrate import MigrationReport
from tests.execution.harness import ProgramRun, migrate_folder, run_program

pytest.importorskip("openai")

PROGRAM = """\
\"\"\"Count OpenAI's models over plain HTTP, then ask the SDK client a question.\"\"\"

import os

import httpx2
from openai import OpenAI

MODELS_URL = "https://api.openai.com/v1/models"
KEY = os.environ.get("OPENAI_API_KEY", "")


def count_models() -> int:
    reply = httpx2.get(MODELS_URL, headers={"Authorization": f"Bearer {KEY}"})
    return len(reply.json()["data"])


def main() -> None:
    client = OpenAI(api_key=KEY)
    answer = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Say hi"}]
    )
    print(count_models(), bool(answer.choices[0].message.content))


if __name__ == "__main__":
    main()
"""
OPENAI_KEY = "sk-original-openai-key"
OPENAI_HOST = "api.openai.com"
# provider -> (key variable, host)
TARGETS = {
    "deepseek": ("DEEPSEEK_API_KEY", "api.deepseek.com"),
    "dashscope": ("DASHSCOPE_API_KEY", "dashscope.aliyuncs.com"),
    "zhipu": ("ZAI_API_KEY", "open.bigmodel.cn"),
}


def _migrate_and_run(base: Path, provider: str) -> tuple[MigrationReport, ProgramRun]:
    folder = base / provider
    folder.mkdir()
    (folder / "app.py").write_text(PROGRAM, encoding="utf-8")
    report = migrate_folder(folder, provider)
    key_env, _ = TARGETS[provider]
    env = {key_env: f"test-{provider}-key", "OPENAI_API_KEY": OPENAI_KEY}
    return report, run_program(folder / "app.py", env)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[MigrationReport, ProgramRun]]:
    base = tmp_path_factory.mktemp("env-reads")
    with ThreadPoolExecutor(max_workers=len(TARGETS)) as pool:
        futures = {p: pool.submit(_migrate_and_run, base, p) for p in TARGETS}
        return {provider: future.result() for provider, future in futures.items()}


@pytest.mark.parametrize("provider", sorted(TARGETS))
def test_each_host_gets_its_own_key(runs: dict, provider: str) -> None:
    report, run = runs[provider]
    run.assert_ok()
    assert run.blocked == []
    _, host = TARGETS[provider]
    provider_key = f"Bearer test-{provider}-key"
    by_host = {(r.host, r.headers.get("authorization")) for r in run.requests}
    assert by_host == {(OPENAI_HOST, f"Bearer {OPENAI_KEY}"), (host, provider_key)}
    # The raw call was left whole and reported; its key read with it.
    assert {f.id for f in report.findings} >= {"MIG504", "MIG505", "MIG507"}
    assert run.stdout.split()[1] == "True"
