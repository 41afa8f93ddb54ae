"""The native strategy's client, exception, parameter and response fixers, before/after."""

from __future__ import annotations

import importlib
import textwrap
from pathlib import Path

import pytest
from migrator.codemods.strategies import NATIVE

from migrator.mapping import MappingError, load_mapping
from migrator.options import RewriteOptions
from migrator.rewrite import rewrite_job
from tests.codemod_helpers import ids, mapping


def native(src: str, provider: str) -> tuple[str, list[str]]:
    data = textwrap.dedent(src).encode()
    result = rewrite_job("example.py", data, RewriteOptions(mapping(provider), NATIVE))
    assert not result.errors, result.errors
    new = result.new_source if result.new_source is not None else data
    again = rewrite_job("example.py", new, RewriteOptions(mapping(provider), NATIVE))
    assert again.new_source is None, again.new_source
    return new.decode(), ids(result.findings)


def test_dashscope_client_exceptions_and_responses() -> None:
    got, found = native(
        """\
        import openai
        from openai import OpenAI

        client = OpenAI()


        def ask(q):
            try:
                r = client.chat.completions.create(model="gpt-4o", messages=q, user="u1")
            except openai.RateLimitError:
                return None
            print(r.id, r.usage.prompt_tokens)
            return r.choices[0].message.content
        """,
        "dashscope",
    )
    key = 'os.environ.get("DASHSCOPE_API_KEY", "missing-DASHSCOPE_API_KEY")'
    assert got.replace(key, "KEY") == textwrap.dedent(
        """\
        import os

        import dashscope
        import dashscope.v2.errors

        client = dashscope.Client(api_key=KEY)


        def ask(q):
            try:
                r = client.chat.completions.create(model="qwen3-max", messages=q)
            except dashscope.v2.errors.RateLimitError:
                return None
            print(r.request_id, r.usage.input_tokens)
            return r.choices[0].message.content
        """
    )
    assert {"MIG140", "MIG150", "MIG301"} <= set(found)


def test_zhipu_async_client_stays_compat_and_keeps_handlers() -> None:
    got, found = native(
        """\
        from openai import AsyncOpenAI, RateLimitError

        aclient = AsyncOpenAI()

        async def ask(q):
            try:
                return await aclient.chat.completions.create(model="gpt-4o", messages=q, n=2)
            except RateLimitError:
                return None
        """,
        "zhipu",
    )
    assert 'AsyncOpenAI(base_url="https://open.bigmodel.cn/api/paas/v4/"' in got
    assert "except RateLimitError:" in got
    assert {"MIG131", "MIG142"} <= set(found)


def test_ark_client_seed_into_extra_body_and_exception_by_name() -> None:
    got, found = native(
        """\
        from openai import OpenAI, RateLimitError

        client = OpenAI()

        def ask(q):
            try:
                return client.chat.completions.create(model="gpt-4o", messages=q, seed=7)
            except RateLimitError:
                return None
        """,
        "ark",
    )
    assert "from volcenginesdkarkruntime import Ark" in got
    assert "from volcenginesdkarkruntime._exceptions import ArkRateLimitError" in got
    assert 'client = Ark(api_key=os.environ.get("ARK_API_KEY", "missing-ARK_API_KEY"))' in got
    assert 'extra_body={"seed": 7}' in got
    assert "except ArkRateLimitError:" in got
    assert "openai" not in got
    assert {"MIG140", "MIG304"} <= set(found)
    assert "MIG152" not in found  # Ark answers in openai's shape: nothing to adapt


def test_zhipu_user_renamed_and_temperature_noted() -> None:
    got, found = native(
        """\
        from openai import OpenAI

        client = OpenAI()
        r = client.chat.completions.create(model="gpt-4o", messages=[], user="u", temperature=0)
        """,
        "zhipu",
    )
    assert "ZhipuAiClient(api_key=" in got
    assert 'user_id="u", temperature=0)' in got
    assert {"MIG302", "MIG306"} <= set(found)


def test_client_the_sdk_cannot_take_stays_compat() -> None:
    got, found = native(
        """\
        from openai import OpenAI

        client = OpenAI(default_headers={"x": "1"})
        """,
        "ark",
    )
    assert 'OpenAI(default_headers={"x": "1"}, base_url="https://ark.cn-beijing' in got
    assert "MIG131" in found


WITH_OPTIONS = """\
from openai import OpenAI

client = OpenAI()
r = client.with_options(timeout=5, max_retries=1).chat.completions.create(
    model="gpt-4o", messages=[]
)
"""


