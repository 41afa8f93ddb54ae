"""codemods/wrapper_clients.py, wrapper_decision.py, wrapper_rewrite.py: LangChain /
llama_index OpenAI classes are pointed at the provider in their own keywords; those the
rewrite cannot read are reported (MIG120); those already pointing away are left."""

# ruff: noqa: E501 - expected outputs are real rewrites: a long call stays on one line

from __future__ import annotations

import libcst as cst
import pytest

from migrator.inventory import build_inventory
from tests.codemod_helpers import check_noop, check_transformed, ids


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


def test_chat_class_gets_endpoint_key_and_model_in_a_function() -> None:
    found = check_transformed(
        """
        from langchain_openai import ChatOpenAI


        def make():
            return ChatOpenAI(model="gpt-4o", temperature=0)
        """,
        """
        import os

        from langchain_openai import ChatOpenAI


        def make():
            return ChatOpenAI(model="qwen3-max", temperature=0, base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", api_key=os.environ["DASHSCOPE_API_KEY"])
        """,
        "qwen",
    )
    assert "MIG120" not in ids(found)
    assert "MIG163" in ids(found)  # ChatTongyi exists: said, not used


def test_old_keyword_names_are_kept_and_env_reads_renamed() -> None:
    check_transformed(
        """
        import os
        from langchain.chat_models import ChatOpenAI


        def make():
            return ChatOpenAI(
                model_name="gpt-4o-mini",
                openai_api_key=os.environ["OPENAI_API_KEY"],
                openai_api_base=os.getenv("OPENAI_API_BASE"),
            )
        """,
        """
        import os
        from langchain.chat_models import ChatOpenAI


        def make():
            return ChatOpenAI(
                model_name="glm-4-air-250414",
                openai_api_key=os.environ["ZAI_API_KEY"],
                openai_api_base=os.environ.get("ZAI_BASE_URL", "https://open.bigmodel.cn/api/paas/v4/"),
            )
        """,
        "glm",
    )


def test_no_model_gets_the_mapped_default_and_module_level_key_placeholder() -> None:
    found = check_transformed(
        """
        from langchain_openai import ChatOpenAI

        llm = ChatOpenAI()
        """,
        """
        import os

        from langchain_openai import ChatOpenAI

        llm = ChatOpenAI(base_url="https://api.deepseek.com", api_key=os.environ.get("DEEPSEEK_API_KEY", "missing-DEEPSEEK_API_KEY"), model="deepseek-v4-flash")
        """,
        "deepseek",
    )
    assert "MIG108" in ids(found)


def test_embeddings_class_sends_text() -> None:
    found = check_transformed(
        """
        from langchain_community.embeddings import OpenAIEmbeddings


        def make():
            return OpenAIEmbeddings(check_embedding_ctx_length=True)
        """,
        """
        import os

        from langchain_community.embeddings import OpenAIEmbeddings


        def make():
            return OpenAIEmbeddings(check_embedding_ctx_length=False, base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", api_key=os.environ["DASHSCOPE_API_KEY"], model="text-embedding-v4")
        """,
        "qwen",
    )
    assert {"MIG162", "MIG203"} <= set(ids(found))


def test_llama_index_classes_become_openai_like() -> None:
    found = check_transformed(
        """
        from llama_index.embeddings.openai import OpenAIEmbedding
        from llama_index.llms.openai import OpenAI


        def make(key):
            return OpenAI("gpt-4o-mini", api_key=key), OpenAIEmbedding(model="text-embedding-3-small")
        """,
        """
        import os
        from llama_index.embeddings.openai_like import OpenAILikeEmbedding
        from llama_index.llms.openai_like import OpenAILike


        def make(key):
            return OpenAILike("glm-4-air-250414", api_key=key, api_base="https://open.bigmodel.cn/api/paas/v4/", is_chat_model=True), OpenAILikeEmbedding(model_name="embedding-3", api_base="https://open.bigmodel.cn/api/paas/v4/", api_key=os.environ["ZAI_API_KEY"])
        """,
        "glm",
    )
    assert ids(found).count("MIG161") == 2
    assert "MIG101" in ids(found)  # `key` kept: a person checks it


