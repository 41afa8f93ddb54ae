"""`--upgrade-v0 --strategy native`: v0 module code goes straight to the provider's SDK."""

from __future__ import annotations

import textwrap

from migrator.codemods.strategies import NATIVE

from migrator.options import RewriteOptions
from migrator.rewrite import rewrite_job
from tests.codemod_helpers import ids, mapping

V0 = """\
import os

import openai
from openai.error import RateLimitError

openai.api_key = os.getenv("OPENAI_API_KEY")


def ask(q):
    try:
        r = openai.ChatCompletion.create(model="gpt-4o", messages=q, user="u1")
    except RateLimitError:
        return None
    except openai.error.APIError:
        return None
    return r["choices"][0]["message"]["content"]
"""


def upgrade(src: str, provider: str) -> tuple[str, list[str]]:
    options = RewriteOptions(mapping(provider), NATIVE, upgrade_v0=True)
    data = textwrap.dedent(src).encode()
    result = rewrite_job("example.py", data, options)
    assert not result.errors, result.errors
    new = result.new_source if result.new_source is not None else data
    again = rewrite_job("example.py", new, options)
    assert again.new_source is None, again.new_source
    return new.decode(), ids(result.findings)


def test_dashscope_v0_module_becomes_the_sdk_client() -> None:
    got, found = upgrade(V0, "dashscope")
    key = 'os.environ.get("DASHSCOPE_API_KEY", "missing-DASHSCOPE_API_KEY")'
    assert got.replace(key, "KEY") == textwrap.dedent(
        """\
        import os

        import dashscope
        from dashscope.v2.errors import DashScopeError, RateLimitError

        client = dashscope.Client(api_key=KEY)


        def ask(q):
            try:
                r = client.chat.completions.create(model="qwen3-max", messages=q)
            except RateLimitError:
                return None
            except DashScopeError:
                return None
            return r.choices[0].message.content
        """
    )
    # the SDK's parameter table (user dropped), its exceptions, its response fields
    assert {"MIG301", "MIG140", "MIG152", "MIG410"} <= set(found)
    assert "MIG131" not in found


def test_ark_v0_exceptions_imported_by_name_from_the_sdk() -> None:
    got, found = upgrade(V0, "ark")
    assert "from volcenginesdkarkruntime import Ark\n" in got
    assert "from volcenginesdkarkruntime._exceptions import ArkAPIError, ArkRateLimitError\n" in got
    assert "client = Ark(api_key=" in got
    assert "except ArkRateLimitError:" in got and "except ArkAPIError:" in got
    assert "openai" not in got


def test_zhipu_async_v0_calls_stay_compat_with_a_finding() -> None:
    src = V0 + textwrap.dedent(
        """\


        async def embed(text):
            r = await openai.Embedding.acreate(model="text-embedding-3-small", input=text)
            return r["data"][0]["embedding"]
        """
    )
    got, found = upgrade(src, "zhipu")
    assert "MIG131" in found
    assert "AsyncOpenAI(" in got and "ZhipuAiClient" not in got
    assert 'base_url="https://open.bigmodel.cn/api/paas/v4/"' in got
    # the openai client still raises openai's errors: handlers keep openai's classes
    assert "except openai.APIError:" in got
    # compat's parameter table on the compat client: zai's keyword would be user_id=
    assert 'extra_body={"user_id": "u1"}' in got


def test_zhipu_sync_v0_calls_go_to_zai() -> None:
    got, found = upgrade(V0, "zhipu")
    assert "from zai import ZhipuAiClient\n" in got
    assert "client = ZhipuAiClient(api_key=" in got
    assert "from zai.core import APIReachLimitError, ZaiError\n" in got
    assert "MIG131" not in found


def test_without_upgrade_v0_calls_stay_on_openai_and_keep_its_handlers() -> None:
    options = RewriteOptions(mapping("dashscope"), NATIVE)
    src = (
        "import openai\n\ntry:\n    openai.ChatCompletion.create(model='gpt-4o', messages=[])\n"
        "except openai.RateLimitError:\n    pass\n"
    )
    result = rewrite_job("example.py", src.encode(), options)
    new = (result.new_source or src.encode()).decode()
    assert "except openai.RateLimitError:" in new and "import dashscope" not in new
    assert "MIG142" in ids(result.findings)


def test_module_timeout_folds_into_the_sdk_client_base_url_left_to_its_default() -> None:
    src = """\
    import openai

    openai.api_base = "https://api.openai.com/v1"
    openai.timeout = 30
    r = openai.ChatCompletion.create(model="gpt-4o", messages=[])
    """
    got, _ = upgrade(src, "dashscope")
    assert "client = dashscope.Client(\n" in got and "timeout=30," in got
    assert "base_url" not in got
