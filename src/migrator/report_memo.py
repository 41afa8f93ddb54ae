"""The migration report of an earlier run, taken whole when no file it read has changed.

With every file in the result cache, a run still does per-file work before it has its
report: it reads the notebooks' code cells, the imports of every kept file, the
definitions of the modules they take constants from, the configuration files, and it
keys each file's entry. On mem0 (376 Python files) that is 45 of a cached `checklist`'s
55 ms of rewrite phase, paid again by `apply` and by every `checklist` after a `diff`.
So `migrate` keeps, beside the per-file entries, one memo of how its report was made:

* the listing it ran on (a digest of the names);
* each file the run read -- the files the prefilter kept, the defining modules and
  configuration files read besides -- with its stamp (file_stamps.py) and a digest of
  the bytes the run used;
* a digest of the stamps of the other listed files (the prefilter dropped them unread;
  a change to one could make the prefilter keep it);
* for each file rewritten, the name of its result cache entry (so a file holding a
  credential is stored as the result cache stores it, never in the memo), and the
  configuration and unreadable-file results as they are (a memo holding a credential
  is not stored).

A later run with the same options and root (the memo's name) and the same listing
takes the memo when the dropped files' stamps are as they were and each file read is
unchanged: same stamp, or else the same bytes (a `git checkout` that writes a file back
changes its stamp, not its bytes). It then reads only the rewritten files' entries.
Any other outcome runs as usual and replaces the memo.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from migrator.file_stamps import Stamp, settled, stamp_of
from migrator.progress import phase

if TYPE_CHECKING:
    from migrator.discovery import Target
    from migrator.migrate import MigrationReport
    from migrator.model import FileResult
    from migrator.options import RewriteOptions
    from migrator.result_cache import ResultCache

_FORMAT = "report-memo/1"


@dataclass(frozen=True)
class _Memo:
    """How a report was made, as `ReportMemo` keeps it."""

    listing: bytes  # digest of the names the run listed
    dropped: bytes  # digest of the stamps of the listed files the run did not read
    read: tuple[tuple[str, Stamp | None, bytes | None], ...]  # (file, stamp, digest of bytes)
    entries: tuple[tuple[str, str], ...]  # (file, its result cache entry)
    kept: bytes  # pickled configuration and unreadable-file results
    stats: tuple[int, int]


class ReportMemo:
    """The memo of one target, options and root: `load` it, or `store` a report."""

    def __init__(self, cache: ResultCache, target: Target, options: RewriteOptions) -> None:
        self._cache = cache
        self._target = target
        # (select's stamps may be discovery's, taken before this run started)
        self._started_ns = target.settled_since(time.time_ns())
        digest = cache.options_digest(options)
        self._name: str | None = None
        if digest is not None:
            parts = (_FORMAT, digest, os.fspath(target.root.absolute()))
            self._name = "report:" + hashlib.sha256(repr(parts).encode()).hexdigest()
        # the stamp of each listed file as `select` took it, before reading (select fills it)
        self.stamps: dict[str, Stamp] = {}
        # `load` found a memo of these options and root (a run kept one: its files' results
        # are likely cached, even when the memo itself cannot serve)
        self.found = False

    @property
    def usable(self) -> bool:
        return self._name is not None and bool(self._target.project)

    def load(self, options: RewriteOptions) -> MigrationReport | None:
        """The earlier run's report, when nothing it depends on has changed; else None."""
        if not self.usable:
            return None
        assert self._name is not None
        memo = self._cache.load_named(self._name)
        self.found = isinstance(memo, _Memo)
        if not isinstance(memo, _Memo) or memo.listing != _listing_digest(self._target):
            return None
        read = {rel for rel, _, _ in memo.read}
        root = os.fspath(self._target.root)
        stamps = []
        try:
            for rel, stamp in self._target.name_stamps():
                if rel not in read:
                    stamps.append((rel, stamp or stamp_of(os.stat(os.path.join(root, rel)))))
        except OSError:
            return None
        if _stamps_digest(stamps) != memo.dropped:
            return None
        data_of: dict[str, bytes] = {}
        listed = dict(self._target.stamps_of([rel for rel, _, _ in memo.read]))  # (sorted)
        for rel, stamp, digest in memo.read:
            path = os.path.join(root, rel)
            if stamp is not None and (listed.get(rel) or _stamp(path)) == stamp:
                continue  # (a rewritten file is read below for its entry)
            data = _read(path)
            if digest_of(data) != digest:
                return None
            if data is not None:
                data_of[rel] = data
        return self._report(memo, data_of, options)

    def _report(
        self, memo: _Memo, data_of: dict[str, bytes], options: RewriteOptions
    ) -> MigrationReport | None:
        from migrator.migrate import MigrationReport
        from migrator.runner import RunStats

        digests = {rel: digest for rel, _, digest in memo.read}
        root = os.fspath(self._target.root)
        results: list[FileResult] = []
        for rel, key in memo.entries:
            data = data_of.get(rel)
            if data is None:
                data = _read(os.path.join(root, rel))
                if data is None or digest_of(data) != digests.get(rel):
                    return None
            result = self._cache.get(key, data)
            if result is None:  # the entry is gone (the cache folder was cleaned)
                return None
            results.append(result)
        results.extend(pickle.loads(memo.kept))
        results.sort(key=lambda r: r.path)
        phase("report", f"an earlier run's, whose {len(memo.read)} file(s) read are unchanged")
        self._cache.report()
        return MigrationReport(self._target.root, options, results, RunStats(*memo.stats))

    def store(
        self,
        report: MigrationReport,
        rewritten: Iterable[str],
        kept: Sequence[FileResult],
        read: dict[str, bytes | None],
    ) -> None:
        """Keep how `report` was made: `rewritten` files have result cache entries (the
        cache says which: `ResultCache.held`), `kept` results go in the memo, `read` is
        every file the run read, with the `digest_of` the bytes it used."""
        if not self.usable or not self._cache.enabled:
            return
        assert self._name is not None
        from migrator.result_cache import holds_secret_bytes

        entries = []
        for rel in rewritten:
            key = self._cache.held.get(rel)
            if key is None:  # not stored (a credential it could not leave out, an error)
                return
            entries.append((rel, key))
        body = pickle.dumps(list(kept), protocol=pickle.HIGHEST_PROTOCOL)
        if holds_secret_bytes(body):
            return
        dropped = []
        for rel in self._target.names:
            if rel in read:
                continue
            stamp = self.stamps.get(rel)
            if stamp is None or not settled(stamp, self._started_ns):
                return  # not stamped by select, or changed too recently to be told apart
            dropped.append((rel, stamp))
        files = []
        for rel, data in sorted(read.items()):
            stamp = self.stamps.get(rel)
            if stamp is not None and not settled(stamp, self._started_ns):
                stamp = None  # compared by its bytes next time
            files.append((rel, stamp, data))
        memo = _Memo(
            _listing_digest(self._target),
            _stamps_digest(dropped),
            tuple(files),
            tuple(entries),
            body,
            (report.stats.files_scanned, report.stats.files_parsed),
        )
        self._cache.store_named(self._name, memo)


def _listing_digest(target: Target) -> bytes:
    digest = hashlib.sha256()
    for names in (target.names, target.project):
        digest.update(b"\0".join(n.encode("utf-8", "surrogateescape") for n in names) + b"\1")
    return digest.digest()


def _stamps_digest(stamps: Sequence[tuple[str, Stamp]]) -> bytes:
    digest = hashlib.sha256()
    for rel, stamp in stamps:
        digest.update(b"%s\0%d %d %d %d\n" % (rel.encode("utf-8", "surrogateescape"), *stamp))
    return digest.digest()


def digest_of(data: bytes | None) -> bytes | None:
    """What the memo keeps of a file's bytes (None: the run could not read it)."""
    return None if data is None else hashlib.sha256(data).digest()


def _stamp(path: str) -> Stamp | None:
    try:
        return stamp_of(os.stat(path))
    except OSError:
        return None


def _read(path: str) -> bytes | None:
    """A file's bytes, or None when it cannot be read (compared as the run saw it)."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None
