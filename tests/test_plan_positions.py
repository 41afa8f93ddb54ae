"""A plan reads the lines of the nodes the inventory placed from the inventory's own
positions pass; they must be the lines libcst's PositionProvider gives."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import PositionProvider

from migrator.rewrite import rewrite_module
from migrator.source import parse_source
from tests.codemod_helpers import options

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SOURCES = sorted([*FIXTURES.glob("programs/*.py"), *FIXTURES.glob("inventory/*.py")])[:40]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_plan_lines_agree_with_the_position_provider(path: Path) -> None:
    module, _ = parse_source(path.read_bytes(), path.name)
    if module is None:
        pytest.skip("does not parse")
    _, plan = rewrite_module(module, path.name, options("qwen"))
    provider = cst.MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    for node in plan.inventory.starts:
        assert plan.line_of(node) == provider[node].start.line, code_line(node)


def code_line(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)[:80]


def test_the_fixtures_give_the_plan_positions_to_check() -> None:
    placed = 0
    for path in SOURCES:
        module, _ = parse_source(path.read_bytes(), path.name)
        if module is not None:
            placed += len(rewrite_module(module, path.name, options("qwen"))[1].inventory.starts)
    assert placed > 100


CODED = {
    "bom": b"\xef\xbb\xbfimport openai\nclient = openai.OpenAI()\n",
    "latin-1 cookie": b'# -*- coding: latin-1 -*-\nimport openai\nMODEL = "caf\xe9"\n',
    "crlf": b"import openai\r\nclient = openai.OpenAI()\r\n",
    "no final newline": b"import openai\nclient = openai.OpenAI()",
    "form feed in indent": b"import openai\nif True:\n\f    client = openai.OpenAI()\n",
}


@pytest.mark.parametrize("data", list(CODED.values()), ids=list(CODED))
def test_the_text_a_plan_is_given_is_the_text_libcst_renders(data: bytes) -> None:
    """rewrite_job hands the plan the text it parsed instead of rendering the tree again:
    it must be exactly what rendering gives (encodings, BOM, line ends, form feeds)."""
    from migrator.form_feeds import without_indent_form_feeds

    parsed = without_indent_form_feeds(data) or data
    module, _ = parse_source(data, "case.py")
    assert module is not None
    _, plan = rewrite_module(module, "case.py", options("qwen"), parsed)
    assert plan.source_text is not None
    assert plan.code == module.code
