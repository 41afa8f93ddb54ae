"""`migrator apply`: plan every write, check the repository, then write and commit.

Two halves:

* `plan_migration` works out, without writing anything, what the migration changes:
  the rewritten Python files (the engine's `MigrationReport`), the dependency files and
  env templates (deps.py, envfiles.py) and what is left for the checklist. `migrator
  checklist` uses the same plan, so the checklist and what `apply` writes always agree.
* `run_apply` refuses early (not a work tree, dirty tree, no commits, branch exists, no
  author identity) so that nothing is touched before every check has passed; then it
  creates the branch, writes each file atomically, writes MIGRATION.md last, stages
  exactly those files and commits.

Interruptions: every write is atomic (`atomic.write_atomic`), so each file is old or new.
A Ctrl-C, SIGTERM or error while writing restores the files written so far (their old
bytes are in memory) and prints the two git commands that leave the new branch; the
original branch is never written to, since nothing is committed until the last step. A
hard kill (SIGKILL, power loss) cannot clean up: `git stash push --include-untracked`,
`git checkout <original>` and `git branch -D <branch>` then restore the start state.

Test-only hook: `MIGRATOR_TEST_SLOW_WRITES=<seconds>` sleeps that long after each write
and reports each written path on stderr, so a test can kill the process midway.
"""

from __future__ import annotations

import codecs
import dataclasses
import functools
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import FrameType
from typing import Literal

from migrator import gitops
from migrator.atomic import write_atomic
from migrator.checklist import CHECKLIST_MARKER
from migrator.config import ProjectConfig
from migrator.deps import (
    DependencyChange,
    dependency_file_hint,
    dependency_files,
    edit_dependency_file,
    parse_requirement,
    unsupported_dependency_files,
)
from migrator.discovery import discover, project_files, source_target
from migrator.envfiles import edit_env_template, find_env_templates
from migrator.gitops import GitError, HeadState
from migrator.migrate import MigrationReport, migrate
from migrator.model import FileResult
from migrator.rewrite import RewriteOptions

CHECKLIST_NAME = "MIGRATION.md"
SLOW_WRITES_ENV = "MIGRATOR_TEST_SLOW_WRITES"  # test-only: see the module docstring

WriteKind = Literal["code", "dependencies", "env", "checklist"]


class ApplyError(Exception):
    """A refusal before anything was written (exit 2 in the CLI)."""


class ApplyFailed(Exception):
    """A failure after the branch was created; the message says how to recover."""


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

    path: Path  # what the user gave (absolute)
    root: Path  # the folder every relative path is relative to
    options: RewriteOptions
    report: MigrationReport
    is_project: bool  # PATH is a folder: dependency/env/test files are looked at
    files: list[str]  # every project file (relative to root), tracked + untracked-not-ignored
    tracked: frozenset[str] | None  # files git tracks (None outside a work tree)
    code: list[FileWrite]
    dependencies: list[FileWrite]
    env_templates: list[FileWrite]
    env_renames: dict[str, str]  # what the code no longer reads: code_env_renames()
    unsupported_dependencies: list[tuple[str, str]]  # (path, what to do)
    declares_openai: list[str]  # dependency files naming openai
    kept_openai_pin: list[FileWrite]  # files whose openai<1 pin stays for the v0 calls
    dependency_errors: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    skipped_trees: dict[str, str] = field(default_factory=dict)  # third-party folder -> what
    _old_cache: dict[str, bytes | None] = field(default_factory=dict, repr=False)
    _write_index: tuple[tuple[int, int, int], dict[str, bytes]] = field(
        default=((-1, -1, -1), {}), repr=False
    )

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
            if _quoted_in(new, self.migrated_sources)
        }

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


# --------------------------------------------------------------------------- planning


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


def _quoted_in(name: str, sources: list[bytes]) -> bool:
    needles = (f'"{name}"'.encode(), f"'{name}'".encode())
    return any(n in data for data in sources for n in needles)


