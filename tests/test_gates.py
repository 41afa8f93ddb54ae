"""The semantic gates of tests/gates.py catch what they are for, and pass correct rewrites.

Each gate gets a hand-written bad output (the harm it exists to catch) and a good one.
"""

from __future__ import annotations

import textwrap

from tests import gates
from tests.execution.harness import RecordedRequest


def src(text: str) -> bytes:
    return textwrap.dedent(text).encode("utf-8")


def request(url: str, **headers: str) -> RecordedRequest:
    return RecordedRequest.from_log(
        {"method": "POST", "url": url, "headers": headers, "body": None, "body_is_json": False}
    )


# --------------------------------------------------------------------------- a. compiles


def test_compile_gate() -> None:
    assert gates.compile_problems(src("x = 1\n")) == []
    assert gates.compile_problems(src("client = OpenAI(api_key=k, api_key=k)\n")) == [
        "line 1: does not compile: keyword argument repeated: api_key"
    ]


# --------------------------------------------------------------------------- b. pyflakes


def test_openai_named_at_module_level_but_imported_in_a_function() -> None:
    before = src(
        """
        def ask():
            import openai
            openai.api_key = "k"
        """
    )
    after = b'openai.api_type = "openai"\n' + before
    assert gates.new_undefined_names(before, after) == ["undefined name 'openai' (1 new use(s))"]


def test_os_used_where_only_an_alias_is_imported() -> None:
    before = src(
        """
        import os as _os
        from openai import OpenAI
        client = OpenAI(api_key=_os.environ.get("OPENAI_API_KEY"))
        """
    )
    after = before.replace(b'_os.environ.get("OPENAI_API_KEY")', b'os.environ["DEEPSEEK_API_KEY"]')
    assert gates.new_undefined_names(before, after) == ["undefined name 'os' (1 new use(s))"]
    fixed = before.replace(b"OPENAI_API_KEY", b"DEEPSEEK_API_KEY")
    assert gates.new_undefined_names(before, fixed) == []


def test_uses_of_an_undefined_name_the_original_had_are_not_blamed_on_the_rewrite() -> None:
    before = src("print(settings.model)\n")
    assert gates.new_undefined_names(before, before + b"print('done')\n") == []
    # one more use of it is the rewrite's: it was as undefined for the original's use
    added = before + b"print(settings.key)\n"
    assert gates.new_undefined_names(before, added) == ["undefined name 'settings' (1 new use(s))"]


# --------------------------------------------------------------------------- c. keywords


def test_keyword_added_beside_a_splat() -> None:
    before = src("client = OpenAI(**client_kwargs)\n")
    after = src('client = OpenAI(**client_kwargs, base_url="https://api.deepseek.com")\n')
    assert gates.keyword_problems(before, after) == [
        "line 1: OpenAI(): base_url added beside **client_kwargs"
    ]


def test_keyword_the_original_already_passed_beside_the_splat_is_fine() -> None:
    before = src("r = client.chat.completions.create(**params, stream=True)\n")
    after = src("r = client.chat.completions.create(**params, stream=True)\n")
    assert gates.keyword_problems(before, after) == []


def test_keyword_twice_through_a_literal_splat() -> None:
    before = src('client = OpenAI(**{"timeout": 5})\n')
    good = src('client = OpenAI(**{"timeout": 5}, api_key=k)\n')
    bad = src('client = OpenAI(**{"timeout": 5, "api_key": k}, api_key=k)\n')
    assert gates.keyword_problems(before, good) == []
    assert gates.keyword_problems(before, bad) == [
        "line 1: OpenAI(): keyword(s) given twice: api_key"
    ]


# --------------------------------------------------------------------------- d. model logic


def test_collapsed_tuple_and_changed_comparisons() -> None:
    before = src(
        """
        SUPPORTED = ("gpt-4o", "gpt-4o-mini")
        if model in SUPPORTED and model != "gpt-4o":
            pass
        """
    )
    after = before.replace(b'"gpt-4o"', b'"qwen-max"').replace(b'"gpt-4o-mini"', b'"qwen-max"')
    assert gates.comparison_changes(before, after) == [
        "'gpt-4o' no longer tested (2x)",
        "'gpt-4o-mini' no longer tested (1x)",
        "'qwen-max' now tested (3x)",
    ]
    assert gates.duplicate_growth(before, after) == [
        "line 2: repeated items in ('qwen-max', 'qwen-max')"
    ]


def test_strings_deciding_branches_are_found_everywhere() -> None:
    found = gates.control_flow_strings(
        src(
            """
            import tiktoken
            REASONING = frozenset({"o1", "o3"})
            WINDOWS = {"gpt-4o": 128000}
            def count(text, model="gpt-4o-mini"):
                return tiktoken.encoding_for_model(model)
            if name.startswith(("gpt-", "o")) or name in REASONING or name not in WINDOWS:
                pass
            match name:
                case "gpt-4.1" | "gpt-5":
                    pass
            client.chat.completions.create(model="gpt-4o")
            """
        )
    )
    assert sorted(found.elements()) == [
        "gpt-", "gpt-4.1", "gpt-4o", "gpt-4o-mini", "gpt-5", "o", "o1", "o3",
    ]  # fmt: skip


