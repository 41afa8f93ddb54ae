"""Every console migrator prints through, so that colour follows one rule everywhere:

an explicit `--color/--no-color` wins; else `NO_COLOR` (set and not empty, no-color.org)
turns colour off; else `FORCE_COLOR` (set and not empty, force-color.org) turns it on,
even into a pipe; else colour is on when the stream is a terminal.
"""

from __future__ import annotations

import os
import sys
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


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
