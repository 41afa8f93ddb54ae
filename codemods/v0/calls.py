"""v0 calls -> v1 client calls: `openai.ChatCompletion.create(...)` ->
`client.chat.completions.create(...)`, arguments renamed or dropped."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import libcst as cst
from migrator.codemods._edit import edit_call_args
from migrator.codemods._kwargs_dict import kwargs_dicts, remove_entries
from migrator.codemods.policy.endpoints import module_endpoint_kept
from migrator.codemods.v0.facts import Facts, facts_of
from migrator.codemods.v0.tables import (
    ASYNC_NAMES,
    GONE_RESOURCES,
    ID_KEYWORDS,
    ID_METHODS,
    MODEL_ALIASES,
    POSITIONAL_KEYWORDS,
    REQUEST_CREDENTIALS,
    RULE,
    SYNC_NAMES,
    V1_CALLS,
    has_v0_code,
)

from migrator.inventory import CallSite
from migrator.mapping import openai_model_kind
from migrator.rewrite import Plan
from migrator.routes import Route

_ANALYSIS = "v0.calls"
TAKEN = "v0.taken"  # v0 call nodes a strategy moves itself (codemods/litellm/v0.py)


def fix_v0_calls(plan: Plan) -> None:
    """Upgrade the calls; what was decided is recorded for the client and response fixers."""
    if not plan.options.upgrade_v0 or not has_v0_code(plan):
        return
    taken = taken_v0_calls(plan)
    v0_calls = [c for c in plan.inventory.calls if c.style == "v0" and c.node not in taken]
    if not v0_calls:
        return
    state = V0Calls(plan, facts_of(plan), total=len(v0_calls))
    state.upgraded = state.calls(v0_calls)
    plan.analyses[_ANALYSIS] = state


def taken_v0_calls(plan: Plan) -> set[cst.CSTNode]:
    """v0 calls a strategy moves to another SDK itself (litellm): not upgraded here."""
    taken: set[cst.CSTNode] = plan.analyses.get(TAKEN, set())
    return taken


def sent_by_v0_sdk(plan: Plan, call: CallSite) -> bool:
    """Does `call` stay an openai<1 call (no extra_body: body fields go as keywords)? Not
    when upgraded to v1 or moved by a strategy to an SDK that takes extra_body."""
    return (
        call.style == "v0" and not plan.options.upgrade_v0 and call.node not in taken_v0_calls(plan)
    )


def upgraded_calls(plan: Plan) -> V0Calls | None:
    """What the calls fixer did in this file, when it upgraded at least one call."""
    state = plan.analyses.get(_ANALYSIS)
    return state if state is not None and state.upgraded else None


@dataclass(eq=False)
class Upgraded:
    """A v0 call rewritten to the v1 client: its site, the expression replaced, the
    client it now calls, and whether the v1 call returns a typed object (whose dict-style
    access is converted; a file download returns bytes)."""

    site: CallSite
    root: cst.BaseExpression  # the call, or the `await` around it
    client_name: str
    returns_object: bool


@dataclass
class V0Calls:
    """The module's v0 calls and what upgrading them decided: the client names (free in
    the module), which clients the upgraded calls need, the calls upgraded."""

    plan: Plan
    facts: Facts
    total: int = 0  # v0 calls in the module
    sync_name: str = ""
    async_name: str = ""
    needs_sync: bool = False
    needs_async: bool = False
    taken: set[str] = field(default_factory=set)
    upgraded_funcs: list[cst.BaseExpression] = field(default_factory=list)
    upgraded: list[Upgraded] = field(default_factory=list)
    # `--route`: the calls of a routed family go through a client of the route provider,
    # (family, is_async) -> its name; the client fixer builds it next to the module's.
    routed_names: dict[tuple[str, bool], str] = field(default_factory=dict)
    routed: dict[cst.CSTNode, Route] = field(default_factory=dict)  # call node -> route

    def __post_init__(self) -> None:
        self.taken = set(self.facts.names)
        self.sync_name = _free_name(SYNC_NAMES, self.taken)
        self.taken.add(self.sync_name)
        self.async_name = _free_name(ASYNC_NAMES, self.taken)

    # - calls -
    def calls(self, sites: list[CallSite]) -> list[Upgraded]:
        upgraded: list[Upgraded] = []
        for site in sites:
            result = self._call(site)
            if result is not None:
                upgraded.append(result)
        return upgraded

    def _call(self, site: CallSite) -> Upgraded | None:
        plan = self.plan
        target = self.facts.call_targets.get(site.node)
        if target is None or plan.suppressed(RULE, site.node):
            return None
        resource, v0_method = target
        is_async = v0_method.startswith("a") and (resource, v0_method[1:]) in V1_CALLS
        method = v0_method[1:] if is_async else v0_method
        if resource in GONE_RESOURCES:
            plan.mark(
                site.node,
                "MIG411",
                f"openai.{resource}.{v0_method}: {GONE_RESOURCES[resource]}",
                short=f"openai.{resource} has no v1 equivalent",
            )
            return None
        path = V1_CALLS.get((resource, method))
        if path is None:
            plan.mark(
                site.node,
                "MIG411",
                f"openai.{resource}.{v0_method} has no v1 equivalent: port it by hand",
            )
            return None
        route = self._route(site)
        name = self._routed_name(site.family, is_async) if route is not None else None
        edit = self._call_edit(site, resource, method, path, is_async, name)
        if edit is None:
            return None
        if not plan.replace(site.node, edit, RULE):
            return None
        self.upgraded_funcs.append(site.node.func)
        if route is not None:
            self.routed[site.node] = route
        elif is_async:
            self.needs_async = True
        else:
            self.needs_sync = True
        parent = plan.parent_of(site.node)
        root: cst.BaseExpression = parent if isinstance(parent, cst.Await) else site.node
        return Upgraded(
            site,
            root,
            name or (self.async_name if is_async else self.sync_name),
            returns_object=method != "download",
        )

    def arguments_edit(
        self, site: CallSite, func: str
    ) -> Callable[[cst.Call], cst.BaseExpression] | None:
        """The upgrade's argument changes on one call (v1 names, credentials dropped) with
        `func` as what it calls: a strategy moving the call to another SDK's function
        (litellm.completion) reuses them. None when the call cannot be converted (marked)."""
        resource, v0_method = self.facts.call_targets[site.node]
        is_async = v0_method.startswith("a") and (resource, v0_method[1:]) in V1_CALLS
        method = v0_method[1:] if is_async else v0_method
        return self._call_edit(site, resource, method, func, is_async, client="")

    def _route(self, site: CallSite) -> Route | None:
        """The route of the call's family, unless the module's endpoint is kept as it is
        (then every call keeps it, routed family or not)."""
        route = self.plan.options.route_for(site.family)
        if route is None or module_endpoint_kept(self.plan):
            return None
        return route

    def _routed_name(self, family: str, is_async: bool) -> str:
        key = (family, is_async)
        if key not in self.routed_names:
            base = f"async_{family}_client" if is_async else f"{family}_client"
            name = _free_name([base], self.taken)
            self.taken.add(name)
            self.routed_names[key] = name
        return self.routed_names[key]

    def _call_edit(
        self,
        site: CallSite,
        resource: str,
        method: str,
        path: str,
        is_async: bool,
        client: str | None = None,
    ) -> Callable[[cst.Call], cst.BaseExpression] | None:
        """The upgrade of one call, through the module's client (or `client`: a routed
        family's)."""
        plan = self.plan
        call = site.node
        label = f"openai.{resource}.{'a' if is_async else ''}{method}"
        positional = [a for a in call.args if a.keyword is None and not a.star]
        if any(a.star == "*" for a in call.args):
            plan.mark(
                call,
                "MIG415",
                f"{label}(*args): v1 takes keyword arguments only; convert by hand",
                short=f"{label}(*args): v1 takes keyword arguments only",
            )
            return None
        keywords_for_positional = POSITIONAL_KEYWORDS.get((resource, method), ())
        allowed = len(keywords_for_positional) or (1 if method in ID_METHODS else 0)
        if len(positional) > allowed:
            plan.mark(
                call,
                "MIG415",
                f"{label}: positional arguments v1 does not accept; pass them as keywords",
                short=f"{label}: v1 takes keyword arguments only",
            )
            return None
        names = {a.keyword.value for a in call.args if a.keyword is not None}
        remove: set[str] = set()
        rename: dict[str, str] = {}
        if not self._splat_credentials(site, label, resource):
            return None
        dropped = sorted(REQUEST_CREDENTIALS & names)
        if dropped:
            remove.update(dropped)
            plan.finding(
                "MIG416",
                f"{label}: removed per-request {', '.join(d + '=' for d in dropped)} (v0 "
                f"credentials and endpoint per call); the request now uses the "
                f"{plan.mapping.name} client",
                node=call,
            )
        if "request_timeout" in names:
            rename["request_timeout"] = "timeout"
        aliases = [n for n in MODEL_ALIASES if n in names]
        if aliases:
            if "model" in names:
                remove.update(aliases)
            else:
                rename[aliases[0]] = "model"
                remove.update(aliases[1:])
            self._deployment_note(site, label, aliases[0])
        id_keyword = ID_KEYWORDS.get(resource)
        if id_keyword is not None:
            for old in ("id", "sid"):
                if old in names:
                    rename[old] = id_keyword
        name = client if client is not None else self.async_name if is_async else self.sync_name
        func = cst.parse_expression(f"{name}.{path}" if name else path)
        download = method == "download"

        def edit(node: cst.Call) -> cst.BaseExpression:
            args = list(node.args)
            if keywords_for_positional:
                index = 0
                for i, arg in enumerate(args):
                    if arg.keyword is None and not arg.star:
                        args[i] = arg.with_changes(
                            keyword=cst.Name(keywords_for_positional[index]),
                            equal=cst.AssignEqual(
                                whitespace_before=cst.SimpleWhitespace(""),
                                whitespace_after=cst.SimpleWhitespace(""),
                            ),
                        )
                        index += 1
            node = node.with_changes(func=func, args=args)
            if remove or rename:
                # (_splat_credentials showed no `**` mapping holds the new names)
                node = edit_call_args(
                    node, remove=remove, rename=rename, known_absent=set(rename.values())
                )
            if download:  # v0 returned bytes; v1 returns a binary response
                return cst.Attribute(value=node, attr=cst.Name("content"))
            return node

        return edit

    def _splat_credentials(self, site: CallSite, label: str, resource: str) -> bool:
        """A `**mapping` of a v0 call may hold per-request credentials (or v0 names) that
        v1's create() rejects. Shown where it is built: the credentials are removed there.
        Otherwise the call stays v0 (MIG107). False when the call is left."""
        plan = self.plan
        call = site.node
        dicts = kwargs_dicts(plan, call)
        if not dicts:
            return True
        v0_names = {*MODEL_ALIASES, "request_timeout"}
        if resource in ID_KEYWORDS:
            v0_names |= {"id", "sid"}
        explicit = {a.keyword.value for a in call.args if a.keyword is not None}
        # v1 names the explicit v0 keywords become must not be in the mapping either
        renamed_to = {"model"} if explicit & set(MODEL_ALIASES) else set()
        if "request_timeout" in explicit:
            renamed_to.add("timeout")
        if explicit & {"id", "sid"} and resource in ID_KEYWORDS:
            renamed_to.add(ID_KEYWORDS[resource])
        risky = REQUEST_CREDENTIALS | v0_names | renamed_to
        hidden = sorted(k for k in risky if any(d.may_hide(k) for d in dicts))
        shown = sorted(k for k in (v0_names | renamed_to) if any(d.entries_of(k) for d in dicts))
        # a credential removed from the mapping must not be read back later
        shown += sorted(
            k for k in REQUEST_CREDENTIALS if any(d.entries_of(k) and d.read_back(k) for d in dicts)
        )
        if hidden or shown:
            where = ", ".join(f"**{d.code}" for d in dicts)
            keys = ", ".join(hidden or shown)
            plan.mark(
                call,
                "MIG107",
                f"{label}({where}): the mapping may hold {keys}, which v1's create() rejects "
                "(per-request credentials and v0 names are gone): left as v0 — remove them "
                "from the mapping, then upgrade this call",
                short=f"{label}({where}): {keys} may be in the mapping: left as v0",
            )
            return False
        (found,) = dicts
        dropped = sorted(k for k in REQUEST_CREDENTIALS if found.entries_of(k))
        remove_entries(plan, found, [e for k in dropped for e in found.entries_of(k)], RULE)
        if dropped:
            plan.finding(
                "MIG416",
                f"{label}: removed per-request {', '.join(d + '=' for d in dropped)} from "
                f"`{found.code}` (v0 credentials and endpoint per call); the request now uses "
                f"the {plan.mapping.name} client",
                node=call,
            )
        return True

    def _deployment_note(self, site: CallSite, label: str, alias: str) -> None:
        if self.plan.target.client == "azure":
            return  # AzureOpenAI takes the deployment name as model=
        ref = site.model
        if ref is not None and ref.value is not None:
            if self.plan.mapping.resolve_model(ref.value) is not None:
                return
            if openai_model_kind(ref.value) is not None:
                return  # an OpenAI id: the model fixer maps it or reports it
        value = ref.value if ref is not None and ref.value else "the value"
        self.plan.finding(
            "MIG417",
            f"{label}: {alias}= became model=; {value!r} was an engine or Azure deployment "
            f"name — set a {self.plan.mapping.name} model id",
            node=site.node,
        )

    # - the module client -


def _free_name(candidates: Iterable[str], taken: set[str]) -> str:
    options = list(candidates)
    for name in options:
        if name not in taken:
            return name
    number = 2
    while f"{options[-1]}{number}" in taken:
        number += 1
    return f"{options[-1]}{number}"
