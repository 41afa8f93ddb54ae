"""Rendering for people (rich) and for scripts (JSON). Nothing here decides anything.

rich is loaded by what draws with it (the scan table, the coloured review diff): the
findings and summaries go through `term.Lines`, plain where there is no colour."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from migrator import scan_text
from migrator.secrets import redact_secrets
from migrator.term import Lines, RichLines, make_console

if TYPE_CHECKING:  # the scanner parses with libcst: `checklist --format json` needs none
    from rich.console import Console

    from migrator.scan import ScanReport


def dump_json(document: dict[str, Any]) -> str:
    """The document as JSON, every string in it with its credentials redacted: usages,
    findings and errors quote code, and code holds keys and passwords in URLs."""
    return json.dumps(_redacted(document), indent=2, ensure_ascii=False) + "\n"


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact_secrets(value)
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redacted(item) for item in value]
    return value


def scan_console(file: Any = None) -> Console:
    """The console `scan` prints to: the terminal's width, or 80 columns when piped."""
    stream = file if file is not None else sys.stdout
    on_terminal = bool(getattr(stream, "isatty", lambda: False)())
    return make_console(file=file, width=None if on_terminal else scan_text.PIPED_WIDTH)


def render_scan(report: ScanReport, console: Console) -> None:
    """One row per usage: `path:line` (a notebook's `path:cell:line`) whole, on one line
    where the width allows (editors and terminals open it on a click), then what it is.
    Lines carry no trailing padding."""
    with console.capture() as captured:
        _render_scan(report, console)
    text = "\n".join(line.rstrip(" ") for line in captured.get().split("\n"))
    console.file.write(text)
    console.file.flush()


def _render_scan(report: ScanReport, console: Console) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    # Paths are Text, never markup: `[tenant]` in one is part of the path, not a style.
    # The words are scan_text's, which lays them out alike into a pipe.
    if not report.usages:
        console.print(scan_text.no_usage(report), markup=False)
    else:
        title = Text(scan_text.title(report), style="table.title")
        table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
        places = scan_text.places(report)
        width = scan_text.place_width(places, console.width)
        table.add_column("place", style="cyan", overflow="fold", width=width)
        table.add_column("usage", overflow="fold")
        for place, usage in zip(places, report.usages, strict=True):
            table.add_row(Text(place), Text(scan_text.usage_text(usage)))
        console.print(table)
        RichLines(console).line(*scan_text.summary(report))
    render_errors(report.errors, RichLines(console))


def render_errors(errors: list, out: Lines) -> None:
    if not errors:
        return
    heading, lines = scan_text.unreadable(errors)
    out.line((heading, "bold red"))
    for line in lines:
        out.line(line)


SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def render_findings(findings: list, out: Lines) -> None:
    for f in findings:
        out.line((f"{f.severity:<7}", SEVERITY_STYLE[f.severity]), " ", (f.id, "bold"),
                 f" {f.where}: {redact_secrets(f.message)}")  # fmt: skip


def render_review_diffs(report: Any, console: Console) -> None:
    """The diffs a person reads (notebooks per cell, keys redacted), coloured."""
    from rich.text import Text

    for _path, diff in report.review_diffs():
        for line in diff.splitlines():
            if line.startswith(("+++", "---")):
                style = "bold"
            elif line.startswith("@@"):
                style = "cyan"
            elif line.startswith("+"):
                style = "green"
            elif line.startswith("-"):
                style = "red"
            else:
                style = ""
            console.print(Text(line, style=style))


def render_diff_summary(report: Any, out: Lines) -> None:
    """Findings, unreadable files and the one-line summary that follow the diffs."""
    if report.findings:
        out.line()
        render_findings(report.findings, out)
    render_errors(report.errors, out)
    counts = report.severity_counts()
    mapping = report.options.mapping
    out.line()
    out.line(
        (str(len(report.changed)), "bold"), " file(s) to change, ", (str(report.edits), "bold"),
        f" edit(s) for {mapping.name} ({report.options.strategy}); findings: "
        f"{counts.get('error', 0)} error, {counts.get('warning', 0)} warning, "
        f"{counts.get('info', 0)} info"
        + (f"; {len(report.errors)} file(s) skipped" if report.errors else ""),
    )  # fmt: skip


def ci_scan_output(fmt: str, report: ScanReport) -> str:
    """`scan --format sarif|github`."""
    if fmt == "sarif":
        from migrator.sarif import scan_sarif

        return dump_json(scan_sarif(report.root, report.usages, report.errors))
    from migrator.github_format import scan_annotations

    return scan_annotations(report.root, report.usages, report.errors)


def ci_diff_output(fmt: str, report: Any) -> str:
    """`diff --format sarif|github` (`report` is a migrate.MigrationReport)."""
    if fmt == "sarif":
        from migrator.sarif import diff_sarif

        return dump_json(diff_sarif(report))
    from migrator.github_format import diff_annotations

    return diff_annotations(report)
