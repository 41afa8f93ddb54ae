"""`migrator rule [MIGxxx]` and `migrator show PROVIDER`: what a rule means, what a mapping holds.

`rule` prints a rule's title, severity, checklist section and rationale, and an example:
a small program before and after the real rewrite, with the finding it raises. The
examples are recorded in rule_examples.json (written by tests/rule_examples.py from real
runs; a test keeps the file in step). Without an id it lists every rule.

`show` prints one provider's mapping as the engine resolved it: endpoint and key, each
OpenAI model id with what it becomes, the kind defaults and tiers, the parameter rules,
the endpoint families served, and the sources with their as_of date.

Both take `--format json` (contract version 1, described in the README).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from importlib import resources
from pathlib import Path
from typing import Any

import click

from migrator.exits import EXIT_USAGE
from migrator.mapping import Mapping, MappingError, load_registry
from migrator.report import dump_json
from migrator.rules import RULES, SECTIONS, Rule
from migrator.secrets import redact_secrets

FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="Output format.",
)  # fmt: skip


def rule_examples() -> dict[str, Any]:
    """The recorded examples, by rule id (rule_examples.json, shipped in the package)."""
    text = resources.files("migrator").joinpath("rule_examples.json").read_text(encoding="utf-8")
    return json.loads(text)


def rule_json(rule: Rule, example: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "id": rule.id,
        "severity": rule.severity,
        "category": rule.category,
        "section": dict(SECTIONS)[rule.category],
        "title": rule.title,
        "rationale": rule.rationale,
        "example": example,
    }


def _indented(text: str, prefix: str = "    ") -> str:
    return "".join(prefix + line + "\n" for line in text.splitlines())


def rule_text(rule: Rule, example: dict[str, Any] | None) -> str:
    section = dict(SECTIONS)[rule.category]
    out = [
        f"{rule.id}  {rule.title}\n",
        f"severity: {rule.severity}; checklist section: {section}\n",
    ]
    out.append("\n" + click.wrap_text(rule.rationale, width=78) + "\n")
    if example is None:
        out.append("\nNo recorded example: see the README's Rules section.\n")
    else:
        flags = "".join(f" {flag}" for flag in example["flags"])
        out.append(f"\nExample: migrator diff . --to {example['provider']}{flags}\n")
        out.append("  before:\n" + _indented(example["before"]))
        if example["after"] == example["before"]:
            out.append("  after: unchanged\n")
        else:
            out.append("  after:\n" + _indented(example["after"]))
        for message in example["findings"]:
            out.append(f"  finding: {rule.id} {message}\n")
    out.append(
        f'\nSuppress it with --ignore {rule.id}, ignore = ["{rule.id}"] in [tool.migrator], '
        f"or `# migrator: ignore[{rule.id}]` on the line.\n"
    )
    return redact_secrets("".join(out))


@click.command("rule", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("rule_id", required=False, metavar="[MIGxxx]")
@FORMAT
def rule(rule_id: str | None, fmt: str) -> None:
    """Explain a rule: title, severity, rationale and an example. Without MIGxxx, list all.

    \b
    Examples:
      migrator rule MIG305
      migrator rule mig501 --format json
      migrator rule                        # every rule, one per line
    """
    examples = rule_examples()
    if rule_id is None:
        if fmt == "json":
            listing = [rule_json(r, examples.get(r.id)) for r in sorted(RULES.values(), key=_id)]
            click.echo(dump_json({"version": 1, "rules": listing}), nl=False)
        else:
            for r in sorted(RULES.values(), key=_id):
                click.echo(f"{r.id}  {r.severity:<7}  {r.title}")
        return
    found = RULES.get(rule_id.strip().upper())
    if found is None:
        click.echo(f"error: unknown rule {rule_id!r}; `migrator rule` lists them all", err=True)
        sys.exit(EXIT_USAGE)
    example = examples.get(found.id)
    if fmt == "json":
        document = {"version": 1, "rule": rule_json(found, example)}
        click.echo(dump_json(document), nl=False)
    else:
        click.echo(rule_text(found, example), nl=False)


def _id(r: Rule) -> str:
    return r.id


# --------------------------------------------------------------------------- show


def _target(target: Any) -> dict[str, Any] | None:
    if target is None:
        return None
    data: dict[str, Any] = {"model": target.model, "kind": target.kind}
    if target.dimensions is not None:
        data["dimensions"] = target.dimensions
    if target.extra_body:
        data["extra_body"] = target.extra_body
    if target.note:
        data["note"] = target.note
    return data


def _param(rule: Any) -> dict[str, Any]:
    data = {"name": rule.name, "action": rule.action, "message": rule.message}
    for key in ("to", "min", "max"):
        if getattr(rule, key) is not None:
            data[key] = getattr(rule, key)
    if rule.keep:
        data["keep"] = list(rule.keep)
    return data


def provider_detail(mapping: Mapping) -> dict[str, Any]:
    """One provider's mapping, resolved (`show --format json`, contract version 1)."""
    compat = mapping.compat
    models = []
    for key in mapping.mapped_openai_ids():
        resolved = mapping.resolve_model(key)
        entry = {"openai": key, **(_target(resolved) or {"model": None})}
        if resolved is not None:
            capabilities = mapping.capabilities.get(resolved.model)
            if capabilities is not None:
                entry["capabilities"] = {
                    k: v for k, v in asdict(capabilities).items() if v not in (None, "")
                }
            limits = mapping.limits_for(resolved.model)
            if limits:
                entry["limits"] = limits
        models.append(entry)
    return {
        "id": mapping.id,
        "name": mapping.name,
        "aliases": list(mapping.aliases),
        "docs_url": mapping.docs_url,
        "strategies": list(mapping.strategies),
        "default_strategy": mapping.default_strategy,
        "no_native": mapping.no_native,
        "compat": {
            "client": compat.client,
            "base_url": compat.base_url,
            "base_url_env": compat.base_url_env,
            "endpoint_env": compat.endpoint_env,
            "key_env": compat.key_env,
            "regions": dict(compat.regions),
            "data_region": compat.data_region,
        },
        "native": None if mapping.native is None else {
            "package": mapping.native.package,
            "tested": mapping.native.tested,
            "client": mapping.native.client,
            "key_env": mapping.native.key_env,
            "base_url": mapping.native.base_url,
            "endpoints": sorted(mapping.native.endpoints),
        },
        "endpoints": sorted(mapping.endpoints),
        "models": models,
        "defaults": {kind: _target(t) for kind, t in sorted(mapping.defaults.items())},
        "vision_default": _target(mapping.vision_default),
        "tiers": {
            kind: {tier: _target(t) for tier, t in sorted(table.items())}
            for kind, table in sorted(mapping.tiers.items())
        },
        "parameters": {
            family: [_param(r) for _, r in sorted(rules.items())]
            for family, rules in sorted(mapping.parameters.items())
        },
        "compliance": {
            "data_region": mapping.compliance.data_region,
            "filing": mapping.compliance.filing,
            "notes": list(mapping.compliance.notes),
        },
        "as_of": mapping.facts.as_of,
        "sources": list(mapping.facts.sources),
        "unverified": [{"where": u.where, "fact": u.fact} for u in mapping.facts.unverified],
        "source": mapping.source,
    }  # fmt: skip


