"""What the checklist reads of the repository, and the context every item builder shares.

`ChecklistContext` holds the plan, the target's facts and the items found so far, and
carries line numbers between the original and the rewritten files (`LineMap`).
`RepoFiles` reads what the rewrite does not: non-Python files (CI, deployment files,
docs, configuration, notebooks, env templates) for OpenAI variables, model ids and keys,
and real `.env` files only through `envfiles.scan_dotenv_for_keys`, which returns
redacted values.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import string
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from migrator.checklist_render import CHECKLIST_MARKER
from migrator.datafiles import data_file_reason
from migrator.discovery import is_test_file
from migrator.file_head import read_head
from migrator.file_stamps import Stamp, stamp_of
from migrator.hosts import host_of
from migrator.mapping import openai_model_kind
from migrator.model import Category, Severity, Usage
from migrator.notebook import is_notebook
from migrator.prefilter import OPENAI_MODEL_PATTERN
from migrator.prefilter_index import DroppedFiles
from migrator.relpaths import file_name, file_suffix
from migrator.rules import RULES
from migrator.secrets import find_secrets, looks_like_openai_key
from migrator.secrets import redact as redact_env
from migrator.text_diff import decode_text

if TYPE_CHECKING:
    from migrator.apply_plan import ProjectPlan
    from migrator.mapping import Mapping
    from migrator.strategy import Endpoint

Coord = Literal["old", "new"]

OPENAI_VAR = re.compile(r"\b(?:AZURE_)?OPENAI_[A-Z0-9_]+\b")
_TEXT_SUFFIXES = frozenset(
    ".md .rst .txt .yml .yaml .toml .ini .cfg .conf .json .sh .bash .zsh .ps1 .bat .cmd "
    ".tf .tfvars .service .properties .j2 .tpl".split()
)
_TEXT_NAMES = ("dockerfile", "makefile", "procfile", "justfile", "containerfile")
_MAX_TEXT = 2 * 1024 * 1024
_CONFIG_SUFFIXES = frozenset(".yml .yaml .json .toml .ini .cfg .conf .properties .tfvars".split())
# Every OpenAI model id starts with one of these letters (a test holds the pattern to
# it). Checked first, they let the search pass over other positions without trying the
# look-behind: half the time on text (a 300 KB JSON file took 15 ms).
MODEL_ID_STARTS = "bcdgotw"
_MODEL_IN_TEXT = re.compile(
    rf"(?=[{MODEL_ID_STARTS}])(?<![\w.\-/])(?:" + OPENAI_MODEL_PATTERN.pattern + r")(?![\w.\-])"
)


def _quiet(rel: str, text: str, size: int, configuration: bool) -> bool:
    """A text file the checklist has nothing to say about, whatever else the project
    holds: every item `_other_files` makes from a file needs `OPENAI_` (a variable) or
    `sk-` (a key) in it, or an OpenAI model id in a `configuration` file (one whose model
    ids it lists: a template, a configuration suffix, not a lock file) or in one that
    looks like data by its name, folder or size (the list of data files naming OpenAI).
    The model search runs on the whole text: a line break of any kind satisfies its
    look-arounds as `\n` does (`_names_openai`)."""
    if "OPENAI_" in text or "sk-" in text:
        return False
    if configuration or data_file_reason(rel, size, lambda name: False) is not None:
        return not _names_openai_model(text)
    return True


def _names_openai_model(text: str) -> bool:
    """Does a line of `text` name an OpenAI model? (`text` whole or joined with `\n`: the
    pattern's look-arounds take a line break as the start or end of a line.)"""
    return any(openai_model_kind(m.group(0)) for m in _MODEL_IN_TEXT.finditer(text))


class LineMap:
    """Carries 1-based line numbers between two versions of a file (a line diff)."""

    def __init__(self, old: bytes, new: bytes) -> None:
        self._old_count = old.count(b"\n") + 1
        self._new_count = new.count(b"\n") + 1
        matcher = difflib.SequenceMatcher(None, old.splitlines(), new.splitlines(), autojunk=False)
        self._ops = matcher.get_opcodes()

    def to_new(self, line: int) -> int:
        return self._map(line, forward=True)

    def to_old(self, line: int) -> int:
        return self._map(line, forward=False)

    def _map(self, line: int, *, forward: bool) -> int:
        index = line - 1
        limit = self._new_count if forward else self._old_count
        for tag, i1, i2, j1, j2 in self._ops:
            a1, a2, b1, b2 = (i1, i2, j1, j2) if forward else (j1, j2, i1, i2)
            if not a1 <= index < a2:
                continue
            if tag == "equal":
                return b1 + (index - a1) + 1
            if tag == "replace":
                return b1 + min(index - a1, b2 - b1 - 1) + 1
            return min(b1, limit - 1) + 1  # deleted: the line that now stands there
        return min(max(line, 1), limit)


@dataclass
class Item:
    """An item before suppression and grouping; `line` counts in the `coord` version of
    the file (the original or the rewritten one)."""

    id: str
    severity: Severity
    category: Category
    path: str
    line: int
    message: str
    coord: Coord
    # A notebook's (cell, line in cell) when the finding or error that made it knew them.
    cell: tuple[int, int] | None = None


def _lines_text(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:8]) + (" …" if len(lines) > 8 else "")
    return f"line {shown}" if len(lines) == 1 else f"lines {shown}"


