"""Jupyter notebooks (.ipynb) as Python modules, and back, without moving a byte.

The jobs (scan, rewrite) read Python. A notebook is shown to them as ONE virtual module:
its code cells in order (a client made in cell 2 is known in cell 5), each cell after the
first preceded by a `__migrator_cell__(N)` statement so that the rewritten module can be
cut back into cells. A statement, not a comment: fixers drop or move comments with the
statements they belong to, never an unknown call.

IPython syntax is masked into Python of the same line count: a line magic, shell escape
or help request (`%pip install openai`, `!ls`, `x = !ls`, `obj?`, `?obj`) becomes
`pass  # __migrator_magic_N__` at its indentation, and is put back verbatim on write. A
cell opened by a cell magic that runs Python (`%%time`, `%%capture`...) keeps its body;
any other cell magic (`%%bash`, `%%writefile`...) makes the cell non-Python and it is
left out of the module. Markdown and raw cells are never read.

Writing: the new `source` JSON value of each edited cell is spliced into the original
text at the exact span of the old one, in the old shape (list of lines, or one string),
reusing the old JSON token of every line that did not change. Nothing else of the file is
re-serialised, so outputs, metadata, key order, indentation, line endings and escapes stay
as they were (nbformat would re-serialise the whole file, hence not used here). The
result is re-parsed and compared with the original document before it is handed back.

Positions: the virtual line of a usage or finding becomes the line of the notebook's JSON
file where that source line sits (editors and SARIF jump there), with the cell (1-based
among ALL cells, markdown included: what Jupyter and VS Code show) and the line in the
cell.
"""

from __future__ import annotations

import ast
import bisect
import codecs
import functools
import io
import json
import re
import tokenize
import warnings
from dataclasses import dataclass, field
from json.decoder import scanstring

from migrator.model import FileError

SUFFIX = ".ipynb"
CELL_MARK = "__migrator_cell__"
_MAGIC_TAG = "__migrator_magic_"
_MARK_LINE = re.compile(rf"^{CELL_MARK}\((\d+)\)\n?$")
MASK_LINE = re.compile(rf"^[ \t]*pass  # {_MAGIC_TAG}(\d+)__\n?$")
# Cell magics whose body IPython runs as Python: the body is read, the first line masked.
_PYTHON_CELL_MAGICS = frozenset(
    {"time", "timeit", "capture", "prun", "debug", "memit", "mprun", "python", "python3"}
)
_ASSIGNED_MAGIC = re.compile(r"^[ \t]*[\w.,() \t\[\]*]+?=[ \t]*[%!]")
_HELP = re.compile(r"^[ \t]*(?:\?{1,2}[\w.]+|[\w.]+\?{1,2})[ \t]*$")
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_AST_FLAGS = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT


def is_notebook(rel: str) -> bool:
    return rel.endswith(SUFFIX)


@dataclass
class CodeCell:
    """One code cell: where its `source` value sits in the file and what it says."""

    number: int  # 1-based among all cells
    start: int  # char span of the `source` JSON value in the file text
    end: int
    shape: str  # "list" (one string per line) or "str"
    tokens: list[tuple[str, str]]  # list shape: (raw JSON token, value) of each element
    spans: list[tuple[int, int]]  # list shape: char span of each element
    text: str  # the source joined
    json_lines: list[int]  # file line of each cell line (index: cell line - 1)
    masked: str = ""  # what Python sees; "" when the cell is not Python
    python: bool = True
    masks: dict[int, str] = field(default_factory=dict)  # mask number -> original line


@dataclass
class LinePlace:
    """Where a line of a notebook's virtual module is: its cell, its line there, its line
    in the JSON."""

    cell: int
    cell_line: int
    json_line: int


@dataclass
class Notebook:
    """A notebook read for the jobs: its text, its code cells, the virtual module."""

    path: str
    bom: str
    text: str
    document: dict
    cells: list[CodeCell]
    module: str = ""
    places: list[LinePlace] = field(default_factory=list)  # by virtual line - 1

    def place(self, line: int) -> LinePlace:
        """Where virtual line `line` sits in the notebook (a cell mark: its cell's line 1)."""
        if not self.places:
            return LinePlace(1, 1, 1)
        return self.places[min(max(line, 1), len(self.places)) - 1]