def _model_line(entry: dict[str, Any]) -> str:
    if entry.get("model") is None:
        return f"  {entry['openai']} -> (none: left for a person)"
    extra = f"  {json.dumps(entry['extra_body'])}" if "extra_body" in entry else ""
    return f"  {entry['openai']} -> {entry['model']} ({entry['kind']}){extra}"


def provider_text(detail: dict[str, Any]) -> str:
    """`show` for a person: short lines, URLs and variable names whole."""
    compat = detail["compat"]
    out = [f"{detail['id']}  {detail['name']}\n"]
    if detail["aliases"]:
        out.append(f"aliases: {', '.join(detail['aliases'])}\n")
    strategies = [f"{s} (default)" if s == detail["default_strategy"] else s
                  for s in detail["strategies"]]  # fmt: skip
    out.append(f"strategies: {', '.join(strategies)}\n")
    endpoint = compat["base_url"] or f"${compat['endpoint_env'] or compat['base_url_env']}"
    out.append(f"base URL: {endpoint}\n")
    out.append(f"key env var: {compat['key_env']}\n")
    out.append(f"data region: {compat['data_region']}\n")
    out.append(f"endpoint families: {', '.join(detail['endpoints'])}\n")
    out.append(f"\nmodels ({len(detail['models'])} OpenAI ids):\n")
    out.extend(_model_line(entry) + "\n" for entry in detail["models"])
    defaults = {k: v["model"] for k, v in detail["defaults"].items() if v}
    if defaults:
        out.append("defaults: " + ", ".join(f"{k} {v}" for k, v in defaults.items()) + "\n")
    for kind, table in detail["tiers"].items():
        out.append(
            f"tiers ({kind}): "
            + ", ".join(f"{t} {v['model']}" for t, v in table.items() if v)
            + "\n"
        )
    for family, rules in detail["parameters"].items():
        out.append(f"\nparameters ({family}):\n")
        for rule in rules:
            to = f" -> {rule['to']}" if "to" in rule else ""
            bounds = (
                f" [{rule.get('min', '')}..{rule.get('max', '')}]"
                if rule["action"] == "clamp"
                else ""
            )
            out.append(f"  {rule['name']}: {rule['action']}{to}{bounds}\n")
    out.append(f"\nas_of: {detail['as_of'] or '-'} ({detail['source']})\nsources:\n")
    out.extend(f"  {source}\n" for source in detail["sources"])
    if detail["unverified"]:
        out.append(f"unverified facts: {len(detail['unverified'])} (see --format json)\n")
    return "".join(out)


@click.command("show", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("provider", metavar="PROVIDER")
@click.option("--mapping", "mapping_files", multiple=True, metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Also load a mapping file of your own (repeatable).")  # fmt: skip
@FORMAT
def show(provider: str, mapping_files: tuple[Path, ...], fmt: str) -> None:
    """Print one provider's mapping: models, parameters, endpoint, sources and as_of.

    \b
    Examples:
      migrator show qwen
      migrator show deepseek --format json | jq '.provider.models'
      migrator show acme --mapping acme.yaml
    """
    try:
        mapping = load_registry(list(mapping_files)).get(provider)
    except MappingError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    detail = provider_detail(mapping)
    if fmt == "json":
        click.echo(dump_json({"version": 1, "provider": detail}), nl=False)
    else:
        click.echo(provider_text(detail), nl=False)