def host_text(url: str | None) -> str:
    """The host of `url` for a message, or the URL itself when it has none."""
    return host_of(url or "") or (url or "?")


def find_test_command(root: Path, files: list[str]) -> tuple[str, str, int] | None:
    """The repo's own test command: make test, tox, nox, then pytest (where it is set up)."""
    top = set(files)

    def lines(rel: str) -> list[str]:
        try:
            return (root / rel).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return []

    def find(rel: str, pattern: str) -> int | None:
        regex = re.compile(pattern)
        for number, text in enumerate(lines(rel), 1):
            if regex.search(text):
                return number
        return None

    for name in ("Makefile", "makefile", "GNUmakefile"):
        if name in top and (line := find(name, r"^test\s*:")) is not None:
            return "make test", name, line
    if "tox.ini" in top:
        return "tox", "tox.ini", find("tox.ini", r"^\[(?:tox|testenv)") or 1
    if "pyproject.toml" in top and (line := find("pyproject.toml", r"^\[tool\.tox")) is not None:
        return "tox", "pyproject.toml", line
    if "noxfile.py" in top:
        return "nox", "noxfile.py", find("noxfile.py", r"@nox\.session") or 1
    for rel, pattern in (
        ("pytest.ini", r"^\[pytest\]"),
        ("pyproject.toml", r"^\[tool\.pytest"),
        ("setup.cfg", r"^\[tool:pytest\]"),
        ("conftest.py", r""),
    ):
        if rel in top and (line := find(rel, pattern)) is not None:
            return "python -m pytest", rel, line
    tests = [f for f in files if f.endswith(".py") and is_test_file(f)]
    if tests:
        return "python -m pytest", tests[0], 1
    return None