def test_client_used_through_a_method_the_sdk_lacks_stays_compat() -> None:
    """Ark's and zai's clients have no with_options: moved, the call raised AttributeError."""
    for provider, cls in (("ark", "Ark"), ("zhipu", "ZhipuAiClient")):
        got, found = native(WITH_OPTIONS, provider)
        assert "client = OpenAI(base_url=" in got and f"{cls}(" not in got
        assert "client.with_options(timeout=5, max_retries=1).chat" in got
        assert "MIG131" in found


def test_with_options_moves_where_the_sdk_client_has_it() -> None:
    got, found = native(WITH_OPTIONS, "dashscope")
    assert "client = dashscope.Client(api_key=" in got
    assert "MIG131" not in found
    # DashScope's with_options takes no default_headers: that client stays compat
    got, found = native(
        WITH_OPTIONS.replace("max_retries=1", 'default_headers={"x": "1"}'), "dashscope"
    )
    assert "client = OpenAI(base_url=" in got and "MIG131" in found


def test_resource_level_with_raw_response_is_not_a_client_method() -> None:
    got, found = native(
        WITH_OPTIONS.replace(
            "with_options(timeout=5, max_retries=1).chat.completions",
            "chat.completions.with_raw_response",
        ),
        "ark",
    )
    assert "client = Ark(api_key=" in got and "MIG131" not in found


def test_client_methods_name_openai_client_methods(tmp_path: Path) -> None:
    source = Path(mapping("dashscope").path).read_text(encoding="utf-8")
    path = tmp_path / "dashscope.yaml"
    path.write_text(source.replace("    with_options: [", "    with_option: ["), encoding="utf-8")
    with pytest.raises(MappingError, match="native.client_methods.with_option: expected one of"):
        load_mapping(path)


def test_annotations_name_the_sdk_class_once_every_client_moved() -> None:
    got, _ = native(
        """\
        import openai
        from openai import AsyncOpenAI, OpenAI


        def tell(client: OpenAI, aclient: AsyncOpenAI, other: openai.OpenAI) -> None:
            assert isinstance(client, OpenAI)


        tell(OpenAI(), AsyncOpenAI(), openai.OpenAI())
        """,
        "dashscope",
    )
    assert "openai" not in got.replace("OPENAI", ""), got
    assert (
        "def tell(client: dashscope.Client, aclient: dashscope.AsyncClient, "
        "other: dashscope.Client) -> None:"
    ) in got
    assert "isinstance(client, dashscope.Client)" in got


def test_annotations_stay_while_a_client_stays_on_openai() -> None:
    got, found = native(
        """\
        from openai import AsyncOpenAI, OpenAI


        def tell(client: OpenAI) -> None: ...


        tell(OpenAI())
        aclient = AsyncOpenAI()
        """,
        "zhipu",
    )
    assert "def tell(client: OpenAI) -> None:" in got
    assert "tell(ZhipuAiClient(api_key=" in got and "MIG131" in found


def test_a_client_also_used_for_what_the_sdk_lacks_stays_on_the_openai_sdk() -> None:
    """Its image call would fail on DashScope's client (no `images`): the client stays
    the openai SDK's at the compatible endpoint, the image call is marked."""
    got, found = native(
        """\
        from openai import OpenAI

        client = OpenAI()
        reply = client.chat.completions.create(model="gpt-4o", messages=[])
        picture = client.images.generate(model="dall-e-3", prompt="a cat")
        """,
        "dashscope",
    )
    assert "client = OpenAI(base_url=" in got and "dashscope" not in got.split("client =")[0]
    assert "MIG131" in found and "MIG401" in found
    assert 'model="qwen3-max"' in got


def test_calls_through_a_client_the_file_only_receives_keep_openai_shapes() -> None:
    """`self.client` comes from the caller: nothing shows it is DashScope's, so its
    response keeps openai's field names (renamed, they would fail on an openai response)."""
    got, found = native(
        """\
        from openai.types.chat import ChatCompletion


        class Agent:
            def __init__(self, client):
                self.client = client

            def ask(self, q):
                r: ChatCompletion = self.client.chat.completions.create(model="gpt-4o", messages=q)
                return r.usage.prompt_tokens
        """,
        "dashscope",
    )
    assert "r.usage.prompt_tokens" in got and "input_tokens" not in got
    assert "MIG155" in found


def test_a_client_received_where_every_client_built_moves_is_taken_as_the_sdks() -> None:
    got, found = native(
        """\
        from openai import OpenAI


        def tokens(client: OpenAI) -> int:
            r = client.chat.completions.create(model="gpt-4o", messages=[])
            return r.usage.prompt_tokens


        print(tokens(OpenAI()))
        """,
        "dashscope",
    )
    assert "r.usage.input_tokens" in got and "client: dashscope.Client" in got
    assert "MIG155" in found


