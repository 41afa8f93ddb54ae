"""Execution tests: migrated programs run with the real openai SDK and the network faked.

Every program of fixtures/programs/ (but the v0 one, which needs openai<1) is migrated
for deepseek, dashscope, zhipu, moonshot, azure and gateway with the real engine
(`migrator.migrate.migrate`, the function behind `migrator diff` and `apply`), written to
a temporary copy, and run through `tests/execution/harness.run_programs` with an
environment that holds the provider's variables only — no OPENAI_API_KEY, so a client
that still reads it fails. The original program runs once against the fake OpenAI with
OPENAI_API_KEY, and each migrated run must:

* send to the provider's host and path (Azure: the deployment path and api-version);
* authenticate with the provider's key (`Authorization: Bearer ...`; Azure: `api-key`);
* send the original request body translated as the mapping says: the mapped model,
  dropped parameters gone, renamed ones renamed, clamped ones clamped, `extra_body` fields
  (moved parameters, per-model fields such as DeepSeek's `thinking`) merged in;
* print what the original printed (embeddings: the vector size the provider returns).

A program calling an endpoint the provider lacks (embeddings on DeepSeek, Moonshot) is
not run: its call must carry the `# migrator: MIG401` marker and finding instead.
All runs happen once, in a module-scoped fixture: one faked-network interpreter per
provider (and one for the originals) runs its programs one after the other.
"""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from migrator.capabilities import CallNeeds, choose_model
from migrator.mapping import Mapping, load_registry
from migrator.migrate import MigrationReport
from tests.execution.harness import Program, RecordedRequest, migrate_folder, run_programs

pytest.importorskip("openai")

PROGRAMS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "programs"
# The v1 module-level client (`openai.chat.completions.create` with module settings) is
# not among the shared programs; it is written next to them for these runs.
EXTRA_PROGRAMS = {
    "module_client.py": """\
\"\"\"Classify a message with the v1 module-level client.\"\"\"

import openai

openai.base_url = "https://api.openai.com/v1/"


def main() -> None:
    reply = openai.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Is this spam: you won a prize"}],
        max_completion_tokens=20,
    )
    print(reply.choices[0].message.content)


if __name__ == "__main__":
    main()
""",
}
PROGRAMS = sorted(
    [p.name for p in PROGRAMS_DIR.glob("*.py") if p.name != "v0_module.py"] + [*EXTRA_PROGRAMS]
)
ORIGINAL_KEY = "sk-original-openai-key"
ORIGINAL_ENV = {"OPENAI_API_KEY": ORIGINAL_KEY}
AZURE_ENDPOINT = "https://contoso.openai.azure.com"
ORIGINAL_AZURE_ENV = {
    "AZURE_OPENAI_ENDPOINT": AZURE_ENDPOINT,
    "AZURE_OPENAI_API_KEY": "azure-original-key",
}
FAKE_EMBEDDING_SIZE = 8  # what fakenet returns when the request names no dimensions


@dataclass(frozen=True)
class Target:
    env: dict[str, str]  # the provider's variables, nothing else
    host: str
    prefix: str  # path before /chat/completions, /embeddings
    key: str
    unsupported: frozenset[str] = frozenset()  # programs whose endpoint it lacks
    query: dict[str, str] = field(default_factory=dict)


TARGETS: dict[str, Target] = {
    "deepseek": Target(
        {"DEEPSEEK_API_KEY": "test-deepseek-key"}, "api.deepseek.com", "",
        "test-deepseek-key", frozenset({"embeddings.py"}),
    ),
    "dashscope": Target(
        {"DASHSCOPE_API_KEY": "test-dashscope-key"}, "dashscope.aliyuncs.com",
        "/compatible-mode/v1", "test-dashscope-key",
    ),
    "zhipu": Target(
        {"ZAI_API_KEY": "test-zhipu-key"}, "open.bigmodel.cn", "/api/paas/v4",
        "test-zhipu-key",
    ),
    "moonshot": Target(
        {"MOONSHOT_API_KEY": "test-moonshot-key"}, "api.moonshot.cn", "/v1",
        "test-moonshot-key", frozenset({"embeddings.py"}),
    ),
    # Azure needs its endpoint as well as its key; the API version has a default.
    "azure": Target(
        {"AZURE_OPENAI_API_KEY": "test-azure-key", "AZURE_OPENAI_ENDPOINT": AZURE_ENDPOINT},
        "contoso.openai.azure.com", "/openai/deployments/{model}", "test-azure-key",
        query={"api-version": "2024-10-21"},
    ),
    # A gateway's URL is the user's: the migrated code reads LLM_GATEWAY_BASE_URL.
    "gateway": Target(
        {"LLM_GATEWAY_API_KEY": "test-gateway-key",
         "LLM_GATEWAY_BASE_URL": "http://llm-gateway.internal:4000/v1"},
        "llm-gateway.internal", "/v1", "test-gateway-key",
    ),
}  # fmt: skip


