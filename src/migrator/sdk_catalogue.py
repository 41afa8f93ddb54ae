"""What the openai SDK looks like from the code that calls it.

The client classes and the resources of a v1 client, the method families, the v0 module
API (resources, methods, module settings), the libraries whose objects look like
clients but are not the SDK, and the environment variables the SDK reads. Data and
small lookups only: the inventory (site_collector.py and the layers under it) decides
with them what a piece of code is, and the codemods and the checklist name the same
things with them.
"""

from __future__ import annotations

import re

CLIENT_CLASSES: dict[str, tuple[str, bool, bool]] = {
    # qualified name: (class name, is_async, is_azure)
    "openai.OpenAI": ("OpenAI", False, False),
    "openai.Client": ("OpenAI", False, False),
    "openai.AsyncOpenAI": ("AsyncOpenAI", True, False),
    "openai.AsyncClient": ("AsyncOpenAI", True, False),
    "openai.AzureOpenAI": ("AzureOpenAI", False, True),
    "openai.AsyncAzureOpenAI": ("AsyncAzureOpenAI", True, True),
    "openai.lib.azure.AzureOpenAI": ("AzureOpenAI", False, True),
    "openai.lib.azure.AsyncAzureOpenAI": ("AsyncAzureOpenAI", True, True),
}

# Top-level resources of a v1 client (and of the v1 module-level client `openai.<res>`).
V1_RESOURCES = frozenset(
    {
        "chat", "completions", "embeddings", "responses", "images", "audio", "moderations",
        "files", "fine_tuning", "batches", "beta", "vector_stores", "models", "uploads",
        "containers", "conversations", "evals", "realtime", "webhooks", "videos",
        "admin", "skills",
    }
)  # fmt: skip
# When the root of a chain is not proven to be a client (a parameter, an object imported
# from another module), only these resources and methods count, so that
# `request.files.get(...)` in a Flask view that also imports openai is not a call.
WEAK_RESOURCES = frozenset(
    {"chat", "completions", "embeddings", "responses", "images", "audio", "moderations",
     "files", "fine_tuning", "batches", "beta", "vector_stores", "models", "uploads"}
)  # fmt: skip
SDK_METHODS = frozenset(
    {"create", "parse", "stream", "list", "retrieve", "update", "delete", "cancel",
     "generate", "edit", "create_variation", "content", "retrieve_content",
     "download_content", "upload", "upload_and_poll", "create_and_poll", "create_and_run",
     "create_and_run_poll", "create_and_run_stream", "create_and_stream", "poll",
     "submit_tool_outputs", "submit_tool_outputs_and_poll", "submit_tool_outputs_stream",
     "wait_for_processing", "list_events", "search", "complete", "compact", "pause",
     "resume", "list_files", "list_items", "upload_file_chunked"}
)  # fmt: skip

# v0 module API: resource class -> v1 resource path.
V0_RESOURCES: dict[str, str] = {
    "ChatCompletion": "chat.completions",
    "Completion": "completions",
    "Embedding": "embeddings",
    "Image": "images",
    "Audio": "audio",
    "Moderation": "moderations",
    # The legacy /v1/fine-tunes API is gone; its v1 successor is fine_tuning.jobs.
    "FineTune": "fine_tuning.jobs",
    "FineTuningJob": "fine_tuning.jobs",
    "File": "files",
    "Model": "models",
    "Edit": "edits",
    "Engine": "engines",
    "Deployment": "deployments",
    "Customer": "customers",
}
# v0 method -> v1 method suffix, where the name changed.
V0_SPECIAL_METHODS: dict[tuple[str, str], str] = {
    ("Image", "create"): "generate",
    ("Image", "create_edit"): "edit",
    ("Image", "create_variation"): "create_variation",
    ("Audio", "transcribe"): "transcriptions.create",
    ("Audio", "translate"): "translations.create",
    ("Audio", "transcribe_raw"): "transcriptions.create",
    ("Audio", "translate_raw"): "translations.create",
}
V0_METHODS = frozenset(
    {"create", "list", "retrieve", "delete", "cancel", "download", "stream_events",
     "create_edit", "create_variation", "transcribe", "translate", "transcribe_raw",
     "translate_raw", "list_events", "search", "generate"}
)  # fmt: skip
# The v0 methods and their async twins (`acreate`).
V0_METHOD_NAMES = V0_METHODS | frozenset(f"a{name}" for name in V0_METHODS)
# v0 methods whose first positional argument is the model (`Audio.transcribe(model, file)`).
V0_POSITIONAL_MODEL = frozenset({"transcribe", "translate", "transcribe_raw", "translate_raw"})
# Modules that exist only in the v0 SDK; importing them (or a v0 resource class) is v0 code.
V0_MODULES = ("openai.error", "openai.embeddings_utils", "openai.api_resources")

