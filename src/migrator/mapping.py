"""Provider mapping files: schema, loader, validation, registry and model resolution.

A mapping file (``mappings/<id>.yaml``, shipped as ``migrator.mappings``) describes one
target: how to build the client (``compat``), which OpenAI model ids become which provider
ids (``models``), how OpenAI keyword arguments are translated (``parameters``), which
endpoint families the target serves (``endpoints``), and where its facts come from
(``facts``).

Loading composes the YAML into nodes first so that every error can name ``FILE:LINE``:
unknown keys, wrong types, missing keys and broken cross references are all reported with
the line of the offending node. The validated result is a tree of frozen, picklable
dataclasses (no YAML nodes survive), so a `Mapping` can be handed to worker processes.

Conventions the codemods rely on:

* ``ModelTarget.dimensions`` is the vector size the target model produces. Send it as the
  ``dimensions=`` keyword only when ``param_rule("embeddings", "dimensions")`` is ``None``
  (the provider accepts the keyword); a ``drop`` rule there means the size is fixed.
* ``ModelTarget.sizes`` lists the ``dimensions=`` values the target model takes, when the
  mapping knows them: a user's own size outside that list becomes ``dimensions``.
* ``ModelTarget.extra_body`` holds provider-specific body fields to merge into the call's
  ``extra_body=`` (the openai SDK lets ``extra_body`` win over keyword arguments).
* Parameter rules act on keywords present in the user's call; an ``unsupported`` rule means
  "leave the keyword, mark it and report the message".
* ``models.capabilities`` states what target models can do (see capabilities.py);
  ``models.tiers`` names the model for an unknown OpenAI id by the size its name gives
  (``gpt-5-nano`` -> the small tier); ``models.defaults.vision`` is the model for calls that
  send images when the usual one is not known to take them.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from migrator.capabilities import (
    CAPABILITY_FLAGS,
    TIERS,
    UNKNOWN,
    Capabilities,
    openai_model_tier,
)
from migrator.mapping_native import Native, parse_native

__all__ = [
    "ACTIONS",
    "ENDPOINT_FAMILIES",
    "IMPLEMENTED_STRATEGIES",
    "MODEL_KINDS",
    "OPENAI_KWARGS",
    "PARAM_FAMILIES",
    "Compat",
    "Compliance",
    "Dependencies",
    "Facts",
    "Mapping",
    "MappingError",
    "ModelTarget",
    "ParamRule",
    "Registry",
    "UnknownProvider",
    "Unverified",
    "builtin_mapping_paths",
    "load_mapping",
    "load_registry",
    "openai_model_kind",
]

# Strategies the engine implements. A mapping may list only these.
IMPLEMENTED_STRATEGIES: tuple[str, ...] = ("compat", "native")
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

_ID_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
_ENV_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_URL_RE = re.compile(r"^https?://\S+$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_REASONING_RE = re.compile(r"^o\d+(?:-|$)")
# Tokens that mark OpenAI ids which are not text models (gpt-4o-audio-preview,
# gpt-4o-realtime-preview, gpt-4o-transcribe, gpt-4o-mini-tts, gpt-image-1,
# gpt-4o-search-preview): a text model is no substitute for them.
_NON_TEXT_TOKENS = frozenset({"audio", "realtime", "transcribe", "tts", "image", "search"})
# Kinds whose unknown ids can be mapped by tier (embedding ids name no size).
TIER_KINDS: tuple[str, ...] = ("chat", "reasoning")


def _names_vision(model: str) -> bool:
    """An OpenAI id made for image inputs (gpt-4-vision-preview, gpt-4-1106-vision-preview)."""
    return "vision" in model.split("-")


_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()


@dataclass(frozen=True)
class Compliance:
    data_region: str
    filing: str = "unknown"
    notes: tuple[str, ...] = ()


class Unverified(NamedTuple):
    where: str
    fact: str


@dataclass(frozen=True)
class Facts:
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


@dataclass(frozen=True)
class Mapping:
    """One validated mapping file."""

    id: str
    name: str
    aliases: tuple[str, ...]
    docs_url: str | None
    strategies: tuple[str, ...]
    default_strategy: str
    compat: Compat
    endpoints: frozenset[str]
    dependencies: dict[str, Dependencies]
    compliance: Compliance
    facts: Facts
    path: str
    models: dict[str, ModelTarget] = field(default_factory=dict)
    defaults: dict[str, ModelTarget | None] = field(default_factory=dict)
    limits: dict[str, dict[str, int]] = field(default_factory=dict)
    parameters: dict[str, dict[str, ParamRule]] = field(default_factory=dict)
    model_overrides: dict[str, str] = field(default_factory=dict)
    vision_default: ModelTarget | None = None
    tiers: dict[str, dict[str, ModelTarget]] = field(default_factory=dict)
    capabilities: dict[str, Capabilities] = field(default_factory=dict)
    # The provider's own SDK (mapping_native.py), or why there is none (`no_native`).
    native: Native | None = None
    no_native: str | None = None
    # Line numbers of a few nodes, for registry-level errors (alias clashes).
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __hash__(self) -> int:  # several fields are dicts: hash what tells mappings apart
        return hash((self.id, self.path, self.compat, tuple(sorted(self.model_overrides.items()))))

    # -- models ---------------------------------------------------------------

    @property
    def source(self) -> str:
        """The mapping's file name without its directory."""
        return Path(self.path).name

    def mapped_openai_ids(self) -> tuple[str, ...]:
        """Keys of the chat/reasoning/embedding tables, sorted."""
        return tuple(sorted(self.models))

    def _match_key(self, model: str) -> str | None:
        if model in self.model_overrides or model in self.models:
            return model
        if openai_model_kind(model) is None and model.startswith(("gpt-", "chatgpt-")):
            return None  # an OpenAI audio/image/realtime model: no prefix match
        # A snapshot keeps its family's size (gpt-4o-2024-08-06 is gpt-4o); an id of
        # another size is another model (gpt-5-nano is not gpt-5).
        tier = openai_model_tier(model)
        best: str | None = None
        for key in (*self.model_overrides, *self.models):
            if (
                model.startswith(key + "-")
                and openai_model_tier(key) == tier
                and (best is None or len(key) > len(best))
            ):
                best = key
        return best

    def _kind_of_key(self, key: str) -> str:
        target = self.models.get(key)
        if target is not None:
            return target.kind
        return openai_model_kind(key) or "chat"

    def resolve_model(self, openai_model: str) -> ModelTarget | None:
        """The target for an OpenAI model id, or None to leave the id as it is.

        Order: model-map overrides and table keys (exact, then the longest key of the same
        size that is a prefix followed by ``-``, so dated snapshots resolve to their
        family; an override wins over a table key of the same name); then, for an OpenAI
        id, the tier default of its kind and size (``models.tiers``), else the kind's
        default; else None. An id made for images (``gpt-4-vision-preview``) that is not
        a table key gets a model known to take images, or None.
        """
        if not openai_model:
            return None
        key = self._match_key(openai_model)
        if key is not None and key in self.model_overrides:
            return ModelTarget(
                model=self.model_overrides[key],
                kind=self._kind_of_key(key),
                note="model-map override",
                source_key=key,
            )
        if key == openai_model:
            return self.models[key]
        if _names_vision(openai_model):
            found = self.models[key] if key is not None else None
            if found is not None and self.capabilities_of(found.model).vision:
                return found
            return self.vision_default
        if key is not None:
            return self.models[key]
        kind = openai_model_kind(openai_model)
        if kind is None:
            return None
        return self.tiers.get(kind, {}).get(openai_model_tier(openai_model)) or self.defaults.get(
            kind
        )

    def is_override(self, target: ModelTarget) -> bool:
        """Whether a resolved target is the user's --model-map choice."""
        return self.model_overrides.get(target.source_key) == target.model

    def model_candidates(self, openai_model: str) -> tuple[ModelTarget, ...]:
        """`resolve_model`'s target first, then the other models the mapping offers for the
        id's kind, in order: the tier default of the id's size, the kind default and, for
        chat, the vision default. One entry per provider model."""
        first = self.resolve_model(openai_model)
        if first is None:
            return ()
        kind = first.kind
        more = [
            self.tiers.get(kind, {}).get(openai_model_tier(openai_model)),
            self.defaults.get(kind),
            self.vision_default if kind == "chat" else None,
        ]
        out: dict[str, ModelTarget] = {first.model: first}
        for target in more:
            if target is not None and target.model not in out:
                out[target.model] = target
        return tuple(out.values())

    def capabilities_of(self, target_model: str) -> Capabilities:
        """What the mapping states about a target model (all unknown when nothing)."""
        return self.capabilities.get(target_model, UNKNOWN)

    def model_kind(self, openai_model: str) -> str | None:
        """Kind of a model id as this mapping sees it (its table, else the OpenAI rules)."""
        key = self._match_key(openai_model) if openai_model else None
        if key is not None:
            return self._kind_of_key(key)
        return openai_model_kind(openai_model)

    def limits_for(self, target_model: str) -> dict[str, int] | None:
        """Sourced limits (``context_window``, ``max_output_tokens``) of a target model."""
        found = self.limits.get(target_model)
        return dict(found) if found is not None else None

    # -- parameters and endpoints ------------------------------------------------

    def param_rule(self, family: str, name: str) -> ParamRule | None:
        """The rule for keyword ``name`` of endpoint ``family`` (None: pass it through)."""
        return self.parameters.get(family, {}).get(name)

    def supports(self, family: str) -> bool:
        """Whether the target serves this endpoint family on its compatible endpoint."""
        return family in self.endpoints

    # -- overrides ------------------------------------------------------------------

    def with_overrides(
        self,
        model_map: dict[str, str] | None = None,
        base_url: str | None = None,
        key_env: str | None = None,
    ) -> Mapping:
        """A copy with model-map overrides (``OLD -> NEW``) and client settings replaced.

        A base URL that differs from the file's default makes the data region
        ``user-defined``: the file can no longer say where data is processed.
        """
        overrides = dict(self.model_overrides)
        for old, new in (model_map or {}).items():
            if not isinstance(old, str) or not old or not isinstance(new, str) or not new:
                raise MappingError(
                    self.path, None, f"invalid model-map entry {old!r}={new!r}: both sides needed"
                )
            overrides[old] = new
        compat = self.compat
        compliance = self.compliance
        if key_env is not None:
            if not _ENV_RE.match(key_env):
                raise MappingError(
                    self.path, None, f"invalid environment variable name {key_env!r}"
                )
            compat = dataclasses.replace(compat, key_env=key_env)
        if base_url is not None:
            if not _URL_RE.match(base_url):
                raise MappingError(self.path, None, f"invalid base URL {base_url!r}")
            if base_url != compat.base_url:
                compat = dataclasses.replace(compat, base_url=base_url, data_region="user-defined")
                compliance = dataclasses.replace(compliance, data_region="user-defined")
        native = self.native
        if native is not None and key_env is not None:
            native = dataclasses.replace(native, key_env=key_env)
        if native is not None and base_url is not None and base_url != native.base_url:
            native = dataclasses.replace(native, base_url=base_url, data_region="user-defined")
        return dataclasses.replace(
            self, model_overrides=overrides, compat=compat, compliance=compliance, native=native
        )


