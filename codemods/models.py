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
  MIG205 model id used as a dict key: left (renaming could merge entries)
"""

from __future__ import annotations

import libcst as cst
from migrator.codemods._edit import edit_call_args, replace_string_value
from migrator.codemods.client_endpoint import call_retargeted

from migrator.inventory import CallSite
from migrator.mapping import openai_model_kind
from migrator.rewrite import Plan


def fix_models(plan: Plan) -> None:
    done: set[cst.SimpleString] = set()
    # A model that only feeds calls left as they are (a client already pointing at another
    # provider, an endpoint the provider lacks) stays as it is.
    held: set[cst.SimpleString] = set()
    moving: list[CallSite] = []
    for call in plan.inventory.calls:
        if call_retargeted(plan, call) and plan.mapping.supports(call.family):
            moving.append(call)
        elif call.model is not None and call.model.literal is not None:
            held.add(call.model.literal)
    for call in moving:
        _fix_call_model(plan, call, done)
    inventory = plan.inventory
    if not (inventory.has_sdk_usage or inventory.env_reads):
        # No openai SDK here (a local class named OpenAI, LangChain, tiktoken...): a model
        # id in such a file belongs to something else.
        return
    for site in inventory.model_literals:
        if site.node not in done and site.node not in held:
            _rewrite_literal(plan, site.node, site.value, done)
    _passthrough_note(plan, done)


def passes_models_through(plan: Plan) -> bool:
    """A target with no model table at all (a gateway): ids are sent as they are."""
    mapping = plan.mapping
    return not (
        mapping.models
        or mapping.model_overrides
        or any(target is not None for target in mapping.defaults.values())
    )


def _passthrough_note(plan: Plan, done: set[cst.SimpleString]) -> None:
    """One finding per file for a pass-through target, instead of one per literal."""
    if not done or not passes_models_through(plan):
        return
    values = sorted({str(n.evaluated_value) for n in done} - {""})
    models = [v for v in values if openai_model_kind(v) is not None]
    if not models:
        return
    first = min(done, key=plan.line_of)
    plan.finding(
        "MIG202", "info", "config",
        f"{plan.mapping.name} receives model ids as they are: make sure it routes "
        f"{', '.join(repr(m) for m in models)} (or map them with --model-map)",
        node=first,
    )  # fmt: skip


def _rewrite_literal(
    plan: Plan, node: cst.SimpleString, value: str, done: set[cst.SimpleString]
) -> None:
    done.add(node)
    target = plan.mapping.resolve_model(value)
    parent = plan.parent_of(node)
    if target is not None and isinstance(parent, cst.DictElement) and parent.key is node:
        # Renaming dict keys can merge two entries (gpt-4o and gpt-4-turbo both map to one
        # provider model) and Python keeps only the last: leave keys to a person.
        if target.model != value:
            plan.finding(
                "MIG205", "warning", "code",
                f"model id {value!r} is a dict key: add an entry for {target.model!r} "
                "(renaming keys could merge entries)",
                node=node,
            )  # fmt: skip
        return
    if target is None:
        kind = openai_model_kind(value)
        if kind is not None and not passes_models_through(plan):
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
                f"model for {call.api} is not a literal ({ref.origin}): make sure it names a "
                f"model that {plan.mapping.name} serves",
                node=call.node,
            )  # fmt: skip
        return
    target = plan.mapping.resolve_model(ref.value)
    if ref.literal not in done:
        _rewrite_literal(plan, ref.literal, ref.value, done)
    if target is None:
        return
    additions: dict[str, cst.BaseExpression] = {}
    if call.family == "embeddings" and target.model != ref.value:
        # (the same model at the provider, e.g. an Azure deployment, gives the same vectors)
        args = {a.keyword.value for a in call.node.args if a.keyword is not None}
        # Only where the provider takes `dimensions` (fixed-size models drop it).
        fixed_size = plan.mapping.param_rule("embeddings", "dimensions") is not None
        if target.dimensions is not None and "dimensions" not in args and not fixed_size:
            additions["dimensions"] = cst.Integer(str(target.dimensions))
        # The user's own dimensions= decides the size where the provider takes it.
        user_size = "dimensions" in args and not fixed_size
        size = (
            "" if user_size else _size_note(ref.value, target.dimensions, "dimensions" in additions)
        )
        plan.finding(
            "MIG203", "warning", "behaviour",
            f"embeddings now come from {target.model!r} ({plan.mapping.name}): a different "
            f"vector space — stored vectors must be re-embedded{size}",
            node=call.node,
        )  # fmt: skip
    if additions:
        plan.replace(call.node, lambda n: edit_call_args(n, set_values=additions), "MIG200")


# Default vector sizes of OpenAI's embedding models.
OPENAI_EMBEDDING_DIMENSIONS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}


def _size_note(model: str, dimensions: int | None, sent: bool) -> str:
    if dimensions is None:
        return ""
    before = OPENAI_EMBEDDING_DIMENSIONS.get(model)
    if before == dimensions:
        return f"; dimensions={dimensions} keeps the size" if sent else ""
    was = f" ({model} gave {before})" if before else ""
    how = f"dimensions={dimensions} sent" if sent else f"vectors have {dimensions} dimensions"
    return f"; {how}{was}: resize the vector store"
