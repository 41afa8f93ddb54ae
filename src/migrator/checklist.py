"""The migration checklist: what a person must still do, grouped in five sections.

`collect(plan)` turns a `ProjectPlan` (apply.py) into findings: the codemods' findings as
they are, plus items that need the whole repository or the mapping (rules MIG6xx-MIG9xx
in rules.py): environment variables to provision, endpoints, dependency and env files,
behaviour differences of the mapped models, the data region and filing status, personal
data, and how to verify the result. `render_markdown` / `render_json` print them.

Line numbers: `migrator checklist` describes the code as it is now, so every item points
at the current files; MIGRATION.md is committed next to the migrated code, so `apply`
asks for `applied=True` and items point at the rewritten files (lines are carried over
with a line diff of the old and new bytes).

Suppression works as for code findings: `--ignore MIGxxx` / `[tool.migrator] ignore`
everywhere, `# migrator: ignore[MIGxxx]` on the line an item points at. A real `.env` is
never read except through `envfiles.scan_dotenv_for_keys`, which only returns redacted
values.
"""

from __future__ import annotations

import difflib
import io
import re
import tokenize
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

from migrator.callfacts import CallFacts
from migrator.codemods.env_vars import ACCOUNT_VARS
from migrator.envfiles import find_dotenv_files, find_env_templates, looks_like_openai_key
from migrator.mapping import OPENAI_KWARGS, PARAM_FAMILIES, openai_model_kind
from migrator.model import SEVERITY_ORDER, Category, Finding, Severity, Usage
from migrator.prefilter import OPENAI_MODEL_PATTERN
from migrator.rules import RULES, SECTIONS
from migrator.secrets import find_secrets
from migrator.secrets import redact as redact_env

if TYPE_CHECKING:
    from migrator.apply import ProjectPlan
    from migrator.mapping import Mapping, ModelTarget

Coord = Literal["old", "new"]

_IGNORE = re.compile(r"#\s*migrator:\s*ignore(?:\[([A-Z0-9,\s]+)\])?")
_MAIN_GUARD = re.compile(r"""^if\s+__name__\s*==\s*(['"])__main__\1\s*:""", re.M)
_ENV_REQUIRED = re.compile(r"""os\.environ\[\s*(['"])([A-Za-z_][A-Za-z0-9_]*)\1\s*\]""")
_ENV_OPTIONAL = re.compile(r"""os\.(?:getenv|environ\.get)\(\s*(['"])([A-Za-z_][A-Za-z0-9_]*)\1""")
_OPENAI_VAR = re.compile(r"\b(?:AZURE_)?OPENAI_[A-Z0-9_]+\b")
_OPENAI_HOST = b"api.openai.com"
_USER_INPUT: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"^\s*(?:from|import)\s+(flask|fastapi|django|starlette|aiohttp|tornado|sanic|"
            r"bottle|falcon|quart|litestar|streamlit|gradio|chainlit|telegram|discord|slack_bolt)"
            r"\b",
            re.M,
        ),
        "imports {0}",
    ),
    (re.compile(r"\brequest\.(?:json|form|args|values|get_json|data|body|POST|GET|query_params)\b"),
     "reads request data"),
    (re.compile(r"(?<![\w.])input\s*\("), "reads input()"),
    (re.compile(r"\bsys\.stdin\b"), "reads stdin"),
)  # fmt: skip
_TEXT_SUFFIXES = frozenset(
    ".md .rst .txt .yml .yaml .toml .ini .cfg .conf .json .sh .bash .zsh .ps1 .bat .cmd "
    ".tf .tfvars .service .properties .j2 .tpl".split()
)
_TEXT_NAMES = ("dockerfile", "makefile", "procfile", "justfile", "containerfile")
_MAX_TEXT = 2 * 1024 * 1024
_CONFIG_SUFFIXES = frozenset(".yml .yaml .json .toml .ini .cfg .conf .properties .tfvars".split())
_MODEL_IN_TEXT = re.compile(r"(?<![\w.\-/])(?:" + OPENAI_MODEL_PATTERN.pattern + r")(?![\w.\-])")
_ALWAYS_PASSED = frozenset({"model", "messages", "input", "prompt"})


# --------------------------------------------------------------------------- line maps


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


# --------------------------------------------------------------------------- collecting


@dataclass
class _Item:
    id: str
    severity: Severity
    category: Category
    path: str
    line: int
    message: str
    coord: Coord


def collect(plan: ProjectPlan, *, applied: bool = False) -> list[Finding]:
    """Every checklist item for `plan`, sorted by section, severity, path and line."""
    return _Collector(plan, applied).run()


