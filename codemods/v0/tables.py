"""The v0 -> v1 facts the upgrade's fixers share: call paths, exceptions, settings."""

from __future__ import annotations

from migrator.rewrite import Plan

RULE = "MIG410"

# (v0 resource, v0 method) -> v1 path under the client.
V1_CALLS: dict[tuple[str, str], str] = {
    ("ChatCompletion", "create"): "chat.completions.create",
    ("Completion", "create"): "completions.create",
    ("Embedding", "create"): "embeddings.create",
    ("Image", "create"): "images.generate",
    ("Image", "create_edit"): "images.edit",
    ("Image", "create_variation"): "images.create_variation",
    ("Audio", "transcribe"): "audio.transcriptions.create",
    ("Audio", "translate"): "audio.translations.create",
    ("Moderation", "create"): "moderations.create",
    ("File", "create"): "files.create",
    ("File", "list"): "files.list",
    ("File", "retrieve"): "files.retrieve",
    ("File", "delete"): "files.delete",
    ("File", "download"): "files.content",
    ("FineTuningJob", "create"): "fine_tuning.jobs.create",
    ("FineTuningJob", "list"): "fine_tuning.jobs.list",
    ("FineTuningJob", "retrieve"): "fine_tuning.jobs.retrieve",
    ("FineTuningJob", "cancel"): "fine_tuning.jobs.cancel",
    ("FineTuningJob", "list_events"): "fine_tuning.jobs.list_events",
    ("Model", "list"): "models.list",
    ("Model", "retrieve"): "models.retrieve",
    ("Model", "delete"): "models.delete",
}
# v0 resources that have no v1 counterpart at all.
GONE_RESOURCES: dict[str, str] = {
    "Engine": "engines were replaced by models (client.models)",
    "Customer": "the customers API does not exist in v1",
    "Deployment": "Azure deployments are managed outside the SDK in v1",
    "Edit": "the edits endpoint was removed; use chat completions",
    "FineTune": "the legacy fine-tunes API was removed; port to client.fine_tuning.jobs "
    "(parameters and events differ)",
}
# Positional parameters of v0 methods that v1 only takes as keywords.
POSITIONAL_KEYWORDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("Audio", "transcribe"): ("model", "file"),
    ("Audio", "translate"): ("model", "file"),
    ("Moderation", "create"): ("input",),
}
# Methods taking an object id as their single positional argument, in v0 and in v1.
ID_METHODS = frozenset({"retrieve", "delete", "cancel", "download", "list_events"})
# v0 `id=` / `sid=` keyword -> v1 name, by resource.
ID_KEYWORDS: dict[str, str] = {
    "File": "file_id",
    "FineTuningJob": "fine_tuning_job_id",
    "Model": "model",
}
REQUEST_CREDENTIALS = frozenset({"api_key", "api_base", "api_type", "api_version", "organization"})
MODEL_ALIASES = ("engine", "deployment_id")

# openai.error.<name> -> openai.<v1 name>
V0_EXCEPTIONS: dict[str, str] = {
    "OpenAIError": "OpenAIError",
    "APIError": "APIError",
    "APIConnectionError": "APIConnectionError",
    "Timeout": "APITimeoutError",
    "InvalidRequestError": "BadRequestError",
    "AuthenticationError": "AuthenticationError",
    "PermissionError": "PermissionDeniedError",
    "RateLimitError": "RateLimitError",
    "ServiceUnavailableError": "InternalServerError",
}
# v0 re-exported this one at the top level; v1 has no such name.
TOP_LEVEL_V0_EXCEPTIONS = {"openai.InvalidRequestError": "BadRequestError"}
EXCEPTION_ATTRS = {"http_status": "status_code", "json_body": "body"}
V0_ONLY_MODULES = ("openai.embeddings_utils", "openai.api_resources")

# Settings folded into the client: setting -> client keyword (None: dropped).
FOLDED_SETTINGS: dict[str, str | None] = {
    "api_key": "api_key",
    "api_base": "base_url",
    "base_url": "base_url",
    "azure_endpoint": "base_url",
    "organization": None,
    "project": None,
    "api_type": None,
    "api_version": "api_version",
    "max_retries": "max_retries",
    "timeout": "timeout",
    "default_headers": "default_headers",
    "default_query": "default_query",
}
UNSUPPORTED_SETTINGS: dict[str, str] = {
    "proxy": "pass http_client=DefaultHttpxClient(proxy=...) to the client",
    "requestssession": "pass http_client=... to the client",
    "aiosession": "pass http_client=... to the async client",
    "api_key_path": "read the key file yourself and pass api_key=",
    "ca_bundle_path": "pass http_client=DefaultHttpxClient(verify=...) to the client",
    "verify_ssl_certs": "pass http_client=DefaultHttpxClient(verify=...) to the client",
    "log": "v1 reads the OPENAI_LOG environment variable",
    "debug": "v1 reads the OPENAI_LOG environment variable",
    "app_info": "no v1 equivalent",
    "enable_telemetry": "no v1 equivalent",
}

SYNC_NAMES = ("client", "openai_client")
ASYNC_NAMES = ("aclient", "async_client", "openai_aclient")


def has_v0_code(plan: Plan) -> bool:
    inv = plan.inventory
    return (
        any(c.style == "v0" for c in inv.calls)
        or any(u.style == "v0" for u in (*inv.imports, *inv.references))
        or any(u.api in TOP_LEVEL_V0_EXCEPTIONS for u in inv.references)
        or any(u.api == "openai.InvalidRequestError" for u in inv.imports)
    )
