"""codemods/module_settings.py: `openai.api_base = ...` and friends, retargeted in place."""

# ruff: noqa: E501 - expected outputs are real rewrites: a long call stays on one line

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.codemod_helpers import check_noop, check_transformed, ids
from tests.import_safety import (
    PROVIDERS,
    assert_no_new_undefined_names,
    provider_facts,
    run_rewritten,
)


def test_v0_settings_are_retargeted_in_place() -> None:
    found = check_transformed(
        """\
        import os

        import openai

        openai.api_base = "https://api.openai.com/v1"
        openai.api_key = os.environ["OPENAI_API_KEY"]
        openai.organization = "org-1"

        openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=[])
        """,
        """\
        import os

        import openai

        openai.api_base = "https://api.moonshot.cn/v1"
        openai.api_key = os.environ["MOONSHOT_API_KEY"]

        openai.ChatCompletion.create(model="moonshot-v1-8k", messages=[])
        """,
        "kimi",
    )
    # the user's strict read stays strict (renamed): importing already needed the key
    assert sorted(ids(found)) == ["MIG102", "MIG402"]


def test_missing_settings_join_the_existing_ones() -> None:
    check_transformed(
        """\
        import openai

        # credentials
        openai.api_key = "sk-abcdefghijklmnopqrstuvwxyz"

        openai.ChatCompletion.create(model="gpt-4o", messages=[])
        """,
        """\
        import os

        import openai

        # credentials
        openai.api_base = "https://qianfan.baidubce.com/v2"
        openai.api_key = os.environ.get("QIANFAN_API_KEY", "missing-QIANFAN_API_KEY")

        openai.ChatCompletion.create(model="ernie-4.0-turbo-8k", messages=[])
        """,
        "ernie",
    )


def test_settings_are_inserted_after_the_imports_when_there_are_none() -> None:
    check_transformed(
        '''\
        """Docs."""
        import openai as ai

        PROMPT = "hi"


        def go():
            return ai.ChatCompletion.create(model="gpt-4o", messages=[])
        ''',
        '''\
        """Docs."""
        import os

        import openai as ai

        ai.api_base = "https://dashscope.aliyuncs.com/compatible-mode/v1"
        ai.api_key = os.environ.get("DASHSCOPE_API_KEY", "missing-DASHSCOPE_API_KEY")

        PROMPT = "hi"


        def go():
            return ai.ChatCompletion.create(model="qwen3-max", messages=[])
        ''',
        "qwen",
    )


def test_v1_module_client_gets_base_url_with_its_slash_and_a_pinned_type() -> None:
    """The module client joins base_url + "chat/completions" as they are, and picks Azure
    by itself when AZURE_OPENAI_* variables are set."""
    check_transformed(
        """\
        import openai

        openai.chat.completions.create(model="gpt-4o", messages=[])
        """,
        """\
        import os

        import openai

        openai.api_type = "openai"
        openai.base_url = "https://api.deepseek.com/"
        openai.api_key = os.environ.get("DEEPSEEK_API_KEY", "missing-DEEPSEEK_API_KEY")

        openai.chat.completions.create(model="deepseek-v4-pro", messages=[], extra_body={"thinking": {"type": "disabled"}})
        """,
    )


def test_endpoint_from_openai_env_stays_configurable() -> None:
    """v0 appends "/chat/completions" to api_base: no trailing slash."""
    check_transformed(
        """\
        import os
        import openai

        openai.api_base = os.getenv("OPENAI_API_BASE")
        openai.api_key = os.getenv("OPENAI_API_KEY")
        """,
        """\
        import os
        import openai

        openai.api_base = os.environ.get("ZAI_BASE_URL", "https://open.bigmodel.cn/api/paas/v4").rstrip("/")
        openai.api_key = os.environ.get("ZAI_API_KEY", "missing-ZAI_API_KEY")
        """,
        "glm",
    )


