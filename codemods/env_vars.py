"""Rename reads of OpenAI environment variables where they configure a migrated client.

A read of OPENAI_API_KEY / OPENAI_BASE_URL & co. (`os.getenv`, `os.environ[...]`) is
renamed to the provider's variable only when its value feeds a client (or the module
settings) this run retargets: its `api_key=` / `base_url=`, directly or through names,
`self.<attr>`, and dict entries splatted into it (env_flow.py follows the value). Any
other reader (a startup check, LangChain, a raw HTTP call, a client left on another
provider) keeps the OpenAI variable and is reported: renamed, it would break, or send
the provider's key to OpenAI. Other string literals naming a variable (messages, dict
keys, env writes) are never renamed.

Rules:
  MIG503 OpenAI env var with no provider equivalent (left as it is)
  MIG504 OpenAI env var read outside a migrated client (left as it is)
  MIG505 raw HTTP call to api.openai.com with a key from an OpenAI env var (left whole)
  MIG506 OpenAI env var set (tests, fixtures): left as it is
  MIG507 api_key carried an OpenAI key other code still reads: replaced by the provider's
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import libcst as cst
from migrator.codemods._edit import keyword_args, replace_string_value
from migrator.codemods._kwargs_dict import kwargs_dicts
from migrator.codemods.client_endpoint import (
    ACCOUNT_ARGS,
    AZURE_ONLY_ARGS,
    client_kept,
    module_endpoint_kept,
)
from migrator.codemods.env_flow import (
    Sink,
    env_read_of,
    is_env_write,
    settings_field_of,
    sinks_of,
)

from migrator.inventory import LiteralSite
from migrator.rewrite import Plan
from migrator.sdk_catalogue import ACCOUNT_VARS
from migrator.source import code_of

KEY_VARS = frozenset({"OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_KEY"})
BASE_URL_VARS = frozenset({"OPENAI_BASE_URL", "OPENAI_API_BASE", "AZURE_OPENAI_ENDPOINT"})
VERSION_VARS = frozenset({"OPENAI_API_VERSION", "AZURE_OPENAI_API_VERSION"})


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


def env_renames(
    client: str,
    key_env: str,
    base_url_env: str | None,
    endpoint_env: str | None = None,
    api_version_env: str | None = None,
) -> dict[str, str]:
    renames: dict[str, str] = {var: key_env for var in KEY_VARS}
    if client == "azure":
        for var in BASE_URL_VARS:
            renames[var] = endpoint_env or "AZURE_OPENAI_ENDPOINT"
        for var in VERSION_VARS:
            renames[var] = api_version_env or "OPENAI_API_VERSION"
        # AZURE_OPENAI_* variables already configure Azure: renaming them would only churn.
        renames = {old: new for old, new in renames.items() if not old.startswith("AZURE_")}
    elif base_url_env:
        for var in BASE_URL_VARS:
            renames[var] = base_url_env
    return {old: new for old, new in renames.items() if old != new}


def _feeds(var: str, azure_target: bool) -> frozenset[str]:
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
        wanted = _feeds(site.value, azure_target)
        feeding = [s for s in sinks if s.kind in ("client", "module") and s.keyword in wanted]
        others = [s for s in sinks if s.kind != "check" and s not in feeding]
        if others and all(_removed_with_its_argument(plan, s) for s in others):
            continue  # the client fixer removes the argument, and the read with it
        if feeding and not others:
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
    site = next(s for s in plan.inventory.clients if s.node is sink.node)
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


def fix_env_vars(plan: Plan) -> None:
    decisions = env_decisions(plan)
    renames = renames_for(plan)
    for site in plan.inventory.env_reads:
        new = decisions.renamed.get(id(site.node))
        if new is not None:
            plan.replace(site.node, lambda n, new=new: replace_string_value(n, new), "MIG500")
            plan.renamed_env.add(site.value)
        elif site.value in ACCOUNT_VARS and not _in_removed_account_arg(plan, site.node):
            plan.finding(
                "MIG503",
                f"{site.value} is an OpenAI account setting with no {plan.mapping.name} "
                "equivalent: remove it where it is no longer needed",
                node=site.node,
            )
    plan.kept_env.update(decisions.ignored)
    for var, reads in decisions.kept.items():
        plan.kept_env.add(var)
        _report_kept(plan, var, renames[var], reads)
    for var, site in decisions.written.items():
        plan.finding(
            "MIG506",
            f"{var} is set here and left as it is: the clients this migration retargets "
            f"read {renames[var]} where they read {var} — set that as well if this sets up "
            "such code (tests, fixtures)",
            node=site.node,
        )
    _implicit_reads(plan, renames)


_CONSUMERS = {
    "check": "a check of whether it is set",
    "kept-client": "a client left as it is (it targets another endpoint)",
    "kept-module": "module settings left as they are (they target another endpoint)",
}


def _consumer(sink: Sink) -> str:
    if sink.kind in ("client", "module"):  # fed into another setting than its own
        return f"`{sink.keyword}` of {sink.label}" if sink.keyword else f"{sink.label}"
    return _CONSUMERS.get(sink.kind, sink.label)


def _report_kept(
    plan: Plan, var: str, new: str, reads: list[tuple[LiteralSite, list[Sink]]]
) -> None:
    """One MIG504 per variable at its first read left; MIG505 per raw HTTP call."""
    wanted = _feeds(var, plan.target.client == "azure")
    consumers: list[str] = []
    for _, sinks in reads:
        for sink in sinks or [Sink("elsewhere", reads[0][0].node, "nothing passed to a client")]:
            if sink.kind in ("client", "module") and sink.keyword in wanted:
                continue  # what it configures there is migrated (MIG507 for a key)
            label = _consumer(sink)
            if label not in consumers:
                consumers.append(label)
            if sink.kind == "http":
                # Whole: a model id rewritten in its payload would go to OpenAI.
                plan.withdraw_edits_within(sink.node)
                plan.finding(
                    "MIG505",
                    f"raw HTTP call to api.openai.com with a key from {var}: left as it is — "
                    "migrate URL, key and model together by hand (renaming only the key "
                    "would send the provider's key to OpenAI)",
                    node=sink.node,
                )
    lines = sorted({plan.line_of(site.node) for site, _ in reads})
    where = f" (lines {', '.join(map(str, lines))})" if len(lines) > 1 else ""
    if var in KEY_VARS:
        migrated = f"read {new}"
    else:
        migrated = f"use {plan.mapping.name}'s endpoint ({new} where it comes from the environment)"
    plan.finding(
        "MIG504",
        f"{var} is still read here{where}, by {'; '.join(consumers)}: left as it is. "
        f"The clients this migration retargets {migrated}: decide whether this code "
        f"should read {new} too, or keep {var} set",
        line=lines[0],
    )


def _implicit_reads(plan: Plan, renames: dict[str, str]) -> None:
    """A client without api_key= reads OPENAI_API_KEY by itself (and OPENAI_BASE_URL
    without base_url=): a retargeted one now gets the provider's; a kept one still does."""
    implicit = [var for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL") if var in renames]
    for site in plan.inventory.clients:
        if site.is_azure or any(arg.star == "**" for arg in site.node.args):
            continue  # Azure reads AZURE_* variables; a splat may carry the arguments
        given = keyword_args(site.node)
        kept = client_kept(plan, site)
        for var, argument in zip(("OPENAI_API_KEY", "OPENAI_BASE_URL"), ("api_key", "base_url"),
                                 strict=True):  # fmt: skip
            if var in implicit and argument not in given:
                (plan.kept_env if kept else plan.renamed_env).add(var)
    module_calls = [c for c in plan.inventory.calls if c.style == "v0" or c.module_client]
    settings = {site.setting for site in plan.inventory.configs}
    if module_calls and "api_key" not in settings and "OPENAI_API_KEY" in implicit:
        kept = module_endpoint_kept(plan)
        (plan.kept_env if kept else plan.renamed_env).add("OPENAI_API_KEY")


def _in_removed_account_arg(plan: Plan, node: cst.CSTNode) -> bool:
    """Is `node` inside `organization=` / `project=` of a client (which the client fixer
    removes, reporting it)? Then the variable needs no finding of its own."""
    current: cst.CSTNode | None = node
    while current is not None:
        if isinstance(current, cst.Arg):
            keyword = current.keyword.value if current.keyword is not None else None
            parent = plan.parent_of(current)
            if keyword in ACCOUNT_ARGS and any(
                site.node is parent for site in plan.inventory.clients
            ):
                return True
        current = plan.parent_of(current)
    return False
