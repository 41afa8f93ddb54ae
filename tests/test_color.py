"""NO_COLOR and FORCE_COLOR are honoured by every command (term.make_console): NO_COLOR
(set, not empty) turns ANSI off everywhere; FORCE_COLOR turns it on into a pipe; an
explicit --color/--no-color wins; a patch on stdout is never coloured."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from migrator.cli import main
from tests.codemod_helpers import REWRITE_FIXTURES

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("colour")
    shutil.copy(REWRITE_FIXTURES / "v1_sync.py", root)
    return root


def run(args: list[str], **env: str | None) -> Result:
    base: dict[str, str | None] = {"NO_COLOR": None, "FORCE_COLOR": None, "TERM": "xterm"}
    return CliRunner().invoke(main, args, env={**base, **env}, catch_exceptions=False)


def commands(target: Path) -> dict[str, list[str]]:
    return {
        "scan": ["scan", str(target)],
        "diff": ["diff", str(target), "--to", "qwen"],
        "providers": ["providers"],
        "checklist": ["checklist", str(target), "--to", "qwen"],
    }


@pytest.mark.parametrize("name", ["scan", "diff", "providers", "checklist"])
def test_no_color_means_no_ansi_at_all(target: Path, name: str) -> None:
    args = commands(target)[name]
    for env in ({"NO_COLOR": "1"}, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, {}):
        result = run(args, **env)
        assert result.exit_code == 0, result.output
        assert not ANSI.search(result.output), (name, env)


@pytest.mark.parametrize("name", ["scan", "diff", "providers"])
def test_force_color_colours_a_pipe(target: Path, name: str) -> None:
    result = run(commands(target)[name], FORCE_COLOR="1")
    assert result.exit_code == 0
    assert ANSI.search(result.output)
    assert not ANSI.search(run(commands(target)[name], FORCE_COLOR="").output)  # empty: unset


def test_force_color_never_colours_the_patch(target: Path) -> None:
    result = run(commands(target)["diff"], FORCE_COLOR="1")
    assert not ANSI.search(result.stdout)  # the patch still applies
    assert ANSI.search(result.stderr)  # findings and summary are coloured


def test_explicit_flag_wins_over_the_environment(target: Path) -> None:
    assert ANSI.search(run([*commands(target)["diff"], "--color"], NO_COLOR="1").output)
    assert not ANSI.search(run([*commands(target)["diff"], "--no-color"], FORCE_COLOR="1").output)
