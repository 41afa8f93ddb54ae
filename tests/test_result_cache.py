"""The result cache (result_cache.py): a cached run prints what an uncached one does, byte
for byte; a key changes exactly when an input of the result does; a damaged entry or an
unusable folder costs the speed-up, never the run.

The suite runs with MIGRATOR_NO_CACHE=1 (conftest.py); here it is unset and the cache
lives in a temporary folder. Hits and misses are counted on the cache objects the CLI
opened (never timed).
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from migrator.codemods.strategies import strategy_named

import migrator.apply_plan
import migrator.cli
import migrator.cli_apply
import migrator.cli_checklist
import migrator.fingerprint as fingerprint
import migrator.result_cache as result_cache
import migrator.run_record
from migrator.cli import main
from migrator.discovery import discover
from migrator.mapping import load_registry
from migrator.migrate import migrate
from migrator.model import FileResult
from migrator.options import RewriteOptions
from migrator.result_cache import ResultCache, open_cache
from tests.cli_probe import loading_probe

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
ACME = ["--mapping", str(FIXTURES / "findings" / "mapping.yaml"), "--to", "acme"]

# Every fixture project, with the target options it is read with. The small ones are
# compared on every report; the larger trees on the JSON reports, which hold the same
# diffs and findings (the test-time budget).
PROJECTS = {
    "config_app": (FIXTURES / "projects" / "config_app", ["--to", "qwen", "--retarget-configured"]),
    "rag-app native": (FIXTURES / "projects" / "rag-app", ["--to", "qwen", "--strategy", "native"]),
    "vector_search litellm": (
        FIXTURES / "projects" / "vector_search",
        ["--to", "deepseek", "--strategy", "litellm"],
    ),
    "findings": (FIXTURES / "findings" / "repo", ACME),
}
TREES = {
    "demo-app": (FIXTURES / "demo-app", ["--to", "deepseek"]),
    "notebooks": (FIXTURES / "notebooks", ["--to", "glm"]),
    "v0 upgrade": (FIXTURES / "v0", ["--to", "kimi", "--upgrade-v0"]),
    "routes": (FIXTURES / "routes", ["--to", "deepseek", "--route", "embeddings=qwen"]),
}
EVERY_REPORT = ("scan json", "diff text", "diff json", "checklist md", "checklist json")
JSON_REPORTS = ("diff json", "checklist json")


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("MIGRATOR_NO_CACHE", raising=False)
    folder = tmp_path / "cache"
    monkeypatch.setenv("MIGRATOR_CACHE_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def no_replay(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about per-file results: a command run again on the same tree is
    not replayed whole here (test_run_record.py tests that)."""
    monkeypatch.setattr(migrator.run_record.RunRecord, "replay", lambda self: False)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[ResultCache | None]:
    """The cache each CLI run opened, in order."""
    caches: list[ResultCache | None] = []

    def recording(no_cache: bool = False) -> ResultCache | None:
        cache = open_cache(no_cache)
        caches.append(cache)
        return cache

    monkeypatch.setattr(migrator.cli, "open_cache", recording)
    monkeypatch.setattr(migrator.cli_apply, "open_cache", recording)
    monkeypatch.setattr(migrator.cli_checklist, "open_cache", recording)
    return caches


def run(*args: str) -> tuple[str, str]:
    result = CliRunner().invoke(main, [*args, "--jobs", "1"], catch_exceptions=False)
    assert result.exit_code == 0, result.output + result.stderr
    return result.stdout, result.stderr


def report(name: str, path: Path, target: list[str], *extra: str) -> str:
    """One report a person or a tool reads for `path`."""
    command, fmt = name.split()
    args = {
        "scan json": ["--format", "json"],
        "diff text": [*target, "--no-color"],
        "diff json": [*target, "--format", "json"],
        "checklist md": target,
        "checklist json": [*target, "--format", "json"],
    }[name]
    return run(command, str(path), *args, *extra)[0]


