"""Translate call parameters the provider treats differently, as the mapping says.

Each rule is data (mappings/*.yaml `parameters:`): rename, drop, clamp, move into
`extra_body`, or unsupported (left as it is, marked). A mapped model may also need
provider-specific body fields (e.g. thinking disabled), merged into `extra_body`.

Rules:
  MIG301 parameter dropped
  MIG302 parameter renamed
  MIG303 value clamped into the provider's range (or could not be checked)
  MIG304 parameter moved into extra_body
  MIG305 parameter not supported by the provider: left as it is, marked
  MIG306 parameter kept: the SDK changes its value itself (the mapping's note)
  MIG107 a renamed or moved parameter may already be in the call's `**` mapping: left
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import libcst as cst
from migrator.codemods._edit import (
    add_dict_entry,
    edit_call_args,
    merge_into_dict,
    python_literal,
    splat_args,
)
from migrator.codemods._kwargs_dict import (
    add_entry,
    can_add,
    key_state,
    kwargs_dicts,
    report_splat,
)
from migrator.codemods._model_fit import call_target
from migrator.codemods.policy.endpoints import call_retargeted
from migrator.codemods.routes import as_route
from migrator.codemods.v0.calls import sent_by_v0_sdk

from migrator.inventory import CallSite
from migrator.mapping_native import Native
from migrator.rewrite import Plan

FAMILIES = ("chat", "completions", "embeddings")


def fix_parameters(plan: Plan) -> None:
    for call in translated_calls(plan):
        with as_route(plan, plan.routed(call)):  # a routed call: the route provider's rules
            _fix_call(plan, call)


def translated_calls(plan: Plan) -> list[CallSite]:
    """Calls whose parameters the mapping's rules apply to (a routed call's: the route
    provider's, see `Plan.routed`)."""
    return [
        call
        for call in plan.inventory.calls
        if call.family in FAMILIES
        and (plan.routed(call) or plan).mapping.supports(call.family)  # else endpoints marks
        and call_retargeted(plan, call)
    ]


def clamp(value: float, low: float | None, high: float | None) -> float:
    return min(max(value, low if low is not None else value), high if high is not None else value)


def number_value(expr: cst.BaseExpression) -> float | None:
    negative = False
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        negative, expr = True, expr.expression
    if isinstance(expr, (cst.Integer, cst.Float)):
        value = float(expr.evaluated_value)
        return -value if negative else value
    return None


