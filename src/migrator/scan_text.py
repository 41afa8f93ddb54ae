"""`scan`'s table as plain text, for a pipe or a file: the bytes rich prints there, without
loading rich (its import and table layout are half of a cached `scan`).

rich lays the table out as report.render_scan asks: the console 80 columns wide, the
place column `W` wide (the longest place, at most 56, at least 8), the usage column as
wide as its longest text or the header, narrowed to what is left of the 80 columns when
the row would be wider. A row is ` place   usage `: a space at each edge, three
between. A cell's text wraps at its column's width: a line breaks before a word that
does not fit, and a word longer than the width is cut into pieces of that width. The
title wraps at the table's width; the summary and the unreadable files at 80.

Only text of printable ASCII is laid out here (a wide character or a tab changes the
widths rich counts): anything else returns None and is printed by rich.
tests/test_scan_text.py checks every rule against rich itself.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from migrator.model import where
from migrator.secrets import redact_secrets

if TYPE_CHECKING:
    from migrator.scan import ScanReport

WIDTH = 80  # the width a piped report is read at (report.PIPED_WIDTH)
_PRINTABLE = re.compile(r"[ -~]*")
# A word and the spaces after it (spaces before the first word belong to it).
_WORD = re.compile(r" *[^ ]+ *")


def wrap(text: str, width: int) -> list[str]:
    """`text` (printable ASCII) in lines of at most `width` characters."""
    lines: list[str] = []
    line = ""
    for word in _WORD.findall(text) or [text]:
        bare = len(word.rstrip(" "))
        if bare <= width - len(line):
            line += word
        elif bare > width:  # a word no line holds: cut into pieces of the width
            pieces = [word[i : i + width] for i in range(0, len(word), width)]
            if line:
                lines.append(line)
            lines.extend(pieces[:-1])
            line = pieces[-1]
        elif line:
            lines.append(line)
            line = word
        else:
            line = word
    lines.append(line)
    # A line runs past the width only by the spaces after its last word: dropped.
    return [each[:width] for each in lines]


def plain_scan_text(report: ScanReport) -> str | None:
    """The text render_scan prints for `report` when not on a terminal; None when some of
    it is not printable ASCII (rich prints that)."""
    from migrator.report import usage_text

    places = [where(u.path, u.line, u.cell, u.cell_line) for u in report.usages]
    usages = [usage_text(u) for u in report.usages]
    errors = [f"  {e.where}: {redact_secrets(e.message)}" for e in report.errors]
    title = f"OpenAI usage under {report.root}"
    if not all(_PRINTABLE.fullmatch(t) for t in (title, *places, *usages, *errors)):
        return None
    out: list[str] = []
    if not report.usages:
        scanned = report.stats.files_scanned
        out += wrap(f"No OpenAI usage found in {scanned} file(s) under {report.root}.", WIDTH)
    else:
        out += _table(title, places, usages)
        kinds = report.counts_by_kind()
        summary = (
            f"{len(report.usages)} usages in {report.files_with_usage} of "
            f"{report.stats.files_scanned} files: "
            + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        )
        out += wrap(summary, WIDTH)
    if errors:
        out += wrap(f"{len(errors)} file(s) could not be read and were skipped:", WIDTH)
        for line in errors:
            out += wrap(line, WIDTH)
    return "".join(line.rstrip(" ") + "\n" for line in out)


def _table(title: str, places: list[str], usages: list[str]) -> list[str]:
    place_width = max(min(max(map(len, places)), WIDTH - 24), 8)
    usage_width = max(len("usage"), *map(len, usages))
    # the edges and the spaces between: 5 columns of the 80
    usage_width = min(usage_width, WIDTH - 5 - place_width)
    table_width = place_width + usage_width + 5
    out = wrap(title, table_width)
    out.append("")
    out += _row(["place"], ["usage"], place_width)
    out.append(" " + "─" * (table_width - 2))
    for place, usage in zip(places, usages, strict=True):
        out += _row(wrap(place, place_width), wrap(usage, usage_width), place_width)
    out.append("")
    return out


def _row(left: list[str], right: list[str], left_width: int) -> list[str]:
    height = max(len(left), len(right))
    left = left + [""] * (height - len(left))
    right = right + [""] * (height - len(right))
    return [f" {a.ljust(left_width)}   {b}" for a, b in zip(left, right, strict=True)]