def test_environment_membership_is_an_env_read_not_model_logic() -> None:
    before = src('if "OPENAI_API_KEY" in os.environ and model == "gpt-4o": pass\n')
    after = before.replace(b"OPENAI_API_KEY", b"DEEPSEEK_API_KEY")
    assert gates.comparison_changes(before, after) == []
    assert gates.comparison_changes(before, after.replace(b"gpt-4o", b"deepseek-chat")) == [
        "'gpt-4o' no longer tested (1x)",
        "'deepseek-chat' now tested (1x)",
    ]


def test_request_model_may_change() -> None:
    before = src('reply = client.chat.completions.create(model="gpt-4o")\nif x == "y": pass\n')
    after = before.replace(b"gpt-4o", b"deepseek-chat")
    assert gates.comparison_changes(before, after) == []
    assert gates.duplicate_growth(before, after) == []


def test_dict_keys_collapsing_are_repeated_items() -> None:
    before = src('WINDOWS = {"gpt-4o": 128000, "gpt-4o-mini": 64000}\n')
    after = src('WINDOWS = {"glm-4.6": 128000, "glm-4.6": 64000}\n')
    assert gates.duplicate_growth(before, after) == [
        "line 1: repeated items in {'glm-4.6': 128000, 'glm-4.6': 64000}"
    ]
    assert gates.duplicate_growth(after, after) == []  # already repeated: not the rewrite's doing


# --------------------------------------------------------------------------- e. keys and hosts


def test_provider_key_renamed_in_a_raw_call_to_openai() -> None:
    before = src(
        """
        import os, requests
        URL = "https://api.openai.com/v1/chat/completions"
        def ask():
            key = os.environ["OPENAI_API_KEY"]
            return requests.post(URL, headers={"Authorization": f"Bearer {key}"})
        """
    )
    after = before.replace(b"OPENAI_API_KEY", b"DASHSCOPE_API_KEY")
    assert gates.key_host_mismatches(before, before) == []
    assert gates.key_host_mismatches(before, after) == [
        "DASHSCOPE_API_KEY read next to api.openai.com"
    ]


def test_openai_key_kept_for_a_client_moved_to_a_provider() -> None:
    before = src('client = OpenAI(api_key=os.getenv("OPENAI_API_KEY"))\n')
    bad = src(
        'client = OpenAI(api_key=os.getenv("OPENAI_API_KEY"), '
        'base_url="https://api.deepseek.com")\n'
    )
    good = bad.replace(b"OPENAI_API_KEY", b"DEEPSEEK_API_KEY")
    assert gates.key_host_mismatches(before, bad) == [
        "OPENAI_API_KEY read next to api.deepseek.com"
    ]
    assert gates.key_host_mismatches(before, good) == []


def test_keys_pair_with_the_url_of_their_own_table_entry() -> None:
    before = src(
        """
        VENDORS = {
            "openai": {"base_url": "https://api.openai.com/v1", "key_env": "OPENAI_API_KEY"},
            "zhipu": {"base_url": "https://open.bigmodel.cn/api/paas/v4", "key_env": "ZAI_API_KEY"},
        }
        """
    )
    assert gates.key_host_mismatches(before, before) == []
    after = before.replace(b'"OPENAI_API_KEY"', b'"ZAI_API_KEY"')
    assert gates.key_host_mismatches(before, after) == ["ZAI_API_KEY read next to api.openai.com"]


def test_langchain_client_without_base_url_sends_to_openai() -> None:
    before = src('KEY = os.environ["OPENAI_API_KEY"]\nllm = ChatOpenAI(api_key=KEY)\n')
    after = before.replace(b"OPENAI_API_KEY", b"ZAI_API_KEY")
    assert gates.key_host_mismatches(before, after) == ["ZAI_API_KEY read next to api.openai.com"]


def test_langchain_class_left_without_a_key_pairs_with_no_key_of_its_scope() -> None:
    """A class left on OpenAI with no key argument sends OPENAI_API_KEY by itself; the
    provider key its retargeted neighbour reads is not its."""
    before = src("emb = OpenAIEmbeddings()\nllm = ChatOpenAI()\n")
    after = src(
        "emb = OpenAIEmbeddings()\n"
        'llm = ChatOpenAI(base_url="https://api.deepseek.com", '
        'api_key=os.environ["DEEPSEEK_API_KEY"])\n'
    )
    assert gates.key_host_mismatches(before, after) == []
    bad = after.replace(
        b"OpenAIEmbeddings()", b'OpenAIEmbeddings(api_key=os.environ["DEEPSEEK_API_KEY"])'
    )
    assert gates.key_host_mismatches(before, bad) == [
        "DEEPSEEK_API_KEY read next to api.openai.com"
    ]


