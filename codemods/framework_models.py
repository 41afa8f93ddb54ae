"""Report `provider:model` strings that choose OpenAI through a framework.

`init_chat_model("openai:gpt-4o")` (LangChain), `Agent("openai:gpt-4o")` (pydantic-ai)
and `completion(model="openai/gpt-4o")` (LiteLLM) reach OpenAI through the framework,
which reads the prefix itself and takes the endpoint and key its own way (keyword names
and environment variables that differ per framework and version). migrator cannot show a
rewrite of them runs, so each such string is reported at its line with what to set: the
provider's model id, its OpenAI-compatible endpoint and key (MIG164). The inventory
records the strings (not in docstrings).

Rules:
  MIG164 a framework's `openai:<model>` / `openai/<model>` string: reported
"""

from __future__ import annotations

from migrator.codemods.models import passes_models_through

from migrator.rewrite import Plan
from migrator.wrapper_classes import FRAMEWORK_MODEL


def fix_framework_models(plan: Plan) -> None:
    if plan.target.client == "azure":
        return  # Azure deployments are configured per framework: nothing to map here
    compat = plan.target
    url = compat.base_url or f"${compat.base_url_env}"
    for site in plan.inventory.framework_models:
        match = FRAMEWORK_MODEL.fullmatch(site.value)
        assert match is not None  # (the inventory recorded it so)
        node, separator, model = site.node, match.group(1), match.group(2)
        target = plan.mapping.resolve_model(model)
        if target is None and not passes_models_through(plan):
            continue  # no provider model to name: the model rules say so where it is sent
        new = target.model if target is not None else model
        framework = "LiteLLM" if separator == "/" else "LangChain's init_chat_model / pydantic-ai"
        plan.finding(
            "MIG164",
            f'"openai{separator}{model}" makes {framework} send to OpenAI: use '
            f'"openai{separator}{new}" with the framework\'s base URL set to {url} and its '
            f"API key read from {compat.key_env} (left as it is: the framework decides how "
            "the endpoint and key are passed)",
            node=node,
        )
