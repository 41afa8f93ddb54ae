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
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from migrator.file_stamps import Stamp, settled

if TYPE_CHECKING:
    from migrator.result_cache import ResultCache


class DroppedFiles:
    """The dropped files of one tree root: what an earlier run recorded, and what this
    run records for the next one (`save`)."""

    def __init__(self, cache: ResultCache, root: Path) -> None:
        self._cache = cache
        self._name = f"prefilter-dropped:{root.resolve()}"
        known = cache.load_named(self._name)
        self._known: dict[str, Stamp] = known if isinstance(known, dict) else {}
        self._seen: dict[str, Stamp] = {}
        self._started_ns = time.time_ns()
        self.skipped = 0  # files this run did not read

    def unchanged(self, rel: str, stamp: Stamp) -> bool:
        """`rel` was dropped before and its stamp says it has not changed since."""
        if self._known.get(rel) != stamp:
            return False
        self._seen[rel] = stamp
        self.skipped += 1
        return True

    def dropped(self, rel: str, stamp: Stamp) -> None:
        """This run read `rel` (stat'ed as `stamp` before reading) and dropped it."""
        if settled(stamp, self._started_ns):
            self._seen[rel] = stamp

    def save(self) -> None:
        """Keep this run's dropped files for the next run (not rewritten when unchanged)."""
        if self._seen != self._known:
            self._cache.store_named(self._name, self._seen)
