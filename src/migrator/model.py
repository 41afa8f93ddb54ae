"""Plain records that cross process boundaries and end up in reports.

Everything here is picklable and free of libcst nodes: workers build these, the
parent process orders and renders them. Field names follow the JSON contract in the
README (version 1; `migrator schema`); `to_json()` gives the contract's shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # the records stay importable without libcst (the CLI's light commands)
    from migrator.ast_env_reads import VariablesRead
    from migrator.constants import ConstantEdit
    from migrator.cross_module import Notice

UsageKind = Literal["import", "client", "call", "config", "env", "model", "exception", "type"]
Severity = Literal["info", "warning", "error"]
# Checklist groups (issue 4): what a person must still do, by theme.
Category = Literal["code", "config", "behaviour", "compliance", "verification"]

SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Usage:
    """One place where a file touches the OpenAI SDK (or its env vars / model names)."""

    path: str
    line: int
    column: int
    kind: UsageKind
    api: str | None = None
    style: Literal["v1", "v0"] = "v1"
    is_async: bool = False
    stream: bool = False
    model: str | None = None
    params: tuple[str, ...] = ()
    # Contract extension: the literal base URL (or env var it is read from) of a client.
    base_url: str | None = None
    # Contract extension, notebooks only: the cell (1-based among all cells) and the line
    # in it; `line` is then the line of the notebook's JSON file holding that source line.
    cell: int | None = None
    cell_line: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "kind": self.kind,
            "api": self.api,
            "style": self.style,
            "async": self.is_async,
            "stream": self.stream,
            "model": self.model,
            "params": list(self.params),
        }
        if self.base_url is not None:
            data["base_url"] = self.base_url
        return _with_cell(data, self.cell, self.cell_line)


@dataclass(frozen=True)
class Finding:
    """Something a person must know, review or do. `id` is a stable rule code (MIGxxx)."""

    id: str
    severity: Severity
    category: Category
    path: str
    line: int
    message: str
    # A checklist item for one cause found at several places (grouping.py): every
    # (path, line), `path`/`line` being the first. Empty for a finding at one place.
    places: tuple[tuple[str, int], ...] = ()
    cell: int | None = None  # notebooks: as Usage.cell / Usage.cell_line
    cell_line: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "severity": self.severity,
            "category": self.category,
            "path": self.path,
            "line": self.line,
            "message": self.message,
        }
        if self.places:
            data["places"] = [{"path": path, "line": line} for path, line in self.places]
        return _with_cell(data, self.cell, self.cell_line)

    @property
    def where(self) -> str:
        return where(self.path, self.line, self.cell, self.cell_line)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, SEVERITY_ORDER[self.severity], self.id)


@dataclass(frozen=True)
class FileError:
    """A file that could not be read, decoded or parsed. The run goes on without it."""

    path: str
    line: int
    message: str
    cell: int | None = None  # notebooks: as Usage.cell / Usage.cell_line
    cell_line: int | None = None

    def to_json(self) -> dict[str, Any]:
        data = {"path": self.path, "line": self.line, "message": self.message}
        return _with_cell(data, self.cell, self.cell_line)

    @property
    def where(self) -> str:
        return where(self.path, self.line, self.cell, self.cell_line)


def _with_cell(data: dict[str, Any], cell: int | None, cell_line: int | None) -> dict[str, Any]:
    if cell is not None:
        data["cell"] = cell
        data["cell_line"] = cell_line
    return data


def where(path: str, line: int, cell: int | None = None, cell_line: int | None = None) -> str:
    """`path:line`, or `path:cell:line` in a notebook (the line in the cell)."""
    if cell is not None:
        return f"{path}:{cell}:{cell_line}"
    return f"{path}:{line}"


@dataclass(frozen=True)
class CallFacts:
    """What the checklist needs to know about one content call and only a syntax tree can
    tell (callfacts.py computes them in the rewrite worker)."""

    escape: str | None = None  # "returned by `f()`" and the like
    n: int | None = None  # a literal n=...


@dataclass
class FileResult:
    """What one worker produced for one file."""

    path: str
    usages: list[Usage] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    # For rewrites: the new bytes when the file changes, else None.
    new_source: bytes | None = None
    old_source: bytes | None = None
    edits: int = 0
    # (line, column) -> the call's facts, when RewriteOptions.call_facts asked for them
    call_facts: dict[tuple[int, int], CallFacts] = field(default_factory=dict)
    # Changes this file's calls need in constants other files define (see constants.py),
    # and facts for the files that import from it (cross_module.py).
    requests: list[ConstantEdit | Notice] = field(default_factory=list)
    # OpenAI variables the rewrite renamed in this file's reads, and those it left read.
    renamed_env: list[str] = field(default_factory=list)
    kept_env: list[str] = field(default_factory=list)
    # Packages the rewritten code needs besides its own (see `Plan.packages`).
    packages: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    # The environment variables the file reads after the rewrite (`file_reads`), for a
    # module that may run as a script (`__main__` in it), when call facts were asked
    # for: the checklist's smoke-run item names them. None: not computed, or no parse.
    main_reads: VariablesRead | None = None
