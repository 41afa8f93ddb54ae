"""The long fuzz run: layout mutants of our fixtures and generated programs, 3 providers.

    python bench/fuzz.py [--count 5000] [--seed 1] [--jobs 2] [--failures DIR] [--family NAME ...]
                         [--strategy compat|native|litellm]

Prints, per family, the inputs checked and the failures by kind (see
tests/fuzz/invariants.py for what is checked), and the inputs checked per second; exits 1
when anything failed. `--jobs N` checks the inputs in N processes (the same inputs and
failures as one: they are made in order here).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fuzz.driver import (  # noqa: E402
    STRATEGY_PROVIDERS,
    Tally,
    generated_cases,
    mutation_cases,
    run_cases,
)
from tests.fuzz.mutations import FAMILIES  # noqa: E402


def _kind(problem: str) -> str:
    return problem.split(":")[0].split(" line ")[0][:60]


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the pool's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


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
    parser.add_argument(
        "--strategy",
        choices=sorted(STRATEGY_PROVIDERS),
        default="compat",
        help="rewrite strategy (default compat; native fuzzes qwen, zhipu and ark)",
    )
    args = parser.parse_args()
    providers = STRATEGY_PROVIDERS[args.strategy]
    start = time.perf_counter()
    chosen = args.family or [*FAMILIES, "generated"]
    mutations = tuple(f for f in chosen if f != "generated")
    cases = (
        mutation_cases(args.count, args.seed, providers, mutations, args.strategy)
        if mutations
        else []
    )
    if "generated" in chosen:
        cases += generated_cases(args.count, args.seed, providers, args.strategy)
    made = time.perf_counter() - start
    cpu_before = _cpu_seconds()
    tally = run_cases(cases, args.jobs, _progress(start, len(cases), args.failures))
    seconds = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu_before
    checked = sum(tally.inputs.values())
    by_family = Counter(f.family for f in tally.failures)
    # Per CPU second as well: the machine may be shared, which the wall clock shows.
    print(
        f"providers: {', '.join(providers)}; strategy {args.strategy}; seed {args.seed}; "
        f"{args.jobs} job(s); "
        f"{seconds:.0f} s ({made:.0f} s making inputs), "
        f"{checked / (seconds - made):.1f} inputs/s checked, "
        f"{checked / cpu:.1f} inputs per CPU second"
    )
    print(f"{'family':<14} {'inputs':>7} {'failures':>8}")
    for family, count in sorted(tally.inputs.items()):
        print(f"{family:<14} {count:>7} {by_family[family]:>8}")
    for kind, count in Counter(_kind(f.problem) for f in tally.failures).most_common():
        print(f"  {count:>5}  {kind}")
    return 1 if tally.failures else 0


def _progress(start: float, total: int, folder: Path | None) -> Callable[[Tally], None]:
    """A line on stderr every 500 inputs, and each failing input written to `folder` as it
    is found: a run stopped early still shows how far it got and what it found."""
    written = 0

    def on_checked(tally: Tally) -> None:
        nonlocal written
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            for number in range(written, len(tally.failures)):
                failure = tally.failures[number]
                (folder / failure.file_name(number)).write_bytes(failure.data)
            written = len(tally.failures)
        checked = sum(tally.inputs.values())
        if checked % 500 == 0 or checked == total:
            seconds = time.perf_counter() - start
            print(
                f"{checked}/{total} inputs, {len(tally.failures)} failures, {seconds:.0f} s",
                file=sys.stderr,
                flush=True,
            )

    return on_checked


if __name__ == "__main__":
    sys.exit(main())
