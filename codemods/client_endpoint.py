"""Point every v1 client shown to talk to OpenAI at the provider's OpenAI-compatible endpoint.

`OpenAI(...)` / `AsyncOpenAI(...)` get `base_url=` the provider's endpoint and
`api_key=os.environ["<PROVIDER_KEY>"]` (OpenAI() would otherwise silently read
OPENAI_API_KEY). `AzureOpenAI` becomes a plain `OpenAI` pointed at the provider, or,
when the target is Azure, plain clients become `AzureOpenAI`.

Only a client whose base URL is shown to be OpenAI's (none, api.openai.com, an
OPENAI_BASE_URL read, a relay to OpenAI: every value the inventory traced it to) is
moved. One pointing elsewhere (another provider, a local server) is left with its calls;
one migrator cannot place is left too, with MIG105, unless --retarget-configured.

Rules:
  MIG101 an explicit api_key expression was kept: it must now yield the provider key
         (one that can be None falls back to the provider's variable explicitly)
  MIG102 organization / project removed (OpenAI account headers)
  MIG103 Azure client converted; Azure-only arguments removed
  MIG104 client already targets a non-OpenAI endpoint; left as it is
  MIG105 base_url not shown to be OpenAI's (configuration, unknown host); left as it is,
         or replaced with --retarget-configured
  MIG106 calls through a client built elsewhere (parameter, other module)
  MIG108 provider key read at import time with a placeholder (see `_edit.key_read`)
  MIG502 base_url pointed at a relay / reverse proxy to OpenAI
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import libcst as cst
from migrator.codemods._edit import (
    edit_call_args,
    env_read,
    env_read_with_default,
    key_read,
    keyword_args,
    string_literal,
)
from migrator.codemods._kept_key import (
    ends_with_key_read,
    is_none,
    may_be_none,
    or_else,
    reads_key_var,
)
from migrator.codemods._scope import scope_at, visible
from migrator.codemods.client_kwargs import (
    MappingEdits,
    can_place,
    drop_keys,
    key_default,
    place_value,
    read_client_kwargs,
    report_conditional_key,
    report_left,
)
from migrator.codemods.endpoint_hosts import (
    GENERIC_WORDS,
    LOCAL_SERVER_WORDS,
    OTHER_PROVIDER_WORDS,
    classify_endpoint,
    name_words,
)

from migrator.endpoint_trace import EndpointSource, trace_endpoint
from migrator.hosts import host_of
from migrator.inventory import CallSite, ClientSite, ConfigSite
from migrator.mapping import Mapping
from migrator.rewrite import Plan
from migrator.source import code_of

ACCOUNT_ARGS = frozenset({"organization", "project"})
AZURE_ONLY_ARGS = frozenset(
    {
        "azure_endpoint",
        "azure_deployment",
        "api_version",
        "azure_ad_token",
        "azure_ad_token_provider",
    }
)
OPENAI_ENV_PREFIXES = ("OPENAI_", "AZURE_OPENAI_")


@dataclass(frozen=True)
class KnownProviders:
    """What names a provider other than OpenAI: the hosts of its endpoints, its base-URL
    variables, and the words configuration uses for it (`MOONSHOT_BASE_URL`)."""

    hosts: frozenset[str]
    envs: frozenset[str]
    words: frozenset[str]


def _facts_of(mappings: list[Mapping]) -> KnownProviders:
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

    return _facts_of(list(load_registry().all()))


def known_providers(plan: Plan) -> KnownProviders:
    """The built-in providers and this run's own mapping (a user's `--mapping` file
    names a provider the built-ins do not know: code already there is left alone)."""
    builtin, own = _builtin_providers(), _facts_of([plan.mapping])
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


def fix_clients(plan: Plan) -> None:
    compat = plan.target
    for site in plan.inventory.clients:
        if compat.client == "azure":
            _to_azure(plan, site)
        else:
            _to_compat(plan, site)
    if compat.client != "azure":
        _retype_azure_references(plan)
    _unknown_clients(plan)


AZURE_CLASSES = {
    "openai.AzureOpenAI": "OpenAI",
    "openai.AsyncAzureOpenAI": "AsyncOpenAI",
    "openai.lib.azure.AzureOpenAI": "OpenAI",
    "openai.lib.azure.AsyncAzureOpenAI": "AsyncOpenAI",
}


def _retype_azure_references(plan: Plan) -> None:
    """Once every Azure client of the file is a plain client, annotations and isinstance
    checks naming the Azure classes name the plain ones (so the Azure import can go)."""
    azure_sites = [site for site in plan.inventory.clients if site.is_azure]
    if not azure_sites or any(client_kept(plan, site) for site in azure_sites):
        return
    # Names bound by `from openai import AzureOpenAI`, and by `import openai [as Y]`.
    bindings = plan.inventory.bindings
    classes = {
        b.local: AZURE_CLASSES[b.qualified]
        for b in bindings
        if isinstance(b.node, cst.ImportFrom) and b.qualified in AZURE_CLASSES and not b.aliased
    }
    modules = {
        b.local for b in bindings if isinstance(b.node, cst.Import) and b.imported == "openai"
    }
    finder = _AzureReferences(classes, modules, {id(site.node.func) for site in azure_sites})
    plan.module.visit(finder)
    for node, new_name in finder.found:
        if isinstance(node, cst.Attribute):
            plan.replace(node, lambda n, new=new_name: n.with_changes(attr=cst.Name(new)), "MIG103")
        else:
            plan.add_import("openai", new_name)
            plan.remove_import_if_unused("openai", node.value)
            plan.replace(node, lambda n, new=new_name: n.with_changes(value=new), "MIG103")


class _AzureReferences(cst.CSTVisitor):
    """`AzureOpenAI` / `openai.AzureOpenAI` outside imports and the converted constructors."""

    def __init__(self, classes: dict[str, str], modules: set[str], skip: set[int]) -> None:
        super().__init__()
        self.classes = classes
        self.modules = modules
        self.skip = skip
        self.found: list[tuple[cst.Name | cst.Attribute, str]] = []

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if id(node) in self.skip:
            return False
        attr = node.attr.value
        if (
            isinstance(node.value, cst.Name)
            and node.value.value in self.modules
            and f"openai.{attr}" in AZURE_CLASSES
        ):
            self.found.append((node, AZURE_CLASSES[f"openai.{attr}"]))
            return False
        node.value.visit(self)
        return False  # `x.AzureOpenAI` on anything else is not the class

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) not in self.skip and node.value in self.classes:
            self.found.append((node, self.classes[node.value]))


# Kinds of endpoint (see `endpoint_of`). A client of a KEPT kind is left as it is, with
# its calls' models and parameters; the others are pointed at the target.
SHOWN_ELSEWHERE = ("provider", "provider-env", "local", "other")
NOT_SHOWN = ("config", "unknown-host")
KEPT_KINDS = frozenset({*SHOWN_ELSEWHERE, *NOT_SHOWN})


@dataclass(frozen=True)
class Endpoint:
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
) -> Endpoint:  # fmt: skip
    """Where `expr` (a client's base URL, or `openai.api_base`) points, from every value
    the inventory traced it to (`trace`). Retargeted only when every value is shown to be
    OpenAI's (or Azure's); left when any value is shown to be elsewhere, and left with a
    finding when that cannot be told. `azure`: the value is an Azure endpoint setting,
    which keeps its old treatment (configuration and unknown hosts are retargeted)."""
    if expr is None:
        return Endpoint("none")
    providers = known_providers(plan)
    sources = trace or (EndpointSource("config", "", code_of(expr)),)
    kinds = [(_source_kind(plan, source, providers), source) for source in sources]
    for kept in SHOWN_ELSEWHERE:
        for kind, source in kinds:
            if kind == kept:
                return Endpoint(kind, source)
    opt_in = plan.options.retarget_configured or azure
    unshown = [(kind, source) for kind, source in kinds if kind in NOT_SHOWN]
    if unshown:
        kind, source = next((k for k in unshown if k[0] == "config"), unshown[0])
        if not opt_in:
            return Endpoint(kind, source)
        return Endpoint("configured" if kind == "config" else "relay", source)
    for wanted in ("relay", "env", "azure", "openai"):
        for kind, source in kinds:
            if kind == wanted:
                return Endpoint(kind, source)
    return Endpoint("none", sources[0])


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


def client_endpoint(plan: Plan, site: ClientSite) -> Endpoint:
    return endpoint_of(plan, site.base_url, site.endpoint, azure=site.is_azure)


def client_kept(plan: Plan, site: ClientSite) -> bool:
    """True when the client is left as it is: it targets a non-OpenAI endpoint, or one
    migrator cannot show to be OpenAI's."""
    if site.node in plan.clients_left:
        return True  # left by the client fixer (its `**` mapping may hold the endpoint)
    return client_endpoint(plan, site).kind in KEPT_KINDS


