"""A small wrapper over the `git` command line (no GitPython): what `migrator apply` needs.

Every function takes the work tree's top folder (`find_repo`) and runs `git -C repo ...`.
Failures raise `GitError` whose message names the git command and quotes git's own
explanation, so the CLI can print it as it is. Paths come back relative to the repo (or to
the folder asked about) in git's `/` form, read with -z so that odd file names survive.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "GitError",
    "HeadState",
    "branch_exists",
    "checkout",
    "commit",
    "create_branch",
    "find_repo",
    "has_author_identity",
    "head_state",
    "is_ignored",
    "listed_files",
    "repo_and_branch",
    "stage",
    "work_tree_state",
]


class GitError(Exception):
    """A git command failed, or the repository is not in a state we can work with."""


@dataclass(frozen=True)
class HeadState:
    """Where HEAD is. `commit` is None in a repo without commits; `branch` None when detached."""

    branch: str | None
    commit: str | None
    detached: bool


def _git(
    repo: Path | str,
    *args: str,
    input: bytes | None = None,
    ok: Sequence[int] = (0,),
) -> subprocess.CompletedProcess[bytes]:
    cmd = ["git", "-C", os.fspath(repo), *args]
    env = dict(os.environ)
    # Never wait for a credential prompt: apply may run unattended.
    env["GIT_TERMINAL_PROMPT"] = "0"
    try:
        proc = subprocess.run(cmd, input=input, capture_output=True, env=env, check=False)
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH") from exc
    if proc.returncode not in ok:
        detail = os.fsdecode(proc.stderr).strip() or os.fsdecode(proc.stdout).strip()
        shown = " ".join(args)
        raise GitError(f"`git {shown}` failed (exit {proc.returncode}): {detail or 'no output'}")
    return proc


def _out(proc: subprocess.CompletedProcess[bytes]) -> str:
    return os.fsdecode(proc.stdout).strip()


def _split_z(data: bytes) -> list[str]:
    return [os.fsdecode(item) for item in data.split(b"\0") if item]


def find_repo(path: Path | str) -> Path | None:
    """The top folder of the work tree holding `path` (a file or folder), or None."""
    found = _top(path)
    return None if found is None else found[0]


def repo_and_branch(path: Path | str, branch: str) -> tuple[Path, bool] | None:
    """`find_repo(path)`, and whether branch `branch` exists in that repository: the
    `rev-parse` that finds the top answers both (`show-ref` was a process more)."""
    found = _top(path, "--verify", "-q", f"refs/heads/{branch}")
    if found is None:
        return None
    top, lines = found
    return top, len(lines) > 2  # (the branch's commit follows the top when it exists)


def _top(path: Path | str, *verify: str) -> tuple[Path, list[str]] | None:
    """The work tree's top folder and what `rev-parse` printed (`verify`: a ref to look
    up as well), or None outside a work tree."""
    start = Path(path)
    if not start.is_dir():
        start = start.parent
    if not start.is_dir():
        return None
    try:
        proc = _git(
            start, "rev-parse", "--is-inside-work-tree", "--show-toplevel", *verify,
            ok=(0, 1, 128),
        )  # fmt: skip
    except GitError:
        return None
    lines = os.fsdecode(proc.stdout).splitlines()
    if proc.returncode == 128 or len(lines) < 2 or lines[0].strip() != "true":
        return None
    return Path(lines[1]), lines


def head_state(repo: Path) -> HeadState:
    """Branch (None when detached) and commit (None before the first commit) of HEAD."""
    ref = _git(repo, "symbolic-ref", "-q", "--short", "HEAD", ok=(0, 1))
    branch = _out(ref) if ref.returncode == 0 else None
    rev = _git(repo, "rev-parse", "-q", "--verify", "HEAD^{commit}", ok=(0, 1, 128))
    commit = _out(rev) if rev.returncode == 0 and _out(rev) else None
    return HeadState(branch=branch, commit=commit, detached=branch is None)


@dataclass(frozen=True)
class WorkTreeState:
    """What `apply` checks before it plans: HEAD, the dirty files (modified, staged,
    deleted and untracked but not ignored; untracked folders file by file) and those of
    them with staged changes (what `git commit` would take). Both lists are sorted and
    name both paths of a staged rename."""

    head: HeadState
    dirty: list[str]
    staged: list[str]


def work_tree_state(repo: Path) -> WorkTreeState:
    """HEAD, dirty and staged files from one `git status` (porcelain v2 with its branch
    headers), where asking `symbolic-ref`, `rev-parse`, `status` and `diff --cached`
    took four processes.

    A branch literally named "(detached)" reads as a detached HEAD (git prints the same
    header for both): apply then names the commit rather than the branch."""
    data = _git(
        repo, "status", "--porcelain=v2", "--branch", "--no-ahead-behind", "-z",
        "--untracked-files=all",
    ).stdout  # fmt: skip
    items = data.split(b"\0")
    branch: str | None = None
    commit: str | None = None
    dirty: set[str] = set()
    staged: set[str] = set()
    i = 0
    while i < len(items):
        entry = items[i]
        i += 1
        kind = entry[:2]
        if entry.startswith(b"# branch.head "):
            name = os.fsdecode(entry[len(b"# branch.head ") :])
            branch = None if name == "(detached)" else name
        elif entry.startswith(b"# branch.oid "):
            oid = os.fsdecode(entry[len(b"# branch.oid ") :])
            commit = None if oid == "(initial)" else oid
        elif kind == b"? ":
            dirty.add(os.fsdecode(entry[2:]))
        elif kind in (b"1 ", b"2 ", b"u "):
            # ordinary, renamed or copied (the old name follows), unmerged: the path comes
            # after 8, 9 and 10 space-separated fields
            fields = {b"1 ": 8, b"2 ": 9, b"u ": 10}[kind]
            names = [os.fsdecode(entry.split(b" ", fields)[fields])]
            if kind == b"2 ":
                names.append(os.fsdecode(items[i]))
                i += 1
            dirty.update(names)
            if entry[2:3] != b".":  # the index side changed (an unmerged path: U)
                staged.update(names)
    head = HeadState(branch=branch, commit=commit, detached=branch is None)
    return WorkTreeState(head, sorted(dirty), sorted(staged))


def _relpath(repo: Path, path: Path | str) -> str:
    """`path` relative to the repo top in `/` form; relative input is taken as repo-relative."""
    p = Path(path)
    if p.is_absolute():
        top = Path(repo).resolve()
        try:
            p = p.resolve().relative_to(top)
        except ValueError as exc:
            raise GitError(f"{path} is outside the repository {repo}") from exc
    return p.as_posix() or "."


def branch_exists(repo: Path, name: str) -> bool:
    proc = _git(repo, "show-ref", "--verify", "--quiet", f"refs/heads/{name}", ok=(0, 1))
    return proc.returncode == 0


def create_branch(repo: Path, name: str, head: HeadState | None = None) -> None:
    """Create branch `name` at HEAD and check it out (also from a detached HEAD).

    `head` is HEAD as the caller found it (apply checks it first): a branch made from a
    repository without commits is refused, and asking git again costs two processes.
    Why `git checkout -b` failed is asked only when it fails."""
    if (head or head_state(repo)).commit is None:
        raise GitError(
            f"the repository at {repo} has no commits yet; make a first commit, or use --in-place"
        )
    made = _git(repo, "checkout", "-q", "-b", name, ok=(0, 1, 128))
    if made.returncode == 0:
        return
    check = _git(repo, "check-ref-format", "--branch", name, ok=(0, 1, 128))
    if check.returncode != 0:
        raise GitError(f"{name!r} is not a valid branch name")
    if branch_exists(repo, name):
        raise GitError(f"branch {name!r} already exists; delete it or pass another --branch")
    detail = os.fsdecode(made.stderr).strip() or "no output"
    raise GitError(f"`git checkout -q -b {name}` failed (exit {made.returncode}): {detail}")


def checkout(repo: Path, ref: str) -> None:
    _git(repo, "checkout", "-q", ref, "--")


def stage(
    repo: Path, paths: Iterable[Path | str], tracked: Collection[str] = frozenset()
) -> list[str]:
    """Stage the given files (new, changed or deleted) as `git add` would. Paths are
    literal, not globs; `tracked` names (repo-relative) those among them git tracks.

    A tracked file is staged by `update-index`, which reads only the files named: `git
    add` also reads every folder holding one (20 of a cached `apply`'s 340 ms on the
    10,000-file tree). It runs the same clean filters and line-ending rules, and no
    ignore rule applies to a tracked file. The others go to `git add`, which checks them.

    A new file git ignores (a .gitignore naming MIGRATION.md, or `.env*`) is left out
    rather than forced in: the ignored files are returned, repo-relative. `git add`
    refuses such a path (and stages the others); which paths it refused is asked only
    then, of `check-ignore` (git's message names them in the user's language)."""
    names = [_relpath(repo, p) for p in paths]
    known = [name for name in names if name in tracked]
    if known:
        _git(repo, "update-index", "--add", "--remove", "-z", "--stdin", input=_joined(known))
    names = [name for name in names if name not in tracked]
    if not names:
        return []
    made = _add(repo, names)
    if made.returncode == 0:
        return []
    check = _git(repo, "check-ignore", "-z", "--stdin", input=_joined(names), ok=(0, 1))
    ignored = set(_split_z(check.stdout))
    if not ignored:
        raise _add_failed(made)
    rest = [name for name in names if name not in ignored]
    if rest and (again := _add(repo, rest)).returncode != 0:
        raise _add_failed(again)
    return sorted(ignored)


def _joined(names: Iterable[str]) -> bytes:
    """`names` for a `-z --stdin` or `--pathspec-file-nul` reader."""
    return b"\0".join(os.fsencode(name) for name in names)


def _add(repo: Path, names: Sequence[str]) -> subprocess.CompletedProcess[bytes]:
    """`git add` the literal `names`; the caller reads how it went."""
    return _git(
        repo, "add", "-A", "--pathspec-from-file=-", "--pathspec-file-nul",
        input=_joined(f":(literal){name}" for name in names), ok=(0, 1, 128),
    )  # fmt: skip


def _add_failed(made: subprocess.CompletedProcess[bytes]) -> GitError:
    detail = os.fsdecode(made.stderr).strip() or "no output"
    return GitError(f"`git add` failed (exit {made.returncode}): {detail}")


def has_author_identity(repo: Path) -> bool:
    """Whether `git commit` would find an author and committer (config, env or autodetect)."""
    for var in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
        if _git(repo, "var", var, ok=(0, 1, 128)).returncode != 0:
            return False
    return True


def commit(repo: Path, message: str, *, identity_checked: bool = False) -> str:
    """Commit what is staged with `message`; return the new commit's sha.

    Checks the author identity first (unless the caller just did) so that a missing
    user.name/user.email gives one clear error instead of git's multi-line advice. Hooks
    run as they would for the user.
    """
    if not identity_checked and not has_author_identity(repo):
        raise GitError(
            "git has no author identity: run git config user.name 'Your Name' and "
            "git config user.email you@example.com (add --global for every repository)"
        )
    # Whether anything is staged is asked only when the commit fails (a process fewer).
    made = _git(repo, "commit", "-q", "-F", "-", input=message.encode("utf-8"), ok=(0, 1))
    if made.returncode != 0:
        if _git(repo, "diff", "--cached", "--quiet", ok=(0, 1)).returncode == 0:
            raise GitError("nothing staged to commit")
        detail = os.fsdecode(made.stderr).strip() or os.fsdecode(made.stdout).strip()
        raise GitError(f"`git commit -q -F -` failed (exit 1): {detail or 'no output'}")
    return _out(_git(repo, "rev-parse", "HEAD"))


def is_ignored(repo: Path, path: Path | str) -> bool:
    """Whether git ignores `path` (tracked files never count as ignored)."""
    proc = _git(repo, "check-ignore", "-q", "--", _relpath(repo, path), ok=(0, 1))
    return proc.returncode == 0


def listed_files(folder: Path) -> tuple[list[str], frozenset[str]]:
    """What git tracks or would add (tracked + untracked not ignored) below `folder`,
    relative to it with `/`, sorted and each once; and which of them git tracks. One
    `ls-files -t`, whose tag tells a tracked entry (H, or S when skip-worktree) from an
    untracked one (?): asking `ls-files --cached` for the tracked files took a second
    process. Index entries missing from disk are listed (callers check each file)."""
    data = _git(
        folder, "ls-files", "-t", "--cached", "--others", "--exclude-standard", "-z", "--", "."
    ).stdout
    names: set[str] = set()
    tracked: set[str] = set()
    for item in data.split(b"\0"):
        if not item:
            continue
        name = os.fsdecode(item[2:])
        names.add(name)
        if item[:1] != b"?":
            tracked.add(name)
    return sorted(names), frozenset(tracked)
