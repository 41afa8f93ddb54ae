"""Which files of a target make up the run.

Inside a git work tree we ask git (tracked plus untracked-but-not-ignored files), so
the user's .gitignore decides; elsewhere we walk. Either way virtualenvs, installed
packages, build output and VCS folders are skipped, `--exclude` globs and
`[tool.migrator] exclude` apply, and no symlink is followed out of the root.

Third-party code kept in the repository is not the project's to migrate: a vendored copy
of the openai SDK (an `openai/` package with the SDK's `_client.py` or `api_resources/`),
folders named `vendor/`, `_vendor/`, `third_party/`..., and `external/` / `extern/`
projects with a setup of their own. They are skipped and reported (`skipped`); an
exclude pattern starting with `!` (`--exclude '!vendor'`) brings one back.
"""

from __future__ import annotations

import fnmatch
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Generic, NamedTuple, TypeVar

from migrator import gitops
from migrator.file_stamps import NO_STAMP, Stamp, packed_stamp, unpacked_stamps
from migrator.gitops import GitError

_T = TypeVar("_T")

SKIP_DIR_NAMES = frozenset(
    {
        ".git", ".hg", ".svn", "node_modules", "site-packages", "dist-packages",
        "__pycache__", "build", "dist", ".venv", "venv", ".tox", ".nox", ".eggs",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints",
    }
)  # fmt: skip
# Notebooks are read as Python too (notebook.py): their code cells as one module.
SOURCE_SUFFIXES = (".py", ".ipynb")
THIRD_PARTY_DIR_NAMES = frozenset(
    {"vendor", "vendored", "_vendor", "third_party", "thirdparty", "third-party"}
)
_EXTERNAL_DIR_NAMES = frozenset({"external", "externals", "extern"})
_OWN_SETUP = ("setup.py", "pyproject.toml", "setup.cfg")


def is_test_file(rel: str) -> bool:
    """A test module or fixture (`tests/...`, `test_x.py`, `x_test.py`, `conftest.py`)."""
    *folders, name = rel.split("/")
    return (
        name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
        or any(p in ("tests", "test", "testing") for p in folders)
    )


@dataclass(frozen=True)
class Target:
    """The root that report paths are relative to, and the files to look at."""

    root: Path
    # The files to look at, relative to root with `/`, sorted. Kept as names, made into
    # paths when asked for: a large tree lists 100,000 of them, and a Path object costs
    # some 300 bytes more than its name (28 MB of a 100,000-file run).
    names: tuple[str, ...]
    # every project file relative to root (configuration read by the code among them);
    # empty for a single file
    project: tuple[str, ...] = ()
    # The stamp (file_stamps.py) discovery's `lstat` took of each file of the listing
    # (`project`, or `names` without one), packed: as tuples, 100,000 stamps would cost
    # some 18 MB. Empty when none was taken. The records that look for changed files
    # (run_record.py, report_memo.py, the prefilter's and the checklist's indexes) read
    # these instead of a `stat` each: a cached run stat'ed every file up to three times.
    stamps: bytes = field(default=b"", compare=False, repr=False)
    # when discovery started: a stamp is trusted only for a file settled before then
    stamped_ns: int = 0

    @property
    def files(self) -> list[Path]:
        """The files to look at as absolute paths, in `names` order."""
        return [self.root / name for name in self.names]

    def listing_stamps(self) -> Iterator[tuple[str, Stamp | None]]:
        """Each file of the listing with discovery's stamp of it; None where it took none
        (a link, whose stamp is its target's): the caller `stat`s that file itself."""
        return unpacked_stamps(self.project or self.names, self.stamps)

    def name_stamps(self) -> Iterator[tuple[str, Stamp | None]]:
        """`names` with their stamps, as `listing_stamps`."""
        return self.stamps_of(self.names)

    def stamps_of(self, wanted: Iterable[str]) -> Iterator[tuple[str, Stamp | None]]:
        """Each of `wanted` (sorted as the listing is) with its stamp, as
        `listing_stamps`; None for a name the listing does not hold."""
        names = iter(wanted)
        name = next(names, None)
        listed = self.listing_stamps()
        for rel, stamp in listed:  # one walk beside the listing: both are sorted
            while name is not None and name < rel:
                yield name, None
                name = next(names, None)
            if name is None:
                break
            if rel == name:
                yield rel, stamp
                name = next(names, None)
        while name is not None:
            yield name, None
            name = next(names, None)

    def settled_since(self, started_ns: int) -> int:
        """The start a run's stamps are judged by: its own, or discovery's when earlier
        (a stamp taken before the run started must be settled before it was taken)."""
        return min(started_ns, self.stamped_ns) if self.stamps else started_ns


