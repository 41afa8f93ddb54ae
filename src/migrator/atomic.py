"""Atomic file writes: a reader (or a crash, or Ctrl-C) sees the old bytes or the new ones.

`write_atomic` writes to a hidden, uniquely named temp file in the target's folder, flushes
and fsyncs it, gives it the target's mode bits and then `os.replace`s it over the target.
The rename is atomic on POSIX and on Windows (same volume), which is why the temp file
must sit in the same folder. On any exception, KeyboardInterrupt included, the temp file is
removed and the exception re-raised, so an interrupted `migrator apply` leaves no litter.

Known limits (documented rather than papered over): the rename gives the path a new inode,
so hard links to the old file keep the old content, and extended attributes/ACLs are not
copied. Owner and group are copied when the OS allows it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

__all__ = ["SymlinkRefusedError", "current_umask", "write_atomic"]

TEMP_SUFFIX = ".migrator-tmp"


class SymlinkRefusedError(OSError):
    """`write_atomic` was asked to write through a symlink it may not follow."""


def current_umask() -> int:
    """The process umask, read without changing it where the OS allows (Linux /proc)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    # Elsewhere the only way is to set and restore it (racy with other threads; a
    # short window and the same value is restored).
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _resolve_target(path: Path, allow_symlink: bool, root: Path | None) -> Path:
    """The file to replace: `path` itself, or the symlink's target when that is allowed."""
    target = path
    if path.is_symlink():
        if not allow_symlink:
            raise SymlinkRefusedError(f"refusing to write through symlink {path}")
        target = path.resolve()
    if root is not None:
        real_root = root.resolve()
        # The folder is what the rename happens in: a symlinked folder leading out of the
        # tree is as bad as a symlinked file.
        real_dir = target.parent.resolve()
        if not _is_within(real_dir / target.name, real_root):
            raise SymlinkRefusedError(f"refusing to write {path}: it resolves outside {root}")
    return target


def write_atomic(
    path: Path | str,
    data: bytes,
    *,
    allow_symlink: bool = False,
    root: Path | None = None,
    fsync: bool = True,
    mode: int | None = None,
) -> None:
    """Replace the content of `path` with `data`, atomically.

    - Mode bits of an existing file are kept; a new file gets ``0o666 & ~umask``. A
      `mode` given is what the file gets either way (a private cache file: 0o600), set
      on the temporary file before anything is written to it.
    - If `path` is a symlink, raise `SymlinkRefusedError` unless `allow_symlink` is true, in which
      case the link's (resolved) target is replaced and the link itself is left alone.
    - If `root` is given, the file actually written must lie inside `root` after resolving
      symlinks (of the file and of its folders); otherwise `SymlinkRefusedError` is raised.
    - `fsync=False` skips the flushes to disk (a cache entry: a reader still sees the old
      bytes or the new ones, but a power cut may lose the write).
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"write_atomic needs bytes, got {type(data).__name__}")
    target = _resolve_target(Path(path), allow_symlink, root)
    folder = target.parent

    try:
        st: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(f"{target} is a directory")
    if mode is None:
        mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~current_umask()

    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=folder)
    try:
        try:
            if st is not None and hasattr(os, "fchown"):
                # Keep owner/group where permitted (a no-op for our own files; root can
                # keep someone else's). Failing here must not block the write.
                with contextlib.suppress(OSError):
                    os.fchown(fd, st.st_uid, st.st_gid)
            if hasattr(os, "fchmod"):
                os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if fsync:
                os.fsync(fd)
        finally:
            os.close(fd)
        if not hasattr(os, "fchmod"):  # pragma: no cover - Windows
            os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    if fsync:
        _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable (POSIX). Best effort: not every platform/filesystem allows it."""
    if os.name != "posix":  # pragma: no cover
        return
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
