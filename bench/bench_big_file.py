"""One very large module: `migrator diff` against parsing it, in CPU time and peak memory.

Generates a single module of about `--mb` megabytes (the synthetic tree's ordinary
functions and classes, with four openai calls spread through it: near the top, at a
third, at two thirds and at the end), then runs, as child processes and alternated,
the parse limit (`bench_limit.py --limit-only`: list, read, prefilter, `libcst.parse_module`)
and `migrator diff --to PROVIDER -j 1`, `--reps` times, and prints the medians, the
ratio to the limit and each run's peak RSS.

    python bench/bench_big_file.py [--mb 3.5] [--reps 3] [--to qwen]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from bench_limit import _timed_child  # noqa: E402
from bench_scan import _class, _function  # noqa: E402

CALLS = (
    "def ask_{n}(prompt: str) -> str:\n"
    "    reply = client.chat.completions.create(\n"
    '        model="gpt-4o-mini", messages=[{{"role": "user", "content": prompt}}]\n'
    "    )\n"
    '    return reply.choices[0].message.content or ""\n'
)


def generate(size: int, seed: int) -> str:
    rng = random.Random(seed)
    parts = ['"""A very large module."""\n\nimport os\nfrom dataclasses import dataclass\n'
             'from typing import Any\n\nimport openai\n\nclient = openai.OpenAI()\n\n']  # fmt: skip
    marks = [size // 3, 2 * size // 3]
    written, calls = len(parts[0]), 0
    parts.append(CALLS.format(n=calls))
    calls += 1
    while written < size:
        block = _function(rng) if rng.random() < 0.5 else _class(rng)
        parts.append("\n\n" + block)
        written += len(block) + 2
        if marks and written >= marks[0]:
            marks.pop(0)
            parts.append("\n\n" + CALLS.format(n=calls))
            calls += 1
    parts.append("\n\n" + CALLS.format(n=calls))
    return "".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=3.5, help="size of the module")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--to", dest="provider", default="qwen")
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="migrator-big-") as tmp:
        root = Path(tmp)
        text = generate(int(args.mb * 1e6), args.seed)
        (root / "big.py").write_text(text, encoding="utf-8")
        commands = {
            "limit": [python, str(BENCH_DIR / "bench_limit.py"), "--limit-only", str(root)],
            "diff -j1": [
                python,
                "-m",
                "migrator",
                "diff",
                str(root),
                "--to",
                args.provider,
                "-j",
                "1",
                "--no-cache",
            ],  # fmt: skip
        }
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        peak: dict[str, list[float]] = {name: [] for name in commands}
        changed = ""
        for _ in range(args.reps):
            for name, argv in commands.items():
                _, cpu_seconds, peak_mb, out = _timed_child(argv)
                cpu[name].append(cpu_seconds)
                peak[name].append(peak_mb)
                if name == "diff -j1":
                    changed = f"{out.count(chr(10) + '+')} added lines in the diff"
    limit = statistics.median(cpu["limit"])
    print(f"module: {len(text) / 1e6:.2f} MB, {text.count(chr(10))} lines; {changed}")
    print(f"{'run':<10} {'cpu s':>8} {'x limit':>8} {'peak MB':>8}")
    result = {}
    for name in commands:
        median = statistics.median(cpu[name])
        result[name] = {"cpu_s": round(median, 2), "peak_rss_mb": round(max(peak[name]), 1)}
        print(f"{name:<10} {median:>8.2f} {median / limit:>8.2f} {max(peak[name]):>8.0f}")
    print("BENCH " + json.dumps({"mb": len(text) / 1e6, "runs": result}, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