def read_notebook(path: str, data: bytes) -> tuple[Notebook | None, FileError | None]:
    """Parse `data`; a notebook that is not JSON, not nbformat 4, or whose code does not
    parse gives a FileError naming the file (and cell:line), never an exception."""
    bom = ""
    if data.startswith(codecs.BOM_UTF8):
        bom, data = "\ufeff", data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
        document = json.loads(text)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, FileError(path, line, f"notebook is not UTF-8: {exc.reason}")
    except json.JSONDecodeError as exc:
        return None, FileError(path, exc.lineno, f"notebook is not valid JSON: {exc.msg}")
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        return None, FileError(path, 1, "not a notebook of nbformat 4 (no top-level `cells`)")
    try:
        cells = _code_cells(text)
    except (ValueError, KeyError, IndexError) as exc:
        return None, FileError(path, 1, f"unexpected notebook layout: {exc}")
    notebook = Notebook(path, bom, text, document, cells)
    for cell in cells:
        error = _mask(cell)
        if error is not None:
            line, message = error
            place = cell.json_lines[min(line, len(cell.json_lines)) - 1] if cell.json_lines else 1
            return None, FileError(
                path, place, f"syntax error: {message}", cell=cell.number, cell_line=line
            )
    _assemble(notebook)
    return notebook, None


# -- locating the sources in the JSON text -------------------------------------------------


