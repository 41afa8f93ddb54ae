"""The tables of a mapping file: ``models:`` (what each OpenAI id becomes, kind defaults,
tiers, capabilities, limits) and the parameter rules of ``parameters:`` (also used for an
SDK's own table in ``native.parameters``, mapping_native.py).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from migrator.capabilities import CAPABILITY_FLAGS, TIERS, UNKNOWN, Capabilities
from migrator.mapping_types import (
    ACTIONS,
    MODEL_KINDS,
    OPENAI_KWARGS,
    TIER_KINDS,
    ModelTarget,
    ParamRule,
    openai_model_kind,
)
from migrator.mapping_yaml import Doc


def _parse_model_value(
    doc: Doc, key_node: Node, node: Node, where: str, kind: str, key: str
) -> ModelTarget:
    if isinstance(node, ScalarNode):
        return ModelTarget(model=doc.string(node, where), kind=kind, source_key=key)
    optional = ("extra_body", "note") + (("dimensions", "sizes") if kind == "embedding" else ())
    items = doc.mapping(node, where, required=("model",), optional=optional, at=key_node)
    sizes: tuple[int, ...] = ()
    if "sizes" in items:
        sizes_node = items["sizes"][1]
        if not isinstance(sizes_node, SequenceNode) or not sizes_node.value:
            doc.fail(sizes_node, f"{where}.sizes: expected a non-empty list of integers")
        sizes = tuple(
            doc.integer(item, f"{where}.sizes[{i}]") for i, item in enumerate(sizes_node.value)
        )
        if "dimensions" in items:
            dimensions_node = items["dimensions"][1]
            if doc.integer(dimensions_node, f"{where}.dimensions") not in sizes:
                doc.fail(dimensions_node, f"{where}.dimensions: must be one of sizes {list(sizes)}")
    extra: dict[str, Any] = {}
    if "extra_body" in items:
        value_node = items["extra_body"][1]
        if not isinstance(value_node, MappingNode):
            doc.fail(value_node, f"{where}.extra_body: expected a mapping")
        extra = doc.plain(value_node, f"{where}.extra_body")
    return ModelTarget(
        model=doc.string(items["model"][1], f"{where}.model"),
        kind=kind,
        dimensions=(
            doc.integer(items["dimensions"][1], f"{where}.dimensions")
            if "dimensions" in items
            else None
        ),
        extra_body=extra,
        note=doc.string(items["note"][1], f"{where}.note") if "note" in items else None,
        source_key=key,
        sizes=sizes,
    )


class ModelTables(NamedTuple):
    table: dict[str, ModelTarget]
    defaults: dict[str, ModelTarget | None]
    limits: dict[str, dict[str, int]]
    vision_default: ModelTarget | None
    tiers: dict[str, dict[str, ModelTarget]]
    capabilities: dict[str, Capabilities]


def parse_models(doc: Doc, node: Node) -> ModelTables:
    items = doc.mapping(
        node,
        "models",
        optional=(*MODEL_KINDS, "defaults", "tiers", "capabilities", "limits"),
    )
    table: dict[str, ModelTarget] = {}
    for kind in MODEL_KINDS:
        if kind not in items:
            continue
        entries = doc.mapping(items[kind][1], f"models.{kind}", any_keys=True)
        for key, (key_node, value_node) in entries.items():
            where = f"models.{kind}.{key}"
            if key in table:
                doc.fail(key_node, f"{where}: {key!r} is also listed in models.{table[key].kind}")
            key_kind = openai_model_kind(key)
            if key_kind is not None and key_kind != kind:
                doc.fail(key_node, f"{where}: {key!r} is an OpenAI {key_kind} model id")
            table[key] = _parse_model_value(doc, key_node, value_node, where, kind, key)
    defaults: dict[str, ModelTarget | None] = dict.fromkeys(MODEL_KINDS)
    vision_default: ModelTarget | None = None
    vision_node: Node | None = None
    if "defaults" in items:
        entries = doc.mapping(
            items["defaults"][1], "models.defaults", optional=(*MODEL_KINDS, "vision")
        )
        for kind, (key_node, value_node) in entries.items():
            if doc.is_null(value_node):
                continue
            where = f"models.defaults.{kind}"
            if kind == "vision":  # a chat model for calls that send images
                vision_node = key_node
                vision_default = _parse_model_value(
                    doc, key_node, value_node, where, "chat", "defaults.vision"
                )
            else:
                defaults[kind] = _parse_model_value(
                    doc, key_node, value_node, where, kind, f"defaults.{kind}"
                )
    tiers: dict[str, dict[str, ModelTarget]] = {}
    tier_nodes: dict[tuple[str, str], Node] = {}
    if "tiers" in items:
        kinds = doc.mapping(items["tiers"][1], "models.tiers", optional=TIER_KINDS)
        for kind, (_, kind_node) in kinds.items():
            entries = doc.mapping(kind_node, f"models.tiers.{kind}", optional=TIERS)
            tiers[kind] = {}
            for tier, (key_node, value_node) in entries.items():
                where = f"models.tiers.{kind}.{tier}"
                tier_nodes[(kind, tier)] = key_node
                tiers[kind][tier] = _parse_model_value(
                    doc, key_node, value_node, where, kind, f"tiers.{kind}.{tier}"
                )
    targets = (
        {t.model for t in table.values()}
        | {t.model for t in defaults.values() if t is not None}
        | {t.model for by_tier in tiers.values() for t in by_tier.values()}
        | ({vision_default.model} if vision_default is not None else set())
    )
    capabilities: dict[str, Capabilities] = {}
    if "capabilities" in items:
        entries = doc.mapping(items["capabilities"][1], "models.capabilities", any_keys=True)
        for model, (key_node, value_node) in entries.items():
            where = f"models.capabilities.{model}"
            if model not in targets:
                doc.fail(key_node, f"{where}: {model!r} is not a target model of this mapping")
            capabilities[model] = _parse_capabilities(doc, key_node, value_node, where)
    if vision_default is not None and vision_node is not None:
        if capabilities.get(vision_default.model, UNKNOWN).vision is not True:
            doc.fail(
                vision_node,
                f"models.defaults.vision: {vision_default.model!r} needs 'vision: true' "
                "in models.capabilities (with its source)",
            )
    for (kind, tier), key_node in tier_nodes.items():
        # A provider with fewer sizes serves a smaller tier with a larger model, never
        # the other way round.
        stated = capabilities.get(tiers[kind][tier].model, UNKNOWN).tier
        if stated is not None and TIERS.index(stated) > TIERS.index(tier):
            doc.fail(
                key_node,
                f"models.tiers.{kind}.{tier}: {tiers[kind][tier].model!r} is a {stated} "
                f"model in models.capabilities, smaller than the {tier} tier",
            )
    limits: dict[str, dict[str, int]] = {}
    if "limits" in items:
        entries = doc.mapping(items["limits"][1], "models.limits", any_keys=True)
        for model, (key_node, value_node) in entries.items():
            where = f"models.limits.{model}"
            if model not in targets:
                doc.fail(key_node, f"{where}: {model!r} is not a target model of this mapping")
            fields = doc.mapping(
                value_node, where, optional=("context_window", "max_output_tokens")
            )
            if not fields:
                doc.fail(key_node, f"{where}: give context_window and/or max_output_tokens")
            limits[model] = {
                name: doc.integer(value, f"{where}.{name}") for name, (_, value) in fields.items()
            }
    return ModelTables(table, defaults, limits, vision_default, tiers, capabilities)


def _parse_capabilities(doc: Doc, key_node: Node, node: Node, where: str) -> Capabilities:
    items = doc.mapping(
        node, where, required=("source",), optional=(*CAPABILITY_FLAGS, "tier"), at=key_node
    )
    if len(items) == 1:
        doc.fail(key_node, f"{where}: state at least one of {', '.join(CAPABILITY_FLAGS)}, tier")
    flags = {
        name: doc.boolean(items[name][1], f"{where}.{name}")
        for name in CAPABILITY_FLAGS
        if name in items
    }
    tier = doc.choice(items["tier"][1], f"{where}.tier", TIERS) if "tier" in items else None
    return Capabilities(
        **flags, tier=tier, source=doc.string(items["source"][1], f"{where}.source")
    )


def parse_rule(
    doc: Doc, family: str, name: str, key_node: Node, node: Node, *, native: bool = False
) -> ParamRule:
    """One parameter rule. `native`: a rule of an SDK's own table (mapping_native.py),
    whose rename targets are that SDK's keywords, not openai's."""
    where = f"parameters.{family}.{name}"
    items = doc.mapping(
        node,
        where,
        required=("action", "message"),
        optional=("to", "min", "max", "keep"),
        at=key_node,
    )
    action = doc.choice(items["action"][1], f"{where}.action", ACTIONS)
    message = doc.string(items["message"][1], f"{where}.message")
    to: str | None = None
    low: float | None = None
    high: float | None = None
    if "to" in items:
        if action not in ("rename", "extra_body"):
            doc.fail(items["to"][0], f"{where}: 'to' is only allowed with rename or extra_body")
        to = doc.string(items["to"][1], f"{where}.to")
    keep: tuple[str, ...] = ()
    if "keep" in items:
        if action != "drop":
            doc.fail(items["keep"][0], f"{where}: 'keep' is only allowed with drop")
        keep = tuple(doc.string_list(items["keep"][1], f"{where}.keep"))
    for bound in ("min", "max"):
        if bound in items and action != "clamp":
            doc.fail(items[bound][0], f"{where}: {bound!r} is only allowed with clamp")
    if action == "rename":
        if to is None:
            doc.fail(key_node, f"{where}: action 'rename' needs 'to'")
        if to == name:
            doc.fail(items["to"][1], f"{where}: rename to the same name")
        if not native and to not in OPENAI_KWARGS[family]:
            doc.fail(
                items["to"][1],
                f"{where}: {to!r} is not a keyword of the openai SDK's {family} create(); "
                "use action extra_body for provider-only fields",
            )
    if action == "clamp":
        if "min" not in items and "max" not in items:
            doc.fail(key_node, f"{where}: action 'clamp' needs 'min' and/or 'max'")
        if "min" in items:
            low = doc.number(items["min"][1], f"{where}.min")
        if "max" in items:
            high = doc.number(items["max"][1], f"{where}.max")
        if low is not None and high is not None and low > high:
            doc.fail(items["min"][1], f"{where}: min {low} is greater than max {high}")
    return ParamRule(name=name, action=action, message=message, to=to, min=low, max=high, keep=keep)
