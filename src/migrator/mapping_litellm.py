"""The ``litellm:`` section of a mapping file: how LiteLLM's SDK reaches the provider.

LiteLLM routes a call by the model id's prefix (``deepseek/deepseek-chat``): each route has
its own default host, its own key variable and its own list of OpenAI parameters it
accepts (anything else it rejects with ``UnsupportedParamsError`` before sending). The
section records, per endpoint family the provider serves, the route migrated code uses and
that route's default base URL, read from LiteLLM's source (``litellm==VERSION:path``):

    litellm:
      tested: 1.110.2
      key_env: DEEPSEEK_API_KEY          # the variable LiteLLM itself would read
      routes:
        chat: {prefix: deepseek, default_base: https://api.deepseek.com/beta,
               params: [temperature, top_p, ...]}
      sources: ["litellm==1.110.2:litellm/llms/deepseek/chat/transformation.py"]

A family without a route of its own uses ``openai/`` (LiteLLM's generic OpenAI-compatible
route) with ``api_base=`` the mapping's compatible endpoint. The fixers (codemods/litellm/)
pass ``api_base=`` wherever the route's default base (host and path) is not the mapping's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # the parser's types: a mapping loaded from the cache needs no yaml
    from yaml.nodes import Node

    from migrator.mapping_yaml import Doc

PACKAGE = "litellm"
# The route LiteLLM sends any OpenAI-compatible endpoint through (api_base= names it).
GENERIC_PREFIX = "openai"
# The OpenAI parameters LiteLLM checks against a route's supported list (the keys of
# DEFAULT_CHAT_COMPLETION_PARAM_VALUES a call can set): one of these that the route does
# not list raises UnsupportedParamsError unless dropped or allowed.
# Source: litellm==1.110.2:litellm/constants.py (DEFAULT_CHAT_COMPLETION_PARAM_VALUES),
# litellm==1.110.2:litellm/utils.py (get_optional_params, _check_valid_arg).
CHECKED_CHAT_PARAMS: frozenset[str] = frozenset(
    "functions function_call temperature top_p n stream stream_options stop max_tokens "
    "max_completion_tokens modalities prediction audio presence_penalty frequency_penalty "
    "logit_bias user response_format seed tools tool_choice logprobs top_logprobs "
    "parallel_tool_calls reasoning_effort verbosity thinking web_search_options "
    "service_tier safety_identifier prompt_cache_key prompt_cache_retention store".split()
)
# What the generic `openai/` route accepts for a model outside OpenAI's catalogue (user is
# only for catalogue models): litellm==1.110.2:litellm/llms/openai/chat/gpt_transformation.py
GENERIC_CHAT_PARAMS: frozenset[str] = frozenset(
    "frequency_penalty logit_bias logprobs top_logprobs max_tokens max_completion_tokens "
    "modalities prediction n presence_penalty seed stop stream stream_options temperature "
    "top_p tools tool_choice function_call functions max_retries extra_headers "
    "parallel_tool_calls audio web_search_options service_tier safety_identifier "
    "prompt_cache_key prompt_cache_retention store response_format".split()
)
FAMILIES = ("chat", "embeddings")
_SOURCE_RE = re.compile(r"^(?:litellm==[0-9.]+:[\w./-]+(?::\d+(?:-\d+)?)?|https?://\S+)$")
_PREFIX_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Route:
    """How one endpoint family reaches the provider through LiteLLM."""

    prefix: str  # `deepseek` of `deepseek/deepseek-chat`
    # Where the route sends requests by default: the URL it builds, less the endpoint's
    # own path (/chat/completions, /embeddings). None: OpenAI's.
    default_base: str | None
    params: frozenset[str] | None = None  # chat: the OpenAI parameters the route accepts


@dataclass(frozen=True)
class LiteLLM:
    """A mapping's `litellm:` section: the LiteLLM route of each endpoint family."""

    tested: str  # the version the facts were read from: the dependency floor
    key_env: str  # LiteLLM's own variable for the route (the code passes the key itself)
    routes: dict[str, Route] = field(default_factory=dict)
    sources: tuple[str, ...] = ()

    def route(self, family: str) -> Route:
        """The family's route; `openai/` for one LiteLLM has no route of the provider's for."""
        return self.routes.get(family) or Route(GENERIC_PREFIX, None, GENERIC_CHAT_PARAMS)

    def model_id(self, family: str, model: str) -> str:
        """`model` as LiteLLM routes it to the provider (an id already prefixed stays)."""
        prefix = self.route(family).prefix
        if model.startswith(prefix + "/"):
            return model
        return f"{prefix}/{model}"

    def api_base(self, family: str, base_url: str | None) -> str | None:
        """The `api_base=` a call of `family` needs to reach `base_url` (the mapping's
        compatible endpoint), or None where the route's default base is that URL. The
        whole base is compared, not only its host: `deepseek/` defaults to the `/beta`
        path of DeepSeek's host, which is not the endpoint the mapping chose."""
        if base_url is None:
            return None
        route = self.route(family)
        if route.default_base is not None and _same_base(route.default_base, base_url):
            return None
        return base_url.rstrip("/")

    def unsupported(self, family: str, names: set[str]) -> list[str]:
        """Those of `names` LiteLLM would reject for the family's route, sorted."""
        route = self.route(family)
        if family == "embeddings":
            # The generic route takes dimensions= for OpenAI's text-embedding-3 ids only
            # (litellm==1.110.2:litellm/utils.py get_optional_params_embeddings).
            return (
                ["dimensions"] if route.prefix == GENERIC_PREFIX and "dimensions" in names else []
            )
        if family != "chat" or route.params is None:
            return []
        return sorted(n for n in names if n in CHECKED_CHAT_PARAMS and n not in route.params)


