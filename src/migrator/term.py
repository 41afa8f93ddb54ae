"""Every console migrator prints through, so that colour follows one rule everywhere:

an explicit `--color/--no-color` wins; else `NO_COLOR` (set and not empty, no-color.org)
turns colour off; else `FORCE_COLOR` (set and not empty, force-color.org) turns it on,
even into a pipe; else colour is on when the stream is a terminal.
"""

from __future__ import annotations

import os
import sys
from typing import IO, TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rich.console import Console

# A piece of a line: plain text, or (text, rich style) -- never markup, so that a path
# holding brackets (`tests/[id]/app.py`) is printed as it is.
Part = str | tuple[str, str]


def _set(name: str) -> bool:
    return bool(os.environ.get(name, ""))


def color_enabled(stream: IO[str] | None = None, explicit: bool | None = None) -> bool:
    if explicit is not None:
        return explicit
    if _set("NO_COLOR"):
        return False
    if _set("FORCE_COLOR"):
        return True
    stream = stream if stream is not None else sys.stdout
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def make_console(
    *,
    stderr: bool = False,
    color: bool | None = None,
    file: IO[str] | None = None,
    width: int | None = None,
    soft_wrap: bool = False,
) -> Console:
    """A rich console on stdout (or stderr, or `file`): ANSI styles only when colour is
    enabled, none at all otherwise (a pipe, a file, NO_COLOR)."""
    from rich.console import Console  # only commands that print need rich

    stream = file if file is not None else (sys.stderr if stderr else sys.stdout)
    enabled = color_enabled(stream, color) if file is None else bool(color)
    return Console(
        file=stream,
        force_terminal=enabled,
        no_color=not enabled,
        highlight=False,
        soft_wrap=soft_wrap,
        width=width,
        # rich reads NO_COLOR/FORCE_COLOR itself; the decision above is the one that holds
        _environ={k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")},
    )


def takes_plain_text(stream: IO[str]) -> bool:
    """`stream` is no terminal, gets no colour and takes UTF-8: rich would print there
    the text as it is (on another encoding it draws its lines in ASCII)."""
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower()
    on_terminal = bool(getattr(stream, "isatty", lambda: False)())
    return not (on_terminal or color_enabled(stream)) and encoding.startswith("utf")


def plain(parts: tuple[Part, ...] | list[Part]) -> str:
    """The parts' text, without their styles."""
    return "".join(p if isinstance(p, str) else p[0] for p in parts)


class Lines(Protocol):
    """Where a command prints its lines of text (findings, summaries)."""

    def line(self, *parts: Part, end: str = "\n") -> None: ...


# What rich removes from printed text (bell, backspace, vertical tab, form feed, carriage
# return): plain output removes them too, so it is the same text rich prints.
_CONTROL = str.maketrans("", "", "\x07\x08\x0b\x0c\x0d")


class PlainLines:
    """Lines written as they are, for a stream that gets no colour (a pipe, a file,
    NO_COLOR): what a rich console prints there, without loading rich (a fifth of a
    cached `diff`)."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def line(self, *parts: Part, end: str = "\n") -> None:
        self._stream.write(plain(parts).translate(_CONTROL) + end)
        self._stream.flush()  # as rich does: the stream may be read before it is closed


class RichLines:
    """Lines printed on a rich console, each part in its style."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def line(self, *parts: Part, end: str = "\n") -> None:
        from rich.text import Text

        self.console.print(Text.assemble(*parts), end=end)


def lines_on(*, stderr: bool = False, color: bool | None = None) -> Lines:
    """Lines on stdout (or stderr), coloured by the rule above; plain when not."""
    stream = sys.stderr if stderr else sys.stdout
    if color_enabled(stream, color):
        return RichLines(make_console(stderr=stderr, color=color, soft_wrap=True))
    return PlainLines(stream)
