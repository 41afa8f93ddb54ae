"""The checklist's index of quiet text files (checklist_scan.quiet_files): a text file
with no `OPENAI_`, no `sk-` and no OpenAI model id gives no item, so a later cached run
does not read it again while its stamp is unchanged. Whatever changes such a file makes
the next run read it, and the checklist never differs from an uncached one.

Reads are counted by wrapping the checklist's `read_head`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import migrator.run_record
from migrator import checklist_scan, file_stamps
from migrator.cli import main

FILES = {
    "app/chat.py": 'from openai import OpenAI\n\nclient = OpenAI()\n'
                   'client.chat.completions.create(model="gpt-4o", messages=[])\n',
    "docs/guide.md": "# Guide\n\nRun `make serve` and open the page.\n",
    "docs/setup.md": "# Setup\n\nexport OPENAI_API_KEY=...\n",
    "config/app.yaml": "model: gpt-4o-mini\ntimeout: 30\n",
    "config/extra.toml": "timeout = 30\n",
    "notes.txt": "nothing to see here\n",
    "results/scores.json": '{"score": 1}\n',
    "docs/models.md": "We compared `gpt-4o` and others.\n",  # (a model id in prose: no item)
}  # fmt: skip
TEXT_FILES = sorted(rel for rel in FILES if not rel.endswith(".py"))


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    names: list[str] = []
    original = checklist_scan.read_head

    def counting(path: Path, size: int) -> bytes:
        names.append(Path(path).relative_to(tmp_path / "repo").as_posix())
        return original(path, size)

    monkeypatch.setattr(checklist_scan, "read_head", counting)
    return names


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIGRATOR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("MIGRATOR_NO_CACHE", raising=False)
    # Files the test writes count as settled; a run is never replayed whole here.
    monkeypatch.setattr(file_stamps, "SETTLED_NS", -(10**12))
    monkeypatch.setattr(migrator.run_record.RunRecord, "replay", lambda self: False)


def checklist(repo: Path, *flags: str) -> list[dict]:
    args = ["checklist", str(repo), "--to", "qwen", "--format", "json", "--jobs", "1", *flags]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["items"]


def project(root: Path) -> Path:
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_a_later_run_reads_only_the_text_files_that_can_give_an_item(
    tmp_path: Path, reads: list[str]
) -> None:
    repo = project(tmp_path / "repo")
    uncached = checklist(repo, "--no-cache")
    assert {"config/app.yaml", "docs/setup.md"} <= {i["path"] for i in uncached}
    reads.clear()
    assert checklist(repo) == uncached
    assert sorted(reads) == TEXT_FILES
    reads.clear()
    assert checklist(repo) == uncached
    assert sorted(reads) == ["config/app.yaml", "docs/setup.md"]


@pytest.mark.parametrize(
    ("rel", "added"),
    [
        ("docs/guide.md", "See `OPENAI_BASE_URL`."),
        ("docs/guide.md", "Key: sk-proj-AbCdEfGhIjKlMnOpQrSt1234"),
        ("config/extra.toml", 'model = "gpt-4o"'),
        ("results/scores.json", '{"model": "gpt-4o"}'),
    ],
)
def test_a_quiet_file_that_changes_is_read_again(
    tmp_path: Path, reads: list[str], rel: str, added: str
) -> None:
    repo = project(tmp_path / "repo")
    checklist(repo)
    changed = repo / rel
    changed.write_text(changed.read_text() + f"\n{added}\n")
    reads.clear()
    items = checklist(repo)
    assert rel in reads
    assert items == checklist(repo, "--no-cache")
    assert rel in {i["path"] for i in items}, added


def test_no_cache_reads_every_text_file_every_time(tmp_path: Path, reads: list[str]) -> None:
    repo = project(tmp_path / "repo")
    for _ in range(2):
        reads.clear()
        checklist(repo, "--no-cache")
        assert sorted(reads) == TEXT_FILES
