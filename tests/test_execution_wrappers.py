"""Execution tests: LangChain and llama_index apps migrated, run on the real libraries.

fixtures/wrapper_programs/ holds our own small apps (LangChain's ChatOpenAI: a call, a
stream, a chain, the older keyword names read from the environment; OpenAIEmbeddings;
llama_index's OpenAI: complete, chat, a stream, its default model; OpenAIEmbedding).
The originals run against the fake OpenAI with OPENAI_API_KEY; each is migrated for
dashscope and zhipu with the real engine and run with the provider's key only. Every
request must go to the provider's host with its key and one of its models, embeddings
as text (the fake answers token-id input from another host with a 400, as the
providers do), and each program must print what the original printed.

No test reaches the internet: sockets are blocked in the child. The original LangChain
app tokenizes with tiktoken; its encoding is read from the cache llama-index-core ships
(TIKTOKEN_CACHE_DIR, the variable llama_index itself sets) instead of downloaded.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from migrator.mapping import load_registry
from tests.execution.harness import ProgramRun, migrate_folder, run_program

pytest.importorskip("langchain_openai")
pytest.importorskip("llama_index.llms.openai_like")
pytest.importorskip("llama_index.embeddings.openai_like")

PROGRAMS = Path(__file__).resolve().parent.parent / "fixtures" / "wrapper_programs"
APPS = ("langchain_app.py", "llama_index_app.py")
ORIGINAL_KEY = "sk-original-openai-key"
PROVIDER_KEY = "provider-test-key"
HOSTS = {"dashscope": "dashscope.aliyuncs.com", "zhipu": "open.bigmodel.cn"}


def _tiktoken_cache() -> str:
    import llama_index.core

    cache = Path(llama_index.core.__file__).parent / "_static" / "tiktoken_cache"
    # cl100k_base, by the sha1 of its download URL (tiktoken/load.py names files so)
    assert (cache / "9b5ad71b2ce5302211f9c61530b329a4922fc6a4").is_file()
    return str(cache)


@pytest.fixture(scope="module")
def originals() -> dict[str, ProgramRun]:
    env = {"OPENAI_API_KEY": ORIGINAL_KEY, "TIKTOKEN_CACHE_DIR": _tiktoken_cache()}
    runs = {app: run_program(PROGRAMS / app, env) for app in APPS}
    for run in runs.values():
        run.assert_ok()
        assert run.blocked == []
        assert {r.host for r in run.requests} == {"api.openai.com"}
    return runs


@pytest.fixture(scope="module", params=sorted(HOSTS))
def migrated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    provider = request.param
    folder = tmp_path_factory.mktemp(provider) / "apps"
    shutil.copytree(PROGRAMS, folder)
    migrate_folder(folder, provider)
    key_env = load_registry().get(provider).compat.key_env
    runs = {app: run_program(folder / app, {key_env: PROVIDER_KEY}) for app in APPS}
    return provider, folder, runs


def test_original_langchain_sends_token_ids_to_openai(originals: dict[str, ProgramRun]) -> None:
    # what the rewrite must change: OpenAIEmbeddings sends token ids by default
    embeddings = [
        r for r in originals["langchain_app.py"].requests if r.path.endswith("/embeddings")
    ]
    assert embeddings and all(isinstance(r.json["input"][0], list) for r in embeddings)


@pytest.mark.parametrize("app", APPS)
def test_migrated_app_prints_what_the_original_printed(
    app: str, originals: dict[str, ProgramRun], migrated
) -> None:
    provider, _, runs = migrated
    run = runs[app].assert_ok()
    assert run.blocked == []
    assert run.stdout == originals[app].stdout
    assert len(run.requests) == len(originals[app].requests)


@pytest.mark.parametrize("app", APPS)
def test_every_request_goes_to_the_provider_with_its_key_and_models(app: str, migrated) -> None:
    provider, _, runs = migrated
    mapping = load_registry().get(provider)
    base_path = mapping.compat.base_url.split(HOSTS[provider], 1)[1].rstrip("/")
    for request in runs[app].requests:
        assert request.host == HOSTS[provider]
        assert request.path.startswith(base_path + "/")
        assert request.headers["authorization"] == f"Bearer {PROVIDER_KEY}"
        assert ORIGINAL_KEY not in str(request.headers)
        assert request.sent_by == "openai"
        model = request.json["model"]
        assert not model.startswith(("gpt-", "text-embedding-3", "text-embedding-ada"))
        assert model in {
            t.model for m in mapping.mapped_openai_ids() if (t := mapping.resolve_model(m))
        }
        if request.path.endswith("/embeddings"):
            assert all(isinstance(text, str) for text in request.json["input"])


def test_the_classes_were_rewritten_in_the_libraries_keywords(migrated) -> None:
    provider, folder, _ = migrated
    key_env = load_registry().get(provider).compat.key_env
    langchain = (folder / "langchain_app.py").read_text()
    assert "check_embedding_ctx_length=False" in langchain
    assert f'openai_api_key=os.environ["{key_env}"]' in langchain  # its own keyword kept
    assert "OPENAI_API_BASE" not in langchain
    llama = (folder / "llama_index_app.py").read_text()
    assert "from llama_index.llms.openai_like import OpenAILike" in llama
    assert "from llama_index.embeddings.openai_like import OpenAILikeEmbedding" in llama
    assert "is_chat_model=True" in llama and "model_name=" in llama
    assert "llama_index.llms.openai import" not in llama


def test_without_check_embedding_ctx_length_the_provider_refuses(migrated, tmp_path: Path) -> None:
    """The setting is needed: the same app with it taken out sends token ids, and the
    provider's endpoint (faked) answers 400."""
    provider, folder, _ = migrated
    source = (
        (folder / "langchain_app.py").read_text().replace(", check_embedding_ctx_length=False", "")
    )
    assert "check_embedding_ctx_length" not in source
    program = tmp_path / "langchain_app.py"
    program.write_text(source)
    key_env = load_registry().get(provider).compat.key_env
    env = {key_env: PROVIDER_KEY, "TIKTOKEN_CACHE_DIR": _tiktoken_cache()}
    run = run_program(program, env)
    assert run.returncode != 0
    assert "token ids are not accepted" in run.stderr
    assert run.blocked == []


