"""`migrator apply`: the packages the wrapper rewrite needs reach the dependency files.

llama_index's OpenAI classes become OpenAILike / OpenAILikeEmbedding, which live in
packages of their own; a requirements list that names llama-index (or openai) gets them,
a list of unrelated packages does not.
"""

from __future__ import annotations

from pathlib import Path

from tests.test_apply import apply, isolated_git, make_repo  # noqa: F401 - autouse fixture

APP = """\
from llama_index.embeddings.openai import OpenAIEmbedding
from llama_index.llms.openai import OpenAI


def models():
    return OpenAI(model="gpt-4o"), OpenAIEmbedding()
"""


def test_llama_index_requirements_get_the_openai_like_packages(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {
            "app.py": APP,
            "requirements.txt": "llama-index>=0.10\n",
            "requirements-dev.txt": "pytest\n",
        },
    )
    result = apply(repo)
    assert result.exit_code == 0, result.output
    assert (repo / "requirements.txt").read_text() == (
        "llama-index>=0.10\nllama-index-embeddings-openai-like\nllama-index-llms-openai-like\n"
    )
    assert (repo / "requirements-dev.txt").read_text() == "pytest\n"
    assert "OpenAILike(" in (repo / "app.py").read_text()


def test_langchain_only_adds_nothing(tmp_path: Path) -> None:
    app = "from langchain_openai import ChatOpenAI\n\n\ndef m():\n    return ChatOpenAI()\n"
    repo = make_repo(tmp_path / "repo", {"app.py": app, "requirements.txt": "langchain-openai\n"})
    result = apply(repo)
    assert result.exit_code == 0, result.output
    assert (repo / "requirements.txt").read_text() == "langchain-openai\n"
