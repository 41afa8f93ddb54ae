"""The long fuzz run: layout mutants of our fixtures and generated programs, 3 providers.

    python bench/fuzz.py [--count 5000] [--seed 1] [--jobs 2] [--failures DIR] [--family NAME ...]

Prints, per family, the inputs checked and the failures by kind (see
tests/fuzz/invariants.py for what is checked), and the inputs checked per second; exits 1
when anything failed. `--jobs N` checks the inputs in N processes (the same inputs and
failures as one: they are made in order here).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fuzz.driver import (  # noqa: E402
    PROVIDERS,
    generated_cases,
    mutation_cases,
    run_cases,
)
from tests.fuzz.mutations import FAMILIES  # noqa: E402


def _kind(problem: str) -> str:
    return problem.split(":")[0].split(" line ")[0][:60]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000, help="inputs per family")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=1, help="processes checking inputs")
    parser.add_argument("--failures", type=Path, help="write each failing input here")
    parser.add_argument(
        "--family",
        action="append",
        choices=[*FAMILIES, "generated"],
        help="run only this family (repeatable; default: all, and generated programs)",
    )
    args = parser.parse_args()
    start = time.perf_counter()
    chosen = args.family or [*FAMILIES, "generated"]
    mutations = tuple(f for f in chosen if f != "generated")
    cases = mutation_cases(args.count, args.seed, families=mutations) if mutations else []
    if "generated" in chosen:
        cases += generated_cases(args.count, args.seed)
    made = time.perf_counter() - start
    tally = run_cases(cases, args.jobs)
    seconds = time.perf_counter() - start
    checked = sum(tally.inputs.values())
    by_family = Counter(f.family for f in tally.failures)
    print(
        f"providers: {', '.join(PROVIDERS)}; seed {args.seed}; {args.jobs} job(s); "
        f"{seconds:.0f} s ({made:.0f} s making inputs), "
        f"{checked / (seconds - made):.1f} inputs/s checked"
    )
    print(f"{'family':<14} {'inputs':>7} {'failures':>8}")
    for family, count in sorted(tally.inputs.items()):
        print(f"{family:<14} {count:>7} {by_family[family]:>8}")
    for kind, count in Counter(_kind(f.problem) for f in tally.failures).most_common():
        print(f"  {count:>5}  {kind}")
    if args.failures:
        args.failures.mkdir(parents=True, exist_ok=True)
        for number, failure in enumerate(tally.failures):
            (args.failures / failure.file_name(number)).write_bytes(failure.data)
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