def provider_env_vars(options: RewriteOptions, sources: list[bytes]) -> dict[str, str]:
    """The provider's variables an env template should hold: name -> default value."""
    return options.strategy.provision(options.mapping, sources)


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
) -> ProjectPlan:
    """What migrating `path` changes. Reads files; writes nothing."""
    path = path.absolute()
    all_excludes = (*config.exclude, *excludes)
    is_project = path.is_dir()
    skipped: dict[str, str] = {}
    files = project_files(path, all_excludes, skipped=skipped) if is_project else []
    target = source_target(path, files) if is_project else discover(path)
    options = dataclasses.replace(options, call_facts=True)  # the checklist reads them
    report = migrate(target, options, jobs=jobs, show_progress=show_progress)
    root = target.root
    code = [
        FileWrite(r.path, r.old_source, r.new_source, "code")
        for r in report.changed
        if r.new_source is not None
    ]
    tracked = gitops.tracked_files(root) if is_project else None
    plan = ProjectPlan(
        path=path, root=root, options=options, report=report, is_project=is_project,
        files=files, tracked=tracked, code=code, dependencies=[], env_templates=[],
        env_renames=code_env_renames(options, report.results), unsupported_dependencies=[],
        declares_openai=[], kept_openai_pin=[], skipped_trees=skipped,
    )  # fmt: skip
    uses_sdk = any(u.kind != "model" for r in report.results for u in r.usages)
    if is_project and uses_sdk:
        _plan_dependencies(plan)
        _plan_env_templates(plan)
    return plan


def _plan_dependencies(plan: ProjectPlan) -> None:
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
    floor = _openai_floor(options)
    with_floor = DependencyChange(add=add, remove=remove, openai_floor=floor)
    change = DependencyChange(add=add, remove=remove, openai_floor=None) if v0_kept else with_floor
    for rel_path in dependency_files(plan.root, [Path(f) for f in plan.files]):
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
            result = edit_dependency_file(rel, text, change)
        except Exception as exc:  # noqa: BLE001 - a file we cannot edit becomes a checklist item
            plan.dependency_errors.append((rel, f"could not be edited ({exc}); update it by hand"))
            continue
        if result.changed:
            plan.dependencies.append(
                FileWrite(rel, data, encode_text(result.new_text, bom), "dependencies",
                          list(result.notes))
            )  # fmt: skip
        if v0_kept:
            raised = edit_dependency_file(rel, text, with_floor)
            if raised.new_text != result.new_text:
                plan.kept_openai_pin.append(
                    FileWrite(rel, data, encode_text(raised.new_text, bom), "dependencies",
                              list(raised.notes))
                )  # fmt: skip
    for rel_path in unsupported_dependency_files(plan.root, [Path(f) for f in plan.files]):
        rel = rel_path.as_posix()
        plan.unsupported_dependencies.append((rel, dependency_file_hint(plan.root, rel_path)))
        plan.declares_openai.append(rel)


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
    migrated = {folder for w in plan.code for folder in PurePosixPath(w.path).parents}
    for rel_path in find_env_templates(Path(f) for f in plan.files):
        rel = rel_path.as_posix()
        if PurePosixPath(rel).parent not in migrated:
            continue
        data = plan.old_bytes(rel)
        if data is None:
            continue
        decoded = decode_text(data)
        if decoded is None:
            continue
        text, bom = decoded
        result = edit_env_template(text, plan.env_renames, add)
        if result.changed:
            plan.env_templates.append(
                FileWrite(rel, data, encode_text(result.new_text, bom), "env", list(result.notes))
            )


# --------------------------------------------------------------------------- apply


@dataclass
class ApplySettings:
    branch: str | None = None
    allow_dirty: bool = False
    in_place: bool = False
    commit: bool = True


@dataclass
class GitContext:
    repo: Path
    head: HeadState
    dirty: list[str]

    @property
    def base(self) -> str:
        """What the user was on: a branch name, or the commit of a detached HEAD."""
        if self.head.branch is not None:
            return self.head.branch
        assert self.head.commit is not None
        return self.head.commit


@dataclass
class ApplyOutcome:
    plan: ProjectPlan
    written: list[str]  # paths relative to `top`
    top: Path  # where MIGRATION.md went (repo root, or the plan root)
    checklist_path: str | None
    checklist_counts: dict[str, int]
    git: GitContext | None
    branch: str | None
    commit: str | None
    nothing_to_do: bool = False


def default_branch(provider_id: str) -> str:
    return f"migrator/openai-to-{provider_id}"


