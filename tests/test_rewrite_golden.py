"""Golden before/after files: every input of fixtures/rewrite/ for every provider.

`fixtures/rewrite/<name>.py` is the shared input; `fixtures/rewrite/expected/<provider>/`
holds, for each input the rewrite changes, the exact expected output (bytes: encodings,
BOM and CRLF included), and `findings.txt`: one `<file>:<line> <severity> <rule>` line per
finding. An input with no expected file must come out unchanged for that provider.

The goldens are reviewed by hand against the mapping files; to regenerate them after a
deliberate change, run `UPDATE_GOLDEN=1 python -m pytest tests/test_rewrite_golden.py`
and review the resulting `git diff` line by line before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.codemod_helpers import (
    EXPECTED,
    EXPECTED_LITELLM,
    EXPECTED_NATIVE,
    INPUTS,
    LITELLM_PROVIDERS,
    NATIVE_PROVIDERS,
    PROVIDERS,
    REWRITE_FIXTURES,
    fixture_result,
)

UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
FINDINGS = "findings.txt"


def findings_text(provider: str, strategy: str = "compat") -> str:
    lines = []
    for name in INPUTS:
        result = fixture_result(provider, name, strategy)
        lines.extend(f"{e.path}:{e.line} ERROR {e.message}" for e in result.errors)
        lines.extend(f"{f.path}:{f.line} {f.severity} {f.id}" for f in result.findings)
    return "\n".join(lines) + "\n"


def _update(provider: str, strategy: str = "compat") -> None:
    folder = _folder(provider, strategy)
    folder.mkdir(parents=True, exist_ok=True)
    for name in INPUTS:
        result = fixture_result(provider, name, strategy)
        target = folder / name
        if result.new_source is None:
            target.unlink(missing_ok=True)
        else:
            target.write_bytes(result.new_source)
    (folder / FINDINGS).write_text(findings_text(provider, strategy), encoding="utf-8")


def _folder(provider: str, strategy: str) -> Path:
    folders = {"compat": EXPECTED, "native": EXPECTED_NATIVE, "litellm": EXPECTED_LITELLM}
    return folders[strategy] / provider


CASES = [
    *((p, "compat") for p in PROVIDERS),
    *(pytest.param(p, "native", id=f"{p}-native") for p in NATIVE_PROVIDERS),
    *(pytest.param(p, "litellm", id=f"{p}-litellm") for p in LITELLM_PROVIDERS),
]


@pytest.mark.parametrize(("provider", "strategy"), CASES)
def test_golden_outputs(provider: str, strategy: str) -> None:
    if UPDATE:
        _update(provider, strategy)
    folder = _folder(provider, strategy)
    mismatches: list[str] = []
    for name in INPUTS:
        result = fixture_result(provider, name, strategy)
        assert not result.errors, f"{name}: {result.errors}"
        expected: Path = folder / name
        if result.new_source is None:
            if expected.exists():
                mismatches.append(f"{name}: expected a rewrite, got no change")
        elif not expected.exists():
            mismatches.append(f"{name}: rewritten, but there is no golden file")
        elif expected.read_bytes() != result.new_source:
            mismatches.append(
                f"{name}: output differs from {expected.relative_to(REWRITE_FIXTURES)}"
            )
    assert not mismatches, "\n".join(
        [*mismatches, "(UPDATE_GOLDEN=1 rewrites the goldens; review the diff)"]
    )


@pytest.mark.parametrize(("provider", "strategy"), CASES)
def test_golden_findings(provider: str, strategy: str) -> None:
    expected = (_folder(provider, strategy) / FINDINGS).read_text(encoding="utf-8")
    assert findings_text(provider, strategy) == expected


def test_no_stray_golden_files() -> None:
    """Every golden belongs to a provider and an input that still exist."""
    folders = [*EXPECTED.iterdir(), *EXPECTED_NATIVE.iterdir(), *EXPECTED_LITELLM.iterdir()]
    for folder in folders:
        assert folder.name in PROVIDERS, f"golden folder for unknown provider {folder.name}"
        for path in folder.iterdir():
            assert path.name in (*INPUTS, FINDINGS), f"stray golden {path}"