def test_endpoint_from_openai_env_without_a_provider_variable() -> None:
    check_transformed(
        """\
        import os
        import openai

        openai.api_base = os.getenv("OPENAI_API_BASE")
        """,
        """\
        import os
        import openai

        openai.api_base = "https://api.hunyuan.cloud.tencent.com/v1"
        """,
        "hunyuan",
    )


def test_relay_endpoint_is_reported() -> None:
    found = check_transformed(
        """\
        import openai

        openai.api_base = "https://openai.relay.example.com/v1"
        openai.api_key = key
        """,
        """\
        import openai

        openai.api_base = "https://api.deepseek.com"
        openai.api_key = key
        """,
    )
    assert sorted(ids(found)) == ["MIG101", "MIG502"]


def test_module_already_on_a_provider_is_left_alone() -> None:
    found = check_noop(
        """\
        import openai

        openai.api_base = "https://api.moonshot.cn/v1"
        openai.api_key = "sk-moonshot-0123456789abcdef"
        openai.ChatCompletion.create(model="gpt-4", messages=[], max_tokens=5)
        """
    )
    assert "MIG104" in ids(found)


def test_azure_v0_settings_to_a_provider() -> None:
    found = check_transformed(
        """\
        import openai

        openai.api_type = "azure"
        openai.api_base = "https://contoso.openai.azure.com/"
        openai.api_version = "2023-05-15"
        """,
        """\
        import openai

        openai.api_type = "open_ai"
        openai.api_base = "https://api.deepseek.com"
        openai.api_version = "2023-05-15"
        """,
    )
    assert sorted(ids(found)) == ["MIG103", "MIG103"]


def test_to_azure_v0_module_is_configured_and_calls_name_the_deployment() -> None:
    found = check_transformed(
        """\
        import openai

        openai.api_key = "sk-abcdefghijklmnopQRSTUVWXYZ012345"


        def ask(q):
            return openai.ChatCompletion.create(model="gpt-4o", messages=[q])
        """,
        """\
        import os

        import openai

        openai.api_type = "azure"
        openai.api_base = os.environ["AZURE_OPENAI_ENDPOINT"]
        openai.api_version = os.environ.get("OPENAI_API_VERSION", "2024-10-21")
        openai.api_key = os.environ.get("AZURE_OPENAI_API_KEY", "missing-AZURE_OPENAI_API_KEY")


        def ask(q):
            return openai.ChatCompletion.create(engine="gpt-4o", messages=[q])
        """,
        "azure",
    )
    assert "MIG103" in ids(found) and "MIG501" in ids(found)


def test_to_azure_v1_module_client_uses_azure_endpoint() -> None:
    check_transformed(
        """\
        import openai

        openai.base_url = "https://api.openai.com/v1/"
        openai.chat.completions.create(model="gpt-4o", messages=[])
        """,
        """\
        import os

        import openai

        openai.api_type = "azure"
        openai.api_version = os.environ.get("OPENAI_API_VERSION", "2024-10-21")
        openai.api_key = os.environ.get("AZURE_OPENAI_API_KEY", "missing-AZURE_OPENAI_API_KEY")
        openai.azure_endpoint = os.environ["AZURE_OPENAI_ENDPOINT"]
        openai.chat.completions.create(model="gpt-4o", messages=[])
        """,
        "azure",
    )


def test_to_azure_module_already_on_azure_is_left_alone() -> None:
    check_noop(
        """\
        import os
        import openai

        openai.api_type = "azure"
        openai.api_base = os.environ["AZURE_OPENAI_ENDPOINT"]
        openai.ChatCompletion.create(engine="chat", messages=[])
        """,
        "azure",
    )


def test_no_module_calls_no_inserted_settings() -> None:
    check_noop(
        """\
        import openai

        def handle(exc):
            return isinstance(exc, openai.APIError)
        """
    )


