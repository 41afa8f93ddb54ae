"""Checks on what the user asked for, that ruff and bump-pydantic make too: an unknown rule
id is an error (a typo would silently suppress nothing), a model override that matches
nothing is a warning, a mapping file that replaces a built-in provider is said."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import click

from migrator.exits import UsageError
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


def note_replaced_builtins(mapping_files: Sequence[Path]) -> None:
    """Say on stderr when a mapping file of the user's takes a built-in provider's id."""
    if not mapping_files:
        return
    from migrator.mapping import load_mapping, load_registry

    builtin = set(load_registry().ids())
    for path in mapping_files:
        ident = load_mapping(path).id
        if ident in builtin:
            click.echo(
                f"migrator: {path} replaces the built-in provider {ident!r} for this run",
                err=True,
            )


def model_map_keys(config_map: dict[str, str], cli_items: Iterable[str]) -> list[str]:
    keys = set(config_map)
    keys.update(item.partition("=")[0].strip() for item in cli_items)
    return sorted(k for k in keys if k)


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
