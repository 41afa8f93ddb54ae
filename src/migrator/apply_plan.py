"""What `migrator apply` would change, worked out without writing anything.

`plan_migration` runs the engine over the project (the rewritten Python files, the
engine's `MigrationReport`), then edits in memory the dependency files (deps.py) and the
env templates (envfiles.py) of a project that uses the SDK. The `ProjectPlan` it returns
is what apply.py writes and what `migrator checklist` reads, so the checklist and what
`apply` writes always agree.
"""

from __future__ import annotations

import codecs
import dataclasses
import functools
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Literal

from migrator.config import ProjectConfig
from migrator.deps import (
    DependencyChange,
    EditResult,
    dependency_file_hint,
    dependency_files,
    edit_dependency_file,
    normalize_name,
    parse_requirement,
    unsupported_dependency_files,
)
from migrator.discovery import SOURCE_SUFFIXES, ProjectListing, list_project
from migrator.envfiles import edit_env_template, find_dotenv_files, find_env_templates, quoted_in
from migrator.migrate import MigrationReport, migrate
from migrator.model import FileResult
from migrator.options import RewriteOptions
from migrator.progress import phase

if TYPE_CHECKING:
    from migrator.file_stamps import Stamp
    from migrator.result_cache import ResultCache

WriteKind = Literal["code", "config", "dependencies", "env", "checklist"]


@dataclass
class FileWrite:
    """One file `apply` writes: `path` is relative to the plan's root, in `/` form."""

    path: str
    old: bytes | None  # None: a new file
    new: bytes
    kind: WriteKind
    notes: list[str] = field(default_factory=list)


