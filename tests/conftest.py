"""Shared pytest set-up for the migrator test suite."""

from __future__ import annotations

import os
import signal

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # pyproject.toml is not ours to edit; register markers here so `--strict-markers` works.
    config.addinivalue_line(
        "markers",
        "slow: builds the wheel or runs other long jobs (runs by default; "
        "deselect with -m 'not slow')",
    )
    config.addinivalue_line(
        "markers",
        "fuzz: the long fuzz run (minutes; deselected by default in pyproject's addopts; "
        "run with -m fuzz)",
    )


# The suite never reads or writes the user's result cache (result_cache.py): every run is
# computed, as before the cache existed. tests/test_result_cache.py turns it on, in a
# temporary folder, where it is under test. Set at import time so that child processes
# (the CLI run as a program) inherit it.
os.environ["MIGRATOR_NO_CACHE"] = "1"

# A suite started in the background by a shell (`pytest &`) inherits SIGINT ignored, and
# so would the programs it starts: tests that send Ctrl-C to the CLI would see it ignored
# (exit 0). Python's own handler here means children start with the default disposition.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
