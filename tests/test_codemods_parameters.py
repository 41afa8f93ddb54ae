"""codemods/parameters.py: keyword arguments translated as the mapping's rules say."""

# ruff: noqa: E501 - expected outputs are real rewrites: a long call stays on one line

from __future__ import annotations

from tests.codemod_helpers import check_noop, check_transformed, ids, sent

HEAD = """\
from openai import OpenAI


def ask(client: OpenAI, text):
"""


def test_rename_and_drop_keep_one_argument_per_line() -> None:
    found = check_transformed(
        HEAD
        + """\
            return client.chat.completions.create(
                model="gpt-4o",
                messages=[],
                max_completion_tokens=100,
                user="u-1",
                store=True,
            )
        """,
        HEAD
        + """\
            return client.chat.completions.create(
                model="qwen3-max",
                messages=[],
                max_tokens=100,
            )
        """,
        "qwen",
    )
    assert sorted(ids(found)) == ["MIG106", "MIG301", "MIG301", "MIG302"]


def test_rename_onto_an_existing_keyword_drops_the_duplicate() -> None:
    check_transformed(
        HEAD + '    client.chat.completions.create(model="x-1", messages=[], max_tokens=5, '
        "max_completion_tokens=9)\n",
        HEAD + '    client.chat.completions.create(model="x-1", messages=[], max_tokens=5)\n',
        "qwen",
    )


def test_clamp_keeps_the_literal_kind() -> None:
    found = check_transformed(
        HEAD
        + '    client.chat.completions.create(model="m", messages=[], temperature=0, top_p=1)\n',
        HEAD
        + '    client.chat.completions.create(model="m", messages=[], temperature=0.01, top_p=0.99)\n',
        "glm",
    )
    assert ids(found).count("MIG303") == 2


def test_clamp_of_a_computed_value_is_a_finding() -> None:
    found = check_noop(
        HEAD + '    client.chat.completions.create(model="m", messages=[], temperature=t)\n', "glm"
    )
    assert "MIG303" in ids(found)


def test_move_into_extra_body_merges_with_the_users_dict() -> None:
    check_transformed(
        HEAD
        + """\
            client.chat.completions.create(
                model="m",
                user="u-1",
                extra_body={
                    "do_sample": False,
                },
            )
        """,
        HEAD
        + """\
            client.chat.completions.create(
                model="m",
                extra_body={
                    "do_sample": False,
                    "user_id": "u-1",
                },
            )
        """,
        "glm",
    )


def test_computed_extra_body_is_merged_by_union() -> None:
    check_transformed(
        HEAD + '    client.chat.completions.create(model="m", user=uid, extra_body=extra)\n',
        HEAD
        + '    client.chat.completions.create(model="m", extra_body={"user_id": uid} | extra)\n',
        "glm",
    )


def test_unsupported_parameters_get_one_marker_per_call() -> None:
    found = check_transformed(
        HEAD + '    return client.chat.completions.create(model="m", messages=[], n=2, seed=1, '
        "logit_bias={})\n",
        HEAD
        + "    # migrator: MIG305 n, seed, logit_bias: not supported by deepseek\n"
        + '    return client.chat.completions.create(model="m", messages=[], n=2, seed=1, '
        "logit_bias={})\n",
    )
    assert ids(found).count("MIG305") == 3  # one finding per parameter, with its reason


def test_v0_call_gets_extra_fields_as_keywords() -> None:
    check_transformed(
        """\
        import openai

        openai.api_base = "https://api.openai.com/v1"
        openai.ChatCompletion.create(
            model="gpt-4o", messages=[], user="u"
        )
        """,
        """\
        import os

        import openai

        openai.api_key = os.environ.get("ZAI_API_KEY", "missing-ZAI_API_KEY")
        openai.api_base = "https://open.bigmodel.cn/api/paas/v4"
        openai.ChatCompletion.create(
            model="glm-4-plus", messages=[], user_id="u"
        )
        """,
        "glm",
    )


def test_ignore_comment_keeps_a_parameter() -> None:
    check_transformed(
        HEAD
        + """\
            client.chat.completions.create(
                model="m",
                user="u",  # migrator: ignore[MIG301]
                store=True,
            )
        """,
        HEAD
        + """\
            client.chat.completions.create(
                model="m",
                user="u",  # migrator: ignore[MIG301]
            )
        """,
    )


def test_parameters_of_unsupported_endpoints_are_left() -> None:
    found = check_transformed(
        HEAD + '    client.embeddings.create(model="m", input="x", user="u")\n',
        HEAD
        + "    # migrator: MIG401 embeddings.create: no embeddings endpoint at deepseek\n"
        + '    client.embeddings.create(model="m", input="x", user="u")\n',
    )
    assert "MIG301" not in ids(found)


