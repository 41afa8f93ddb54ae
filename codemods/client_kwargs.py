"""Clients built from a mapping: `OpenAI(**client_kwargs)`.

The client fixer decides what a client's base_url and api_key become; this module
places those values where the mapping is built (`client_kwargs["api_key"] = ...`, a
key of the `{...}` literal), so that the call never gets a keyword its `**` argument
already carries (a TypeError at start-up). A base_url entry is classified exactly as
an explicit `base_url=` would be. When the mapping is not built where it can be read
(a parameter, a mapping changed elsewhere), the client's endpoint and key are unknown:
the client is left as it is and reported (MIG107).

Rules:
  MIG107 a keyword the fix needs may already be in the `**` mapping: left, reported
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst
from migrator.codemods._edit import keyword_args
from migrator.codemods._kwargs_dict import (
    Entry,
    KwargsDict,
    add_entry,
    can_add,
    kwargs_dicts,
    remove_entries,
    set_entry,
)
from migrator.codemods.policy.keys import key_read

from migrator.inventory import ClientSite
from migrator.rewrite import Plan

Policy = Callable[[cst.BaseExpression], "cst.BaseExpression | None"]


@dataclass
class MappingEdits:
    """What the client fixer does in the mapping instead of the call: decided first,
    recorded only when every key could be placed."""

    found: KwargsDict
    handled: set[str] = field(default_factory=set)  # keys the call itself must not get
    pending: list[Callable[[], object]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # keys the mapping may hide

    def apply(self) -> None:
        for edit in self.pending:
            edit()


def read_client_kwargs(plan: Plan, site: ClientSite, keys: set[str]) -> MappingEdits | None:
    """None for a client with no `**` argument; else the mapping, with `unknown` naming
    each key of `keys` (not written as a keyword) that it may hold unseen."""
    dicts = kwargs_dicts(plan, site.node)
    if not dicts:
        return None
    explicit = keyword_args(site.node)
    edits = MappingEdits(dicts[0])
    for key in sorted(keys - explicit.keys()):
        if len(dicts) > 1 or edits.found.may_hide(key):
            edits.unknown.append(key)
    return edits


def report_left(
    plan: Plan, site: ClientSite, edits: MappingEdits, url: str | None, why: str = ""
) -> None:
    """MIG107: the client stays as it is; say which keys and what they should be."""
    keys = ", ".join(edits.unknown)
    where = edits.found.code
    target = plan.mapping
    wanted = f"base_url {url} and " if url else ""
    why = why or (
        f"`{where}` may already hold {keys} (it is not built here where it can be read), "
        "so the client's endpoint and key are unknown and adding them would raise "
        "'multiple values for keyword argument'"
    )
    plan.mark(
        site.node,
        "MIG107",
        f"{site.class_name}(**{where}): {why}: left as it is — set {wanted}api_key from "
        f"{target.compat.key_env} in `{where}` for {target.name}",
        short=f"{keys} may be in **{where}: client left, set them for {target.id}",
    )


def place_value(
    plan: Plan,
    edits: MappingEdits,
    key: str,
    policy: Policy,
    default: Callable[[], cst.BaseExpression],
    *,
    fill_gaps: bool,
) -> bool:
    """Give every entry of `key` the value `policy` picks (None keeps the user's), and add
    `key: default()` where the mapping is built when no entry is always set (with
    `fill_gaps`; else only when there is no entry at all). False when the key cannot be
    placed: the caller reports it."""
    found = edits.found
    entries = found.entries_of(key)
    for entry in entries:
        new = policy(entry.value)
        if new is not None:
            edits.pending.append(lambda e=entry, v=new: set_entry(plan, e, v, "MIG100"))
    edits.handled.add(key)
    if found.always_has(key):
        return True
    if entries and not fill_gaps:
        return False
    if not can_add(found, key, beside_entries=fill_gaps):
        return False
    value = default()
    edits.pending.append(lambda: add_entry(plan, found, key, value, "MIG100"))
    return True


def can_place(edits: MappingEdits, key: str) -> bool:
    """Can `place_value(..., fill_gaps=True)` give `key` a value on every path?"""
    return edits.found.always_has(key) or can_add(edits.found, key, beside_entries=True)


def drop_keys(plan: Plan, edits: MappingEdits, keys: set[str]) -> list[str]:
    """Remove the entries of `keys` the mapping shows; the keys removed."""
    found = edits.found
    removed: list[str] = []
    going: list[Entry] = []
    for key in sorted(keys):
        entries = found.entries_of(key)
        if not entries or found.read_back(key):
            continue  # (kept where `d["key"]` reads it back: an OpenAI header is harmless)
        edits.handled.add(key)
        removed.append(key)
        going.extend(entries)
    if going:
        edits.pending.append(lambda: remove_entries(plan, found, going, "MIG100"))
    return removed


def key_default(
    plan: Plan, edits: MappingEdits, site: ClientSite
) -> Callable[[], cst.BaseExpression]:
    """The provider key as an entry added where the mapping is built: read as a key the
    fixer inserts is read there (with the MIG108 placeholder where that runs at import)."""
    return lambda: key_read(plan, plan.target.key_env, at=edits.found.builder, report=site.node)


def report_conditional_key(plan: Plan, site: ClientSite, edits: MappingEdits) -> None:
    where = edits.found.code
    plan.finding(
        "MIG107",
        f"api_key is set in `{where}` only on some paths: where it is not, the client "
        "falls back to OPENAI_API_KEY — make sure it always gets the "
        f"{plan.mapping.name} key (env {plan.target.key_env})",
        node=site.node,
        category="config",
    )
