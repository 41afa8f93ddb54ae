"""Golden before/after for `--route`: fixtures/routes/golden/<name>.py rewritten for a
target with its embeddings routed to a second provider.

`expected/<target>+<route>/` holds the exact output and `findings.txt` (`<file>:<line>
<severity> <rule>`), reviewed line by line. Regenerate after a deliberate change with
`UPDATE_GOLDEN=1 python -m pytest tests/test_routes_golden.py` and review `git diff`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from migrator.mapping import load_registry
from migrator.model import FileResult
from migrator.routes import resolve_routes
from tests.codemod_helpers import ROOT, rewrite_bytes

GOLDEN = ROOT / "fixtures" / "routes" / "golden"
INPUTS = sorted(p.name for p in GOLDEN.glob("*.py"))
CASES = ("deepseek+embeddings=qwen", "moonshot+embeddings=glm")
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _result(case: str, name: str) -> FileResult:
    target, *routes = case.split("+")
    registry = load_registry()
    routed = resolve_routes(registry, registry.get(target), {}, routes)
    return rewrite_bytes((GOLDEN / name).read_bytes(), target, name, routes=routed)


@pytest.mark.parametrize("case", CASES)
def test_routed_golden_outputs(case: str) -> None:
    folder: Path = GOLDEN / "expected" / case
    results = {name: _result(case, name) for name in INPUTS}
    findings = "".join(
        f"{f.path}:{f.line} {f.severity} {f.id}\n" for r in results.values() for f in r.findings
    )
    if UPDATE:
        folder.mkdir(parents=True, exist_ok=True)
        for name, result in results.items():
            assert result.new_source is not None
            (folder / name).write_bytes(result.new_source)
        (folder / "findings.txt").write_text(findings, encoding="utf-8")
    for name, result in results.items():
        assert not result.errors, result.errors
        assert result.new_source == (folder / name).read_bytes(), f"{case}/{name} differs"
    assert findings == (folder / "findings.txt").read_text(encoding="utf-8")
