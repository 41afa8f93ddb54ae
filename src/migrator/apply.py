"""`migrator apply`: plan every write, check the repository, then write and commit.

Two halves:

* `plan_migration` (apply_plan.py) works out, without writing anything, what the
  migration changes: the rewritten Python files (the engine's `MigrationReport`), the
  dependency files and env templates (deps.py, envfiles.py) and what is left for the
  checklist. `migrator checklist` uses the same plan, so the checklist and what `apply`
  writes always agree. Its names are re-exported here.
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
import os
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from migrator import gitops
from migrator.apply_plan import (
    FileWrite,
    ProjectPlan,
    WriteKind,
    code_env_renames,
    decode_text,
    encode_text,
    env_renames_for,
    plan_migration,
    provider_env_vars,
)
from migrator.atomic import write_atomic
from migrator.checklist import CHECKLIST_MARKER
from migrator.gitops import GitError, HeadState

__all__ = [
    "CHECKLIST_NAME",
    "SLOW_WRITES_ENV",
    "ApplyError",
    "ApplyFailed",
    "ApplyOutcome",
    "ApplySettings",
    "FileWrite",
    "GitContext",
    "ProjectPlan",
    "WriteKind",
    "check_branch",
    "check_repository",
    "check_writable",
    "checklist_target",
    "code_env_renames",
    "commit_message",
    "decode_text",
    "default_branch",
    "encode_text",
    "env_renames_for",
    "plan_migration",
    "provider_env_vars",
    "run_apply",
]

CHECKLIST_NAME = "MIGRATION.md"
SLOW_WRITES_ENV = "MIGRATOR_TEST_SLOW_WRITES"  # test-only: see the module docstring


class ApplyError(Exception):
    """A refusal before anything was written (exit 2 in the CLI)."""


class ApplyFailed(Exception):
    """A failure after the branch was created; the message says how to recover."""


@dataclass
class ApplySettings:
    """The choices `apply` is given on the command line."""

    branch: str | None = None
    allow_dirty: bool = False
    in_place: bool = False
    commit: bool = True
    force: bool = False  # write read-only files too (their mode bits are kept)


@dataclass
class GitContext:
    """The repository `apply` works in, as it found it before writing: HEAD and the dirty
    files."""

    repo: Path
    head: HeadState
    dirty: list[str]
    branch: str  # the branch apply creates
    branch_exists: bool  # whether it exists already (check_branch refuses then)

    @property
    def base(self) -> str:
        """What the user was on: a branch name, or the commit of a detached HEAD."""
        if self.head.branch is not None:
            return self.head.branch
        assert self.head.commit is not None
        return self.head.commit


@dataclass
class ApplyOutcome:
    """What `apply` did: the files written, where the checklist went, the branch and
    commit."""

    plan: ProjectPlan
    written: list[str]  # paths relative to `top`
    top: Path  # where MIGRATION.md went (repo root, or the plan root)
    checklist_path: str | None
    checklist_counts: dict[str, int]
    git: GitContext | None
    branch: str | None
    commit: str | None
    nothing_to_do: bool = False
    # files written that git ignores (repo-relative): left out of what is staged
    ignored: list[str] = field(default_factory=list)


def default_branch(provider_id: str) -> str:
    return f"migrator/openai-to-{provider_id}"


def check_repository(path: Path, settings: ApplySettings, branch: str) -> GitContext | None:
    """The refusals that need no plan: not a work tree, no commits, dirty tree. Whether
    `branch` (the one to create) exists is asked at the same time (see `check_branch`)."""
    if settings.in_place:
        return None
    found = gitops.repo_and_branch(path, branch)
    if found is None:
        raise ApplyError(
            f"{path} is not inside a git work tree: apply writes the migration on a new "
            "branch. Run it inside a repository, or pass --in-place to write the files "
            "without git."
        )
    repo, branch_exists = found
    state = gitops.work_tree_state(repo)
    head, dirty = state.head, state.dirty
    if head.commit is None:
        raise ApplyError(
            f"the repository at {repo} has no commits yet: apply branches from HEAD. Make a "
            "first commit, or pass --in-place."
        )
    staged = state.staged
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
    return GitContext(repo, head, dirty, branch, branch_exists)


def check_writable(top: Path, writes: list[FileWrite], *, force: bool = False) -> None:
    """Refuse before anything is written: apply never writes through a symlink, nor
    (unless forced) over a file its owner made read-only."""
    links = [w.path for w in writes if (top / w.path).is_symlink()]
    if links:
        raise ApplyError(
            "these files are symlinks, which apply does not write through: "
            + ", ".join(links)
            + ". Exclude them (--exclude) and migrate the files they point to."
        )
    locked = [w.path for w in writes if _read_only(top / w.path)]
    if locked and not force:
        raise ApplyError(
            "these files are read-only: "
            + ", ".join(locked)
            + ". Nothing was written. Make them writable, exclude them (--exclude), or pass "
            "--force to rewrite them (they stay read-only)."
        )


def _read_only(path: Path) -> bool:
    """No write bit at all (root could write it anyway: the owner's intent is what counts)."""
    try:
        return stat.S_IMODE(path.stat().st_mode) & 0o222 == 0
    except OSError:  # a file that does not exist yet
        return False


def check_branch(git: GitContext, commit: bool) -> None:
    """Refusals that must come before the branch (`git.branch`) is created."""
    name = git.branch
    if git.branch_exists:
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
    branch = (
        git.branch
        if git is not None
        else settings.branch or default_branch(plan.options.mapping.id)
    )
    if not plan.changed:
        return ApplyOutcome(plan, [], top, None, {}, git, None, None, nothing_to_do=True)
    if git is not None:
        check_branch(git, settings.commit)
    prefix = os.path.relpath(plan.root.resolve(), top.resolve()).replace(os.sep, "/")
    prefix = "" if prefix == "." else prefix + "/"
    checklist_name = checklist_target(top)
    checklist_bytes, counts = render_checklist(plan, prefix)
    writes = [FileWrite(prefix + w.path, w.old, w.new, w.kind, w.notes) for w in plan.writes]
    old_checklist = _read(top / checklist_name)
    if old_checklist != checklist_bytes:
        writes.append(FileWrite(checklist_name, old_checklist, checklist_bytes, "checklist"))
    check_writable(top, writes, force=settings.force)

    if git is not None:
        try:
            gitops.create_branch(git.repo, branch, git.head)
        except GitError as exc:
            raise ApplyError(str(exc)) from exc
    written: list[FileWrite] = []
    delay = _slow_writes()
    try:
        with _sigterm_as_interrupt():
            for write in writes:
                if _read(top / write.path) != write.old:
                    raise FileChangedError(
                        f"{write.path} was changed or deleted while apply ran; nothing of it "
                        "was overwritten"
                    )
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
    ignored: list[str] = []
    if git is not None:
        try:
            ignored = gitops.stage(
                git.repo, [top / w.path for w in writes], _tracked(plan, prefix, writes)
            )
            if settings.commit:
                message = commit_message(plan, counts, checklist_name)
                # (check_branch checked the identity before the branch was made)
                sha = gitops.commit(git.repo, message, identity_checked=True)
        except GitError as exc:
            raise ApplyFailed(
                f"{exc}\nThe migration is written and staged on branch {branch}. Fix the "
                "problem and run `git commit`, or go back to where you were:\n"
                + _leave_commands(git, branch, stash=True)
            ) from exc
    return ApplyOutcome(
        plan, [w.path for w in writes], top, checklist_name, counts, git, branch, sha,
        ignored=ignored,
    )  # fmt: skip


def _tracked(plan: ProjectPlan, prefix: str, writes: list[FileWrite]) -> set[str]:
    """Which of `writes` (repo-relative) git tracks, from the listing (`plan.tracked`,
    relative to the plan's root); a file outside that root is not known to be."""
    if plan.tracked is None:
        return set()
    return {
        w.path
        for w in writes
        if w.path.startswith(prefix) and w.path[len(prefix) :] in plan.tracked
    }


class FileChangedError(RuntimeError):
    """A file apply planned to write is no longer what it read (another process)."""


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
        f"- Python files rewritten: {sum(w.kind == 'code' for w in plan.code)} "
        f"({report.edits} edits)",
    ]
    configs = [w.path for w in plan.code if w.kind == "config"]
    if configs:
        lines.append("- configuration files updated: " + ", ".join(configs))
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
