"""PEP 508 requirement strings, split with offsets so that an edit replaces a name or a
version spec in place; and whether a version spec keeps a package below 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
