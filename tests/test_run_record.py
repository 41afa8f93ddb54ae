"""A read-only command run again on an unchanged tree replays its recorded output
(run_record.py): the same bytes on stdout and stderr and the same exit status, without
running. Any input that can change the output -- a file's bytes, the listing, the
configuration, the git index, the options, the environment -- makes it run again.

The suite runs with MIGRATOR_NO_CACHE=1 (conftest.py); here the cache is on, in a
temporary folder. Files made by a test are seconds old, which the record treats as racy
(never recorded): the in-process tests move the settle window out of the way, the
subprocess test waits it out.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import migrator.apply_plan
import migrator.migrate
import migrator.scan
from migrator import file_stamps, progress
from migrator.cli import main
from tests.cli_probe import loading_probe

APP = """\
import openai

client = openai.OpenAI()
reply = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
print(reply.choices[0].message.content)
"""
COMMANDS = {
    "scan": ["scan", "--format", "json"],
    "diff": ["diff", "--to", "qwen"],
    "diff --check": ["diff", "--to", "qwen", "--check"],
    "checklist": ["checklist", "--to", "qwen"],
}


@pytest.fixture(autouse=True)
def cache_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MIGRATOR_NO_CACHE", raising=False)
    monkeypatch.setenv("MIGRATOR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(file_stamps, "SETTLED_NS", -(10**12))  # nothing is racy


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "app" / "main.py").write_text(APP)
    (root / "app" / "util.py").write_text("def add(a, b):\n    return a + b\n")
    return root


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which engine ran, once per run that was not replayed."""
    ran: list[str] = []
    engines = (
        (migrator.migrate, "migrate"),
        (migrator.apply_plan, "migrate"),
        (migrator.scan, "scan"),
    )
    for module, name in engines:
        real = getattr(module, name)

        def counted(*args: object, _real: object = real, _name: str = name, **kw: object) -> object:
            ran.append(_name)
            return _real(*args, **kw)  # type: ignore[operator]

        monkeypatch.setattr(module, name, counted)
    return ran


def cli(root: Path, command: str, *extra: str) -> Result:
    name, *args = COMMANDS[command]
    return CliRunner().invoke(main, [name, str(root), *args, "--jobs", "1", *extra])


