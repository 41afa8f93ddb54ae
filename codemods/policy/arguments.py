"""Which client arguments and module settings are OpenAI's own.

A retargeted client loses them: an account header means nothing to another provider,
and Azure-only arguments make the plain `OpenAI` class fail."""

from __future__ import annotations

# `organization=` / `project=` of a client, `openai.organization` / `openai.project`.
ACCOUNT_ARGS = frozenset({"organization", "project"})
# Arguments only `AzureOpenAI` takes.
AZURE_ONLY_ARGS = frozenset(
    {
        "azure_endpoint",
        "azure_deployment",
        "api_version",
        "azure_ad_token",
        "azure_ad_token_provider",
    }
)
# Prefixes of the variables OpenAI's SDKs read (OPENAI_API_KEY, AZURE_OPENAI_ENDPOINT...).
OPENAI_ENV_PREFIXES = ("OPENAI_", "AZURE_OPENAI_")
# The module settings that hold the endpoint (v0: api_base; v1 module client: base_url).
ENDPOINT_SETTINGS = ("api_base", "base_url")
