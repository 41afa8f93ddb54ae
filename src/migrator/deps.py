"""Format-preserving edits of dependency files for `migrator apply`.

A `DependencyChange` says which packages leave (`remove`) and which arrive (`add`, PEP 508
strings). Each `edit_*` function takes a file's text and returns an `EditResult`; bytes
outside the edited entries stay as they were (comments, order, quoting, line endings).

Rules shared by every format (one "dependency list" = a requirements file, a TOML array
such as `[project].dependencies`, a Poetry/Pipfile table, a setup.cfg list):
- A list is touched only if it names `openai` or a package being removed; a file that does
  not mention them comes back unchanged, so adds never land in unrelated lists.
- A removed package's entry is replaced in place when exactly one package is to be added
  (keeping its environment marker and trailing comment, dropping its extras, which belong
  to the old package); otherwise removed entries are deleted and the adds appended.
- An add already present in the list is not added again: editing twice equals editing once.
- A kept `openai` whose version spec allows only versions below 1 (`==0.28.1`, `<1`,
  `~=0.27`, Poetry `^0.28`) gets the spec `>=1.40` (`openai_floor`): the OpenAI-compatible
  endpoints are used through the v1 SDK. Extras, markers and comments stay.
Package names are compared after PEP 503 normalisation: `OpenAI` is `openai`, while
`open-ai` / `open_ai` (equal to each other) are another project.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

import tomlkit
import tomlkit.exceptions
import tomlkit.items

__all__ = [
    "DependencyChange",
    "DependencyFileError",
    "EditResult",
    "Requirement",
    "dependency_file_hint",
    "dependency_file_kind",
    "dependency_files",
    "edit_dependency_file",
    "edit_pipfile",
    "edit_pyproject",
    "edit_requirements",
    "edit_setup_cfg",
    "normalize_name",
    "parse_requirement",
    "pins_below_1",
    "unsupported_dependency_files",
]

OPENAI = "openai"


class DependencyFileError(ValueError):
    """A dependency file could not be parsed (e.g. invalid TOML); it was not edited."""


@dataclass(frozen=True)
class EditResult:
    """The edited text, whether it differs from the input, and what a person should know."""

    new_text: str
    changed: bool
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DependencyChange:
    """Packages to drop and PEP 508 requirements to add.

    compat: ``DependencyChange(add=[], remove=[])`` (only raises an `openai<1` pin);
    native: ``DependencyChange(add=["dashscope>=1.20"], remove=["openai"])``.
    `openai_floor` is the spec given to a kept openai that is pinned below 1 (None: leave it).
    """

    add: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    openai_floor: str | None = ">=1.40"

    def __post_init__(self) -> None:
        for text in self.add:
            if parse_requirement(text) is None:
                raise ValueError(f"not a PEP 508 requirement: {text!r}")

    @property
    def removed_names(self) -> set[str]:
        names = set()
        for text in self.remove:
            req = parse_requirement(text)
            names.add(normalize_name(req.name if req else text))
        return names

    @property
    def anchors(self) -> set[str]:
        return self.removed_names | {OPENAI}


# --------------------------------------------------------------------------- PEP 508 strings

_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_EXTRAS = re.compile(r"\s*\[[^\]]*\]")
_SPEC_START = re.compile(r"\(?\s*(?:===|==|!=|~=|<=|>=|<|>|@)")
_CLAUSE = re.compile(r"(===|==|!=|~=|<=|>=|<|>|\^|~|=)?\s*(v?\d[^\s,|]*|\*)")
_RELEASE = re.compile(r"v?(\d+(?:\.\d+)*)")


def normalize_name(name: str) -> str:
    """PEP 503: lower case, runs of `-`, `_`, `.` become one `-`."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Requirement:
    """A PEP 508 string split into parts, with offsets into `text` for in-place edits.

    `start`..`end` spans name, extras and version spec (or `@ url`), without the marker;
    `spec_start`..`spec_end` spans the spec alone (empty span when there is none).
    """

    text: str
    name: str
    extras: str
    spec: str
    marker: str
    start: int
    end: int
    spec_start: int
    spec_end: int

    @property
    def key(self) -> str:
        return normalize_name(self.name)

    @property
    def has_marker(self) -> bool:
        return bool(self.marker)

    def with_spec(self, spec: str) -> str:
        return self.text[: self.spec_start] + spec + self.text[self.spec_end :]

    def replaced_by(self, new: Requirement) -> str:
        """`new` put where this requirement stands; keeps this marker unless `new` has one."""
        if new.has_marker:
            marker_end = len(self.text.rstrip())
            return self.text[: self.start] + new.text.strip() + self.text[marker_end:]
        return self.text[: self.start] + new.text.strip() + self.text[self.end :]


