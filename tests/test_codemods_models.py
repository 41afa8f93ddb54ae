"""codemods/models.py: OpenAI model ids mapped wherever the inventory traced them."""

# ruff: noqa: E501 - expected outputs are real rewrites: a long call stays on one line

from __future__ import annotations

from migrator.rewrite import RewriteOptions, rewrite_job
from tests.codemod_helpers import check_noop, check_transformed, ids, mapping, rewrite, sent

# Calls through a client the file receives (typed parameter): only the call is at stake.
HEADER = """\
import openai


def run(client: openai.OpenAI, cfg):
"""


def test_literal_at_the_call_keeps_its_quotes() -> None:
    check_transformed(
        HEADER + "    client.chat.completions.create(model='gpt-3.5-turbo', messages=[])\n",
        HEADER + "    client.chat.completions.create(model='moonshot-v1-8k', messages=[])\n",
        "kimi",
    )


def test_constants_dicts_getenv_defaults_and_class_attributes() -> None:
    check_transformed(
        """\
        import os
        from openai import OpenAI

        client: OpenAI = make_client()
        MODEL = "gpt-3.5-turbo"
        TABLE = {"cheap": "gpt-4o-mini"}
        PINNED = os.getenv("CHAT_MODEL", "gpt-3.5-turbo-0125")


        class Bot:
            model = "gpt-4-turbo"

            def go(self):
                client.chat.completions.create(model=MODEL, messages=[])
                client.chat.completions.create(model=TABLE["cheap"], messages=[])
                client.chat.completions.create(model=PINNED, messages=[])
                client.chat.completions.create(model=self.model, messages=[])
        """,
        """\
        import os
        from openai import OpenAI

        client: OpenAI = make_client()
        MODEL = "moonshot-v1-8k"
        TABLE = {"cheap": "moonshot-v1-auto"}
        PINNED = os.getenv("CHAT_MODEL", "moonshot-v1-8k")


        class Bot:
            model = "moonshot-v1-128k"

            def go(self):
                client.chat.completions.create(model=MODEL, messages=[])
                client.chat.completions.create(model=TABLE["cheap"], messages=[])
                client.chat.completions.create(model=PINNED, messages=[])
                client.chat.completions.create(model=self.model, messages=[])
        """,
        "kimi",
    )


def test_model_extra_body_follows_the_model() -> None:
    found = check_transformed(
        HEADER + '    client.chat.completions.create(model="o3-mini", messages=[])\n',
        HEADER
        + '    client.chat.completions.create(model="deepseek-v4-flash", messages=[], '
        + 'extra_body={"thinking": {"type": "enabled"}})\n',
    )
    assert "MIG204" in ids(found)


def test_dynamic_model_is_a_finding() -> None:
    found = check_noop(
        HEADER + "    client.chat.completions.create(model=cfg['model'], messages=[])\n"
    )
    assert "MIG201" in ids(found)
    assert "cfg['model']" in [f for f in found if f.id == "MIG201"][0].message


def test_model_with_no_equivalent_is_left_and_reported() -> None:
    found = check_noop(
        """\
        import openai

        EMBEDDING = "text-embedding-3-small"
        """
    )
    assert [(f.id, f.severity) for f in found] == [("MIG202", "warning")]


def test_embedding_model_gets_dimensions_where_the_provider_takes_them() -> None:
    found = check_transformed(
        """\
        from openai import OpenAI


        def embed(client: OpenAI):
            client.embeddings.create(model="text-embedding-3-small", input="x")
        """,
        """\
        from openai import OpenAI


        def embed(client: OpenAI):
            client.embeddings.create(model="embedding-3", input="x", dimensions=1024, extra_body={"encoding_format": "float"})
        """,
        "glm",
    )
    assert [f for f in found if f.id == "MIG203"][0].message.endswith(
        "dimensions=1024 sent (text-embedding-3-small gave 1536): resize the vector store"
    )


def test_a_size_the_provider_model_does_not_take_becomes_the_mapped_size() -> None:
    found = check_transformed(
        """\
        from openai import OpenAI

        SIZE = 1536


        def embed(client: OpenAI, n):
            client.embeddings.create(model="text-embedding-3-small", input="x", dimensions=1536)
            client.embeddings.create(model="text-embedding-3-small", input="x", dimensions=SIZE)
            client.embeddings.create(model="text-embedding-3-small", input="x", dimensions=512)
            client.embeddings.create(model="text-embedding-3-small", input="x", dimensions=n)
        """,
        """\
        from openai import OpenAI

        SIZE = 1024


        def embed(client: OpenAI, n):
            client.embeddings.create(model="embedding-3", input="x", dimensions=1024, extra_body={"encoding_format": "float"})
            client.embeddings.create(model="embedding-3", input="x", dimensions=SIZE, extra_body={"encoding_format": "float"})
            client.embeddings.create(model="embedding-3", input="x", dimensions=512, extra_body={"encoding_format": "float"})
            client.embeddings.create(model="embedding-3", input="x", dimensions=n, extra_body={"encoding_format": "float"})
        """,
        "glm",
    )
    notes = [f.message.partition("re-embedded")[2] for f in found if f.id == "MIG203"]
    assert notes == [
        "; dimensions 1536 → 1024 (embedding-3 takes 256, 512, 1024, 2048): resize the vector store",
        "; dimensions 1536 → 1024 (embedding-3 takes 256, 512, 1024, 2048): resize the vector store",
        "",  # 512 is one of embedding-3's sizes: the user's choice stands
        "; dimensions comes from dynamic: n: embedding-3 takes 256, 512, 1024, 2048 (migrator sends 1024 where it chooses)",
    ]


