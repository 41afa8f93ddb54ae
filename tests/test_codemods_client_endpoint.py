"""codemods/client_endpoint.py: v1 clients pointed at the provider (or at Azure)."""

# ruff: noqa: E501 - expected outputs are real rewrites: a long call stays on one line

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from migrator.codemods.strategies import COMPAT

from migrator.mapping import load_mapping
from migrator.options import RewriteOptions
from migrator.rewrite import rewrite_job
from tests.codemod_helpers import (
    ROOT,
    check_noop,
    check_transformed,
    findings,
    ids,
    mapping,
    rewrite,
)
from tests.import_safety import (
    PROVIDERS,
    assert_no_new_undefined_names,
    provider_facts,
    run_rewritten,
)

QWEN = "https://dashscope.aliyuncs.com/compatible-mode/v1"
# A client built when the module is imported reads the key with a placeholder (MIG108).
QWEN_KEY_AT_IMPORT = 'os.environ.get("DASHSCOPE_API_KEY", "missing-DASHSCOPE_API_KEY")'


def test_bare_client_gets_endpoint_and_key_and_os_import() -> None:
    check_transformed(
        """\
        from openai import OpenAI

        client = OpenAI()
        """,
        f"""\
        import os

        from openai import OpenAI

        client = OpenAI(base_url="{QWEN}", api_key={QWEN_KEY_AT_IMPORT})
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

        client = AsyncOpenAI(max_retries=2, base_url="{QWEN}", api_key={QWEN_KEY_AT_IMPORT})
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
            api_key={QWEN_KEY_AT_IMPORT},
        )
        """,
        "qwen",
    )


