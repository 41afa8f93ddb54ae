"""Run a per-file job (scan, rewrite) on a notebook: the one place that knows the suffix.

The runner hands every `.ipynb` file here. The job sees the notebook's virtual module
(notebook.py) as if it were a .py file; what it returns is carried back: positions become
notebook positions (JSON line, cell, cell line), and new module text becomes new notebook
bytes, spliced so that only the edited cells' `source` values change.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from collections.abc import Callable
from typing import Any

from migrator.model import FileError, FileResult, Finding
from migrator.notebook import (
    MASK_LINE,
    CodeCell,
    Notebook,
    NotebookWriteError,
    is_notebook,
    new_sources,
    read_notebook,
    split_lines,
    write_sources,
)
from migrator.prefilter import has_trigger
from migrator.rules import RULES

Job = Callable[[str, bytes, Any], FileResult]


def run_notebook(job: Job, rel: str, data: bytes, options: Any) -> FileResult:
    notebook, error = read_notebook(rel, data)
    if notebook is None:
        assert error is not None
        return FileResult(rel, errors=[error])
    if not notebook.module.strip():
        return FileResult(rel)
    result = job(rel, notebook.module.encode("utf-8"), options)
    result = _carry_back(notebook, data, result)
    result.findings.extend(ipython_findings(notebook, options))
    return result


def python_view(rel: str, data: bytes) -> bytes:
    """What Python code a file holds: a notebook's virtual module, else `data` itself
    (for the passes that read imports: project constants and classes)."""
    if not is_notebook(rel):
        return data
    notebook, _ = read_notebook(rel, data)
    return notebook.module.encode("utf-8") if notebook is not None else b""


def _carry_back(notebook: Notebook, data: bytes, result: FileResult) -> FileResult:
    def moved(item: Any) -> Any:
        place = notebook.place(item.line)
        return dataclasses.replace(
            item, line=place.json_line, cell=place.cell, cell_line=place.cell_line
        )

    result.usages = [moved(u) for u in result.usages]
    result.findings = [_moved_finding(notebook, f) for f in result.findings]
    result.errors = [moved(e) for e in result.errors]
    result.call_facts = {
        (notebook.place(line).json_line, column): facts
        for (line, column), facts in result.call_facts.items()
    }
    if result.new_source is not None:
        try:
            changed = new_sources(notebook, result.new_source.decode("utf-8"))
            new = write_sources(notebook, changed) if changed else None
        except (NotebookWriteError, UnicodeDecodeError) as exc:
            result.errors.append(FileError(notebook.path, 1, f"internal error: {exc}"))
            new = None
        result.old_source = data if new is not None else None
        result.new_source = new
        if new is None:
            result.edits = 0
    return result


_PIP_OPENAI = re.compile(r"\bpip3?\s+install\b.*\bopenai\b(?![-_.\w])")


def ipython_findings(notebook: Notebook, options: Any) -> list[Finding]:
    """MIG620: IPython lines migrator keeps as they are (magics, shell lines, non-Python
    cells) that name OpenAI: a model id, an OPENAI_* variable, the openai CLI. `pip
    install openai` only under the native strategy: compat's code still imports openai."""
    if "MIG620" in getattr(options, "ignore", frozenset()):
        return []
    strategy = getattr(getattr(options, "strategy", None), "id", "compat")
    spec = RULES["MIG620"]
    out: list[Finding] = []
    for cell in notebook.cells:
        if cell.python:
            kept = [(n, text) for n, text in _masked_lines(cell)]
            what = "IPython line"
        else:
            kept = [(n, ln.rstrip("\r\n")) for n, ln in enumerate(split_lines(cell.text), 1)]
            what = f"`{cell.text.split(maxsplit=1)[0]}` cell (not Python)"
        for cell_line, text in kept:
            if not has_trigger(text.encode("utf-8")):
                continue
            if _PIP_OPENAI.search(text) and strategy != "native":
                continue
            json_line = cell.json_lines[min(cell_line, len(cell.json_lines)) - 1]
            shown = text.strip() if len(text.strip()) <= 80 else text.strip()[:77] + "..."
            out.append(
                Finding(
                    "MIG620",
                    spec.severity,
                    spec.category,
                    notebook.path,
                    json_line,
                    f"{what} `{shown}` names OpenAI and is kept as it is: migrator rewrites "
                    "the notebook's Python only — change it by hand (a model id, an OPENAI_* "
                    "variable, the openai CLI or package)",
                    cell=cell.number,
                    cell_line=cell_line,
                )  # fmt: skip
            )
            if not cell.python:
                break  # one item a non-Python cell
    return out


def _masked_lines(cell: CodeCell) -> list[tuple[int, str]]:
    out = []
    for number, line in enumerate(split_lines(cell.masked), 1):
        match = MASK_LINE.match(line)
        if match:
            out.append((number, cell.masks[int(match.group(1))]))
    return out


def _moved_finding(notebook: Notebook, finding: Finding) -> Finding:
    place = notebook.place(finding.line)
    places = tuple((path, notebook.place(line).json_line) for path, line in finding.places)
    return dataclasses.replace(
        finding,
        line=place.json_line,
        cell=place.cell,
        cell_line=place.cell_line,
        places=places,
        message=_LINES.sub(lambda m: _cell_lines(notebook, m), finding.message),
    )


# "line 12", "lines 3, 7": the rewrite names other lines of the module in its messages.
_LINES = re.compile(r"\blines? (\d+(?:(?:, | and )\d+)*)\b")


def _cell_lines(notebook: Notebook, match: re.Match[str]) -> str:
    """Virtual module lines as a reader finds them: `cell 3 line 2`."""
    numbers = [int(n) for n in re.findall(r"\d+", match.group(1))]
    shown = []
    for number in numbers:
        place = notebook.place(number)
        shown.append(f"cell {place.cell} line {place.cell_line}")
    return ", ".join(shown)


def _cell_sources(data: bytes) -> dict[int, tuple[bool, str]]:
    document = json.loads(data.decode("utf-8-sig"))
    out: dict[int, tuple[bool, str]] = {}
    for number, cell in enumerate(document.get("cells", []), 1):
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            text = source if isinstance(source, str) else "".join(source)
            out[number] = (text.endswith("\n"), text)
    return out


def cell_diff(path: str, old: bytes, new: bytes) -> str:
    """What a reviewer reads: one unified diff per edited cell, of its Python lines, under
    `--- a/nb.ipynb (cell 3)` headers. Not a patch (`git apply` needs the JSON diff)."""
    before = _cell_sources(old)
    after = _cell_sources(new)
    out: list[str] = []
    for number in sorted(before):
        if number not in after or before[number][1] == after[number][1]:
            continue
        old_lines = split_lines(before[number][1])
        new_lines = split_lines(after[number][1])
        for line in difflib.unified_diff(
            old_lines,
            new_lines,
            fromfile=f"a/{path} (cell {number})",
            tofile=f"b/{path} (cell {number})",
        ):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of cell\n")
    return "".join(out)


def place_of(data: bytes | None, line: int) -> tuple[int, int] | None:
    """(cell, cell line) of JSON line `line` in notebook bytes `data`, if a source line."""
    if data is None:
        return None
    from migrator.notebook import cell_of_json_line

    return cell_of_json_line(data, line)
