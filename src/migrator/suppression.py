"""Whether a rule is suppressed: `--ignore` / `[tool.migrator] ignore`, or a
`# migrator: ignore[MIGxxx]` comment on a line (`# migrator: ignore` alone: every rule).

One reading of the comment for everything that reports: the rewrite's findings, marks and
edits (`rewrite.Plan`), and the checklist's items, so a comment means the same wherever
the user puts it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_IGNORE = re.compile(r"#\s*migrator:\s*ignore(?:\[([A-Z0-9,\s]+)\])?")

# What one line's comment ignores: None for every rule, else the rule ids it names.
LineIgnores = frozenset[str] | None


def line_ignores(text: str) -> tuple[bool, LineIgnores]:
    """(has a `# migrator: ignore` comment, the rules it names or None for all)."""
    match = _IGNORE.search(text)
    if match is None:
        return False, frozenset()
    codes = match.group(1)
    if not codes:
        return True, None
    return True, frozenset(c.strip() for c in codes.split(",") if c.strip())


def line_suppresses(text: str, rule: str) -> bool:
    """Does a `# migrator: ignore[...]` comment in this line of source suppress `rule`?"""
    found, codes = line_ignores(text)
    return found and (codes is None or rule in codes)


@dataclass(frozen=True)
class Suppressions:
    """The rules a run ignores everywhere, and those ignored line by line in one file."""

    ignore: frozenset[str] = frozenset()
    lines: dict[int, LineIgnores] = field(default_factory=dict)  # 1-based line -> codes

    @classmethod
    def of_source(cls, code: str, ignore: Iterable[str] = ()) -> Suppressions:
        lines: dict[int, LineIgnores] = {}
        for number, text in enumerate(code.splitlines(), 1):
            found, codes = line_ignores(text)
            if found:
                lines[number] = codes
        return cls(frozenset(ignore), lines)

    @property
    def has_line_comments(self) -> bool:
        return bool(self.lines)

    def suppresses(self, rule: str, lines: Iterable[int] = ()) -> bool:
        """Is `rule` ignored for the whole run, or on any of `lines`?"""
        if rule in self.ignore:
            return True
        for line in lines:
            if line in self.lines:
                codes = self.lines[line]
                if codes is None or rule in codes:
                    return True
        return False
