"""The fuzz suite: a short seeded run in every test run, the long run behind `-m fuzz`.

Each input (a layout mutant of one of our fixtures, or a generated program with OpenAI usage
spliced in) must keep every promise of `invariants.problems` for its provider. A failure
prints the input's origin, its family and the broken promise; the input itself is written
to MIGRATOR_FUZZ_FAILURES (a folder) when that is set, to turn into a reproducer.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.fuzz.driver import Tally, run_generated, run_mutations
from tests.fuzz.mutations import FAMILIES

SEED = 20260101


def _report(tally: Tally) -> str:
    folder = os.environ.get("MIGRATOR_FUZZ_FAILURES")
    lines = []
    for number, failure in enumerate(tally.failures):
        lines.append(f"{failure.family} ({failure.provider}, {failure.origin}): {failure.problem}")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            (Path(folder) / failure.file_name(number)).write_bytes(failure.data)
    return "\n".join(lines[:40])


def test_short_seeded_mutation_run() -> None:
    tally = run_mutations(count=6, seed=SEED)
    assert set(tally.inputs) == set(FAMILIES)
    assert all(count == 6 for count in tally.inputs.values()), tally.inputs
    assert not tally.failures, _report(tally)


def test_short_seeded_generated_run() -> None:
    tally = run_generated(count=24, seed=SEED)
    assert tally.inputs["generated"] >= 12, "most generated programs compile"
    assert not tally.failures, _report(tally)


def _long_run_settings() -> tuple[int, int, int]:
    """MIGRATOR_FUZZ_COUNT inputs per family (default 5000), MIGRATOR_FUZZ_SEED,
    MIGRATOR_FUZZ_JOBS processes checking them (default 1)."""
    env = os.environ
    count = int(env.get("MIGRATOR_FUZZ_COUNT", "5000"))
    return count, int(env.get("MIGRATOR_FUZZ_SEED", "1")), int(env.get("MIGRATOR_FUZZ_JOBS", "1"))


@pytest.mark.fuzz
def test_long_mutation_run() -> None:
    """MIGRATOR_FUZZ_COUNT inputs per mutation family over 3 providers."""
    count, seed, jobs = _long_run_settings()
    tally = run_mutations(count=count, seed=seed, jobs=jobs)
    assert not tally.failures, _report(tally)


@pytest.mark.fuzz
def test_long_generated_run() -> None:
    count, seed, jobs = _long_run_settings()
    tally = run_generated(count=count, seed=seed, jobs=jobs)
    assert not tally.failures, _report(tally)