def check_repository(path: Path, settings: ApplySettings) -> GitContext | None:
    """The refusals that need no plan: not a work tree, no commits, dirty tree."""
    if settings.in_place:
        return None
    repo = gitops.find_repo(path)
    if repo is None:
        raise ApplyError(
            f"{path} is not inside a git work tree: apply writes the migration on a new "
            "branch. Run it inside a repository, or pass --in-place to write the files "
            "without git."
        )
    head = gitops.head_state(repo)
    if head.commit is None:
        raise ApplyError(
            f"the repository at {repo} has no commits yet: apply branches from HEAD. Make a "
            "first commit, or pass --in-place."
        )
    dirty = gitops.dirty_files(repo)
    staged = gitops.staged_files(repo)
    if staged and settings.allow_dirty and settings.commit:
        shown = "\n".join(f"  {name}" for name in staged[:20])
        more = f"\n  ... and {len(staged) - 20} more" if len(staged) > 20 else ""
        raise ApplyError(
            f"these changes are staged and would end up in the migration commit:\n{shown}{more}\n"
            "Commit them first, or unstage them (git restore --staged PATH), or pass "
            "--no-commit."
        )
    if dirty and not settings.allow_dirty:
        shown = "\n".join(f"  {name}" for name in dirty[:20])
        more = f"\n  ... and {len(dirty) - 20} more" if len(dirty) > 20 else ""
        raise ApplyError(
            f"the work tree has uncommitted changes:\n{shown}{more}\n"
            "Commit or stash them first (git stash push --include-untracked), or pass "
            "--allow-dirty to migrate on top of them."
        )
    return GitContext(repo, head, dirty)


def check_writable(top: Path, writes: list[FileWrite]) -> None:
    """Refuse before anything is written: apply never writes through a symlink."""
    links = [w.path for w in writes if (top / w.path).is_symlink()]
    if links:
        raise ApplyError(
            "these files are symlinks, which apply does not write through: "
            + ", ".join(links)
            + ". Exclude them (--exclude) and migrate the files they point to."
        )


def check_branch(git: GitContext, name: str, commit: bool) -> None:
    """Refusals that must come before the branch is created."""
    if gitops.branch_exists(git.repo, name):
        hint = f"delete it (git branch -D {name}) or pass --branch NAME"
        if git.head.branch == name:
            hint = (
                "you are on it: the migration found changes to make on top of it. Pass "
                "--branch NAME for a new branch, or --in-place to edit this one"
            )
        raise ApplyError(f"branch {name!r} already exists; {hint}.")
    if commit and not gitops.has_author_identity(git.repo):
        raise ApplyError(
            "git has no author identity, so the migration cannot be committed. Set one:\n"
            "  git config user.name 'Your Name'\n"
            "  git config user.email you@example.com\n"
            "(add --global for every repository), or pass --no-commit."
        )


def checklist_target(top: Path) -> str:
    """MIGRATION.md, unless a MIGRATION.md of the user's is there already."""
    existing = top / CHECKLIST_NAME
    try:
        head = existing.read_bytes()[:200]
    except OSError:
        return CHECKLIST_NAME
    if head.lstrip(codecs.BOM_UTF8).startswith(CHECKLIST_MARKER.encode()):
        return CHECKLIST_NAME
    return "MIGRATION.migrator.md"


