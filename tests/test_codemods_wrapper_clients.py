"""codemods/wrapper_clients.py: LangChain / llama_index OpenAI classes are reported, not
rewritten, unless they already point away from OpenAI."""

from __future__ import annotations

import libcst as cst
import pytest

from migrator.inventory import build_inventory
from tests.codemod_helpers import check_noop, ids


def _wrappers(src: str) -> list[tuple[int, str]]:
    wrapper = cst.MetadataWrapper(cst.parse_module(src))
    inventory = build_inventory(wrapper, "app.py")
    return [(site.usage.line, site.qualified) for site in inventory.wrappers]


def test_inventory_resolves_imports_and_aliases() -> None:
    src = (
        "from langchain_openai import ChatOpenAI as Chat\n"
        "import langchain_openai\n"
        "from llama_index.embeddings.openai import OpenAIEmbedding\n"
        "a = Chat(model='gpt-4o')\n"
        "b = langchain_openai.OpenAIEmbeddings()\n"
        "c = OpenAIEmbedding()\n"
    )
    assert _wrappers(src) == [
        (4, "langchain_openai.ChatOpenAI"),
        (5, "langchain_openai.OpenAIEmbeddings"),
        (6, "llama_index.embeddings.openai.OpenAIEmbedding"),
    ]


def test_inventory_ignores_local_lookalikes() -> None:
    src = (
        "class ChatOpenAI:\n    pass\n"
        "llm = ChatOpenAI()\n"
        "from mylib import OpenAIEmbeddings\n"
        "emb = OpenAIEmbeddings()\n"
    )
    assert _wrappers(src) == []


@pytest.mark.parametrize("provider", ["qwen", "glm", "deepseek"])
def test_chat_class_reported_with_the_providers_settings(provider: str) -> None:
    found = check_noop(
        """
        from langchain_openai import ChatOpenAI

        llm = ChatOpenAI(model="gpt-4o")
        """,
        provider,
    )
    assert ids(found) == ["MIG120"]
    (finding,) = found
    assert finding.line == 4
    from tests.codemod_helpers import mapping

    compat = mapping(provider).compat
    assert f'base_url="{compat.base_url}"' in finding.message
    assert f'os.environ["{compat.key_env}"]' in finding.message
    assert "check_embedding_ctx_length" not in finding.message


def test_embeddings_class_needs_plain_text_input() -> None:
    found = check_noop(
        """
        from langchain_community.embeddings import OpenAIEmbeddings

        emb = OpenAIEmbeddings()
        """,
        "qwen",
    )
    assert ids(found) == ["MIG120"]
    assert "check_embedding_ctx_length=False" in found[0].message


def test_llama_index_chat_suggests_openai_like() -> None:
    found = check_noop(
        """
        from llama_index.llms.openai import OpenAI

        llm = OpenAI(model="gpt-4o-mini")
        """,
        "glm",
    )
    assert ids(found) == ["MIG120"]
    assert "OpenAILike" in found[0].message and "is_chat_model=True" in found[0].message


def test_azure_class_becomes_the_plain_one() -> None:
    found = check_noop(
        """
        from langchain_openai import AzureChatOpenAI

        llm = AzureChatOpenAI(azure_deployment="chat")
        """,
        "deepseek",
    )
    assert ids(found) == ["MIG120"]
    assert "use `ChatOpenAI` with" in found[0].message


@pytest.mark.parametrize(
    "url", ["http://localhost:8000/v1", "https://api.deepseek.com", "http://10.0.0.5/v1"]
)
def test_class_already_elsewhere_is_left_silently(url: str) -> None:
    found = check_noop(
        f"""
        from langchain_openai import ChatOpenAI

        llm = ChatOpenAI(base_url="{url}", model="local")
        """,
        "qwen",
    )
    assert "MIG120" not in ids(found)


def test_suppressed_on_its_line() -> None:
    found = check_noop(
        """
        from langchain_openai import ChatOpenAI

        llm = ChatOpenAI()  # migrator: ignore[MIG120]
        """,
        "qwen",
    )
    assert "MIG120" not in ids(found)


def test_a_class_handed_on_is_reported_where_it_is_named() -> None:
    found = check_noop(
        """
        def chat_class():
            try:
                from langchain_openai import ChatOpenAI
            except ImportError:
                from langchain.chat_models import ChatOpenAI
            return ChatOpenAI


        def is_chat(llm) -> bool:
            from langchain_openai import ChatOpenAI

            return isinstance(llm, ChatOpenAI)
        """,
        "qwen",
    )
    assert [(f.id, f.line) for f in found] == [("MIG120", 7)]
    assert "(handed on here, built elsewhere)" in found[0].message
