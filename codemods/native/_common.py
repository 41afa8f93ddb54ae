"""What the native fixers share: the SDK the mapping names, and a way to run a compat
fixer's code for the clients that stay on the compatible endpoint.

A client stays on the compatible endpoint (the openai SDK, rewritten exactly as `compat`
rewrites it) when the SDK cannot take it: an async client of an SDK without an asyncio
client (zai), a `**` mapping or a keyword the SDK's constructor does not take. The client
fixer records those in `plan.analyses[FALLBACK]`; the other native fixers read it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import libcst as cst

from migrator.inventory import CallSite
from migrator.mapping_native import Native
from migrator.rewrite import Plan

FALLBACK = "native.fallback"  # client node -> why it stays on the compatible endpoint
NATIVE_V0 = "native.v0"  # the upgraded v0 calls go through the SDK's client (native/v0.py)


def native_of(plan: Plan) -> Native:
    native = plan.options.mapping.native
    assert native is not None, f"{plan.mapping.id} has no native SDK (the CLI refuses it)"
    return native


def fallback_clients(plan: Plan) -> dict[cst.CSTNode, str]:
    found: dict[cst.CSTNode, str] = plan.analyses.setdefault(FALLBACK, {})
    return found


def on_fallback(plan: Plan, call: CallSite) -> bool:
    """Does this call go through a client left on the compatible endpoint? v0 calls do
    unless the v0 upgrade moved them onto the SDK's client (native/v0.py); a client
    imported from another module counts as such unless that module's worker said it
    became the SDK's (imported_clients.py)."""
    if plan.routed(call) is not None:
        return True  # `--route`: a second openai client at the route provider (routes.py)
    if call.style == "v0":
        return not plan.analyses.get(NATIVE_V0)
    if call.client is not None:
        return call.client.node in fallback_clients(plan)
    # (imported here: imported_clients reads this module's fallback table)
    from migrator.codemods.native.imported_clients import imported_compat

    return imported_compat(plan, call)


@contextmanager
def as_compat(plan: Plan) -> Iterator[None]:
    """Run compat code on `plan`: its target and mapping are compat's meanwhile.

    `Plan.target` and `Plan.mapping` are cached per plan; swapping the cached values is
    what lets the compat fixers run unchanged for the clients that stay compat."""
    with plan.targeting(plan.options.mapping, plan.options.mapping.compat):
        yield


@contextmanager
def only_calls(plan: Plan, calls: list[CallSite]) -> Iterator[None]:
    """Let a call-level compat fixer see only `calls` (the inventory is restored after)."""
    saved = plan.inventory.calls
    plan.inventory.calls = calls
    try:
        yield
    finally:
        plan.inventory.calls = saved


def class_expression(plan: Plan, native: Native, qualified: str) -> cst.BaseExpression:
    """The SDK class as code, with its import queued: `dashscope.Client` (import style
    module) or `Ark` (`from volcenginesdkarkruntime import Ark`)."""
    module, _, name = qualified.rpartition(".")
    # Where the openai import stood, as a person porting the file would write it.
    if native.import_style == "module":
        plan.add_import_in_place(module)
        return cst.parse_expression(qualified)
    plan.add_import_in_place(module, name)
    return cst.Name(name)
