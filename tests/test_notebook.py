"""Notebooks (.ipynb): read as one module, written back touching only edited sources.

The fixtures in fixtures/notebooks/ are ours: `usage_report.ipynb` has CRLF line ends,
image/png and stream outputs, line and cell magics, `%`/`!` lines inside a string and
inside brackets, Chinese text, a raw and a markdown cell; `ticket_triage.ipynb` makes
its client in one cell and calls it in others (it is also run, see
test_execution_notebook.py).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from migrator.codemods.strategies import strategy_named

from migrator.cli import main
from migrator.discovery import discover
from migrator.mapping import load_registry
from migrator.migrate import MigrationReport, migrate
from migrator.notebook import read_notebook
from migrator.options import RewriteOptions

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "fixtures" / "notebooks"
GOLDEN_DIFF = NOTEBOOKS / "expected" / "ticket_triage.qwen.diff"


def run(folder: Path, provider: str = "dashscope", strategy: str = "compat") -> MigrationReport:
    options = RewriteOptions(
        mapping=load_registry().get(provider), strategy=strategy_named(strategy)
    )
    return migrate(discover(folder), options, jobs=1, show_progress=False)


def copy(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "nb"
    folder.mkdir()
    for name in names:
        shutil.copy(NOTEBOOKS / name, folder / name)
    return folder


def without_sources(document: dict[str, Any]) -> dict[str, Any]:
    out = json.loads(json.dumps(document))
    for cell in out["cells"]:
        cell.pop("source")
    return out


def source_spans(data: bytes) -> list[tuple[int, int]]:
    """Byte spans of every code cell's source value (computed by the module under test
    on the OLD file only, so a wrong span cannot hide a wrong write)."""
    notebook, error = read_notebook("x.ipynb", data)
    assert notebook is not None, error
    text = notebook.text
    return [(len(text[: c.start].encode()), len(text[: c.end].encode())) for c in notebook.cells]


# -- (1) round trip --------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["compat", "native"])
def test_round_trip_changes_only_the_edited_sources(tmp_path: Path, strategy: str) -> None:
    folder = copy(tmp_path, "usage_report.ipynb")
    report = run(folder, strategy=strategy)
    assert not report.errors, report.errors
    [result] = report.changed
    old, new = result.old_source, result.new_source
    assert old is not None and new is not None
    assert old == (NOTEBOOKS / "usage_report.ipynb").read_bytes()
    old_doc, new_doc = json.loads(old), json.loads(new)
    # Everything but the sources is equal: outputs (png, streams), metadata, counts, ids.
    assert without_sources(old_doc) == without_sources(new_doc)
    assert list(old_doc) == list(new_doc)  # key order
    changed = [
        n for n, (a, b) in enumerate(zip(old_doc["cells"], new_doc["cells"], strict=True), 1)
        if a["source"] != b["source"]
    ]  # fmt: skip
    assert 3 in changed and 5 in changed
    assert 4 not in changed  # the %%bash cell is not Python: left alone
    # Bytes outside the changed source spans are identical, in order.
    spans = source_spans(old)
    cells = json.loads(old)["cells"]
    code_numbers = [n for n, c in enumerate(cells, 1) if c["cell_type"] == "code"]
    pos_old = pos_new = 0
    for number, (start, end) in zip(code_numbers, spans, strict=True):
        if number not in changed:
            continue
        gap = old[pos_old:start]
        assert new[pos_new : pos_new + len(gap)] == gap
        pos_new += len(gap)
        pos_new = _end_of_value(new, pos_new)  # the new source value, whatever its length
        pos_old = end
    assert new[pos_new:] == old[pos_old:]
    # CRLF stays CRLF, non-ASCII stays raw UTF-8, magics come back verbatim.
    assert new.count(b"\n") == new.count(b"\r\n")
    assert "总结本周用量".encode() in new and b"\\u" not in new
    cell3 = "".join(new_doc["cells"][2]["source"])
    cell5 = "".join(new_doc["cells"][4]["source"])
    assert cell3.startswith("%matplotlib inline\n")
    assert "files = !ls\nos?\n" in cell5
    assert 'NOTE = """\n%d requests\n!important\n"""' in cell5
    assert '("%d of %d"\n         % (1, 2))' in cell5
    assert "# 客户端" in cell3
    # The list-of-lines shape stays: one JSON string per line, the last without "\n".
    assert isinstance(new_doc["cells"][2]["source"], list)
    assert not new_doc["cells"][2]["source"][-1].endswith("\n")


def _end_of_value(data: bytes, pos: int) -> int:
    """End (bytes) of the JSON value starting at `pos`."""
    text = data[pos:].decode()
    _, end = json.JSONDecoder().raw_decode(text)
    return pos + len(text[:end].encode())


def test_unedited_notebook_is_byte_identical(tmp_path: Path) -> None:
    """Read (it names openai) but nothing to rewrite: no new bytes at all. Its %%bash
    cell and markdown name OpenAI, yet are no Python."""
    doc = json.loads((NOTEBOOKS / "usage_report.ipynb").read_bytes())
    doc["cells"] = [c for c in doc["cells"] if c["id"] in ("a1", "a2", "a4")]
    doc["cells"].append(
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "z",
            "metadata": {},
            "outputs": [],
            "source": ["%env X=1\n", "x = 1"],
        }
    )
    (tmp_path / "quiet.ipynb").write_text(json.dumps(doc, indent=1), encoding="utf-8")
    report = run(tmp_path)
    assert [r.path for r in report.results] == ["quiet.ipynb"]
    assert report.changed == [] and report.errors == []


def test_single_string_source_keeps_its_shape(tmp_path: Path) -> None:
    doc = {
        "cells": [{"cell_type": "code", "execution_count": None, "metadata": {},
                   "outputs": [], "source": "from openai import OpenAI\nc = OpenAI()\n"
                   "r = c.chat.completions.create(model='gpt-4o', messages=[])"}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }  # fmt: skip
    (tmp_path / "s.ipynb").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    [result] = run(tmp_path).changed
    assert result.new_source is not None
    new = json.loads(result.new_source)
    assert isinstance(new["cells"][0]["source"], str)
    assert "qwen3-max" in new["cells"][0]["source"]


# -- (2) scan --check, diff --check -----------------------------------------------------------


def test_scan_check_on_a_notebook_only_tree(tmp_path: Path) -> None:
    runner = CliRunner()
    with_usage = copy(tmp_path, "ticket_triage.ipynb")
    result = runner.invoke(main, ["scan", str(with_usage), "--check"])
    assert result.exit_code == 1, result.output
    assert "ticket_triage.ipynb" in result.output
    places = [line.split()[0] for line in result.output.splitlines() if ".ipynb:" in line]
    assert places == [f"ticket_triage.ipynb:{p}" for p in ("3:2", "3:4", "3:5", "5:5", "7:2")]
    clean = tmp_path / "clean"
    clean.mkdir()
    shutil.copy(NOTEBOOKS / "no_openai.ipynb", clean)
    result = runner.invoke(main, ["scan", str(clean), "--check"])
    assert result.exit_code == 0, result.output
    assert "No OpenAI usage found" in result.output


def test_diff_check_counts_notebooks(tmp_path: Path) -> None:
    folder = copy(tmp_path, "ticket_triage.ipynb")
    result = CliRunner().invoke(main, ["diff", str(folder), "--to", "qwen", "--check"])
    assert result.exit_code == 1
    assert "1 file(s) to change" in result.output


def test_scan_json_positions(tmp_path: Path) -> None:
    folder = copy(tmp_path, "ticket_triage.ipynb")
    result = CliRunner().invoke(main, ["scan", str(folder), "--format", "json"])
    doc = json.loads(result.output)
    lines = (NOTEBOOKS / "ticket_triage.ipynb").read_text(encoding="utf-8").splitlines()
    client = next(u for u in doc["usages"] if u["kind"] == "client")
    assert (client["cell"], client["cell_line"]) == (3, 4)
    # `line` is the notebook file's line holding that source line (editors jump there).
    assert '"client = OpenAI()\\n"' in lines[client["line"] - 1]
    call = next(u for u in doc["usages"] if u["kind"] == "call" and not u["stream"])
    assert (call["cell"], call["cell_line"]) == (5, 5)
    assert "client.chat.completions.create(" in lines[call["line"] - 1]


def test_prefilter_reads_escaped_quotes(tmp_path: Path) -> None:
    """`model="o1"` sits in the JSON as `model=\\"o1\\"`: still found."""
    doc = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {},
                      "outputs": [], "source": ['x = dict(model="o1")\n']}],
           "metadata": {}, "nbformat": 4, "nbformat_minor": 5}  # fmt: skip
    (tmp_path / "m.ipynb").write_text(json.dumps(doc), encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "--format", "json"])
    assert [u["kind"] for u in json.loads(result.output)["usages"]] == ["model"]


# -- (3) across cells ------------------------------------------------------------------------


def test_client_of_one_cell_used_in_another_is_rewritten(tmp_path: Path) -> None:
    folder = copy(tmp_path, "ticket_triage.ipynb")
    [result] = run(folder, "zhipu").changed
    assert result.new_source is not None
    cells = json.loads(result.new_source)["cells"]
    made = "".join(cells[2]["source"])
    assert 'base_url="https://open.bigmodel.cn/api/paas/v4/"' in made
    assert 'MODEL = "glm-4-air-250414"' in made  # the constant both later cells read
    assert cells[1]["source"] == ["%pip install -q openai\n", "%load_ext autoreload"]


# -- (4) bad notebooks -----------------------------------------------------------------------


def test_bad_notebooks_are_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    folder = copy(tmp_path, "ticket_triage.ipynb")
    broken = '{"cells": [\n  {"cell_type": "code",\n   "source": ["import openai"\n'
    (folder / "broken.ipynb").write_text(broken, "utf-8")
    bad_cell = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["openai"]},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": ["import openai\n", "def f(:\n", "    pass\n"]},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}  # fmt: skip
    (folder / "syntax.ipynb").write_text(json.dumps(bad_cell, indent=1), encoding="utf-8")
    report = run(folder)
    assert [r.path for r in report.changed] == ["ticket_triage.ipynb"]
    errors = {e.path: e for e in report.errors}
    assert errors["broken.ipynb"].message.startswith("notebook is not valid JSON")
    assert errors["broken.ipynb"].line == 4
    syntax = errors["syntax.ipynb"]
    assert (syntax.cell, syntax.cell_line) == (2, 2)
    assert syntax.where == "syntax.ipynb:2:2"
    text = (folder / "syntax.ipynb").read_text(encoding="utf-8").splitlines()
    assert "def f(:" in text[syntax.line - 1]
    out = CliRunner().invoke(main, ["diff", str(folder), "--to", "qwen"]).output
    assert "syntax.ipynb:2:2: syntax error" in out
    assert "broken.ipynb:4: notebook is not valid JSON" in out
    # The checklist still asks for the unreadable notebooks to be ported by hand (MIG605).
    out = CliRunner().invoke(main, ["checklist", str(folder), "--to", "qwen",
                                    "--format", "json"]).output  # fmt: skip
    items = json.JSONDecoder().raw_decode(out)[0]["items"]  # stderr follows the JSON
    mig603 = {i["path"]: i for i in items if i["id"] == "MIG603"}
    assert mig603["syntax.ipynb"]["cell"] == 2
    mig605 = [i for i in items if i["id"] == "MIG605"]
    assert {i["path"] for i in mig605} == {"syntax.ipynb", "broken.ipynb"}


def test_checklist_points_at_cells_and_no_longer_says_port_by_hand(tmp_path: Path) -> None:
    folder = copy(tmp_path, "ticket_triage.ipynb")
    out = (
        CliRunner()
        .invoke(main, ["checklist", str(folder), "--to", "glm", "--format", "json"])
        .output
    )
    items = json.loads(out)["items"]
    assert not [i for i in items if i["id"] == "MIG605"]
    placed = [i for i in items if i["path"] == "ticket_triage.ipynb"]
    assert placed and all("cell" in i for i in placed), placed


# -- (6) what a reviewer reads, and the patch ---------------------------------------------


def test_cell_diff_golden(tmp_path: Path) -> None:
    folder = copy(tmp_path, "ticket_triage.ipynb")
    result = CliRunner().invoke(main, ["diff", str(folder), "--to", "qwen", "--no-color"])
    shown = result.output
    assert "--- a/ticket_triage.ipynb (cell 3)" in shown
    assert '"source"' not in shown  # Python lines, not JSON
    diff_part = shown.split("\n\n", 1)[0] + "\n"
    if GOLDEN_DIFF.exists() and not _updating():
        assert diff_part == GOLDEN_DIFF.read_text(encoding="utf-8")
    else:
        GOLDEN_DIFF.parent.mkdir(exist_ok=True)
        GOLDEN_DIFF.write_text(diff_part, encoding="utf-8")


def _updating() -> bool:
    import os

    return os.environ.get("UPDATE_GOLDEN") == "1"


def test_patch_output_applies_with_git_apply(tmp_path: Path) -> None:
    import subprocess

    folder = copy(tmp_path, "usage_report.ipynb", "ticket_triage.ipynb")
    patch = tmp_path / "out.patch"
    result = CliRunner().invoke(main, ["diff", str(folder), "--to", "qwen", "-o", str(patch)])
    assert result.exit_code == 0
    expected = {r.path: r.new_source for r in run(folder).changed}
    subprocess.run(["git", "apply", str(patch)], cwd=folder, check=True)
    for name, data in expected.items():
        assert (folder / name).read_bytes() == data


# -- do no harm, and what is left for a person ---------------------------------------------


def test_local_server_notebook_is_left_alone(tmp_path: Path) -> None:
    """A notebook talking to a local OpenAI-compatible server (vLLM) is not OpenAI's: the
    base_url rules of .py files apply, nothing changes."""
    folder = copy(tmp_path, "local_server.ipynb")
    report = run(folder)
    assert report.changed == [] and report.errors == []
    [finding] = [f for f in report.findings if f.id == "MIG104"]
    assert (finding.cell, finding.cell_line) == (2, 3)


def test_ipython_lines_naming_openai_are_reported(tmp_path: Path) -> None:
    folder = copy(tmp_path, "usage_report.ipynb", "ticket_triage.ipynb")
    doc = json.loads((folder / "ticket_triage.ipynb").read_bytes())
    doc["cells"][1]["source"].append("\n!oaieval gpt-4o-mini my-eval --max_samples 5")
    (folder / "ticket_triage.ipynb").write_text(json.dumps(doc, indent=1), encoding="utf-8")
    found = {(f.path, f.cell, f.cell_line) for f in run(folder).findings if f.id == "MIG620"}
    # The %%bash cell once; the shell line with an OpenAI model; not `%pip install openai`
    # (compat still imports it).
    assert found == {("usage_report.ipynb", 4, 2), ("ticket_triage.ipynb", 2, 3)}
    native = run(folder, "zhipu", "native")
    pip = [f for f in native.findings if f.id == "MIG620" and f.cell_line == 1]
    assert [(f.path, f.cell) for f in pip] == [("ticket_triage.ipynb", 2)]


def test_an_empty_source_list_gets_the_files_layout() -> None:
    from migrator.notebook import write_sources

    data = json.dumps(
        {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {},
                    "outputs": [], "source": []}],
         "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
        indent=1, sort_keys=True,
    ).encode() + b"\n"  # fmt: skip
    notebook, _ = read_notebook("e.ipynb", data)
    assert notebook is not None
    new = write_sources(notebook, {1: "import os\nx = 1"})
    assert b'   "source": [\n    "import os\\n",\n    "x = 1"\n   ]\n' in new
    assert json.loads(new)["cells"][0]["source"] == ["import os\n", "x = 1"]


def test_a_constant_imported_from_a_project_module_is_migrated_there(tmp_path: Path) -> None:
    """Per-file options apply to notebooks: the model constant the notebook imports from
    app/config.py is changed where it is defined."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "app" / "config.py").write_text('CHAT_MODEL = "gpt-4o"\n', encoding="utf-8")
    doc = {"cells": [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": ["from openai import OpenAI\n", "from app.config import CHAT_MODEL\n",
                    "client = OpenAI()"]},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": ["r = client.chat.completions.create(model=CHAT_MODEL, messages=[])"]},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}  # fmt: skip
    (tmp_path / "nb.ipynb").write_text(json.dumps(doc, indent=1), encoding="utf-8")
    changed = {r.path: r.new_source for r in run(tmp_path).changed}
    assert changed["app/config.py"] == b'CHAT_MODEL = "qwen3-max"\n'
    assert "nb.ipynb" in changed


