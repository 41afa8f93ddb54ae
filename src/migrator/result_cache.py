"""A content-hash cache of per-file results, so that `apply` and `checklist` reuse what
`diff` computed (and a second `scan` what the first one did).

What is cached is one file's `FileResult` from one job (`scan_job`, `migrate.rewrite_file`). The
runner's contract is that a job is a function of (relative path, bytes, options) alone:
it reads no other file and no environment (cross-file facts -- constants other modules
define, their classes, the files importing this one, edits and notices other files sent
-- all reach it through its options, which the parent computed). So a key made of

    the tool's fingerprint (fingerprint.py: version + a hash of the package's own code
        and data files, so a changed checkout invalidates; Python and libcst versions),
    the job's name, the file's relative path, a hash of its bytes,
    a canonical encoding of that file's options (mapping content with every override,
        strategy, routes, flags, and the per-file cross-file facts)

covers every input of the result, which is why a hit is the same as a run. Pre-passes
that look across files (constants tables, importers, config files) are not cached:
they run every time and their output is part of the options encoded in the key.

Layout: `<cache dir>/<tool fingerprint>/<2 hex>/<rest of key>`; an entry is a header
line naming its key, then a pickle. A corrupt or foreign entry is a miss (and is
rewritten). Entries hold the rewritten source of a file, so the folder is made 0700 and
each entry 0600: readable by nobody the source file itself is not shown to. A file that
holds a credential (any format `secrets.redact_secrets` knows) is never stored whole: no file
the tool creates holds a secret (only the patch `diff -o` writes for the user does).
For such a file (test fixtures with keys are common) the entry holds neither its bytes nor
its rewritten text, only the lines the rewrite changed, and it is stored only when none of
those lines and nothing else in the entry holds any part of a credential.
Pickles are read only from a folder the user owns that no one else may write.

Where: `MIGRATOR_CACHE_DIR`, else the platform's user cache folder (`$XDG_CACHE_HOME` or
`~/.cache` on Linux, `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows) +
`migrator`. Off with `--no-cache` or `MIGRATOR_NO_CACHE=1`. Safe to delete at any time.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import enum
import functools
import hashlib
import os
import pickle
import re
import stat
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, TypeVar, cast

from migrator.fingerprint import (
    FINGERPRINT,
    STALE_SECONDS,
    remembered_fingerprint,
    write_atomic_entry,
)
from migrator.progress import note, phase

if TYPE_CHECKING:
    from migrator.model import FileResult

T = TypeVar("T")
Opts = TypeVar("Opts")

CACHE_DIR_ENV = "MIGRATOR_CACHE_DIR"
NO_CACHE_ENV = "MIGRATOR_NO_CACHE"
# Bumped when the entry layout changes.
_FORMAT = b"migrator-cache 1"


def default_cache_dir() -> Path:
    """The user's cache folder for migrator (see the module docstring)."""
    given = os.environ.get(CACHE_DIR_ENV)
    if given:
        return Path(given).expanduser()
    # A few lines rather than a dependency: these three places are all a CLI needs.
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "migrator" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "migrator"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base_dir = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base_dir / "migrator"


class Uncacheable(TypeError):
    """An option value the canonical encoding does not know: the run goes uncached."""


