"""The `migrator` command line. Exit codes: see exits.py (0 ok, 1 --check found something,
2 usage/config/I-O error, 123 internal error, 130 interrupted)."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from migrator import __version__
from migrator.cli_paths import PATHS_ARG, config_options, load_config, resolve_targets
from migrator.config import ProjectConfig
from migrator.exits import (
    EXIT_FOUND,
    MigratorGroup,
    UsageError,
    exit_on_internal_errors,
    skip_unparsable_option,
    unreadable_check_failure,
)
from migrator.progress import verbosity_options
from migrator.result_cache import ResultCache, open_cache
from migrator.run_record import RunRecord

if TYPE_CHECKING:
    from migrator.discovery import Target
    from migrator.mapping import Mapping
    from migrator.migrate import MigrationReport
    from migrator.options import RewriteOptions

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


def cache_option(f):  # type: ignore[no-untyped-def]
    return click.option(
        "--no-cache", is_flag=True,
        help="Do not read or write the result cache (MIGRATOR_CACHE_DIR, else the user's "
        "cache folder; MIGRATOR_NO_CACHE=1 does the same): compute everything, and do not "
        "replay the output of the same command on an unchanged tree.",
    )(f)  # fmt: skip


def emit(text: str, output: Path | None) -> None:
    """`text` to stdout, or to `output` (a write error is a usage error, exit 2)."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from exc


# Commands in modules of their own, imported when run or listed (they import this one).
LAZY_COMMANDS = {
    "apply": "migrator.cli_apply:apply",
    "checklist": "migrator.cli_checklist:checklist",
    "mapping": "migrator.cli_mapping:mapping",
    "providers": "migrator.cli_mapping:providers",
    "rule": "migrator.explain:rule",
    "show": "migrator.explain:show",
}


@click.group(
    cls=MigratorGroup,
    lazy_commands=LAZY_COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@verbosity_options
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
@PATHS_ARG
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]),
              default="text", show_default=True,
              help="Output format (sarif: SARIF 2.1.0 for code scanning; github: workflow "
                   "annotations).")  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to FILE instead of stdout.")  # fmt: skip
