"""The native strategy's response reshaping in one file (dashscope, whose 2.x client names
usage, id and embeddings differently): before/after, on the response-flow component."""

# ruff: noqa: E501 - expected outputs are real rewrites: a long line stays on one line

from __future__ import annotations

import textwrap
from dataclasses import replace

from migrator.codemods.strategies import NATIVE

from migrator.mapping_native import ResponseRename
from migrator.options import RewriteOptions
from migrator.rewrite import rewrite_job
from tests.codemod_helpers import ids, mapping
from tests.test_codemods_native_clients import native as native_program

HEAD = """\
import os

import dashscope

client = dashscope.Client(api_key=os.environ.get("DASHSCOPE_API_KEY", "missing-DASHSCOPE_API_KEY"))
"""


def native(body: str, provider: str = "dashscope") -> tuple[str, list[str]]:
    """`body` under `client = OpenAI()`, rewritten; the client line is checked apart."""
    src = "from openai import OpenAI\n\nclient = OpenAI()\n" + textwrap.dedent(body)
    options = RewriteOptions(mapping(provider), NATIVE)
    result = rewrite_job("app/llm.py", src.encode(), options)
    assert not result.errors, result.errors
    assert result.new_source is not None
    again = rewrite_job("app/llm.py", result.new_source, options)
    assert again.new_source is None, again.new_source
    return result.new_source.decode(), ids(result.findings)


def check(before: str, after: str) -> list[str]:
    got, found = native(before)
    assert got == HEAD + textwrap.dedent(after)
    return found


def test_stream_chunks_are_read_with_the_chat_table() -> None:
    found = check(
        """\
        def ask(q):
            stream = client.chat.completions.create(model="qwen3-max", messages=q, stream=True)
            for chunk in stream:
                if chunk.usage:
                    print(chunk.id, chunk.usage.prompt_tokens, chunk.choices[0].delta.content)
        """,
        """\
        def ask(q):
            stream = client.chat.completions.create(model="qwen3-max", messages=q, stream=True)
            for chunk in stream:
                if chunk.usage:
                    print(chunk.request_id, chunk.usage.input_tokens, chunk.choices[0].delta.content)
        """,
    )
    assert found.count("MIG150") == 2


def test_summing_chunk_usage_is_marked() -> None:
    found = check(
        """\
        def ask(q):
            total = 0
            for chunk in client.chat.completions.create(model="qwen3-max", messages=q, stream=True):
                total += chunk.usage.completion_tokens
            return total
        """,
        """\
        def ask(q):
            total = 0
            for chunk in client.chat.completions.create(model="qwen3-max", messages=q, stream=True):
                # migrator: MIG154 dashscope chunks carry the usage so far: keep the last
                total += chunk.usage.output_tokens
            return total
        """,
    )
    assert "MIG154" in found and "MIG152" not in found  # the total is a number: nothing to follow


def test_embeddings_renamed_and_a_field_without_equivalent_marked() -> None:
    found = check(
        """\
        def embed(texts):
            r = client.embeddings.create(model="text-embedding-v4", input=texts)
            print(r.usage.prompt_tokens)
            return [d.embedding for d in r.data]
        """,
        """\
        def embed(texts):
            r = client.embeddings.create(model="text-embedding-v4", input=texts)
            # migrator: MIG151 dashscope's embedding response has no `usage.prompt_tokens`
            print(r.usage.prompt_tokens)
            return [d.embedding for d in r.embeddings]
        """,
    )
    assert {"MIG150", "MIG151"} <= set(found)


def test_dashscope_embedding_response_has_no_model() -> None:
    # dashscope==2.0.2:dashscope/v2/resources/embeddings.py EmbeddingResponse: embeddings,
    # usage and the envelope only; `r.model` raised AttributeError (the demo's backfill
    # script stores it beside each vector).
    found = check(
        """\
        def embed(texts):
            r = client.embeddings.create(model="text-embedding-v4", input=texts)
            return [(d.embedding, r.model) for d in r.data]
        """,
        """\
        def embed(texts):
            r = client.embeddings.create(model="text-embedding-v4", input=texts)
            # migrator: MIG151 dashscope's embedding response has no `model`
            return [(d.embedding, r.model) for d in r.embeddings]
        """,
    )
    assert {"MIG150", "MIG151"} <= set(found)


