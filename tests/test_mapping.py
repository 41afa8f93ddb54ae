"""Mapping files: loading, validation errors with FILE:LINE, registry, model resolution."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

from migrator.capabilities import CallNeeds, Capabilities, choose_model, unmet_needs
from migrator.mapping import (
    Mapping,
    MappingError,
    ModelTarget,
    UnknownProvider,
    builtin_mapping_paths,
    load_mapping,
    load_registry,
    openai_model_kind,
)
from migrator.mapping_registry import Registry

DATA = Path(__file__).parent / "data" / "mappings"
MINIMAL = DATA / "minimal.yaml"
BROKEN = sorted((DATA / "broken").glob("*.yaml"))
NATIVE_IDS = {"dashscope", "zhipu", "ark"}

BUILTIN_IDS = {
    "dashscope",
    "zhipu",
    "qianfan",
    "moonshot",
    "deepseek",
    "hunyuan",
    "ark",
    "minimax",
    "siliconflow",
    "spark",
    "baichuan",
    "yi",
    "sensenova",
    "azure",
    "gateway",
}
ALIASES = {
    "qwen": "dashscope",
    "glm": "zhipu",
    "ernie": "qianfan",
    "kimi": "moonshot",
    "doubao": "ark",
    "litellm-proxy": "gateway",
    "one-api": "gateway",
}
CHAT_IDS = (
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-4-turbo",
    "gpt-4",
    "gpt-3.5-turbo",
    "gpt-4.1",
    "gpt-4.1-mini",
    "gpt-4.1-nano",
)
REASONING_IDS = ("o1", "o1-mini", "o3", "o3-mini", "o4-mini")
EMBEDDING_IDS = ("text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002")
RETIRED_DEEPSEEK = {"deepseek-chat", "deepseek-reasoner"}


@pytest.fixture(scope="module")
def acme() -> Mapping:
    return load_mapping(MINIMAL)


def builtin(ident: str) -> Mapping:
    return load_registry().get(ident)


def all_targets(mapping: Mapping) -> list[ModelTarget]:
    targets = list(mapping.models.values())
    targets.extend(t for t in mapping.defaults.values() if t is not None)
    return targets


# --------------------------------------------------------------------------- built-ins


LITELLM_IDS = {
    "dashscope", "deepseek", "zhipu", "moonshot", "qianfan", "hunyuan", "ark", "minimax",
    "siliconflow", "baichuan", "yi", "sensenova", "spark", "gateway",
}  # fmt: skip


@pytest.mark.parametrize("path", builtin_mapping_paths(), ids=lambda p: p.name)
def test_every_builtin_mapping_loads_and_validates(path: Path) -> None:
    mapping = load_mapping(path)
    assert mapping.id == path.stem
    assert mapping.path == str(path)
    # --strategy litellm: the providers whose litellm: section was read from LiteLLM's source
    litellm = ("litellm",) if mapping.id in LITELLM_IDS else ()
    if mapping.litellm is not None:
        assert mapping.litellm.sources and mapping.litellm.tested == "1.110.2"
        assert mapping.dependencies["litellm"].add[0] == "litellm>=1.110.2"
    if mapping.id in NATIVE_IDS:
        assert mapping.strategies == ("compat", "native", *litellm)
        assert mapping.native is not None and mapping.native.sources
        assert mapping.dependencies["native"].add == (mapping.native.requirement,)
    else:
        assert mapping.strategies == ("compat", *litellm)
        assert mapping.no_native, "a provider without an SDK says why"
    assert mapping.default_strategy == "compat"
    assert mapping.facts.as_of == "2026-11-22"
    assert mapping.facts.sources, "every mapping names its sources"
    assert path.read_text(encoding="utf-8").startswith("#"), "header comment with the sources"
    assert mapping.dependencies["compat"].add == ("openai>=1.40",)


def test_builtin_set_is_the_fifteen_targets() -> None:
    registry = load_registry()
    assert set(registry.ids()) == BUILTIN_IDS
    assert [m.id for m in registry.all()] == sorted(BUILTIN_IDS)
    assert {p.stem for p in builtin_mapping_paths()} == BUILTIN_IDS


@pytest.mark.parametrize(("alias", "ident"), sorted(ALIASES.items()))
def test_aliases_resolve(alias: str, ident: str) -> None:
    registry = load_registry()
    assert registry.get(alias).id == ident
    assert registry.get(alias.upper()).id == ident
    assert alias in registry


@pytest.mark.parametrize(("alias", "ident"), sorted(ALIASES.items()))
def test_an_alias_is_found_without_reading_every_mapping(alias: str, ident: str) -> None:
    """`--to qwen` reads the files that mention "qwen", not all sixteen (and answers
    what the whole index answers, test_aliases_resolve)."""
    registry = Registry([], builtins=True)
    assert registry.get(alias).id == ident
    assert registry._by_id is None, "the whole index was not built"


def test_an_alias_with_user_mappings_goes_through_the_whole_index() -> None:
    registry = Registry([load_mapping(MINIMAL)], builtins=True)
    assert registry.get("qwen").id == "dashscope"
    assert registry._by_id is not None


def test_registry_aliases_table() -> None:
    assert load_registry().aliases() == dict(sorted(ALIASES.items()))


def test_unknown_provider_lists_known_ids() -> None:
    registry = load_registry()
    with pytest.raises(UnknownProvider) as info:
        registry.get("openrouterx")
    message = str(info.value)
    assert message.startswith("unknown provider 'openrouterx'; known: ark, azure, baichuan,")
    for ident in BUILTIN_IDS:
        assert ident in message
    assert "qwen" in message  # aliases are listed too
    assert isinstance(info.value, MappingError)
    assert "openrouterx" not in registry


def test_builtin_registry_is_cached() -> None:
    first = load_registry().get("deepseek")
    second = load_registry().get("deepseek")
    assert first is second
    assert load_registry().get("kimi") is load_registry().get("moonshot")


@pytest.mark.parametrize("ident", sorted(BUILTIN_IDS - {"gateway"}))
def test_non_gateway_mappings_cover_every_openai_family(ident: str) -> None:
    mapping = builtin(ident)
    for openai_id in CHAT_IDS:
        target = mapping.resolve_model(openai_id)
        assert target is not None and target.source_key == openai_id, openai_id
        assert target.kind == "chat"
    for openai_id in REASONING_IDS:
        target = mapping.resolve_model(openai_id)
        assert target is not None and target.source_key == openai_id, openai_id
        assert target.kind == "reasoning"
    if mapping.supports("embeddings"):
        for openai_id in EMBEDDING_IDS:
            target = mapping.resolve_model(openai_id)
            assert target is not None and target.source_key == openai_id, openai_id
            assert target.kind == "embedding"
            assert isinstance(target.dimensions, int) and target.dimensions > 0
    else:
        assert not [t for t in mapping.models.values() if t.kind == "embedding"]
        assert mapping.defaults["embedding"] is None
        assert mapping.resolve_model("text-embedding-3-small") is None
    assert mapping.defaults["embedding"] is None  # sizes differ: never guess an embedding


def test_providers_without_embeddings() -> None:
    for ident in ("deepseek", "moonshot", "minimax", "spark", "yi", "sensenova"):
        mapping = builtin(ident)
        assert not mapping.supports("embeddings"), ident
        assert "embeddings" not in mapping.endpoints


@pytest.mark.parametrize("ident", sorted(BUILTIN_IDS))
def test_no_mapping_emits_retired_deepseek_ids(ident: str) -> None:
    # providers.md §5: deepseek-chat / deepseek-reasoner were retired on 2026-07-24.
    mapping = builtin(ident)
    emitted = {t.model.lower() for t in all_targets(mapping)}
    assert not emitted & RETIRED_DEEPSEEK
    for openai_id in (*CHAT_IDS, *REASONING_IDS, "gpt-4o-2024-08-06", "gpt-5"):
        target = mapping.resolve_model(openai_id)
        assert target is None or target.model not in RETIRED_DEEPSEEK


def test_deepseek_uses_v4_ids_with_thinking_switch() -> None:
    mapping = builtin("deepseek")
    chat = mapping.resolve_model("gpt-4o-2024-08-06")
    assert chat is not None
    assert chat.model == "deepseek-v4-pro"
    assert chat.extra_body == {"thinking": {"type": "disabled"}}
    mini = mapping.resolve_model("gpt-4o-mini")
    assert mini is not None and mini.model == "deepseek-v4-flash"
    reasoning = mapping.resolve_model("o3-mini")
    assert reasoning is not None
    assert reasoning.extra_body == {"thinking": {"type": "enabled"}}
    rule = mapping.param_rule("chat", "max_completion_tokens")
    assert rule is not None and (rule.action, rule.to) == ("rename", "max_tokens")


def test_dashscope_embedding_keeps_openai_size() -> None:
    mapping = builtin("qwen")
    small = mapping.resolve_model("text-embedding-3-small")
    assert small == ModelTarget(
        model="text-embedding-v4",
        kind="embedding",
        dimensions=1536,
        extra_body={"encoding_format": "float"},
        note=small.note if small else None,
        source_key="text-embedding-3-small",
        sizes=(64, 128, 256, 512, 768, 1024, 1536, 2048),
    )
    large = mapping.resolve_model("text-embedding-3-large")
    assert large is not None and large.dimensions == 2048
    assert mapping.param_rule("embeddings", "dimensions") is None  # the size is settable
    rule = mapping.param_rule("chat", "n")
    assert rule is not None and rule.action == "clamp"
    assert (rule.min, rule.max) == (1, 4)
    assert isinstance(rule.max, int)  # an integer bound stays an integer (n=4, not 4.0)
    assert mapping.compat.regions["singapore"].startswith("https://dashscope-intl.")


def test_zhipu_rules_follow_the_sdk() -> None:
    mapping = builtin("glm")
    temperature = mapping.param_rule("chat", "temperature")
    assert temperature is not None and (temperature.min, temperature.max) == (0.01, 0.99)
    user = mapping.param_rule("chat", "user")
    assert user is not None and (user.action, user.to) == ("extra_body", "user_id")
    n = mapping.param_rule("chat", "n")
    assert n is not None and n.action == "unsupported"
    assert mapping.param_rule("chat", "tools") is None  # supported: passes through


def test_fixed_size_embeddings_drop_the_dimensions_keyword() -> None:
    for ident in ("hunyuan", "siliconflow", "ark", "qianfan", "baichuan"):
        rule = builtin(ident).param_rule("embeddings", "dimensions")
        assert rule is not None and rule.action == "drop", ident


def test_azure_maps_to_deployment_names() -> None:
    mapping = builtin("azure")
    assert mapping.compat.client == "azure"
    assert mapping.compat.key_env == "AZURE_OPENAI_API_KEY"
    assert mapping.compat.endpoint_env == "AZURE_OPENAI_ENDPOINT"
    assert mapping.compat.api_version_env == "OPENAI_API_VERSION"
    assert mapping.compat.regions["china"] == "https://<resource>.openai.azure.cn/"
    target = mapping.resolve_model("gpt-4o-2024-08-06")
    assert target is not None and target.model == "gpt-4o"
    assert target.note is not None and "deployment" in target.note
    large = mapping.resolve_model("text-embedding-3-large")
    assert large is not None and large.dimensions == 3072
    assert mapping.resolve_model("gpt-5") is None  # no guessed deployment
    assert mapping.supports("assistants") and mapping.supports("fine_tuning")
    deployed = mapping.with_overrides({"gpt-4o": "prod-4o"})
    override = deployed.resolve_model("gpt-4o-2024-11-20")
    assert override is not None and override.model == "prod-4o"


def test_gateway_routes_names_itself() -> None:
    mapping = builtin("litellm-proxy")
    assert mapping.id == "gateway"
    assert mapping.compat.base_url is None
    assert mapping.compat.base_url_env == "LLM_GATEWAY_BASE_URL"
    assert mapping.compat.key_env == "LLM_GATEWAY_API_KEY"
    assert mapping.compat.data_region == "user-defined"
    assert mapping.models == {}
    assert all(t is None for t in mapping.defaults.values())
    assert mapping.resolve_model("gpt-4o") is None
    routed = mapping.with_overrides({"gpt-4o": "qwen-max"}).resolve_model("gpt-4o")
    assert routed is not None and routed.model == "qwen-max"


@pytest.mark.parametrize("ident", sorted(BUILTIN_IDS))
def test_unverified_entries_point_into_the_file(ident: str) -> None:
    mapping = builtin(ident)
    assert mapping.facts.unverified, "every built-in mapping relies on something unverified"
    for entry in mapping.facts.unverified:
        assert entry.where and entry.fact


def test_mapping_pickles() -> None:
    mapping = builtin("deepseek").with_overrides({"gpt-4o": "deepseek-v4-flash"})
    clone = pickle.loads(pickle.dumps(mapping))
    assert clone == mapping
    assert hash(clone) == hash(mapping)  # usable as a cache key
    assert hash(mapping) != hash(builtin("deepseek"))
    target = clone.resolve_model("gpt-4o")
    assert target is not None and target.model == "deepseek-v4-flash"


# --------------------------------------------------------------------------- resolve_model


@pytest.mark.parametrize(
    ("openai_id", "model", "source_key"),
    [
        ("gpt-4o", "acme-large", "gpt-4o"),
        ("gpt-4o-2024-08-06", "acme-large", "gpt-4o"),
        ("gpt-4o-mini", "acme-small", "gpt-4o-mini"),
        ("gpt-4o-mini-2024-07-18", "acme-small", "gpt-4o-mini"),  # longest prefix wins
        ("gpt-4-0613", "acme-classic", "gpt-4"),
        ("gpt-4-turbo-2024-04-09", "acme-turbo", "gpt-4-turbo"),
        ("gpt-3.5-turbo-16k", "acme-small", "gpt-3.5-turbo"),
        ("o1-2024-12-17", "acme-think", "o1"),
        ("o3-mini-2025-01-31", "acme-think-mini", "o3-mini"),
        ("text-embedding-3-small", "acme-embed", "text-embedding-3-small"),
    ],
)
def test_resolve_exact_and_snapshots(
    acme: Mapping, openai_id: str, model: str, source_key: str
) -> None:
    target = acme.resolve_model(openai_id)
    assert target is not None
    assert (target.model, target.source_key) == (model, source_key)


def test_resolve_carries_table_details(acme: Mapping) -> None:
    turbo = acme.resolve_model("gpt-4-turbo-preview")
    assert turbo == ModelTarget(
        model="acme-turbo",
        kind="chat",
        dimensions=None,
        extra_body={"mode": "fast"},
        note="turbo tier",
        source_key="gpt-4-turbo",
    )
    think = acme.resolve_model("o3-mini")
    assert think is not None and think.kind == "reasoning"
    assert think.extra_body == {"thinking": {"type": "enabled"}}
    embed = acme.resolve_model("text-embedding-3-small")
    assert embed is not None and (embed.kind, embed.dimensions) == ("embedding", 1536)


@pytest.mark.parametrize("openai_id", ["gpt-5", "chatgpt-4o-latest", "gpt-4o2", "gpt-4.5-preview"])
def test_unlisted_chat_id_gets_the_chat_default(acme: Mapping, openai_id: str) -> None:
    target = acme.resolve_model(openai_id)
    assert target is not None
    assert (target.model, target.kind, target.source_key) == (
        "acme-default",
        "chat",
        "defaults.chat",
    )


@pytest.mark.parametrize(
    ("provider", "openai_id", "model"),
    [
        ("qwen", "gpt-5-nano", "qwen-flash"),
        ("qwen", "gpt-5.4-mini", "qwen-plus"),
        ("qwen", "gpt-5", "qwen3-max"),
        ("qwen", "gpt-5-nano-2025-08-07", "qwen-flash"),
        ("qwen", "o5-mini", "qwq-plus"),
        ("glm", "gpt-5-nano", "glm-4-flash"),
        ("glm", "gpt-5.4-mini", "glm-4-air-250414"),
        ("glm", "gpt-5.4", "glm-4-plus"),
        ("deepseek", "gpt-5-nano", "deepseek-v4-flash"),
        ("deepseek", "gpt-5.4-mini", "deepseek-v4-flash"),
        ("deepseek", "gpt-5-pro", "deepseek-v4-pro"),
        ("deepseek", "o5-mini", "deepseek-v4-flash"),
        ("deepseek", "o4-mini-2025-04-16", "deepseek-v4-flash"),
        ("deepseek", "o3-pro", "deepseek-v4-pro"),
        ("kimi", "gpt-5-nano", "moonshot-v1-auto"),
        ("doubao", "gpt-5-nano", "doubao-seed-2-0-mini-260215"),
        ("doubao", "gpt-5.4-mini", "doubao-seed-2-0-lite-260215"),
        ("doubao", "o5-mini", "doubao-seed-2-0-lite-260215"),
        ("hunyuan", "gpt-5-nano", "hunyuan-lite"),
        ("ernie", "gpt-5.4-mini", "ernie-3.5-8k"),
        ("siliconflow", "gpt-5-nano", "Qwen/Qwen2.5-7B-Instruct"),
    ],
)
def test_unknown_ids_of_a_known_family_map_by_tier(
    provider: str, openai_id: str, model: str
) -> None:
    target = builtin(provider).resolve_model(openai_id)
    assert target is not None and target.model == model


def test_tier_defaults_carry_their_details() -> None:
    target = builtin("deepseek").resolve_model("gpt-5-mini")
    assert target is not None
    assert (target.source_key, target.extra_body) == (
        "tiers.chat.balanced",
        {"thinking": {"type": "disabled"}},
    )


def test_a_snapshot_matches_only_a_key_of_its_own_size(acme: Mapping) -> None:
    # gpt-5-nano is a smaller model than gpt-5, not a snapshot of it.
    mapped = acme.with_overrides({"gpt-5": "acme-five"})
    five = mapped.resolve_model("gpt-5-2025-08-07")
    nano = mapped.resolve_model("gpt-5-nano")
    assert five is not None and five.model == "acme-five"
    assert nano is not None and (nano.model, nano.source_key) == ("acme-small", "tiers.chat.small")
    mini = acme.resolve_model("gpt-5-mini")  # no balanced tier: the kind default
    assert mini is not None and mini.source_key == "defaults.chat"


@pytest.mark.parametrize(
    ("provider", "model"),
    [("acme", "acme-eye"), ("glm", "glm-4v-plus"), ("kimi", "kimi-k2.5"), ("qwen", None),
     ("deepseek", None), ("doubao", None)],
)  # fmt: skip
def test_vision_ids_need_a_model_known_to_take_images(provider: str, model: str | None) -> None:
    mapping = load_mapping(MINIMAL) if provider == "acme" else builtin(provider)
    for openai_id in ("gpt-4-vision-preview", "gpt-4-1106-vision-preview"):
        target = mapping.resolve_model(openai_id)
        assert (target.model if target is not None else None) == model


def test_capabilities_are_parsed_and_unknown_by_default(acme: Mapping) -> None:
    assert acme.capabilities_of("acme-think") == Capabilities(
        streaming_only=True, thinking=True, source="made up too"
    )
    assert acme.capabilities_of("acme-small").tools is False
    assert acme.capabilities_of("acme-large") == Capabilities()
    qwq = builtin("qwen").capabilities_of("qwq-plus")
    assert (qwq.streaming_only, qwq.vision) == (True, None)
    assert qwq.source.startswith("https://")


def test_candidates_follow_the_mapping_order(acme: Mapping) -> None:
    assert [t.model for t in acme.model_candidates("gpt-4o-mini")] == [
        "acme-small",
        "acme-default",
        "acme-eye",
    ]
    assert [t.model for t in acme.model_candidates("o1")] == ["acme-think"]
    assert acme.model_candidates("llama3") == ()


@pytest.mark.parametrize("ident", sorted(BUILTIN_IDS))
def test_builtin_capability_facts_name_their_source(ident: str) -> None:
    mapping = builtin(ident)
    for model, caps in mapping.capabilities.items():
        assert caps.source, model
    if mapping.vision_default is not None:
        assert mapping.capabilities_of(mapping.vision_default.model).vision is True


def test_needs_combine_and_unmet_reasons() -> None:
    streaming = CallNeeds(streams=True)
    assert CallNeeds.combine([streaming, CallNeeds(images=True, streams=True)]) == CallNeeds(
        images=True, streams=True
    )
    assert CallNeeds.combine([streaming, CallNeeds(streams=None)]).streams is None
    assert CallNeeds.combine([CallNeeds(streams=None), CallNeeds(streams=False)]).streams is False
    think = Capabilities(streaming_only=True)
    assert unmet_needs("m", think, streaming) == []
    assert unmet_needs("m", think, CallNeeds()) == [
        "m answers only when streaming and the call does not stream"
    ]
    assert unmet_needs("m", think, CallNeeds(streams=None)) == [
        "m answers only when streaming and the call may not stream"
    ]
    assert unmet_needs("m", Capabilities(), CallNeeds(images=True, tools=True)) == [
        "the call sends images and m is not known to take images"
    ]
    assert unmet_needs(
        "m", Capabilities(vision=False, tools=False), CallNeeds(images=True, tools=True)
    ) == [
        "the call sends images and m takes no images",
        "the call passes tools and m has no function calling",
    ]


def test_choose_model_takes_the_first_candidate_that_fits(acme: Mapping) -> None:
    plain = choose_model(acme, "gpt-4o-mini", CallNeeds())
    assert plain.target is not None and plain.target.model == "acme-small" and not plain.changed
    tools = choose_model(acme, "gpt-4o-mini", CallNeeds(tools=True))
    assert tools.target is not None and tools.target.model == "acme-default" and tools.changed
    images = choose_model(acme, "gpt-4o-mini", CallNeeds(images=True))
    assert images.target is not None and images.target.model == "acme-eye"
    assert images.reasons == ("the call sends images and acme-small is not known to take images",)
    left = choose_model(acme, "o1", CallNeeds())
    assert (left.target, left.planned and left.planned.model) == (None, "acme-think")
    streams = choose_model(acme, "o1", CallNeeds(streams=True))
    assert streams.target is not None and streams.target.model == "acme-think"


def test_choose_model_keeps_a_model_map_choice_and_says_why_not(acme: Mapping) -> None:
    mapped = acme.with_overrides({"gpt-4o": "acme-think"})
    choice = choose_model(mapped, "gpt-4o", CallNeeds())
    assert choice.target is not None and choice.target.model == "acme-think"
    assert choice.override and not choice.changed
    assert choice.reasons == (
        "acme-think answers only when streaming and the call does not stream",
    )


def test_null_default_leaves_the_id(acme: Mapping) -> None:
    assert acme.resolve_model("o4-mini") is None  # reasoning default is null
    assert acme.resolve_model("text-embedding-3-large") is None  # embedding default is null


@pytest.mark.parametrize(
    "model",
    [
        "qwen-plus",
        "llama3",
        "deepseek-v4-pro",
        "ft:gpt-4o-mini:acme::abc123",
        "gpt-4o-audio-preview",
        "gpt-4o-realtime-preview-2024-12-17",
        "gpt-4o-mini-tts",
        "gpt-4o-transcribe",
        "gpt-image-1",
        "gpt-4o-search-preview",
        "whisper-1",
        "dall-e-3",
        "omni-moderation-latest",
        "",
    ],
)
def test_non_openai_text_ids_are_left_alone(acme: Mapping, model: str) -> None:
    assert acme.resolve_model(model) is None


def test_overrides_win_and_copy(acme: Mapping) -> None:
    custom = acme.with_overrides({"gpt-4o": "acme-custom", "llama3": "acme-small"})
    exact = custom.resolve_model("gpt-4o")
    assert exact is not None
    assert (exact.model, exact.kind, exact.source_key) == ("acme-custom", "chat", "gpt-4o")
    assert exact.extra_body == {} and exact.note == "model-map override"
    dated = custom.resolve_model("gpt-4o-2024-08-06")
    assert dated is not None and dated.model == "acme-custom"
    # A longer table key still beats a shorter override key.
    mini = custom.resolve_model("gpt-4o-mini-2024-07-18")
    assert mini is not None and mini.model == "acme-small"
    # Overrides also cover ids that are not OpenAI's.
    other = custom.resolve_model("llama3")
    assert other is not None and (other.model, other.kind) == ("acme-small", "chat")
    # The original mapping is untouched.
    original = acme.resolve_model("gpt-4o")
    assert original is not None and original.model == "acme-large"
    assert acme.model_overrides == {}


def test_override_of_embedding_key_keeps_kind_but_not_size(acme: Mapping) -> None:
    custom = acme.with_overrides({"text-embedding-3-small": "acme-embed-2"})
    target = custom.resolve_model("text-embedding-3-small")
    assert target is not None
    assert (target.model, target.kind, target.dimensions) == ("acme-embed-2", "embedding", None)
    reasoning = custom.with_overrides({"o4-mini": "acme-think"}).resolve_model("o4-mini")
    assert reasoning is not None and reasoning.kind == "reasoning"


def test_overrides_of_client_settings(acme: Mapping) -> None:
    moved = acme.with_overrides(base_url="https://proxy.internal/v1", key_env="PROXY_KEY")
    assert moved.compat.base_url == "https://proxy.internal/v1"
    assert moved.compat.key_env == "PROXY_KEY"
    assert moved.compat.data_region == "user-defined"
    assert moved.compliance.data_region == "user-defined"
    same = acme.with_overrides(base_url="https://api.acme.example/v1")
    assert same.compat.data_region == "outside-mainland"
    with pytest.raises(MappingError, match="environment variable"):
        acme.with_overrides(key_env="not a var")
    with pytest.raises(MappingError, match="base URL"):
        acme.with_overrides(base_url="ftp://x")
    with pytest.raises(MappingError, match="model-map"):
        acme.with_overrides({"gpt-4o": ""})


@pytest.mark.parametrize(
    ("model", "kind"),
    [
        ("gpt-4o", "chat"),
        ("gpt-3.5-turbo-0125", "chat"),
        ("chatgpt-4o-latest", "chat"),
        ("o1", "reasoning"),
        ("o3-mini-2025-01-31", "reasoning"),
        ("o4-mini", "reasoning"),
        ("text-embedding-ada-002", "embedding"),
        ("omni-moderation-latest", None),
        ("gpt-4o-audio-preview", None),
        ("qwen-max", None),
        ("ollama", None),
    ],
)
def test_openai_model_kind(model: str, kind: str | None) -> None:
    assert openai_model_kind(model) == kind


def test_model_kind_uses_the_table(acme: Mapping) -> None:
    assert acme.model_kind("o3-mini-2025-01-31") == "reasoning"
    assert acme.with_overrides({"llama3": "x"}).model_kind("llama3") == "chat"
    assert acme.model_kind("llama3") is None


def test_rules_endpoints_and_limits(acme: Mapping) -> None:
    rename = acme.param_rule("chat", "max_completion_tokens")
    assert rename is not None and (rename.action, rename.to) == ("rename", "max_tokens")
    clamp = acme.param_rule("chat", "temperature")
    assert clamp is not None and (clamp.min, clamp.max) == (0.0, 1.0)
    moved = acme.param_rule("chat", "user")
    assert moved is not None and (moved.action, moved.to) == ("extra_body", "user_id")
    assert acme.param_rule("chat", "top_p") is None
    assert acme.param_rule("completions", "n") is None
    dims = acme.param_rule("embeddings", "dimensions")
    assert dims is not None and dims.message == "fixed size"
    assert acme.supports("chat") and acme.supports("embeddings")
    assert not acme.supports("assistants")
    assert acme.limits_for("acme-large") == {"context_window": 128000, "max_output_tokens": 8192}
    assert acme.limits_for("acme-small") is None
    assert acme.facts.unverified[0] == ("models.chat.gpt-4o", "made up")
    assert acme.compat.regions == {"intl": "https://intl.acme.example/v1"}
    assert acme.mapped_openai_ids()[0] == "gpt-3.5-turbo"
    assert acme.source == "minimal.yaml"


# --------------------------------------------------------------------------- validation


def _marker_line(text: str, marker: str = "# <-- error") -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(f"no {marker!r} in test file")


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_files_report_file_and_line(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    expected = text.splitlines()[0].removeprefix("# expect: ")
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    error = info.value
    assert error.path == str(path)
    assert error.line == _marker_line(text)
    assert error.message.startswith(expected)
    assert str(error).startswith(f"{path}:{error.line}: {expected}")


def test_the_six_broken_kinds_are_present() -> None:
    assert {p.stem for p in BROKEN} == {
        "unknown_key",
        "wrong_type",
        "missing_key",
        "bad_action",
        "rename_without_to",
        "bad_syntax",
    }


# (old text, new text, expected message start, text on the expected error line)
MUTATIONS = [
    ("name: Acme AI\n", "", "mapping file: missing required key 'name'", "id: acme"),
    ("  regions:", "  region:", "compat: unknown key 'region'", "  region:"),
    ("strategies: [compat, native, litellm]", "strategies: [compat, litellm]",
     "native: describes an SDK but strategies does not list native", "native:"),
    # the litellm: section (mapping_litellm.py)
    ("strategies: [compat, native, litellm]", "strategies: [compat, native]",
     "strategies: 'litellm' and a litellm: section", "strategies:"),
    ("      prefix: acme", "      prefix: Acme/x",
     "litellm.routes.chat.prefix: 'Acme/x' is not a LiteLLM provider name", "prefix: Acme/x"),
    ("litellm==1.110.2:litellm/llms/acme", "litellm==1.109.0:litellm/llms/acme",
     "litellm.sources[0]: read from another version than tested", "litellm==1.109.0"),
    ("  routes:\n    chat:\n      prefix: acme", "  routes:\n    audio:\n      prefix: acme",
     "litellm.routes: unknown key 'audio'", "    audio:"),
    ("default_strategy: compat", "default_strategy: nativo", "default_strategy: 'nativo'",
     "default_strategy:"),
    ("  client: openai", "  client: anthropic", "compat.client: 'anthropic'", "client:"),
    ("  key_env: ACME_API_KEY", "  key_env: acme-key", "compat.key_env: 'acme-key'", "key_env:"),
    ("  base_url: https://api.acme.example/v1\n  base_url_env: ACME_BASE_URL\n", "",
     "compat: give 'base_url' and/or 'base_url_env'", "compat:"),
    ("  base_url: https://api.acme.example/v1", "  base_url: api.acme.example",
     "compat.base_url: 'api.acme.example' is not an http(s) URL", "base_url:"),
    ("  data_region: outside-mainland\nmodels", "  data_region: mars\nmodels",
     "compat.data_region: 'mars'", "data_region: mars"),
    ("  client: openai", "  client: openai\n  api_version: '2024-10-21'",
     "compat.api_version: only allowed with client 'azure'", "api_version:"),
    ("endpoints: [chat, embeddings]", "endpoints: [chat, embeddings, chat]",
     "endpoints: duplicate entries", "endpoints:"),
    ("endpoints: [chat, embeddings]", "endpoints: [chat, embedding]",
     "endpoints[1]: 'embedding' is not one of", "endpoints:"),
    ("endpoints: [chat, embeddings]", "endpoints: chat",
     "endpoints: expected a list, got a string", "endpoints:"),
    ("    gpt-4o: acme-large", "    gpt-4o: acme-large\n    gpt-4o: acme-other",
     "models.chat: duplicate key 'gpt-4o'", "acme-other"),
    ("    o1: acme-think", "    o1: acme-think\n    gpt-4.1: acme-x",
     "models.reasoning.gpt-4.1: 'gpt-4.1' is an OpenAI chat model id", "acme-x"),
    ("    o1: acme-think", "    o1: 42", "models.reasoning.o1: expected a string, got an integer",
     "o1: 42"),
    ("    gpt-4: acme-classic", "    gpt-4: {model: acme-classic, dimensions: 8}",
     "models.chat.gpt-4: unknown key 'dimensions'", "gpt-4:"),
    ("    gpt-4: acme-classic", "    gpt-4: {note: no model}",
     "models.chat.gpt-4: missing required key 'model'", "gpt-4:"),
    ("    gpt-4: acme-classic", "    gpt-4: {model: acme-classic, extra_body: [1]}",
     "models.chat.gpt-4.extra_body: expected a mapping", "gpt-4:"),
    ("    acme-large: {", "    acme-nothing: {",
     "models.limits.acme-nothing: 'acme-nothing' is not a target model", "acme-nothing"),
    ("endpoints: [chat, embeddings]", "endpoints: [chat]",
     "models: embedding models are mapped but 'embeddings' is not in endpoints", "models:"),
    ("    store: {action: drop, message: \"dropped\"}",
     "    store: {action: drop, to: nothing, message: \"dropped\"}",
     "parameters.chat.store: 'to' is only allowed with rename or extra_body", "store:"),
    ("{action: rename, to: max_tokens,", "{action: rename, keep: [x], to: max_tokens,",
     "parameters.chat.max_completion_tokens: 'keep' is only allowed with drop",
     "max_completion_tokens:"),
    ("{action: rename, to: max_tokens,", "{action: rename, to: max_output_tokens,",
     "parameters.chat.max_completion_tokens: 'max_output_tokens' is not a keyword of the openai",
     "max_completion_tokens:"),
    ("{action: clamp, min: 0.0, max: 1.0,", "{action: clamp,",
     "parameters.chat.temperature: action 'clamp' needs 'min' and/or 'max'", "temperature:"),
    ("{action: clamp, min: 0.0, max: 1.0,", "{action: clamp, min: 2, max: 1.0,",
     "parameters.chat.temperature: min 2 is greater than max 1.0", "temperature:"),
    ("{action: clamp, min: 0.0,", "{action: clamp, min: low,",
     "parameters.chat.temperature.min: expected a number, got a string", "temperature:"),
    ("    n: {action: unsupported, message: \"no n\"}", "    n: {action: unsupported}",
     "parameters.chat.n: missing required key 'message'", "    n:"),
    ("  embeddings:\n    dimensions", "  completions:\n    dimensions",
     "parameters.completions: 'completions' is not in endpoints", "completions:"),
    ("  data_region: outside-mainland\n  filing", "  data_region: mainland-china\n  filing",
     "compliance.data_region: 'mainland-china' differs from compat.data_region", "mainland-china"),
    ("  as_of: 2026-11-22", "  as_of: last week", "facts.as_of: 'last week' is not a date",
     "as_of:"),
    ("{where: models.chat.gpt-4o,", "{where: models.chat.gpt-9,",
     "facts.unverified[0].where: 'models.chat.gpt-9' does not name a key", "gpt-9"),
    ("aliases: [acme-ai]", "aliases: [acme]", "aliases[0]: 'acme' repeats the id", "aliases:"),
    ("aliases: [acme-ai]", "aliases: [Acme AI]", "aliases[0]: 'Acme AI' must be lowercase",
     "aliases:"),
    ("id: acme", "id: 12", "id: expected a string, got an integer", "id: 12"),
    ("{model: acme-embed, dimensions: 1536}",
     "{model: acme-embed, dimensions: 1536, sizes: [512, 1024]}",
     "models.embedding.text-embedding-3-small.dimensions: must be one of sizes [512, 1024]",
     "text-embedding-3-small:"),
    ("{model: acme-embed, dimensions: 1536}", "{model: acme-embed, sizes: []}",
     "models.embedding.text-embedding-3-small.sizes: expected a non-empty list",
     "text-embedding-3-small:"),
    ("{model: acme-embed, dimensions: 1536}", "{model: acme-embed, sizes: [1024, big]}",
     "models.embedding.text-embedding-3-small.sizes[1]: expected an integer",
     "text-embedding-3-small:"),
    ("    gpt-4: acme-classic", "    gpt-4: {model: acme-classic, sizes: [8]}",
     "models.chat.gpt-4: unknown key 'sizes'", "gpt-4:"),
    ("  native: {add:", "  natve: {add:", "dependencies: unknown key 'natve'", "natve:"),
    ("acme-eye: {vision: true,", "acme-eye: {vision: yes please,",
     "models.capabilities.acme-eye.vision: expected true or false, got a string", "acme-eye: {"),
    ("{tier: small, tools: false,", "{tier: tiny, tools: false,",
     "models.capabilities.acme-small.tier: 'tiny' is not one of: flagship, balanced, small",
     "acme-small: {"),
    ("{streaming_only: true,", "{stream_only: true,",
     "models.capabilities.acme-think: unknown key 'stream_only'", "acme-think: {"),
    (', tier: flagship, source: "made up"}', ", tier: flagship}",
     "models.capabilities.acme-eye: missing required key 'source'", "acme-eye: {"),
    ("{tier: small, tools: false, source", "{source",
     "models.capabilities.acme-small: state at least one of vision, tools", "acme-small: {"),
    ("    acme-think: {streaming", "    acme-thought: {streaming",
     "models.capabilities.acme-thought: 'acme-thought' is not a target model", "acme-thought"),
    ("acme-eye: {vision: true,", "acme-eye: {vision: false,",
     "models.defaults.vision: 'acme-eye' needs 'vision: true' in models.capabilities",
     "vision: acme-eye"),
    ("    chat: {small: acme-small}", "    chat: {flagship: acme-small}",
     "models.tiers.chat.flagship: 'acme-small' is a small model in models.capabilities, "
     "smaller than the flagship tier", "flagship: acme-small"),
    ("  tiers:\n    chat:", "  tiers:\n    embedding:",
     "models.tiers: unknown key 'embedding' (expected one of: chat, reasoning)", "embedding: {"),
    ("    chat: {small: acme-small}", "    chat: {tiny: acme-small}",
     "models.tiers.chat: unknown key 'tiny'", "tiny: acme-small"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "message", "line_text"), MUTATIONS)
def test_validation_errors_name_the_line(
    tmp_path: Path, old: str, new: str, message: str, line_text: str
) -> None:
    source = MINIMAL.read_text(encoding="utf-8")
    assert old in source
    text = source.replace(old, new, 1)
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    assert info.value.message.startswith(message), info.value.message
    assert info.value.line == _marker_line(text, line_text)
    assert re.match(rf"^{re.escape(str(path))}:\d+: ", str(info.value))


def test_key_in_two_tables_is_an_error(tmp_path: Path) -> None:
    text = (
        MINIMAL.read_text(encoding="utf-8")
        .replace("    gpt-4: acme-classic", "    gpt-4: acme-classic\n    llama3: acme-x")
        .replace("    o1: acme-think", "    o1: acme-think\n    llama3: acme-y")
    )
    path = tmp_path / "twice.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError, match="'llama3' is also listed in models.chat") as info:
        load_mapping(path)
    assert info.value.line == _marker_line(text, "llama3: acme-y")


def test_azure_client_needs_version_and_endpoint(tmp_path: Path) -> None:
    source = MINIMAL.read_text(encoding="utf-8").replace("client: openai", "client: azure")
    path = tmp_path / "azure.yaml"
    path.write_text(source.replace("  base_url: https://api.acme.example/v1\n", ""), "utf-8")
    with pytest.raises(MappingError, match="needs 'endpoint_env' or 'base_url'"):
        load_mapping(path)
    path.write_text(source, "utf-8")
    with pytest.raises(MappingError, match="needs 'api_version_env' and/or 'api_version'"):
        load_mapping(path)
    path.write_text(source.replace("client: azure", "client: azure\n  api_version: v1"), "utf-8")
    assert load_mapping(path).compat.api_version == "v1"


def test_empty_unreadable_and_non_mapping_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(MappingError, match="empty mapping file") as info:
        load_mapping(empty)
    assert info.value.line == 1
    missing = tmp_path / "missing.yaml"
    with pytest.raises(MappingError, match="cannot read file") as info:
        load_mapping(missing)
    assert str(info.value).startswith(f"{missing}: ")
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(MappingError, match="expected a mapping, got a list"):
        load_mapping(listing)
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"id: x\nname: \xff\n")
    with pytest.raises(MappingError, match="not valid UTF-8") as info:
        load_mapping(binary)
    assert info.value.line == 2


def test_minimal_mapping_without_optional_sections(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(
        "id: tiny\nname: Tiny\nstrategies: [compat]\ndefault_strategy: compat\n"
        "compat: {client: openai, base_url_env: TINY_URL, key_env: TINY_KEY,"
        " data_region: user-defined}\nendpoints: [chat]\n",
        encoding="utf-8",
    )
    mapping = load_mapping(path)
    assert mapping.models == {} and mapping.parameters == {}
    assert mapping.facts.as_of is None
    assert mapping.compliance.data_region == "user-defined"
    assert mapping.resolve_model("gpt-4o") is None


# --------------------------------------------------------------------------- registry


def test_user_mapping_replaces_builtin_and_adds_new(tmp_path: Path) -> None:
    text = MINIMAL.read_text(encoding="utf-8")
    own = tmp_path / "deepseek.yaml"
    own.write_text(text.replace("id: acme", "id: deepseek").replace("[acme-ai]", "[]"), "utf-8")
    registry = load_registry([own, MINIMAL])
    assert registry.get("deepseek").path == str(own)
    assert registry.get("acme-ai").id == "acme"
    assert "acme" in registry.ids() and len(registry) == len(BUILTIN_IDS) + 1
    # the cached built-ins are not affected
    assert load_registry().get("deepseek").path != str(own)


def test_alias_clash_is_an_error_with_file_and_line(tmp_path: Path) -> None:
    text = MINIMAL.read_text(encoding="utf-8").replace("aliases: [acme-ai]", "aliases: [qwen]")
    path = tmp_path / "clash.yaml"
    path.write_text(text, encoding="utf-8")
    registry = load_registry([path])
    with pytest.raises(MappingError) as info:
        registry.get("qwen")
    assert info.value.path == str(path)
    assert info.value.line == _marker_line(text, "aliases:")
    assert "alias 'qwen' is already used by provider 'dashscope'" in info.value.message


def test_alias_equal_to_another_id_is_an_error(tmp_path: Path) -> None:
    text = MINIMAL.read_text(encoding="utf-8").replace("aliases: [acme-ai]", "aliases: [yi]")
    path = tmp_path / "clash.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError, match="alias 'yi' is already used by provider 'yi'"):
        load_registry([path]).all()


def test_invalid_user_file_fails_registry_load() -> None:
    with pytest.raises(MappingError) as info:
        load_registry([DATA / "broken" / "bad_action.yaml"])
    assert info.value.line == 14
