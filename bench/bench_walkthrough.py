"""The README's walkthrough -- scan, diff, apply, checklist -- timed with and without the
result cache (result_cache.py).

Each command runs as the CLI (`python -m migrator ...`, output to /dev/null), with
MIGRATOR_CACHE_DIR pointing at a fresh temporary folder, three times over (and that
`--reps` times, default 3, each round with a new cache folder; medians are printed):

  uncached   every command with --no-cache: what each costs on its own
  first      the walkthrough with an empty cache: scan and diff compute and store their
             results, apply and checklist find diff's (one entry serves all three)
  again      the whole walkthrough a second time, on the tree the first left (apply's
             files put back): everything is in the cache
  replay     scan, diff and checklist run again on a tree unchanged since their last
             run: they replay their recorded output (run_record.py)

Every command runs on a git copy of the tree made once per round, as a user runs them in
one checkout; `apply` (`--no-commit --branch ...`) is put back right after it runs
(`git checkout -f main`, the branch deleted), as a user who reviews and drops the branch
would, so that `checklist` reads what `diff` read. (Records kept per tree -- the
prefilter's, the report memo -- serve the commands that follow on that tree, as they do
for a user.) The figure per command is wall seconds and CPU
seconds (user + system, workers included: steadier on a loaded machine), and its ratio
to the same command uncached.

    python bench/bench_walkthrough.py PATH           # a real tree (copied to a temp dir)
    python bench/bench_walkthrough.py --files 2000   # the synthetic tree of bench_scan.py

Prints a table, the load average before and after, and one JSON line (`BENCH `).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
from child_runs import compile_bytecode, load_average  # noqa: E402

COMMANDS = ("scan", "diff", "apply", "checklist")
READ_ONLY = ("scan", "diff", "checklist")


def _git(repo: Path, *args: str, check: bool = True) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "-C", str(repo), *args], check=check, env=env, capture_output=True)


def git_copy(source: Path, dest: Path) -> Path:
    """`source`'s files (not its history) in a new repository with one commit."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".git"), symlinks=True)
    _git(dest, "init", "-q", "-b", "main")
    _git(dest, "add", "-A")
    _git(dest, "-c", "user.name=bench", "-c", "user.email=bench@example.com",
         "commit", "-q", "--no-verify", "-m", "initial")  # fmt: skip
    return dest


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr[-2000:]!r}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


def _argvs(copy: Path, provider: str, jobs: int, extra: list[str]) -> dict[str, list[str]]:
    python = [sys.executable, "-m", "migrator"]
    target = ["--to", provider, "-j", str(jobs), *extra]
    return {
        "scan": [*python, "scan", str(copy), "-j", str(jobs), *extra],
        "diff": [*python, "diff", str(copy), *target],
        "apply": [*python, "apply", str(copy), *target, "--no-commit", "--branch", "bench"],
        "checklist": [*python, "checklist", str(copy), *target],
    }


def replays(copy: Path, provider: str, jobs: int, env: dict[str, str]) -> dict[str, Any]:
    """(wall, cpu) of each read-only command run a second time on a tree that has not
    changed since its first run: a replay (run_record.py). The walkthroughs before leave
    no such tree (apply rewrote files, and putting them back gave them new stamps), so
    each command runs once first, once the files `git checkout` wrote are old enough to
    be recorded (2 s: run_record.py's racily clean files)."""
    argvs = _argvs(copy, provider, jobs, [])
    time.sleep(2.5)
    for name in READ_ONLY:
        _timed(argvs[name], env)
    return {name: _timed(argvs[name], env) for name in READ_ONLY}


def walkthrough(
    copy: Path, provider: str, jobs: int, env: dict[str, str], extra: list[str]
) -> dict[str, tuple[float, float]]:
    """(wall, cpu) of each command of one walkthrough, all on `copy` (a git repository),
    which is put back as it was after `apply` (as a user who reviews the branch and
    drops it), so that `checklist` reads the tree `diff` read."""
    argvs = _argvs(copy, provider, jobs, extra)
    times = {}
    for name in COMMANDS:
        times[name] = _timed(argvs[name], env)
        if name == "apply":
            _git(copy, "checkout", "-q", "-f", "main")
            _git(copy, "clean", "-q", "-f", "-d")
            _git(copy, "branch", "-q", "-D", "bench", check=False)  # none when nothing changed
    return times