def parse_requirement(text: str) -> Requirement | None:
    """Parse one PEP 508 requirement (no comment); None for anything else (options, paths)."""
    m = re.match(r"\s*", text)
    pos = m.end() if m else 0
    name_m = _NAME.match(text, pos)
    if name_m is None:
        return None
    start = pos
    pos = name_m.end()
    extras = ""
    extras_m = _EXTRAS.match(text, pos)
    if extras_m:
        extras = extras_m.group().strip()
        pos = extras_m.end()
    rest = text[pos:]
    lead = len(rest) - len(rest.lstrip())
    body_start = pos + lead
    is_url = text.startswith("@", body_start)
    if is_url:
        semi = re.search(r"\s;", text[body_start:])
        marker_at = body_start + semi.start() + 1 if semi else len(text)
    else:
        semi_at = text.find(";", body_start)
        marker_at = semi_at if semi_at >= 0 else len(text)
    spec_text = text[body_start:marker_at].rstrip()
    if spec_text and not _SPEC_START.match(spec_text):
        return None
    spec_start = body_start if spec_text else pos
    spec_end = body_start + len(spec_text) if spec_text else pos
    marker = text[marker_at + 1 :].strip() if marker_at < len(text) else ""
    return Requirement(
        text=text,
        name=name_m.group(),
        extras=extras,
        spec=spec_text,
        marker=marker,
        start=start,
        end=spec_end,
        spec_start=spec_start,
        spec_end=spec_end,
    )


def _release(version: str) -> tuple[int, ...] | None:
    m = _RELEASE.match(version)
    if m is None:
        return None
    return tuple(int(part) for part in m.group(1).split("."))


def _clause_caps_below_1(op: str, version: str) -> bool:
    release = _release(version)
    if release is None:
        return False
    major = release[0]
    if op in ("", "=", "==", "===", "<=", "~=", "^", "~"):
        # exact pins and wildcards, upper-inclusive bounds, and the compatible-release
        # operators of PEP 440 (~=) and Poetry (^, ~) all stay below 1 iff the major is 0
        return major == 0
    if op == "<":
        return major == 0 or (major == 1 and not any(release[1:]))
    return False


def pins_below_1(spec: str, *, poetry: bool = False) -> bool:
    """Whether the version spec admits no version >= 1 (PEP 440, or Poetry's syntax)."""
    spec = spec.strip()
    if spec.startswith("(") and spec.endswith(")"):
        spec = spec[1:-1]
    if not spec or spec.startswith("@"):
        return False
    alternatives = re.split(r"\|\|?", spec) if poetry else [spec]
    for alternative in alternatives:
        clauses = _CLAUSE.findall(alternative)
        if not clauses:
            return False
        if not poetry and any(op in ("", "=", "^", "~") for op, _ in clauses):
            return False  # not PEP 440: leave it alone
        if not any(_clause_caps_below_1(op, version) for op, version in clauses):
            return False
    return True


# --------------------------------------------------------------------------- planning


K = TypeVar("K", bound=Hashable)


@dataclass
class _Plan(Generic[K]):
    raise_spec: list[K] = field(default_factory=list)
    replace: dict[K, str] = field(default_factory=dict)
    delete: list[K] = field(default_factory=list)
    append: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.raise_spec or self.replace or self.delete or self.append)


def _plan(entries: Sequence[tuple[K, str, bool]], change: DependencyChange) -> _Plan[K]:
    """Decide the edits of one dependency list.

    `entries` holds (key, package name, pinned below 1) for each parseable entry.
    """
    plan: _Plan[K] = _Plan()
    present = {normalize_name(name) for _, name, _ in entries}
    removed_names = change.removed_names
    if not present & change.anchors:
        return plan
    removed = [key for key, name, _ in entries if normalize_name(name) in removed_names]
    if OPENAI not in removed_names and change.openai_floor:
        plan.raise_spec = [
            key for key, name, pinned in entries if normalize_name(name) == OPENAI and pinned
        ]
    needed: list[str] = []
    seen = set(present - removed_names)
    for text in change.add:
        req = parse_requirement(text)
        assert req is not None  # checked by DependencyChange
        if req.key not in seen:
            seen.add(req.key)
            needed.append(text.strip())
    if removed and len(needed) == 1:
        plan.replace[removed[0]] = needed[0]
        plan.delete = removed[1:]
    else:
        plan.delete = removed
        plan.append = needed
    return plan


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


