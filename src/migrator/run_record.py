"""A read-only command (`scan`, `diff`, `checklist`) run again on a tree that has not
changed prints what it printed the first time, without running.

The result cache (result_cache.py) spares a second run the parsing of every file, but that
run still loads the rewrite engine and the mappings, asks the cache for each file and
renders its output: on a tree of a few hundred files that is most of what it costs. So
next to those entries the cache keeps each command's output -- what it wrote to stdout
and stderr, in order, and its exit status -- one record per

    tool fingerprint and Python running it, command, parsed options, the configuration
    they resolved to, and working folder,

holding a stamp of everything else the output depends on: the environment (less OLDPWD
and `_`, which a shell changes between commands), whether stdout and stderr are
terminals (and their size), the verbosity; and the tree -- every file of discovery's
listing (so that a new, removed or newly ignored file changes it) with its size,
modification and change times and inode (a mode change moves the change time), and
the same for what a run reads
besides the listing: each `pyproject.toml` the configuration search could read, the
`--config` and mapping files, git's index and HEAD. A later run that finds its record
with the same stamp replays it; any other runs the command, which replaces the record
(so records do not pile up, one per shell session, say).

This trusts `stat` as git does (file_stamps.py); a file changed less than 2 s before
the run started is "racily clean" and the run is not recorded. Not recorded either:
runs with `-v` (their phase lines and cache counts describe the run itself), runs that
write a file (`-o`), runs that showed a progress bar, runs that ended other than with
status 0 or 1, and output holding a credential (no file the tool creates holds one).
`--no-cache` neither replays nor records.

This module is imported before the rewrite engine (cli.py): a replay loads neither it
nor libcst.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from migrator.file_stamps import settled, stamp_of
from migrator.progress import bars_shown, verbosity

if TYPE_CHECKING:
    from migrator.config import ProjectConfig
    from migrator.discovery import Target
    from migrator.result_cache import ResultCache

# Environment variables a shell changes between two commands that run the same way.
_VOLATILE_ENV = frozenset({"OLDPWD", "_"})
_STDOUT, _STDERR = 1, 2
# (stream, text or bytes): bytes went to the stream's binary buffer (the patch of `diff`)
Chunk = tuple[int, "str | bytes"]


class RunRecord:
    """One command's record: `replay` it when the tree is as it was, else run the
    command inside `recording()`, which keeps its output for the next time."""

    def __init__(
        self,
        cache: ResultCache | None,
        command: str,
        params: dict[str, Any],
        config: ProjectConfig,
        target: Target,
        inputs: Iterable[Path] = (),
        writes_file: bool = False,
    ) -> None:
        self._cache = cache if cache is not None and verbosity() <= 0 and not writes_file else None
        started_ns = time.time_ns()
        self._name = ""
        self._stamp: bytes | None = None
        if self._cache is None:
            return
        try:
            self._name = "run:" + _invocation_key(self._cache.fingerprint, command, params, config)
            besides = _read_besides(target, config, inputs)
            tree = _tree_stamp(target, besides, started_ns) if besides is not None else None
            if tree is not None:
                self._stamp = _surroundings_digest() + tree
        except OSError:  # a working folder removed under us, a folder we may not read
            self._stamp = None

    @classmethod
    def for_command(
        cls,
        cache: ResultCache | None,
        config: ProjectConfig,
        target: Target,
        *,
        writes_file: bool = False,
    ) -> RunRecord:
        """The record of the click command running now: its name and parsed options are
        click's, and its `--mapping` files (an option of diff and checklist) are read
        besides the tree."""
        import click

        ctx = click.get_current_context()
        mappings = ctx.params.get("mapping_files", ())
        return cls(cache, ctx.info_name or "", ctx.params, config, target, mappings, writes_file)

    def replay(self) -> bool:
        """Print the recorded output when the tree is as it was (exiting with the recorded
        status when not 0); False when there is nothing to replay."""
        if self._cache is None or self._stamp is None:
            return False
        found = self._cache.load_named(self._name)
        if not _is_record(found) or found[0] != self._stamp:
            return False
        _, status, chunks = found
        _write(chunks)
        if status:
            sys.exit(status)
        return True

    @contextlib.contextmanager
    def recording(self) -> Iterator[None]:
        """Run the command's body; its output goes out as usual and is kept."""
        if self._cache is None or self._stamp is None:
            yield
            return
        chunks: list[Chunk] = []
        bars_before = bars_shown()
        saved = sys.stdout, sys.stderr
        sys.stdout = _Tee(sys.stdout, _STDOUT, chunks)  # type: ignore[assignment]
        sys.stderr = _Tee(sys.stderr, _STDERR, chunks)  # type: ignore[assignment]
        status: int | None = None
        try:
            yield
            status = 0
        except SystemExit as exc:
            code = 0 if exc.code is None else exc.code
            status = code if code in (0, 1) else None  # type: ignore[assignment]
            raise
        finally:
            sys.stdout, sys.stderr = saved
            if status is not None and bars_shown() == bars_before:
                merged = _merged(chunks)
                if not _holds_secret(merged):  # (a key split across two writes included)
                    self._cache.store_named(self._name, (self._stamp, status, merged))