def test_openai_key_read_that_may_be_none_becomes_the_provider_key_read() -> None:
    # getenv without a default: None would make the SDK read OPENAI_API_KEY
    check_transformed(
        """\
        import os
        import openai

        client = openai.OpenAI(api_key=os.getenv("OPENAI_API_KEY"), timeout=10)
        """,
        """\
        import os
        import openai

        client = openai.OpenAI(api_key=os.environ.get("MOONSHOT_API_KEY", "missing-MOONSHOT_API_KEY"), timeout=10, base_url="https://api.moonshot.cn/v1")
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
    # the user's strict read stays strict (renamed): importing already needed the key
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
    assert [(f.id, f.severity, f.category) for f in found] == [
        ("MIG502", "warning", "compliance"),
    ]


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

        client = OpenAI(base_url=os.environ.get("DEEPSEEK_API_BASE", "https://api.deepseek.com"), api_key=os.environ.get("DEEPSEEK_API_KEY", "missing-DEEPSEEK_API_KEY"))
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

        client = AsyncOpenAI(base_url="https://api.deepseek.com", api_key=os.environ.get("DEEPSEEK_API_KEY", "missing-DEEPSEEK_API_KEY"))
        """,
    )
    assert ids(found) == ["MIG103", "MIG103", "MIG108"]
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

        sync = AzureOpenAI(azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"], api_version=os.environ.get("OPENAI_API_VERSION", "2024-10-21"), api_key=os.environ.get("AZURE_OPENAI_API_KEY", "missing-AZURE_OPENAI_API_KEY"))
        both = AsyncAzureOpenAI(azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"], api_version=os.environ.get("OPENAI_API_VERSION", "2024-10-21"), api_key=os.environ.get("AZURE_OPENAI_API_KEY", "missing-AZURE_OPENAI_API_KEY"))
        """,
        "azure",
    )
    assert sorted(ids(found)) == ["MIG102", "MIG103", "MIG103", "MIG108"]


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

        client = openai.OpenAI(base_url=os.environ["LLM_GATEWAY_BASE_URL"], api_key=os.environ.get("LLM_GATEWAY_API_KEY", "missing-LLM_GATEWAY_API_KEY"))
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


# -------------------------------------------------------------------- safe where it lands
# Each output is also run (the real SDK, network faked, no provider variable set and
# OPENAI_API_KEY set): importing must work, and the OpenAI key must never be used.


@pytest.mark.parametrize("provider", PROVIDERS)
def test_class_attribute_client_imports_without_the_provider_key(
    provider: str, tmp_path: Path
) -> None:
    base, key = provider_facts(provider)
    before = """\
        from openai import OpenAI


        class Base:
            client = OpenAI()
        """
    after = f"""\
        import os

        from openai import OpenAI


        class Base:
            client = OpenAI(base_url="{base}", api_key=os.environ.get("{key}", "missing-{key}"))
        """
    assert ids(check_transformed(before, after, provider)) == ["MIG108"]
    assert_no_new_undefined_names(before, after)
    run = run_rewritten(after, "print(Base.client.api_key)\n", tmp_path)
    assert run.stdout == f"missing-{key}\n"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_key_parameter_defaulting_to_none_falls_back_to_the_provider_key(
    provider: str, tmp_path: Path
) -> None:
    base, key = provider_facts(provider)
    before = """\
        from openai import OpenAI


        def make(api_key=None):
            return OpenAI(api_key=api_key)
        """
    after = f"""\
        import os

        from openai import OpenAI


        def make(api_key=None):
            return OpenAI(api_key=api_key or os.environ["{key}"], base_url="{base}")
        """
    found = check_transformed(before, after, provider)
    assert ids(found) == ["MIG101"] and "OPENAI_API_KEY" in found[0].message
    assert_no_new_undefined_names(before, after)
    trailer = """\
        try:
            make()
        except KeyError as missing:
            print("missing", missing)
        print(make("sk-provider").api_key)
        """
    run = run_rewritten(after, trailer, tmp_path)
    assert run.stdout == f"missing '{key}'\nsk-provider\n"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_key_attribute_set_from_a_parameter_defaulting_to_none_falls_back(
    provider: str, tmp_path: Path
) -> None:
    """`self.api_key` set in __init__ from `api_key=None` (a completion-function class of a
    real project): left as it was, the SDK would read OPENAI_API_KEY and send it to the
    provider. An attribute only ever set from a required parameter stays as it is."""
    base, key = provider_facts(provider)
    before = """\
        from openai import OpenAI


        class Fn:
            def __init__(self, api_key=None):
                self.api_key = api_key

            def client(self):
                return OpenAI(api_key=self.api_key)


        class Given:
            def __init__(self, api_key):
                self.api_key = api_key

            def client(self):
                return OpenAI(api_key=self.api_key)
        """
    after = f"""\
        import os

        from openai import OpenAI


        class Fn:
            def __init__(self, api_key=None):
                self.api_key = api_key

            def client(self):
                return OpenAI(api_key=self.api_key or os.environ["{key}"], base_url="{base}")


        class Given:
            def __init__(self, api_key):
                self.api_key = api_key

            def client(self):
                return OpenAI(api_key=self.api_key, base_url="{base}")
        """
    found = check_transformed(before, after, provider)
    assert ids(found) == ["MIG101", "MIG101"] and "OPENAI_API_KEY" in found[0].message
    assert_no_new_undefined_names(before, after)
    trailer = """\
        try:
            Fn().client()
        except KeyError as missing:
            print("missing", missing)
        print(Fn("sk-provider").client().api_key)
        """
    run = run_rewritten(after, trailer, tmp_path)
    assert run.stdout == f"missing '{key}'\nsk-provider\n"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_key_from_a_get_without_default_falls_back_to_the_provider_key(
    provider: str, tmp_path: Path
) -> None:
    base, key = provider_facts(provider)
    before = """\
        from openai import OpenAI


        def make(cfg):
            return OpenAI(api_key=cfg.get("api_key"))
        """
    after = f"""\
        import os

        from openai import OpenAI


        def make(cfg):
            return OpenAI(api_key=cfg.get("api_key") or os.environ["{key}"], base_url="{base}")
        """
    assert ids(check_transformed(before, after, provider)) == ["MIG101"]
    assert_no_new_undefined_names(before, after)
    trailer = """\
        try:
            make({})
        except KeyError as missing:
            print("missing", missing)
        print(make({"api_key": "sk-provider"}).api_key)
        """
    run = run_rewritten(after, trailer, tmp_path)
    assert run.stdout == f"missing '{key}'\nsk-provider\n"


def test_key_checked_before_the_client_gets_no_fallback_but_one_checked_too_early_does() -> None:
    # past `if not key: raise`, the key is truthy: a fallback there would be dead code
    check_transformed(
        """\
        import os
        from openai import OpenAI

        def checked(key=None):
            if not key:
                raise ValueError("no key")
            return OpenAI(api_key=key)

        def rebound_after_the_check(key=None):
            if not key:
                raise ValueError("no key")
            key = os.getenv("LLM_KEY")
            return OpenAI(api_key=key)

        def only_logged(key=None):
            if not key:
                print("no key")
            return OpenAI(api_key=key)

        def checked_on_one_line(key=None):
            if not key: return None
            return OpenAI(api_key=key)
        """,
        """\
        import os
        from openai import OpenAI

        def checked(key=None):
            if not key:
                raise ValueError("no key")
            return OpenAI(api_key=key, base_url="https://api.deepseek.com")

        def rebound_after_the_check(key=None):
            if not key:
                raise ValueError("no key")
            key = os.getenv("LLM_KEY")
            return OpenAI(api_key=key or os.environ["DEEPSEEK_API_KEY"], base_url="https://api.deepseek.com")

        def only_logged(key=None):
            if not key:
                print("no key")
            return OpenAI(api_key=key or os.environ["DEEPSEEK_API_KEY"], base_url="https://api.deepseek.com")

        def checked_on_one_line(key=None):
            if not key: return None
            return OpenAI(api_key=key, base_url="https://api.deepseek.com")
        """,
    )


@pytest.mark.parametrize("provider", PROVIDERS)
def test_module_level_getenv_key_never_reaches_openai(provider: str, tmp_path: Path) -> None:
    base, key = provider_facts(provider)
    before = """\
        import os

        from openai import OpenAI

        client = OpenAI(api_key=os.getenv("LLM_KEY"))
        """
    after = f"""\
        import os

        from openai import OpenAI

        client = OpenAI(api_key=os.getenv("LLM_KEY") or os.environ.get("{key}", "missing-{key}"), base_url="{base}")
        """
    assert ids(check_transformed(before, after, provider)) == ["MIG101", "MIG108"]
    assert_no_new_undefined_names(before, after)
    trailer = 'client.chat.completions.create(model="m", messages=[])\n'
    run = run_rewritten(after, trailer, tmp_path)
    assert run.request.headers["authorization"] == f"Bearer missing-{key}"
    assert run.request.url.startswith(base.rstrip("/"))


def test_kept_key_that_is_never_none_stays_as_it_is() -> None:
    check_transformed(
        """\
        from openai import OpenAI


        def make(api_key: str):
            return OpenAI(api_key=api_key)
        """,
        """\
        from openai import OpenAI


        def make(api_key: str):
            return OpenAI(api_key=api_key, base_url="https://api.deepseek.com")
        """,
    )


def test_explicit_none_key_becomes_the_provider_key() -> None:
    check_transformed(
        """\
        from openai import OpenAI


        def make():
            return OpenAI(api_key=None)
        """,
        """\
        import os

        from openai import OpenAI


        def make():
            return OpenAI(api_key=os.environ["DEEPSEEK_API_KEY"], base_url="https://api.deepseek.com")
        """,
    )


def test_client_in_the_main_block_reads_the_key_strictly() -> None:
    # The `if __name__ == "__main__":` block runs only as a program, never on import.
    check_transformed(
        """\
        from openai import OpenAI

        if __name__ == "__main__":
            client = OpenAI()
        """,
        """\
        import os

        from openai import OpenAI

        if __name__ == "__main__":
            client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
        """,
    )


def test_optional_openai_key_read_becomes_the_providers_without_fallback() -> None:
    check_transformed(
        """\
        import os
        import openai

        client = openai.OpenAI(api_key=os.getenv("OPENAI_API_KEY"), timeout=10)
        """,
        """\
        import os
        import openai

        client = openai.OpenAI(api_key=os.environ.get("MOONSHOT_API_KEY", "missing-MOONSHOT_API_KEY"), timeout=10, base_url="https://api.moonshot.cn/v1")
        """,
        "kimi",
    )


TARGETS = [
    ("qwen", QWEN, "DASHSCOPE_API_KEY", "DASHSCOPE_COMPATIBLE_BASE_URL"),
    ("zhipu", "https://open.bigmodel.cn/api/paas/v4/", "ZAI_API_KEY", "ZAI_BASE_URL"),
    ("deepseek", "https://api.deepseek.com", "DEEPSEEK_API_KEY", "DEEPSEEK_API_BASE"),
]


def built_client(code: str, factory: str, monkeypatch: pytest.MonkeyPatch, **env: str) -> Any:
    """Run a migrated program with the real SDK (no request is sent) and build its client:
    a keyword given twice would raise TypeError here."""
    pytest.importorskip("openai")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    namespace: dict[str, Any] = {}
    exec(compile(textwrap.dedent(code), "migrated.py", "exec"), namespace)
    return eval(factory, namespace)


@pytest.mark.parametrize(("provider", "url", "key_env", "url_env"), TARGETS)
def test_dict_literal_built_in_the_function_gets_the_endpoint_and_key(
    provider: str, url: str, key_env: str, url_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    after = f"""\
        import os

        from openai import OpenAI


        def make_client(timeout):
            client_kwargs = {{"timeout": timeout, "api_key": os.environ["{key_env}"], "base_url": "{url}"}}
            return OpenAI(**client_kwargs)
        """
    found = check_transformed(
        """\
        from openai import OpenAI


        def make_client(timeout):
            client_kwargs = {"timeout": timeout, "api_key": "sk-live-123"}
            return OpenAI(**client_kwargs)
        """,
        after,
        provider,
    )
    assert "MIG107" not in ids(found)
    client = built_client(after, "make_client(5)", monkeypatch, **{key_env: "k-provider"})
    assert (str(client.base_url).rstrip("/"), client.api_key) == (url.rstrip("/"), "k-provider")


@pytest.mark.parametrize(("provider", "url", "key_env", "url_env"), TARGETS)
def test_subscript_statements_are_edited_where_they_set_the_keys(
    provider: str, url: str, key_env: str, url_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `**extra` cannot hold base_url, api_key or organization: they are parameters
    after = f"""\
        import os

        from openai import OpenAI


        def make_client(api_key=None, base_url=None, organization=None, **extra):
            kwargs = dict(max_retries=2, **extra, base_url="{url}")
            kwargs["api_key"] = api_key or os.environ["{key_env}"]
            if base_url:
                kwargs["base_url"] = "{url}"
            return OpenAI(**kwargs)
        """
    found = check_transformed(
        """\
        import os

        from openai import OpenAI


        def make_client(api_key=None, base_url=None, organization=None, **extra):
            kwargs = dict(max_retries=2, **extra)
            kwargs["api_key"] = api_key or os.environ["OPENAI_API_KEY"]
            if organization:
                kwargs["organization"] = organization
            if base_url:
                kwargs["base_url"] = base_url
            return OpenAI(**kwargs)
        """,
        after,
        provider,
    )
    # base_url is a parameter defaulting to None (the SDK's default, OpenAI's): replaced,
    # so no MIG105; the key's fallback reads the renamed variable: no MIG101
    assert [(f.id, f.line) for f in found] == [("MIG102", 13)]
    client = built_client(
        after, 'make_client(base_url="https://api.openai.com/v1", organization="org", timeout=3)',
        monkeypatch, **{key_env: "k-provider"},
    )  # fmt: skip
    assert (str(client.base_url).rstrip("/"), client.api_key) == (url.rstrip("/"), "k-provider")
    assert client.organization is None


def test_key_set_on_some_paths_only_is_reported() -> None:
    after = f"""\
        from openai import OpenAI


        class Chat:
            def __init__(self, cfg):
                api_kwargs = {{"base_url": "{QWEN}"}}
                if cfg.get("api_key"):
                    api_kwargs["api_key"] = cfg["api_key"]

                def create(**request):
                    client = OpenAI(**api_kwargs)
                    return client.chat.completions.create(**request)

                self.create = create
        """
    found = check_transformed(
        """\
        from openai import OpenAI


        class Chat:
            def __init__(self, cfg):
                api_kwargs = {}
                if cfg.get("api_key"):
                    api_kwargs["api_key"] = cfg["api_key"]

                def create(**request):
                    client = OpenAI(**api_kwargs)
                    return client.chat.completions.create(**request)

                self.create = create
        """,
        after,
        "qwen",
    )
    assert [(f.id, f.line) for f in found] == [("MIG101", 11), ("MIG107", 11)]
    assert "OPENAI_API_KEY" in next(f.message for f in found if f.id == "MIG107")


@pytest.mark.parametrize(("provider", "url", "key_env", "url_env"), TARGETS)
def test_mapping_from_a_parameter_leaves_the_client(
    provider: str, url: str, key_env: str, url_env: str
) -> None:
    found = check_transformed(
        """\
        from openai import OpenAI


        def make_client(client_kwargs):
            return OpenAI(**client_kwargs)
        """,
        f"""\
        from openai import OpenAI


        def make_client(client_kwargs):
            # migrator: MIG107 api_key, base_url may be in **client_kwargs: client left, set them for {mapping(provider).id}
            return OpenAI(**client_kwargs)
        """,
        provider,
    )
    assert [(f.id, f.line) for f in found] == [("MIG107", 5)]
    assert url in found[0].message and key_env in found[0].message


@pytest.mark.parametrize(("provider", "url", "key_env", "url_env"), TARGETS)
def test_azure_client_built_from_a_mapping(
    provider: str, url: str, key_env: str, url_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    after = f"""\
        import os

        from openai import OpenAI


        def make_client():
            api_kwargs = {{
                "base_url": os.environ.get("{url_env}", "{url}"),
            }}
            api_kwargs["api_key"] = os.environ["{key_env}"]
            return OpenAI(**api_kwargs)
        """
    found = check_transformed(
        """\
        import os

        from openai import AzureOpenAI


        def make_client():
            api_kwargs = {
                "azure_endpoint": os.environ["AZURE_OPENAI_ENDPOINT"],
                "api_version": "2024-06-01",
            }
            api_kwargs["api_key"] = os.environ["AZURE_OPENAI_API_KEY"]
            return AzureOpenAI(**api_kwargs)
        """,
        after,
        provider,
    )
    assert [(f.id, f.line) for f in found] == [("MIG103", 12)]
    assert "removed api_version, azure_endpoint" in found[0].message
    monkeypatch.delenv(url_env, raising=False)
    client = built_client(after, "make_client()", monkeypatch, **{key_env: "k-provider"})
    assert (str(client.base_url).rstrip("/"), client.api_key) == (url.rstrip("/"), "k-provider")


def test_azure_mapping_that_may_hold_azure_arguments_is_left() -> None:
    found = check_transformed(
        """\
        from openai import AzureOpenAI


        def make_client(endpoint, **extra):
            kwargs = {"azure_endpoint": endpoint, **extra}
            return AzureOpenAI(**kwargs)
        """,
        """\
        from openai import AzureOpenAI


        def make_client(endpoint, **extra):
            kwargs = {"azure_endpoint": endpoint, **extra}
            # migrator: MIG107 api_key, api_version, azure_ad_token, azure_ad_token_provider, azure_deployment, azure_endpoint...
            return AzureOpenAI(**kwargs)
        """,
        "qwen",
    )
    assert [(f.id, f.line) for f in found] == [("MIG107", 6)]


def test_mapping_that_already_targets_another_provider_is_kept() -> None:
    # as with an explicit base_url=, the calls through it keep their model and parameters
    found = check_noop(
        """\
        from openai import OpenAI

        client = OpenAI(**{"base_url": "https://api.deepseek.com", "api_key": "x"})
        client.chat.completions.create(model="gpt-4o", messages=[], max_completion_tokens=5)
        """,
        "qwen",
    )
    assert [(f.id, f.line) for f in found] == [("MIG104", 3)]


def test_key_added_to_a_mapping_built_at_import_time_reads_a_placeholder() -> None:
    # the entry runs when the module is imported: a missing key must not break the import
    found = check_transformed(
        """\
        from openai import OpenAI

        client_kwargs = {"timeout": 3}
        client = OpenAI(**client_kwargs)
        """,
        f"""\
        import os

        from openai import OpenAI

        client_kwargs = {{"timeout": 3, "base_url": "{QWEN}", "api_key": {QWEN_KEY_AT_IMPORT}}}
        client = OpenAI(**client_kwargs)
        """,
        "qwen",
    )
    assert [(f.id, f.line) for f in found] == [("MIG108", 4)]


def test_mapping_changed_elsewhere_is_unknown() -> None:
    src = """\
        from openai import OpenAI


        def make_client(settings):
            kwargs = {"timeout": 3}
            settings.apply(kwargs)
            return OpenAI(**kwargs)
        """
    found = findings(src, "qwen")
    assert [(f.id, f.line) for f in found] == [("MIG107", 7)]


def test_mapping_reads_do_not_hide_it_but_an_alias_does() -> None:
    after = f"""\
        import logging
        import os

        from openai import OpenAI


        def make_client(timeout):
            kwargs = {{"timeout": timeout, "base_url": "{QWEN}", "api_key": os.environ["DASHSCOPE_API_KEY"]}}
            if "timeout" in kwargs:
                logging.info("keys: %s", [key for key in kwargs])
            return OpenAI(**kwargs)
        """
    found = check_transformed(
        """\
        import logging

        from openai import OpenAI


        def make_client(timeout):
            kwargs = {"timeout": timeout}
            if "timeout" in kwargs:
                logging.info("keys: %s", [key for key in kwargs])
            return OpenAI(**kwargs)
        """,
        after,
        "qwen",
    )
    # no key entry at all: added where the mapping is built, as OpenAI() would get it
    assert "MIG107" not in ids(found)
    aliased = findings(
        """\
        from openai import OpenAI


        def make_client(timeout):
            kwargs = {"timeout": timeout}
            options = kwargs
            options["base_url"] = "https://relay.example.com/v1"
            return OpenAI(**kwargs)
        """,
        "qwen",
    )
    assert [(f.id, f.line) for f in aliased] == [("MIG107", 8)]


def test_removed_account_entries_never_leave_an_empty_block() -> None:
    found = check_transformed(
        """\
        from openai import OpenAI


        def make_client(org, project, flag):
            kwargs = {"timeout": 3}
            if flag:
                if org:
                    kwargs["organization"] = org
            if project:
                kwargs["organization"] = org
                kwargs["project"] = project
            kwargs.update(project=project, max_retries=2)
            return OpenAI(**kwargs)
        """,
        f"""\
        import os

        from openai import OpenAI


        def make_client(org, project, flag):
            kwargs = {{"timeout": 3, "base_url": "{QWEN}", "api_key": os.environ["DASHSCOPE_API_KEY"]}}
            if flag:
                if org:
                    pass
            kwargs.update(max_retries=2)
            return OpenAI(**kwargs)
        """,
        "qwen",
    )
    assert [(f.id, f.line) for f in found] == [("MIG102", 13)]


def test_a_key_set_on_a_compound_line_makes_the_mapping_unknown() -> None:
    # `if x: d["k"] = v` looks like a statement of the function's block: it is not
    found = findings(
        """\
        from openai import OpenAI


        def make_client(key):
            kwargs = {"timeout": 3}
            if key: kwargs["api_key"] = key
            return OpenAI(**kwargs)
        """,
        "qwen",
    )
    assert [(f.id, f.line) for f in found] == [("MIG107", 7)]


def test_to_azure_mapping_gets_the_azure_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    after = """\
        import os

        from openai import AzureOpenAI, OpenAI


        def make_client(timeout):
            kwargs = {"timeout": timeout, "api_key": os.environ["AZURE_OPENAI_API_KEY"], "azure_endpoint": os.environ["AZURE_OPENAI_ENDPOINT"], "api_version": os.environ.get("OPENAI_API_VERSION", "2024-10-21")}
            return AzureOpenAI(**kwargs)


        def make_other(kwargs):
            # migrator: MIG107 api_key, api_version, azure_endpoint, base_url may be in **kwargs: client left, set them for azure
            return OpenAI(**kwargs)
        """
    found = check_transformed(
        """\
        from openai import OpenAI


        def make_client(timeout):
            kwargs = {"timeout": timeout, "api_key": "sk-live-1", "organization": "org-1"}
            return OpenAI(**kwargs)


        def make_other(kwargs):
            return OpenAI(**kwargs)
        """,
        after,
        "azure",
    )
    assert [(f.id, f.line) for f in found] == [("MIG102", 6), ("MIG103", 6), ("MIG107", 10)]
    monkeypatch.delenv("OPENAI_API_VERSION", raising=False)
    client = built_client(
        after, "make_client(5)", monkeypatch,
        AZURE_OPENAI_API_KEY="k-azure", AZURE_OPENAI_ENDPOINT="https://res.openai.azure.com",
    )  # fmt: skip
    assert client.api_key == "k-azure" and "res.openai.azure.com" in str(client.base_url)


def test_trailing_key_variable_read_becomes_the_strict_fallback() -> None:
    # `key or os.getenv("OPENAI_API_KEY")` can still be None: its last read is the one made
    # strict (renamed and without a None result), not a third alternative
    found = check_transformed(
        """\
        import os

        from openai import AsyncOpenAI


        def make(api_key=None):
            return AsyncOpenAI(api_key=api_key or os.getenv("OPENAI_API_KEY"))
        """,
        """\
        import os

        from openai import AsyncOpenAI


        def make(api_key=None):
            return AsyncOpenAI(api_key=api_key or os.environ["ZAI_API_KEY"], base_url="https://open.bigmodel.cn/api/paas/v4/")
        """,
        "glm",
    )
    assert ids(found) == ["MIG101"]


def test_openai_key_from_env_is_renamed_not_replaced() -> None:
    # A strict read keeps its strictness (a getenv that may be None gets the explicit
    # fallback instead: test_openai_key_read_that_may_be_none_becomes_the_provider_key_read)
    found = check_transformed(
        """\
        import os
        import openai

        client = openai.OpenAI(api_key=os.environ["OPENAI_API_KEY"], timeout=10)
        """,
        """\
        import os
        import openai

        client = openai.OpenAI(api_key=os.environ["MOONSHOT_API_KEY"], timeout=10, base_url="https://api.moonshot.cn/v1")
        """,
        "kimi",
    )
    assert found == []


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


GLM = "https://open.bigmodel.cn/api/paas/v4/"


@pytest.mark.parametrize(
    ("provider", "url", "key_env"),
    [("qwen", QWEN, "DASHSCOPE_API_KEY"), ("glm", GLM, "ZAI_API_KEY"),
     ("deepseek", "https://api.deepseek.com", "DEEPSEEK_API_KEY")],
)  # fmt: skip
def test_parameter_with_openai_default_is_retargeted(provider: str, url: str, key_env: str) -> None:
    found = check_transformed(
        """\
        import os
        from openai import OpenAI

        def make_client(base_url="https://api.openai.com/v1"):
            return OpenAI(base_url=base_url, api_key=os.environ["OPENAI_API_KEY"])
        """,
        f"""\
        import os
        from openai import OpenAI

        def make_client(base_url="https://api.openai.com/v1"):
            return OpenAI(base_url="{url}", api_key=os.environ["{key_env}"])
        """,
        provider,
    )
    assert found == []


@pytest.mark.parametrize("provider", ["qwen", "glm", "deepseek"])
def test_parameter_without_default_is_left_with_mig105(provider: str) -> None:
    found = check_noop(
        """\
        import openai

        def ask(api_key, base_url, text):
            client = openai.OpenAI(api_key=api_key, base_url=base_url)
            return client.chat.completions.create(model="gpt-4o", messages=[], user="u")
        """,
        provider,
    )
    assert [(f.id, f.line) for f in found] == [("MIG105", 4)]
    assert found[0].message.startswith(
        "base_url comes from `base_url` and migrator cannot tell where it points: client "
        "left unchanged; if it is OpenAI's, point it at "
    )


def test_self_base_url_from_a_moonshot_literal_is_left_with_its_calls() -> None:
    found = check_noop(
        """\
        import openai

        class KimiBot:
            base_url = "https://api.moonshot.cn/v1"

            def __init__(self, key):
                self.client = openai.OpenAI(api_key=key, base_url=self.base_url)

            def ask(self, text):
                return self.client.chat.completions.create(model="gpt-4o", messages=[], user="u")
        """,
        "glm",
    )
    assert [(f.id, f.line) for f in found] == [("MIG104", 7)]
    assert found[0].message == (
        "client already targets api.moonshot.cn (through `self.base_url`) (not OpenAI); "
        "left as it is"
    )


def test_base_url_assigned_in_init_is_followed() -> None:
    found = check_noop(
        """\
        from openai import OpenAI

        class Requester:
            def __init__(self, base_url="https://api.stepfun.com/v1"):
                self.base_url = base_url
                self.client = OpenAI(base_url=self.base_url, api_key="x")
        """,
        "qwen",
    )
    assert [(f.id, f.line) for f in found] == [("MIG104", 6)]
    assert "api.stepfun.com" in found[0].message


def test_local_fallback_of_a_configured_url_is_left() -> None:
    found = check_noop(
        """\
        from openai import OpenAI

        def local_client(url=None):
            return OpenAI(base_url=url or "http://localhost:8000/v1", api_key="EMPTY")
        """
    )
    assert [(f.id, f.line) for f in found] == [("MIG104", 4)]
    assert "localhost" in found[0].message


@pytest.mark.parametrize("provider", ["qwen", "glm", "deepseek"])
def test_cohere_compatibility_endpoint_is_left(provider: str) -> None:
    found = check_noop(
        """\
        from openai import OpenAI

        client = OpenAI(base_url="https://api.cohere.ai/compatibility/v1", api_key=key)
        client.embeddings.create(model="embed-v4.0", input=["a"], encoding_format="float")
        """,
        provider,
    )
    assert [(f.id, f.line) for f in found] == [("MIG104", 3)]
    assert found[0].message == "client already targets api.cohere.ai (not OpenAI); left as it is"


def test_known_relay_is_retargeted_with_mig502() -> None:
    found = check_transformed(
        """\
        from openai import OpenAI

        RELAY = "https://api.chatanywhere.tech/v1"
        client = OpenAI(base_url=RELAY)
        """,
        f"""\
        import os

        from openai import OpenAI

        RELAY = "https://api.chatanywhere.tech/v1"
        client = OpenAI(base_url="{GLM}", api_key=os.environ.get("ZAI_API_KEY", "missing-ZAI_API_KEY"))
        """,
        "glm",
    )
    assert [(f.id, f.line) for f in found] == [("MIG502", 4), ("MIG108", 4)]
    assert "https://api.chatanywhere.tech/v1 (through `RELAY`)" in found[0].message


def test_unknown_literal_host_is_left_unless_opted_in() -> None:
    source = """\
        from openai import OpenAI

        client = OpenAI(base_url="https://llm.example.net/v1", api_key=key)
        """
    found = check_noop(source, "qwen")
    assert [(f.id, f.line) for f in found] == [("MIG105", 3)]
    assert found[0].message == (
        "base_url points at llm.example.net, which migrator does not know: client left "
        f"unchanged; if it is a relay to OpenAI, point it at {QWEN} by hand (or rerun with "
        "--retarget-configured)"
    )
    found = check_transformed(
        source,
        f"""\
        from openai import OpenAI

        client = OpenAI(base_url="{QWEN}", api_key=key)
        """,
        "qwen",
        retarget_configured=True,
    )
    assert ids(found) == ["MIG101", "MIG502"]


def test_local_server_is_never_retargeted_even_when_opted_in() -> None:
    found = check_noop(
        """\
        from openai import OpenAI

        client = OpenAI(base_url="http://127.0.0.1:8000/v1", api_key="EMPTY")
        """,
        retarget_configured=True,
    )
    assert ids(found) == ["MIG104"]


def test_openai_base_url_read_through_a_variable_is_retargeted() -> None:
    found = check_transformed(
        """\
        import os
        from openai import OpenAI

        endpoint = os.getenv("OPENAI_BASE_URL")
        client = OpenAI(base_url=endpoint)
        """,
        """\
        import os
        from openai import OpenAI

        endpoint = os.getenv("DEEPSEEK_API_BASE")
        client = OpenAI(base_url=os.environ.get("DEEPSEEK_API_BASE", "https://api.deepseek.com"), api_key=os.environ.get("DEEPSEEK_API_KEY", "missing-DEEPSEEK_API_KEY"))
        """,
    )
    assert [(f.id, f.line) for f in found] == [("MIG108", 5)]


def test_every_branch_of_a_conditional_must_be_openai() -> None:
    check_transformed(
        """\
        from openai import OpenAI

        OPENAI_URL = "https://api.openai.com/v1"

        def client(proxy=False):
            return OpenAI(base_url=OPENAI_URL if not proxy else "https://openai.proxy.example/v1", api_key=k)
        """,
        """\
        from openai import OpenAI

        OPENAI_URL = "https://api.openai.com/v1"

        def client(proxy=False):
            return OpenAI(base_url="https://api.deepseek.com", api_key=k)
        """,
    )
    found = check_noop(
        """\
        from openai import OpenAI

        def client(local=False):
            return OpenAI(base_url="http://localhost:11434/v1" if local else "https://api.openai.com/v1", api_key=k)
        """
    )
    assert ids(found) == ["MIG104"]


@pytest.mark.parametrize(
    ("expr", "where"),
    [
        ('cfg["moonshot_base_url"]', '`cfg["moonshot_base_url"]`'),
        ("settings.GROQ_API_BASE", "`settings.GROQ_API_BASE`"),
        ("settings.DEEPSEEK_API_BASE", "`settings.DEEPSEEK_API_BASE`"),
        (
            'os.getenv("LLM_URL", "http://127.0.0.1:8000/v1")',
            '127.0.0.1 (through `os.getenv("LLM_URL", "http://127.0.0.1:8000/v1")`)',
        ),
        ("self.ollama_host", "`self.ollama_host`"),
        ('os.getenv("VLLM_ENDPOINT")', '`os.getenv("VLLM_ENDPOINT")`'),
        ('conf.get("lm_studio_url", "")', '`conf.get("lm_studio_url", "")`'),
    ],
)
def test_configuration_named_after_another_provider_or_server_is_left(
    expr: str, where: str
) -> None:
    found = check_noop(
        f"""\
        import os
        from openai import OpenAI

        client = OpenAI(base_url={expr}, api_key="k")
        """,
        "qwen",
    )
    assert [(f.id, f.line) for f in found] == [("MIG104", 4)]
    assert found[0].message == f"client already targets {where} (not OpenAI); left as it is"


def test_endpoint_constant_imported_from_another_file_is_followed() -> None:
    from migrator.constants import Constant

    constants = {
        "app.settings.LLM_URL": Constant("app/settings.py", "LLM_URL", "http://10.0.0.5:8000/v1", 3),
        "app.settings.OPENAI_URL": Constant("app/settings.py", "OPENAI_URL", "https://api.openai.com/v1", 4),
    }  # fmt: skip
    found = check_noop(
        """\
        from openai import OpenAI

        from app.settings import LLM_URL

        client = OpenAI(base_url=LLM_URL, api_key="k")
        """,
        constants=constants,
    )
    assert ids(found) == ["MIG104"] and "10.0.0.5" in found[0].message
    check_transformed(
        """\
        from openai import OpenAI

        from app import settings

        client = OpenAI(base_url=settings.OPENAI_URL, api_key=k)
        """,
        """\
        from openai import OpenAI

        from app import settings

        client = OpenAI(base_url="https://api.deepseek.com", api_key=k)
        """,
        constants=constants,
    )


def test_azure_endpoint_from_configuration_keeps_its_old_treatment() -> None:
    found = check_transformed(
        """\
        from openai import AzureOpenAI

        client = AzureOpenAI(azure_endpoint=settings.endpoint, api_key=k, api_version="2024-06-01")
        """,
        """\
        from openai import OpenAI

        client = OpenAI(api_key=k, base_url="https://api.deepseek.com")
        """,
    )
    assert sorted(ids(found)) == ["MIG101", "MIG103", "MIG105"]


def test_users_own_mapping_counts_as_a_known_provider(tmp_path: Path) -> None:
    """--mapping acme.yaml: code already at Acme's host is Acme's, not a relay."""
    text = (ROOT / "mappings" / "deepseek.yaml").read_text(encoding="utf-8")
    text = text.replace("id: deepseek", "id: acme").replace("api.deepseek.com", "llm.acme.example")
    path = tmp_path / "acme.yaml"
    path.write_text(text, encoding="utf-8")
    acme = load_mapping(path)
    data = textwrap.dedent(
        """\
        import os
        from openai import OpenAI

        client = OpenAI(base_url="https://llm.acme.example/v2", api_key=os.environ["ACME_KEY"])
        """
    ).encode("utf-8")
    result = rewrite_job("example.py", data, RewriteOptions(strategy=COMPAT, mapping=acme))
    assert result.new_source is None
    assert result.findings == []


def test_one_untraceable_branch_leaves_the_client_and_is_named() -> None:
    found = check_noop(
        """\
        from openai import OpenAI

        def connect(cfg):
            url = cfg.openai_base_url or "https://api.openai.com/v1"
            return OpenAI(base_url=url, api_key=cfg.key)
        """,
        "glm",
    )
    assert [(f.id, f.line) for f in found] == [("MIG105", 5)]
    assert found[0].message.startswith(
        "base_url comes from `cfg.openai_base_url` (through `url`) and migrator cannot tell "
        "where it points: client left unchanged; if it is OpenAI's, point it at "
        "https://open.bigmodel.cn/api/paas/v4/ (or rerun with --retarget-configured)"
    )


def test_shared_base_class_is_left_when_a_subclass_points_elsewhere() -> None:
    found = check_noop(
        """\
        from openai import OpenAI

        class CompatibleChat:
            base_url = "https://api.openai.com/v1"

            def __init__(self, key):
                self.client = OpenAI(base_url=self.base_url, api_key=key)

        class YiChat(CompatibleChat):
            base_url = "https://api.01.ai/v1"
        """,
        "qwen",
    )
    assert [(f.id, f.line) for f in found] == [("MIG104", 7)]
    assert "api.01.ai (through `self.base_url`)" in found[0].message


def test_settings_instance_of_a_class_in_the_file_is_followed() -> None:
    before = """\
        import os
        from dataclasses import dataclass, field

        from openai import OpenAI

        @dataclass
        class Settings:
            base_url: str = field(default_factory=lambda: os.getenv("OPENAI_BASE_URL") or "https://api.openai.com/v1")

        settings = Settings()
        client = OpenAI(base_url=settings.base_url)
        """
    found = check_transformed(
        before,
        """\
        import os
        from dataclasses import dataclass, field

        from openai import OpenAI

        @dataclass
        class Settings:
            base_url: str = field(default_factory=lambda: os.getenv("OPENAI_BASE_URL") or "https://api.openai.com/v1")

        settings = Settings()
        client = OpenAI(base_url=os.environ.get("MOONSHOT_API_BASE", "https://api.moonshot.cn/v1"), api_key=os.environ.get("MOONSHOT_API_KEY", "missing-MOONSHOT_API_KEY"))
        """,
        "kimi",
    )
    # the client no longer reads settings.base_url; whoever else does keeps OPENAI_BASE_URL
    assert [(f.id, f.line) for f in found] == [("MIG504", 8), ("MIG108", 11)]
    local = before.replace("https://api.openai.com/v1", "http://localhost:8000/v1")
    found = check_noop(local.replace("OPENAI_BASE_URL", "LLM_URL"))
    assert (
        ids(found) == ["MIG104"] and "localhost (through `settings.base_url`)" in found[0].message
    )


def test_parameter_annotated_with_a_settings_class_of_the_file_is_followed() -> None:
    before = """\
        from openai import OpenAI

        class Settings:
            base_url: str = "https://api.openai.com/v1"

        def make(settings: Settings | None = None) -> OpenAI:
            settings = settings or Settings()
            return OpenAI(base_url=settings.base_url)
        """
    check_transformed(
        before,
        f"""\
        import os

        from openai import OpenAI

        class Settings:
            base_url: str = "https://api.openai.com/v1"

        def make(settings: Settings | None = None) -> OpenAI:
            settings = settings or Settings()
            return OpenAI(base_url="{QWEN}", api_key=os.environ["DASHSCOPE_API_KEY"])
        """,
        "qwen",
    )
    # One binding not shown to be a Settings: nothing is shown.
    found = check_noop(before.replace("settings or Settings()", "settings or load()"))
    assert [(f.id, f.line) for f in found] == [("MIG105", 8)]


def test_a_pydantic_settings_field_of_the_file_is_not_only_its_default() -> None:
    found = check_noop(
        """\
        from openai import OpenAI
        from pydantic_settings import BaseSettings

        class Settings(BaseSettings):
            base_url: str = "https://api.openai.com/v1"

        settings = Settings()
        client = OpenAI(base_url=settings.base_url)
        """
    )
    assert [(f.id, f.line) for f in found] == [("MIG105", 8)]


@pytest.mark.parametrize("provider", ["qwen", "glm", "deepseek"])
def test_calls_through_a_client_a_factory_makes_from_arguments_are_left(provider: str) -> None:
    """`get_client(key, url)` may point anywhere: its calls keep their parameters and
    models (editing them for the provider would be wrong wherever it does not)."""
    found = check_noop(
        """\
        from app.llm import get_client


        def embed(docs, key, url):
            client = get_client(key, url)
            return client.embeddings.create(input=docs, model="text-embedding-3-small", encoding_format="float")
        """,
        provider,
    )
    assert [(f.id, f.line) for f in found] == [("MIG106", 6)]
    assert "`get_client(...)` returns for its arguments" in found[0].message


def test_calls_through_an_imported_client_object_are_still_migrated() -> None:
    """The demo app's shape: a client object built (and retargeted) in another module."""
    got, result = rewrite(
        """\
        from app.llm import client


        def ask(q):
            return client.chat.completions.create(model="gpt-4o", messages=[])
        """,
        "qwen",
    )
    assert 'model="qwen3-max"' in got
    assert [f.id for f in result.findings] == ["MIG106"]


def test_azure_class_imported_in_the_function_is_not_imported_at_module_level() -> None:
    """openai imported lazily (an optional dependency): the plain class it already imports
    there serves; a module-level import would make every import of the module need it."""
    check_transformed(
        """\
        def make(settings):
            from openai import AzureOpenAI, OpenAI

            if settings.azure:
                return AzureOpenAI(api_key=settings.key, azure_endpoint=settings.url, api_version="2024-10-21")
            return OpenAI(api_key=settings.key)
        """,
        """\
        def make(settings):
            from openai import AzureOpenAI, OpenAI

            if settings.azure:
                return OpenAI(api_key=settings.key, base_url="https://api.deepseek.com")
            return OpenAI(api_key=settings.key, base_url="https://api.deepseek.com")
        """,
    )


def test_calls_through_a_registry_annotated_as_a_client_are_seen_and_left() -> None:
    """`def get_client(provider) -> OpenAI: return CLIENTS[provider]`: one client per
    provider, endpoints unknown here. Its calls used to go unseen; now they are reported."""
    found = check_noop(
        """\
        from __future__ import annotations

        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from openai import OpenAI

        CLIENTS: dict = {}


        def get_client(provider: str) -> OpenAI:
            return CLIENTS[provider]


        def ask(provider, messages):
            client = get_client(provider)
            return client.chat.completions.create(model="gpt-4o", messages=messages, max_completion_tokens=10)
        """,
        "qwen",
    )
    assert [(f.id, f.line) for f in found] == [("MIG106", 17)]