class _Collector:
    def __init__(self, plan: ProjectPlan, applied: bool) -> None:
        self.plan = plan
        self.applied = applied
        self.mapping: Mapping = plan.options.mapping
        self.name = self.mapping.name
        self.items: list[_Item] = []
        self.usages: list[Usage] = sorted(
            (u for r in plan.report.results for u in r.usages),
            key=lambda u: (u.path, u.line, u.column),
        )
        self.calls = [u for u in self.usages if u.kind == "call"]
        self.sdk = [u for u in self.usages if u.kind != "model"]
        self._maps: dict[str, LineMap | None] = {}
        self._text: dict[tuple[str, Coord], list[str] | None] = {}
        self._writes = {w.path: w for w in plan.writes}
        self._source_cache: list[bytes] | None = None

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
    ) -> None:
        spec = RULES[rule]
        self.items.append(
            _Item(rule, severity or spec.severity, category or spec.category, path,
                  max(line, 1), message, coord)
        )  # fmt: skip

    def bytes_of(self, path: str, coord: Coord) -> bytes | None:
        return self.plan.new_bytes(path) if coord == "new" else self.plan.old_bytes(path)

    def lines_of(self, path: str, coord: Coord) -> list[str] | None:
        key = (path, coord)
        if key not in self._text:
            data = self.bytes_of(path, coord)
            self._text[key] = None if data is None else _decode(path, data).splitlines()
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

    @property
    def primary(self) -> Usage | None:
        """Where project-wide items point: the first client, else the first SDK usage."""
        for kinds in (("client",), ("config",), ("call",)):
            for usage in self.sdk:
                if usage.kind in kinds:
                    return usage
        return self.sdk[0] if self.sdk else None

    # -- the run ---------------------------------------------------------------------------
    def run(self) -> list[Finding]:
        for finding in self.plan.report.findings:
            self.add(finding.id, finding.path, finding.line, finding.message,
                     severity=finding.severity, category=finding.category)  # fmt: skip
        for error in self.plan.report.errors:
            self.add("MIG603", error.path, error.line,
                     f"not migrated: {error.message}; fix the file or port it by hand")  # fmt: skip
        details = self._call_details()
        self._exceptions()
        self._escapes(details)
        self._openai_hosts()
        self._kept_env_vars()
        if self.sdk:
            self._env_to_provision()
            self._endpoint()
            self._behaviour(details)
            self._compliance()
            self._entry_points()
        if self.plan.is_project:
            if self.sdk:
                self._dependencies()
                self._env_templates()
                self._test_command()
            self._dotenv_files()
            self._other_files()
        return self._finish()

    def _finish(self) -> list[Finding]:
        ignore = self.plan.options.ignore
        dotenv = {p.as_posix() for p in find_dotenv_files(Path(f) for f in self.plan.files)}
        findings: set[Finding] = set()
        for item in self.items:
            if item.id in ignore:
                continue
            if item.path not in dotenv and self._line_ignores(item):
                continue
            line = self.out_line(item.path, item.line, item.coord)
            findings.add(
                Finding(item.id, item.severity, item.category, item.path, line, item.message)
            )
        return sort_findings(findings)

    def _line_ignores(self, item: _Item) -> bool:
        if item.path.endswith(".ipynb"):
            return False
        lines = self.lines_of(item.path, item.coord)
        if not lines or item.line > len(lines):
            return False
        match = _IGNORE.search(lines[item.line - 1])
        if match is None:
            return False
        codes = match.group(1)
        return codes is None or item.id in {c.strip() for c in codes.split(",")}

    # -- code ------------------------------------------------------------------------------
    def _call_details(self) -> dict[tuple[str, int, int], CallFacts]:
        """Facts about call sites that need the syntax tree (escapes, literal n): the
        rewrite workers computed them while the tree was parsed (callfacts.py)."""
        return {
            (result.path, line, column): facts
            for result in self.plan.report.results
            for (line, column), facts in result.call_facts.items()
        }

    def _exceptions(self) -> None:
        """One item per file: the OpenAI exceptions it handles, and where."""
        by_file: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for usage in self.usages:
            if usage.kind == "exception" and usage.api:
                by_file[usage.path][usage.api].append(usage.line)
        for path, names in by_file.items():
            lines = sorted({n for ns in names.values() for n in ns})
            ordered = sorted(names.items(), key=lambda kv: (min(kv[1]), kv[0]))
            if len(lines) == 1:
                shown = ", ".join(f"`{name}`" for name, _ in ordered)
            else:
                shown = ", ".join(
                    f"`{name}` ({self.lines_text(path, found, 'old')})" for name, found in ordered
                )
            message = (
                f"handles {shown}: errors now come from {self.name}, whose status codes and "
                "error bodies differ from OpenAI's — check which failures each handler now "
                "sees (quota or balance errors, content-filter refusals) and whether it still "
                "retries the right ones"
            )
            if any(n.startswith("openai.error.") for n in names):
                message += "; `openai.error` exists only in openai<1"
            self.add("MIG602", path, lines[0], message)

    def _escapes(self, details: dict[tuple[str, int, int], CallFacts]) -> None:
        for call in self.calls:
            info = details.get((call.path, call.line, call.column))
            if info is None or info.escape is None:
                continue
            self.add(
                "MIG601", call.path, call.line,
                f"the {call.api} response is {info.escape}: callers rely on the openai "
                "response objects — unchanged with the compatible endpoint, but a move to "
                f"{self.name}'s own SDK must adapt them",
            )  # fmt: skip

    def _openai_hosts(self) -> None:
        """`api.openai.com` left in Python code after the rewrite (raw HTTP, test mocks)."""
        host = self._provider_host()
        for result in self.plan.report.results:
            data = self.plan.new_bytes(result.path)
            if data is None or _OPENAI_HOST not in data:
                continue
            lines = self.lines_of(result.path, "new") or []
            hits = [i for i, text in enumerate(lines, 1) if "api.openai.com" in text]
            if not hits:
                continue
            where = f" ({self.lines_text(result.path, hits, 'new')})" if len(hits) > 1 else ""
            if _is_test_file(result.path):
                self.add(
                    "MIG904", result.path, hits[0],
                    f"names api.openai.com{where}: mocks or assertions bound to OpenAI's host "
                    f"no longer see the migrated client's requests, which go to {host}",
                    coord="new",
                )  # fmt: skip
            else:
                self.add(
                    "MIG604", result.path, hits[0],
                    f"names api.openai.com{where} outside an OpenAI client the rewrite "
                    f"handles: raw HTTP calls or URLs built here still go to OpenAI; move them "
                    f"to the client or to {host}",
                    coord="new",
                )  # fmt: skip

    def _kept_env_vars(self) -> None:
        renames = self.plan.env_renames
        by_line: dict[tuple[str, int], set[str]] = defaultdict(set)
        for usage in self.usages:
            if usage.kind != "env" or not usage.api:
                continue
            if usage.api in renames or usage.api in ACCOUNT_VARS:
                continue
            if usage.api in (self.mapping.compat.key_env, self.mapping.compat.base_url_env):
                continue
            by_line[(usage.path, usage.line)].add(usage.api)
        for (path, line), names in by_line.items():
            for var in sorted(names):
                if any(word in var for word in ("MODEL", "ENGINE", "DEPLOYMENT")):
                    message = (
                        f"`{var}` is still read here: wherever it is set, its value must now be "
                        f"a model id that {self.name} serves (consider renaming the variable)"
                    )
                else:
                    message = (
                        f"`{var}` is still read here and has no {self.name} equivalent: check "
                        "what it configures and whether it still applies"
                    )
                self.add("MIG618", path, line, message)

    # -- configuration ---------------------------------------------------------------------
    def _sources(self) -> list[bytes]:
        if self._source_cache is None:
            self._source_cache = [
                data
                for r in self.plan.report.results
                if r.usages and (data := self.plan.new_bytes(r.path)) is not None
            ]
        return self._source_cache

    def _reads_var(self, var: str) -> bool:
        needles = (f'"{var}"'.encode(), f"'{var}'".encode())
        return any(n in data for data in self._sources() for n in needles)

    def _first_env_read(self, old_names: Iterable[str]) -> Usage | None:
        names = set(old_names)
        for usage in self.usages:
            if usage.kind == "env" and usage.api in names:
                return usage
        return None

    def _env_to_provision(self) -> None:
        compat = self.mapping.compat
        primary = self.primary
        assert primary is not None
        old_key = sorted(k for k, v in self.plan.env_renames.items() if v == compat.key_env)
        self.add(
            "MIG610", primary.path, primary.line,
            f"provision `{compat.key_env}` (the {self.name} API key) wherever the code runs: "
            "local .env, CI secrets, deployment configuration"
            + ("; `OPENAI_API_KEY` is no longer read" if "OPENAI_API_KEY" in old_key else ""),
        )  # fmt: skip
        extra: list[tuple[str, str | None]] = []
        if compat.client == "azure":
            if compat.endpoint_env:
                extra.append((compat.endpoint_env, None))
            if compat.api_version_env and self._reads_var(compat.api_version_env):
                extra.append((compat.api_version_env, compat.api_version))
        elif compat.base_url_env and (not compat.base_url or self._reads_var(compat.base_url_env)):
            extra.append((compat.base_url_env, compat.base_url))
        for var, default in extra:
            olds = [k for k, v in self.plan.env_renames.items() if v == var]
            site = self._first_env_read(olds) or primary
            if default is None:
                message = f"provision `{var}`: the migrated code reads it and has no default"
            else:
                message = (
                    f"optional: `{var}` overrides the default `{default}` where the code "
                    "reads it; set it only to use another endpoint"
                )
            self.add("MIG610", site.path, site.line, message)

    def _endpoint(self) -> None:
        if not any(u.kind in ("client", "config") or u.style == "v0" for u in self.sdk):
            return
        compat = self.mapping.compat
        primary = self.primary
        assert primary is not None
        if compat.client == "azure":
            message = (
                f"the endpoint is read from `{compat.endpoint_env or 'AZURE_OPENAI_ENDPOINT'}`: "
                "point it at your Azure OpenAI resource; model= values are deployment names there"
            )
        elif not compat.base_url:
            message = (
                f"the endpoint is read from `{compat.base_url_env}`: point it at your gateway "
                "and check which upstream providers it routes each model to"
            )
        else:
            others = [
                f"{region} {url}"
                for region, url in compat.regions.items()
                if url != compat.base_url
            ]
            message = f"requests now go to {compat.base_url} ({self.name})"
            if others:
                message += (
                    "; other endpoints in the mapping: " + ", ".join(others) + " — to use one, "
                    "rerun with --base-url"
                    + (
                        f" or set `{compat.base_url_env}` where the code reads it"
                        if compat.base_url_env
                        else ""
                    )  # fmt: skip
                    + " (region-specific API keys may apply)"
                )
        self.add("MIG611", primary.path, primary.line, message)

    def _dependencies(self) -> None:
        plan = self.plan
        verb = "updated" if self.applied else "`migrator apply` updates this"
        for write in plan.dependencies:
            for note in write.notes:
                line, text = _note_line(note)
                if line is None:
                    line = self._openai_line(write.path) or 1
                self.add("MIG613", write.path, line, f"{verb}: {text}")
        for write in plan.kept_openai_pin:
            line = next((n for n, _ in map(_note_line, write.notes) if n is not None), None)
            self.add(
                "MIG619", write.path, line or self._openai_line(write.path) or 1,
                "openai stays pinned below 1 because v0 module calls remain (MIG402): rerun with "
                "--upgrade-v0, which also raises this pin",
            )  # fmt: skip
        for path, hint in plan.unsupported_dependencies:
            self.add("MIG612", path, self._openai_line(path) or 1,
                     f"names openai but is not edited by migrator: {hint}")  # fmt: skip
        for path, why in plan.dependency_errors:
            self.add("MIG612", path, 1, f"dependency file {why}")
        if not plan.declares_openai:
            primary = self.primary
            assert primary is not None
            self.add(
                "MIG614", primary.path, primary.line,
                "no dependency file here names openai: declare `openai>=1.40` "
                "(requirements.txt or pyproject.toml) so the client for the compatible "
                "endpoint is installed",
            )  # fmt: skip

    def _openai_line(self, path: str) -> int | None:
        for number, text in enumerate(self.lines_of(path, "old") or [], 1):
            if re.search(r"(?i)\bopenai\b", text.split("#", 1)[0]):
                return number
        return None

    def _env_templates(self) -> None:
        verb = "updated" if self.applied else "`migrator apply` edits it"
        for write in self.plan.env_templates:
            plain: list[tuple[int | None, str]] = []
            for note in write.notes:
                line, text = _note_line(note)
                if "real OpenAI key" in text:
                    self.add("MIG501", write.path, line or 1, text)
                else:
                    plain.append((line, text))
            text = _decode(write.path, write.new)
            for number, content in enumerate(text.splitlines(), 1):
                key = content.split("=", 1)[0].strip().removeprefix("export ").strip()
                if "=" in content and _OPENAI_VAR.fullmatch(key):
                    plain.append((number, f"still sets {key} (no {self.name} equivalent)"))
            if plain:
                first = next((n for n, _ in plain if n is not None), 1)
                self.add("MIG615", write.path, first,
                         f"{verb}: " + "; ".join(text for _, text in plain))  # fmt: skip

    def _dotenv_files(self) -> None:
        from migrator.envfiles import scan_dotenv_for_keys

        tracked = self.plan.tracked
        for rel_path in find_dotenv_files(Path(f) for f in self.plan.files):
            rel = rel_path.as_posix()
            for hit in scan_dotenv_for_keys(self.plan.root / rel):
                renamed = self.plan.env_renames.get(hit.name)
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
        configuration, notebooks. Real .env files are never read here."""
        plan = self.plan
        dotenv = {p.as_posix() for p in find_dotenv_files(Path(f) for f in plan.files)}
        templates = {p.as_posix() for p in find_env_templates(Path(f) for f in plan.files)}
        for rel in plan.files:
            if rel in dotenv:
                continue
            lower = PurePosixPath(rel).name.lower()
            suffix = PurePosixPath(lower).suffix
            if suffix == ".ipynb":
                data = self._head(rel)
                if data is not None and b"openai" in data.lower():
                    self.add(
                        "MIG605", rel, 1,
                        "this notebook uses openai: migrator rewrites .py files only — port its "
                        "cells by hand (e.g. via `jupytext --to py`, then `migrator diff`)",
                    )  # fmt: skip
                continue
            is_template = rel in templates
            if not (is_template or suffix in _TEXT_SUFFIXES or lower.startswith(_TEXT_NAMES)):
                continue
            data = self._head(rel)
            if data is None or data.startswith(b"<!-- generated by migrator"):
                continue
            lines = _decode(rel, data).splitlines()
            if is_template or (suffix in _CONFIG_SUFFIXES and lower != "pyproject.toml"):
                if "lock" not in lower:
                    self._config_models(rel, lines)
            if not is_template:
                self._mentions(rel, lines)

    def _config_models(self, rel: str, lines: list[str]) -> None:
        """OpenAI model ids in configuration files, which code may read and send as is."""
        found: dict[str, list[int]] = defaultdict(list)
        for number, text in enumerate(lines, 1):
            if text.lstrip().startswith(("#", ";", "//")):
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
            where = f"{self.lines_text(rel, numbers, 'old')}; " if len(found) > 1 else ""
            described.append(f"`{model}` ({where}{suggestion})")
        first = min(n for numbers in found.values() for n in numbers)
        self.add(
            "MIG606", rel, first,
            f"names OpenAI model(s) {', '.join(described)}: code that reads this file sends "
            f"them to {self.name} as they are — set {self.name} model ids here",
        )  # fmt: skip

    def _mentions(self, rel: str, lines: list[str]) -> None:
        """OPENAI_* variables named in docs, CI and deployment files; keys in them."""
        renames = self.plan.env_renames
        mentions: dict[str, list[int]] = defaultdict(list)
        for number, text in enumerate(lines, 1):
            for var in _OPENAI_VAR.findall(text):
                mentions[var].append(number)
            for secret in find_secrets(text):
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
            described.append(f"`{var}` (now `{new}`)" if new else f"`{var}`")
        all_lines = sorted({n for ns in mentions.values() for n in ns})
        where = f" ({self.lines_text(rel, all_lines, 'old')})" if len(all_lines) > 1 else ""
        self.add(
            "MIG617", rel, all_lines[0],
            f"mentions {', '.join(described)}{where}: update these "
            "settings, scripts and docs for the migrated code",
        )  # fmt: skip

    def _head(self, rel: str) -> bytes | None:
        try:
            with open(self.plan.root / rel, "rb") as fh:
                return fh.read(_MAX_TEXT)
        except OSError:
            return None

    # -- behaviour -------------------------------------------------------------------------
    def _behaviour(self, details: dict[tuple[str, int, int], CallFacts]) -> None:
        mapping = self.mapping
        used: dict[str, list[tuple[Usage, str, ModelTarget | None]]] = defaultdict(list)
        for call in self.calls:
            if not call.model:
                continue
            target = mapping.resolve_model(call.model)
            if target is not None and target.model != call.model:
                used[target.model].append((call, call.model, target))
            elif call.model in mapping.limits:  # already a provider id (a migrated tree)
                used[call.model].append((call, call.model, None))
        for model, sites in sorted(used.items()):
            first = sites[0][0]
            sources = sorted({src for _, src, _ in sites if src != model})
            origin = f" (from {', '.join(sources)})" if sources else ""
            count = f"{len(sites)} call(s)"
            limits = mapping.limits_for(model)
            if limits:
                parts = []
                if "context_window" in limits:
                    parts.append(f"context window {limits['context_window']} tokens")
                if "max_output_tokens" in limits:
                    parts.append(f"at most {limits['max_output_tokens']} output tokens")
                self.add(
                    "MIG701", first.path, first.line,
                    f"`{model}`{origin}, {count}: {', '.join(parts)} — check that long prompts, "
                    "history and max_tokens still fit",
                )  # fmt: skip
            target = next((t for _, _, t in sites if t is not None), None)
            if target is not None and (target.extra_body or target.note):
                parts = []
                if target.extra_body:
                    parts.append(f"requests carry extra_body {_short_json(target.extra_body)}")
                if target.note:
                    parts.append(target.note)
                self.add("MIG706", first.path, first.line,
                         f"`{model}`{origin}, {count}: " + "; ".join(parts))  # fmt: skip
        for call in self.calls:
            family = _family(call)
            if family not in ("chat", "completions"):
                continue
            info = details.get((call.path, call.line, call.column), CallFacts())
            if "n" in call.params and mapping.param_rule(family, "n") is None:
                if info.n is None or info.n > 1:
                    value = f"n={info.n}" if info.n is not None else "a computed n"
                    self.add(
                        "MIG703", call.path, call.line,
                        f"{call.api} asks for {value}: the mapping records nothing about "
                        f"{self.name} and n>1 — check that it returns as many choices",
                    )  # fmt: skip
            structured = call.api.endswith(".parse") or (
                "response_format" in call.params
                and mapping.param_rule(family, "response_format") is None
            )
            if structured:
                self.add(
                    "MIG704", call.path, call.line,
                    f"{call.api} asks for structured output: check that {self.name} supports the "
                    "response_format used here (json_schema support varies; json_object is "
                    "more widely supported) and that the replies still parse",
                )  # fmt: skip
        self._unverified(used)

    def _unverified(self, used: dict[str, list[tuple[Usage, str, ModelTarget | None]]]) -> None:
        primary = self.primary
        assert primary is not None
        keys: dict[str, Usage] = {}
        kinds: dict[str, Usage] = {}
        for sites in used.values():
            for call, _src, target in sites:
                if target is not None:
                    keys.setdefault(target.source_key, call)
                    kinds.setdefault(target.kind, call)
                keys.setdefault("limits." + (target.model if target else call.model or ""), call)
        family_calls: dict[str, Usage] = {}
        param_calls: dict[tuple[str, str], Usage] = {}
        for call in self.calls:
            family = _family(call)
            family_calls.setdefault(family, call)
            for param in call.params:
                param_calls.setdefault((family, param), call)
        for fact in self.mapping.facts.unverified:
            parts = fact.where.split(".")
            site: Usage | None = primary
            if parts[0] == "models":
                if len(parts) == 1:
                    site = next(iter(kinds.values()), None)
                elif parts[1] == "defaults":
                    site = keys.get(".".join(parts[1:3])) if len(parts) > 2 else None
                elif parts[1] == "limits":
                    site = keys.get("limits." + ".".join(parts[2:])) if len(parts) > 2 else None
                elif len(parts) == 2:
                    site = kinds.get(parts[1])
                else:
                    site = keys.get(".".join(parts[2:]))
            elif parts[0] == "parameters":
                if len(parts) > 2:
                    site = param_calls.get((parts[1], ".".join(parts[2:])))
                else:
                    # A fact about a whole family: relevant when a call passes a parameter
                    # it names (or when it names none in particular).
                    families = [parts[1]] if len(parts) == 2 else list(PARAM_FAMILIES)
                    named = {
                        (family, word)
                        for family in families
                        for word in re.findall(r"[a-z_]+", fact.fact)
                        if word in OPENAI_KWARGS.get(family, ()) and word not in _ALWAYS_PASSED
                    }
                    if named:
                        site = next(
                            (param_calls[k] for k in sorted(named) if k in param_calls), None
                        )
                    else:
                        site = next((family_calls[f] for f in families if f in family_calls), None)
            if site is None:
                continue
            where = f"unverified in the {self.mapping.id} mapping ({fact.where})"
            self.add("MIG705", site.path, site.line, f"{where}: {fact.fact}")

    # -- compliance ------------------------------------------------------------------------
    def _region_text(self) -> tuple[str, Severity]:
        compat = self.mapping.compat
        region = self.mapping.compliance.data_region
        if compat.client == "azure":
            return (
                "data goes abroad: Azure OpenAI processes prompts and outputs in the Azure "
                "region of your resource, outside mainland China — unless the endpoint is an "
                "Azure China one (*.openai.azure.cn, operated by 21Vianet)",
                "warning",
            )
        if region == "mainland-china":
            return (
                f"prompts and outputs go to {self.name} at {_host(compat.base_url)}, in "
                "mainland China (as the mapping records it)" + self._other_regions(),
                "info",
            )
        if region == "outside-mainland":
            return (
                f"data goes abroad: {self.name}'s endpoint {_host(compat.base_url)} processes "
                "prompts and outputs outside mainland China",
                "warning",
            )
        url = compat.base_url
        for name, region_url in compat.regions.items():
            if not url or region_url.rstrip("/") != url.rstrip("/"):
                continue
            if _region_kind(name) == "abroad":
                return (
                    f"data goes abroad: {url} is {self.name}'s `{name}` endpoint, outside "
                    "mainland China — review cross-border transfer obligations, or use the "
                    "mainland endpoint",
                    "warning",
                )
            if _region_kind(name) == "mainland":
                return (
                    f"prompts and outputs go to {self.name}'s `{name}` endpoint {url}, in "
                    "mainland China",
                    "info",
                )
        where = url or f"`{compat.base_url_env}`"
        return (
            f"migrator cannot tell where data is processed: the endpoint is {where}, set by "
            "you or your gateway — confirm its location and that of every upstream provider",
            "warning",
        )

    def _other_regions(self) -> str:
        compat = self.mapping.compat
        others = [name for name, url in compat.regions.items() if url != compat.base_url]
        abroad = [name for name in others if _region_kind(name) == "abroad"]
        unknown = [name for name in others if _region_kind(name) is None]
        text = ""
        if abroad:
            text += (
                "; the mapping also lists endpoints outside mainland China ("
                + ", ".join(abroad)
                + "): switching to one of them sends data abroad"
            )
        if unknown:
            text += "; check where the other endpoints (" + ", ".join(unknown) + ") process data"
        return text

    def _compliance(self) -> None:
        primary = self.primary
        assert primary is not None
        compliance = self.mapping.compliance
        text, severity = self._region_text()
        self.add("MIG801", primary.path, primary.line, text, severity=severity)
        if compliance.filing.strip().lower() == "unknown":
            self.add(
                "MIG802", primary.path, primary.line,
                f"the mapping does not record the generative-AI service filing (备案) of "
                f"{self.name}'s models: confirm that the models you use are filed before "
                "serving the public in mainland China",
            )  # fmt: skip
        else:
            self.add("MIG802", primary.path, primary.line,
                     f"filing (备案) status per the mapping: {compliance.filing}",
                     severity="info")  # fmt: skip
        for note in compliance.notes:
            self.add("MIG804", primary.path, primary.line, note)
        self._personal_data()

    def _personal_data(self) -> None:
        unknown: list[Usage] = []
        seen: set[str] = set()
        for call in self.calls:
            if call.path in seen:
                continue
            seen.add(call.path)
            text = "\n".join(self.lines_of(call.path, "old") or [])
            signals = []
            for pattern, label in _USER_INPUT:
                match = pattern.search(text)
                if match:
                    signals.append(label.format(*match.groups()))
            if signals:
                self.add(
                    "MIG803", call.path, call.line,
                    f"prompts sent from here may carry user data ({'; '.join(signals)}): review "
                    f"personal-information protection and cross-border transfer obligations "
                    f"before this data goes to {self.name}",
                )  # fmt: skip
            else:
                unknown.append(call)
        if unknown:
            first = unknown[0]
            files = [u.path for u in unknown]
            shown = ", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
            self.add(
                "MIG803", first.path, first.line,
                f"migrator could not tell whether the prompts and texts sent from {shown} "
                f"contain personal data: review what they send to {self.name}",
                severity="info",
            )  # fmt: skip

    # -- verification ----------------------------------------------------------------------
    def _entry_points(self) -> None:
        compat = self.mapping.compat
        seen: set[str] = set()
        for call in self.calls:
            if call.path in seen:
                continue
            seen.add(call.path)
            old = "\n".join(self.lines_of(call.path, "old") or [])
            guard = _MAIN_GUARD.search(old)
            if guard is None:
                continue
            line = old.count("\n", 0, guard.start()) + 1
            new = "\n".join(self.lines_of(call.path, "new") or [])
            required = {m.group(2) for m in _ENV_REQUIRED.finditer(new)} | {compat.key_env}
            optional = sorted({m.group(2) for m in _ENV_OPTIONAL.finditer(new)} - required)
            needs = []
            needs.append("needs " + ", ".join(f"`{v}`" for v in sorted(required)))
            if optional:
                needs.append("optional: " + ", ".join(f"`{v}`" for v in optional))
            self.add(
                "MIG902", call.path, line,
                f"smoke-run `{self._run_command(call.path)}` ({'; '.join(needs)}) and compare its "
                "output with a run against OpenAI",
            )  # fmt: skip

    def _run_command(self, rel: str) -> str:
        """`python file.py`, or `python -m pkg.mod` for a module inside a package."""
        path = PurePosixPath(rel)
        root = self.plan.root
        parts = [path.stem]
        folder = path.parent
        while str(folder) != "." and (root / folder / "__init__.py").is_file():
            parts.insert(0, folder.name)
            folder = folder.parent
        if len(parts) == 1:
            return f"python {rel}"
        module = ".".join(parts)
        prefix = "" if str(folder) == "." else f"cd {folder} && "
        return f"{prefix}python -m {module}"

    def _test_command(self) -> None:
        found = _find_test_command(self.plan.root, self.plan.files)
        key = self.mapping.compat.key_env
        if found is None:
            primary = self.primary
            assert primary is not None
            self.add(
                "MIG903", primary.path, primary.line,
                "no test command found (pytest, tox, nox or a `make test` target): run every "
                f"migrated code path by hand against {self.name}",
            )  # fmt: skip
            return
        command, path, line = found
        self.add(
            "MIG901", path, line,
            f"run `{command}` and fix what fails (tests that reach the real API need `{key}`)",
        )  # fmt: skip

    def _provider_host(self) -> str:
        compat = self.mapping.compat
        if compat.base_url:
            return _host(compat.base_url)
        return f"the endpoint in `{compat.endpoint_env or compat.base_url_env}`"


# --------------------------------------------------------------------------- helpers


def _family(call: Usage) -> str:
    from migrator.inventory import api_family

    return api_family(call.api or "")


def _decode(path: str, data: bytes) -> str:
    if path.endswith(".py"):
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
            return data.decode(encoding, errors="replace")
        except (SyntaxError, LookupError):
            pass
    return data.decode("utf-8-sig", errors="replace")


_ABROAD = frozenset(
    "international intl global singapore virginia us usa hongkong hong-kong hk europe eu "
    "frankfurt tokyo japan overseas".split()
)
_MAINLAND = frozenset("china cn mainland beijing shanghai hangzhou shenzhen".split())


def _region_kind(name: str) -> Literal["abroad", "mainland"] | None:
    """Whether a mapping's region key plainly names a place in or outside mainland China."""
    words = set(re.split(r"[-_\s]+", name.lower())) | {name.lower()}
    if words & _ABROAD:
        return "abroad"
    if words & _MAINLAND:
        return "mainland"
    return None