def discover(
    path: Path, excludes: Sequence[str] = (), skipped: dict[str, str] | None = None
) -> Target:
    """Python files under `path` (a directory or a single file) that migrator should read.
    Third-party trees left out are added to `skipped` (see `project_files`)."""
    path = path.absolute()
    if _is_file(path):
        return Target(path.parent, (path.name,))
    listed = project_files_and_tracked(path, excludes, skipped=skipped)
    return source_target(path, listed.files, listed.stamps, listed.stamped_ns)


@dataclass(frozen=True)
class ProjectListing:
    """What `apply` and `checklist` migrate: a project folder (every file of it, and its
    Python files as a Target), or a single file (no project files)."""

    path: Path  # absolute
    is_project: bool
    files: list[str]
    target: Target
    skipped: dict[str, str]  # third-party trees left out (see `project_files`)
    tracked: frozenset[str] | None = None  # files git tracks (None outside a work tree)


def list_project(path: Path, excludes: Sequence[str] = ()) -> ProjectListing:
    """The listing `apply` and `checklist` work from."""
    path = path.absolute()
    is_project = path.is_dir()
    skipped: dict[str, str] = {}
    if not is_project:
        return ProjectListing(path, is_project, [], discover(path), skipped)
    listed = project_files_and_tracked(path, excludes, skipped=skipped)
    target = source_target(path, listed.files, listed.stamps, listed.stamped_ns)
    return ProjectListing(path, is_project, listed.files, target, skipped, listed.tracked)


def source_target(
    root: Path, files: Sequence[str], stamps: bytes = b"", stamped_ns: int = 0
) -> Target:
    """The Python files among `files` (project_files of `root`, whose packed `stamps`
    discovery took from `stamped_ns`): for a caller that needs the whole project listing
    too, so that it is made once."""
    names = tuple(rel for rel in files if rel.endswith(SOURCE_SUFFIXES))
    return Target(root, names, tuple(files), stamps, stamped_ns)


class Listed(NamedTuple):
    """`project_files_and_tracked`'s answer."""

    files: list[str]
    tracked: frozenset[str] | None  # None outside a work tree
    stamps: bytes  # each file's stamp, packed (see Target.stamps)
    stamped_ns: int  # when the stamps began to be taken


def project_files(
    root: Path,
    excludes: Sequence[str] = (),
    suffixes: tuple[str, ...] | None = None,
    skipped: dict[str, str] | None = None,
) -> list[str]:
    """Every file of the project under `root` (or those ending in `suffixes`), relative
    to it with `/`, sorted: dependency files, env templates and docs as well as code.

    Third-party trees are left out; `skipped` (when given) gets each one's folder and
    what it is, unless a `!GLOB` in `excludes` names that folder."""
    return project_files_and_tracked(root, excludes, suffixes, skipped).files


