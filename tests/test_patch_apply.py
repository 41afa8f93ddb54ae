"""`migrator diff` output applies with `git apply`: paths from the repository's top, CRLF,
BOM and GBK bytes kept, notebooks at the JSON level; keys never printed in full, the real
patch only in a file of mode 0600 (`-o`), never on a terminal."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from migrator.cli import main
from migrator.patch_output import file_patch
from tests.codemod_helpers import REWRITE_FIXTURES, ROOT

NOTEBOOK = ROOT / "fixtures" / "notebooks" / "ticket_triage.ipynb"
SECRET_FILE = "relay_base_url.py"  # hard-codes sk-proj-...1234 and sk-proj-...9876
SECRETS = ("sk-proj-AbCdEfGhIjKlMnOpQrStUvWx1234", "sk-proj-ZyXwVuTsRqPoNmLkJiHgFeDc9876")
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}  # fmt: skip


def git(repo: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True,
        env={**os.environ, **GIT_ENV}, check=False,
    )  # fmt: skip
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def make_repo(tmp_path: Path, *, secrets: bool = False) -> Path:
    """A repo whose code sits in `app/`: GBK+CRLF, UTF-8+BOM, plain, a notebook."""
    repo = tmp_path / "repo"
    (repo / "app").mkdir(parents=True)
    names = ["gbk_crlf.py", "utf8_bom.py", "v1_sync.py"] + ([SECRET_FILE] if secrets else [])
    for name in names:
        shutil.copy(REWRITE_FIXTURES / name, repo / "app" / name)
    shutil.copy(NOTEBOOK, repo / "app" / NOTEBOOK.name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "initial")
    return repo


def diff(*args: str | Path) -> Result:
    env = {"NO_COLOR": None, "FORCE_COLOR": None, "COLUMNS": "200"}
    return CliRunner().invoke(main, ["diff", *map(str, args)], env=env, catch_exceptions=False)


def migrated_copy(repo: Path, tmp_path: Path) -> dict[str, bytes]:
    """What `apply --in-place` makes of the same tree: the bytes the patch must produce."""
    twin = tmp_path / "twin"
    shutil.copytree(repo / "app", twin)
    result = CliRunner().invoke(main, ["apply", str(twin), "--to", "qwen", "--in-place"])
    assert result.exit_code == 0, result.output
    return {p.name: p.read_bytes() for p in twin.iterdir() if p.name != "MIGRATION.md"}


def test_piped_diff_applies_byte_for_byte(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    result = diff(repo / "app", "--to", "qwen")
    assert result.exit_code == 0, result.stderr
    patch = result.stdout_bytes
    # Paths from the repository's top; findings and the summary went to stderr.
    assert b"--- a/app/gbk_crlf.py\n+++ b/app/gbk_crlf.py\n" in patch
    assert b"\r\n" in patch and "注释".encode("gbk") in patch  # CRLF and GBK bytes as in the file
    assert b"file(s) to change" not in patch and "file(s) to change" in result.stderr
    (tmp_path / "x.patch").write_bytes(patch)
    expected = migrated_copy(repo, tmp_path)
    git(repo, "apply", "--check", str(tmp_path / "x.patch"))
    git(repo, "apply", str(tmp_path / "x.patch"))
    assert {p.name: p.read_bytes() for p in (repo / "app").iterdir()} == expected
    assert expected[NOTEBOOK.name] != NOTEBOOK.read_bytes()  # the notebook was patched too


def test_real_shell_redirect_outside_a_repo(tmp_path: Path) -> None:
    """`migrator diff PATH > x.patch` outside git: paths relative to PATH (git apply
    applies it inside PATH); stdout holds the patch alone."""
    folder = tmp_path / "proj"
    folder.mkdir()
    shutil.copy(REWRITE_FIXTURES / "gbk_crlf.py", folder)
    patch = tmp_path / "x.patch"
    with open(patch, "wb") as out:
        proc = subprocess.run(
            [sys.executable, "-m", "migrator", "diff", str(folder), "--to", "glm"],
            stdout=out, stderr=subprocess.PIPE, text=True, timeout=120, check=False,
            env={**os.environ, "GIT_CEILING_DIRECTORIES": str(tmp_path)},
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert patch.read_bytes().startswith(b"diff --git a/gbk_crlf.py b/gbk_crlf.py\n")
    assert "1 file(s) to change" in proc.stderr
    git(folder, "init", "-q")
    git(folder, "apply", str(patch))
    assert b"open.bigmodel.cn" in (folder / "gbk_crlf.py").read_bytes()


def test_secrets_redacted_on_screen_and_real_patch_only_in_a_private_file(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, secrets=True)
    shown = diff(repo / "app", "--to", "qwen")
    for secret in SECRETS:
        assert secret not in shown.output
    assert "sk-****1234" in shown.stdout
    assert "not applicable as printed" in shown.stderr
    (tmp_path / "shown.patch").write_bytes(shown.stdout_bytes)
    assert git(repo, "apply", "--check", str(tmp_path / "shown.patch"), ok=False).returncode != 0
    on_screen = diff(repo / "app", "--to", "qwen", "--no-color")  # the review view says it too
    assert "not applicable as printed" in on_screen.stdout

    real = tmp_path / "real.patch"
    real.write_bytes(b"old content, readable by all")
    real.chmod(0o644)
    result = diff(repo / "app", "--to", "qwen", "-o", real)
    assert result.exit_code == 0
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert all(secret.encode() in real.read_bytes() for secret in SECRETS)
    for secret in SECRETS:
        assert secret not in result.output
    expected = migrated_copy(repo, tmp_path)[SECRET_FILE]
    assert expected != (repo / "app" / SECRET_FILE).read_bytes()
    git(repo, "apply", str(real))
    assert (repo / "app" / SECRET_FILE).read_bytes() == expected


def test_the_real_patch_is_never_written_to_a_terminal(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, secrets=True)
    leader, follower = os.openpty()
    try:
        result = diff(repo / "app", "--to", "qwen", "-o", os.ttyname(follower))
        assert result.exit_code == 2
        assert "is a terminal" in result.output
        os.set_blocking(leader, False)
        try:
            written = os.read(leader, 65536)
        except BlockingIOError:
            written = b""
        assert not any(secret.encode() in written for secret in SECRETS)
    finally:
        os.close(leader)
        os.close(follower)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"a\r\nb\r\n", b"a\r\nc\r\n"),
        (b"a\nb", b"a\nc"),  # no newline at end of file, both sides
        (b"a\nb\n", b"a\nb"),
        ("x = '注释'\n".encode("gbk"), "x = '注释'\ny = 1\n".encode("gbk")),
    ],
)
def test_file_patch_round_trips_through_git_apply(tmp_path: Path, old: bytes, new: bytes) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "f.py").write_bytes(old)
    (tmp_path / "p.patch").write_bytes(file_patch("f.py", old, new))
    git(tmp_path, "apply", "p.patch")
    assert (tmp_path / "f.py").read_bytes() == new
