"""Unified diffs of a file's bytes, decoded as Python reads the file."""

from __future__ import annotations

import difflib
import io
import re
import tokenize


def unified_diff(
    path: str, old: bytes, new: bytes, encoding: str = "utf-8", *, keep_cr: bool = False
) -> str:
    """A git-style unified diff; decodes with the file's own encoding for display.
    `keep_cr` keeps CRLF line ends in the hunks, so that the patch applies to the file as
    it is (notebooks, whose diff is a patch, not the lines a reviewer reads)."""
    old_text = _decode(old, encoding, keep_cr)
    new_text = _decode(new, encoding, keep_cr)
    split = _newline_lines if keep_cr else str.splitlines
    lines = difflib.unified_diff(
        split(old_text, True),
        split(new_text, True),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _newline_lines(text: str, _keepends: bool = True) -> list[str]:
    """Lines split at "\n" only (a patch's idea of a line; U+2028 is not a line end)."""
    return re.findall(r"[^\n]*\n|[^\n]+", text)


def _decode(data: bytes, encoding: str, keep_cr: bool = False) -> str:
    text = data.decode(encoding, errors="replace")
    return text if keep_cr else text.replace("\r\n", "\n")


def file_encoding(data: bytes) -> str:
    """The encoding Python reads `data` with (BOM, then coding cookie, else UTF-8)."""
    try:
        return tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    except (SyntaxError, LookupError):  # display only
        return "utf-8"


def decode_text(path: str, data: bytes) -> str:
    """Python files by their coding cookie, the others as UTF-8 (a BOM dropped), as the
    checklist reads a file."""
    if path.endswith(".py"):
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
            return data.decode(encoding, errors="replace")
        except (SyntaxError, LookupError):
            pass
    return data.decode("utf-8-sig", errors="replace")
