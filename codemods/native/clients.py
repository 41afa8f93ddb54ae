"""Move every client the compat strategy would retarget onto the provider's own SDK.

`OpenAI(...)` becomes the SDK's client (`dashscope.Client`, `ZhipuAiClient`, `Ark`) with
`api_key=os.environ["<PROVIDER_KEY>"]`; the SDK's default endpoint is the provider's, so
no `base_url=` is written unless the code read one from the environment. The decisions
are compat's (client_endpoint.py): a client compat leaves (another provider, a local
server, an endpoint migrator cannot place) is left the same way.

A client the SDK cannot take stays on the compatible endpoint, rewritten exactly as compat
rewrites it: an async client of an SDK without an asyncio client, a `**` mapping, a
keyword the SDK's constructor does not take, a call through a client method the SDK's
client lacks (`client.with_options(...)` on Ark or zai) or with keywords it does not take.

Rules:
  MIG130 client moved to the provider's SDK (edit)
  MIG131 client kept on the OpenAI-compatible endpoint: the SDK cannot take it
  (and compat's client rules, through the compat code it reuses)
"""

from __future__ import annotations

import libcst as cst
from migrator.codemods._edit import edit_call_args, keyword_args
from migrator.codemods.client_endpoint import (
    report_unknown_clients,
    retarget_client,
    retype_azure_references,
)
from migrator.codemods.native._common import (
    as_compat,
    class_expression,
    fallback_clients,
    native_of,
    on_fallback,
)
from migrator.codemods.native.client_types import retype_client_references
from migrator.codemods.policy.arguments import ACCOUNT_ARGS, AZURE_ONLY_ARGS
from migrator.codemods.policy.endpoints import client_kept

from migrator.inventory import CallSite, ClientSite
from migrator.mapping_native import CLIENT_METHODS, Native
from migrator.rewrite import STAYS_COMPAT, Plan
from migrator.source import code_of
from migrator.walk import walk

# What compat itself sets or removes on a client: never a reason to stay compat.
_HANDLED = frozenset({"base_url", "api_key", *ACCOUNT_ARGS, *AZURE_ONLY_ARGS})


def fix_native_clients(plan: Plan) -> None:
    native = native_of(plan)
    fallback = fallback_clients(plan)
    plan.analyses[STAYS_COMPAT] = on_fallback  # generic fixers pick compat's rules there
    links = _links_by_client(plan.inventory.calls)
    calls: dict[cst.CSTNode, list[CallSite]] = {}
    for call in plan.inventory.calls:
        if call.client is not None:
            calls.setdefault(call.client.node, []).append(call)
    reasons = {
        site.node: _stays_compat(site, native)
        or _links_missing(plan, site, links, native)
        or _family_missing(plan, site, calls, native)
        for site in plan.inventory.clients
    }
    _share_fallback(plan, reasons)
    for site in plan.inventory.clients:
        why = reasons[site.node]
        if why is not None:
            fallback[site.node] = why
            with as_compat(plan):
                retarget_client(plan, site)
            if not client_kept(plan, site):
                plan.finding(
                    "MIG131",
                    f"{site.class_name} stays on {plan.mapping.name}'s OpenAI-compatible "
                    f"endpoint with the openai SDK: {why}",
                    node=site.node,
                )
            continue
        retarget_client(plan, site)
        if client_kept(plan, site) or site.node not in plan.edits:
            continue
        cls = native.class_name(site.is_async)
        assert cls is not None
        new_func = class_expression(plan, native, cls)
        if isinstance(site.node.func, cst.Name):
            plan.remove_import_if_unused("openai", site.node.func.value)
        else:
            plan.remove_import_if_unused("openai")
        plan.replace(site.node, lambda call, f=new_func: _to_sdk(call, f, native), "MIG130")
        if site.is_async and native.async_renames:
            _rename_async_methods(plan, site, native)
    if not retype_client_references(plan, native):
        retype_azure_references(plan)
    report_unknown_clients(plan)


def _stays_compat(site: ClientSite, native: Native) -> str | None:
    """Why the SDK cannot take this client (None: it can)."""
    if site.is_async and native.async_client is None:
        return native.async_reason or f"{native.package} has no asyncio client"
    call = site.node
    if any(arg.keyword is None for arg in call.args):
        return "it is built from positional or ** arguments the SDK's constructor may not take"
    taken = native.client_args | _HANDLED
    extra = sorted(k for k in keyword_args(call) if k not in taken)
    if extra:
        cls = native.class_name(site.is_async) or native.client
        return f"{cls} takes no {', '.join(k + '=' for k in extra)}"
    return None


# One client-level link of a call: `with_options` and the keywords given, its node.
_Link = tuple[str, frozenset[str], cst.CSTNode]


def _links_by_client(calls: list[CallSite]) -> dict[cst.CSTNode, list[_Link]]:
    found: dict[cst.CSTNode, list[_Link]] = {}
    for call in calls:
        if call.client is not None:
            found.setdefault(call.client.node, []).extend(_client_links(call.node))
    return found


