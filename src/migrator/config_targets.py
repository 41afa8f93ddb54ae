"""What a configuration value becomes: the key rule, the mapping rule, the quoting rule.

* A key names a model when its last word is `model`/`models` (optionally `_name`/`_id`):
  `model`, `model_name`, `llm_model`, `embedding_model`, `chatModel`, `OPENAI_MODEL`...
  It names an endpoint when it is `base_url`, `api_base`, `api_base_url`, `endpoint`,
  `api_endpoint` or `api_url` with any prefix (`openai_api_base`, `OPENAI_BASE_URL`).
  Flat dotted keys count by their last part (`"llm.model"`, `"llm.api_base"`). An
  `api_key` / `api_key_env` beside an endpoint goes with it (`key_beside_endpoint`).
* A model value is changed when it is an OpenAI model id that the mapping maps (the same
  table and `--model-map` as code); an OpenAI id without an equivalent is reported. Any
  other value (the provider's own ids, other vendors' ids) is left as it is, silently.
* An endpoint value is changed when it is OpenAI's API root (`https://api.openai.com`,
  optionally `/v1`), under `--strategy compat`, to the provider's base URL; other OpenAI
  URLs, or other strategies (the code then talks through another SDK) are reported.

`mapping_for_model` is the one place that decides which mapping maps a model: the
target's, or for an embedding model under `--route embeddings=PROVIDER` the route
provider's (the code's embeddings calls go there too).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from migrator.envfiles import quoted_env_value
from migrator.mapping import openai_model_kind

if TYPE_CHECKING:
    from migrator.config_values import ConfigValue, Format
    from migrator.mapping import Mapping
    from migrator.mapping_types import ModelTarget
    from migrator.options import RewriteOptions

KeyKind = Literal["model", "endpoint", "key", "key_env"]

_MODEL_KEY = re.compile(r"(?:^|[_.])models?(?:_(?:name|id))?$")
_ENDPOINT_KEY = re.compile(
    r"(?:^|[_.])(?:base_url|api_base|api_base_url|endpoint|api_endpoint|api_url)$"
)
_KEY_KEY = re.compile(r"(?:^|[_.])api_key$")
_KEY_ENV_KEY = re.compile(r"(?:^|[_.])(?:api_key_(?:env|var|env_var|name)|key_env)$")
_OPENAI_KEY_VAR = re.compile(r"(?:AZURE_)?OPENAI_API_KEY")
_KEY_REFERENCE = re.compile(r"\$\{?((?:AZURE_)?OPENAI_API_KEY)\}?")
_OPENAI_ROOT = re.compile(r"/?(?:v1/?)?")
_YAML_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_./:@+-]*")
_YAML_WORDS = frozenset("y n yes no on off true false null".split())


def key_kind(key: str) -> KeyKind | None:
    """Whether `key` names a model, an endpoint, or neither (see the module docstring)."""
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).replace("-", "_").lower()
    if _MODEL_KEY.search(snake):
        return "model"
    if _ENDPOINT_KEY.search(snake):
        return "endpoint"
    if _KEY_ENV_KEY.search(snake):
        return "key_env"
    if _KEY_KEY.search(snake):
        return "key"
    return None


def key_beside_endpoint(value: ConfigValue, options: RewriteOptions) -> Decision:
    """An API key (or the name of its variable) in an entry whose endpoint becomes the
    provider's: it must follow, or the OpenAI key would go to the provider. The name of
    OpenAI's key variable (`api_key_env: OPENAI_API_KEY`) or a reference to it
    (`api_key: ${OPENAI_API_KEY}`) becomes the provider's; an empty value stays; any
    other value (a key written in the file) keeps the whole entry as it is."""
    kind = key_kind(value.key)
    key_env = options.strategy.endpoint(options.mapping).key_env
    text = value.value.strip()
    if kind == "key_env":
        if _OPENAI_KEY_VAR.fullmatch(text):
            return Decision(new=key_env)
        return Decision() if text in ("", key_env) else Decision(problem=f"`{text}` is named")
    if not text or f"{key_env}" in text:
        return Decision()
    if _KEY_REFERENCE.fullmatch(text):
        return Decision(
            new=_KEY_REFERENCE.sub(lambda m: m.group(0).replace(m.group(1), key_env), text)
        )
    return Decision(problem="an API key is written beside it (it would go to the provider)")


def mapping_for_model(model: str, options: RewriteOptions) -> tuple[Mapping, bool]:
    """The mapping that maps `model`, and whether it is a route's rather than the
    target's: an OpenAI embedding model goes with an embeddings route."""
    if openai_model_kind(model) == "embedding":
        route = options.route_for("embeddings")
        if route is not None:
            return route.mapping, True
    return options.mapping, False


