"""Retarget module-level configuration in place: the v0 API (`openai.api_base = ...`)
and the v1 module-level client (`openai.base_url = ...`, `openai.chat.completions...`).

When a file calls through the module but never sets the endpoint or key, the settings
are inserted after its imports, so the calls cannot silently fall back to OpenAI.

Rules:
  MIG101 an explicit api_key expression was kept
  MIG102 organization / project setting removed
  MIG103 Azure module settings (api_type/api_version) need a person
  MIG104 module endpoint already targets a non-OpenAI host
  MIG105 module endpoint came from configuration; replaced
  MIG502 module endpoint pointed at a relay / reverse proxy to OpenAI
"""

from __future__ import annotations

import libcst as cst
from migrator.codemods._edit import classify_endpoint, env_read, host_of, replace_string_value
from migrator.codemods.client_endpoint import base_url_expression, provider_hosts

from migrator.inventory import ConfigSite
from migrator.rewrite import Plan

ENDPOINT_SETTINGS = ("api_base", "base_url")


def fix_module_settings(plan: Plan) -> None:
    if plan.options.upgrade_v0 and any(c.style == "v0" for c in plan.inventory.calls):
        return  # the v0 upgrade builds a client instead
    if plan.mapping.compat.client == "azure":
        _azure_note(plan)
        return
    settings = {site.setting: site for site in plan.inventory.configs}
    for site in plan.inventory.configs:
        if site.setting in ENDPOINT_SETTINGS:
            _endpoint(plan, site)
        elif site.setting == "api_key":
            _api_key(plan, site)
        elif site.setting in ("organization", "project"):
            _remove_statement(plan, site)
        elif site.setting in ("api_type", "api_version", "azure_endpoint"):
            _azure_setting(plan, site)
    module_calls = [c for c in plan.inventory.calls if c.style == "v0" or c.module_client]
    if not module_calls:
        return
    uses_v0 = any(c.style == "v0" for c in module_calls)
    endpoint_setting = "api_base" if uses_v0 else "base_url"
    if not any(name in settings for name in ENDPOINT_SETTINGS):
        url = cst.Module([]).code_for_node(base_url_expression(plan))
        plan.insert_after_imports(f"openai.{endpoint_setting} = {url}")
    if "api_key" not in settings:
        key = cst.Module([]).code_for_node(env_read(plan, plan.mapping.compat.key_env))
        plan.insert_after_imports(f"openai.api_key = {key}")


def _endpoint(plan: Plan, site: ConfigSite) -> None:
    value = site.value
    if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
        url = value.evaluated_value
        kind = classify_endpoint(url, provider_hosts())
        if kind in ("provider", "local"):
            if host_of(url) != host_of(plan.mapping.compat.base_url or ""):
                plan.finding(
                    "MIG104", "info", "config",
                    f"openai.{site.setting} already targets {host_of(url)}; left as it is",
                    node=site.node,
                )  # fmt: skip
            return
        if kind == "relay":
            plan.finding(
                "MIG502", "warning", "compliance",
                f"openai.{site.setting} = {url} is a relay or reverse proxy to OpenAI, the "
                f"non-compliant workaround this migration replaces; retargeted to "
                f"{plan.mapping.name}",
                node=site.node,
            )  # fmt: skip
        new_url = plan.mapping.compat.base_url
        if new_url:
            plan.replace(value, lambda n: replace_string_value(n, new_url), "MIG100")
        else:
            expr = base_url_expression(plan)
            plan.replace(value, lambda n: expr, "MIG100")
        return
    code = cst.Module([]).code_for_node(value)
    if "OPENAI_" in code or (plan.mapping.compat.base_url_env or "\0") in code:
        return  # env read: renamed by the env-var fixer
    expr = base_url_expression(plan)
    if plan.replace(value, lambda n: expr, "MIG100"):
        plan.finding(
            "MIG105", "warning", "config",
            f"openai.{site.setting} came from `{code}`; replaced by the "
            f"{plan.mapping.name} endpoint — review that configuration",
            node=site.node,
        )  # fmt: skip


def _api_key(plan: Plan, site: ConfigSite) -> None:
    value = site.value
    key_env = plan.mapping.compat.key_env
    if isinstance(value, cst.SimpleString):
        expr = env_read(plan, key_env)
        plan.replace(value, lambda n: expr, "MIG100")
        return
    code = cst.Module([]).code_for_node(value)
    if "OPENAI_" in code or key_env in code:
        return
    plan.finding(
        "MIG101", "warning", "config",
        f"openai.api_key = `{code}` kept: make sure it now yields the {plan.mapping.name} key "
        f"(env {key_env})",
        node=site.node,
    )  # fmt: skip


def _remove_statement(plan: Plan, site: ConfigSite) -> None:
    statement = plan.statement_of(site.node)
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        plan.mark(site.node, "MIG102", "info", "config",
                  f"openai.{site.setting} is an OpenAI account setting: remove it")  # fmt: skip
        return
    if plan.replace(statement, lambda n: cst.RemoveFromParent(), "MIG102"):
        plan.finding(
            "MIG102", "info", "config",
            f"removed openai.{site.setting} (OpenAI account setting; no "
            f"{plan.mapping.name} equivalent)",
            node=site.node,
        )  # fmt: skip


def _azure_setting(plan: Plan, site: ConfigSite) -> None:
    value = site.value
    if site.setting == "api_type" and isinstance(value, cst.SimpleString):
        if str(value.evaluated_value).lower().startswith("azure"):
            plan.replace(value, lambda n: replace_string_value(n, "open_ai"), "MIG103")
            plan.finding(
                "MIG103", "warning", "code",
                f"openai.api_type was Azure: set to \"open_ai\" for {plan.mapping.name}; "
                "engine=/deployment_id= values must become provider model ids",
                node=site.node,
            )  # fmt: skip
        return
    if site.setting == "api_version":
        plan.finding(
            "MIG103", "info", "config",
            f"openai.api_version is an Azure setting; {plan.mapping.name} ignores it",
            node=site.node,
        )  # fmt: skip


def _azure_note(plan: Plan) -> None:
    for site in plan.inventory.configs:
        if site.setting in ENDPOINT_SETTINGS:
            plan.mark(
                site.node, "MIG103", "warning", "config",
                "module-level client: set openai.api_type = \"azure\", azure_endpoint and "
                "api_version for Azure OpenAI by hand",
            )  # fmt: skip
