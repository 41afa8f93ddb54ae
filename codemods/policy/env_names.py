"""Which OpenAI environment variables become which of the provider's.

Names and a table only, with no libcst: the strategies read `env_renames` for the
project-level facts (env templates, the checklist), which a run whose every file is
cached computes without loading the engine.
"""

from __future__ import annotations

KEY_VARS = frozenset({"OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_KEY"})
BASE_URL_VARS = frozenset({"OPENAI_BASE_URL", "OPENAI_API_BASE", "AZURE_OPENAI_ENDPOINT"})
VERSION_VARS = frozenset({"OPENAI_API_VERSION", "AZURE_OPENAI_API_VERSION"})
# What an Azure target reads where the mapping names no variable of its own.
DEFAULT_ENDPOINT_ENV = "AZURE_OPENAI_ENDPOINT"
DEFAULT_API_VERSION_ENV = "OPENAI_API_VERSION"


def env_renames(
    client: str,
    key_env: str,
    base_url_env: str | None,
    endpoint_env: str | None = None,
    api_version_env: str | None = None,
) -> dict[str, str]:
    """Old -> new for an endpoint given by its facts (`strategy.Endpoint`): the key
    variables become `key_env`; the base-URL ones `base_url_env` (for Azure, the endpoint
    and API-version variables); an Azure target keeps AZURE_OPENAI_* as they are."""
    renames: dict[str, str] = {var: key_env for var in KEY_VARS}
    if client == "azure":
        for var in BASE_URL_VARS:
            renames[var] = endpoint_env or DEFAULT_ENDPOINT_ENV
        for var in VERSION_VARS:
            renames[var] = api_version_env or DEFAULT_API_VERSION_ENV
        # AZURE_OPENAI_* variables already configure Azure: renaming them would only churn.
        renames = {old: new for old, new in renames.items() if not old.startswith("AZURE_")}
    elif base_url_env:
        for var in BASE_URL_VARS:
            renames[var] = base_url_env
    return {old: new for old, new in renames.items() if old != new}