@dataclass(frozen=True)
class Decision:
    """`new` is the value to write; else `problem` says why an OpenAI value stays (None:
    the value is not OpenAI's, nothing to say)."""

    new: str | None = None
    problem: str | None = None
    note: str | None = None  # the mapping's note on the new model (vector size...)
    routed: bool = False  # mapped by a route's provider (`--route embeddings=...`)


def decide(value: ConfigValue, options: RewriteOptions) -> Decision:
    """What the value at `value.path` becomes (see the module docstring)."""
    kind = key_kind(value.key)
    text = value.value.strip()
    if kind == "model":
        mapping, routed = mapping_for_model(text, options)
        if openai_model_kind(text) is None or text in provider_models(mapping):
            return Decision()  # not OpenAI's, or already the provider's (text-embedding-v4)
        target = mapping.resolve_model(text)
        if target is None:
            return Decision(problem=f"no mapped equivalent for `{text}`")
        if target.model == text:
            return Decision()
        return Decision(new=target.model, note=_config_note(target), routed=routed)
    if kind == "endpoint" and is_openai_root(text):
        endpoint = options.strategy.endpoint(options.mapping)
        if options.strategy.id != "compat" or not endpoint.base_url:
            return Decision(
                problem=f"OpenAI's endpoint under --strategy {options.strategy.id}: the "
                "migrated code talks to the provider through its own SDK; remove or replace it"
            )
        return Decision(
            new=endpoint.base_url,
            note=f"an API key set with it must now be a {options.mapping.name} key "
            f"(`{endpoint.key_env}`)",
        )
    return Decision()


def _config_note(target: ModelTarget) -> str | None:
    """The mapping's note on the new model, and the body fields its requests need: in
    code migrator adds them beside a model id it sees (`extra_body`), but a value read
    from this file reaches calls it cannot tie to it (DeepSeek V4's `thinking` switch)."""
    if not target.extra_body:
        return target.note
    fields = json.dumps(target.extra_body, ensure_ascii=False)
    needs = (
        f"requests naming it need extra_body {fields} where the code sends this value "
        "(migrator adds it only beside model ids it sees in code)"
    )
    return f"{target.note}; {needs}" if target.note else needs


def provider_models(mapping: Mapping) -> frozenset[str]:
    """The model ids the mapping sends: a value among them is the provider's already."""
    targets = [*mapping.models.values(), *mapping.defaults.values(), mapping.vision_default]
    targets += [t for tier in mapping.tiers.values() for t in tier.values()]
    return frozenset(t.model for t in targets if t is not None) | frozenset(
        mapping.model_overrides.values()
    )


def is_openai_root(url: str) -> bool:
    """`https://api.openai.com` or `.../v1` (with or without a trailing slash)."""
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and (parts.hostname or "").lower() == "api.openai.com"
        and _OPENAI_ROOT.fullmatch(parts.path) is not None
        and not parts.query
    )


def render(fmt: Format, quote: str, new: str) -> str | None:
    """`new` written the way the old scalar was (same quotes, the format's escapes);
    None when that quoting cannot hold it."""
    if fmt == "json":
        return json.dumps(new, ensure_ascii=False)
    if fmt == "env":
        if quote == "'" and "'" in new:
            return None
        return quote + quoted_env_value(new, quote) + quote
    if quote == '"':
        if fmt == "ini" and '"' in new:
            return None
        body = new if fmt == "ini" else new.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{body}"'
    if quote == "'":
        if fmt == "yaml":
            return "'" + new.replace("'", "''") + "'"
        return None if "'" in new or "\n" in new else f"'{new}'"
    if fmt == "yaml":
        if _YAML_PLAIN.fullmatch(new) and new.lower() not in _YAML_WORDS and ": " not in new:
            return new
        return '"' + new.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if fmt == "ini":
        return new if new == new.strip() and "\n" not in new else None
    return None  # TOML has no unquoted strings
