"""`migrator apply` and `migrator checklist` (registered by cli.py)."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import click

from migrator.apply import (
    ApplyError,
    ApplyFailed,
    ApplyOutcome,
    ApplySettings,
    GitContext,
    check_repository,
    default_branch,
    run_apply,
)
from migrator.apply_plan import ProjectPlan, plan_migration
from migrator.checklist import collect, render_markdown, severity_counts
from migrator.cli import (
    PATH_ARG,
    build_options,
    load_config,
    target_options,
)
from migrator.cli_checklist import command_line, warn_model_map
from migrator.cli_paths import note_skipped
from migrator.exits import EXIT_INTERRUPTED, RunFailed, UsageError
from migrator.model import FileError
from migrator.relpaths import from_cwd
from migrator.result_cache import open_cache
from migrator.secrets import redact_secrets


@click.command()
@PATH_ARG
@target_options
@click.option(
    "--branch",
    default=None,
    metavar="NAME",
    help="Branch to create (default: migrator/openai-to-<provider id>).",
)
@click.option(
    "--allow-dirty",
    is_flag=True,
    help="Migrate on top of uncommitted changes (they are not committed, except in "
    "files the migration rewrites).",
)
@click.option(
    "--in-place",
    is_flag=True,
    help="Write the files where they are: no git checks, branch or commit.",
)
@click.option(
    "--no-commit",
    "no_commit",
    is_flag=True,
    help="Leave the changes staged on the new branch instead of committing them.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Rewrite read-only files too (apply refuses them otherwise; their mode is kept).",
)
def apply(
    path: Path,
    branch: str | None,
    allow_dirty: bool,
    in_place: bool,
    no_commit: bool,
    force: bool,
    jobs: int | None,
    excludes: tuple[str, ...],
    config_file: Path | None,
    isolated: bool,
    no_cache: bool,
    **kwargs: object,
) -> None:
    """Rewrite PATH for a provider and commit the result on a new git branch.

    \b
    What it does, in order (nothing is written before every check has passed):
      1. refuses a dirty work tree (lists the files), a repo without commits,
         an existing branch, a missing git author identity;
      2. creates branch migrator/openai-to-<provider> from HEAD (detached HEAD works);
      3. writes every rewritten .py file atomically (encoding, BOM, newlines and
         mode bits kept), updates requirements*.txt / pyproject.toml / setup.cfg /
         Pipfile and env templates (.env.example...), never a real .env;
      4. writes MIGRATION.md, the checklist of what a person must still do;
      5. commits (author from git config) and prints how to review.
    Running it again on the migrated branch finds nothing to change.
    Ctrl-C while writing restores the files written so far and prints how to
    leave the new branch. After a hard kill (each file is old or new):
      git stash push --include-untracked; git checkout <original>;
      git branch -D <branch>

    \b
    Examples:
      migrator apply . --to glm
      migrator apply . --to qwen --branch chore/leave-openai
      migrator apply services/api --to deepseek --no-commit
      migrator apply script.py --to kimi --in-place    # no git at all
    """
    if in_place and (branch or no_commit):
        raise UsageError("--branch and --no-commit need git; --in-place writes without git")
    config = load_config(path, config_file, isolated)
    cache = open_cache(no_cache)
    options = build_options(config, **kwargs, cache=cache)  # type: ignore[arg-type]
    settings = ApplySettings(
        branch=branch,
        allow_dirty=allow_dirty,
        in_place=in_place,
        commit=not no_commit,
        force=force,
    )
    target_branch = branch or default_branch(options.mapping.id)
    try:
        git = check_repository(path.absolute(), settings, target_branch)
    except ApplyError as exc:
        raise UsageError(str(exc)) from exc
    plan = plan_migration(path, options, config, excludes=excludes, jobs=jobs, cache=cache)
    note_skipped(plan.skipped_trees)
    warn_model_map(plan)

    def render(plan: ProjectPlan, prefix: str) -> tuple[bytes, dict[str, int]]:
        findings = collect(plan, applied=True)
        context = _context_lines(git, target_branch)
        text = render_markdown(
            findings, plan.options.mapping, plan.options.strategy.id, link_prefix=prefix,
            context=context, command=command_line(plan, "checklist"),
        )  # fmt: skip
        return text.encode("utf-8"), severity_counts(findings)

    try:
        outcome = run_apply(plan, git, settings, render, log=_err)
    except ApplyError as exc:
        raise UsageError(redact_secrets(str(exc))) from exc
    except ApplyFailed as exc:  # quotes an OS or git error: may hold anything
        raise RunFailed(redact_secrets(str(exc))) from exc
    except KeyboardInterrupt:
        _err("interrupted.")
        sys.exit(EXIT_INTERRUPTED)
    _print_outcome(outcome, path)


def _err(text: str) -> None:
    click.echo(redact_secrets(text), err=True)


def _context_lines(git: GitContext | None, branch: str) -> list[str]:
    if git is None:
        return ["Written in place by `migrator apply --in-place`."]
    base = git.base if git.head.branch else git.base[:12]
    return [
        f"Made by `migrator apply` on branch `{branch}` from `{base}`; review the whole change "
        f"with `git diff {base}...{branch}`."
    ]


def _echo_errors(errors: list[FileError]) -> None:
    if errors:
        click.echo(f"{len(errors)} file(s) could not be parsed and were skipped:")
        for error in errors:
            click.echo(f"  {error.where}: {redact_secrets(error.message)}")


def _print_outcome(outcome: ApplyOutcome, path: Path) -> None:
    plan = outcome.plan
    mapping = plan.options.mapping
    report = plan.report
    if outcome.nothing_to_do:
        if _has_usage(plan):
            click.echo(
                f"Nothing to change: {path} is already migrated to {mapping.name} "
                f"({plan.options.strategy}). `migrator checklist {shlex.quote(str(path))} "
                f"--to {mapping.id}` lists what is left to review."
            )
        else:
            click.echo(f"Nothing to change: no OpenAI usage found under {path}.")
        _echo_errors(report.errors)
        return
    counts = outcome.checklist_counts
    checklist = outcome.checklist_path or "MIGRATION.md"
    shown_checklist = from_cwd(outcome.top / checklist)
    python = [w for w in plan.code if w.kind == "code"]
    configs = [w.path for w in plan.code if w.kind == "config"]
    click.echo(
        f"Migrated to {mapping.name} ({plan.options.strategy}): {len(python)} Python "
        f"file(s) rewritten, {report.edits} edit(s)."
    )
    if configs:
        click.echo("Configuration files updated: " + ", ".join(configs))
    if plan.dependencies:
        click.echo("Dependency files updated: " + ", ".join(w.path for w in plan.dependencies))
    if plan.env_templates:
        click.echo("Env templates updated: " + ", ".join(w.path for w in plan.env_templates))
    _echo_errors(report.errors)
    click.echo(
        f"Checklist: {shown_checklist} ({counts.get('error', 0)} error, "
        f"{counts.get('warning', 0)} warning, {counts.get('info', 0)} info)."
    )
    git = outcome.git
    if git is None:
        click.echo("Files were written in place (no git step). Review them before committing.")
        return
    base = git.base if git.head.branch else git.base[:12]
    if git.dirty:
        touched = sorted(set(git.dirty) & {os.path.normpath(p) for p in outcome.written})
        if touched:
            click.echo(
                "Note: these files had uncommitted changes before apply, which are now part of "
                "the migration: " + ", ".join(touched)
            )
    if outcome.ignored:
        shown = ", ".join(outcome.ignored)
        click.echo(
            f"Not staged: git ignores {shown} (a .gitignore rule), so it is written but left "
            f"out of the branch. Keep it with `git add -f {shown}`, or leave it untracked."
        )
    if outcome.commit:
        click.echo(f"Committed {outcome.commit[:12]} on branch {outcome.branch} (from {base}).")
        click.echo("Review it with:")
        click.echo(f"  git diff {base}...{outcome.branch}")
        click.echo(f"  then work through {shown_checklist}")
        click.echo(f"Back to where you were: git checkout {base}")
    else:
        click.echo(f"Changes are staged on branch {outcome.branch} (from {base}), not committed.")
        click.echo("Review them with:")
        click.echo("  git diff --cached")
        click.echo(f"  then work through {shown_checklist}, and commit with `git commit`")


def _has_usage(plan: ProjectPlan) -> bool:
    return any(r.usages for r in plan.report.results)


__all__ = ["apply"]