class ChecklistContext:
    """The plan, the target, the items found so far, and the plumbing every builder uses:
    file text in either version, line numbers carried between them, where project-wide
    items point."""

    def __init__(self, plan: ProjectPlan, applied: bool) -> None:
        self.plan = plan
        self.applied = applied
        self.mapping: Mapping = plan.options.mapping
        self.name = self.mapping.name
        # The target endpoint's facts (key_env, base_url, base_url_env, endpoint_env,
        # regions, client): the strategy's, so every builder reads them through this one
        # attribute whatever the code now talks to.
        self.target: Endpoint = plan.options.strategy.endpoint(self.mapping)
        self.items: list[Item] = []
        self.usages: list[Usage] = sorted(
            (u for r in plan.report.results for u in r.usages),
            key=lambda u: (u.path, u.line, u.column),
        )
        self.calls = [u for u in self.usages if u.kind == "call"]
        self.sdk = [u for u in self.usages if u.kind != "model"]
        self._maps: dict[str, LineMap | None] = {}
        self._text: dict[tuple[str, Coord], list[str] | None] = {}
        self._writes = {w.path: w for w in plan.writes}
        self._code_names: NamesInText | None = None

    # -- plumbing --------------------------------------------------------------------------
    def add(
        self,
        rule: str,
        path: str,
        line: int,
        message: str,
        *,
        coord: Coord = "old",
        severity: Severity | None = None,
        category: Category | None = None,
        cell: tuple[int, int] | None = None,
    ) -> None:
        spec = RULES[rule]
        self.items.append(
            Item(rule, severity or spec.severity, category or spec.category, path,
                  max(line, 1), message, coord, cell)
        )  # fmt: skip

    def bytes_of(self, path: str, coord: Coord) -> bytes | None:
        return self.plan.new_bytes(path) if coord == "new" else self.plan.old_bytes(path)

    def lines_of(self, path: str, coord: Coord) -> list[str] | None:
        key = (path, coord)
        if key not in self._text:
            data = self.bytes_of(path, coord)
            self._text[key] = None if data is None else decode_text(path, data).splitlines()
        return self._text[key]

    def line_map(self, path: str) -> LineMap | None:
        if path not in self._maps:
            write = self._writes.get(path)
            self._maps[path] = (
                LineMap(write.old, write.new) if write is not None and write.old else None
            )
        return self._maps[path]

    def out_line(self, path: str, line: int, coord: Coord) -> int:
        """`line` (in `coord`) in the coordinates of the output."""
        wanted: Coord = "new" if self.applied else "old"
        line_map = self.line_map(path) if coord != wanted else None
        if line_map is None:
            return line
        return line_map.to_new(line) if wanted == "new" else line_map.to_old(line)

    def lines_text(self, path: str, lines: Iterable[int], coord: Coord) -> str:
        """`line 3` / `lines 3, 7`, in the output's coordinates (for messages)."""
        return _lines_text(sorted({self.out_line(path, n, coord) for n in lines}))

    @functools.cached_property
    def migrated_paths(self) -> frozenset[str]:
        """Files the rewrite changes: only their requests go to the provider."""
        return frozenset(r.path for r in self.plan.report.changed)

    @property
    def primary(self) -> Usage | None:
        """Where project-wide items point: the first client of a migrated file (not one
        left as it is), else the first client, else the first SDK usage."""
        for in_migrated in (True, False):
            for kinds in (("client",), ("config",), ("call",)):
                for usage in self.sdk:
                    if usage.kind in kinds and (
                        not in_migrated or usage.path in self.migrated_paths
                    ):
                        return usage
        return self.sdk[0] if self.sdk else None

    def _provider_host(self) -> str:
        target = self.target
        if target.base_url:
            return host_text(target.base_url)
        return f"the endpoint in `{target.endpoint_env or target.base_url_env}`"