def _lost_marker_note(where: str, marker: str, plan: _Plan[Any]) -> list[str]:
    """A removed entry's condition (marker, optional...) does not follow appended packages."""
    if not marker or not plan.append:
        return []
    return [f"{where}: the removed entry had `{marker}`; apply it to the added packages if needed"]


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

    plan = _plan(entries, change)
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
        notes.extend(_lost_marker_note(f"line {first + 1}", req.marker, plan))
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
        plan = _plan(
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
            notes.extend(_lost_marker_note(f"{label} (line {e.line + 1})", e.req.marker, plan))
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


# --------------------------------------------------------------------------- TOML helpers


def _crlf_fix(original: str, new: str) -> str:
    """tomlkit writes new lines with \\n; match a file that uses \\r\\n throughout."""
    if "\r\n" in original and "\n" not in original.replace("\r\n", ""):
        return re.sub(r"(?<!\r)\n", "\r\n", new)
    return new


def _string_like(template: Any, value: str) -> tomlkit.items.String:
    """A TOML string for `value`, literal ('...') if `template` was and `value` allows it."""
    literal = (
        isinstance(template, tomlkit.items.String)
        and template.type == tomlkit.items.StringType.SLL
        and "'" not in value
        and "\n" not in value
    )
    return tomlkit.string(value, literal=literal)


def _edit_array(arr: Any, change: DependencyChange, where: str, notes: list[str]) -> bool:
    """Edit a TOML array of PEP 508 strings in place; True if it changed."""
    entries: list[tuple[int, str, bool]] = []
    reqs: dict[int, Requirement] = {}
    for i, item in enumerate(arr):
        if not isinstance(item, str):
            continue
        req = parse_requirement(item)
        if req is None:
            continue
        reqs[i] = req
        entries.append((i, req.name, pins_below_1(req.spec)))
    plan = _plan(entries, change)
    if plan.empty:
        return False
    template = next((item for item in arr if isinstance(item, str)), None)
    for i in plan.raise_spec:
        assert change.openai_floor is not None
        req = reqs[i]
        arr[i] = _string_like(arr[i], req.with_spec(change.openai_floor))
        notes.append(f"{where}: raised {req.text.strip()} to {arr[i]}")
    for i, new_text in plan.replace.items():
        req = reqs[i]
        new_req = parse_requirement(new_text)
        assert new_req is not None
        arr[i] = _string_like(arr[i], req.replaced_by(new_req).strip())
        notes.append(f"{where}: replaced {req.text.strip()} with {arr[i]}")
    for i in sorted(plan.delete, reverse=True):
        notes.append(f"{where}: removed {reqs[i].text.strip()}")
        notes.extend(_lost_marker_note(where, reqs[i].marker, plan))
        del arr[i]
    for add in plan.append:
        arr.append(_string_like(template, add))
        notes.append(f"{where}: added {add}")
    return True


def _table_spec(value: Any) -> str | None:
    """The version constraint of a Poetry/Pipfile table entry (None: git/path/url/...)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        version = value.get("version")
        if isinstance(version, str):
            return version
    return None


def _table_value_for(
    add: Requirement, old: Any, keep_keys: Sequence[str], marker_key: str = "markers"
) -> Any:
    """Poetry/Pipfile value for requirement `add` taking over from `old`'s entry."""
    version = add.spec or "*"
    extra: dict[str, Any] = {}
    if isinstance(old, dict) and keep_keys:
        for k in keep_keys:
            if k in old and not (k == marker_key and add.has_marker):
                extra[k] = old[k]
    if add.extras:
        extra["extras"] = [e.strip() for e in add.extras.strip("[]").split(",") if e.strip()]
    if add.has_marker:
        extra[marker_key] = add.marker
    if not extra:
        return _string_like(old if isinstance(old, str) else None, version)
    table = tomlkit.inline_table()
    table["version"] = version
    for k, v in extra.items():
        table[k] = v
    return table


def _toml_repr(value: Any) -> str:
    item = value if isinstance(value, tomlkit.items.Item) else tomlkit.item(value)
    return item.as_string().strip()


def _rename_key(table: Any, old_key: str, new_key: str, value: Any) -> None:
    """Put `new_key = value` where `old_key` was, keeping its comment and position."""
    container = getattr(table, "value", table)
    replace = getattr(container, "_replace", None)
    if replace is not None:
        replace(old_key, new_key, value)
    else:  # pragma: no cover - a tomlkit without Container._replace
        del table[old_key]
        table[new_key] = value


def _edit_table(
    table: Any,
    change: DependencyChange,
    where: str,
    notes: list[str],
    *,
    poetry: bool,
) -> dict[str, str | None]:
    """Edit a `name = spec` table (Poetry / Pipfile). Returns removed name -> replacement."""
    entries: list[tuple[str, str, bool]] = []
    for key, value in table.items():
        if poetry and key == "python":
            continue
        spec = _table_spec(value)
        pinned = spec is not None and pins_below_1(spec, poetry=poetry)
        entries.append((key, key, pinned))
    plan = _plan(entries, change)
    renamed: dict[str, str | None] = {}
    if plan.empty:
        return renamed
    keep = ("optional", "python", "markers") if poetry else ("markers",)
    template = next((v for v in table.values() if isinstance(v, str)), None)
    assert change.openai_floor is not None or not plan.raise_spec
    for key in plan.raise_spec:
        value = table[key]
        old_spec = _table_spec(value)
        if isinstance(value, str):
            table[key] = _string_like(value, change.openai_floor or "")
        else:
            value["version"] = _string_like(value["version"], change.openai_floor or "")
        notes.append(f"{where}: raised {key} {old_spec} to {change.openai_floor}")
    for key, new_text in plan.replace.items():
        new_req = parse_requirement(new_text)
        assert new_req is not None
        old = table[key]
        if isinstance(old, tomlkit.items.Table):  # a [x.dependencies.openai] sub-table
            del table[key]
            table[new_req.name] = _table_value_for(new_req, old, keep)
        else:
            _rename_key(table, key, new_req.name, _table_value_for(new_req, old, keep))
        renamed[key] = new_req.name
        old_spec = _table_spec(old)
        shown = f"{key} {old_spec}" if old_spec else key
        notes.append(f"{where}: replaced {shown} with {new_text}")
    for key in plan.delete:
        old = table[key]
        conditions = (
            ", ".join(f"{k} = {_toml_repr(old[k])}" for k in keep if k in old)
            if isinstance(old, dict)
            else ""
        )
        del table[key]
        renamed[key] = None
        notes.append(f"{where}: removed {key}")
        notes.extend(_lost_marker_note(where, conditions, plan))
    for add in plan.append:
        req = parse_requirement(add)
        assert req is not None
        table[req.name] = _table_value_for(req, template, ())
        notes.append(f"{where}: added {add}")
    return renamed


def _parse_toml(text: str, what: str) -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise DependencyFileError(f"{what} is not valid TOML: {exc}") from exc


def _toml_result(original: str, doc: Any, changed: bool, notes: list[str]) -> EditResult:
    if not changed:
        return EditResult(original, False, [])
    new_text = _crlf_fix(original, tomlkit.dumps(doc))
    return EditResult(new_text, new_text != original, notes)


def _get(mapping: Any, *keys: str) -> Any:
    cur = mapping
    for key in keys:
        if not isinstance(cur, dict) or key not in cur:
            return None
        cur = cur[key]
    return cur


# --------------------------------------------------------------------------- pyproject.toml


def edit_pyproject(text: str, change: DependencyChange) -> EditResult:
    """Edit pyproject.toml: PEP 621 dependencies and optional-dependencies, PEP 735
    dependency-groups, Poetry dependencies / dev-dependencies / groups (and the extras that
    name a replaced optional package). Comments, order and formatting are kept."""
    doc = _parse_toml(text, "pyproject.toml")
    notes: list[str] = []
    changed = False

    deps = _get(doc, "project", "dependencies")
    if isinstance(deps, list):
        changed |= _edit_array(deps, change, "[project].dependencies", notes)
    optional = _get(doc, "project", "optional-dependencies")
    if isinstance(optional, dict):
        for extra, arr in optional.items():
            if isinstance(arr, list):
                where = f"[project.optional-dependencies].{extra}"
                changed |= _edit_array(arr, change, where, notes)
    groups = _get(doc, "dependency-groups")
    if isinstance(groups, dict):
        for group, arr in groups.items():
            if isinstance(arr, list):
                changed |= _edit_array(arr, change, f"[dependency-groups].{group}", notes)

    poetry = _get(doc, "tool", "poetry")
    if isinstance(poetry, dict):
        tables: list[tuple[str, Any]] = []
        for name in ("dependencies", "dev-dependencies"):
            if isinstance(poetry.get(name), dict):
                tables.append((f"[tool.poetry.{name}]", poetry[name]))
        poetry_groups = poetry.get("group")
        if isinstance(poetry_groups, dict):
            for group, body in poetry_groups.items():
                if isinstance(body, dict) and isinstance(body.get("dependencies"), dict):
                    tables.append(
                        (f"[tool.poetry.group.{group}.dependencies]", body["dependencies"])
                    )
        renamed: dict[str, str | None] = {}
        for where, table in tables:
            before = len(notes)
            renamed.update(_edit_table(table, change, where, notes, poetry=True))
            changed |= len(notes) > before
        extras = poetry.get("extras")
        if renamed and isinstance(extras, dict):
            changed |= _edit_poetry_extras(extras, renamed, notes)
    return _toml_result(text, doc, changed, notes)


def _edit_poetry_extras(extras: Any, renamed: dict[str, str | None], notes: list[str]) -> bool:
    """Follow replaced/removed packages in `[tool.poetry.extras]` name lists."""
    by_norm = {normalize_name(k): v for k, v in renamed.items()}
    changed = False
    for extra, names in extras.items():
        if not isinstance(names, list):
            continue
        for i in reversed(range(len(names))):
            item = names[i]
            if not isinstance(item, str) or normalize_name(item) not in by_norm:
                continue
            new = by_norm[normalize_name(item)]
            if new is None or any(isinstance(n, str) and n == new for n in names):
                del names[i]
                notes.append(
                    f"[tool.poetry.extras].{extra}: removed {item}; add its replacement to this "
                    "extra if it belongs there"
                )
            else:
                names[i] = _string_like(item, new)
                notes.append(f"[tool.poetry.extras].{extra}: replaced {item} with {new}")
            changed = True
    return changed


# --------------------------------------------------------------------------- Pipfile


def edit_pipfile(text: str, change: DependencyChange) -> EditResult:
    """Edit a Pipfile's `[packages]` and `[dev-packages]` tables (tomlkit, format kept)."""
    doc = _parse_toml(text, "Pipfile")
    notes: list[str] = []
    changed = False
    for section in ("packages", "dev-packages"):
        table = doc.get(section)
        if isinstance(table, dict):
            before = len(notes)
            _edit_table(table, change, f"[{section}]", notes, poetry=False)
            changed |= len(notes) > before
    return _toml_result(text, doc, changed, notes)


# --------------------------------------------------------------------------- discovery

DependencyKind = Literal["requirements", "pyproject", "setup_cfg", "pipfile"]

_REQ_NAME = re.compile(r"(?:.*[-_.])?requirements(?:[-_.].*)?\.(?:txt|in)", re.IGNORECASE)
_REQ_DIRS = {"requirements", "reqs", "requirements.d"}
_LOCK_HEADER = re.compile(rb"autogenerated by (?:pip-compile|uv)|--hash[= ]", re.IGNORECASE)
_LOCK_NAMES = {"poetry.lock", "pipfile.lock", "uv.lock", "pdm.lock", "pylock.toml"}
_HINTS: dict[str, str] = {
    "poetry.lock": "run `poetry lock` after updating pyproject.toml",
    "pipfile.lock": "run `pipenv lock` after updating the Pipfile",
    "uv.lock": "run `uv lock` after updating pyproject.toml",
    "pdm.lock": "run `pdm lock` after updating pyproject.toml",
    "pylock": "regenerate the lock file with the tool that wrote it",
    "setup.py": "update install_requires / extras_require in setup.py by hand",
    "environment": "update the conda environment file by hand (pip: and dependencies:)",
    "compiled": "re-run pip-compile / `uv pip compile` on its .in file",
    "constraints": "review the openai pin in this constraints file",
    "tox.ini": "review the deps of the tox environments",
    "lock": "regenerate this lock file with the tool that wrote it",
}


def dependency_file_kind(path: Path | str) -> DependencyKind | None:
    """Which editor handles the file, judged by its name (None: not an editable file)."""
    p = Path(path)
    name = p.name
    if name == "pyproject.toml":
        return "pyproject"
    if name == "setup.cfg":
        return "setup_cfg"
    if name == "Pipfile":
        return "pipfile"
    if _REQ_NAME.fullmatch(name):
        return "requirements"
    if p.parent.name.lower() in _REQ_DIRS and p.suffix.lower() in (".txt", ".in"):
        return "requirements"
    return None


def _read_head(root: Path, path: Path, size: int = 65536) -> bytes:
    full = path if path.is_absolute() else root / path
    try:
        with open(full, "rb") as fh:
            return fh.read(size)
    except OSError:
        return b""


def _is_compiled_requirements(root: Path, path: Path) -> bool:
    return bool(_LOCK_HEADER.search(_read_head(root, path)))


def dependency_files(root: Path, files: Iterable[Path]) -> list[Path]:
    """The files among `files` (relative to `root`, or absolute) that `apply` can edit.

    Requirements files produced by pip-compile / uv or pinned with hashes are left out
    (they are lock files: see `unsupported_dependency_files`). Order: sorted, as given.
    """
    found = [
        p
        for p in files
        if dependency_file_kind(p) is not None
        and not (dependency_file_kind(p) == "requirements" and _is_compiled_requirements(root, p))
    ]
    return sorted(found, key=lambda p: Path(p).as_posix())


def _unsupported_kind(root: Path, path: Path) -> str | None:
    name = path.name.lower()
    if name in _LOCK_NAMES:
        return name
    if re.fullmatch(r"pylock\.[^/]+\.toml", name):
        return "pylock"
    if name == "setup.py":
        return "setup.py"
    if name == "tox.ini":
        return "tox.ini"
    if re.fullmatch(r"environment(?:[-_.][^/]*)?\.ya?ml|conda-lock\.ya?ml", name):
        return "environment" if not name.startswith("conda-lock") else "lock"
    if re.fullmatch(r"(?:.*[-_.])?requirements(?:[-_.].*)?\.lock", name):
        return "lock"
    if re.fullmatch(r"(?:.*[-_.])?constraints(?:[-_.].*)?\.txt", name):
        return "constraints"
    if dependency_file_kind(path) == "requirements" and _is_compiled_requirements(root, path):
        return "compiled"
    return None


def unsupported_dependency_files(
    root: Path, files: Iterable[Path], mentioning: Sequence[str] | None = (OPENAI,)
) -> list[Path]:
    """Dependency files a person must update by hand (lock files, setup.py, conda envs...).

    With `mentioning` (default: openai), only files whose text contains one of those names
    (case-insensitive) are listed, so the checklist names just the files that matter.
    """
    needles = [n.lower().encode() for n in mentioning] if mentioning is not None else None
    found: list[Path] = []
    for p in files:
        if _unsupported_kind(root, Path(p)) is None:
            continue
        if needles is not None:
            head = _read_head(root, Path(p), size=16 * 1024 * 1024).lower()
            if not any(n in head for n in needles):
                continue
        found.append(p)
    return sorted(found, key=lambda p: Path(p).as_posix())


def dependency_file_hint(root: Path, path: Path) -> str:
    """A one-line instruction for updating an unsupported dependency file."""
    kind = _unsupported_kind(root, Path(path))
    if kind is None:
        return "update this file by hand"
    return _HINTS.get(kind, _HINTS["lock"])


_EDITORS: dict[DependencyKind, Callable[[str, DependencyChange], EditResult]] = {
    "requirements": edit_requirements,
    "pyproject": edit_pyproject,
    "setup_cfg": edit_setup_cfg,
    "pipfile": edit_pipfile,
}


def edit_dependency_file(path: Path | str, text: str, change: DependencyChange) -> EditResult:
    """Dispatch on the file name; a file no editor handles comes back unchanged."""
    kind = dependency_file_kind(path)
    if kind is None:
        return EditResult(text, False, [])
    return _EDITORS[kind](text, change)