def test_gateway_url_from_the_environment_is_normalised() -> None:
    check_transformed(
        """\
        import openai

        openai.chat.completions.create(model="gpt-4o", messages=[])
        """,
        """\
        import os

        import openai

        openai.api_type = "openai"
        openai.base_url = os.environ["LLM_GATEWAY_BASE_URL"].rstrip("/") + "/"
        openai.api_key = os.environ.get("LLM_GATEWAY_API_KEY", "missing-LLM_GATEWAY_API_KEY")

        openai.chat.completions.create(model="gpt-4o", messages=[])
        """,
        "gateway",
    )


# -------------------------------------------------------------------- safe where it lands
# Settings are inserted where `openai` is bound; each output is also run (the real SDK,
# network faked, no provider variable set, OPENAI_API_KEY set).

REQUEST = 'ask({"model": "m", "messages": []})\n'
SETTINGS = """\
{indent}openai.api_type = "openai"
{indent}openai.base_url = "{base}/"
{indent}openai.api_key = {key_read}"""


def settings(provider: str, indent: str, at_import: bool) -> str:
    base, key = provider_facts(provider)
    key_read = f'os.environ.get("{key}", "missing-{key}")' if at_import else f'os.environ["{key}"]'
    return SETTINGS.format(indent=indent, base=base.rstrip("/"), key_read=key_read)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_settings_go_into_the_function_that_imports_openai(provider: str, tmp_path: Path) -> None:
    base, key = provider_facts(provider)
    before = """\
        def ask(request):
            import openai
            return openai.chat.completions.create(**request)
        """
    after = textwrap.indent(
        "import os\n\n"
        "def ask(request):\n"
        "    import openai\n"
        f"{settings(provider, '    ', at_import=False)}\n"
        "    return openai.chat.completions.create(**request)\n",
        "        ",
    )
    assert check_transformed(before, after, provider) == []
    assert_no_new_undefined_names(before, after)
    trailer = f"""\
        try:
            {REQUEST}
        except KeyError as missing:
            print("missing", missing)
        os.environ["{key}"] = "sk-provider"
        {REQUEST}
        """
    run = run_rewritten(after, trailer, tmp_path)
    assert run.stdout == f"missing '{key}'\n"
    assert run.request.headers["authorization"] == "Bearer sk-provider"
    assert run.request.url.startswith(base.rstrip("/") + "/")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_settings_go_into_the_try_block_of_an_optional_import(
    provider: str, tmp_path: Path
) -> None:
    base, key = provider_facts(provider)
    before = """\
        try:
            import openai
        except ImportError:
            openai = None
        import json


        def ask(request):
            return json.dumps(openai.chat.completions.create(**request).model_dump())
        """
    after = textwrap.indent(
        "import os\n\n"
        "try:\n"
        "    import openai\n"
        f"{settings(provider, '    ', at_import=True)}\n"
        "except ImportError:\n"
        "    openai = None\n"
        "import json\n\n\n"
        "def ask(request):\n"
        "    return json.dumps(openai.chat.completions.create(**request).model_dump())\n",
        "        ",
    )
    assert ids(check_transformed(before, after, provider)) == ["MIG108"]
    assert_no_new_undefined_names(before, after)
    run = run_rewritten(after, REQUEST, tmp_path)
    assert run.request.headers["authorization"] == f"Bearer missing-{key}"
    assert run.request.url.startswith(base.rstrip("/") + "/")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_settings_follow_an_import_below_the_first_block(provider: str, tmp_path: Path) -> None:
    _, key = provider_facts(provider)
    before = """\
        import json


        def to_text(reply):
            return json.dumps(reply.model_dump())


        import openai


        def ask(request):
            return to_text(openai.chat.completions.create(**request))
        """
    after = textwrap.indent(
        "import json\n"
        "import os\n\n\n"
        "def to_text(reply):\n"
        "    return json.dumps(reply.model_dump())\n\n\n"
        "import openai\n"
        f"{settings(provider, '', at_import=True)}\n\n\n"
        "def ask(request):\n"
        "    return to_text(openai.chat.completions.create(**request))\n",
        "        ",
    )
    assert ids(check_transformed(before, after, provider)) == ["MIG108"]
    assert_no_new_undefined_names(before, after)
    run = run_rewritten(after, REQUEST, tmp_path)
    assert run.request.headers["authorization"] == f"Bearer missing-{key}"


