"""codemods/routes.py: `--route embeddings=qwen` under a DeepSeek target, before/after."""

# ruff: noqa: E501 - expected outputs are real rewrites: a long call stays on one line

from __future__ import annotations

from migrator.mapping import load_registry
from migrator.rewrite import ROUTED
from migrator.routes import Route, resolve_routes
from tests.codemod_helpers import check_noop, check_transformed, ids, rewrite

QWEN = "https://dashscope.aliyuncs.com/compatible-mode/v1"
DEEPSEEK = "https://api.deepseek.com"


def routed(*items: str, target: str = "deepseek") -> tuple[Route, ...]:
    registry = load_registry()
    return resolve_routes(registry, registry.get(target), {}, items)


QWEN_EMBEDDINGS = routed("embeddings=qwen")


def test_module_level_sync_client_gets_a_second_client_for_embeddings() -> None:
    found = check_transformed(
        """\
        from openai import OpenAI

        client = OpenAI()


        def ask(q):
            return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": q}])


        def embed(texts):
            return client.embeddings.create(model="text-embedding-3-small", input=texts)
        """,
        f"""\
        import os

        from openai import OpenAI

        client = OpenAI(base_url="{DEEPSEEK}", api_key=os.environ.get("DEEPSEEK_API_KEY", "missing-DEEPSEEK_API_KEY"))
        embeddings_client = OpenAI(api_key=os.environ.get("DASHSCOPE_API_KEY", "missing-DASHSCOPE_API_KEY"), base_url="{QWEN}")


        def ask(q):
            return client.chat.completions.create(model="deepseek-v4-pro", messages=[{{"role": "user", "content": q}}], extra_body={{"thinking": {{"type": "disabled"}}}})


        def embed(texts):
            return embeddings_client.embeddings.create(model="text-embedding-v4", input=texts, dimensions=1536, extra_body={{"encoding_format": "float"}})
        """,
        routes=QWEN_EMBEDDINGS,
    )
    assert "MIG401" not in ids(found)
    (note,) = [f for f in found if f.id == "MIG170"]
    assert (note.line, note.severity) == (3, "info")
    assert "`embeddings_client` (key DASHSCOPE_API_KEY" in note.message


def test_async_client_held_by_an_object() -> None:
    check_transformed(
        """\
        from openai import AsyncOpenAI


        class Store:
            def __init__(self):
                self.client = AsyncOpenAI()

            async def vector(self, text):
                r = await self.client.embeddings.create(model="text-embedding-3-large", input=text, dimensions=256)
                return r.data[0].embedding
        """,
        f"""\
        import os

        from openai import AsyncOpenAI


        class Store:
            def __init__(self):
                self.client = AsyncOpenAI(base_url="{DEEPSEEK}", api_key=os.environ["DEEPSEEK_API_KEY"])
                self.embeddings_client = AsyncOpenAI(api_key=os.environ["DASHSCOPE_API_KEY"], base_url="{QWEN}")

            async def vector(self, text):
                r = await self.embeddings_client.embeddings.create(model="text-embedding-v4", input=text, dimensions=256, extra_body={{"encoding_format": "float"}})
                return r.data[0].embedding
        """,
        routes=QWEN_EMBEDDINGS,
    )


def test_client_made_in_a_function() -> None:
    check_transformed(
        """\
        import openai


        def embed(text):
            llm_client = openai.OpenAI()
            return llm_client.embeddings.create(model="text-embedding-ada-002", input=text)
        """,
        f"""\
        import os

        import openai


        def embed(text):
            llm_client = openai.OpenAI(base_url="{DEEPSEEK}", api_key=os.environ["DEEPSEEK_API_KEY"])
            llm_embeddings_client = openai.OpenAI(api_key=os.environ["DASHSCOPE_API_KEY"], base_url="{QWEN}")
            return llm_embeddings_client.embeddings.create(model="text-embedding-v4", input=text, dimensions=1536, extra_body={{"encoding_format": "float"}})
        """,
        routes=QWEN_EMBEDDINGS,
    )


