"""Execution: v0 programs moved with `--upgrade-v0 --strategy native` run on the providers'
own SDKs, and behave as the same programs written by hand for openai>=1.

A v0 original cannot run on the openai>=1 the tests install (`openai.ChatCompletion`
raises APIRemovedInV1), so each one has a hand-written v1 port in fixtures/v0/v1_reference/
that runs against the fake OpenAI: its requests and stdout stand for the original's (as in
tests/test_execution_v0.py). Each v0 program is migrated for dashscope, zhipu and ark with
`upgrade_v0=True, strategy="native"`, then run with the provider's key only (no
OPENAI_*) and the network faked, and must:

* be sent by the provider's SDK, to its native host and path, with its key;
* send the port's body as the mapping's `native:` section translates it (mapped model, the
  SDK's parameter table), in the SDK's wire shape (the oracle of test_execution_native);
* print what the port printed.

zai-sdk has no asyncio client, so Zhipu's upgraded async program stays on the compatible
endpoint with openai (MIG131): compat's body, sent by openai.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from migrator.mapping import load_registry
from migrator.migrate import MigrationReport
from tests.execution.harness import Program, migrate_folder, run_programs
from tests.test_execution_migrated import expected_body
from tests.test_execution_native import (
    TARGETS,
    _ordered,
    _sent,
    env_of,
    key_of,
    native_body,
    wire_body,
)

pytest.importorskip("openai")

ROOT = Path(__file__).resolve().parent.parent
V0 = ROOT / "fixtures" / "v0"
PORTS = V0 / "v1_reference"
# each v0 program and its hand-written v1 port
PROGRAMS: dict[str, tuple[Path, Path]] = {
    "v0_module.py": (ROOT / "fixtures" / "programs" / "v0_module.py", PORTS / "v0_module_v1.py"),
    "chat_dict_stream.py": (V0 / "chat_dict_stream.py", PORTS / "chat_dict_stream_v1.py"),
    "async_chat.py": (V0 / "async_chat.py", PORTS / "async_chat_v1.py"),
}
# What the ports print (and tests/test_execution_v0.py pins for the compat upgrade): a port
# broken by the fake or the SDK must not become the oracle.
STDOUT = {
    "v0_module.py": "echo:The new dashboard is fast\n",
    "chat_dict_stream.py": (
        "echo:What is the capital of France? (12 tokens)\necho:Tell me a short story\n"
    ),
    "async_chat.py": "echo:good morning | echo:good evening\necho:good night\n",
}
# zai-sdk has no asyncio client (MIG131): the upgraded module client stays compat's.
STAYS_COMPAT = {"zhipu": frozenset({"async_chat.py"})}
Body = dict[str, Any]


def zai_sends(body: Body) -> Body:
    """zai rewrites temperature itself before sending it: <=0 becomes 0.01 with do_sample
    False, >=1 becomes 0.99 (zai-sdk==0.2.3:zai/api_resource/chat/completions.py:102-109);
    the mapping notes this (action `note`), so the oracle leaves the value as it was."""
    out = dict(body)
    temperature = out.get("temperature")
    if temperature is not None and temperature <= 0:
        out.update(temperature=0.01, do_sample=False)
    elif temperature is not None and temperature >= 1:
        out["temperature"] = 0.99
    return out


@dataclass
class Runs:
    reference: dict[str, Program]
    reports: dict[str, MigrationReport]
    migrated: dict[str, dict[str, Program]]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    base = tmp_path_factory.mktemp("native-v0")
    registry = load_registry()
    reports: dict[str, MigrationReport] = {}
    for provider, target in TARGETS.items():
        if target.installed:
            folder = base / provider
            folder.mkdir()
            for name, (program, _) in PROGRAMS.items():
                shutil.copyfile(program, folder / name)
            reports[provider] = migrate_folder(folder, provider, upgrade_v0=True, strategy="native")
    jobs: dict[str, tuple[list[Path], dict[str, str]]] = {
        "": ([port for _, port in PROGRAMS.values()], {"OPENAI_API_KEY": "sk-reference"})
    }
    for provider, report in reports.items():
        paths = [report.root / name for name in PROGRAMS]
        jobs[provider] = (paths, env_of(registry.get(provider)))
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {key: pool.submit(run_programs, paths, env) for key, (paths, env) in jobs.items()}
        done = {key: future.result() for key, future in futures.items()}
    ports = {port: name for name, (_, port) in PROGRAMS.items()}
    return Runs(
        reference={ports[path]: program for path, program in done.pop("").items()},
        reports=reports,
        migrated={p: {path.name: program for path, program in done[p].items()} for p in reports},
    )


def _case(provider: str, name: str) -> Any:
    target = TARGETS[provider]
    marks = [] if target.installed else [pytest.mark.skip(reason=f"{target.module} is missing")]
    return pytest.param(provider, name, marks=marks, id=f"{provider}-{name}")


CASES = [_case(provider, name) for provider in TARGETS for name in PROGRAMS]


def test_the_ports_print_what_the_compat_upgrade_prints(runs: Runs) -> None:
    for name, stdout in STDOUT.items():
        port = runs.reference[name].assert_ok()
        assert port.stdout == stdout
        assert {r.host for r in port.requests} == {"api.openai.com"}


@pytest.mark.parametrize(("provider", "name"), CASES)
def test_v0_program_upgraded_to_the_sdk(runs: Runs, provider: str, name: str) -> None:
    target = TARGETS[provider]
    mapping = load_registry().get(provider)
    report = runs.reports[provider]
    source = (report.root / name).read_text(encoding="utf-8")
    assert "openai.ChatCompletion" not in source and "openai.api_key" not in source
    on_compat = name in STAYS_COMPAT.get(provider, frozenset())
    if on_compat:
        assert any(f.id == "MIG131" and f.path == name for f in report.findings)
    else:  # the module client is the SDK's: openai is not imported at all
        assert "import openai" not in source and "from openai" not in source, source

    reference = runs.reference[name].assert_ok()
    run = runs.migrated[provider][name].assert_ok()
    assert len(run.requests) == len(reference.requests) >= 1
    for before, after in zip(_ordered(reference.requests), _ordered(run.requests), strict=True):
        assert after.method == "POST" and after.host == target.host
        assert after.headers["authorization"] == f"Bearer {key_of(provider)}"
        if on_compat:
            assert after.sent_by == "openai", after.headers
            assert after.path == target.compat_chat_path
            assert after.json == expected_body(before.json, mapping, "chat")
            continue
        assert after.sent_by == target.sender, after.headers
        assert after.path == target.chat_path
        expected = wire_body(provider, native_body(before.json, mapping, "chat"), "chat")
        if provider == "zhipu":
            expected = zai_sends(expected)
        assert _sent(after.json) == expected
        assert after.json.get("model", "") != before.json["model"]  # mapped, whatever shape
    assert run.stdout == reference.stdout == STDOUT[name]