def test_module_key_from_a_get_falls_back_to_the_provider_key() -> None:
    found = check_transformed(
        """\
        import openai

        openai.api_key = SETTINGS.get("llm_key")
        openai.chat.completions.create(**REQUEST)
        """,
        """\
        import os

        import openai

        openai.api_type = "openai"
        openai.base_url = "https://api.moonshot.cn/v1/"
        openai.api_key = SETTINGS.get("llm_key") or os.environ.get("MOONSHOT_API_KEY", "missing-MOONSHOT_API_KEY")
        openai.chat.completions.create(**REQUEST)
        """,
        "kimi",
    )
    assert ids(found) == ["MIG101", "MIG108"]


def test_to_azure_v0_model_is_not_renamed_beside_a_mapping_that_may_hold_engine() -> None:
    found = check_transformed(
        """\
        import openai

        openai.api_key = "sk-abc"


        def ask(q, **options):
            return openai.ChatCompletion.create(model="gpt-4o", messages=[q], **options)
        """,
        """\
        import os

        import openai

        openai.api_type = "azure"
        openai.api_base = os.environ["AZURE_OPENAI_ENDPOINT"]
        openai.api_version = os.environ.get("OPENAI_API_VERSION", "2024-10-21")
        openai.api_key = os.environ.get("AZURE_OPENAI_API_KEY", "missing-AZURE_OPENAI_API_KEY")


        def ask(q, **options):
            return openai.ChatCompletion.create(model="gpt-4o", messages=[q], **options)
        """,
        "azure",
    )
    assert ("MIG107", 7) in [(f.id, f.line) for f in found]
    assert "engine=" in next(f.message for f in found if f.id == "MIG107")


def test_module_endpoint_from_a_parameter_is_left_with_mig105() -> None:
    found = check_noop(
        """\
        import openai

        def configure(api_base, api_key):
            if api_base:
                openai.api_base = api_base
            openai.api_key = api_key
            return openai.ChatCompletion.create(model="gpt-4", messages=[], max_tokens=5)
        """,
        "qwen",
    )
    assert [(f.id, f.line) for f in found] == [("MIG105", 5), ("MIG402", 7)]
    assert found[0].message.startswith(
        "openai.api_base comes from `api_base` and migrator cannot tell where it points: "
        "openai.api_base left unchanged; "
    )


def test_module_endpoint_from_a_local_constant_is_left() -> None:
    found = check_noop(
        """\
        import openai

        LOCAL = "http://host.docker.internal:11434/v1"
        openai.base_url = LOCAL
        openai.chat.completions.create(model="gpt-4o", messages=[])
        """,
        "glm",
    )
    assert ids(found) == ["MIG104"]
    assert "host.docker.internal (through `LOCAL`)" in found[0].message


def test_module_endpoint_from_an_openai_constant_is_retargeted() -> None:
    check_transformed(
        """\
        import openai

        OPENAI_URL = "https://api.openai.com/v1/"
        openai.base_url = OPENAI_URL
        openai.api_key = key
        """,
        """\
        import openai

        OPENAI_URL = "https://api.openai.com/v1/"
        openai.base_url = "https://api.deepseek.com/"
        openai.api_key = key
        """,
    )


def test_module_endpoint_from_configuration_is_replaced_when_opted_in() -> None:
    found = check_transformed(
        """\
        import openai

        openai.api_base = settings.api_base
        """,
        """\
        import openai

        openai.api_base = "https://dashscope.aliyuncs.com/compatible-mode/v1"
        """,
        "qwen",
        retarget_configured=True,
    )
    assert ids(found) == ["MIG105"] and "replaced by the" in found[0].message
