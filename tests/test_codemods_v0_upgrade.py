"""--upgrade-v0: the v0 module API becomes a v1 client (codemods/v0/).

Most cases run against a made-up mapping (TestCo, below) that supports every endpoint
family and maps models without extra_body, so each before/after shows only what the v0
upgrade does. A few cases use the built-in deepseek and azure mappings to check that the
model and parameter fixers compose with it on the same call. The golden files
fixtures/v0/expected/<provider>/<name>.py are regenerated with UPDATE_GOLDEN=1 (review the
git diff line by line before committing).
"""

# ruff: noqa: E501 - expected outputs are real rewrites: a long call stays on one line

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import libcst as cst
import pytest
from migrator.codemods.strategies import COMPAT

from migrator.mapping import Mapping, load_mapping, load_registry
from migrator.model import Finding
from migrator.options import RewriteOptions
from migrator.rewrite import Plan, rewrite_module
from tests.codemod_helpers import check_transformed, mapping, rewrite, sent
from tests.import_safety import (
    PROVIDERS,
    assert_no_new_undefined_names,
    provider_facts,
    run_rewritten,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "v0"
EXPECTED = FIXTURES / "expected"
GOLDEN = {
    "legacy_mix.py": ("deepseek",),
    "azure_v0.py": ("deepseek", "azure"),
    "chat_dict_stream.py": ("deepseek",),
    "async_chat.py": ("deepseek",),
}

TESTCO_YAML = """\
id: testco
name: TestCo
aliases: []
docs_url: https://docs.testco.example/
strategies: [compat]
default_strategy: compat
compat:
  client: openai
  base_url: https://api.testco.example/v1
  base_url_env: TESTCO_BASE_URL
  key_env: TESTCO_API_KEY
  data_region: outside-mainland
models:
  chat:
    gpt-4o: tc-large
    gpt-3.5-turbo: tc-small
  reasoning: {}
  embedding:
    text-embedding-ada-002: tc-embed
  defaults:
    chat: null
    reasoning: null
    embedding: null
parameters: {}
endpoints: [chat, completions, embeddings, images, audio, moderations, files, fine_tuning, models]
dependencies:
  compat: {add: ["openai>=1.40"], remove: []}
compliance:
  data_region: outside-mainland
  filing: unknown
  notes: ["test data"]
facts:
  as_of: 2026-11-22
  sources: ["tests/test_codemods_v0_upgrade.py"]
  unverified: []
"""

# A client built at import time reads the key with a placeholder (MIG108).
TESTCO_CLIENT = (
    "client = OpenAI(\n"
    '    base_url="https://api.testco.example/v1",\n'
    '    api_key=os.environ.get("TESTCO_API_KEY", "missing-TESTCO_API_KEY"),\n'
    ")"
)
# The same, for the expected sources written indented in a test (dedented as a whole).
TESTCO_CLIENT_INDENTED = TESTCO_CLIENT.replace("\n", "\n        ")


@pytest.fixture(scope="module")
def testco(tmp_path_factory: pytest.TempPathFactory) -> Mapping:
    path = tmp_path_factory.mktemp("mappings") / "testco.yaml"
    path.write_text(TESTCO_YAML, encoding="utf-8")
    return load_mapping(path)


def migrate(source: str, mapping: Mapping, upgrade_v0: bool = True) -> tuple[str, Plan]:
    options = RewriteOptions(strategy=COMPAT, mapping=mapping, upgrade_v0=upgrade_v0)
    module, plan = rewrite_module(cst.parse_module(source), "case.py", options)
    return module.code, plan


def upgrade(source: str, mapping: Mapping) -> tuple[str, list[Finding]]:
    """Upgrade `source` (dedented); checks that the output parses and is a fixed point."""
    source = textwrap.dedent(source)
    out, plan = migrate(source, mapping)
    cst.parse_module(out)
    again, _ = migrate(out, mapping)
    assert again == out, f"second run changed the output:\n{again}"
    return out, plan.findings


def ids(findings: list[Finding]) -> list[str]:
    return sorted(f.id for f in findings)


def expect(after: str) -> str:
    return textwrap.dedent(after)


# --------------------------------------------------------------------------- calls


def test_chat_call_and_settings_fold_into_a_client(testco: Mapping) -> None:
    out, findings = upgrade(
        """\
        import openai

        openai.api_key = "sk-live-0123456789abcdefghijklmnopqrstuv"


        def ask(question):
            response = openai.ChatCompletion.create(
                model="gpt-4o",
                messages=[{"role": "user", "content": question}],
            )
            return response["choices"][0]["message"]["content"]
        """,
        testco,
    )
    assert out == expect(
        f"""\
        import os

        from openai import OpenAI

        {TESTCO_CLIENT_INDENTED}


        def ask(question):
            response = client.chat.completions.create(
                model="tc-large",
                messages=[{{"role": "user", "content": question}}],
            )
            return response.choices[0].message.content
        """
    )
    # the literal key is reported, redacted; the key is read at import time (MIG108)
    assert ids(findings) == ["MIG108", "MIG410", "MIG501"]


def test_async_calls_get_an_async_client(testco: Mapping) -> None:
    out, _ = upgrade(
        """\
        import os

        import openai

        openai.api_key = os.environ["OPENAI_API_KEY"]


        async def ask(question):
            r = await openai.ChatCompletion.acreate(model="gpt-4o", messages=[])
            return r["choices"][0]["message"]["content"]


        def ask_sync(question):
            return openai.ChatCompletion.create(model="gpt-4o", messages=[])
        """,
        testco,
    )
    # the key read the user wrote is strict: it stays strict (renamed), as it failed at
    # import before; no placeholder (MIG108) is needed
    assert out == expect(
        """\
        import os

        from openai import AsyncOpenAI, OpenAI

        client = OpenAI(base_url="https://api.testco.example/v1", api_key=os.environ["TESTCO_API_KEY"])
        aclient = AsyncOpenAI(
            base_url="https://api.testco.example/v1",
            api_key=os.environ["TESTCO_API_KEY"],
        )


        async def ask(question):
            r = await aclient.chat.completions.create(model="tc-large", messages=[])
            return r.choices[0].message.content


        def ask_sync(question):
            return client.chat.completions.create(model="tc-large", messages=[])
        """
    )


def test_async_only_module_builds_no_sync_client(testco: Mapping) -> None:
    out, _ = upgrade(
        """\
        import openai


        async def complete(prompt):
            return await openai.Completion.acreate(model="gpt-3.5-turbo", prompt=prompt)
        """,
        testco,
    )
    assert "aclient = AsyncOpenAI(" in out
    assert "OpenAI(" not in out.replace("AsyncOpenAI(", "")
    assert 'return await aclient.completions.create(model="tc-small", prompt=prompt)' in out


def test_embeddings_engine_becomes_model(testco: Mapping) -> None:
    out, findings = upgrade(
        """\
        import openai


        def embed(texts):
            resp = openai.Embedding.create(input=texts, engine="text-embedding-ada-002")
            return [item["embedding"] for item in resp["data"]]


        def embed_one(text):
            return openai.Embedding.create(input=[text], model="text-embedding-ada-002")["data"][0]
        """,
        testco,
    )
    assert out == expect(
        f"""\
        import os

        from openai import OpenAI

        {TESTCO_CLIENT_INDENTED}


        def embed(texts):
            resp = client.embeddings.create(input=texts, model="tc-embed")
            return [item.embedding for item in resp.data]


        def embed_one(text):
            return client.embeddings.create(input=[text], model="tc-embed").data[0]
        """
    )
    assert "MIG417" not in ids(findings)  # the engine was an OpenAI model id: mapped


def test_images_audio_moderation(testco: Mapping) -> None:
    out, _ = upgrade(
        """\
        import openai


        def media(prompt, path):
            image = openai.Image.create(prompt=prompt, n=1, size="512x512")
            variation = openai.Image.create_variation(image=open(path, "rb"), n=1)
            text = openai.Audio.transcribe("whisper-1", open(path, "rb"))
            english = openai.Audio.translate(model="whisper-1", file=open(path, "rb"))
            verdict = openai.Moderation.create(prompt)
            urls = image["data"][0]["url"], variation["data"][0]["url"]
            return urls, text["text"], english["text"], verdict["results"][0]["flagged"]
        """,
        testco,
    )
    assert out == expect(
        f"""\
        import os

        from openai import OpenAI

        {TESTCO_CLIENT_INDENTED}


        def media(prompt, path):
            image = client.images.generate(prompt=prompt, n=1, size="512x512")
            variation = client.images.create_variation(image=open(path, "rb"), n=1)
            text = client.audio.transcriptions.create(model="whisper-1", file=open(path, "rb"))
            english = client.audio.translations.create(model="whisper-1", file=open(path, "rb"))
            verdict = client.moderations.create(input=prompt)
            urls = image.data[0].url, variation.data[0].url
            return urls, text.text, english.text, verdict.results[0].flagged
        """
    )


def test_files_fine_tuning_jobs_and_models(testco: Mapping) -> None:
    out, _ = upgrade(
        """\
        import openai


        def tune(path):
            upload = openai.File.create(file=open(path, "rb"), purpose="fine-tune")
            job = openai.FineTuningJob.create(training_file=upload["id"], model="gpt-3.5-turbo")
            events = openai.FineTuningJob.list_events(id=job["id"], limit=5)
            status = openai.FineTuningJob.retrieve(job["id"])["status"]
            content = openai.File.download(upload["id"])
            models = [m["id"] for m in openai.Model.list()["data"]]
            openai.File.delete(sid=upload["id"])
            return events, status, content, models
        """,
        testco,
    )
    body = out.split("\n\n\n", 1)[1]
    assert body == expect(
        """\
        def tune(path):
            upload = client.files.create(file=open(path, "rb"), purpose="fine-tune")
            job = client.fine_tuning.jobs.create(training_file=upload.id, model="tc-small")
            events = client.fine_tuning.jobs.list_events(fine_tuning_job_id=job.id, limit=5)
            status = client.fine_tuning.jobs.retrieve(job.id).status
            content = client.files.content(upload.id).content
            models = [m.id for m in client.models.list().data]
            client.files.delete(file_id=upload.id)
            return events, status, content, models
        """
    )


def test_per_request_arguments(testco: Mapping) -> None:
    out, findings = upgrade(
        """\
        import openai

        r = openai.ChatCompletion.create(
            model="gpt-4o", messages=[], api_key="sk-x", api_base="https://x", request_timeout=10
        )
        """,
        testco,
    )
    call = 'r = client.chat.completions.create(\n    model="tc-large", messages=[], timeout=10\n)'
    assert call in out
    assert "MIG416" in ids(findings)


def test_class_imported_from_openai_and_its_import_dropped(testco: Mapping) -> None:
    out, _ = upgrade(
        """\
        from openai import ChatCompletion


        def ask():
            return ChatCompletion.create(model="gpt-4o", messages=[])
        """,
        testco,
    )
    assert out == expect(
        f"""\
        import os

        from openai import OpenAI

        {TESTCO_CLIENT_INDENTED}


        def ask():
            return client.chat.completions.create(model="tc-large", messages=[])
        """
    )


def test_aliased_module(testco: Mapping) -> None:
    out, _ = upgrade(
        """\
        import openai as oa

        oa.api_key = "x"
        flagged = oa.Moderation.create(input="text")["results"][0]["flagged"]
        """,
        testco,
    )
    assert out.endswith(f'{TESTCO_CLIENT}\nflagged = client.moderations.create(input="text")'
                        ".results[0].flagged\n")  # fmt: skip
    assert out.startswith("import os\n\nfrom openai import OpenAI\n")  # `oa` is unused now


# --------------------------------------------------------------------------- module settings


def test_settings_fold_where_they_stood(testco: Mapping) -> None:
    out, findings = upgrade(
        '''\
        """Settings come after load_dotenv() and a constant they use."""
        import os

        import openai
        from dotenv import load_dotenv

        load_dotenv()
        KEY = os.getenv("OPENAI_API_KEY")

        # OpenAI configuration
        openai.api_key = KEY
        openai.organization = "org-1"; openai.api_base = "https://api.openai.com/v1"
        openai.proxy = "http://proxy.internal:3128"
        openai.max_retries = 5
        TIMEOUT = 30


        def configure(key):
            openai.api_key = key


        def ask(q):
            return openai.ChatCompletion.create(model="gpt-4o", messages=[])
        ''',
        testco,
    )
    assert out == expect(
        '''\
        """Settings come after load_dotenv() and a constant they use."""
        import os

        import openai
        from dotenv import load_dotenv

        load_dotenv()
        KEY = os.getenv("TESTCO_API_KEY")
        # migrator: MIG412 openai.proxy has no effect on a v1 client
        openai.proxy = "http://proxy.internal:3128"

        # OpenAI configuration
        client = openai.OpenAI(
            base_url="https://api.testco.example/v1",
            api_key=KEY or os.environ.get("TESTCO_API_KEY", "missing-TESTCO_API_KEY"),
            max_retries=5,
        )
        TIMEOUT = 30


        def configure(key):
            # migrator: MIG413 openai.api_key does not reach the v1 client: pass it to it
            openai.api_key = key


        def ask(q):
            return client.chat.completions.create(model="tc-large", messages=[])
        '''
    )
    # the key set inside configure() is the module-level client's now: the module settings
    # fixer reports it (MIG101) next to MIG413. KEY can be None (getenv without a default),
    # with which the SDK would read OPENAI_API_KEY: the provider's key is the fallback
    # (MIG101), read with a placeholder as the client is built at import time (MIG108).
    assert ids(findings) == ["MIG101", "MIG101", "MIG102", "MIG108", "MIG410", "MIG412", "MIG413"]


def test_client_goes_after_load_dotenv_without_settings(testco: Mapping) -> None:
    out, _ = upgrade(
        """\
        import openai
        from dotenv import load_dotenv

        load_dotenv()
        reply = openai.ChatCompletion.create(model="gpt-4o", messages=[])
        """,
        testco,
    )
    assert out.endswith(
        f'load_dotenv()\n{TESTCO_CLIENT}\nreply = client.chat.completions.create(model="tc-large"'
        ", messages=[])\n"
    )


def test_dotenv_before_the_imports_is_not_an_anchor(testco: Mapping) -> None:
    out, _ = upgrade(
        """\
        from dotenv import load_dotenv

        load_dotenv()

        import openai

        reply = openai.ChatCompletion.create(model="gpt-4o", messages=[])
        """,
        testco,
    )
    assert out.index("from openai import OpenAI") < out.index("client = OpenAI(")


def test_setting_that_reads_the_module_keeps_the_import(testco: Mapping) -> None:
    out, _ = upgrade(
        """\
        import os
        import openai

        openai.api_key = openai.api_key or os.getenv("OPENAI_API_KEY")
        openai.ChatCompletion.create(model="gpt-4o", messages=[])
        """,
        testco,
    )
    assert out == expect(
        """\
        import os
        import openai

        client = openai.OpenAI(
            base_url="https://api.testco.example/v1",
            api_key=openai.api_key or os.environ.get("TESTCO_API_KEY", "missing-TESTCO_API_KEY"),
        )
        client.chat.completions.create(model="tc-large", messages=[])
        """
    )


def test_settings_left_in_place_are_retargeted_in_the_same_run(testco: Mapping) -> None:
    out, findings = upgrade(
        """\
        import openai


        def ask():
            return openai.ChatCompletion.create(model="gpt-4o", messages=[])


        if __name__ == "__main__":
            openai.api_base = "https://openai-relay.example.com/v1"
            openai.organization = "org-1"
            print(ask())
        """,
        testco,
    )
    assert out.endswith(
        'if __name__ == "__main__":\n'
        "    # migrator: MIG413 openai.api_base does not reach the v1 client: pass it to it\n"
        '    openai.api_base = "https://api.testco.example/v1"\n'
        "    print(ask())\n"
    )
    assert {"MIG102", "MIG413", "MIG502"} <= set(ids(findings))


def test_env_endpoint_and_key_are_renamed_and_kept_configurable(testco: Mapping) -> None:
    out, findings = upgrade(
        """\
        import os

        import openai

        openai.api_base = os.getenv("OPENAI_API_BASE", "https://api.openai.com/v1")
        openai.api_key = os.getenv("OPENAI_API_KEY")
        openai.Completion.create(model="gpt-3.5-turbo", prompt="hi")
        """,
        testco,
    )
    assert (
        "client = OpenAI(\n"
        '    base_url=os.environ.get("TESTCO_BASE_URL", "https://api.testco.example/v1"),\n'
        '    api_key=os.environ.get("TESTCO_API_KEY", "missing-TESTCO_API_KEY"),\n'
        ")\n"
    ) in out
    # getenv without a default could be None, which makes the SDK read OPENAI_API_KEY
    assert ids(findings) == ["MIG108", "MIG410"]


def test_relay_and_provider_endpoints(testco: Mapping) -> None:
    relay, findings = upgrade(
        """\
        import openai

        openai.api_base = "https://openai-relay.example.com/v1"
        openai.ChatCompletion.create(model="gpt-4o", messages=[])
        """,
        testco,
    )
    assert 'base_url="https://api.testco.example/v1"' in relay
    assert "MIG502" in ids(findings)
    local, findings = upgrade(
        """\
        import openai

        openai.api_base = "http://localhost:8000/v1"
        openai.ChatCompletion.create(model="gpt-4o", messages=[])
        """,
        testco,
    )
    # already away from OpenAI: endpoint, key (v1 reads OPENAI_API_KEY, as v0 did) and
    # model stay, as the client fixer leaves such clients
    assert local == expect(
        """\
        from openai import OpenAI

        client = OpenAI(base_url="http://localhost:8000/v1")
        client.chat.completions.create(model="gpt-4o", messages=[])
        """
    )
    assert ids(findings) == ["MIG104", "MIG410"]


def test_endpoint_of_another_provider_is_kept_even_for_azure() -> None:
    out, _ = upgrade(
        """\
        import os

        import openai

        openai.api_base = os.environ["LLM_GATEWAY_BASE_URL"]
        openai.api_key = os.environ["LLM_GATEWAY_API_KEY"]
        r = openai.ChatCompletion.create(model="gpt-4o-2024-08-06", messages=[])
        """,
        load_registry().get("azure"),
    )
    assert out == expect(
        """\
        import os

        from openai import OpenAI

        client = OpenAI(
            base_url=os.environ["LLM_GATEWAY_BASE_URL"],
            api_key=os.environ["LLM_GATEWAY_API_KEY"],
        )
        r = client.chat.completions.create(model="gpt-4o-2024-08-06", messages=[])
        """
    )


def test_azure_v0_settings_to_provider(testco: Mapping) -> None:
    out, findings = upgrade(
        """\
        import openai

        openai.api_type = "azure"; openai.api_version = "2023-05-15"
        openai.api_base = "https://contoso.openai.azure.com/"
        openai.api_key = settings.AZURE_KEY


        async def go():
            r = await openai.ChatCompletion.acreate(deployment_id="chat-prod", messages=[])
            return r["choices"][0]["message"]["content"]
        """,
        testco,
    )
    assert out == expect(
        """\
        from openai import AsyncOpenAI

        aclient = AsyncOpenAI(base_url="https://api.testco.example/v1", api_key=settings.AZURE_KEY)


        async def go():
            r = await aclient.chat.completions.create(model="chat-prod", messages=[])
            return r.choices[0].message.content
        """
    )
    assert ids(findings) == ["MIG101", "MIG103", "MIG410", "MIG417"]


def test_azure_target_builds_an_azure_client() -> None:
    out, findings = upgrade(
        """\
        import os

        import openai

        openai.api_type = "azure"
        openai.api_base = "https://contoso.openai.azure.com/"
        openai.api_version = "2023-05-15"
        openai.api_key = os.environ["AZURE_OPENAI_API_KEY"]
        r = openai.ChatCompletion.create(engine="chat-prod", messages=[])
        """,
        load_registry().get("azure"),
    )
    assert out == expect(
        """\
        import os

        from openai import AzureOpenAI

        client = AzureOpenAI(
            azure_endpoint="https://contoso.openai.azure.com/",
            api_version="2023-05-15",
            api_key=os.environ["AZURE_OPENAI_API_KEY"],
        )
        r = client.chat.completions.create(model="chat-prod", messages=[])
        """
    )
    assert "MIG417" not in ids(findings)  # Azure's model= is the deployment name


# --------------------------------------------------------------------------- response access


def test_response_access_streaming_and_derived_values(testco: Mapping) -> None:
    out, findings = upgrade(
        """\
        import openai


        def stream(q):
            text = ""
            for chunk in openai.ChatCompletion.create(model="gpt-4o", messages=[], stream=True):
                delta = chunk["choices"][0]["delta"]
                text += delta.get("content", "")
                print(len(text) + chunk["choices"][0]["delta"].get("n", 0))
            return text


        def details(q):
            r = openai.ChatCompletion.create(model="gpt-4o", messages=[], n=2)
            first = r["choices"][0]
            role = first["message"].get("role")
            usage = r.get("usage")
            print(usage["total_tokens"], r.to_dict_recursive())
            for i, choice in enumerate(r["choices"]):
                print(i, choice["message"]["content"], choice["finish_reason"])
            return role
        """,
        testco,
    )
    assert out.split("\n\n\n", 1)[1] == expect(
        """\
        def stream(q):
            text = ""
            for chunk in client.chat.completions.create(model="tc-large", messages=[], stream=True):
                delta = chunk.choices[0].delta
                text += delta.content or ""
                print(len(text) + (chunk.choices[0].delta.n or 0))
            return text


        def details(q):
            r = client.chat.completions.create(model="tc-large", messages=[], n=2)
            first = r.choices[0]
            role = first.message.role
            usage = r.usage
            print(usage.total_tokens, r.model_dump())
            for i, choice in enumerate(r.choices):
                print(i, choice.message.content, choice.finish_reason)
            return role
        """
    )
    assert ids(findings) == ["MIG108", "MIG410"]


def test_async_stream_loop(testco: Mapping) -> None:
    out, _ = upgrade(
        """\
        import openai


        async def stream(q):
            parts = []
            async for chunk in await openai.ChatCompletion.acreate(model="gpt-4o", stream=True):
                parts.append(chunk["choices"][0]["delta"].get("content") or "")
            return "".join(parts)
        """,
        testco,
    )
    assert (
        'async for chunk in await aclient.chat.completions.create(model="tc-large", stream=True):\n'
        '        parts.append(chunk.choices[0].delta.content or "")\n'
    ) in out


def test_unrelated_dicts_are_left_alone(testco: Mapping) -> None:
    out, findings = upgrade(
        """\
        import openai


        def unrelated():
            r = {"choices": [{"text": "a dict"}]}
            return r["choices"][0]["text"]


        def shared(cached):
            r = openai.ChatCompletion.create(model="gpt-4o", messages=[])
            if cached:
                r = cached
            return r["choices"][0]["message"]["content"]


        def other_function():
            return response["choices"][0]
        """,
        testco,
    )
    assert 'r = {"choices": [{"text": "a dict"}]}\n    return r["choices"][0]["text"]' in out
    assert 'return response["choices"][0]' in out
    # `r` also holds something else in shared(): left as it is, marked
    assert (
        "    # migrator: MIG418 `r` may be a v1 response object: use attribute access\n"
        '    return r["choices"][0]["message"]["content"]\n'
    ) in out
    assert ids(findings) == ["MIG108", "MIG410", "MIG418"]


def test_moderation_keys_and_unreadable_keys(testco: Mapping) -> None:
    out, findings = upgrade(
        """\
        import openai


        def moderation(text):
            result = openai.Moderation.create(input=text)["results"][0]
            return result["category_scores"]["self-harm"], result["categories"][f"{text}"]
        """,
        testco,
    )
    assert "result = client.moderations.create(input=text).results[0]" in out
    assert (
        '    # migrator: MIG418 v1 response is an object: convert [f"{text}"] by hand\n'
        '    return result.category_scores.self_harm, result.categories[f"{text}"]\n'
    ) in out
    assert ids(findings) == ["MIG108", "MIG410", "MIG418"]


# --------------------------------------------------------------------------- exceptions


def test_exceptions(testco: Mapping) -> None:
    out, findings = upgrade(
        """\
        import openai
        import openai.error
        from openai import InvalidRequestError
        from openai.error import RateLimitError, Timeout as OpenAITimeout


        def call(fn):
            try:
                return fn()
            except RateLimitError as err:
                print(err.http_status, err.json_body)
            except (OpenAITimeout, openai.error.ServiceUnavailableError, openai.error.APIError):
                pass
            except InvalidRequestError:
                raise
            except openai.error.PermissionError:
                raise
            except openai.InvalidRequestError:
                pass
            except openai.error.AuthenticationError as err:
                print(err.http_status)
        """,
        testco,
    )
    assert out == expect(
        """\
        import openai
        from openai import BadRequestError
        from openai import RateLimitError, APITimeoutError as OpenAITimeout


        def call(fn):
            try:
                return fn()
            except RateLimitError as err:
                print(err.status_code, err.body)
            except (OpenAITimeout, openai.InternalServerError, openai.APIError):
                pass
            except BadRequestError:
                raise
            except openai.PermissionDeniedError:
                raise
            except openai.BadRequestError:
                pass
            except openai.AuthenticationError as err:
                print(err.status_code)
        """
    )
    assert findings == []


def test_exception_import_alone_and_name_taken(testco: Mapping) -> None:
    out, _ = upgrade(
        """\
        import openai.error as oe
        from openai.error import InvalidRequestError
        from mylib import BadRequestError

        try:
            pass
        except (oe.Timeout, InvalidRequestError, BadRequestError):
            pass
        """,
        testco,
    )
    assert out == expect(
        """\
        import openai as oe
        from openai import BadRequestError as InvalidRequestError
        from mylib import BadRequestError

        try:
            pass
        except (oe.APITimeoutError, InvalidRequestError, BadRequestError):
            pass
        """
    )


def test_exceptions_without_v1_equivalent_are_marked(testco: Mapping) -> None:
    out, findings = upgrade(
        """\
        import openai
        from openai.error import TryAgain, RateLimitError

        try:
            pass
        except openai.error.TryAgain:
            pass
        """,
        testco,
    )
    assert out == expect(
        """\
        import openai
        # migrator: MIG414 TryAgain: no v1 equivalent
        from openai.error import TryAgain, RateLimitError

        # migrator: MIG414 openai.error.TryAgain has no v1 equivalent
        try:
            pass
        except openai.error.TryAgain:
            pass
        """
    )
    assert ids(findings) == ["MIG414", "MIG414"]


# --------------------------------------------------------------------------- names, leftovers


def test_client_names_already_taken(testco: Mapping) -> None:
    out, findings = upgrade(
        """\
        import openai

        client = "someone else's"
        aclient = None


        def ask():
            return openai.ChatCompletion.create(model="gpt-4o", messages=[])


        async def aask():
            return await openai.Completion.acreate(model="gpt-4o", prompt="x")
        """,
        testco,
    )
    assert "\nopenai_client = OpenAI(\n" in out
    assert "\nasync_client = AsyncOpenAI(\n" in out
    assert 'client = "someone else\'s"\naclient = None\n' in out
    assert "return openai_client.chat.completions.create(" in out
    assert "return await async_client.completions.create(" in out
    upgraded = next(f for f in findings if f.id == "MIG410")
    assert "`async_client` / `openai_client`" in upgraded.message


def test_unconvertible_v0_api_is_marked(testco: Mapping) -> None:
    out, findings = upgrade(
        """\
        import openai
        from openai.embeddings_utils import cosine_similarity


        def legacy(prompt, args, retry):
            openai.Engine.list()
            openai.Customer.create(id="c")
            openai.Deployment.list()
            openai.Edit.create(model="text-davinci-edit-001", input=prompt, instruction="fix")
            openai.FineTune.create(training_file="file-1")
            openai.Completion.create(*args)
            openai.Completion.create("gpt-4o", prompt)
            retry(openai.ChatCompletion.create)
            return openai.ChatCompletion.create(model="gpt-4o", messages=[])
        """,
        testco,
    )
    for marker in (
        "# migrator: MIG411 openai.embeddings_utils was removed in openai>=1\n"
        "from openai.embeddings_utils import cosine_similarity",
        "# migrator: MIG411 openai.Engine has no v1 equivalent",
        "# migrator: MIG411 openai.Customer has no v1 equivalent",
        "# migrator: MIG411 openai.Deployment has no v1 equivalent",
        "# migrator: MIG411 openai.Edit has no v1 equivalent",
        "# migrator: MIG411 openai.FineTune has no v1 equivalent\n"
        '    openai.FineTune.create(training_file="file-1")',
        "# migrator: MIG415 openai.Completion.create(*args): v1 takes keyword arguments only",
        "# migrator: MIG415 openai.Completion.create: v1 takes keyword arguments only",
        "# migrator: MIG415 v0 method reference: use the v1 client method\n"
        "    retry(openai.ChatCompletion.create)",
    ):
        assert marker in out
    assert 'return client.chat.completions.create(model="tc-large", messages=[])' in out
    assert "import openai\n" in out  # still used by what was left
    assert ids(findings).count("MIG411") == 6
    assert ids(findings).count("MIG415") == 3


def test_suppressed_call_stays_v0(testco: Mapping) -> None:
    out, _ = upgrade(
        """\
        import openai

        a = openai.ChatCompletion.create(model="gpt-4o", messages=[])  # migrator: ignore[MIG410]
        b = openai.ChatCompletion.create(model="gpt-4o", messages=[])
        """,
        testco,
    )
    assert "a = openai.ChatCompletion.create(" in out
    assert "b = client.chat.completions.create(" in out


# --------------------------------------------------------------------------- off, compose, golden


def test_nothing_happens_without_the_flag(testco: Mapping) -> None:
    source = (FIXTURES / "legacy_mix.py").read_text(encoding="utf-8")
    out, plan = migrate(source, testco, upgrade_v0=False)
    assert "openai.ChatCompletion.create(" in out
    assert "openai.error.ServiceUnavailableError" in out
    assert "from openai.error import" in out
    assert "client = OpenAI(" not in out
    assert not any(f.id.startswith("MIG41") for f in plan.findings)
    assert "MIG402" in ids(plan.findings)


def test_composes_with_model_and_parameter_fixers() -> None:
    out, findings = upgrade(
        """\
        import openai

        r = openai.ChatCompletion.create(model="gpt-4o", messages=[], user="u1", engine="x")
        print(r["choices"][0]["message"]["content"])
        """,
        load_registry().get("deepseek"),
    )
    assert (
        'r = client.chat.completions.create(model="deepseek-v4-pro", messages=[], '
        'extra_body={"thinking": {"type": "disabled"}})\n'
        "print(r.choices[0].message.content)\n"
    ) in out
    assert {"MIG301", "MIG410"} <= set(ids(findings))


def test_crlf_survives(testco: Mapping) -> None:
    source = 'import openai\r\n\r\nr = openai.Embedding.create(input="x", model="m")\r\n'
    out, _ = migrate(source, testco)
    assert out.count("\r\n") == len(out.splitlines())
    assert 'r = client.embeddings.create(input="x", model="m")\r\n' in out


@pytest.mark.parametrize(
    ("name", "provider"),
    [(name, provider) for name, providers in GOLDEN.items() for provider in providers],
)
def test_golden(name: str, provider: str) -> None:
    source = (FIXTURES / name).read_text(encoding="utf-8")
    out, _ = migrate(source, load_registry().get(provider))
    expected_path = EXPECTED / provider / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected_path.parent.mkdir(parents=True, exist_ok=True)
        expected_path.write_text(out, encoding="utf-8")
    assert out == expected_path.read_text(encoding="utf-8")


@pytest.mark.parametrize("provider", ["deepseek", "dashscope", "zhipu", "azure", "gateway"])
@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_fixtures_parse_and_are_idempotent(name: str, provider: str) -> None:
    mapping = load_registry().get(provider)
    out, _ = migrate((FIXTURES / name).read_text(encoding="utf-8"), mapping)
    cst.parse_module(out)
    assert "openai.ChatCompletion.create" not in out
    again, _ = migrate(out, mapping)
    assert again == out


# --------------------------------------------------------------------------- safe where it lands
# The client goes where `openai` is bound; each output also runs with the real SDK (network
# faked, no provider variable set, OPENAI_API_KEY set) for three built-in providers.

V0_IN_FUNCTION = """\
    def ask(messages):
        import openai
        return openai.ChatCompletion.create(model="gpt-4o", messages=messages)
    """
V0_OPTIONAL_IMPORT = """\
    try:
        import openai
    except ImportError:
        openai = None


    def ask(messages):
        return openai.ChatCompletion.create(model="gpt-4o", messages=messages)
    """
V0_KEY_FROM_GET = """\
    import openai

    KEYS = {}
    openai.api_key = KEYS.get("llm")


    def ask(messages):
        return openai.ChatCompletion.create(model="gpt-4o", messages=messages)
    """
# (explicit keywords: a `**mapping` the function does not build stays v0, MIG107)
REQUEST = "ask([])\n"


def test_client_is_built_in_the_function_that_imports_openai(testco: Mapping) -> None:
    out, findings = upgrade(V0_IN_FUNCTION, testco)
    assert out == expect(
        """\
        import os

        def ask(messages):
            import openai
            client = openai.OpenAI(
                base_url="https://api.testco.example/v1",
                api_key=os.environ["TESTCO_API_KEY"],
            )
            return client.chat.completions.create(model="tc-large", messages=messages)
        """
    )
    assert ids(findings) == ["MIG410"]


def test_client_is_built_in_the_try_block_of_an_optional_import(testco: Mapping) -> None:
    out, findings = upgrade(V0_OPTIONAL_IMPORT, testco)
    assert out == expect(
        """\
        import os

        try:
            import openai
            client = openai.OpenAI(
                base_url="https://api.testco.example/v1",
                api_key=os.environ.get("TESTCO_API_KEY", "missing-TESTCO_API_KEY"),
            )
        except ImportError:
            openai = None


        def ask(messages):
            return client.chat.completions.create(model="tc-large", messages=messages)
        """
    )
    assert ids(findings) == ["MIG108", "MIG410"]


def test_key_from_a_get_falls_back_to_the_provider_key(testco: Mapping) -> None:
    out, findings = upgrade(V0_KEY_FROM_GET, testco)
    assert out == expect(
        """\
        import os

        from openai import OpenAI

        KEYS = {}
        client = OpenAI(
            base_url="https://api.testco.example/v1",
            api_key=KEYS.get("llm") or os.environ.get("TESTCO_API_KEY", "missing-TESTCO_API_KEY"),
        )


        def ask(messages):
            return client.chat.completions.create(model="tc-large", messages=messages)
        """
    )
    assert ids(findings) == ["MIG101", "MIG108", "MIG410"]


def test_call_with_a_parameter_mapping_stays_v0_and_builds_no_client(testco: Mapping) -> None:
    source = """\
        def ask(question):
            import openai
            return openai.ChatCompletion.create(**question)
        """
    out, findings = upgrade(source, testco)
    # the caller's mapping may carry api_key= / engine=, which v1's create() rejects: the
    # call is left as v0 and nothing is inserted for it (no client, no `import os`)
    assert out == expect(
        """\
        def ask(question):
            import openai
            # migrator: MIG107 openai.ChatCompletion.create(**question): api_base, api_key, api_type, api_version...
            return openai.ChatCompletion.create(**question)
        """
    )
    assert [(f.id, f.line) for f in findings] == [("MIG107", 3)]


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(
    ("source", "key_read", "trailer"),
    [
        (
            V0_IN_FUNCTION,
            'os.environ["{key}"]',
            f'os.environ["{{key}}"] = "sk-provider"\n{REQUEST}',
        ),
        (V0_OPTIONAL_IMPORT, 'os.environ.get("{key}", "missing-{key}")', REQUEST),
        (V0_KEY_FROM_GET, 'KEYS.get("llm") or os.environ.get("{key}", "missing-{key}")', REQUEST),
    ],
    ids=["function", "optional-import", "key-from-get"],
)
def test_upgraded_clients_import_and_never_send_the_openai_key(
    provider: str, source: str, key_read: str, trailer: str, tmp_path: Path
) -> None:
    base, key = provider_facts(provider)
    out, _ = upgrade(source, load_registry().get(provider))
    assert f"api_key={key_read.replace('{key}', key)}" in out
    assert_no_new_undefined_names(source, out)
    run = run_rewritten(out, trailer.replace("{key}", key), tmp_path)
    expected = "sk-provider" if "sk-provider" in trailer else f"missing-{key}"
    assert run.request.headers["authorization"] == f"Bearer {expected}"
    assert run.request.url.startswith(base.rstrip("/"))


LEFT_MARKER = "# migrator: MIG107 openai.ChatCompletion.create(**kwargs)"


V0_SPLAT = """\
    import os

    import openai

    openai.api_key = os.environ["OPENAI_API_KEY"]


    def ask(question):
        kwargs = {"model": "gpt-4o", "messages": [{"role": "user", "content": question}]}
        kwargs["api_key"] = os.environ["OPENAI_API_KEY"]
        kwargs["api_base"] = "https://api.openai.com/v1"
        response = openai.ChatCompletion.create(**kwargs)
        return response["choices"][0]["message"]["content"]


    def ask_any(**kwargs):
        response = openai.ChatCompletion.create(**kwargs)
        return response["choices"][0]["message"]["content"]
    """


@pytest.mark.parametrize(
    ("provider", "client", "model"),
    [
        (
            "qwen",
            'client = openai.OpenAI(\n    base_url="https://dashscope.aliyuncs.com/compatible-mode/v1",\n'
            '    api_key=os.environ["DASHSCOPE_API_KEY"],\n)',
            "qwen3-max",
        ),
        (
            "zhipu",
            'client = openai.OpenAI(\n    base_url="https://open.bigmodel.cn/api/paas/v4/",\n'
            '    api_key=os.environ["ZAI_API_KEY"],\n)',
            "glm-4-plus",
        ),
        (
            "deepseek",
            'client = openai.OpenAI(base_url="https://api.deepseek.com", '
            'api_key=os.environ["DEEPSEEK_API_KEY"])',
            "deepseek-v4-pro",
        ),
    ],
)
def test_credentials_in_a_visible_mapping_are_removed_an_unknown_one_stays_v0(
    provider: str, client: str, model: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the mapping's model reaches the request: mapped where it is set, and what that model
    # needs goes beside it (deepseek-v4-pro: thinking off, as gpt-4o had none), not as a
    # keyword next to the `**`
    extra = ', "extra_body": {"thinking": {"type": "disabled"}}' if provider == "deepseek" else ""
    after = (
        "import os\n\nimport openai\n\n"
        + client
        + f"""


def ask(question):
    kwargs = {{"model": "{model}", "messages": [{{"role": "user", "content": question}}]{extra}}}
    response = client.chat.completions.create(**kwargs)
    return response.choices[0].message.content


def ask_any(**kwargs):
    {LEFT_MARKER}: api_base, api_key, api_type, api_version, deployment_id...
    response = openai.ChatCompletion.create(**kwargs)
    return response["choices"][0]["message"]["content"]
"""
    )
    found = check_transformed(V0_SPLAT, after, provider, upgrade_v0=True)
    assert [(f.id, f.line) for f in found if f.id in ("MIG107", "MIG416")] == [
        ("MIG416", 12),
        ("MIG107", 17),
    ]
    # the module client is built with the real SDK (no request is sent)
    pytest.importorskip("openai")
    key_env = mapping(provider).compat.key_env
    monkeypatch.setenv(key_env, "k-provider")
    namespace: dict[str, object] = {}
    exec(compile(after, "migrated.py", "exec"), namespace)
    assert namespace["client"].api_key == "k-provider"  # type: ignore[attr-defined]


def test_v0_names_in_a_visible_mapping_leave_the_call() -> None:
    found = check_transformed(
        """\
        import openai


        def ask(question):
            kwargs = {"engine": "gpt-4o", "messages": []}
            return openai.ChatCompletion.create(**kwargs)
        """,
        f"""\
        import openai


        def ask(question):
            kwargs = {{"engine": "gpt-4o", "messages": []}}
            {LEFT_MARKER}: engine may be in the mapping: left as v0
            return openai.ChatCompletion.create(**kwargs)
        """,
        "qwen",
        upgrade_v0=True,
    )
    # the call is left as it is, so is the model it sends (reported as not mapped)
    assert [(f.id, f.line) for f in found] == [("MIG208", 5), ("MIG107", 6)]


def test_explicit_v0_names_are_renamed_beside_a_visible_mapping(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    call = (
        'client.chat.completions.create(model="deepseek-v4-pro", timeout=5, **kwargs, '
        'extra_body={"thinking": {"type": "disabled"}})'
    )
    # no key was set: the module client reads the provider's with a placeholder (MIG108)
    after = f"""\
        import os

        from openai import OpenAI

        client = OpenAI(
            base_url="https://api.deepseek.com",
            api_key=os.environ.get("DEEPSEEK_API_KEY", "missing-DEEPSEEK_API_KEY"),
        )


        def ask(question):
            kwargs = {{"messages": []}}
            return {call}
        """
    found = check_transformed(
        """\
        import openai


        def ask(question):
            kwargs = {"messages": []}
            return openai.ChatCompletion.create(engine="gpt-4o", request_timeout=5, **kwargs)
        """,
        after,
        "deepseek",
        upgrade_v0=True,
    )
    # nothing in the mapping needs a rename: no MIG107; the key is read at import time
    assert sorted(f.id for f in found if f.id.startswith("MIG1")) == ["MIG108"]
    pytest.importorskip("openai")  # the module client is built with the real SDK
    monkeypatch.setenv("DEEPSEEK_API_KEY", "k-provider")
    sent_kwargs = sent(after, "ask('q')")
    assert sent_kwargs == {
        "model": "deepseek-v4-pro",
        "timeout": 5,
        "messages": [],
        "extra_body": {"thinking": {"type": "disabled"}},
    }


def test_client_follows_an_openai_import_below_the_first_block(testco: Mapping) -> None:
    source = """\
        import json


        def to_text(reply):
            return json.dumps(reply.model_dump())


        import openai


        def ask(messages):
            return to_text(openai.ChatCompletion.create(model="gpt-4o", messages=messages))


        def key():
            return openai.api_key
        """
    out, findings = upgrade(source, testco)
    assert out == expect(
        f"""\
        import json
        import os


        def to_text(reply):
            return json.dumps(reply.model_dump())


        import openai
        {TESTCO_CLIENT_INDENTED.replace("OpenAI(", "openai.OpenAI(")}


        def ask(messages):
            return to_text(client.chat.completions.create(model="tc-large", messages=messages))


        def key():
            return openai.api_key
        """
    )
    assert ids(findings) == ["MIG108", "MIG410"]  # the key is read at import time
    assert_no_new_undefined_names(source, out)


def test_endpoint_from_configuration_is_kept_in_the_client(testco: Mapping) -> None:
    out, findings = upgrade(
        """\
        import openai

        openai.api_base = cfg["api_base"]
        openai.api_key = cfg["api_key"]
        openai.ChatCompletion.create(model="gpt-4o", messages=[])
        """,
        testco,
    )
    # not shown to be OpenAI's: endpoint, key and model stay, as for a kept client
    assert out == expect(
        """\
        from openai import OpenAI

        client = OpenAI(base_url=cfg["api_base"], api_key=cfg["api_key"])
        client.chat.completions.create(model="gpt-4o", messages=[])
        """
    )
    assert ids(findings) == ["MIG105", "MIG410"]


def test_the_runs_own_mapping_host_is_not_a_relay(testco: Mapping) -> None:
    out, findings = upgrade(
        """\
        import openai

        openai.api_base = "https://api.testco.example/v1"
        openai.ChatCompletion.create(model="gpt-4o", messages=[])
        """,
        testco,
    )
    assert 'client = OpenAI(base_url="https://api.testco.example/v1")' in out
    assert ids(findings) == ["MIG410"]


@pytest.mark.parametrize("provider", ["qwen", "glm", "deepseek"])
def test_a_key_other_code_still_reads_is_not_carried_into_the_new_client(provider: str) -> None:
    """`openai.api_key = KEY` where KEY reads OPENAI_API_KEY and is also printed: the read
    stays (MIG504), so the upgraded client must get the provider's key (MIG507), not KEY."""
    src = (
        "import os\nimport openai\n\n"
        'KEY = os.environ["OPENAI_API_KEY"]\n'
        "openai.api_key = KEY\n"
        "print(len(KEY))\n\n\n"
        "def ask(q):\n"
        '    return openai.ChatCompletion.create(model="gpt-4o", messages=[])\n'
    )
    out, result = rewrite(src, provider, upgrade_v0=True)
    assert "api_key=KEY" not in out
    key_env = mapping(provider).compat.key_env
    assert f'api_key=os.environ.get("{key_env}", "missing-{key_env}")' in out
    assert {"MIG504", "MIG507"} <= {f.id for f in result.findings}


def test_a_call_after_the_key_on_the_same_line_comes_after_the_client() -> None:
    """`openai.api_key = ...; r = openai.ChatCompletion.create(...)`: the client takes the
    setting's place, and the call that shared its line follows it (not the reverse, which
    read `client` before it was bound)."""
    got, _ = rewrite(
        "import openai\n"
        'openai.api_key = "k"; r = openai.ChatCompletion.create(model="gpt-4", messages=[])\n'
        "print(r)\n",
        "qwen",
        upgrade_v0=True,
    )
    compile(got, "got.py", "exec")
    client_at = got.index("client = OpenAI(")
    assert client_at < got.index("r = client.chat.completions.create(") < got.index("print(r)")
    assert "openai.api_key" not in got and ";" not in got
