"""codemods/env_vars.py: reads of OPENAI_* variables renamed where they configure a
migrated client, and left (reported) everywhere else."""

# ruff: noqa: E501 - expected outputs are real rewrites: a long call stays on one line

from __future__ import annotations

import pytest
from migrator.codemods.policy.env_names import env_renames

from tests.codemod_helpers import check_noop, check_transformed, ids, rewrite
from tests.codemod_helpers import findings as findings_of


def lines_of(found: list, rule: str) -> list[int]:
    return [f.line for f in found if f.id == rule]


# -- reads that feed a retargeted client: renamed ----------------------------------------------


def test_read_passed_to_the_client_is_renamed() -> None:
    found = check_transformed(
        """\
        import os
        from openai import OpenAI

        client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(api_key=os.environ["ZAI_API_KEY"], base_url="https://open.bigmodel.cn/api/paas/v4/")
        """,
        "glm",
    )
    assert ids(found) == []


def test_read_through_a_variable_is_renamed() -> None:
    check_transformed(
        """\
        import os
        from openai import OpenAI

        def make(api_key=None):
            api_key = api_key or os.getenv("OPENAI_API_KEY")
            if not api_key:
                raise SystemExit("no key")
            return OpenAI(api_key=api_key)
        """,
        """\
        import os
        from openai import OpenAI

        def make(api_key=None):
            api_key = api_key or os.getenv("DEEPSEEK_API_KEY")
            if not api_key:
                raise SystemExit("no key")
            return OpenAI(api_key=api_key, base_url="https://api.deepseek.com")
        """,
    )


def test_read_through_a_self_attribute_is_renamed() -> None:
    # (getenv may give None, with which the SDK would read OPENAI_API_KEY and send it to
    # the provider: the use gets the provider key as its fallback, as a parameter's does)
    check_transformed(
        """\
        import os
        from openai import OpenAI

        class Service:
            def __init__(self):
                self.key = os.getenv("OPENAI_API_KEY")

            def client(self):
                return OpenAI(api_key=self.key)
        """,
        """\
        import os
        from openai import OpenAI

        class Service:
            def __init__(self):
                self.key = os.getenv("MOONSHOT_API_KEY")

            def client(self):
                return OpenAI(api_key=self.key or os.environ["MOONSHOT_API_KEY"], base_url="https://api.moonshot.cn/v1")
        """,
        "kimi",
    )


def test_read_through_a_splatted_dict_entry_becomes_the_provider_key_read() -> None:
    # a getenv that may be None is read as the fixer reads an inserted key (strict in a
    # function), as for `api_key=os.getenv("OPENAI_API_KEY")`
    _, result = rewrite(
        """\
        import os
        from openai import OpenAI

        def make():
            options = {"timeout": 30}
            options["api_key"] = os.getenv("OPENAI_API_KEY")
            return OpenAI(**options)
        """
    )
    assert 'options["api_key"] = os.environ["DEEPSEEK_API_KEY"]' in result.new_source.decode()
    assert result.renamed_env == ["OPENAI_API_KEY"] and result.kept_env == []


def test_module_setting_read_is_renamed() -> None:
    # the key's getenv may be None: it becomes the provider's read with the import-time
    # placeholder (MIG108); the strict base-URL read is renamed
    found = check_transformed(
        """\
        import os
        import openai

        openai.api_key = os.getenv("OPENAI_API_KEY")
        openai.api_base = os.environ["OPENAI_API_BASE"]
        """,
        """\
        import os
        import openai

        openai.api_key = os.environ.get("DASHSCOPE_API_KEY", "missing-DASHSCOPE_API_KEY")
        openai.api_base = os.environ.get("DASHSCOPE_COMPATIBLE_BASE_URL", "https://dashscope.aliyuncs.com/compatible-mode/v1").rstrip("/")
        """,
        "qwen",
    )
    assert ids(found) == ["MIG108"]


def test_azure_client_variables_move_to_a_provider() -> None:
    check_transformed(
        """\
        import os
        from openai import AzureOpenAI

        client = AzureOpenAI(api_key=os.environ["AZURE_OPENAI_API_KEY"], azure_endpoint="https://x.openai.azure.com")
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(api_key=os.environ["SILICONFLOW_API_KEY"], base_url="https://api.siliconflow.cn/v1")
        """,
        "siliconflow",
    )


