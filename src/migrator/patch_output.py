"""The patch `git apply` takes: made from the files' bytes, so that CRLF line ends, a BOM
and the file's own encoding (GBK, Latin-1...) survive byte for byte, with paths relative
to the repository's top (or to PATH outside a repository), where `git apply` reads them.

Secrets: a patch whose lines hold an API key is printed with the key redacted (and is then
not applicable as printed); the real patch is written only to a file (`diff -o FILE`,
mode 0600), never to a terminal.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from migrator import gitops
from migrator.exits import UsageError
from migrator.relpaths import folder_prefix
from migrator.report import ci_diff_output, dump_json, render_diff_summary, render_review_diffs
from migrator.secrets import redact_secrets
from migrator.term import RichLines, lines_on, make_console

NOT_APPLICABLE_NOTE = (
    "migrator: the diff shows API keys redacted, so it is not applicable as printed; "
    "`migrator diff ... -o FILE` writes the applicable patch to FILE (mode 0600)."
)

# A line of bytes with its end (the last one may have none): what a patch counts.
BYTE_LINE = re.compile(rb"[^\n]*\n|[^\n]+")


def repo_prefix(root: Path) -> str:
    """`root` relative to the top of its git work tree, with a trailing `/` ("" at the top
    or outside a repository): what a patch path needs for `git apply` at the top."""
    top = gitops.find_repo(root)
    return "" if top is None else folder_prefix(root, top)


def file_patch(path: str, old: bytes, new: bytes) -> bytes:
    """A git-style unified diff of two versions of one file, line ends and bytes as they
    are (lines split at `\\n` only, as git does)."""
    name = path.encode("utf-8", "surrogateescape")
    hunks = difflib.diff_bytes(
        difflib.unified_diff,
        BYTE_LINE.findall(old),
        BYTE_LINE.findall(new),
        fromfile=b"a/" + name,
        tofile=b"b/" + name,
    )
    out = [b"diff --git a/" + name + b" b/" + name + b"\n"]
    for line in hunks:
        if line.startswith((b"---", b"+++")) and not line.endswith(b"\n"):
            line += b"\n"
        out.append(line if line.endswith(b"\n") else line + b"\n\\ No newline at end of file\n")
    return b"".join(out)


def build_patch(changes: Iterable[tuple[str, bytes, bytes]], prefix: str = "") -> bytes:
    """One patch for every (relative path, old bytes, new bytes)."""
    return b"".join(file_patch(prefix + path, old, new) for path, old, new in changes)


def redact_patch(patch: bytes) -> tuple[bytes, bool]:
    """`patch` with every API key redacted, and whether any was (keys are ASCII, so
    Latin-1 maps every other byte to itself and back)."""
    text = patch.decode("latin-1")
    redacted = redact_secrets(text)
    return redacted.encode("latin-1"), redacted != text


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` readable by its owner only (0600, an existing file's mode is
    tightened too). A terminal is refused: the patch holds secrets unredacted."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        if os.isatty(fd):
            raise UsageError(
                f"{path} is a terminal: -o writes the applicable patch, secrets unredacted, "
                "to a file only"
            )
        if Path(path).is_file() and hasattr(os, "fchmod"):  # POSIX; Windows has no modes
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb", closefd=False) as out:
            out.write(data)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)


def report_patch(report: Any, prefix: str = "") -> bytes:
    """The applicable patch of a MigrationReport (every changed file, notebooks at the
    JSON level), secrets as they are."""
    changes = []
    for result in report.changed:
        assert result.old_source is not None and result.new_source is not None
        changes.append((result.path, result.old_source, result.new_source))
    return build_patch(changes, prefix)


def show_diff(report: Any, *, fmt: str, color: bool | None, patch_file: Path | None) -> None:
    """Print `diff`'s output.

    - `--format json`: the JSON document on stdout, nothing else.
    - A terminal (or `--color/--no-color`): the review diff (notebooks per cell, coloured
      per term.py), then findings and the summary, all on stdout.
    - Otherwise (a pipe, a file): the applicable patch on stdout, byte for byte, paths
      from the repository's top; findings and the summary on stderr. The patch is data:
      FORCE_COLOR colours the stderr lines, never the patch (it would stop applying).
    `-o FILE` also writes the applicable patch, secrets unredacted, to FILE (0600).
    """
    # (the patch, and the git call that finds the repository's top, only where it is used)
    patch = report_patch(report, repo_prefix(report.root)) if patch_file or fmt == "text" else b""
    if patch_file is not None:
        write_private(patch_file, patch)
    if fmt == "json":
        click.echo(dump_json(report.to_json()), nl=False)
        return
    if fmt in ("sarif", "github"):
        click.echo(ci_diff_output(fmt, report), nl=False)
        return
    shown_patch, had_secrets = redact_patch(patch)
    if color is not None or sys.stdout.isatty():
        console = make_console(color=color, soft_wrap=True)
        render_review_diffs(report, console)
        lines = RichLines(console)
        if had_secrets:
            lines.line((NOT_APPLICABLE_NOTE, "yellow"))
        render_diff_summary(report, lines)
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(shown_patch)
    sys.stdout.buffer.flush()
    errors = lines_on(stderr=True)  # (plain, without rich, unless FORCE_COLOR)
    if had_secrets:
        errors.line(NOT_APPLICABLE_NOTE)
    render_diff_summary(report, errors)
