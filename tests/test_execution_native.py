"""Execution tests of `--strategy native`: migrated programs run on the providers' own SDKs.

Every program of fixtures/programs/ is migrated for dashscope, zhipu and ark with the real
engine under the native strategy, written to a temporary copy, and run through
`tests/execution/harness.run_programs` with the real SDKs (dashscope 2.x, zai-sdk,
volcengine-ark-runtime) and an environment holding the provider's key only — no
OPENAI_API_KEY. The original program runs once against the fake OpenAI, and each migrated
run must:

* be sent by the provider's SDK (`RecordedRequest.sent_by`), to its native host and path,
  with the provider's key;
* send the original body translated as the mapping's `native:` section says (mapped
  model, the SDK's parameter rules), in the SDK's wire shape (DashScope: `input` /
  `parameters`);
* print what the original printed (embeddings: the vector size the provider returns).

Zhipu's async clients stay on the OpenAI-compatible endpoint (zai-sdk has no asyncio
client): those programs must be sent by openai, to that endpoint, with compat's body.
A program whose call the provider cannot serve carries its marker and finding instead.

The v0 program is left out here: tests/test_execution_native_v0.py runs it (and the other
v0 programs) upgraded with `--upgrade-v0` onto the SDK's client.
All runs happen once, in a module-scoped fixture: one interpreter per provider.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from migrator.capabilities import choose_model
from migrator.mapping import Mapping, load_registry
from migrator.migrate import MigrationReport
from tests.execution.harness import Program, RecordedRequest, migrate_folder, run_programs
from tests.test_execution_migrated import _needs, expected_body
from tests.test_execution_native_reference import SDKS as REFERENCE_SDKS

pytest.importorskip("openai")

PROGRAMS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "programs"
PROGRAMS = sorted(p.name for p in PROGRAMS_DIR.glob("*.py") if p.name != "v0_module.py")
ORIGINAL_ENV = {"OPENAI_API_KEY": "sk-original-openai-key"}
AZURE = "azure_client.py"
ORIGINAL_AZURE_ENV = {
    "AZURE_OPENAI_ENDPOINT": "https://contoso.openai.azure.com",
    "AZURE_OPENAI_API_KEY": "azure-original-key",
}
FAKE_EMBEDDING_SIZE = 8  # what fakenet returns when the request names no size
Body = dict[str, Any]


@dataclass(frozen=True)
class Target:
    module: str  # the SDK's import name
    sender: str  # RecordedRequest.sent_by of its requests
    host: str
    chat_path: str
    embeddings_path: str
    compat_chat_path: str = ""  # where a client left on the compatible endpoint sends
    stays_compat: frozenset[str] = frozenset()  # programs whose client the SDK cannot take
    # programs the provider cannot serve: the finding they carry instead, and whether it
    # is also a `# migrator:` marker in the code
    unserved: dict[str, tuple[str, bool]] = dataclasses.field(default_factory=dict)

    @property
    def installed(self) -> bool:
        return importlib.util.find_spec(self.module) is not None


TARGETS: dict[str, Target] = {
    # The mapping names no DashScope model that reads images: gpt-4o is left (MIG211), and
    # the SDK sends it to the multimodal endpoint, which fakenet does not answer.
    "dashscope": Target(
        "dashscope", "dashscope", "dashscope.aliyuncs.com",
        "/api/v1/services/aigc/text-generation/generation",
        "/api/v1/services/embeddings/text-embedding/text-embedding",
        unserved={"vision.py": ("MIG211", False)},
    ),
    # zai-sdk has no asyncio client and ZhipuAiClient no with_options (MIG131).
    "zhipu": Target(
        "zai", "zai", "open.bigmodel.cn", "/api/paas/v4/chat/completions",
        "/api/paas/v4/embeddings", "/api/paas/v4/chat/completions",
        frozenset({"chat_async.py", "chat_async_stream.py", "with_options.py"}),
    ),
    "ark": Target(
        "volcenginesdkarkruntime", "ark", "ark.cn-beijing.volces.com",
        "/api/v3/chat/completions", "/api/v3/embeddings", "/api/v3/chat/completions",
        frozenset({"with_options.py"}),  # Ark has no with_options (MIG131)
    ),
}  # fmt: skip


def key_of(provider: str) -> str:
    return f"test-{provider}-native-key"


def env_of(mapping: Mapping) -> dict[str, str]:
    """The provider's key under the SDK's variable (and compat's, where they differ)."""
    assert mapping.native is not None
    keys = {mapping.native.key_env, mapping.compat.key_env}
    return {env: key_of(mapping.id) for env in keys}


# --------------------------------------------------------------------------- the runs


@dataclass
class Migrated:
    report: MigrationReport
    runs: dict[str, Program]

    def source(self, name: str) -> str:
        return (self.report.root / name).read_text(encoding="utf-8")


@dataclass
class Runs:
    original: dict[str, Program]
    migrated: dict[str, Migrated]


def _run_by_name(paths: list[Path], env: dict[str, str]) -> dict[str, Program]:
    return {path.name: program for path, program in run_programs(paths, env).items()}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    base = tmp_path_factory.mktemp("native-execution")
    registry = load_registry()
    reports: dict[str, MigrationReport] = {}
    for provider, target in TARGETS.items():
        if target.installed:
            shutil.copytree(PROGRAMS_DIR, base / provider)
            reports[provider] = migrate_folder(base / provider, provider, strategy="native")
    originals = base / "original"
    shutil.copytree(PROGRAMS_DIR, originals)
    jobs: dict[str, tuple[list[Path], dict[str, str]]] = {
        "": ([originals / name for name in PROGRAMS if name != AZURE], ORIGINAL_ENV),
        "azure-original": ([originals / AZURE], ORIGINAL_AZURE_ENV),
    }
    for provider, report in reports.items():
        names = [n for n in PROGRAMS if n not in TARGETS[provider].unserved]
        jobs[provider] = ([report.root / n for n in names], env_of(registry.get(provider)))
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {key: pool.submit(_run_by_name, paths, env) for key, (paths, env) in jobs.items()}
        done = {key: future.result() for key, future in futures.items()}
    return Runs(
        original={**done.pop(""), **done.pop("azure-original")},
        migrated={p: Migrated(report, done[p]) for p, report in reports.items()},
    )


# --------------------------------------------------------------------------- the oracle


def native_body(original: Body, mapping: Mapping, family: str) -> Body:
    """The original body as the mapping's native section says the SDK must send it,
    before the SDK's wire shape (`wire_body`)."""
    native = mapping.native
    assert native is not None
    body = dict(original)
    for key, value in original.items():
        rule = native.parameters.get(family, {}).get(key)
        if rule is None or rule.action in ("unsupported", "note"):
            continue  # passed through (unsupported ones are marked, not removed)
        if rule.action == "drop":
            del body[key]
        elif rule.action in ("rename", "extra_body"):
            body[rule.to or key] = body.pop(key)
        elif rule.action == "clamp":
            low = rule.min if rule.min is not None else value
            high = rule.max if rule.max is not None else value
            body[key] = min(max(value, low), high)
    target = choose_model(mapping, original["model"], _needs(original)).target
    if target is not None:
        body["model"] = target.model
        size_rule = native.parameters.get("embeddings", {}).get("dimensions")
        if (
            family == "embeddings"
            and target.model != original["model"]
            and target.dimensions is not None
            and "dimensions" not in original
            and (size_rule is None or size_rule.action == "rename")
        ):  # the migrated call asks for the size the old model returned, if the SDK can
            body[size_rule.to if size_rule and size_rule.to else "dimensions"] = target.dimensions
        # the model's body fields, but those the SDK's table drops (see parameters.py)
        body.update(
            (k, v)
            for k, v in target.extra_body.items()
            if getattr(native.parameters.get(family, {}).get(k), "action", None) != "drop"
        )
    return body


def wire_body(provider: str, body: Body, family: str) -> Body:
    """What the SDK puts on the wire for create(**body)."""
    if provider == "ark" and family == "embeddings":
        # volcengine-ark-runtime==5.0.54:volcenginesdkarkruntime/resources/embeddings.py
        # create(encoding_format="float"): sent unasked
        return {"encoding_format": "float", **body}
    if provider != "dashscope":
        return body
    # dashscope==2.0.2:dashscope/v2/protocols/native.py NativeProtocol.build_chat_request:
    # every keyword goes into `parameters`; a stream is asked for by header, and the
    # SDK always asks for incremental output. v2/resources/embeddings.py: `texts`.
    rest = {k: v for k, v in body.items() if k not in ("model", "messages", "input", "stream")}
    if family == "embeddings":
        return {"model": body["model"], "input": {"texts": body["input"]}, "parameters": rest}
    parameters = {"result_format": "message", **rest}
    if body.get("stream"):
        parameters["incremental_output"] = True
    return {
        "model": body["model"],
        "input": {"messages": body["messages"]},
        "parameters": parameters,
    }


def _sent(body: Body) -> Body:
    """The fields a body sets: Ark and zai send every unset parameter as null."""
    return {key: value for key, value in body.items() if value is not None}


def _family(request: RecordedRequest) -> str:
    return "embeddings" if request.path.endswith("embeddings") else "chat"


def _asked(request: RecordedRequest) -> str:
    """What a request asks, in either wire shape: how concurrent requests are matched."""
    body = request.json
    inner = body.get("input") if isinstance(body.get("input"), dict) else body
    return json.dumps(inner.get("messages", inner.get("texts", inner.get("input"))))


def _ordered(requests: list[RecordedRequest]) -> list[RecordedRequest]:
    return sorted(requests, key=_asked)


def _size_asked(request: RecordedRequest) -> int | None:
    parameters = request.json.get("parameters") or {}
    return request.json.get("dimensions") or parameters.get("dimension")


def _expected_stdout(original: Program, migrated: Program) -> str:
    stdout = original.stdout
    for request in migrated.requests:
        size = _size_asked(request)
        if size:  # only an embeddings request names one
            # fakenet returns the size asked for, as the provider does
            stdout = stdout.replace(f"dimension: {FAKE_EMBEDDING_SIZE}\n", f"dimension: {size}\n")
    return stdout


# --------------------------------------------------------------------------- the tests


# Failures in response reshaping (codemods/native/responses.py, moving onto
# response_flow.py in another change): each names the rewrite that is missing.
# Programs known to fail natively, with why (none today: keep the mechanism, strict).
XFAIL: dict[tuple[str, str], str] = {}


def _case(provider: str, name: str) -> Any:
    marks = []
    target = TARGETS[provider]
    if not target.installed:
        marks.append(pytest.mark.skip(reason=f"{target.module} is not installed"))
    if (provider, name) in XFAIL:
        marks.append(pytest.mark.xfail(strict=True, reason=XFAIL[provider, name]))
    return pytest.param(provider, name, marks=marks, id=f"{provider}-{name}")


CASES = [_case(provider, name) for provider in TARGETS for name in PROGRAMS]
SOURCE_CASES = [  # checks of the source and the request, which hold where the run fails
    pytest.param(*case.values, marks=[m for m in case.marks if m.name != "xfail"], id=case.id)
    for case in CASES
]


@pytest.mark.parametrize(("provider", "name"), CASES)
def test_native_program(runs: Runs, provider: str, name: str) -> None:
    target = TARGETS[provider]
    mapping = load_registry().get(provider)
    migrated = runs.migrated[provider]
    if name in target.unserved:
        rule, marked = target.unserved[name]
        assert (f"# migrator: {rule}" in migrated.source(name)) is marked
        assert any(f.id == rule and f.path == name for f in migrated.report.findings)
        return
    original = runs.original[name].assert_ok()
    run = migrated.runs[name].assert_ok()
    assert len(run.requests) == len(original.requests) >= 1
    on_compat = name in target.stays_compat
    for before, after in zip(_ordered(original.requests), _ordered(run.requests), strict=True):
        family = _family(before)
        assert after.method == "POST" and after.host == target.host
        assert after.headers["authorization"] == f"Bearer {key_of(provider)}"
        if on_compat:
            assert after.sent_by == "openai", after.headers
            assert after.path == target.compat_chat_path
            assert after.json == expected_body(before.json, mapping, family)
            continue
        assert after.sent_by == target.sender, after.headers
        assert after.path == (
            target.embeddings_path if family == "embeddings" else target.chat_path
        )
        expected = wire_body(provider, native_body(before.json, mapping, family), family)
        assert _sent(after.json) == expected
    assert run.stdout == _expected_stdout(original, run)


@pytest.mark.parametrize(("provider", "name"), SOURCE_CASES)
def test_the_sdk_replaces_openai(runs: Runs, provider: str, name: str) -> None:
    """A program fully on the SDK no longer needs openai (the deps drop it): no import of
    it is left, not even for an annotation."""
    target = TARGETS[provider]
    if name in target.stays_compat or name in target.unserved:
        return
    source = runs.migrated[provider].source(name)
    assert "import openai" not in source and "from openai" not in source, source


def _ported(provider: str) -> list[Any]:
    return [
        case
        for case in SOURCE_CASES
        if case.values[0] == provider and case.values[1] in REFERENCE_SDKS[provider].programs
    ]


@pytest.mark.parametrize(("provider", "name"), [c for p in TARGETS for c in _ported(p)])
def test_bodies_match_the_hand_written_ports(runs: Runs, provider: str, name: str) -> None:
    """The mapping's native section is data that can be wrong: what the migrated program
    sends must also be what the hand-written port (tests/execution/native_reference) sends."""
    mapping = load_registry().get(provider)
    reference = REFERENCE_SDKS[provider]
    original = runs.original[name]
    run = runs.migrated[provider].runs[name]
    for before, after in zip(_ordered(original.requests), _ordered(run.requests), strict=True):
        family = _family(before)
        compat = expected_body(before.json, mapping, family)
        assert _sent(after.json) == reference.native_body(compat, family)


def test_the_env_holds_no_openai_variable() -> None:
    registry = load_registry()
    for provider in TARGETS:
        assert not any(var.startswith("OPENAI_") for var in env_of(registry.get(provider)))


# Spot checks, spelled out: the oracle above derives them from the mapping files.


def _request(runs: Runs, provider: str, name: str) -> RecordedRequest:
    return runs.migrated[provider].runs[name].request


@pytest.mark.skipif(not TARGETS["dashscope"].installed, reason="dashscope is not installed")
def test_dashscope_streams_natively_and_reads_its_own_usage(runs: Runs) -> None:
    stream = _request(runs, "dashscope", "chat_stream.py")
    assert stream.headers["x-dashscope-sse"] == "enable"
    assert stream.json["parameters"]["incremental_output"] is True
    assert "stream_options" not in stream.json["parameters"]
    # the last event's usage is the total, as the include_usage chunk was
    run = runs.migrated["dashscope"].runs["chat_stream.py"]
    assert run.stdout == runs.original["chat_stream.py"].stdout


@pytest.mark.skipif(not TARGETS["zhipu"].installed, reason="zai-sdk is not installed")
def test_zhipu_async_stays_on_the_compatible_endpoint(runs: Runs) -> None:
    source = runs.migrated["zhipu"].source("chat_async.py")
    assert "AsyncOpenAI(" in source and "ZhipuAiClient" not in source
    assert any(
        f.id == "MIG131" and f.path == "chat_async.py"
        for f in runs.migrated["zhipu"].report.findings
    )
    for request in runs.migrated["zhipu"].runs["chat_async.py"].requests:
        assert request.json["temperature"] == 0.01  # compat's clamp: GLM rejects 0


@pytest.mark.parametrize("provider", [p for p, t in TARGETS.items() if t.installed])
def test_a_429_reaches_the_sdks_rate_limit_error(runs: Runs, provider: str) -> None:
    run = runs.migrated[provider].runs["rate_limit.py"].assert_ok()
    assert run.stdout.splitlines()[0] == "rate limited (HTTP 429), try again later"
    assert len(run.requests) == 2  # one 429, not retried, then the next question
