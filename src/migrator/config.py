"""`[tool.migrator]` in the target's pyproject.toml. CLI flags win over it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from migrator.relpaths import folder_prefix

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
    """The target repo's `[tool.migrator]` table (pyproject.toml), checked."""

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


def load_project_config(
    target: Path, *, config_file: Path | None = None, isolated: bool = False
) -> ProjectConfig:
    """The configuration for `target` (a directory or a file), found as ruff finds its own:
    `config_file` when given (a pyproject.toml's [tool.migrator], or any other TOML file's
    top level); none with `isolated`; else the nearest pyproject.toml holding a
    [tool.migrator] table, searching upward from `target`. Exclude globs are relative to
    the configuration file's folder (rebased here onto `target`)."""
    if isolated:
        return ProjectConfig()
    folder = (target if target.is_dir() else target.parent).absolute()
    if config_file is not None:
        table, pyproject = _read_given(config_file)
    else:
        found = find_config(folder)
        if found is None:
            return ProjectConfig()
        pyproject, table = found
    config = _from_table(table, pyproject)
    prefix = folder_prefix(folder, pyproject.absolute().parent)
    if prefix:
        config = replace(config, exclude=rebase_globs(config.exclude, prefix))
    return config


def find_config(folder: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest pyproject.toml at or above `folder` with a [tool.migrator] table."""
    for candidate in (folder, *folder.parents):
        pyproject = candidate / "pyproject.toml"
        if not pyproject.is_file():
            continue
        try:
            text = pyproject.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{pyproject}: cannot read: {exc}") from exc
        if "migrator" not in text:  # cheap: most pyproject files never name us
            continue
        table = _parse(pyproject, text).get("tool", {}).get("migrator")
        if table is not None:
            return pyproject, table
    return None


def _read_given(path: Path) -> tuple[dict[str, Any], Path]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    doc = _parse(path, text)
    if path.name != "pyproject.toml":
        return doc, path
    table = doc.get("tool", {}).get("migrator")
    if table is None:
        raise ConfigError(f"{path}: no [tool.migrator] table")
    return table, path


def _parse(path: Path, text: str) -> dict[str, Any]:
    # tomlkit is loaded here: most runs find no pyproject.toml naming migrator.
    import tomlkit
    from tomlkit.exceptions import ParseError

    try:
        return tomlkit.parse(text).unwrap()
    except ParseError as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc


def rebase_globs(patterns: tuple[str, ...], prefix: str) -> tuple[str, ...]:
    """Globs written relative to the configuration's folder, made relative to its subfolder
    `prefix` (what discovery matches): `legacy/**` seen from `legacy/` is `**`. A glob
    without `/` matches at any depth and stays as it is."""
    out = []
    for raw in patterns:
        bang = "!" if raw.strip().startswith("!") else ""
        pattern = raw.strip()[len(bang) :].removeprefix("./")
        if pattern.startswith(prefix):
            pattern = pattern[len(prefix) :] or "**"
        elif prefix.startswith(pattern.rstrip("/") + "/"):
            pattern = "**"  # the configuration excludes a folder holding the whole target
        out.append(bang + pattern)
    return tuple(out)


def _from_table(table: Any, pyproject: Path) -> ProjectConfig:
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
