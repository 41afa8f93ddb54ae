"""What the litellm fixers share: the mapping's `litellm:` section, and which calls move.

A call moves to LiteLLM when migrator can show where it went (its client is one compat
would point at the provider) and the call has LiteLLM's shape (`<client>.chat.completions
.create(...)` or `<client>.embeddings.create(...)`, no `with_options`/raw-response links).
The call fixer records the moved calls in `plan.analyses[MOVED]`; the client fixer reads it
to remove clients no call needs any more.
"""

from __future__ import annotations

import libcst as cst
from migrator.codemods._edit import keyword_args, splat_args, splat_may_carry
from migrator.codemods.env_flow import env_read_of
from migrator.codemods.native._imports import qualified_of
from migrator.codemods.policy.arguments import ACCOUNT_ARGS
from migrator.codemods.policy.endpoints import client_kept
from migrator.codemods.policy.env_names import KEY_VARS

from migrator.cross_module import told_about
from migrator.inventory import CallSite
from migrator.mapping_litellm import LiteLLM
from migrator.rewrite import Plan
from migrator.source import code_of

MOVED = "litellm.moved"  # call node -> the LiteLLM function it became
# v0 module call node -> why it stays on openai<1 (None: it moves), decided by litellm/v0.py
V0_DECISIONS = "litellm.v0"
# Keywords the LiteLLM call gets that openai's create() does not take.
NEW_KEYWORDS = ("api_key", "api_base", "custom_llm_provider", "allowed_openai_params")
# OpenAI method -> LiteLLM function (sync, async).
FUNCTIONS: dict[str, tuple[str, str]] = {
    "chat.completions.create": ("completion", "acompletion"),
    "embeddings.create": ("embedding", "aembedding"),
}


def litellm_of(plan: Plan) -> LiteLLM:
    section = plan.options.mapping.litellm
    assert section is not None, (
        f"{plan.options.mapping.id} has no litellm: section (the CLI refuses it)"
    )
    return section


def moved_calls(plan: Plan) -> dict[cst.CSTNode, str]:
    found: dict[cst.CSTNode, str] = plan.analyses.setdefault(MOVED, {})
    return found


def client_expression(call: CallSite) -> cst.BaseExpression | None:
    """`x` of `x.chat.completions.create(...)` when the call is exactly that chain (None
    for `x.with_options(...).chat...`, `x.chat.completions.with_raw_response.create`)."""
    node: cst.BaseExpression = call.node.func
    for part in reversed(call.api.split(".")):
        if not isinstance(node, cst.Attribute) or node.attr.value != part:
            return None
        node = node.value
    return node


def why_not_moved(plan: Plan, call: CallSite) -> str | None:
    """Why the call stays on the openai SDK (None: it moves to LiteLLM)."""
    if call.api not in FUNCTIONS:
        return f"LiteLLM's completion/embedding do not cover {call.api}"
    if call.style != "v1":
        decisions: dict[cst.CSTNode, str | None] = plan.analyses.get(V0_DECISIONS, {})
        return decisions.get(call.node, "openai<1 module call that no fixer decided on")
    if not plan.mapping.supports(call.family):  # (mapping_for would ask this function)
        return f"{plan.mapping.name} has no {call.family} endpoint (MIG401)"
    if plan.routed(call) is not None:
        return "it is routed to a second provider (--route)"
    receiver = client_expression(call)
    if receiver is None or isinstance(receiver, cst.Call):
        return (
            "it goes through a client method (with_options, with_raw_response, ...) "
            "that LiteLLM's functions have no equivalent of"
        )
    written = sorted(k for k in NEW_KEYWORDS if k in keyword_args(call.node))
    if written:
        return f"it already names {', '.join(written)}, which the LiteLLM call sets"
    splats = [
        code_of(a.value)
        for a in splat_args(call.node)
        if any(splat_may_carry(a, k) for k in NEW_KEYWORDS)
    ]
    if splats:
        # The key cannot be added beside a mapping that may hold it (a keyword given twice
        # raises TypeError), even one openai's create() would have refused.
        return f"**{splats[0]} may carry api_key=, which the LiteLLM call must set"
    if call.client is not None:
        if client_kept(plan, call.client):
            return "its client is not shown to be OpenAI's (migrator leaves it)"
        held = held_by_client(plan, call.client.node)
        if held:
            return (
                f"its client is built with {', '.join(held)}, which a LiteLLM call would "
                "lose (the client stays, on the provider's compatible endpoint)"
            )
        return None
    if call.module_client:
        return "it goes through the openai module's own client"
    qualified = qualified_of(plan, receiver) if not call.made_by else None
    if qualified is not None:
        told = told_about(plan.options.notices, qualified)
        if told is not None and told.native:
            return None
        return (
            told.why
            if told is not None and told.why
            else f"no file of this run shows that {qualified} is an OpenAI client"
        )
    if all_built_here_move(plan):
        return None  # a client handed in: one of this file's, all of which move
    return "this file does not show which client it goes through"


# Client arguments the move loses nothing with: the endpoint and Azure's routing (the
# provider's replace them), OpenAI account settings (dropped by compat too).
_REPLACED_ARGS = ACCOUNT_ARGS | {"base_url", "azure_endpoint", "azure_deployment", "api_version"}


def held_by_client(plan: Plan, node: cst.CSTNode) -> list[str]:
    """What a client construction carries that calls moved to LiteLLM would drop: a key
    from anywhere but OpenAI's variable or a literal (a config value the user chose),
    retries, headers, an HTTP client, a token provider, positional or `**` arguments."""
    if not isinstance(node, cst.Call):
        return []
    held = []
    for arg in node.args:
        name = arg.keyword.value if arg.keyword is not None else None
        if name is None:
            held.append("**" + code_of(arg.value) if arg.star == "**" else code_of(arg.value))
        elif name == "api_key":
            if isinstance(arg.value, (cst.SimpleString, cst.ConcatenatedString)):
                continue  # a key written in the code is OpenAI's: replaced either way
            if not reads_openai_key(plan, arg.value):
                held.append(f"api_key={code_of(arg.value)}")
        elif name not in _REPLACED_ARGS:
            held.append(f"{name}=")
    return held


def reads_openai_key(plan: Plan, value: cst.BaseExpression) -> bool:
    """Is `value` itself a read of an OpenAI key variable (`os.environ["OPENAI_API_KEY"]`,
    `os.getenv(...)`, through any alias of os), as the env policy reads them?"""
    return any(
        site.value in KEY_VARS and env_read_of(plan, site.node) is value
        for site in plan.inventory.env_reads
    )


def all_built_here_move(plan: Plan) -> bool:
    """Does this file build clients, none of which compat leaves? Then a client it receives
    (a parameter annotated `OpenAI`) is taken to be one of them, as the native strategy
    takes it (native/imported_clients.py)."""
    clients = plan.inventory.clients
    return bool(clients) and not any(client_kept(plan, site) for site in clients)
