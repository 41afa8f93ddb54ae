"""Point every v1 client shown to talk to OpenAI at the provider's OpenAI-compatible endpoint.

`OpenAI(...)` / `AsyncOpenAI(...)` get `base_url=` the provider's endpoint and
`api_key=os.environ["<PROVIDER_KEY>"]` (OpenAI() would otherwise silently read
OPENAI_API_KEY). `AzureOpenAI` becomes a plain `OpenAI` pointed at the provider, or,
when the target is Azure, plain clients become `AzureOpenAI`.

Only a client whose base URL is shown to be OpenAI's (none, api.openai.com, an
OPENAI_BASE_URL read, a relay to OpenAI: every value the inventory traced it to) is
moved. One pointing elsewhere (another provider, a local server) is left with its calls;
one migrator cannot place is left too, with MIG105, unless --retarget-configured
(the decision, and its findings, are `policy.endpoints`'; the key, `policy.keys`').

Rules:
  MIG101 an explicit api_key expression was kept: it must now yield the provider key
         (one that can be None falls back to the provider's variable explicitly)
  MIG102 organization / project removed (OpenAI account headers)
  MIG103 Azure client converted; Azure-only arguments removed
  MIG104 client already targets a non-OpenAI endpoint; left as it is
  MIG105 base_url not shown to be OpenAI's (configuration, unknown host); left as it is,
         or replaced with --retarget-configured
  MIG106 calls through a client built elsewhere (parameter, other module)
  MIG108 provider key read at import time with a placeholder (see `policy.keys.key_read`)
  MIG502 base_url pointed at a relay / reverse proxy to OpenAI
"""

from __future__ import annotations

import libcst as cst
from migrator.codemods._class_references import class_references
from migrator.codemods._edit import edit_call_args, keyword_args
from migrator.codemods._scope import imports_from, scope_at, visible
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
from migrator.codemods.policy.arguments import ACCOUNT_ARGS, AZURE_ONLY_ARGS
from migrator.codemods.policy.azure import azure_endpoint_read, azure_version_read
from migrator.codemods.policy.endpoints import (
    KEPT_KINDS,
    base_url_expression,
    client_kept,
    configurable_base_url,
    endpoint_of,
    endpoint_state,
    report_endpoint,
)
from migrator.codemods.policy.keys import api_key_value

from migrator.endpoint_trace import trace_endpoint
from migrator.inventory import CallSite, ClientSite
from migrator.rewrite import Plan


def fix_clients(plan: Plan) -> None:
    compat = plan.target
    for site in plan.inventory.clients:
        if compat.client == "azure":
            _to_azure(plan, site)
        else:
            retarget_client(plan, site)
    if compat.client != "azure":
        retype_azure_references(plan)
    report_unknown_clients(plan)


AZURE_CLASSES = {
    "openai.AzureOpenAI": "OpenAI",
    "openai.AsyncAzureOpenAI": "AsyncOpenAI",
    "openai.lib.azure.AzureOpenAI": "OpenAI",
    "openai.lib.azure.AsyncAzureOpenAI": "AsyncOpenAI",
}


def retype_azure_references(plan: Plan) -> None:
    """Once every Azure client of the file is a plain client, annotations and isinstance
    checks naming the Azure classes name the plain ones (so the Azure import can go)."""
    azure_sites = [site for site in plan.inventory.clients if site.is_azure]
    if not azure_sites or any(client_kept(plan, site) for site in azure_sites):
        return
    skip = [site.node.func for site in azure_sites]
    for node, new_name in class_references(plan, AZURE_CLASSES, skip, aliased=False):
        if isinstance(node, cst.Attribute):
            plan.replace(node, lambda n, new=new_name: n.with_changes(attr=cst.Name(new)), "MIG103")
        else:
            plan.add_import("openai", new_name)
            plan.remove_import_if_unused("openai", node.value)
            plan.replace(node, lambda n, new=new_name: n.with_changes(value=new), "MIG103")


def _key_and_account(
    plan: Plan, site: ClientSite, args: dict[str, cst.Arg], mapping: MappingEdits | None = None
) -> tuple[dict[str, cst.BaseExpression], set[str]]:
    """What every retargeted client gets: the target's key (unless the user's own stays)
    and no OpenAI account arguments (MIG102). With a `**mapping` the key and account
    entries it shows are edited there (the call must not get them twice)."""
    set_values: dict[str, cst.BaseExpression] = {}
    if mapping is None or "api_key" in args:
        key = api_key_value(plan, site, args)
        if key is not None:
            set_values["api_key"] = key
    else:

        def key_policy(value: cst.BaseExpression) -> cst.BaseExpression | None:
            return api_key_value(plan, site, {"api_key": cst.Arg(value)})

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


def retarget_client(plan: Plan, site: ClientSite) -> None:
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
        state = endpoint_state(plan, site)
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
    return all(
        imports_from(plan, binding, module)
        and scope_at(plan, plan.parent_of(binding)).kind == "function"
        for binding in bindings
    )


def _to_azure(plan: Plan, site: ClientSite) -> None:
    """Target Azure OpenAI: plain clients become AzureOpenAI configured from env."""
    if site.is_azure:
        return  # already Azure: env var names are handled by the env fixer
    args = keyword_args(site.node)
    azure_keys = {"base_url", "api_key", "azure_endpoint", "api_version"}
    mapping = read_client_kwargs(plan, site, azure_keys)
    if mapping is not None and mapping.unknown:
        report_left(plan, site, mapping, None)
        plan.clients_left.add(site.node)
        return
    if mapping is None or "base_url" in args:
        state = endpoint_state(plan, site)
    else:
        state = _mapping_endpoint(plan, site, mapping, ("base_url",))
    if state is None:
        plan.clients_left.add(site.node)  # its `**` mapping sets it elsewhere on some paths
    if state in ("keep", None):
        return
    set_values: dict[str, cst.BaseExpression] = {
        "azure_endpoint": azure_endpoint_read(plan, site.node),
        "api_version": azure_version_read(plan, site.node),
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


def report_unknown_clients(plan: Plan) -> None:
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