def test_model_not_a_literal_or_unknown_is_left_with_a_finding() -> None:
    found = check_transformed(
        """
        from langchain_openai import ChatOpenAI


        def make(name):
            return ChatOpenAI(model=name), ChatOpenAI(model="my-finetune")
        """,
        """
        import os

        from langchain_openai import ChatOpenAI


        def make(name):
            return ChatOpenAI(model=name, base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"]), ChatOpenAI(model="my-finetune", base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
        """,
        "deepseek",
    )
    assert {"MIG201", "MIG202"} <= set(ids(found))


def test_model_map_option_is_honoured() -> None:
    from migrator.mapping import load_registry

    mapping = load_registry().get("qwen").with_overrides({"gpt-4o": "qwen-turbo"})
    from migrator.codemods.strategies import COMPAT

    from migrator.options import RewriteOptions
    from migrator.rewrite import rewrite_job

    src = b"from langchain_openai import ChatOpenAI\ndef f():\n    return ChatOpenAI(model='gpt-4o')\n"
    result = rewrite_job("a.py", src, RewriteOptions(strategy=COMPAT, mapping=mapping))
    assert result.new_source is not None and b"model='qwen-turbo'" in result.new_source


@pytest.mark.parametrize(
    "call",
    [
        "ChatOpenAI(model='gpt-4o', **kwargs)",  # may carry base_url: never doubled
        "OpenAI(model='gpt-3.5-turbo-instruct')",  # no completions endpoint at qwen
    ],
)
def test_left_and_reported(call: str) -> None:
    found = check_noop(
        f"""
        from langchain_openai import ChatOpenAI, OpenAI


        def make(**kwargs):
            return {call}
        """,
        "qwen",
    )
    assert ids(found) == ["MIG120"]


def test_native_strategy_stays_on_the_compatible_endpoint() -> None:
    found = check_transformed(
        """
        from langchain_openai import ChatOpenAI


        def make():
            return ChatOpenAI(model="gpt-4o")
        """,
        """
        import os

        from langchain_openai import ChatOpenAI


        def make():
            return ChatOpenAI(model="glm-4-plus", base_url="https://open.bigmodel.cn/api/paas/v4/", api_key=os.environ["ZAI_API_KEY"])
        """,
        "glm",
        strategy="native",
    )
    (note,) = [f for f in found if f.id == "MIG163"]
    assert "ChatZhipuAI" in note.message


