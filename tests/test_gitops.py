from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from migrator import gitops
from migrator.gitops import GitError, HeadState


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
    for var in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "EMAIL",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_CONFIG_COUNT",
        "GIT_CONFIG_PARAMETERS",
    ):
        monkeypatch.delenv(var, raising=False)


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def make_repo(path: Path, *, identity: bool = True, commit: bool = True) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "commit.gpgsign", "false")
    if identity:
        git(path, "config", "user.name", "Test Dev")
        git(path, "config", "user.email", "dev@example.com")
    if commit:
        (path / "app.py").write_text("import openai\n")
        (path / ".gitignore").write_text("*.log\nbuild/\n")
        git(path, "add", "app.py", ".gitignore")
        git(path, "commit", "-q", "-m", "initial")
    return path


def test_find_repo(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    (repo / "pkg" / "sub").mkdir(parents=True)
    (repo / "pkg" / "sub" / "m.py").write_text("")
    assert gitops.find_repo(repo) == repo.resolve()
    assert gitops.find_repo(repo / "pkg" / "sub") == repo.resolve()
    assert gitops.find_repo(repo / "pkg" / "sub" / "m.py") == repo.resolve()
    plain = tmp_path / "plain"
    plain.mkdir()
    assert gitops.find_repo(plain) is None
    assert gitops.find_repo(tmp_path / "missing" / "x.py") is None
    assert gitops.find_repo(repo / ".git") is None


def test_head_state_normal_detached_and_unborn(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    sha = git(repo, "rev-parse", "HEAD")
    assert gitops.head_state(repo) == HeadState(branch="main", commit=sha, detached=False)
    git(repo, "checkout", "-q", "--detach")
    assert gitops.head_state(repo) == HeadState(branch=None, commit=sha, detached=True)
    empty = make_repo(tmp_path / "e", commit=False)
    assert gitops.head_state(empty) == HeadState(branch="main", commit=None, detached=False)


def _separate_answers(repo: Path) -> tuple[HeadState, list[str], list[str]]:
    """What the one-process `work_tree_state` must agree with, asked of git one question
    at a time (without rename detection, so that a staged rename names both paths)."""

    def names(*args: str) -> set[str]:
        return {name for name in git(repo, *args, "-z").split("\0") if name}

    has_commit = (
        subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "-q", "--verify", "HEAD"], capture_output=True
        ).returncode
        == 0
    )
    changed = names("diff", "HEAD", "--no-renames", "--name-only") if has_commit else set()
    staged = names("diff", "--cached", "--no-renames", "--name-only")
    untracked = names("ls-files", "--others", "--exclude-standard")
    return gitops.head_state(repo), sorted(changed | staged | untracked), sorted(staged)


def _agrees(repo: Path) -> gitops.WorkTreeState:
    state = gitops.work_tree_state(repo)
    assert (state.head, state.dirty, state.staged) == _separate_answers(repo)
    return state


