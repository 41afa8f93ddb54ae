"""A file's `stat` taken as a stamp of its content, as git's index takes it.

Three records rest on it: the files the prefilter dropped (prefilter_index.py), a
command's replayable output (run_record.py) and the tool's fingerprint (fingerprint.py).
Each keeps a file's size, modification and change times and inode, and a later run
that finds the same four numbers takes the file as unchanged.

Race: a file rewritten within the filesystem's timestamp granularity after it was
stamped could keep all four numbers (git calls such entries "racily clean"). So a
stamp is trusted only when the file last changed well before the run started
(`settled`), and it is taken before the file is read: a change after the `stat` gives
the next run different numbers. A tool that rewrites a file and then restores its size,
times and inode would defeat this, as it would git (on Windows `st_ctime` is the
creation time, so there restoring the size and modification time is enough);
`--no-cache` trusts no stamp.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable, Iterator

# Coarse filesystems keep modification times to 2 s (FAT), some to 1 s (HFS+, ext3).
SETTLED_NS = 2_000_000_000

Stamp = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


# size, mtime_ns, ctime_ns (signed: times before 1970), inode (unsigned 64-bit)
PACKED = struct.Struct("<qqqQ")
# in a packed list, the place of a file with no stamp taken (no size is negative)
NO_STAMP = PACKED.pack(-1, 0, 0, 0)


def stamp_of(st: os.stat_result) -> Stamp:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def packed_stamp(st: os.stat_result) -> bytes:
    """`stamp_of(st)` as 32 bytes; `NO_STAMP` for a number beyond 64 bits."""
    try:
        return PACKED.pack(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    except struct.error:
        return NO_STAMP


def unpacked_stamps(names: Iterable[str], packed: bytes) -> Iterator[tuple[str, Stamp | None]]:
    """Each of `names` with its stamp from `packed` (in the same order), None where no
    stamp was taken; every name None when `packed` does not hold one stamp per name."""
    names = names if isinstance(names, (list, tuple)) else list(names)
    if len(packed) != PACKED.size * len(names):
        for rel in names:
            yield rel, None
        return
    for rel, stamp in zip(names, PACKED.iter_unpack(packed), strict=True):
        yield rel, (stamp if stamp[0] >= 0 else None)


def settled(stamp: Stamp, started_ns: int) -> bool:
    """The file last changed well before `started_ns` (a run's start): a later change
    cannot keep every number of its stamp."""
    return max(stamp[1], stamp[2]) < started_ns - SETTLED_NS
