"""Strategies and fixer identities: order, declared rules, selection by name."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys

import pytest
from migrator.codemods import registry
from migrator.codemods.strategies import COMPAT, STRATEGIES, strategy_named

from migrator.rules import RULES
from migrator.strategy import Fixer, Strategy, in_order

_RULE_LITERAL = re.compile(r'"(MIG\d{3})"')


def _noop(plan: object) -> None:
    return None


def test_every_declared_rule_exists() -> None:
    for strategy in STRATEGIES.values():
        for fixer in strategy.fixers:
            unknown = set(fixer.rules) - set(RULES)
            assert not unknown, f"{fixer.name} declares unknown rules {unknown}"


@pytest.mark.parametrize("fixer", registry.FIXERS, ids=lambda f: f.name)
def test_a_fixer_emits_only_the_rules_it_declares(fixer: Fixer) -> None:
    """The rule ids written in a fixer's own module are among those it declares (helpers
    it calls may emit others; those it must declare too, checked where they are used)."""
    source = inspect.getsource(inspect.getmodule(fixer.run))  # type: ignore[arg-type]
    emitted = set(_RULE_LITERAL.findall(source))
    assert emitted <= set(fixer.rules), f"{fixer.name}: undeclared {emitted - set(fixer.rules)}"


def test_compat_runs_its_fixers_in_dependency_order() -> None:
    names = COMPAT.fixer_names()
    for fixer in COMPAT.fixers:
        for before in fixer.after:
            assert names.index(before) < names.index(fixer.name)
    assert names[0] == "hardcoded-keys" and names.index("v0-responses") < names.index("models")


@pytest.mark.parametrize("strategy", STRATEGIES.values(), ids=str)
def test_a_strategy_states_whether_its_fixers_tell_importers(strategy: Strategy) -> None:
    """The engine reads `Strategy.tells_importers` to decide on the importers pre-pass,
    without loading the fixers; it must say what the fixers say."""
    assert strategy.tells_importers == any(f.tells_importers for f in strategy.fixers)


def test_a_shipped_strategy_loads_its_fixers_on_first_use_only() -> None:
    """Naming, encoding and pickling a strategy does not import a fixer (a fully cached run
    never loads libcst); reading its fixers does, in registry order."""
    code = (
        "import pickle, sys\n"
        "from migrator.codemods.strategies import STRATEGIES\n"
        "from migrator.result_cache import _Encoder\n"
        "for s in STRATEGIES.values():\n"
        "    _Encoder().digest(s); pickle.loads(pickle.dumps(s))\n"
        "loaded = sorted(m for m in sys.modules if m in ('libcst', 'migrator.codemods.registry'))\n"
        "print(loaded, [f.name for f in STRATEGIES['compat'].fixers][:2])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] ['hardcoded-keys', 'clients']"


def test_in_order_sorts_by_after_and_keeps_the_given_order_otherwise() -> None:
    a, b, c = Fixer("a", _noop, (), after=("c",)), Fixer("b", _noop, ()), Fixer("c", _noop, ())
    assert [f.name for f in in_order([a, b, c])] == ["b", "c", "a"]


def test_in_order_rejects_cycles_and_unknown_names() -> None:
    with pytest.raises(ValueError, match="cycle"):
        in_order([Fixer("a", _noop, (), after=("b",)), Fixer("b", _noop, (), after=("a",))])
    with pytest.raises(ValueError, match="unknown"):
        in_order([Fixer("a", _noop, (), after=("zzz",))])


def test_strategy_named_names_the_choices() -> None:
    assert strategy_named("compat") is COMPAT
    with pytest.raises(KeyError, match="compat"):
        strategy_named("nope")


def test_one_fixer_runs_alone_on_the_acme_mapping() -> None:
    """The parameters fixer alone renames max_completion_tokens for Acme and leaves the
    model and the client as they are (the models and clients fixers did not run)."""
    from tests.codemod_helpers import rewrite

    src = (
        "from openai import OpenAI\n"
        "client = OpenAI()\n"
        'client.chat.completions.create(model="gpt-4o", messages=[], max_completion_tokens=5)\n'
    )
    alone, _ = rewrite(src, "acme", only=("parameters",))
    assert alone == src.replace("max_completion_tokens=", "max_tokens=")
    whole, _ = rewrite(src, "acme")
    assert '"acme-large"' in whole and "ACME_API_KEY" in whole
