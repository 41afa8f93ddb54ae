"""The keyword arguments of a v0 module's new client, as code: the endpoint and key the
folded settings give (or the provider's), an endpoint already away from OpenAI kept with
its key, Azure's endpoint and version, and the findings about what was kept or removed.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
from migrator.codemods._edit import env_read, env_read_with_default, replace_string_value
from migrator.codemods._kept_key import may_be_none, reads_key_var
from migrator.codemods.policy.arguments import OPENAI_ENV_PREFIXES
from migrator.codemods.policy.endpoints import (
    base_url_expression,
    configurable_base_url,
    module_endpoint,
    report_endpoint,
)
from migrator.codemods.policy.env import renames_for
from migrator.codemods.policy.keys import key_read, openai_key_from_afar, os_names

from migrator.env_reads import env_read as recognised_env_read
from migrator.inventory import ConfigSite
from migrator.rewrite import Plan
from migrator.source import code_of


@dataclass
class ClientArguments:
    """The arguments of one module's client (ClientBuilder sets what it builds)."""

    plan: Plan
    kept: bool  # the module's endpoint already points away from OpenAI
    azure: bool  # an AzureOpenAI client

    def client_kwargs(
        self, settings: dict[str, ConfigSite], at: cst.CSTNode | None
    ) -> list[tuple[str, str]]:
        """The client's arguments, as code at `at` (None: the top level)."""
        plan = self.plan
        compat = plan.target
        kwargs: list[tuple[str, str]] = []
        was_azure = _is_azure_type(settings.get("api_type"))
        endpoint = next(
            (settings[s] for s in ("api_base", "base_url", "azure_endpoint") if s in settings),
            None,
        )
        if self.kept:
            # The module already talked to another provider or a local server: the client
            # keeps that endpoint and key, as the client fixer keeps such clients.
            if endpoint is not None:
                kwargs.append(("base_url", self._kept(endpoint.value)))
                self._kept_note(endpoint)
            else:
                kwargs.append(("base_url", code_of(base_url_expression(plan, at))))
            if "api_key" in settings:
                kwargs.append(("api_key", self._kept(settings["api_key"].value)))
        elif self.azure:
            if endpoint is not None and (was_azure or endpoint.setting == "azure_endpoint"):
                kwargs.append(("azure_endpoint", self._kept(endpoint.value)))
            else:
                endpoint_env = compat.endpoint_env or "AZURE_OPENAI_ENDPOINT"
                read = env_read(plan, endpoint_env, at=at)
                kwargs.append(("azure_endpoint", code_of(read)))
            version = settings.get("api_version")
            version_env = compat.api_version_env or "OPENAI_API_VERSION"
            if version is not None:
                kwargs.append(("api_version", self._kept(version.value)))
            elif compat.api_version:
                default = env_read_with_default(plan, version_env, compat.api_version, at=at)
                kwargs.append(("api_version", code_of(default)))
            else:
                kwargs.append(("api_version", code_of(env_read(plan, version_env, at=at))))
        else:
            kwargs.append(("base_url", self._base_url(endpoint, at)))
        if not self.kept:
            kwargs.append(("api_key", self._api_key(settings.get("api_key"), at)))
        for setting in ("max_retries", "timeout", "default_headers", "default_query"):
            if setting in settings:
                kwargs.append((setting, self._kept(settings[setting].value)))
        account = [s for s in ("organization", "project") if s in settings]
        if account:
            plan.finding(
                "MIG102",
                f"removed openai.{' / openai.'.join(account)} (OpenAI account settings; "
                f"{plan.mapping.name} has no equivalent)",
                node=settings[account[0]].node,
            )
        azure_settings = [s for s in ("api_type", "api_version") if s in settings]
        if not was_azure and "api_type" in azure_settings:
            azure_settings.remove("api_type")  # api_type = "open_ai": nothing to say
        if azure_settings and not self.azure:
            plan.finding(
                "MIG103",
                f"removed Azure settings openai.{' / openai.'.join(azure_settings)}: the "
                f"client now targets {plan.mapping.name}; engine=/deployment_id= values were "
                "Azure deployment names and must be provider model ids",
                node=settings[azure_settings[0]].node,
            )
        return kwargs

    @property
    def first_call(self) -> cst.CSTNode:
        """Where findings about the module's new client go when no setting is there."""
        return next(c.node for c in self.plan.inventory.calls if c.style == "v0")

    def _kept(self, value: cst.BaseExpression) -> str:
        """The user's expression as code, with OpenAI env var names renamed."""
        renames = renames_for(self.plan)
        return code_of(value.visit(_RenameEnv(renames)))

    def _base_url(self, site: ConfigSite | None, at: cst.CSTNode | None) -> str:
        """The provider endpoint for the client (the module's own is not kept here)."""
        plan = self.plan
        if site is None:
            return code_of(base_url_expression(plan, at))
        endpoint = module_endpoint(plan, site)
        if endpoint.kind == "env":
            return code_of(configurable_base_url(plan, at))
        report_endpoint(plan, endpoint, site.value, f"openai.{site.setting}", site.node)
        return code_of(base_url_expression(plan, at))

    def _kept_note(self, site: ConfigSite) -> None:
        endpoint = module_endpoint(self.plan, site)
        report_endpoint(self.plan, endpoint, site.value, f"openai.{site.setting}", site.node)

    def _api_key(self, site: ConfigSite | None, at: cst.CSTNode | None) -> str:
        """The client's key, as code at `at`: at the top level a missing provider variable
        reads as a placeholder (see `key_read`)."""
        plan = self.plan
        key_env = plan.target.key_env
        report = site.node if site is not None else at or self.first_call
        if (
            site is None
            or isinstance(site.value, (cst.SimpleString, cst.ConcatenatedString))
            or code_of(site.value) == "None"
            or (reads_key_var(site.value, key_env) and may_be_none(plan, site.value))
        ):
            # No key set (v0 read OPENAI_API_KEY) or a literal OpenAI key: useless at the
            # provider (the literal is reported, redacted, by the hard-coded key fixer).
            # A strict `os.environ["OPENAI_API_KEY"]` the user wrote keeps its strictness
            # (renamed below), as the client fixer keeps it: it failed where it stood before.
            return code_of(key_read(plan, key_env, at=at, report=report))
        from migrator.codemods.policy.env import replaces_openai_key

        if not plan.suppressed("MIG500", site.value) and (
            replaces_openai_key(plan, site.value, "openai.api_key", site.node)
            or openai_key_from_afar(plan, site.value, site.node)
        ):
            # It carries OPENAI_API_KEY that other code still reads (or another file's
            # settings read): kept, the new client would send the OpenAI key (MIG507).
            return code_of(key_read(plan, key_env, at=at, report=report))
        code = self._kept(site.value)
        if may_be_none(plan, site.value):
            # None would make the SDK read OPENAI_API_KEY: fall back to the provider's key.
            fallback = code_of(key_read(plan, key_env, at=at, report=report))
            kept_expr = site.value
            if _is_or(kept_expr) and reads_key_var(kept_expr.right, key_env):  # type: ignore[attr-defined]
                # `key or os.getenv("OPENAI_API_KEY")`: that last read becomes the fallback
                kept_expr = kept_expr.left  # type: ignore[attr-defined]
                code = self._kept(kept_expr)
            simple = (cst.Name, cst.Attribute, cst.Call, cst.Subscript)
            plain = isinstance(kept_expr, simple) or _is_or(kept_expr)
            kept = code if plain else f"({code})"
            plan.finding(
                "MIG101",
                f"openai.api_key = `{code_of(site.value)}` kept for the client, falling back "
                f"to {key_env} when it is None (the SDK would read OPENAI_API_KEY and send "
                f"the OpenAI key to {plan.mapping.name}): make sure it yields the "
                f"{plan.mapping.name} key",
                node=site.node,
            )
            return f"{kept} or {fallback}"
        read = recognised_env_read(site.value, os_names(plan))
        var = read.var if read is not None else None
        if var is None or not (var.startswith(OPENAI_ENV_PREFIXES) or var == key_env):
            plan.finding(
                "MIG101",
                f"openai.api_key = `{code_of(site.value)}` kept for the client: make sure it "
                f"now yields the {plan.mapping.name} key (env {key_env})",
                node=site.node,
            )
        return code


def _is_or(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or)


def _is_azure_type(site: ConfigSite | None) -> bool:
    if site is None or not isinstance(site.value, cst.SimpleString):
        return site is not None  # a computed api_type: assume it may be Azure
    return str(site.value.evaluated_value).lower().startswith("azure")


class _RenameEnv(cst.CSTTransformer):
    def __init__(self, renames: dict[str, str]) -> None:
        super().__init__()
        self.renames = renames

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.SimpleString:
        value = original_node.evaluated_value
        if isinstance(value, str) and value in self.renames:
            return replace_string_value(updated_node, self.renames[value])
        return updated_node
