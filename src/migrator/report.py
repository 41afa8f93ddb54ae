"""Rendering for people (rich) and for scripts (JSON). Nothing here decides anything.

rich is loaded by what draws with it (the scan table, the coloured review diff): the
findings and summaries go through `term.Lines`, plain where there is no colour."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from migrator.model import where
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


def _usage_label(kind: str, api: str | None, style: str) -> str:
    if kind == "call":
        return f"{api} (v0)" if style == "v0" else str(api)
    if kind in ("client", "config", "env", "exception", "import", "type") and api:
        return f"{kind}: {api}"
    return kind


# A piped or redirected report is read at this width (and a pager shows it whole).
PIPED_WIDTH = 80


def scan_console(file: Any = None) -> Console:
    """The console `scan` prints to: the terminal's width, or 80 columns when piped."""
    stream = file if file is not None else sys.stdout
    on_terminal = bool(getattr(stream, "isatty", lambda: False)())
    return make_console(file=file, width=None if on_terminal else PIPED_WIDTH)


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
    if not report.usages:
        console.print(
            f"No OpenAI usage found in {report.stats.files_scanned} file(s) under {report.root}.",
            markup=False,
        )
    else:
        title = Text(f"OpenAI usage under {report.root}", style="table.title")
        table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
        # The place never shrinks below its longest (it folds, never cut, when a path is
        # longer than the width allows); the description gives way.
        places = [where(u.path, u.line, u.cell, u.cell_line) for u in report.usages]
        width = max(min(max(map(len, places)), console.width - 24), 8)
        table.add_column("place", style="cyan", overflow="fold", width=width)
        table.add_column("usage", overflow="fold")
        for place, usage in zip(places, report.usages, strict=True):
            table.add_row(Text(place), Text(usage_text(usage)))
        console.print(table)
        kinds = report.counts_by_kind()
        console.print(
            f"[bold]{len(report.usages)}[/] usages in [bold]{report.files_with_usage}[/] of "
            f"{report.stats.files_scanned} files: "
            + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        )
    render_errors(report.errors, RichLines(console))


def usage_text(usage: Any) -> str:
    """What a usage is, as the scan table's second column says it."""
    label = _usage_label(usage.kind, usage.api, usage.style)
    facts = [f"model={usage.model}"] if usage.kind == "call" and usage.model else []
    facts += [flag for flag, on in (("async", usage.is_async), ("stream", usage.stream)) if on]
    if usage.kind == "model" and usage.model:
        label = f"model {usage.model}"
    return label + (f" ({', '.join(facts)})" if facts else "")


def render_errors(errors: list, out: Lines) -> None:
    if not errors:
        return
    out.line((f"{len(errors)} file(s) could not be read and were skipped:", "bold red"))
    for error in errors:
        out.line(f"  {error.where}: {redact_secrets(error.message)}")


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