def test_checkpoints_are_not_read(tmp_path: Path) -> None:
    folder = copy(tmp_path, "ticket_triage.ipynb")
    (folder / ".ipynb_checkpoints").mkdir()
    shutil.copy(NOTEBOOKS / "ticket_triage.ipynb",
                folder / ".ipynb_checkpoints" / "ticket_triage-checkpoint.ipynb")  # fmt: skip
    assert [folder.joinpath(p).name for p in discover(folder).files] == ["ticket_triage.ipynb"]


def test_diff_json_carries_the_patch_and_the_cell_diff(tmp_path: Path) -> None:
    folder = copy(tmp_path, "ticket_triage.ipynb")
    result = CliRunner().invoke(main, ["diff", str(folder), "--to", "qwen", "--format", "json"])
    [entry] = json.loads(result.output)["files"]
    assert entry["diff"].startswith("--- a/ticket_triage.ipynb\n")
    assert '-    "client = OpenAI()\\n",' in entry["diff"]  # JSON lines: the patch
    assert entry["cell_diff"].startswith("--- a/ticket_triage.ipynb (cell 3)\n")
    assert "-client = OpenAI()\n" in entry["cell_diff"]
    finding = json.loads(result.output)["findings"][0]
    assert (finding["cell"], finding["cell_line"]) == (3, 4)