def _slow_writes() -> float:
    raw = os.environ.get(SLOW_WRITES_ENV)
    if not raw:
        return 0.0
    try:
        return max(0.0, float(raw))
    except ValueError:
        return 0.0


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt while files are written, so it cleans up too."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_apply(
    plan: ProjectPlan,
    git: GitContext | None,
    settings: ApplySettings,
    render_checklist: Callable[[ProjectPlan, str], tuple[bytes, dict[str, int]]],
    *,
    log: Callable[[str], None] = lambda _: None,
) -> ApplyOutcome:
    """Write the plan (on a new branch unless in place) and commit it.

    `render_checklist(plan, link_prefix)` gives MIGRATION.md's bytes and its counts by
    severity. Raises ApplyError before anything is touched, ApplyFailed after.
    """
    top = git.repo if git is not None else (gitops.find_repo(plan.root) or plan.root)
    branch = settings.branch or default_branch(plan.options.mapping.id)
    if not plan.changed:
        return ApplyOutcome(plan, [], top, None, {}, git, None, None, nothing_to_do=True)
    if git is not None:
        check_branch(git, branch, settings.commit)
    prefix = os.path.relpath(plan.root.resolve(), top.resolve()).replace(os.sep, "/")
    prefix = "" if prefix == "." else prefix + "/"
    checklist_name = checklist_target(top)
    checklist_bytes, counts = render_checklist(plan, prefix)
    writes = [FileWrite(prefix + w.path, w.old, w.new, w.kind, w.notes) for w in plan.writes]
    old_checklist = _read(top / checklist_name)
    if old_checklist != checklist_bytes:
        writes.append(FileWrite(checklist_name, old_checklist, checklist_bytes, "checklist"))
    check_writable(top, writes)

    if git is not None:
        try:
            gitops.create_branch(git.repo, branch)
        except GitError as exc:
            raise ApplyError(str(exc)) from exc
    written: list[FileWrite] = []
    delay = _slow_writes()
    try:
        with _sigterm_as_interrupt():
            for write in writes:
                write_atomic(top / write.path, write.new, root=top)
                written.append(write)
                if delay:
                    print(f"migrator: test hook: wrote {write.path}", file=sys.stderr, flush=True)
                    time.sleep(delay)
    except BaseException as exc:
        message = _recover(top, git, branch, written)
        if isinstance(exc, KeyboardInterrupt):
            log(message)
            raise
        raise ApplyFailed(f"{type(exc).__name__}: {exc}\n{message}") from exc

    sha: str | None = None
    if git is not None:
        try:
            gitops.stage(git.repo, [top / w.path for w in writes])
            if settings.commit:
                sha = gitops.commit(git.repo, commit_message(plan, counts, checklist_name))
        except GitError as exc:
            raise ApplyFailed(
                f"{exc}\nThe migration is written and staged on branch {branch}. Fix the "
                "problem and run `git commit`, or go back to where you were:\n"
                + _leave_commands(git, branch, stash=True)
            ) from exc
    return ApplyOutcome(
        plan, [w.path for w in writes], top, checklist_name, counts, git, branch, sha
    )


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _leave_commands(git: GitContext, branch: str, *, stash: bool) -> str:
    lines = []
    if stash:
        lines.append('  git stash push --include-untracked -m "migrator: partial apply"')
    lines.append(f"  git checkout {git.base}")
    lines.append(f"  git branch -D {branch}")
    return "\n".join(lines)


def _recover(top: Path, git: GitContext | None, branch: str, written: list[FileWrite]) -> str:
    """Put back the old bytes of every file written so far; say what to do next."""
    failed: list[str] = []
    for write in reversed(written):
        try:
            if write.old is None:
                (top / write.path).unlink(missing_ok=True)
            else:
                write_atomic(top / write.path, write.old, root=top)
        except BaseException:  # noqa: BLE001 - keep restoring the others; reported below
            failed.append(write.path)
    if not failed:
        state = (
            f"apply stopped before committing; the {len(written)} file(s) written so far "
            "were restored, so the work tree is as it was."
        )
        if git is None:
            return state
        return (
            f"{state}\nBranch {branch} was created for the migration; to go back to where "
            f"you were:\n{_leave_commands(git, branch, stash=False)}"
        )
    shown = ", ".join(failed)
    state = (
        f"apply stopped before committing; these files could not be restored: {shown} "
        "(each file holds either its old or its new content)."
    )
    if git is None:
        return state
    if git.dirty:
        return (
            f"{state}\nYou are on branch {branch}. Your earlier uncommitted changes are still "
            f"in the work tree; check the files above, then:\n"
            f"  git checkout {git.base}\n  git branch -D {branch}"
        )
    return f"{state}\nTo go back to where you were:\n{_leave_commands(git, branch, stash=True)}"


def commit_message(plan: ProjectPlan, counts: dict[str, int], checklist_name: str) -> str:
    mapping = plan.options.mapping
    report = plan.report
    lines = [
        f"Migrate from OpenAI to {mapping.name} ({plan.options.strategy})",
        "",
        f"`migrator apply --to {mapping.id} --strategy {plan.options.strategy}`:",
        f"- Python files rewritten: {len(plan.code)} ({report.edits} edits)",
    ]
    if plan.dependencies:
        lines.append("- dependency files updated: " + ", ".join(w.path for w in plan.dependencies))
    if plan.env_templates:
        lines.append("- env templates updated: " + ", ".join(w.path for w in plan.env_templates))
    lines.append(
        f"- checklist items: {counts.get('error', 0)} error, {counts.get('warning', 0)} "
        f"warning, {counts.get('info', 0)} info"
    )
    if report.errors:
        lines.append(f"- files skipped (could not be parsed): {len(report.errors)}")
    lines += ["", f"See {checklist_name} for what a person must still do and review."]
    return "\n".join(lines) + "\n"
