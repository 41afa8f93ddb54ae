"""codemods/env_vars.py: reads of OPENAI_* variables renamed to the provider's."""

# ruff: noqa: E501 - expected outputs are real rewrites: a long call stays on one line

from __future__ import annotations

from migrator.codemods.env_vars import env_renames

from tests.codemod_helpers import check_noop, check_transformed, ids


def test_key_and_base_url_reads_are_renamed_everywhere() -> None:
    check_transformed(
        """\
        import os

        KEY = os.environ["OPENAI_API_KEY"]
        BASE = os.getenv("OPENAI_BASE_URL")
        LEGACY = os.environ.get('OPENAI_API_BASE', "")
        """,
        """\
        import os

        KEY = os.environ["ZAI_API_KEY"]
        BASE = os.getenv("ZAI_BASE_URL")
        LEGACY = os.environ.get('ZAI_BASE_URL', "")
        """,
        "glm",
    )


def test_provider_without_base_url_variable_keeps_base_url_reads() -> None:
    check_transformed(
        """\
        import os

        KEY = os.environ["OPENAI_API_KEY"]
        BASE = os.getenv("OPENAI_BASE_URL")
        """,
        """\
        import os

        KEY = os.environ["ARK_API_KEY"]
        BASE = os.getenv("OPENAI_BASE_URL")
        """,
        "ark",
    )


def test_account_variables_are_reported() -> None:
    found = check_noop(
        """\
        import os

        ORG = os.environ["OPENAI_ORG_ID"]
        """
    )
    assert ids(found) == ["MIG503"]


def test_account_variable_inside_a_removed_argument_is_not_reported_twice() -> None:
    found = check_transformed(
        """\
        import os
        from openai import OpenAI

        client = OpenAI(organization=os.environ["OPENAI_ORG_ID"])
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ.get("DEEPSEEK_API_KEY", "missing-DEEPSEEK_API_KEY"))
        """,
    )
    assert ids(found) == ["MIG102", "MIG108"]


def test_azure_target_keeps_azure_variables() -> None:
    renames = env_renames(
        "azure", "AZURE_OPENAI_API_KEY", None, "AZURE_OPENAI_ENDPOINT", "OPENAI_API_VERSION"
    )
    assert renames == {
        "OPENAI_API_KEY": "AZURE_OPENAI_API_KEY",
        "OPENAI_BASE_URL": "AZURE_OPENAI_ENDPOINT",
        "OPENAI_API_BASE": "AZURE_OPENAI_ENDPOINT",
    }
    check_noop(
        """\
        import os

        VERSION = os.environ.get("AZURE_OPENAI_API_VERSION", "2024-10-21")
        KEY = os.environ["AZURE_OPENAI_KEY"]
        """,
        "azure",
    )


def test_azure_variables_move_to_a_provider() -> None:
    check_transformed(
        """\
        import os

        KEY = os.environ["AZURE_OPENAI_API_KEY"]
        """,
        """\
        import os

        KEY = os.environ["SILICONFLOW_API_KEY"]
        """,
        "siliconflow",
    )