# -- calls with a `**mapping`: nothing is added that it may already carry -------------------


SPLAT_BEFORE = """\
    from openai import OpenAI


    def ask(client: OpenAI, text, user, **params):
        return client.chat.completions.create(
            model="gpt-4o", messages=[], max_completion_tokens=256, user=user, **params
        )


    def ask_visible(client: OpenAI, text, user):
        params = {"temperature": 0.2, "extra_body": {"top_k": 5}}
        return client.chat.completions.create(
            model="gpt-4o", messages=[], max_completion_tokens=256, user="u-1", **params
        )
    """


def test_rename_and_extra_body_beside_an_unknown_mapping_are_reported_glm() -> None:
    after = """\
        from openai import OpenAI


        def ask(client: OpenAI, text, user, **params):
            return client.chat.completions.create(
                model="glm-4-plus", messages=[], max_completion_tokens=256, user=user, **params
            )


        def ask_visible(client: OpenAI, text, user):
            params = {"temperature": 0.2, "extra_body": {"top_k": 5, "user_id": "u-1"}}
            return client.chat.completions.create(
                model="glm-4-plus", messages=[], max_tokens=256, **params
            )
        """
    found = check_transformed(SPLAT_BEFORE, after, "zhipu")
    assert [(f.id, f.line) for f in found if f.id in ("MIG107", "MIG302", "MIG304")] == [
        ("MIG107", 5),
        ("MIG107", 5),
        ("MIG302", 13),
        ("MIG304", 13),
    ]
    assert sent(after, "ask(client, 't', 'u', max_tokens=9)")["max_tokens"] == 9  # type: ignore[index]
    assert sent(after, "ask_visible(client, 't', 'u')") == {
        "model": "glm-4-plus",
        "messages": [],
        "max_tokens": 256,
        "temperature": 0.2,
        "extra_body": {"top_k": 5, "user_id": "u-1"},
    }


def test_model_extra_body_beside_a_mapping_deepseek() -> None:
    after = """\
        from openai import OpenAI


        def ask(client: OpenAI, text, user, **params):
            return client.chat.completions.create(
                model="deepseek-v4-pro", messages=[], max_completion_tokens=256, **params
            )


        def ask_visible(client: OpenAI, text, user):
            params = {"temperature": 0.2, "extra_body": {"top_k": 5, "thinking": {"type": "disabled"}}}
            return client.chat.completions.create(
                model="deepseek-v4-pro", messages=[], max_tokens=256, **params
            )
        """
    found = check_transformed(SPLAT_BEFORE, after, "deepseek")
    reported = [f.message.split(":")[0] for f in found if f.id == "MIG107"]
    assert reported == [
        "max_tokens= may already be in **params",
        "extra_body= may already be in **params",
    ]
    assert sent(after, "ask_visible(client, 't', 'u')")["extra_body"] == {  # type: ignore[index]
        "top_k": 5,
        "thinking": {"type": "disabled"},
    }


def test_mapping_without_the_keys_gets_them_on_the_call_qwen() -> None:
    after = """\
        from openai import OpenAI


        def ask(client: OpenAI, text):
            params = {"temperature": 0.2}
            return client.chat.completions.create(
                model="qwen3-max", messages=[], max_tokens=256, **params
            )
        """
    found = check_transformed(
        """\
        from openai import OpenAI


        def ask(client: OpenAI, text):
            params = {"temperature": 0.2}
            return client.chat.completions.create(
                model="gpt-4o", messages=[], max_completion_tokens=256, user="u-1", **params
            )
        """,
        after,
        "qwen",
    )
    assert "MIG107" not in ids(found)
    assert sent(after, "ask(client, 't')")["max_tokens"] == 256  # type: ignore[index]


def test_a_moved_value_is_not_put_where_its_name_may_be_unbound() -> None:
    found = check_transformed(
        """\
        from openai import OpenAI


        def ask(client: OpenAI, text):
            params = {"extra_body": {}}
            user = text.upper()
            return client.chat.completions.create(model="gpt-4o", messages=[], user=user, **params)
        """,
        """\
        from openai import OpenAI


        def ask(client: OpenAI, text):
            params = {"extra_body": {}}
            user = text.upper()
            return client.chat.completions.create(model="glm-4-plus", messages=[], user=user, **params)
        """,
        "zhipu",
    )
    assert [(f.id, f.line) for f in found] == [("MIG107", 7), ("MIG106", 7)]
