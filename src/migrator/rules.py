"""The registry of rule ids: every `MIGxxx` that a finding or an edit can carry.

Ids are stable (users put them in `--ignore`, `[tool.migrator] ignore` and
`# migrator: ignore[MIGxxx]` comments), so an id is never reused for another meaning.
Numbering: 1xx client and endpoint, 2xx models, 3xx parameters, 4xx endpoint families,
5xx environment, keys and relays (all emitted by the codemods while rewriting);
6xx code and configuration, 7xx behaviour, 8xx compliance, 9xx verification (added by the
checklist from the whole repository). Ids ending in 00 name a kind of edit: they
appear in no finding, but `# migrator: ignore[MIG200]` on a line keeps its model id.

`severity` is the usual one; a codemod may report a rule with a lower severity where the
case is milder (an Azure note is `info`, an Azure conversion `warning`). `category` is
the checklist section the rule's findings land in, with the same caveat.
"""

from __future__ import annotations

from dataclasses import dataclass

from migrator.model import Category, Severity

__all__ = ["RULES", "SECTIONS", "Rule", "rules_markdown"]


@dataclass(frozen=True)
class Rule:
    """A rule code's severity, checklist section, title and why it exists."""

    id: str
    severity: Severity
    category: Category
    title: str
    rationale: str


# The checklist's five sections, in order: (category, heading).
SECTIONS: tuple[tuple[Category, str], ...] = (
    ("code", "Code left for a person"),
    ("config", "Configuration"),
    ("behaviour", "Behaviour differences"),
    ("compliance", "Compliance"),
    ("verification", "Verification"),
)