def _same_base(one: str, other: str) -> bool:
    """Do two base URLs name the same endpoint (scheme, host, path; a trailing `/` aside)?"""
    a, b = urlsplit(one), urlsplit(other)
    return (a.scheme, a.hostname, a.port, a.path.rstrip("/")) == (
        b.scheme,
        b.hostname,
        b.port,
        b.path.rstrip("/"),
    )


def parse_litellm(
    doc: Doc, key_node: Node, node: Node, endpoint_families: frozenset[str]
) -> LiteLLM | str:
    """The validated `litellm:` section, or why the provider has none (`{none: "..."}`,
    which the CLI repeats when `--strategy litellm` is asked for)."""
    top = doc.mapping(
        node, "litellm", optional=("none", "tested", "key_env", "routes", "sources"), at=key_node
    )
    if "none" in top:
        if len(top) > 1:
            doc.fail(key_node, "litellm: 'none' (a reason) excludes every other key")
        return doc.string(top["none"][1], "litellm.none")
    for key in ("tested", "key_env", "routes", "sources"):
        if key not in top:
            doc.fail(key_node, f"litellm: missing required key {key!r}")
    tested = doc.string(top["tested"][1], "litellm.tested")
    if not re.fullmatch(r"\d+(?:\.\d+)+", tested):
        doc.fail(top["tested"][1], f"litellm.tested: {tested!r} is not a version like 1.2.3")
    key_env = doc.env(top["key_env"][1], "litellm.key_env")
    routes: dict[str, Route] = {}
    entries = doc.mapping(top["routes"][1], "litellm.routes", optional=FAMILIES)
    for family, (family_node, route_node) in entries.items():
        where = f"litellm.routes.{family}"
        if family not in endpoint_families:
            doc.fail(family_node, f"{where}: the mapping's endpoints do not list {family}")
        items = doc.mapping(
            route_node, where, required=("prefix",), optional=("default_base", "params")
        )
        prefix = doc.string(items["prefix"][1], f"{where}.prefix")
        if not _PREFIX_RE.match(prefix):
            doc.fail(
                items["prefix"][1], f"{where}.prefix: {prefix!r} is not a LiteLLM provider name"
            )
        default_base = (
            doc.url(items["default_base"][1], f"{where}.default_base")
            if "default_base" in items
            else None
        )
        params: frozenset[str] | None = None
        if "params" in items:
            params = frozenset(doc.string_list(items["params"][1], f"{where}.params"))
        routes[family] = Route(prefix, default_base, params)
    sources = doc.string_list(top["sources"][1], "litellm.sources")
    for i, source in enumerate(sources):
        if not _SOURCE_RE.match(source):
            doc.fail(
                top["sources"][1].value[i],
                f"litellm.sources[{i}]: {source!r} is not litellm==VERSION:path or a URL",
            )
        if source.startswith("litellm==") and source.split(":")[0] != f"litellm=={tested}":
            doc.fail(
                top["sources"][1].value[i],
                f"litellm.sources[{i}]: read from another version than tested",
            )
    return LiteLLM(tested, key_env, routes, tuple(sources))