def project_files_and_tracked(
    root: Path,
    excludes: Sequence[str] = (),
    suffixes: tuple[str, ...] | None = None,
    skipped: dict[str, str] | None = None,
) -> Listed:
    """`project_files`, the files git tracks below `root` (which the same `git ls-files`
    tells) and the stamp of each file listed (from the `lstat` that checks it is one)."""
    root = root.absolute()
    stamped_ns = time.time_ns()
    listed = _git_files(root)
    candidates, tracked = listed if listed is not None else (None, None)
    if not candidates:
        # Not a work tree, or a folder the enclosing repo ignores (generated code, a
        # dotfiles repo in $HOME): git lists nothing there, so walk it instead.
        candidates = _walk(root)
    resolved_root = root.resolve()
    # Each folder is decided once, from its parent's answer (a tree lists 100,000 files).
    in_skipped_dir = _Outermost(lambda folder: _skipped_dir_name(folder) or None)
    in_virtualenv = _Outermost(lambda folder: _is_virtualenv(os.path.join(root, folder)) or None)
    third_party = _Outermost(lambda folder: _third_party_tree(root, folder))
    folder_cache: dict[str, str | None] = {}
    included = [p[1:].strip().rstrip("/") for p in excludes if p.strip().startswith("!")]
    excludes = [p for p in excludes if not p.strip().startswith("!")]
    files: list[str] = []
    stamps = bytearray()
    for rel in candidates:  # sorted, each once
        if suffixes is not None and not rel.endswith(suffixes):
            continue
        if in_skipped_dir.of(rel) or _excluded(rel, excludes) or in_virtualenv.of(rel):
            continue
        tree = third_party.of(rel)
        if tree is not None and not _excluded(rel, included):
            if skipped is not None:
                skipped.setdefault(tree[0], tree[1])
            continue
        found = _regular_file_inside(root, rel, resolved_root, folder_cache)
        if found is None:
            continue
        files.append(rel)
        stamps += NO_STAMP if found is True else packed_stamp(found)
    return Listed(files, tracked, bytes(stamps), stamped_ns)


def _regular_file_inside(
    root: Path, rel: str, resolved_root: Path, folder_cache: dict[str, str | None]
) -> os.stat_result | bool | None:
    """Whether `rel` is a file (or a link to one) whose fully resolved path stays under
    the root: its `lstat` when it is a file, True for such a link, None when it is not.

    Resolving every path costs a system call per path component; a folder is resolved
    once, from its parent's resolved path (`_resolved_folder`), and a file that is not
    itself a link is then one `lstat`."""
    folder, _, name = rel.rpartition("/")
    resolved_folder = _resolved_folder(folder, resolved_root, folder_cache)
    if resolved_folder is None:
        return None
    try:
        st = os.lstat(os.path.join(resolved_folder, name))
    except OSError:
        return None
    if stat.S_ISLNK(st.st_mode):
        full = root / rel
        return True if _inside(full, resolved_root) and _is_file(full) else None
    return st if stat.S_ISREG(st.st_mode) else None


def _resolved_folder(folder: str, resolved_root: Path, cache: dict[str, str | None]) -> str | None:
    """`folder` (relative, `/`-separated) fully resolved, or None when it is no folder or
    resolves out of the root. A component that is a plain folder only extends its
    parent's resolved path (one `lstat`); a link is resolved in full and checked."""
    if not folder:
        return str(resolved_root)
    if folder in cache:
        return cache[folder]
    parent, _, name = folder.rpartition("/")
    base = _resolved_folder(parent, resolved_root, cache)
    resolved: str | None = None
    if base is not None:
        joined = os.path.join(base, name)
        try:
            mode = os.lstat(joined).st_mode
        except OSError:
            mode = 0
        if stat.S_ISDIR(mode):
            resolved = joined
        elif stat.S_ISLNK(mode) and _inside(Path(joined), resolved_root):
            resolved = str(Path(joined).resolve())
    cache[folder] = resolved
    return resolved


def _git_files(root: Path) -> tuple[list[str], frozenset[str]] | None:
    """What git tracks or would add below `root`, and which of those it tracks; None
    outside a work tree or without git."""
    try:
        # (`ls-files` fails outside a work tree, as `rev-parse` would: no process to ask.)
        # Deleted index entries and submodule folders: left out by the check of each
        # file on disk (`_regular_file_inside`), as every listed file is.
        return gitops.listed_files(root)
    except GitError:
        return None


def _walk(root: Path) -> list[str]:
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames if d not in SKIP_DIR_NAMES and not _is_virtualenv(here / d)
        )
        rel_dir = here.relative_to(root)
        out.extend((rel_dir / f).as_posix() for f in filenames)
    return sorted(out)


