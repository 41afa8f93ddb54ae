"""Each native fixer alone, on the made-up Acme mapping (tests/data/mappings/minimal.yaml,
whose `native:` section describes an invented SDK, `acme_sdk`): what one fixer does
without the others' edits in the way, and that it reads everything from the mapping."""

from __future__ import annotations

import textwrap

from tests.codemod_helpers import ids, rewrite

CLIENT = """\
from openai import OpenAI

client = OpenAI()
"""


def alone(body: str, *fixers: str) -> tuple[str, list[str]]:
    src = CLIENT + textwrap.dedent(body)
    got, result = rewrite(src, "acme", strategy="native", only=fixers)
    return got, ids(result.findings)


def test_clients_alone_builds_the_sdks_client_from_its_key_variable() -> None:
    got, found = alone("", "clients")
    assert "from acme_sdk import AcmeClient" in got
    assert 'client = AcmeClient(api_key=os.environ.get("ACME_API_KEY"' in got
    assert "from openai import" not in got


def test_parameters_alone_follow_the_sdks_table() -> None:
    got, found = alone(
        'client.chat.completions.create(model="gpt-4o", messages=[], user="u", n=2)\n',
        "parameters",
    )
    assert 'end_user="u"' in got and 'model="gpt-4o"' in got and "OpenAI()" in got
    # n: the SDK's create() has no such keyword (it would raise TypeError): sent in the
    # body as compat sends it, and reported rather than left in the call
    assert 'extra_body={"n": 2}' in got and "n=2" not in got.replace('"n": 2', "")
    assert "MIG304" in found and "MIG305" not in found


def test_exceptions_alone_map_to_the_sdks_classes_or_mark() -> None:
    got, found = alone(
        """\
        import openai
        try:
            client.chat.completions.create(model="gpt-4o", messages=[])
        except openai.RateLimitError:
            pass
        except openai.ConflictError:
            pass
        """,
        "clients",
        "native.exceptions",
    )
    assert "except acme_sdk.errors.TooManyRequests:" in got or "except TooManyRequests:" in got
    assert "except openai.ConflictError:" in got
    assert "MIG140" in found and "MIG141" in found


def test_responses_alone_rename_the_sdks_fields_and_mark_missing_ones() -> None:
    got, found = alone(
        """\
        r = client.chat.completions.create(model="gpt-4o", messages=[])
        print(r.id, r.usage.prompt_tokens, r.created)
        e = client.embeddings.create(model="text-embedding-3-small", input="x")
        print(e.data[0].embedding)
        """,
        "clients",
        "native.responses",
    )
    assert "print(r.trace_id, r.usage.tokens_in, r.created)" in got
    assert "print(e.vectors[0].embedding)" in got
    assert "MIG150" in found and "MIG151" in found


def test_models_alone_use_the_sdks_size_keyword() -> None:
    got, _ = alone(
        'client.embeddings.create(model="text-embedding-3-small", input="x")\n', "models"
    )
    assert 'model="acme-embed", input="x", size=1536' in got