def _run_by_name(paths: list[Path], env: dict[str, str]) -> dict[str, Program]:
    return {path.name: program for path, program in run_programs(paths, env).items()}


@dataclass
class Migrated:
    report: MigrationReport
    folder: Path
    runs: dict[str, Program]

    def source(self, name: str) -> str:
        return (self.folder / name).read_text(encoding="utf-8")


@dataclass
class Runs:
    original: dict[str, Program]
    migrated: dict[str, Migrated]


def _copy_programs(folder: Path) -> Path:
    shutil.copytree(PROGRAMS_DIR, folder)
    for name, source in EXTRA_PROGRAMS.items():
        (folder / name).write_text(source, encoding="utf-8")
    return folder


def _migrate(provider: str, folder: Path) -> MigrationReport:
    _copy_programs(folder)
    return migrate_folder(folder, provider)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    base = tmp_path_factory.mktemp("execution")
    reports = {provider: _migrate(provider, base / provider) for provider in TARGETS}
    # The originals: OpenAI's key, and Azure's settings for the one Azure program.
    originals = _copy_programs(base / "original")
    azure = "azure_client.py"
    jobs: dict[str, tuple[list[Path], dict[str, str]]] = {
        "": ([originals / name for name in PROGRAMS if name != azure], ORIGINAL_ENV),
        "azure-original": ([originals / azure], ORIGINAL_AZURE_ENV),
    }
    for provider, target in TARGETS.items():
        paths = [reports[provider].root / n for n in PROGRAMS if n not in target.unsupported]
        jobs[provider] = (paths, target.env)
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {key: pool.submit(_run_by_name, paths, env) for key, (paths, env) in jobs.items()}
        done = {key: future.result() for key, future in futures.items()}
    return Runs(
        original={**done[""], **done["azure-original"]},
        migrated={
            provider: Migrated(report, report.root, done[provider])
            for provider, report in reports.items()
        },
    )


# --------------------------------------------------------------------------- the oracle


def _family(request: RecordedRequest) -> str:
    return "embeddings" if request.path.endswith("/embeddings") else "chat"


def expected_body(original: dict[str, Any], mapping: Mapping, family: str) -> dict[str, Any]:
    """The original request body as the mapping says the provider must receive it."""
    body = dict(original)
    for key, value in original.items():
        if family == "embeddings" and key == "encoding_format":
            continue  # set by the SDK, not by the program: no rule applies
        rule = mapping.param_rule(family, key)
        if rule is None or rule.action == "unsupported":
            continue  # passed through (unsupported ones are marked, not removed)
        if rule.action == "drop":
            del body[key]
        elif rule.action == "rename":
            assert rule.to is not None
            body[rule.to] = body.pop(key)
        elif rule.action == "extra_body":
            body[rule.to or key] = body.pop(key)
        elif rule.action == "clamp":
            low = rule.min if rule.min is not None else value
            high = rule.max if rule.max is not None else value
            body[key] = min(max(value, low), high)
    # The model the call can use: what it sends decides among the mapping's models.
    target = choose_model(mapping, original["model"], _needs(original)).target
    if target is not None:
        body["model"] = target.model
        if (
            family == "embeddings"
            and target.model != original["model"]
            and target.dimensions is not None
            and "dimensions" not in original
            and mapping.param_rule("embeddings", "dimensions") is None
        ):
            body["dimensions"] = target.dimensions
        body.update(target.extra_body)  # the SDK lets extra_body win over keywords
    return body


def _needs(body: dict[str, Any]) -> CallNeeds:
    parts = [
        part
        for message in body.get("messages", [])
        if isinstance(message.get("content"), list)
        for part in message["content"]
    ]
    return CallNeeds(
        images=any(part.get("type") == "image_url" for part in parts),
        streams=body.get("stream") is True,
        tools="tools" in body,
    )


def _ordered(requests: list[RecordedRequest]) -> list[RecordedRequest]:
    """Concurrent requests (asyncio.gather) arrive in any order: sort by content."""
    return sorted(requests, key=lambda r: json.dumps(r.json.get("messages", r.json.get("input"))))


def _expected_stdout(original: Program, migrated: Program) -> str:
    stdout = original.stdout
    for request in migrated.requests:
        size = request.json.get("dimensions") if request.json else None
        if _family(request) == "embeddings" and size:
            # fakenet returns the size asked for: the provider's vectors are that long
            stdout = stdout.replace(f"dimension: {FAKE_EMBEDDING_SIZE}\n", f"dimension: {size}\n")
    return stdout


# --------------------------------------------------------------------------- the tests

CASES = [(provider, name) for provider in TARGETS for name in PROGRAMS]


