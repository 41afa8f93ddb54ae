"""Text output people read: the scan table's `path:line` places, whole, within 80 columns."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrator.cli import main
from tests.codemod_helpers import ROOT

DEMO_APP = ROOT / "fixtures" / "demo-app"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def scan_text(path: Path) -> tuple[str, list[dict]]:
    runner = CliRunner(env={"COLUMNS": None})
    text = runner.invoke(main, ["scan", str(path)]).stdout
    usages = json.loads(runner.invoke(main, ["scan", str(path), "--format", "json"]).stdout)
    return text, usages["usages"]


def test_scan_lists_each_usage_as_path_line_within_80_columns() -> None:
    text, usages = scan_text(DEMO_APP)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert all(line == line.rstrip() for line in lines)
    rows = [line.split()[0] for line in lines if line.startswith(" ") and ":" in line.split()[0]]
    assert rows == [f"{u['path']}:{u['line']}" for u in usages]
    assert "app/chat.py:125" in rows  # three-digit lines, whole


def test_a_path_longer_than_the_width_wraps_but_is_never_cut(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*[f"package_{n:02d}_with_a_long_name" for n in range(4)])
    deep.mkdir(parents=True)
    body = "from openai import OpenAI\n" + "\n" * 1230 + "client = OpenAI()\n"
    (deep / "module_with_a_long_name.py").write_text(body, encoding="utf-8")
    text, usages = scan_text(tmp_path)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    place = f"{usages[-1]['path']}:{usages[-1]['line']}"
    assert place.endswith(":1232") and len(place) > 80
    # the folded place, read back from the place column of the lines it spans, is whole
    rows = [line[1 : 1 + 56] for line in lines if line.startswith(" ")]
    column = "".join(row.strip() for row in rows if not row.startswith(("place", "─")))
    assert place in column


def test_piped_scan_of_the_real_command_fits_80_columns() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.run(
        [sys.executable, "-m", "migrator", "scan", str(DEMO_APP), "--jobs", "1"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "\x1b[" not in proc.stdout  # no colour on a pipe
    assert any(line.startswith(" app/chat.py:125 ") for line in lines)


# A path holding brackets is text, never a rich style (`app/[tenant]/chat.py` was once
# printed `app//chat.py`).
@pytest.mark.parametrize("colour", ["--no-color", "FORCE_COLOR"])
def test_scan_prints_bracketed_paths_whole(tmp_path: Path, colour: str) -> None:
    root = tmp_path / "[site]"
    (root / "app" / "[tenant]").mkdir(parents=True)
    (root / "app" / "[tenant]" / "chat.py").write_text(
        "from openai import OpenAI\n\nclient = OpenAI()\n"
    )
    env = {"NO_COLOR": None, "FORCE_COLOR": "1" if colour == "FORCE_COLOR" else None}
    result = CliRunner().invoke(main, ["scan", str(root), "--no-cache"], env=env)
    assert result.exit_code == 0, result.output
    text = ANSI.sub("", result.output)
    title = text.split(" place ")[0]  # (wrapped at the table's width)
    assert title.startswith("OpenAI usage under") and title.rstrip().endswith("/[site]"), title
    assert re.search(r"^ app/\[tenant\]/chat\.py:1 +import: openai\.OpenAI$", text, re.M), text
    assert re.search(r"^ app/\[tenant\]/chat\.py:3 +client: OpenAI$", text, re.M), text
    empty = tmp_path / "[empty]"
    empty.mkdir()
    none = CliRunner().invoke(main, ["scan", str(empty), "--no-cache"], env=env)
    told = " ".join(ANSI.sub("", none.output).split("\n"))  # (wrapped at 80 columns)
    assert told.startswith("No OpenAI usage found in 0 file(s) under ") and "/[empty]" in told