def test_a_user_size_stands_where_the_mapping_lists_no_sizes() -> None:
    """A --model-map override knows nothing of the model's sizes: the user's size stays."""
    overridden = mapping("glm").with_overrides({"text-embedding-3-small": "my-embedder"})
    result = rewrite_job(
        "x.py",
        b"from openai import OpenAI\n\n\ndef f(c: OpenAI):\n"
        b"    c.embeddings.create(model='text-embedding-3-small', input='x', dimensions=1536)\n",
        RewriteOptions(mapping=overridden),
    )
    assert result.new_source is not None
    assert b"model='my-embedder', input='x', dimensions=1536)" in result.new_source


def test_fixed_size_embedding_model_gets_no_dimensions() -> None:
    found = check_transformed(
        """\
        from openai import OpenAI


        def embed(client: OpenAI):
            client.embeddings.create(model="text-embedding-3-large", input="x", dimensions=256)
        """,
        """\
        from openai import OpenAI


        def embed(client: OpenAI):
            client.embeddings.create(model="BAAI/bge-m3", input="x", extra_body={"encoding_format": "float"})
        """,
        "siliconflow",
    )
    assert {"MIG203", "MIG301"} <= set(ids(found))


def test_same_model_at_azure_is_not_a_new_vector_space() -> None:
    found = check_noop(
        """\
        import os
        from openai import AzureOpenAI

        client = AzureOpenAI(azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"])
        client.embeddings.create(model="text-embedding-3-small", input="x")
        """,
        "azure",
    )
    assert "MIG203" not in ids(found)


def test_dated_snapshot_resolves_to_its_family() -> None:
    check_transformed(
        HEADER
        + '    client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=[])\n',
        HEADER + '    client.chat.completions.create(model="glm-4-air-250414", messages=[])\n',
        "glm",
    )


def test_unsupported_endpoint_keeps_its_model() -> None:
    """A call left as it is (and marked) keeps its model id too."""
    got = check_transformed(
        HEADER + '    client.responses.create(model="gpt-4o", input="x")\n',
        HEADER
        + "    # migrator: MIG401 responses.create: no Responses API endpoint at deepseek\n"
        + '    client.responses.create(model="gpt-4o", input="x")\n',
    )
    assert "MIG401" in ids(got)


def test_gateway_passes_models_through_with_one_note() -> None:
    found = check_noop(
        """\
        from openai import OpenAI


        def ask(client: OpenAI):
            client.chat.completions.create(model="gpt-4o", messages=[])
            client.chat.completions.create(model="gpt-4o-mini", messages=[])
        """,
        "gateway",
    )
    notes = [f for f in found if f.id == "MIG202"]
    assert [f.severity for f in notes] == ["info"]
    assert "'gpt-4o', 'gpt-4o-mini'" in notes[0].message


def test_model_map_override() -> None:
    overridden = mapping("qwen").with_overrides({"gpt-4o": "qwen-max-latest"})
    source = HEADER + '    client.chat.completions.create(model="gpt-4o", messages=[])\n'
    result = rewrite_job("x.py", source.encode(), RewriteOptions(mapping=overridden))
    assert result.new_source == source.replace('"gpt-4o"', '"qwen-max-latest"').encode()


def test_no_sdk_in_the_file_no_model_rewrite() -> None:
    check_noop(
        """\
        import tiktoken
        from langchain_openai import ChatOpenAI


        class OpenAI:
            def __init__(self, model="gpt-4o"):
                self.model = model


        DEFAULT = "gpt-4o-mini"
        enc = tiktoken.encoding_for_model("gpt-4o")
        llm = ChatOpenAI(model="gpt-4o")
        """
    )


def test_dimensions_are_not_added_beside_a_mapping_that_may_hold_them() -> None:
    before = """\
        from openai import OpenAI


        def embed(client: OpenAI, texts, **options):
            return client.embeddings.create(model="text-embedding-3-small", input=texts, **options)


        def embed_plain(client: OpenAI, texts):
            options = {"timeout": 30}
            return client.embeddings.create(model="text-embedding-3-small", input=texts, **options)
        """
    found = check_transformed(
        before,
        """\
        from openai import OpenAI


        def embed(client: OpenAI, texts, **options):
            return client.embeddings.create(model="embedding-3", input=texts, **options)


        def embed_plain(client: OpenAI, texts):
            options = {"timeout": 30}
            return client.embeddings.create(model="embedding-3", input=texts, **options, dimensions=1024, extra_body={"encoding_format": "float"})
        """,
        "zhipu",
    )
    assert [(f.id, f.line) for f in found if f.id == "MIG107"] == [("MIG107", 5), ("MIG107", 5)]
    assert "dimensions=1024" in next(f.message for f in found if f.id == "MIG107")
    glm = rewrite(before, "zhipu")[0]
    assert sent(glm, "embed(client, ['a'], dimensions=256)")["dimensions"] == 256
    assert sent(glm, "embed_plain(client, ['a'])")["dimensions"] == 1024
    found = check_transformed(
        before,
        """\
        from openai import OpenAI


        def embed(client: OpenAI, texts, **options):
            return client.embeddings.create(model="text-embedding-v4", input=texts, **options)


        def embed_plain(client: OpenAI, texts):
            options = {"timeout": 30}
            return client.embeddings.create(model="text-embedding-v4", input=texts, **options, dimensions=1536, extra_body={"encoding_format": "float"})
        """,
        "qwen",
    )
    assert [(f.id, f.line) for f in found if f.id == "MIG107"] == [("MIG107", 5), ("MIG107", 5)]