@pytest.mark.parametrize(("provider", "name"), CASES)
def test_migrated_program(runs: Runs, provider: str, name: str) -> None:
    target = TARGETS[provider]
    mapping = load_registry().get(provider)
    migrated = runs.migrated[provider]
    if name in target.unsupported:
        source = migrated.source(name)
        assert "# migrator: MIG401 embeddings.create: no embeddings endpoint" in source
        assert any(f.id == "MIG401" and f.path == name for f in migrated.report.findings)
        return
    original = runs.original[name].assert_ok()
    run = migrated.runs[name].assert_ok()
    assert len(run.requests) == len(original.requests) >= 1
    for before, after in zip(_ordered(original.requests), _ordered(run.requests), strict=True):
        family = _family(before)
        model = expected_body(before.json, mapping, family)["model"]
        tail = "/embeddings" if family == "embeddings" else "/chat/completions"
        assert (after.method, after.host) == ("POST", target.host)
        assert after.path == target.prefix.format(model=model) + tail
        assert after.query == target.query
        if provider == "azure":
            assert after.headers["api-key"] == target.key
            assert "authorization" not in after.headers
        else:
            assert after.headers["authorization"] == f"Bearer {target.key}"
        assert after.json == expected_body(before.json, mapping, family)
    assert run.stdout == _expected_stdout(original, run)


def test_the_env_holds_no_openai_variable() -> None:
    for target in TARGETS.values():
        assert not any(var.startswith("OPENAI_") for var in target.env)


# Spot checks, spelled out: the oracle above derives them from the mapping files.


def _body(runs: Runs, provider: str, name: str) -> dict[str, Any]:
    return runs.migrated[provider].runs[name].request.json


def test_deepseek_renames_drops_and_disables_thinking(runs: Runs) -> None:
    body = _body(runs, "deepseek", "chat_sync.py")
    assert body["max_tokens"] == 200 and "max_completion_tokens" not in body
    assert "user" not in body
    assert body["thinking"] == {"type": "disabled"}
    assert body["model"].startswith("deepseek-")


def test_zhipu_moves_user_and_clamps_temperature(runs: Runs) -> None:
    body = _body(runs, "zhipu", "chat_sync.py")
    assert body["user_id"] == "ticket-bot" and "user" not in body
    assert body["max_tokens"] == 200
    for request in runs.migrated["zhipu"].runs["chat_async.py"].requests:
        assert request.json["temperature"] == 0.01  # GLM rejects 0


def test_dashscope_embeddings_ask_for_float_vectors_of_a_fixed_size(runs: Runs) -> None:
    body = _body(runs, "dashscope", "embeddings.py")
    assert body["encoding_format"] == "float"  # extra_body wins over the SDK's base64
    assert body["dimensions"] == 1536
    assert runs.migrated["dashscope"].runs["embeddings.py"].stdout.endswith("dimension: 1536\n")


def test_azure_keeps_model_names_as_deployments(runs: Runs) -> None:
    request = runs.migrated["azure"].runs["chat_sync.py"].request
    assert request.path == "/openai/deployments/gpt-4o/chat/completions"
    assert request.json["model"] == "gpt-4o"


def test_gateway_url_comes_from_the_environment(runs: Runs) -> None:
    request = runs.migrated["gateway"].runs["chat_sync.py"].request
    assert (request.host, request.port) == ("llm-gateway.internal", 4000)
    assert "LLM_GATEWAY_BASE_URL" in runs.migrated["gateway"].source("chat_sync.py")


def test_module_client_is_configured_for_the_provider(runs: Runs) -> None:
    source = runs.migrated["deepseek"].source("module_client.py")
    assert 'openai.base_url = "https://api.deepseek.com/"' in source
    assert 'openai.api_type = "openai"' in source
    # set when the module is imported: a placeholder while the variable is unset (MIG108)
    assert (
        'openai.api_key = os.environ.get("DEEPSEEK_API_KEY", "missing-DEEPSEEK_API_KEY")' in source
    )
    azure = runs.migrated["azure"].source("module_client.py")
    assert 'openai.api_type = "azure"' in azure
    assert "openai.azure_endpoint = " in azure and "openai.base_url" not in azure


def test_an_image_call_sends_a_model_known_to_take_images(runs: Runs) -> None:
    """GLM and Kimi name a vision model; DashScope's and DeepSeek's mappings name none, so
    the id stays (with MIG211) rather than going to a text-only model."""
    models = {
        p: _body(runs, p, "vision.py")["model"]
        for p in ("zhipu", "moonshot", "dashscope", "deepseek")
    }
    assert models == {
        "zhipu": "glm-4v-plus",
        "moonshot": "kimi-k2.5",
        "dashscope": "gpt-4o",
        "deepseek": "gpt-4o",
    }
    assert "thinking" not in _body(runs, "deepseek", "vision.py")
    for provider in ("dashscope", "deepseek"):
        left = [
            f.line
            for f in runs.migrated[provider].report.findings
            if f.id == "MIG211" and f.path == "vision.py"
        ]
        assert left == [14]
