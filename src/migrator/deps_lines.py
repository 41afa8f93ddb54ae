"""The line-based dependency files, requirements.txt and setup.cfg: edited line by line
so that every byte outside the edited entries stays as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from migrator.deps_change import DependencyChange, EditResult, lost_marker_note, plan_edits
from migrator.deps_pep508 import Requirement, parse_requirement, pins_below_1

# --------------------------------------------------------------------------- text helpers


def _split_lines(text: str) -> list[str]:
    """Lines with their endings (\\n or \\r\\n); unlike str.splitlines, no other breaks."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _line_body(line: str) -> tuple[str, str]:
    """(content, ending) of one line from `_split_lines`."""
    content = line.rstrip("\r\n")
    return content, line[len(content) :]


def newline_of(text: str) -> str:
    """The file's newline: CRLF when most of its lines end that way."""
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf >= text.count("\n") - crlf else "\n"


_COMMENT = re.compile(r"(^|\s)#")


def _strip_comment(content: str) -> tuple[str, str]:
    """Split `pkg==1  # note` into requirement part and comment part (pip's rule)."""
    m = _COMMENT.search(content)
    if m is None:
        return content, ""
    return content[: m.start()], content[m.start() :]


# --------------------------------------------------------------------------- requirements.txt


def edit_requirements(text: str, change: DependencyChange) -> EditResult:
    """Edit a pip requirements file (requirements*.txt / *.in), keeping everything else.

    Options (`-r`, `-e`, `--index-url`...), comments, blank lines, order and line endings are
    kept. A requirement continued over several lines (`\\`, e.g. with `--hash`) is replaced
    or removed as a whole; its hashes then need regenerating, which a note says.
    """
    lines = _split_lines(text)
    # logical lines: (first physical index, last physical index)
    groups: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        j = i
        while _line_body(lines[j])[0].endswith("\\") and j + 1 < len(lines):
            j += 1
        groups.append((i, j))
        i = j + 1

    parsed: dict[int, tuple[Requirement, str, str]] = {}
    entries: list[tuple[int, str, bool]] = []
    for first, _last in groups:
        content, ending = _line_body(lines[first])
        stripped = content[:-1] if content.endswith("\\") else content
        req_part, comment = _strip_comment(stripped)
        if comment and req_part.strip() == "":
            continue
        req = parse_requirement(req_part)
        if req is None:
            continue
        tail = content[len(req_part) :]
        parsed[first] = (req, tail, ending)
        entries.append((first, req.name, pins_below_1(req.spec)))

    plan = plan_edits(entries, change)
    if plan.empty:
        return EditResult(text, False, [])

    notes: list[str] = []
    group_end = dict(groups)
    out = list(lines)
    for first in plan.raise_spec:
        req, tail, ending = parsed[first]
        assert change.openai_floor is not None
        out[first] = req.with_spec(change.openai_floor) + tail + ending
        notes.append(
            f"line {first + 1}: raised {req.text[req.start : req.end].strip()} to "
            f"{req.name}{req.extras}{change.openai_floor} (the compatible endpoints need the "
            "v1 SDK)"
        )
        if group_end[first] > first:
            notes.append(f"line {first + 1}: regenerate the hashes of this requirement")
    for first, new_text in plan.replace.items():
        req, tail, ending = parsed[first]
        new_req = parse_requirement(new_text)
        assert new_req is not None
        new_line = req.replaced_by(new_req) + tail
        notes.append(
            f"line {first + 1}: replaced {req.text[req.start : req.end].strip()} with "
            f"{new_req.text.strip()}"
        )
        last = group_end[first]
        if last > first:
            # drop the continuation lines (hashes/options of the old package)
            new_line = new_line.rstrip().removesuffix("\\").rstrip()
            ending = _line_body(lines[last])[1]
            for k in range(first + 1, last + 1):
                out[k] = ""
            notes.append(f"line {first + 1}: options/hashes of {req.name} were dropped")
        out[first] = new_line + ending
    for first in plan.delete:
        req = parsed[first][0]
        for k in range(first, group_end[first] + 1):
            out[k] = ""
        notes.append(f"line {first + 1}: removed {req.text[req.start : req.end].strip()}")
        notes.extend(lost_marker_note(f"line {first + 1}", req.marker, plan))
    new_text = "".join(out)
    if plan.append:
        nl = newline_of(text)
        if new_text and not new_text.endswith("\n"):
            new_text += nl
        for add in plan.append:
            new_text += add + nl
            notes.append(f"added {add} at the end")
    return EditResult(new_text, new_text != text, notes)


