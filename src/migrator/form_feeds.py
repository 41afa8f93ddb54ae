"""Form feeds in indentation, which CPython accepts and libcst does not keep.

CPython's tokenizer resets the column at a form feed, so `"\\f    x = 1"` is indented by
four. libcst either rejects such a file ("no matching outer block for dedent") or parses it
and drops the form feeds when it prints the module back, changing lines nobody edited. So
the parser gets a copy without the form feeds in indentation (same lines, same columns for
CPython), and the rewrite's output gets the original bytes back on every line it did not
change (`restore_unchanged_lines`).
"""

from __future__ import annotations

import difflib
import io
import re
import tokenize

_INDENT_WITH_FORM_FEED = re.compile(rb"^[ \t\f]*\f")


def without_indent_form_feeds(data: bytes) -> bytes | None:
    """`data` with the form feeds of each line's indentation removed (with the blanks before
    them, which CPython discards too), or None when there is nothing to remove or the file
    cannot be handled line for line (CR-only line ends, undecodable, not tokenizable)."""
    if b"\f" not in data or re.search(rb"\r(?!\n)", data):
        return None
    lines = data.splitlines(keepends=True)
    try:
        starts = _rows_starting_a_token(data)
    except (SyntaxError, tokenize.TokenError, UnicodeDecodeError, LookupError):
        return None
    changed = False
    for row in sorted(starts):
        if row > len(lines):  # NEWLINE and ENDMARKER after the last line
            break
        line = lines[row - 1]
        match = _INDENT_WITH_FORM_FEED.match(line)
        if match:
            lines[row - 1] = line[match.end() :]
            changed = True
    return b"".join(lines) if changed else None


def _rows_starting_a_token(data: bytes) -> set[int]:
    """Rows whose first non-blank character begins a token: lines of code and comments, not
    the inside of a multi-line string (whose form feeds are the string's own)."""
    rows: set[int] = set()
    seen_rows: set[int] = set()
    for token in tokenize.tokenize(io.BytesIO(data).readline):
        row = token.start[0]
        if token.type in (tokenize.ENCODING, tokenize.INDENT, tokenize.DEDENT):
            continue
        if row not in seen_rows:
            seen_rows.add(row)
            rows.add(row)
        seen_rows.update(range(row, token.end[0] + 1))
    return rows


def restore_unchanged_lines(original: bytes, parsed: bytes, new: bytes) -> bytes:
    """`new` (a rewrite of `parsed`) with every line it kept from `parsed` as it was in
    `original`. `parsed` is `original` with form feeds removed: line i of one is line i of
    the other."""
    old_lines = original.splitlines(keepends=True)
    parsed_lines = parsed.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    out: list[bytes] = []
    matcher = difflib.SequenceMatcher(None, parsed_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(old_lines[i1:i2])
        elif tag == "replace" and i2 - i1 == j2 - j1:  # edited lines: keep their form feeds
            for old, kept, edited in zip(
                old_lines[i1:i2], parsed_lines[i1:i2], new_lines[j1:j2], strict=True
            ):
                removed = old[: len(old) - len(kept)] if old.endswith(kept) else b""
                indent = kept[: len(kept) - len(kept.lstrip(b" \t"))]
                out.append(removed + edited if edited.startswith(indent) else edited)
        else:
            out.extend(new_lines[j1:j2])
    return b"".join(out)
