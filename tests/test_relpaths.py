"""The string helpers that stand in for pathlib in loops over every file of a tree give
pathlib's answers: for every file of this repository and for odd shapes."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest

from migrator.deps_files import dependency_file_kind
from migrator.discovery import discover, is_test_file
from migrator.relpaths import file_name, file_suffix

_REPO = Path(__file__).resolve().parent.parent
ODD = ["a/b.c.py", "a/.hidden", "a/b.", "a/b..py", ".x.py", "..py", "a/...py", "é/ü.py",
       "a b/c d.PY", "x", "a/.env.example", "requirements/dev.txt", "reqs/x.IN",
       "tests/x.py", "a/test/b.py", "a/testing/c.py", "a/test_b.py", "b_test.py",
       "conftest.py", "a/tests", "tests_x/y.py"]  # fmt: skip


def _repository_files() -> list[str]:
    files = [
        p.relative_to(_REPO).as_posix()
        for p in _REPO.rglob("*")
        if ".git" not in p.parts and p.is_file()
    ]
    assert len(files) > 500  # a clean checkout holds some 870
    return files


@pytest.fixture(scope="module")
def names() -> list[str]:
    return [*ODD, *_repository_files()]


def test_file_name_and_suffix_are_pathlibs(names: list[str]) -> None:
    for rel in names:
        assert file_name(rel) == PurePosixPath(rel).name, rel
        assert file_suffix(rel) == PurePosixPath(rel).suffix, rel
        assert file_suffix(PurePosixPath(rel)) == PurePosixPath(rel).suffix, rel


def _is_test_file_by_pathlib(rel: str) -> bool:
    path = PurePosixPath(rel)
    return (
        path.name.startswith("test_")
        or path.name.endswith("_test.py")
        or path.name == "conftest.py"
        or any(p in ("tests", "test", "testing") for p in path.parts[:-1])
    )


def test_is_test_file_reads_the_parts_pathlib_reads(names: list[str]) -> None:
    for rel in names:
        assert is_test_file(rel) == _is_test_file_by_pathlib(rel), rel


def test_dependency_file_kind_takes_the_folder_and_suffix_pathlib_gives() -> None:
    assert dependency_file_kind("requirements/dev.txt") == "requirements"
    assert dependency_file_kind("a/requirements/base.IN") == "requirements"
    assert dependency_file_kind(PurePosixPath("requirements/dev.txt")) == "requirements"
    assert dependency_file_kind("requirements.txt/notes.md") is None
    assert dependency_file_kind("dev.txt") is None
    assert dependency_file_kind("docs/dev.txt") is None


def test_target_names_are_its_files_relative_to_the_root(tmp_path: Path) -> None:
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    for rel in ("a.py", "pkg/b.py", "pkg/sub/c d.py"):
        (tmp_path / rel).write_text("")
    target = discover(tmp_path)
    assert list(target.names) == [p.relative_to(tmp_path).as_posix() for p in target.files]
    assert target.names == ("a.py", "pkg/b.py", "pkg/sub/c d.py")


@pytest.mark.parametrize(
    "path", ["a/b.py", "b.py", "", "a/", "/x/y", "a/.env", "dir.d/x.tar.gz", "é/ü.py", "a//b"]
)
def test_file_name_is_the_basename(path: str) -> None:
    assert file_name(path) == os.path.basename(path)
    as_path = PurePosixPath(path)
    assert file_name(as_path) == os.path.basename(os.fspath(as_path))
