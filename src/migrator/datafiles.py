"""Data files are records, not configuration: the checklist does not ask to edit them.

A benchmark's results, an eval's outputs, recorded HTTP cassettes, translations and
release notes name OpenAI models and variables because they record what happened; nobody
should rewrite them, and code does not send their model ids to the provider. The
checklist looks for OpenAI model ids and variables in configuration and docs (MIG606,
MIG617); `data_file_reason` says which files it skips, by plain criteria:

* line-per-record formats (`.jsonl`, `.ndjson`, `.csv`, `.tsv`, `.log`);
* files over `MAX_CONFIG_BYTES` (configuration is small; dumps are not);
* files in a folder named like `results/`, `outputs/`, `data/`, `logs/`, `cassettes/`,
  `locales/`, `releases/`, or named like `eval_results.json`, `predictions.json`,
  `CHANGELOG.md` — unless Python code of the project names the file (`open("data/models.json")`
  is how a configuration file is read).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePosixPath

MAX_CONFIG_BYTES = 256 * 1024

_RECORD_SUFFIXES = frozenset(".jsonl .ndjson .csv .tsv .log".split())
_DATA_FOLDERS = frozenset(
    "results result outputs output data dataset datasets logs log runs predictions "
    "generations eval_results benchmark_results cassettes __snapshots__ snapshots "
    "recordings locales locale i18n translations releases changelog changelogs".split()
)
_DATA_WORDS = frozenset(
    "result results output outputs prediction predictions generations responses "
    "transcript transcripts trajectory trajectories cassette dump log logs".split()
)
_RELEASE_NOTES = re.compile(r"(?:changelog|changes|history|news|release[_-]?notes)(?:\.|$)", re.I)


def data_file_reason(rel: str, size: int, named_in_code: Callable[[str], bool]) -> str | None:
    """Why `rel` (`size` bytes) is a data file rather than configuration, or None.

    `named_in_code(name)` tells whether the project's Python code names the file: it is
    only asked about files that look like data by their folder or name."""
    path = PurePosixPath(rel)
    name = path.name.lower()
    if path.suffix.lower() in _RECORD_SUFFIXES:
        return f"{path.suffix.lower()} records"
    if size > MAX_CONFIG_BYTES:
        return f"over {MAX_CONFIG_BYTES // 1024} KiB"
    reason: str | None = None
    folder = next((p for p in path.parts[:-1] if p.lower() in _DATA_FOLDERS), None)
    if folder is not None:
        reason = f"in {folder}/"
    elif _RELEASE_NOTES.match(name):
        reason = "release notes"
    elif set(re.split(r"[._-]+", PurePosixPath(name).stem)) & _DATA_WORDS:
        reason = "named like output"
    if reason is None or named_in_code(path.name):
        return None
    return reason