def test_two_clients_get_two_second_clients_named_apart() -> None:
    check_transformed(
        """\
        from openai import OpenAI

        client = OpenAI()
        backup = OpenAI(timeout=5)
        embeddings_client = None


        def embed(text, spare=False):
            if spare:
                return backup.embeddings.create(model="text-embedding-3-small", input=text)
            return client.embeddings.create(model="text-embedding-3-small", input=text)
        """,
        f"""\
        import os

        from openai import OpenAI

        client = OpenAI(base_url="{DEEPSEEK}", api_key=os.environ.get("DEEPSEEK_API_KEY", "missing-DEEPSEEK_API_KEY"))
        embeddings_client_2 = OpenAI(api_key=os.environ.get("DASHSCOPE_API_KEY", "missing-DASHSCOPE_API_KEY"), base_url="{QWEN}")
        backup = OpenAI(timeout=5, base_url="{DEEPSEEK}", api_key=os.environ.get("DEEPSEEK_API_KEY", "missing-DEEPSEEK_API_KEY"))
        backup_embeddings = OpenAI(api_key=os.environ.get("DASHSCOPE_API_KEY", "missing-DASHSCOPE_API_KEY"), base_url="{QWEN}")
        embeddings_client = None


        def embed(text, spare=False):
            if spare:
                return backup_embeddings.embeddings.create(model="text-embedding-v4", input=text, dimensions=1536, extra_body={{"encoding_format": "float"}})
            return embeddings_client_2.embeddings.create(model="text-embedding-v4", input=text, dimensions=1536, extra_body={{"encoding_format": "float"}})
        """,
        routes=QWEN_EMBEDDINGS,
    )


def test_a_call_through_an_alias_of_the_client() -> None:
    check_transformed(
        """\
        from openai import OpenAI

        client = OpenAI()
        vectors = client


        def embed(text):
            return vectors.embeddings.create(model="text-embedding-3-small", input=text)
        """,
        f"""\
        import os

        from openai import OpenAI

        client = OpenAI(base_url="{DEEPSEEK}", api_key=os.environ.get("DEEPSEEK_API_KEY", "missing-DEEPSEEK_API_KEY"))
        embeddings_client = OpenAI(api_key=os.environ.get("DASHSCOPE_API_KEY", "missing-DASHSCOPE_API_KEY"), base_url="{QWEN}")
        vectors = client


        def embed(text):
            return embeddings_client.embeddings.create(model="text-embedding-v4", input=text, dimensions=1536, extra_body={{"encoding_format": "float"}})
        """,
        routes=QWEN_EMBEDDINGS,
    )


def test_a_client_handed_in_is_left_and_said_why() -> None:
    after, result = rewrite(
        """\
        from openai import OpenAI


        def embed(client: OpenAI, text):
            return client.embeddings.create(model="text-embedding-3-small", input=text)
        """,
        routes=QWEN_EMBEDDINGS,
    )
    assert after == (
        "from openai import OpenAI\n\n\n"
        "def embed(client: OpenAI, text):\n"
        "    # migrator: MIG171 embeddings.create: route to dashscope by hand: its client is built "
        "elsewhere (a parameter...\n"
        '    return client.embeddings.create(model="text-embedding-3-small", input=text)\n'
    )
    (left,) = [f for f in result.findings if f.id != "MIG106"]
    assert (left.id, left.line, left.severity) == ("MIG171", 5, "error")
    assert "DASHSCOPE_API_KEY" in left.message and QWEN in left.message


def test_a_client_made_in_a_with_block_is_left() -> None:
    after, result = rewrite(
        """\
        from openai import OpenAI


        def embed(text):
            with OpenAI() as c:
                return c.embeddings.create(model="text-embedding-3-small", input=text)
        """,
        routes=QWEN_EMBEDDINGS,
    )
    assert 'c.embeddings.create(model="text-embedding-3-small", input=text)' in after
    assert "# migrator: MIG171 embeddings.create" in after
    assert "DASHSCOPE" not in after
    assert ids(result.findings).count("MIG171") == 1 and "MIG401" not in ids(result.findings)


def test_a_client_pointing_elsewhere_keeps_its_calls() -> None:
    check_noop(
        """\
        import os
        from openai import OpenAI

        local = OpenAI(base_url="http://localhost:11434/v1", api_key="ollama")
        vec = local.embeddings.create(model="nomic-embed-text", input="x")
        """,
        routes=QWEN_EMBEDDINGS,
    )


def test_a_family_the_route_does_not_name_stays_marked() -> None:
    after, result = rewrite(
        """\
        from openai import OpenAI

        client = OpenAI()
        img = client.images.generate(prompt="a cat")
        """,
        routes=QWEN_EMBEDDINGS,
    )
    assert "# migrator: MIG401 images.generate" in after
    assert "DASHSCOPE" not in after


def test_routed_calls_are_recorded_for_other_fixers() -> None:
    from migrator.codemods.strategies import COMPAT

    from migrator.options import RewriteOptions
    from migrator.rewrite import rewrite_module
    from migrator.source import parse_source

    module, _ = parse_source(
        b"from openai import OpenAI\nc = OpenAI()\nc.embeddings.create(model='text-embedding-3-small', input='x')\n",
        "x.py",
    )
    assert module is not None
    registry = load_registry()
    options = RewriteOptions(registry.get("deepseek"), COMPAT, routes=QWEN_EMBEDDINGS)
    _, plan = rewrite_module(module, "x.py", options)
    (call,) = plan.inventory.calls
    route = plan.routed(call)
    assert route is not None and route.mapping.id == "dashscope"
    assert plan.mapping_for(call).id == "dashscope"
    assert plan.route_for("embeddings") is route and plan.route_for("images") is None
    assert route.endpoint.key_env == "DASHSCOPE_API_KEY"
    assert list(plan.analyses[ROUTED].values()) == [route]


