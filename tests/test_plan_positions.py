"""A plan reads the lines of the nodes the inventory placed from the inventory's own
positions pass; they must be the lines libcst's PositionProvider gives."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import PositionProvider

from migrator.positions import Starts, module_code
from migrator.rewrite import rewrite_job, rewrite_module
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


MODULES = {
    "header and footer": "# head\n\nimport openai\nclient = openai.OpenAI()\nx = 1\n\n# tail\n",
    "no final newline": "import openai\nclient = openai.OpenAI()\nx = 1",
    "crlf, tabs": "import openai\r\nif True:\r\n\tclient = openai.OpenAI()\r\nx = 1\r\n",
    "one statement": "client = openai.OpenAI()\n",
    "comments only": "# nothing\n",
    "empty": "",
}


@pytest.mark.parametrize("source", MODULES.values(), ids=MODULES.keys())
@pytest.mark.parametrize("generated", ["none", "first part", "all"])
def test_module_code_reuses_generated_parts_and_equals_libcsts(source: str, generated: str) -> None:
    """A module rewritten after the positions pass generated some of its parts: the code
    is libcst's, whichever parts are reused and whichever changed."""
    module = cst.parse_module(source)
    starts = Starts(module, None)  # every node wanted
    parts = [*module.header, *module.body, *module.footer]
    if generated == "first part" and parts:
        _ = starts[parts[0]]
    elif generated == "all":
        starts.complete()
    assert module_code(module, [starts]) == module.code
    if module.body:  # the last statement changed, a statement added at the front
        last = module.body[-1]
        changed = module.with_changes(
            body=[cst.parse_statement("import os\n"), *module.body[:-1], last.deep_clone()]
        )
        assert module_code(changed, [starts, {}]) == changed.code
        other_newline = changed.with_changes(
            default_newline="\n" if module.default_newline != "\n" else "\r\n"
        )
        assert module_code(other_newline, [starts]) == other_newline.code
        reused = [p for p in changed.body if starts.tokens_of(p) is not None]
        expected = {"none": 0, "first part": min(1, len(reused)), "all": len(module.body) - 1}
        assert len(reused) == expected[generated]


def test_a_rewritten_big_module_takes_its_unchanged_statements_from_the_positions_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The rewrite's output is the same whether or not it reuses the positions pass's
    code; with it, the statements before the last reported node are not generated again."""
    source = "".join(f"def f{n}(a):\n    return a + {n}\n\n\n" for n in range(200))
    source += (
        'import openai\nclient = openai.OpenAI()\nclient.chat.completions.create(model="gpt-4o")\n'
    )
    result = rewrite_job("big.py", source.encode(), options("qwen"))
    assert result.new_source is not None and b"qwen" in result.new_source
    generated: list[int] = []
    real = cst.FunctionDef._codegen_impl

    def counted(self: cst.FunctionDef, state: object) -> None:
        generated.append(1)
        real(self, state)  # type: ignore[arg-type]

    monkeypatch.setattr(cst.FunctionDef, "_codegen_impl", counted)
    again = rewrite_job("big.py", source.encode(), options("qwen"))
    assert again.new_source == result.new_source
    assert len(generated) == 200  # once, by the positions pass (was twice)
    monkeypatch.setattr("migrator.rewrite.module_code", lambda module, _: module.code)
    generated.clear()
    assert rewrite_job("big.py", source.encode(), options("qwen")).new_source == result.new_source
    assert len(generated) == 400
