"""`migrator apply` on temporary git repositories built here.

Every test runs with an isolated git configuration (no global or system config, no
identity from the environment) and a fixed commit date, and uses the test-only provider
mapping of fixtures/findings so that expected outputs do not move with the real mappings.
"""

# ruff: noqa: E501 - expected outputs are real rewrites: a long call stays on one line

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from migrator.codemods.strategies import COMPAT

from migrator import gitops
from migrator.cli import main

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "fixtures" / "findings" / "mapping.yaml"
BRANCH = "migrator/openai-to-acme"

APP = '''"""Answer questions."""

from openai import OpenAI

client = OpenAI()


def ask(question: str) -> str:
    resp = client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": question}],
        temperature=0,
    )
    return resp.choices[0].message.content
'''
# The client is built at import time: a placeholder key while ACME_API_KEY is unset (MIG108).
APP_MIGRATED = '''"""Answer questions."""

import os

from openai import OpenAI

client = OpenAI(base_url="https://api.acme.example.cn/v1", api_key=os.environ.get("ACME_API_KEY", "missing-ACME_API_KEY"))


def ask(question: str) -> str:
    resp = client.chat.completions.create(
        model="acme-large",
        messages=[{"role": "user", "content": question}],
        temperature=0.01,
    )
    return resp.choices[0].message.content
'''
REQUIREMENTS = "openai>=0.27,<1  # pinned in 2023\nflask\n"
ENV_EXAMPLE = "OPENAI_API_KEY=\nDEBUG=1\n"


@pytest.fixture(autouse=True)
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No developer config, identity or repo discovery leaks into these tests."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-01-02T03:04:05+00:00")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-01-02T03:04:05+00:00")
    for var in (
        "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL",
        "EMAIL", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CONFIG_COUNT",
        "GIT_CONFIG_PARAMETERS", "MIGRATOR_TEST_SLOW_WRITES",
    ):  # fmt: skip
        monkeypatch.delenv(var, raising=False)


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))


def make_repo(
    path: Path,
    files: dict[str, str] | None = None,
    *,
    identity: bool = True,
    commit: bool = True,
) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "commit.gpgsign", "false")
    git(path, "config", "user.useConfigOnly", "true")  # no identity guessed from the host
    if identity:
        git(path, "config", "user.name", "Test Dev")
        git(path, "config", "user.email", "dev@example.com")
    if files is None:
        files = {"app.py": APP, "requirements.txt": REQUIREMENTS, ".env.example": ENV_EXAMPLE}
    write_files(path, files)
    if commit:
        git(path, "add", "-A")
        git(path, "commit", "-q", "-m", "initial")
    return path


