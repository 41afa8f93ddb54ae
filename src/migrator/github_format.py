"""`scan --format github` and `diff --format github`: GitHub Actions workflow commands.

Each usage, finding, pending rewrite and skipped file becomes one line

    ::warning file=src/app.py,line=12,col=5,title=MIG910::OpenAI usage: call ...

that the Actions runner turns into an annotation on that line of the pull request. The
level follows the rule's severity (error, warning; info is `notice`). Values are escaped
as the runner reads them back: in the message `%`, CR and LF; in a property also `:` and
`,` (which would end the property).

`file=` must name the file from the workspace (the step's working directory), not from
PATH: it is PATH as given joined with the path relative to PATH, so `migrator scan src
--format github` names `src/app.py`. A notebook's place is its JSON file's line.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from migrator.ci_records import Record, diff_records, scan_records
from migrator.model import FileError, Usage
from migrator.relpaths import from_cwd
from migrator.secrets import redact_secrets

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """A message as the runner reads it back (`%` first, so the others stay escapes)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    severity: str, path: str, line: int, title: str, message: str, column: int | None = None
) -> str:
    """One workflow command line (with its newline)."""
    properties = [f"file={escape_property(path)}", f"line={max(line, 1)}"]
    if column is not None and column >= 1:
        properties.append(f"col={column}")
    properties.append(f"title={escape_property(title)}")
    body = escape_data(redact_secrets(message))
    return f"::{COMMANDS[severity]} {','.join(properties)}::{body}\n"


class WorkspacePaths:
    """Paths relative to PATH, named from the current directory (the workspace)."""

    def __init__(self, root: Path) -> None:
        folder = root if root.is_dir() else root.parent
        # outside the workspace, an absolute path is all that can be said
        self.prefix = PurePosixPath(from_cwd(folder))

    def __call__(self, rel: str) -> str:
        return str(self.prefix / rel) if str(self.prefix) != "." else rel


def scan_annotations(root: Path, usages: Iterable[Usage], errors: Iterable[FileError]) -> str:
    return _render(WorkspacePaths(root), scan_records(usages, errors))


def diff_annotations(report: Any) -> str:
    """`report` is a migrate.MigrationReport."""
    return _render(WorkspacePaths(report.root), diff_records(report))


def _render(where: WorkspacePaths, records: Iterable[Record]) -> str:
    return "".join(
        annotation(r.severity, where(r.path), r.line, r.rule, r.message, r.column) for r in records
    )