# -- every other reader: left, one finding per file and variable ------------------------------


def test_module_key_shared_with_other_code_is_replaced() -> None:
    found = check_transformed(
        """\
        import os
        import openai

        KEY = os.environ["OPENAI_API_KEY"]
        openai.api_key = KEY
        print("key ends with", KEY[-4:])
        openai.chat.completions.create(model="gpt-4o", messages=[])
        """,
        """\
        import os
        import openai

        KEY = os.environ["OPENAI_API_KEY"]
        openai.api_type = "openai"
        openai.base_url = "https://api.moonshot.cn/v1/"
        openai.api_key = os.environ.get("MOONSHOT_API_KEY", "missing-MOONSHOT_API_KEY")
        print("key ends with", KEY[-4:])
        openai.chat.completions.create(model="kimi-k2.5", messages=[], extra_body={"thinking": {"type": "disabled"}})
        """,
        "kimi",
    )
    # a key read the fixer writes at import time has the placeholder (MIG108)
    assert sorted(ids(found)) == ["MIG108", "MIG504", "MIG507"]
    kept = next(f for f in found if f.id == "MIG504")
    assert "by `KEY[-4:]`: left as it is" in kept.message


@pytest.mark.parametrize("provider", ["kimi", "azure"])
def test_module_key_with_no_endpoint_and_no_module_call_is_left(provider: str) -> None:
    """Nothing here shows where the module's key goes, and its default endpoint is
    OpenAI's: renaming the key would send the provider's key there (MIG109)."""
    source = """\
        import os
        import openai

        openai.api_key = os.environ["OPENAI_API_KEY"]
        client = openai.OpenAI()
        """
    got, result = rewrite(source, provider)
    assert 'openai.api_key = os.environ["OPENAI_API_KEY"]\n' in got
    found = result.findings
    lone = [f for f in found if f.id == "MIG109"]
    assert len(lone) == 1 and lone[0].line == 4
    assert "MIG504" not in ids(found)


@pytest.mark.parametrize(
    ("imports", "read"),
    [
        ("import os as _os", '_os.environ["{}"]'),
        ("from os import environ as env", 'env["{}"]'),
        ("from os import environ", 'environ["{}"]'),
    ],
)
def test_read_through_an_alias_of_os_is_renamed_like_os_itself(imports: str, read: str) -> None:
    # Before env_reads, env_flow knew only the names `os` / `environ`: an aliased read
    # was no read at all, so the client fixer replaced it (MIG507) instead of renaming it.
    found = check_transformed(
        f"""\
        {imports}
        from openai import OpenAI

        client = OpenAI(api_key={read.format("OPENAI_API_KEY")})
        """,
        f"""\
        {imports}
        from openai import OpenAI

        client = OpenAI(api_key={read.format("ZAI_API_KEY")}, base_url="https://open.bigmodel.cn/api/paas/v4/")
        """,
        "glm",
    )
    assert ids(found) == []


def test_check_through_an_alias_of_os_is_reported() -> None:
    # ... and a check through the alias went unreported: it still reads OPENAI_API_KEY.
    found = check_noop(
        """\
        import os as _os

        def main():
            if not _os.getenv("OPENAI_API_KEY"):
                print("set OPENAI_API_KEY first")
        """,
        "qwen",
    )
    assert ids(found) == ["MIG504"] and lines_of(found, "MIG504") == [4]


def test_a_parameter_named_os_still_counts_as_os() -> None:
    # Read by its name, as the inventory reads it: left and reported, never renamed blind.
    found = check_noop(
        """\
        def main(os):
            if not os.getenv("OPENAI_API_KEY"):
                print("set OPENAI_API_KEY first")
        """,
        "qwen",
    )
    assert ids(found) == ["MIG504"]


def test_startup_check_is_left_and_reported() -> None:
    found = check_noop(
        """\
        import os

        def main():
            if not os.getenv("OPENAI_API_KEY"):
                print("set OPENAI_API_KEY first")
        """,
        "qwen",
    )
    assert ids(found) == ["MIG504"] and lines_of(found, "MIG504") == [4]
    assert "a check of whether it is set" in found[0].message
    assert "DASHSCOPE_API_KEY" in found[0].message


