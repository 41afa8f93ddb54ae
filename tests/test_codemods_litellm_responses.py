"""The litellm responses fixer where a response read is written across lines inside the
parentheses of its own expression: the reshaped read keeps those parentheses (found on a
real project: without them the rewrite did not parse)."""

from __future__ import annotations

import ast
import textwrap

from tests.codemod_helpers import ids, rewrite

SOURCE = """\
from openai import OpenAI

client = OpenAI()


def embed(text):
    vector = (
        client.embeddings.create(model="text-embedding-3-small", input=text)
        .data[0]
        .embedding
    )
    return vector


def usage_of(messages):
    stream = client.chat.completions.create(model="gpt-4o", messages=messages, stream=True)
    for chunk in stream:
        seen = (
            chunk
            .usage
        )
        print(seen)
"""


def test_a_read_spread_over_lines_keeps_its_parentheses() -> None:
    got, result = rewrite(textwrap.dedent(SOURCE), "acme", strategy="litellm")
    ast.parse(got)  # the output is one program
    assert "internal error" not in " ".join(e.message for e in result.errors)
    assert "MIG187" in ids(result.findings)
    assert "vector = (\n        litellm.embedding(" in got
    assert '.data[0]["embedding"]\n    )' in got
    assert 'seen = (\n            getattr(chunk, "usage", None)\n        )' in got
