"""What a provider's model can do, what a call needs, and which mapped model fits the call.

A mapping file states facts about its target models under ``models.capabilities``
(``vision``, ``tools``, ``streaming_only``, ``thinking``, ``tier``), each with the source
it comes from; a fact the file does not state is unknown (None). A call's needs come
from its own syntax (image parts in its messages, ``tools=``, ``stream=``).

Unknown facts are read the cautious way for the need at stake: images go only to a model
known to take them (a text-only model rejects image parts); a model is avoided for
``stream`` or ``tools`` only when it is known to lack them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from migrator.mapping import Mapping, ModelTarget

__all__ = [
    "CAPABILITY_FLAGS",
    "TIERS",
    "CallNeeds",
    "Capabilities",
    "ModelChoice",
    "choose_model",
    "openai_model_tier",
    "unmet_needs",
]

# Model sizes a mapping can name, largest first.
TIERS: tuple[str, ...] = ("flagship", "balanced", "small")
CAPABILITY_FLAGS: tuple[str, ...] = ("vision", "tools", "streaming_only", "thinking")
# OpenAI names a model's size in its id: gpt-5 / gpt-5-mini / gpt-5-nano, o4-mini. The
# three sizes correspond to the mapping tiers (the mapping files already map gpt-4o-mini
# and gpt-4.1-mini one size below gpt-4o, gpt-4.1-nano two sizes below).
_OPENAI_SIZE_TIERS = {"nano": "small", "mini": "balanced"}


def openai_model_tier(model: str) -> str:
    """The tier an OpenAI id names: ``small`` (nano), ``balanced`` (mini), else flagship."""
    tokens = model.split("-")
    for marker, tier in _OPENAI_SIZE_TIERS.items():
        if marker in tokens:
            return tier
    return "flagship"


@dataclass(frozen=True)
class Capabilities:
    """Facts about one target model; None means the mapping does not know."""

    vision: bool | None = None  # takes image inputs
    tools: bool | None = None  # function calling
    streaming_only: bool | None = None  # answers only with stream=True
    thinking: bool | None = None  # thinks by default / returns reasoning output
    tier: str | None = None  # one of TIERS
    source: str = ""  # where the facts come from


UNKNOWN = Capabilities()


@dataclass(frozen=True)
class CallNeeds:
    """What a call asks of its model. ``streams`` is None when the code does not tell."""

    images: bool = False
    streams: bool | None = False
    tools: bool = False

    @staticmethod
    def combine(needs: Iterable[CallNeeds]) -> CallNeeds:
        """The needs of several calls that share one model value."""
        items = list(needs)
        streams = [n.streams for n in items]
        return CallNeeds(
            images=any(n.images for n in items),
            streams=True if all(streams) else (False if False in streams else None),
            tools=any(n.tools for n in items),
        )


def unmet_needs(
    model: str, caps: Capabilities, needs: CallNeeds, *, known_only: bool = False
) -> list[str]:
    """Why ``model`` does not fit a call with these needs (empty: it fits). With
    ``known_only``, only what the mapping states against it (a model the user chose)."""
    reasons: list[str] = []
    if needs.images and (caps.vision is False or (caps.vision is None and not known_only)):
        known = "takes no images" if caps.vision is False else "is not known to take images"
        reasons.append(f"the call sends images and {model} {known}")
    if caps.streaming_only and needs.streams is not True:
        how = "does not stream" if needs.streams is False else "may not stream"
        reasons.append(f"{model} answers only when streaming and the call {how}")
    if needs.tools and caps.tools is False:
        reasons.append(f"the call passes tools and {model} has no function calling")
    return reasons


@dataclass(frozen=True)
class ModelChoice:
    """The model a call gets: ``target`` (None: leave the id), the mapping's plain answer
    ``planned``, and why ``planned`` was not taken (empty when it was)."""

    target: ModelTarget | None
    planned: ModelTarget | None
    reasons: tuple[str, ...] = ()
    override: bool = False  # planned comes from --model-map: it stays, reasons are warnings

    @property
    def changed(self) -> bool:
        """The call gets something else than the plain mapping (another model, or none)."""
        return bool(self.reasons) and not self.override


def choose_model(mapping: Mapping, openai_model: str, needs: CallNeeds) -> ModelChoice:
    """The first model the mapping offers for ``openai_model`` that fits the call.

    A ``--model-map`` choice is the user's: it is kept even when the mapping knows it
    does not fit (the reasons are then reported, not acted on).
    """
    planned = mapping.resolve_model(openai_model)
    if planned is None:
        return ModelChoice(None, None)
    caps = mapping.capabilities_of(planned.model)
    reasons = unmet_needs(planned.model, caps, needs)
    if not reasons:
        return ModelChoice(planned, planned)
    if mapping.is_override(planned):
        known = unmet_needs(planned.model, caps, needs, known_only=True)
        return ModelChoice(planned, planned, tuple(known), override=True)
    for candidate in mapping.model_candidates(openai_model)[1:]:
        if not unmet_needs(candidate.model, mapping.capabilities_of(candidate.model), needs):
            return ModelChoice(candidate, planned, tuple(reasons))
    return ModelChoice(None, planned, tuple(reasons))