def same(first: Result, second: Result) -> None:
    assert (second.exit_code, second.stdout_bytes, second.stderr_bytes) == (
        first.exit_code,
        first.stdout_bytes,
        first.stderr_bytes,
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_a_second_run_replays_the_first(tree: Path, runs: list[str], command: str) -> None:
    first = cli(tree, command)
    assert first.exit_code == (1 if command == "diff --check" else 0), first.output
    assert first.stdout_bytes, "the command prints something"
    assert len(runs) == 1
    second = cli(tree, command)
    same(first, second)
    assert len(runs) == 1, "replayed: the engine did not run again"


def test_the_diff_patch_and_notes_come_back_in_order(tree: Path, runs: list[str]) -> None:
    first = cli(tree, "diff")
    assert b"+++ b/app/main.py" in first.stdout_bytes  # the patch: bytes on stdout's buffer
    assert b"dashscope" in first.stdout_bytes
    second = cli(tree, "diff")
    same(first, second)
    assert runs == ["migrate"]


@pytest.mark.parametrize(
    "change",
    [
        "edit a file",
        "add a file",
        "remove a file",
        "configure",
        "stage a file",
    ],
)
def test_a_changed_input_runs_again(
    tree: Path, runs: list[str], change: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    subprocess.run(["git", "init", "-q", str(tree)], check=True)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    cli(tree, "checklist")
    assert runs == ["migrate"]
    if change == "edit a file":
        (tree / "app" / "util.py").write_text(APP.replace("gpt-4o", "gpt-4o-mini"))
    elif change == "add a file":
        (tree / "app" / "more.py").write_text(APP)
    elif change == "remove a file":
        (tree / "app" / "util.py").unlink()
    elif change == "configure":  # found by searching upward: not in the tree's listing
        (tree.parent / "pyproject.toml").write_text(
            '[tool.migrator]\nmodel-map = {"gpt-4o" = "qwen-max"}\n'
        )
    else:  # what git tracks shows in the checklist's advice; the tree's files are as they were
        subprocess.run(["git", "-C", str(tree), "add", "app/main.py"], check=True)
    changed = cli(tree, "checklist")
    assert changed.exit_code == 0, changed.output
    assert runs == ["migrate", "migrate"]
    again = cli(tree, "checklist")
    same(changed, again)
    assert runs == ["migrate", "migrate"], "and the new state is recorded in turn"


def test_other_options_or_environment_run_again(
    tree: Path, runs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli(tree, "diff")
    cli(tree, "diff", "--strategy", "native")
    cli(tree, "diff", "--model-map", "gpt-4o=qwen-max")
    monkeypatch.setenv("NO_COLOR", "1")
    cli(tree, "diff")
    assert runs == ["migrate"] * 4
    cli(tree, "diff", "--model-map", "gpt-4o=qwen-max")  # NO_COLOR is part of its key
    assert len(runs) == 5


@pytest.mark.parametrize(
    ("extra", "why"),
    [
        (["-v"], "verbose runs describe themselves"),
        (["--no-cache"], "no cache"),
    ],
)
def test_runs_that_are_not_recorded(
    tree: Path, runs: list[str], extra: list[str], why: str
) -> None:
    cli(tree, "diff", *extra)
    cli(tree, "diff", *extra)
    assert runs == ["migrate", "migrate"], why


def test_a_run_writing_a_file_is_never_replayed(tree: Path, runs: list[str]) -> None:
    patch = tree.parent / "out.patch"
    cli(tree, "diff", "-o", str(patch))
    patch.unlink()
    cli(tree, "diff", "-o", str(patch))
    assert b"+++ b/app/main.py" in patch.read_bytes(), "written again"
    assert runs == ["migrate", "migrate"]


def _show_a_bar() -> None:
    bar = progress.FileProgress("rewrite", 1, show=True)
    bar.update(0)
    bar.close()


def test_a_run_that_showed_a_progress_bar_is_not_recorded(
    tree: Path, runs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bar's drawing is the terminal's, not output to replay."""
    monkeypatch.setattr(progress, "_BAR_DELAY", 0.0)
    real = migrator.scan.scan

    def scan_showing_a_bar(*args: object, **kwargs: object) -> object:
        _show_a_bar()
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(migrator.scan, "scan", scan_showing_a_bar)
    cli(tree, "scan")
    cli(tree, "scan")
    assert runs == ["scan", "scan"]


def test_a_bar_shown_before_a_run_does_not_keep_it_from_being_recorded(
    tree: Path, runs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process that ran an earlier command with a bar (tests run many commands in one
    process) still records the next one."""
    monkeypatch.setattr(progress, "_BAR_DELAY", 0.0)
    _show_a_bar()
    first = cli(tree, "scan")
    same(first, cli(tree, "scan"))
    assert runs == ["scan"]


def test_a_racy_tree_is_not_recorded(
    tree: Path, runs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(file_stamps, "SETTLED_NS", 2_000_000_000)  # files are fresh
    cli(tree, "scan")
    cli(tree, "scan")
    assert runs == ["scan", "scan"]


def test_output_holding_a_credential_is_not_recorded(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """migrator redacts keys in what it prints; were one to get through, the record
    would not keep it (no file the tool writes holds a credential)."""
    key = "sk-" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0"
    import migrator.report

    real = migrator.report.dump_json
    monkeypatch.setattr(migrator.report, "dump_json", lambda data: real(data) + key + "\n")
    first = cli(tree, "scan")
    assert key in first.stdout
    cache = tree.parent / "cache"
    names = {p.name for p in cache.rglob("*") if p.is_file()}
    second = cli(tree, "scan")
    same(first, second)
    assert not any(key.encode() in p.read_bytes() for p in cache.rglob("*") if p.is_file())
    assert names == {p.name for p in cache.rglob("*") if p.is_file()}


def test_a_replay_loads_neither_libcst_nor_the_engine(tmp_path: Path, tree: Path) -> None:
    """Run as a user would, twice; the second run reports what it imported."""
    env = {
        **os.environ,
        "MIGRATOR_CACHE_DIR": str(tmp_path / "cache"),
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    env.pop("MIGRATOR_NO_CACHE", None)
    time.sleep(2.2)  # the tree's files settle (run_record.py records no racy tree)
    probe = loading_probe(
        "libcst", "migrator.rewrite", "migrator.mapping", "migrator.migrate", "rich"
    )
    argv = [sys.executable, "-c", probe, "diff", str(tree), "--to", "qwen", "-j", "1"]
    first = subprocess.run(argv, capture_output=True, env=env, check=False)
    second = subprocess.run(argv, capture_output=True, env=env, check=False)
    assert first.returncode == second.returncode == 0, first.stderr
    assert b"LOADED ['libcst'" in first.stderr
    assert second.stdout == first.stdout and b"+++ b/app/main.py" in second.stdout
    assert second.stderr.splitlines()[-1] == b"LOADED []"
    assert second.stderr.splitlines()[:-1] == first.stderr.splitlines()[:-1]
    if hasattr(os, "openpty"):  # on a terminal: colours, and the terminal's size in the stamp
        env.pop("NO_COLOR", None)
        (status, shown), (again, replayed) = (run_on_a_terminal(argv, env) for _ in range(2))
        assert status == again == 0, shown
        shown, _, loaded = shown.rstrip().rpartition(b"\n")
        replayed, _, loaded_again = replayed.rstrip().rpartition(b"\n")
        assert b"\x1b[" in shown, "coloured: not the record the pipe runs made"
        # ran (its files' results came from the cache the pipe runs filled: no libcst)
        assert loaded == b"LOADED ['migrator.mapping', 'migrator.migrate', 'rich']"
        assert replayed == shown and loaded_again == b"LOADED []"


def run_on_a_terminal(argv: list[str], env: dict[str, str]) -> tuple[int, bytes]:
    """Exit status and what a terminal showed (stdout and stderr both on it)."""
    leader, follower = os.openpty()
    proc = subprocess.Popen(argv, stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    shown = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the program closed the terminal
            break
        if not data:
            break
        shown.append(data)
    os.close(leader)
    return proc.wait(), b"".join(shown)


def test_an_edited_mapping_file_runs_again(tree: Path, runs: list[str]) -> None:
    mapping = tree.parent / "acme.yaml"
    source = Path(__file__).resolve().parent.parent / "fixtures" / "findings" / "mapping.yaml"
    mapping.write_bytes(source.read_bytes())
    args = ["diff", str(tree), "--mapping", str(mapping), "--to", "acme", "--jobs", "1"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    same(first, CliRunner().invoke(main, args))
    assert runs == ["migrate"]
    mapping.write_bytes(source.read_bytes() + b"# reviewed\n")  # the options are the same
    same(first, CliRunner().invoke(main, args))
    assert runs == ["migrate", "migrate"]


def test_another_environment_replaces_the_record(
    tree: Path, runs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One record per command, options and working folder: a shell whose environment
    differs (a new SSH session's SSH_CLIENT port) runs again and replaces it."""
    cache = tree.parent / "cache"
    cli(tree, "diff")
    files = sorted(p.name for p in cache.rglob("*") if p.is_file())
    monkeypatch.setenv("SSH_CLIENT", "10.0.0.2 50123 22")
    cli(tree, "diff")
    cli(tree, "diff")
    assert runs == ["migrate", "migrate"]
    assert sorted(p.name for p in cache.rglob("*") if p.is_file()) == files
    monkeypatch.delenv("SSH_CLIENT")
    cli(tree, "diff")
    assert runs == ["migrate"] * 3, "the record now holds the other environment's run"