def _client_links(call: cst.Call) -> list[_Link]:
    """The links of `client.with_options(timeout=5).copy().chat.completions.create(...)`
    applied to the client itself (before the first resource name), innermost first."""
    links: list[_Link] = []
    node: cst.BaseExpression = call.func
    while True:
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            name = node.func.attr.value
            if name not in CLIENT_METHODS:
                return []  # a call on something else: not a client chain we know
            links.append((name, frozenset(keyword_args(node)), node))
            node = node.func.value
        elif isinstance(node, cst.Attribute):
            if node.attr.value in CLIENT_METHODS:
                links.append((node.attr.value, frozenset(), node))
            else:
                links.clear()  # a resource (`chat`): the links seen so far are its own
            node = node.value
        else:
            return links[::-1]


def _links_missing(
    plan: Plan, site: ClientSite, links: dict[cst.CSTNode, list[_Link]], native: Native
) -> str | None:
    """Why a call through the client cannot go through the SDK's client (None: all can)."""
    cls = (native.class_name(site.is_async) or native.client).rpartition(".")[2]
    for name, keywords, node in links.get(site.node, []):
        taken = native.client_methods.get(name)
        if taken is None:
            return f"{cls} has no {name} (line {plan.line_of(node)})"
        extra = sorted(keywords - taken)
        if extra:
            given = ", ".join(k + "=" for k in extra)
            return f"{cls}.{name} takes no {given} (line {plan.line_of(node)})"
    return None


def _share_fallback(plan: Plan, reasons: dict[cst.CSTNode, str | None]) -> None:
    """Clients bound to the same name or attribute in one function or class (`self.client
    = OpenAI(...)` on one path, `OpenAI(base_url=cfg.url)` on another), or returned by one
    factory, are used by the same calls: if one stays on openai (left, or a fallback), the
    calls must keep openai's shapes, so the others stay on openai too."""
    groups: dict[tuple[cst.CSTNode | None, str], list[ClientSite]] = {}
    for site in plan.inventory.clients:
        holder = _holder(plan, site)
        if holder is not None:
            groups.setdefault(holder, []).append(site)
    for sites in groups.values():
        if len(sites) < 2:
            continue
        staying = next(
            (s for s in sites if reasons[s.node] is not None or client_kept(plan, s)), None
        )
        if staying is None:
            continue
        for site in sites:
            if reasons[site.node] is None and not client_kept(plan, site):
                reasons[site.node] = (
                    f"the client of line {plan.line_of(staying.node)} stays on the openai SDK "
                    "and reaches the same calls"
                )


def _holder(plan: Plan, site: ClientSite) -> tuple[cst.CSTNode | None, str] | None:
    """(enclosing function or class, what holds the client: an assignment target's code,
    or "return") for a client built as a whole statement's value."""
    statement = plan.statement_of(site.node)
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, (cst.Assign, cst.AnnAssign)) and small.value is site.node:
        target = small.targets[0].target if isinstance(small, cst.Assign) else small.target
        held = code_of(target)
    elif isinstance(small, cst.Return) and small.value is site.node:
        held = "return"
    else:
        return None
    scope: cst.CSTNode | None = plan.parent_of(statement)
    while scope is not None and not isinstance(scope, (cst.FunctionDef, cst.ClassDef)):
        scope = plan.parent_of(scope)
    if held.startswith("self.") and isinstance(scope, cst.FunctionDef):
        # `self.client` set in two methods of one class is one attribute
        outer = plan.parent_of(scope)
        while outer is not None and not isinstance(outer, cst.ClassDef):
            outer = plan.parent_of(outer)
        scope = outer or scope
    return scope, held


def _rename_async_methods(plan: Plan, site: ClientSite, native: Native) -> None:
    """`await self.client.close()` where the SDK's async client names it `aclose`: the
    calls of a renamed method through the name or attribute that holds this client, in
    the function or class that holds it."""
    holder = _holder(plan, site)
    if holder is None:
        return
    scope, held = holder
    if held == "return":
        return

    class Calls(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if (
                isinstance(func, cst.Attribute)
                and func.attr.value in native.async_renames
                and code_of(func.value) == held
            ):
                new = native.async_renames[func.attr.value]
                plan.replace(
                    func,
                    lambda f, new=new: f.with_changes(attr=cst.Name(new)),
                    "MIG130",
                )

    walk(scope or plan.module, Calls())


def _family_missing(
    plan: Plan, site: ClientSite, calls: dict[cst.CSTNode, list[CallSite]], native: Native
) -> str | None:
    """A call through the client that the SDK's client does not offer (images, audio,
    the Responses API, ...): the openai client keeps the code importable and its other
    calls working; MIG401 marks the call either way."""
    for call in calls.get(site.node, ()):
        if call.family not in native.endpoints:
            return (
                f"it is also used for {call.api} (line {plan.line_of(call.node)}), "
                f"which {native.package}'s client does not offer"
            )
    return None


def _to_sdk(call: cst.Call, func: cst.BaseExpression, native: Native) -> cst.Call:
    """The client compat built, as the SDK's: its class, and no `base_url=` where the
    value is the SDK's own default (what a hand-written client leaves out)."""
    remove: set[str] = set()
    default = f'.get("{native.base_url_env}", "{native.base_url}")'
    for arg in call.args:
        if arg.keyword is None or arg.keyword.value != "base_url":
            continue
        if isinstance(arg.value, cst.SimpleString) and arg.value.evaluated_value == native.base_url:
            remove.add("base_url")
        elif native.base_url_env and code_of(arg.value).endswith(default):
            # the SDK reads that variable itself, with that default
            remove.add("base_url")
    return edit_call_args(call.with_changes(func=func), remove=remove)
