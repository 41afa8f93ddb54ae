"""`migrator checklist` (registered by cli.py). A run on an unchanged tree replays its
recorded output (run_record.py), so this module loads the rewrite engine only to run."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from migrator.cli import PATH_ARG, emit, load_config, target_options
from migrator.cli_paths import note_skipped
from migrator.discovery import ProjectListing, list_project
from migrator.result_cache import open_cache
from migrator.run_record import RunRecord

if TYPE_CHECKING:
    from migrator.apply_plan import ProjectPlan
    from migrator.config import ProjectConfig
    from migrator.result_cache import ResultCache


@click.command()
@PATH_ARG
@target_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "json"]),
    default="md",
    show_default=True,
    help="Markdown task list, or JSON per the contract.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE instead of stdout (Markdown links are made relative to it).",
)
def checklist(
    path: Path,
    fmt: str,
    output: Path | None,
    jobs: int | None,
    excludes: tuple[str, ...],
    config_file: Path | None,
    isolated: bool,
    no_cache: bool,
    **kwargs: object,
) -> None:
    """List what a person must still do to move PATH to a provider (writes no code).

    \b
    Five sections, each item a GitHub task-list box with a path:line link and its
    rule id (see the README's rule table):
      1. Code left for a person   unsupported endpoints/parameters, dynamic models,
                                  responses leaving functions, exception handling
      2. Configuration            env vars to provision (names only), endpoints,
                                  relays, hard-coded keys (redacted), dependency files
      3. Behaviour differences    limits, sampling ranges, n>1, JSON schema,
                                  embeddings (re-embed), reasoning/thinking defaults
      4. Compliance               data region, filing status, personal data
      5. Verification             the repo's test command, smoke runs per entry point
    Lines point at the code as it is now (MIGRATION.md, written by `apply`, points at
    the migrated code). Suppress a rule with --ignore MIGxxx or a
    `# migrator: ignore[MIGxxx]` comment on the line.

    \b
    Examples:
      migrator checklist . --to glm
      migrator checklist . --to qwen -o MIGRATION.md
      migrator checklist . --to deepseek --format json | jq '.items[] | select(.severity=="error")'
    """
    config = load_config(path, config_file, isolated)
    listing = list_project(path, (*config.exclude, *excludes))
    cache = open_cache(no_cache)
    record = RunRecord.for_command(cache, config, listing.target, writes_file=output is not None)
    if record.replay():
        return
    with record.recording():
        _checklist(listing, config, fmt, output, jobs, cache, **kwargs)


def _checklist(
    listing: ProjectListing,
    config: ProjectConfig,
    fmt: str,
    output: Path | None,
    jobs: int | None,
    cache: ResultCache | None,
    **kwargs: object,
) -> None:
    # The rewrite engine, the mappings and the checklist: not loaded for a replay.
    from migrator.apply_plan import plan_migration
    from migrator.checklist import collect, render_markdown, to_json
    from migrator.cli import build_options

    options = build_options(config, **kwargs, cache=cache)  # type: ignore[arg-type]
    plan = plan_migration(listing.path, options, config, jobs=jobs, cache=cache, listing=listing)
    note_skipped(plan.skipped_trees)
    warn_model_map(plan)
    findings = collect(plan, applied=False)
    if fmt == "json":
        from migrator.report import dump_json  # loads rich: not needed for Markdown

        text = dump_json(to_json(findings, options.mapping.id, options.strategy.id))
    else:
        prefix = ""
        if output is not None:
            rel = os.path.relpath(plan.root, output.absolute().parent).replace(os.sep, "/")
            prefix = "" if rel == "." else rel + "/"
        text = render_markdown(
            findings, options.mapping, options.strategy.id, link_prefix=prefix,
            command=command_line(plan, "checklist"),
        )  # fmt: skip
    emit(text, output)
    if plan.report.errors:
        click.echo(
            f"{len(plan.report.errors)} file(s) could not be parsed; they are listed as MIG603.",
            err=True,
        )


def command_line(plan: ProjectPlan, name: str) -> str:
    """The command MIGRATION.md and the checklist name (with a placeholder PATH)."""
    routes = "".join(f" --route {r.family}={r.mapping.id}" for r in plan.options.routes)
    return (
        f"migrator {name} PATH --to {plan.options.mapping.id} --strategy "
        f"{plan.options.strategy}{routes}"
    )


def warn_model_map(plan: ProjectPlan) -> None:
    """A --model-map entry that matched no model id in the code is named on stderr."""
    from migrator.cli_checks import warn_unmatched_model_map

    warn_unmatched_model_map(sorted(plan.options.mapping.model_overrides), plan.report.results)


__all__ = ["checklist", "command_line", "warn_model_map"]
