"""Strategies and fixer identities: order, declared rules, selection by name."""

from __future__ import annotations

import inspect
import re

import pytest
from migrator.codemods import registry
from migrator.codemods.strategies import COMPAT, STRATEGIES, strategy_named

from migrator.rules import RULES
from migrator.strategy import Fixer, in_order

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
