"""The `migrator` command line. Exit codes: 0 ok, 1 --check found something, 2 usage error."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import click
from rich.console import Console

from migrator import __version__
from migrator.config import ConfigError, ProjectConfig, load_project_config
from migrator.discovery import Target, discover, skipped_note
from migrator.mapping import Mapping, MappingError, load_registry
from migrator.migrate import MigrationReport, migrate
from migrator.report import (
    ci_diff_output,
    ci_scan_output,
    dump_json,
    render_diff,
    render_scan,
    scan_console,
)
from migrator.rewrite import RewriteOptions
from migrator.routes import RouteError, resolve_routes
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
        help="Skip files or folders matching GLOB (repeatable; adds to [tool.migrator] "
        "exclude). '!GLOB' includes a third-party folder skipped by default (vendor/, a "
        "copy of the openai SDK...).",
    )(f)  # fmt: skip


class UsageError(click.ClickException):
    exit_code = EXIT_USAGE


def load_config(path: Path) -> ProjectConfig:
    try:
        return load_project_config(path)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc


def resolve_target(path: Path, config: ProjectConfig, excludes: tuple[str, ...]) -> Target:
    skipped: dict[str, str] = {}
    target = discover(path, [*config.exclude, *excludes], skipped)
    note_skipped(skipped)
    return target


def note_skipped(skipped: dict[str, str]) -> None:
    """One line on stderr naming the third-party trees discovery left out."""
    note = skipped_note(skipped)
    if note is not None:
        click.echo(f"migrator: {note}", err=True)


def emit(text: str, output: Path | None) -> None:
    """`text` to stdout, or to `output` (a write error is a usage error, exit 2)."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from exc


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
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]),
              default="text", show_default=True,
              help="Output format (sarif: SARIF 2.1.0 for code scanning; github: workflow "
                   "annotations).")  # fmt: skip
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
      migrator scan . --format sarif -o migrator.sarif
    """
    config = load_config(path)
    target = resolve_target(path, config, excludes)
    report = run_scan(target, jobs=jobs)
    if fmt == "json":
        emit(dump_json(report.to_json()), output)
    elif fmt in ("sarif", "github"):
        emit(ci_scan_output(fmt, report), output)
    elif output is not None:
        console = scan_console(io.StringIO())
        render_scan(report, console)
        emit(console.file.getvalue(), output)  # type: ignore[attr-defined]
    else:
        render_scan(report, scan_console())
    if check and report.usages:
        sys.exit(EXIT_PENDING)


def target_options(f):  # type: ignore[no-untyped-def]
    """Options shared by every command that rewrites for a provider."""
    options = [
        click.option("--to", "provider", metavar="PROVIDER",
                     help="Target provider id or alias (see `migrator providers`); "
                          "default: [tool.migrator] provider."),
        click.option("--strategy", type=click.Choice(["compat", "native", "litellm"]),
                     default=None, help="How to migrate (default: the mapping's default)."),
        click.option("--mapping", "mapping_files", multiple=True, metavar="FILE",
                     type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Load a mapping file of your own (repeatable)."),
        click.option("--model-map", "model_map", multiple=True, metavar="OLD=NEW",
                     help="Override a model mapping (repeatable)."),
        click.option("--base-url", default=None, metavar="URL",
                     help="Endpoint to use instead of the mapping's (gateways, regions)."),
        click.option("--key-env", default=None, metavar="VAR",
                     help="API-key environment variable instead of the mapping's."),
        click.option("--route", "routes", multiple=True, metavar="FAMILY=PROVIDER",
                     help="Send one endpoint family the target lacks to a second provider "
                          "(--route embeddings=qwen; repeatable)."),
        click.option("--upgrade-v0", is_flag=True,
                     help="Also move v0 module calls (openai.ChatCompletion...) to a v1 client."),
        click.option("--retarget-configured", is_flag=True,
                     help="Also retarget clients whose base_url migrator cannot show to be "
                          "OpenAI's (configuration, unknown hosts; MIG105). Clients shown to "
                          "use another provider or a local server are never retargeted."),
        click.option("--ignore", "ignore_rules", multiple=True, metavar="MIGxxx",
                     help="Suppress a rule everywhere (repeatable)."),
        jobs_option,
        exclude_option,
    ]  # fmt: skip
    for option in reversed(options):
        f = option(f)
    return f


def build_options(
    config: ProjectConfig,
    provider: str | None,
    strategy: str | None,
    mapping_files: tuple[Path, ...],
    model_map: tuple[str, ...],
    base_url: str | None,
    key_env: str | None,
    upgrade_v0: bool,
    ignore_rules: tuple[str, ...],
    retarget_configured: bool = False,
    routes: tuple[str, ...] = (),
) -> RewriteOptions:
    """Resolve provider, strategy and overrides (CLI flags win over [tool.migrator])."""
    extra = list(mapping_files)
    if config.mapping and config.path is not None:
        extra.append(config.path.parent / config.mapping)
    try:
        registry = load_registry(extra)
    except MappingError as exc:
        raise UsageError(str(exc)) from exc
    name = provider or config.provider
    if name is None and len(mapping_files) == 1:
        try:
            from migrator.mapping import load_mapping

            name = load_mapping(mapping_files[0]).id
        except MappingError as exc:
            raise UsageError(str(exc)) from exc
    if name is None:
        raise UsageError(
            "no provider: pass --to PROVIDER (see `migrator providers`) or set "
            "[tool.migrator] provider in pyproject.toml"
        )
    try:
        mapping: Mapping = registry.get(name)
    except MappingError as exc:
        raise UsageError(str(exc)) from exc
    chosen = strategy or config.strategy or mapping.default_strategy
    if chosen not in mapping.strategies:
        # A provider without an SDK of its own says why (mapping `native: {none: ...}`).
        why = f" (no native target: {mapping.no_native})" if chosen == "native" else ""
        raise UsageError(
            f"strategy {chosen!r} is not available for {mapping.id}: it supports "
            f"{', '.join(mapping.strategies)}{why if mapping.no_native else ''}"
        )
    overrides = dict(config.model_map)
    for item in model_map:
        old, sep, new = item.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise UsageError(f"--model-map takes OLD=NEW, got {item!r}")
        overrides[old.strip()] = new.strip()
    base = base_url or config.base_url
    key = key_env or config.key_env
    if overrides or base or key:
        mapping = mapping.with_overrides(overrides, base_url=base, key_env=key)
    ignore = frozenset(r.upper() for r in (*config.ignore, *ignore_rules))
    try:
        routed = resolve_routes(registry, mapping, config.route, routes)
    except RouteError as exc:
        raise UsageError(str(exc)) from exc
    from migrator.codemods.strategies import strategy_named

    return RewriteOptions(
        mapping=mapping,
        strategy=strategy_named(chosen),
        upgrade_v0=upgrade_v0,
        retarget_configured=retarget_configured or config.retarget_configured,
        ignore=ignore,
        routes=routed,
    )


def run_migration(path: Path, excludes: tuple[str, ...], jobs: int | None, **kwargs: object
                  ) -> tuple[MigrationReport, ProjectConfig]:  # fmt: skip
    config = load_config(path)
    options = build_options(config, **kwargs)  # type: ignore[arg-type]
    target = resolve_target(path, config, excludes)
    return migrate(target, options, jobs=jobs), config


@main.command()
@PATH_ARG
@target_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]),
              default="text", show_default=True,
              help="Output format (sarif: SARIF 2.1.0 with the rewrite as fixes; github: "
                   "workflow annotations).")  # fmt: skip
@click.option("--check", is_flag=True, help="Exit 1 when anything would change.")
@click.option("--color/--no-color", default=None, help="Colour the diff (default: on a terminal).")
@click.option("-o", "--output", "patch", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the rewrite as a patch to FILE (`git apply FILE`; notebooks "
                   "as JSON-level hunks, where the screen shows their cells).")  # fmt: skip
def diff(
    path: Path,
    fmt: str,
    check: bool,
    patch: Path | None,
    color: bool | None,
    jobs: int | None,
    excludes: tuple[str, ...],
    **kwargs: object,
) -> None:
    """Show the rewrite that moves PATH off OpenAI, as a unified diff. Writes nothing.

    \b
    Every edit is minimal: bytes outside the rewritten nodes stay as they were.
    What cannot be rewritten safely is marked with a `# migrator: MIGxxx` comment
    and listed as a finding (see the rule table in the README).

    \b
    Examples:
      migrator diff . --to qwen
      migrator diff . --to deepseek --model-map gpt-4o=deepseek-v4-flash
      migrator diff . --to gateway --base-url http://llm-gateway:4000/v1
      migrator diff . --to glm --format json > plan.json
      migrator diff . --to kimi --check     # CI: exit 1 while a rewrite is pending
      migrator diff . --to qwen -o qwen.patch && git apply qwen.patch
      migrator diff . --to qwen --format sarif > migrator.sarif
    """
    report, _ = run_migration(path, excludes, jobs, **kwargs)
    if patch is not None:
        with open(patch, "w", encoding="utf-8", newline="") as out:
            out.write("".join(text for _, text in report.diffs()))
    if fmt == "json":
        click.echo(dump_json(report.to_json()), nl=False)
    elif fmt in ("sarif", "github"):
        click.echo(ci_diff_output(fmt, report), nl=False)
    else:
        use_color = color if color is not None else sys.stdout.isatty()
        render_diff(report, Console(force_terminal=use_color, no_color=not use_color,
                                    highlight=False, soft_wrap=True))  # fmt: skip
    if check and report.changed:
        sys.exit(EXIT_PENDING)


def _register_optional_commands() -> None:
    """Commands that live in their own modules (imported here, once `main` exists, since
    they import this module). A broken import must fail loudly, not make `apply` vanish
    as "No such command"."""
    from migrator.cli_apply import apply, checklist
    from migrator.cli_mapping import mapping, providers

    main.add_command(providers)
    main.add_command(mapping)
    main.add_command(apply)
    main.add_command(checklist)
    from migrator.explain import rule, show

    main.add_command(rule)
    main.add_command(show)


_register_optional_commands()
