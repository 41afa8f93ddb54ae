"""The OpenAI classes of LangChain and llama_index: they reach OpenAI too.

`ChatOpenAI()`, `OpenAIEmbeddings()`, llama_index's `OpenAI()`... wrap the openai SDK
with keyword names of their own. Those `wrapper_decision` lets through are pointed at
the provider (wrapper_rewrite.py); a run that left the others silent would leave
requests going to OpenAI with nothing said: each one that is not already pointed at a
provider or a local server gets a finding at its line that says why it is left and what
to set, in that library's keywords. Under `--strategy native` they stay on the
OpenAI-compatible endpoint (the strategy runs this fixer with compat's target), and
MIG163 names the provider's own integration where it has one.

Rules:
  MIG120 OpenAI class of another library (LangChain, llama_index): not rewritten
  MIG160-MIG163 see wrapper_rewrite.py
"""

from __future__ import annotations

import libcst as cst
from migrator.codemods.wrapper_decision import wrapper_decision
from migrator.codemods.wrapper_rewrite import rewrite_wrapper

from migrator.inventory import WrapperSite
from migrator.rewrite import Plan


def fix_wrapper_clients(plan: Plan) -> None:
    for site in plan.inventory.wrappers:
        decision = wrapper_decision(plan, site)
        if decision.rewrite:
            rewrite_wrapper(plan, site, decision)
        elif decision.reason:
            plan.finding("MIG120", _advice(plan, site, decision.reason), node=site.node)


def _advice(plan: Plan, site: WrapperSite, reason: str) -> str:
    compat = plan.target
    name = site.qualified.rsplit(".", 1)[-1]
    url = f'"{compat.base_url}"' if compat.base_url else f'os.environ["{compat.base_url_env}"]'
    key = f'os.environ["{compat.key_env}"]'
    library = site.kind.library
    made = "" if isinstance(site.node, cst.Call) else " (handed on here, built elsewhere)"
    lead = f"{library} `{name}`{made} sends to OpenAI and is left as it is: {reason}"
    if compat.client == "azure":
        return f"{lead}: use its Azure class (azure_endpoint, api_version, api_key={key})"
    if library == "llama_index":
        return (
            f"{lead}: use llama_index's `OpenAILike` (llama-index-llms-openai-like) with "
            f"api_base={url}, api_key={key}, a model id of {plan.mapping.name} and "
            "is_chat_model=True (llama_index's `OpenAI` rejects model ids it does not know)"
            if site.kind.family == "chat"
            else f"{lead}: use llama_index's `OpenAILikeEmbedding` "
            f"(llama-index-embeddings-openai-like) with api_base={url}, api_key={key} and "
            f"model_name= an embedding model of {plan.mapping.name}"
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
