"""`[tool.migrator]` in the target's pyproject.toml. CLI flags win over it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import ParseError

KNOWN_KEYS = frozenset(
    {
        "provider", "strategy", "exclude", "model-map", "base-url", "key-env", "ignore",
        "mapping", "retarget-configured", "route",
    }
)  # fmt: skip


class ConfigError(Exception):
    """A broken [tool.migrator] table; the message names the file."""


@dataclass(frozen=True)
class ProjectConfig:
    path: Path | None = None
    provider: str | None = None
    strategy: str | None = None
    exclude: tuple[str, ...] = ()
    model_map: dict[str, str] = field(default_factory=dict)
    base_url: str | None = None
    key_env: str | None = None
    ignore: tuple[str, ...] = ()
    mapping: str | None = None
    retarget_configured: bool = False
    # `route = {embeddings = "qwen"}`: family -> provider (routes.py); --route wins.
    route: dict[str, str] = field(default_factory=dict)


def load_project_config(target: Path) -> ProjectConfig:
    """Read [tool.migrator] from the pyproject.toml at `target` (a directory or file's folder)."""
    folder = target if target.is_dir() else target.parent
    pyproject = folder / "pyproject.toml"
    if not pyproject.is_file():
        return ProjectConfig()
    try:
        doc = tomlkit.parse(pyproject.read_text(encoding="utf-8")).unwrap()
    except (ParseError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{pyproject}: cannot read: {exc}") from exc
    table: Any = doc.get("tool", {}).get("migrator")
    if table is None:
        return ProjectConfig(path=pyproject)
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.migrator] must be a table")
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(
            f"{pyproject}: unknown key(s) in [tool.migrator]: {', '.join(unknown)} "
            f"(known: {', '.join(sorted(KNOWN_KEYS))})"
        )

    def text(key: str) -> str | None:
        value = table.get(key)
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{pyproject}: [tool.migrator] {key} must be a string")
        return value

    def strings(key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{pyproject}: [tool.migrator] {key} must be a list of strings")
        return tuple(value)

    retarget_configured = table.get("retarget-configured", False)
    if not isinstance(retarget_configured, bool):
        raise ConfigError(f"{pyproject}: [tool.migrator] retarget-configured must be true or false")
    model_map = table.get("model-map", {})
    if not isinstance(model_map, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in model_map.items()
    ):
        raise ConfigError(f"{pyproject}: [tool.migrator] model-map must map strings to strings")
    route = table.get("route", {})
    if not isinstance(route, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in route.items()
    ):
        raise ConfigError(
            f"{pyproject}: [tool.migrator] route must map families to providers "
            '(route = {embeddings = "qwen"})'
        )
    return ProjectConfig(
        path=pyproject,
        provider=text("provider"),
        strategy=text("strategy"),
        exclude=strings("exclude"),
        model_map=dict(model_map),
        base_url=text("base-url"),
        key_env=text("key-env"),
        ignore=strings("ignore"),
        mapping=text("mapping"),
        retarget_configured=retarget_configured,
        route=dict(route),
    )