@pytest.mark.parametrize(
    ("path", "target", "reports"),
    [
        *[pytest.param(*PROJECTS[n], EVERY_REPORT, id=n) for n in PROJECTS],
        *[pytest.param(*TREES[n], JSON_REPORTS, id=n) for n in TREES],
    ],
)
def test_cached_reports_equal_uncached_ones(
    path: Path,
    target: list[str],
    reports: tuple[str, ...],
    opened: list[ResultCache | None],
    cache_dir: Path,
) -> None:
    uncached = {name: report(name, path, target, "--no-cache") for name in reports}
    assert set(opened) == {None} and not cache_dir.exists()
    assert '"diff": "' in uncached["diff json"], "the fixture must change"
    # Cold: results are computed and stored; what is printed is the uncached run's.
    cold = {name: report(name, path, target) for name in ("diff json", "scan json")}
    assert cold["diff json"] == uncached["diff json"]
    if "scan json" in reports:
        assert cold["scan json"] == uncached["scan json"]
    diff_cache = opened[-2]
    assert diff_cache is not None and diff_cache.hits == 0
    # (a file whose changed lines hold a credential is computed each time, never stored)
    assert diff_cache.misses == diff_cache.stored + diff_cache.unstored
    assert diff_cache.stored > 0
    del opened[:]
    # Warm: every result is read back.
    assert {name: report(name, path, target) for name in reports} == uncached
    for cache in opened:
        assert cache is not None and cache.misses == cache.unstored and cache.hits > 0


def git_copy(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest)
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "initial"],
    ):
        subprocess.run(["git", "-C", str(dest), *args], check=True, env=env)
    return dest


