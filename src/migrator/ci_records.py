"""What the CI formats report, as one list of records that SARIF and GitHub render.

`scan` reports one MIG910 record per usage; `diff` one record per finding, one MIG911 per
changed span of the rewrite (the span rides along, so SARIF can attach it as a fix), and
one MIG603 per file that could not be read or parsed. sarif.py and github_format.py only
render these: what is reported, where, at which severity, is decided here once.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from migrator.model import FileError, FileResult, Usage
from migrator.notebook import is_notebook
from migrator.patch_output import BYTE_LINE
from migrator.rules import RULES
from migrator.secrets import find_secrets

USAGE_RULE = "MIG910"
PENDING_RULE = "MIG911"
SKIPPED_RULE = "MIG603"


class Span:
    """One changed run of lines: old lines [start, end) become `new_lines`.

    `offsets[i]` is the byte offset of old line i (one running sum for the whole file,
    so a file with many spans is not re-summed per span)."""

    def __init__(
        self, offsets: list[int], new_lines: list[bytes], start: int, end: int, encoding: str
    ) -> None:
        old_total = len(offsets) - 1
        self.start, self.end = start, end
        self.new_bytes = b"".join(new_lines)
        self.byte_offset = offsets[start]
        self.byte_length = offsets[end] - offsets[start]
        self.encoding = encoding
        self.new_text = self.new_bytes.decode(encoding, errors="replace")
        self.old_count = end - start
        self.at_end = start >= old_total
        self.new_count = len(new_lines)
        self.holds_secret = bool(find_secrets(self.new_text))
        # Where a reader looks: the first replaced line, or the line an insertion goes
        # before (the last line when it goes at the end).
        self.first_line = min(start + 1, max(old_total, 1))

    def describe(self) -> str:
        if self.old_count == 0:
            where = "at the end" if self.at_end else f"before line {self.start + 1}"
            return f"{self.new_count} line(s) inserted {where}"
        lines = (
            f"line {self.start + 1}"
            if self.old_count == 1
            else f"lines {self.start + 1}-{self.end}"
        )
        if self.new_count == 0:
            return f"{lines} removed"
        return f"{lines} replaced by {self.new_count} line(s)"


def changed_spans(result: FileResult) -> list[Span]:
    """The changed runs of lines between a result's old and new bytes, in file order."""
    from migrator.text_diff import file_encoding

    assert result.old_source is not None and result.new_source is not None
    notebook = is_notebook(result.path)
    encoding = "utf-8" if notebook else file_encoding(result.old_source)
    # Lines split at b"\n": CRLF stays inside the line; for UTF-16/32 sources (never seen
    # in practice) the split is still exact on the bytes, only the texts may be odd.
    old = BYTE_LINE.findall(result.old_source)
    new = BYTE_LINE.findall(result.new_source)
    offsets = [0, *accumulate(len(line) for line in old)]
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [
        Span(offsets, new[j1:j2], i1, i2, encoding)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


@dataclass(frozen=True)
class Record:
    """One thing a CI format reports, at one place."""

    rule: str
    severity: str  # error | warning | info
    message: str
    path: str
    line: int
    column: int | None = None
    cell: int | None = None
    cell_line: int | None = None
    usage_kind: str | None = None  # scan's records: what kind of usage
    span: Span | None = None  # diff's pending rewrites: the edit itself


def usage_message(usage: Usage) -> str:
    """What the usage is, in one line: kind, API and the call's facts."""
    what = usage.api or usage.kind
    if usage.kind == "call":
        what = f"call {usage.api}" + (" (v0 module API)" if usage.style == "v0" else "")
    elif usage.kind in ("client", "config", "env", "exception", "type", "import"):
        what = f"{usage.kind} {usage.api}" if usage.api else usage.kind
    elif usage.kind == "model":
        what = f"model id {usage.model or usage.api}"
    facts = []
    if usage.kind == "call" and usage.model:
        facts.append(f"model {usage.model}")
    if usage.is_async:
        facts.append("async")
    if usage.stream:
        facts.append("stream")
    if usage.base_url:
        facts.append(f"base_url {usage.base_url}")
    return f"OpenAI usage: {what}" + (f" ({', '.join(facts)})" if facts else "")


def pending_target(report: Any) -> str:
    """What a pending rewrite moves to, as records name it: `DeepSeek (compat)`."""
    return f"{report.options.mapping.name} ({report.options.strategy.id})"


def scan_records(usages: Iterable[Usage], errors: Iterable[FileError]) -> Iterator[Record]:
    severity = RULES[USAGE_RULE].severity
    for usage in usages:
        yield Record(
            USAGE_RULE, severity, usage_message(usage), usage.path, usage.line, usage.column,
            usage.cell, usage.cell_line, usage_kind=usage.kind,
        )  # fmt: skip
    yield from _error_records(errors)


def diff_records(report: Any) -> Iterator[Record]:
    """`report` is a migrate.MigrationReport."""
    for f in report.findings:
        yield Record(f.id, f.severity, f.message, f.path, f.line, None, f.cell, f.cell_line)
    target = pending_target(report)
    severity = RULES[PENDING_RULE].severity
    for result in report.changed:
        for span in changed_spans(result):
            message = f"Rewrite pending for {target}: {span.describe()}"
            yield Record(PENDING_RULE, severity, message, result.path, span.first_line, span=span)
    yield from _error_records(report.errors)


def _error_records(errors: Iterable[FileError]) -> Iterator[Record]:
    severity = RULES[SKIPPED_RULE].severity
    for e in errors:
        yield Record(
            SKIPPED_RULE, severity, f"file skipped: {e.message}", e.path, e.line, None, e.cell,
            e.cell_line,
        )  # fmt: skip
