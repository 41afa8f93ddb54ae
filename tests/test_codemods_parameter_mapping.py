"""codemods/parameter_mapping.py: the parameter rules inside a `**params` mapping the
function builds (renamed, dropped, clamped where the key is set; the rest reported)."""

# ruff: noqa: E501 - expected outputs are real rewrites: a long call stays on one line

from __future__ import annotations

from tests.codemod_helpers import check_noop, check_transformed, sent

MAPPING_BEFORE = """\
    from openai import OpenAI


    def ask(client: OpenAI, messages, uid):
        params = {"max_completion_tokens": 256, "user": uid, "top_p": 1.0}
        params["logit_bias"] = {}
        return client.chat.completions.create(model="gpt-4o", messages=messages, **params)
    """


def test_mapping_entries_follow_the_parameter_rules_qwen() -> None:
    after = """\
        from openai import OpenAI


        def ask(client: OpenAI, messages, uid):
            params = {"max_tokens": 256, "top_p": 1.0}
            params["logit_bias"] = {}
            return client.chat.completions.create(model="qwen3-max", messages=messages, **params)
        """
    found = check_transformed(MAPPING_BEFORE, after, "qwen")
    assert [(f.id, f.line) for f in found if f.id != "MIG106"] == [
        ("MIG301", 5), ("MIG302", 5), ("MIG305", 6),
    ]  # fmt: skip
    assert sent(after, "ask(client, [], 'u')") == {
        "model": "qwen3-max",
        "messages": [],
        "max_tokens": 256,
        "top_p": 1.0,
        "logit_bias": {},
    }


def test_mapping_entries_follow_the_parameter_rules_glm() -> None:
    after = """\
        from openai import OpenAI


        def ask(client: OpenAI, messages, uid):
            params = {"max_tokens": 256, "user": uid, "top_p": 0.99}
            params["logit_bias"] = {}
            return client.chat.completions.create(model="glm-4-plus", messages=messages, **params)
        """
    found = check_transformed(MAPPING_BEFORE, after, "zhipu")
    found = [f for f in found if f.id != "MIG106"]
    assert [(f.id, f.line) for f in found] == [
        ("MIG303", 5), ("MIG305", 5), ("MIG302", 5), ("MIG305", 6),
    ]  # fmt: skip
    assert "extra_body" in found[1].message  # user= is left where it is, reported


def test_mapping_entries_read_back_or_shared_are_left() -> None:
    check_noop(
        """\
        from openai import OpenAI


        def ask(client: OpenAI, messages):
            params = {"max_completion_tokens": 256}
            print(params["max_completion_tokens"])
            return client.chat.completions.create(model="deepseek-chat", messages=messages, **params)


        def ask_twice(client: OpenAI, messages):
            params = {"max_completion_tokens": 256}
            log_request(**params)
            return client.chat.completions.create(model="deepseek-chat", messages=messages, **params)
        """,
        "deepseek",
    )


def test_a_value_the_provider_takes_as_it_is_stays_in_the_mapping() -> None:
    """DashScope's drop rule for encoding_format keeps "float" (`keep: [float]`): dropped,
    the openai SDK would ask for base64 again, and with a model that is not a literal no
    extra_body brings float back."""
    found = check_noop(
        """\
        from openai import OpenAI


        def embed(client: OpenAI, text, model):
            params = {"input": text, "model": model, "encoding_format": "float"}
            return client.embeddings.create(**params)
        """,
        "qwen",
    )
    assert "MIG301" not in {f.id for f in found}
