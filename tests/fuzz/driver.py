"""Seeded fuzz runs: mutants of our own fixtures, and generated programs with OpenAI usage
spliced in. Each input is checked against `invariants.problems` for each provider."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.fuzz.invariants import compiles, problems
from tests.fuzz.mutations import FAMILIES, mutate

ROOT = Path(__file__).resolve().parents[2]
PROVIDERS = ("deepseek", "qwen", "zhipu")


def seed_files() -> list[tuple[str, str]]:
    """Our fixtures that use the SDK (UTF-8 ones: mutations work on text)."""
    found = []
    for path in sorted((ROOT / "fixtures").rglob("*.py")):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if "openai" in text and compiles(text.encode()):
            found.append((str(path.relative_to(ROOT)), text))
    return found


@dataclass
class Failure:
    family: str
    provider: str
    origin: str
    problem: str
    data: bytes


@dataclass
class Tally:
    inputs: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)

    def add(self, family: str, provider: str, origin: str, data: bytes) -> None:
        # every other input also moves v0 module calls to a client (--upgrade-v0)
        upgrade_v0 = self.inputs[family] % 2 == 1
        self.inputs[family] += 1
        for problem in problems(data, provider, upgrade_v0=upgrade_v0):
            self.failures.append(Failure(family, provider, origin, problem, data))


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


def run_mutations(
    count: int,
    seed: int,
    providers: tuple[str, ...] = PROVIDERS,
    families: tuple[str, ...] = tuple(FAMILIES),
) -> Tally:
    tally = Tally()
    for family in families:
        for index, (origin, data) in enumerate(mutants(family, count, seed)):
            tally.add(family, providers[index % len(providers)], origin, data)
    return tally


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


def run_generated(count: int, seed: int, providers: tuple[str, ...] = PROVIDERS) -> Tally:
    """`count` programs from the Python grammar (hypothesmith) with a snippet spliced in
    before, after, or inside a function around them; reproducible from `seed`."""
    import hypothesis
    import hypothesmith
    from hypothesis import strategies as st

    tally = Tally()

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
            tally.add("generated", provider, where, data)

    one()
    return tally
