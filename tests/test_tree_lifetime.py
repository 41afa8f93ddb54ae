"""A file's syntax tree lives as long as its job, and no longer.

A worker rewrites one file after another, and with `--jobs 1` the parent does. A cache
that outlives the job keeps the last file's tree alive: on a 3.5 MB module that was a
gigabyte, and the collector then walked its million and a half objects again and again
while the output was built (a second and a half of the run). Each fixture input is
rewritten twice by every strategy; the second run's nodes must all be gone once the job
has returned (the first run may fill caches of the fixers' own templates).
"""

from __future__ import annotations

import gc

import libcst as cst
import pytest
from codemod_helpers import INPUTS, REWRITE_FIXTURES, options

from migrator.rewrite import rewrite_job

STRATEGIES = [("qwen", "compat"), ("dashscope", "native"), ("deepseek", "litellm")]


def _live_nodes() -> set[int]:
    gc.collect()
    return {id(o) for o in gc.get_objects() if isinstance(o, cst.CSTNode)}


@pytest.mark.parametrize(("provider", "strategy"), STRATEGIES)
def test_no_syntax_node_outlives_its_job(provider: str, strategy: str) -> None:
    chosen = options(provider, strategy=strategy)
    for name in INPUTS:
        data = (REWRITE_FIXTURES / name).read_bytes()
        rewrite_job(name, data, chosen)
        before = _live_nodes()
        result = rewrite_job(name, data, chosen)
        kept = _live_nodes() - before
        assert not result.errors, result.errors
        assert not kept, f"{name}: {len(kept)} syntax nodes of the job are still alive"