def test_work_tree_state_agrees_with_the_commands_it_replaces(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    clean = _agrees(repo)
    assert clean.dirty == [] and clean.staged == [] and clean.head.branch == "main"
    (repo / "app.py").write_text("import openai  # changed\n")
    (repo / "new dir").mkdir()
    (repo / "new dir" / "b c.py").write_text("")
    (repo / "debug.log").write_text("ignored\n")
    (repo / "staged.py").write_text("")
    git(repo, "add", "staged.py")
    state = _agrees(repo)
    assert state.dirty == ["app.py", "new dir/b c.py", "staged.py"]
    assert state.staged == ["staged.py"]
    git(repo, "add", "app.py")
    (repo / "app.py").write_text("import openai  # changed twice\n")  # staged and changed
    git(repo, "mv", ".gitignore", "ignore rules")
    state = _agrees(repo)
    assert state.staged == [".gitignore", "app.py", "ignore rules", "staged.py"]
    # (debug.log is no longer ignored: its rule moved out of .gitignore)
    assert state.dirty == [
        ".gitignore",
        "app.py",
        "debug.log",
        "ignore rules",
        "new dir/b c.py",
        "staged.py",
    ]
    git(repo, "commit", "-q", "-m", "more")
    (repo / "ignore rules").unlink()  # deleted, not staged
    assert _agrees(repo).dirty == ["app.py", "debug.log", "ignore rules", "new dir/b c.py"]
    git(repo, "checkout", "-q", "--detach")
    assert _agrees(repo).head.detached
    empty = make_repo(tmp_path / "e", commit=False)
    (empty / "first.py").write_text("")
    git(empty, "add", "first.py")
    unborn = gitops.work_tree_state(empty)
    assert unborn.head == HeadState(branch="main", commit=None, detached=False)
    assert unborn.dirty == unborn.staged == ["first.py"]


def test_work_tree_state_counts_a_conflict_as_staged(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    git(repo, "checkout", "-q", "-b", "other")
    (repo / "app.py").write_text("import openai as o\n")
    git(repo, "commit", "-q", "-am", "other")
    git(repo, "checkout", "-q", "main")
    (repo / "app.py").write_text("import openai as p\n")
    git(repo, "commit", "-q", "-am", "main")
    subprocess.run(["git", "-C", str(repo), "merge", "-q", "other"], capture_output=True)
    state = _agrees(repo)
    assert state.dirty == state.staged == ["app.py"]


def test_branch_exists_and_create(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    sha = git(repo, "rev-parse", "HEAD")
    assert gitops.branch_exists(repo, "main")
    assert not gitops.branch_exists(repo, "migrator/openai-to-deepseek")
    gitops.create_branch(repo, "migrator/openai-to-deepseek")
    assert gitops.branch_exists(repo, "migrator/openai-to-deepseek")
    assert gitops.head_state(repo) == HeadState(
        branch="migrator/openai-to-deepseek", commit=sha, detached=False
    )
    gitops.checkout(repo, "main")
    with pytest.raises(GitError, match="'migrator/openai-to-deepseek' already exists"):
        gitops.create_branch(repo, "migrator/openai-to-deepseek")
    assert gitops.head_state(repo).branch == "main"


def test_create_branch_from_detached_head(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    first = git(repo, "rev-parse", "HEAD")
    (repo / "app.py").write_text("v2\n")
    git(repo, "commit", "-q", "-am", "second")
    git(repo, "checkout", "-q", first)
    gitops.create_branch(repo, "work")
    assert gitops.head_state(repo) == HeadState(branch="work", commit=first, detached=False)


def test_create_branch_errors(tmp_path: Path) -> None:
    empty = make_repo(tmp_path / "e", commit=False)
    with pytest.raises(GitError, match="has no commits yet"):
        gitops.create_branch(empty, "work")
    repo = make_repo(tmp_path / "r")
    with pytest.raises(GitError, match="not a valid branch name"):
        gitops.create_branch(repo, "bad..name")
    assert gitops.head_state(repo).branch == "main"


def test_create_branch_with_the_head_the_caller_found(tmp_path: Path) -> None:
    """apply passes HEAD as it checked it; why `checkout -b` fails is asked only then."""
    repo = make_repo(tmp_path / "r")
    head = gitops.head_state(repo)
    gitops.create_branch(repo, "work", head)
    assert gitops.head_state(repo).branch == "work"
    gitops.checkout(repo, "main")
    with pytest.raises(GitError, match="'work' already exists"):
        gitops.create_branch(repo, "work", head)
    with pytest.raises(GitError, match="not a valid branch name"):
        gitops.create_branch(repo, "bad..name", head)
    with pytest.raises(GitError, match="has no commits yet"):
        gitops.create_branch(repo, "other", HeadState(branch="main", commit=None, detached=False))
    assert gitops.head_state(repo).branch == "main"


def test_stage_commit_roundtrip(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    gitops.create_branch(repo, "migrator/openai-to-qwen")
    (repo / "app.py").write_text("import dashscope\n")
    (repo / "[weird]*.py").write_text("x = 1\n")
    (repo / "other.py").write_text("untouched\n")
    gitops.stage(repo, [Path("app.py"), repo / "[weird]*.py"])
    assert git(repo, "diff", "--cached", "--name-only") == "[weird]*.py\napp.py"
    sha = gitops.commit(repo, "migrator: openai -> qwen (compat)\n\n2 files changed\n")
    assert sha == git(repo, "rev-parse", "HEAD")
    assert git(repo, "log", "-1", "--format=%an <%ae>|%s|%b") == (
        "Test Dev <dev@example.com>|migrator: openai -> qwen (compat)|2 files changed"
    )
    assert gitops.work_tree_state(repo).dirty == ["other.py"]
    assert git(repo, "rev-parse", "main") != sha


def test_stage_deleted_file_and_nothing_to_commit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    gitops.stage(repo, [])
    with pytest.raises(GitError, match="nothing staged"):
        gitops.commit(repo, "empty")
    (repo / "app.py").unlink()
    gitops.stage(repo, ["app.py"])
    gitops.commit(repo, "remove app")
    assert git(repo, "ls-files") == ".gitignore"


def test_a_refusing_hook_is_named_and_nothing_staged_is_told_apart(tmp_path: Path) -> None:
    """commit() asks whether anything is staged only when `git commit` fails: a hook that
    refuses must still come out as the hook's own words, not as "nothing staged"."""
    repo = make_repo(tmp_path / "r")
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'lint failed: app.py' >&2\nexit 1\n")
    hook.chmod(0o755)
    (repo / "app.py").write_text("import openai  # changed\n")
    gitops.stage(repo, ["app.py"])
    with pytest.raises(GitError, match="lint failed: app.py") as refused:
        gitops.commit(repo, "migrate")
    assert "nothing staged" not in str(refused.value)
    hook.unlink()
    before = git(repo, "rev-parse", "HEAD")
    assert gitops.commit(repo, "migrate") != before


def test_stage_outside_repo_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    (tmp_path / "x.py").write_text("")
    with pytest.raises(GitError, match="outside the repository"):
        gitops.stage(repo, [tmp_path / "x.py"])


def test_missing_identity_detected_before_commit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", identity=False, commit=False)
    # Hosts whose name has a domain let git invent an address; make the test independent
    # of the machine's hostname.
    git(repo, "config", "user.useConfigOnly", "true")
    (repo / "a.py").write_text("")
    gitops.stage(repo, ["a.py"])
    with pytest.raises(GitError) as info:
        gitops.commit(repo, "msg")
    assert str(info.value).startswith(
        "git has no author identity: run git config user.name 'Your Name' and "
        "git config user.email you@example.com"
    )
    assert gitops.head_state(repo).commit is None
    assert git(repo, "diff", "--cached", "--name-only") == "a.py"  # still staged


def test_identity_from_environment_is_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "r", identity=False, commit=False)
    git(repo, "config", "user.useConfigOnly", "true")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Env Author")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "env@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Env Author")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "env@example.com")
    (repo / "a.py").write_text("")
    gitops.stage(repo, ["a.py"])
    sha = gitops.commit(repo, "first")  # the first commit of an unborn branch works too
    assert git(repo, "log", "-1", "--format=%H %an") == f"{sha} Env Author"


def test_is_ignored(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    (repo / "debug.log").write_text("")
    assert gitops.is_ignored(repo, "debug.log")
    assert gitops.is_ignored(repo, repo / "build" / "x.py")
    assert not gitops.is_ignored(repo, "app.py")
    (repo / "kept.log").write_text("")
    git(repo, "add", "-f", "kept.log")
    assert not gitops.is_ignored(repo, "kept.log")  # tracked files are never ignored


def test_listed_files_and_which_are_tracked(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    (repo / "pkg").mkdir()
    (repo / "pkg" / "b.py").write_text("")
    (repo / "pkg" / "a b.py").write_text("")
    (repo / "pkg" / "z.log").write_text("")
    (repo / "build").mkdir()
    (repo / "build" / "gen.py").write_text("")
    (repo / "gone.py").write_text("")
    (repo / "sparse.py").write_text("")
    git(repo, "add", "pkg/b.py", "gone.py", "sparse.py")
    git(repo, "update-index", "--skip-worktree", "sparse.py")
    (repo / "gone.py").unlink()  # deleted, not staged: still listed (callers check files)
    names, tracked = gitops.listed_files(repo)
    assert names == [".gitignore", "app.py", "gone.py", "pkg/a b.py", "pkg/b.py", "sparse.py"]
    # what `git ls-files --cached` says, which this one process replaces
    assert tracked == frozenset(git(repo, "ls-files", "--cached").splitlines())
    assert tracked == {".gitignore", "app.py", "gone.py", "pkg/b.py", "sparse.py"}
    assert gitops.listed_files(repo / "pkg") == (["a b.py", "b.py"], frozenset({"b.py"}))
    with pytest.raises(GitError, match="ls-files"):
        gitops.listed_files(tmp_path)  # not a work tree


def test_git_error_message_names_command(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    with pytest.raises(
        GitError, match=r"^`git checkout -q no-such-ref --` failed \(exit 128\): fatal: "
    ):
        gitops.checkout(repo, "no-such-ref")


def test_git_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path / "r")
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(GitError, match="git is not installed"):
        gitops.head_state(repo)


def test_stage_leaves_out_new_files_git_ignores_and_returns_them(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")  # its .gitignore: *.log, build/
    (repo / "app.py").write_text("import dashscope\n")
    (repo / "notes.log").write_text("new, ignored\n")
    (repo / "new.py").write_text("x = 1\n")
    assert gitops.stage(repo, ["app.py", "notes.log", repo / "new.py"]) == ["notes.log"]
    assert git(repo, "diff", "--cached", "--name-only").splitlines() == ["app.py", "new.py"]
    assert gitops.stage(repo, ["notes.log"]) == ["notes.log"]  # nothing else to stage
    (repo / "kept.log").write_text("tracked although ignored\n")
    git(repo, "add", "-f", "kept.log")
    (repo / "kept.log").write_text("changed\n")
    assert gitops.stage(repo, ["kept.log"]) == []  # a tracked file is never ignored
    assert "kept.log" in git(repo, "diff", "--cached", "--name-only").splitlines()


def test_stage_failing_for_another_reason_says_so(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    (repo / "app.py").write_text("import dashscope\n")
    (repo / ".git" / "index.lock").write_text("")  # another git process holds the index
    with pytest.raises(GitError, match=r"^`git add` failed \(exit 128\): .*index\.lock"):
        gitops.stage(repo, ["app.py"])


def test_tracked_files_are_staged_as_git_add_stages_them(tmp_path: Path) -> None:
    """Tracked files go to `update-index` (no folder read): the same blobs as `git add`,
    clean filters and line-ending rules applied; the others still go to `git add`."""
    repo = make_repo(tmp_path / "r")
    (repo / ".gitattributes").write_text("*.py text eol=crlf\n*.txt filter=upper\n")
    git(repo, "config", "filter.upper.clean", "tr a-z A-Z")
    (repo / "app.py").write_bytes(b"a = 1\r\nb = 2\n")
    (repo / "notes.txt").write_text("hello\n")
    git(repo, "add", ".gitattributes", "app.py", "notes.txt")
    git(repo, "commit", "-q", "-m", "attributes")
    (repo / "app.py").write_bytes(b"a = 3\r\nb = 4\r\n")
    (repo / "notes.txt").write_text("world\n")
    (repo / "new.py").write_text("x = 1\n")
    names = ["app.py", "new.py", "notes.txt"]
    git(repo, "add", *names)
    expected = git(repo, "ls-files", "-s", *names)
    git(repo, "reset", "-q")
    asked: list[tuple[str, ...]] = []
    real = gitops._git

    def recording(where: Path | str, *args: str, **kwargs: Any) -> Any:
        asked.append(args[:1])
        return real(where, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(gitops, "_git", recording)
        assert gitops.stage(repo, names, tracked={"app.py", "notes.txt"}) == []
    assert asked == [("update-index",), ("add",)]
    assert git(repo, "ls-files", "-s", *names) == expected


def test_repo_and_branch_finds_the_top_and_whether_the_branch_exists(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    (repo / "pkg").mkdir()
    assert gitops.repo_and_branch(repo / "pkg", "main") == (repo.resolve(), True)
    assert gitops.repo_and_branch(repo, "migrator/openai-to-qwen") == (repo.resolve(), False)
    assert gitops.repo_and_branch(repo, "bad..name") == (repo.resolve(), False)
    git(repo, "branch", "migrator/openai-to-qwen")
    assert gitops.repo_and_branch(repo, "migrator/openai-to-qwen") == (repo.resolve(), True)
    plain = tmp_path / "plain"
    plain.mkdir()
    assert gitops.repo_and_branch(plain, "main") is None
    assert gitops.repo_and_branch(repo / ".git", "main") is None
