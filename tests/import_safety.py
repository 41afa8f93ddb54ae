"""Checks that code the fixers add is safe where it lands.

A rewritten module must import wherever the original did (no NameError, no KeyError for
a provider variable that is unset), must not leave names undefined that were defined
before (pyflakes, before and after), and must never send the OpenAI key to the provider:
the SDK reads OPENAI_API_KEY whenever a client gets api_key=None.

`run_rewritten(after, trailer, tmp_path)` runs a rewritten module followed by `trailer`
(code that builds clients or sends a request) with the real openai SDK, the network
faked, no provider variable set and OPENAI_API_KEY set to `OPENAI_KEY`.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from pyflakes import api, messages

from migrator.mapping import load_registry
from tests.execution.harness import ProgramRun, run_program

OPENAI_KEY = "sk-openai-test"
PROVIDERS = ("qwen", "glm", "deepseek")


def provider_facts(provider: str) -> tuple[str, str]:
    """(base_url, key variable) of a built-in provider."""
    compat = load_registry().get(provider).compat
    assert compat.base_url is not None
    return compat.base_url, compat.key_env


class _Undefined:
    """A pyflakes reporter that keeps the names it reports as undefined."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def flake(self, message: messages.Message) -> None:
        if isinstance(message, (messages.UndefinedName, messages.UndefinedLocal)):
            self.names.add(str(message.message_args[0]))

    def syntaxError(self, *args: object) -> None:  # noqa: N802 - pyflakes' reporter API
        raise AssertionError(f"does not parse: {args}")

    def unexpectedError(self, *args: object) -> None:  # noqa: N802
        raise AssertionError(f"pyflakes failed: {args}")


def undefined_names(source: str) -> set[str]:
    reporter = _Undefined()
    api.check(textwrap.dedent(source), "example.py", reporter)  # type: ignore[arg-type]
    return reporter.names


def assert_no_new_undefined_names(before: str, after: str) -> None:
    new = undefined_names(after) - undefined_names(before)
    assert not new, f"the rewrite left {sorted(new)} undefined:\n{textwrap.dedent(after)}"


def run_rewritten(after: str, trailer: str, tmp_path: Path) -> ProgramRun:
    """Run the rewritten module, then `trailer`; it must exit cleanly, and no request may
    carry the OpenAI key."""
    program = tmp_path / "program.py"
    program.write_text(textwrap.dedent(after) + textwrap.dedent(trailer), encoding="utf-8")
    run = run_program(program, {"OPENAI_API_KEY": OPENAI_KEY}).assert_ok()
    for request in run.requests:
        assert OPENAI_KEY not in request.headers.get("authorization", ""), request
    assert OPENAI_KEY not in run.stdout
    return run
