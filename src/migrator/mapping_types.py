"""What a validated mapping file is made of: the vocabulary of the schema, its errors,
and the frozen, picklable records the loader builds (mapping_schema.py) and the
`Mapping` holds (mapping_resolution.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

# Strategies the engine implements. A mapping may list only these.
IMPLEMENTED_STRATEGIES: tuple[str, ...] = ("compat", "native", "litellm")
CLIENTS: tuple[str, ...] = ("openai", "azure")
DATA_REGIONS: tuple[str, ...] = ("mainland-china", "outside-mainland", "user-defined")
ENDPOINT_FAMILIES: tuple[str, ...] = (
    "chat",
    "completions",
    "embeddings",
    "responses",
    "images",
    "audio",
    "moderations",
    "files",
    "fine_tuning",
    "batches",
    "assistants",
    "vector_stores",
    "models",
)
PARAM_FAMILIES: tuple[str, ...] = ("chat", "completions", "embeddings")
ACTIONS: tuple[str, ...] = ("rename", "drop", "clamp", "extra_body", "unsupported", "note")
MODEL_KINDS: tuple[str, ...] = ("chat", "reasoning", "embedding")
# The endpoint family a model of each kind is called through.
FAMILY_OF_KIND: dict[str, str] = {"chat": "chat", "reasoning": "chat", "embedding": "embeddings"}
# Keyword arguments of the create() methods in openai 3.54.0 (the target of a `rename`
# must be one of these, or the rewritten call raises TypeError).
OPENAI_KWARGS: dict[str, frozenset[str]] = {
    "chat": frozenset(
        "audio frequency_penalty function_call functions logit_bias logprobs "
        "max_completion_tokens max_tokens messages metadata modalities model moderation n "
        "parallel_tool_calls prediction presence_penalty prompt_cache_key prompt_cache_options "
        "prompt_cache_retention reasoning_effort response_format safety_identifier seed "
        "service_tier stop store stream stream_options temperature tool_choice tools "
        "top_logprobs top_p user verbosity web_search_options".split()
    ),
    "completions": frozenset(
        "model prompt best_of echo frequency_penalty logit_bias logprobs max_tokens n "
        "presence_penalty seed stop stream stream_options suffix temperature top_p user".split()
    ),
    "embeddings": frozenset("input model dimensions encoding_format user".split()),
}

# Shared by the file's validation (mapping_yaml.py) and the CLI's overrides
# (`Mapping.with_overrides`), so both accept the same names and URLs.
ENV_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")
URL_RE = re.compile(r"^https?://\S+$")
_REASONING_RE = re.compile(r"^o\d+(?:-|$)")
# Tokens that mark OpenAI ids which are not text models (gpt-4o-audio-preview,
# gpt-4o-realtime-preview, gpt-4o-transcribe, gpt-4o-mini-tts, gpt-image-1,
# gpt-4o-search-preview): a text model is no substitute for them.
_NON_TEXT_TOKENS = frozenset({"audio", "realtime", "transcribe", "tts", "image", "search"})
# Kinds whose unknown ids can be mapped by tier (embedding ids name no size).
TIER_KINDS: tuple[str, ...] = ("chat", "reasoning")


# --------------------------------------------------------------------------- errors


class MappingError(Exception):
    """A mapping file is invalid (or a provider name is unknown).

    ``str()`` is ``FILE:LINE: message`` (``FILE: message`` when no line applies).
    """

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        if not self.path:
            return self.message
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


class UnknownProvider(MappingError):
    """``Registry.get`` was given a name that is neither an id nor an alias."""

    def __init__(self, name: str, known: Iterable[str], aliases: Iterable[str] = ()) -> None:
        self.name = name
        self.known = tuple(known)
        alias_list = tuple(aliases)
        message = f"unknown provider {name!r}; known: {', '.join(self.known)}"
        if alias_list:
            message += f" (aliases: {', '.join(alias_list)})"
        super().__init__("", None, message)


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class ParamRule:
    """How one OpenAI keyword argument is translated for the target."""

    name: str
    action: str
    message: str
    to: str | None = None
    min: float | None = None
    max: float | None = None
    # drop: literal values the provider takes as they are (kept, not dropped)
    keep: tuple[str, ...] = ()

    def keeps(self, value: object) -> bool:
        """Is `value` (an argument's expression) a string literal among `keep`?"""
        evaluated = getattr(value, "evaluated_value", None)
        return isinstance(evaluated, str) and evaluated in self.keep


@dataclass(frozen=True)
class ModelTarget:
    """What an OpenAI model id becomes. ``source_key`` is the table key that matched
    (``defaults.<kind>`` for a kind default)."""

    model: str
    kind: str
    dimensions: int | None = None
    extra_body: dict[str, Any] = field(default_factory=dict)
    note: str | None = None
    source_key: str = ""
    sizes: tuple[int, ...] = ()  # dimensions= values the model takes (empty: unknown)

    def __hash__(self) -> int:  # extra_body is a dict: hash the identifying fields
        return hash((self.model, self.kind, self.dimensions, self.source_key))


@dataclass(frozen=True)
class Compat:
    """Client construction for the ``compat`` strategy."""

    client: str
    base_url: str | None
    base_url_env: str | None
    key_env: str
    regions: dict[str, str]
    endpoint_env: str | None
    api_version_env: str | None
    api_version: str | None
    data_region: str

    def __hash__(self) -> int:  # regions is a dict: hash the identifying fields
        return hash((self.client, self.base_url, self.base_url_env, self.key_env))


@dataclass(frozen=True)
class Dependencies:
    """Packages a strategy adds to and removes from the project's dependency files."""

    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()


@dataclass(frozen=True)
class Compliance:
    """Where the provider keeps data and its filing status, for the checklist."""

    data_region: str
    filing: str = "unknown"
    notes: tuple[str, ...] = ()


class Unverified(NamedTuple):
    where: str
    fact: str


@dataclass(frozen=True)
class Facts:
    """When a mapping's facts were checked, their sources, and what is not verified."""

    as_of: str | None = None
    sources: tuple[str, ...] = ()
    unverified: tuple[Unverified, ...] = ()


def openai_model_kind(model: str) -> str | None:
    """Kind of an OpenAI model id: ``embedding``, ``reasoning``, ``chat`` or None.

    None means "not an OpenAI text model id" (another vendor's id, a fine-tuned
    ``ft:...`` id, or an OpenAI audio/image/realtime/search model): leave it alone.
    """
    if model.startswith("text-embedding-"):
        return "embedding"
    if _REASONING_RE.match(model):
        return "reasoning"
    if model.startswith(("gpt-", "chatgpt-")):
        if _NON_TEXT_TOKENS.intersection(model.split("-")):
            return None
        return "chat"
    return None
