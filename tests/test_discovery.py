"""Which files make up a run: git listing, walk, skipped folders, excludes, symlinks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrator.cli import main
from migrator.discovery import Target, discover, project_files

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture(autouse=True)
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user/system git config, no repository above tmp_path, a fixed identity."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    for var, value in {
        "GIT_AUTHOR_NAME": "Test Dev",
        "GIT_AUTHOR_EMAIL": "dev@example.com",
        "GIT_COMMITTER_NAME": "Test Dev",
        "GIT_COMMITTER_EMAIL": "dev@example.com",
    }.items():
        monkeypatch.setenv(var, value)


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


def write(root: Path, rel: str, text: str = "import openai\n") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def rels(target: Target) -> list[str]:
    return [f.relative_to(target.root).as_posix() for f in target.files]


def make_venv_like(directory: Path) -> None:
    """What `python -m venv` leaves behind, with a few .py files in it."""
    write(directory, "pyvenv.cfg", "home = /usr/bin\nversion = 3.11.7\n")
    write(directory, "bin/activate_this.py")
    write(directory, "lib/python3.11/site-packages/openai/__init__.py")
    write(directory, "lib/python3.11/site-packages/_virtualenv.py")


# --- inside a git work tree -------------------------------------------------------------


@needs_git
def test_git_tracked_and_untracked_files_but_not_ignored(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    write(repo, ".gitignore", "secret/\n*_generated.py\n.env\n")
    write(repo, "app/main.py")
    write(repo, "app/util.py")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "init")
    write(repo, "app/new_module.py")  # untracked, not ignored: a file the user is writing
    write(repo, "secret/keys.py")  # ignored folder
    write(repo, "app/models_generated.py")  # ignored pattern
    write(repo, "notes.txt", "openai")  # not Python

    target = discover(repo)
    assert target.root == repo
    assert rels(target) == ["app/main.py", "app/new_module.py", "app/util.py"]
    assert all(p.is_absolute() for p in target.files)


@needs_git
def test_git_ignored_but_tracked_file_is_still_read(tmp_path: Path) -> None:
    """.gitignore does not apply to files already tracked (git's own rule)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    write(repo, "settings_local.py")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "init")
    write(repo, ".gitignore", "settings_local.py\n")
    assert rels(discover(repo)) == ["settings_local.py"]


def committed_repo(tmp_path: Path, *names: str) -> Path:
    """A repository whose first commit holds `names`."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    for name in names:
        write(repo, name)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "init")
    return repo


@needs_git
def test_git_deleted_tracked_file_is_skipped(tmp_path: Path) -> None:
    repo = committed_repo(tmp_path, "keep.py", "gone.py")
    (repo / "gone.py").unlink()  # still in the index, no longer on disk
    assert rels(discover(repo)) == ["keep.py"]


@needs_git
def test_git_submodule_folder_is_not_a_file(tmp_path: Path) -> None:
    repo = committed_repo(tmp_path, "app.py")
    write(repo, "sub/inner.py")
    head = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    # a gitlink (what `git submodule add` records): the index names the folder itself
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{head},sub")
    assert "sub" not in project_files(repo)
    assert "sub" not in rels(discover(repo))


@needs_git
def test_git_subdirectory_as_root_gives_paths_relative_to_it(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    write(repo, ".gitignore", "*.tmp.py\n")
    write(repo, "services/api/handlers.py")
    write(repo, "services/api/scratch.tmp.py")
    write(repo, "services/worker/jobs.py")
    write(repo, "top.py")
    git(repo, "add", "-A")
    target = discover(repo / "services")
    assert target.root == repo / "services"
    assert rels(target) == ["api/handlers.py", "worker/jobs.py"]


@needs_git
def test_git_odd_file_names_survive(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    names = ["my module.py", "données/客户.py", 'quote"d.py', "tab\tname.py"]
    for name in names:
        write(repo, name)
    git(repo, "add", "-A")
    write(repo, "untracked ü.py")
    assert rels(discover(repo)) == sorted([*names, "untracked ü.py"])


@needs_git
def test_git_skips_virtualenvs_installed_packages_and_build_output(tmp_path: Path) -> None:
    """Even when nothing ignores them (no .gitignore at all), or they were committed."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    write(repo, "app.py")
    write(repo, ".venv/lib/python3.11/site-packages/openai/_client.py")
    write(repo, "venv/bin/activate_this.py")
    write(repo, "vendor/site-packages/openai/__init__.py")
    write(repo, "web/node_modules/some-pkg/gyp/pylib/gyp.py")
    write(repo, "build/lib/app.py")
    write(repo, "dist/app.py")
    write(repo, "app.egg-info/hooks.py")
    write(repo, "pkg/__pycache__/mod.py")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "everything, by mistake")
    assert rels(discover(repo)) == ["app.py"]