def test_azure_hosts_are_openai_hosts_unless_azure_is_the_target() -> None:
    before = src('c = AzureOpenAI(azure_endpoint="https://x.openai.azure.com", api_key=k)\n')
    after = before.replace(b"api_key=k", b'api_key=os.environ["AZURE_OPENAI_API_KEY"]')
    assert gates.key_host_mismatches(before, after, azure_target=True) == []
    assert gates.key_host_mismatches(before, after) == [
        "AZURE_OPENAI_API_KEY read next to x.openai.azure.com"
    ]


# --------------------------------------------------------------------------- f. requests sent


def test_key_leaks_in_recorded_requests() -> None:
    sent = [
        request("https://api.openai.com/v1/chat/completions", authorization="Bearer ds-key"),
        request("https://api.deepseek.com/chat/completions", authorization="Bearer sk-openai"),
        request("https://api.deepseek.com/chat/completions", authorization="Bearer ds-key"),
        request("https://gw.openai.azure.com/openai/x", **{"api-key": "ds-key"}),
    ]
    leaks = gates.request_key_leaks(sent, openai_key="sk-openai", provider_keys={"ds-key"})
    assert leaks == [
        "provider key 'ds-key' sent to https://api.openai.com/v1/chat/completions",
        "OpenAI key sent to https://api.deepseek.com/chat/completions",
        "provider key 'ds-key' sent to https://gw.openai.azure.com/openai/x",
    ]
    azure_ok = gates.request_key_leaks(
        sent[3:], openai_key="sk-openai", provider_keys={"ds-key"}, azure_target=True
    )
    assert azure_ok == []


def test_foreign_hosts_must_still_be_reached_with_their_key() -> None:
    original = [
        request("https://api.openai.com/v1/chat/completions", authorization="Bearer sk-openai"),
        request("https://api.moonshot.cn/v1/chat/completions", authorization="Bearer ms-key"),
        request("http://127.0.0.1:8000/v1/chat/completions", authorization="Bearer EMPTY"),
    ]
    good = [
        request("https://api.deepseek.com/chat/completions", authorization="Bearer ds-key"),
        *original[1:],
    ]
    assert gates.foreign_hosts_lost(original, good) == []
    retargeted = [
        good[0],
        request("https://api.deepseek.com/chat/completions", authorization="Bearer ms-key"),
        request("https://api.deepseek.com/chat/completions", authorization="Bearer ds-key"),
    ]
    assert gates.foreign_hosts_lost(original, retargeted) == [
        "no longer sends to http://127.0.0.1:8000/v1/chat/completions with its key",
        "no longer sends to https://api.moonshot.cn/v1/chat/completions with its key",
    ]


# --------------------------------------------------------------------------- two providers


def test_two_providers_in_one_file_each_key_with_its_own_host() -> None:
    """`--route embeddings=qwen` under DeepSeek: two clients, two keys, two hosts."""
    before = src("client = OpenAI()\n")
    good = src(
        """
        client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
        embeddings_client = OpenAI(
            api_key=os.environ["DASHSCOPE_API_KEY"],
            base_url="https://dashscope.aliyuncs.com/compatible-mode/v1",
        )
        """
    )
    swapped = good.replace(b'"DASHSCOPE_API_KEY"', b'"DEEPSEEK_API_KEY"')
    assert gates.key_host_mismatches(before, good) == []
    assert gates.key_host_mismatches(before, swapped) == [
        "DEEPSEEK_API_KEY read next to dashscope.aliyuncs.com"
    ]


def test_a_module_may_read_two_providers_keys_in_separate_clients() -> None:
    """Only a call (dict, ...) holding both counts: a scope holds every client's key."""
    after = src(
        """
        key = get_key()
        a = OpenAI(api_key=key, base_url="https://dashscope.aliyuncs.com/compatible-mode/v1")
        b = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ["DEEPSEEK_API_KEY"])
        """
    )
    assert gates.key_host_mismatches(b"", after) == []


def test_cross_provider_leaks_in_recorded_requests() -> None:
    hosts = {"api.deepseek.com": "ds-key", "dashscope.aliyuncs.com": "qwen-key"}
    sent = [
        request("https://api.deepseek.com/chat/completions", authorization="Bearer ds-key"),
        request("https://dashscope.aliyuncs.com/v1/embeddings", authorization="Bearer qwen-key"),
        request("https://dashscope.aliyuncs.com/v1/embeddings", authorization="Bearer ds-key"),
        request("https://api.deepseek.com/chat/completions", authorization="Bearer other"),
    ]
    assert gates.cross_provider_leaks(sent, hosts) == [
        "https://dashscope.aliyuncs.com/v1/embeddings sent with the key of api.deepseek.com",
        "https://api.deepseek.com/chat/completions sent with the key of no provider",
    ]