class RepoFiles(ChecklistContext):
    """Items from the files the rewrite does not read: real `.env` files (redacted keys),
    CI, deployment files and docs (OpenAI variables, keys), configuration (model ids),
    notebooks."""

    def _dotenv_files(self) -> None:
        from migrator.envfiles import scan_dotenv_for_keys

        tracked = self.plan.tracked
        for rel in self.plan.dotenv_files:
            for hit in scan_dotenv_for_keys(self.plan.root / rel):
                renamed = self.plan.read_renames.get(hit.name)
                after = (
                    f"; the migrated code reads `{renamed}` instead of `{hit.name}`"
                    if renamed
                    else ""
                )
                if tracked is not None and rel in tracked:
                    self.add(
                        "MIG616", rel, hit.line,
                        f"`{hit.text}` is committed in {rel}: remove the file from git "
                        f"(`git rm --cached {rel}`, then add it to .gitignore), revoke the key "
                        f"and purge it from the history{after}",
                    )  # fmt: skip
                elif tracked is not None:
                    self.add(
                        "MIG616", rel, hit.line,
                        f"`{hit.text}` is in {rel}, which git does not ignore: add it to "
                        f".gitignore before it is committed{after}",
                        severity="warning",
                    )  # fmt: skip
                else:
                    self.add(
                        "MIG616", rel, hit.line,
                        f"`{hit.text}` is in {rel}: keep this file out of version control{after}",
                        severity="warning",
                    )  # fmt: skip

    def _other_files(self) -> None:
        """Non-Python files: OpenAI variables in CI/deploy files and docs, keys, model ids in
        configuration, notebooks. Real .env files are never read here.

        A text file with no `OPENAI_`, no `sk-` and no OpenAI model id gives no item,
        whatever the rest of the project holds (see `_quiet`). With the result cache, such
        files are remembered by their stamp, as the prefilter's dropped files are
        (prefilter_index.py), and a later run reads only the others: on openai/evals,
        600 of 650 text files, 30 ms of a cached checklist."""
        plan = self.plan
        dotenv = set(plan.dotenv_files)
        templates = set(plan.env_template_files)
        skipped: list[tuple[str, str]] = []  # data files naming OpenAI: (path, why skipped)
        unread = {e.path: e for e in plan.report.errors if is_notebook(e.path)}
        # the quiet text files (`_quiet`) an earlier run found, known by their stamps
        quiet = None
        if plan.cache is not None:
            started = plan.listing.target.settled_since(time.time_ns())
            quiet = DroppedFiles(plan.cache, plan.root, kind="checklist-quiet", started_ns=started)
        for rel, known in plan.file_stamps():
            if rel in dotenv:
                continue
            lower = file_name(rel).lower()
            suffix = file_suffix(lower)
            if is_notebook(lower):
                error = unread.get(rel)
                data = self._head(rel) if error is not None else None
                if error is not None and data is not None and b"openai" in data.lower():
                    self.add(
                        "MIG605", rel, error.line,
                        f"this notebook uses openai but migrator could not read it "
                        f"({error.where}: {error.message}): fix it or port its cells by hand",
                    )  # fmt: skip
                continue
            is_template = rel in templates
            if not (is_template or suffix in _TEXT_SUFFIXES or lower.startswith(_TEXT_NAMES)):
                continue
            stamp = self._stamp(rel, known) if quiet is not None else None
            if quiet is not None and stamp is not None and quiet.unchanged(rel, stamp):
                continue
            data = self._head(rel)
            if data is None or data.startswith(CHECKLIST_MARKER.encode()):
                continue
            text = decode_text(rel, data)
            # (model ids are looked for in configuration, not in a lock file)
            configuration = "lock" not in lower and (
                is_template or (suffix in _CONFIG_SUFFIXES and lower != "pyproject.toml")
            )
            if stamp is not None and _quiet(rel, text, len(data), configuration):
                assert quiet is not None  # (a stamp is taken for the index only)
                quiet.dropped(rel, stamp)
                continue
            reason = None if is_template else self._data_reason(rel, text, len(data))
            if reason is not None:
                if self._names_openai(text):
                    skipped.append((rel, reason))
                self._mentions(rel, text, secrets_only=True)  # a leaked key is one anywhere
                continue
            if configuration:
                self._config_models(rel, text.splitlines())
            if not is_template:
                self._mentions(rel, text)
        self._skipped_data_files(skipped)
        if quiet is not None:
            quiet.save()

    def _stamp(self, rel: str, known: Stamp | None) -> Stamp | None:
        """A text file's stamp (`known`: discovery's), taken before it is read, for the
        index of quiet files; None for a file the migration edits (its new text is read)
        or cannot stat."""
        if rel in self._writes:
            return None
        if known is not None:
            return known
        try:
            return stamp_of(os.stat(self.plan.root / rel))
        except OSError:
            return None

    def _data_reason(self, rel: str, text: str, size: int) -> str | None:
        """Why the checklist leaves `rel` out as a data file (datafiles.py), or None.

        A data-looking file is configuration when the project's code names it, which takes
        a search of every Python file. That is asked only of a file that holds a key, is
        edited by the migration or names something of OpenAI's: any other gives no item
        either way, and is taken as data."""

        def read_as_settings(name: str) -> bool:
            if not ("sk-" in text or rel in self._writes or self._names_openai(text)):
                return False
            return self._named_in_code(name)

        return data_file_reason(rel, size, read_as_settings)

    def _named_in_code(self, name: str) -> bool:
        """Does the project's Python code name the file `name` (it reads it as settings)?"""
        if self._code_names is None:
            self._code_names = NamesInText(
                data
                for rel in self.plan.files
                if rel.endswith(".py") and (data := self.plan.old_bytes(rel)) is not None
            )
        return self._code_names.has(name)

    @staticmethod
    def _names_openai(text: str) -> bool:
        # One search over the whole text, not one per line: neither pattern matches a line
        # end, and a line end satisfies the model pattern's look-arounds as the start or end
        # of a line does, so the whole text holds a match exactly when one of its lines does.
        # The regex starts with an optional group, so it is tried at every position; a
        # match holds OPENAI_, which a substring test finds far faster.
        if "OPENAI_" in text and OPENAI_VAR.search(text) is not None:
            return True
        return _names_openai_model(text)

    def _skipped_data_files(self, skipped: list[tuple[str, str]]) -> None:
        """One item saying which data files naming OpenAI were left out, and why."""
        if not skipped:
            return
        shown = ", ".join(f"{rel} ({reason})" for rel, reason in skipped[:5])
        more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        self.add(
            "MIG606", skipped[0][0], 1,
            f"not checked: {len(skipped)} data file(s) naming OpenAI models or variables — "
            f"{shown}{more}: results, outputs, recordings and release notes are records, not "
            "configuration; if code reads one of them as settings, update it by hand",
            severity="info",
        )  # fmt: skip

    def _config_models(self, rel: str, lines: list[str]) -> None:
        """OpenAI model ids in configuration files, which code may read and send as is.

        A file the migration edits (config_files.py) is read as edited, and the lines its
        own findings already name (MIG631, MIG633; MIG632: all of it) are not repeated."""
        coord: Coord = "old"
        if rel in self._writes:
            coord = "new"
            lines = self.lines_of(rel, "new") or lines
        if not _names_openai_model("\n".join(lines)):
            return  # (most configuration files: one search, not one per line)
        told = {
            (f.id, f.line)
            for r in self.plan.report.results
            if r.path == rel
            for f in r.findings
            if f.id in ("MIG631", "MIG632", "MIG633")
        }
        if any(rule == "MIG632" for rule, _ in told):
            return
        told_lines = {line for _, line in told}
        found: dict[str, list[int]] = defaultdict(list)
        for number, text in enumerate(lines, 1):
            if text.lstrip().startswith(("#", ";", "//")) or number in told_lines:
                continue
            for match in _MODEL_IN_TEXT.finditer(text):
                if openai_model_kind(match.group(0)) is not None:
                    found[match.group(0)].append(number)
        if not found:
            return
        described = []
        for model, numbers in sorted(found.items(), key=lambda kv: (kv[1][0], kv[0])):
            target = self.mapping.resolve_model(model)
            suggestion = f"use `{target.model}`" if target else "no mapped equivalent"
            where = f"{self.lines_text(rel, numbers, coord)}; " if len(found) > 1 else ""
            described.append(f"`{model}` ({where}{suggestion})")
        first = min(n for numbers in found.values() for n in numbers)
        self.add(
            "MIG606", rel, first, coord=coord, message=
            f"names OpenAI model(s) {', '.join(described)}: code that reads this file sends "
            f"them to {self.name} as they are — set {self.name} model ids here",
        )  # fmt: skip

    def _mentions(self, rel: str, whole: str, *, secrets_only: bool = False) -> None:
        """OPENAI_* variables named in docs, CI and deployment files; keys in them."""
        renames = self.plan.read_renames
        mentions: dict[str, list[int]] = defaultdict(list)
        # Neither can match in a text without its fixed part: most files have neither,
        # and this runs on every text file of the project, line by line.
        find_vars = not secrets_only and "OPENAI_" in whole
        find_keys = "sk-" in whole
        if not (find_vars or find_keys):
            return
        for number, text in enumerate(whole.splitlines(), 1):
            if find_vars and "OPENAI_" in text:
                for var in OPENAI_VAR.findall(text):
                    mentions[var].append(number)
            for secret in find_secrets(text) if find_keys and "sk-" in text else ():
                if looks_like_openai_key(secret):
                    self.add(
                        "MIG501", rel, number,
                        f"hard-coded API key {redact_env(secret)}: remove it, keep keys in the "
                        "environment, revoke it and purge it from the git history",
                    )  # fmt: skip
        if not mentions:
            return
        described = []
        for var in sorted(mentions):
            new = renames.get(var)
            if new:
                described.append(f"`{var}` (now `{new}`)")
            elif var in self.plan.kept_env:
                described.append(f"`{var}` (still read by code left as it is)")
            else:
                described.append(f"`{var}`")
        all_lines = sorted({n for ns in mentions.values() for n in ns})
        where = f" ({self.lines_text(rel, all_lines, 'old')})" if len(all_lines) > 1 else ""
        self.add(
            "MIG617", rel, all_lines[0],
            f"mentions {', '.join(described)}{where}: update these "
            "settings, scripts and docs for the migrated code",
        )  # fmt: skip

    def _head(self, rel: str) -> bytes | None:
        """The first `_MAX_TEXT` bytes, or None when the file cannot be read."""
        try:
            return read_head(self.plan.root / rel, _MAX_TEXT)
        except OSError:
            return None