def apply(path: Path, *args: str) -> Result:
    runner = CliRunner()
    return runner.invoke(
        main,
        ["apply", str(path), "--to", "acme", "--mapping", str(MAPPING), *args],
        catch_exceptions=False,
    )


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the work tree (outside .git) and its bytes."""
    out = {}
    for path in sorted(root.rglob("*")):
        if ".git" in path.relative_to(root).parts or not path.is_file():
            continue
        out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


def test_apply_creates_branch_and_commits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path / "repo")
    monkeypatch.chdir(repo)
    base = git(repo, "rev-parse", "main")
    result = apply(repo)
    assert result.exit_code == 0, result.output
    sha = git(repo, "rev-parse", "HEAD")
    assert result.stdout == (
        "Migrated to Acme AI (compat): 1 Python file(s) rewritten, 3 edit(s).\n"
        "Dependency files updated: requirements.txt\n"
        "Env templates updated: .env.example\n"
        "Checklist: MIGRATION.md (0 error, 4 warning, 9 info).\n"
        f"Committed {sha[:12]} on branch {BRANCH} (from main).\n"
        "Review it with:\n"
        f"  git diff main...{BRANCH}\n"
        "  then work through MIGRATION.md\n"
        "Back to where you were: git checkout main\n"
    )
    # on the new branch, one commit on top of main; main itself untouched
    assert git(repo, "symbolic-ref", "--short", "HEAD") == BRANCH
    assert git(repo, "rev-parse", "main") == base
    assert git(repo, "rev-parse", "HEAD^") == base
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "log", "-1", "--format=%an <%ae>") == "Test Dev <dev@example.com>"
    assert git(repo, "log", "-1", "--format=%B") == (
        "Migrate from OpenAI to Acme AI (compat)\n"
        "\n"
        "`migrator apply --to acme --strategy compat`:\n"
        "- Python files rewritten: 1 (3 edits)\n"
        "- dependency files updated: requirements.txt\n"
        "- env templates updated: .env.example\n"
        "- checklist items: 0 error, 4 warning, 9 info\n"
        "\n"
        "See MIGRATION.md for what a person must still do and review."
    )
    assert git(repo, "diff", "--name-status", "main", "HEAD").splitlines() == [
        "M\t.env.example",
        "A\tMIGRATION.md",
        "M\tapp.py",
        "M\trequirements.txt",
    ]
    assert (repo / "app.py").read_text() == APP_MIGRATED
    assert (repo / "requirements.txt").read_text() == "openai>=1.40  # pinned in 2023\nflask\n"
    assert (repo / ".env.example").read_text() == (
        "ACME_API_KEY=\nDEBUG=1\n"  # the code has no reason to read ACME_BASE_URL
    )
    checklist = (repo / "MIGRATION.md").read_text()
    assert checklist.startswith(
        "<!-- generated by migrator: `migrator checklist PATH --to acme --strategy compat` -->\n"
        "# Migration checklist: OpenAI → Acme AI\n"
        "\n"
        "Provider `acme` (Acme AI), strategy `compat`: 13 item(s) — 0 error, 4 warning, "
        "9 info.\n"
        f"Made by `migrator apply` on branch `{BRANCH}` from `main`; review the whole change "
        f"with `git diff main...{BRANCH}`.\n"
    )
    # lines point at the migrated code: the clamped temperature is on line 14 of the new file
    assert (
        "- [ ] [app.py:14](app.py#L14) **warning** `MIG303`: chat.completions.create: "
        "temperature 0 clamped to 0.01" in checklist
    )
    assert (
        "- [ ] [requirements.txt:1](requirements.txt#L1) **info** `MIG613`: updated: raised "
        "openai>=0.27,<1 to openai>=1.40 (the compatible endpoints need the v1 SDK)" in checklist
    )
    # the original branch still has the original files
    assert git(repo, "show", "main:app.py") + "\n" == APP


def test_second_apply_finds_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path / "repo")
    monkeypatch.chdir(repo)
    assert apply(repo).exit_code == 0
    head = git(repo, "rev-parse", "HEAD")
    before = snapshot(repo)
    again = apply(repo)
    assert again.exit_code == 0, again.output
    assert again.stdout == (
        f"Nothing to change: {repo} is already migrated to Acme AI (compat). "
        f"`migrator checklist {repo} --to acme` lists what is left to review.\n"
    )
    assert git(repo, "rev-parse", "HEAD") == head  # no empty commit
    assert snapshot(repo) == before
    assert git(repo, "symbolic-ref", "--short", "HEAD") == BRANCH


def test_dirty_tree_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    (repo / "app.py").write_text(APP + "# local edit\n")
    (repo / "notes.txt").write_text("todo\n")
    before = snapshot(repo)
    result = apply(repo)
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: the work tree has uncommitted changes:\n"
        "  app.py\n"
        "  notes.txt\n"
        "Commit or stash them first (git stash push --include-untracked), or pass "
        "--allow-dirty to migrate on top of them.\n"
    )
    assert snapshot(repo) == before
    assert git(repo, "branch", "--list") == "* main"


def test_allow_dirty_commits_only_the_migration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "repo")
    monkeypatch.chdir(repo)
    (repo / "notes.txt").write_text("todo\n")
    result = apply(repo, "--allow-dirty")
    assert result.exit_code == 0, result.output
    assert "notes.txt" not in git(repo, "show", "--name-only", "--format=", "HEAD")
    assert git(repo, "status", "--porcelain") == "?? notes.txt"


def test_existing_branch_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    git(repo, "branch", BRANCH)
    before = snapshot(repo)
    result = apply(repo)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: branch '{BRANCH}' already exists; delete it (git branch -D {BRANCH}) or pass "
        "--branch NAME.\n"
    )
    assert snapshot(repo) == before
    assert git(repo, "symbolic-ref", "--short", "HEAD") == "main"


def test_custom_branch_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path / "repo")
    monkeypatch.chdir(repo)
    git(repo, "branch", BRANCH)
    result = apply(repo, "--branch", "chore/leave-openai")
    assert result.exit_code == 0, result.output
    assert git(repo, "symbolic-ref", "--short", "HEAD") == "chore/leave-openai"
    assert git(repo, "rev-parse", BRANCH) == git(repo, "rev-parse", "main")


def test_invalid_branch_name_writes_nothing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    before = snapshot(repo)
    result = apply(repo, "--branch", "no..dots")
    assert result.exit_code == 2
    assert result.stderr == "Error: 'no..dots' is not a valid branch name\n"
    assert snapshot(repo) == before


def test_detached_head(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path / "repo")
    monkeypatch.chdir(repo)
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "--detach")
    result = apply(repo)
    assert result.exit_code == 0, result.output
    assert f"Committed {git(repo, 'rev-parse', 'HEAD')[:12]} on branch {BRANCH} (from " in (
        result.stdout
    )
    assert f"  git diff {base[:12]}...{BRANCH}\n" in result.stdout
    assert f"Back to where you were: git checkout {base[:12]}\n" in result.stdout
    assert git(repo, "rev-parse", "HEAD^") == base
    assert f"from `{base[:12]}`" in (repo / "MIGRATION.md").read_text()


def test_repo_without_commits(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", commit=False)
    before = snapshot(repo)
    result = apply(repo)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: the repository at {repo} has no commits yet: apply branches from HEAD. Make "
        "a first commit, or pass --in-place.\n"
    )
    assert snapshot(repo) == before


def test_missing_identity(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", identity=False, commit=False)
    git(repo, "add", "-A")  # the first commit gets a one-off identity; the repo has none
    git(repo, "-c", "user.name=X", "-c", "user.email=x@example.com", "commit", "-q", "-m", "a")
    before = snapshot(repo)
    result = apply(repo)
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: git has no author identity, so the migration cannot be committed. Set one:\n"
        "  git config user.name 'Your Name'\n"
        "  git config user.email you@example.com\n"
        "(add --global for every repository), or pass --no-commit.\n"
    )
    assert snapshot(repo) == before
    assert git(repo, "branch", "--list") == "* main"


def test_no_commit_leaves_changes_staged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path / "repo")
    monkeypatch.chdir(repo)
    base = git(repo, "rev-parse", "HEAD")
    result = apply(repo, "--no-commit")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(
        f"Changes are staged on branch {BRANCH} (from main), not committed.\n"
        "Review them with:\n"
        "  git diff --cached\n"
        "  then work through MIGRATION.md, and commit with `git commit`\n"
    )
    assert git(repo, "rev-parse", "HEAD") == base
    assert git(repo, "symbolic-ref", "--short", "HEAD") == BRANCH
    assert git(repo, "diff", "--cached", "--name-only").splitlines() == [
        ".env.example",
        "MIGRATION.md",
        "app.py",
        "requirements.txt",
    ]
    assert git(repo, "diff", "--name-only") == ""  # nothing left unstaged


def test_not_a_work_tree(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    write_files(plain, {"app.py": APP})
    result = apply(plain)
    assert result.exit_code == 2
    assert "is not inside a git work tree" in result.stderr
    assert "--in-place" in result.stderr
    assert (plain / "app.py").read_text() == APP


def test_in_place_without_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = tmp_path / "plain"
    write_files(plain, {"app.py": APP, "requirements.txt": REQUIREMENTS})
    monkeypatch.chdir(plain)
    result = apply(plain, "--in-place")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Migrated to Acme AI (compat): 1 Python file(s) rewritten, 3 edit(s).\n"
        "Dependency files updated: requirements.txt\n"
        "Checklist: MIGRATION.md (0 error, 4 warning, 8 info).\n"
        "Files were written in place (no git step). Review them before committing.\n"
    )
    assert (plain / "app.py").read_text() == APP_MIGRATED
    assert not (plain / ".git").exists()
    text = (plain / "MIGRATION.md").read_text()
    assert "Written in place by `migrator apply --in-place`." in text
    assert "MIG903" in text  # no test command in this folder


def test_in_place_rejects_git_options(tmp_path: Path) -> None:
    result = apply(tmp_path, "--in-place", "--no-commit")
    assert result.exit_code == 2
    assert "--in-place writes without git" in result.stderr


def test_nothing_to_migrate(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"app.py": "print('hello')\n"})
    result = apply(repo)
    assert result.exit_code == 0
    assert result.stdout == f"Nothing to change: no OpenAI usage found under {repo}.\n"
    assert git(repo, "branch", "--list") == "* main"


def test_modes_newlines_and_encoding_survive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = (
        "\ufeff#!/usr/bin/env python\r\n"
        "from openai import OpenAI\r\n"
        "\r\n"
        'print(OpenAI().chat.completions.create(model="gpt-4o-mini", messages=[]))\r\n'
    )
    repo = make_repo(tmp_path / "repo", {"run.py": script})
    (repo / "run.py").chmod(0o755)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "executable")
    monkeypatch.chdir(repo)
    result = apply(repo)
    assert result.exit_code == 0, result.output
    data = (repo / "run.py").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf#!/usr/bin/env python\r\n")
    assert b'"acme-small"' in data
    assert data.count(b"\n") == data.count(b"\r\n")
    assert stat.S_IMODE(os.stat(repo / "run.py").st_mode) == 0o755
    assert git(repo, "ls-files", "-s", "run.py").startswith("100755 ")


def test_subfolder_puts_checklist_at_repo_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "repo", {"svc/app.py": APP, "README.md": "# repo\n"})
    monkeypatch.chdir(repo)
    result = apply(repo / "svc")
    assert result.exit_code == 0, result.output
    text = (repo / "MIGRATION.md").read_text()
    assert "[svc/app.py:14](svc/app.py#L14) **warning** `MIG303`" in text
    assert not (repo / "svc" / "MIGRATION.md").exists()


def test_foreign_migration_md_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(
        tmp_path / "repo", {"app.py": APP, "MIGRATION.md": "# Our database migrations\n"}
    )
    monkeypatch.chdir(repo)
    result = apply(repo)
    assert result.exit_code == 0, result.output
    assert (repo / "MIGRATION.md").read_text() == "# Our database migrations\n"
    assert (repo / "MIGRATION.migrator.md").read_text().startswith("<!-- generated by migrator")
    assert "Checklist: MIGRATION.migrator.md (" in result.stdout


def test_allow_dirty_refuses_staged_changes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    (repo / "notes.txt").write_text("todo\n")
    git(repo, "add", "notes.txt")
    before = snapshot(repo)
    result = apply(repo, "--allow-dirty")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: these changes are staged and would end up in the migration commit:\n"
        "  notes.txt\n"
        "Commit them first, or unstage them (git restore --staged PATH), or pass --no-commit.\n"
    )
    assert snapshot(repo) == before
    assert git(repo, "branch", "--list") == "* main"


def test_symlinked_source_is_refused_before_writing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"real/app.py": APP})
    (repo / "app.py").symlink_to("real/app.py")
    git(repo, "add", "app.py")
    git(repo, "commit", "-q", "-m", "link")
    before = snapshot(repo)
    result = apply(repo)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "Error: these files are symlinks, which apply does not write through: app.py."
    )
    assert snapshot(repo) == before
    assert git(repo, "branch", "--list") == "* main"


def test_env_templates_only_where_code_was_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A template edits the settings of the code in its folder (or below): one at the root
    or next to the migrated service is edited, one of a sub-project without OpenAI is not."""
    template = "OPENAI_API_KEY=\n"
    repo = make_repo(tmp_path / "mono", {
        "services/bot/app.py": APP,
        "services/bot/.env.example": template,
        "services/.env.example": template,
        ".env.example": template,
        "services/web/.env.example": template,
        "services/web/server.py": "import os\n\nPORT = os.environ.get('PORT')\n",
        "tools/.env.example": template,
    })  # fmt: skip
    monkeypatch.chdir(repo)
    result = apply(repo)
    assert result.exit_code == 0, result.output
    assert "Env templates updated: .env.example, services/.env.example, " in result.stdout
    edited = "ACME_API_KEY=\n"
    changed = git(repo, "diff", "--name-only", "main", BRANCH).splitlines()
    assert changed == [
        ".env.example", "MIGRATION.md", "services/.env.example", "services/bot/.env.example",
        "services/bot/app.py",
    ]  # fmt: skip
    assert (repo / "services/bot/.env.example").read_text() == edited
    assert (repo / "services/web/.env.example").read_text() == template
    assert (repo / "tools/.env.example").read_text() == template
    checklist = (repo / "MIGRATION.md").read_text()
    assert (
        "renamed OPENAI_API_KEY to ACME_API_KEY (3 places: line 1; services/.env.example:1; "
        "services/bot/.env.example:1)" in checklist
    )
    assert "services/web/.env.example" not in checklist and "tools/.env.example" not in checklist


