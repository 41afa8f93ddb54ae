"""The `migrator-check` hook of .pre-commit-hooks.yaml, run by pre-commit itself.

pre-commit clones the hook repository (a temporary git repository holding this working
tree's package files), builds a virtualenv for it and pip-installs it there. That install
never reaches an index: pip is pointed at a wheelhouse packed from this environment's own
installed distributions (tests/wheelhouse.py) with --no-index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.version import Version

from migrator.cli import main
from tests.codemod_helpers import ROOT
from tests.wheelhouse import make_wheelhouse

pytestmark = pytest.mark.slow

# What `pip install .` of the hook repository reads.
HOOK_REPO_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "src", "codemods",
                   "mappings")  # fmt: skip
OPENAI_CODE = """\
from openai import OpenAI

client = OpenAI()


def answer(question: str) -> str:
    reply = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": question}]
    )
    return reply.choices[0].message.content
"""


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip
    proc = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def hook_repository(folder: Path) -> str:
    """A git repository with the package as it is in this working tree; its commit."""
    folder.mkdir()
    for name in HOOK_REPO_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns(
                "__pycache__", "*.egg-info"))  # fmt: skip
        else:
            shutil.copy(source, folder / name)
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "hook")
    return git(folder, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path | str]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if Version(metadata.version("setuptools")) < Version("77"):
        pytest.skip("the build backend floor (setuptools>=77) is not installed here")
    work = tmp_path_factory.mktemp("precommit")
    rev = hook_repository(work / "hooks")
    make_wheelhouse(work / "wheels", "openai-migrator", ("setuptools>=77",))
    return {"work": work, "hooks": work / "hooks", "rev": rev, "wheels": work / "wheels"}


def pre_commit(target: Path, setup: dict[str, Path | str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV"))}
    env.update(
        PRE_COMMIT_HOME=str(Path(setup["work"]) / "cache"),
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(setup["wheels"]),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        VIRTUALENV_NO_PERIODIC_UPDATE="1",
        GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
        GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org",
    )  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
        cwd=target, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def target_repository(folder: Path, setup: dict[str, Path | str]) -> Path:
    """A project that finished migrating to qwen: its pyproject names the provider."""
    folder.mkdir()
    (folder / "pyproject.toml").write_text('[tool.migrator]\nprovider = "qwen"\n')
    (folder / "app.py").write_text(OPENAI_CODE)
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["apply", str(folder), "--to", "qwen", "--in-place"])
    assert result.exit_code == 0, result.output
    config = {
        # the hook's environment is built with this interpreter: the wheelhouse's binary
        # wheels are this interpreter's
        "default_language_version": {"python": sys.executable},
        "repos": [{"repo": str(setup["hooks"]), "rev": setup["rev"],
                   "hooks": [{"id": "migrator-check"}]}],
    }  # fmt: skip
    (folder / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "migrated")
    return folder


def test_manifest_declares_the_hook() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "migrator-check"
    assert hook["entry"] == "migrator diff --check"
    assert hook["args"] == ["."]
    assert hook["pass_filenames"] is False  # the rewrite reads the whole repository
    assert hook["language"] == "python"


def test_hook_passes_on_a_migrated_tree_and_fails_naming_new_openai_code(
    tmp_path: Path, setup: dict[str, Path | str]
) -> None:
    target = target_repository(tmp_path / "project", setup)
    passed = pre_commit(target, setup)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "migrator (no OpenAI code left to migrate)" in passed.stdout
    assert "Passed" in passed.stdout

    (target / "reports.py").write_text(OPENAI_CODE.replace("gpt-4o", "gpt-4o-mini"))
    git(target, "add", "reports.py")
    failed = pre_commit(target, setup)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Failed" in failed.stdout
    assert "--- a/reports.py" in failed.stdout  # the file named, with the rewrite it needs
    assert "app.py" not in failed.stdout.split("Failed", 1)[1].split("file(s) to change")[0]
