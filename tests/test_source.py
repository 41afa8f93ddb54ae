"""Decoding and parsing target files: encodings, BOM, newlines, and errors with lines."""

from __future__ import annotations

import random
from pathlib import Path

import libcst as cst
import pytest

from migrator.discovery import discover
from migrator.inventory import build_inventory
from migrator.scan import scan
from migrator.source import parse_source

ENCODINGS = Path(__file__).resolve().parent.parent / "fixtures" / "encodings"


def strings(module: cst.Module) -> list[str]:
    found: list[str] = []

    class Collect(cst.CSTVisitor):
        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            value = node.evaluated_value
            if isinstance(value, str):
                found.append(value)

    module.visit(Collect())
    return found


def test_gbk_crlf_fixture_is_what_it_claims() -> None:
    data = (ENCODINGS / "gbk_crlf.py").read_bytes()
    assert data.startswith(b"# -*- coding: gbk -*-\r\n")
    assert b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_gbk_crlf_decodes_and_round_trips() -> None:
    data = (ENCODINGS / "gbk_crlf.py").read_bytes()
    module, error = parse_source(data, "gbk_crlf.py")
    assert error is None and module is not None
    assert module.encoding == "gbk"
    assert module.default_newline == "\r\n"
    assert "请用中文总结下面的文章" in strings(module)
    assert module.bytes == data  # same encoding, same newlines, byte for byte


def test_gbk_crlf_inventory_lines() -> None:
    data = (ENCODINGS / "gbk_crlf.py").read_bytes()
    module, _ = parse_source(data, "gbk_crlf.py")
    assert module is not None
    inv = build_inventory(cst.MetadataWrapper(module, unsafe_skip_copy=True), "gbk_crlf.py")
    assert [(u.line, u.column, u.kind, u.api) for u in inv.usages()] == [
        (4, 1, "import", "openai.OpenAI"),
        (6, 10, "client", "OpenAI"),
        (12, 12, "call", "chat.completions.create"),
    ]
    assert inv.calls[0].usage.model == "gpt-4o"


def test_utf8_bom_decodes_and_round_trips() -> None:
    data = (ENCODINGS / "utf8_bom.py").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    module, error = parse_source(data, "utf8_bom.py")
    assert error is None and module is not None
    assert module.bytes == data  # the BOM is kept
    assert "sk-测试" in strings(module)
    inv = build_inventory(cst.MetadataWrapper(module, unsafe_skip_copy=True), "utf8_bom.py")
    # the BOM is not a character of line 1: columns start at 1 on every line
    assert [(u.line, u.column, u.kind) for u in inv.usages()] == [
        (2, 1, "import"),
        (4, 1, "config"),
        (5, 8, "call"),
    ]


def test_syntax_error_fixture_names_its_line() -> None:
    data = (ENCODINGS / "syntax_error.py").read_bytes()
    module, error = parse_source(data, "syntax_error.py")
    assert module is None and error is not None
    assert error.path == "syntax_error.py"
    assert error.line == 5  # `def broken(:` (libcst itself would say 6)
    assert error.message.startswith("syntax error")


def test_undecodable_fixture_names_its_line() -> None:
    data = (ENCODINGS / "undecodable.py").read_bytes()
    module, error = parse_source(data, "undecodable.py")
    assert module is None and error is not None
    assert error.line == 4  # GREETING = "caf\xe9": latin-1 in a file without a cookie
    assert "utf-8" in error.message


def test_scan_over_the_folder_goes_on_after_errors() -> None:
    report = scan(discover(ENCODINGS), jobs=1)
    assert report.stats.files_scanned == 4
    assert [(e.path, e.line) for e in report.errors] == [
        ("syntax_error.py", 5),
        ("undecodable.py", 4),
    ]
    by_file = {r.path: [(u.line, u.kind) for u in r.usages] for r in report.results}
    assert by_file["gbk_crlf.py"] == [(4, "import"), (6, "client"), (12, "call")]
    assert by_file["utf8_bom.py"] == [(2, "import"), (4, "config"), (5, "call")]
    assert report.files_with_usage == 2


@pytest.mark.parametrize(
    ("data", "line", "fragment"),
    [
        (b"x = 1\ny = (\nz = 3\n", 2, "never closed"),
        (b"x = 1\nif x\n    pass\n", 2, "expected ':'"),
        (b"x = 1\nprint 'hello'\ny = 2\n", 2, "print"),  # Python 2
        (b"x = 1\n  y = 2\n", 2, "indent"),
        (b"x = 1\ny = 'abc\nz = 2\n", 2, "unterminated string"),
        (b"if 1:\n\tx = 1\n        y = 2\n", 3, "tabs"),
        (b"import openai\r\n\r\nx = (\r\n", 3, "never closed"),
        (b"#!/usr/bin/env python\n# -*- coding: klingon -*-\nimport openai\n", 2, "klingon"),
        (b"\xef\xbb\xbf# coding: latin-1\nimport openai\n", 1, "encoding"),
        ("# coding: gbk\nx = '中'\n".encode("gbk") + b"y = '\x80\xff'\n", 3, "gbk"),
        (b"\xef\xbb\xbfimport openai\n\nx = '\xff'\n", 3, "utf-8"),
    ],
)
def test_errors_carry_the_right_line(data: bytes, line: int, fragment: str) -> None:
    module, error = parse_source(data, "bad.py")
    assert module is None and error is not None
    assert error.line == line, error
    assert fragment in error.message


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xef\xbb\xbf",
        b"#!/usr/bin/env python\n# vim: set fileencoding=latin-1 :\nx = '\xe9'\n",
        b"type Alias = int\n",  # newer syntax than the running Python: libcst decides
        b"x = " + b"(" * 200 + b"1" + b")" * 200 + b"\n",
    ],
)
def test_valid_sources_parse(data: bytes) -> None:
    module, error = parse_source(data, "ok.py")
    assert error is None and module is not None
    assert module.bytes == data


def test_parse_source_never_raises_on_garbage() -> None:
    rng = random.Random(20240601)
    pieces = [b"def ", b"(", b")", b":", b"\n", b"    ", b"\t", b"'", b'"""', b"\xff",
              b"\x00", b"\r", b"openai", b"# coding: gbk\n", b"\xef\xbb\xbf", b"\\",
              b"f'{", b"lambda"]  # fmt: skip
    for _ in range(300):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        module, error = parse_source(data, "fuzz.py")
        assert (module is None) != (error is None)
        if error is not None:
            assert error.line >= 1


def test_rewritten_code_is_checked_by_python_then_libcst() -> None:
    from migrator.source import output_syntax_error

    assert output_syntax_error(b"x = 1\n", "f.py") is None
    error = output_syntax_error(b"def f(:\n    pass\n", "f.py")
    assert error is not None and error.line == 1 and "syntax error" in error.message
    # Newer syntax than this Python reads (3.12's `type`) falls to libcst, which reads it.
    assert output_syntax_error(b"type Vector = list[float]\n", "f.py") is None
    assert output_syntax_error(b"x = 1\0\n", "f.py") is not None  # a null byte
    # what CPython's compiler refuses but its parser (and libcst) reads is not an error
    for parses in (b"return 1\n", b"def f(a, a): pass\n", b"nonlocal x\n", b"await x\n"):
        with pytest.raises(SyntaxError):
            compile(parses, "f.py", "exec", dont_inherit=True)
        assert output_syntax_error(parses, "f.py") is None, parses
