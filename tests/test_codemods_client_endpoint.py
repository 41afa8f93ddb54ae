"""codemods/client_endpoint.py: v1 clients pointed at the provider (or at Azure)."""

# ruff: noqa: E501 - expected outputs are real rewrites: a long call stays on one line

from __future__ import annotations

from tests.codemod_helpers import check_noop, check_transformed, findings, ids

QWEN = "https://dashscope.aliyuncs.com/compatible-mode/v1"


def test_bare_client_gets_endpoint_and_key_and_os_import() -> None:
    check_transformed(
        """\
        from openai import OpenAI

        client = OpenAI()
        """,
        f"""\
        import os

        from openai import OpenAI

        client = OpenAI(base_url="{QWEN}", api_key=os.environ["DASHSCOPE_API_KEY"])
        """,
        "qwen",
    )


def test_os_import_joins_the_stdlib_block_in_order() -> None:
    check_transformed(
        """\
        import json
        import sys
        from pathlib import Path

        from openai import AsyncOpenAI

        client = AsyncOpenAI(max_retries=2)
        """,
        f"""\
        import json
        import os
        import sys
        from pathlib import Path

        from openai import AsyncOpenAI

        client = AsyncOpenAI(max_retries=2, base_url="{QWEN}", api_key=os.environ["DASHSCOPE_API_KEY"])
        """,
        "qwen",
    )


def test_one_argument_per_line_layout_is_kept() -> None:
    check_transformed(
        """\
        import os
        from openai import OpenAI

        client = OpenAI(
            timeout=30,  # seconds
            max_retries=2,
        )
        """,
        f"""\
        import os
        from openai import OpenAI

        client = OpenAI(
            timeout=30,  # seconds
            max_retries=2,
            base_url="{QWEN}",
            api_key=os.environ["DASHSCOPE_API_KEY"],
        )
        """,
        "qwen",
    )


def test_openai_key_from_env_is_renamed_not_replaced() -> None:
    check_transformed(
        """\
        import os
        import openai

        client = openai.OpenAI(api_key=os.getenv("OPENAI_API_KEY"), timeout=10)
        """,
        """\
        import os
        import openai

        client = openai.OpenAI(api_key=os.getenv("MOONSHOT_API_KEY"), timeout=10, base_url="https://api.moonshot.cn/v1")
        """,
        "kimi",
    )


def test_users_own_key_expression_is_kept_and_flagged() -> None:
    found = check_transformed(
        """\
        from openai import OpenAI

        client = OpenAI(api_key=settings.llm_key)
        """,
        """\
        from openai import OpenAI

        client = OpenAI(api_key=settings.llm_key, base_url="https://api.deepseek.com")
        """,
    )
    assert ids(found) == ["MIG101"]
    assert "settings.llm_key" in found[0].message and "DEEPSEEK_API_KEY" in found[0].message


def test_organization_and_project_are_removed() -> None:
    found = check_transformed(
        """\
        import os
        from openai import OpenAI

        client = OpenAI(organization="org-1", project="proj-1", api_key=os.environ["OPENAI_API_KEY"])
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(api_key=os.environ["DEEPSEEK_API_KEY"], base_url="https://api.deepseek.com")
        """,
    )
    assert ids(found) == ["MIG102"]


def test_client_already_on_another_provider_is_left_with_its_calls() -> None:
    found = check_noop(
        """\
        import os
        from openai import OpenAI

        client = OpenAI(base_url="https://api.deepseek.com/v1", api_key=os.environ["DEEPSEEK_API_KEY"])
        client.chat.completions.create(model="gpt-4o", messages=[], user="u", max_completion_tokens=9)
        """,
        "qwen",
    )
    assert ids(found) == ["MIG104"]
    assert "api.deepseek.com" in found[0].message


def test_client_already_on_the_target_is_silent() -> None:
    assert (
        check_noop(
            """\
            import os
            from openai import OpenAI

            client = OpenAI(base_url=os.environ["DEEPSEEK_API_BASE"], api_key=os.environ["DEEPSEEK_API_KEY"])
            """
        )
        == []
    )


def test_local_server_is_left_alone() -> None:
    found = check_noop(
        """\
        from openai import OpenAI

        ollama = OpenAI(base_url="http://localhost:11434/v1", api_key="ollama")
        """,
        "glm",
    )
    assert ids(found) == ["MIG104"]


def test_relay_is_retargeted_with_a_compliance_warning() -> None:
    found = check_transformed(
        """\
        import os
        from openai import OpenAI

        client = OpenAI(base_url="https://openai.my-relay.example/v1", api_key=os.environ["OPENAI_API_KEY"])
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
        """,
    )
    assert [(f.id, f.severity, f.category) for f in found] == [("MIG502", "warning", "compliance")]


def test_base_url_from_configuration_is_left_and_flagged() -> None:
    found = check_noop(
        """\
        from openai import OpenAI

        client = OpenAI(base_url=settings.llm_url, api_key=settings.key)
        client.chat.completions.create(model="gpt-4o", messages=[], user="u")
        """,
    )
    assert [(f.id, f.line) for f in found] == [("MIG105", 3)]
    assert found[0].message == (
        "base_url comes from `settings.llm_url` and migrator cannot tell where it points: "
        "client left unchanged; if it is OpenAI's, point it at https://api.deepseek.com "
        "(or rerun with --retarget-configured)"
    )


