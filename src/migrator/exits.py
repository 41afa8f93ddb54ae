"""Exit codes, and the one place that turns a crash or Ctrl-C into one.

| code | meaning |
| 0    | success (`diff` also when it shows changes) |
| 1    | `--check` found something: usage, a pending rewrite, or a file it could not read |
| 2    | usage/configuration error, or a failure while `apply` writes or commits |
| 123  | internal error: a crash (traceback on stderr), or a bug that failed one file |
| 130  | interrupted (Ctrl-C) |

Exit 1 means "found something" and nothing else, so a CI guard can tell a finding from
a broken run.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from collections.abc import Sequence
from typing import Any

import click

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 123
EXIT_INTERRUPTED = 130


class UsageError(click.ClickException):
    """A usage or configuration error: the message, exit 2."""

    exit_code = EXIT_USAGE


class RunFailed(click.ClickException):
    """The run started and failed outside migrator's control (a write, a git hook): exit 2."""

    exit_code = EXIT_USAGE


class MigratorGroup(click.Group):
    """A click group whose commands exit 130 on Ctrl-C (click's default is 1, which would
    read as "found something") and 123 on an unexpected exception, with its traceback.

    `lazy_commands` names commands ("module:attribute") that are imported only when they
    are run or listed (`--help`): `diff` need not import what `apply` and `checklist`
    need. A broken module fails loudly when its command is asked for, instead of the
    command vanishing as "No such command"."""

    def __init__(
        self, *args: Any, lazy_commands: dict[str, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            module, attribute = self.lazy_commands[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        from migrator.progress import set_verbosity

        set_verbosity(0)  # -q/-v count from zero in each run (tests run many in a process)
        return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("\nmigrator: interrupted.", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception:  # noqa: BLE001 - a bug: reported with its traceback, exit 123
            traceback.print_exc(file=sys.stderr)
            click.echo(
                "migrator: internal error (a bug in migrator; please report it with the "
                "traceback above).",
                err=True,
            )
            raise click.exceptions.Exit(EXIT_INTERNAL) from None


def exit_on_internal_errors(errors: Sequence[Any]) -> None:
    """Exit 123 (after the output is written) when migrator failed on a file through a bug
    of its own, as black does: the run went on, but its result cannot be trusted whole."""
    paths = sorted({e.path for e in errors if e.message.startswith("internal error")})
    if paths:
        click.echo(
            f"migrator: internal error on {len(paths)} file(s) (a bug in migrator; please "
            "report it): " + ", ".join(paths),
            err=True,
        )
        raise click.exceptions.Exit(EXIT_INTERNAL)


def unreadable_check_failure(errors: Sequence[Any], skip_unparsable: bool) -> bool:
    """Whether `--check` must fail because files it could not read or parse may hold
    OpenAI usage (a guard never passes blind). Names each file on stderr."""
    if not errors or skip_unparsable:
        return False
    paths = sorted({e.path for e in errors})
    click.echo(
        f"migrator: --check cannot vouch for {len(paths)} file(s) it could not read or "
        "parse (pass --skip-unparsable to ignore them): " + ", ".join(paths),
        err=True,
    )
    return True


def skip_unparsable_option(f: Any) -> Any:
    return click.option(
        "--skip-unparsable", is_flag=True,
        help="With --check: do not fail on files that could not be read or parsed.",
    )(f)  # fmt: skip
