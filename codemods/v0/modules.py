"""What v0 code names that v1 does not have: v0-only modules, v0 methods as values."""

from __future__ import annotations

import libcst as cst
from migrator.codemods.v0.facts import facts_of
from migrator.codemods.v0.tables import V0_ONLY_MODULES, has_v0_code

from migrator.rewrite import Plan
from migrator.source import code_of, dotted_name


def fix_v0_modules(plan: Plan) -> None:
    if not plan.options.upgrade_v0 or not has_v0_code(plan):
        return
    _mark_v0_modules(plan)
    for ref in facts_of(plan).bare_refs:
        plan.mark(
            ref,
            "MIG415",
            f"`{code_of(ref)}` is a v0 method passed around as a value: v1 has no module "
            "resource classes; call the v1 client method instead",
            short="v0 method reference: use the v1 client method",
        )


def _mark_v0_modules(plan: Plan) -> None:
    for node in plan.inventory.import_nodes:
        names: list[str] = []
        if isinstance(node, cst.Import):
            names = [dotted_name(a.name) or "" for a in node.names]
        elif node.module is not None:
            names = [dotted_name(node.module) or ""]
        for name in names:
            if any(name == m or name.startswith(m + ".") for m in V0_ONLY_MODULES):
                plan.mark(
                    node,
                    "MIG411",
                    f"{name} exists only in openai<1 (embeddings_utils helpers such as "
                    "get_embedding / cosine_similarity were removed): copy what you use",
                    short=f"{name} was removed in openai>=1",
                )
