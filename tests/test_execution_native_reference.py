"""Native reference programs: what `--strategy native` must turn fixtures/programs into.

tests/execution/native_reference/{dashscope,zhipu,ark}/ hold hand-written ports of the
fixture programs to each provider's own SDK (dashscope 2.x client, zai-sdk, Ark's runtime).
Each original runs against the fake OpenAI with OPENAI_API_KEY, each port against the fake
provider with the provider's key only (tests/execution/fakenet answers in its wire format),
and every port must:

* send through its SDK (`RecordedRequest.sent_by`), to the provider's host and native path,
  with the provider's key;
* send the original request as the provider's SDK spells it: the body the compat oracle
  derives from the mapping (`expected_body`: mapped model, renamed, dropped, clamped and
  moved parameters), in the native shape (DashScope: `input` / `parameters`, `dimension`;
  Zhipu: no `stream_options`; Ark: as is);
* print what the original printed (embeddings: the vector size it asked for).

This proves the fake against the real SDKs and pins the shape the rewrite must reach. An
SDK that is not installed skips its cases.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from migrator.mapping import load_registry
from tests.execution.harness import Program, RecordedRequest, run_programs
from tests.test_execution_migrated import expected_body

pytest.importorskip("openai")

ROOT = Path(__file__).resolve().parent.parent
ORIGINALS = ROOT / "fixtures" / "programs"
REFERENCES = ROOT / "tests" / "execution" / "native_reference"
PROGRAMS = (
    "chat_sync.py",
    "chat_async.py",
    "chat_stream.py",
    "embeddings.py",
    "tools.py",
    "chat_async_stream.py",
    "rate_limit.py",
    "usage_tokens.py",
    "embeddings_items.py",
    "helpdesk_report.py",  # reads the response helpdesk/llm.py returns
)
# zai-sdk has no asyncio client: its chat.asyncCompletions is Zhipu's submit-then-poll task
# API (zai-sdk==0.2.3:zai/api_resource/chat/async_completions.py), not a coroutine.
ASYNCIO_PROGRAMS = ("chat_async.py", "chat_async_stream.py")
ORIGINAL_ENV = {"OPENAI_API_KEY": "sk-original-openai-key"}
FAKE_EMBEDDING_SIZE = 8  # what fakenet returns when the request names no size
Body = dict[str, Any]


def _dashscope_body(compat: Body, family: str) -> Body:
    """dashscope==2.0.2:dashscope/v2/protocols/native.py, v2/resources/embeddings.py."""
    if family == "embeddings":
        size = {"dimension": compat["dimensions"]} if "dimensions" in compat else {}
        return {"model": compat["model"], "input": {"texts": compat["input"]}, "parameters": size}
    dropped = ("model", "messages", "stream", "stream_options")  # usage comes with every event
    parameters = {"result_format": "message"}
    parameters.update({k: v for k, v in compat.items() if k not in dropped})
    if compat.get("stream"):
        parameters["incremental_output"] = True
    return {
        "model": compat["model"],
        "input": {"messages": compat["messages"]},
        "parameters": parameters,
    }


def _zhipu_body(compat: Body, family: str) -> Body:
    """zai-sdk==0.2.3:zai/api_resource/chat/completions.py, embeddings/embeddings.py: no
    stream_options (usage ends every stream); floats without asking."""
    return {k: v for k, v in compat.items() if k not in ("stream_options", "encoding_format")}


def _ark_body(compat: Body, family: str) -> Body:
    return compat  # an OpenAI fork: the compatible body is the native one


@dataclass(frozen=True)
class Sdk:
    module: str  # what must be importable
    sender: str  # RecordedRequest.sent_by
    provider: str  # the mapping
    key_env: str  # the mapping's compat.key_env
    host: str
    chat_path: str
    embeddings_path: str
    native_body: Callable[[Body, str], Body]  # the compat oracle's body, natively spelled
    programs: tuple[str, ...] = PROGRAMS

    @property
    def key(self) -> str:
        return f"test-{self.provider}-key"

    @property
    def installed(self) -> bool:
        return importlib.util.find_spec(self.module) is not None


SDKS = {
    "dashscope": Sdk(
        "dashscope", "dashscope", "dashscope", "DASHSCOPE_API_KEY", "dashscope.aliyuncs.com",
        "/api/v1/services/aigc/text-generation/generation",
        "/api/v1/services/embeddings/text-embedding/text-embedding", _dashscope_body,
    ),
    "zhipu": Sdk(
        "zai", "zai", "zhipu", "ZAI_API_KEY", "open.bigmodel.cn",
        "/api/paas/v4/chat/completions", "/api/paas/v4/embeddings", _zhipu_body,
        tuple(p for p in PROGRAMS if p not in ASYNCIO_PROGRAMS),
    ),
    "ark": Sdk(
        "volcenginesdkarkruntime", "ark", "ark", "ARK_API_KEY", "ark.cn-beijing.volces.com",
        "/api/v3/chat/completions", "/api/v3/embeddings", _ark_body,
    ),
}  # fmt: skip


@dataclass
class Runs:
    original: dict[str, Program]
    native: dict[str, dict[str, Program]]  # by SDK folder, then program


def _run(folder: Path, names: tuple[str, ...], env: dict[str, str]) -> dict[str, Program]:
    done = run_programs([folder / name for name in names], env)
    return {path.name: program for path, program in done.items()}


@pytest.fixture(scope="module")
def runs() -> Runs:
    jobs = {"": (ORIGINALS, PROGRAMS, ORIGINAL_ENV)}
    for name, sdk in SDKS.items():
        if sdk.installed:
            jobs[name] = (REFERENCES / name, sdk.programs, {sdk.key_env: sdk.key})
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {name: pool.submit(_run, *job) for name, job in jobs.items()}
        done = {name: future.result() for name, future in futures.items()}
    original = done.pop("")
    return Runs(original, done)


def _family(request: RecordedRequest) -> str:
    return "embeddings" if request.path.endswith("embeddings") else "chat"


def _ordered(requests: list[RecordedRequest]) -> list[RecordedRequest]:
    """Concurrent requests (asyncio.gather) arrive in any order: sort by what they ask."""
    return sorted(requests, key=lambda r: json.dumps(r.json.get("messages", r.json.get("input"))))


def _sent(body: Body) -> Body:
    """The fields a body sets: Ark and zai send every unset parameter as null."""
    return {key: value for key, value in body.items() if value is not None}


def _size_asked(request: RecordedRequest) -> int | None:
    """The vector size an embeddings request asks for (None: none, or not embeddings)."""
    parameters = request.json.get("parameters") or {}
    return request.json.get("dimensions") or parameters.get("dimension")


def _expected_stdout(original: Program, port: Program) -> str:
    stdout = original.stdout
    for request in port.requests:
        size = _size_asked(request)
        if size:  # fakenet returns the size asked for, as the provider does
            stdout = stdout.replace(f"dimension: {FAKE_EMBEDDING_SIZE}\n", f"dimension: {size}\n")
    return stdout


def _skip_unless_installed(name: str) -> pytest.MarkDecorator:
    sdk = SDKS[name]
    return pytest.mark.skipif(not sdk.installed, reason=f"{sdk.module} is not installed")


CASES = [
    pytest.param(name, program, marks=_skip_unless_installed(name), id=f"{name}-{program}")
    for name, sdk in SDKS.items()
    for program in sdk.programs
]


@pytest.mark.parametrize(("sdk_name", "program"), CASES)
def test_native_reference(runs: Runs, sdk_name: str, program: str) -> None:
    sdk = SDKS[sdk_name]
    mapping = load_registry().get(sdk.provider)
    original = runs.original[program].assert_ok()
    port = runs.native[sdk_name][program].assert_ok()
    assert len(port.requests) == len(original.requests) >= 1
    for before, after in zip(_ordered(original.requests), _ordered(port.requests), strict=True):
        family = _family(before)
        assert before.sent_by == "openai"
        assert after.sent_by == sdk.sender, after.headers
        path = sdk.embeddings_path if family == "embeddings" else sdk.chat_path
        assert (after.method, after.host, after.path) == ("POST", sdk.host, path)
        assert after.headers["authorization"] == f"Bearer {sdk.key}"
        expected = sdk.native_body(expected_body(before.json, mapping, family), family)
        assert _sent(after.json) == expected
    assert port.stdout == _expected_stdout(original, port)


@pytest.mark.parametrize("name", list(SDKS))
def test_each_folder_ports_every_program_it_can(name: str) -> None:
    folder = REFERENCES / name
    assert sorted(p.name for p in folder.glob("*.py")) == sorted(SDKS[name].programs)
    assert (folder / "helpdesk" / "llm.py").is_file()  # the module helpdesk_report.py reads
    for program in folder.rglob("*.py"):
        text = program.read_text(encoding="utf-8")
        assert "OPENAI" not in text and "import openai" not in text, program
        if "Client(" in text or "Ark(" in text:  # the client takes the mapping's key variable
            assert f'api_key=os.environ["{SDKS[name].key_env}"]' in text, program


def test_key_variables_are_the_mappings() -> None:
    registry = load_registry()
    for sdk in SDKS.values():
        assert registry.get(sdk.provider).compat.key_env == sdk.key_env


# Spot checks, spelled out: the oracle above derives them.


@_skip_unless_installed("dashscope")
def test_dashscope_streams_natively_and_reads_its_own_usage(runs: Runs) -> None:
    stream = runs.native["dashscope"]["chat_stream.py"].request
    assert stream.headers["x-dashscope-sse"] == "enable"  # a stream is asked for by header
    assert stream.json["parameters"]["incremental_output"] is True
    assert "stream" not in stream.json and "stream" not in stream.json["parameters"]
    usage = runs.native["dashscope"]["usage_tokens.py"]
    assert usage.stdout == runs.original["usage_tokens.py"].stdout  # input/output_tokens
    embeddings = runs.native["dashscope"]["embeddings.py"].request.json
    assert embeddings["input"] == {"texts": [
        "How do I reset my password?",
        "Where can I download my invoices?",
        "Can I change the billing currency?",
    ]}  # fmt: skip
    assert embeddings["parameters"] == {"dimension": 1536}


@pytest.mark.parametrize(
    "name", [pytest.param(name, marks=_skip_unless_installed(name)) for name in SDKS]
)
def test_a_429_reaches_the_sdks_rate_limit_error(runs: Runs, name: str) -> None:
    run = runs.native[name]["rate_limit.py"].assert_ok()
    assert run.stdout.splitlines()[0] == "rate limited (HTTP 429), try again later"
    assert len(run.requests) == 2  # one 429, not retried, then the next question
