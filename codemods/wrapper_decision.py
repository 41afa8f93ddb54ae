"""Which LangChain / llama_index OpenAI classes the compat rewrite points at the provider.

Decided once per file, before any fixer edits: the env-var fixer asks whether a wrapper's
`openai_api_key=os.environ["OPENAI_API_KEY"]` feeds a class that is migrated (renamed)
or one left as it is (kept), exactly as for the openai SDK's clients.

A class is rewritten when it is constructed here with keywords the rewrite can read
(no `*args` / `**kwargs`, which may carry the endpoint, key or model unseen: a keyword
added next to them could be doubled), its endpoint is shown to be OpenAI's (as a
client's base_url is: policy/endpoints.py), and the provider serves its family (a
completions class at a provider without the completions endpoint is left). Everything
else is left, with a reason the wrapper fixer reports (MIG120).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import libcst as cst
from migrator.codemods.policy.endpoints import (
    KEPT_KINDS,
    SHOWN_ELSEWHERE,
    Destination,
    endpoint_of,
)

from migrator.endpoint_trace import trace_endpoint
from migrator.inventory import WrapperSite
from migrator.mapping import Mapping
from migrator.rewrite import Plan
from migrator.source import code_of
from migrator.strategy import Endpoint


@dataclass(frozen=True)
class WrapperDecision:
    """`rewrite`: the class is pointed at the provider. Otherwise `reason` says why it is
    left (empty: it already targets another endpoint, nothing to say)."""

    rewrite: bool
    reason: str = ""
    endpoint: Destination | None = None
    model: cst.BaseExpression | None = None  # the model argument's value, if any
    model_keyword: str | None = None  # None: positional (or absent)


def wrapper_target(plan: Plan, site: WrapperSite) -> tuple[Mapping, Endpoint]:
    """The provider (its mapping: models, name) and endpoint (base URL, key variable) a
    wrapper class is pointed at. Every wrapper edit reads its target here: the target's,
    or for a class of a routed family (`--route embeddings=qwen`: `OpenAIEmbeddings`) the
    route provider's compatible endpoint, where the SDK's calls of that family go too."""
    route = plan.route_for(site.kind.family)
    if route is not None:
        return route.mapping, cast("Endpoint", route.endpoint)
    return plan.mapping, plan.target


def wrapper_decision(plan: Plan, site: WrapperSite) -> WrapperDecision:
    """Cached per file (see the module docstring)."""
    cache = plan.analyses.setdefault("wrapper_decisions", {})
    assert isinstance(cache, dict)
    found = cache.get(id(site.node))
    if found is None:
        found = cache[id(site.node)] = _decide(plan, site)
    return found


def rewritten_wrapper(plan: Plan, call: cst.Call) -> WrapperSite | None:
    """The wrapper site of `call` when the rewrite points it at the provider."""
    for site in plan.inventory.wrappers:
        if site.node is call:
            return site if wrapper_decision(plan, site).rewrite else None
    return None


def wrapper_site_of(plan: Plan, call: cst.Call) -> WrapperSite | None:
    return next((s for s in plan.inventory.wrappers if s.node is call), None)


def _decide(plan: Plan, site: WrapperSite) -> WrapperDecision:
    endpoint = _endpoint(plan, site)
    if endpoint is not None and endpoint.kind in SHOWN_ELSEWHERE:
        return WrapperDecision(False, "", endpoint)
    call = site.node
    kind = site.kind
    mapping, target = wrapper_target(plan, site)
    if not isinstance(call, cst.Call):
        return WrapperDecision(False, "migrator rewrites the constructors it sees")
    if plan.suppressed("MIG160", call):
        return WrapperDecision(False, "")  # `# migrator: ignore[MIG160]`: the user keeps it
    if target.client == "azure":
        if kind.azure:
            return WrapperDecision(False, "")  # an Azure class at an Azure target: env fixer's
        return WrapperDecision(False, f"{mapping.name} is served through Azure classes")
    if kind.azure and not kind.plain:
        return WrapperDecision(
            False, "llama_index's Azure classes take deployment names, not converted yet"
        )
    if any(arg.star for arg in call.args):
        splat = next(arg for arg in call.args if arg.star)
        return WrapperDecision(
            False,
            f"`{splat.star}{_code(splat.value)}` may already set its endpoint, key or model "
            "(adding them could pass a keyword twice)",
        )
    positional = [arg for arg in call.args if arg.keyword is None]
    model: cst.BaseExpression | None = None
    model_keyword: str | None = None
    if positional:
        if kind.model_position != 0 or len(positional) > 1:
            return WrapperDecision(False, "it takes positional arguments migrator does not read")
        model = positional[0].value
    if not mapping.supports(kind.family):
        return WrapperDecision(
            False, f"{mapping.name} has no OpenAI-compatible {kind.family} endpoint"
        )
    if endpoint is not None and endpoint.kind in KEPT_KINDS:
        return WrapperDecision(False, "its endpoint is not shown to be OpenAI's", endpoint)
    keywords = {arg.keyword.value: arg for arg in call.args if arg.keyword is not None}
    route = plan.route_for(kind.family)
    key_given = next((k for k in kind.key_keywords if k in keywords), None)
    if route is not None and key_given is not None:
        # the key rules (policy/keys.py) rename OpenAI's key to the target's; a routed
        # class needs the route provider's, which they do not know: left, not guessed
        return WrapperDecision(
            False,
            f"its {kind.family} go to {mapping.name} (--route) and its `{key_given}` is "
            f"given in code: set it to the {mapping.name} key (`{target.key_env}`) with "
            "the endpoint and model",
        )
    given = [k for k in kind.model_keywords if k in keywords]
    if len(given) > 1 or (given and model is not None):
        return WrapperDecision(False, "its model is given twice")
    if given:
        model_keyword = given[0]
        model = keywords[model_keyword].value
    return WrapperDecision(True, "", endpoint, model, model_keyword)


def _endpoint(plan: Plan, site: WrapperSite) -> Destination | None:
    """Where the class's endpoint keyword points (None: it has none)."""
    if site.base_url is None:
        return None
    values = plan.inventory.endpoint_values
    trace = trace_endpoint(site.base_url, values) if values is not None else ()
    # an Azure class's endpoint is Azure's wherever it comes from (as for AzureOpenAI)
    return endpoint_of(plan, site.base_url, trace, azure=site.kind.azure)


def _code(node: cst.CSTNode) -> str:
    return " ".join(code_of(node).split())