def test_returned_response_followed_into_the_callers_of_the_module() -> None:
    found = check(
        """\
        def ask(q):
            return client.chat.completions.create(model="qwen3-max", messages=q)


        async def main():
            r = ask([])
            print(r.usage.prompt_tokens, ask([]).id)
        """,
        """\
        def ask(q):
            return client.chat.completions.create(model="qwen3-max", messages=q)


        async def main():
            r = ask([])
            print(r.usage.input_tokens, ask([]).request_id)
        """,
    )
    assert "MIG153" in found and "MIG152" not in found


def test_response_going_nowhere_followable_marks_the_call_with_where() -> None:
    got, found = native(
        """\
        class Bot:
            def ask(self, q):
                r = client.chat.completions.create(model="qwen3-max", messages=q)
                self.last = r
                return r


        def lonely(q):
            return client.chat.completions.create(model="qwen3-max", messages=q)
        """
    )
    assert (
        "# migrator: MIG152 dashscope response goes on: stored in `self.last` (line 7); "
        "returned from `app.llm.Bot.ask` (line 8)\n"
        "        r = client.chat.completions.create" in got
    )
    assert "# migrator: MIG152 dashscope response goes on: returned from `app.llm.lonely`" in got
    assert found.count("MIG152") == 2


def test_a_stream_entered_by_with_is_marked() -> None:
    got, found = native(
        """\
        def ask(q):
            with client.chat.completions.create(model="qwen3-max", messages=q, stream=True) as s:
                for chunk in s:
                    print(chunk.usage.prompt_tokens)
        """
    )
    assert "# migrator: MIG152 dashscope response goes on: entered by `with` (line 5)" in got
    assert found.count("MIG152") == 1


def test_a_function_used_as_a_value_is_not_followed() -> None:
    got, found = native(
        """\
        def ask(q):
            return client.chat.completions.create(model="qwen3-max", messages=q)


        HANDLERS = {"ask": ask}
        """
    )
    assert "MIG152" in found and "MIG153" not in found


def test_parts_that_need_no_table_do_not_count_as_escapes() -> None:
    found = check(
        """\
        def ask(q):
            r = client.chat.completions.create(model="qwen3-max", messages=q)
            print(r.choices[0].message.content)
            return r.choices[0].message.content
        """,
        """\
        def ask(q):
            r = client.chat.completions.create(model="qwen3-max", messages=q)
            print(r.choices[0].message.content)
            return r.choices[0].message.content
        """,
    )
    assert not {"MIG150", "MIG151", "MIG152", "MIG153"} & set(found)


def test_a_made_up_table_is_applied_as_the_mapping_states_it() -> None:
    """The fixer reads the mapping only: a table of another depth-preserving rename works."""
    base = mapping("dashscope")
    assert base.native is not None
    renames = (ResponseRename("chat", "choices", "outputs"),)
    acme = replace(base, native=replace(base.native, responses=renames))
    src = textwrap.dedent(
        """\
        from openai import OpenAI

        client = OpenAI()
        r = client.chat.completions.create(model="qwen3-max", messages=[])
        print(r.choices[0].message.content, r.usage.prompt_tokens)
        """
    )
    result = rewrite_job("a.py", src.encode(), RewriteOptions(acme, NATIVE))
    assert result.new_source is not None
    new = result.new_source.decode()
    assert "print(r.outputs[0].message.content, r.usage.prompt_tokens)" in new


# What the execution tests found missing before the move onto response_flow.
def test_dashscope_stream_usage_is_read_with_its_own_names() -> None:
    got, _ = native_program(
        """\
        from openai import OpenAI

        client = OpenAI()
        stream = client.chat.completions.create(model="gpt-4o", messages=[], stream=True)
        for chunk in stream:
            if chunk.usage is not None:
                print(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
        """,
        "dashscope",
    )
    assert "print(chunk.usage.input_tokens, chunk.usage.output_tokens)" in got


def test_dashscope_usage_read_where_the_response_is_returned_to() -> None:
    got, _ = native_program(
        """\
        from openai import OpenAI

        client = OpenAI()


        def label(report):
            return client.chat.completions.create(model="gpt-4o", messages=[])


        resp = label("x")
        print(resp.usage.prompt_tokens)
        """,
        "dashscope",
    )
    assert "print(resp.usage.input_tokens)" in got