def _host(url: str | None) -> str:
    from migrator.codemods._edit import host_of

    return host_of(url or "") or (url or "?")


def _note_line(note: str) -> tuple[int | None, str]:
    """`line 3: renamed X` -> (3, "renamed X"); `[x] (line 4): y` -> (4, "[x]: y")."""
    match = re.match(r"line (\d+): (.*)", note, re.S)
    if match:
        return int(match.group(1)), match.group(2)
    match = re.search(r" \(line (\d+)\)", note)
    if match:
        return int(match.group(1)), note[: match.start()] + note[match.end() :]
    return None, note


def _lines_text(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:8]) + (" …" if len(lines) > 8 else "")
    return f"line {shown}" if len(lines) == 1 else f"lines {shown}"


def _short_json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _is_test_file(rel: str) -> bool:
    path = PurePosixPath(rel)
    name = path.name
    return (
        name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
        or any(p in ("tests", "test", "testing") for p in path.parts[:-1])
    )


def _find_test_command(root: Path, files: list[str]) -> tuple[str, str, int] | None:
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
    tests = [f for f in files if f.endswith(".py") and _is_test_file(f)]
    if tests:
        return "python -m pytest", tests[0], 1
    return None


# --------------------------------------------------------------------------- rendering

_SECTION_ORDER = {category: index for index, (category, _) in enumerate(SECTIONS)}


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(
        findings,
        key=lambda f: (
            _SECTION_ORDER[f.category], SEVERITY_ORDER[f.severity], f.path, f.line, f.id,
            f.message,
        ),
    )  # fmt: skip


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for finding in findings:
        counts[finding.severity] += 1
    return counts


