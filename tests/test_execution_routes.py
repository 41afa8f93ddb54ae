"""Execution: one program doing chat AND embeddings with one client, migrated with a route.

fixtures/routes/ holds programs that embed and chat through a single OpenAI client
(module level, sync; held by an object, async). Each is migrated with the real engine for
`--to deepseek --route embeddings=qwen` and `--to moonshot --route embeddings=glm`, and
run with the real openai SDK and the network faked (tests/execution/harness), in an
environment that holds the two providers' keys only. Each run must send:

* chat to the target's host, with the target's key and one of its models;
* embeddings to the route provider's host and path, with ITS key and an embedding model
  of its mapping (the route provider's table, not the target's);
* no request with the other provider's key (gates.cross_provider_leaks);

and print what the original printed (the vector size: what the route provider returns).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from migrator.mapping import load_registry
from migrator.migrate import MigrationReport
from tests import gates
from tests.execution.harness import Program, migrate_folder, run_programs

pytest.importorskip("openai")

ROUTED_PROGRAMS = Path(__file__).resolve().parent.parent / "fixtures" / "routes"
PROGRAMS = sorted(p.name for p in ROUTED_PROGRAMS.glob("*.py"))
# The programs only: golden/ holds the golden test's input and outputs.
ONLY_PROGRAMS = shutil.ignore_patterns("golden", "*.md")
ORIGINAL_ENV = {"OPENAI_API_KEY": "sk-original-openai-key"}


@dataclass(frozen=True)
class Pair:
    target: str
    route: str  # the --route item
    chat_host: str
    chat_path: str
    chat_key_env: str
    embed_host: str
    embed_path: str
    embed_key_env: str

    @property
    def env(self) -> dict[str, str]:
        return {self.chat_key_env: f"test-{self.target}-key", self.embed_key_env: "test-route-key"}


PAIRS = {
    "deepseek+qwen": Pair(
        "deepseek", "embeddings=qwen", "api.deepseek.com", "/chat/completions",
        "DEEPSEEK_API_KEY", "dashscope.aliyuncs.com", "/compatible-mode/v1/embeddings",
        "DASHSCOPE_API_KEY",
    ),
    "moonshot+glm": Pair(
        "moonshot", "embeddings=glm", "api.moonshot.cn", "/v1/chat/completions",
        "MOONSHOT_API_KEY", "open.bigmodel.cn", "/api/paas/v4/embeddings", "ZAI_API_KEY",
    ),
}  # fmt: skip


@dataclass
class Runs:
    original: dict[str, Program]
    migrated: dict[str, tuple[MigrationReport, Path, dict[str, Program]]]


def _by_name(paths: list[Path], env: dict[str, str]) -> dict[str, Program]:
    return {path.name: program for path, program in run_programs(paths, env).items()}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    base = tmp_path_factory.mktemp("routes")
    original = _by_name([ROUTED_PROGRAMS / n for n in PROGRAMS], ORIGINAL_ENV)
    migrated = {}
    for key, pair in PAIRS.items():
        folder = base / key
        shutil.copytree(ROUTED_PROGRAMS, folder, ignore=ONLY_PROGRAMS)
        report = migrate_folder(folder, pair.target, routes=(pair.route,))
        migrated[key] = (report, folder, _by_name([folder / n for n in PROGRAMS], pair.env))
    return Runs(original, migrated)


@pytest.mark.parametrize("name", PROGRAMS)
@pytest.mark.parametrize("key", sorted(PAIRS))
def test_chat_goes_to_the_target_and_embeddings_to_the_route(
    runs: Runs, key: str, name: str
) -> None:
    pair = PAIRS[key]
    target = load_registry().get(pair.target)
    route = load_registry().get(pair.route.split("=")[1])
    original = runs.original[name].assert_ok()
    run = runs.migrated[key][2][name].assert_ok()
    assert len(run.requests) == len(original.requests) == 2
    chat = [r for r in run.requests if r.path.endswith("/chat/completions")]
    embed = [r for r in run.requests if r.path.endswith("/embeddings")]
    assert len(chat) == len(embed) == 1
    (chat_request,), (embed_request,) = chat, embed
    assert (chat_request.host, chat_request.path) == (pair.chat_host, pair.chat_path)
    assert chat_request.headers["authorization"] == f"Bearer test-{pair.target}-key"
    assert chat_request.sent_by == embed_request.sent_by == "openai"
    sent = {r.path.rsplit("/", 1)[-1]: r.json["model"] for r in original.requests}
    chat_model = target.resolve_model(sent["completions"])
    assert chat_model is not None and chat_request.json["model"] == chat_model.model
    assert (embed_request.host, embed_request.path) == (pair.embed_host, pair.embed_path)
    assert embed_request.headers["authorization"] == "Bearer test-route-key"
    embed_model = route.resolve_model(sent["embeddings"])  # the ROUTE provider's table
    assert embed_model is not None and embed_request.json["model"] == embed_model.model
    assert target.resolve_model(sent["embeddings"]) is None
    assert not gates.cross_provider_leaks(
        run.requests,
        {pair.chat_host: f"test-{pair.target}-key", pair.embed_host: "test-route-key"},
    )
    size = embed_request.json.get("dimensions")
    expected = original.stdout
    if size:  # fakenet returns the size asked for
        expected = expected.replace("dimension: 8\n", f"dimension: {size}\n")
    assert run.stdout == expected


def test_the_route_providers_rules_apply_to_the_routed_call(runs: Runs) -> None:
    """DashScope's parameter rules (encoding_format float, its dimensions) on the
    embeddings call; DeepSeek's (max_tokens, thinking off) on the chat call."""
    _, _, programs = runs.migrated["deepseek+qwen"]
    requests = {r.path.rsplit("/", 1)[-1]: r.json for r in programs["rag_sync.py"].requests}
    assert requests["embeddings"]["model"] == "text-embedding-v4"
    assert requests["embeddings"]["encoding_format"] == "float"
    assert requests["embeddings"]["dimensions"] == 1536
    assert requests["completions"]["max_tokens"] == 100
    assert requests["completions"]["thinking"] == {"type": "disabled"}
    assert "thinking" not in requests["embeddings"]


