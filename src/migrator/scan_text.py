"""`scan`'s report in words -- the places, what each usage is, the title, the summary, the
unreadable files -- which report.render_scan lays out with rich on a terminal, and its
table as plain text for a pipe or a file: the bytes rich prints there, without loading
rich (its import and table layout are half of a cached `scan`).

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
from typing import TYPE_CHECKING, Any

from migrator.model import where
from migrator.secrets import redact_secrets
from migrator.term import plain

if TYPE_CHECKING:
    from migrator.model import FileError
    from migrator.scan import ScanReport
    from migrator.term import Part

# A piped or redirected report is read at this width (and a pager shows it whole).
PIPED_WIDTH = 80
_PRINTABLE = re.compile(r"[ -~]*")
# A word and the spaces after it (spaces before the first word belong to it).
_WORD = re.compile(r" *[^ ]+ *")


# -- the report's words, whoever lays them out (here, or rich in report.render_scan)


def usage_text(usage: Any) -> str:
    """What a usage is, as the table's second column says it."""
    label = _usage_label(usage.kind, usage.api, usage.style)
    facts = [f"model={usage.model}"] if usage.kind == "call" and usage.model else []
    facts += [flag for flag, on in (("async", usage.is_async), ("stream", usage.stream)) if on]
    if usage.kind == "model" and usage.model:
        label = f"model {usage.model}"
    return label + (f" ({', '.join(facts)})" if facts else "")


def _usage_label(kind: str, api: str | None, style: str) -> str:
    if kind == "call":
        return f"{api} (v0)" if style == "v0" else str(api)
    if kind in ("client", "config", "env", "exception", "import", "type") and api:
        return f"{kind}: {api}"
    return kind


def places(report: ScanReport) -> list[str]:
    """Each usage's `path:line` (a notebook's `path:cell:line`), the table's first column."""
    return [where(u.path, u.line, u.cell, u.cell_line) for u in report.usages]


def place_width(places: list[str], width: int) -> int:
    """The first column's width: the longest place, leaving the usage 24 columns (a longer
    place folds, never cut), at least 8."""
    return max(min(max(map(len, places)), width - 24), 8)


def title(report: ScanReport) -> str:
    return f"OpenAI usage under {report.root}"


def no_usage(report: ScanReport) -> str:
    return f"No OpenAI usage found in {report.stats.files_scanned} file(s) under {report.root}."


def summary(report: ScanReport) -> list[Part]:
    """The line under the table, its two counts in bold (on a terminal)."""
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(report.counts_by_kind().items()))
    scanned = report.stats.files_scanned
    return [(str(len(report.usages)), "bold"), " usages in ",
            (str(report.files_with_usage), "bold"), f" of {scanned} files: {kinds}"]  # fmt: skip


def unreadable(errors: list[FileError]) -> tuple[str, list[str]]:
    """The heading and the lines that list the files that could not be read."""
    heading = f"{len(errors)} file(s) could not be read and were skipped:"
    return heading, [f"  {e.where}: {redact_secrets(e.message)}" for e in errors]


# -- the plain layout


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
    found = places(report)
    usages = [usage_text(u) for u in report.usages]
    heading, errors = unreadable(report.errors)
    if not all(_PRINTABLE.fullmatch(t) for t in (title(report), *found, *usages, *errors)):
        return None
    out: list[str] = []
    if not report.usages:
        out += wrap(no_usage(report), PIPED_WIDTH)
    else:
        out += _table(title(report), found, usages)
        out += wrap(plain(summary(report)), PIPED_WIDTH)
    if errors:
        for line in (heading, *errors):
            out += wrap(line, PIPED_WIDTH)
    return "".join(line.rstrip(" ") + "\n" for line in out)


def _table(heading: str, found: list[str], usages: list[str]) -> list[str]:
    left = place_width(found, PIPED_WIDTH)
    # the edges and the spaces between: 5 columns of the 80
    right = min(max(len("usage"), *map(len, usages)), PIPED_WIDTH - 5 - left)
    table_width = left + right + 5
    out = wrap(heading, table_width)
    out.append("")
    out += _row(["place"], ["usage"], left)
    out.append(" " + "─" * (table_width - 2))
    for place, usage in zip(found, usages, strict=True):
        out += _row(wrap(place, left), wrap(usage, right), left)
    out.append("")
    return out


def _row(left: list[str], right: list[str], left_width: int) -> list[str]:
    height = max(len(left), len(right))
    left = left + [""] * (height - len(left))
    right = right + [""] * (height - len(right))
    return [f" {a.ljust(left_width)}   {b}" for a, b in zip(left, right, strict=True)]