def test_a_file_changing_only_at_its_end_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Trailing whitespace-only lines that the parser does not render back as read are no
    change: apply neither writes nor commits that file."""
    tail = b"import openai\n\nTIMEOUT = 30\n   \n\t\n"
    repo = make_repo(tmp_path / "tail", {"app.py": APP, "settings.py": tail.decode()})
    monkeypatch.chdir(repo)
    result = apply(repo)
    assert result.exit_code == 0, result.output
    assert git(repo, "diff", "--name-only", "main", BRANCH).splitlines() == [
        "MIGRATION.md", "app.py",
    ]  # fmt: skip
    assert (repo / "settings.py").read_bytes() == tail


CHECKED_APP = '''"""Answer questions, after checking the key is there."""

import os
import sys

from openai import OpenAI

if not os.getenv("OPENAI_API_KEY"):
    sys.exit("set OPENAI_API_KEY")
client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
'''


def test_env_template_keeps_a_variable_the_code_still_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The startup check still reads OPENAI_API_KEY (MIG504): the template keeps it next to
    the provider's key, and the checklist does not claim it is no longer read."""
    plain = tmp_path / "plain"
    write_files(plain, {"app.py": CHECKED_APP, ".env.example": ENV_EXAMPLE})
    monkeypatch.chdir(plain)
    result = apply(plain, "--in-place")
    assert result.exit_code == 0, result.output
    assert 'client = OpenAI(api_key=os.environ["ACME_API_KEY"]' in (plain / "app.py").read_text()
    assert 'if not os.getenv("OPENAI_API_KEY"):' in (plain / "app.py").read_text()
    assert (plain / ".env.example").read_text() == (
        "OPENAI_API_KEY=\nDEBUG=1\n# added by migrator\nACME_API_KEY=\n"
    )
    checklist = (plain / "MIGRATION.md").read_text()
    assert "is no longer read" not in checklist
    assert (
        "local .env, CI secrets, deployment configuration; keep `OPENAI_API_KEY` set as well "
        "while code left as it is still reads it (MIG504)" in checklist
    )
    assert "still sets OPENAI_API_KEY (code left as it is still reads it)" in checklist
    assert "- [ ] [app.py:8](app.py#L8) **warning** `MIG504`: OPENAI_API_KEY is still read" in (
        checklist
    )