def test_clients_sharing_an_attribute_with_one_left_on_openai_all_stay() -> None:
    """`self.client` is DashScope's on one path and an openai client of a configured host
    on the other: the calls through it must keep openai's shapes, so both stay openai."""
    got, found = native(
        """\
        import os
        from openai import OpenAI


        class Bot:
            def __init__(self, config=None):
                if config is None:
                    self.client = OpenAI(api_key=os.getenv("OPENAI_API_KEY"))
                else:
                    self.client = OpenAI(api_key=config["key"], base_url=config["url"])

            def ask(self, q):
                r = self.client.chat.completions.create(model="gpt-4o", messages=q)
                return r.usage.prompt_tokens
        """,
        "dashscope",
    )
    assert "dashscope.Client" not in got and "r.usage.prompt_tokens" in got
    assert "MIG131" in found


def test_a_factory_returning_an_azure_or_a_configured_client_stays_on_openai() -> None:
    got, _ = native(
        """\
        import openai


        def make(key, url):
            if url.endswith(".openai.azure.com"):
                client = openai.AzureOpenAI(api_key=key, azure_endpoint=url, api_version="v")
            else:
                client = openai.OpenAI(api_key=key, base_url=url)
            return client
        """,
        "dashscope",
    )
    # (the Azure branch is converted as compat converts it: openai at the compatible URL)
    assert "dashscope.Client" not in got and "import dashscope" not in got


def test_handlers_around_calls_of_a_received_client_keep_openai_errors() -> None:
    """The client comes from the caller and may be openai's: its errors stay catchable."""
    got, found = native(
        """\
        import openai


        def ask(client, q):
            try:
                return client.chat.completions.create(model="gpt-4o", messages=q)
            except openai.RateLimitError:
                return None
        """,
        "dashscope",
    )
    assert "except openai.RateLimitError" in got and "MIG142" in found


def test_handlers_near_calls_a_factory_decides_keep_openai_errors() -> None:
    got, found = native(
        """\
        from openai import OpenAI, RateLimitError


        def get_client(key, url):
            return OpenAI(api_key=key, base_url=url)


        def ask(key, url, q):
            try:
                return get_client(key, url).chat.completions.create(model="gpt-4o", messages=q)
            except RateLimitError:
                return None
        """,
        "dashscope",
    )
    assert "from openai import OpenAI, RateLimitError" in got and "dashscope" not in got
    assert "MIG142" in found


def test_a_file_that_makes_no_call_keeps_the_openai_errors_it_handles() -> None:
    """A retry helper (or a test raising openai errors at it) sees errors of calls made
    elsewhere, which may stay on openai: left, with the reason."""
    got, found = native(
        """\
        import openai


        def friendly(exc):
            if isinstance(exc, openai.RateLimitError):
                return "busy"
            return "failed"
        """,
        "ark",
    )
    assert "openai.RateLimitError" in got and "Ark" not in got
    assert found == ["MIG142"]


def test_zhipu_connection_error_is_imported_from_where_zai_defines_it() -> None:
    # zai.core re-exports APITimeoutError but not APIConnectionError (zai-sdk==0.2.3:
    # zai/core/__init__.py): `from zai.core import APIConnectionError` failed at import.
    got, found = native(
        """\
        import openai
        from openai import OpenAI

        client = OpenAI()

        try:
            client.chat.completions.create(model="gpt-4o", messages=[])
        except (openai.APIConnectionError, openai.APITimeoutError):
            pass
        """,
        "zhipu",
    )
    assert "from zai.core._errors import APIConnectionError" in got
    assert "from zai.core import APITimeoutError" in got
    assert "except (APIConnectionError, APITimeoutError):" in got
    assert "MIG140" in found


def _importable(qualified: str) -> bool:
    module, _, name = qualified.rpartition(".")
    try:
        return isinstance(getattr(importlib.import_module(module), name), type)
    except (ImportError, AttributeError):
        return False


@pytest.mark.parametrize("provider", ["dashscope", "zhipu", "ark"])
def test_every_sdk_class_the_mapping_names_is_importable(provider: str) -> None:
    """The rewrite writes `from <module> import <Class>` for each target: a name the SDK's
    module does not export breaks the migrated module at import time."""
    native_section = mapping(provider).native
    assert native_section is not None
    pytest.importorskip(native_section.module)
    named = [native_section.client, native_section.async_client]
    named += [t.target for t in native_section.exceptions.values()]
    missing = [q for q in named if q is not None and not _importable(q)]
    assert missing == []


def test_an_async_dashscope_client_is_closed_with_aclose() -> None:
    got, _ = native(
        """\
        from openai import AsyncOpenAI


        class Assistant:
            def __init__(self):
                self.client = AsyncOpenAI()

            async def aclose(self):
                await self.client.close()
        """,
        "dashscope",
    )
    assert "await self.client.aclose()" in got and "dashscope.AsyncClient(" in got