def _fix_call(plan: Plan, call: CallSite) -> None:
    mapping = plan.mapping
    args = {a.keyword.value: a for a in call.node.args if a.keyword is not None}
    remove: set[str] = set()
    rename: dict[str, str] = {}
    set_values: dict[str, cst.BaseExpression] = {}
    extra: dict[str, cst.BaseExpression] = {}
    name_of = mapping.name
    unsupported: list[str] = []
    extras = extras_keyword(plan)
    place = _extra_body_place(plan, call, args, extras)
    known_absent: set[str] = {extras} if place.kind == "call" else set()
    for name, arg in args.items():
        rule = mapping.param_rule(call.family, name)
        if rule is None:
            continue
        where = f"{call.api}: {name}"
        if rule.action == "drop":
            if plan.suppressed("MIG301", arg) or rule.keeps(arg.value):
                continue
            remove.add(name)
            plan.finding("MIG301", f"{where} dropped — {rule.message}", node=arg)
        elif rule.action == "rename" and rule.to:
            if plan.suppressed("MIG302", arg):
                continue
            if rule.to in args:
                remove.add(name)
            elif key_state(plan, call.node, rule.to) in ("entry", "unknown"):
                report_splat(plan, call.node, [rule.to], f"renaming {name}= to {rule.to}=")
                continue
            else:
                rename[name] = rule.to
                known_absent.add(rule.to)
            plan.finding("MIG302", f"{where} renamed to {rule.to} — {rule.message}", node=arg)
        elif rule.action == "clamp":
            value = number_value(arg.value)
            if value is None:
                plan.finding(
                    "MIG303",
                    f"{where} is not a literal; {name_of} accepts "
                    f"{value_range(rule.min, rule.max)} — {rule.message}",
                    node=arg,
                )
                continue
            clamped = clamp(value, rule.min, rule.max)
            if clamped != value and not plan.suppressed("MIG303", arg):
                set_values[name] = number_node(clamped, arg.value)
                plan.finding(
                    "MIG303",
                    f"{where} {value:g} clamped to {clamped:g} ({name_of} accepts "
                    f"{value_range(rule.min, rule.max)}) — {rule.message}",
                    node=arg,
                )
        elif rule.action == "extra_body":
            if plan.suppressed("MIG304", arg):
                continue
            if place.kind == "unknown":
                report_splat(plan, call.node, [extras], f"moving {name}= into {extras}")
                continue
            if place.kind == "entry" and not _is_constant(arg.value):
                # the mapping is built above: a name there may not be bound yet
                report_splat(
                    plan,
                    call.node,
                    [extras],
                    f"moving {name}= into the {extras} the mapping builds",
                )
                continue
            remove.add(name)
            extra[rule.to or name] = arg.value
            plan.finding("MIG304", f"{where} moved into {extras} — {rule.message}", node=arg)
        elif rule.action == "note":
            plan.finding("MIG306", f"{where} kept — {rule.message}", node=arg)
        elif rule.action == "unsupported":
            if plan.suppressed("MIG305", arg):
                continue
            unsupported.append(name)
            plan.finding("MIG305", f"{where} unsupported by {name_of}: {rule.message}", node=arg)
    if unsupported:
        # One marker line per call, naming every parameter; the findings carry the reasons.
        plan.mark(
            call.node,
            "MIG305",
            "",
            short=f"{', '.join(unsupported)}: not supported by {mapping.id}",
            record=False,
        )
    model_extra: dict[str, Any] = {}
    model = call.model if call.node not in plan.models_left else None  # (left: tested)
    if model is not None and model.value is not None:
        # The model the call ends up with (models.py may pick another one for what the
        # call does, or leave the id): its extra_body, not the plain mapping's.
        target = call_target(plan, call)
        if target is not None and target.extra_body:
            model_extra = dict(target.extra_body)
    if isinstance(plan.target, Native):
        # The model's body fields make up for the openai SDK (its base64 vectors by
        # default); a provider SDK whose own table drops a field (DashScope, zai and Ark
        # return float vectors unasked) is not sent it back through them.
        model_extra = {
            k: v
            for k, v in model_extra.items()
            if getattr(mapping.param_rule(call.family, k), "action", None) != "drop"
        }
    # A field the call already sends with that value (`encoding_format="float"` kept by a
    # drop rule's `keep`) needs no copy in extra_body.
    model_extra = {
        k: v
        for k, v in model_extra.items()
        if not (k in args and k not in remove and _literal_equals(args[k].value, v))
    }
    if model_extra and not extra and extras not in args:
        model_extra = _beside_the_mapped_model(plan, call, model_extra)
    if not (remove or rename or set_values or extra or model_extra):
        return

    if sent_by_v0_sdk(plan, call):
        # The v0 SDK has no extra_body: it sends unknown keyword arguments in the body.
        for key, value in model_extra.items():
            if key not in args:
                set_values[key] = python_literal(value)
        for key, value in extra.items():
            set_values[key] = value
        extra, model_extra = {}, {}
        hidden = [k for k in set_values if k not in args and _may_be_in_splat(plan, call, k)]
        if hidden:
            report_splat(plan, call.node, hidden, "sending them as body fields")
            for key in hidden:
                set_values.pop(key)
                remove.difference_update({key})
        known_absent.update(k for k in set_values if k not in args)
    elif model_extra and place.kind == "unknown":
        report_splat(plan, call.node, [extras], f"adding {extras} {model_extra} for its model")
        model_extra = {}
    if place.kind == "entry" and (extra or model_extra):
        assert place.entry is not None
        moved, wanted = dict(extra), dict(model_extra)
        plan.replace(place.entry, lambda d: _into_dict(d, moved, wanted), "MIG300")
        extra, model_extra = {}, {}

    def edit(node: cst.Call) -> cst.Call:
        node = edit_call_args(
            node, set_values=set_values, remove=remove, rename=rename, known_absent=known_absent
        )
        if extra or model_extra:
            node = _merge_extra_body(node, extra, model_extra, extras)
        return node

    plan.replace(call.node, edit, "MIG300")


