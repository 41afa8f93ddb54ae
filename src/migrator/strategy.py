"""What a rewrite strategy is, as the engine sees it.

A strategy (``compat``, ``native``, ``litellm``) decides *what the code becomes*: which
fixers run and in what order, which endpoint the migrated code talks to (its key variable,
base URL, regions), which environment variables it reads instead of OpenAI's, and which
dependencies it needs. The engine (`rewrite`, `apply`, `checklist`) asks the strategy for
those and never imports a fixer itself; the strategies are assembled in
``migrator.codemods.strategies`` and handed in through `RewriteOptions.strategy`.

Everything here is picklable (module-level functions and frozen dataclasses): the options
travel to the worker processes.

A strategy names its fixers without importing them (`Strategy.fixers` is a sequence that
loads on first use): a run whose every file is in the result cache asks the strategy for
its endpoint and variables only, and so never imports a fixer, nor libcst with them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from migrator.mapping import Mapping
    from migrator.rewrite import Plan


class Endpoint(Protocol):
    """The endpoint facts a strategy targets, read by env templates and the checklist.

    `mapping.Compat` and `mapping.Native` both have this shape, so the engine treats the
    two alike: "where do requests go and which variable holds the key"."""

    client: str
    key_env: str
    base_url: str | None
    base_url_env: str | None
    endpoint_env: str | None
    api_version_env: str | None
    api_version: str | None
    regions: dict[str, str]
    data_region: str


@dataclass(frozen=True)
class Fixer:
    """One concern of a rewrite, run on every file's `Plan`.

    `name` is unique ("clients", "native.clients"); `rules` lists every rule id the fixer may
    emit (a test holds the code to it); `after` names fixers whose decisions this one reads
    and so must run first. `tells_importers`: it sends facts to the files that import from
    its file (cross_module.py), so a run maps who imports what before any file is rewritten.
    """

    name: str
    run: Callable[[Plan], None]
    rules: tuple[str, ...]
    after: tuple[str, ...] = ()
    tells_importers: bool = False

    def __call__(self, plan: Plan) -> None:
        self.run(plan)


def in_order(fixers: Sequence[Fixer]) -> tuple[Fixer, ...]:
    """`fixers` sorted so each runs after those it names in `after` (stable otherwise).

    Raises ValueError on an unknown name or a cycle: both are programming errors that the
    test suite catches at import time of the strategies."""
    by_name = {f.name: f for f in fixers}
    if len(by_name) != len(fixers):
        raise ValueError("two fixers share a name")
    for fixer in fixers:
        for name in fixer.after:
            if name not in by_name:
                raise ValueError(f"fixer {fixer.name!r} runs after unknown {name!r}")
    done: list[Fixer] = []
    placed: set[str] = set()
    pending = list(fixers)
    while pending:
        ready = next((f for f in pending if all(n in placed for n in f.after)), None)
        if ready is None:
            raise ValueError(f"fixer order has a cycle among {[f.name for f in pending]}")
        pending.remove(ready)
        done.append(ready)
        placed.add(ready.name)
    return tuple(done)


@dataclass(frozen=True)
class Strategy:
    """A strategy: its fixers and the project-level facts that follow from it.

    `fixers` run in their order: a tuple, or a sequence that imports them when first read
    (the shipped strategies). `tells_importers` says whether one of them sends facts to
    importing files (`Fixer.tells_importers`); it is stated, not derived, so that asking
    does not load the fixers (a test holds the two equal).

    `endpoint(mapping)` is the mapping section this strategy targets; `env_renames(mapping)`
    maps each OpenAI variable the migrated code may stop reading to the provider's;
    `provision(mapping, sources)` lists the provider variables an env template should hold
    (name -> default). `dependency_key` selects the mapping's `dependencies.<key>` entry."""

    id: str
    fixers: Sequence[Fixer]
    endpoint: Callable[[Mapping], Endpoint]
    env_renames: Callable[[Mapping], dict[str, str]]
    provision: Callable[[Mapping, list[bytes]], dict[str, str]]
    summary: str = ""
    # The mapping as this strategy's fixers read it (None: as loaded). The native strategy
    # reads its SDK's parameter rules and endpoint families instead of compat's.
    mapping_view: Callable[[Mapping], Mapping] | None = None
    # Checklist items of the strategy's own (MIG707): given the mapping, the rule ids the
    # rewrite reported and the migrated sources, what a person must know about the code's
    # new runtime.
    checklist_notes: Callable[[Mapping, frozenset[str], list[bytes]], list[str]] | None = None
    tells_importers: bool = False

    def __str__(self) -> str:
        return self.id

    @property
    def dependency_key(self) -> str:
        return self.id

    def fixer_names(self) -> list[str]:
        return [f.name for f in self.fixers]

    def rules(self) -> set[str]:
        return {rule for fixer in self.fixers for rule in fixer.rules}


def only(fixers: Iterable[Fixer], names: Iterable[str]) -> tuple[Fixer, ...]:
    """The fixers named, in their strategy's order (tests run one fixer alone)."""
    wanted = set(names)
    return tuple(f for f in fixers if f.name in wanted)