def test_apply_and_checklist_after_diff_reuse_its_results(
    tmp_path: Path, opened: list[ResultCache | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = git_copy(FIXTURES / "projects" / "vector_search", tmp_path / "repo")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    target = ["--to", "deepseek"]
    run("diff", str(repo), *target)
    run("checklist", str(repo), *target)
    run("apply", str(repo), *target, "--no-commit", "--branch", "migrated")
    diff, checklist, apply = opened
    assert diff is not None and diff.misses > 0 and diff.hits == 0
    for cache in (checklist, apply):
        assert cache is not None and cache.misses == 0 and cache.hits == diff.misses


def test_a_cached_scan_never_loads_libcst(tmp_path: Path, cache_dir: Path) -> None:
    """The inventory needs libcst for a file the cache does not hold; a scan whose files
    are all cached loads neither. A subprocess: the suite has long imported both."""
    env = {**os.environ, "MIGRATOR_CACHE_DIR": str(cache_dir)}
    env.pop("MIGRATOR_NO_CACHE", None)
    probe = loading_probe("libcst", "migrator.inventory")
    tree = str(FIXTURES / "projects" / "rag-app")

    def scan(*extra: str) -> subprocess.CompletedProcess[bytes]:
        argv = [sys.executable, "-c", probe, "scan", tree, "--jobs", "1", *extra]
        return subprocess.run(argv, capture_output=True, env=env, check=True)

    first = scan("--format", "json")
    assert first.stderr.splitlines()[-1] == b"LOADED ['libcst', 'migrator.inventory']"
    cached = scan()  # (text: another record than the JSON run's, so it runs)
    assert cached.stderr.splitlines()[-1] == b"LOADED []"
    assert cached.stdout == scan("--no-cache").stdout


def test_a_dependency_files_edit_is_kept_by_its_bytes_and_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsing pyproject.toml (tomlkit) cost more than the rest of a cached checklist's
    planning: the edit is kept, and made again when the file or the change differs."""
    root = tmp_path / "proj"
    shutil.copytree(FIXTURES / "projects" / "vector_search", root)
    pyproject = root / "pyproject.toml"
    pyproject.write_text('[project]\nname = "vs"\ndependencies = ["openai>=1.0", "numpy"]\n')
    edits: list[str] = []
    real = migrator.apply_plan.edit_dependency_file

    def counted(rel: str, text: str, change: object) -> object:
        edits.append(rel)
        return real(rel, text, change)  # type: ignore[arg-type]

    monkeypatch.setattr(migrator.apply_plan, "edit_dependency_file", counted)

    def checklist(provider: str = "qwen", *extra: str) -> str:
        return run("checklist", str(root), "--to", provider, "--strategy", "native", *extra)[0]

    uncached = checklist("qwen", "--no-cache")
    assert "replaced openai>=1.0 with dashscope" in uncached
    assert edits == ["pyproject.toml"]
    assert checklist() == uncached
    assert edits == ["pyproject.toml"] * 2
    assert checklist() == uncached
    assert edits == ["pyproject.toml"] * 2, "kept"
    assert "with zai-sdk" in checklist("glm")
    assert edits == ["pyproject.toml"] * 3, "another provider: another change"
    pyproject.write_text('[project]\nname = "vs"\ndependencies = ["openai>=1.30"]\n')
    assert "replaced openai>=1.30 with dashscope" in checklist()
    assert edits == ["pyproject.toml"] * 4, "other bytes"


@pytest.mark.parametrize("strategy", ["compat", "native", "litellm"])
def test_apply_and_checklist_after_diff_never_load_the_engine(
    tmp_path: Path, cache_dir: Path, strategy: str
) -> None:
    """When every file is cached, `checklist` and `apply` build options, ask the strategy
    for its endpoint and variables, and read the entries: libcst, the rewrite engine and
    the fixers stay unimported (their import is most of such a run), and so do the
    process pool, which no file needs, rich, which no output here draws with, tomlkit (no TOML
    file here), and the mapping schema (the shipped mappings `diff` parsed are in the
    cache; the YAML parser still reads this project's settings.yaml, whose files are too
    new for the report memo). Their output is the uncached run's. A subprocess, as a user
    runs it: the suite has long imported them."""
    target = {"compat": ["--to", "qwen"], "native": ["--to", "qwen", "--strategy", "native"],
              "litellm": ["--to", "deepseek", "--strategy", "litellm"]}[strategy]  # fmt: skip
    repo = git_copy(FIXTURES / "projects" / "rag-app", tmp_path / "repo")
    env = {**os.environ, "MIGRATOR_CACHE_DIR": str(cache_dir), "GIT_CONFIG_GLOBAL": os.devnull}
    env.pop("MIGRATOR_NO_CACHE", None)
    probe = loading_probe(
        "concurrent.futures",
        "importlib.resources",
        "libcst",
        "migrator.codemods.registry",
        "migrator.mapping_schema",
        "migrator.rewrite",
        "rich",
        "tomlkit",
    )

    def cli(*args: str, cache: bool = True) -> subprocess.CompletedProcess[bytes]:
        argv = [sys.executable, "-c", probe, *args, *target, *([] if cache else ["--no-cache"])]
        done = subprocess.run(argv, capture_output=True, env=env, cwd=repo, check=False)
        assert done.returncode in (0, 1), done.stderr
        return done

    assert b"'libcst'" in cli("diff", ".").stderr.splitlines()[-1]
    checklist = cli("checklist", ".", "--format", "json")
    assert checklist.stderr.splitlines()[-1] == b"LOADED []"
    assert checklist.stdout == cli("checklist", ".", "--format", "json", cache=False).stdout
    checklist = cli("checklist", ".")
    assert checklist.stderr.splitlines()[-1] == b"LOADED []"
    assert checklist.stdout == cli("checklist", ".", cache=False).stdout
    applied = cli("apply", ".", "--no-commit", "--branch", "first-run")
    assert applied.stderr.splitlines()[-1] == b"LOADED []"

    def staged() -> bytes:  # the blob ids differ with the branch named in MIGRATION.md
        out = subprocess.run(["git", "diff", "--cached"], cwd=repo, capture_output=True).stdout
        return b"".join(li for li in out.splitlines(True) if not li.startswith(b"index "))

    written = staged()
    subprocess.run(["git", "checkout", "-qf", "main"], cwd=repo, check=True, env=env)
    again = cli("apply", ".", "--no-commit", "--branch", "other-run", cache=False)
    assert b"'libcst'" in again.stderr.splitlines()[-1]
    assert applied.stdout == again.stdout.replace(b"other-run", b"first-run")
    assert b"+" in written
    assert written == staged().replace(b"other-run", b"first-run")


def test_a_run_served_by_the_report_memo_loads_no_pre_pass_and_no_parser(
    tmp_path: Path, cache_dir: Path
) -> None:
    """On files old enough for the report memo (2 s: file_stamps.py), the checklist and
    apply after a diff take diff's report: neither the file run (migrate_run.py) nor the
    constants and cross-module pre-passes, the configuration rewrite or the YAML parser
    (the project's settings.yaml was read by diff) is imported. Their output is the
    uncached run's."""
    repo = git_copy(FIXTURES / "projects" / "rag-app", tmp_path / "repo")
    env = {**os.environ, "MIGRATOR_CACHE_DIR": str(cache_dir), "GIT_CONFIG_GLOBAL": os.devnull}
    env.pop("MIGRATOR_NO_CACHE", None)
    probe = loading_probe(
        "migrator.config_files", "migrator.constants", "migrator.cross_module",
        "migrator.migrate_run", "yaml",
    )  # fmt: skip

    def cli(*args: str, cache: bool = True) -> subprocess.CompletedProcess[bytes]:
        argv = [sys.executable, "-c", probe, *args, "--to", "qwen",
                *([] if cache else ["--no-cache"])]  # fmt: skip
        done = subprocess.run(argv, capture_output=True, env=env, cwd=repo, check=False)
        assert done.returncode in (0, 1), done.stderr
        return done

    time.sleep(2.1)  # the copy's files settle: diff may keep its report
    assert b"'migrator.migrate_run'" in cli("diff", ".").stderr.splitlines()[-1]
    checklist = cli("checklist", ".")
    assert checklist.stderr.splitlines()[-1] == b"LOADED []"
    assert checklist.stdout == cli("checklist", ".", cache=False).stdout
    applied = cli("apply", ".", "--no-commit", "--branch", "memo-run")
    assert applied.stderr.splitlines()[-1] == b"LOADED []"


# --------------------------------------------------------------------------- invalidation

SETTINGS = 'CHAT_MODEL = "gpt-4o"\n'
USES_SETTINGS = """from openai import OpenAI

from app.settings import CHAT_MODEL

client = OpenAI()
reply = client.chat.completions.create(model=CHAT_MODEL, messages=[])
"""
STANDALONE = """import openai

client = openai.OpenAI()
vectors = client.embeddings.create(model="text-embedding-3-small", input=["a"])
"""


def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "settings.py").write_text(SETTINGS)
    (root / "app" / "chat.py").write_text(USES_SETTINGS)
    (root / "app" / "embed.py").write_text(STANDALONE)
    return root


def options(provider: str = "qwen", **changes: object) -> RewriteOptions:
    mapping = load_registry().get(provider)
    return replace(RewriteOptions(mapping, strategy_named("compat")), **changes)  # type: ignore[arg-type]


def counted(root: Path, opts: RewriteOptions) -> tuple[int, int, str]:
    """(hits, misses) of one cached run over `root`, and its diffs."""
    cache = open_cache()
    assert cache is not None
    report = migrate(discover(root), opts, jobs=1, show_progress=False, cache=cache)
    return cache.hits, cache.misses, "".join(d for _, d in report.diffs())


def test_a_changed_file_recomputes_itself_and_the_files_reading_its_facts(tmp_path: Path) -> None:
    root = project(tmp_path)
    hits, misses, first = counted(root, options())
    # chat.py asks settings.py to change its constant: settings.py runs once, after chat.py,
    # with that request in its options.
    assert (hits, misses) == (0, 3)
    assert "qwen" in first and "app/settings.py" in first
    assert counted(root, options())[:2] == (3, 0)
    # A file nobody imports from: only it.
    (root / "app" / "embed.py").write_text(STANDALONE.replace('["a"]', '["b"]'))
    assert counted(root, options())[:2] == (2, 1)
    # The defining file: itself, and chat.py, whose options hold the constant's value.
    (root / "app" / "settings.py").write_text('CHAT_MODEL = "gpt-4o-mini"\n')
    hits, misses, after = counted(root, options())
    assert (hits, misses) == (1, 2)
    assert after != first and "gpt-4o-mini" in after
    assert counted(root, options()) == (3, 0, after)


@pytest.mark.parametrize(
    "changed",
    [
        {"provider": "deepseek"},
        {"upgrade_v0": True},
        {"retarget_configured": True},
        {"ignore": frozenset({"MIG101"})},
        {"strategy": "native"},
    ],
    ids=lambda c: next(iter(c)),
)
def test_every_option_that_changes_output_is_in_the_key(
    tmp_path: Path, changed: dict[str, object]
) -> None:
    root = project(tmp_path)
    counted(root, options())
    kwargs = dict(changed)
    provider = str(kwargs.pop("provider", "qwen"))
    if "strategy" in kwargs:
        kwargs["strategy"] = strategy_named(str(kwargs["strategy"]))
    assert counted(root, options(provider, **kwargs))[0] == 0


def test_a_model_override_or_an_edited_mapping_file_invalidates(tmp_path: Path) -> None:
    root = project(tmp_path)
    counted(root, options())
    base = options()
    overridden = replace(base, mapping=base.mapping.with_overrides({"gpt-4o": "qwen-max"}))
    assert counted(root, overridden)[0] == 0
    # A user's mapping file: same path, new content -> a new mapping value -> new keys.
    mine = tmp_path / "acme.yaml"
    text = (FIXTURES / "findings" / "mapping.yaml").read_text()
    mine.write_text(text)
    acme = replace(base, mapping=load_registry([mine]).get("acme"))
    assert counted(root, acme)[:2] == (0, 3)
    assert counted(root, acme)[1] == 0
    mine.write_text(text.replace("acme-large", "acme-huge"))
    edited = replace(base, mapping=load_registry([mine]).get("acme"))
    assert counted(root, edited)[0] == 0


def test_a_new_version_or_changed_code_uses_new_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path)
    counted(root, options())
    assert counted(root, options())[1] == 0
    monkeypatch.setattr(fingerprint, "__version__", "99.0")
    fingerprint.tool_fingerprint.cache_clear()
    try:
        assert counted(root, options())[0] == 0
    finally:
        fingerprint.tool_fingerprint.cache_clear()
    # The code itself is hashed: the fingerprint reads the package's files.
    package = Path(result_cache.__file__).parent
    assert any(p.name == "result_cache.py" for p in package.iterdir())


def test_keys_do_not_depend_on_the_hash_seed(tmp_path: Path, cache_dir: Path) -> None:
    """Two processes with different string hash seeds share every entry (sets inside
    the options, such as the project's constants tables, are keyed in a fixed order)."""
    tree = FIXTURES / "projects" / "rag-app"
    argv = [sys.executable, "-m", "migrator", "diff", str(tree), "--to", "qwen"]
    argv += ["--strategy", "native", "-v", "--jobs", "1"]
    lines = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "MIGRATOR_CACHE_DIR": str(cache_dir)}
        env.pop("MIGRATOR_NO_CACHE", None)
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=True)
        lines.append(next(line for line in proc.stderr.splitlines() if "cache:" in line))
    assert " 0 file(s) reused" in lines[0] and " 0 computed" in lines[1], lines


