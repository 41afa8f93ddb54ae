"""What a long run tells on stderr while it works, never on stdout (JSON stays clean).

Verbosity is set once per process by `-q`/`-v` (on `migrator` or on a command):
- `-q`: nothing but errors and warnings (no progress, no notes);
- default: a progress bar for the file phase on a terminal, after about a second;
- `-v`: also one line per phase (discover, constants pre-pass, scan/rewrite) with counts and
  times, and, when stderr is not a terminal, plain progress lines with an ETA every few
  seconds instead of the bar.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

import click

from migrator.term import color_enabled

if TYPE_CHECKING:
    from rich.progress import Progress

_BAR_DELAY = 1.0  # a run shorter than this shows no bar
_LINE_EVERY = 5.0  # seconds between plain progress lines

_verbosity = 0
_bars_shown = 0  # a bar's output is no run's to replay (run_record.py)


def verbosity() -> int:
    return _verbosity


def set_verbosity(level: int) -> None:
    global _verbosity
    _verbosity = level


def adjust(_ctx: click.Context, param: click.Parameter, value: int) -> None:
    """click callback for -v/-q (counted; given on the group, on the command, or both)."""
    if value:
        set_verbosity(_verbosity + (value if param.name == "verbose" else -value))


def verbosity_options(f: Any) -> Any:
    f = click.option(
        "-q",
        "--quiet",
        count=True,
        expose_value=False,
        callback=adjust,
        help="Print less: no progress or notes (errors and warnings stay).",
    )(f)
    return click.option("-v", "--verbose", count=True, expose_value=False, callback=adjust,
                        help="Print phases with counts and times (repeatable).")(f)  # fmt: skip


def bars_shown() -> int:
    """How many progress bars this process has shown: a run compares the count at its
    start and end (a process running several commands, as tests do, has shown bars for
    earlier ones)."""
    return _bars_shown


def note(text: str) -> None:
    """An informational line on stderr (hidden by -q)."""
    if _verbosity >= 0:
        click.echo(f"migrator: {text}", err=True)


def phase(name: str, detail: str, started: float | None = None) -> None:
    """One line for a finished phase (shown with -v)."""
    if _verbosity >= 1:
        took = f" ({time.perf_counter() - started:.1f}s)" if started is not None else ""
        click.echo(f"migrator: {name}: {detail}{took}", err=True)


class FileProgress:
    """Progress over the files of one phase: a rich bar on a terminal, plain lines with -v
    elsewhere, nothing with -q or when the caller says so."""

    def __init__(self, name: str, total: int, show: bool | None = None) -> None:
        self.name = name
        self.total = total
        self.start = time.perf_counter()
        self.last_line = self.start
        tty = sys.stderr.isatty()
        # show=True forces the bar (tests); None leaves it to the terminal
        self.bar_allowed = _verbosity >= 0 and total > 0 and (show or (show is None and tty))
        self.lines = _verbosity >= 1 and show is not False and not tty and total > 0
        self.bar: Progress | None = None
        if self.lines:
            click.echo(f"migrator: {name}: {total} file(s) to read", err=True)

    def update(self, done: int) -> None:
        now = time.perf_counter()
        if self.bar_allowed and self.bar is None and now - self.start > _BAR_DELAY:
            global _bars_shown
            _bars_shown += 1
            self.bar = _bar(self.name, self.total)
            self.bar.start()
        if self.bar is not None:
            self.bar.update(self.bar.task_ids[0], completed=done)
        if self.lines and now - self.last_line >= _LINE_EVERY and done < self.total:
            self.last_line = now
            rate = done / (now - self.start)
            left = f", about {(self.total - done) / rate:.0f}s left" if done else ""
            click.echo(f"migrator: {self.name}: {done}/{self.total} files{left}", err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
        phase(self.name, f"{self.total} file(s) read", self.start)


def _bar(name: str, total: int) -> Progress:
    # rich.progress is imported when a bar is first shown: most runs show none, and it
    # is a tenth of the CLI's start-up.
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    progress = Progress(
        TextColumn(f"[bold]migrator[/] {name}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=Console(stderr=True, no_color=not color_enabled(sys.stderr)),
        transient=True,
    )
    progress.add_task(name, total=total)
    return progress