def test_llama_index_openai_refuses_a_provider_model(tmp_path: Path) -> None:
    """Why the llama_index classes are replaced: the originals reject other model ids."""
    program = tmp_path / "keep_class.py"
    program.write_text(
        "from llama_index.llms.openai import OpenAI\n"
        "from llama_index.embeddings.openai import OpenAIEmbedding\n"
        "for make in (lambda: OpenAI(model='qwen-plus', api_key='k').metadata,\n"
        "             lambda: OpenAIEmbedding(model='text-embedding-v4', api_key='k')):\n"
        "    try:\n"
        "        make()\n"
        "    except ValueError as exc:\n"
        "        print('ValueError')\n"
    )
    run = run_program(program, {}).assert_ok()
    assert run.stdout.split() == ["ValueError", "ValueError"]


def test_native_strategy_writes_what_compat_runs(migrated, tmp_path: Path) -> None:
    """--strategy native keeps these classes on the compatible endpoint: its output is
    the compat output the tests above run (MIG163 names the provider's own classes)."""
    provider, folder, _ = migrated
    native = tmp_path / "apps"
    shutil.copytree(PROGRAMS, native)
    report = migrate_folder(native, provider, strategy="native")
    for app in APPS:
        assert (native / app).read_text() == (folder / app).read_text()
    notes = [f.message for r in report.results for f in r.findings if f.id == "MIG163"]
    assert any("ChatTongyi" in n or "ChatZhipuAI" in n for n in notes)