def test_env_template_renames_a_variable_only_migrated_clients_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = tmp_path / "plain"
    app = CHECKED_APP.replace(
        'if not os.getenv("OPENAI_API_KEY"):\n    sys.exit("set OPENAI_API_KEY")\n', ""
    )
    write_files(plain, {"app.py": app, ".env.example": ENV_EXAMPLE})
    monkeypatch.chdir(plain)
    assert apply(plain, "--in-place").exit_code == 0
    assert (plain / ".env.example").read_text() == "ACME_API_KEY=\nDEBUG=1\n"
    checklist = (plain / "MIGRATION.md").read_text()
    assert "; `OPENAI_API_KEY` is no longer read" in checklist
    assert "MIG504" not in checklist


def test_code_env_renames_follow_the_files() -> None:
    """Renamed somewhere and left nowhere: only then does a variable count as renamed."""
    from migrator.apply import code_env_renames
    from migrator.mapping import load_registry
    from migrator.model import FileResult
    from migrator.options import RewriteOptions

    options = RewriteOptions(strategy=COMPAT, mapping=load_registry().get("qwen"))
    results = [
        FileResult("a.py", renamed_env=["OPENAI_API_KEY", "OPENAI_BASE_URL"]),
        FileResult("b.py", kept_env=["OPENAI_BASE_URL"]),
        FileResult("c.py", kept_env=["OPENAI_API_BASE"]),
    ]
    assert code_env_renames(options, results) == {"OPENAI_API_KEY": "DASHSCOPE_API_KEY"}
    assert code_env_renames(options, results[1:]) == {}