# --------------------------------------------------------------------------- loader


class _Doc:
    """Validation helpers bound to one file; every failure raises MappingError."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, node: Node, message: str) -> NoReturn:
        raise MappingError(self.path, node.start_mark.line + 1, message)

    @staticmethod
    def _describe(node: Node) -> str:
        if isinstance(node, MappingNode):
            return "a mapping"
        if isinstance(node, SequenceNode):
            return "a list"
        return {
            _STR: "a string",
            _INT: "an integer",
            _FLOAT: "a number",
            _BOOL: "a boolean",
            _NULL: "null",
            _TIMESTAMP: "a date",
        }.get(node.tag, f"a value tagged {node.tag}")

    def mapping(
        self,
        node: Node,
        where: str,
        required: Iterable[str] = (),
        optional: Iterable[str] = (),
        *,
        any_keys: bool = False,
        at: Node | None = None,
    ) -> dict[str, tuple[Node, Node]]:
        """Check a mapping node's keys; return ``{key: (key_node, value_node)}``.

        A missing key is reported at ``at`` (the mapping's own key in its parent), else at
        the mapping's first line.
        """
        if not isinstance(node, MappingNode):
            self.fail(node, f"{where}: expected a mapping, got {self._describe(node)}")
        required = tuple(required)
        allowed = set(required) | set(optional)
        out: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag != _STR:
                self.fail(key_node, f"{where}: keys must be strings")
            key = key_node.value
            if key in out:
                self.fail(key_node, f"{where}: duplicate key {key!r}")
            if not any_keys and key not in allowed:
                expected = ", ".join(sorted(allowed)) or "none"
                self.fail(key_node, f"{where}: unknown key {key!r} (expected one of: {expected})")
            out[key] = (key_node, value_node)
        for key in required:
            if key not in out:
                self.fail(at or node, f"{where}: missing required key {key!r}")
        return out

    def is_null(self, node: Node) -> bool:
        return isinstance(node, ScalarNode) and node.tag == _NULL

    def string(self, node: Node, where: str) -> str:
        if not isinstance(node, ScalarNode) or node.tag != _STR:
            self.fail(node, f"{where}: expected a string, got {self._describe(node)}")
        if not node.value.strip():
            self.fail(node, f"{where}: must not be empty")
        return str(node.value)

    def string_list(self, node: Node, where: str) -> list[str]:
        if not isinstance(node, SequenceNode):
            self.fail(node, f"{where}: expected a list, got {self._describe(node)}")
        return [self.string(item, f"{where}[{i}]") for i, item in enumerate(node.value)]

    def number(self, node: Node, where: str) -> float:
        """A finite number; an integer in the file stays an int (so ``n`` clamps to 4)."""
        if not isinstance(node, ScalarNode) or node.tag not in (_INT, _FLOAT):
            self.fail(node, f"{where}: expected a number, got {self._describe(node)}")
        value = _construct(node)
        if value != value or value in (float("inf"), float("-inf")):
            self.fail(node, f"{where}: expected a finite number")
        return int(value) if node.tag == _INT else float(value)

    def integer(self, node: Node, where: str, minimum: int = 1) -> int:
        if not isinstance(node, ScalarNode) or node.tag != _INT:
            self.fail(node, f"{where}: expected an integer, got {self._describe(node)}")
        value = int(_construct(node))
        if value < minimum:
            self.fail(node, f"{where}: must be at least {minimum}")
        return value

    def env(self, node: Node, where: str) -> str:
        value = self.string(node, where)
        if not _ENV_RE.match(value):
            self.fail(node, f"{where}: {value!r} is not an environment variable name")
        return value

    def boolean(self, node: Node, where: str) -> bool:
        if not isinstance(node, ScalarNode) or node.tag != _BOOL:
            self.fail(node, f"{where}: expected true or false, got {self._describe(node)}")
        return bool(_construct(node))

    def url(self, node: Node, where: str) -> str:
        value = self.string(node, where)
        if not _URL_RE.match(value):
            self.fail(node, f"{where}: {value!r} is not an http(s) URL")
        return value

    def choice(self, node: Node, where: str, choices: Iterable[str]) -> str:
        value = self.string(node, where)
        options = tuple(choices)
        if value not in options:
            self.fail(node, f"{where}: {value!r} is not one of: {', '.join(options)}")
        return value

    def plain(self, node: Node, where: str) -> Any:
        """JSON-like data (for extra_body): mappings with string keys, lists, scalars."""
        if isinstance(node, MappingNode):
            items = self.mapping(node, where, any_keys=True)
            return {key: self.plain(value, f"{where}.{key}") for key, (_, value) in items.items()}
        if isinstance(node, SequenceNode):
            return [self.plain(item, f"{where}[{i}]") for i, item in enumerate(node.value)]
        if node.tag not in (_STR, _INT, _FLOAT, _BOOL, _NULL):
            self.fail(node, f"{where}: expected JSON-like data, got {self._describe(node)}")
        return _construct(node)


def _construct(node: Node) -> Any:
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def _compose(text: str, path: str) -> Node:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or exc.context or "syntax error"
        raise MappingError(path, line, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise MappingError(path, 1, f"invalid YAML: {exc}") from None
    if node is None:
        raise MappingError(path, 1, "empty mapping file")
    return node


_TOP_REQUIRED = ("id", "name", "strategies", "default_strategy", "compat", "endpoints")
_TOP_OPTIONAL = (
    "aliases",
    "docs_url",
    "models",
    "parameters",
    "dependencies",
    "compliance",
    "facts",
    "native",
)


def _parse_model_value(
    doc: _Doc, key_node: Node, node: Node, where: str, kind: str, key: str
) -> ModelTarget:
    if isinstance(node, ScalarNode):
        return ModelTarget(model=doc.string(node, where), kind=kind, source_key=key)
    optional = ("extra_body", "note") + (("dimensions", "sizes") if kind == "embedding" else ())
    items = doc.mapping(node, where, required=("model",), optional=optional, at=key_node)
    sizes: tuple[int, ...] = ()
    if "sizes" in items:
        sizes_node = items["sizes"][1]
        if not isinstance(sizes_node, SequenceNode) or not sizes_node.value:
            doc.fail(sizes_node, f"{where}.sizes: expected a non-empty list of integers")
        sizes = tuple(
            doc.integer(item, f"{where}.sizes[{i}]") for i, item in enumerate(sizes_node.value)
        )
        if "dimensions" in items:
            dimensions_node = items["dimensions"][1]
            if doc.integer(dimensions_node, f"{where}.dimensions") not in sizes:
                doc.fail(dimensions_node, f"{where}.dimensions: must be one of sizes {list(sizes)}")
    extra: dict[str, Any] = {}
    if "extra_body" in items:
        value_node = items["extra_body"][1]
        if not isinstance(value_node, MappingNode):
            doc.fail(value_node, f"{where}.extra_body: expected a mapping")
        extra = doc.plain(value_node, f"{where}.extra_body")
    return ModelTarget(
        model=doc.string(items["model"][1], f"{where}.model"),
        kind=kind,
        dimensions=(
            doc.integer(items["dimensions"][1], f"{where}.dimensions")
            if "dimensions" in items
            else None
        ),
        extra_body=extra,
        note=doc.string(items["note"][1], f"{where}.note") if "note" in items else None,
        source_key=key,
        sizes=sizes,
    )


class _ModelTables(NamedTuple):
    table: dict[str, ModelTarget]
    defaults: dict[str, ModelTarget | None]
    limits: dict[str, dict[str, int]]
    vision_default: ModelTarget | None
    tiers: dict[str, dict[str, ModelTarget]]
    capabilities: dict[str, Capabilities]


def _parse_models(doc: _Doc, node: Node) -> _ModelTables:
    items = doc.mapping(
        node,
        "models",
        optional=(*MODEL_KINDS, "defaults", "tiers", "capabilities", "limits"),
    )
    table: dict[str, ModelTarget] = {}
    for kind in MODEL_KINDS:
        if kind not in items:
            continue
        entries = doc.mapping(items[kind][1], f"models.{kind}", any_keys=True)
        for key, (key_node, value_node) in entries.items():
            where = f"models.{kind}.{key}"
            if key in table:
                doc.fail(key_node, f"{where}: {key!r} is also listed in models.{table[key].kind}")
            key_kind = openai_model_kind(key)
            if key_kind is not None and key_kind != kind:
                doc.fail(key_node, f"{where}: {key!r} is an OpenAI {key_kind} model id")
            table[key] = _parse_model_value(doc, key_node, value_node, where, kind, key)
    defaults: dict[str, ModelTarget | None] = dict.fromkeys(MODEL_KINDS)
    vision_default: ModelTarget | None = None
    vision_node: Node | None = None
    if "defaults" in items:
        entries = doc.mapping(
            items["defaults"][1], "models.defaults", optional=(*MODEL_KINDS, "vision")
        )
        for kind, (key_node, value_node) in entries.items():
            if doc.is_null(value_node):
                continue
            where = f"models.defaults.{kind}"
            if kind == "vision":  # a chat model for calls that send images
                vision_node = key_node
                vision_default = _parse_model_value(
                    doc, key_node, value_node, where, "chat", "defaults.vision"
                )
            else:
                defaults[kind] = _parse_model_value(
                    doc, key_node, value_node, where, kind, f"defaults.{kind}"
                )
    tiers: dict[str, dict[str, ModelTarget]] = {}
    tier_nodes: dict[tuple[str, str], Node] = {}
    if "tiers" in items:
        kinds = doc.mapping(items["tiers"][1], "models.tiers", optional=TIER_KINDS)
        for kind, (_, kind_node) in kinds.items():
            entries = doc.mapping(kind_node, f"models.tiers.{kind}", optional=TIERS)
            tiers[kind] = {}
            for tier, (key_node, value_node) in entries.items():
                where = f"models.tiers.{kind}.{tier}"
                tier_nodes[(kind, tier)] = key_node
                tiers[kind][tier] = _parse_model_value(
                    doc, key_node, value_node, where, kind, f"tiers.{kind}.{tier}"
                )
    targets = (
        {t.model for t in table.values()}
        | {t.model for t in defaults.values() if t is not None}
        | {t.model for by_tier in tiers.values() for t in by_tier.values()}
        | ({vision_default.model} if vision_default is not None else set())
    )
    capabilities: dict[str, Capabilities] = {}
    if "capabilities" in items:
        entries = doc.mapping(items["capabilities"][1], "models.capabilities", any_keys=True)
        for model, (key_node, value_node) in entries.items():
            where = f"models.capabilities.{model}"
            if model not in targets:
                doc.fail(key_node, f"{where}: {model!r} is not a target model of this mapping")
            capabilities[model] = _parse_capabilities(doc, key_node, value_node, where)
    if vision_default is not None and vision_node is not None:
        if capabilities.get(vision_default.model, UNKNOWN).vision is not True:
            doc.fail(
                vision_node,
                f"models.defaults.vision: {vision_default.model!r} needs 'vision: true' "
                "in models.capabilities (with its source)",
            )
    for (kind, tier), key_node in tier_nodes.items():
        # A provider with fewer sizes serves a smaller tier with a larger model, never
        # the other way round.
        stated = capabilities.get(tiers[kind][tier].model, UNKNOWN).tier
        if stated is not None and TIERS.index(stated) > TIERS.index(tier):
            doc.fail(
                key_node,
                f"models.tiers.{kind}.{tier}: {tiers[kind][tier].model!r} is a {stated} "
                f"model in models.capabilities, smaller than the {tier} tier",
            )
    limits: dict[str, dict[str, int]] = {}
    if "limits" in items:
        entries = doc.mapping(items["limits"][1], "models.limits", any_keys=True)
        for model, (key_node, value_node) in entries.items():
            where = f"models.limits.{model}"
            if model not in targets:
                doc.fail(key_node, f"{where}: {model!r} is not a target model of this mapping")
            fields = doc.mapping(
                value_node, where, optional=("context_window", "max_output_tokens")
            )
            if not fields:
                doc.fail(key_node, f"{where}: give context_window and/or max_output_tokens")
            limits[model] = {
                name: doc.integer(value, f"{where}.{name}") for name, (_, value) in fields.items()
            }
    return _ModelTables(table, defaults, limits, vision_default, tiers, capabilities)


def _parse_capabilities(doc: _Doc, key_node: Node, node: Node, where: str) -> Capabilities:
    items = doc.mapping(
        node, where, required=("source",), optional=(*CAPABILITY_FLAGS, "tier"), at=key_node
    )
    if len(items) == 1:
        doc.fail(key_node, f"{where}: state at least one of {', '.join(CAPABILITY_FLAGS)}, tier")
    flags = {
        name: doc.boolean(items[name][1], f"{where}.{name}")
        for name in CAPABILITY_FLAGS
        if name in items
    }
    tier = doc.choice(items["tier"][1], f"{where}.tier", TIERS) if "tier" in items else None
    return Capabilities(
        **flags, tier=tier, source=doc.string(items["source"][1], f"{where}.source")
    )


def _parse_rule(
    doc: _Doc, family: str, name: str, key_node: Node, node: Node, *, native: bool = False
) -> ParamRule:
    """One parameter rule. `native`: a rule of an SDK's own table (mapping_native.py),
    whose rename targets are that SDK's keywords, not openai's."""
    where = f"parameters.{family}.{name}"
    items = doc.mapping(
        node, where, required=("action", "message"), optional=("to", "min", "max"), at=key_node
    )
    action = doc.choice(items["action"][1], f"{where}.action", ACTIONS)
    message = doc.string(items["message"][1], f"{where}.message")
    to: str | None = None
    low: float | None = None
    high: float | None = None
    if "to" in items:
        if action not in ("rename", "extra_body"):
            doc.fail(items["to"][0], f"{where}: 'to' is only allowed with rename or extra_body")
        to = doc.string(items["to"][1], f"{where}.to")
    for bound in ("min", "max"):
        if bound in items and action != "clamp":
            doc.fail(items[bound][0], f"{where}: {bound!r} is only allowed with clamp")
    if action == "rename":
        if to is None:
            doc.fail(key_node, f"{where}: action 'rename' needs 'to'")
        if to == name:
            doc.fail(items["to"][1], f"{where}: rename to the same name")
        if not native and to not in OPENAI_KWARGS[family]:
            doc.fail(
                items["to"][1],
                f"{where}: {to!r} is not a keyword of the openai SDK's {family} create(); "
                "use action extra_body for provider-only fields",
            )
    if action == "clamp":
        if "min" not in items and "max" not in items:
            doc.fail(key_node, f"{where}: action 'clamp' needs 'min' and/or 'max'")
        if "min" in items:
            low = doc.number(items["min"][1], f"{where}.min")
        if "max" in items:
            high = doc.number(items["max"][1], f"{where}.max")
        if low is not None and high is not None and low > high:
            doc.fail(items["min"][1], f"{where}: min {low} is greater than max {high}")
    return ParamRule(name=name, action=action, message=message, to=to, min=low, max=high)


def _resolve_where(node: Node, where: str) -> bool:
    """Whether a dotted path names a key in the document (keys may contain dots)."""
    if not where:
        return True
    if not isinstance(node, MappingNode):
        return False
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, ScalarNode) else None
        if not isinstance(key, str):
            continue
        if where == key:
            return True
        if where.startswith(key + ".") and _resolve_where(value_node, where[len(key) + 1 :]):
            return True
    return False


def _parse(text: str, path: str) -> Mapping:
    doc = _Doc(path)
    root = _compose(text, path)
    top = doc.mapping(root, "mapping file", _TOP_REQUIRED, _TOP_OPTIONAL)

    def value(key: str) -> Node:
        return top[key][1]

    id_node = value("id")
    ident = doc.string(id_node, "id")
    if not _ID_RE.match(ident):
        doc.fail(id_node, f"id: {ident!r} must be lowercase letters, digits, '-' or '_'")
    name = doc.string(value("name"), "name")
    aliases: list[str] = []
    if "aliases" in top:
        aliases_node = value("aliases")
        for i, alias in enumerate(doc.string_list(aliases_node, "aliases")):
            alias_node = aliases_node.value[i]
            if not _ID_RE.match(alias):
                doc.fail(
                    alias_node,
                    f"aliases[{i}]: {alias!r} must be lowercase letters, digits, '-' or '_'",
                )
            if alias == ident or alias in aliases:
                doc.fail(alias_node, f"aliases[{i}]: {alias!r} repeats the id or another alias")
            aliases.append(alias)
    docs_url = doc.url(value("docs_url"), "docs_url") if "docs_url" in top else None

    strategies_node = value("strategies")
    strategies = doc.string_list(strategies_node, "strategies")
    if not strategies:
        doc.fail(strategies_node, "strategies: list at least one strategy")
    for i, strategy in enumerate(strategies):
        if strategy not in IMPLEMENTED_STRATEGIES:
            doc.fail(
                strategies_node.value[i],
                f"strategies[{i}]: {strategy!r} is not supported by this version "
                f"(supported: {', '.join(IMPLEMENTED_STRATEGIES)})",
            )
    if len(set(strategies)) != len(strategies):
        doc.fail(strategies_node, "strategies: duplicate entries")
    default_strategy = doc.choice(value("default_strategy"), "default_strategy", strategies)

    compat = _parse_compat(doc, top["compat"][0], value("compat"))
    native: Native | None = None
    no_native: str | None = None
    if "native" in top:
        parsed = parse_native(
            doc, top["native"][0], value("native"), ENDPOINT_FAMILIES, DATA_REGIONS
        )
        if isinstance(parsed, str):
            no_native = parsed
        else:
            native = parsed
    if "native" in strategies and native is None:
        doc.fail(
            strategies_node,
            "strategies: 'native' needs a native: section naming the provider's SDK",
        )
    if native is not None and "native" not in strategies:
        doc.fail(top["native"][0], "native: describes an SDK but strategies does not list native")

    endpoints_node = value("endpoints")
    endpoints = doc.string_list(endpoints_node, "endpoints")
    for i, family in enumerate(endpoints):
        if family not in ENDPOINT_FAMILIES:
            doc.fail(
                endpoints_node.value[i],
                f"endpoints[{i}]: {family!r} is not one of: {', '.join(ENDPOINT_FAMILIES)}",
            )
    if len(set(endpoints)) != len(endpoints):
        doc.fail(endpoints_node, "endpoints: duplicate entries")

    tables = _ModelTables({}, dict.fromkeys(MODEL_KINDS), {}, None, {}, {})
    if "models" in top:
        tables = _parse_models(doc, value("models"))
        used_kinds = (
            {t.kind for t in tables.table.values()}
            | {k for k, t in tables.defaults.items() if t is not None}
            | {k for k, by_tier in tables.tiers.items() if by_tier}
            | ({"chat"} if tables.vision_default is not None else set())
        )
        needs = {"chat": "chat", "reasoning": "chat", "embedding": "embeddings"}
        for kind in sorted(used_kinds):
            if needs[kind] not in endpoints:
                doc.fail(
                    top["models"][0],
                    f"models: {kind} models are mapped but {needs[kind]!r} is not in endpoints",
                )

    parameters: dict[str, dict[str, ParamRule]] = {}
    if "parameters" in top:
        families = doc.mapping(value("parameters"), "parameters", optional=PARAM_FAMILIES)
        for family, (family_node, rules_node) in families.items():
            if family not in endpoints:
                doc.fail(family_node, f"parameters.{family}: {family!r} is not in endpoints")
            rules = doc.mapping(rules_node, f"parameters.{family}", any_keys=True)
            parameters[family] = {
                name: _parse_rule(doc, family, name, name_node, rule_node)
                for name, (name_node, rule_node) in rules.items()
            }

    dependencies: dict[str, Dependencies] = {}
    if "dependencies" in top:
        entries = doc.mapping(value("dependencies"), "dependencies", optional=strategies)
        for strategy, (_, dep_node) in entries.items():
            where = f"dependencies.{strategy}"
            dep = doc.mapping(dep_node, where, optional=("add", "remove"))
            dependencies[strategy] = Dependencies(
                add=tuple(doc.string_list(dep["add"][1], f"{where}.add")) if "add" in dep else (),
                remove=(
                    tuple(doc.string_list(dep["remove"][1], f"{where}.remove"))
                    if "remove" in dep
                    else ()
                ),
            )

    if "compliance" in top:
        items = doc.mapping(
            value("compliance"),
            "compliance",
            required=("data_region",),
            optional=("filing", "notes"),
            at=top["compliance"][0],
        )
        region_node = items["data_region"][1]
        region = doc.choice(region_node, "compliance.data_region", DATA_REGIONS)
        if region != compat.data_region:
            doc.fail(
                region_node,
                f"compliance.data_region: {region!r} differs from compat.data_region "
                f"{compat.data_region!r}",
            )
        compliance = Compliance(
            data_region=region,
            filing=doc.string(items["filing"][1], "compliance.filing")
            if "filing" in items
            else "unknown",
            notes=tuple(doc.string_list(items["notes"][1], "compliance.notes"))
            if "notes" in items
            else (),
        )
    else:
        compliance = Compliance(data_region=compat.data_region)

    facts = Facts()
    if "facts" in top:
        items = doc.mapping(value("facts"), "facts", optional=("as_of", "sources", "unverified"))
        as_of: str | None = None
        if "as_of" in items:
            as_of_node = items["as_of"][1]
            if not isinstance(as_of_node, ScalarNode) or as_of_node.tag not in (_STR, _TIMESTAMP):
                doc.fail(as_of_node, "facts.as_of: expected a date YYYY-MM-DD")
            as_of = as_of_node.value
            if not _DATE_RE.match(as_of):
                doc.fail(as_of_node, f"facts.as_of: {as_of!r} is not a date YYYY-MM-DD")
        sources = (
            tuple(doc.string_list(items["sources"][1], "facts.sources"))
            if "sources" in items
            else ()
        )
        unverified: list[Unverified] = []
        if "unverified" in items:
            seq = items["unverified"][1]
            if not isinstance(seq, SequenceNode):
                doc.fail(seq, f"facts.unverified: expected a list, got {doc._describe(seq)}")
            for i, entry_node in enumerate(seq.value):
                where = f"facts.unverified[{i}]"
                entry = doc.mapping(entry_node, where, required=("where", "fact"))
                where_value = doc.string(entry["where"][1], f"{where}.where")
                if where_value != "general" and not _resolve_where(root, where_value):
                    doc.fail(
                        entry["where"][1],
                        f"{where}.where: {where_value!r} does not name a key in this file "
                        "(use a dotted path such as models.chat.gpt-4o, or 'general')",
                    )
                unverified.append(
                    Unverified(where_value, doc.string(entry["fact"][1], f"{where}.fact"))
                )
        facts = Facts(as_of=as_of, sources=sources, unverified=tuple(unverified))

    aliases_line = top["aliases"][0].start_mark.line + 1 if "aliases" in top else 1
    return Mapping(
        id=ident,
        name=name,
        aliases=tuple(aliases),
        docs_url=docs_url,
        strategies=tuple(strategies),
        default_strategy=default_strategy,
        compat=compat,
        endpoints=frozenset(endpoints),
        dependencies=dependencies,
        compliance=compliance,
        facts=facts,
        path=path,
        models=tables.table,
        defaults=tables.defaults,
        limits=tables.limits,
        parameters=parameters,
        vision_default=tables.vision_default,
        tiers=tables.tiers,
        capabilities=tables.capabilities,
        native=native,
        no_native=no_native,
        lines={"id": id_node.start_mark.line + 1, "aliases": aliases_line},
    )


_COMPAT_KEYS = (
    "client",
    "base_url",
    "base_url_env",
    "key_env",
    "regions",
    "endpoint_env",
    "api_version_env",
    "api_version",
    "data_region",
)


def _parse_compat(doc: _Doc, key_node: Node, node: Node) -> Compat:
    items = doc.mapping(
        node,
        "compat",
        required=("client", "key_env", "data_region"),
        optional=_COMPAT_KEYS,
        at=key_node,
    )

    def get(key: str) -> Node | None:
        return items[key][1] if key in items else None

    client = doc.choice(items["client"][1], "compat.client", CLIENTS)
    base_url = doc.url(n, "compat.base_url") if (n := get("base_url")) is not None else None
    base_url_env = (
        doc.env(n, "compat.base_url_env") if (n := get("base_url_env")) is not None else None
    )
    endpoint_env = (
        doc.env(n, "compat.endpoint_env") if (n := get("endpoint_env")) is not None else None
    )
    api_version_env = (
        doc.env(n, "compat.api_version_env") if (n := get("api_version_env")) is not None else None
    )
    api_version = (
        doc.string(n, "compat.api_version") if (n := get("api_version")) is not None else None
    )
    regions: dict[str, str] = {}
    if (n := get("regions")) is not None:
        for region, (_, url_node) in doc.mapping(n, "compat.regions", any_keys=True).items():
            regions[region] = doc.url(url_node, f"compat.regions.{region}")
    if client == "azure":
        if endpoint_env is None and base_url is None:
            doc.fail(key_node, "compat: client 'azure' needs 'endpoint_env' or 'base_url'")
        if api_version_env is None and api_version is None:
            doc.fail(
                key_node, "compat: client 'azure' needs 'api_version_env' and/or 'api_version'"
            )
    else:
        for key in ("endpoint_env", "api_version_env", "api_version"):
            if key in items:
                doc.fail(items[key][0], f"compat.{key}: only allowed with client 'azure'")
        if base_url is None and base_url_env is None:
            doc.fail(key_node, "compat: give 'base_url' and/or 'base_url_env'")
    return Compat(
        client=client,
        base_url=base_url,
        base_url_env=base_url_env,
        key_env=doc.env(items["key_env"][1], "compat.key_env"),
        regions=regions,
        endpoint_env=endpoint_env,
        api_version_env=api_version_env,
        api_version=api_version,
        data_region=doc.choice(items["data_region"][1], "compat.data_region", DATA_REGIONS),
    )


def load_mapping(path: str | Path) -> Mapping:
    """Load and validate one mapping file; raise MappingError (``FILE:LINE: message``)."""
    label = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise MappingError(label, None, f"cannot read file: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise MappingError(label, line, "file is not valid UTF-8") from None
    return _parse(text, label)


# --------------------------------------------------------------------------- registry


@functools.lru_cache(maxsize=1)
def _builtin_entries() -> dict[str, Any]:
    """``{file name: Traversable}`` of the shipped mapping files."""
    root = importlib.resources.files("migrator.mappings")
    entries = {entry.name: entry for entry in root.iterdir() if entry.name.endswith(".yaml")}
    return dict(sorted(entries.items()))


def builtin_mapping_paths() -> list[Path]:
    """Paths of the shipped mapping files, sorted by file name."""
    return [Path(str(entry)) for entry in _builtin_entries().values()]


@functools.cache
def _load_builtin(file_name: str) -> Mapping:
    entry = _builtin_entries()[file_name]
    return _parse(entry.read_text(encoding="utf-8-sig"), str(entry))


@functools.lru_cache(maxsize=1)
def _builtin_mappings() -> tuple[Mapping, ...]:
    return tuple(_load_builtin(name) for name in _builtin_entries())


class Registry:
    """Mappings by id, with aliases. Later mappings replace earlier ones with the same id.

    A registry made by `load_registry` parses built-in files lazily: ``get("deepseek")``
    reads only ``deepseek.yaml``; aliases, `all()` and clash checks read every file (once
    per process, cached).
    """

    def __init__(self, mappings: Iterable[Mapping] = (), *, builtins: bool = False) -> None:
        self._extra: dict[str, Mapping] = {}
        for mapping in mappings:
            self._extra[mapping.id] = mapping
        self._builtins = builtins
        self._by_id: dict[str, Mapping] | None = None
        self._alias: dict[str, str] = {}
        if not builtins:
            self._build_index()

    def _build_index(self) -> None:
        by_id: dict[str, Mapping] = {}
        if self._builtins:
            by_id.update((m.id, m) for m in _builtin_mappings())
        by_id.update(self._extra)
        alias_index: dict[str, str] = {}
        # Built-ins first, so that a clash is reported in the user's file.
        ordered = sorted(
            (m for m in by_id.values() if m.id not in self._extra), key=lambda m: m.id
        ) + list(self._extra.values())
        for mapping in ordered:
            for alias in mapping.aliases:
                owner = alias_index.get(alias) or (alias if alias in by_id else None)
                if owner is not None:
                    raise MappingError(
                        mapping.path,
                        mapping.lines.get("aliases", 1),
                        f"alias {alias!r} is already used by provider {owner!r} "
                        f"({by_id[owner].path})",
                    )
                alias_index[alias] = mapping.id
        self._by_id = by_id
        self._alias = alias_index

    def _index(self) -> dict[str, Mapping]:
        if self._by_id is None:
            self._build_index()
        assert self._by_id is not None
        return self._by_id

    def _fast_get(self, key: str) -> Mapping | None:
        """A built-in mapping by id without reading the other files, when that is safe."""
        if not self._builtins or self._by_id is not None:
            return None
        if key in self._extra:
            return self._extra[key]
        if any(key in m.aliases for m in self._extra.values()):
            return None
        file_name = f"{key}.yaml"
        if file_name not in _builtin_entries():
            return None
        mapping = _load_builtin(file_name)
        return mapping if mapping.id == key else None

    def get(self, name: str) -> Mapping:
        """The mapping for an id or alias (case-insensitive); UnknownProvider otherwise."""
        key = name.strip().lower()
        fast = self._fast_get(key)
        if fast is not None:
            return fast
        by_id = self._index()
        ident = key if key in by_id else self._alias.get(key)
        if ident is None:
            raise UnknownProvider(name, self.ids(), sorted(self._alias))
        return by_id[ident]

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        key = name.strip().lower()
        return key in self._index() or key in self._alias

    def __iter__(self) -> Iterator[Mapping]:
        return iter(self.all())

    def __len__(self) -> int:
        return len(self._index())

    def ids(self) -> list[str]:
        return sorted(self._index())

    def aliases(self) -> dict[str, str]:
        """``{alias: id}``, sorted by alias."""
        self._index()
        return dict(sorted(self._alias.items()))

    def all(self) -> list[Mapping]:
        by_id = self._index()
        return [by_id[ident] for ident in sorted(by_id)]


def load_registry(extra: Iterable[str | Path] = ()) -> Registry:
    """Built-in mappings (each file parsed at most once per process) plus user files,
    which replace a built-in mapping with the same id."""
    return Registry([load_mapping(path) for path in extra], builtins=True)
