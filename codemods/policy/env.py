"""Which reads of OpenAI environment variables are renamed to the provider's.

A read of OPENAI_API_KEY / OPENAI_BASE_URL & co. is renamed only when its value feeds a
client (or the module settings) this run retargets, and nothing else (env_flow.py
follows the value). Any other reader keeps the OpenAI variable: renamed, it would break,
or hand the provider's key to OpenAI. A retargeted client whose key came from a read
that stays must not keep it (it carries the OpenAI key): `replaces_openai_key`.

Decided once per file (`env_decisions`), before any fixer edits: the client fixer asks
about a kept api_key expression before the env-var fixer renames anything.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import libcst as cst
from migrator.codemods._kwargs_dict import kwargs_dicts
from migrator.codemods.env_flow import Sink, env_read_of, is_env_write, settings_field_of, sinks_of
from migrator.codemods.policy.arguments import ACCOUNT_ARGS, AZURE_ONLY_ARGS
from migrator.codemods.policy.endpoints import lone_module_key
from migrator.codemods.policy.env_names import (
    BASE_URL_VARS,
    KEY_VARS,
    VERSION_VARS,
    env_renames,
)

from migrator.inventory import LiteralSite
from migrator.rewrite import Plan
from migrator.source import code_of


def renames_for(plan: Plan) -> dict[str, str]:
    """Old env var -> new: every OpenAI variable this provider has an equivalent for.
    Only reads that configure migrated clients are renamed (see `env_decisions`)."""
    compat = plan.target
    return env_renames(
        compat.client,
        compat.key_env,
        compat.base_url_env,
        compat.endpoint_env,
        compat.api_version_env,
    )


def settings_fed_by(var: str, azure_target: bool) -> frozenset[str]:
    """The client arguments / module settings a variable's value configures."""
    if var in KEY_VARS:
        return frozenset({"api_key"})
    if var in BASE_URL_VARS:
        return frozenset({"base_url", "api_base", *(["azure_endpoint"] if azure_target else [])})
    if var in VERSION_VARS:
        return frozenset({"api_version"})
    return frozenset()


@dataclass
class EnvDecisions:
    """Which reads of this file are renamed, and what reads the others."""

    renamed: dict[int, str] = field(default_factory=dict)  # id(literal) -> new variable
    # ids of the client arguments / module setting values a renamed read feeds
    fed_values: set[int] = field(default_factory=set)
    # id of a retargeted client's api_key value (or openai.api_key's) -> the OpenAI key
    # variable it carries from a read left as it is (other code reads it too)
    openai_keys: dict[int, str] = field(default_factory=dict)
    # variable -> (read, what consumes it) for each read left as it is, in file order
    kept: dict[str, list[tuple[LiteralSite, list[Sink]]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    written: dict[str, LiteralSite] = field(default_factory=dict)  # variable -> first write
    ignored: set[str] = field(default_factory=set)  # kept by `# migrator: ignore[MIG500]`


def env_decisions(plan: Plan) -> EnvDecisions:
    """Computed once per file: the client fixer asks whether a kept api_key expression
    reads a renamed variable before this fixer runs."""
    found = plan.analyses.get("env_decisions")
    if found is None:
        found = plan.analyses["env_decisions"] = _decide(plan)
    assert isinstance(found, EnvDecisions)
    return found


def _decide(plan: Plan) -> EnvDecisions:
    decisions = EnvDecisions()
    renames = renames_for(plan)
    azure_target = plan.target.client == "azure"
    lone_key = lone_module_key(plan)
    for site in plan.inventory.env_reads:
        new = renames.get(site.value)
        if new is None:
            continue
        read = env_read_of(plan, site.node)
        if read is None:
            field_call = settings_field_of(plan, site.node)
            if field_call is not None:
                label = "a settings field"
                decisions.kept[site.value].append((site, [Sink("call", field_call, label)]))
            elif is_env_write(plan, site.node):
                decisions.written.setdefault(site.value, site)
            continue  # a message, a dict key: not a read
        sinks = sinks_of(plan, read)
        wanted = settings_fed_by(site.value, azure_target)
        feeding = [s for s in sinks if s.kind in ("client", "module") and s.keyword in wanted]
        others = [s for s in sinks if s.kind != "check" and s not in feeding]
        if others and all(_removed_with_its_argument(plan, s) for s in others):
            continue  # the client fixer removes the argument, and the read with it
        if feeding and not others and all(s.kind == "module" for s in feeding) and lone_key:
            decisions.ignored.add(site.value)  # left with the setting it feeds (MIG109)
        elif feeding and not others:
            if plan.suppressed("MIG500", site.node):
                decisions.ignored.add(site.value)  # the user keeps it, knowingly
            else:
                decisions.renamed[id(site.node)] = new
                decisions.fed_values.update(id(s.value) for s in feeding if s.value)
        else:
            decisions.kept[site.value].append((site, sinks))
            if site.value in KEY_VARS:
                decisions.openai_keys.update((id(s.value), site.value) for s in feeding if s.value)
    return decisions


def _removed_with_its_argument(plan: Plan, sink: Sink) -> bool:
    """A read written in an argument the client fixer drops: `azure_endpoint=` of an
    Azure client made a plain one (the Azure target drops `base_url=` instead), or in
    an entry for it of the client's `**mapping` (dropped there, unless `d["key"]` reads
    it back: see client_kwargs.drop_keys)."""
    if not (sink.kind == "client" and isinstance(sink.node, cst.Call)):
        return False
    site = next((s for s in plan.inventory.clients if s.node is sink.node), None)
    if site is None:  # a wrapper class's call (LangChain...): the client fixer keeps its args
        return False
    if plan.target.client == "azure":
        dropped = {"base_url"} if not site.is_azure else set()
    else:
        dropped = set(AZURE_ONLY_ARGS) if site.is_azure else set()
    if sink.keyword not in dropped | ACCOUNT_ARGS:
        return False
    if sink.inline:
        return True
    return sink.value is not None and any(
        entry.value is sink.value and not found.read_back(entry.key)
        for found in kwargs_dicts(plan, sink.node)
        for entry in found.entries_of(sink.keyword)
    )


def replaces_openai_key(plan: Plan, value: cst.CSTNode, setting: str, node: cst.CSTNode) -> bool:
    """Must this api_key value of a retargeted client (or `openai.api_key`) give way to
    the provider's key? Yes when it carries an OpenAI key variable that other code here
    still reads, so that read is left: kept, it would send the OpenAI key to the
    provider. Reports MIG507 when so."""
    var = env_decisions(plan).openai_keys.get(id(value))
    if var is None:
        return False
    key_env = plan.target.key_env
    plan.finding(
        "MIG507",
        f"{setting} `{code_of(value)}` carried {var}, which other code here still reads (see "
        f"MIG504): replaced by the {plan.mapping.name} key (env {key_env}), so that the "
        f"OpenAI key is not sent to {plan.mapping.name}",
        node=node,
    )
    return True


def feeds_renamed_read(plan: Plan, value: cst.CSTNode) -> bool:
    """Does a renamed read reach this client argument / module setting value?"""
    return id(value) in env_decisions(plan).fed_values
