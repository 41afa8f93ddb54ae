"""Reading and parsing target files without losing a byte.

libcst parses from bytes: it honours a PEP 263 coding cookie and a UTF-8 BOM, keeps
the newline style, and `Module.bytes` re-encodes in the original encoding. So we
never decode ourselves; we only turn every failure into a FileError with a line.

libcst's own error positions are unreliable (an unclosed bracket is reported where
the parser gave up, a bad indent on line 1, a tokenizer error on line 1), so the
line and message of a syntax error come from CPython's parser. When CPython accepts what
libcst rejects or crashes on, the file is not the user's mistake: it is reported as "not
supported by the parser", with libcst's reason, and never as a syntax error. Form feeds in
indentation are taken out before libcst sees the file (form_feeds.py).
"""

from __future__ import annotations

import ast
import warnings

import libcst as cst

from migrator.form_feeds import without_indent_form_feeds
from migrator.model import FileError


def parse_source(data: bytes, path: str) -> tuple[cst.Module | None, FileError | None]:
    """Parse `data`; on failure return a FileError naming the line, never raise."""
    refusal = _too_deep_for_the_parser(data)
    if refusal is not None:
        line, message = refusal
        return None, FileError(path, line, message)
    try:
        return cst.parse_module(without_indent_form_feeds(data) or data), None
    except cst.ParserSyntaxError as exc:
        return None, _rejected(path, data, exc.raw_line, exc.message)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, FileError(path, line, f"cannot decode as {exc.encoding}: {exc.reason}")
    except (IndexError, KeyError) as exc:  # (LookupErrors, but a bug inside the parser)
        return None, _rejected(path, data, 1, f"{type(exc).__name__}: {exc}")
    except LookupError as exc:  # unknown codec named in a coding cookie
        return None, FileError(path, _cookie_line(data), f"unknown encoding: {exc}")
    except (SyntaxError, ValueError) as exc:  # e.g. BOM contradicting the cookie
        line = getattr(exc, "lineno", None) or _cookie_line(data)
        return None, FileError(path, line, f"cannot read: {exc}")
    except RecursionError:
        return None, FileError(path, 1, "file too deeply nested for the parser")
    except Exception as exc:  # noqa: BLE001 - a bug inside the parser costs one file
        return None, _rejected(path, data, 1, f"{type(exc).__name__}: {exc}")


def output_syntax_error(data: bytes, path: str) -> FileError | None:
    """The error parsing rewritten code `data` gives, or None when it parses.

    CPython's parser (in C, a small fraction of libcst's parse) decides first; only code
    it rejects is parsed again by libcst, which has the last word: CPython may be older
    than the code's syntax (a `type` statement read by Python 3.11), which libcst reads.
    CPython's compiler is asked before its `ast`: it parses the same grammar without
    building the tree as Python objects (2-3x faster: on a 3.5 MB module, 0.8 s against
    1.6 s). It also rejects code that parses (`return` outside a function, a repeated
    parameter name), which libcst reads too: that code goes on to `ast.parse`, as
    before, and nothing is executed either way.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(data, path, "exec", dont_inherit=True)
            return None
        except Exception:  # noqa: BLE001 - decided below, as before this shortcut
            pass
        try:
            ast.parse(data)
            return None
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass
    return parse_source(data, path)[1]


def _rejected(path: str, data: bytes, line: int, reason: str) -> FileError:
    """libcst refused or crashed on `data`: the file's syntax error if Python has one,
    else the parser's limit (at `line`, for `reason`), never a crash of the run."""
    python = _python_syntax_error(data)
    if python is None:
        return _parser_limit(path, line, reason)
    return FileError(path, max(python[0], 1), f"syntax error: {python[1]}")


PARSER_LIMIT = "not supported by the parser"


def _parser_limit(path: str, line: int, reason: str) -> FileError:
    """Python accepts the file and libcst does not: not the user's syntax error."""
    reason = " ".join(reason.split())
    return FileError(
        path, max(line, 1), f"{PARSER_LIMIT} (Python accepts this file; libcst: {reason})"
    )