@pytest.mark.parametrize("commit", [True, False])
def test_a_checklist_git_ignores_is_written_and_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, commit: bool
) -> None:
    """A .gitignore naming MIGRATION.md: `git add` refused it, and apply stopped after
    writing everything with "fix the problem". The file is written, the rest goes on
    the branch, and the output says what was left out and how to keep it."""
    repo = make_repo(
        tmp_path / "repo",
        {
            "app.py": APP,
            "requirements.txt": REQUIREMENTS,
            ".env.example": ENV_EXAMPLE,
            ".gitignore": "MIGRATION*.md\n",
        },
    )
    monkeypatch.chdir(repo)
    result = apply(repo, *([] if commit else ["--no-commit"]))
    assert result.exit_code == 0, result.output
    assert (
        "Not staged: git ignores MIGRATION.md (a .gitignore rule), so it is written but left "
        "out of the branch. Keep it with `git add -f MIGRATION.md`, or leave it untracked.\n"
    ) in result.stdout
    assert (repo / "MIGRATION.md").read_text().startswith("<!-- generated by migrator")
    taken = (
        git(repo, "show", "--name-only", "--format=", "HEAD")
        if commit
        else git(repo, "diff", "--cached", "--name-only")
    )
    assert taken.splitlines() == [".env.example", "app.py", "requirements.txt"]
    assert git(repo, "diff", "--name-only") == ""  # nothing left unstaged


