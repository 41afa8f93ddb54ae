"""Seeded fuzz runs: mutants of our own fixtures, and generated programs with OpenAI usage
spliced in. Each input is checked against `invariants.problems` for one provider (they take
turns), every other input with `--upgrade-v0`, under one strategy (compat unless told).

Inputs are made in order in this process (reproducible from the seed); checking them, the
costly part, may go to a pool of processes (`jobs`), whose results come back in input order:
a run finds the same failures whatever the number of jobs.
"""

from __future__ import annotations

import multiprocessing
import random
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from tests.fuzz.invariants import compiles, problems
from tests.fuzz.mutations import FAMILIES, mutate

ROOT = Path(__file__).resolve().parents[2]
PROVIDERS = ("deepseek", "qwen", "zhipu")
# The providers each strategy is fuzzed with by default (native: those with an SDK of their own).
STRATEGY_PROVIDERS = {"compat": PROVIDERS, "litellm": PROVIDERS, "native": ("qwen", "zhipu", "ark")}
# Inputs a worker takes at a time: few enough that the two workers end together.
_CHUNK = 4


@cache
def seed_files() -> tuple[tuple[str, str], ...]:
    """Our fixtures that use the SDK (UTF-8 ones: mutations work on text)."""
    found = []
    for path in sorted((ROOT / "fixtures").rglob("*.py")):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if "openai" in text and compiles(text.encode()):
            found.append((str(path.relative_to(ROOT)), text))
    return tuple(found)


@dataclass(frozen=True)
class Case:
    """One input and how it is rewritten."""

    family: str
    provider: str
    origin: str
    data: bytes
    upgrade_v0: bool
    strategy: str = "compat"


@dataclass
class Failure:
    family: str
    provider: str
    origin: str
    problem: str
    data: bytes
    upgrade_v0: bool = False
    strategy: str = "compat"

    def file_name(self, number: int) -> str:
        """A name that says how to reproduce it: family, number, provider, strategy (when
        not compat), --upgrade-v0."""
        v0 = "-upgrade-v0" if self.upgrade_v0 else ""
        strategy = "" if self.strategy == "compat" else f"-{self.strategy}"
        return f"{self.family}-{number}-{self.provider}{strategy}{v0}.py"


@dataclass
class Tally:
    inputs: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)

    def record(self, case: Case, found: list[str]) -> None:
        self.inputs[case.family] += 1
        for problem in found:
            self.failures.append(
                Failure(
                    case.family,
                    case.provider,
                    case.origin,
                    problem,
                    case.data,
                    case.upgrade_v0,
                    case.strategy,
                )
            )

    def extend_from(
        self,
        cases: Iterable[Case],
        results: Iterable[list[str]],
        on_checked: Callable[[Tally], None] | None,
    ) -> None:
        for case, found in zip(cases, results, strict=True):
            self.record(case, found)
            if on_checked is not None:
                on_checked(self)


def check(case: Case) -> list[str]:
    """The promises `case` breaks (its input compiles: every case made here does)."""
    if case.strategy == "compat":
        return problems(case.data, case.provider, valid=True, upgrade_v0=case.upgrade_v0)
    return problems(
        case.data, case.provider, valid=True, upgrade_v0=case.upgrade_v0, strategy=case.strategy
    )


def run_cases(
    cases: Sequence[Case], jobs: int = 1, on_checked: Callable[[Tally], None] | None = None
) -> Tally:
    """Check every case, in this process or (`jobs` > 1) in a pool of that many;
    `on_checked` sees the tally after each case (progress, failures kept as they come)."""
    tally = Tally()
    if jobs <= 1:
        results: Iterable[list[str]] = map(check, cases)
        tally.extend_from(cases, results, on_checked)
        return tally
    with multiprocessing.Pool(jobs) as pool:
        tally.extend_from(cases, pool.imap(check, cases, chunksize=_CHUNK), on_checked)
    return tally


def mutants(family: str, count: int, seed: int) -> Iterator[tuple[str, bytes]]:
    """`count` valid mutants of the fixtures by `family`, reproducible from `seed`."""
    rng = random.Random(f"{family}:{seed}")
    files = seed_files()
    made = attempts = 0
    while made < count and attempts < count * 20:
        attempts += 1
        origin, text = rng.choice(files)
        mutant = mutate(text, family, rng, rounds=rng.randint(1, 2)).encode("utf-8")
        if compiles(mutant):
            made += 1
            yield origin, mutant


def mutation_cases(
    count: int,
    seed: int,
    providers: tuple[str, ...] = PROVIDERS,
    families: tuple[str, ...] = tuple(FAMILIES),
    strategy: str = "compat",
) -> list[Case]:
    return [
        Case(
            family,
            providers[index % len(providers)],
            origin,
            data,
            upgrade_v0=index % 2 == 1,
            strategy=strategy,
        )
        for family in families
        for index, (origin, data) in enumerate(mutants(family, count, seed))
    ]


def run_mutations(
    count: int,
    seed: int,
    providers: tuple[str, ...] = PROVIDERS,
    families: tuple[str, ...] = tuple(FAMILIES),
    jobs: int = 1,
) -> Tally:
    return run_cases(mutation_cases(count, seed, providers, families), jobs)


# OpenAI usage spliced into generated programs: each shape the engine edits.
SNIPPETS = (
    'import openai\nclient = openai.OpenAI()\nr = client.chat.completions.create(model="gpt-4o", '
    'messages=[{"role": "user", "content": "hi"}])\n',
    "import os\nfrom openai import OpenAI\n"
    'client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])\n'
    'e = client.embeddings.create(model="text-embedding-3-small", input="x")\n',
    'import openai\nopenai.api_key = "sk-placeholder"\n'
    'c = openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=[])\n',
)


def run_generated(
    count: int, seed: int, providers: tuple[str, ...] = PROVIDERS, jobs: int = 1
) -> Tally:
    return run_cases(generated_cases(count, seed, providers), jobs)


def generated_cases(
    count: int, seed: int, providers: tuple[str, ...] = PROVIDERS, strategy: str = "compat"
) -> list[Case]:
    """`count` programs from the Python grammar (hypothesmith) with a snippet spliced in
    before, after, or inside a function around them; reproducible from `seed`. (The ones
    CPython compiles: most.)"""
    import hypothesis
    import hypothesmith
    from hypothesis import strategies as st

    cases: list[Case] = []

    @hypothesis.seed(seed)
    @hypothesis.settings(
        max_examples=count,
        database=None,
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.generate],
    )
    @hypothesis.given(
        hypothesmith.from_grammar(),
        st.sampled_from(SNIPPETS),
        st.sampled_from(("before", "after", "function")),
        st.sampled_from(providers),
    )
    def one(program: str, snippet: str, where: str, provider: str) -> None:
        if not program.endswith("\n"):
            program += "\n"
        if where == "before":
            source = snippet + program
        elif where == "after":
            source = program + snippet
        else:
            body = "".join("    " + line for line in snippet.splitlines(keepends=True))
            source = program + "def spliced():\n" + body
        data = source.encode("utf-8", "surrogatepass")
        if compiles(data):
            upgrade_v0 = len(cases) % 2 == 1
            cases.append(Case("generated", provider, where, data, upgrade_v0, strategy))

    one()
    return cases