# --------------------------------------------------------------------------- setup.cfg

_SECTION = re.compile(r"\s*\[([^\]]+)\]")
_KEY = re.compile(r"([^\s=:][^=:]*?)\s*[=:]")


@dataclass
class _CfgEntry:
    """A requirement in setup.cfg's install_requires / extras_require, with its place."""

    line: int
    start: int  # offset of the requirement part in the line content
    end: int
    req: Requirement
    on_key_line: bool


def _cfg_lists(lines: list[str]) -> list[tuple[str, int, int]]:
    """(name, key line, last line of the value) of install_requires / extras_require lists."""
    found: list[tuple[str, int, int]] = []
    section = ""
    i = 0
    while i < len(lines):
        content = _line_body(lines[i])[0]
        if content.lstrip().startswith(("#", ";")):
            i += 1
            continue
        sec = _SECTION.match(content)
        if sec and not content[:1].isspace():
            section = sec.group(1).strip()
            i += 1
            continue
        key = _KEY.match(content)
        if key is None or not (
            (section == "options" and key.group(1).lower() == "install_requires")
            or section == "options.extras_require"
        ):
            i += 1
            continue
        last = i
        j = i + 1
        while j < len(lines):
            body = _line_body(lines[j])[0]
            if body.strip() == "" or body.lstrip().startswith(("#", ";")):
                j += 1
                continue
            if not body[:1].isspace():
                break
            last = j
            j += 1
        name = key.group(1)
        label = f"[options] {name}" if section == "options" else f"[{section}] {name}"
        found.append((label, i, last))
        i = last + 1
    return found


