"""Shared pytest set-up for the migrator test suite."""

from __future__ import annotations

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