class NamesInText:
    """Whether a file name occurs in a body of text (the project's code), asked for many
    names: one search per name over megabytes of code cost a tenth of a second per
    cached `checklist` on a large project.

    A name made of file-name characters (`[A-Za-z0-9_.-]`) with a suffix (`.json`) occurs
    in the text exactly when one of the runs of such characters holding that suffix holds
    the name. Those runs are collected once per suffix (a suffix is rare in code), and a
    name is looked for in them only; any other name is searched for in the whole text."""

    _RUN_CHAR = frozenset(string.ascii_letters.encode() + string.digits.encode() + b"_.-")
    # a name of those characters, with its suffix (a dot, then no dot)
    _NAME = re.compile(r"[\w.-]*(\.[\w-]+)", re.ASCII)

    def __init__(self, texts: Iterable[bytes]) -> None:
        # NUL between texts: no name holds it, so no match straddles two files
        self.text = b"\0".join(texts)
        self._runs: dict[bytes, set[bytes]] = {}

    def has(self, name: str) -> bool:
        shape = self._NAME.fullmatch(name)
        if shape is None:
            return name.encode() in self.text
        suffix = shape.group(1).encode()
        runs = self._runs.get(suffix)
        if runs is None:
            runs = self._runs[suffix] = self._runs_with(suffix)
        wanted = name.encode()
        return any(wanted in run for run in runs)

    def _runs_with(self, suffix: bytes) -> set[bytes]:
        """Every maximal run of file-name characters that holds `suffix`."""
        text, run_char, runs = self.text, self._RUN_CHAR, set()
        at = text.find(suffix)
        while at != -1:
            start, end = at, at + len(suffix)
            while start > 0 and text[start - 1] in run_char:
                start -= 1
            while end < len(text) and text[end] in run_char:
                end += 1
            runs.add(text[start:end])
            at = text.find(suffix, end)
        return runs
