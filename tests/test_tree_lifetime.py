"""A file's syntax tree lives as long as its job, and no longer.

A worker rewrites one file after another, and with `--jobs 1` the parent does. A cache
that outlives the job keeps the last file's tree alive: on a 3.5 MB module that was a
gigabyte, and the collector then walked its million and a half objects again and again
while the output was built (a second and a half of the run). Every fixture input is
rewritten twice by each strategy; none of the second pass's syntax nodes may be alive
once its jobs have returned (the first pass may fill caches of the fixers' own
templates, and a cache of "the last file" holds one of the second pass's trees).

The check runs in a fresh interpreter: counting the live objects of a test worker that
has run hundreds of other tests took 45 s a strategy.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

TESTS = Path(__file__).resolve().parent

CHECK = textwrap.dedent(
    """
    import gc
    import sys

    import libcst as cst
    from codemod_helpers import INPUTS, REWRITE_FIXTURES, options

    from migrator.rewrite import rewrite_job

    def live_nodes():
        gc.collect()
        return {id(o) for o in gc.get_objects() if isinstance(o, cst.CSTNode)}

    failed = False
    for provider, strategy in [("qwen", "compat"), ("dashscope", "native"),
                               ("deepseek", "litellm")]:
        chosen = options(provider, strategy=strategy)
        inputs = [(name, (REWRITE_FIXTURES / name).read_bytes()) for name in INPUTS]
        for name, data in inputs:
            rewrite_job(name, data, chosen)
        before = live_nodes()
        for name, data in inputs:
            result = rewrite_job(name, data, chosen)
            if result.errors:
                print(strategy, name, result.errors)
                failed = True
        kept = live_nodes() - before
        print(f"{strategy}: {len(kept)} syntax nodes of the second pass still alive")
        failed = failed or bool(kept)
    sys.exit(1 if failed else 0)
    """
)


def test_no_syntax_node_outlives_its_job() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=TESTS, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("0 syntax nodes of the second pass still alive") == 3, done.stdout
