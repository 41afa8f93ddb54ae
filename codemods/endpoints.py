"""Calls to endpoint families the provider does not offer are left and marked.

Rules:
  MIG401 endpoint family not offered by the provider (images, audio, assistants, ...)
  MIG172 the providers that offer it, from the mappings: `--route FAMILY=PROVIDER`
  MIG402 v0 module API kept (runs only with openai<1); --upgrade-v0 moves it to v1
"""

from __future__ import annotations

from migrator.codemods.policy.endpoints import call_retargeted
from migrator.codemods.v0.calls import taken_v0_calls

from migrator.inventory import CallSite
from migrator.rewrite import Plan
from migrator.routes import ROUTABLE_FAMILIES, builtin_providers_serving

FAMILY_LABELS = {
    "chat": "chat completions", "completions": "legacy completions", "embeddings": "embeddings",
    "responses": "Responses API", "images": "image generation", "audio": "audio",
    "moderations": "moderations", "files": "files", "fine_tuning": "fine-tuning",
    "fine_tunes": "legacy fine-tunes", "batches": "batches", "assistants": "Assistants",
    "vector_stores": "vector stores", "models": "model listing", "uploads": "uploads",
    "realtime": "Realtime API", "edits": "edits", "engines": "engines",
}  # fmt: skip


def fix_endpoints(plan: Plan) -> None:
    mapping = plan.mapping
    v0_calls = []
    taken = taken_v0_calls(plan)  # (moved to another SDK: not kept)
    for call in plan.inventory.calls:
        if call.style == "v0" and not plan.options.upgrade_v0 and call.node not in taken:
            v0_calls.append(call)
        if plan.mapping_for(call).supports(call.family) or not call_retargeted(plan, call):
            continue
        if plan.options.route_for(call.family) is not None:
            continue  # routed, or marked by the route fixer (MIG171)
        label = FAMILY_LABELS.get(call.family, call.family)
        _suggest_route(plan, call)
        plan.mark(
            call.node,
            "MIG401",
            f"{call.api}: {mapping.name} has no OpenAI-compatible {label} endpoint; "
            "port this call by hand or route it elsewhere",
            short=f"{call.api}: no {label} endpoint at {mapping.id}",
        )
    if v0_calls:
        plan.finding(
            "MIG402",
            f"{len(v0_calls)} v0 module API call(s) kept: they need openai<1; rerun with "
            "--upgrade-v0 to move them to the v1 client",
            node=v0_calls[0].node,
        )


def _suggest_route(plan: Plan, call: CallSite) -> None:
    """Once a file and family: which providers serve the family (from the mappings), and
    the flag that sends the calls there while the rest goes to the target."""
    if call.family not in ROUTABLE_FAMILIES or call.style == "v0" and not plan.options.upgrade_v0:
        return  # (v0 calls stay on openai<1 unless upgraded: a route needs a v1 client)
    serving = [p for p in builtin_providers_serving(call.family) if p != plan.mapping.id]
    if not serving or any(
        f.id == "MIG172" and f"--route {call.family}=" in f.message for f in plan.findings
    ):
        return
    label = FAMILY_LABELS.get(call.family, call.family)
    plan.finding(
        "MIG172",
        f"{plan.mapping.name} has no {label} endpoint; providers with one: "
        f"{', '.join(serving)}: rerun with `--route {call.family}=PROVIDER` (e.g. "
        f"`--route {call.family}={serving[0]}`) to send these calls there while the rest "
        f"goes to {plan.mapping.id}",
        node=call.node,
    )
