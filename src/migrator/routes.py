"""A second provider for one endpoint family: `--route embeddings=qwen`.

Providers without an embeddings endpoint (DeepSeek, Moonshot, MiniMax) would leave every
RAG app half-migrated: chat moves, embeddings are marked (MIG401). A route names the
provider that serves a family the target lacks. Under a route, the calls of that family
go through a second client made next to the original one with the ROUTE provider's key
and compatible endpoint, and that provider's model table and parameter rules apply to
them (codemods/routes.py does the rewrite; `Plan.route_for` / `Plan.routed` expose the
decision to every fixer).

This module holds what the CLI and the checklist need without the codemods: the `Route`
record, how `--route FAMILY=PROVIDER` / `[tool.migrator] route = {...}` are checked
(`resolve_routes`, errors as `RouteError`), and which providers could serve a family
(`providers_serving`, computed from the mappings).
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from migrator.mapping_types import ENDPOINT_FAMILIES, MappingError

if TYPE_CHECKING:
    from migrator.mapping import Mapping, Registry
    from migrator.mapping_types import Compat


# Families a route may name: the mapping's endpoint families a second OpenAI-compatible
# client can serve on its own. `chat` is the target's; `assistants`, `vector_stores`,
# `responses` and `realtime` are stateful or tied to OpenAI's objects (threads, files
# uploaded to the same account): a second host cannot hold half of them; `models` lists
# the target's own models.
ROUTABLE_FAMILIES: tuple[str, ...] = tuple(
    f
    for f in ENDPOINT_FAMILIES
    if f not in ("chat", "assistants", "vector_stores", "responses", "realtime", "models")
)


class RouteError(ValueError):
    """A route that cannot be honoured; the message says which and why."""


@dataclass(frozen=True)
class Route:
    """The calls of `family` go to `mapping`'s OpenAI-compatible endpoint.

    Picklable (travels to the workers inside RewriteOptions)."""

    family: str
    mapping: Mapping

    @property
    def endpoint(self) -> Compat:
        """Where the routed calls go: the route provider's compatible endpoint (its key
        variable, base URL). Also under `--strategy native`: the routed family keeps the
        openai SDK and the response shapes the code reads."""
        return self.mapping.compat


def parse_route(item: str) -> tuple[str, str]:
    """`"embeddings=qwen"` -> ("embeddings", "qwen")."""
    family, sep, provider = item.partition("=")
    if not sep or not family.strip() or not provider.strip():
        raise RouteError(f"--route takes FAMILY=PROVIDER, got {item!r}")
    return family.strip().lower().replace("-", "_"), provider.strip()


def resolve_routes(
    registry: Registry,
    target: Mapping,
    configured: MappingABC[str, str],
    given: Iterable[str],
) -> tuple[Route, ...]:
    """The routes of a run: `[tool.migrator] route` first, `--route` flags over it.

    Raises RouteError for an unknown family, an unknown provider, a provider whose
    mapping lacks the family, and a route to the target itself."""
    wanted: dict[str, str] = {}
    for family, provider in configured.items():
        wanted[family.strip().lower().replace("-", "_")] = provider.strip()
    for item in given:
        family, provider = parse_route(item)
        wanted[family] = provider
    routes: list[Route] = []
    for family, provider in sorted(wanted.items()):
        if family not in ROUTABLE_FAMILIES:
            raise RouteError(
                f"--route {family}={provider}: unknown endpoint family {family!r} "
                f"(families: {', '.join(ROUTABLE_FAMILIES)})"
            )
        try:
            mapping = registry.get(provider)
        except MappingError as exc:
            raise RouteError(f"--route {family}={provider}: {exc}") from exc
        if mapping.id == target.id:
            raise RouteError(
                f"--route {family}={provider}: {provider} is the target itself "
                f"(--to {target.id}); a route names a second provider"
            )
        if not mapping.supports(family):
            serving = providers_serving(registry, family, exclude=target.id)
            raise RouteError(
                f"--route {family}={provider}: {mapping.name} has no OpenAI-compatible "
                f"{family} endpoint"
                + (f" (providers with one: {', '.join(serving)})" if serving else "")
            )
        if mapping.compat.client != "openai":
            raise RouteError(
                f"--route {family}={provider}: {mapping.name}'s endpoint needs a "
                f"{mapping.compat.client} client; a route makes a plain OpenAI client"
            )
        routes.append(Route(family, mapping))
    return tuple(routes)


def providers_serving(registry: Iterable[Mapping], family: str, exclude: str = "") -> list[str]:
    """Ids of the providers whose mapping serves `family` on a plain OpenAI-compatible
    endpoint with a fixed host (a route target), sorted; `exclude` left out."""
    return sorted(
        m.id
        for m in registry
        if m.supports(family)
        and m.id != exclude
        and m.compat.client == "openai"
        and m.compat.base_url
    )


@lru_cache(maxsize=32)
def builtin_providers_serving(family: str) -> tuple[str, ...]:
    """`providers_serving` over the built-in mappings (the codemods' suggestion, MIG172)."""
    from migrator.mapping import load_registry

    return tuple(providers_serving(load_registry().all(), family))