def module_endpoint(plan: Plan, site: ConfigSite) -> Endpoint:
    """Where `openai.api_base` / `openai.base_url` points (Azure when the module's
    `openai.api_type` says so)."""
    return endpoint_of(plan, site.value, site.endpoint, azure=_module_is_azure(plan))


def _module_is_azure(plan: Plan) -> bool:
    return any(
        site.setting == "api_type"
        and isinstance(site.value, cst.SimpleString)
        and str(site.value.evaluated_value).lower().startswith("azure")
        for site in plan.inventory.configs
    )


def module_endpoint_kept(plan: Plan) -> bool:
    """True when `openai.api_base` / `openai.base_url` is left as it is."""
    return any(
        site.setting in ("api_base", "base_url") and module_endpoint(plan, site).kind in KEPT_KINDS
        for site in plan.inventory.configs
    )


def call_retargeted(plan: Plan, call: CallSite) -> bool:
    """Does this call go to the provider after the migration? Calls through a client (or
    module configuration) left as it is keep their models and parameters."""
    if call.client is not None:
        return not client_kept(plan, call.client)
    if call.made_by is not None:
        return False  # a factory given arguments decides its endpoint: see _unknown_clients
    if call.style == "v0" or call.module_client:
        return not module_endpoint_kept(plan)
    return True


