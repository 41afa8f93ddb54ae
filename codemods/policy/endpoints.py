"""Which clients (and module settings) migrate, which are left, and why.

A client is retargeted only when every value its base URL can take is shown to be
OpenAI's (no URL, api.openai.com, an OPENAI_BASE_URL read) or a relay to OpenAI. One
value shown to point elsewhere (a built-in or `--mapping` provider, another service, a
local server, a setting named after one of those) leaves it alone with its calls; one
migrator cannot place (configuration it cannot follow, an unknown host) leaves it too,
reported, unless `--retarget-configured`. Every fixer that meets a client or a module
endpoint asks here, so a call keeps its model exactly when its client keeps its endpoint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import libcst as cst
from migrator.codemods._edit import env_read, env_read_with_default, string_literal
from migrator.codemods.endpoint_hosts import (
    GENERIC_WORDS,
    LOCAL_SERVER_WORDS,
    OTHER_PROVIDER_WORDS,
    classify_endpoint,
    name_words,
)
from migrator.codemods.policy.arguments import ENDPOINT_SETTINGS, OPENAI_ENV_PREFIXES
from migrator.codemods.policy.azure import module_is_azure

from migrator.endpoint_trace import EndpointSource
from migrator.hosts import host_of
from migrator.inventory import CallSite, ClientSite, ConfigSite
from migrator.mapping import Mapping
from migrator.rewrite import Plan
from migrator.source import code_of


@dataclass(frozen=True)
class KnownProviders:
    """What names a provider other than OpenAI: the hosts of its endpoints, its base-URL
    variables, and the words configuration uses for it (`MOONSHOT_BASE_URL`)."""

    hosts: frozenset[str]
    envs: frozenset[str]
    words: frozenset[str]


def facts_of(mappings: list[Mapping]) -> KnownProviders:
    """What these mappings' providers are known by."""
    hosts: set[str] = set()
    envs: set[str] = set()
    words: set[str] = set()
    for mapping in mappings:
        compat = mapping.compat
        hosts.update(host_of(url) for url in [compat.base_url, *compat.regions.values()] if url)
        if compat.base_url_env:
            envs.add(compat.base_url_env)
        words.update(
            re.sub(r"[^a-z0-9]", "", name.lower()) for name in [mapping.id, *mapping.aliases]
        )
    hosts.discard("")
    return KnownProviders(frozenset(hosts), frozenset(envs), frozenset(words - GENERIC_WORDS))


@lru_cache(maxsize=1)
def _builtin_providers() -> KnownProviders:
    from migrator.mapping import load_registry

    return facts_of(list(load_registry().all()))


def known_providers(plan: Plan) -> KnownProviders:
    """The built-in providers and this run's own mapping (a user's `--mapping` file
    names a provider the built-ins do not know: code already there is left alone)."""
    builtin, own = _builtin_providers(), facts_of([plan.mapping])
    return KnownProviders(
        builtin.hosts | own.hosts,
        builtin.envs | own.envs,
        builtin.words | own.words | OTHER_PROVIDER_WORDS,
    )


def base_url_expression(plan: Plan, at: cst.CSTNode | None) -> cst.BaseExpression:
    """The provider endpoint as code at `at`: a literal, or an env read when the mapping
    has none."""
    compat = plan.target
    if compat.base_url:
        return string_literal(compat.base_url)
    assert compat.base_url_env, f"mapping {plan.mapping.id} has neither base_url nor base_url_env"
    return env_read(plan, compat.base_url_env, at=at)


def configurable_base_url(plan: Plan, at: cst.CSTNode | None) -> cst.BaseExpression:
    """For code that read the endpoint from OPENAI_BASE_URL: keep it configurable through
    the provider's variable, defaulting to the provider endpoint (never to OpenAI)."""
    compat = plan.target
    if compat.base_url_env and compat.base_url:
        return env_read_with_default(plan, compat.base_url_env, compat.base_url, at=at)
    return base_url_expression(plan, at)


# Kinds of endpoint (see `endpoint_of`). A client of a KEPT kind is left as it is, with
# its calls' models and parameters; the others are pointed at the target.
SHOWN_ELSEWHERE = ("provider", "provider-env", "local", "other")
NOT_SHOWN = ("config", "unknown-host")
KEPT_KINDS = frozenset({*SHOWN_ELSEWHERE, *NOT_SHOWN})


