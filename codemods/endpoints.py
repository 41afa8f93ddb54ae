"""Calls to endpoint families the provider does not offer are left and marked.

Rules:
  MIG401 endpoint family not offered by the provider (images, audio, assistants, ...)
  MIG402 v0 module API kept (runs only with openai<1); --upgrade-v0 moves it to v1
"""

from __future__ import annotations

from migrator.codemods.policy.endpoints import call_retargeted

from migrator.rewrite import Plan

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
    for call in plan.inventory.calls:
        if call.style == "v0" and not plan.options.upgrade_v0:
            v0_calls.append(call)
        if plan.mapping_for(call).supports(call.family) or not call_retargeted(plan, call):
            continue
        if plan.options.route_for(call.family) is not None:
            continue  # routed, or marked by the route fixer (MIG171)
        label = FAMILY_LABELS.get(call.family, call.family)
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
