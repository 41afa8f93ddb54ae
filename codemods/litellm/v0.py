"""openai<1 module code under the litellm strategy, without --upgrade-v0.

LiteLLM pins openai>=2.20,<4 (litellm==1.110.2: METADATA, Requires-Dist), so once it is
installed a v0 module call (`openai.ChatCompletion.create`) raises APIRemovedInV1: the
strategy cannot leave such calls as they are. `openai.ChatCompletion.create/acreate(...)`
and `openai.Embedding.create/acreate(...)` therefore move to `litellm.completion /
acompletion / embedding / aembedding(...)` by themselves, as the v1 calls do
(litellm/calls.py makes the move: route-prefixed model, `api_key=os.environ[...]`,
`api_base=` where the section says so); the argument changes are the v0 upgrade's
(`engine=` -> `model=`, `request_timeout=` -> `timeout=`, per-request credentials
dropped: codemods/v0/calls.py). `--upgrade-v0` still upgrades the v0 calls LiteLLM's
functions do not cover (Completion, Image, Audio...) to a v1 client.

A v0 call stays (MIG190, saying why) where the move could lose something: a module
setting LiteLLM's call has no place for (`openai.proxy`, Azure settings, a key the code
reads from its own config), an endpoint already away from OpenAI, a `**mapping` that may
carry credentials, positional arguments, a routed family.

Module settings (`openai.api_key = ...`, `openai.api_base = ...`) that served only the
moved calls are removed (MIG191): each LiteLLM call carries the provider's key and base.
Settings that still serve something (a v0 call left, a v1 module-client call, a read of
`openai.api_key`) are retargeted as compat retargets them and marked (MIG192).

`openai.error.X` is renamed to the v1 name (codemods/v0/exceptions.py), which LiteLLM's
exceptions subclass (litellm==1.110.2: litellm/exceptions.py), with one gap: its
ServiceUnavailableError (503) subclasses openai.APIStatusError, not the
InternalServerError v0's ServiceUnavailableError becomes, so that handler is marked
(MIG194).

Responses: LiteLLM's ModelResponse / EmbeddingResponse / stream chunks answer v0's
dict-style reads (`r["choices"][0]["message"]["content"]`, `r["usage"]["total_tokens"]`,
`chunk["choices"][0]["delta"].get("content")`, `e["data"][0]["embedding"]`: embedding
items are plain dicts), checked by execution. What differs is reshaped (MIG193): a field
v0 left out is None on LiteLLM's objects (a stream's last delta has content None), so
`x.get("k", default)` becomes `(x.get("k") or default)` and `"k" in x` becomes
`"k" in x and x["k"] is not None`; `to_dict_recursive()` (v0 only) becomes `to_dict()`. A response
handed on whole (`json.dumps(r)`: ModelResponse is no dict) is marked (MIG194).

Rules:
  MIG190 v0 module call left under strategy litellm, and why
  MIG191 v0 module setting removed: every call it served moved to LiteLLM (edit)
  MIG192 v0 module setting kept next to LiteLLM: something else still reads it
  MIG193 v0 dict-style response read reshaped for LiteLLM's objects (edit)
  MIG194 v0 response or exception handler LiteLLM's objects may not honour
"""

from __future__ import annotations

import libcst as cst
from migrator.codemods._edit import splat_args
from migrator.codemods.litellm._common import (
    FUNCTIONS,
    V0_DECISIONS,
    moved_calls,
    reads_openai_key,
    why_not_moved,
)
from migrator.codemods.module_settings import fix_module_settings, retarget_module_settings
from migrator.codemods.policy.arguments import ACCOUNT_ARGS, ENDPOINT_SETTINGS
from migrator.codemods.policy.endpoints import module_endpoint_kept
from migrator.codemods.v0.calls import TAKEN, V0Calls, fix_v0_calls, upgraded_calls
from migrator.codemods.v0.client_imports import remove_v0_names
from migrator.codemods.v0.exceptions import rename_v0_exceptions
from migrator.codemods.v0.facts import facts_of
from migrator.codemods.v0.responses import needs_parentheses, or_default

from migrator.inventory import CallSite, ConfigSite
from migrator.response_flow import follow
from migrator.rewrite import Plan
from migrator.source import code_of
from migrator.walk import walk

_AZURE_SETTINGS = ("api_type", "api_version", "azure_endpoint")