def test_the_files_git_tracks_are_staged_without_git_add(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The migrated files git tracks are staged by `update-index`; only the new checklist
    goes through `git add` (which would refuse it if git ignored it)."""
    repo = make_repo(tmp_path / "repo")
    monkeypatch.chdir(repo)
    staged: dict[str, list[str]] = {}
    real = gitops._git

    def recording(where: Path | str, *args: str, **kwargs: Any) -> Any:
        if args[0] in ("add", "update-index"):
            names = kwargs["input"].split(b"\0")
            staged[args[0]] = sorted(n.decode().removeprefix(":(literal)") for n in names)
        return real(where, *args, **kwargs)

    monkeypatch.setattr(gitops, "_git", recording)
    result = apply(repo, "--no-commit")
    assert result.exit_code == 0, result.output
    assert staged == {
        "update-index": [".env.example", "app.py", "requirements.txt"],
        "add": ["MIGRATION.md"],
    }
    assert git(repo, "diff", "--name-only") == ""  # nothing left unstaged


def test_the_git_processes_apply_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What `apply` asks of git, in order: six processes with --no-commit (ten with a
    commit). Each was once a question of its own: a change that adds one shows here."""
    repo = make_repo(tmp_path / "repo")
    monkeypatch.chdir(repo)
    asked: list[str] = []
    real = gitops._git

    def recording(where: Path | str, *args: str, **kwargs: Any) -> Any:
        asked.append(args[0])
        return real(where, *args, **kwargs)

    monkeypatch.setattr(gitops, "_git", recording)
    result = apply(repo, "--no-commit")
    assert result.exit_code == 0, result.output
    assert asked == ["rev-parse", "status", "ls-files", "checkout", "update-index", "add"]
    git(repo, "checkout", "-q", "-f", "main")
    git(repo, "clean", "-qfd")
    git(repo, "branch", "-q", "-D", BRANCH)
    asked.clear()
    result = apply(repo)
    assert result.exit_code == 0, result.output
    assert asked == [
        "rev-parse", "status", "ls-files", "var", "var", "checkout", "update-index", "add",
        "commit", "rev-parse",
    ]  # fmt: skip