def _invocation_key(
    fingerprint: str, command: str, params: dict[str, Any], config: ProjectConfig
) -> str:
    """The record's name: one record per command, options and working folder, so that
    runs in another environment replace it rather than pile up beside it."""
    parts = (fingerprint, sys.executable, command, sorted(params.items()), config, os.getcwd())
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogateescape")).hexdigest()


def _surroundings_digest() -> bytes:
    """What else a run's output depends on: the environment, the terminals, -q."""
    env = sorted((k, v) for k, v in os.environ.items() if k not in _VOLATILE_ENV)
    terminals = tuple(_is_terminal(stream) for stream in (sys.stdout, sys.stderr))
    size = None
    if any(terminals):
        import shutil  # (loaded on a terminal only: a replay into a pipe needs no size)

        size = tuple(shutil.get_terminal_size())
    parts = (env, terminals, size, verbosity())
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogateescape")).digest()


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _read_besides(
    target: Target, config: ProjectConfig, inputs: Iterable[Path]
) -> list[Path] | None:
    """The files a run may read besides the tree's listing (see the module docstring);
    None in a git work tree whose index is elsewhere (`.git` a file: a linked worktree,
    a submodule), which this does not follow: such a run is not recorded."""
    root = target.root.absolute()
    paths = [folder / "pyproject.toml" for folder in (root, *root.parents)]
    if config.path is not None:
        paths.append(config.path)
        if config.mapping:
            paths.append(config.path.parent / config.mapping)
    paths.extend(inputs)
    for folder in (root, *root.parents):
        git = folder / ".git"
        if git.is_dir():
            paths += [git / "index", git / "HEAD"]
            break
        if git.exists():
            return None
    return paths


def _tree_stamp(target: Target, besides: Sequence[Path], started_ns: int) -> bytes | None:
    """A digest of the listing and of each file's stamp (file_stamps.py); None when a
    file changed too recently to be told apart from a later change (the run is then not
    recorded)."""
    digest = hashlib.sha256()
    root = str(target.root)
    started_ns = target.settled_since(started_ns)
    others = ((str(path), None) for path in besides)
    for rel, known in itertools.chain(target.listing_stamps(), others):
        name = rel.encode("utf-8", "surrogateescape")
        try:
            stamp = known or stamp_of(os.stat(os.path.join(root, rel)))
        except OSError:
            digest.update(b"%s\0-\n" % name)
            continue
        if not settled(stamp, started_ns):
            return None
        digest.update(b"%s\0%d %d %d %d\n" % (name, *stamp))
    return digest.digest()


def _is_record(value: object) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 3
        and isinstance(value[0], bytes)
        and value[1] in (0, 1)
        and isinstance(value[2], list)
    )


class _Tee:
    """A text stream that writes through to `real` and keeps what was written (its
    `buffer` too: the patch of `diff` goes there as bytes)."""

    def __init__(self, real: IO[str], stream: int, chunks: list[Chunk]) -> None:
        self._real = real
        self._stream = stream
        self._chunks = chunks
        self._buffer: _BufferTee | None = None

    def write(self, text: str) -> int:
        written = self._real.write(text)
        self._chunks.append((self._stream, text))
        return written

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    @property
    def buffer(self) -> _BufferTee:
        if self._buffer is None:
            self._buffer = _BufferTee(self._real.buffer, self._stream, self._chunks)  # type: ignore[attr-defined]
        return self._buffer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class _BufferTee:
    def __init__(self, real: IO[bytes], stream: int, chunks: list[Chunk]) -> None:
        self._real = real
        self._stream = stream
        self._chunks = chunks

    def write(self, data: bytes) -> int:
        written = self._real.write(data)
        if data:
            self._chunks.append((self._stream, bytes(data)))
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _merged(chunks: list[Chunk]) -> list[Chunk]:
    """Consecutive writes of the same kind to the same stream as one (joined once)."""
    out: list[Chunk] = []
    for (stream, kind), run in itertools.groupby(chunks, lambda c: (c[0], type(c[1]))):
        parts = [data for _, data in run]
        out.append((stream, b"".join(parts) if kind is bytes else "".join(parts)))  # type: ignore[arg-type]
    return out


def _holds_secret(chunks: list[Chunk]) -> bool:
    from migrator.secrets import holds_secret

    return any(
        holds_secret(data if isinstance(data, str) else data.decode("latin-1"))
        for _, data in chunks
    )


def _write(chunks: list[Chunk]) -> None:
    for stream, data in chunks:
        out = sys.stdout if stream == _STDOUT else sys.stderr
        if isinstance(data, bytes):
            out.flush()  # what was written as text goes first
            out.buffer.write(data)
            out.buffer.flush()
        else:
            out.write(data)
