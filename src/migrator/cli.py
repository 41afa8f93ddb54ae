"""The `migrator` command line. Exit codes: 0 ok, 1 --check found something, 2 usage error."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from migrator import __version__
from migrator.config import ConfigError, ProjectConfig, load_project_config
from migrator.discovery import Target, discover
from migrator.report import dump_json, render_scan
from migrator.scan import scan as run_scan

EXIT_OK, EXIT_PENDING, EXIT_USAGE = 0, 1, 2

PATH_ARG = click.argument(
    "path", type=click.Path(exists=True, file_okay=True, dir_okay=True, path_type=Path)
)


def jobs_option(f):  # type: ignore[no-untyped-def]
    return click.option(
        "--jobs", "-j", type=click.IntRange(min=1), default=None,
        help="Worker processes (default: number of CPUs).",
    )(f)  # fmt: skip


def exclude_option(f):  # type: ignore[no-untyped-def]
    return click.option(
        "--exclude", "excludes", multiple=True, metavar="GLOB",
        help="Skip files or folders matching GLOB (repeatable; adds to [tool.migrator] exclude).",
    )(f)  # fmt: skip


class UsageError(click.ClickException):
    exit_code = EXIT_USAGE


def load_config(path: Path) -> ProjectConfig:
    try:
        return load_project_config(path)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc


def resolve_target(path: Path, config: ProjectConfig, excludes: tuple[str, ...]) -> Target:
    return discover(path, [*config.exclude, *excludes])


def emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="migrator")
def main() -> None:
    """Move a Python codebase off the OpenAI API.

    \b
    Typical session:
      migrator scan .                      # what uses openai, where
      migrator diff . --to qwen            # the rewrite, as a diff (writes nothing)
      migrator apply . --to qwen           # the rewrite, committed on a new git branch
      migrator checklist . --to qwen       # what a person must still do
    """


@main.command()
@PATH_ARG
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to FILE instead of stdout.")  # fmt: skip
@click.option("--check", is_flag=True, help="Exit 1 when any OpenAI usage is found (CI guard).")
@jobs_option
@exclude_option
def scan(
    path: Path,
    fmt: str,
    output: Path | None,
    check: bool,
    jobs: int | None,
    excludes: tuple[str, ...],
) -> None:
    """List every OpenAI usage under PATH (a repo folder or one file).

    \b
    Reports imports, clients, calls (with api, model, parameters, async, stream),
    v0 module settings, OPENAI_* environment reads, model-name literals,
    exceptions and types. Files that do not parse are listed and skipped.

    \b
    Examples:
      migrator scan .
      migrator scan src/ --format json -o openai-usage.json
      migrator scan . --check            # in CI: fail while openai is still used
    """
    config = load_config(path)
    target = resolve_target(path, config, excludes)
    report = run_scan(target, jobs=jobs)
    if fmt == "json":
        emit(dump_json(report.to_json()), output)
    elif output is not None:
        console = Console(file=open(output, "w", encoding="utf-8"), width=120)  # noqa: SIM115
        render_scan(report, console)
        console.file.close()
    else:
        render_scan(report, Console())
    if check and report.usages:
        sys.exit(EXIT_PENDING)


def _register_optional_commands() -> None:
    """Commands that live in their own modules."""
    try:
        from migrator.cli_mapping import mapping, providers
    except ImportError:  # pragma: no cover - only while the module is being written
        return
    main.add_command(providers)
    main.add_command(mapping)


_register_optional_commands()
