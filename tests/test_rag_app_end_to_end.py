"""End to end: a RAG app made of a notebook, LangChain code and a YAML settings file.

fixtures/projects/rag-app (ours) reaches OpenAI three ways: `settings.yaml` names the chat
and embedding models, `rag/index.py` embeds and answers through LangChain's
`OpenAIEmbeddings` and `ChatOpenAI`, and `notebooks/explore.ipynb` calls the openai client
directly beside the pipeline. Each case copies it into a fresh git repository and runs
`migrator apply` as a user would (a branch, a commit); then `main.py` and the notebook's
code cells (joined, magics left out) run on the fake network with the providers' keys
only — no OPENAI_API_KEY, so anything still reading it fails — and must:

* print what the original printed against the fake OpenAI;
* send every request of a family to the host that serves it (DeepSeek has no embeddings:
  with `--route embeddings=qwen` they go to DashScope), with that provider's key;
* name a model of that provider (the YAML's models were edited in place), and send
  embeddings as text (the fake, like the providers, refuses token ids).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from click.testing import CliRunner

from migrator.cli import main
from migrator.config_targets import provider_models
from migrator.mapping import load_registry
from tests.execution.harness import ProgramRun, RecordedRequest, run_program
from tests.test_execution_notebook import script_of

pytest.importorskip("langchain_openai")

APP = Path(__file__).resolve().parent.parent / "fixtures" / "projects" / "rag-app"
ORIGINAL_KEY = "sk-original-openai-key"


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    chat: str  # provider id serving chat
    embeddings: str  # provider id serving embeddings


CASES = {
    "qwen": Case(("--to", "qwen"), "dashscope", "dashscope"),
    "glm": Case(("--to", "glm"), "zhipu", "zhipu"),
    "deepseek+route": Case(
        ("--to", "deepseek", "--route", "embeddings=qwen"), "deepseek", "dashscope"
    ),
}


def _tiktoken_cache() -> str:
    """The original's OpenAIEmbeddings tokenizes with tiktoken: its cl100k_base file comes
    from the cache llama-index-core ships (no download; sockets are blocked)."""
    import llama_index.core

    return str(Path(llama_index.core.__file__).parent / "_static" / "tiktoken_cache")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def _repo(tmp: Path) -> Path:
    repo = tmp / "rag-app"
    shutil.copytree(APP, repo)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "app")
    return repo


def _runs(repo: Path, env: dict[str, str]) -> dict[str, ProgramRun]:
    script = repo / "notebooks" / "explore_script.py"
    script.write_text(script_of(repo / "notebooks" / "explore.ipynb"), encoding="utf-8")
    return {
        "main.py": run_program(repo / "main.py", env),
        "notebook": run_program(script, env),
    }


@pytest.fixture(scope="module")
def originals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ProgramRun]:
    repo = _repo(tmp_path_factory.mktemp("original"))
    runs = _runs(repo, {"OPENAI_API_KEY": ORIGINAL_KEY, "TIKTOKEN_CACHE_DIR": _tiktoken_cache()})
    for run in runs.values():
        run.assert_ok()
        assert run.blocked == []
        assert {r.host for r in run.requests} == {"api.openai.com"}
    return runs


@pytest.fixture(scope="module", params=sorted(CASES))
def migrated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    case = CASES[request.param]
    repo = _repo(tmp_path_factory.mktemp(request.param))
    env = {
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
    }  # fmt: skip
    result = CliRunner().invoke(main, ["apply", str(repo), *case.args], env=env)
    assert result.exit_code == 0, result.output
    registry = load_registry()
    keys = {p: f"test-key-of-{p}" for p in {case.chat, case.embeddings}}
    run_env = {registry.get(p).compat.key_env: keys[p] for p in keys}
    return case, repo, keys, _runs(repo, run_env)


def _family(request: RecordedRequest) -> str:
    return "embeddings" if request.path.endswith("/embeddings") else "chat"


def test_apply_commits_the_three_kinds_of_file(migrated) -> None:
    _, repo, _, _ = migrated
    changed = set(_git(repo, "show", "--name-only", "--format=", "HEAD").split())
    assert {"settings.yaml", "rag/index.py", "notebooks/explore.ipynb"} <= changed


def test_settings_name_the_providers_models(migrated) -> None:
    case, repo, _, _ = migrated
    registry = load_registry()
    settings = yaml.safe_load((repo / "settings.yaml").read_text(encoding="utf-8"))
    assert settings["llm"]["model"] in provider_models(registry.get(case.chat))
    assert settings["embeddings"]["model"] in provider_models(registry.get(case.embeddings))
    assert settings["retrieval"] == {"top_k": 2}  # the rest is as it was


@pytest.mark.parametrize("program", ["main.py", "notebook"])
def test_migrated_app_prints_what_the_original_printed(
    program: str, originals: dict[str, ProgramRun], migrated
) -> None:
    _, _, _, runs = migrated
    run = runs[program].assert_ok()
    assert run.stdout == originals[program].stdout


@pytest.mark.parametrize("program", ["main.py", "notebook"])
def test_every_request_goes_to_the_provider_of_its_family(program: str, migrated) -> None:
    case, _, keys, runs = migrated
    registry = load_registry()
    run = runs[program]
    assert run.requests and run.blocked == []
    families = set()
    for request in run.requests:
        family = _family(request)
        families.add(family)
        provider = registry.get(case.embeddings if family == "embeddings" else case.chat)
        assert request.host == urlsplit(provider.compat.base_url or "").hostname, request
        assert request.headers["authorization"] == f"Bearer {keys[provider.id]}", request
        assert request.json["model"] in provider_models(provider), request
        assert request.sent_by == "openai"
        if family == "embeddings":
            inputs = request.json["input"]
            assert all(isinstance(text, str) for text in (
                inputs if isinstance(inputs, list) else [inputs]
            )), request  # fmt: skip
    assert families == {"chat", "embeddings"}