# Settings read only by the v0 module API (v1 module-level client ignores them).
V0_ONLY_SETTINGS = frozenset(
    {"api_base", "api_key_path", "proxy", "requestssession", "aiosession", "app_info",
     "debug", "log", "verify_ssl_certs", "enable_telemetry", "ca_bundle_path"}
)  # fmt: skip
MODULE_SETTINGS = V0_ONLY_SETTINGS | frozenset(
    {"api_key", "organization", "project", "base_url", "api_type", "api_version",
     "azure_endpoint", "azure_ad_token", "azure_ad_token_provider", "default_headers",
     "default_query", "max_retries", "timeout", "http_client", "webhook_secret"}
)  # fmt: skip

# Chain links that return the same client or resource in another mode.
TRANSPARENT_CALLS = frozenset({"with_options", "copy"})
TRANSPARENT_ATTRS = frozenset({"with_raw_response", "with_streaming_response"})

# Calls that are OpenAI's beyond reasonable doubt by their path alone (the only ones
# counted in a file that does not import openai, through a client imported from
# another module of the project).
SHAPED_PATHS = frozenset(
    {"chat.completions.create", "chat.completions.parse", "chat.completions.stream",
     "beta.chat.completions.parse", "beta.chat.completions.stream", "completions.create",
     "embeddings.create", "responses.create", "responses.parse", "responses.stream",
     "images.generate", "images.edit", "images.create_variation",
     "audio.transcriptions.create", "audio.translations.create", "audio.speech.create",
     "moderations.create"}
)  # fmt: skip
SHAPED_METHODS = frozenset(path.rsplit(".", 1)[1] for path in SHAPED_PATHS)
# SDKs whose clients have the same shape: with one imported, shape proves nothing.
LOOKALIKE_ROOTS = frozenset({"zhipuai", "zai", "volcenginesdkarkruntime", "groq", "together"})

# Other libraries whose objects look like OpenAI clients but are not the openai SDK.
FOREIGN_ROOTS = (
    "zhipuai", "zai", "dashscope", "qianfan", "volcenginesdkarkruntime", "litellm",
    "anthropic", "langchain", "langchain_openai", "langchain_community", "llama_index",
    "mistralai", "groq", "together", "cohere", "google", "tiktoken", "transformers",
    "instructor", "openai_agents", "agents", "autogen", "crewai", "dspy", "guidance",
)  # fmt: skip
# A model id handed to a tokenizer names the tokenizer, not the endpoint: keep it.
TOKENIZER_CALLS = frozenset({"encoding_for_model", "encoding_name_for_model"})

# Variables the SDK (or its Azure client) reads: `OPENAI_API_KEY`, `AZURE_OPENAI_ENDPOINT`.
OPENAI_ENV_VAR = re.compile(r"(?:AZURE_)?OPENAI_[A-Z0-9_]+")
EXCEPTION_NAME = re.compile(r"[A-Z]\w*(?:Error|Exception|Timeout)")
# OpenAI account variables (organization, project): they mean nothing to another provider.
ACCOUNT_VARS = frozenset({"OPENAI_ORG_ID", "OPENAI_ORGANIZATION", "OPENAI_PROJECT_ID"})


def api_family(api: str) -> str:
    """The endpoint family of a v1 api path (mapping files list supported families)."""
    parts = api.split(".")
    if parts[0] == "beta" and len(parts) > 1:
        if parts[1] == "chat":
            return "chat"
        if parts[1] in ("assistants", "threads"):
            return "assistants"
        return parts[1]
    return parts[0]
