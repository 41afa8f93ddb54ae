from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from migrator import atomic
from migrator.atomic import SymlinkRefusedError, current_umask, write_atomic


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_replaces_content_exactly(tmp_path: Path) -> None:
    target = tmp_path / "a.py"
    target.write_bytes(b"old\n")
    data = b"line1\r\nline2\r\n\xef\xbb\xbfnot-a-bom-here\rlone-cr\n\x00\xff"
    write_atomic(target, data)
    assert target.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py"]


def test_keeps_mode_bits(tmp_path: Path) -> None:
    target = tmp_path / "run.sh"
    target.write_bytes(b"#!/bin/sh\n")
    os.chmod(target, 0o755)
    write_atomic(target, b"#!/bin/sh\necho hi\n")
    assert _mode(target) == 0o755
    os.chmod(target, 0o640)
    write_atomic(target, b"x")
    assert _mode(target) == 0o640
    assert target.read_bytes() == b"x"


def test_new_file_gets_umask_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        assert current_umask() == 0o027
        write_atomic(tmp_path / "new.txt", b"hello")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "new.txt") == 0o640
    assert (tmp_path / "new.txt").read_bytes() == b"hello"


@pytest.mark.skipif(os.name != "posix", reason="mode bits are POSIX")
def test_a_given_mode_holds_for_new_and_replaced_files(tmp_path: Path) -> None:
    new = tmp_path / "entry"
    write_atomic(new, b"one", mode=0o600)
    assert _mode(new) == 0o600
    old = tmp_path / "old"
    old.write_bytes(b"x")
    os.chmod(old, 0o644)
    write_atomic(old, b"two", mode=0o600)
    assert (_mode(old), old.read_bytes()) == (0o600, b"two")


def test_accepts_str_path_and_empty_data(tmp_path: Path) -> None:
    target = tmp_path / "e.txt"
    target.write_bytes(b"something")
    write_atomic(str(target), b"")
    assert target.read_bytes() == b""


def test_rejects_text(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="needs bytes"):
        write_atomic(tmp_path / "t.txt", "text")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_failed_replace_leaves_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.py"
    target.write_bytes(b"original\n")

    def boom(src: str, dst: object) -> None:
        assert Path(src).parent == tmp_path
        assert Path(src).name.startswith(".a.py.")
        assert Path(src).read_bytes() == b"new\n"  # the temp file was complete
        raise OSError("simulated failure")

    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(OSError, match="simulated failure"):
        write_atomic(target, b"new\n")
    assert target.read_bytes() == b"original\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py"]


def test_interrupt_during_write_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.py"
    target.write_bytes(b"original\n")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"new\n")
    assert target.read_bytes() == b"original\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py"]


def test_failure_for_new_file_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(src: str, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(tmp_path / "new.txt", b"data")
    assert list(tmp_path.iterdir()) == []


def test_refuses_symlink_by_default(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"secret\n")
    tree = tmp_path / "tree"
    tree.mkdir()
    link = tree / "link.txt"
    link.symlink_to(outside)
    with pytest.raises(SymlinkRefusedError, match="symlink"):
        write_atomic(link, b"pwned\n")
    assert outside.read_bytes() == b"secret\n"
    assert link.is_symlink()
    assert sorted(p.name for p in tree.iterdir()) == ["link.txt"]


def test_follows_symlink_when_allowed_and_keeps_link(tmp_path: Path) -> None:
    real = tmp_path / "real.py"
    real.write_bytes(b"old\n")
    os.chmod(real, 0o700)
    link = tmp_path / "link.py"
    link.symlink_to(real.name)
    write_atomic(link, b"new\n", allow_symlink=True)
    assert link.is_symlink()
    assert os.readlink(link) == "real.py"
    assert real.read_bytes() == b"new\n"
    assert _mode(real) == 0o700
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.py", "real.py"]


def test_allowed_symlink_must_stay_inside_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"secret\n")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "inside.txt").write_bytes(b"in\n")
    (tree / "out-link.txt").symlink_to(outside)
    (tree / "in-link.txt").symlink_to("inside.txt")
    with pytest.raises(SymlinkRefusedError, match="outside"):
        write_atomic(tree / "out-link.txt", b"pwned\n", allow_symlink=True, root=tree)
    assert outside.read_bytes() == b"secret\n"
    write_atomic(tree / "in-link.txt", b"ok\n", allow_symlink=True, root=tree)
    assert (tree / "inside.txt").read_bytes() == b"ok\n"


def test_symlinked_folder_out_of_root_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "f.py").write_bytes(b"x\n")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "sub").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(SymlinkRefusedError, match="outside"):
        write_atomic(tree / "sub" / "f.py", b"y\n", root=tree)
    assert (elsewhere / "f.py").read_bytes() == b"x\n"


def test_directory_target_refused(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    with pytest.raises(IsADirectoryError):
        write_atomic(tmp_path / "d", b"x")
    assert [p.name for p in tmp_path.iterdir()] == ["d"]