@dataclass
class ProjectPlan:
    """Everything a migration would change, and what the checklist needs to know."""

    listing: ProjectListing  # what was migrated: the path, its files, which git tracks
    options: RewriteOptions
    report: MigrationReport
    code: list[FileWrite]
    dependencies: list[FileWrite]
    env_templates: list[FileWrite]
    env_renames: dict[str, str]  # what the code no longer reads: code_env_renames()
    unsupported_dependencies: list[tuple[str, str]]  # (path, what to do)
    declares_openai: list[str]  # dependency files naming openai
    kept_openai_pin: list[FileWrite]  # files whose openai<1 pin stays for the v0 calls
    dependency_errors: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    # The run's result cache (None: off), for the checklist's index of quiet text files.
    cache: ResultCache | None = field(default=None, repr=False, compare=False)
    _old_cache: dict[str, bytes | None] = field(default_factory=dict, repr=False)
    _write_index: tuple[tuple[int, int, int], dict[str, bytes]] = field(
        default=((-1, -1, -1), {}), repr=False
    )

    @property
    def path(self) -> Path:
        """What the user gave (absolute)."""
        return self.listing.path

    @property
    def root(self) -> Path:
        """The folder every relative path is relative to."""
        return self.listing.target.root

    @property
    def is_project(self) -> bool:
        """PATH is a folder: dependency, env and test files are looked at."""
        return self.listing.is_project

    @property
    def files(self) -> list[str]:
        """Every project file (relative to root): tracked, and untracked not ignored."""
        return self.listing.files

    @property
    def tracked(self) -> frozenset[str] | None:
        """The files git tracks (None outside a work tree)."""
        return self.listing.tracked

    @property
    def skipped_trees(self) -> dict[str, str]:
        """Third-party folders left out, and what each is."""
        return self.listing.skipped

    def file_stamps(self) -> Iterator[tuple[str, Stamp | None]]:
        """Each project file with the stamp discovery took of it (None where it took
        none: the reader stats it)."""
        if not self.is_project:
            return iter(())
        return self.listing.target.listing_stamps()

    @functools.cached_property
    def migrated_sources(self) -> list[bytes]:
        """The bytes, after the migration, of every Python file that uses the SDK or reads
        an environment variable. Read once the code writes are planned."""
        return [
            data
            for r in self.report.results
            if r.usages and (data := self.new_bytes(r.path)) is not None
        ]

    @functools.cached_property
    def provider_vars(self) -> dict[str, str]:
        """The provider's variables to provision: name -> default ("" = none, required)."""
        return provider_env_vars(self.options, self.migrated_sources)

    @functools.cached_property
    def read_renames(self) -> dict[str, str]:
        """The renames of `env_renames` whose provider variable the migrated code reads:
        only these may be called `now X`. A client given the endpoint as a literal stops
        reading OPENAI_BASE_URL, but reads no provider variable in its stead."""
        return {
            old: new
            for old, new in self.env_renames.items()
            if quoted_in(new, self.migrated_sources)
        }

    @functools.cached_property
    def dotenv_files(self) -> list[str]:
        """The real env files among the project files (`.env`, `prod.env`...), sorted."""
        return [p.as_posix() for p in find_dotenv_files(self.files)]

    @functools.cached_property
    def env_template_files(self) -> list[str]:
        """The committed env templates among the project files, sorted."""
        return [p.as_posix() for p in find_env_templates(self.files)]

    @property
    def provider_renames(self) -> dict[str, str]:
        """Every OpenAI variable the provider has an equivalent for: old -> new."""
        return env_renames_for(self.options)

    @functools.cached_property
    def kept_env(self) -> dict[str, str]:
        """OpenAI variables with a provider equivalent that some code left as it is still
        reads: old -> new (the reads carry MIG504 findings)."""
        return {
            old: new
            for old, new in self.provider_renames.items()
            if old not in self.env_renames and any(old in r.kept_env for r in self.report.results)
        }

    @property
    def openai_floor(self) -> str:
        """The openai version spec the target's mapping asks for (`>=1.40`)."""
        return _openai_floor(self.options)

    @property
    def writes(self) -> list[FileWrite]:
        return [*self.code, *self.dependencies, *self.env_templates]

    @property
    def changed(self) -> bool:
        return bool(self.writes)

    def new_bytes(self, rel: str) -> bytes | None:
        """The bytes `rel` has after the migration (None: unreadable)."""
        key = (len(self.code), len(self.dependencies), len(self.env_templates))
        if self._write_index[0] != key:
            self._write_index = (key, {w.path: w.new for w in self.writes})
        found = self._write_index[1].get(rel)
        return found if found is not None else self.old_bytes(rel)

    def old_bytes(self, rel: str) -> bytes | None:
        """The bytes `rel` has now (None: unreadable)."""
        if not self._old_cache:
            self._old_cache.update(
                (r.path, r.old_source) for r in self.report.results if r.old_source is not None
            )
        if rel in self._old_cache:
            return self._old_cache[rel]
        try:
            data: bytes | None = (self.root / rel).read_bytes()
        except OSError:
            data = None
        self._old_cache[rel] = data
        return data


def decode_text(data: bytes) -> tuple[str, bool] | None:
    """UTF-8 text of a config file and whether it had a BOM; None when it is not UTF-8."""
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8-sig"), bom
    except UnicodeDecodeError:
        return None


