"""Azure OpenAI as a target (`--to azure`), and Azure code as a source.

An Azure client is configured by an endpoint and an API version; the mapping names the
variables that hold them, and where it does not, the variables the openai SDK itself
reads (AZURE_OPENAI_ENDPOINT, OPENAI_API_VERSION) are used, so the migrated code works
with an environment already set up for Azure."""

from __future__ import annotations

import libcst as cst
from migrator.codemods._edit import env_read, env_read_with_default
from migrator.codemods.policy.env_names import DEFAULT_API_VERSION_ENV, DEFAULT_ENDPOINT_ENV

from migrator.inventory import ConfigSite
from migrator.rewrite import Plan
from migrator.strategy import Endpoint


def azure_endpoint_env(target: Endpoint) -> str:
    """The variable an Azure target's endpoint is read from."""
    return target.endpoint_env or DEFAULT_ENDPOINT_ENV


def azure_version_env(target: Endpoint) -> str:
    """The variable an Azure target's API version is read from."""
    return target.api_version_env or DEFAULT_API_VERSION_ENV


def azure_endpoint_read(plan: Plan, at: cst.CSTNode | None) -> cst.BaseExpression:
    """`os.environ["AZURE_OPENAI_ENDPOINT"]` (strict: there is no endpoint to default to)."""
    return env_read(plan, azure_endpoint_env(plan.target), at=at)


def azure_version_read(plan: Plan, at: cst.CSTNode | None) -> cst.BaseExpression:
    """The API version: the variable, defaulting to the mapping's version when it has one."""
    target = plan.target
    if target.api_version:
        return env_read_with_default(plan, azure_version_env(target), target.api_version, at=at)
    return env_read(plan, azure_version_env(target), at=at)


def is_azure_type(site: ConfigSite) -> bool:
    """`openai.api_type = "azure"` (or "azure_ad"): the module talks to Azure."""
    value = site.value
    return (
        site.setting == "api_type"
        and isinstance(value, cst.SimpleString)
        and str(value.evaluated_value).lower().startswith("azure")
    )


def module_is_azure(plan: Plan) -> bool:
    """Does the file configure the openai module for Azure?"""
    return any(is_azure_type(site) for site in plan.inventory.configs)
