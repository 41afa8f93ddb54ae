"""`checklist_scan.NamesInText` answers "does the code name this file?" from runs of
file-name characters; it must answer what a plain search of the whole text answers."""

from __future__ import annotations

from pathlib import Path

from migrator.checklist_scan import NamesInText

ROOT = Path(__file__).resolve().parent.parent


def test_same_answers_as_a_plain_search() -> None:
    texts = [p.read_bytes() for p in sorted((ROOT / "src").rglob("*.py"))]
    texts += [p.read_bytes() for p in sorted((ROOT / "fixtures").rglob("*.py"))]
    names = {p.name for p in ROOT.rglob("*") if ".git" not in p.parts}
    names |= {
        "settings.yaml", "models.json", "config.yaml", "a.tar.gz", ".env", "README.md",
        "Dockerfile", "with space.json", "ümlaut.json", "x.json.bak", "py", ".py",
        "mapping.yaml", "rule_examples.json", "json", "0.json",
    }  # fmt: skip
    found = NamesInText(texts)
    whole = b"\0".join(texts)
    answers = {name: found.has(name) for name in sorted(names)}
    assert answers == {name: name.encode() in whole for name in sorted(names)}
    assert any(answers.values()) and not all(answers.values())


def test_a_name_inside_a_longer_name_counts() -> None:
    found = NamesInText([b'open("conf/dev_settings.yaml")', b"load('x.json.bak')"])
    assert found.has("settings.yaml")  # as the plain search says
    assert found.has("x.json") and found.has("json.bak")
    assert not found.has("prod_settings.yaml") and not found.has("y.json")


def test_no_match_across_two_texts() -> None:
    found = NamesInText([b"a = 'data", b".json'"])
    assert not found.has("data.json")
