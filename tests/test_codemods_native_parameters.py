"""The native strategy's parameter rules, before/after: what the SDKs' own tables say."""

from __future__ import annotations

import textwrap

import pytest
from migrator.codemods.strategies import COMPAT

from migrator.options import RewriteOptions
from migrator.rewrite import rewrite_job
from tests.codemod_helpers import ids, mapping
from tests.test_codemods_native_clients import native

STREAM = """\
from openai import OpenAI

client = OpenAI()
stream = client.chat.completions.create(
    model="gpt-4o",
    messages=[],
    stream=True,
    stream_options={"include_usage": True},
)
"""


@pytest.mark.parametrize("provider", ["dashscope", "zhipu"])
def test_stream_options_dropped_where_every_stream_carries_usage(provider: str) -> None:
    """DashScope's native events each carry the usage so far, and Zhipu ends every stream
    with it: moved into `parameters=` / `extra_body=`, the field only sent noise."""
    got, found = native(STREAM, provider)
    assert "stream_options" not in got
    assert "parameters=" not in got and "extra_body=" not in got
    assert "stream=True," in got
    assert "MIG301" in found and "MIG304" not in found


def test_ark_keeps_stream_options_as_openai_does() -> None:
    got, _ = native(STREAM, "ark")
    assert 'stream_options={"include_usage": True},' in got


EMBED = """\
from openai import OpenAI

client = OpenAI()
vectors = client.embeddings.create(model="text-embedding-3-small", input=["a"])
"""


@pytest.mark.parametrize("provider", ["zhipu", "ark", "dashscope"])
def test_native_sdks_are_not_asked_for_float_vectors(provider: str) -> None:
    """The model's `encoding_format: float` makes up for the openai SDK's base64 default;
    the providers' SDKs return floats unasked, and their tables drop the field."""
    got, _ = native(EMBED, provider)
    assert "encoding_format" not in got, got


def test_compat_still_asks_for_float_vectors() -> None:
    data = textwrap.dedent(EMBED).encode()
    result = rewrite_job("example.py", data, RewriteOptions(mapping("zhipu"), COMPAT))
    assert result.new_source is not None
    assert b'extra_body={"encoding_format": "float"}' in result.new_source
    assert "MIG304" not in ids(result.findings)
