"""OpenAI SDK calls become LiteLLM calls.

`client.chat.completions.create(...)` -> `litellm.completion(...)` (`acompletion` when the
call is awaited through an async client), `client.embeddings.create(...)` ->
`litellm.embedding(...)` / `aembedding`. Every keyword stays (stream, response_format,
tools, tool_choice: LiteLLM takes OpenAI's); the call gets what the client carried:
`api_key=os.environ["<PROVIDER_KEY>"]` (LiteLLM's own variable names differ from the
providers'), and `api_base=` where the route's default base is not the mapping's. The model
id gets the route's prefix where the model fixer writes it (the strategy's mapping view);
where the model is not a literal of the file that the model fixer rewrote (a constant of
another module, data, an id it left), `custom_llm_provider=` routes it.

Parameters: LiteLLM raises UnsupportedParamsError before sending a parameter the route does
not list. Per parameter, from the mapping: one the provider accepts (no rule, a note, a
clamp) is passed on with `allowed_openai_params=[...]` (MIG184); one the provider does not
take either (`unsupported`) is marked (MIG185): the call fails before sending, where compat's
failed at the provider. `drop_params=True` is never written.

Rules:
  MIG180 call moved to LiteLLM (edit)
  MIG181 call left on the openai SDK: migrator cannot show LiteLLM reaches the same place
  MIG184 parameter LiteLLM's route does not list, passed with allowed_openai_params
  MIG185 parameter neither LiteLLM's route nor the provider takes: the call is marked
  MIG186 keywords of a ** mapping, which LiteLLM may reject, are not checked
"""

from __future__ import annotations

import json
import re

import libcst as cst
from migrator.codemods._edit import edit_call_args, env_read, keyword_args, splat_args
from migrator.codemods.litellm._common import (
    FUNCTIONS,
    litellm_of,
    moved_calls,
    why_not_moved,
)
from migrator.codemods.models import module_constant_literal

from migrator.constants import Constant, module_of
from migrator.cross_module import WrittenConstant, importers_of
from migrator.inventory import CallSite
from migrator.rewrite import STAYS_COMPAT, Plan
from migrator.sites import ModelRef
from migrator.source import code_of


def fix_litellm_stays(plan: Plan) -> None:
    """Before the model and parameter fixers: a call that stays on the openai SDK keeps
    compat's model ids (no LiteLLM prefix) and rules (`Plan.mapping_for`)."""
    plan.analyses[STAYS_COMPAT] = _stays


def _stays(plan: Plan, call: CallSite) -> bool:
    return why_not_moved(plan, call) is not None


def fix_litellm_calls(plan: Plan) -> None:
    section = litellm_of(plan)
    moved = moved_calls(plan)
    _tell_written_constants(plan)
    for call in plan.inventory.calls:
        if call.api not in FUNCTIONS:
            continue  # images, audio, files...: the client fixer says what stays
        why = why_not_moved(plan, call)
        if why is not None:
            # (v0 calls and families the provider lacks: MIG402 / MIG401 say so already)
            if call.style == "v1" and plan.mapping.supports(call.family):
                plan.finding(
                    "MIG181",
                    f"{call.api} stays on the openai SDK at {plan.mapping.name}'s compatible "
                    f"endpoint: {why}",
                    node=call.node,
                )
            continue
        new_keywords = _keywords(plan, call)
        family = call.family
        rejected = _rejected(plan, call)
        splats = ", ".join("**" + code_of(a.value) for a in splat_args(call.node))
        if splats and family == "chat":
            plan.finding(
                "MIG186",
                f"the keywords of {splats} "
                f"are not checked against LiteLLM's {section.route(family).prefix}/ route: one "
                "it does not list raises UnsupportedParamsError before sending",
                node=call.node,
            )
        if rejected:
            names = ", ".join(rejected)
            plan.mark(
                call.node,
                "MIG185",
                f"LiteLLM's {section.route(family).prefix}/ route raises UnsupportedParamsError "
                f"for {names} before sending, and {plan.mapping.name} does not take "
                f"{'it' if len(rejected) == 1 else 'them'} either (mapping): remove "
                f"{'it' if len(rejected) == 1 else 'them'}",
                f"LiteLLM rejects {names} for {plan.mapping.name} (UnsupportedParamsError)",
            )
        function = FUNCTIONS[call.api][1 if call.is_async else 0]
        plan.add_import_in_place("litellm")  # where the openai import stood, in its group
        func = cst.parse_expression(f"litellm.{function}")
        if plan.replace(
            call.node,
            lambda node, f=func, k=new_keywords, c=call, r=rejected: _moved(plan, c, node, f, k, r),
            "MIG180",
        ):
            moved[call.node] = function
            plan.finding(
                "MIG180",
                f"{call.api} -> litellm.{function} ({plan.mapping.name} through LiteLLM's "
                f"{section.route(family).prefix}/ route)",
                node=call.node,
            )
    _restate_hidden_clients(plan, moved)


# compat's MIG106 (client_endpoint.report_unknown_clients), which counts every call here
# through a client built elsewhere.
_HIDDEN_CLIENT_CALLS = re.compile(r"^\d+ call\(s\) here go through a client created elsewhere")


def _restate_hidden_clients(plan: Plan, moved: dict[cst.CSTNode, str]) -> None:
    """compat's MIG106 says calls through a client built elsewhere are migrated where it is
    built; those that moved to LiteLLM no longer go through it (MIG180 says where they
    go). The finding counts the calls that stay on the openai SDK, or goes."""
    said = [f for f in plan.findings if f.id == "MIG106" and _HIDDEN_CLIENT_CALLS.match(f.message)]
    if not said:
        return
    plan.findings[:] = [f for f in plan.findings if f not in said]
    staying = [
        c
        for c in plan.inventory.calls
        if c.style == "v1"
        and c.client is None
        and not c.module_client
        and c.made_by is None
        and c.node not in moved
    ]
    if staying:
        plan.finding(
            "MIG106",
            f"{len(staying)} call(s) here go through a client created elsewhere (a parameter "
            "or another module) and stay on the openai SDK: it is migrated where it is "
            "constructed, if that file is in this run",
            node=staying[0].node,
        )