def test_a_name_also_assigned_from_elsewhere_is_not_tied() -> None:
    """`self.client = client` beside `self.client = OpenAI()`: a second client made next
    to the constructor would be missing when the object is handed one."""
    after, result = rewrite(
        """\
        from openai import OpenAI


        class Embedder:
            def __init__(self, client=None):
                if client is not None:
                    self.client = client
                    return
                self.client = OpenAI()

            def embed(self, text):
                return self.client.embeddings.create(model="text-embedding-3-small", input=text)
        """,
        routes=QWEN_EMBEDDINGS,
    )
    assert "embeddings_client" not in after and "DASHSCOPE" not in after
    (left,) = [f for f in result.findings if f.id == "MIG171"]
    assert left.line == 12
    assert "`self.client` is also assigned on line 7" in left.message


def test_an_azure_client_made_plain_gets_a_plain_second_client() -> None:
    after, _ = rewrite(
        """\
        import os
        from openai import AzureOpenAI

        client = AzureOpenAI(azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"], api_version="2024-10-21")
        vec = client.embeddings.create(model="text-embedding-3-small", input="x")
        """,
        routes=QWEN_EMBEDDINGS,
    )
    assert "from openai import OpenAI\n" in after
    assert (
        'embeddings_client = OpenAI(api_key=os.environ.get("DASHSCOPE_API_KEY", '
        f'"missing-DASHSCOPE_API_KEY"), base_url="{QWEN}")'
    ) in after
    assert "vec = embeddings_client.embeddings.create(" in after
    assert "AzureOpenAI" not in after


def test_v0_calls_upgraded_onto_a_client_of_the_route_provider() -> None:
    check_transformed(
        """\
        import openai


        def embed(text):
            return openai.Embedding.create(model="text-embedding-ada-002", input=text)["data"][0]["embedding"]


        def chat(q):
            return openai.ChatCompletion.create(model="gpt-4o", messages=[{"role": "user", "content": q}])
        """,
        f"""\
        import os

        from openai import OpenAI

        client = OpenAI(
            base_url="{DEEPSEEK}",
            api_key=os.environ.get("DEEPSEEK_API_KEY", "missing-DEEPSEEK_API_KEY"),
        )
        embeddings_client = OpenAI(
            api_key=os.environ.get("DASHSCOPE_API_KEY", "missing-DASHSCOPE_API_KEY"),
            base_url="{QWEN}",
        )


        def embed(text):
            return embeddings_client.embeddings.create(model="text-embedding-v4", input=text, dimensions=1536, extra_body={{"encoding_format": "float"}}).data[0].embedding


        def chat(q):
            return client.chat.completions.create(model="deepseek-v4-pro", messages=[{{"role": "user", "content": q}}], extra_body={{"thinking": {{"type": "disabled"}}}})
        """,
        routes=QWEN_EMBEDDINGS,
        upgrade_v0=True,
    )


def test_v0_calls_without_the_upgrade_are_left_with_the_reason() -> None:
    after, result = rewrite(
        """\
        import openai

        vec = openai.Embedding.create(model="text-embedding-ada-002", input="x")
        """,
        routes=QWEN_EMBEDDINGS,
    )
    assert (
        "# migrator: MIG171 embeddings.create: route to dashscope by hand: its client is the v0 "
        "module API (rerun with..."
    ) in after
    assert ids(result.findings).count("MIG171") == 1 and "MIG401" not in ids(result.findings)


def test_another_functions_parameter_of_the_same_name_does_not_untie() -> None:
    after, result = rewrite(
        """\
        from openai import OpenAI

        client = OpenAI()


        def embed(text):
            return client.embeddings.create(model="text-embedding-3-small", input=text)


        def other(client):
            return client
        """,
        routes=QWEN_EMBEDDINGS,
    )
    assert "return embeddings_client.embeddings.create(" in after
    assert "MIG171" not in ids(result.findings)


def test_a_global_rebound_in_a_function_unties() -> None:
    _, result = rewrite(
        """\
        from openai import OpenAI

        client = OpenAI()


        def reset(new):
            global client
            client = new


        def embed(text):
            return client.embeddings.create(model="text-embedding-3-small", input=text)
        """,
        routes=QWEN_EMBEDDINGS,
    )
    (left,) = [f for f in result.findings if f.id == "MIG171"]
    assert "`client` is also assigned on line 8" in left.message
