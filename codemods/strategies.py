"""The strategies migrator offers, assembled from the fixer registry.

``compat``: keep the openai SDK and point it at the provider's OpenAI-compatible endpoint.
``native``: rewrite to the provider's own SDK (the mapping's ``native:`` section).
``litellm``: rewrite the calls to LiteLLM's SDK (the mapping's ``litellm:`` section).
The engine reaches a strategy only through `RewriteOptions.strategy`; the CLI picks it by
name with `strategy_named`. A strategy names its registry list (`RegisteredFixers`): the
fixers, and libcst with them, are imported when the first file is rewritten.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Sequence
from typing import TypeVar, overload

from migrator.codemods.policy.env_names import env_renames

from migrator.envfiles import quoted_in
from migrator.mapping import Mapping, ModelTarget, ParamRule
from migrator.mapping_litellm import LiteLLM
from migrator.mapping_native import Native
from migrator.mapping_types import FAMILY_OF_KIND
from migrator.strategy import Endpoint, Fixer, Strategy, in_order

_T = TypeVar("_T")


@dataclasses.dataclass(frozen=True)
class RegisteredFixers(Sequence[Fixer]):
    """The fixers of `registry.<name>`, in `in_order` order, imported when first read.

    Encoded, compared and pickled by the name alone (the fixers' code is in the tool
    fingerprint), so a strategy travels to the workers and into cache keys unloaded."""

    name: str

    @overload
    def __getitem__(self, index: int) -> Fixer: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Fixer]: ...
    def __getitem__(self, index: int | slice) -> Fixer | Sequence[Fixer]:
        return _registered(self.name)[index]

    def __len__(self) -> int:
        return len(_registered(self.name))


@functools.cache
def _registered(name: str) -> tuple[Fixer, ...]:
    from migrator.codemods import registry

    fixers: tuple[Fixer, ...] = getattr(registry, name)
    return in_order(fixers)


def endpoint_renames(endpoint: Endpoint) -> dict[str, str]:
    """Every OpenAI variable the endpoint has an equivalent for: old -> new."""
    return env_renames(
        endpoint.client, endpoint.key_env, endpoint.base_url_env, endpoint.endpoint_env,
        endpoint.api_version_env,
    )  # fmt: skip


def endpoint_provision(endpoint: Endpoint, sources: list[bytes]) -> dict[str, str]:
    """The provider's variables an env template should hold: name -> default value.

    The key always; an endpoint / API-version variable when the migrated code reads it
    (or when the code cannot run without it), with the mapping's default as its value.
    """
    out: dict[str, str] = {endpoint.key_env: ""}
    if endpoint.client == "azure":
        if endpoint.endpoint_env:
            out[endpoint.endpoint_env] = ""
        if endpoint.api_version_env and (
            not endpoint.api_version or quoted_in(endpoint.api_version_env, sources)
        ):
            out[endpoint.api_version_env] = endpoint.api_version or ""
    elif endpoint.base_url_env and (
        not endpoint.base_url or quoted_in(endpoint.base_url_env, sources)
    ):
        out[endpoint.base_url_env] = endpoint.base_url or ""
    return out


def _compat_endpoint(mapping: Mapping) -> Endpoint:
    return mapping.compat


def _compat_renames(mapping: Mapping) -> dict[str, str]:
    return endpoint_renames(mapping.compat)


def _compat_provision(mapping: Mapping, sources: list[bytes]) -> dict[str, str]:
    return endpoint_provision(mapping.compat, sources)


COMPAT = Strategy(
    id="compat",
    fixers=RegisteredFixers("FIXERS"),
    endpoint=_compat_endpoint,
    env_renames=_compat_renames,
    provision=_compat_provision,
    summary="the openai SDK, pointed at the provider's OpenAI-compatible endpoint",
)


def _native(mapping: Mapping) -> Native:
    if mapping.native is None:  # the CLI refuses the strategy for such a provider
        raise ValueError(f"{mapping.id}: no native SDK ({mapping.no_native})")
    return mapping.native


def _native_endpoint(mapping: Mapping) -> Endpoint:
    return _native(mapping)


def _native_view(mapping: Mapping) -> Mapping:
    """The SDK's parameter rules and endpoint families in place of compat's."""
    native = _native(mapping)
    parameters = {
        family: {name: _into_the_body(rule) for name, rule in rules.items()}
        for family, rules in native.parameters.items()
    }
    return dataclasses.replace(mapping, parameters=parameters, endpoints=native.endpoints)


def _into_the_body(rule: ParamRule) -> ParamRule:
    """An SDK's create() names every keyword it takes (none of dashscope's, zai's or Ark's
    takes **kwargs), so a parameter it lacks cannot stay in the call as compat leaves it:
    it would raise TypeError before any request. It goes where compat's request carried
    it, the body (the SDK's extras keyword), and the finding says the provider may not
    honour it."""
    if rule.action != "unsupported":
        return rule
    return dataclasses.replace(
        rule,
        action="extra_body",
        message=f"{rule.message}; the SDK's create() takes no such keyword (TypeError), so it "
        "is sent in the body as the compatible endpoint received it: the provider may "
        "ignore or reject it",
    )


def _native_renames(mapping: Mapping) -> dict[str, str]:
    # Clients kept on the compatible endpoint read compat's variables: both are offered,
    # the SDK's winning where they differ.
    return {**endpoint_renames(mapping.compat), **endpoint_renames(_native(mapping))}


def _native_provision(mapping: Mapping, sources: list[bytes]) -> dict[str, str]:
    # A client kept on the compatible endpoint (MIG131) reads compat's variables: those the
    # migrated code names are provisioned too; the SDK's key always.
    compat = {
        name: value
        for name, value in endpoint_provision(mapping.compat, sources).items()
        if quoted_in(name, sources)
    }
    return {**compat, **endpoint_provision(_native(mapping), sources)}


def _native_checklist(mapping: Mapping, rules: frozenset[str], sources: list[bytes]) -> list[str]:
    """What changes with the SDK itself, said once for the project."""
    native = _native(mapping)
    notes: list[str] = []
    # Some client now runs on the SDK (its import is in the migrated code).
    pattern = rf"(?m)^[ \t]*(?:import|from)[ \t]+{re.escape(native.module)}\b".encode()
    moved = any(re.search(pattern, data) for data in sources)
    if moved and native.responses:
        notes.append(
            f"responses are now {native.package} objects: fields it names differently were "
            "renamed where the response stays in the function (MIG150); code in other files "
            "that reads them must be checked (MIG152)"
        )
    if "MIG140" in rules:
        modules = sorted(
            {t.target.rpartition(".")[0] for t in native.exceptions.values() if t.target}
        )
        notes.append(
            f"exceptions now come from {', '.join(modules)}: handlers catch the SDK's "
            "classes, whose hierarchy and status attributes are its own"
        )
    clamps = [
        f"{name} to [{rule.min:g}, {rule.max:g}]"
        for family in native.parameters.values()
        for name, rule in family.items()
        if rule.action == "clamp" and rule.min is not None and rule.max is not None
    ]
    if clamps and moved:
        notes.append(f"{native.package} clamps {', '.join(dict.fromkeys(clamps))}")
    # What the SDK does to a value by itself (zai rewrites temperature and top_p): the
    # code sends it unchanged, the request differs.
    rewrites = [
        f"{name}: {rule.message}"
        for family in native.parameters.values()
        for name, rule in family.items()
        if rule.action == "note"
    ]
    if rewrites and moved:
        notes.append(f"{native.package} changes values itself — " + "; ".join(rewrites))
    if "MIG131" in rules:
        why = native.async_reason or "the SDK cannot take some clients"
        notes.append(
            f"some clients stay on {mapping.name}'s OpenAI-compatible endpoint with the "
            f"openai SDK (MIG131): {why}"
        )
    return notes


NATIVE = Strategy(
    id="native",
    fixers=RegisteredFixers("NATIVE_FIXERS"),
    endpoint=_native_endpoint,
    env_renames=_native_renames,
    provision=_native_provision,
    summary="the provider's own Python SDK (dashscope, zai-sdk, volcengine-ark-runtime)",
    mapping_view=_native_view,
    checklist_notes=_native_checklist,
    tells_importers=True,
)


def _litellm(mapping: Mapping) -> LiteLLM:
    if mapping.litellm is None:  # the CLI refuses the strategy for such a provider
        raise ValueError(f"{mapping.id}: no litellm: section")
    return mapping.litellm


def _litellm_view(mapping: Mapping) -> Mapping:
    """The mapping with every target model id as LiteLLM routes it (`deepseek/deepseek-chat`):
    the model fixer writes those wherever it writes a model (calls, constants, config
    files), and capability/limit tables follow the new ids."""
    section = _litellm(mapping)

    def routed(target: ModelTarget | None) -> ModelTarget | None:
        if target is None:
            return None
        family = FAMILY_OF_KIND.get(target.kind, "chat")
        return dataclasses.replace(target, model=section.model_id(family, target.model))

    def rekey(table: dict[str, _T]) -> dict[str, _T]:
        out = dict(table)
        for target in mapping.models.values():
            new = routed(target)
            if new is not None and target.model in table:
                out[new.model] = table[target.model]
        return out

    return dataclasses.replace(
        mapping,
        models={k: t for k, t in ((k, routed(t)) for k, t in mapping.models.items()) if t},
        defaults={k: routed(t) for k, t in mapping.defaults.items()},
        vision_default=routed(mapping.vision_default),
        tiers={
            kind: {tier: t for tier, t in ((n, routed(t)) for n, t in by.items()) if t}
            for kind, by in mapping.tiers.items()
        },
        model_overrides={
            k: section.model_id(FAMILY_OF_KIND.get(mapping.kind_of_key(k), "chat"), v)
            for k, v in mapping.model_overrides.items()
        },
        capabilities=rekey(mapping.capabilities),
        limits=rekey(mapping.limits),
    )


def _litellm_checklist(mapping: Mapping, rules: frozenset[str], sources: list[bytes]) -> list[str]:
    """What changes with LiteLLM itself, said once for the project."""
    section = _litellm(mapping)
    if not any(_IMPORTS_LITELLM.search(data) for data in sources):
        return []
    own_key = (
        f", so LiteLLM's own variable {section.key_env} is not needed"
        if section.key_env != mapping.compat.key_env
        else ""
    )
    notes = [
        f"calls now go through LiteLLM (litellm>={section.tested}): it needs Python >= 3.10 "
        "and pins openai to >=2.20,<4; the code passes the key itself "
        f'(api_key=os.environ["{mapping.compat.key_env}"]){own_key}',
        "LiteLLM fetches its model cost map from GitHub at import unless "
        "LITELLM_LOCAL_MODEL_COST_MAP=True is set (the env template sets it): set it where "
        "the network is restricted (CI, servers in mainland China) and in tests",
        "`except openai.X` keeps working: LiteLLM's exceptions subclass openai's "
        "(openai stays installed as LiteLLM's dependency); their messages and some status "
        "mappings are LiteLLM's, and LiteLLM prints a help banner on stdout for each error "
        "it maps unless `litellm.suppress_debug_info = True`",
        "tests that patch a removed or unused openai client (`monkeypatch.setattr(module, "
        '"client", fake)`) no longer intercept the calls, which now go through '
        "litellm.completion/embedding: patch those (or use litellm's mock_response=)",
    ]
    if "MIG183" in rules:
        notes.append(
            "some openai clients stay (MIG183) for what LiteLLM's calls do not replace: they "
            f"point at {mapping.name}'s OpenAI-compatible endpoint"
        )
    return notes


def _litellm_provision(mapping: Mapping, sources: list[bytes]) -> dict[str, str]:
    """Compat's variables (the calls read the provider's key; clients kept read compat's),
    and LITELLM_LOCAL_MODEL_COST_MAP=True where the code imports LiteLLM: without it every
    import fetches the cost map from GitHub
    (litellm==1.110.2:litellm/litellm_core_utils/get_model_cost_map.py)."""
    out = endpoint_provision(mapping.compat, sources)
    if any(_IMPORTS_LITELLM.search(data) for data in sources):
        out["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    return out


_IMPORTS_LITELLM = re.compile(rb"(?m)^[ \t]*import[ \t]+litellm\b")


LITELLM = Strategy(
    id="litellm",
    fixers=RegisteredFixers("LITELLM_FIXERS"),
    endpoint=_compat_endpoint,
    env_renames=_compat_renames,
    provision=_litellm_provision,
    summary="LiteLLM's SDK (litellm.completion / embedding), routed to the provider",
    mapping_view=_litellm_view,
    checklist_notes=_litellm_checklist,
    tells_importers=True,
)

STRATEGIES: dict[str, Strategy] = {s.id: s for s in (COMPAT, NATIVE, LITELLM)}


def strategy_named(name: str) -> Strategy:
    """The strategy called `name`; KeyError names the ones there are."""
    try:
        return STRATEGIES[name]
    except KeyError:
        raise KeyError(f"unknown strategy {name!r}: choose from {', '.join(STRATEGIES)}") from None