def to_json(findings: list[Finding], provider: str, strategy: str) -> dict[str, Any]:
    """`checklist --format json` (contract version 1)."""
    return {
        "version": 1,
        "provider": provider,
        "strategy": strategy,
        "items": [f.to_json() for f in sort_findings(findings)],
    }


_CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def _escape_markdown(text: str) -> str:
    """Escape what GitHub would read as markup, leaving `code spans` alone."""
    out: list[str] = []
    last = 0
    for match in _CODE_SPAN.finditer(text):
        out.append(_escape_plain(text[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_escape_plain(text[last:]))
    return "".join(out)


def _escape_plain(text: str) -> str:
    text = text.replace("\\", "\\\\").replace("*", "\\*")
    text = re.sub(r"<(?=[A-Za-z/!?])", "&lt;", text)  # what could open an HTML tag
    text = text.replace("](", "]\\(")  # what could close a link
    return re.sub(r"_{2,}", lambda m: "\\_" * len(m.group(0)), text)


def _link(path: str, line: int, prefix: str) -> str:
    target = prefix + path
    shown = f"{target}:{line}"
    href = target.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"[{_escape_plain(shown)}]({href}#L{line})"


def render_markdown(
    findings: list[Finding],
    mapping: Mapping,
    strategy: str,
    *,
    link_prefix: str = "",
    context: Iterable[str] = (),
    command: str | None = None,
) -> str:
    """The checklist as Markdown with GitHub task lists.

    `link_prefix` is prepended to every path (the checklist file's folder to PATH, e.g.
    `services/api/`); `context` lines go under the title (e.g. the branch to review).
    """
    findings = sort_findings(findings)
    counts = severity_counts(findings)
    regenerate = command or f"migrator checklist PATH --to {mapping.id} --strategy {strategy}"
    lines = [
        f"<!-- generated by migrator: `{regenerate}` -->",
        f"# Migration checklist: OpenAI → {mapping.name}",
        "",
        f"Provider `{mapping.id}` ({mapping.name}), strategy `{strategy}`: "
        f"{len(findings)} item(s) — {counts['error']} error, {counts['warning']} warning, "
        f"{counts['info']} info.",
    ]
    for text in context:
        lines.append(text)
    lines += [
        "",
        "Tick each box once it is done. Every item names its rule (`MIGxxx`, explained in "
        "the README's rule table). To silence a rule, pass `--ignore MIGxxx`, list it in "
        "`[tool.migrator] ignore`, or put `# migrator: ignore[MIGxxx]` on the line.",
    ]
    by_section: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_section[finding.category].append(finding)
    for number, (category, heading) in enumerate(SECTIONS, 1):
        items = by_section.get(category, [])
        lines += ["", f"## {number}. {heading} ({len(items)})", ""]
        if not items:
            lines.append("Nothing found.")
            continue
        for f in items:
            lines.append(
                f"- [ ] {_link(f.path, f.line, link_prefix)} **{f.severity}** `{f.id}`: "
                f"{_escape_markdown(' '.join(f.message.split()))}"
            )
    return "\n".join(lines) + "\n"
