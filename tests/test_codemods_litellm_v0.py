"""openai<1 module code under `--strategy litellm` (codemods/litellm/v0.py), on the made-up
Acme mapping (tests/data/mappings/minimal.yaml: an `acme/` chat route whose default host is
not compat's, so calls pass api_base=; embeddings on the generic openai/ route), then the
fixtures/v0 programs as goldens for real providers.

Without --upgrade-v0: LiteLLM installs openai>=2.20, where v0 calls raise, so the strategy
moves v0 chat/embeddings calls itself; what it cannot move is said at the line (MIG190).
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from migrator.mapping import load_registry
from tests.codemod_helpers import ids, rewrite

V0 = Path(__file__).resolve().parent.parent / "fixtures" / "v0"
EXPECTED = V0 / "expected-litellm"
KEY = 'api_key=os.environ["ACME_API_KEY"]'
BASE = 'api_base="https://api.acme.example/v1"'
# The fixers a v0 move needs, by name (the litellm strategy's order runs them).
MOVE = ("module-settings", "v0-calls", "models", "litellm.calls")


def run(src: str, *fixers: str, **overrides: object) -> tuple[str, list[str]]:
    got, result = rewrite(
        textwrap.dedent(src), "acme", strategy="litellm", only=fixers, **overrides
    )
    return got, ids(result.findings)


def test_v0_chat_call_moves_with_the_v0_upgrades_argument_changes() -> None:
    got, found = run(
        """\
        import openai

        r = openai.ChatCompletion.create(
            engine="gpt-4o", messages=[], request_timeout=5, api_key="sk-old", organization="o"
        )
        """,
        *MOVE,
    )
    assert "import litellm\n" in got and "import os\n" in got and "import openai" not in got
    assert (
        'r = litellm.completion(\n    model="acme/acme-large", messages=[], timeout=5, '
        f"{KEY}, {BASE}\n)" in got
    )
    # per-request credentials dropped (the provider's key replaces them); engine= renamed
    # (an OpenAI id there: no MIG417, the model fixer maps it)
    assert {"MIG180", "MIG416"} <= set(found) and "MIG417" not in found
    assert "MIG402" not in found and "MIG190" not in found


def test_v0_names_imported_from_openai_and_an_alias_move_too() -> None:
    got, _ = run(
        """\
        from openai import ChatCompletion, Embedding
        import openai as oa

        a = ChatCompletion.create(model="gpt-4o", messages=[])
        b = oa.ChatCompletion.create(model="gpt-4o", messages=[])
        c = Embedding
        """,
        *MOVE,
    )
    # the names nothing reads go; one still read stays (it imports in openai>=1). (An
    # aliased `import openai as oa` stays: the import remover leaves aliased modules.)
    assert "from openai import Embedding\n" in got and "ChatCompletion" not in got
    assert got.count("litellm.completion(") == 2


def test_acreate_becomes_acompletion_and_aembedding() -> None:
    got, found = run(
        """\
        import openai

        async def main():
            await openai.ChatCompletion.acreate(model="gpt-4o", messages=[], stream=True)
            await openai.Embedding.acreate(model="text-embedding-3-small", input="x")
        """,
        *MOVE,
    )
    assert (
        f'await litellm.acompletion(model="acme/acme-large", messages=[], stream=True, {KEY}, '
        f"{BASE})" in got
    )
    # embeddings: the generic openai/ route, at compat's endpoint
    assert f'await litellm.aembedding(model="openai/acme-embed", input="x", {KEY}, {BASE})' in got
    assert found.count("MIG180") == 2


def test_settings_that_served_only_the_moved_calls_are_removed() -> None:
    got, found = run(
        """\
        import os

        import openai

        openai.api_key = os.environ["OPENAI_API_KEY"]
        openai.api_base = "https://api.openai.com/v1"
        openai.organization = "org-acme"

        MODEL = "gpt-4o"


        def ask(q):
            return openai.ChatCompletion.create(model=MODEL, messages=[q])
        """,
        *MOVE,
    )
    assert "openai" not in got.replace("openai/", "")
    assert got.startswith('import os\n\nimport litellm\n\nMODEL = "acme/acme-large"\n')
    assert found.count("MIG191") == 3


def test_settings_that_still_serve_a_call_left_stay_retargeted_and_marked() -> None:
    got, found = run(
        """\
        import os

        import openai

        openai.api_key = os.environ["OPENAI_API_KEY"]

        chat = openai.ChatCompletion.create(model="gpt-4o", messages=[])
        text = openai.Completion.create(model="gpt-3.5-turbo-instruct", prompt="hi")
        """,
        *MOVE,
        "env-vars",
    )
    assert 'openai.api_key = os.environ["ACME_API_KEY"]' in got
    assert 'openai.api_base = "https://api.acme.example/v1"' in got
    assert "chat = litellm.completion(" in got
    assert 'text = openai.Completion.create(model="gpt-3.5-turbo-instruct", prompt="hi")' in got
    assert found.count("MIG192") == 1
    assert "MIG190" not in found  # (Acme has no completions endpoint: MIG401 says so)


def test_a_v0_call_litellm_does_not_cover_is_left_saying_why() -> None:
    src = 'import openai\n\nf = openai.File.create(file=open("a.jsonl", "rb"), purpose="batch")\n'
    got, result = rewrite(src, "dashscope", strategy="litellm")
    assert got == src.replace("import openai\n", "import os\n\nimport openai\n").replace(
        "\nf =",
        '\nopenai.api_base = "https://dashscope.aliyuncs.com/compatible-mode/v1"\n'
        'openai.api_key = os.environ.get("DASHSCOPE_API_KEY", "missing-DASHSCOPE_API_KEY")\n'
        "\nf =",
    )
    [left] = [f for f in result.findings if f.id == "MIG190"]
    assert "do not cover files.create" in left.message and "--upgrade-v0" in left.message
    # with --upgrade-v0 it becomes a v1 client call, and the finding says so
    got, result = rewrite(src, "dashscope", strategy="litellm", upgrade_v0=True)
    assert "f = client.files.create(" in got
    [left] = [f for f in result.findings if f.id == "MIG190"]
    assert left.message.endswith(
        "upgraded to a v1 client at the compatible endpoint (--upgrade-v0)"
    )


def test_a_setting_the_code_reads_stays() -> None:
    got, found = run(
        """\
        import os

        import openai

        openai.api_key = os.environ["OPENAI_API_KEY"]
        if not openai.api_key:
            raise SystemExit("no key")
        r = openai.ChatCompletion.create(model="gpt-4o", messages=[])
        """,
        *MOVE,
        "env-vars",
    )
    assert 'openai.api_key = os.environ["ACME_API_KEY"]' in got
    assert "r = litellm.completion(" in got
    assert "MIG192" in found and "MIG191" not in found


@pytest.mark.parametrize(
    ("setup", "why"),
    [
        ('openai.proxy = "http://proxy:3128"\n', "openai.proxy is set for the module"),
        ("openai.api_key = vault.read()\n", "openai.api_key = vault.read() is a key"),
        ('openai.api_base = "http://localhost:8000/v1"\n', "points away from OpenAI"),
        ('openai.api_type = "azure"\n', "set up for Azure"),
    ],
)
def test_calls_stay_where_a_module_setting_would_be_lost(setup: str, why: str) -> None:
    src = f'import openai\n\n{setup}r = openai.ChatCompletion.create(model="gpt-4o", messages=[])\n'
    got, result = rewrite(src, "acme", strategy="litellm", only=MOVE)
    assert "openai.ChatCompletion.create(" in got and "litellm" not in got
    [left] = [f for f in result.findings if f.id == "MIG190"]
    assert why in left.message and "--upgrade-v0" in left.message
    assert "MIG402" not in ids(result.findings)  # (the endpoints fixer did not run)


def test_a_splat_or_positional_argument_keeps_the_call() -> None:
    got, found = run(
        """\
        import openai

        a = openai.ChatCompletion.create(**options)
        b = openai.Embedding.create("text-embedding-3-small", input="x")
        """,
        *MOVE,
        "endpoints",
    )
    assert "litellm" not in got
    assert found.count("MIG190") == 2 and "MIG402" in found


def test_upgrade_v0_still_upgrades_what_litellm_does_not_cover() -> None:
    got, found = run(
        """\
        import os

        import openai

        openai.api_key = os.environ["OPENAI_API_KEY"]

        chat = openai.ChatCompletion.create(model="gpt-4o", messages=[])
        image = openai.Image.create(prompt="a cat")
        """,
        *MOVE,
        "v0-client",
        upgrade_v0=True,
    )
    assert "chat = litellm.completion(" in got
    assert 'image = client.images.generate(prompt="a cat")' in got
    assert 'client = openai.OpenAI(base_url="https://api.acme.example/v1", api_key=' in got
    assert "openai.api_key" not in got  # folded into the client
    assert "MIG190" not in found  # (Acme has no images endpoint: MIG401 says so)


def test_v0_exceptions_get_v1_names_without_upgrade_v0() -> None:
    got, found = run(
        """\
        import openai
        from openai.error import InvalidRequestError

        try:
            openai.ChatCompletion.create(model="gpt-4o", messages=[])
        except openai.error.RateLimitError as err:
            print(err.http_status)
        except (InvalidRequestError, openai.error.ServiceUnavailableError):
            pass
        """,
        "v0-exceptions",
    )
    assert "from openai import BadRequestError\n" in got
    assert "except openai.RateLimitError as err:\n    print(err.status_code)" in got
    assert "except (BadRequestError, openai.InternalServerError):" in got
    # LiteLLM's 503 error is an APIStatusError, not InternalServerError
    assert found.count("MIG194") == 1


def test_a_503_handler_is_not_marked_where_no_call_moves() -> None:
    _, found = run(
        """\
        import openai

        openai.proxy = "http://proxy:3128"
        try:
            openai.ChatCompletion.create(model="gpt-4o", messages=[])
        except openai.error.ServiceUnavailableError:
            pass
        """,
        "v0-exceptions",
    )
    assert "MIG194" not in found


def test_dict_reads_that_break_on_litellms_objects_are_reshaped() -> None:
    got, found = run(
        """\
        import json

        import openai

        def stream(q):
            text = ""
            for chunk in openai.ChatCompletion.create(model="gpt-4o", messages=[q], stream=True):
                text += chunk["choices"][0]["delta"].get("content", "")
                role = chunk["choices"][0]["delta"].get("role", "assistant") + "!"
                delta = chunk["choices"][0]["delta"]
                if "content" in delta and "function_call" not in delta:
                    yield delta["content"]
                if "content" in chunk["choices"]:
                    pass
            return text

        def ask(q):
            r = openai.ChatCompletion.create(model="gpt-4o", messages=[q])
            print(json.dumps(r))
            print(r.to_dict_recursive(), r["usage"]["total_tokens"], r["choices"][0].get("x"))
            return r["choices"][0]["message"]["content"]
        """,
        *MOVE,
        "litellm.v0-responses",
    )
    assert 'text += chunk["choices"][0]["delta"].get("content") or ""' in got
    assert 'role = (chunk["choices"][0]["delta"].get("role") or "assistant") + "!"' in got
    # a key test: the key is always there, None where v0 left it out
    assert (
        'if "content" in delta and delta["content"] is not None and ("function_call" not in '
        'delta or delta["function_call"] is None):' in got
    )
    assert 'if "content" in chunk["choices"]:' in got  # (a list: no key test)
    # what LiteLLM's objects answer as v0's did is left alone
    assert 'print(r.to_dict(), r["usage"]["total_tokens"], r["choices"][0].get("x"))' in got
    assert 'return r["choices"][0]["message"]["content"]' in got
    assert "print(json.dumps(r))" in got  # left, with a finding
    assert found.count("MIG193") == 5 and found.count("MIG194") == 1


# -- goldens: fixtures/v0 programs under litellm, reviewed line by line -------------------
GOLDEN = {
    "chat_dict_stream.py": ("deepseek", "dashscope"),
    "async_chat.py": ("deepseek",),
    "legacy_mix.py": ("dashscope",),
    "rate_limit_v0.py": ("deepseek",),
    "embeddings_v0.py": ("dashscope",),
}


@pytest.mark.parametrize(
    ("name", "provider"),
    [(name, provider) for name, providers in GOLDEN.items() for provider in providers],
)
def test_golden(name: str, provider: str) -> None:
    source = (V0 / name).read_text(encoding="utf-8")
    got, result = rewrite(source, load_registry().get(provider).id, strategy="litellm")
    found = "".join(f"{f.line} {f.severity} {f.id}\n" for f in result.findings)
    out = f"{got}# findings:\n" + "".join(f"# {line}\n" for line in found.splitlines())
    expected = EXPECTED / provider / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_text(out, encoding="utf-8")
    assert out == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("upgrade_v0", [False, True])
def test_settings_sharing_a_line_are_marked_once_and_a_second_run_changes_nothing(
    upgrade_v0: bool,
) -> None:
    """`openai.api_key = ...; openai.organization = ...` cannot lose one statement of the
    line: both are marked. The account setting carries compat's MIG102 marker, which a
    second run (no v0 call left, so compat's settings rule) finds there (fuzz: semicolons)."""
    src = textwrap.dedent(
        """\
        import os

        import openai

        openai.api_key = os.getenv("OPENAI_API_KEY"); openai.organization = "org-acme"


        def ask(question):
            reply = openai.ChatCompletion.create(model="gpt-4", messages=[])
            return reply["choices"][0]["message"]["content"]
        """
    )
    first, result = rewrite(src, "acme", strategy="litellm", upgrade_v0=upgrade_v0)
    assert "# migrator: MIG102 openai.organization is an OpenAI account setting" in first
    assert "litellm.completion(" in first
    again, _ = rewrite(first, "acme", strategy="litellm", upgrade_v0=upgrade_v0)
    assert again == first
    # key and endpoint on one line: retargeted as compat does, marked as serving nothing
    shared = src.replace(
        'openai.organization = "org-acme"', 'openai.api_base = "https://api.openai.com/v1"'
    )
    first, _ = rewrite(shared, "acme", strategy="litellm", upgrade_v0=upgrade_v0)
    assert "# migrator: MIG192 openai.api_base serves no call any more" in first
    assert 'openai.api_key = os.environ.get("ACME_API_KEY", "missing-ACME_API_KEY")' in first
    assert rewrite(first, "acme", strategy="litellm", upgrade_v0=upgrade_v0)[0] == first
