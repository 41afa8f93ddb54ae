"""The tool's fingerprint (fingerprint.py): what it hashes, and that the cache folder
remembers it by the `stat` of those files, never while they are being edited."""

from __future__ import annotations

from pathlib import Path

import pytest

import migrator.fingerprint as fingerprint
from migrator import file_stamps


def test_the_fingerprint_is_remembered_by_the_stat_of_the_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(file_stamps, "SETTLED_NS", -(10**12))  # the checkout is settled
    first = fingerprint.remembered_fingerprint(tmp_path)
    assert first == fingerprint.tool_fingerprint()
    assert len(list((tmp_path / "fingerprint-of").iterdir())) == 1

    def hashed() -> str:
        raise AssertionError("hashed the code again")

    monkeypatch.setattr(fingerprint, "tool_fingerprint", hashed)
    assert fingerprint.remembered_fingerprint(tmp_path) == first
    monkeypatch.setattr(fingerprint, "__version__", "99.0")  # another version: not that memo
    with pytest.raises(AssertionError, match="hashed"):
        fingerprint.remembered_fingerprint(tmp_path)


def test_a_fingerprint_is_not_remembered_while_the_code_is_being_edited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(file_stamps, "SETTLED_NS", 10**18)  # every file changed just now
    assert fingerprint.remembered_fingerprint(tmp_path) == fingerprint.tool_fingerprint()
    assert not (tmp_path / "fingerprint-of").exists() or not any(
        (tmp_path / "fingerprint-of").iterdir()
    )


def test_the_fingerprint_hashes_the_code_and_mapping_files() -> None:
    names = [name for name, _ in fingerprint._code_files()]
    assert "result_cache.py" in names and "fingerprint.py" in names
    assert any(name.endswith(".yaml") for name in names), "the shipped mappings"
    assert "rule_examples.json" in names
    assert not any("__pycache__" in name for name in names)
    assert names == [name for name, _ in fingerprint._code_files()], "in a fixed order"
