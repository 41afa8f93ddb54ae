"""`migrator scan`: the inventory of every file, as records."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from migrator.discovery import Target
from migrator.model import FileError, FileResult, Usage
from migrator.runner import RunStats, run

if TYPE_CHECKING:
    from migrator.result_cache import ResultCache


def scan_job(rel: str, data: bytes, options: Any) -> FileResult:
    """The inventory of one file. libcst and the inventory are imported by the first file
    the result cache does not hold: a run that finds every file cached loads neither."""
    import libcst as cst

    from migrator.inventory import build_inventory
    from migrator.source import parse_source

    module, error = parse_source(data, rel)
    if module is None:
        assert error is not None
        return FileResult(rel, errors=[error])
    inventory = build_inventory(cst.MetadataWrapper(module, unsafe_skip_copy=True), rel)
    return FileResult(rel, usages=inventory.usages())


@dataclass
class ScanReport:
    """A scan's results, file by file."""

    root: Path
    results: list[FileResult]
    stats: RunStats

    @property
    def usages(self) -> list[Usage]:
        return [u for r in self.results for u in r.usages]

    @property
    def errors(self) -> list[FileError]:
        return [e for r in self.results for e in r.errors]

    @property
    def files_with_usage(self) -> int:
        return sum(1 for r in self.results if r.usages)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "root": str(self.root),
            "files_scanned": self.stats.files_scanned,
            "files_with_usage": self.files_with_usage,
            "usages": [u.to_json() for u in self.usages],
            "errors": [e.to_json() for e in self.errors],
        }

    def counts_by_kind(self) -> Counter[str]:
        return Counter(u.kind for u in self.usages)


def scan(
    target: Target,
    *,
    jobs: int | None = None,
    show_progress: bool | None = None,
    cache: ResultCache | None = None,
) -> ScanReport:
    results, stats = run(
        target, scan_job, None, jobs=jobs, show_progress=show_progress, cache=cache
    )
    if cache is not None:
        cache.report()
    return ScanReport(target.root, results, stats)