def _beside_the_mapped_model(
    plan: Plan, call: CallSite, model_extra: dict[str, Any]
) -> dict[str, Any]:
    """The model comes from the `**` mapping the function builds (`params = {"model":
    ...}`): what that model needs is added there too, beside it, rather than as a keyword
    next to the `**` (the v0 SDK takes body fields, v1 an extra_body). Returns what is
    left for the call: nothing once added here or reported."""
    ref = call.model
    dicts = kwargs_dicts(plan, call.node)
    if ref is None or ref.literal is None or len(dicts) != 1:
        return model_extra
    (found,) = dicts
    if not any(entry.value is ref.literal for entry in found.entries_of("model")):
        return model_extra
    v0_body = sent_by_v0_sdk(plan, call)
    entries = (
        {key: python_literal(value) for key, value in model_extra.items()}
        if v0_body
        else {"extra_body": python_literal(model_extra)}
    )
    if all(can_add(found, key) for key in entries):
        for key, value in entries.items():
            add_entry(plan, found, key, value, "MIG300")
        return {}
    if not v0_body and found.entries_of("extra_body"):
        return model_extra  # merged into the extra_body the mapping sets (_extra_body_place)
    report_splat(plan, call.node, sorted(entries), f"adding {model_extra} for its model")
    return {}


@dataclass(frozen=True)
class _ExtraBodyPlace:
    """Where parameters moved into extra_body go: "call" (an `extra_body=` of the call,
    existing or new), "entry" (the `{...}` an extra_body entry of the call's `**`
    mapping holds) or "unknown" (a `**` mapping may hold extra_body: reported)."""

    kind: str
    entry: cst.Dict | None = None


def extras_keyword(plan: Plan) -> str:
    """The create() keyword for body fields the SDK has no keyword for: openai's (and most
    SDKs') `extra_body`, DashScope's `parameters`."""
    return str(getattr(plan.target, "extras_keyword", "extra_body"))


def _extra_body_place(
    plan: Plan, call: CallSite, args: dict[str, cst.Arg], extras: str = "extra_body"
) -> _ExtraBodyPlace:
    if extras in args or not splat_args(call.node):
        return _ExtraBodyPlace("call")
    state = key_state(plan, call.node, extras)
    if state in ("none", "absent"):
        return _ExtraBodyPlace("call")
    if state == "entry":
        (found,) = kwargs_dicts(plan, call.node)
        entries = found.entries_of(extras)
        if len(entries) == 1 and entries[0].always and isinstance(entries[0].value, cst.Dict):
            return _ExtraBodyPlace("entry", entries[0].value)
    return _ExtraBodyPlace("unknown")


def _is_constant(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, (cst.SimpleString, cst.Integer, cst.Float)):
        return True
    return isinstance(expr, cst.Name) and expr.value in ("True", "False", "None")


def _may_be_in_splat(plan: Plan, call: CallSite, key: str) -> bool:
    return key_state(plan, call.node, key) not in ("none", "absent")


def _into_dict(
    existing: cst.Dict, moved: dict[str, cst.BaseExpression], model_extra: dict[str, Any]
) -> cst.Dict:
    merged = existing
    for key, value in moved.items():
        merged = add_dict_entry(merged, key, value)
    return merge_into_dict(merged, model_extra)


def _merge_extra_body(
    call: cst.Call,
    moved: dict[str, cst.BaseExpression],
    model_extra: dict[str, Any],
    extras: str = "extra_body",
) -> cst.Call:
    existing = next(
        (a for a in call.args if a.keyword is not None and a.keyword.value == extras), None
    )
    if existing is not None and not isinstance(existing.value, cst.Dict):
        # A computed extra_body: merge by dict union so the user's keys still win.
        additions = _dict_node(moved, model_extra)
        union = cst.BinaryOperation(additions, cst.BitOr(), existing.value)
        return edit_call_args(call, set_values={extras: union}, known_absent={extras})
    merged = existing.value if existing is not None else cst.Dict([])
    assert isinstance(merged, cst.Dict)
    merged = _into_dict(merged, moved, model_extra)
    return edit_call_args(call, set_values={extras: merged}, known_absent={extras})


def _dict_node(moved: dict[str, cst.BaseExpression], model_extra: dict[str, Any]) -> cst.Dict:
    d = cst.Dict([])
    for key, value in moved.items():
        d = add_dict_entry(d, key, value)
    return merge_into_dict(d, model_extra)


def value_range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"[{low:g}, {high:g}]"
    if low is not None:
        return f">= {low:g}"
    return f"<= {high:g}"


def number_node(value: float, original: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(original, cst.Integer) and value == int(value):
        return cst.Integer(str(int(value)))
    text = f"{value:g}"
    return cst.Float(text if "." in text or "e" in text else text + ".0")


def _literal_equals(node: cst.BaseExpression, value: Any) -> bool:
    """Is `node` a string literal whose value is `value`?"""
    return isinstance(value, str) and getattr(node, "evaluated_value", None) == value