def test_retarget_configured_replaces_configuration_as_before() -> None:
    found = check_transformed(
        """\
        from openai import OpenAI

        client = OpenAI(base_url=settings.llm_url, api_key=settings.key)
        """,
        """\
        from openai import OpenAI

        client = OpenAI(base_url="https://api.deepseek.com", api_key=settings.key)
        """,
        retarget_configured=True,
    )
    assert sorted(ids(found)) == ["MIG101", "MIG105"]
    (finding,) = [f for f in found if f.id == "MIG105"]
    assert finding.message.endswith(
        'or write `settings.llm_url or "https://api.deepseek.com"` to keep it configurable '
        "once that configuration can no longer name OpenAI or a relay"
    )


def test_configurable_form_with_the_provider_url_is_left_silently() -> None:
    """`<config> or "<provider URL>"` (what MIG105 suggests) is already migrated."""
    found = check_noop(
        """\
        import os
        from openai import OpenAI

        client = OpenAI(base_url=settings.url or "https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
        """
    )
    assert found == []


def test_base_url_from_openai_env_stays_configurable() -> None:
    check_transformed(
        """\
        import os
        from openai import OpenAI

        client = OpenAI(base_url=os.getenv("OPENAI_BASE_URL", "https://api.openai.com/v1"))
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(base_url=os.environ.get("DEEPSEEK_API_BASE", "https://api.deepseek.com"), api_key=os.environ["DEEPSEEK_API_KEY"])
        """,
    )


def test_azure_client_becomes_plain_and_annotations_follow() -> None:
    found = check_transformed(
        """\
        import os

        import openai
        from openai import AzureOpenAI


        def make() -> AzureOpenAI:
            return AzureOpenAI(
                azure_endpoint="https://contoso.openai.azure.com",
                api_version="2024-10-21",
                azure_deployment="chat",
            )


        def is_client(x) -> bool:
            return isinstance(x, (AzureOpenAI, openai.AzureOpenAI))
        """,
        f"""\
        import os

        import openai
        from openai import OpenAI


        def make() -> OpenAI:
            return OpenAI(
                base_url="{QWEN}",
                api_key=os.environ["DASHSCOPE_API_KEY"],
            )


        def is_client(x) -> bool:
            return isinstance(x, (OpenAI, openai.OpenAI))
        """,
        "qwen",
    )
    assert ids(found) == ["MIG103"]
    assert "azure_deployment" in found[0].message


def test_entra_auth_is_reported_when_an_azure_client_is_converted() -> None:
    found = check_transformed(
        """\
        from openai import AsyncAzureOpenAI

        client = AsyncAzureOpenAI(azure_ad_token_provider=provider)
        """,
        """\
        import os

        from openai import AsyncOpenAI

        client = AsyncOpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
        """,
    )
    assert ids(found) == ["MIG103", "MIG103"]
    assert any("Entra" in f.message for f in found)


def test_to_azure_plain_clients_become_azure_clients() -> None:
    found = check_transformed(
        """\
        from openai import AsyncOpenAI, OpenAI

        sync = OpenAI()
        both = AsyncOpenAI(organization="org-1")
        """,
        """\
        import os

        from openai import AsyncAzureOpenAI, AzureOpenAI

        sync = AzureOpenAI(azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"], api_version=os.environ.get("OPENAI_API_VERSION", "2024-10-21"), api_key=os.environ["AZURE_OPENAI_API_KEY"])
        both = AsyncAzureOpenAI(azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"], api_version=os.environ.get("OPENAI_API_VERSION", "2024-10-21"), api_key=os.environ["AZURE_OPENAI_API_KEY"])
        """,
        "azure",
    )
    assert sorted(ids(found)) == ["MIG102", "MIG103", "MIG103"]


def test_to_azure_an_azure_client_and_its_variables_are_left_alone() -> None:
    check_noop(
        """\
        import os
        from openai import AzureOpenAI

        client = AzureOpenAI(
            azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"],
            api_version=os.environ.get("AZURE_OPENAI_API_VERSION", "2024-10-21"),
            api_key=os.environ["AZURE_OPENAI_KEY"],
        )
        client.chat.completions.create(model="gpt-4o", messages=[])
        """,
        "azure",
    )


def test_gateway_endpoint_is_read_from_the_environment() -> None:
    check_transformed(
        """\
        import openai

        client = openai.OpenAI()
        """,
        """\
        import os

        import openai

        client = openai.OpenAI(base_url=os.environ["LLM_GATEWAY_BASE_URL"], api_key=os.environ["LLM_GATEWAY_API_KEY"])
        """,
        "gateway",
    )


def test_calls_through_a_client_from_elsewhere_are_reported() -> None:
    found = check_transformed(
        """\
        import openai


        def ask(client: openai.OpenAI, text):
            return client.chat.completions.create(model="gpt-4o", messages=[])
        """,
        """\
        import openai


        def ask(client: openai.OpenAI, text):
            return client.chat.completions.create(model="qwen3-max", messages=[])
        """,
        "qwen",
    )
    assert "MIG106" in ids(found)


def test_ignore_comment_keeps_a_client() -> None:
    check_noop(
        """\
        from openai import OpenAI

        client = OpenAI()  # migrator: ignore[MIG100]
        """
    )
