"""scan_text.py lays the scan table out as rich does into a pipe: checked against rich
itself, on generated texts and reports (hypothesis), on edge cases, and through the CLI.
A report that is not printable ASCII is left to rich."""

from __future__ import annotations

import io
import string
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from migrator.cli import main
from migrator.model import FileError, FileResult, Usage
from migrator.report import render_scan, scan_console
from migrator.runner import RunStats
from migrator.scan import ScanReport
from migrator.scan_text import plain_scan_text, wrap

# Words as code and paths have them, runs of spaces, and words longer than any width.
_WORDS = st.text(alphabet=string.ascii_letters + string.digits + "._-/:=()[],'\"", min_size=1,
                 max_size=30)  # fmt: skip
_TEXT = st.lists(st.tuples(st.text(" ", max_size=3), _WORDS), max_size=8).map(
    lambda parts: "".join(space + word for space, word in parts)
)


def rich_wrap(text: str, width: int) -> list[str]:
    console = Console(file=io.StringIO(), width=200, no_color=True, highlight=False)
    return [line.plain for line in Text(text).wrap(console, width, overflow="fold")]


@given(_TEXT | st.text(" ", max_size=5), st.integers(1, 40))
@settings(max_examples=400, deadline=None)
def test_wrap_breaks_lines_as_rich_does(text: str, width: int) -> None:
    assert wrap(text, width) == rich_wrap(text, width)


@pytest.mark.parametrize(
    ("text", "width"),
    [("", 5), ("     ", 3), ("  lead", 3), ("abcdefghij  ", 5), ("a bb ccc dddd", 4),
     ("x" * 25, 7), ("ok " + "y" * 12 + " end", 5), ("word   ", 4)],
)  # fmt: skip
def test_wrap_edge_cases_as_rich(text: str, width: int) -> None:
    assert wrap(text, width) == rich_wrap(text, width)


def _usage(path: str, kind: str, api: str | None, model: str | None, flags: int) -> Usage:
    style = "v0" if flags == 3 else "v1"
    return Usage(path, 1 + flags, 0, kind, api=api, model=model,  # type: ignore[arg-type]
                 style=style, is_async=flags == 1, stream=flags == 2)  # fmt: skip


_PATHS = st.text(alphabet=string.ascii_lowercase + "/_.-[] ", min_size=1, max_size=90)
_USAGES = st.builds(
    _usage, _PATHS, st.sampled_from(["call", "client", "env", "import", "model", "config"]),
    st.none() | _WORDS, st.none() | _WORDS, st.integers(0, 3),
)  # fmt: skip
_ERRORS = st.builds(lambda p, m: FileError(p, 3, m), _PATHS, _TEXT)


@given(st.lists(_USAGES, max_size=12), st.lists(_ERRORS, max_size=2), _PATHS)
@settings(max_examples=150, deadline=None)
def test_the_table_is_rich_s_to_the_byte(usages: list[Usage], errors: list, root: str) -> None:
    results = [FileResult(u.path, usages=[u]) for u in usages]
    results += [FileResult(e.path, errors=[e]) for e in errors]
    report = ScanReport(Path("/" + root), results, RunStats(len(results) + 3, len(results)))
    console = scan_console(io.StringIO())
    render_scan(report, console)
    assert plain_scan_text(report) == console.file.getvalue()  # type: ignore[attr-defined]


def test_text_that_is_not_printable_ascii_is_left_to_rich() -> None:
    for path in ("docs/设置.py", "tab\there.py"):
        usage = _usage(path, "env", "X", None, 0)
        report = ScanReport(Path("/r"), [FileResult(path, usages=[usage])], RunStats(1, 1))
        assert plain_scan_text(report) is None


def test_a_piped_scan_prints_the_plain_table_without_rich(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the CLI: rich is not loaded, and the table, on stdout or in `-o FILE`, is
    the one rich prints when the plain layout is not used."""
    import subprocess
    import sys

    import migrator.scan_text
    from tests.cli_probe import loading_probe

    (tmp_path / "app.py").write_text(
        "import openai\n\nclient = openai.OpenAI()\n"
        'client.chat.completions.create(model="gpt-4o-mini", messages=[], stream=True)\n'
    )
    argv = [sys.executable, "-c", loading_probe("rich"), "scan", str(tmp_path), "--no-cache"]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == "LOADED []"
    assert "chat.completions.create (model=gpt-4o-mini, stream)" in done.stdout

    def scan(*extra: str) -> str:
        result = CliRunner().invoke(main, ["scan", str(tmp_path), "--no-cache", *extra])
        assert result.exit_code == 0, result.output
        return result.stdout

    written = tmp_path / "out.txt"
    assert scan() == done.stdout
    scan("-o", str(written))
    assert written.read_text() == done.stdout
    monkeypatch.setattr(migrator.scan_text, "plain_scan_text", lambda report: None)
    assert scan() == done.stdout  # rich's table


def test_a_pipe_that_does_not_take_utf8_gets_rich_s_ascii_table(tmp_path: Path) -> None:
    """rich draws the table in ASCII for a stream that is not UTF-8; so does a piped
    scan, instead of failing to encode the rule."""
    import os
    import subprocess
    import sys

    (tmp_path / "app.py").write_text("import openai\n\nclient = openai.OpenAI()\n")
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    argv = [sys.executable, "-m", "migrator", "scan", str(tmp_path), "--no-cache"]
    done = subprocess.run(argv, capture_output=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert b"+----" in done.stdout and "─".encode() not in done.stdout
