"""Semantic gates over every fixture the suite migrates, for several providers.

Every Python input of fixtures/rewrite, fixtures/programs, fixtures/v0 (upgraded to v1, and
as it is: the litellm strategy moves v0 calls without --upgrade-v0),
fixtures/projects, fixtures/demo-app, fixtures/findings, fixtures/inventory and
fixtures/harm (the do-no-harm corpus) is migrated
once per provider with the real engine, and each gate of `tests/gates.py` compares the
output with its input: it compiles, pyflakes finds no new undefined name, no keyword is
given twice or added beside a `**` splat, the strings model-dependent branches test are
unchanged, no literal gains repeated items, and no key variable is read next to the other
side's URL.

The programs that run (fixtures/harm's runnable ones, fixtures/programs, the vector_search
project) are then executed, migrated, with the faked network (tests/execution/harness) and
every provider's key *and* OPENAI_API_KEY set to distinct dummy values, so that a client
falling back to OPENAI_API_KEY shows: no request may carry a provider's key to an OpenAI
host or OpenAI's key to a provider host. The harm programs also run unmigrated: every host
other than OpenAI's they reach (another vendor, a local server) must still be reached with
the same key, and they must print the same thing.

KNOWN_FAILURES lists, as strict xfails, the (file, provider, gate) cases that fail until
the fixes for them land; an entry that starts passing fails the run (XPASS) and must then
be removed. Never weaken a gate to empty this table.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from migrator.mapping import load_registry
from tests import gates
from tests.codemod_helpers import INPUTS, REWRITE_FIXTURES, ROOT, fixture_output
from tests.execution.harness import Program, migrate_folder, run_programs

FIXTURES = ROOT / "fixtures"
HARM = FIXTURES / "harm"
# Named as users name them on the command line; the registry resolves the aliases.
# `deepseek+embeddings=qwen` is `--to deepseek --route embeddings=qwen`: two providers in
# one file, each key must stay with its own host.
ROUTED = "deepseek+embeddings=qwen"
# `glm@litellm` is `--to glm --strategy litellm` (calls on the real LiteLLM SDK); Ark goes
# through LiteLLM's volcengine/ route (a parameter list of its own, embeddings). The other
# routes run in tests/test_execution_litellm.py (each provider's programs, host and key).
LITELLM = "glm@litellm"
PROVIDERS = ("qwen", "glm", "deepseek", "azure", ROUTED, LITELLM, "ark@litellm")


def _target(provider: str) -> tuple[str, tuple[str, ...]]:
    """`--to` and the `--route` items of a PROVIDERS entry."""
    name, *routes = provider.split("@")[0].split("+")
    return name, tuple(routes)


def _strategy(provider: str) -> str:
    return provider.partition("@")[2] or "compat"


@dataclass(frozen=True)
class Corpus:
    folder: Path
    upgrade_v0: bool = False
    top_level_only: bool = False  # the folder's subfolders hold goldens, not inputs
    not_python: tuple[str, ...] = ()  # deliberately unparsable: removed from the copy

    def files(self) -> list[str]:
        pattern = "*.py" if self.top_level_only else "**/*.py"
        found = (p.relative_to(self.folder).as_posix() for p in self.folder.glob(pattern))
        return sorted(rel for rel in found if rel not in self.not_python)


# fixtures/rewrite is migrated file by file (as its golden test does); the others as folders.
FOLDER_CORPORA = {
    "programs": Corpus(FIXTURES / "programs"),
    "v0": Corpus(FIXTURES / "v0", upgrade_v0=True, top_level_only=True),
    # without --upgrade-v0: the litellm strategy moves v0 calls by itself
    "v0-as-is": Corpus(FIXTURES / "v0", top_level_only=True),
    "projects": Corpus(FIXTURES / "projects"),
    "demo-app": Corpus(FIXTURES / "demo-app"),
    "findings": Corpus(
        FIXTURES / "findings" / "repo", not_python=("app/broken.py", "notebooks/draft.ipynb")
    ),
    "inventory": Corpus(FIXTURES / "inventory"),
    "harm": Corpus(HARM, upgrade_v0=True),
}
FILES = [f"rewrite/{name}" for name in INPUTS] + [
    f"{name}/{rel}" for name, corpus in FOLDER_CORPORA.items() for rel in corpus.files()
]

# Harm programs that cannot run here: they need a package the tests do not install.
NOT_RUNNABLE = {
    "token_budget.py": "needs tiktoken",
    "langchain_side_by_side.py": "needs langchain_openai",
    "legacy_request_kwargs.py": "needs openai<1",
}
HARM_EXECUTED = [f"harm/{p.name}" for p in sorted(HARM.glob("*.py")) if p.name not in NOT_RUNNABLE]
EXECUTED = [
    *HARM_EXECUTED,
    *(f"programs/{p.name}" for p in sorted((FIXTURES / "programs").glob("*.py"))),
    "projects/vector_search/main.py",
]
EXECUTED.remove("programs/v0_module.py")  # needs openai<1

OPENAI_KEY = "sk-gate-openai-key"
# Every provider variable a fixture reads, each with its own value: whichever a migrated
# client picks up shows in the request it sends.
KEYS_ENV = {
    "OPENAI_API_KEY": OPENAI_KEY,
    "DASHSCOPE_API_KEY": "gate-dashscope-key",
    "ZAI_API_KEY": "gate-zhipu-key",
    "DEEPSEEK_API_KEY": "gate-deepseek-key",
    "MOONSHOT_API_KEY": "gate-moonshot-key",
    "YI_API_KEY": "gate-yi-key",
    "ARK_API_KEY": "gate-ark-key",
}
# Each provider host of KEYS_ENV's variables -> the key it must be sent (two providers in
# one program: neither gets the other's key).
KEYS_BY_HOST = {
    host: KEYS_ENV[var]
    for var, hosts in gates.hosts_by_key_env().items()
    if var in KEYS_ENV
    for host in hosts
}
AZURE_ENDPOINT = "https://gates-resource.openai.azure.com"
# Azure's variables only for the Azure runs: with OPENAI_API_KEY set too, the SDK's
# module-level client refuses to guess which of the two the code means.
AZURE_ENV = {"AZURE_OPENAI_API_KEY": "gate-azure-key", "AZURE_OPENAI_ENDPOINT": AZURE_ENDPOINT}


def _env(provider: str) -> dict[str, str]:
    if _strategy(provider) == "litellm":  # (LiteLLM fetches its cost map at import otherwise)
        return {**KEYS_ENV, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    return {**KEYS_ENV, **AZURE_ENV} if provider == "azure" else dict(KEYS_ENV)


def _provider_keys(provider: str) -> set[str]:
    return {v for k, v in _env(provider).items() if k != "OPENAI_API_KEY"}


# --------------------------------------------------------------------------- known failures

FIXED_BY = {
    1: "pattern 1: a client whose base_url is not a literal is retargeted",
    2: "pattern 2: keywords appended beside a ** splat that may hold them",
    3: "pattern 3: an OPENAI_* variable renamed where something else reads it",
    4: "pattern 4: model ids rewritten outside requests",
    6: "pattern 6: inserted code fails at import",
}

EVERY = PROVIDERS
MODELS_MAPPED = ("qwen", "glm", "deepseek")  # Azure keeps OpenAI's model names

# What fails today: (file, gate, providers, the pattern whose fix makes it pass). Strict
# xfails: an entry that starts passing fails the run, so remove it when its fix lands.
KNOWN_FAILURE_TABLE: list[tuple[str, str, tuple[str, ...], int]] = [
    # empty: every harm the gates caught in the corpus is fixed; a regression fails here
]
KNOWN_FAILURES: dict[tuple[str, str, str], int] = {
    (file, provider, gate): pattern
    for file, gate, providers, pattern in KNOWN_FAILURE_TABLE
    for provider in providers
}


def _cases(gate: str, files: list[str]) -> list:
    cases = []
    for provider in PROVIDERS:
        for file in files:
            marks = []
            pattern = KNOWN_FAILURES.get((file, provider, gate))
            if pattern is not None:
                marks.append(pytest.mark.xfail(strict=True, reason=FIXED_BY[pattern]))
            cases.append(pytest.param(provider, file, marks=marks, id=f"{provider}-{file}"))
    return cases


# --------------------------------------------------------------------------- migrations


@dataclass
class Migrated:
    """One corpus migrated for one provider: original and migrated bytes by path."""

    before: dict[str, bytes]
    after: dict[str, bytes]
    root: Path | None = None  # the migrated copy on disk (folder corpora)


Migrations = dict[tuple[str, str], Migrated]  # (provider, corpus) -> its migration


def _migrate_folder(corpus: Corpus, provider: str, copy: Path) -> Migrated:
    shutil.copytree(corpus.folder, copy)
    for rel in corpus.not_python:
        (copy / rel).unlink()
    name, routes = _target(provider)
    migrate_folder(
        copy, name, upgrade_v0=corpus.upgrade_v0, routes=routes, strategy=_strategy(provider)
    )
    files = corpus.files()
    before = {rel: (corpus.folder / rel).read_bytes() for rel in files}
    after = {rel: (copy / rel).read_bytes() for rel in files}
    return Migrated(before, after, copy)


def _migrate_rewrite_inputs(provider: str, base: Path) -> Migrated:
    if _target(provider)[1] or _strategy(provider) != "compat":
        # routed, or another strategy: no golden cache, migrated like a folder
        copy = base / "rewrite-inputs"
        copy.mkdir(parents=True)
        for name in INPUTS:
            shutil.copy(REWRITE_FIXTURES / name, copy / name)
        migrated = _migrate_folder(Corpus(copy, top_level_only=True), provider, base / "rewrite")
        return Migrated(migrated.before, migrated.after)
    provider_id = load_registry().get(provider).id  # the golden tests' cache key
    before = {name: (REWRITE_FIXTURES / name).read_bytes() for name in INPUTS}
    after = {name: fixture_output(provider_id, name) for name in INPUTS}
    return Migrated(before, after)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Migrations:
    """Each input migrated once per provider, shared by every gate."""
    base = tmp_path_factory.mktemp("gates")
    done: Migrations = {}
    for provider in PROVIDERS:
        done[provider, "rewrite"] = _migrate_rewrite_inputs(provider, base / f"{provider}-in")
        for name, corpus in FOLDER_CORPORA.items():
            done[provider, name] = _migrate_folder(corpus, provider, base / provider / name)
    return done


def _pair(migrated: Migrations, provider: str, file: str) -> tuple[bytes, bytes]:
    corpus, rel = file.split("/", 1)
    result = migrated[provider, corpus]
    return result.before[rel], result.after[rel]


def _check(problems: list[str]) -> None:
    assert problems == [], "\n".join(problems)


# --------------------------------------------------------------------------- static gates


@pytest.mark.parametrize(("provider", "file"), _cases("compiles", FILES))
def test_output_compiles(migrated: Migrations, provider: str, file: str) -> None:
    _, after = _pair(migrated, provider, file)
    _check(gates.compile_problems(after, file))


@pytest.mark.parametrize(("provider", "file"), _cases("undefined_names", FILES))
def test_no_new_undefined_names(migrated: Migrations, provider: str, file: str) -> None:
    _check(gates.new_undefined_names(*_pair(migrated, provider, file), file))


@pytest.mark.parametrize(("provider", "file"), _cases("keywords", FILES))
def test_no_keyword_twice_or_beside_a_splat(migrated: Migrations, provider: str, file: str) -> None:
    _check(gates.keyword_problems(*_pair(migrated, provider, file)))


@pytest.mark.parametrize(("provider", "file"), _cases("comparisons", FILES))
def test_model_dependent_branches_unchanged(migrated: Migrations, provider: str, file: str) -> None:
    _check(gates.comparison_changes(*_pair(migrated, provider, file)))


@pytest.mark.parametrize(("provider", "file"), _cases("duplicates", FILES))
def test_no_literal_gains_repeated_items(migrated: Migrations, provider: str, file: str) -> None:
    _check(gates.duplicate_growth(*_pair(migrated, provider, file)))


@pytest.mark.parametrize(("provider", "file"), _cases("key_hosts", FILES))
def test_no_key_read_next_to_the_other_sides_url(
    migrated: Migrations, provider: str, file: str
) -> None:
    before, after = _pair(migrated, provider, file)
    _check(gates.key_host_mismatches(before, after, azure_target=provider == "azure"))


# --------------------------------------------------------------------------- execution


@dataclass
class Runs:
    original: dict[str, Program]  # harm programs, unmigrated
    migrated: dict[str, dict[str, Program]]  # provider -> "corpus/rel" -> run


def _run(paths: dict[str, Path], env: dict[str, str]) -> dict[str, Program]:
    by_path = run_programs(list(paths.values()), env, timeout=300)
    return {file: by_path[path.resolve()] for file, path in paths.items()}


@pytest.fixture(scope="module")
def runs(migrated: Migrations) -> Runs:
    originals = {file: FIXTURES / file for file in HARM_EXECUTED}
    jobs: dict[str, tuple[dict[str, Path], dict[str, str]]] = {"": (originals, dict(KEYS_ENV))}
    for provider in PROVIDERS:
        paths: dict[str, Path] = {}
        for file in EXECUTED:
            corpus, rel = file.split("/", 1)
            root = migrated[provider, corpus].root
            assert root is not None
            paths[file] = root / rel
        jobs[provider] = (paths, _env(provider))
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {key: pool.submit(_run, paths, env) for key, (paths, env) in jobs.items()}
        done = {key: future.result() for key, future in futures.items()}
    return Runs(original=done.pop(""), migrated=done)


@pytest.mark.parametrize("file", HARM_EXECUTED)
def test_harm_program_runs_unmigrated(runs: Runs, file: str) -> None:
    """The corpus is only a test if its programs work and talk before migration."""
    program = runs.original[file].assert_ok()
    assert program.requests, "sent nothing"
    assert program.stdout.strip()


@pytest.mark.parametrize(("provider", "file"), _cases("key_leaks", EXECUTED))
def test_no_key_sent_to_the_other_side(runs: Runs, provider: str, file: str) -> None:
    program = runs.migrated[provider][file]
    _check(
        gates.request_key_leaks(
            program.requests,
            openai_key=OPENAI_KEY,
            provider_keys=_provider_keys(provider),
            target_hosts=[urlsplit(AZURE_ENDPOINT).hostname or ""],
            azure_target=provider == "azure",
        )
        + gates.cross_provider_leaks(program.requests, KEYS_BY_HOST)
    )


@pytest.mark.parametrize(("provider", "file"), _cases("foreign_hosts", HARM_EXECUTED))
def test_other_vendors_and_local_servers_keep_their_hosts(
    runs: Runs, provider: str, file: str
) -> None:
    original = runs.original[file].requests
    _check(gates.foreign_hosts_lost(original, runs.migrated[provider][file].requests))


@pytest.mark.parametrize(("provider", "file"), _cases("same_output", HARM_EXECUTED))
def test_migrated_program_prints_the_same(runs: Runs, provider: str, file: str) -> None:
    original, migrated_run = runs.original[file], runs.migrated[provider][file]
    printed = migrated_run.stdout
    if _strategy(provider) == "litellm":  # the help banner LiteLLM prints per mapped error
        printed = "".join(_without_litellm_banner(printed.splitlines(keepends=True)))
    assert (migrated_run.returncode, printed) == (
        original.returncode,
        original.stdout,
    ), migrated_run.error


def _without_litellm_banner(lines: list[str]) -> list[str]:
    from tests.test_execution_litellm import BANNER

    return [line for line in lines if not BANNER.match(line.rstrip("\n"))]


# --------------------------------------------------------------------------- the table itself


def test_known_failures_name_real_cases() -> None:
    assert len(KNOWN_FAILURES) == sum(len(row[2]) for row in KNOWN_FAILURE_TABLE)  # no repeats
    files_of_gate = {
        **dict.fromkeys(
            ["compiles", "undefined_names", "keywords", "comparisons", "duplicates", "key_hosts"],
            FILES,
        ),
        "key_leaks": EXECUTED,
        "foreign_hosts": HARM_EXECUTED,
        "same_output": HARM_EXECUTED,
    }
    for (file, provider, gate), pattern in KNOWN_FAILURES.items():
        assert file in files_of_gate[gate], (file, gate)
        assert provider in PROVIDERS and pattern in FIXED_BY


def test_harm_readme_describes_every_file() -> None:
    readme = (HARM / "README.md").read_text(encoding="utf-8")
    for path in HARM.glob("*.py"):
        assert f"`{path.name}`" in readme, path.name
