"""Parameters inside the mapping of `create(**params)`, where the code builds it.

`params = {"max_completion_tokens": 256, "user": uid}; client.chat.completions.create(**params)`
sends those keys as keyword arguments just as if they were written on the call, so the
mapping's parameter rules apply to them: a key to rename is renamed where it is set, a
key to drop is removed there, a literal out of range is clamped there. What would need
code moved between places (into `extra_body`) or a person (unsupported) is left and
reported at the entry. Mappings the code does not show are left alone: they may hold anything.

Rules: those of codemods/parameters.py at the entry (MIG301 dropped, MIG302 renamed,
MIG303 clamped, MIG305 unsupported or needing extra_body: left); MIG107 where a rename
would meet a key already given.
"""

from __future__ import annotations

import libcst as cst
from migrator.codemods._edit import keyword_args, replace_string_value
from migrator.codemods._kwargs_dict import Entry, kwargs_dicts, remove_entries
from migrator.codemods.parameters import (
    clamp,
    number_node,
    number_value,
    translated_calls,
    value_range,
)
from migrator.codemods.routes import as_route
from migrator.codemods.v0.calls import sent_by_v0_sdk

from migrator.inventory import CallSite
from migrator.rewrite import Plan


def fix_parameter_mappings(plan: Plan) -> None:
    for call in translated_calls(plan):
        with as_route(plan, plan.routed(call)):  # a routed call: the route provider's rules
            _fix_entries(plan, call)


def _fix_entries(plan: Plan, call: CallSite) -> None:
    dicts = kwargs_dicts(plan, call.node)
    if len(dicts) != 1 or not dicts[0].visible:
        return
    found = dicts[0]
    if found.shared:
        return  # another call (or a closure) gets the same mapping: its keys stay as they are
    explicit = keyword_args(call.node)
    mapping = plan.mapping
    name_of = mapping.name
    dropped: list[Entry] = []
    for key in sorted({e.key for e in found.entries} - explicit.keys()):
        rule = mapping.param_rule(call.family, key)
        entries = found.entries_of(key)
        if rule is None or found.may_hide(key) or found.read_back(key):
            continue
        where = f"{call.api}: {key} (in `{found.code}`)"
        first = entries[0].holder
        if rule.action == "drop":
            if all(rule.keeps(entry.value) for entry in entries):
                continue  # a value the provider takes as it is (`encoding_format: "float"`)
            dropped.extend(entries)
            plan.finding("MIG301", f"{where} dropped — {rule.message}", node=first)
        elif rule.action == "rename" and rule.to:
            if rule.to in explicit or found.entries_of(rule.to) or found.may_hide(rule.to):
                plan.finding(
                    "MIG107",
                    f"{where} not renamed to {rule.to}: the call or `{found.code}` may already "
                    f"give {rule.to} — keep one of them ({rule.message})",
                    node=first,
                )
                continue
            for entry in entries:
                _rename(plan, entry, rule.to)
            plan.finding("MIG302", f"{where} renamed to {rule.to} — {rule.message}", node=first)
        elif rule.action == "clamp":
            for entry in entries:
                _clamp(plan, call, entry, rule.min, rule.max, where, rule.message)
        elif rule.action == "extra_body" and not (
            sent_by_v0_sdk(plan, call)  # v0 sends it as it is
        ):
            plan.finding(
                "MIG305",
                f"{where} left as it is: {name_of} takes it in extra_body — move it there "
                f"where `{found.code}` is built ({rule.message})",
                node=first,
            )
        elif rule.action == "unsupported":
            plan.finding("MIG305", f"{where} unsupported by {name_of}: {rule.message}", node=first)
    if dropped:
        remove_entries(plan, found, dropped, "MIG300")


def _rename(plan: Plan, entry: Entry, new: str) -> None:
    holder = entry.holder
    if isinstance(holder, cst.DictElement):
        assert isinstance(holder.key, cst.SimpleString)
        plan.replace(holder.key, lambda k: replace_string_value(k, new), "MIG300")
    elif isinstance(holder, cst.Arg):  # dict(key=...) / d.update(key=...)
        plan.replace(holder, lambda a: a.with_changes(keyword=cst.Name(new)), "MIG300")
    else:
        assert isinstance(holder, cst.Assign)
        target = holder.targets[0].target
        assert isinstance(target, cst.Subscript)
        index = target.slice[0].slice
        assert isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString)
        plan.replace(index.value, lambda k: replace_string_value(k, new), "MIG300")


def _clamp(
    plan: Plan,
    call: CallSite,
    entry: Entry,
    low: float | None,
    high: float | None,
    where: str,
    message: str,
) -> None:
    value = number_value(entry.value)
    span = value_range(low, high)
    if value is None:
        plan.finding(
            "MIG303",
            f"{where} is not a literal; {plan.mapping.name} accepts {span} — {message}",
            node=entry.holder,
        )
        return
    clamped = clamp(value, low, high)
    if clamped == value:
        return
    new = number_node(clamped, entry.value)
    plan.replace(entry.value, lambda _: new, "MIG300")
    plan.finding(
        "MIG303",
        f"{where} {value:g} clamped to {clamped:g} ({plan.mapping.name} accepts {span}) — "
        f"{message}",
        node=entry.holder,
    )