def _is_virtualenv(directory: Path | str) -> bool:
    return os.path.isfile(os.path.join(directory, "pyvenv.cfg")) or str(directory).endswith(
        ".egg-info"
    )


class _Outermost(Generic[_T]):
    """The verdict on the folders holding a file: the outermost folder's that has one
    (None when none has). Each folder is asked once, after its parent."""

    def __init__(self, verdict: Callable[[str], _T | None]) -> None:
        self._verdict = verdict
        self._known: dict[str, _T | None] = {}

    def of(self, rel: str) -> _T | None:
        """The verdict for the file (or folder) `rel`, from the folders above it."""
        folder = rel.rpartition("/")[0]
        if not folder:
            return None
        if folder not in self._known:
            found = self.of(folder)
            self._known[folder] = found if found is not None else self._verdict(folder)
        return self._known[folder]


def _third_party_tree(root: Path, folder: str) -> tuple[str, str] | None:
    """`folder` and what it is when it is third-party code (see the module docstring)."""
    kind = _third_party_kind(root, folder)
    return (folder, kind) if kind is not None else None


def _third_party_kind(root: Path, folder: str) -> str | None:
    name = folder.rpartition("/")[2].lower()
    if name in THIRD_PARTY_DIR_NAMES:
        return "third-party code"
    if name == "openai" or name in _EXTERNAL_DIR_NAMES:
        directory = root / folder
        if (
            name == "openai"
            and (directory / "__init__.py").is_file()
            and ((directory / "_client.py").is_file() or (directory / "api_resources").is_dir())
        ):
            return "a copy of the openai SDK"
        if name in _EXTERNAL_DIR_NAMES and _has_own_setup(directory):
            return "an external project"
    return None


def _has_own_setup(directory: Path) -> bool:
    """A project of its own: a setup file here or in one of the folders right below."""
    if any((directory / name).is_file() for name in _OWN_SETUP):
        return True
    try:
        children = [c for c in directory.iterdir() if c.is_dir()]
    except OSError:
        return False
    return any((child / name).is_file() for child in children for name in _OWN_SETUP)


def skipped_note(skipped: dict[str, str]) -> str | None:
    """The one line telling what third-party code was left out, and how to include it."""
    if not skipped:
        return None
    trees = sorted(skipped.items())
    shown = ", ".join(f"{folder}/ ({kind})" for folder, kind in trees[:5])
    more = f" and {len(trees) - 5} more" if len(trees) > 5 else ""
    first = trees[0][0]
    return (
        f"skipped third-party code: {shown}{more}; to migrate it too, pass "
        f"--exclude '!{first}' (or list \"!{first}\" in [tool.migrator] exclude)"
    )


def _skipped_dir_name(folder: str) -> bool:
    """A folder never read: VCS, build output, caches, `*.egg-info`."""
    name = folder.rpartition("/")[2]
    return name in SKIP_DIR_NAMES or name.endswith(".egg-info")


def _excluded(rel: str, patterns: Iterable[str]) -> bool:
    """A glob excludes a file when it matches the path or one of its parent folders."""
    if not patterns:
        return False
    parents = [p.as_posix() for p in PurePosixPath(rel).parents if p.as_posix() != "."]
    for raw in patterns:
        pattern = raw.strip().rstrip("/")
        if pattern.startswith("./"):
            pattern = pattern[2:]
        if not pattern:
            continue
        if fnmatch.fnmatchcase(rel, pattern) or any(
            fnmatch.fnmatchcase(p, pattern) for p in parents
        ):
            return True
    return False


def _inside(path: Path, resolved_root: Path) -> bool:
    """Never follow a symlink out of the root (checked on the fully resolved path)."""
    try:
        path.resolve().relative_to(resolved_root)
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (3.10-3.12)
        return False
    return True


def _is_file(path: Path) -> bool:
    """A regular file (or a link to one). A symlink loop is none: Python 3.10-3.12's
    `Path.is_file` raises OSError for it instead of answering False."""
    try:
        return path.is_file()
    except OSError:
        return False