def test_langchain_reader_is_left_with_its_class() -> None:
    found = check_noop(
        """\
        import os
        from langchain_openai import ChatOpenAI

        llm = ChatOpenAI(openai_api_key=os.getenv("OPENAI_API_KEY"), **settings)
        """
    )
    assert ids(found) == ["MIG120", "MIG504"]  # the class itself: MIG120 (wrapper_clients)
    assert "`ChatOpenAI(...)`" in found[1].message


def test_langchain_reader_follows_its_rewritten_class() -> None:
    check_transformed(
        """\
        import os
        from langchain_openai import ChatOpenAI


        def make():
            return ChatOpenAI(model="gpt-4o", openai_api_key=os.environ["OPENAI_API_KEY"])
        """,
        """\
        import os
        from langchain_openai import ChatOpenAI


        def make():
            return ChatOpenAI(model="deepseek-v4-pro", openai_api_key=os.environ["DEEPSEEK_API_KEY"], base_url="https://api.deepseek.com")
        """,
    )


def test_raw_http_call_is_left_whole_and_warned() -> None:
    """Key, URL and the model id in its payload stay: any one migrated alone breaks it."""
    src = """\
        import os
        import requests
        from openai import OpenAI

        client = OpenAI(api_key=os.getenv("OPENAI_API_KEY"))
        URL = "https://api.openai.com/v1/chat/completions"

        def moderate(text):
            key = os.getenv("OPENAI_API_KEY")
            headers = {"Authorization": f"Bearer {key}"}
            return requests.post(URL, headers=headers, json={"model": "gpt-4o", "input": text})
        """
    found = check_transformed(
        src,
        src.replace(
            'OpenAI(api_key=os.getenv("OPENAI_API_KEY"))',
            'OpenAI(api_key=os.environ.get("ZAI_API_KEY", "missing-ZAI_API_KEY"), '
            'base_url="https://open.bigmodel.cn/api/paas/v4/")',
        ),
        "glm",
    )
    # the payload's model id reaches no SDK request: noted (MIG208), left
    assert sorted(ids(found)) == ["MIG108", "MIG208", "MIG504", "MIG505"]
    assert lines_of(found, "MIG505") == [11] and lines_of(found, "MIG504") == [9]
    warning = next(f for f in found if f.id == "MIG505")
    assert warning.severity == "warning" and "raw HTTP call to api.openai.com" in warning.message


@pytest.mark.parametrize(
    "call",
    [
        'requests.get(URL, headers={"Authorization": "Bearer " + KEY})',
        'httpx.post(url=URL, headers={"Authorization": f"Bearer {KEY}"}, json={})',
        'session.post(URL, headers=dict(Authorization=f"Bearer {KEY}"))',
        'urllib.request.Request(URL, headers={"Authorization": "Bearer %s" % KEY})',
    ],
)
def test_every_raw_http_client_is_recognised(call: str) -> None:
    src = f"""\
        import os

        URL = "https://api.openai.com/v1/models"
        KEY = os.getenv("OPENAI_API_KEY")
        reply = {call}
        """
    found = check_noop(src, "qwen")
    assert sorted(ids(found)) == ["MIG504", "MIG505"]
    assert next(f for f in found if f.id == "MIG505").line == 5


def test_shared_key_variable_is_left_and_the_client_gets_the_provider_key() -> None:
    """Renaming the read would send the provider's key to api.openai.com; keeping it in
    the client would send the OpenAI key to the provider."""
    found = check_transformed(
        """\
        import os
        import httpx
        from openai import OpenAI

        KEY = os.environ["OPENAI_API_KEY"]
        client = OpenAI(api_key=KEY)
        auth = {"Authorization": "Bearer " + KEY}
        models = httpx.get("https://api.openai.com/v1/models", headers=auth)
        """,
        """\
        import os
        import httpx
        from openai import OpenAI

        KEY = os.environ["OPENAI_API_KEY"]
        client = OpenAI(api_key=os.environ.get("DEEPSEEK_API_KEY", "missing-DEEPSEEK_API_KEY"), base_url="https://api.deepseek.com")
        auth = {"Authorization": "Bearer " + KEY}
        models = httpx.get("https://api.openai.com/v1/models", headers=auth)
        """,
    )
    # the provider key the fixer writes at import time has the placeholder (MIG108)
    assert sorted(ids(found)) == ["MIG108", "MIG504", "MIG505", "MIG507"]
    replaced = next(f for f in found if f.id == "MIG507")
    assert replaced.line == 6 and "api_key `KEY` carried OPENAI_API_KEY" in replaced.message


