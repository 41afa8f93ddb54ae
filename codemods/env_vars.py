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

import libcst as cst
from migrator.codemods._edit import keyword_args, replace_string_value
from migrator.codemods.env_flow import Sink
from migrator.codemods.policy.arguments import ACCOUNT_ARGS
from migrator.codemods.policy.endpoints import client_kept, module_endpoint_kept
from migrator.codemods.policy.env import env_decisions, renames_for, settings_fed_by
from migrator.codemods.policy.env_names import KEY_VARS

from migrator.inventory import LiteralSite
from migrator.rewrite import Plan
from migrator.sdk_catalogue import ACCOUNT_VARS


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
    wanted = settings_fed_by(var, plan.target.client == "azure")
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
