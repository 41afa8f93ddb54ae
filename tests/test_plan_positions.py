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
