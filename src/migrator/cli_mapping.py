"""`migrator providers` and `migrator mapping validate`.

Both commands are plain click objects; the main group adds them with ``add_command``.
Exit codes follow the contract: 0 success, 2 invalid mapping / usage error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from migrator.exits import EXIT_OK, EXIT_USAGE
from migrator.mapping import Mapping, MappingError, load_mapping, load_registry
from migrator.term import color_enabled


def _base_url_text(mapping: Mapping) -> str:
    compat = mapping.compat
    if compat.base_url:
        return compat.base_url
    env = compat.endpoint_env or compat.base_url_env
    return f"${env}" if env else "-"


def provider_json(mapping: Mapping) -> dict[str, Any]:
    """One entry of `providers --format json` (contract version 1)."""
    return {
        "id": mapping.id,
        "name": mapping.name,
        "aliases": list(mapping.aliases),
        "strategies": list(mapping.strategies),
        "default_strategy": mapping.default_strategy,
        "base_url": mapping.compat.base_url,
        "key_env": mapping.compat.key_env,
        "models": len(mapping.models),
        "as_of": mapping.facts.as_of,
        "source": mapping.source,
    }


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
def providers(fmt: str) -> None:
    """List the built-in target providers and their mappings.

    For each: id and name, aliases, strategies (the default marked), base URL, API-key
    environment variable, number of OpenAI model ids mapped, and the date the
    mapping's facts were checked (as_of). `--to` accepts an id or an alias;
    `migrator show PROVIDER` prints one mapping in full.

    \b
    Examples:
      migrator providers
      migrator providers --format json | jq -r '.providers[].id'
    """
    try:
        mappings = load_registry().all()
    except MappingError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if fmt == "json":
        document = {"version": 1, "providers": [provider_json(m) for m in mappings]}
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    bold = color_enabled(sys.stdout)
    # click strips styles off a pipe unless told: FORCE_COLOR decides here
    click.echo(providers_text(mappings, bold=bold), nl=False, color=bold)


def providers_text(mappings: list[Mapping], bold: bool = False) -> str:
    """One block per provider, every line within 80 columns however it is shown: the
    base URL and the key variable on lines of their own, whole (they are copied)."""
    blocks = []
    for m in mappings:
        strategies = [f"{s} (default)" if s == m.default_strategy else s for s in m.strategies]
        lines = [
            click.style(f"{m.id}  {m.name}", bold=bold),
            f"  aliases      {', '.join(m.aliases) or '-'}",
            f"  strategies   {', '.join(strategies)}",
            f"  base URL     {_base_url_text(m)}",
            f"  key env var  {m.compat.key_env}",
            f"  models       {len(m.models)} mapped (as_of {m.facts.as_of or '-'})",
        ]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def mapping() -> None:
    """Work with provider mapping files (YAML).

    \b
    Example:
      migrator mapping validate my-provider.yaml
    """


@mapping.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check mapping FILEs against the schema.

    Prints `ok FILE (id)` for each valid file and `FILE:LINE: message` on stderr
    for each invalid one (unknown or missing keys, wrong types, bad parameter
    actions, broken references, model capabilities that are not true/false or lack
    a source, a vision default not stated to take images, a tier served by a smaller
    model). Exits 2 if any file is invalid, else 0.

    \b
    Examples:
      migrator mapping validate mappings/deepseek.yaml
      migrator mapping validate my-gateway.yaml other.yaml
    """
    failed = False
    for path in files:
        try:
            loaded = load_mapping(path)
        except MappingError as exc:
            failed = True
            click.echo(str(exc), err=True)
            continue
        click.echo(f"ok {path} ({loaded.id})")
    sys.exit(EXIT_USAGE if failed else EXIT_OK)
