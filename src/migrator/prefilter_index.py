"""The files an earlier run's prefilter dropped, known by their `stat`, so that a later
run over the same tree does not read them again.

Listing and prefiltering every file is most of what a run costs once its per-file results
are in the result cache (result_cache.py): on a 10,000-file tree, reading 59 MB and
searching it for the prefilter's tokens takes about a second, while the 1% of files that
matter come from the cache in a few milliseconds. Like git's index, this remembers each
dropped file's size, modification and change times and inode; a file whose `stat`
still gives the same four numbers is taken as unchanged, and only the others are read.

The stamps and their race rule are file_stamps.py's: a file changed within 2 s of the
run's start is not recorded, and is simply read again next time. `--no-cache` reads
every file. The index lives in the result cache's folder for this tool version (a
changed prefilter starts afresh), one entry per tree root, and holds relative paths and
numbers only, never file content.

Memory: a 100,000-file tree records 99,000 dropped files. Kept as a dict of names to
stamp tuples, the record loaded and the one being made took 60 MB, more than the rest of
the run. It is kept as two byte strings instead -- the names, NUL-separated (no path
holds a NUL), and their stamps packed 32 bytes each -- about 10 MB there, and it is read
by walking it beside the run's sorted listing rather than through a table of names.
"""

from __future__ import annotations

import struct
import time
from pathlib import Path
from typing import TYPE_CHECKING

from migrator.file_stamps import PACKED, Stamp, settled

if TYPE_CHECKING:
    from migrator.result_cache import ResultCache

# The record's shape, so that one of an older layout is simply not used.
_FORMAT = "names+stamps/1"


class DroppedFiles:
    """The dropped files of one tree root: what an earlier run recorded, and what this
    run records for the next one (`save`).

    `unchanged` is asked in the order of the run's listing, which is sorted, as the
    record is: the record is walked once, beside it. Asked out of order, a name is
    simply not found, and its file is read.

    `kind` names what dropped them: the prefilter, or another reader of the tree with a
    test of its own that depends on a file's bytes alone (the checklist's text files)."""

    def __init__(
        self,
        cache: ResultCache,
        root: Path,
        kind: str = "prefilter-dropped",
        started_ns: int | None = None,
    ) -> None:
        self._cache = cache
        self._name = f"{kind}:{root.resolve()}"
        known = cache.load_named(self._name)
        valid = (
            isinstance(known, tuple)
            and len(known) == 3
            and known[0] == _FORMAT
            and all(isinstance(part, bytes) for part in known[1:])
        )
        self._names: bytes = known[1] if valid else b""  # type: ignore[index]
        self._stamps: bytes = known[2] if valid else b""  # type: ignore[index]
        self._offset = 0  # where the next recorded name starts in `_names`
        self._entry = 0  # its index among the stamps
        self._next: str | None = None  # that name, decoded
        self._advance()
        self._seen: list[str] = []
        self._seen_stamps = bytearray()
        # the run's start, or earlier: when the stamps it is given began to be taken
        self._started_ns = time.time_ns() if started_ns is None else started_ns
        self.skipped = 0  # files this run did not read

    def _advance(self) -> None:
        if self._offset >= len(self._names):
            self._next = None
            return
        end = self._names.find(b"\0", self._offset)
        end = len(self._names) if end == -1 else end
        self._next = self._names[self._offset : end].decode("utf-8", "surrogatepass")
        self._offset = end + 1

    def unchanged(self, rel: str, stamp: Stamp) -> bool:
        """`rel` was dropped before and its stamp says it has not changed since."""
        while self._next is not None and self._next < rel:
            self._entry += 1
            self._advance()
        if self._next != rel:
            return False
        at = self._entry * PACKED.size
        if at + PACKED.size > len(self._stamps) or PACKED.unpack_from(self._stamps, at) != stamp:
            return False
        self._record(rel, stamp)
        self.skipped += 1
        return True

    def dropped(self, rel: str, stamp: Stamp) -> None:
        """This run read `rel` (stat'ed as `stamp` before reading) and dropped it."""
        if settled(stamp, self._started_ns):
            self._record(rel, stamp)

    def _record(self, rel: str, stamp: Stamp) -> None:
        try:
            packed = PACKED.pack(*stamp)
        except struct.error:  # a number beyond 64 bits: that file is read every run
            return
        self._seen.append(rel)
        self._seen_stamps += packed

    def save(self) -> None:
        """Keep this run's dropped files for the next run (not rewritten when unchanged)."""
        names = "\0".join(self._seen).encode("utf-8", "surrogatepass")
        if (names, self._seen_stamps) != (self._names, self._stamps):
            self._cache.store_named(self._name, (_FORMAT, names, bytes(self._seen_stamps)))
