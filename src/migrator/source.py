"""Reading and parsing target files without losing a byte.

libcst parses from bytes: it honours a PEP 263 coding cookie and a UTF-8 BOM, keeps
the newline style, and `Module.bytes` re-encodes in the original encoding. So we
never decode ourselves; we only turn every failure into a FileError with a line.
"""

from __future__ import annotations

import libcst as cst

from migrator.model import FileError


def parse_source(data: bytes, path: str) -> tuple[cst.Module | None, FileError | None]:
    """Parse `data`; on failure return a FileError naming the line, never raise."""
    try:
        return cst.parse_module(data), None
    except cst.ParserSyntaxError as exc:
        return None, FileError(path, exc.raw_line, f"syntax error: {exc.message}")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, FileError(path, line, f"cannot decode as {exc.encoding}: {exc.reason}")
    except LookupError as exc:  # unknown codec named in a coding cookie
        return None, FileError(path, 1, f"unknown encoding: {exc}")
    except (SyntaxError, ValueError) as exc:  # e.g. BOM contradicting the cookie
        return None, FileError(path, getattr(exc, "lineno", None) or 1, f"cannot read: {exc}")
    except RecursionError:
        return None, FileError(path, 1, "file too deeply nested for the parser")
