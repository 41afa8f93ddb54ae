"""Each litellm fixer on the made-up Acme mapping (tests/data/mappings/minimal.yaml, whose
`litellm:` section describes an invented route `acme/`): what one fixer does, read from
the mapping — the route's prefix, its default host (not compat's: calls pass api_base=),
the OpenAI parameters it lists."""

from __future__ import annotations

import textwrap

import pytest

from migrator.mapping_litellm import GENERIC_PREFIX
from tests.codemod_helpers import ids, mapping, rewrite

CLIENT = """\
from openai import OpenAI

client = OpenAI()
"""
BASE = 'api_base="https://api.acme.example/v1"'
KEY = 'api_key=os.environ["ACME_API_KEY"]'


def run(body: str, *fixers: str, client: str = CLIENT) -> tuple[str, list[str]]:
    src = client + textwrap.dedent(body)
    got, result = rewrite(src, "acme", strategy="litellm", only=fixers)
    return got, ids(result.findings)


def test_calls_move_to_litellm_with_the_providers_key_and_base() -> None:
    got, found = run(
        'r = client.chat.completions.create(model="gpt-4o", messages=[], stream=True)\n',
        "litellm.calls",
    )
    assert "import litellm" in got and "import os" in got
    # (the model fixer did not run: the literal is no routed id, custom_llm_provider routes it)
    assert (
        f'r = litellm.completion(model="gpt-4o", messages=[], stream=True, {KEY}, {BASE}, '
        'custom_llm_provider="acme")' in got
    )
    assert "drop_params" not in got
    assert found.count("MIG180") == 1


def test_awaited_calls_of_an_async_client_become_acompletion_and_aembedding() -> None:
    got, _ = run(
        """\
        async def main():
            await aclient.chat.completions.create(model="gpt-4o", messages=[])
            await aclient.embeddings.create(model="text-embedding-3-small", input="x")
        """,
        "litellm.calls",
        client="from openai import AsyncOpenAI\n\naclient = AsyncOpenAI()\n",
    )
    assert 'await litellm.acompletion(model="gpt-4o", messages=[], ' in got
    # embeddings have no acme route: the generic openai/ route, at compat's endpoint
    assert 'await litellm.aembedding(model="text-embedding-3-small", input="x", ' in got
    assert f'{KEY}, {BASE}, custom_llm_provider="{GENERIC_PREFIX}")' in got


def test_models_get_the_routes_prefix_and_generic_openai_for_a_family_without_one() -> None:
    got, _ = run(
        """\
        client.chat.completions.create(model="gpt-4o", messages=[])
        client.embeddings.create(model="text-embedding-3-small", input="x")
        """,
        "models",
        "litellm.calls",
    )
    assert 'model="acme/acme-large"' in got
    assert f'model="{GENERIC_PREFIX}/acme-embed"' in got


def test_a_model_migrator_cannot_see_is_routed_by_custom_llm_provider() -> None:
    got, _ = run(
        "def ask(model):\n    return client.chat.completions.create(model=model, messages=[])\n",
        "models",
        "litellm.calls",
    )
    assert 'custom_llm_provider="acme"' in got


def test_parameters_the_route_lacks_are_allowed_or_marked_per_the_mapping() -> None:
    got, found = run(
        'client.chat.completions.create(model="gpt-4o", messages=[], seed=1, n=2, user="u")\n',
        "parameters",
        "litellm.calls",
    )
    # seed: no rule (the provider takes it), the route does not list it
    assert 'allowed_openai_params=["seed"]' in got and "MIG184" in found
    # n: unsupported by the provider too: LiteLLM raises before sending; marked, not dropped
    assert "n=2" in got and "# migrator: MIG185" in got and "MIG185" in found
    # user: the compat rule moves it into the body; LiteLLM passes extra_body on
    assert 'extra_body={"user_id": "u"}' in got and '"user"' not in got


def test_a_splat_that_may_hold_the_key_stays_and_a_literal_one_is_reported() -> None:
    got, found = run(
        "def ask(**kw):\n    return client.chat.completions.create(model='gpt-4o', **kw)\n",
        "litellm.calls",
    )
    assert "litellm" not in got and "MIG181" in found
    got, found = run(
        "client.chat.completions.create(model='gpt-4o', **{'logprobs': True})\n",
        "litellm.calls",
    )
    assert f"**{{'logprobs': True}}, {KEY}, {BASE}" in got
    assert "MIG186" in found