def _skip(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos


def _members(text: str, pos: int) -> list[tuple[str, int, int]]:
    """(key, value start, value end) of the object opening at `pos`."""
    out: list[tuple[str, int, int]] = []
    if text[pos] != "{":
        raise ValueError(f"object expected at offset {pos}")
    pos = _skip(text, pos + 1)
    if text[pos] == "}":
        return out
    while True:
        key, pos = scanstring(text, pos + 1)
        pos = _skip(text, pos)
        pos = _skip(text, pos + 1)  # the colon
        _, end = _DECODER.raw_decode(text, pos)
        out.append((key, pos, end))
        pos = _skip(text, end)
        if text[pos] == "}":
            return out
        pos = _skip(text, pos + 1)


def _elements(text: str, pos: int) -> list[tuple[int, int]]:
    """(start, end) of each element of the array opening at `pos`."""
    out: list[tuple[int, int]] = []
    if text[pos] != "[":
        raise ValueError(f"array expected at offset {pos}")
    pos = _skip(text, pos + 1)
    if text[pos] == "]":
        return out
    while True:
        _, end = _DECODER.raw_decode(text, pos)
        out.append((pos, end))
        pos = _skip(text, end)
        if text[pos] == "]":
            return out
        pos = _skip(text, pos + 1)


def _code_cells(text: str) -> list[CodeCell]:
    newlines = [m.start() for m in re.finditer("\n", text)]

    def line_of(offset: int) -> int:
        return bisect.bisect_left(newlines, offset) + 1

    top = {key: (start, end) for key, start, end in _members(text, _skip(text, 0))}
    cells: list[CodeCell] = []
    for number, (start, _end) in enumerate(_elements(text, top["cells"][0]), 1):
        members = {key: (s, e) for key, s, e in _members(text, start)}
        if "cell_type" not in members or "source" not in members:
            continue
        if json.loads(text[slice(*members["cell_type"])]) != "code":
            continue
        s, e = members["source"]
        value = json.loads(text[s:e])
        if isinstance(value, str):
            shape, tokens, spans = "str", [(text[s:e], value)], [(s, e)]
        elif isinstance(value, list):
            shape = "list"
            spans = _elements(text, s)
            tokens = [(text[a:b], json.loads(text[a:b])) for a, b in spans]
        else:
            raise ValueError(f"cell {number}: `source` is neither a string nor a list")
        starts = [a for a, _ in spans]
        json_lines: list[int] = []
        at_start = True
        for (_, piece_value), offset in zip(tokens, starts, strict=True):
            for piece in re.findall(r"[^\n]*\n|[^\n]+", piece_value):
                if at_start:
                    json_lines.append(line_of(offset))
                at_start = piece.endswith("\n")
        joined = "".join(v for _, v in tokens)
        cells.append(CodeCell(number, s, e, shape, tokens, spans, joined, json_lines))
    return cells


# -- masking IPython syntax ----------------------------------------------------------------


def _is_magic(line: str) -> bool:
    stripped = line.lstrip()
    return (
        stripped.startswith(("%", "!"))
        or _HELP.match(line) is not None
        or _ASSIGNED_MAGIC.match(line) is not None
    )


def _mask(cell: CodeCell) -> tuple[int, str] | None:
    """Fill `cell.masked`; the (cell line, message) of a syntax error, else None."""
    lines = split_lines(cell.text)  # at "\n" only, as Python and the JSON lines count
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        name = first[2:].split(maxsplit=1)[0] if first[2:].split() else ""
        if name not in _PYTHON_CELL_MAGICS:
            cell.python = False
            return None
    masked = list(lines)
    continued = False
    for index, line in enumerate(lines):
        body = line.rstrip("\r\n")
        if continued or (index == 0 and first.startswith("%%")) or _is_magic(body):
            number = len(cell.masks)
            cell.masks[number] = body
            indent = body[: len(body) - len(body.lstrip())]
            ending = line[len(body) :]
            masked[index] = f"{indent}pass  # {_MAGIC_TAG}{number}__{ending}"
            continued = body.endswith("\\")
        else:
            continued = False
    _unmask_python(cell, lines, masked)
    cell.masked = "".join(masked)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # IPython runs a top-level `await`; so does the module (libcst parses it)
            compile(cell.masked, "<cell>", "exec", _AST_FLAGS, dont_inherit=True)
    except SyntaxError as exc:
        return max(exc.lineno or 1, 1), exc.msg
    except (ValueError, RecursionError, MemoryError) as exc:
        return 1, str(exc)
    return None


def _unmask_python(cell: CodeCell, lines: list[str], masked: list[str]) -> None:
    """A `%` or `!` line inside a triple-quoted string is text, and one inside brackets or
    after a backslash continues a Python expression (`% name` of a format): not magics."""
    inside: set[int] = set()
    opened: list[int] = []
    depth = 0
    depth_at: dict[int, int] = {}
    fstart = getattr(tokenize, "FSTRING_START", None)
    fend = getattr(tokenize, "FSTRING_END", None)
    try:
        for token in tokenize.generate_tokens(io.StringIO("".join(masked)).readline):
            depth_at.setdefault(token.start[0], depth)
            if token.type == tokenize.OP and token.string in "([{":
                depth += 1
            elif token.type == tokenize.OP and token.string in ")]}":
                depth = max(depth - 1, 0)
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                inside.update(range(token.start[0] + 1, token.end[0] + 1))
            elif fstart is not None and token.type == fstart:
                opened.append(token.start[0])
            elif fend is not None and token.type == fend and opened:
                inside.update(range(opened.pop() + 1, token.end[0] + 1))
    except (tokenize.TokenError, SyntaxError):
        pass  # an unclosed bracket (its closing line masked?): what was read stands
    for row in range(1, len(lines) + 1):
        if depth_at.get(row, 0) > 0 or (
            row > 1
            and lines[row - 2].rstrip("\r\n").endswith("\\")
            and not MASK_LINE.match(masked[row - 2])
        ):
            inside.add(row)
    for row in sorted(inside):
        match = MASK_LINE.match(masked[row - 1])
        if match:
            masked[row - 1] = lines[row - 1]
            del cell.masks[int(match.group(1))]


def _assemble(notebook: Notebook) -> None:
    parts: list[str] = []
    places: list[LinePlace] = []
    python = [c for c in notebook.cells if c.python]
    for index, cell in enumerate(python):
        first_json = cell.json_lines[0] if cell.json_lines else 1
        if index:
            parts.append(f"{CELL_MARK}({cell.number})\n")
            places.append(LinePlace(cell.number, 1, first_json))
        body = cell.masked
        if body and not body.endswith("\n"):
            body += "\n"
        parts.append(body)
        for n in range(1, body.count("\n") + 1):
            json_line = cell.json_lines[n - 1] if n <= len(cell.json_lines) else first_json
            places.append(LinePlace(cell.number, n, json_line))
    notebook.module = "".join(parts)
    notebook.places = places


# -- writing back --------------------------------------------------------------------------


class NotebookWriteError(ValueError):
    """The rewritten module cannot be put back into the notebook safely."""


def new_sources(notebook: Notebook, module: str) -> dict[int, str]:
    """Cell number -> new source text, for the Python cells whose source `module` changes."""
    chunks: dict[int, list[str]] = {}
    python = [c for c in notebook.cells if c.python]
    if not python:
        return {}
    current = python[0].number
    order = [current]
    for line in split_lines(module):
        match = _MARK_LINE.match(line)
        if match:
            current = int(match.group(1))
            order.append(current)
            continue
        chunks.setdefault(current, []).append(line)
    if order != [c.number for c in python]:
        raise NotebookWriteError("the rewrite moved the boundaries between cells")
    changed: dict[int, str] = {}
    for cell in python:
        text = "".join(_unmask(line, cell) for line in chunks.get(cell.number, []))
        if not cell.text.endswith("\n") and text.endswith("\n"):
            text = text[:-1]
        if text != cell.text:
            changed[cell.number] = text
    return changed


def _unmask(line: str, cell: CodeCell) -> str:
    match = MASK_LINE.match(line)
    if match is None:
        return line
    number = int(match.group(1))
    if number not in cell.masks:
        raise NotebookWriteError(f"unknown magic placeholder {number} in cell {cell.number}")
    ending = line[len(line.rstrip("\r\n")) :]
    return cell.masks[number] + ending


def write_sources(notebook: Notebook, changed: dict[int, str]) -> bytes:
    """The notebook's bytes with the `source` of each cell in `changed` replaced, all
    else as it was; checked by parsing the result."""
    text = notebook.text
    ascii_only = _writes_ascii(text)
    pieces: list[str] = []
    last = 0
    expected = json.loads(text)
    for cell in notebook.cells:
        if cell.number not in changed:
            continue
        new = changed[cell.number]
        pieces.append(text[last : cell.start])
        pieces.append(_source_value(text, cell, new, ascii_only))
        last = cell.end
        expected["cells"][cell.number - 1]["source"] = (
            new if cell.shape == "str" else split_lines(new)
        )
    pieces.append(text[last:])
    result = "".join(pieces)
    if json.loads(result) != expected:
        raise NotebookWriteError("the written notebook does not read back as intended")
    return (notebook.bom + result).encode("utf-8")


def _writes_ascii(text: str) -> bool:
    """Does the file escape non-ASCII (`\\u4e2d`) rather than write it as is?"""
    return text.isascii() and "\\u" in text


def split_lines(text: str) -> list[str]:
    """Lines with their ends, split at "\n" only (not at U+2028 or a form feed, which
    `str.splitlines` would take for line ends)."""
    return re.findall(r"[^\n]*\n|[^\n]+", text)


def _source_value(text: str, cell: CodeCell, new: str, ascii_only: bool) -> str:
    def dump(value: str) -> str:
        return json.dumps(value, ensure_ascii=ascii_only)

    if cell.shape == "str":
        return dump(new)
    reuse = {value: raw for raw, value in cell.tokens}
    items = [reuse.get(line) or dump(line) for line in split_lines(new)]
    if not items:
        return "[]"
    if cell.spans:
        head = text[cell.start + 1 : cell.spans[0][0]]
        tail = text[cell.spans[-1][1] : cell.end - 1]
        if len(cell.spans) >= 2:
            separator = text[cell.spans[0][1] : cell.spans[1][0]]
        else:
            separator = "," + head
    else:  # an empty list: lay out as nbformat does, one line per element
        newline = "\r\n" if "\r\n" in text else "\n"
        line_start = text.rfind("\n", 0, cell.start) + 1
        indent = re.match(r"[ \t]*", text[line_start:]).group(0)  # type: ignore[union-attr]
        head = newline + indent + _indent_unit(text)
        separator = "," + head
        tail = newline + indent
    return "[" + head + separator.join(items) + tail + "]"


def _indent_unit(text: str) -> str:
    match = re.search(r"\n([ \t]+)\S", text)
    return match.group(1) if match else " "


# -- positions -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def _json_cells(data: bytes) -> tuple[CodeCell, ...]:
    """The code cells of notebook bytes, parsed once for the many lines the checklist
    places in one notebook (99 items in 7 notebooks on mem0: 8 ms, each parsing it)."""
    try:
        return tuple(_code_cells(data.decode("utf-8-sig")))
    except (ValueError, KeyError, IndexError):
        return ()


def cell_of_json_line(data: bytes, json_line: int) -> tuple[int, int] | None:
    """The (cell, cell line) whose source sits on `json_line` of the file, if any (also in
    a notebook whose code does not parse: its errors are placed so)."""
    for cell in _json_cells(data):
        if json_line in cell.json_lines:
            return cell.number, cell.json_lines.index(json_line) + 1
    return None
