"""Retarget module-level configuration in place: the v0 API (`openai.api_base = ...`)
and the v1 module-level client (`openai.base_url = ...`, `openai.chat.completions...`).

When a file calls through the module but never sets the endpoint or key, the settings
are inserted next to its other settings (or after its imports), so the calls cannot
silently fall back to OpenAI; where the module is imported only inside a function or
under `try:` / `if`, right after that import instead. For Azure the module is switched
to `api_type = "azure"` with the endpoint and API version from the environment, and v0
calls name their deployment with `engine=` (which is what the v0 SDK routes Azure
requests by).

Rules:
  MIG101 an explicit api_key expression was kept
  MIG102 organization / project setting removed
  MIG103 Azure module settings converted (to or from Azure)
  MIG104 module endpoint already targets a non-OpenAI host
  MIG105 module endpoint not shown to be OpenAI's; left (replaced with --retarget-configured)
  MIG108 provider key read at import time with a placeholder
  MIG109 module api_key set with no endpoint and no module calls: left
  MIG502 module endpoint pointed at a relay / reverse proxy to OpenAI
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst
from migrator.codemods._edit import (
    edit_call_args,
    env_read_with_default,
    replace_string_value,
    string_literal,
)
from migrator.codemods._kwargs_dict import key_state, report_splat
from migrator.codemods.policy.arguments import ACCOUNT_ARGS, ENDPOINT_SETTINGS
from migrator.codemods.policy.azure import azure_endpoint_read, azure_version_read, is_azure_type
from migrator.codemods.policy.endpoints import (
    KEPT_KINDS,
    base_url_expression,
    lone_module_key,
    module_endpoint,
    report_endpoint,
)
from migrator.codemods.policy.keys import key_read, module_api_key_value

from migrator.import_edits import insertion_index
from migrator.inventory import CallSite, ConfigSite
from migrator.rewrite import Plan, settings_anchor
from migrator.source import code_of

# Builds a setting's value as code at `at` (None: the top level); findings go to `report`.
Build = Callable[[Plan, cst.CSTNode | None, cst.CSTNode], cst.BaseExpression]


def fix_module_settings(plan: Plan) -> None:
    if plan.options.upgrade_v0 and any(c.style == "v0" for c in plan.inventory.calls):
        return  # the v0 upgrade builds a client instead
    module_calls = [c for c in plan.inventory.calls if c.style == "v0" or c.module_client]
    retarget_module_settings(plan, plan.inventory.configs, module_calls)


def retarget_module_settings(
    plan: Plan, configs: list[ConfigSite], module_calls: list[CallSite]
) -> None:
    """Retarget these module settings, and add the missing ones when `module_calls` go
    through the module. The v0 upgrade calls it for the settings it could not fold."""
    if not (configs or module_calls):
        return
    if _endpoint_kept(plan, configs):
        return
    if plan.target.client == "azure":
        _to_azure(plan, configs, module_calls)
        return
    settings = {site.setting for site in configs}
    uses_v0 = any(c.style == "v0" for c in module_calls) or "api_base" in settings
    lone_key = lone_module_key(plan)
    for site in configs:
        if site.setting in ENDPOINT_SETTINGS:
            v0 = site.setting == "api_base"
            _endpoint(plan, site, _fixed_url(v0), _configurable_url(v0))
        elif site.setting == "api_key" and lone_key:
            _lone_key(plan, site)
        elif site.setting == "api_key":
            _api_key(plan, site)
        elif site.setting in ACCOUNT_ARGS:
            _remove_statement(plan, site)
        elif site.setting in ("api_type", "api_version", "azure_endpoint"):
            _azure_setting(plan, site, uses_v0)
    if not module_calls:
        return
    wanted: list[tuple[str, str | Build]] = []
    if not uses_v0 and "api_type" not in settings:
        # The v1 module client picks Azure by itself when AZURE_OPENAI_* variables are set
        # (and fails when OPENAI_API_KEY is set too): pin it to the OpenAI-style client.
        wanted.append(("api_type", '"openai"'))
    if not settings & set(ENDPOINT_SETTINGS):
        wanted.append(("api_base" if uses_v0 else "base_url", _fixed_url(uses_v0)))
    if "api_key" not in settings:
        wanted.append(("api_key", _provider_key))
    _insert_settings(plan, wanted, module_calls[0].node)


def _provider_key(plan: Plan, at: cst.CSTNode | None, report: cst.CSTNode) -> cst.BaseExpression:
    return key_read(plan, plan.target.key_env, at=at, report=report)


def _insert_settings(
    plan: Plan, wanted: list[tuple[str, str | Build]], report: cst.CSTNode
) -> None:
    """Add `openai.<setting> = <value>` statements where `openai` is bound.

    With the module imported unconditionally at the top level (or settings there
    already), after the imports or next to those settings. Otherwise (imported inside a
    function, or under `try:` / `if`) right after each such import, in its block: a
    top-level statement would fail with a NameError or AttributeError at import."""
    if not wanted:
        return
    for name, statement in _setting_places(plan):
        where = statement if statement is not None else report
        sources = [
            f"{name}.{setting} = "
            + (build if isinstance(build, str) else code_of(build(plan, statement, where)))
            for setting, build in wanted
        ]
        if statement is None:
            for source in sources:
                plan.insert_after_imports(source)
        else:
            plan.insert_after_statement(statement, sources, "MIG100")


def _setting_places(plan: Plan) -> list[tuple[str, cst.CSTNode | None]]:
    """(the module's local name, the import statement to insert after, or None for the
    top level) for each place new settings go."""
    imports = [
        b
        for b in plan.inventory.bindings
        if isinstance(b.node, cst.Import) and b.imported == "openai"
    ]
    if not imports:
        plan.add_import("openai")
        return [("openai", None)]
    body = list(plan.module.body)
    anchor = settings_anchor(plan)
    index = body.index(anchor) if anchor is not None else insertion_index(plan.module)
    for binding in imports:
        statement = plan.statement_of(binding.node)
        if statement in body[:index]:
            return [(binding.local, None)]
    if anchor is not None:
        # `openai.api_key = ...` at the top level already uses the name there.
        return [(imports[0].local, None)]
    places: list[tuple[str, cst.CSTNode | None]] = []
    for binding in imports:
        statement = last_of_import_run(plan, plan.statement_of(binding.node))
        if all(statement is not s for _, s in places):
            places.append((binding.local, statement))
    return places


def last_of_import_run(plan: Plan, statement: cst.CSTNode) -> cst.CSTNode:
    """The last of the import lines that follow `statement` in its block: settings go
    below them, so that the names they read (`os`) are bound (`import openai` then
    `import os` inside a function)."""
    body = getattr(plan.parent_of(statement), "body", None)
    if not isinstance(body, (list, tuple)):
        return statement
    index = next((i for i, s in enumerate(body) if s is statement), None)
    if index is None:
        return statement
    while index + 1 < len(body) and _imports_only(body[index + 1]):
        index += 1
    return body[index]


def _imports_only(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


def _slash(url: str, v0: bool) -> str:
    """The v0 SDK appends "/chat/completions" to api_base; the v1 module client appends
    "chat/completions" to base_url as it is (no slash added, unlike a client's)."""
    return url.rstrip("/") if v0 else url.rstrip("/") + "/"


def _slashed(expr: cst.BaseExpression, v0: bool) -> cst.BaseExpression:
    """A URL read at run time, normalised the same way."""
    code = f'{code_of(expr)}.rstrip("/")' + ("" if v0 else ' + "/"')
    return cst.parse_expression(code)


def _fixed_url(v0: bool) -> Build:
    def build(plan: Plan, at: cst.CSTNode | None, report: cst.CSTNode) -> cst.BaseExpression:
        compat = plan.target
        if compat.base_url:
            return string_literal(_slash(compat.base_url, v0))
        return _slashed(base_url_expression(plan, at), v0)

    return build


def _configurable_url(v0: bool) -> Build:
    def build(plan: Plan, at: cst.CSTNode | None, report: cst.CSTNode) -> cst.BaseExpression:
        compat = plan.target
        if compat.base_url_env and compat.base_url:
            read = env_read_with_default(
                plan, compat.base_url_env, _slash(compat.base_url, v0), at=at
            )
            return _slashed(read, v0)
        return _fixed_url(v0)(plan, at, report)

    return build


def _endpoint_kept(plan: Plan, configs: list[ConfigSite]) -> bool:
    """The module already points away from OpenAI: leave the whole configuration."""
    for site in configs:
        if site.setting not in ENDPOINT_SETTINGS:
            continue
        endpoint = module_endpoint(plan, site)
        if endpoint.kind in KEPT_KINDS:
            report_endpoint(plan, endpoint, site.value, f"openai.{site.setting}", site.node)
            return True
    return False


def _endpoint(plan: Plan, site: ConfigSite, fixed: Build, configurable: Build) -> None:
    """Point `openai.api_base` / `openai.base_url` (or Azure's endpoint) at the target.

    `fixed` builds the endpoint; `configurable` the endpoint for code that read it from
    OPENAI_BASE_URL & co. (Builders, because building an env read imports os.)"""
    value = site.value
    endpoint = module_endpoint(plan, site)
    if endpoint.kind == "env":
        # Read from OPENAI_BASE_URL & co: keep it configurable through the target's
        # variable, with the target's endpoint (never OpenAI's) as the default.
        new = configurable(plan, value, site.node)
        plan.replace(value, lambda n: new, "MIG100")
        return
    report_endpoint(plan, endpoint, value, f"openai.{site.setting}", site.node)
    expr = fixed(plan, value, site.node)
    if isinstance(value, cst.SimpleString) and isinstance(expr, cst.SimpleString):
        new_url = str(expr.evaluated_value)
        plan.replace(value, lambda n: replace_string_value(n, new_url), "MIG100")
    else:
        plan.replace(value, lambda n: expr, "MIG100")


def _api_key(plan: Plan, site: ConfigSite) -> None:
    expr = module_api_key_value(plan, site)
    if expr is not None:
        plan.replace(site.value, lambda n: expr, "MIG100")


def _lone_key(plan: Plan, site: ConfigSite) -> None:
    """`openai.api_key = ...` with no endpoint setting and no module call in the file.

    Which endpoint the key meets is decided elsewhere (other files, notebooks' shell
    lines, libraries that read the module's settings), and the module's default is
    OpenAI's: the provider's key put here would be sent there. Left, said at the line."""
    plan.finding(
        "MIG109",
        f"openai.api_key is set but no endpoint is, and nothing in this file calls through "
        f"the module: left as it is (a {plan.target.key_env} here would go to OpenAI's "
        "default endpoint); remove the line if nothing reads it, or set openai.base_url "
        "(v1) / openai.api_base (v0) beside it",
        node=site.node,
    )


def _remove_statement(plan: Plan, site: ConfigSite) -> None:
    statement = plan.statement_of(site.node)
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        plan.mark(
            site.node, "MIG102", f"openai.{site.setting} is an OpenAI account setting: remove it"
        )
        return
    if plan.replace(statement, lambda n: cst.RemoveFromParent(), "MIG102"):
        plan.finding(
            "MIG102",
            f"removed openai.{site.setting} (OpenAI account setting; no "
            f"{plan.mapping.name} equivalent)",
            node=site.node,
        )


def _azure_setting(plan: Plan, site: ConfigSite, uses_v0: bool) -> None:
    value = site.value
    if site.setting == "api_type" and isinstance(value, cst.SimpleString):
        if str(value.evaluated_value).lower().startswith("azure"):
            plain = "open_ai" if uses_v0 else "openai"  # the v0 and v1 names of the type
            plan.replace(value, lambda n: replace_string_value(n, plain), "MIG103")
            plan.finding(
                "MIG103",
                f'openai.api_type was Azure: set to "{plain}" for {plan.mapping.name}; '
                "engine=/deployment_id= values must become provider model ids",
                node=site.node,
            )
        return
    if site.setting == "api_version":
        plan.finding(
            "MIG103",
            f"openai.api_version is an Azure setting; {plan.mapping.name} ignores it",
            node=site.node,
            severity="info",
            category="config",
        )


# -- Azure as the target -------------------------------------------------------------------


def _to_azure(plan: Plan, configs: list[ConfigSite], module_calls: list[CallSite]) -> None:
    """Configure the module for Azure OpenAI: api_type, endpoint, version and key."""
    if any(is_azure_type(site) for site in configs):
        return  # already Azure: variable names are the env fixer's business

    def endpoint(plan: Plan, at: cst.CSTNode | None, report: cst.CSTNode) -> cst.BaseExpression:
        return azure_endpoint_read(plan, at)

    def version(plan: Plan, at: cst.CSTNode | None, report: cst.CSTNode) -> cst.BaseExpression:
        return azure_version_read(plan, at)

    uses_v0 = any(c.style == "v0" for c in module_calls) or any(
        site.setting == "api_base" for site in configs
    )
    endpoint_setting = "api_base" if uses_v0 else "azure_endpoint"
    settings = {site.setting for site in configs}
    for site in configs:
        if site.setting == "api_base" or (site.setting == "azure_endpoint" and not uses_v0):
            _endpoint(plan, site, endpoint, endpoint)
        elif site.setting == "base_url":
            # The v1 module client refuses base_url next to azure_endpoint: replace it.
            _rename_setting(plan, site, endpoint_setting, endpoint(plan, site.value, site.node))
        elif site.setting == "api_key" and lone_module_key(plan):
            _lone_key(plan, site)
        elif site.setting == "api_key":
            _api_key(plan, site)
        elif site.setting in ACCOUNT_ARGS:
            _remove_statement(plan, site)
        elif site.setting == "api_type":
            plan.replace(site.value, lambda n: string_literal("azure"), "MIG103")
    if not module_calls and not settings & {"api_base", "base_url"}:
        return
    wanted: list[tuple[str, str | Build]] = [
        ("api_type", '"azure"'),
        (endpoint_setting, endpoint),
        ("api_version", version),
        ("api_key", _provider_key),
    ]
    missing = [
        (setting, build)
        for setting, build in wanted
        if not (setting in settings or (setting == endpoint_setting and "base_url" in settings))
    ]
    _insert_settings(plan, missing, configs[0].node if configs else module_calls[0].node)
    plan.finding(
        "MIG103",
        "module-level openai configured for Azure OpenAI (api_type, endpoint and API version "
        "from the environment)",
        node=configs[0].node if configs else module_calls[0].node,
        severity="info",
        category="config",
    )
    for call in module_calls:
        if call.style == "v0":
            _v0_engine(plan, call.node)


def _rename_setting(plan: Plan, site: ConfigSite, setting: str, value: cst.BaseExpression) -> None:
    def edit(node: cst.Assign) -> cst.Assign:
        target = node.targets[0]
        attribute = target.target
        assert isinstance(attribute, cst.Attribute)
        new_target = target.with_changes(target=attribute.with_changes(attr=cst.Name(setting)))
        return node.with_changes(targets=[new_target, *node.targets[1:]], value=value)

    if len(site.node.targets) == 1 and isinstance(site.node.targets[0].target, cst.Attribute):
        plan.replace(site.node, edit, "MIG103")
    else:
        message = f"set openai.{setting} for Azure OpenAI instead of openai.{site.setting}"
        plan.mark(site.node, "MIG103", message, category="config")


def _v0_engine(plan: Plan, call: cst.Call) -> None:
    """v0 Azure requests are routed by deployment: `model=` becomes `engine=`."""
    keywords = {a.keyword.value for a in call.args if a.keyword is not None}
    if keywords & {"engine", "deployment_id"} or "model" not in keywords:
        return
    if key_state(plan, call, "engine") in ("entry", "unknown"):
        report_splat(plan, call, ["engine"], "renaming model= to engine= (v0 Azure)")
        return

    def edit(node: cst.Call) -> cst.Call:
        return edit_call_args(node, rename={"model": "engine"}, known_absent={"engine"})

    if plan.replace(call, edit, "MIG103"):
        plan.finding(
            "MIG103",
            "model= became engine=: v0 Azure calls name the deployment (assumed to be named "
            "after the model; set the real name with --model-map)",
            node=call,
            severity="info",
        )