# --------------------------------------------------------------------------- damage


def entries(cache_dir: Path) -> list[Path]:
    """The stored file results (not the pre-pass's memos, nor the remembered fingerprint)."""
    found = []
    for path in sorted(p for p in cache_dir.rglob("*") if p.is_file()):
        header, _, body = path.read_bytes().partition(b"\n")
        if header.startswith(b"migrator-cache ") and isinstance(pickle.loads(body), FileResult):
            found.append(path)
    return found


def test_a_corrupt_or_truncated_entry_is_a_miss_and_is_rewritten(
    tmp_path: Path, cache_dir: Path
) -> None:
    root = project(tmp_path)
    _, _, expected = counted(root, options())
    stored = entries(cache_dir)
    assert len(stored) == 3
    stored[0].write_bytes(b"garbage")
    stored[1].write_bytes(stored[1].read_bytes()[:-20])  # a header, half a pickle
    hits, misses, diff = counted(root, options())
    assert (hits, misses) == (1, 2) and diff == expected
    assert counted(root, options())[:2] == (3, 0)  # both rewritten


def test_entries_are_private(tmp_path: Path, cache_dir: Path) -> None:
    counted(project(tmp_path), options())
    for path in [cache_dir, *cache_dir.rglob("*")]:
        mode = path.stat().st_mode & 0o777
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


