"""Helpers for the codemod tests: rewrite a snippet the way `migrator diff` would.

`check_transformed(before, after)` and `check_noop(src)` run the whole fixer chain (the
same `rewrite_job` the CLI's workers run) for one provider, compare the result exactly,
and also check that a second run changes nothing. Snippets are dedented, so tests can
indent them with the code around them.

`fixture_result(provider, name)` rewrites one input of `fixtures/rewrite/` (cached: the
golden and property tests share the 15 x 14 rewrites).

`only=("parameters",)` runs the named fixers alone (in their strategy's order), and
provider "acme" is the made-up mapping of tests/data/mappings/minimal.yaml: a fixer's
test can pin its own behaviour without the others' edits in the way.
"""

from __future__ import annotations

import dataclasses
import textwrap
from functools import cache
from pathlib import Path
from typing import Any

from migrator.codemods.strategies import COMPAT, strategy_named

from migrator.mapping import Mapping, load_mapping, load_registry
from migrator.model import FileResult, Finding
from migrator.options import RewriteOptions
from migrator.rewrite import rewrite_job

ROOT = Path(__file__).resolve().parent.parent
REWRITE_FIXTURES = ROOT / "fixtures" / "rewrite"
EXPECTED = REWRITE_FIXTURES / "expected"
# The native strategy's goldens, one folder per provider with a native SDK.
EXPECTED_NATIVE = REWRITE_FIXTURES / "expected-native"
NATIVE_PROVIDERS: tuple[str, ...] = ("dashscope", "zhipu", "ark")
EXPECTED_LITELLM = REWRITE_FIXTURES / "expected-litellm"
# --strategy litellm: routes whose default base is another path of the mapping's host
# (deepseek/: /beta) or another host (moonshot/, minimax/: api_base=), routes at the
# mapping's base (bigmodel/ for Zhipu, volcengine/ for Ark, with its own parameter list),
# families on the generic openai/ route (Zhipu's embeddings, siliconflow)
LITELLM_PROVIDERS: tuple[str, ...] = (
    "deepseek", "moonshot", "zhipu", "ark", "minimax", "siliconflow",
)  # fmt: skip
PROVIDERS: tuple[str, ...] = tuple(m.id for m in load_registry().all())
INPUTS: tuple[str, ...] = tuple(sorted(p.name for p in REWRITE_FIXTURES.glob("*.py")))


ACME = ROOT / "tests" / "data" / "mappings" / "minimal.yaml"


@cache
def mapping(provider: str) -> Mapping:
    if provider == "acme":
        return load_mapping(ACME)
    return load_registry().get(provider)


def options(
    provider: str = "deepseek",
    *,
    strategy: str = "compat",
    only: tuple[str, ...] = (),
    **overrides: object,
) -> RewriteOptions:
    chosen = strategy_named(strategy) if strategy != "compat" else COMPAT
    if only:
        unknown = set(only) - set(chosen.fixer_names())
        assert not unknown, f"no fixer {unknown} in {chosen.id}: {chosen.fixer_names()}"
        chosen = dataclasses.replace(
            chosen, fixers=tuple(f for f in chosen.fixers if f.name in only)
        )
    return RewriteOptions(strategy=chosen, mapping=mapping(provider), **overrides)  # type: ignore[arg-type]


def rewrite_bytes(data: bytes, provider: str = "deepseek", path: str = "example.py",
                  **overrides: object) -> FileResult:  # fmt: skip
    return rewrite_job(path, data, options(provider, **overrides))


def rewrite(src: str, provider: str = "deepseek", **overrides: object) -> tuple[str, FileResult]:
    """The rewritten text of a (dedented) snippet, and the whole result."""
    data = textwrap.dedent(src).encode("utf-8")
    result = rewrite_bytes(data, provider, **overrides)
    assert not result.errors, result.errors
    new = result.new_source if result.new_source is not None else data
    return new.decode("utf-8"), result


def findings(src: str, provider: str = "deepseek", **overrides: object) -> list[Finding]:
    return rewrite(src, provider, **overrides)[1].findings


def ids(found: list[Finding]) -> list[str]:
    return [f.id for f in found]


def check_transformed(
    before: str, after: str, provider: str = "deepseek", **overrides: object
) -> list[Finding]:
    """`before` becomes exactly `after`, and rewriting `after` again changes nothing."""
    got, result = rewrite(before, provider, **overrides)
    expected = textwrap.dedent(after)
    assert got == expected, f"\n--- got ---\n{got}\n--- expected ---\n{expected}"
    again = rewrite_bytes(got.encode("utf-8"), provider, **overrides)
    assert again.new_source is None, (
        "second run changed the output:\n" + again.new_source.decode("utf-8")  # type: ignore[union-attr]
    )
    return result.findings


def check_noop(src: str, provider: str = "deepseek", **overrides: object) -> list[Finding]:
    """`src` is left byte for byte as it is."""
    data = textwrap.dedent(src).encode("utf-8")
    result = rewrite_bytes(data, provider, **overrides)
    assert not result.errors, result.errors
    assert result.new_source is None, "expected no change, got:\n" + result.new_source.decode()
    return result.findings


@cache
def fixture_result(provider: str, name: str, strategy: str = "compat") -> FileResult:
    """`fixtures/rewrite/<name>` rewritten for `provider` (computed once per session)."""
    data = (REWRITE_FIXTURES / name).read_bytes()
    return rewrite_job(name, data, options(provider, strategy=strategy))


def fixture_output(provider: str, name: str) -> bytes:
    result = fixture_result(provider, name)
    if result.new_source is None:
        return (REWRITE_FIXTURES / name).read_bytes()
    return result.new_source


class _Recorder:
    """Stands in for a client: `create(...)` returns the keyword arguments it was sent."""

    def __getattr__(self, name: str) -> _Recorder:
        return self

    def create(self, **kwargs: object) -> dict[str, object]:
        return kwargs


def sent(code: str, call: str) -> Any:
    """Run migrated code (dedented) and evaluate `call` with `client` a recording
    stand-in: a keyword given twice raises TypeError before the client is reached."""
    namespace: dict[str, object] = {}
    exec(compile(textwrap.dedent(code), "migrated.py", "exec"), namespace)
    namespace["client"] = _Recorder()  # a module-level client too: nothing is sent
    return eval(call, namespace)
