"""How far `migrator scan` and `migrator diff` are from the parse limit of a tree.

The limit is what no run can avoid: list the files as discovery does, read them, run
the bytes prefilter, and `libcst.parse_module` the files it keeps (a notebook's code
cells as one module), in one process and nothing else. The real commands are run as
the CLI (`python -m migrator scan|diff ...`, output to /dev/null) with `--jobs 1` and
`--jobs 2`; the limit runs as a child process of its own too, so that interpreter start
and imports count on both sides. Each repetition runs the limit and every command one
after the other (alternated), so that a change in machine load hits them alike; the
ratios are of medians. Wall time is what a user waits; CPU time (user + system, the
workers' included) is steadier on a loaded machine, and the figure to compare for
`--jobs 1`. The peak RSS of each run (the CLI or any of its workers) is the largest of
its repetitions.

    python bench/bench_limit.py PATH             # a real tree
    python bench/bench_limit.py --files 2000     # the synthetic tree of bench_scan.py
    python bench/bench_limit.py PATH --reps 5 --jobs 1 --to qwen
    python bench/bench_limit.py --files 100000 --out ../t100k --reps 1   # kept for reruns

Prints a table, the load average before and after, and one JSON line (`BENCH `).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import libcst

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
from child_runs import compile_bytecode, load_average  # noqa: E402


def measure_limit(root: Path) -> dict[str, Any]:
    """The limit, in this process: list + read + prefilter + parse of what it keeps."""
    from migrator.discovery import discover
    from migrator.notebook_job import python_view
    from migrator.runner import select

    start = time.perf_counter()
    target = discover(root)
    listed = time.perf_counter()
    todo, _ = select(target)  # reads every file and runs the prefilter, as the tools do
    selected = time.perf_counter()
    failed = 0
    for rel, data in todo:
        try:
            libcst.parse_module(python_view(rel, data))
        except Exception:  # noqa: BLE001 - a file that does not parse still cost its try
            failed += 1
    end = time.perf_counter()
    return {
        "files": len(target.names),
        "kept": len(todo),
        "kept_bytes": sum(len(data) for _, data in todo),
        "unparsable": failed,
        "list_s": listed - start,
        "read_prefilter_s": selected - listed,
        "parse_s": end - selected,
        "total_s": end - start,
    }


def _timed_child(argv: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user + system of the child and its workers), the peak
    RSS in MB of the child or any of its workers, and its stdout.

    `os.wait4` reports the resources of this one child and of the workers it waited for,
    so a run's peak memory is its own, not the largest of every run so far."""
    # Every run computes: a result cache would make the second repetition a cache read.
    env = {**os.environ, "NO_COLOR": "1", "MIGRATOR_NO_CACHE": "1"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode()
        stderr = err.read().decode()
    cpu = usage.ru_utime + usage.ru_stime
    peak_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    if proc.returncode not in (0, 1):  # diff/scan exit 1 when they find something
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{stderr[-2000:]}")
    return seconds, cpu, peak_mb, stdout


def run_bench(root: Path, reps: int, jobs: list[int], provider: str) -> dict[str, Any]:
    python = sys.executable
    commands: dict[str, list[str]] = {"limit": [python, __file__, "--limit-only", str(root)]}
    for n in jobs:
        commands[f"scan -j{n}"] = [python, "-m", "migrator", "scan", str(root), "-j", str(n)]
        commands[f"diff -j{n}"] = [
            python, "-m", "migrator", "diff", str(root), "--to", provider, "-j", str(n),
        ]  # fmt: skip
    wall: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    peak: dict[str, list[float]] = {name: [] for name in commands}
    limit_info: dict[str, Any] = {}
    compile_bytecode()
    load_before = load_average()
    for _ in range(reps):
        for name, argv in commands.items():
            seconds, cpu_seconds, peak_mb, out = _timed_child(argv)
            wall[name].append(seconds)
            cpu[name].append(cpu_seconds)
            peak[name].append(peak_mb)
            if name == "limit":
                limit_info = json.loads(out)
    wall_median = {name: statistics.median(values) for name, values in wall.items()}
    cpu_median = {name: statistics.median(values) for name, values in cpu.items()}
    return {
        "root_name": root.name,
        "reps": reps,
        "load_before": load_before,
        "load_after": load_average(),
        "limit": limit_info,
        "wall_s": {k: round(v, 3) for k, v in wall_median.items()},
        "cpu_s": {k: round(v, 3) for k, v in cpu_median.items()},
        "peak_rss_mb": {k: round(max(v), 1) for k, v in peak.items()},
        "wall_ratio": _ratios(wall_median),
        "cpu_ratio": _ratios(cpu_median),
        "python": platform.python_version(),
        "libcst": version("libcst"),
        "cpus": os.cpu_count(),
    }


def _ratios(medians: dict[str, float]) -> dict[str, float]:
    limit = medians["limit"]
    return {k: round(v / limit, 2) for k, v in medians.items() if k != "limit"}


def _print(result: dict[str, Any]) -> None:
    info = result["limit"]
    print(
        f"tree {result['root_name']}: {info['files']} files, prefilter keeps {info['kept']} "
        f"({info['kept_bytes'] / 1e6:.2f} MB), {info['unparsable']} unparsable"
    )
    print(
        f"limit in-process: list {info['list_s']:.2f}s, read+prefilter "
        f"{info['read_prefilter_s']:.2f}s, parse {info['parse_s']:.2f}s"
    )
    print(f"load before: {result['load_before']}  after: {result['load_after']}")
    print(f"{'run':<10} {'wall s':>8} {'x limit':>8} {'cpu s':>8} {'x limit':>8} {'peak MB':>8}")
    for name, seconds in result["wall_s"].items():
        wall_ratio = result["wall_ratio"].get(name, 1.0)
        cpu_ratio = result["cpu_ratio"].get(name, 1.0)
        print(
            f"{name:<10} {seconds:>8.2f} {wall_ratio:>8.2f} "
            f"{result['cpu_s'][name]:>8.2f} {cpu_ratio:>8.2f} "
            f"{result['peak_rss_mb'][name]:>8.0f}"
        )
    print("BENCH " + json.dumps(result, sort_keys=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, help="tree to measure (default: synthetic)")
    parser.add_argument("--files", type=int, default=2000, help="synthetic modules to generate")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--reps", type=int, default=3, help="repetitions (medians)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="--jobs values")
    parser.add_argument("--to", dest="provider", default="qwen", help="diff's provider")
    parser.add_argument(
        "--out", type=Path, help="generate the synthetic tree here and keep it (an empty folder)"
    )
    parser.add_argument("--limit-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.limit_only:
        print(json.dumps(measure_limit(args.path)))
        return 0
    if args.path is not None:
        _print(run_bench(args.path.resolve(), args.reps, args.jobs, args.provider))
        return 0
    from bench_scan import generate_repo

    if args.out is not None and args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty")
    with contextlib.ExitStack() as stack:
        # --out keeps the tree; otherwise it lives in a temporary folder for this run only
        root = args.out or Path(stack.enter_context(tempfile.TemporaryDirectory())) / "repo"
        root.mkdir(parents=True, exist_ok=True)
        made = generate_repo(root, args.files, args.seed, 0.01, 0.4, use_git=True)
        print(f"synthetic: {made['files']} files, {made['bytes'] / 1e6:.1f} MB, in {root}")
        _print(run_bench(root.resolve(), args.reps, args.jobs, args.provider))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