# -- which v0 calls move -----------------------------------------------------------------
def v0_decisions(plan: Plan) -> dict[cst.CSTNode, str | None]:
    """v0 chat/embeddings call -> why it stays (None: it moves to LiteLLM); decided once
    per file, before the module settings are touched."""
    if V0_DECISIONS in plan.analyses:
        decided: dict[cst.CSTNode, str | None] = plan.analyses[V0_DECISIONS]
        return decided
    decided = {}
    v0_calls = [c for c in plan.inventory.calls if c.style == "v0" and c.api in FUNCTIONS]
    if v0_calls:
        settings_why = _settings_why(plan)
        for call in v0_calls:
            decided[call.node] = settings_why or _call_why(plan, call)
    plan.analyses[V0_DECISIONS] = decided
    return decided


def _settings_why(plan: Plan) -> str | None:
    """What the module's settings carry that LiteLLM's calls would lose (None: nothing)."""
    for site in plan.inventory.configs:
        setting = site.setting
        if setting in _AZURE_SETTINGS:
            return f"the module is set up for Azure (openai.{setting})"
        if setting in ENDPOINT_SETTINGS:
            if module_endpoint_kept(plan):
                return f"openai.{setting} points away from OpenAI (kept as it is)"
        elif setting == "api_key":
            literal = isinstance(site.value, (cst.SimpleString, cst.ConcatenatedString))
            if not literal and not reads_openai_key(plan, site.value):
                return (
                    f"openai.api_key = {code_of(site.value)} is a key the code chose, which "
                    "the LiteLLM call's provider key would replace"
                )
        elif setting not in ACCOUNT_ARGS:
            return f"openai.{setting} is set for the module, and a LiteLLM call would lose it"
    return None


def _call_why(plan: Plan, call: CallSite) -> str | None:
    if facts_of(plan).call_targets.get(call.node) is None:
        return "migrator cannot tell which openai<1 method it calls"
    if not plan.mapping.supports(call.family):
        return f"{plan.mapping.name} has no {call.family} endpoint (MIG401)"
    if plan.options.route_for(call.family) is not None:
        return "its family is routed to a second provider (--route)"
    if any(a.keyword is None and a.star != "**" for a in call.node.args):
        return "it passes positional arguments, which LiteLLM's functions do not take"
    if splat_args(call.node):
        splat = code_of(splat_args(call.node)[0].value)
        return f"**{splat} may carry api_key= or other v0 arguments the LiteLLM call must set"
    return None


def fix_litellm_v0_calls(plan: Plan) -> None:
    """The moving calls get the v0 upgrade's argument changes (litellm/calls.py moves
    them later, with the v1 calls); --upgrade-v0 upgrades the others; MIG190 says why a
    call stays."""
    decided = v0_decisions(plan)
    moving = [c for c in plan.inventory.calls if c.node in decided and decided[c.node] is None]
    if moving:
        plan.analyses[TAKEN] = {c.node for c in moving}
        arguments = V0Calls(plan, facts_of(plan))
        for call in moving:
            edit = arguments.arguments_edit(call, "create")
            assert edit is not None, code_of(call.node)  # (_call_why left those it refuses)
            plan.replace(call.node, edit, "MIG180")
        remove_v0_names(plan)  # (`from openai import ChatCompletion`, if nothing else uses it)
        plan.remove_import_if_unused("openai")
    fix_v0_calls(plan)
    state = upgraded_calls(plan)
    upgraded = {u.site.node for u in state.upgraded} if state is not None else set()
    for call in plan.inventory.calls:
        if call.style != "v0" or (call.node in decided and decided[call.node] is None):
            continue
        if not plan.mapping.supports(call.family):
            continue  # MIG401 says so
        why = decided.get(call.node) or (
            f"LiteLLM's completion/embedding do not cover {call.api} (the mapping's litellm: "
            "section routes chat and embeddings)"
        )
        if call.node in upgraded:
            where = "upgraded to a v1 client at the compatible endpoint (--upgrade-v0)"
        else:
            where = (
                "left as openai<1 code, which fails beside LiteLLM (it installs openai>=2.20): "
                + (
                    "port it by hand"
                    if plan.options.upgrade_v0  # (the upgrade's own finding says why)
                    else "rerun with --upgrade-v0 to move it to a v1 client, or port it by hand"
                )
            )
        plan.finding("MIG190", f"{call.api} not moved to LiteLLM: {why}; {where}", node=call.node)