@pytest.mark.parametrize(
    "call",
    [
        'client.with_options(timeout=5).chat.completions.create(model="gpt-4o", messages=[])',
        'client.chat.completions.with_raw_response.create(model="gpt-4o", messages=[])',
    ],
)
def test_calls_litellm_cannot_take_stay_on_openai_with_compats_model(call: str) -> None:
    got, found = run(call + "\n", "clients", "litellm.stays", "models", "litellm.calls")
    assert "litellm" not in got
    assert 'model="acme-large"' in got  # no route prefix: the openai SDK sends it as it is
    assert "MIG181" in found


def test_a_client_no_call_needs_is_removed_and_one_still_read_is_kept_and_marked() -> None:
    got, found = run(
        'client.chat.completions.create(model="gpt-4o", messages=[])\n',
        "litellm.calls",
        "litellm.clients",
    )
    assert "OpenAI" not in got and "client =" not in got
    assert found.count("MIG182") == 1
    got, found = run(
        """\
        client.chat.completions.create(model="gpt-4o", messages=[])
        client.images.generate(prompt="x")
        """,
        "litellm.calls",
        "litellm.clients",
    )
    assert "# migrator: MIG183" in got and "client = OpenAI()" in got
    assert "client.images.generate" in got and "MIG183" in found


def test_embedding_items_are_read_as_dicts_and_escapes_marked() -> None:
    got, found = run(
        """\
        e = client.embeddings.create(model="text-embedding-3-small", input=["a"])
        print(f"{e.data[0].embedding}", [d.index for d in e.data])
        f = client.embeddings.create(model="text-embedding-3-small", input=["b"])
        vectors = sorted(f.data, key=len)
        """,
        "litellm.calls",
        "litellm.responses",
    )
    assert 'print(f"{e.data[0][\'embedding\']}", [d["index"] for d in e.data])' in got
    assert found.count("MIG187") == 2
    assert "# migrator: MIG188" in got and "MIG188" in found


def test_stream_chunk_usage_is_read_with_getattr() -> None:
    got, found = run(
        """\
        s = client.chat.completions.create(model="gpt-4o", messages=[], stream=True)
        for chunk in s:
            if chunk.usage:
                print(chunk.usage.total_tokens)
            print(chunk.usage and chunk.usage.prompt_tokens)
            tokens = chunk.usage.total_tokens
        """,
        "litellm.calls",
        "litellm.responses",
    )
    assert 'if getattr(chunk, "usage", None):' in got
    # under a test that read it, the chunk has the attribute: the read stays as it was
    assert "print(chunk.usage.total_tokens)" in got
    assert 'print(getattr(chunk, "usage", None) and chunk.usage.prompt_tokens)' in got
    # unguarded, it is read with getattr
    assert 'tokens = getattr(chunk, "usage", None).total_tokens' in got
    assert found.count("MIG189") == 3


def test_the_strategys_view_prefixes_every_target_and_keeps_capabilities() -> None:
    from migrator.codemods.strategies import LITELLM

    assert LITELLM.mapping_view is not None
    view = LITELLM.mapping_view(mapping("acme"))
    target = view.resolve_model("gpt-4o")
    assert target is not None and target.model == "acme/acme-large"
    assert view.limits_for("acme/acme-large") == {
        "context_window": 128000,
        "max_output_tokens": 8192,
    }
    assert view.resolve_model("text-embedding-3-small").model == "openai/acme-embed"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ("api_key=settings.key", "api_key=settings.key"),
        ("timeout=20, max_retries=5", "timeout="),
        ("http_client=transport", "http_client="),
        ("default_headers={'X-Team': 'search'}", "default_headers="),
        ("**options", "**options"),
    ],
)
def test_a_client_built_with_what_a_litellm_call_would_lose_keeps_its_calls(
    arguments: str, named: str
) -> None:
    """A key the user configured, timeouts, retries, headers, an HTTP client: a LiteLLM
    call would send without them. The calls stay on the client (compat's endpoint)."""
    got, found = run(
        'r = client.chat.completions.create(model="gpt-4o", messages=[])\n',
        "litellm.stays",
        "litellm.calls",
        "litellm.clients",
        client=f"from openai import OpenAI\n\nclient = OpenAI({arguments})\n",
    )
    assert "litellm" not in got
    assert 'r = client.chat.completions.create(model="gpt-4o", messages=[])' in got
    assert "MIG181" in found and "MIG180" not in found


def test_a_client_with_openais_key_variable_or_a_literal_key_moves() -> None:
    for key in ('os.environ["OPENAI_API_KEY"]', 'os.getenv("OPENAI_API_KEY")', '"sk-test"'):
        got, found = run(
            'r = client.chat.completions.create(model="gpt-4o", messages=[])\n',
            "litellm.stays",
            "litellm.calls",
            client=f"import os\nfrom openai import OpenAI\n\nclient = OpenAI(api_key={key})\n",
        )
        assert "litellm.completion(" in got, key
        assert "MIG180" in found