def test_the_migrated_source_names_each_providers_key(runs: Runs) -> None:
    _, folder, _ = runs.migrated["deepseek+qwen"]
    source = (folder / "rag_async.py").read_text(encoding="utf-8")
    assert (
        'self.embeddings_client = AsyncOpenAI(api_key=os.environ["DASHSCOPE_API_KEY"], '
        'base_url="https://dashscope.aliyuncs.com/compatible-mode/v1")'
    ) in source
    assert "await self.embeddings_client.embeddings.create(" in source
    assert "await self.client.chat.completions.create(" in source
    report = runs.migrated["deepseek+qwen"][0]
    assert not [f for f in report.findings if f.id in ("MIG401", "MIG171")]
    assert {f.path for f in report.findings if f.id == "MIG170"} == set(PROGRAMS)


def test_native_strategy_keeps_the_routed_family_on_a_second_openai_client(
    tmp_path: Path,
) -> None:
    """`--to glm --strategy native --route embeddings=qwen`: chat through zai's SDK to
    GLM, embeddings through the openai SDK to DashScope's compatible endpoint (the
    response shape the code reads stays openai's)."""
    folder = tmp_path / "native"
    shutil.copytree(ROUTED_PROGRAMS, folder, ignore=ONLY_PROGRAMS)
    migrate_folder(folder, "zhipu", strategy="native", routes=("embeddings=qwen",))
    source = (folder / "rag_sync.py").read_text(encoding="utf-8")
    assert "client = ZhipuAiClient(" in source
    assert "embeddings_client = OpenAI(" in source
    env = {"ZAI_API_KEY": "test-zhipu-key", "DASHSCOPE_API_KEY": "test-route-key"}
    original = run_programs([ROUTED_PROGRAMS / "rag_sync.py"], ORIGINAL_ENV)
    run = run_programs([folder / "rag_sync.py"], env)[(folder / "rag_sync.py").resolve()]
    run.assert_ok()
    by_path = {r.path: r for r in run.requests}
    chat = by_path["/api/paas/v4/chat/completions"]
    embed = by_path["/compatible-mode/v1/embeddings"]
    assert (chat.host, chat.sent_by) == ("open.bigmodel.cn", "zai")
    assert "test-zhipu-key" in chat.headers["authorization"]
    assert (embed.host, embed.sent_by) == ("dashscope.aliyuncs.com", "openai")
    assert embed.headers["authorization"] == "Bearer test-route-key"
    assert embed.json["model"] == "text-embedding-v4"
    before = next(iter(original.values())).stdout
    assert run.stdout == before.replace("dimension: 8\n", "dimension: 1536\n")
