"""Calls through a client another module of the project builds (`from app.llm import client`).

Under the native strategy a call's parameters and response take the shape of the client
it goes through. A file that imports its client cannot see what the client becomes, so:

- the file that builds a client at its top level (`client = OpenAI()`) tells the files of
  the run importing it whether it became the SDK's client, and if not why
  (`ImportedClient`, sent as a request: cross_module.py);
- a file calling through an imported client shapes those calls for the SDK only when told
  so; otherwise (the building module is not in the run, keeps the client on the openai
  SDK, or is no project module) the calls keep openai's parameters and responses, as the
  clients of its own that stay on the compatible endpoint do (`imported_compat`).

Rules:
  MIG155 calls through a client another module builds: what they follow, and why
"""

from __future__ import annotations

import libcst as cst
from migrator.codemods.native._common import fallback_clients, native_of
from migrator.codemods.native._imports import qualified_of
from migrator.codemods.policy.endpoints import client_kept

from migrator.constants import module_of
from migrator.cross_module import ImportedClient, importers_of, told_about
from migrator.inventory import CallSite, ClientSite
from migrator.rewrite import Plan
from migrator.source import code_of


def fix_imported_clients(plan: Plan) -> None:
    """Tell the importers what this file's top-level clients become; say what the calls
    through imported clients follow here."""
    native = native_of(plan)
    module = module_of(plan.path)
    for site in plan.inventory.clients:
        name = _top_level_name(plan, site)
        readers = importers_of(plan.options.importers, name) if name else ()
        if not name or not readers:
            continue
        fallback = fallback_clients(plan).get(site.node)
        kept = client_kept(plan, site)
        why = (
            f"it stays on the openai SDK at the compatible endpoint ({fallback})"
            if fallback
            else "migrator leaves it as it is (its endpoint is not shown to be OpenAI's)"
            if kept
            else ""
        )
        origin = f"{plan.path}:{plan.line_of(site.node)}"
        for path in readers:
            plan.request(ImportedClient(path, module, name, not (fallback or kept), why, origin))
    reported: set[str] = set()
    for call in plan.inventory.calls:
        unseen = _unseen_client(plan, call)
        if unseen is not None and unseen not in reported:
            reported.add(unseen)
            if _all_built_here_move(plan):
                message = (
                    f"calls through `{unseen}` follow {native.package}'s parameters and "
                    f"responses: this file does not build that client, but every client it "
                    f"builds becomes {native.client}; make sure callers pass one of those"
                )
            else:
                message = (
                    f"calls through `{unseen}` keep the openai SDK's parameters and "
                    "responses: this file does not build that client, so migrator cannot "
                    f"show it becomes {native.client}; where it does, adapt these calls to "
                    f"{native.package}"
                )
            plan.finding("MIG155", message, node=call.node)
        found = _through_import(plan, call)
        if found is None or found in reported:
            continue
        reported.add(found)
        told = told_about(plan.options.notices, found)
        if told is not None and told.native:
            message = (
                f"calls through `{found}` follow {native.package}'s parameters and "
                f"responses: {told.origin} makes it {native.client}"
            )
        else:
            why = told.why if told is not None else _not_told(found)
            message = (
                f"calls through `{found}` keep the openai SDK's parameters and responses: {why}"
            )
        plan.finding("MIG155", message, node=call.node)


def imported_compat(plan: Plan, call: CallSite) -> bool:
    """Does this call go through a client imported from another module that is not
    shown, in this run, to become the SDK's client?"""
    if _unseen_client(plan, call) is not None:
        return not _all_built_here_move(plan)
    found = _through_import(plan, call)
    if found is None:
        return False
    told = told_about(plan.options.notices, found)
    return told is None or not told.native


_ALL_MOVE = "native.all-built-here-move"


def _all_built_here_move(plan: Plan) -> bool:
    """Does this file build clients, all of which become the SDK's? Then a client it
    receives (a parameter annotated `OpenAI`, retyped with the others) is taken to be one
    of them, and MIG155 says so; otherwise its calls keep openai's shapes."""
    known = plan.analyses.get(_ALL_MOVE)
    if known is None:  # asked once per call: decided once per file
        clients = plan.inventory.clients
        fallback = fallback_clients(plan)
        known = bool(clients) and not any(
            site.node in fallback or client_kept(plan, site) for site in clients
        )
        plan.analyses[_ALL_MOVE] = known
    return bool(known)


def _unseen_client(plan: Plan, call: CallSite) -> str | None:
    """The client expression of a v1 call through a client this file neither builds nor
    imports (a parameter, `self.client` set from one): what that client is, nothing here
    shows, so its calls keep openai's shapes (do no harm: a DashScope reshape on an openai
    response would fail). None for any other call."""
    if _through_import(plan, call) is not None:
        return None
    node = _client_expression(call)
    return code_of(node) if node is not None else None


def _through_import(plan: Plan, call: CallSite) -> str | None:
    """The qualified name of the imported object a v1 call goes through, if any."""
    node = _client_expression(call)
    return qualified_of(plan, node) if node is not None else None


def _client_expression(call: CallSite) -> cst.BaseExpression | None:
    """`x` of `x.chat.completions.create(...)` for a v1 call whose client the inventory
    did not place (not built here, not module-level v0 style, not a factory's)."""
    if call.client is not None or call.module_client or call.made_by or call.style != "v1":
        return None
    node: cst.BaseExpression = call.node.func
    for _ in call.api.split("."):
        if not isinstance(node, cst.Attribute):
            return None
        node = node.value
    return node


def _not_told(qualified: str) -> str:
    module = qualified.rpartition(".")[0]
    return (
        f"no file of this run builds it ({module} is not migrated with this file, or is "
        "no project module), so what it becomes is not known here; migrate them with "
        "the module that builds the client"
    )


def _top_level_name(plan: Plan, site: ClientSite) -> str | None:
    """`client` of `client = OpenAI(...)` at the module's top level, else None."""
    assign = plan.parent_of(site.node)
    if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
        return None
    target = assign.targets[0].target
    line = plan.parent_of(assign)
    if not isinstance(target, cst.Name) or plan.parent_of(line) is not plan.module:
        return None
    return target.value