@dataclass(frozen=True)
class Destination:
    """What a base URL expression points at, and the source that shows it.

    kind: none (no URL: the SDK default, OpenAI) | openai | azure | relay (a relay to
    OpenAI) | env (an OPENAI_* variable) | configured (not shown, retargeted on request:
    --retarget-configured) -- all retargeted -- | provider | provider-env (a provider's
    variable or a setting named after a provider) | local | other (another known
    service) | config (not shown where it points) | unknown-host (a literal host nothing
    here knows) -- all left as they are."""

    kind: str
    source: EndpointSource | None = None

    @property
    def where(self) -> str:
        """The host it points at, or the code it is read from."""
        source = self.source
        if source is None:
            return ""
        if source.kind == "url" and host_of(source.value):
            return host_of(source.value)
        return f"`{_one_line(source.code)}`"


def _one_line(code: str) -> str:
    """Code quoted in a message, on one line."""
    return " ".join(code.split())


def endpoint_of(
    plan: Plan, expr: cst.BaseExpression | None, trace: tuple[EndpointSource, ...],
    azure: bool = False,
) -> Destination:  # fmt: skip
    """Where `expr` (a client's base URL, or `openai.api_base`) points, from every value
    the inventory traced it to (`trace`). Retargeted only when every value is shown to be
    OpenAI's (or Azure's); left when any value is shown to be elsewhere, and left with a
    finding when that cannot be told. `azure`: the value is an Azure endpoint setting,
    which keeps its old treatment (configuration and unknown hosts are retargeted)."""
    if expr is None:
        return Destination("none")
    providers = known_providers(plan)
    sources = trace or (EndpointSource("config", "", code_of(expr)),)
    kinds = [(_source_kind(plan, source, providers), source) for source in sources]
    for kept in SHOWN_ELSEWHERE:
        for kind, source in kinds:
            if kind == kept:
                return Destination(kind, source)
    opt_in = plan.options.retarget_configured or azure
    unshown = [(kind, source) for kind, source in kinds if kind in NOT_SHOWN]
    if unshown:
        kind, source = next((k for k in unshown if k[0] == "config"), unshown[0])
        if not opt_in:
            return Destination(kind, source)
        return Destination("configured" if kind == "config" else "relay", source)
    for wanted in ("relay", "env", "azure", "openai"):
        for kind, source in kinds:
            if kind == wanted:
                return Destination(kind, source)
    return Destination("none", sources[0])


def _source_kind(plan: Plan, source: EndpointSource, providers: KnownProviders) -> str:
    if source.kind == "none":
        return "none"
    if source.kind == "url":
        return classify_endpoint(source.value, providers.hosts)
    if source.kind == "env":
        if source.value.startswith(OPENAI_ENV_PREFIXES):
            return "env"
        if source.value in providers.envs or source.value == plan.target.base_url_env:
            return "provider-env"
    words = name_words(source.value)
    if words & LOCAL_SERVER_WORDS:
        return "local"
    if words & providers.words:
        return "provider-env"
    return "config"


def client_endpoint(plan: Plan, site: ClientSite) -> Destination:
    """Where a client's base URL points (its Azure endpoint for an Azure client)."""
    return endpoint_of(plan, site.base_url, site.endpoint, azure=site.is_azure)


def client_kept(plan: Plan, site: ClientSite) -> bool:
    """True when the client is left as it is: it targets a non-OpenAI endpoint, or one
    migrator cannot show to be OpenAI's."""
    if site.node in plan.clients_left:
        return True  # left by the client fixer (its `**` mapping may hold the endpoint)
    return client_endpoint(plan, site).kind in KEPT_KINDS


def module_endpoint(plan: Plan, site: ConfigSite) -> Destination:
    """Where `openai.api_base` / `openai.base_url` points (Azure when the module's
    `openai.api_type` says so)."""
    return endpoint_of(plan, site.value, site.endpoint, azure=module_is_azure(plan))


def module_endpoint_kept(plan: Plan) -> bool:
    """True when `openai.api_base` / `openai.base_url` is left as it is."""
    return any(
        site.setting in ENDPOINT_SETTINGS and module_endpoint(plan, site).kind in KEPT_KINDS
        for site in plan.inventory.configs
    )


