"""Rendering for people (rich) and for scripts (JSON). Nothing here decides anything."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from rich.console import Console
from rich.table import Table

from migrator.scan import ScanReport
from migrator.secrets import redact_secrets


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
    if kind in ("client", "config", "env", "exception"):
        return f"{kind}: {api}"
    return kind


def render_scan(report: ScanReport, console: Console) -> None:
    if not report.usages:
        console.print(
            f"No OpenAI usage found in {report.stats.files_scanned} file(s) under {report.root}."
        )
    else:
        table = Table(title=f"OpenAI usage under {report.root}", show_lines=False)
        table.add_column("file", style="cyan", overflow="fold")
        table.add_column("lines", justify="right")
        table.add_column("usage", overflow="fold")
        for result in report.results:
            if not result.usages:
                continue
            labels = Counter(_usage_label(u.kind, u.api, u.style) for u in result.usages)
            # A notebook's places read cell:line (the line in the cell).
            places = sorted({(u.line, u.cell, u.cell_line) for u in result.usages})
            lines = [str(line) if cell is None else f"{cell}:{n}" for line, cell, n in places]
            shown = ", ".join(lines[:8]) + (" …" if len(lines) > 8 else "")
            table.add_row(
                result.path,
                shown,
                "\n".join(f"{n}× {label}" for label, n in sorted(labels.items())),
            )
        console.print(table)
        kinds = report.counts_by_kind()
        console.print(
            f"[bold]{len(report.usages)}[/] usages in [bold]{report.files_with_usage}[/] of "
            f"{report.stats.files_scanned} files: "
            + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        )
    render_errors(report.errors, console)


def render_errors(errors: list, console: Console) -> None:
    if not errors:
        return
    console.print(f"[bold red]{len(errors)} file(s) could not be read and were skipped:[/]")
    for error in errors:
        message = redact_secrets(error.message)
        console.print(f"  {error.where}: {message}", markup=False)


SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def render_findings(findings: list, console: Console) -> None:
    for f in findings:
        style = SEVERITY_STYLE[f.severity]
        console.print(
            f"[{style}]{f.severity:<7}[/] [bold]{f.id}[/] {f.where}: ",
            end="",
        )
        console.print(redact_secrets(f.message), markup=False, highlight=False)


def render_diff(report: Any, console: Console) -> None:
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
    if report.findings:
        console.print()
        render_findings(report.findings, console)
    render_errors(report.errors, console)
    counts = report.severity_counts()
    mapping = report.options.mapping
    console.print()
    console.print(
        f"[bold]{len(report.changed)}[/] file(s) to change, [bold]{report.edits}[/] edit(s) "
        f"for {mapping.name} ({report.options.strategy}); findings: "
        f"{counts.get('error', 0)} error, {counts.get('warning', 0)} warning, "
        f"{counts.get('info', 0)} info"
        + (f"; {len(report.errors)} file(s) skipped" if report.errors else "")
    )
