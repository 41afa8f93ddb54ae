"""A CLI run that reports which modules it imported: the code for `python -c` that runs
`migrator` with the arguments after it, then prints `LOADED [...]` on stderr (those of
the given modules it imported, sorted). For tests that a run skips what it need not load
(libcst, the engine), which only a fresh process shows: the suite has imported them all.
"""

from __future__ import annotations


def loading_probe(*modules: str) -> str:
    return (
        "import sys\n"
        "from migrator.cli import main\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        f"    loaded = sorted(m for m in {modules!r} if m in sys.modules)\n"
        "    print('LOADED', loaded, file=sys.stderr)\n"
    )
