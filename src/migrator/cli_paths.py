"""PATH arguments and configuration options shared by the commands: several PATHs in one
run (scan, diff), `--config FILE` and `--isolated` (as ruff has them)."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from migrator.config import ConfigError, ProjectConfig, load_project_config, rebase_globs
from migrator.discovery import Target, discover, skipped_note
from migrator.exits import UsageError
from migrator.progress import note, phase
from migrator.relpaths import folder_prefix

PATHS_ARG = click.argument(
    "paths", nargs=-1, required=True,
    type=click.Path(exists=True, file_okay=True, dir_okay=True, path_type=Path),
)  # fmt: skip


def config_options(f: Any) -> Any:
    options = [
        click.option("--config", "config_file", metavar="FILE",
                     type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Read options from FILE (a pyproject.toml's [tool.migrator], or "
                          "any other TOML file's top level) instead of searching upward "
                          "from PATH for the nearest [tool.migrator]."),
        click.option("--isolated", is_flag=True,
                     help="Ignore every configuration file."),
    ]  # fmt: skip
    for option in reversed(options):
        f = option(f)
    return f


def load_config(
    paths: Path | Sequence[Path], config_file: Path | None = None, isolated: bool = False
) -> ProjectConfig:
    """The configuration for a run over `paths` (found from their common folder)."""
    if isolated and config_file is not None:
        raise UsageError("--isolated ignores configuration files: do not pass --config too")
    start = common_root(paths) if not isinstance(paths, Path) else paths
    try:
        return load_project_config(start, config_file=config_file, isolated=isolated)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc


def common_root(paths: Path | Sequence[Path]) -> Path:
    """The folder every path is in (a single file: that file, as discover() takes it)."""
    if isinstance(paths, Path):
        return paths
    if len(paths) == 1:
        return paths[0]
    folders = [p.absolute() if p.is_dir() else p.absolute().parent for p in paths]
    return Path(os.path.commonpath([str(f) for f in folders]))


def resolve_targets(
    paths: Sequence[Path], config: ProjectConfig, excludes: tuple[str, ...]
) -> Target:
    """One target for every PATH: files found under each, reported relative to the folder
    that holds them all (a file named twice is read once); with several PATHs, exclude
    globs are relative to that folder."""
    started = time.perf_counter()
    skipped: dict[str, str] = {}
    patterns = [*config.exclude, *excludes]
    if len(paths) == 1:
        target = discover(paths[0], patterns, skipped)
    else:
        root = common_root(paths)
        names: set[str] = set()
        project: set[str] = set()
        for path in paths:
            # Globs are relative to the folder holding every PATH: rebased onto each one.
            prefix = folder_prefix(path if path.is_dir() else path.parent, root, resolve=False)
            part = discover(path, rebase_globs(tuple(patterns), prefix), skipped)
            names.update(_rebased(part.root, root, rel) for rel in part.names)
            project.update(_rebased(part.root, root, rel) for rel in part.project)
        target = Target(root, tuple(sorted(names)), tuple(sorted(project)))
    note_skipped(skipped)
    phase("discover", f"{len(target.names)} Python file(s) under {target.root}", started)
    return target


def _rebased(part_root: Path, root: Path, rel: str) -> str:
    return (part_root / rel).relative_to(root).as_posix()


def note_skipped(skipped: dict[str, str]) -> None:
    """One line on stderr naming the third-party trees discovery left out."""
    found = skipped_note(skipped)
    if found is not None:
        note(found)