_RULES: tuple[Rule, ...] = (
    # -- 1xx: clients and endpoints (codemods/client_endpoint.py, module_settings.py) -----
    Rule("MIG100", "info", "code", "client retargeted (edit)",
         "Clients and module settings get the provider's base_url and API-key variable; "
         "ignore it on a line to keep that client as it is."),
    Rule("MIG101", "warning", "config", "explicit api_key expression kept",
         "A key computed by your code was kept: only you know whether it now yields the "
         "provider's key."),
    Rule("MIG102", "info", "config", "organization / project removed",
         "OpenAI account headers mean nothing to another provider."),
    Rule("MIG103", "warning", "code", "Azure client or settings converted",
         "Azure deployment names, API versions and Entra ID auth do not carry over; model= "
         "values must become provider ids."),
    Rule("MIG104", "info", "config", "client already targets a non-OpenAI endpoint",
         "Code shown to talk to another provider, another service or a local server (by "
         "its URL, wherever the code takes it from, or by a setting named after it) is "
         "left alone, calls included."),
    Rule("MIG105", "warning", "config", "endpoint not shown to be OpenAI's: left unchanged",
         "The base URL comes from a parameter, attribute or configuration migrator cannot "
         "follow, or names a host it does not know; only a person can tell whether it is "
         "OpenAI's. --retarget-configured replaces such endpoints instead."),
    Rule("MIG106", "info", "code", "calls through a client built elsewhere",
         "The client is migrated where it is constructed, which may be outside this run."),
    Rule("MIG107", "warning", "code", "keyword may already be in `**kwargs`: left",
         "Adding a keyword that a `**mapping` argument may also carry raises 'got multiple "
         "values for keyword argument'; where the mapping is built out of sight (or sets the "
         "key on some paths only) the call is left for a person to set it there."),
    Rule("MIG108", "info", "config", "provider key read at import time with a placeholder",
         "A client or setting built when the module is imported reads the provider key "
         "with a placeholder default: a missing key must not break every import of the "
         "module, nor fall back to OPENAI_API_KEY; requests fail with 401 until it is set."),
    Rule("MIG109", "warning", "config", "module api_key set with no endpoint: left",
         "A file sets openai.api_key but no base URL and calls nothing through the module; "
         "the module's default endpoint is OpenAI's, so a provider key put there would be "
         "sent to OpenAI by whatever reads the setting elsewhere."),
    Rule("MIG120", "warning", "code", "OpenAI class of LangChain or llama_index not rewritten",
         "ChatOpenAI, OpenAIEmbeddings, llama_index's OpenAI... send to OpenAI unless given "
         "another endpoint; migrator names the keywords to set, in that library's terms."),
    # -- 2xx: models (codemods/models.py) --------------------------------------------------
    Rule("MIG200", "info", "code", "model id mapped (edit)",
         "OpenAI model ids become the provider's; ignore it on a line to keep an id."),
    Rule("MIG201", "warning", "code", "model is not a literal",
         "A model from config, env or computation cannot be mapped by a codemod: set a "
         "provider id at its source."),
    Rule("MIG202", "warning", "code", "OpenAI model with no equivalent",
         "The provider offers nothing comparable (or the mapping says so): the call would "
         "fail with an unknown model."),
    Rule("MIG203", "warning", "behaviour", "embedding model changed",
         "Vectors from different models live in different spaces: stored vectors must be "
         "re-embedded, and dimensions may change."),
    Rule("MIG204", "info", "behaviour", "reasoning model mapped",
         "Thinking output fields and defaults differ between OpenAI o-series and provider "
         "reasoning models."),
    Rule("MIG205", "warning", "code", "model id used as a dict key",
         "Renaming keys could merge two entries (several OpenAI ids map to one provider "
         "model) and Python would silently keep only one; a person adds the entries."),
    Rule("MIG206", "warning", "code", "code tests for an OpenAI model id",
         "A comparison, startswith or case on model ids takes another branch once the "
         "model changes: the ids are left, and a model value that is also tested is left "
         "too; a person decides what the test means for the provider's models."),
    Rule("MIG207", "warning", "code", "table of model ids left",
         "Lists of supported or reasoning models, CLI choices: mapped, several OpenAI ids "
         "would collapse into one provider id and matching would change."),
    Rule("MIG208", "info", "code", "model id not shown to reach a request",
         "Only ids traced to a request's model= are mapped; others (arguments of your own "
         "wrappers, test fixtures) are left, one note per file."),
    Rule("MIG210", "info", "behaviour", "model chosen for what the call does",
         "The mapping's usual model is known not to serve this call (it sends images, does "
         "not stream, or passes tools), so another model the mapping offers was written."),
    Rule("MIG211", "warning", "code", "no mapped model fits what the call does",
         "Every model the mapping offers is known not to serve this call (or not known to "
         "take its images): the OpenAI id is left for a person to choose."),
    Rule("MIG212", "warning", "code", "--model-map choice lacks what the call needs",
         "Your --model-map choice is kept, but the mapping states the model cannot serve "
         "this call (e.g. it answers only when streaming)."),
    # -- 3xx: parameters (codemods/parameters.py) ------------------------------------------
    Rule("MIG300", "info", "code", "parameters translated (edit)",
         "Keyword arguments are renamed, dropped, clamped or moved into extra_body as the "
         "mapping says."),
    Rule("MIG301", "info", "behaviour", "parameter dropped",
         "The provider does not take it, and dropping it does not change the answer's "
         "meaning."),
    Rule("MIG302", "info", "code", "parameter renamed",
         "The provider names the same setting differently."),
    Rule("MIG303", "warning", "behaviour", "value clamped (or not checkable)",
         "The provider accepts a narrower range (temperature, top_p, n...): sampling "
         "behaves differently."),
    Rule("MIG304", "info", "code", "parameter moved into extra_body",
         "A provider-only field is sent in the request body, not as an SDK keyword."),
    Rule("MIG305", "warning", "code", "parameter not supported",
         "The provider rejects or ignores it; the call is left as it is and marked for a "
         "person."),
    Rule("MIG306", "warning", "behaviour", "parameter kept; the SDK changes its value",
         "The provider's SDK rewrites this value itself before sending it (zai clamps "
         "temperature and top_p): sampling behaves differently."),
    # -- 13x-15x: the native strategy (codemods/native/) -----------------------------------
    Rule("MIG130", "info", "code", "client moved to the provider's SDK (edit)",
         "The openai client becomes the provider's own (dashscope.Client, ZhipuAiClient, "
         "Ark) with the provider's key variable; ignore it on a line to keep that client."),
    Rule("MIG131", "warning", "config", "client kept on the OpenAI-compatible endpoint",
         "The provider's SDK cannot take this client (no asyncio client, a ** mapping, a "
         "constructor keyword it lacks): it stays on the openai SDK at the compatible "
         "endpoint, so openai stays a dependency."),
    Rule("MIG140", "info", "code", "exception mapped to the SDK's class (edit)",
         "No provider SDK raises openai's exceptions: handlers would never fire. Status "
         "codes map one to one; check what your handlers retry."),
    Rule("MIG141", "warning", "code", "openai exception with no SDK equivalent",
         "The SDK raises nothing that matches: the handler is left, marked, and no longer "
         "fires; catch the SDK's status error and test its status_code."),
    Rule("MIG142", "warning", "code", "exception handling left beside an openai client",
         "A client of this file still uses the openai SDK, so its handlers were kept; where "
         "they also cover the SDK's calls they must catch the SDK's errors too."),
    Rule("MIG150", "info", "code", "response field renamed for the SDK (edit)",
         "The SDK names some response fields differently (DashScope: usage.input_tokens, "
         "request_id, embeddings)."),
    Rule("MIG151", "warning", "code", "response field with no SDK equivalent",
         "The SDK's response has no such field: the read fails with AttributeError."),
    Rule("MIG152", "warning", "code", "SDK response goes where it cannot be followed",
         "Its readers (a call it is passed to, an attribute, a container, callers outside "
         "the run) may still use openai's field names: the call is marked with where it "
         "goes; adapt those readers to the SDK's response."),
    Rule("MIG153", "info", "code", "SDK response followed into its callers",
         "A function returns the SDK's response: its callers' reads, in this module and "
         "in the run's other modules, are reshaped where they are."),
    Rule("MIG154", "warning", "code", "stream usage summed over chunks",
         "Every DashScope stream event carries the usage so far, not only the last one: "
         "summing it over the chunks counts tokens many times; keep the last chunk's."),
    Rule("MIG155", "info", "code", "calls through a client another module builds",
         "Their parameters and responses follow what that client becomes: the SDK's when "
         "its module is migrated to it in this run, else openai's."),
    # -- 16x: LangChain / llama_index OpenAI classes (codemods/wrapper_rewrite.py) --------
    Rule("MIG160", "info", "code", "OpenAI class of LangChain or llama_index retargeted (edit)",
         "ChatOpenAI, OpenAIEmbeddings, llama_index's OpenAI... get the provider's endpoint, "
         "key and model in that library's keywords; ignore it on a line to keep the class."),
    Rule("MIG161", "warning", "config", "llama_index class replaced by its OpenAI-like class",
         "llama_index's OpenAI and OpenAIEmbedding accept OpenAI model ids only (ValueError "
         "otherwise); OpenAILike / OpenAILikeEmbedding take any id but come in their own "
         "packages, and OpenAILike's context_window defaults to 3900 tokens."),
    Rule("MIG162", "warning", "behaviour", "OpenAIEmbeddings sends text, not token ids",
         "By default LangChain's OpenAIEmbeddings tokenizes with tiktoken and sends token-id "
         "arrays, which other providers reject; with check_embedding_ctx_length=False it "
         "sends the text, and long texts are no longer split for the model."),
    Rule("MIG163", "info", "code", "provider has its own LangChain / llama_index integration",
         "The rewrite keeps the OpenAI class on the compatible endpoint (it runs as before); "
         "the provider's own class (ChatTongyi, ChatZhipuAI, ...) is an alternative."),
    Rule("MIG164", "warning", "code", "framework model string names OpenAI",
         "`openai:gpt-4o` (LangChain init_chat_model, pydantic-ai) or `openai/gpt-4o` "
         "(LiteLLM) choose OpenAI through the framework, which takes endpoint and key its "
         "own way: migrator names the provider's model, endpoint and key, and leaves it."),
    # -- 17x: a second provider for an endpoint family, --route (codemods/routes.py) -------
    Rule("MIG170", "info", "config", "endpoint family routed to a second provider",
         "The family's calls go through a second client made next to the original, with "
         "the route provider's key variable and endpoint; set that variable too."),
    Rule("MIG171", "error", "code", "routed call whose client cannot be tied",
         "The client comes from a parameter, another module or an expression migrator "
         "cannot follow to its constructor: the call stays on the target, which lacks the "
         "family; give it a client of the route provider by hand."),
    Rule("MIG172", "info", "config", "providers that serve a family the target lacks",
         "Computed from the mappings: `--route FAMILY=PROVIDER` sends the family's calls "
         "there while the rest goes to the target."),
    # -- 18x: strategy litellm (codemods/litellm/) -------------------------------------------
    Rule("MIG180", "info", "code", "call moved to LiteLLM (edit)",
         "client.chat.completions.create -> litellm.completion (acompletion when async), "
         "embeddings.create -> litellm.embedding, with the route's model prefix, the "
         "provider's key and, where LiteLLM's default host differs, api_base."),
    Rule("MIG181", "warning", "code", "call left on the openai SDK under strategy litellm",
         "migrator cannot show where the call's client points (a parameter, a client it "
         "leaves, a module not in the run) or the call goes through with_options / a raw "
         "response: it stays on the compatible endpoint with the openai SDK."),
    Rule("MIG182", "info", "code", "client removed: every call through it moved to LiteLLM (edit)",
         "LiteLLM has no client object; each call carries its key and base."),
    Rule("MIG183", "info", "code", "openai client kept next to LiteLLM",
         "Something LiteLLM's completion/embedding do not replace still reads it (images, "
         "files, close(), another module): it stays on the provider's compatible endpoint."),
    Rule("MIG184", "info", "code", "parameter passed with allowed_openai_params",
         "LiteLLM's route for the provider does not list it and would raise "
         "UnsupportedParamsError before sending; the mapping says the provider takes it."),
    Rule("MIG185", "error", "code", "parameter LiteLLM and the provider both reject",
         "LiteLLM raises UnsupportedParamsError before sending (drop_params is never set for "
         "you): remove the parameter or handle its absence."),
    Rule("MIG186", "warning", "code", "keywords of a ** mapping not checked against LiteLLM",
         "A key LiteLLM's route does not list raises UnsupportedParamsError before sending."),
    Rule("MIG187", "info", "code", "embedding item read as a dict for LiteLLM (edit)",
         "litellm.embedding returns data items as plain dicts on its HTTP path: "
         "`item.embedding` becomes `item[\"embedding\"]`."),
    Rule("MIG188", "warning", "code", "LiteLLM embedding items read where migrator cannot follow",
         "The items are dicts, not objects: `.embedding` / `.index` on them fails with "
         "AttributeError; read them with ['embedding']."),
    Rule("MIG189", "info", "code", "stream chunk usage read with getattr (edit)",
         "LiteLLM's stream chunks have no usage attribute until the chunk that carries it "
         "(openai's hold None): `chunk.usage` becomes `getattr(chunk, \"usage\", None)`."),
    Rule("MIG190", "warning", "code", "v0 module call not moved to LiteLLM",
         "The call stays on the openai SDK: a module setting, an endpoint or a **mapping it "
         "goes with would be lost, or LiteLLM's completion/embedding do not cover it. "
         "openai<1 code fails beside LiteLLM (it installs openai>=2.20): --upgrade-v0 moves "
         "it to a v1 client."),
    Rule("MIG191", "info", "code", "v0 module setting removed: its calls moved to LiteLLM (edit)",
         "Each LiteLLM call carries the provider's key (and endpoint), so `openai.api_key` / "
         "`openai.api_base` serve nothing any more."),
    Rule("MIG192", "info", "code", "v0 module setting kept next to LiteLLM",
         "A call left on the module or a read of the setting still needs it: it is "
         "retargeted as under compat."),
    Rule("MIG193", "info", "code", "v0 dict-style response read reshaped for LiteLLM (edit)",
         "LiteLLM's responses answer v0's dict reads, but hold None where openai<1 left a "
         "field out (a stream's last delta): `x.get(\"k\", d)` becomes "
         "`(x.get(\"k\") or d)`, `\"k\" in x` gains `and x[\"k\"] is not None`, "
         "`to_dict_recursive()` becomes `to_dict()`."),
    Rule("MIG194", "warning", "code", "v0 response or handler LiteLLM may not honour",
         "A whole response handed on (json.dumps fails on LiteLLM's ModelResponse), or an "
         "`openai.error.ServiceUnavailableError` handler: LiteLLM's 503 error is no "
         "openai.InternalServerError."),
    # -- 4xx: endpoint families (codemods/endpoints.py) ------------------------------------
    Rule("MIG401", "error", "code", "endpoint not offered by the provider",
         "Images, audio, assistants, files... have no compatible endpoint there: the call "
         "would fail."),
    Rule("MIG402", "warning", "code", "v0 module API kept",
         "openai<1 code keeps working only with the old SDK; --upgrade-v0 moves it to the "
         "v1 client."),
    # -- 41x: the v0 -> v1 upgrade, with --upgrade-v0 (codemods/v0/) -----------
    Rule("MIG410", "info", "code", "v0 module API upgraded to a v1 client",
         "v1 responses are objects, not dicts: code that handles them beyond what was "
         "converted needs a look."),
    Rule("MIG411", "error", "code", "v0 API with no v1 equivalent",
         "Engine, Edit, legacy fine-tunes, embeddings_utils... are gone in openai>=1: port "
         "by hand."),
    Rule("MIG412", "warning", "config", "v0 module setting with no v1 equivalent",
         "proxy, requestssession and friends configure the v0 transport only; v1 uses an "
         "http_client."),
    Rule("MIG413", "warning", "config", "v0 module setting not at module level",
         "A setting changed inside a function cannot be folded into the module-level "
         "client."),
    Rule("MIG414", "warning", "code", "v0 exception with no v1 equivalent",
         "Handlers for errors that no longer exist never run."),
    Rule("MIG415", "warning", "code", "v0 call or reference not converted",
         "Positional or * arguments and bare references cannot be rewritten safely."),
    Rule("MIG416", "warning", "config", "per-request v0 credentials removed",
         "api_key / api_base / organization per call move to the client."),
    Rule("MIG417", "warning", "code", "engine= / deployment_id= became model=",
         "Azure deployment names must become provider model ids."),
    Rule("MIG418", "warning", "code", "dict-style access on a v1 response left",
         "r[\"choices\"] raises TypeError on a v1 response object."),
    # -- 5xx: environment, keys, relays (codemods/env_vars.py, hardcoded_keys.py) ----------
    Rule("MIG500", "info", "config", "environment variable renamed (edit)",
         "Reads of OPENAI_API_KEY / OPENAI_BASE_URL that configure a migrated client become "
         "the provider's variables."),
    Rule("MIG501", "error", "config", "hard-coded API key",
         "A key in the code or in a committed file leaks with the repository: move it to "
         "the environment and revoke it."),
    Rule("MIG502", "warning", "compliance", "relay / reverse proxy to OpenAI",
         "Relays to OpenAI (a known relay, or a host named after OpenAI) are the "
         "non-compliant workaround this migration replaces."),
    Rule("MIG503", "info", "config", "OpenAI env var with no equivalent",
         "OpenAI account variables (organization, project) have no meaning at the "
         "provider."),
    Rule("MIG504", "warning", "config", "OpenAI env var read outside a migrated client",
         "A check, another library or a client left on another endpoint reads it: renaming "
         "it would break that reader, or hand it the provider's key."),
    Rule("MIG505", "warning", "code", "raw HTTP call to OpenAI with an OpenAI key",
         "URL, key and model of a hand-written request must move together: any one alone "
         "sends a key to the wrong host."),
    Rule("MIG506", "info", "config", "OpenAI env var set in code",
         "Tests and fixtures that set OPENAI_API_KEY & co. set up code that may now read "
         "the provider's variable."),
    Rule("MIG507", "warning", "config", "api_key carried an OpenAI key still read elsewhere",
         "The variable stays for its other readers; kept in the client, it would send the "
         "OpenAI key to the provider."),
    # -- 6xx: code and configuration, from the whole repository (checklist) ----------------
    Rule("MIG601", "info", "code", "response object leaves the function",
         "Callers depend on the OpenAI response shape: fine with the compatible endpoint, "
         "to adapt for a later native SDK."),
    Rule("MIG602", "info", "code", "exception handling depends on OpenAI's errors",
         "Status codes and error bodies come from the provider now: what a handler catches "
         "and retries may change."),
    Rule("MIG603", "error", "code", "file skipped",
         "A file that cannot be read or parsed was not migrated."),
    Rule("MIG604", "warning", "code", "OpenAI URL outside the SDK",
         "Raw HTTP calls or URLs naming api.openai.com are not rewritten by the codemods."),
    Rule("MIG605", "warning", "code", "unreadable notebook uses openai",
         "Notebooks are migrated cell by cell like .py files; one that is not valid JSON, "
         "not nbformat 4, or whose code does not parse must be ported by hand."),
    Rule("MIG620", "warning", "code", "notebook IPython line names OpenAI",
         "Magics, shell lines (`!cmd`, `x = !cmd`) and non-Python cells (`%%bash`, "
         "`%%writefile`) are kept byte for byte: one that names an OpenAI model, an OPENAI_* "
         "variable or the openai CLI (or installs openai where the native strategy drops it) "
         "must be changed by hand."),
    Rule("MIG606", "warning", "code", "OpenAI model id in a configuration file",
         "Code that reads the file sends the id as it is: the codemods rewrite Python only. "
         "Data files (results, outputs, recordings, release notes, .jsonl, over 256 KiB) are "
         "records: one info item lists those left out."),
    Rule("MIG610", "info", "config", "environment variable to provision",
         "The migrated code reads the provider's variables: set them wherever the app runs "
         "(names only are listed)."),
    Rule("MIG611", "info", "config", "endpoint to review",
         "The base URL decides where requests (and data) go: check the region and any "
         "gateway in between."),
    Rule("MIG612", "warning", "config", "dependency file not edited",
         "Lock files, setup.py and conda environments cannot be edited safely: update them "
         "by hand."),
    Rule("MIG613", "info", "config", "dependency file edited",
         "What `apply` changed in a dependency declaration, for review."),
    Rule("MIG614", "warning", "config", "no dependency file declares openai",
         "The compatible endpoints are used through the openai v1 SDK: make sure it is "
         "installed."),
    Rule("MIG615", "info", "config", "env template edited",
         "Renamed and added variables in .env.example & co., for review."),
    Rule("MIG616", "error", "config", "real .env file with a key in the repository",
         "A key in a tracked (or about to be tracked) .env leaks with the repository: "
         "remove the file from git and revoke the key."),
    Rule("MIG617", "warning", "config", "OpenAI variable named outside Python code",
         "CI, deployment files and docs still set or mention the old variable names."),
    Rule("MIG618", "warning", "config", "OpenAI-named variable kept",
         "Variables such as OPENAI_MODEL are read as they are: their deployed values must "
         "suit the provider."),
    Rule("MIG619", "warning", "config", "openai<1 pin kept for v0 code",
         "Raising the pin would break the v0 calls that remain; --upgrade-v0 lifts both."),
    Rule("MIG630", "info", "config", "model id or endpoint edited in a configuration file",
         "Configuration that migrated code reads (named by it; env templates beside it) gets "
         "the provider's model ids and base URL, in place: review the values."),
    Rule("MIG631", "warning", "config", "OpenAI model id in configuration without an equivalent",
         "The mapping has no model for it: choose one (or pass --model-map OLD=NEW) and set "
         "it in the file."),
    Rule("MIG632", "error", "config", "configuration file does not parse",
         "A file that migrated code reads could not be parsed: its model ids and endpoints "
         "were not checked."),
    Rule("MIG633", "warning", "config", "configuration value left for a person",
         "An anchored, block or multi-line value, a quoting that cannot hold the new value, "
         "or an edit that did not read back as intended: set it by hand."),
    # -- 7xx: behaviour differences (checklist, from the mapping) --------------------------
    Rule("MIG701", "info", "behaviour", "context window / output limit",
         "Prompts and max_tokens that fit an OpenAI model may not fit the mapped one."),
    Rule("MIG703", "warning", "behaviour", "n > 1",
         "Several choices per request are not offered everywhere: check the provider "
         "returns as many as asked."),
    Rule("MIG704", "warning", "behaviour", "structured output / JSON schema",
         "response_format json_schema and .parse() support varies; json_object is more "
         "widely supported."),
    Rule("MIG705", "warning", "behaviour", "unverified mapping fact",
         "The mapping marks this fact as not confirmed by a source: verify it before "
         "relying on it."),
    Rule("MIG706", "info", "behaviour", "provider-specific request fields and notes",
         "A mapped model is sent extra fields (e.g. thinking on/off) or comes with a "
         "caveat."),
    Rule("MIG707", "info", "behaviour", "the provider SDK behaves differently",
         "Under --strategy native the code runs on the provider's own SDK: its responses, "
         "errors and parameter ranges are its own."),
    # -- 8xx: compliance (checklist) -------------------------------------------------------
    Rule("MIG801", "info", "compliance", "data region",
         "Where prompts and outputs are processed is the reason for this migration: "
         "confirm it."),
    Rule("MIG802", "warning", "compliance", "generative-AI service filing",
         "Public-facing generative-AI services in mainland China rely on filed (备案) "
         "models: confirm the provider's status."),
    Rule("MIG803", "warning", "compliance", "personal data / cross-border review",
         "Prompts built from user data carry personal information to a third party."),
    Rule("MIG804", "info", "compliance", "provider compliance note",
         "A note the mapping records for this provider."),
    # -- 9xx: verification (checklist) -----------------------------------------------------
    Rule("MIG901", "info", "verification", "run the test suite",
         "The repository's own tests are the first check of the migrated code."),
    Rule("MIG902", "info", "verification", "smoke-run an entry point",
         "One real request per migrated program proves endpoint, key and model."),
    Rule("MIG903", "warning", "verification", "no test command found",
         "Without tests, every migrated call path needs a manual run."),
    Rule("MIG904", "warning", "verification", "tests fake OpenAI's host",
         "Mocks bound to api.openai.com no longer intercept the migrated client."),
    # -- 91x: results of the CI formats (sarif.py, github_format.py), never a finding ------
    Rule("MIG910", "warning", "code", "OpenAI usage",
         "`scan --format sarif|github` reports each place the code still touches the "
         "OpenAI SDK, its variables or its model ids; `scan --check` fails while any is left."),
    Rule("MIG911", "warning", "code", "rewrite pending",
         "`diff --format sarif|github` reports each changed span of the rewrite, with the "
         "new text as a fix; `diff --check` fails while any is pending."),
)  # fmt: skip

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


def rules_markdown() -> str:
    """The README's rule table (Markdown), one row per id in id order."""
    headings = dict(SECTIONS)
    lines = [
        "| id | severity | checklist section | what | why |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in sorted(RULES.values(), key=lambda r: r.id):
        title = rule.title.replace("|", "\\|")
        rationale = rule.rationale.replace("|", "\\|")
        lines.append(
            f"| `{rule.id}` | {rule.severity} | {headings[rule.category]} | {title} | {rationale} |"
        )
    return "\n".join(lines) + "\n"
