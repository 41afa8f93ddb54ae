"""The validated `Mapping`: which provider model an OpenAI id becomes (tables, snapshots,
tiers, capabilities), the parameter rule for a keyword, and the copy the CLI's overrides
make (``--model-map``, ``--base-url``, ``--key-env``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from migrator.capabilities import UNKNOWN, Capabilities, openai_model_tier
from migrator.mapping_litellm import LiteLLM
from migrator.mapping_native import Native
from migrator.mapping_types import (
    ENV_RE,
    URL_RE,
    Compat,
    Compliance,
    Dependencies,
    Facts,
    MappingError,
    ModelTarget,
    ParamRule,
    openai_model_kind,
)


def _names_vision(model: str) -> bool:
    """An OpenAI id made for image inputs (gpt-4-vision-preview, gpt-4-1106-vision-preview)."""
    return "vision" in model.split("-")


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
    # How LiteLLM's SDK reaches the provider (mapping_litellm.py; strategy litellm), or
    # why it does not (`no_litellm`).
    litellm: LiteLLM | None = None
    no_litellm: str | None = None
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

    def kind_of_key(self, key: str) -> str:
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
                kind=self.kind_of_key(key),
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
            return self.kind_of_key(key)
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
            if not ENV_RE.match(key_env):
                raise MappingError(
                    self.path, None, f"invalid environment variable name {key_env!r}"
                )
            compat = dataclasses.replace(compat, key_env=key_env)
        if base_url is not None:
            if not URL_RE.match(base_url):
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
