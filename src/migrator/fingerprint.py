"""What makes a cached result valid: the tool's fingerprint.

A result (result_cache.py) or a replayed run (run_record.py) holds only while the code
that made it is the same: migrator's version and the bytes of its code, codemods and
mappings (a development checkout invalidates on every edit), the Python and libcst
versions. Hashing some 250 files costs about 20 ms, a fifth of a replayed run, so the
cache folder remembers the fingerprint under the `stat` of those files, as
prefilter_index.py remembers dropped files.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import sys
import time
from pathlib import Path

from migrator import __version__
from migrator.file_stamps import settled, stamp_of

# Package data that decides results besides the Python code (mappings, rule examples).
_CODE_SUFFIXES = (".py", ".yaml", ".json")
FINGERPRINT = re.compile(r"[0-9a-f]{24}")
# Entries of another migrator version (or checkout) unused this long are removed.
STALE_SECONDS = 30 * 24 * 3600


@functools.cache
def tool_fingerprint() -> str:
    """Hash of what makes results: migrator's version, the bytes of its code, codemods
    and mappings (a development checkout invalidates on every edit), Python, libcst.
    libcst is found, not imported: a replayed run (run_record.py) never loads it."""
    digest = hashlib.sha256(_fingerprint_header())
    for rel, path in _code_files():
        digest.update(rel.encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:24]


def remembered_fingerprint(directory: Path) -> str:
    """`tool_fingerprint()`, remembered in `directory` under the `stat` of every file it
    hashes (file_stamps.py): hashing some 250 files is a
    fifth of a replayed run. Not remembered while one of them changed in the last 2 s."""
    started_ns = time.time_ns()
    stamp = hashlib.sha256(_fingerprint_header())
    racy = False
    try:
        for rel, path in _code_files():
            numbers = stamp_of(path.stat())
            racy = racy or not settled(numbers, started_ns)
            stamp.update(rel.encode() + b"\0%d %d %d %d\n" % numbers)
    except OSError:
        return tool_fingerprint()
    folder = directory / "fingerprint-of"
    memo = folder / stamp.hexdigest()
    with contextlib.suppress(OSError, UnicodeDecodeError):
        known = memo.read_text(encoding="ascii")
        if FINGERPRINT.fullmatch(known):
            return known
    value = tool_fingerprint()
    if not racy:
        with contextlib.suppress(OSError):
            folder.mkdir(mode=0o700, exist_ok=True)
            _prune_files(folder)
            write_atomic_entry(memo, value.encode("ascii"))
    return value


def _fingerprint_header() -> bytes:
    return b"".join(p.encode() + b"\0" for p in (__version__, sys.version, _libcst_version()))


def _code_files() -> list[tuple[str, Path]]:
    """(name, path) of each file the fingerprint hashes, in a fixed order."""
    import migrator
    import migrator.codemods
    import migrator.mappings

    found = []
    for package in (migrator, migrator.codemods, migrator.mappings):
        for folder in package.__path__:
            for here, folders, names in os.walk(folder):
                folders[:] = sorted(f for f in folders if f != "__pycache__")
                prefix = os.path.relpath(here, folder).replace(os.sep, "/")
                prefix = "" if prefix == "." else prefix + "/"
                found += [
                    (prefix + name, Path(here, name))
                    for name in sorted(names)
                    if name.endswith(_CODE_SUFFIXES)
                ]
    return found


def _libcst_version() -> str:
    """The installed libcst's version file (its version, and in recent releases its
    commit), else its distribution's version."""
    from importlib.util import find_spec

    spec = find_spec("libcst")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        with contextlib.suppress(OSError):
            return (Path(folder) / "_version.py").read_text(encoding="utf-8", errors="replace")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("libcst")
    except PackageNotFoundError:
        return "?"


def _prune_files(folder: Path) -> None:
    """Remove the files in `folder` unused for `STALE_SECONDS`."""
    now = time.time()
    for entry in folder.iterdir():
        with contextlib.suppress(OSError):
            if entry.is_file() and now - entry.stat().st_mtime > STALE_SECONDS:
                entry.unlink()


def write_atomic_entry(path: Path, data: bytes) -> None:
    """Write a cache file whole, readable by its owner only (0600). atomic.py and
    tempfile load when a run first writes: a replay writes nothing."""
    from migrator.atomic import write_atomic

    write_atomic(path, data, fsync=False, mode=0o600)