def _python_syntax_error(data: bytes) -> tuple[int, str] | None:
    """Line and message of CPython's SyntaxError for `data`, or None if it parses.

    Only parses (no code object, nothing executed). CPython may be older than the
    code's target version; then it rejects valid code and we would still report
    libcst's complaint with CPython's position, which is the better of the two.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes and the like
            ast.parse(data)
    except SyntaxError as exc:  # includes IndentationError and TabError
        if exc.lineno is None:
            return None
        return exc.lineno, exc.msg
    except (ValueError, RecursionError, MemoryError):  # null bytes, deep nesting
        return None
    return None


def _cookie_line(data: bytes) -> int:
    """The line of the coding cookie (1 or 2), for errors about the declared encoding."""
    first, _, rest = data.partition(b"\n")
    if b"coding" in first:
        return 1
    if b"coding" in rest.partition(b"\n")[0]:
        return 2
    return 1


def code_of(node: cst.CSTNode) -> str:
    """The source text of a node (as it would be printed in a module)."""
    return cst.Module([]).code_for_node(node)


# CPython itself refuses more than 200 nested brackets; libcst's native parser recurses
# on deep nesting and long operator chains and can overflow the C stack (a segfault
# kills the process), so such files are refused before they reach it.
_MAX_NESTING = 200
_MAX_LINE = 20_000
# Everything but brackets and newlines, deleted before the scan (bytes.translate is C).
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b"()[]{}\n")


def _too_deep_for_the_parser(data: bytes) -> tuple[int, str] | None:
    lines = data.split(b"\n")
    long_line = next((n for n, text in enumerate(lines, 1) if len(text) > _MAX_LINE), None)
    depth = 0
    line = 1
    for byte in data.translate(None, _NOT_STRUCTURE):
        if byte == 10:
            line += 1
            if long_line is not None and line > long_line:
                break
        elif byte in b"([{":
            depth += 1
            if depth > _MAX_NESTING:
                return line, f"more than {_MAX_NESTING} nested brackets (Python refuses them too)"
        else:
            depth = max(depth - 1, 0)
    if long_line is not None:
        return long_line, f"line longer than {_MAX_LINE} characters: not parsed"
    return None


def plain_comma(comma: cst.Comma) -> cst.Comma:
    """`comma` without a trailing comment (copying it must not duplicate the user's note);
    the lines below it stay (`sequence_separator` drops them from its copy)."""
    after = comma.whitespace_after
    if isinstance(after, cst.ParenthesizedWhitespace) and after.first_line.comment is not None:
        after = after.with_changes(
            first_line=cst.TrailingWhitespace(newline=after.first_line.newline)
        )
    return comma.with_changes(whitespace_after=after)


def sequence_separator(
    commas: list[cst.Comma | cst.MaybeSentinel], opening: cst.BaseParenthesizableWhitespace
) -> cst.Comma:
    """The comma to put between two items of a bracketed sequence, copied from its layout.

    `commas` are the items' own commas, in order. The one nearest the end wins (a call that
    puts several arguments per line and one per line elsewhere keeps the local style); a
    trailing comma is not a separator. Without one, a sequence opened by a newline puts
    each new item on its own line at the first item's indentation."""
    for comma in reversed(commas[:-1]):
        if isinstance(comma, cst.Comma):
            return _without_lines_between(plain_comma(comma))
    if isinstance(opening, cst.ParenthesizedWhitespace):
        return _without_lines_between(plain_comma(cst.Comma(whitespace_after=opening)))
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _without_lines_between(comma: cst.Comma) -> cst.Comma:
    """`comma` without the blank and comment lines that follow it before the next item: a
    copy must not repeat the user's own-line notes."""
    after = comma.whitespace_after
    if isinstance(after, cst.ParenthesizedWhitespace) and after.empty_lines:
        return comma.with_changes(whitespace_after=after.with_changes(empty_lines=[]))
    return comma


def string_values(data: bytes) -> set[str]:
    """The values of the plain string literals in Python source `data` (not comments, not
    text inside longer strings): what the code names, e.g. the variables it reads."""
    import io
    import tokenize

    found: set[str] = set()
    try:
        for token in tokenize.tokenize(io.BytesIO(data).readline):
            if token.type != tokenize.STRING:
                continue
            try:
                value = ast.literal_eval(token.string)
            except (ValueError, SyntaxError):  # an f-string (before 3.12) and the like
                continue
            if isinstance(value, str):
                found.add(value)
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError):
        pass  # an unreadable tail: what was read so far stands
    return found


def dotted_name(node: cst.CSTNode) -> str | None:
    """`a.b.c` -> "a.b.c"; None for anything but names and attributes of names."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None
