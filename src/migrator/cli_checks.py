"""Checks on what the user asked for, that ruff and bump-pydantic make too: an unknown rule
id is an error (a typo would silently suppress nothing), a model override that matches
nothing is a warning, a mapping file that replaces a built-in provider is said."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import click

from migrator.exits import UsageError
from migrator.mapping import Mapping, Registry
from migrator.rules import RULES


def checked_ignores(from_config: Iterable[str], from_cli: Iterable[str]) -> frozenset[str]:
    """The rule ids to suppress; exit 2 naming any id the registry does not know."""
    for ids, where in ((from_config, "[tool.migrator] ignore"), (from_cli, "--ignore")):
        unknown = sorted({i.strip().upper() for i in ids} - set(RULES))
        if unknown:
            raise UsageError(
                f"unknown rule id(s) in {where}: {', '.join(unknown)} (the README's rules "
                "table lists them all)"
            )
    return frozenset(r.strip().upper() for r in (*from_config, *from_cli))


def note_replaced_builtins(
    user_mappings: Sequence[tuple[Path, Mapping]], registry: Registry
) -> None:
    """Say on stderr when a mapping file of the user's takes a built-in provider's id."""
    if not user_mappings:
        return
    builtin = set(registry.builtin_ids())
    for path, mapping in user_mappings:
        ident = mapping.id
        if ident in builtin:
            click.echo(
                f"migrator: {path} replaces the built-in provider {ident!r} for this run",
                err=True,
            )


def warn_unmatched_model_map(keys: Sequence[str], results: Iterable[Any]) -> None:
    """Warn (stderr) about each override whose model id appears nowhere in the code read:
    usually a typo, or a model the code names through a variable migrator cannot see."""
    if not keys:
        return
    seen: set[str] = set()
    sources: list[bytes] = []
    for result in results:
        seen.update(u.model for u in result.usages if u.model)
        if result.old_source is not None:
            sources.append(result.old_source)
    for key in keys:
        if key in seen or any(key.encode("utf-8") in data for data in sources):
            continue
        click.echo(
            f"migrator: warning: model-map {key}=...: no model id {key!r} was found in the "
            "code (a typo?)",
            err=True,
        )