def test_shared_key_variable_in_a_mapping_entry_gives_way_to_the_provider_key() -> None:
    """The same through a `**mapping`: the entry is judged as an explicit `api_key=`."""
    found = check_transformed(
        """\
        import os
        from openai import OpenAI

        KEY = os.environ["OPENAI_API_KEY"]

        def make():
            options = {"timeout": 30, "api_key": KEY}
            return OpenAI(**options)

        print("key ends with", KEY[-4:])
        """,
        """\
        import os
        from openai import OpenAI

        KEY = os.environ["OPENAI_API_KEY"]

        def make():
            options = {"timeout": 30, "api_key": os.environ["DEEPSEEK_API_KEY"], "base_url": "https://api.deepseek.com"}
            return OpenAI(**options)

        print("key ends with", KEY[-4:])
        """,
    )
    assert sorted(ids(found)) == ["MIG504", "MIG507"]
    replaced = next(f for f in found if f.id == "MIG507")
    assert replaced.line == 8 and "api_key `KEY` carried OPENAI_API_KEY" in replaced.message


@pytest.mark.parametrize(
    ("target", "other_endpoint"),
    [
        ("qwen", "https://api.deepseek.com"),
        ("glm", "https://api.moonshot.cn/v1"),
        ("deepseek", "https://dashscope.aliyuncs.com/compatible-mode/v1"),
    ],
)
def test_read_feeding_a_client_of_another_provider_is_left(
    target: str, other_endpoint: str
) -> None:
    found = check_noop(
        f"""\
        import os
        from openai import OpenAI

        other = OpenAI(api_key=os.getenv("OPENAI_API_KEY"), base_url="{other_endpoint}")
        """,
        target,
    )
    assert sorted(ids(found)) == ["MIG104", "MIG504"]
    kept = next(f for f in found if f.id == "MIG504")
    assert kept.line == 4 and "a client left as it is" in kept.message


def test_one_finding_per_file_and_variable() -> None:
    found = check_noop(
        """\
        import os

        if not os.getenv("OPENAI_API_KEY"):
            raise SystemExit(1)
        print(len(os.environ["OPENAI_API_KEY"]))
        BASE = os.getenv("OPENAI_BASE_URL")
        """,
        "qwen",
    )
    assert ids(found) == ["MIG504", "MIG504"]
    key, base = found
    assert (key.line, base.line) == (3, 6)
    assert "(lines 3, 5)" in key.message and "`len(...)`" in key.message
    assert base.message.startswith("OPENAI_BASE_URL is still read here")


def test_literals_that_are_not_reads_are_left_silently() -> None:
    found = check_noop(
        """\
        import logging
        import os

        SCHEMA = {"OPENAI_API_KEY": "your OpenAI key"}
        logging.warning("OPENAI_API_KEY is not set")
        print("export OPENAI_API_KEY=...", os.sep)
        """
    )
    assert ids(found) == []


def test_env_writes_are_left_and_reported_once_per_variable() -> None:
    found = check_noop(
        """\
        import os
        from unittest import mock

        def test_client(monkeypatch):
            monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
            os.environ["OPENAI_BASE_URL"] = "http://localhost:9999/v1"
            os.environ.setdefault("OPENAI_API_KEY", "sk-other")
            with mock.patch.dict(os.environ, {"OPENAI_API_KEY": "sk-third"}):
                pass
        """,
        "qwen",
    )
    assert ids(found) == ["MIG506", "MIG506"]
    assert [f.line for f in found] == [5, 6]
    assert "read DASHSCOPE_API_KEY where they read OPENAI_API_KEY" in found[0].message


