"""Properties of the rewrite, on every input of fixtures/rewrite/ for every provider.

* the output parses (as Python, honouring its coding cookie and BOM);
* a second run on the output changes nothing (idempotence);
* encoding, BOM and newline style survive;
* files without OpenAI usage come out byte for byte as they went in;
* every line the diff removes or replaces lies inside a node some fixer edited (or an
  import statement): the bytes around the edits are untouched;
* the output leaves no name undefined that the input defined (pyflakes).
"""

from __future__ import annotations

import ast
import difflib
import io
import tokenize
from functools import cache

import libcst as cst
import pytest
from migrator.codemods.strategies import COMPAT

from migrator.rewrite import rewrite_job, rewrite_module
from migrator.source import parse_source
from tests.codemod_helpers import (
    INPUTS,
    PROVIDERS,
    REWRITE_FIXTURES,
    ROOT,
    fixture_output,
    fixture_result,
    options,
)
from tests.import_safety import assert_no_new_undefined_names

CASES = [(provider, name) for provider in PROVIDERS for name in INPUTS]
BOM = b"\xef\xbb\xbf"
# Inputs that must never change: no OpenAI SDK at all, or code already on a provider.
UNCHANGED = ("lookalikes.py", "already_migrated.py")
INVENTORY_NO_USAGE = sorted((ROOT / "fixtures" / "inventory").glob("no_usage_*.py"))


def _encoding(data: bytes) -> str:
    return tokenize.detect_encoding(io.BytesIO(data).readline)[0]


@pytest.mark.parametrize(("provider", "name"), CASES)
def test_output_parses(provider: str, name: str) -> None:
    result = fixture_result(provider, name)
    assert not result.errors
    ast.parse(fixture_output(provider, name), filename=name)


@pytest.mark.parametrize(("provider", "name"), CASES)
def test_second_run_changes_nothing(provider: str, name: str) -> None:
    if fixture_result(provider, name).new_source is None:
        return  # unchanged input: the first run already was the second
    again = rewrite_job(name, fixture_output(provider, name), options(provider))
    assert not again.errors
    assert again.new_source is None, again.new_source.decode(_encoding(again.new_source))


@pytest.mark.parametrize(("provider", "name"), CASES)
def test_no_new_undefined_names(provider: str, name: str) -> None:
    before = (REWRITE_FIXTURES / name).read_bytes()
    after = fixture_output(provider, name)
    assert_no_new_undefined_names(before.decode(_encoding(before)), after.decode(_encoding(after)))


@pytest.mark.parametrize(("provider", "name"), CASES)
def test_encoding_bom_and_newlines_survive(provider: str, name: str) -> None:
    old = (REWRITE_FIXTURES / name).read_bytes()
    new = fixture_output(provider, name)
    assert new.startswith(BOM) == old.startswith(BOM)
    assert _encoding(new) == _encoding(old)
    new.decode(_encoding(new))  # every byte is valid in the declared encoding
    if b"\r\n" in old:
        assert new.count(b"\n") == new.count(b"\r\n"), "a bare LF slipped into a CRLF file"
    else:
        assert b"\r" not in new


def test_encoding_inputs_are_what_they_claim() -> None:
    """The property above is only as good as its inputs: keep a GBK+CRLF and a BOM file."""
    gbk = (REWRITE_FIXTURES / "gbk_crlf.py").read_bytes()
    assert _encoding(gbk) == "gbk" and b"\r\n" in gbk and b"\n" not in gbk.replace(b"\r\n", b"")
    gbk.decode("gbk").encode("gbk")
    assert (REWRITE_FIXTURES / "utf8_bom.py").read_bytes().startswith(BOM)
    for provider in PROVIDERS:
        for name in ("gbk_crlf.py", "utf8_bom.py"):
            assert fixture_result(provider, name).new_source is not None, (provider, name)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_files_without_openai_usage_are_byte_identical(provider: str) -> None:
    for name in UNCHANGED:
        result = fixture_result(provider, name)
        assert result.new_source is None, f"{name} changed for {provider}"
    # LangChain / llama_index OpenAI classes are not the SDK but send to OpenAI: the
    # wrapper fixer rewrites them (tests/test_codemods_wrapper_clients.py); every other
    # fixer leaves these files byte for byte.
    others = tuple(n for n in COMPAT.fixer_names() if n != "wrapper-clients")
    for path in INVENTORY_NO_USAGE:
        result = rewrite_job(path.name, path.read_bytes(), options(provider, only=others))
        assert result.new_source is None, f"{path.name} changed for {provider}"


@cache
def _edited_lines(provider: str, name: str) -> frozenset[int]:
    """Old lines inside a node a fixer edited, or in a top-level import statement."""
    module, error = parse_source((REWRITE_FIXTURES / name).read_bytes(), name)
    assert module is not None, error
    new, plan = rewrite_module(module, name, options(provider))
    assert new.bytes == fixture_output(provider, name)
    lines: set[int] = set()
    for node in plan.edits:
        first, last = plan.span_of(node)
        lines.update(range(first, last + 1))
    for statement in plan.module.body:
        if isinstance(statement, cst.SimpleStatementLine) and all(
            isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body
        ):
            first, last = plan.span_of(statement)
            lines.update(range(first, last + 1))
    return frozenset(lines)


@pytest.mark.parametrize(("provider", "name"), CASES)
def test_bytes_outside_edited_nodes_are_identical(provider: str, name: str) -> None:
    if fixture_result(provider, name).new_source is None:
        return
    old_lines = (REWRITE_FIXTURES / name).read_bytes().splitlines(keepends=True)
    new_lines = fixture_output(provider, name).splitlines(keepends=True)
    allowed = _edited_lines(provider, name)
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            touched = set(range(i1 + 1, i2 + 1))
            assert touched <= allowed, (
                f"{name} ({provider}): lines {sorted(touched - allowed)} changed outside "
                "any edited node"
            )
