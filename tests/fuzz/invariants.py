"""What must hold for every input the engine rewrites, however odd its layout.

`problems(data, provider)` rewrites `data` as `migrator diff` would and returns each broken
promise as a sentence (empty when all hold):

- no crash: no "internal error" for the file;
- a file CPython compiles is never called a syntax error (the parser's own limits are
  reported as such, with their reason);
- the output compiles, and a second run changes nothing;
- no name becomes undefined (pyflakes before and after);
- no byte changes outside the edits: line ends keep their style, the file keeps or lacks its
  final newline, and no line is changed in its whitespace alone (a re-laid statement).
"""

from __future__ import annotations

import difflib
import re
import warnings

from tests.codemod_helpers import rewrite_bytes
from tests.gates import compile_problems, new_undefined_names

_SPACE = re.compile(rb"\s+")


def compiles(data: bytes) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(data, "<fuzz>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def problems(
    data: bytes, provider: str, valid: bool | None = None, **overrides: object
) -> list[str]:
    """Broken promises for `data` rewritten for `provider` (`valid`: whether CPython
    compiles `data`, when the caller knows; `overrides`: RewriteOptions fields, e.g.
    upgrade_v0=True)."""
    try:
        result = rewrite_bytes(data, provider, **overrides)
    except Exception as exc:  # noqa: BLE001 - the runner reports it as an internal error
        return [f"crash: {type(exc).__name__}: {exc}"]
    found = [f"crash: {e.message}" for e in result.errors if "internal error" in e.message]
    if valid if valid is not None else compiles(data):
        found += [
            f"valid Python called a syntax error: {e.message}"
            for e in result.errors
            if e.message.startswith("syntax error")
        ]
    new = result.new_source
    if new is None:
        return found
    found += compile_problems(new)
    if found:
        return found
    again = rewrite_bytes(new, provider, **overrides)
    if again.new_source is not None and again.new_source != new:
        found.append("not idempotent: a second run changes the output")
    found += new_undefined_names(data, new)
    found += layout_changes(data, new)
    return found


def _line_ends(data: bytes) -> set[bytes]:
    return set(re.findall(rb"\r\n|\r|\n", data))


def layout_changes(old: bytes, new: bytes) -> list[str]:
    """Changes no edit explains: new line-end styles, a gained or lost final newline, and
    lines whose only change is whitespace."""
    found = []
    if not _line_ends(new) <= _line_ends(old) | {b"\n"} or (
        b"\n" in _line_ends(new) - _line_ends(old) and _line_ends(old)
    ):
        found.append(f"line ends changed: {_line_ends(old)} -> {_line_ends(new)}")
    if old.endswith((b"\n", b"\r")) != new.endswith((b"\n", b"\r")):
        found.append("final newline gained or lost")
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "replace":
            continue
        if _bare(b"".join(old_lines[i1:i2])) == _bare(b"".join(new_lines[j1:j2])):
            found.append(f"lines {i1 + 1}-{i2} changed in whitespace only (re-laid)")
            continue
        added = {_bare(line) for line in new_lines[j1:j2]}
        for number, line in enumerate(old_lines[i1:i2], i1 + 1):
            bare = _bare(line)
            if bare and line not in new_lines[j1:j2] and bare in added:
                found.append(f"line {number} changed in whitespace only: {line!r}")
    return found


def _bare(text: bytes) -> bytes:
    """`text` without whitespace and backslash continuations."""
    return _SPACE.sub(b"", text.replace(b"\\\r\n", b"").replace(b"\\\n", b"").replace(b"\\\r", b""))