# -- module settings -----------------------------------------------------------------------
def fix_litellm_module_settings(plan: Plan) -> None:
    decided = v0_decisions(plan)
    moved = {node for node, why in decided.items() if why is None}
    if not moved:
        fix_module_settings(plan)  # (nothing moved: compat's settings serve the calls)
        return
    calls = plan.inventory.calls
    left_v0 = [c for c in calls if c.style == "v0" and c.node not in moved]
    if left_v0 and plan.options.upgrade_v0:
        return  # the v0 client fixer folds them into the client of the calls it upgrades
    served = [*left_v0, *(c for c in calls if c.module_client)]
    reads = _setting_reads(plan)
    if served or reads:
        retarget_module_settings(plan, plan.inventory.configs, served)  # (adds missing ones)
        what = [f"line {plan.line_of(c.node)} ({c.api})" for c in served[:2]]
        what += [f"line {plan.line_of(n)} reads {code_of(n)}" for n in reads[:2]]
        for site in plan.inventory.configs:
            if site.setting in ACCOUNT_ARGS:
                continue  # removed by compat's rules (MIG102)
            plan.finding(
                "MIG192",
                f"openai.{site.setting} kept (retargeted as compat does): the calls moved to "
                f"LiteLLM carry their own key, but {'; '.join(what)} still go through the "
                "module",
                node=site.node,
            )
        return
    # A setting sharing its line with another statement cannot be removed alone: it is
    # treated as compat treats it (retargeted, an account setting marked MIG102), which
    # is what a second run does once no v0 call is left, and marked as serving nothing.
    shared = [site for site in plan.inventory.configs if not _alone(plan, site)]
    retarget_module_settings(plan, shared, [])
    for site in plan.inventory.configs:
        if site not in shared:
            _remove_setting(plan, site)
        elif site.setting not in ACCOUNT_ARGS:
            plan.mark(
                site.node,
                "MIG192",
                f"openai.{site.setting} serves no call any more (they moved to LiteLLM, "
                "which passes the provider's key): remove it",
                short=f"openai.{site.setting} serves no call any more: remove it",
            )
    plan.remove_import_if_unused("openai")


def _alone(plan: Plan, site: ConfigSite) -> bool:
    """Is the setting a statement of its own line, in a body that keeps another?"""
    statement = plan.statement_of(site.node)
    body = getattr(plan.parent_of(statement), "body", ())
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(body, (list, tuple))
        and len(body) > 1
    )


def _remove_setting(plan: Plan, site: ConfigSite) -> None:
    statement = plan.statement_of(site.node)
    plan.withdraw_edits_within(statement)
    if plan.replace(statement, lambda _: cst.RemoveFromParent(), "MIG191"):
        plan.finding(
            "MIG191",
            f"openai.{site.setting} removed: every call it served moved to LiteLLM, which "
            f"passes {plan.mapping.name}'s key (and endpoint) on each call",
            node=site.node,
        )