def _target_url(plan: Plan) -> str:
    compat = plan.target
    return compat.base_url or f"the endpoint in ${compat.base_url_env}"


def report_endpoint(
    plan: Plan, endpoint: Endpoint, expr: cst.BaseExpression | None, setting: str,
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
        if not _names_the_target(plan, endpoint):
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


def _names_the_target(plan: Plan, endpoint: Endpoint) -> bool:
    """Already the run's own provider: nothing to tell."""
    source = endpoint.source
    if source is None:
        return False
    own = _facts_of([plan.mapping])
    if source.kind == "url":
        return host_of(source.value) in own.hosts
    return source.value in own.envs or bool(name_words(source.value) & own.words)


def _endpoint_state(plan: Plan, site: ClientSite) -> str:
    """new | keep | env: what to do with the client's current base URL (with findings)."""
    endpoint = client_endpoint(plan, site)
    report_endpoint(plan, endpoint, site.base_url, "base_url", site.node)
    if endpoint.kind in KEPT_KINDS:
        return "keep"
    return "env" if endpoint.kind == "env" else "new"


def _api_key_value(
    plan: Plan, site: ClientSite, args: dict[str, cst.Arg]
) -> cst.BaseExpression | None:
    """The new api_key expression, or None to keep the user's."""
    key_env = plan.target.key_env
    arg = args.get("api_key")
    if arg is None:
        return key_read(plan, key_env, at=site.node)
    value = arg.value
    if isinstance(value, cst.SimpleString) or is_none(value):
        # A literal key (reported, redacted, by hardcoded_keys) is an OpenAI key: useless
        # at the provider, so it is replaced by the provider's env var; so is `None`,
        # with which the SDK reads OPENAI_API_KEY.
        return key_read(plan, key_env, at=site.node)
    from migrator.codemods.env_vars import replaces_openai_key  # it reads client_kept

    if reads_key_var(value, key_env) and plan.suppressed("MIG500", value):
        keep_key(plan, value, "api_key", site.node)  # `# migrator: ignore[MIG500]`: kept
        return None
    if replaces_openai_key(plan, value, "api_key", site.node):
        # an OPENAI_API_KEY read that other code still reads: the provider's key instead
        return key_read(plan, key_env, at=site.node)
    if openai_key_from_afar(plan, value, site.node):
        return key_read(plan, key_env, at=site.node)
    keep_key(plan, value, "api_key", site.node)
    return None


def openai_key_from_afar(plan: Plan, value: cst.BaseExpression, node: cst.CSTNode) -> bool:
    """Does the kept key come from an OpenAI variable this file's env-var fixer cannot
    rename (a settings class of another file: `Settings.api_key` reading OPENAI_API_KEY)?
    Kept, the retargeted client would send the OpenAI key to the provider (MIG507)."""
    from migrator.codemods.env_vars import feeds_renamed_read  # it reads client_kept

    values = plan.inventory.endpoint_values
    if plan.target.client == "azure":
        return False  # Azure's own variables at an Azure target: the same service's key
    if values is None or feeds_renamed_read(plan, value):
        return False
    found = [
        source.value
        for source in trace_endpoint(value, values)
        if source.kind == "env"
        and source.value.startswith(OPENAI_ENV_PREFIXES)
        and source.value != plan.target.key_env  # (Azure's own key at an Azure target)
    ]
    if not found:
        return False
    key_env = plan.target.key_env
    plan.finding(
        "MIG507",
        f"api_key `{code_of(value)}` reads {found[0]} where this file cannot rename it: "
        f"replaced by the {plan.mapping.name} key (env {key_env}), so that the OpenAI key "
        f"is not sent to {plan.mapping.name}; update {found[0]} where it is read if other "
        "code should follow",
        node=node,
    )
    return True


def report_kept_key(plan: Plan, value: cst.BaseExpression, setting: str, node: cst.CSTNode) -> bool:
    """A user's own key expression stays. True when it reads the target's env var, or an
    OpenAI one the env-var fixer renames; otherwise MIG101 asks a person to check it.
    `setting` names it in the message (`api_key`, `openai.api_key`)."""
    from migrator.codemods.env_vars import feeds_renamed_read  # it reads client_kept

    key_env = plan.target.key_env
    code = code_of(value)
    if key_env in code or (
        any(prefix in code for prefix in OPENAI_ENV_PREFIXES) and feeds_renamed_read(plan, value)
    ):
        return True
    label = f"api_key `{code}`" if setting == "api_key" else f"{setting} = `{code}`"
    plan.finding(
        "MIG101",
        f"{label} kept: make sure it now yields the {plan.mapping.name} key (env {key_env})",
        node=node,
    )
    return False


def keep_key(plan: Plan, value: cst.BaseExpression, setting: str, node: cst.CSTNode) -> None:
    """A user's own key expression stays (reported by `report_kept_key`). Where it can be
    None (a parameter defaulting to None, `cfg.get("key")`, `os.getenv("KEY")`), the SDK
    would quietly read OPENAI_API_KEY and send the OpenAI key to the provider: the
    fallback is made explicit, `key or os.environ["<PROVIDER_KEY>"]` (MIG101 says so)."""
    key_env = plan.target.key_env
    if plan.suppressed("MIG100", value):
        report_kept_key(plan, value, setting, node)
        return
    if reads_key_var(value, key_env) and may_be_none(plan, value):
        if plan.suppressed("MIG500", value):
            # `# migrator: ignore[MIG500]`: the user keeps this read of the variable
            report_kept_key(plan, value, setting, node)
            return
        # `os.getenv("OPENAI_API_KEY")`: the provider's variable, read as the fixer reads
        # it there (a strict `os.environ[...]` the user wrote keeps its strictness: the
        # env-var fixer renames it).
        fallback = key_read(plan, key_env, at=value, report=node)
        plan.replace(value, lambda n: fallback, "MIG100")
        return
    if not may_be_none(plan, value):
        report_kept_key(plan, value, setting, node)
        return
    fallback = key_read(plan, key_env, at=value, report=node)
    if ends_with_key_read(value, key_env) and not plan.suppressed("MIG500", value):
        # `key or os.getenv("OPENAI_API_KEY")`: that last read becomes the strict one
        last = value.right  # type: ignore[attr-defined]
        plan.replace(last, lambda n: fallback, "MIG100")
    else:
        plan.replace(value, lambda n: or_else(n, fallback), "MIG100")
    code = code_of(value)
    label = f"api_key `{code}`" if setting == "api_key" else f"{setting} = `{code}`"
    plan.finding(
        "MIG101",
        f"{label} kept, falling back to {key_env} when it is None (the SDK would read "
        f"OPENAI_API_KEY and send the OpenAI key to {plan.mapping.name}): make sure it "
        f"yields the {plan.mapping.name} key",
        node=node,
    )


def _key_and_account(
    plan: Plan, site: ClientSite, args: dict[str, cst.Arg], mapping: MappingEdits | None = None
) -> tuple[dict[str, cst.BaseExpression], set[str]]:
    """What every retargeted client gets: the target's key (unless the user's own stays)
    and no OpenAI account arguments (MIG102). With a `**mapping` the key and account
    entries it shows are edited there (the call must not get them twice)."""
    set_values: dict[str, cst.BaseExpression] = {}
    if mapping is None or "api_key" in args:
        key = _api_key_value(plan, site, args)
        if key is not None:
            set_values["api_key"] = key
    else:

        def key_policy(value: cst.BaseExpression) -> cst.BaseExpression | None:
            return _api_key_value(plan, site, {"api_key": cst.Arg(value)})

        if not place_value(
            plan, mapping, "api_key", key_policy, key_default(plan, mapping, site), fill_gaps=False
        ):
            report_conditional_key(plan, site, mapping)
    account = sorted(ACCOUNT_ARGS & args.keys())
    if mapping is not None:
        account = sorted({*account, *drop_keys(plan, mapping, ACCOUNT_ARGS - args.keys())})
    if account:
        plan.finding(
            "MIG102",
            f"removed {', '.join(account)}= (OpenAI account settings; "
            f"{plan.mapping.name} has no equivalent)",
            node=site.node,
        )
    return set_values, set(account) & args.keys()


def _mapping_endpoint(
    plan: Plan, site: ClientSite, mapping: MappingEdits, keys: tuple[str, ...]
) -> str | None:
    """new | keep | env | None (left, reported): the client's endpoint when its `**`
    mapping sets it; each entry is classified as an explicit `base_url=` would be."""
    entries = next((found for k in keys if (found := mapping.found.entries_of(k))), [])
    values = plan.inventory.endpoint_values
    traces = [trace_endpoint(e.value, values) if values else () for e in entries]
    found = [endpoint_of(plan, e.value, trace) for e, trace in zip(entries, traces, strict=True)]
    kinds = [endpoint.kind for endpoint in found]
    kept = [kind in KEPT_KINDS for kind in kinds]
    if any(kept) and not (all(kept) and mapping.found.always_has(entries[0].key)):
        mapping.unknown.append(entries[0].key)
        report_left(
            plan,
            site,
            mapping,
            plan.target.base_url,
            f"`{mapping.found.code}` sets {entries[0].key} to a non-OpenAI endpoint on some "
            "paths only",
        )
        return None
    for entry, endpoint in zip(entries, found, strict=True):
        report_endpoint(plan, endpoint, entry.value, "base_url", site.node)
    if entries and all(kept):
        # The calls through this client keep their models and parameters (client_kept),
        # as they do for an explicit base_url= of the same kind.
        site.base_url = entries[-1].value
        site.endpoint = tuple(dict.fromkeys(source for trace in traces for source in trace))
        return "keep"
    return "env" if kinds and all(k == "env" for k in kinds) else "new"


def _to_compat(plan: Plan, site: ClientSite) -> None:
    args = keyword_args(site.node)
    endpoint_keys = ("base_url", "azure_endpoint") if site.is_azure else ("base_url",)
    wanted = {"base_url", "api_key"} | (AZURE_ONLY_ARGS if site.is_azure else set())
    mapping = read_client_kwargs(plan, site, wanted)
    if mapping is not None and site.is_azure:
        # Azure-only entries must go, and cannot where `d["key"]` reads them back
        found = mapping.found
        read_back = [k for k in AZURE_ONLY_ARGS if found.entries_of(k) and found.read_back(k)]
        mapping.unknown += sorted(read_back)
    if mapping is not None and mapping.unknown:
        report_left(plan, site, mapping, plan.target.base_url)
        plan.clients_left.add(site.node)
        return
    if mapping is not None and "base_url" not in args and not can_place(mapping, "base_url"):
        mapping.unknown.append("base_url")
        report_left(plan, site, mapping, plan.target.base_url)
        plan.clients_left.add(site.node)
        return
    if mapping is None or endpoint_keys[0] in args or endpoint_keys[-1] in args:
        state = _endpoint_state(plan, site)
    else:
        found_state = _mapping_endpoint(plan, site, mapping, endpoint_keys)
        if found_state is None:
            plan.clients_left.add(site.node)
            return
        state = found_state
    if state == "keep":
        return
    endpoint: dict[str, cst.BaseExpression] = {}
    if state == "new":
        endpoint["base_url"] = base_url_expression(plan, site.node)
    elif state == "env":
        endpoint["base_url"] = configurable_base_url(plan, site.node)
    if mapping is not None and "base_url" not in args:
        new_url = endpoint["base_url"]
        if not place_value(
            plan, mapping, "base_url", lambda _: new_url, lambda: new_url, fill_gaps=True
        ):
            mapping.unknown.append("base_url")
            report_left(plan, site, mapping, plan.target.base_url)
            plan.clients_left.add(site.node)
            return
        endpoint = {}
    set_values, remove = _key_and_account(plan, site, args, mapping)
    set_values = {**endpoint, **set_values}
    rename_class: str | None = None
    if site.is_azure:
        azure = sorted(AZURE_ONLY_ARGS & args.keys())
        remove.update(azure)
        remove.discard("base_url")
        if mapping is not None:
            azure = sorted({*azure, *drop_keys(plan, mapping, set(AZURE_ONLY_ARGS) - args.keys())})
        rename_class = "AsyncOpenAI" if site.is_async else "OpenAI"
        plan.finding(
            "MIG103",
            f"{site.class_name} replaced by {rename_class} pointed at {plan.mapping.name}"
            + (f"; removed {', '.join(azure)}" if azure else "")
            + "; model= values were Azure deployment names and must be provider model ids",
            node=site.node,
        )
        if "azure_ad_token_provider" in azure or "azure_ad_token" in azure:
            plan.finding(
                "MIG103",
                "Azure AD (Entra) authentication removed: the provider uses an API key",
                node=site.node,
                category="config",
            )

    if mapping is not None:
        mapping.apply()

    def edit(call: cst.Call) -> cst.Call:
        call = edit_call_args(call, set_values=set_values, remove=remove)
        if rename_class is not None:
            call = call.with_changes(func=_renamed_class(plan, call.func, rename_class, site))
        return call

    plan.replace(site.node, edit, "MIG100")


def _renamed_class(
    plan: Plan, func: cst.BaseExpression, new_name: str, site: ClientSite
) -> cst.BaseExpression:
    if isinstance(func, cst.Attribute):
        return func.with_changes(attr=cst.Name(new_name))
    if not _imported_here(plan, "openai", new_name, site.node):
        plan.add_import("openai", new_name)
    plan.remove_import_if_unused("openai", site.class_name)
    return cst.Name(new_name)


def _imported_here(plan: Plan, module: str, name: str, node: cst.CSTNode) -> bool:
    """Is `name` already bound at `node` by `from module import name` in a function (an
    optional dependency imported lazily)? Then a module-level import would make the
    whole module need the package, and would be redundant."""
    bindings = visible(plan, name, node)
    if not bindings or scope_at(plan, node).kind != "function":
        return False
    for binding in bindings:
        parent = plan.parent_of(binding)
        if not (
            isinstance(binding, cst.ImportAlias)
            and binding.asname is None
            and isinstance(parent, cst.ImportFrom)
            and parent.module is not None
            and code_of(parent.module) == module
            and scope_at(plan, parent).kind == "function"
        ):
            return False
    return True


def _to_azure(plan: Plan, site: ClientSite) -> None:
    """Target Azure OpenAI: plain clients become AzureOpenAI configured from env."""
    if site.is_azure:
        return  # already Azure: env var names are handled by the env fixer
    compat = plan.target
    args = keyword_args(site.node)
    azure_keys = {"base_url", "api_key", "azure_endpoint", "api_version"}
    mapping = read_client_kwargs(plan, site, azure_keys)
    if mapping is not None and mapping.unknown:
        report_left(plan, site, mapping, None)
        plan.clients_left.add(site.node)
        return
    if mapping is None or "base_url" in args:
        state = _endpoint_state(plan, site)
    else:
        state = _mapping_endpoint(plan, site, mapping, ("base_url",))
    if state is None:
        plan.clients_left.add(site.node)  # its `**` mapping sets it elsewhere on some paths
    if state in ("keep", None):
        return
    set_values: dict[str, cst.BaseExpression] = {
        "azure_endpoint": env_read(
            plan, compat.endpoint_env or "AZURE_OPENAI_ENDPOINT", at=site.node
        ),
        "api_version": env_read_with_default(
            plan,
            compat.api_version_env or "OPENAI_API_VERSION",
            compat.api_version or "",
            at=site.node,
        )
        if compat.api_version
        else env_read(plan, compat.api_version_env or "OPENAI_API_VERSION", at=site.node),
    }
    if mapping is not None:
        for key in [k for k in set_values if k not in args]:
            value = set_values.pop(key)
            if not place_value(
                plan, mapping, key, lambda _, v=value: v, lambda v=value: v, fill_gaps=True
            ):
                mapping.unknown.append(key)
                report_left(plan, site, mapping, None)
                plan.clients_left.add(site.node)
                return
        drop_keys(plan, mapping, {"base_url"} - args.keys())
    key_values, remove = _key_and_account(plan, site, args, mapping)
    set_values.update(key_values)
    remove.add("base_url")
    new_class = "AsyncAzureOpenAI" if site.is_async else "AzureOpenAI"
    plan.finding(
        "MIG103",
        f"{site.class_name} replaced by {new_class}: model= values are now Azure deployment names",
        node=site.node,
        severity="info",
    )
    if mapping is not None:
        mapping.apply()

    def edit(call: cst.Call) -> cst.Call:
        call = edit_call_args(call, set_values=set_values, remove=remove)
        return call.with_changes(func=_renamed_class(plan, call.func, new_class, site))

    plan.replace(site.node, edit, "MIG100")


def _unknown_clients(plan: Plan) -> None:
    _factory_clients(plan)
    if plan.inventory.clients or plan.inventory.configs:
        return  # the file builds or configures its own client: nothing hidden here
    unknown = [
        c
        for c in plan.inventory.calls
        if c.style == "v1" and c.client is None and not c.module_client and c.made_by is None
    ]
    if not unknown:
        return
    first = unknown[0]
    plan.finding(
        "MIG106",
        f"{len(unknown)} call(s) here go through a client created elsewhere (a parameter or "
        "another module): it is migrated where it is constructed, if that file is in this run",
        node=first.node,
    )


def _factory_clients(plan: Plan) -> None:
    """Calls through a client some function made from arguments (`get_openai_client(key,
    url)`) are left as they are: those arguments may point it anywhere, and editing the
    call for the provider (models, parameters) would be wrong wherever they do not."""
    by_factory: dict[str, list[CallSite]] = {}
    for call in plan.inventory.calls:
        if call.made_by is not None:
            by_factory.setdefault(call.made_by, []).append(call)
    for factory, calls in by_factory.items():
        lines = ", ".join(str(plan.line_of(c.node)) for c in calls)
        plan.finding(
            "MIG106",
            f"{len(calls)} call(s) here (line(s) {lines}) go through a client that "
            f"`{factory}(...)` returns for its arguments, which may decide its endpoint: left "
            f"as they are; migrate them with the client `{factory}` builds, once it is "
            "shown to be OpenAI's",
            node=calls[0].node,
        )
