"""Rename reads of OpenAI environment variables to the provider's.

Any `OPENAI_*` / `AZURE_OPENAI_*` string literal the inventory found (os.environ[...],
os.getenv, os.environ.get, settings classes...) is renamed when the provider has an
equivalent; the rest are reported.

Rules:
  MIG503 OpenAI env var with no provider equivalent (left as it is)
"""

from __future__ import annotations

import libcst as cst
from migrator.codemods._edit import replace_string_value
from migrator.codemods.client_endpoint import ACCOUNT_ARGS

from migrator.rewrite import Plan

KEY_VARS = frozenset({"OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_KEY"})
BASE_URL_VARS = frozenset({"OPENAI_BASE_URL", "OPENAI_API_BASE", "AZURE_OPENAI_ENDPOINT"})
ACCOUNT_VARS = frozenset({"OPENAI_ORG_ID", "OPENAI_ORGANIZATION", "OPENAI_PROJECT_ID"})
VERSION_VARS = frozenset({"OPENAI_API_VERSION", "AZURE_OPENAI_API_VERSION"})


def renames_for(plan: Plan) -> dict[str, str]:
    """Old env var -> new, for this provider (also used for .env templates)."""
    compat = plan.mapping.compat
    return env_renames(compat.client, compat.key_env, compat.base_url_env, compat.endpoint_env,
                       compat.api_version_env)  # fmt: skip


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


def fix_env_vars(plan: Plan) -> None:
    renames = renames_for(plan)
    for site in plan.inventory.env_reads:
        new = renames.get(site.value)
        if new is not None:
            plan.replace(site.node, lambda n, new=new: replace_string_value(n, new), "MIG500")
        elif site.value in ACCOUNT_VARS and not _in_removed_account_arg(plan, site.node):
            plan.finding(
                "MIG503", "info", "config",
                f"{site.value} is an OpenAI account setting with no {plan.mapping.name} "
                "equivalent: remove it where it is no longer needed",
                node=site.node,
            )  # fmt: skip


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
