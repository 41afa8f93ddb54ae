"""The providers a run can target: the shipped mapping files (each parsed at most once
per process, and only when asked for) plus the user's own, by id and alias.

A run with the result cache takes the shipped mappings it parsed before from there
(`prime_builtins`; the cache's folder is named by a fingerprint that covers the mapping
files), so that it imports neither the YAML parser nor the schema.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from migrator.mapping_resolution import Mapping
from migrator.mapping_types import MappingError, UnknownProvider


@functools.lru_cache(maxsize=1)
def _builtin_entries() -> dict[str, Any]:
    """``{file name: path}`` of the shipped mapping files (a Traversable when the
    package is not a folder on disk, as in a zip)."""
    import migrator.mappings

    entries: dict[str, Any] = {}
    for folder in migrator.mappings.__path__:
        # a folder listing, not importlib.resources (7 ms of imports for every command)
        if os.path.isdir(folder):
            entries.update(
                (name, Path(folder, name)) for name in os.listdir(folder) if name.endswith(".yaml")
            )
    if not entries:
        import importlib.resources

        root = importlib.resources.files("migrator.mappings")
        entries = {e.name: e for e in root.iterdir() if e.name.endswith(".yaml")}
    return dict(sorted(entries.items()))


def builtin_mapping_paths() -> list[Path]:
    """Paths of the shipped mapping files, sorted by file name."""
    return [Path(str(entry)) for entry in _builtin_entries().values()]


@functools.cache
def _builtin_text(file_name: str) -> str:
    """A shipped mapping file's text, read once (as `read_text` gives it: newlines as
    `\n`), for the alias search and the parse alike."""
    raw = _builtin_entries()[file_name].read_bytes().decode("utf-8-sig")
    return raw.replace("\r\n", "\n").replace("\r", "\n")


# Shipped mappings this process has parsed or taken from `prime_builtins`, by file name.
_loaded: dict[str, Mapping] = {}


def _load_builtin(file_name: str) -> Mapping:
    if file_name not in _loaded:
        from migrator.mapping_schema import parse_mapping

        text = _builtin_text(file_name)
        _loaded[file_name] = parse_mapping(text, str(_builtin_entries()[file_name]))
    return _loaded[file_name]


def builtins_key() -> str:
    """What the shipped mappings kept by `parsed_builtins` depend on besides the tool
    itself: where they are (a parsed mapping names its file)."""
    return repr(sorted(str(entry) for entry in _builtin_entries().values()))


def prime_builtins(parsed: object) -> set[str]:
    """Take shipped mappings parsed by an earlier run of this same tool and install
    (`parsed_builtins`, kept in the result cache) instead of parsing their files again;
    return the names of the files taken. Anything but mappings by file name is ignored."""
    if not isinstance(parsed, dict):
        return set()
    taken = {
        name: mapping
        for name, mapping in parsed.items()
        if name in _builtin_entries() and isinstance(mapping, Mapping)
    }
    for name, mapping in taken.items():
        _loaded.setdefault(name, mapping)  # (one this process parsed already stays)
    return set(taken)


def parsed_builtins() -> dict[str, Mapping]:
    """The shipped mappings this process has parsed or was given, by file name."""
    return dict(_loaded)


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
        if file_name in _builtin_entries():
            mapping = _load_builtin(file_name)
            return mapping if mapping.id == key else None
        return self._fast_alias(key)

    def _fast_alias(self, key: str) -> Mapping | None:
        """A built-in mapping by alias (`qwen`), reading only the files whose text holds
        the alias: when exactly one of them lists it and none has it as its id, that is
        what the whole index would answer (a clash needs the alias in another file).
        Not with user mappings, whose clashes the whole index reports."""
        if self._extra or not key:
            return None
        candidates = [
            _load_builtin(name) for name in _builtin_entries() if key in _builtin_text(name).lower()
        ]
        if any(m.id == key for m in candidates):
            return None
        owners = [m for m in candidates if key in m.aliases]
        return owners[0] if len(owners) == 1 else None

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

    def builtin_ids(self) -> list[str]:
        """The ids of the shipped mappings (whether or not a user file replaces them)."""
        return sorted(m.id for m in _builtin_mappings()) if self._builtins else []

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
    from migrator.mapping_schema import load_mapping

    return Registry([load_mapping(path) for path in extra], builtins=True)