def test_azure_endpoint_read_dropped_with_its_argument_needs_no_finding() -> None:
    found = check_transformed(
        """\
        import os
        from openai import AzureOpenAI

        client = AzureOpenAI(
            api_key=os.environ["AZURE_OPENAI_API_KEY"],
            azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"],
        )
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(
            api_key=os.environ["DEEPSEEK_API_KEY"],
            base_url=os.environ.get("DEEPSEEK_API_BASE", "https://api.deepseek.com"),
        )
        """,
    )
    assert ids(found) == ["MIG103"]


def test_azure_endpoint_checked_and_passed_on_is_left() -> None:
    """The check still demands AZURE_OPENAI_ENDPOINT; the client no longer uses it."""
    found = findings_of(
        """\
        import os
        from openai import AzureOpenAI

        def make(endpoint=None):
            endpoint = endpoint or os.getenv("AZURE_OPENAI_ENDPOINT")
            if not endpoint:
                raise ValueError("endpoint required")
            return AzureOpenAI(azure_endpoint=endpoint, api_key=os.environ["AZURE_OPENAI_API_KEY"])
        """,
        "qwen",
    )
    kept = [f for f in found if f.id == "MIG504"]
    assert [f.line for f in kept] == [5]
    assert kept[0].message.startswith(
        "AZURE_OPENAI_ENDPOINT is still read here, by a check of whether it is set; "
        "`azure_endpoint` of `AzureOpenAI(...)`: left as it is"
    )


def test_settings_field_is_a_read_left_as_it_is() -> None:
    found = check_noop(
        """\
        from pydantic import BaseSettings, Field

        class Settings(BaseSettings):
            key: str = Field(..., env="OPENAI_API_KEY")
        """
    )
    assert ids(found) == ["MIG504"] and "a settings field" in found[0].message


def test_kept_key_expression_naming_an_openai_setting_is_reported() -> None:
    """`settings.OPENAI_API_KEY` is no env read the fixer renames: MIG101 says so."""
    found = check_transformed(
        """\
        from openai import OpenAI
        from app import settings

        client = OpenAI(api_key=settings.OPENAI_API_KEY)
        """,
        """\
        from openai import OpenAI
        from app import settings

        client = OpenAI(api_key=settings.OPENAI_API_KEY, base_url="https://api.deepseek.com")
        """,
    )
    assert ids(found) == ["MIG101"]


def test_result_records_renamed_and_kept_variables() -> None:
    _, result = rewrite(
        """\
        import os
        from openai import OpenAI

        if not os.getenv("OPENAI_API_KEY"):
            raise SystemExit(1)
        client = OpenAI()
        """
    )
    # The client read OPENAI_API_KEY by itself and now reads the provider's key.
    assert result.renamed_env == ["OPENAI_API_KEY", "OPENAI_BASE_URL"]
    assert result.kept_env == ["OPENAI_API_KEY"]


def test_kept_client_without_a_key_still_reads_openai_api_key() -> None:
    _, result = rewrite(
        """\
        from openai import OpenAI

        local = OpenAI(base_url="http://localhost:11434/v1")
        """
    )
    assert result.new_source is None
    assert result.renamed_env == [] and result.kept_env == ["OPENAI_API_KEY"]


# -- the provider's variables --------------------------------------------------------------


def test_provider_without_base_url_variable_keeps_base_url_reads() -> None:
    check_transformed(
        """\
        import os
        from openai import OpenAI

        client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
        BASE = os.getenv("OPENAI_BASE_URL")
        """,
        """\
        import os
        from openai import OpenAI

        client = OpenAI(api_key=os.environ["ARK_API_KEY"], base_url="https://ark.cn-beijing.volces.com/api/v3")
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


def test_ignore_comment_keeps_a_read_without_a_finding_of_its_own() -> None:
    """No MIG504 (the user asked for it); the client's MIG101 still says what to check."""
    _, result = rewrite(
        """\
        import os
        from openai import OpenAI

        client = OpenAI(api_key=os.getenv("OPENAI_API_KEY"))  # migrator: ignore[MIG500]
        """
    )
    assert 'api_key=os.getenv("OPENAI_API_KEY")' in result.new_source.decode()
    assert ids(result.findings) == ["MIG101"]
    assert result.kept_env == ["OPENAI_API_KEY"]