class _Encoder:
    """A canonical, process-independent encoding of option values. Sets are sorted (their
    order depends on the string hash seed); dicts keep their order (it is the order the
    code built them in, which results may depend on); functions are named by module and
    qualified name (their code is in the tool fingerprint), with their closure's values.
    Big shared values (a mapping) are encoded once per run."""

    def __init__(self) -> None:
        self._memo: dict[int, tuple[object, bytes]] = {}

    def digest(self, value: object) -> bytes:
        return hashlib.sha256(self.encode(value)).digest()

    def encode(self, value: object) -> bytes:
        if value is None or isinstance(value, (bool, int, float, str, bytes)):
            return repr(value).encode()
        if isinstance(value, enum.Enum):
            return f"{_qualname(type(value))}.{value.name}".encode()
        if isinstance(value, PurePath):
            return b"path:" + repr(str(value)).encode()
        if isinstance(value, re.Pattern):
            return f"re:{value.pattern!r}:{value.flags}".encode()
        memo = self._memo.get(id(value))
        if memo is not None and memo[0] is value:
            return memo[1]
        out = self._compound(value)
        if isinstance(value, frozenset) or _frozen_dataclass(value):
            # Immutable, so encoded once per run; kept alive by the memo, so that its id is
            # not reused within the run.
            self._memo[id(value)] = (value, b"#" + hashlib.sha256(out).digest())
            return self._memo[id(value)][1]
        return out

    def _compound(self, value: object) -> bytes:
        if isinstance(value, (list, tuple)):
            head = type(value).__name__ if type(value) in (list, tuple) else _qualname(type(value))
            return self._seq(head, [self.encode(v) for v in value])
        if isinstance(value, (set, frozenset)):
            return self._seq("set", sorted(self.encode(v) for v in value))
        if isinstance(value, dict):
            return self._seq(
                "dict", [self.encode(k) + b":" + self.encode(v) for k, v in value.items()]
            )
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            fields = [
                f.name.encode() + b"=" + self.encode(getattr(value, f.name))
                for f in dataclasses.fields(value)
            ]
            return self._seq(_qualname(type(value)), fields)
        if isinstance(value, functools.partial):
            return self._seq(
                "partial",
                [self.encode(value.func), self.encode(value.args), self.encode(value.keywords)],
            )
        if isinstance(value, types.ModuleType):
            return b"module:" + value.__name__.encode()
        if callable(value) and hasattr(value, "__qualname__") and hasattr(value, "__module__"):
            # Two lambdas of one module share a qualified name: their code tells them apart.
            code = getattr(value, "__code__", None)
            parts = [
                self.encode(getattr(value, "__defaults__", None)),
                self.encode(getattr(value, "__kwdefaults__", None)),
                _code_digest(code) if code is not None else b"",
                self.encode(getattr(value, "__self__", None)),  # a bound method's object
                *(self.encode(c.cell_contents) for c in getattr(value, "__closure__", None) or ()),
            ]
            return self._seq("fn:" + _qualname(value), parts)
        raise Uncacheable(f"cannot key an option of type {type(value).__qualname__}")

    @staticmethod
    def _seq(head: str, parts: list[bytes]) -> bytes:
        return head.encode() + b"(" + b",".join(b"%d:%s" % (len(p), p) for p in parts) + b")"


def _frozen_dataclass(value: object) -> bool:
    params = getattr(type(value), "__dataclass_params__", None)
    return params is not None and bool(params.frozen)


def _code_digest(code: types.CodeType) -> bytes:
    """A function's bytecode, line and plain constants (nested code objects, whose repr
    holds an address, are left to their own bytecode in co_code's references)."""
    plain = tuple(c for c in code.co_consts if isinstance(c, (str, bytes, int, float, type(None))))
    return hashlib.sha256(code.co_code + repr((code.co_firstlineno, plain)).encode()).digest()


def _named_key(name: str) -> str:
    return hashlib.sha256(b"named:" + name.encode("utf-8", "surrogateescape")).hexdigest()


def _qualname(obj: Any) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


