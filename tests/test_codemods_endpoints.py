"""codemods/endpoints.py: calls to endpoint families the provider lacks are marked."""

# ruff: noqa: E501 - expected outputs are real rewrites: a long call stays on one line

from __future__ import annotations

from tests.codemod_helpers import check_noop, check_transformed, ids

HEAD = """\
from openai import OpenAI


def media(client: OpenAI):
"""


def test_unsupported_families_are_marked_and_left_as_they_are() -> None:
    found = check_transformed(
        HEAD
        + """\
            client.images.generate(model="dall-e-3", prompt="cat")
            with client.audio.speech.with_streaming_response.create(model="tts-1", voice="alloy", input="x") as r:
                pass
            return client.beta.assistants.create(model="gpt-4o")
        """,
        HEAD
        + """\
            # migrator: MIG401 images.generate: no image generation endpoint at moonshot
            client.images.generate(model="dall-e-3", prompt="cat")
            # migrator: MIG401 audio.speech.create: no audio endpoint at moonshot
            with client.audio.speech.with_streaming_response.create(model="tts-1", voice="alloy", input="x") as r:
                pass
            # migrator: MIG401 beta.assistants.create: no Assistants endpoint at moonshot
            return client.beta.assistants.create(model="gpt-4o")
        """,
        "kimi",
    )
    errors = [f for f in found if f.id == "MIG401"]
    assert [f.severity for f in errors] == ["error"] * 3
    assert "port this call by hand" in errors[0].message


def test_supported_families_are_not_marked() -> None:
    found = check_noop(HEAD + "    return client.files.list()\n", "qwen")
    assert "MIG401" not in ids(found)


def test_marker_is_not_added_twice() -> None:
    marked = (
        HEAD
        + "    # migrator: MIG401 moderations.create: no moderations endpoint at deepseek\n"
        + '    return client.moderations.create(input="x")\n'
    )
    assert "MIG401" in ids(check_noop(marked))


def test_ignore_comment_suppresses_the_marker() -> None:
    found = check_noop(
        HEAD + '    return client.moderations.create(input="x")  # migrator: ignore[MIG401]\n'
    )
    assert "MIG401" not in ids(found)


def test_v0_calls_are_reported_once_per_file() -> None:
    found = check_transformed(
        """\
        import openai

        openai.api_base = "https://api.openai.com/v1"
        openai.ChatCompletion.create(model="m", messages=[])
        openai.ChatCompletion.create(model="m", messages=[])
        """,
        """\
        import os

        import openai

        openai.api_key = os.environ.get("DASHSCOPE_API_KEY", "missing-DASHSCOPE_API_KEY")
        openai.api_base = "https://dashscope.aliyuncs.com/compatible-mode/v1"
        openai.ChatCompletion.create(model="m", messages=[])
        openai.ChatCompletion.create(model="m", messages=[])
        """,
        "qwen",
    )
    v0 = [f for f in found if f.id == "MIG402"]
    assert len(v0) == 1 and v0[0].message.startswith("2 v0 module API call(s) kept")


def test_calls_through_a_client_on_another_provider_are_not_marked() -> None:
    found = check_noop(
        """\
        from openai import OpenAI

        client = OpenAI(base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", api_key=k)
        client.embeddings.create(model="text-embedding-v4", input="x")
        """
    )
    assert ids(found) == ["MIG104"]