def test_an_unusable_folder_only_turns_the_cache_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, opened: list[ResultCache | None]
) -> None:
    root = project(tmp_path)
    expected, _ = run("diff", str(root), "--to", "qwen", "--no-cache")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("MIGRATOR_CACHE_DIR", str(blocker / "cache"))
    out, err = run("diff", str(root), "--to", "qwen")
    assert out == expected and opened[-1] is None
    assert err.count("without the cache") == 1, err


def test_a_failed_write_disables_the_cache_with_one_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path)
    expected, _ = run("diff", str(root), "--to", "qwen", "--no-cache")

    def full_disk(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(result_cache, "write_atomic_entry", full_disk)
    out, err = run("diff", str(root), "--to", "qwen")
    assert out == expected
    assert err.count("No space left on device") == 1, err


def test_no_cache_flag_and_environment(monkeypatch: pytest.MonkeyPatch, cache_dir: Path) -> None:
    assert open_cache(no_cache=True) is None
    monkeypatch.setenv("MIGRATOR_NO_CACHE", "1")
    assert open_cache() is None
    monkeypatch.setenv("MIGRATOR_NO_CACHE", "0")
    assert open_cache() is not None and cache_dir.is_dir()


def test_default_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MIGRATOR_CACHE_DIR")
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert result_cache.default_cache_dir() == tmp_path / "xdg" / "migrator"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert result_cache.default_cache_dir() == tmp_path / "home" / ".cache" / "migrator"


def test_option_encoding_tells_apart_what_differs() -> None:
    encoder = result_cache._Encoder()
    first, second = (lambda: 1), (lambda: 2)  # one qualified name, two behaviours
    assert encoder.encode(first) != encoder.encode(second)
    assert encoder.encode({"a": 1, "b": 2}) != encoder.encode({"b": 2, "a": 1})  # order kept
    assert encoder.encode(("a",)) != encoder.encode(["a"])
    assert encoder.encode(frozenset({"x", "y"})) == encoder.encode(frozenset({"y", "x"}))


def test_an_option_the_cache_cannot_key_leaves_that_file_uncached(tmp_path: Path) -> None:
    cache = open_cache()
    assert cache is not None
    assert cache.key(migrate, "a.py", b"", object()) is None
    assert cache.key(migrate, "a.py", b"", None) is not None


def test_a_new_version_removes_the_entries_of_versions_unused_for_a_month(
    cache_dir: Path,
) -> None:
    old, recent, other = (cache_dir / name for name in ("a" * 24, "b" * 24, "notes"))
    for folder in (old, recent, other):
        (folder / "00").mkdir(parents=True)
    month_ago = time.time() - 31 * 24 * 3600
    os.utime(old, (month_ago, month_ago))
    os.utime(other, (month_ago, month_ago))
    cache = open_cache()
    assert cache is not None and cache.entries.is_dir()
    assert not old.exists() and recent.exists() and other.exists()


@pytest.mark.parametrize("name", ["openai project key", "zhipu id.secret", "password in a URL"])
def test_a_file_holding_a_secret_is_cached_without_it(
    tmp_path: Path, cache_dir: Path, name: str
) -> None:
    """No file the tool creates holds a secret (tests/test_secrets_everywhere.py plants
    every format with the cache off): the entry of a file with a credential in it holds
    only the lines the rewrite changed, not the file, and gives back the same diff."""
    from tests.test_secrets_everywhere import PLANTED

    secret, template = PLANTED[name]
    root = project(tmp_path)
    (root / "keys.py").write_text(
        f"{template.format(secret)}\n"
        "from openai import OpenAI\n\n"
        'r = OpenAI().chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    first = counted(root, options())
    again = counted(root, options())
    assert first[:2] == (0, 4)
    assert again == (4, 0, first[2])  # read back: the same diff
    assert "keys.py" in first[2]
    stored = [p.read_bytes() for p in cache_dir.rglob("*") if p.is_file()]
    assert stored and not any(secret.encode() in body for body in stored)


@pytest.mark.parametrize("name", ["openai project key", "zhipu id.secret", "password in a URL"])
def test_a_file_whose_changed_lines_hold_a_secret_is_never_written_to_the_cache(
    tmp_path: Path, cache_dir: Path, name: str
) -> None:
    """A credential on a line the rewrite changes would be in the entry: that file is
    computed again each run instead."""
    from tests.test_secrets_everywhere import PLANTED

    secret, template = PLANTED[name]
    root = project(tmp_path)
    value = template.format(secret).split(" = ", 1)[1]
    (root / "keys.py").write_text(
        "from openai import OpenAI\n\n"
        'r = OpenAI().chat.completions.create(model="gpt-4o", '
        f'messages=[{{"role": "user", "content": {value}}}])\n'
    )
    first = counted(root, options())
    again = counted(root, options())
    assert again[2] == first[2]  # the same diff, the file with the key computed again
    assert again[:2] == (3, 1)
    stored = [p.read_bytes() for p in cache_dir.rglob("*") if p.is_file()]
    assert stored and not any(secret.encode() in body for body in stored)


def test_changed_lines_give_back_the_rewritten_bytes_and_hold_no_credential() -> None:
    from migrator.model import FileResult
    from migrator.result_cache import _ChangedLines

    key = "sk-proj-Qw7Er4Ty1Ui8Op5As2Df9Gh6Jk3L"
    data = f'a = 1\r\nKEY = "{key}"\rb = 2\nc = 3'.encode()
    new = f'import os\na = 10\r\nKEY = "{key}"\rb = 2\nc = 30'.encode()
    entry = _ChangedLines.of(FileResult("m.py", new_source=new, old_source=data), data)
    assert entry is not None and key.encode() not in pickle.dumps(entry)
    assert entry.restore(data).new_source == new and entry.restore(data).old_source == data
    unchanged = _ChangedLines.of(FileResult("m.py"), data)
    assert unchanged is not None and unchanged.restore(data).new_source is None
    # a credential on a rewritten line: not storable
    url = 'P = "https://alice:Pa55w0rdInUrl@gateway.internal.test/v1"'
    for moved in (f'a = 1\r\nKEY = "{key}" # x\rb = 2\nc = 3', f"{url}\n{data.decode()}"):
        kept = FileResult("m.py", new_source=moved.encode(), old_source=data)
        assert _ChangedLines.of(kept, data) is None


# --------------------------------------------------------------------------- mappings

_KEPT_MAPPINGS = """
import sys
from migrator import mapping_registry
from migrator.mapping_schema import parse_mapping
from migrator.result_cache import open_cache

cache = open_cache()
kept = cache.load_named("builtin-mappings:" + mapping_registry.builtins_key())
for name, mapping in sorted(kept.items()):
    path = mapping_registry._builtin_entries()[name]
    parsed = parse_mapping(mapping_registry._builtin_text(name), str(path))
    same = parsed == mapping and cache.options_digest(parsed) == cache.options_digest(mapping)
    print(name, same)
"""


def test_the_shipped_mappings_a_run_parsed_come_back_from_the_cache_as_parsed(
    tmp_path: Path, cache_dir: Path
) -> None:
    """`diff` keeps the shipped mappings it parsed in the cache (under the tool's
    fingerprint, which covers the mapping files); a later run takes them instead of
    loading the YAML parser. What it takes must be what parsing gives, down to the
    options digest every cache key holds; anything else kept under that name is ignored."""
    repo = git_copy(FIXTURES / "projects" / "rag-app", tmp_path / "repo")
    env = {**os.environ, "MIGRATOR_CACHE_DIR": str(cache_dir)}
    env.pop("MIGRATOR_NO_CACHE", None)

    def python(*args: str) -> str:
        done = subprocess.run([sys.executable, *args], capture_output=True, text=True,
                              env=env, cwd=repo, check=False)  # fmt: skip
        assert done.returncode in (0, 1), done.stderr
        return done.stdout

    uncached = python("-m", "migrator", "diff", ".", "--to", "qwen", "--no-cache")
    assert python("-m", "migrator", "diff", ".", "--to", "qwen") == uncached
    kept = python("-c", _KEPT_MAPPINGS).split("\n")
    assert "dashscope.yaml True" in kept
    assert all(line.endswith(" True") for line in kept if line)
    # A damaged value under that name: the mappings are parsed again, the output is the same.
    cache = open_cache()
    assert cache is not None
    from migrator import mapping_registry

    name = "builtin-mappings:" + mapping_registry.builtins_key()
    cache.store_named(name, {"dashscope.yaml": "not a mapping", "other": 3})
    assert python("-m", "migrator", "diff", ".", "--to", "qwen") == uncached
    assert "dashscope.yaml True" in python("-c", _KEPT_MAPPINGS).split("\n")