def _tell_written_constants(plan: Plan) -> None:
    """The constants of this file that other files' calls asked to change (their model
    ids): tell the files importing each what it now holds, so that a call there whose
    model is the constant knows whether the id carries its route's prefix."""
    module = module_of(plan.path)
    for edit in plan.options.constant_edits:
        node = module_constant_literal(plan.module, edit.name)
        value = _written_value(plan, node) if isinstance(node, cst.SimpleString) else None
        if value is None or not module:
            continue  # not a string this file rewrote (left: a test here reads it)
        for path in importers_of(plan.options.importers, edit.name):
            plan.request(WrittenConstant(path, module, edit.name, value))


def _written_value(plan: Plan, node: cst.SimpleString) -> str | None:
    """The string `node` holds once this file's edits are applied (None: not edited)."""
    edits = plan.edits.get(node)
    if not edits:
        return None
    new: cst.CSTNode = node
    for edit in edits:
        new = edit(new)
    value = new.evaluated_value if isinstance(new, cst.SimpleString) else None
    return value if isinstance(value, str) else None


def _keywords(plan: Plan, call: CallSite) -> dict[str, cst.BaseExpression]:
    """What the LiteLLM call needs that the client carried: key, base, route."""
    section = litellm_of(plan)
    family = call.family
    out: dict[str, cst.BaseExpression] = {
        "api_key": env_read(plan, plan.target.key_env, at=call.node)
    }
    base = section.api_base(family, plan.target.base_url)
    if base is not None:
        out["api_base"] = cst.SimpleString(json.dumps(base))
    elif plan.target.base_url is None and plan.target.base_url_env:
        # An endpoint only the environment names (a gateway): read where compat's client
        # reads it; without api_base= the `openai/` route would go to OpenAI's host.
        out["api_base"] = env_read(plan, plan.target.base_url_env, at=call.node)
    if not _model_routed(plan, call):
        prefix = section.route(family).prefix
        out["custom_llm_provider"] = cst.SimpleString(f'"{prefix}"')
    return out


def _model_routed(plan: Plan, call: CallSite) -> bool:
    """Is the call's model known to carry the route's prefix: a literal of this file the
    model fixer rewrote (to the strategy view's prefixed id), a constant of another file
    that said it now holds one (WrittenConstant), or each of several such values?
    Anything else — a literal it left (no target, a vision model the provider lacks), a
    constant whose file did not say, a value from data — gets `custom_llm_provider=`:
    without a prefix LiteLLM would send an OpenAI id to OpenAI, with the provider's key."""
    ref = call.model
    if ref is None or call.node in plan.models_left:
        return False
    prefix = litellm_of(plan).route(call.family).prefix + "/"
    if ref.alternatives:
        return not ref.partial and all(_routed_value(plan, one, prefix) for one in ref.alternatives)
    return _routed_value(plan, ref, prefix)


def _routed_value(plan: Plan, ref: ModelRef, prefix: str) -> bool:
    if ref.literal is not None:
        value = _written_value(plan, ref.literal)
        return value is not None and value.startswith(prefix)
    if ref.constant is not None:
        value = _told_value(plan, ref.constant)
        return value is not None and value.startswith(prefix)
    return False


def _told_value(plan: Plan, constant: Constant) -> str | None:
    """What the file defining `constant` said it now holds (None: it said nothing)."""
    module = module_of(constant.path)
    for notice in plan.options.notices:
        if (
            isinstance(notice, WrittenConstant)
            and notice.module == module
            and notice.name == constant.name
        ):
            return notice.value
    return None


def _rejected(plan: Plan, call: CallSite) -> list[str]:
    """The call's parameters LiteLLM's route rejects that the provider does not take either
    (the mapping's `unsupported`: compat keeps them in the call, and marks them)."""
    mapping = plan.mapping_for(call)
    kept_unsupported = {
        name
        for name in keyword_args(call.node)
        if (rule := mapping.param_rule(call.family, name)) is not None
        and rule.action == "unsupported"
    }
    return litellm_of(plan).unsupported(call.family, kept_unsupported)


def _moved(
    plan: Plan,
    call: CallSite,
    node: cst.Call,
    func: cst.BaseExpression,
    keywords: dict[str, cst.BaseExpression],
    rejected: list[str],
) -> cst.Call:
    """The call as LiteLLM's. Run when the edits are applied, after the earlier fixers'
    edits on the call: `allowed_openai_params` names exactly what the call then sends that
    LiteLLM's route does not list (a parameter the mapping lets through, a `dimensions=`
    the model fixer added), and MIG184 is reported with it."""
    section = litellm_of(plan)
    sent = set(keyword_args(node))
    allowed = [n for n in section.unsupported(call.family, sent) if n not in rejected]
    if allowed:
        keywords = {**keywords, "allowed_openai_params": cst.parse_expression(json.dumps(allowed))}
        them = "it" if len(allowed) == 1 else "them"
        plan.finding(
            "MIG184",
            f"{', '.join(allowed)}: LiteLLM's {section.route(call.family).prefix}/ route does "
            f"not list {them} (UnsupportedParamsError before sending); "
            f"{plan.mapping.name} takes {them} (mapping): passed on with allowed_openai_params",
            node=call.node,
        )
    return edit_call_args(node.with_changes(func=func), set_values=keywords)
