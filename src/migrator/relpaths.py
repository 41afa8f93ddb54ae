"""Naming one path from another folder, as every output writes paths (`/`-separated).

Several places need "this folder, seen from that one": config globs rebased onto PATH,
globs rebased onto each of several PATHs, patch paths from the top of the git work tree,
annotation paths from the workspace, messages from the current folder. They all go
through `relative`, so they agree on what "below" means.
"""

from __future__ import annotations

import os
from pathlib import Path


def relative(path: Path, base: Path, *, resolve: bool = True) -> str | None:
    """`path` below `base` as a `/`-separated relative path ("." when the same), or None
    when it is not below. `resolve` follows symlinks first; without it both are only made
    absolute and normalised (`..` folded), for paths that were compared that way already."""
    if resolve:
        path, base = path.resolve(), base.resolve()
    else:
        path, base = Path(os.path.abspath(path)), Path(os.path.abspath(base))
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return None


# `/` is the only path separator (POSIX): a name is what follows the last one.
_SLASH_ONLY = os.sep == "/" and not os.altsep


def file_name(path: str | os.PathLike[str]) -> str:
    """The last part of a path, as `PurePath(path).name` gives it, without making a path
    object: the project-level steps filter every file of the tree by name, several times
    (110,000 calls in an `apply` of a 10,000-file tree). Where `/` is the only separator,
    `os.path.basename` is this partition."""
    text = os.fspath(path)
    if _SLASH_ONLY:
        return text.rpartition("/")[2]
    return os.path.basename(text)


def file_suffix(path: str | os.PathLike[str]) -> str:
    """The suffix of a path's last part, as `PurePath(path).suffix` gives it (a leading
    or trailing dot is none), without making a path object."""
    name = file_name(path)
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def as_prefix(rel: str | None) -> str:
    """A relative folder as what goes before a path in it: `sub/dir/`, "" for the same
    folder or one not below."""
    return "" if rel in (None, ".") else f"{rel}/"


def folder_prefix(folder: Path, base: Path, *, resolve: bool = True) -> str:
    """`folder` below `base` as `sub/dir/` ("" when the same or not below)."""
    return as_prefix(relative(folder, base, resolve=resolve))


def from_cwd(path: Path) -> str:
    """`path` as a user reads it: relative to the current folder when below it, else the
    absolute path."""
    rel = relative(path, Path.cwd(), resolve=False)
    return rel if rel is not None else str(Path(os.path.abspath(path)))