@click.option("--check", is_flag=True, help="Exit 1 when any OpenAI usage is found (CI guard).")
@skip_unparsable_option
@jobs_option
@exclude_option
@config_options
@verbosity_options
@cache_option
def scan(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    check: bool,
    skip_unparsable: bool,
    jobs: int | None,
    excludes: tuple[str, ...],
    config_file: Path | None,
    isolated: bool,
    no_cache: bool,
) -> None:
    """List every OpenAI usage under PATH (a repo folder or one file; several PATHs are
    read in one run, reported relative to the folder holding them all).

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
    config = load_config(paths, config_file, isolated)
    target = resolve_targets(paths, config, excludes)
    cache = open_cache(no_cache)
    record = RunRecord.for_command(cache, config, target, writes_file=output is not None)
    if record.replay():
        return
    with record.recording():
        _scan(target, fmt, output, check, skip_unparsable, jobs, cache)


def _scan(
    target: Target,
    fmt: str,
    output: Path | None,
    check: bool,
    skip_unparsable: bool,
    jobs: int | None,
    cache: ResultCache | None,
) -> None:
    # The scanner and libcst: not loaded for a replay.
    from migrator.report import ci_scan_output, dump_json, render_scan, scan_console
    from migrator.scan import scan as run_scan
    from migrator.scan_text import plain_scan_text
    from migrator.term import takes_plain_text

    report = run_scan(target, jobs=jobs, cache=cache)
    # Into a file or such a pipe, the table is laid out without rich.
    plain = output is not None or takes_plain_text(sys.stdout)
    text = plain_scan_text(report) if plain and fmt == "text" else None
    if fmt == "json":
        emit(dump_json(report.to_json()), output)
    elif fmt in ("sarif", "github"):
        emit(ci_scan_output(fmt, report), output)
    elif text is not None:
        emit(text, output)
    elif output is not None:
        console = scan_console(io.StringIO())
        render_scan(report, console)
        emit(console.file.getvalue(), output)  # type: ignore[attr-defined]
    else:
        render_scan(report, scan_console())
    exit_on_internal_errors(report.errors)
    if check:
        blind = unreadable_check_failure(report.errors, skip_unparsable)
        if report.usages or blind:
            sys.exit(EXIT_FOUND)


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
        config_options,
        verbosity_options,
        cache_option,
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
    *,
    cache: ResultCache | None = None,
) -> RewriteOptions:
    """Resolve provider, strategy and overrides (CLI flags win over [tool.migrator]).
    With a `cache`, the shipped mappings an earlier run parsed are taken from it."""
    # The mappings and the rewrite engine are imported here: `scan` needs neither.
    with _shipped_mappings_kept(cache):
        from migrator.cli_checks import checked_ignores, note_replaced_builtins
        from migrator.mapping import MappingError, Registry, load_mapping
        from migrator.routes import RouteError, resolve_routes

        extra = list(mapping_files)
        if config.mapping and config.path is not None:
            extra.append(config.path.parent / config.mapping)
        try:
            # Each of the user's files is parsed once, here: the registry, the note on
            # replaced built-ins and the provider a lone --mapping names all read these.
            user_mappings = [load_mapping(path) for path in extra]
            registry = Registry(user_mappings, builtins=True)
            note_replaced_builtins(list(zip(extra, user_mappings, strict=True)), registry)
        except MappingError as exc:
            raise UsageError(str(exc)) from exc
        name = provider or config.provider
        if name is None and len(mapping_files) == 1:
            name = user_mappings[0].id
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
            # A provider without an SDK of its own says why (mapping `native: {none: ...}`),
            # one LiteLLM cannot be pointed at as well (`litellm: {none: ...}`).
            why = ""
            if chosen == "native" and mapping.no_native:
                why = f" (no native target: {mapping.no_native})"
            elif chosen == "litellm" and mapping.no_litellm:
                why = f" (no LiteLLM route: {mapping.no_litellm})"
            raise UsageError(
                f"strategy {chosen!r} is not available for {mapping.id}: it supports "
                f"{', '.join(mapping.strategies)}{why}"
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
        ignore = checked_ignores(config.ignore, ignore_rules)
        try:
            routed = resolve_routes(registry, mapping, config.route, routes)
        except RouteError as exc:
            raise UsageError(str(exc)) from exc
        from migrator.codemods.strategies import strategy_named
        from migrator.options import RewriteOptions

        return RewriteOptions(
            mapping=mapping,
            strategy=strategy_named(chosen),
            upgrade_v0=upgrade_v0,
            retarget_configured=retarget_configured or config.retarget_configured,
            ignore=ignore,
            routes=routed,
        )


@contextlib.contextmanager
def _shipped_mappings_kept(cache: ResultCache | None) -> Iterator[None]:
    """The shipped mappings an earlier run parsed, taken from `cache` for the block, and
    those the block parsed kept there when it succeeds (a mapping holds no file content)."""
    if cache is None:
        yield
        return
    from migrator.mapping_registry import builtins_key, parsed_builtins, prime_builtins

    kept = "builtin-mappings:" + builtins_key()
    primed = prime_builtins(cache.load_named(kept))
    yield
    if parsed_builtins().keys() - primed:
        cache.store_named(kept, parsed_builtins())


def run_migration(
    target: Target, config: ProjectConfig, jobs: int | None, cache: ResultCache | None,
    **kwargs: object,
) -> MigrationReport:  # fmt: skip
    options = build_options(config, **kwargs, cache=cache)  # type: ignore[arg-type]
    from migrator.migrate import migrate

    report = migrate(target, options, jobs=jobs, cache=cache)
    from migrator.cli_checks import warn_unmatched_model_map

    warn_unmatched_model_map(sorted(options.mapping.model_overrides), report.results)
    return report


@main.command()
@PATHS_ARG
@target_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]),
              default="text", show_default=True,
              help="Output format (sarif: SARIF 2.1.0 with the rewrite as fixes; github: "
                   "workflow annotations).")  # fmt: skip
@click.option("--check", is_flag=True, help="Exit 1 when anything would change.")
@skip_unparsable_option
@click.option("--color/--no-color", default=None, help="Colour the diff (default: on a terminal).")
@click.option("-o", "--output", "patch", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the rewrite as a patch to FILE (`git apply FILE`; keys "
                   "unredacted, mode 0600, never a terminal; notebooks as JSON-level hunks, "
                   "where the screen shows their cells).")  # fmt: skip
def diff(
    paths: tuple[Path, ...],
    fmt: str,
    check: bool,
    skip_unparsable: bool,
    patch: Path | None,
    color: bool | None,
    jobs: int | None,
    excludes: tuple[str, ...],
    config_file: Path | None,
    isolated: bool,
    no_cache: bool,
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
      migrator diff . --to qwen > x.patch   # piped: the patch alone, notes on stderr
    """
    config = load_config(paths, config_file, isolated)
    target = resolve_targets(paths, config, excludes)
    cache = open_cache(no_cache)
    record = RunRecord.for_command(cache, config, target, writes_file=patch is not None)
    if record.replay():
        return
    with record.recording():
        report = run_migration(target, config, jobs, cache, **kwargs)
        from migrator.patch_output import show_diff

        show_diff(report, fmt=fmt, color=color, patch_file=patch)
        exit_on_internal_errors(report.errors)
        if check:
            blind = unreadable_check_failure(report.errors, skip_unparsable)
            if report.changed or blind:
                sys.exit(EXIT_FOUND)


@click.command()
@click.argument("name", type=click.Choice(["scan", "diff", "checklist"]))
def schema(name: str) -> None:
    """Print the JSON Schema of a command's `--format json` output.

    \b
    Examples:
      migrator schema scan > scan.schema.json
      migrator scan . --format json | check-jsonschema --schemafile scan.schema.json -
    """
    import json

    from migrator.json_schemas import SCHEMAS

    click.echo(json.dumps(SCHEMAS[name], indent=2))


main.add_command(schema)
