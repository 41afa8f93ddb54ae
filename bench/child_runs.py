"""What the benchmarks that time the CLI as child processes share.

A user's `pip install` writes the package's bytecode at install time, so their runs
import compiled modules. An editable install (or a checkout on PYTHONPATH) has none until
an import writes it, and an interpreter run with PYTHONDONTWRITEBYTECODE=1 never writes
it: every run then compiles migrator's ~150 modules from source, about 0.3 s that no
installed copy pays. `compile_bytecode()` writes it once before any timed run, so the
figures are those of an installed tool (Python still reads bytecode that exists when
told not to write any).
"""

from __future__ import annotations

import compileall
import os
from pathlib import Path


def compile_bytecode() -> None:
    """Write the bytecode of the migrator package being measured, if it is missing or
    older than its source."""
    import migrator

    compileall.compile_dir(Path(migrator.__file__).parent, quiet=1)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())