def run_bench(tree: Path, provider: str, jobs: int, reps: int) -> dict[str, Any]:
    """Medians over `reps` rounds of the three walkthroughs, each round with an empty
    cache folder of its own."""
    samples: dict[str, dict[str, list[tuple[float, float]]]] = {
        run: {c: [] for c in COMMANDS} for run in ("uncached", "first", "again")
    }
    samples["replay"] = {c: [] for c in READ_ONLY}
    compile_bytecode()
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="migrator-walk-") as tmp:
        for rep in range(reps):
            work = Path(tmp) / str(rep)
            work.mkdir()
            copy = git_copy(tree, work / "copy")
            env = {**os.environ, "NO_COLOR": "1", "MIGRATOR_CACHE_DIR": str(work / "cache")}
            for who in ("AUTHOR", "COMMITTER"):  # apply checks that git knows who commits
                env.setdefault(f"GIT_{who}_NAME", "bench")
                env.setdefault(f"GIT_{who}_EMAIL", "bench@example.com")
            env.pop("MIGRATOR_NO_CACHE", None)
            for run in ("uncached", "first", "again"):
                extra = ["--no-cache"] if run == "uncached" else []
                times = walkthrough(copy, provider, jobs, env, extra)
                for command, measured in times.items():
                    samples[run][command].append(measured)
            for command, measured in replays(copy, provider, jobs, env).items():
                samples["replay"][command].append(measured)
        cache = Path(tmp) / "0" / "cache"
        cache_bytes = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file())
    runs = {
        run: {c: (_median([t[0] for t in ts]), _median([t[1] for t in ts])) for c, ts in r.items()}
        for run, r in samples.items()
    }
    return {
        "tree": tree.name,
        "reps": reps,
        "provider": provider,
        "jobs": jobs,
        "load_before": load_before,
        "load_after": load_average(),
        "wall_s": {run: {c: round(t[0], 2) for c, t in r.items()} for run, r in runs.items()},
        "cpu_s": {run: {c: round(t[1], 2) for c, t in r.items()} for run, r in runs.items()},
        "cache_bytes": cache_bytes,
        "python": platform.python_version(),
        "libcst": version("libcst"),
        "cpus": os.cpu_count(),
    }


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _print(result: dict[str, Any], files: int) -> None:
    print(f"tree {result['tree']} ({files} Python files), --to {result['provider']}, "
          f"medians of {result['reps']}, "
          f"-j {result['jobs']}; load {result['load_before']} -> {result['load_after']}; "
          f"cache {result['cache_bytes'] / 1e6:.1f} MB")  # fmt: skip
    wall, cpu = result["wall_s"], result["cpu_s"]
    print(f"{'command':<10} {'uncached':>14} {'first walk':>20} {'again':>20} {'replay':>20}"
          "   (wall/cpu s)")  # fmt: skip
    for name in COMMANDS:
        base = cpu["uncached"][name]
        cells = [f"{wall['uncached'][name]:6.2f}/{base:6.2f}"]
        for run in ("first", "again", "replay"):
            if name not in cpu[run]:
                cells.append("-")
                continue
            ratio = cpu[run][name] / base if base else 0.0
            cells.append(f"{wall[run][name]:6.2f}/{cpu[run][name]:6.2f} {ratio:4.0%}")
        print(f"{name:<10} {cells[0]:>14} {cells[1]:>20} {cells[2]:>20} {cells[3]:>20}")
    print("BENCH " + json.dumps(result, sort_keys=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, help="tree to measure (default: synthetic)")
    parser.add_argument("--files", type=int, default=2000, help="synthetic modules to generate")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--to", dest="provider", default="qwen", help="the target provider")
    parser.add_argument("--jobs", type=int, default=2, help="--jobs for every command")
    parser.add_argument("--reps", type=int, default=3, help="rounds (medians are printed)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="migrator-walk-tree-") as tmp:
        if args.path is not None:
            tree = git_copy(args.path.resolve(), Path(tmp) / args.path.resolve().name)
        else:
            from bench_scan import generate_repo

            tree = Path(tmp) / "synthetic"
            tree.mkdir()
            generate_repo(tree, args.files, args.seed, 0.01, 0.4, use_git=True)
        files = sum(1 for p in tree.rglob("*.py") if ".git" not in p.parts)
        _print(run_bench(tree, args.provider, args.jobs, args.reps), files)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
