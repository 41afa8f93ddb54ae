"""Point a LangChain / llama_index OpenAI class at the provider, in that library's keywords.

For a class `wrapper_decision` lets through (see that module for what is left):
- endpoint: its own keyword (`base_url` / `openai_api_base` / `api_base`) gets the
  provider's endpoint (an OPENAI_* variable read becomes the provider's variable with the
  provider endpoint as default, as for the SDK's clients); none given: added.
- key: as for the SDK's clients (policy/keys.py), under the class's keyword. None given:
  the class would read OPENAI_API_KEY by itself, so the provider's key is passed.
- model: a literal is mapped by the mapping's model table (`--model-map` included); an id
  it lacks stays, with MIG202; a value that is not a literal stays, with MIG201. No
  model: the class's own default (an OpenAI id) is mapped and written.
- what the provider needs: LangChain's `OpenAIEmbeddings` gets
  `check_embedding_ctx_length=False` (other endpoints reject token-id input); llama_index's
  `OpenAI` / `OpenAIEmbedding` become `OpenAILike` / `OpenAILikeEmbedding`, which accept
  any model id (the originals raise ValueError for ids they do not know), with the
  package recorded (`Plan.packages`, `FileResult.packages`) for `migrator apply`, which
  adds it to the dependency lists that name llama-index or openai (apply_plan.py).

Rules:
  MIG160 OpenAI class of LangChain / llama_index pointed at the provider (edit)
  MIG161 llama_index class replaced by its OpenAI-compatible class (new package)
  MIG162 OpenAIEmbeddings sends text: check_embedding_ctx_length=False set
  MIG163 the provider has its own integration in that library (advice)
  MIG170 a class of a routed family (`--route embeddings=...`) points at the route's provider
  MIG200-203 model mapped / not a literal / no equivalent / embedding model changed
"""

from __future__ import annotations

import libcst as cst
from migrator.codemods._edit import (
    edit_call_args,
    env_read,
    env_read_with_default,
    replace_string_value,
    string_literal,
)
from migrator.codemods._scope import imports_from, visible
from migrator.codemods.models import passes_models_through
from migrator.codemods.policy.endpoints import report_endpoint
from migrator.codemods.policy.keys import api_key_value, key_read
from migrator.codemods.wrapper_decision import WrapperDecision, wrapper_target

from migrator.inventory import WrapperSite
from migrator.rewrite import Plan
from migrator.source import code_of
from migrator.strategy import Endpoint
from migrator.wrapper_classes import AZURE_ONLY_KEYWORDS, FIRST_CLASS