def _setting_reads(plan: Plan) -> list[cst.Attribute]:
    """Reads of a module setting (`if not openai.api_key: ...`) other than the assignments:
    with the setting gone they would see openai's default."""
    locals_ = {
        b.local
        for b in plan.inventory.bindings
        if isinstance(b.node, cst.Import) and b.imported == "openai"
    }
    targets = {t.target for site in plan.inventory.configs for t in site.node.targets}
    settings = {site.setting for site in plan.inventory.configs}
    found: list[cst.Attribute] = []

    class Reads(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> None:
            if (
                node not in targets
                and isinstance(node.value, cst.Name)
                and node.value.value in locals_
                and node.attr.value in settings
            ):
                found.append(node)

    walk(plan.module, Reads())
    return found


# -- exceptions ----------------------------------------------------------------------------
def fix_litellm_v0_exceptions(plan: Plan) -> None:
    """`openai.error.X` -> the v1 names with or without --upgrade-v0: openai.error does
    not exist in the openai LiteLLM installs."""
    rename_v0_exceptions(plan)
    if not _litellm_calls_here(plan):
        return  # (the handlers catch openai's errors only)
    for node, qualified in facts_of(plan).exception_refs:
        if qualified.rsplit(".", 1)[-1] == "ServiceUnavailableError":
            plan.finding(
                "MIG194",
                f"{qualified} became openai.InternalServerError, which LiteLLM's 503 error "
                "does not subclass (litellm.ServiceUnavailableError is an "
                "openai.APIStatusError): catch litellm.ServiceUnavailableError too",
                node=node,
            )


def _litellm_calls_here(plan: Plan) -> bool:
    """Does a call of this file move to LiteLLM (v0 or v1)?"""
    if any(why is None for why in v0_decisions(plan).values()):
        return True
    return any(
        c.style == "v1" and c.api in FUNCTIONS and why_not_moved(plan, c) is None
        for c in plan.inventory.calls
    )


# -- responses -----------------------------------------------------------------------------
def fix_litellm_v0_responses(plan: Plan) -> None:
    moved = moved_calls(plan)
    calls = [c.node for c in plan.inventory.calls if c.style == "v0" and c.node in moved]
    if not calls:
        return
    uses = follow(plan, calls)
    done: set[cst.CSTNode] = set()
    for access in uses.accesses:
        if access.path[-1:] not in (("choices",), ("data",), ("tool_calls",)):
            _membership(plan, access.end)  # (not on a list: `x in choices` is no key test)
        for step in access.steps:
            if step.node in done:
                continue
            done.add(step.node)
            if step.kind == "get" and step.field is not None:
                assert isinstance(step.node, cst.Call)
                _get_or_default(plan, step.node)
            elif step.kind == "method" and step.field == "to_dict_recursive":
                if plan.replace(
                    step.node,
                    lambda n: n.with_changes(attr=cst.Name("to_dict")),
                    "MIG193",
                ):
                    plan.finding(
                        "MIG193",
                        "to_dict_recursive() -> to_dict(): LiteLLM's responses have no "
                        "to_dict_recursive",
                        node=step.node,
                    )
    for escape in uses.escapes:
        if escape.path == () and escape.kind == "argument":
            plan.finding(
                "MIG194",
                f"the response is {escape.where}: it is LiteLLM's ModelResponse now, not "
                "openai<1's dict (json.dumps fails on it): pass response.to_dict() where a "
                "dict is needed",
                node=escape.node,
            )


def _membership(plan: Plan, value: cst.BaseExpression) -> None:
    """`"k" in x` -> `"k" in x and x["k"] is not None` (`not in`: `... or x["k"] is None`):
    LiteLLM's objects hold every field, None where openai<1's dict left it out (a stream's
    last delta has `content` None), so the key test alone no longer says there is a value.
    The key test stays as written (a plain dict still answers it)."""
    target = plan.parent_of(value)
    if not (
        isinstance(target, cst.ComparisonTarget)
        and target.comparator is value
        and isinstance(target.operator, (cst.In, cst.NotIn))
    ):
        return
    comparison = plan.parent_of(target)
    if not (
        isinstance(comparison, cst.Comparison)
        and len(comparison.comparisons) == 1
        and isinstance(comparison.left, cst.SimpleString)
    ):
        return
    absent = isinstance(target.operator, cst.NotIn)
    key = code_of(comparison.left)
    parent = plan.parent_of(comparison)
    # `a and b` needs no parentheses in a boolean operation (`and` binds tighter than
    # `or`); `a or b` does inside an `and`
    joined_safely = isinstance(parent, _TEST_PARENTS) or (
        isinstance(parent, cst.BooleanOperation)
        and (not absent or isinstance(parent.operator, cst.Or))
    )
    wrap = not joined_safely or bool(comparison.lpar)

    def edit(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Comparison)
        holder = code_of(node.comparisons[0].comparator.with_changes(lpar=[], rpar=[]))
        test = code_of(node.with_changes(lpar=[], rpar=[]))
        joined = (
            f"{test} or {holder}[{key}] is None"
            if absent
            else f"{test} and {holder}[{key}] is not None"
        )
        return cst.parse_expression(f"({joined})" if wrap else joined)

    if plan.replace(comparison, edit, "MIG193"):
        plan.finding(
            "MIG193",
            f"{code_of(comparison)}: LiteLLM's responses hold every field, None where "
            f"openai<1's left it out: the value is tested too ({code_of(value)}[{key}] "
            f"{'is' if absent else 'is not'} None)",
            node=comparison,
        )


# Where a test's `a and b` / `a or b` needs no parentheses (the whole condition).
_TEST_PARENTS = (cst.If, cst.While, cst.Assert, cst.IfExp, cst.Assign, cst.Return, cst.Expr)


def _get_or_default(plan: Plan, call: cst.Call) -> None:
    """`x.get("k", d)` -> `(x.get("k") or d)`: where v0's response left a field out,
    LiteLLM's object holds None, which `get` returns instead of `d`."""
    if len(call.args) != 2:
        return
    default = call.args[1].value
    if isinstance(default, cst.Name) and default.value == "None":
        return
    wrap = needs_parentheses(plan, call)

    def edit(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Call)
        get = node.with_changes(
            args=[node.args[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)], lpar=[], rpar=[]
        )
        return or_default(node, get, wrap)

    if plan.replace(call, edit, "MIG193"):
        plan.finding(
            "MIG193",
            f"{code_of(call)} -> ({code_of(call.func)}({code_of(call.args[0].value)}) or "
            f"{code_of(default)}): LiteLLM's responses hold None where openai<1's left the "
            "field out",
            node=call,
        )
