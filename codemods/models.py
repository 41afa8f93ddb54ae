"""Map OpenAI model ids to the provider's, wherever the inventory found them.

Literals at call sites, and literals the inventory traced a call's `model=` to
(constants, dict entries, `os.getenv` defaults, class attributes, parameter
defaults), and free-standing model-id literals. A model that is not a literal
becomes a finding naming where the value comes from.

Rules:
  MIG201 model is not a literal (config, env, computed): set a provider id there
  MIG202 OpenAI model with no equivalent at this provider: left as it is
  MIG203 embedding model changed: vectors must be re-embedded (and dimensions)
  MIG204 reasoning model mapped: thinking / reasoning defaults differ
"""

from __future__ import annotations

import libcst as cst
from migrator.codemods._edit import edit_call_args, replace_string_value

from migrator.inventory import CallSite
from migrator.mapping import openai_model_kind
from migrator.rewrite import Plan


def fix_models(plan: Plan) -> None:
    done: set[cst.SimpleString] = set()
    for call in plan.inventory.calls:
        _fix_call_model(plan, call, done)
    for site in plan.inventory.model_literals:
        if site.node not in done:
            _rewrite_literal(plan, site.node, site.value, done)


def _rewrite_literal(
    plan: Plan, node: cst.SimpleString, value: str, done: set[cst.SimpleString]
) -> None:
    done.add(node)
    target = plan.mapping.resolve_model(value)
    if target is None:
        kind = openai_model_kind(value)
        if kind is not None:
            plan.finding(
                "MIG202", "warning", "code",
                f"no {plan.mapping.name} equivalent for {kind} model {value!r}: left as it is",
                node=node,
            )  # fmt: skip
        return
    if target.model == value:
        return
    new_value = target.model
    plan.replace(node, lambda n: replace_string_value(n, new_value), "MIG200")
    if target.kind == "reasoning":
        plan.finding(
            "MIG204", "info", "behaviour",
            f"reasoning model {value!r} → {new_value!r}: thinking/reasoning output and "
            "defaults differ (e.g. reasoning_content, thinking on by default)",
            node=node,
        )  # fmt: skip


def _fix_call_model(plan: Plan, call: CallSite, done: set[cst.SimpleString]) -> None:
    ref = call.model
    if ref is None:
        return
    if ref.value is None or ref.literal is None:
        if call.family in ("chat", "completions", "embeddings", "responses"):
            plan.finding(
                "MIG201", "warning", "code",
                f"model for {call.api} is not a literal ({ref.origin}): make sure it holds a "
                f"{plan.mapping.name} model id",
                node=call.node,
            )  # fmt: skip
        return
    target = plan.mapping.resolve_model(ref.value)
    if ref.literal not in done:
        _rewrite_literal(plan, ref.literal, ref.value, done)
    if target is None:
        return
    additions: dict[str, cst.BaseExpression] = {}
    if call.family == "embeddings":
        args = {a.keyword.value for a in call.node.args if a.keyword is not None}
        # Only where the provider takes `dimensions` (fixed-size models drop it).
        fixed_size = plan.mapping.param_rule("embeddings", "dimensions") is not None
        if target.dimensions is not None and "dimensions" not in args and not fixed_size:
            additions["dimensions"] = cst.Integer(str(target.dimensions))
        plan.finding(
            "MIG203", "warning", "behaviour",
            f"embeddings now come from {target.model!r} ({plan.mapping.name}): a different "
            "vector space — stored vectors must be re-embedded"
            + (f"; dimensions={target.dimensions} keeps the size" if target.dimensions else ""),
            node=call.node,
        )  # fmt: skip
    if additions:
        plan.replace(call.node, lambda n: edit_call_args(n, set_values=additions), "MIG200")