def lone_module_key(plan: Plan) -> bool:
    """True when the file sets `openai.api_key` but no endpoint and calls nothing through
    the module: the key is left (MIG109), since the module's default endpoint is OpenAI's."""
    settings = {site.setting for site in plan.inventory.configs}
    return (
        "api_key" in settings
        and not settings & set(ENDPOINT_SETTINGS)
        and not any(c.style == "v0" or c.module_client for c in plan.inventory.calls)
    )


def call_retargeted(plan: Plan, call: CallSite) -> bool:
    """Does this call go to the provider after the migration? Calls through a client (or
    module configuration) left as it is keep their models and parameters."""
    if call.client is not None:
        return not client_kept(plan, call.client)
    if call.made_by is not None:
        return False  # a factory given arguments decides its endpoint (MIG106)
    if call.style == "v0" or call.module_client:
        return not module_endpoint_kept(plan)
    return True


def _target_url(plan: Plan) -> str:
    compat = plan.target
    return compat.base_url or f"the endpoint in ${compat.base_url_env}"


def report_endpoint(
    plan: Plan, endpoint: Destination, expr: cst.BaseExpression | None, setting: str,
    node: cst.CSTNode,
) -> None:  # fmt: skip
    """Tell a person what a base URL means for the migration.

    Shared by every fixer that meets an endpoint (clients, module settings, the v0
    upgrade): kept endpoints (MIG104), relays (MIG502), endpoints migrator cannot place
    (MIG105). `setting` names the thing in the message (`base_url`, `openai.api_base`)."""
    owner = "client" if setting == "base_url" else setting
    kind, source = endpoint.kind, endpoint.source
    code = _one_line(code_of(expr)) if expr is not None else ""
    leaf = _one_line(source.code) if source is not None else code
    through = f" (through `{code}`)" if leaf != code else ""
    if kind in SHOWN_ELSEWHERE:
        if not names_the_target(plan, endpoint):
            plan.finding(
                "MIG104",
                f"{owner} already targets {endpoint.where}{through} (not OpenAI); left as it is",
                node=node,
            )
    elif kind == "unknown-host":
        plan.finding(
            "MIG105",
            f"{setting} points at {endpoint.where}{through}, which migrator does not know: "
            f"{owner} left unchanged; if it is a relay to OpenAI, point it at "
            f"{_target_url(plan)} by hand (or rerun with --retarget-configured)",
            node=node,
        )
    elif kind == "config":
        plan.finding(
            "MIG105",
            f"{setting} comes from `{leaf}`{through} and migrator cannot tell where it points: "
            f"{owner} left unchanged; if it is OpenAI's, point it at {_target_url(plan)} "
            "(or rerun with --retarget-configured)",
            node=node,
        )
    elif kind == "relay":
        assert source is not None
        plan.finding(
            "MIG502",
            f"{setting} {source.value}{through} is not OpenAI's, Azure's or a known "
            "provider's: a relay or reverse proxy to OpenAI is the non-compliant workaround "
            f"this migration replaces; retargeted to {plan.mapping.name}",
            node=node,
        )
    elif kind == "configured":
        url = plan.target.base_url
        configurable = (
            f', or write `{code} or "{url}"` to keep it configurable once that '
            f"configuration can no longer name OpenAI or a relay"
            if url
            else ""
        )
        plan.finding(
            "MIG105",
            f"{setting} came from `{code}`; replaced by the {plan.mapping.name} endpoint, "
            "so that no configured OpenAI URL or relay survives the migration — remove that "
            f"setting{configurable}",
            node=node,
        )


def names_the_target(plan: Plan, endpoint: Destination) -> bool:
    """Already the run's own provider: nothing to tell."""
    source = endpoint.source
    if source is None:
        return False
    own = facts_of([plan.mapping])
    if source.kind == "url":
        return host_of(source.value) in own.hosts
    return source.value in own.envs or bool(name_words(source.value) & own.words)


def endpoint_state(plan: Plan, site: ClientSite) -> str:
    """new | keep | env: what to do with the client's current base URL (with findings)."""
    endpoint = client_endpoint(plan, site)
    report_endpoint(plan, endpoint, site.base_url, "base_url", site.node)
    if endpoint.kind in KEPT_KINDS:
        return "keep"
    return "env" if endpoint.kind == "env" else "new"
