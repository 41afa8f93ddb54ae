"""Execution test: a multi-file project whose models and vector size live in a settings module.

fixtures/projects/vector_search/ is a small package: `search/settings.py` holds
CHAT_MODEL, EMBEDDING_MODEL and EMBEDDING_DIMENSIONS (and imports nothing from openai);
`search/embed.py` imports them, two with an absolute import (`from search.settings ...`)
and the chat model with a relative one (`from .settings ...`), and sends two embeddings
requests: one with `model=EMBEDDING_MODEL, dimensions=EMBEDDING_DIMENSIONS,
encoding_format="float"`, one with the literal "text-embedding-3-small" and no size.
`main.py` embeds a document and a query, prints both vector lengths and whether they
match, and prints a chat answer.

The project is copied, migrated for zhipu and dashscope with the real engine (the
cross-module constant resolution of `migrator.migrate.migrate`), written out, and
`main.py` is run through `tests/execution/harness.run_program` with the provider's key
variable only. The two embedding requests must ask for the same size the provider
takes (zhipu's embedding-3 does not take 1536, so both become 1024; dashscope's
text-embedding-v4 does, so 1536 stays), the edits must land in settings.py, and the
imported constants must not be reported as "model is not a literal" (MIG201).
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from migrator.mapping import Mapping, ModelTarget, load_registry
from migrator.migrate import MigrationReport
from tests.execution.harness import ProgramRun, RecordedRequest, migrate_folder, run_program

pytest.importorskip("openai")

PROJECT = Path(__file__).resolve().parent.parent / "fixtures" / "projects" / "vector_search"
ARTICLE = "Invoices can be downloaded as PDF from Settings > Billing > History."
QUESTION = "Where do I find my invoices?"
ORIGINAL_CHAT_MODEL = "gpt-4o-mini"
ORIGINAL_EMBEDDING_MODEL = "text-embedding-3-small"
ORIGINAL_DIMENSIONS = 1536
MAX_ANSWER_TOKENS = 120
FAKE_EMBEDDING_SIZE = 8  # what fakenet returns when the request names no dimensions


@dataclass(frozen=True)
class Target:
    key_env: str  # the only variable the migrated run gets
    key: str
    host: str
    prefix: str  # path before /chat/completions, /embeddings
    dimensions: int  # the size both embedding requests must ask for


TARGETS = {
    "zhipu": Target("ZAI_API_KEY", "test-zhipu-key", "open.bigmodel.cn", "/api/paas/v4", 1024),
    "dashscope": Target(
        "DASHSCOPE_API_KEY", "test-dashscope-key", "dashscope.aliyuncs.com",
        "/compatible-mode/v1", 1536,
    ),
}  # fmt: skip
ORIGINAL_KEY = "sk-original-openai-key"


@dataclass
class Migrated:
    report: MigrationReport
    root: Path
    run: ProgramRun

    def source(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")


@dataclass
class Runs:
    original: ProgramRun
    migrated: dict[str, Migrated]


def _migrate(provider: str, root: Path) -> MigrationReport:
    shutil.copytree(PROJECT, root)
    return migrate_folder(root, provider)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    base = tmp_path_factory.mktemp("cross-module")
    reports = {provider: _migrate(provider, base / provider) for provider in TARGETS}
    original = base / "original"
    shutil.copytree(PROJECT, original)
    jobs = {"": (original, {"OPENAI_API_KEY": ORIGINAL_KEY})}
    for provider, target in TARGETS.items():
        jobs[provider] = (reports[provider].root, {target.key_env: target.key})
    # `python main.py` puts the project folder first on sys.path: `search` imports from it.
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {
            key: pool.submit(run_program, root / "main.py", env)
            for key, (root, env) in jobs.items()
        }
        done = {key: future.result() for key, future in futures.items()}
    return Runs(
        original=done[""],
        migrated={
            provider: Migrated(report, report.root, done[provider])
            for provider, report in reports.items()
        },
    )


def _mapping(provider: str) -> Mapping:
    return load_registry().get(provider)


def _target(mapping: Mapping, model: str) -> ModelTarget:
    target = mapping.resolve_model(model)
    assert target is not None, (mapping.id, model)
    return target


def _embeddings(run: ProgramRun) -> list[RecordedRequest]:
    return [r for r in run.requests if r.path.endswith("/embeddings")]


def _chat(run: ProgramRun) -> RecordedRequest:
    chats = [r for r in run.requests if r.path.endswith("/chat/completions")]
    assert len(chats) == 1, run.requests
    return chats[0]


def _stdout(size: int, query_size: int | None = None) -> str:
    query_size = size if query_size is None else query_size
    return (
        f"document vector: {size}\n"
        f"query vector: {query_size}\n"
        f"same length: {size == query_size}\n"
        f"answer: echo:{QUESTION}\n"
    )


# --------------------------------------------------------------------------- the mapping


def test_the_mappings_say_what_this_test_expects() -> None:
    """The sizes in TARGETS follow from the mapping files: kept if the model takes them."""
    registry = load_registry()
    for provider, target in TARGETS.items():
        mapping = registry.get(provider)
        assert mapping.compat.key_env == target.key_env
        embedding = _target(mapping, ORIGINAL_EMBEDDING_MODEL)
        kept = ORIGINAL_DIMENSIONS in embedding.sizes
        assert target.dimensions == (ORIGINAL_DIMENSIONS if kept else embedding.dimensions)
    assert registry.get("qwen").id == "dashscope"


# --------------------------------------------------------------------------- the original


def test_original_runs_against_openai(runs: Runs) -> None:
    run = runs.original.assert_ok()
    assert run.blocked == []
    assert len(run.requests) == 3
    for request in run.requests:
        assert (request.method, request.host) == ("POST", "api.openai.com")
        assert request.headers["authorization"] == f"Bearer {ORIGINAL_KEY}"
    document, query = _embeddings(run)
    assert document.path == query.path == "/v1/embeddings"
    assert document.json == {
        "model": ORIGINAL_EMBEDDING_MODEL,
        "input": ARTICLE,
        "dimensions": ORIGINAL_DIMENSIONS,
        "encoding_format": "float",
    }
    # No size named: the SDK asks for base64, and fakenet answers with its default size
    # (real OpenAI would answer 1536 for this model; the fake makes the gap visible).
    assert query.json == {
        "model": ORIGINAL_EMBEDDING_MODEL,
        "input": QUESTION,
        "encoding_format": "base64",
    }
    chat = _chat(run)
    assert chat.path == "/v1/chat/completions"
    assert chat.json["model"] == ORIGINAL_CHAT_MODEL
    assert chat.json["max_tokens"] == MAX_ANSWER_TOKENS
    assert run.stdout == _stdout(ORIGINAL_DIMENSIONS, FAKE_EMBEDDING_SIZE)


# --------------------------------------------------------------------------- the migrations


@pytest.mark.parametrize("provider", TARGETS)
def test_migration_edits_settings_where_the_values_live(runs: Runs, provider: str) -> None:
    target = TARGETS[provider]
    mapping = _mapping(provider)
    migrated = runs.migrated[provider]
    assert {r.path for r in migrated.report.changed} == {"search/embed.py", "search/settings.py"}
    settings = migrated.source("search/settings.py")
    chat_model = _target(mapping, ORIGINAL_CHAT_MODEL).model
    embedding_model = _target(mapping, ORIGINAL_EMBEDDING_MODEL).model
    assert f'CHAT_MODEL = "{chat_model}"\n' in settings
    assert f'EMBEDDING_MODEL = "{embedding_model}"\n' in settings
    assert f"EMBEDDING_DIMENSIONS = {target.dimensions}\n" in settings
    assert "MAX_ANSWER_TOKENS = 120\n" in settings
    assert "openai" not in settings.lower()  # no import or client was added there
    embed = migrated.source("search/embed.py")
    # The call that reads the constants keeps reading them; only its keywords change.
    assert "model=EMBEDDING_MODEL," in embed
    assert "dimensions=EMBEDDING_DIMENSIONS," in embed
    assert "model=CHAT_MODEL," in embed
    # the provider takes "float" as it is: kept where the code sends it, never doubled
    # by the model's extra_body (the other call gets it there)
    assert embed.count('encoding_format="float"') == 1
    assert embed.count('"encoding_format": "float"') == 1
    assert "gpt-4o-mini" not in embed and "text-embedding-3-small" not in embed
    # the client is built at import time: a placeholder while the key is unset (MIG108)
    assert f'os.environ.get("{target.key_env}", "missing-{target.key_env}")' in embed
    assert migrated.source("main.py") == (PROJECT / "main.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("provider", TARGETS)
def test_imported_constants_are_not_reported_as_non_literal(runs: Runs, provider: str) -> None:
    findings = runs.migrated[provider].report.findings
    assert [f for f in findings if f.id == "MIG201"] == []


def test_zhipu_reports_the_size_change_at_its_source(runs: Runs) -> None:
    findings = runs.migrated["zhipu"].report.findings
    at_settings = [f for f in findings if f.path == "search/settings.py"]
    assert [f.id for f in at_settings] == ["MIG203"]
    assert "EMBEDDING_DIMENSIONS 1536 → 1024" in at_settings[0].message


@pytest.mark.parametrize("provider", TARGETS)
def test_migrated_project_runs_against_the_provider(runs: Runs, provider: str) -> None:
    target = TARGETS[provider]
    mapping = _mapping(provider)
    run = runs.migrated[provider].run.assert_ok()
    assert run.blocked == []
    assert len(run.requests) == 3
    for request in run.requests:
        assert (request.method, request.host) == ("POST", target.host)
        assert request.query == {}
        assert request.headers["authorization"] == f"Bearer {target.key}"

    embedding = _target(mapping, ORIGINAL_EMBEDDING_MODEL)
    document, query = _embeddings(run)
    for request, text in ((document, ARTICLE), (query, QUESTION)):
        assert request.path == f"{target.prefix}/embeddings"
        assert request.json == {
            "model": embedding.model,
            "input": text,
            "dimensions": target.dimensions,
            **embedding.extra_body,
        }
        assert request.json["encoding_format"] == "float"

    chat = _chat(run)
    assert chat.path == f"{target.prefix}/chat/completions"
    assert chat.json["model"] == _target(mapping, ORIGINAL_CHAT_MODEL).model
    assert chat.json["max_tokens"] == MAX_ANSWER_TOKENS
    assert chat.json["messages"][-1] == {"role": "user", "content": QUESTION}

    # fakenet returns the size asked for: both vectors have the provider's size.
    assert run.stdout == _stdout(target.dimensions)


def test_spelled_out_models_and_sizes(runs: Runs) -> None:
    """The same facts as above, hard-coded, in case a mapping change slips past both."""
    zhipu = _embeddings(runs.migrated["zhipu"].run)
    assert [(r.json["model"], r.json["dimensions"]) for r in zhipu] == [("embedding-3", 1024)] * 2
    dashscope = _embeddings(runs.migrated["dashscope"].run)
    expected = [("text-embedding-v4", 1536)] * 2
    assert [(r.json["model"], r.json["dimensions"]) for r in dashscope] == expected