def encode_text(text: str, bom: bool) -> bytes:
    return (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")


def env_renames_for(options: RewriteOptions) -> dict[str, str]:
    """Every OpenAI variable the provider has an equivalent for: old -> new."""
    return options.strategy.env_renames(options.mapping)


def code_env_renames(options: RewriteOptions, results: list[FileResult]) -> dict[str, str]:
    """The variables the migrated code stopped reading, old -> new: renamed in some file
    (or read by a client by itself, now given the provider's) and still read in none.
    Env templates, docs and the checklist follow the code: a variable some reader kept
    (a startup check, another library) stays set."""
    renamed = {var for r in results for var in r.renamed_env}
    kept = {var for r in results for var in r.kept_env}
    return {
        old: new
        for old, new in env_renames_for(options).items()
        if old in renamed and old not in kept
    }


def provider_env_vars(options: RewriteOptions, sources: list[bytes]) -> dict[str, str]:
    """The provider's variables an env template should hold: name -> default value; and
    those of each `--route` provider the migrated code reads (its key, at least)."""
    out = options.strategy.provision(options.mapping, sources)
    if options.routes:
        from migrator.codemods.strategies import endpoint_provision

        for route in options.routes:
            if quoted_in(route.endpoint.key_env, sources):
                for var, default in endpoint_provision(route.endpoint, sources).items():
                    out.setdefault(var, default)
    return out


def _openai_floor(options: RewriteOptions) -> str:
    deps = options.mapping.dependencies.get(options.strategy.dependency_key)
    for text in deps.add if deps else ():
        req = parse_requirement(text)
        if req is not None and req.key == "openai" and req.spec.startswith(">="):
            return req.spec
    return ">=1.40"


_OPENAI_WORD = re.compile(r"(?im)^[^#\n]*\bopenai\b")


def plan_migration(
    path: Path,
    options: RewriteOptions,
    config: ProjectConfig,
    *,
    excludes: tuple[str, ...] = (),
    jobs: int | None = None,
    show_progress: bool | None = None,
    cache: ResultCache | None = None,
    listing: ProjectListing | None = None,
) -> ProjectPlan:
    """What migrating `path` changes (its `listing` when the caller made it already).
    Reads files; writes nothing."""
    if listing is None:
        started = time.perf_counter()
        listing = list_project(path, (*config.exclude, *excludes))
        discovered = f"{len(listing.target.names)} Python file(s) under {listing.target.root}"
        phase("discover", discovered, started)
    options = dataclasses.replace(options, call_facts=True)  # the checklist reads them
    report = migrate(listing.target, options, jobs=jobs, show_progress=show_progress, cache=cache)
    code = [
        FileWrite(
            r.path,
            r.old_source,
            r.new_source,
            "code" if r.path.endswith(SOURCE_SUFFIXES) else "config",
        )
        for r in report.changed
        if r.new_source is not None
    ]
    plan = ProjectPlan(
        listing=listing, options=options, report=report, code=code, dependencies=[],
        env_templates=[], env_renames=code_env_renames(options, report.results),
        unsupported_dependencies=[], declares_openai=[], kept_openai_pin=[], cache=cache,
    )  # fmt: skip
    uses_sdk = any(u.kind != "model" for r in report.results for u in r.usages)
    if listing.is_project and uses_sdk:
        _plan_dependencies(plan, cache)
        _plan_env_templates(plan)
    return plan


def _edited(rel: str, raw: bytes, change: DependencyChange) -> EditResult:
    """A dependency file's edit, from its text as UTF-8 (a pure function: memoized)."""
    return edit_dependency_file(rel, raw.decode("utf-8"), change)


def _plan_dependencies(plan: ProjectPlan, cache: ResultCache | None = None) -> None:
    """The dependency files' edits. Parsing them (tomlkit for pyproject.toml and Pipfile)
    costs more than the rest of a cached `checklist`'s planning: the result cache keeps
    each edit, by the file's bytes and the change."""

    def edit(rel: str, text: str, change: DependencyChange) -> EditResult:
        if cache is None:
            return edit_dependency_file(rel, text, change)
        return cache.memo_with(_edited, rel, text.encode("utf-8"), change)

    options = plan.options
    declared = options.mapping.dependencies.get(options.strategy.dependency_key)
    add = [a for a in (declared.add if declared else ()) if _not_openai(a)]
    remove = list(declared.remove) if declared else []
    if any(not _not_openai(r) for r in remove) and _still_uses_openai(plan.migrated_sources):
        # A migrated file still imports openai (a client on the compatible endpoint, v0
        # code left, LangChain...): removing the package would break it.
        remove = [r for r in remove if _not_openai(r)]
    v0_kept = not options.upgrade_v0 and any(
        u.kind == "call" and u.style == "v0" for r in plan.report.results for u in r.usages
    )
    # Packages the rewritten code now imports (llama_index's OpenAI-like classes), added
    # to the lists that name openai or the library they extend.
    needed = sorted({p for r in plan.report.results for p in r.packages})
    add += [package for package, _ in needed if package not in add]
    anchors = tuple(sorted({a for _, names in needed for a in names}))
    floor = _openai_floor(options)
    with_floor = DependencyChange(add=add, remove=remove, openai_floor=floor, also_anchors=anchors)
    change = (
        DependencyChange(add=add, remove=remove, openai_floor=None, also_anchors=anchors)
        if v0_kept
        else with_floor
    )
    for rel_path in dependency_files(plan.root, plan.files):
        rel = rel_path.as_posix()
        data = plan.old_bytes(rel)
        if data is None:
            continue
        decoded = decode_text(data)
        if decoded is None:
            plan.dependency_errors.append((rel, "not UTF-8 text; update it by hand"))
            continue
        text, bom = decoded
        if _OPENAI_WORD.search(text):
            plan.declares_openai.append(rel)
        try:
            result = edit(rel, text, change)
        except Exception as exc:  # noqa: BLE001 - a file we cannot edit becomes a checklist item
            plan.dependency_errors.append((rel, f"could not be edited ({exc}); update it by hand"))
            continue
        missing = _not_added(result.new_text, change) if _OPENAI_WORD.search(text) else []
        if missing:
            # An edit the file format's library could not make must not pass unnoticed
            # (an old tomlkit once returned the file unchanged): the person does it.
            plan.dependency_errors.append(
                (rel, f"{', '.join(missing)} could not be added; update it by hand")
            )
        if result.changed:
            plan.dependencies.append(
                FileWrite(rel, data, encode_text(result.new_text, bom), "dependencies",
                          list(result.notes))
            )  # fmt: skip
        if v0_kept:
            raised = edit(rel, text, with_floor)
            if raised.new_text != result.new_text:
                plan.kept_openai_pin.append(
                    FileWrite(rel, data, encode_text(raised.new_text, bom), "dependencies",
                              list(raised.notes))
                )  # fmt: skip
    for rel_path in unsupported_dependency_files(plan.root, plan.files):
        rel = rel_path.as_posix()
        plan.unsupported_dependencies.append((rel, dependency_file_hint(plan.root, rel_path)))
        plan.declares_openai.append(rel)


def _not_added(new_text: str, change: DependencyChange) -> list[str]:
    """Requirements of `change.add` that a file declaring openai still lacks after the edit."""
    missing = []
    for requirement in change.add:
        parsed = parse_requirement(requirement)
        if parsed is None:
            continue
        name = re.escape(normalize_name(parsed.name)).replace(r"\-", "[-_.]+")
        if not re.search(rf"(?i)(?<![\w.-]){name}(?![\w-])", new_text):
            missing.append(requirement)
    return missing


# An import of openai, or of a wrapper that needs it, at the start of a line.
_IMPORTS_OPENAI = re.compile(
    rb"(?m)^[ \t]*(?:import|from)[ \t]+(?:openai|langchain_openai|llama_index\.\S*openai)\b"
)


def _still_uses_openai(sources: list[bytes]) -> bool:
    return any(_IMPORTS_OPENAI.search(data) for data in sources)


def _not_openai(requirement: str) -> bool:
    req = parse_requirement(requirement)
    return req is None or req.key != "openai"


def _plan_env_templates(plan: ProjectPlan) -> None:
    """Edit the env templates of the folders that hold migrated code: a template in a
    sub-project that does not use OpenAI (a web front end, another service) is left alone."""
    add = plan.provider_vars
    migrated = {
        folder for w in plan.code if w.kind == "code" for folder in PurePosixPath(w.path).parents
    }
    # A template whose model values the engine changed (config_files.py): the key renames
    # start from those edits, and the template is written once, as an env write.
    edited = {w.path: w for w in plan.code if w.kind == "config"}
    for rel in plan.env_template_files:
        if PurePosixPath(rel).parent not in migrated:
            continue
        data = plan.old_bytes(rel)
        if data is None:
            continue
        if rel in edited:
            plan.code.remove(edited[rel])
            plan.env_templates.append(edited[rel])
            edited[rel].kind = "env"
        decoded = decode_text(plan.new_bytes(rel) or data)
        if decoded is None:
            continue
        text, bom = decoded
        result = edit_env_template(text, plan.env_renames, add)
        if result.changed:
            plan.env_templates[:] = [w for w in plan.env_templates if w.path != rel]
            plan.env_templates.append(
                FileWrite(rel, data, encode_text(result.new_text, bom), "env", list(result.notes))
            )
