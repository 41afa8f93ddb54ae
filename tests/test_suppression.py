"""suppression.py: what a `# migrator: ignore` comment suppresses."""

from __future__ import annotations

from migrator.suppression import Suppressions, line_suppresses


def test_a_comment_names_rules_or_all() -> None:
    assert line_suppresses("x = 1  # migrator: ignore[MIG200]", "MIG200")
    assert not line_suppresses("x = 1  # migrator: ignore[MIG200]", "MIG300")
    assert line_suppresses("x = 1  # migrator: ignore[MIG200, MIG300]", "MIG300")
    assert line_suppresses("x = 1  #migrator:ignore", "MIG999")
    assert not line_suppresses("x = 1  # migrator: MIG200 a marker, not an ignore", "MIG200")


def test_suppressions_of_a_source() -> None:
    found = Suppressions.of_source("a = 1\nb = 2  # migrator: ignore[MIG101]\n", ["MIG500"])
    assert found.suppresses("MIG500")  # --ignore: everywhere
    assert found.suppresses("MIG101", [2]) and not found.suppresses("MIG101", [1])
    assert not Suppressions.of_source("a = 1\n").has_line_comments
