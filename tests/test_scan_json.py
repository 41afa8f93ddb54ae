"""`migrator scan --format json` against the contract (README, "JSON output"; version 1)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import libcst as cst
import pytest
from click.testing import CliRunner

from migrator.cli import main
from migrator.discovery import discover
from migrator.inventory import build_inventory
from migrator.scan import scan
from migrator.source import parse_source
from migrator.wrapper_classes import WRAPPER_CLASSES

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

TOP_KEYS = {"version", "root", "files_scanned", "files_with_usage", "usages", "errors"}
USAGE_KEYS = {"path", "line", "column", "kind", "api", "style", "async", "stream", "model",
              "params"}  # fmt: skip
KINDS = {"import", "client", "call", "config", "env", "model", "exception", "type"}


def run_json(*args: str) -> tuple[dict[str, Any], int]:
    result = CliRunner().invoke(main, ["scan", *args, "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return json.loads(result.stdout), result.exit_code


def check_document(doc: dict[str, Any]) -> None:
    assert set(doc) == TOP_KEYS
    assert doc["version"] == 1
    assert isinstance(doc["root"], str)
    for key in ("files_scanned", "files_with_usage"):
        assert isinstance(doc[key], int) and not isinstance(doc[key], bool) and doc[key] >= 0
    assert doc["files_with_usage"] <= doc["files_scanned"]
    assert isinstance(doc["usages"], list) and isinstance(doc["errors"], list)
    for usage in doc["usages"]:
        keys = set(usage)
        assert keys in (USAGE_KEYS, USAGE_KEYS | {"base_url"}), keys
        assert isinstance(usage["path"], str) and usage["path"]
        assert "\\" not in usage["path"] and not usage["path"].startswith("/")
        for key in ("line", "column"):
            assert type(usage[key]) is int and usage[key] >= 1
        assert usage["kind"] in KINDS
        assert usage["api"] is None or isinstance(usage["api"], str)
        assert usage["style"] in ("v1", "v0")
        assert type(usage["async"]) is bool and type(usage["stream"]) is bool
        assert usage["model"] is None or isinstance(usage["model"], str)
        assert isinstance(usage["params"], list)
        assert all(isinstance(p, str) for p in usage["params"])
        if "base_url" in usage:
            assert isinstance(usage["base_url"], str)
        if usage["kind"] == "model":
            assert usage["model"]
        else:
            assert usage["api"]
    for error in doc["errors"]:
        assert set(error) == {"path", "line", "message"}
        assert isinstance(error["path"], str) and "\\" not in error["path"]
        assert type(error["line"]) is int and error["line"] >= 1
        assert isinstance(error["message"], str) and error["message"]


def test_scan_json_over_the_inventory_fixtures() -> None:
    doc, code = run_json(str(FIXTURES / "inventory"), "--jobs", "1")
    assert code == 0
    check_document(doc)
    kinds = {u["kind"] for u in doc["usages"]}
    assert kinds == KINDS  # the fixtures exercise every kind
    assert doc["errors"] == []
    paths = {u["path"] for u in doc["usages"]}
    # files with no SDK usage may hold LangChain / llama_index OpenAI classes only
    assert not {
        u["path"]
        for u in doc["usages"]
        if u["path"].startswith("no_usage_") and u["api"] not in WRAPPER_CLASSES
    }
    assert doc["files_with_usage"] == len(paths)
    assert doc["files_scanned"] == len(list((FIXTURES / "inventory").glob("*.py")))
    # deterministic order: by path, then line and column
    keys = [(u["path"], u["line"], u["column"]) for u in doc["usages"]]
    assert keys == sorted(keys)


def test_scan_json_matches_the_inventory() -> None:
    doc, _ = run_json(str(FIXTURES / "inventory"), "--jobs", "1")
    data = (FIXTURES / "inventory" / "chains.py").read_bytes()
    module, _ = parse_source(data, "chains.py")
    assert module is not None
    inv = build_inventory(cst.MetadataWrapper(module, unsafe_skip_copy=True), "chains.py")
    assert [u for u in doc["usages"] if u["path"] == "chains.py"] == [
        u.to_json() for u in inv.usages()
    ]


def test_scan_json_record_shapes() -> None:
    doc, _ = run_json(str(FIXTURES / "inventory" / "clients.py"))
    check_document(doc)
    by_line = {(u["line"], u["kind"]): u for u in doc["usages"]}
    assert by_line[(10, "client")] == {
        "path": "clients.py",
        "line": 10,
        "column": 11,
        "kind": "client",
        "api": "AsyncOpenAI",
        "style": "v1",
        "async": True,
        "stream": False,
        "model": None,
        "params": ["api_key", "base_url"],
        "base_url": "https://api.deepseek.com",
    }
    assert "base_url" not in by_line[(9, "client")]  # only when there is one
    assert by_line[(31, "call")]["async"] is True
    assert by_line[(31, "call")]["model"] == "gpt-4o"
    assert by_line[(31, "call")]["params"] == ["model", "messages"]


def test_scan_json_reports_errors_and_completes(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "encodings", tmp_path / "repo")
    doc, code = run_json(str(tmp_path / "repo"), "--jobs", "1")
    assert code == 0  # a file that fails to parse does not change the exit code
    check_document(doc)
    assert [(e["path"], e["line"]) for e in doc["errors"]] == [
        ("syntax_error.py", 5),
        ("undecodable.py", 4),
    ]
    assert sorted({u["path"] for u in doc["usages"]}) == ["gbk_crlf.py", "utf8_bom.py"]
    assert doc["files_scanned"] == 4 and doc["files_with_usage"] == 2
    assert doc["root"] == str(tmp_path / "repo")


def test_scan_json_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "usage.json"
    result = CliRunner().invoke(
        main, ["scan", str(FIXTURES / "inventory" / "env_vars.py"), "--format", "json",
               "-o", str(out)]
    )  # fmt: skip
    assert result.exit_code == 0 and result.stdout == ""
    doc = json.loads(out.read_text(encoding="utf-8"))
    check_document(doc)
    assert len(doc["usages"]) == 10


def test_scan_json_non_ascii_stays_readable(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "import openai\nopenai.api_base = 'https://例子.cn/v1'\n", encoding="utf-8"
    )
    doc, _ = run_json(str(tmp_path))
    check_document(doc)
    assert doc["usages"][1]["base_url"] == "https://例子.cn/v1"


def test_scan_check_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["scan", str(FIXTURES / "inventory" / "env_vars.py"),
                                "--check", "--format", "json"]).exit_code == 1  # fmt: skip
    (tmp_path / "plain.py").write_text("print('hello')\n")
    assert runner.invoke(main, ["scan", str(tmp_path), "--check"]).exit_code == 0
    assert runner.invoke(main, ["scan", str(tmp_path / "missing")]).exit_code == 2


@pytest.mark.parametrize("jobs", [2])
def test_parallel_scan_is_identical(jobs: int) -> None:
    target = discover(FIXTURES / "inventory")
    serial = scan(target, jobs=1, show_progress=False).to_json()
    parallel = scan(target, jobs=jobs, show_progress=False).to_json()
    assert serial == parallel
    check_document(parallel)