class ResultCache:
    """Per-file results on disk, by content key. Counts its hits and misses."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.fingerprint = remembered_fingerprint(directory)
        self.entries = directory / self.fingerprint
        self.hits = 0
        self.misses = 0
        self.stored = 0
        self.unstored = 0  # results not stored: the file holds a credential
        self.enabled = True
        self._encoder = _Encoder()
        # file -> the entry holding its latest result this run (None: not stored), for the
        # report memo (report_memo.py)
        self.held: dict[str, str | None] = {}

    # -- keys ---------------------------------------------------------------------------
    def options_digest(self, options: object) -> bytes | None:
        """The canonical digest of `options` (None: a value this cache cannot key)."""
        try:
            return self._encoder.digest(options)
        except (Uncacheable, RecursionError):
            return None

    def key(self, job: Callable[..., Any], rel: str, data: bytes, options: object) -> str | None:
        """The entry name for `job` on `rel` with these bytes and options (None: the
        options hold a value this cache cannot key; that file is simply not cached)."""
        options_digest = self.options_digest(options)
        if options_digest is None:
            return None
        digest = hashlib.sha256()
        for part in (_qualname(job).encode(), rel.encode(), hashlib.sha256(data).digest()):
            digest.update(b"%d:%s" % (len(part), part))
        digest.update(options_digest)
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.entries / key[:2] / key[2:]

    # -- entries ------------------------------------------------------------------------
    def get(self, key: str, data: bytes) -> FileResult | None:
        """The stored result for `key` (its old_source is `data`), or None."""
        from migrator.model import FileResult  # loaded with the engine, not for a replay

        result = self._load(key)
        if not isinstance(result, (FileResult, _ChangedLines)):
            self.misses += 1
            return None
        if isinstance(result, _ChangedLines):
            result = result.restore(data)
        elif result.new_source is not None and result.old_source is None:
            result.old_source = data  # stored without it: the key holds its hash
        self.hits += 1
        return result

    def put(self, key: str, result: FileResult, data: bytes) -> bool:
        """Store `result` for the file whose bytes are `data` (not a result holding an
        internal error: those are our bugs or a crashed worker, worth another try).
        True when it was stored."""
        if not self.enabled or any("internal error" in e.message for e in result.errors):
            return False
        if _holds_secret(data) or (
            result.new_source is not None and _holds_secret(result.new_source)
        ):
            entry = _ChangedLines.of(result, data)
            if entry is None:
                self.unstored += 1  # computed again next time: no secret goes to the cache
                return False
            stored = self._store(key, entry)
        else:
            if result.old_source == data:  # the usual case: not stored twice
                result = dataclasses.replace(result, old_source=None)
            stored = self._store(key, result)
        self.stored += stored
        return stored

    def memo(self, func: Callable[[str, bytes], T], rel: str, data: bytes) -> T:
        """`func(rel, data)`, kept: for a pure function of one file (the constants
        pre-pass's reading of a defining module). Not counted in hits and misses."""
        return self._memoized(self.key(func, rel, data, None), lambda: func(rel, data), data)

    def memo_with(
        self, func: Callable[[str, bytes, Opts], T], rel: str, data: bytes, options: Opts
    ) -> T:
        """`func(rel, data, options)`, kept: a pure function of one file and options (a
        dependency file's edit)."""
        key = self.key(func, rel, data, options)
        return self._memoized(key, lambda: func(rel, data, options), data)

    def _memoized(self, key: str | None, compute: Callable[[], T], data: bytes) -> T:
        if key is not None:
            found = self._load(key)
            if isinstance(found, _Memo):
                return cast(T, found.value)
        value = compute()
        if key is not None and self.enabled and not _holds_secret(data):
            self._store(key, _Memo(value))
        return value

    def load_named(self, name: str) -> object:
        """A value kept under `name` for this tool version (prefilter_index.py), or None."""
        return self._load(_named_key(name))

    def store_named(self, name: str, value: object) -> None:
        """Keep `value` (no file content: it is not checked for credentials) under `name`."""
        self._store(_named_key(name), value)

    def _load(self, key: str) -> object:
        if not self.enabled:
            return None
        try:
            raw = self._path(key).read_bytes()
        except OSError:
            return None
        header, _, body = raw.partition(b"\n")
        if header != _FORMAT + b" " + key.encode():
            return None
        try:
            return pickle.loads(body)
        except Exception:  # noqa: BLE001 - a damaged entry is a miss, rewritten after
            return None

    def _store(self, key: str, value: object) -> bool:
        if not self.enabled:
            return False
        body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        path = self._path(key)
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_atomic_entry(path, _FORMAT + b" " + key.encode() + b"\n" + body)
        except OSError as exc:
            self._disable(f"cannot write to the cache folder {self.directory}: {_why(exc)}")
            return False
        return True

    def report(self) -> None:
        """One line with -v: how much the cache saved."""
        phase("cache", f"{self.hits} file(s) reused, {self.misses} computed, in {self.directory}")

    def _disable(self, why: str) -> None:
        self.enabled = False
        note(f"{why}; running without the cache")


@dataclasses.dataclass(frozen=True)
class _ChangedLines:
    """The result for a file holding a credential: without the file's bytes and its
    rewritten text; `changes` rebuild the text from the bytes (a `get` has them)."""

    result: FileResult  # old_source and new_source None
    # (first, end) old line range and the lines replacing it, in file order; None: unchanged
    changes: tuple[tuple[int, int, tuple[bytes, ...]], ...] | None

    @classmethod
    def of(cls, result: FileResult, data: bytes) -> _ChangedLines | None:
        """The entry, or None when a line it would hold, or anything else in it, holds
        any part of a credential."""
        if result.old_source not in (None, data):
            return None  # a notebook's Python view: not the bytes a `get` is given
        changes = None
        if result.new_source is not None:
            old = data.splitlines(keepends=True)
            new = result.new_source.splitlines(keepends=True)
            import difflib  # only for a file holding a credential

            matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
            changes = tuple(
                (first, end, tuple(new[start:stop]))
                for tag, first, end, start, stop in matcher.get_opcodes()
                if tag != "equal"
            )
            if _touches_secret(new, _stored_lines(changes)):
                return None
        entry = cls(dataclasses.replace(result, old_source=None, new_source=None), changes)
        if entry.restore(data).new_source != result.new_source:
            return None  # line ends the split does not give back: keep it out
        if _holds_secret(pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)):
            return None  # a usage or finding quoting one
        return entry

    def restore(self, data: bytes) -> FileResult:
        if self.changes is None:
            return dataclasses.replace(self.result)
        old = data.splitlines(keepends=True)
        lines: list[bytes] = []
        position = 0
        for first, end, replacement in self.changes:
            lines += old[position:first]
            lines += replacement
            position = end
        lines += old[position:]
        return dataclasses.replace(self.result, old_source=data, new_source=b"".join(lines))