@needs_git
def test_git_skips_untracked_virtualenv_with_an_unusual_name(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    write(repo, "app.py")
    make_venv_like(repo / "py311")  # e.g. `python -m venv py311`, not in .gitignore
    assert rels(discover(repo)) == ["app.py"]


@needs_git
def test_folder_ignored_by_an_enclosing_repo_is_still_scanned(tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    outer.mkdir()
    git(outer, "init", "-q")
    write(outer, ".gitignore", "out/\n")
    write(outer, "out/generated/app.py")
    target = discover(outer / "out" / "generated")
    assert rels(target) == ["app.py"]


# --- outside git: a walk ------------------------------------------------------------------


def test_walk_outside_git(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    write(root, "a.py")
    write(root, "pkg/__init__.py")
    write(root, "pkg/sub/deep.py")
    write(root, "pkg/data.json", "{}")
    write(root, "script.PY")  # not a .py suffix on a case-sensitive system
    target = discover(root)
    assert rels(target) == ["a.py", "pkg/__init__.py", "pkg/sub/deep.py"]


def test_walk_skips_virtualenvs_vcs_and_build_folders(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    write(root, "keep/app.py")
    make_venv_like(root / "py311")  # recognised by pyvenv.cfg, whatever its name
    make_venv_like(root / "keep" / "env-prod")
    write(root, "lib/site-packages/openai/__init__.py")
    write(root, "frontend/node_modules/node-gyp/gyp/gyp_main.py")
    write(root, "build/lib/keep/app.py")
    write(root, "dist/keep/app.py")
    write(root, ".git/hooks/pre-commit.py")  # not a valid repository: we are walking
    write(root, ".hg/hgext.py")
    write(root, ".tox/py311/lib/x.py")
    write(root, "keep.egg-info/x.py")
    write(root, "keep/__pycache__/app.py")
    assert rels(discover(root)) == ["keep/app.py"]


def test_without_git_binary_a_repo_is_walked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    write(root, ".gitignore", "ignored.py\n")
    write(root, "main.py")
    write(root, "ignored.py")
    write(root, "node_modules/x.py")
    if shutil.which("git"):
        git(root, "init", "-q")
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin-here"))
    found = rels(discover(root))
    assert "main.py" in found
    assert "node_modules/x.py" not in found


def test_files_are_sorted_by_relative_path(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    for rel in ["b/z.py", "a.py", "b/a.py", "B.py", "a/b/c.py", "a_b.py"]:
        write(root, rel)
    found = rels(discover(root))
    assert found == sorted(found)
    assert len(found) == 6


def test_relative_path_argument(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "plain"
    write(root, "pkg/mod.py")
    monkeypatch.chdir(root / "pkg")
    target = discover(Path(".."))
    assert target.root.is_absolute()
    assert target.root.resolve() == root.resolve()
    assert rels(target) == ["pkg/mod.py"]
    assert [f.resolve() for f in target.files] == [(root / "pkg" / "mod.py").resolve()]


# --- excludes -------------------------------------------------------------------------------


@pytest.fixture
def excl_root(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    for rel in [
        "app/main.py",
        "app/legacy/old.py",
        "app/legacy/older/oldest.py",
        "scripts/tool.py",
        "tests/test_main.py",
        "tests/conftest.py",
        "proto/api_pb2.py",
        "setup.py",
    ]:
        write(root, rel)
    return root


@pytest.mark.parametrize(
    ("patterns", "expected"),
    [
        ((), None),
        (("scripts",), ["scripts/tool.py"]),
        (("scripts/",), ["scripts/tool.py"]),
        (("./scripts",), ["scripts/tool.py"]),
        (("app/legacy",), ["app/legacy/old.py", "app/legacy/older/oldest.py"]),
        (("app/legacy/*",), ["app/legacy/old.py", "app/legacy/older/oldest.py"]),
        (("*_pb2.py",), ["proto/api_pb2.py"]),
        (("tests/test_*.py",), ["tests/test_main.py"]),
        (("setup.py", "tests"), ["setup.py", "tests/conftest.py", "tests/test_main.py"]),
        (("  ", ""), []),  # blank patterns exclude nothing
        (("app/main",), []),  # a glob is not a prefix
    ],
)
def test_exclude_globs(
    excl_root: Path, patterns: tuple[str, ...], expected: list[str] | None
) -> None:
    everything = rels(discover(excl_root))
    assert len(everything) == 8
    if expected is None:
        return
    kept = rels(discover(excl_root, patterns))
    assert sorted(set(everything) - set(kept)) == sorted(expected)


def _scanned_paths(result_output: str) -> set[str]:
    return {u["path"] for u in json.loads(result_output)["usages"]}


def test_cli_exclude_and_pyproject_exclude_combine(excl_root: Path) -> None:
    write(
        excl_root,
        "pyproject.toml",
        '[project]\nname = "proj"\n\n[tool.migrator]\nexclude = ["app/legacy", "proto"]\n',
    )
    runner = CliRunner()
    result = runner.invoke(main, ["scan", str(excl_root), "--format", "json", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["files_scanned"] == 5
    assert _scanned_paths(result.output) == {
        "app/main.py",
        "scripts/tool.py",
        "tests/test_main.py",
        "tests/conftest.py",
        "setup.py",
    }
    result = runner.invoke(
        main,
        ["scan", str(excl_root), "--format", "json", "--exclude", "tests", "--exclude", "*.py"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["files_scanned"] == 0
    result = runner.invoke(main, ["scan", str(excl_root), "--format", "json", "--exclude", "tests"])
    assert _scanned_paths(result.output) == {"app/main.py", "scripts/tool.py", "setup.py"}


def test_pyproject_exclude_as_a_single_string(excl_root: Path) -> None:
    write(excl_root, "pyproject.toml", '[tool.migrator]\nexclude = "tests"\n')
    result = CliRunner().invoke(main, ["scan", str(excl_root), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["files_scanned"] == 6


def test_pyproject_exclude_of_the_wrong_type_is_a_usage_error(excl_root: Path) -> None:
    write(excl_root, "pyproject.toml", "[tool.migrator]\nexclude = 3\n")
    result = CliRunner().invoke(main, ["scan", str(excl_root), "--format", "json"])
    assert result.exit_code == 2
    assert "exclude" in result.output


# --- symlinks -----------------------------------------------------------------------------


def _symlinks_supported(tmp_path: Path) -> bool:
    probe = tmp_path / "probe-link"
    try:
        probe.symlink_to(tmp_path)
    except (OSError, NotImplementedError):
        return False
    probe.unlink()
    return True


def _link_out(tmp_path: Path, root: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, "secret.py")
    write(outside, "pkg/mod.py")
    (root / "linked_file.py").symlink_to(outside / "secret.py")
    (root / "linked_dir").symlink_to(outside / "pkg", target_is_directory=True)
    (root / "nested").mkdir(exist_ok=True)
    (root / "nested" / "up.py").symlink_to(Path("..") / ".." / "outside" / "secret.py")
    (root / "escape").symlink_to(tmp_path, target_is_directory=True)  # a loop back above root


@pytest.mark.parametrize("use_git", [False, True], ids=["walk", "git"])
def test_symlinks_out_of_the_root_are_not_followed(tmp_path: Path, use_git: bool) -> None:
    if not _symlinks_supported(tmp_path):
        pytest.skip("no symlinks here")
    if use_git and shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "root"
    write(root, "real.py")
    _link_out(tmp_path, root)
    if use_git:
        git(root, "init", "-q")
        git(root, "add", "-A")  # git stores the links themselves
    target = discover(root)
    assert rels(target) == ["real.py"]
    outside = (tmp_path / "outside").resolve()
    for f in target.files:
        assert outside not in f.resolve().parents


def test_root_reached_through_a_symlink_still_works(tmp_path: Path) -> None:
    if not _symlinks_supported(tmp_path):
        pytest.skip("no symlinks here")
    real = tmp_path / "real-root"
    write(real, "pkg/mod.py")
    alias = tmp_path / "alias"
    alias.symlink_to(real, target_is_directory=True)
    target = discover(alias)
    assert target.root == alias
    assert rels(target) == ["pkg/mod.py"]


# --- a single file ------------------------------------------------------------------------


def test_single_file_path(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    path = write(root, "pkg/client.py")
    write(root, "pkg/other.py")
    target = discover(path)
    assert target.root == root / "pkg"
    assert target.files == [path]
    assert rels(target) == ["client.py"]


def test_single_file_path_given_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "proj"
    path = write(root, "client.py")
    monkeypatch.chdir(root)
    target = discover(Path("client.py"))
    assert target.files == [path]
    assert rels(target) == ["client.py"]


def test_single_file_cli_reports_path_relative_to_its_folder(tmp_path: Path) -> None:
    path = write(tmp_path / "proj", "svc/client.py", "from openai import OpenAI\n")
    result = CliRunner().invoke(main, ["scan", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["files_scanned"] == 1
    assert {u["path"] for u in data["usages"]} == {"client.py"}


# --- third-party trees --------------------------------------------------------------------


def make_project_with_vendored_code(root: Path) -> Path:
    write(root, "app/main.py")
    write(root, "app/openai/__init__.py", "from app.openai.wrapper import ask\n")  # our own
    write(root, "app/openai/wrapper.py")
    write(root, "libs/openai/__init__.py", "from ._client import OpenAI\n")  # an SDK copy
    write(root, "libs/openai/_client.py", "class OpenAI: ...\n")
    write(root, "libs/openai/resources/chat.py", "import httpx\n")
    write(root, "old/openai/__init__.py")  # the v0 SDK
    write(root, "old/openai/api_resources/completion.py")
    write(root, "vendor/somelib/client.py")
    write(root, "src/third_party/tool.py")
    write(root, "external/sdk/setup.py", "from setuptools import setup\n")
    write(root, "external/sdk/sdk/core.py")
    write(root, "external/notes/helpers.py")  # `external/` of the project itself? no setup
    return root


def test_third_party_trees_are_skipped_and_named(tmp_path: Path) -> None:
    root = make_project_with_vendored_code(tmp_path / "walked")
    skipped: dict[str, str] = {}
    assert rels(discover(root, (), skipped)) == [
        "app/main.py", "app/openai/__init__.py", "app/openai/wrapper.py",
    ]  # fmt: skip
    assert skipped == {
        "external": "an external project",
        "libs/openai": "a copy of the openai SDK",
        "old/openai": "a copy of the openai SDK",
        "src/third_party": "third-party code",
        "vendor": "third-party code",
    }


def test_external_folder_without_its_own_setup_is_project_code(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    write(root, "external/helpers.py")
    write(root, "external/api/client.py")
    assert rels(discover(root)) == ["external/api/client.py", "external/helpers.py"]


def test_a_bang_exclude_brings_a_third_party_tree_back(tmp_path: Path) -> None:
    root = make_project_with_vendored_code(tmp_path / "walked")
    skipped: dict[str, str] = {}
    found = rels(discover(root, ("!vendor", "app/openai"), skipped))
    assert found == ["app/main.py", "vendor/somelib/client.py"]
    assert "vendor" not in skipped and "libs/openai" in skipped


@needs_git
def test_cli_says_once_what_it_skipped_and_how_to_include_it(tmp_path: Path) -> None:
    repo = make_project_with_vendored_code(tmp_path / "repo")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    result = CliRunner().invoke(main, ["scan", str(repo), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "migrator: skipped third-party code: external/ (an external project), libs/openai/ (a "
        "copy of the openai SDK), old/openai/ (a copy of the openai SDK), src/third_party/ "
        "(third-party code), vendor/ (third-party code); to migrate it too, pass --exclude "
        "'!external' (or list \"!external\" in [tool.migrator] exclude)"
    ]
    paths = {u["path"] for u in json.loads(result.stdout)["usages"]}
    assert paths == {"app/main.py", "app/openai/wrapper.py"}