def edit_setup_cfg(text: str, change: DependencyChange) -> EditResult:
    """Edit `[options] install_requires` and `[options.extras_require]` lists in setup.cfg.

    Line based: every other byte of the file stays as it is. Both the dangling-list form and
    the one-line `a; b` form are understood.
    """
    lines = _split_lines(text)
    out = list(lines)
    notes: list[str] = []
    nl = newline_of(text)
    for label, key_line, last in _cfg_lists(lines):
        entries: list[_CfgEntry] = []
        key_content = _line_body(lines[key_line])[0]
        key_m = _KEY.match(key_content)
        assert key_m is not None
        value_start = key_m.end()
        value, _comment = _strip_comment(key_content[value_start:])
        has_continuation = any(
            _line_body(lines[k])[0].strip()
            and not _line_body(lines[k])[0].strip().startswith(("#", ";"))
            for k in range(key_line + 1, last + 1)
        )
        if value.strip():
            # setuptools splits a one-line value on ';', a multi-line one on newlines
            pieces = [(0, len(value))]
            if not has_continuation:
                pieces = []
                offset = 0
                for piece in value.split(";"):
                    pieces.append((offset, offset + len(piece)))
                    offset += len(piece) + 1
            for a, b in pieces:
                req = parse_requirement(value[a:b])
                if req is not None:
                    start = value_start + a
                    entries.append(_CfgEntry(key_line, start, value_start + b, req, True))
        for k in range(key_line + 1, last + 1):
            content = _line_body(lines[k])[0]
            if content.strip().startswith(("#", ";")):
                continue
            req_part, _ = _strip_comment(content)
            req = parse_requirement(req_part)
            if req is not None:
                entries.append(_CfgEntry(k, 0, len(req_part), req, False))

        by_key: dict[tuple[int, int], _CfgEntry] = {(e.line, e.start): e for e in entries}
        plan = plan_edits(
            [((e.line, e.start), e.req.name, pins_below_1(e.req.spec)) for e in entries], change
        )
        if plan.empty:
            continue

        # edits inside a line, applied right to left so offsets stay valid
        line_edits: dict[int, list[tuple[int, int, str]]] = {}
        for key in plan.raise_spec:
            e = by_key[key]
            assert change.openai_floor is not None
            line_edits.setdefault(e.line, []).append(
                (e.start, e.end, e.req.with_spec(change.openai_floor))
            )
            notes.append(
                f"{label} (line {e.line + 1}): raised {e.req.text[e.req.start : e.req.end].strip()}"
                f" to {e.req.name}{e.req.extras}{change.openai_floor}"
            )
        for key, new_text in plan.replace.items():
            e = by_key[key]
            new_req = parse_requirement(new_text)
            assert new_req is not None
            line_edits.setdefault(e.line, []).append((e.start, e.end, e.req.replaced_by(new_req)))
            notes.append(
                f"{label} (line {e.line + 1}): replaced "
                f"{e.req.text[e.req.start : e.req.end].strip()} with {new_text}"
            )
        deleted_lines: set[int] = set()
        for key in plan.delete:
            e = by_key[key]
            old_text = e.req.text[e.req.start : e.req.end].strip()
            notes.append(f"{label} (line {e.line + 1}): removed {old_text}")
            notes.extend(lost_marker_note(f"{label} (line {e.line + 1})", e.req.marker, plan))
            if e.on_key_line:
                line_edits.setdefault(e.line, []).append((e.start, e.end, "\0"))
            else:
                deleted_lines.add(e.line)
        for line_no, edits in line_edits.items():
            content, ending = _line_body(out[line_no])
            for a, b, new in sorted(edits, reverse=True):
                content = content[:a] + new + content[b:]
            if line_no == key_line and "\0" in content:
                content = _drop_cfg_pieces(content, value_start)
            out[line_no] = content + ending
        for line_no in deleted_lines:
            out[line_no] = ""

        if plan.append:
            key_value = _strip_comment(_line_body(out[key_line])[0][value_start:])[0]
            remaining_inline = [p for p in key_value.split(";") if p.strip()]
            cont_lines = [
                k
                for k in range(key_line + 1, last + 1)
                if out[k]
                and _line_body(out[k])[0].strip()
                and not _line_body(out[k])[0].strip().startswith(("#", ";"))
            ]
            if len(remaining_inline) >= 2 and not cont_lines:
                content, ending = _line_body(out[key_line])
                value_part, comment = _strip_comment(content[value_start:])
                stripped = value_part.rstrip()
                joined = stripped + "".join(f"; {a}" for a in plan.append)
                out[key_line] = (
                    content[:value_start] + joined + value_part[len(stripped) :] + comment + ending
                )
            else:
                anchor = cont_lines[-1] if cont_lines else key_line
                if cont_lines:
                    ref = _line_body(out[anchor])[0]
                    indent = ref[: len(ref) - len(ref.lstrip())]
                else:
                    indent = "    "
                if not out[anchor].endswith("\n"):
                    out[anchor] += nl
                out[anchor] += "".join(f"{indent}{a}{nl}" for a in plan.append)
            for added in plan.append:
                notes.append(f"{label}: added {added}")
    new_text = "".join(out)
    return EditResult(new_text, new_text != text, notes)


def _drop_cfg_pieces(content: str, value_start: int) -> str:
    """Remove the pieces marked deleted (NUL) from a one-line `a; b; c` value."""
    value_part, comment = _strip_comment(content[value_start:])
    pieces = value_part.split(";")
    kept = [p for p in pieces if "\0" not in p]
    if not kept:
        return content[:value_start].rstrip() + (" " + comment.lstrip() if comment else "")
    # keep each survivor's own spacing; the first one keeps the space after `=`
    first_lead = pieces[0][: len(pieces[0]) - len(pieces[0].lstrip())]
    kept[0] = first_lead + kept[0].lstrip()
    joined = ";".join(kept)
    trail = value_part[len(value_part.rstrip()) :]
    return content[:value_start] + joined.rstrip() + trail + comment