def rewrite_wrapper(plan: Plan, site: WrapperSite, decision: WrapperDecision) -> None:
    call = site.node
    assert isinstance(call, cst.Call)
    kind = site.kind
    mapping, target = wrapper_target(plan, site)
    keywords = {arg.keyword.value: arg for arg in call.args if arg.keyword is not None}
    name = site.qualified.rsplit(".", 1)[-1]
    set_values: dict[str, cst.BaseExpression] = {}
    rename: dict[str, str] = {}
    remove: set[str] = set()
    if kind.azure:
        remove = _from_azure(plan, site, keywords)
        keywords = {k: v for k, v in keywords.items() if k not in remove}

    # endpoint, in the keyword the code already uses
    url_keyword = next(
        (k for k in kind.base_url_keywords if k in keywords and k != "azure_endpoint"), None
    )
    if url_keyword is not None and decision.endpoint is not None and not kind.azure:
        report_endpoint(plan, decision.endpoint, site.base_url, "base_url", call)
    from_env = decision.endpoint is not None and decision.endpoint.kind == "env"
    url = endpoint_expression(plan, target, call, from_env)
    set_values[url_keyword or ("base_url" if kind.azure else kind.base_url_keywords[0])] = url

    # key, as the SDK clients' (policy/keys.py)
    key_keyword = next((k for k in kind.key_keywords if k in keywords), None)
    if key_keyword is None:
        set_values[kind.key_keywords[0]] = key_read(plan, target.key_env, at=call)
        if not kind.azure:  # it read OPENAI_API_KEY by itself; now the provider's
            plan.renamed_env.add("OPENAI_API_KEY")
    else:
        key = api_key_value(plan, site, {"api_key": keywords[key_keyword]})  # type: ignore[arg-type]
        if key is not None:
            set_values[key_keyword] = key

    # model
    replacement = kind.replacement
    model_keyword = decision.model_keyword or (
        replacement.model_keyword if replacement else kind.model_keywords[0]
    )
    if replacement is not None and decision.model_keyword is not None:
        if decision.model_keyword != replacement.model_keyword:
            rename[decision.model_keyword] = replacement.model_keyword
    if decision.model is None:
        default = mapping.resolve_model(kind.default_model)
        if default is not None:
            set_values[model_keyword] = string_literal(default.model)
            _embedding_note(plan, site, default.model, default.kind)
        elif not passes_models_through(plan):
            plan.finding(
                "MIG202",
                f"{name} sends {kind.default_model!r} when no model is given, which "
                f"{mapping.name} lacks: set one of its models",
                node=call,
            )
    else:
        _map_model(plan, site, decision.model)

    # what the provider needs
    for setting, value in (*kind.settings, *(replacement.settings if replacement else ())):
        set_values[setting] = cst.Name(str(value))
    if ("check_embedding_ctx_length", False) in kind.settings:
        plan.finding(
            "MIG162",
            f"check_embedding_ctx_length=False: {name} now sends text, not the token-id "
            f"arrays {mapping.name} rejects; texts longer than the model's input limit are no "
            "longer split by tiktoken — split them before embedding",
            node=call,
        )
    new_func: cst.BaseExpression | None = None
    if replacement is not None:
        new_func = class_expression(plan, call, replacement.module, replacement.name)
        plan.remove_import_if_unused(*site.qualified.rsplit(".", 1))
        plan.packages.add((replacement.package, replacement.anchors))
        window = (
            "; its context_window defaults to 3900 tokens: set the model's"
            if kind.family == "chat"
            else ""
        )
        plan.finding(
            "MIG161",
            f"llama_index `{name}` accepts OpenAI model ids only: replaced by "
            f"`{replacement.name}` from {replacement.package} (`migrator apply` adds it to "
            f"dependency lists naming llama-index or openai){window}",
            node=call,
        )
    if kind.plain and not isinstance(call.func, cst.Attribute):
        new_func = class_expression(plan, call, site.qualified.rsplit(".", 1)[0], kind.plain)
    first_class(plan, site)

    def edit(node: cst.Call) -> cst.Call:
        node = edit_call_args(node, set_values=set_values, rename=rename, remove=remove)
        if new_func is not None:
            node = node.with_changes(func=new_func)
        elif kind.plain and isinstance(node.func, cst.Attribute):
            node = node.with_changes(func=node.func.with_changes(attr=cst.Name(kind.plain)))
        return node

    plan.replace(call, edit, "MIG160")
    if plan.route_for(kind.family) is not None:
        plan.finding(
            "MIG170",
            f"{name} goes to {mapping.name} (--route {kind.family}), where the {kind.family} "
            f"calls of the openai clients go too: set {target.key_env} as well",
            node=call,
        )


def _from_azure(plan: Plan, site: WrapperSite, keywords: dict[str, cst.Arg]) -> set[str]:
    """An Azure class becomes its module's plain class (MIG103): Azure's keywords go,
    deployment names with them (the model is then mapped or the default's)."""
    kind = site.kind
    name = site.qualified.rsplit(".", 1)[-1]
    removed = sorted(k for k in keywords if k in AZURE_ONLY_KEYWORDS)
    module = site.qualified.rsplit(".", 1)[0]
    if isinstance(site.node, cst.Call) and not isinstance(site.node.func, cst.Attribute):
        plan.remove_import_if_unused(module, name)
    mapping, _ = wrapper_target(plan, site)
    plan.finding(
        "MIG103",
        f"{name} replaced by {kind.plain} pointed at {mapping.name}"
        + (f"; removed {', '.join(removed)}" if removed else "")
        + "; Azure deployment names are not model ids: the model is the provider's",
        node=site.node,
    )
    return set(removed)


