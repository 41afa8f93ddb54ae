"""Report the OpenAI classes of LangChain and llama_index: they reach OpenAI too.

`ChatOpenAI()`, `OpenAIEmbeddings()`, llama_index's `OpenAI()`... wrap the openai SDK
with keyword names of their own. The compat rewrite does not change them yet, so a
run that left them silent would leave requests going to OpenAI with nothing said:
each constructor that is not already pointed at a provider or a local server gets a
finding at its line that says what to set, in that library's keywords.

Rules:
  MIG120 OpenAI class of another library (LangChain, llama_index): not rewritten
"""

from __future__ import annotations

import libcst as cst
from migrator.codemods.policy.endpoints import SHOWN_ELSEWHERE, endpoint_of

from migrator.endpoint_trace import trace_endpoint
from migrator.inventory import WrapperSite
from migrator.rewrite import Plan


def fix_wrapper_clients(plan: Plan) -> None:
    for site in plan.inventory.wrappers:
        if _already_elsewhere(plan, site):
            continue
        if site.kind.azure and plan.target.client == "azure":
            continue  # an Azure class at an Azure target: its env names are the env fixer's
        plan.finding("MIG120", _advice(plan, site), node=site.node)


def _already_elsewhere(plan: Plan, site: WrapperSite) -> bool:
    """Its endpoint is shown to be a provider's or a local server's (traced as a client's
    base_url is); an endpoint that cannot be placed may still be OpenAI's: reported."""
    if site.base_url is None:
        return False
    values = plan.inventory.endpoint_values
    trace = trace_endpoint(site.base_url, values) if values is not None else ()
    return endpoint_of(plan, site.base_url, trace).kind in SHOWN_ELSEWHERE


def _advice(plan: Plan, site: WrapperSite) -> str:
    compat = plan.target
    name = site.qualified.rsplit(".", 1)[-1]
    url = f'"{compat.base_url}"' if compat.base_url else f'os.environ["{compat.base_url_env}"]'
    key = f'os.environ["{compat.key_env}"]'
    library = site.kind.library
    made = "" if isinstance(site.node, cst.Call) else " (handed on here, built elsewhere)"
    lead = (
        f"{library} `{name}`{made} sends to OpenAI and migrator does not rewrite {library} classes"
    )
    if compat.client == "azure":
        return f"{lead}: use its Azure class (azure_endpoint, api_version, api_key={key})"
    if library == "llama_index":
        return (
            f"{lead}: use llama_index's `OpenAILike` (llama-index-llms-openai-like) with "
            f"api_base={url}, api_key={key}, a model id of {plan.mapping.name} and "
            "is_chat_model=True (llama_index's `OpenAI` rejects model ids it does not know)"
            if site.kind.family == "chat"
            else f"{lead}: give it api_base={url}, api_key={key} and a "
            f"embedding model of {plan.mapping.name}"
        )
    plain = "OpenAIEmbeddings" if site.kind.family == "embeddings" else "ChatOpenAI"
    base = f"use `{plain}` with" if site.kind.azure else "give it"
    extra = (
        ", check_embedding_ctx_length=False (other endpoints reject token-id input)"
        if site.kind.family == "embeddings"
        else ""
    )
    return (
        f"{lead}: {base} base_url={url}, api_key={key} and a model id of {plan.mapping.name}{extra}"
    )
