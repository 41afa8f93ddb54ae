"""The README is what a new user reads first: keep its tables in step with the code."""

from __future__ import annotations

from pathlib import Path

from migrator.mapping import load_registry

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_provider_is_in_the_readme_table() -> None:
    for mapping in load_registry().all():
        row = next(
            (line for line in README.splitlines() if line.startswith(f"| `{mapping.id}` |")), None
        )
        assert row is not None, f"{mapping.id} missing from the README provider table"
        assert f"`{mapping.compat.key_env}`" in row
        assert mapping.facts.as_of in row
        if mapping.compat.base_url:
            assert mapping.compat.base_url in row


def test_readme_has_exactly_the_two_setup_commands() -> None:
    setup = README.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    commands = [line for line in setup.splitlines() if line.startswith(("pip ", "python "))]
    assert commands == [
        "pip install . && migrator diff fixtures/demo-app --to qwen",
        'python -m pip install -e ".[test]" && python -m pytest',
    ]