def _map_model(plan: Plan, site: WrapperSite, value: cst.BaseExpression) -> None:
    mapping, _ = wrapper_target(plan, site)
    if not isinstance(value, cst.SimpleString):
        plan.finding(
            "MIG201",
            f"model `{code_of(value)}` of {site.qualified.rsplit('.', 1)[-1]} is not a "
            f"literal: make sure it yields a {mapping.name} model id",
            node=value,
        )
        return
    model = value.evaluated_value
    assert isinstance(model, str)
    found = mapping.resolve_model(model)
    if found is None and passes_models_through(plan):
        return  # a gateway: the id passes through as the SDK clients' do
    if found is None:
        plan.finding(
            "MIG202",
            f"no {mapping.name} equivalent for model {model!r}: left as it is",
            node=value,
        )
        return
    if found.model != model:
        plan.replace(value, lambda n, new=found.model: replace_string_value(n, new), "MIG200")
    _embedding_note(plan, site, found.model, found.kind)


def _embedding_note(plan: Plan, site: WrapperSite, model: str, kind: str) -> None:
    if site.kind.family == "embeddings" or kind == "embedding":
        mapping, _ = wrapper_target(plan, site)
        plan.finding(
            "MIG203",
            f"embeddings now come from {model!r} ({mapping.name}): a different vector "
            "space — stored vectors must be re-embedded",
            node=site.node,
        )


def class_expression(plan: Plan, at: cst.CSTNode, module: str, name: str) -> cst.BaseExpression:
    """`name` imported from `module`, as code at `at`: the bare name, unless the file
    already binds that name to something else (TaskWeaver imports langchain_community's
    ChatOpenAI, and a second `from langchain_openai import ChatOpenAI` would silently
    replace it for all its code): then `module.name` through `import module`."""
    for binding in visible(plan, name, at):
        if not imports_from(plan, binding, module):
            plan.add_import(module)
            return cst.parse_expression(f"{module}.{name}")
    plan.add_import(module, name)
    return cst.Name(name)


def first_class(plan: Plan, site: WrapperSite) -> None:
    """MIG163, once a file and class family: the provider's own integration exists."""
    mapping, _ = wrapper_target(plan, site)
    label = f"{site.kind.library} {site.kind.family}"
    own = FIRST_CLASS.get(mapping.id, {}).get(label)
    noted = plan.analyses.setdefault("wrapper_first_class", set())
    if own is None or label in noted:
        return
    noted.add(label)
    plan.finding(
        "MIG163",
        f"{mapping.name} has its own {site.kind.library} integration, `{own}`; this class "
        "stays on the OpenAI-compatible endpoint (the rewrite migrator can show to run)",
        node=site.node,
    )


def endpoint_expression(
    plan: Plan, target: Endpoint, at: cst.CSTNode, from_env: bool
) -> cst.BaseExpression:
    """The target's endpoint as code: its URL, or read from its variable when the code
    read OpenAI's from one (with the URL as default, never OpenAI's), or when the
    mapping has no URL (policy/endpoints.py does the same for `plan.target`)."""
    if target.base_url and target.base_url_env and from_env:
        return env_read_with_default(plan, target.base_url_env, target.base_url, at=at)
    if target.base_url:
        return string_literal(target.base_url)
    assert target.base_url_env, "a compat endpoint has a base_url or a base_url_env"
    return env_read(plan, target.base_url_env, at=at)