def test_azure_class_becomes_the_plain_one() -> None:
    found = check_transformed(
        """
        from langchain_openai import AzureChatOpenAI, AzureOpenAIEmbeddings


        def make(config):
            chat = AzureChatOpenAI(
                azure_endpoint=config["endpoint"],
                openai_api_key=config["key"],
                openai_api_version="2024-06-01",
                azure_deployment="chat",
                temperature=0,
            )
            return chat, AzureOpenAIEmbeddings(azure_deployment="embed")
        """,
        """
        import os

        from langchain_openai import ChatOpenAI, OpenAIEmbeddings


        def make(config):
            chat = ChatOpenAI(
                openai_api_key=config["key"],
                temperature=0,
                base_url="https://open.bigmodel.cn/api/paas/v4/",
                model="glm-4-flash",
            )
            return chat, OpenAIEmbeddings(base_url="https://open.bigmodel.cn/api/paas/v4/", api_key=os.environ["ZAI_API_KEY"], model="embedding-3", check_embedding_ctx_length=False)
        """,
        "glm",
    )
    assert ids(found).count("MIG103") == 2 and "MIG120" not in ids(found)
    assert "MIG101" in ids(found)  # the Azure key from configuration: a person checks it


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

        llm = ChatOpenAI()  # migrator: ignore[MIG160]
        """,
        "qwen",
    )
    assert ids(found) == []


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


def test_plain_class_name_taken_by_another_import_is_reached_through_its_module() -> None:
    """A file importing langchain_community's ChatOpenAI next to langchain_openai's Azure
    class (as real projects do): importing langchain_openai's ChatOpenAI by name would
    silently replace the other one for all its code."""
    check_transformed(
        """
        from langchain_community.chat_models import ChatOpenAI
        from langchain_openai import AzureChatOpenAI


        def make(azure):
            if azure:
                return AzureChatOpenAI(azure_deployment="chat", temperature=0)
            return ChatOpenAI(model_name="gpt-4o")
        """,
        """
        import os

        from langchain_community.chat_models import ChatOpenAI
        import langchain_openai


        def make(azure):
            if azure:
                return langchain_openai.ChatOpenAI(temperature=0, base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", api_key=os.environ["DASHSCOPE_API_KEY"], model="qwen-flash")
            return ChatOpenAI(model_name="qwen3-max", base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", api_key=os.environ["DASHSCOPE_API_KEY"])
        """,
        "qwen",
    )


def test_framework_model_strings_are_reported_not_rewritten() -> None:
    found = check_noop(
        '''
        """Docs may say "openai:gpt-4o"."""
        import litellm
        from langchain.chat_models import init_chat_model


        def make():
            llm = init_chat_model("openai:gpt-4o", temperature=0)
            return llm, litellm.completion(model="openai/gpt-4o-mini", messages=[])
        ''',
        "qwen",
    )
    assert [(f.id, f.line) for f in found] == [("MIG164", 8), ("MIG164", 9)]
    assert '"openai:qwen3-max"' in found[0].message and "DASHSCOPE_API_KEY" in found[0].message
    assert '"openai/qwen-plus"' in found[1].message


def _embeddings_to_qwen() -> tuple[object, ...]:
    from migrator.mapping import load_registry
    from migrator.routes import resolve_routes

    registry = load_registry()
    return resolve_routes(registry, registry.get("deepseek"), {}, ["embeddings=qwen"])


def test_routed_embeddings_class_goes_to_the_route_provider() -> None:
    """`--to deepseek --route embeddings=qwen`: DeepSeek has no embeddings; the LangChain
    embeddings class goes where the SDK's embeddings calls go, the chat class to DeepSeek."""
    found = check_transformed(
        """
        from langchain_openai import ChatOpenAI, OpenAIEmbeddings

        llm = ChatOpenAI(model="gpt-4o")
        embedder = OpenAIEmbeddings(model="text-embedding-3-small")
        """,
        """
        import os

        from langchain_openai import ChatOpenAI, OpenAIEmbeddings

        llm = ChatOpenAI(model="deepseek-v4-pro", base_url="https://api.deepseek.com", api_key=os.environ.get("DEEPSEEK_API_KEY", "missing-DEEPSEEK_API_KEY"))
        embedder = OpenAIEmbeddings(model="text-embedding-v4", base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", api_key=os.environ.get("DASHSCOPE_API_KEY", "missing-DASHSCOPE_API_KEY"), check_embedding_ctx_length=False)
        """,
        routes=_embeddings_to_qwen(),
    )
    (note,) = [f for f in found if f.id == "MIG170"]
    assert note.line == 5 and "DASHSCOPE_API_KEY" in note.message
    assert "MIG120" not in ids(found)


def test_routed_embeddings_class_with_a_key_in_code_is_left() -> None:
    """The key rules know the target's key only: a routed class given a key is left, and
    says which key it needs, rather than get DeepSeek's key at DashScope's endpoint."""
    found = check_noop(
        """
        import os

        from langchain_openai import OpenAIEmbeddings

        embedder = OpenAIEmbeddings(openai_api_key=os.environ["OPENAI_API_KEY"])
        """,
        routes=_embeddings_to_qwen(),
    )
    (left,) = [f for f in found if f.id == "MIG120"]
    assert "DASHSCOPE_API_KEY" in left.message and "--route" in left.message
