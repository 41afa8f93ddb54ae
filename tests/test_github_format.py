"""`scan|diff --format github`: workflow annotations, escaped as the Actions runner reads them."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrator.cli import main
from migrator.github_format import annotation, escape_data, escape_property
from tests.codemod_helpers import REWRITE_FIXTURES

LINE = re.compile(
    r"^::(error|warning|notice) file=([^,]*),line=(\d+)(?:,col=(\d+))?,title=([^,:]*)::(.*)$"
)
SECRET = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx1234"


def unescape(text: str) -> str:
    """What the runner does to a value (toolkit's command parsing), `%25` last."""
    for escaped, plain in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, plain)
    return text


def test_escaping_follows_the_runner() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%d\n") == "a%3Ab%2Cc%25d%0A"
    # `%` is escaped first, so a literal "%0A" survives as text
    assert unescape(escape_data("literally %0A")) == "literally %0A"
    line = annotation("info", "dir, with:odd/x.py", 3, "MIG100", "two\nlines: 50%", column=7)
    assert line == (
        "::notice file=dir%2C with%3Aodd/x.py,line=3,col=7,title=MIG100::two%0Alines: 50%25\n"
    )
    match = LINE.match(line.rstrip("\n"))
    assert match is not None
    assert unescape(match.group(2)) == "dir, with:odd/x.py"
    assert unescape(match.group(6)) == "two\nlines: 50%"


def test_scan_annotations_name_files_from_the_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "src").mkdir()
    shutil.copy(REWRITE_FIXTURES / "v1_sync.py", tmp_path / "src" / "app.py")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["scan", "src", "--format", "github"])
    assert result.exit_code == 0
    scan = json.loads(CliRunner().invoke(main, ["scan", "src", "--format", "json"]).stdout)
    lines = result.stdout.splitlines()
    assert len(lines) == len(scan["usages"]) > 0
    for line, usage in zip(lines, scan["usages"], strict=True):
        match = LINE.match(line)
        assert match is not None, line
        level, path, number, column, title, _message = match.groups()
        assert (level, path, title) == ("warning", "src/app.py", "MIG910")
        assert (int(number), int(column)) == (usage["line"], usage["column"])
    # an absolute PATH inside the workspace names the same files
    absolute = CliRunner().invoke(main, ["scan", str(tmp_path / "src"), "--format", "github"])
    assert absolute.stdout == result.stdout


def test_diff_annotations_findings_pending_rewrites_and_skipped_files(tmp_path: Path) -> None:
    for name in ("v1_sync.py", "relay_base_url.py"):
        shutil.copy(REWRITE_FIXTURES / name, tmp_path / name)
    (tmp_path / "broken.py").write_text("import openai\ndef broken(:\n", encoding="utf-8")
    args = ["diff", str(tmp_path), "--to", "qwen"]
    result = CliRunner().invoke(main, [*args, "--format", "github"])
    assert result.exit_code == 0
    assert SECRET not in result.stdout
    document = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).stdout)
    parsed = [LINE.match(line) for line in result.stdout.splitlines()]
    assert all(parsed), result.stdout
    titles = [m.group(5) for m in parsed if m]
    findings = [m for m in parsed if m and m.group(5) not in ("MIG911", "MIG603")]
    levels = {"error": "error", "warning": "warning", "info": "notice"}
    assert [(m.group(5), int(m.group(3)), m.group(1)) for m in findings] == [
        (f["id"], f["line"], levels[f["severity"]]) for f in document["findings"]
    ]
    assert titles.count("MIG911") >= len(document["files"]) > 0
    skipped = [m for m in parsed if m and m.group(5) == "MIG603"]
    assert [(m.group(1), m.group(2)) for m in skipped] == [("error", f"{tmp_path}/broken.py")]
    # the annotation's file is the same file the JSON names (PATH outside the workspace:
    # absolute), and a pending rewrite sits on a line the diff changes
    pending = next(m for m in parsed if m and m.group(5) == "MIG911")
    assert pending.group(2).startswith(f"{tmp_path}/")