def test_a_line_separator_in_a_string_is_not_a_line_end(tmp_path: Path) -> None:
    """U+2028 and form feeds in a cell are text: lines count at "\\n" only."""
    lines = [
        'SEP = "a\u2028b\x0c"\n',
        "%env OPENAI_BASE_URL=http://proxy\n",
        "from openai import OpenAI\n",
        "client = OpenAI()",
    ]
    doc = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {},
                      "outputs": [], "source": lines}],
           "metadata": {}, "nbformat": 4, "nbformat_minor": 5}  # fmt: skip
    (tmp_path / "u.ipynb").write_text(json.dumps(doc, indent=1, ensure_ascii=False), "utf-8")
    report = run(tmp_path)
    [result] = report.changed
    assert result.new_source is not None
    source = json.loads(result.new_source)["cells"][0]["source"]
    assert source[:2] == lines[:2]
    places = {f.id: f.cell_line for f in report.findings}
    assert places["MIG620"] == 2 and places["MIG108"] == 4


def test_lines_named_in_messages_are_cell_lines(tmp_path: Path) -> None:
    doc = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# notes"]},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": ["import openai\n", "\n", 'EMBEDDER = "text-embedding-3-large"']},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}  # fmt: skip
    (tmp_path / "n.ipynb").write_text(json.dumps(doc, indent=1), encoding="utf-8")
    [finding] = [f for f in run(tmp_path).findings if f.id == "MIG208"]
    assert "(cell 2 line 3)" in finding.message, finding.message