def _stored_lines(changes: tuple[tuple[int, int, tuple[bytes, ...]], ...]) -> set[int]:
    """The numbers (0-based, in the new text) of the lines `changes` hold."""
    lines: set[int] = set()
    shift = 0  # new line number minus old line number, before the current change
    for first, end, replacement in changes:
        lines.update(range(first + shift, first + shift + len(replacement)))
        shift += len(replacement) - (end - first)
    return lines


def _touches_secret(new: list[bytes], stored: set[int]) -> bool:
    """Does any stored line of the new text overlap a credential's span in that text
    (one split across lines included)?"""
    from migrator.secrets import secret_spans

    text = b"".join(new).decode("latin-1")
    starts = [0]
    for line in new:
        starts.append(starts[-1] + len(line))
    for span_start, span_stop in secret_spans(text):
        first = bisect.bisect_right(starts, span_start) - 1
        last = bisect.bisect_right(starts, max(span_start, span_stop - 1)) - 1
        if any(line in stored for line in range(first, last + 1)):
            return True
    return False


@dataclasses.dataclass(frozen=True)
class _Memo:
    """A memoized value (told apart from a FileResult entry)."""

    value: object


# Entries of another migrator version (or checkout) unused this long are removed when a
# new version first writes: a development checkout makes a folder per edit.


def holds_secret_bytes(data: bytes) -> bool:
    """Does `data` hold any part of a credential? (No file the cache writes may.)"""
    from migrator.secrets import holds_secret

    # latin-1 maps every byte to one character: the patterns see the bytes as they are
    return holds_secret(data.decode("latin-1"))


_holds_secret = holds_secret_bytes


def _prune(directory: Path, keep: Path) -> None:
    now = time.time()
    for folder in directory.iterdir():
        with contextlib.suppress(OSError):
            if (
                folder != keep
                and FINGERPRINT.fullmatch(folder.name)
                and folder.is_dir()
                and not folder.is_symlink()
                and now - folder.stat().st_mtime > STALE_SECONDS
            ):
                import shutil

                shutil.rmtree(folder)


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def open_cache(no_cache: bool = False) -> ResultCache | None:
    """The cache for this run, or None when it is off (`--no-cache`, MIGRATOR_NO_CACHE)
    or its folder cannot be used (one notice says why)."""
    if no_cache or os.environ.get(NO_CACHE_ENV, "") not in ("", "0"):
        return None
    directory = default_cache_dir()
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.name == "posix":
            st = directory.stat()
            if st.st_uid != os.getuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                note(
                    f"the cache folder {directory} is not yours alone (owner or mode); "
                    "running without the cache"
                )
                return None
        cache = ResultCache(directory)
        fresh = not cache.entries.is_dir()
        cache.entries.mkdir(mode=0o700, exist_ok=True)
        os.utime(cache.entries)  # when this version last ran (see _prune)
        if fresh:
            _prune(directory, keep=cache.entries)
        if not os.access(cache.entries, os.W_OK | os.X_OK):
            raise PermissionError(13, "permission denied")
    except OSError as exc:
        note(f"cannot use the cache folder {directory}: {_why(exc)}; running without the cache")
        return None
    return cache
