"""`value_trace.string_value` reads most literals off their text; it must give what
libcst's `evaluated_value` (Python's own literal evaluation) gives, for every literal."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

import libcst as cst
import pytest

from migrator.value_trace import string_value

ROOT = Path(__file__).resolve().parent.parent

SHAPES = [
    '"plain"', "'single'", '""', "''", '"""triple\nlines"""', "'''a 'quoted' b'''",
    r'"escaped\n"', r'"tab\tand \"quote\""', r"r'raw\n'", r'R"raw \" quote"', r"r'''raw\d'''",
    "u'unicode'", "U\"ü\"", 'b"bytes"', "rb'raw bytes'", "Br'x'", '"中文"', '"a\\\nb"',
    '"""a\r\nb"""', "'\\x41'", "'\\N{BULLET}'", '"""ends with quote\\""""',
]  # fmt: skip


def _expected(literal: str) -> str | None:
    value = cst.SimpleString(literal).evaluated_value
    return value if isinstance(value, str) else None


@pytest.mark.parametrize("literal", SHAPES)
def test_shapes(literal: str) -> None:
    assert string_value(cst.SimpleString(literal)) == _expected(literal)


def test_every_literal_of_the_project() -> None:
    compared = 0
    for path in sorted(ROOT.glob("*/**/*.py")):
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text("utf-8")).readline))
        except (SyntaxError, UnicodeDecodeError, tokenize.TokenError):
            continue  # fixtures of broken input
        for token in tokens:
            if (
                token.type != tokenize.STRING
                or "f" in token.string.split("'")[0].split('"')[0].lower()
            ):
                continue
            node = cst.SimpleString(token.string)
            assert string_value(node) == _expected(token.string), (path, token.start)
            compared += 1
    assert compared > 10_000
