"""Model ids and endpoints in configuration files that migrated code reads: edited in place.

Which files (all three must hold, else the checklist reports the values, MIG606):

1. The file is configuration of migrated code. A YAML, TOML, JSON or INI file (`.yaml`,
   `.yml`, `.toml`, `.json`, `.ini`, `.cfg`) is when a Python file of the project names it
   in a string literal (`open("config.yaml")`, `Path("settings/llm.yaml")`,
   `tomllib.load(open("app.toml", "rb"))`, `configparser.read("app.ini")`), and that
   Python file is in the same top-level folder (package) as migrated code, or migrated
   code sits at the project root; tests do not count. A name is matched against the
   reader's folder, then the project root, then every file (outside tests) whose path
   ends with it.
   An env template (`.env.example`...) is when it sits in a folder holding migrated code
   (the rule envfiles.py uses for key renames) and a migrated file names the variable.
   Data files (datafiles.py: results, outputs, `.jsonl`, over 256 KiB...), lock files and
   `pyproject.toml` are never edited.
2. The value sits under a key naming a model or an endpoint (config_targets.py), and not
   in an entry of a model catalogue (one that lists `aliases`, or sits under a key that is
   itself a model id), nor beside an endpoint that stays pointed elsewhere than the
   provider (the id goes with it): those are reported, MIG633.
3. The value is an OpenAI model id the mapping maps, or OpenAI's API root (compat).

Each edit is spliced into the original text at the value's span (config_values.py), in
the old value's quoting; the result is parsed again and every value must read as before
but the edited one, which must read as the new value — else the file is left and the
value reported (MIG633). A file that does not parse is reported at its line (MIG632) and
the run goes on. The edits are FileResults like a Python file's, so `diff`, `--check`,
`apply` and the checklist treat them alike.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from migrator.config_targets import decide, key_beside_endpoint, key_kind, render
from migrator.config_values import (
    ConfigSyntaxError,
    ConfigValue,
    Format,
    format_of,
    locate,
    read_back,
)
from migrator.datafiles import data_file_reason
from migrator.discovery import SOURCE_SUFFIXES, is_test_file
from migrator.envfiles import find_env_templates, quoted_in
from migrator.hosts import host_of
from migrator.mapping import openai_model_kind
from migrator.model import FileResult, Finding
from migrator.options import RewriteOptions
from migrator.rules import RULES
from migrator.secrets import redact

__all__ = ["config_results", "named_configs"]

# `\\?` before the closing quote: in a notebook's JSON a cell's quotes are escaped (`\"`).
_NAMED = re.compile(rb"""["']([^"'\r\n]{1,200}\.(?:ya?ml|toml|json|ini|cfg))\\?["']""", re.I)
_NEVER = frozenset({"pyproject.toml", "package.json", "package-lock.json", "tsconfig.json"})


def config_results(
    files: Sequence[str],
    results: Sequence[FileResult],
    read: Callable[[str], bytes | None],
    options: RewriteOptions,
) -> list[FileResult]:
    """A FileResult per configuration file of migrated code that has a model id or
    endpoint to change or report. `files` is every project file, `results` the Python
    rewrite's, `read` a file's bytes."""
    migrated = [r for r in results if r.new_source is not None and r.path.endswith(SOURCE_SUFFIXES)]
    if not migrated:
        return []
    folders = [PurePosixPath(r.path).parent for r in migrated]
    configs = named_configs(files, folders, read)
    for template in find_env_templates(files):
        if PurePosixPath(template).parent in {p for f in folders for p in (f, *f.parents)}:
            configs.setdefault(template.as_posix(), "env")
    sources = [data for r in migrated for data in (r.old_source, r.new_source) if data]
    out = []
    for rel, fmt in sorted(configs.items()):
        data = read(rel)
        if data is None or data_file_reason(rel, len(data), lambda _: False) is not None:
            continue  # unreadable, or too big to be configuration
        result = edit_config(rel, data, fmt, options, functools.partial(quoted_in, sources=sources))
        if result is not None:
            out.append(result)
    return out


def named_configs(
    files: Sequence[str],
    migrated_folders: Sequence[PurePosixPath],
    read: Callable[[str], bytes | None],
) -> dict[str, Format]:
    """Configuration files (path -> format) that Python code near migrated code names."""
    candidates = {
        rel: fmt for rel in files if (fmt := format_of(rel)) is not None and _editable(rel)
    }
    if not candidates:
        return {}
    tops = {_top(folder) for folder in migrated_folders}
    found: dict[str, Format] = {}
    for rel in files:
        if not rel.endswith(SOURCE_SUFFIXES) or is_test_file(rel):
            continue
        folder = PurePosixPath(rel).parent
        if "." not in tops and _top(folder) not in tops:
            continue
        data = read(rel)
        if data is None:
            continue
        for match in _NAMED.finditer(data):
            name = match.group(1).decode("utf-8", "replace").replace("\\", "/")
            for target in _resolve(name, folder, candidates):
                found[target] = candidates[target]
    return found


def _top(folder: PurePosixPath) -> str:
    """The top-level folder of the project `folder` is in ("." at the root)."""
    return folder.parts[0] if folder.parts else "."


def _editable(rel: str) -> bool:
    """Not a lock file, a package manifest, a test fixture or a data file by its name
    (its size is checked once it is read)."""
    name = PurePosixPath(rel).name.lower()
    if name in _NEVER or "lock" in name or is_test_file(rel):
        return False
    return data_file_reason(rel, 0, lambda _: False) is None


def _resolve(name: str, folder: PurePosixPath, candidates: dict[str, Format]) -> list[str]:
    """The project files `name` (as written in code under `folder`) refers to: the one
    beside the code or at the root, else every file (outside tests) whose path ends with
    it — the code reads whichever one its working folder holds."""
    name = name.lstrip("/")
    while name.startswith("./"):
        name = name[2:]
    tail = name.rsplit("../", 1)[-1]
    for base in (folder, PurePosixPath(".")):
        exact = (base / tail).as_posix()
        if exact in candidates:
            return [exact]
    return [
        rel
        for rel in candidates
        if (rel == tail or rel.endswith("/" + tail)) and not is_test_file(rel)
    ]


def edit_config(
    rel: str,
    data: bytes,
    fmt: Format,
    options: RewriteOptions,
    named: Callable[[str], bool] = lambda key: True,
) -> FileResult | None:
    """Edit `data` (the bytes of `rel`); a FileResult when anything was edited or is to
    be reported, else None. `named(key)` tells whether an env template's key is read by
    migrated code."""
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    findings: list[Finding] = []
    try:
        values = locate(fmt, text)
        before = read_back(fmt, text)
    except ConfigSyntaxError as exc:
        if not _mentions_openai(text):
            return None
        findings.append(
            _finding("MIG632", rel, exc.line,
                     f"does not parse as {fmt.upper()} ({exc}): its model ids and endpoints "
                     "were not checked; fix the file and run migrator again")
        )  # fmt: skip
        return FileResult(rel, findings=findings)
    edits: list[_Planned] = []
    for plan in _plan(fmt, values, options, named):
        if plan.why is None and plan.raw is not None:
            edits.append(plan)
        elif plan.unmapped:
            findings.append(_finding("MIG631", rel, plan.value.line, _left(plan.value, plan.why)))
        elif plan.why is not None:
            todo = ""
            if plan.new and "model catalogue" in plan.why:
                todo = f"; add an entry for `{plan.new}` to use it"
            elif plan.new:
                todo = f"; set it to `{plan.new}` by hand"
            findings.append(_finding("MIG633", rel, plan.value.line,
                                     _left(plan.value, plan.why + todo)))  # fmt: skip
    new_text = text
    done: list[tuple[ConfigValue, str]] = []  # (value, what changed)
    for plan in sorted(edits, key=lambda p: p.value.start, reverse=True):
        value, new_value = plan.value, plan.new
        candidate = new_text[: value.start] + (plan.raw or "") + new_text[value.end :]
        if _reads_as(fmt, candidate, before, value.path, new_value):
            new_text = candidate
            before = {**before, value.path: new_value or ""}
            note = f" ({plan.note})" if plan.note else ""
            done.append((value, f"line {value.line}: `{_shown(value)}` -> `{new_value}`{note}"))
        else:
            why = f"the edited file did not read back `{new_value}` there; set it by hand"
            findings.append(_finding("MIG633", rel, value.line, _left(value, why)))
    if done:
        done.sort(key=lambda d: d[0].start)
        listed = "; ".join(text for _, text in done[:6])
        more = f" and {len(done) - 6} more" if len(done) > 6 else ""
        findings.append(
            _finding("MIG630", rel, done[0][0].line,
                     f"{options.mapping.name} values written into this configuration, which "
                     f"migrated code reads — {listed}{more}")
        )  # fmt: skip
    if not done and not findings:
        return None
    new_data = (b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8") if done else None
    return FileResult(rel, findings=findings, new_source=new_data, old_source=data, edits=len(done))


@dataclass
class _Planned:
    """What to do with one value: write `raw` (the new value as written), or leave it
    for `why` (MIG631 when `unmapped`). `stays`: an endpoint elsewhere than the provider,
    which nothing edits but which keeps the models beside it."""

    value: ConfigValue
    kind: str
    new: str | None = None
    raw: str | None = None
    why: str | None = None
    unmapped: bool = False
    stays: bool = False
    note: str | None = None
    routed: bool = False


def _plan(
    fmt: Format,
    values: list[ConfigValue],
    options: RewriteOptions,
    named: Callable[[str], bool],
) -> list[_Planned]:
    """Every model and endpoint value, and what to do with it.

    Values in one mapping with an endpoint key are a unit (the endpoint, its models, the
    API key or key variable beside them: `key_beside_endpoint`): they are edited together
    or not at all — a model beside an
    endpoint that stays (another OpenAI URL, a gateway, a local server) stays, and so does
    an OpenAI endpoint beside a model without an equivalent. Entries of a model catalogue
    (`_catalogue_reason`) stay."""
    catalogue = _catalogue_entries(values)
    provider = host_of(options.strategy.endpoint(options.mapping).base_url or "")
    plans: list[_Planned] = []
    keys: list[ConfigValue] = []  # API keys and key variables: they follow an endpoint
    for value in values:
        kind = key_kind(value.key)
        # env templates: OPENAI_BASE_URL & co. follow the key renames of envfiles.py
        if kind is None or (fmt == "env" and (kind != "model" or not named(value.key))):
            continue
        if kind in ("key", "key_env"):
            keys.append(value)
            continue
        decision = decide(value, options)
        if decision.problem is not None:
            plans.append(_Planned(value, kind, why=decision.problem, unmapped=kind == "model"))
        elif decision.new is not None:
            raw = render(fmt, value.quote, decision.new)
            why = value.why_fixed or _catalogue_reason(value, catalogue)
            if why is None and raw is None:
                why = "its quoting cannot hold the new value"
            plans.append(
                _Planned(
                    value, kind, decision.new, raw, why, note=decision.note, routed=decision.routed
                )
            )
        elif kind == "endpoint" and host_of(value.value) not in ("", provider):
            plans.append(_Planned(value, kind, stays=True))
    units = {p.value.path[:-1] for p in plans if p.kind == "endpoint"}
    moving = {p.value.path[:-1] for p in plans if p.kind == "endpoint" and p.new}
    for value in keys:
        if value.path[:-1] not in moving:
            continue
        decision = key_beside_endpoint(value, options)
        if decision.problem is not None:
            plans.append(_Planned(value, "key", why=decision.problem))
        elif decision.new is not None:
            raw = render(fmt, value.quote, decision.new)
            why = value.why_fixed or (None if raw else "its quoting cannot hold the new value")
            plans.append(_Planned(value, "key", decision.new, raw, why))
    for p in plans:
        if p.routed and p.why is None and p.value.path[:-1] in units:
            # its entry's endpoint and key follow the target, the model the route
            p.why = "it is routed to another provider (--route) than the endpoint beside it"
    blockers: dict[tuple[str, ...], ConfigValue] = {}
    for p in plans:
        if p.why is not None or p.stays:
            blockers.setdefault(p.value.path[:-1], p.value)
    for p in plans:
        parent = p.value.path[:-1]
        if p.why is None and not p.stays and parent in units and parent in blockers:
            other = blockers[parent]
            p.why = f"it goes with `{other.key}: {_shown(other)}` beside it, which stays"
    return [p for p in plans if not p.stays]


def _catalogue_reason(value: ConfigValue, catalogue: set[tuple[str, ...]]) -> str | None:
    """Why `value` is an entry of a model catalogue (it lists `aliases`, or a key on its
    path is itself an OpenAI model id: `"gpt-4o-2024-11-20": {"model_name": ...}`): the
    file declares models by name, it does not choose one. None: it is not."""
    if value.path[:-1] in catalogue:
        return "it declares a model with aliases (a model catalogue: data, not a choice)"
    named = next((p for p in value.path[:-1] if openai_model_kind(p) is not None), None)
    if named is not None:
        return f"it sits in an entry named after the model `{named}` (a model catalogue)"
    return None


def _catalogue_entries(values: list[ConfigValue]) -> set[tuple[str, ...]]:
    """Mappings that also hold `aliases`: entries of a model registry (`model_id: gpt-4o`
    with the names users call it by), whose ids say which model each alias stands for."""
    return {
        v.path[:i] for v in values for i, part in enumerate(v.path) if part in ("aliases", "alias")
    }


def _reads_as(
    fmt: Format,
    text: str,
    before: dict[tuple[str, ...], str],
    path: tuple[str, ...],
    new: str | None,
) -> bool:
    try:
        after = read_back(fmt, text)
    except ConfigSyntaxError:
        return False
    return after.get(path) == new and {**before, path: new} == after


def _left(value: ConfigValue, why: str) -> str:
    return f"`{'.'.join(value.path)}: {_shown(value)}` left: {why}"


def _shown(value: ConfigValue) -> str:
    """The value for a message: an API key redacted (`sk-****wxyz`)."""
    if key_kind(value.key) == "key":
        return redact(value.value.strip())
    return value.value.strip()


def _finding(rule: str, rel: str, line: int, message: str) -> Finding:
    spec = RULES[rule]
    return Finding(rule, spec.severity, spec.category, rel, line, message)


def _mentions_openai(text: str) -> bool:
    return bool(re.search(r"gpt-|text-embedding-|\bo[134]\b|openai", text, re.I))
