"""`scan --format sarif` and `diff --format sarif`: a SARIF 2.1.0 log for code scanning.

One run per log. `tool.driver.rules` is the whole rule registry (rules.py) with each rule's
title and rationale as its help, so a viewer explains any id it shows. Results:

- scan: one MIG910 result per usage, where it is (line and column).
- diff: one result per finding (its own rule and severity); one MIG911 result per changed
  span of the rewrite, carrying the new text as a `fix`; one MIG603 result per file that
  could not be read or parsed.

Paths are relative to PATH (`/`-separated, percent-encoded as URI references) with the
uriBaseId `PATHROOT`, which `originalUriBaseIds` resolves to PATH itself. A notebook's
places are lines of its JSON file (where editors and code scanning jump), with the cell
and the line in the cell as result properties.

Fixes are the real edit, span by span: the bytes to delete (`byteOffset`/`byteLength` in
the file as it is, so CRLF, BOM and legacy encodings stay exact) and the text to insert
(plus its bytes in the file's encoding when that is not UTF-8). A span whose new text
holds an API key gets no fix: no output prints a secret (the message says so).
"""

from __future__ import annotations

import base64
import difflib
import re
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

from migrator import __version__
from migrator.model import FileError, FileResult, Finding, Usage
from migrator.patch_output import BYTE_LINE
from migrator.rules import RULES, SECTIONS, Rule
from migrator.secrets import find_secrets, redact_secrets

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
BASE_ID = "PATHROOT"
USAGE_RULE = "MIG910"
PENDING_RULE = "MIG911"
SKIPPED_RULE = "MIG603"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
# The README section every rule id is listed in (the help link's anchor).
RULES_ANCHOR = "rules"


def documentation_url() -> str | None:
    """The project's documentation home from the metadata of the distribution that
    installed this package (Project-URL `Documentation`, `Homepage`, `Repository` or
    `Source`), or None. Found by import package, whatever the distribution is called."""
    for name in metadata.packages_distributions().get(__package__ or "migrator", []):
        try:
            urls = metadata.metadata(name).get_all("Project-URL") or []
        except metadata.PackageNotFoundError:
            continue
        found: dict[str, str] = {}
        for entry in urls:
            label, _, url = entry.partition(",")
            found[label.strip().lower()] = url.strip()
        for label in ("documentation", "homepage", "repository", "source"):
            if found.get(label, "").startswith(("https://", "http://")):
                return found[label]
    return None


def rule_descriptor(rule: Rule, docs: str | None) -> dict[str, Any]:
    """A `reportingDescriptor`: the rule's title as its short description, its rationale
    as the full one and as the help shown beside each result."""
    section = dict(SECTIONS)[rule.category]
    help_text = f"{rule.rationale} Checklist section: {section}. Run `migrator rule {rule.id}`."
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": _camel(rule.title),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {
            "text": help_text,
            "markdown": f"**{rule.id}** {rule.title}\n\n{rule.rationale}\n\n"
            f"Checklist section: {section}. Run `migrator rule {rule.id}` for an example.",
        },
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["migrator", rule.category], "category": rule.category},
    }
    if docs is not None:
        descriptor["helpUri"] = f"{docs.split('#', 1)[0]}#{RULES_ANCHOR}"
    return descriptor


def _camel(title: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", title)
    return "".join(w[:1].upper() + w[1:] for w in words) or "Rule"


class _Log:
    """The log being built: one run, rule indices resolved as results are added."""

    def __init__(self, root: Path) -> None:
        docs = documentation_url()
        self.rule_ids = sorted(RULES)
        self.index = {rule_id: n for n, rule_id in enumerate(self.rule_ids)}
        driver: dict[str, Any] = {
            "name": "migrator",
            "version": __version__,
            "semanticVersion": __version__,
            "rules": [rule_descriptor(RULES[r], docs) for r in self.rule_ids],
        }
        if docs is not None:
            driver["informationUri"] = docs
        self.run: dict[str, Any] = {
            "tool": {"driver": driver},
            "originalUriBaseIds": {BASE_ID: {"uri": _folder_uri(root)}},
            "invocations": [{"executionSuccessful": True}],
            "columnKind": "unicodeCodePoints",
            "results": [],
        }

    def add(
        self,
        rule_id: str,
        level: str,
        message: str,
        path: str,
        region: dict[str, Any],
        properties: dict[str, Any] | None = None,
        fixes: list[dict[str, Any]] | None = None,
    ) -> None:
        result: dict[str, Any] = {
            "ruleId": rule_id,
            "ruleIndex": self.index[rule_id],
            "level": level,
            "message": {"text": redact_secrets(message)},
            "locations": [
                {"physicalLocation": {"artifactLocation": _artifact(path), "region": region}}
            ],
        }
        if fixes:
            result["fixes"] = fixes
        if properties:
            result["properties"] = properties
        self.run["results"].append(result)

    def document(self) -> dict[str, Any]:
        return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [self.run]}


def _folder_uri(root: Path) -> str:
    folder = root.resolve()
    if folder.is_file():
        folder = folder.parent
    uri = folder.as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _artifact(path: str) -> dict[str, Any]:
    return {"uri": quote(path, safe="/"), "uriBaseId": BASE_ID}


def _cell(cell: int | None, cell_line: int | None) -> dict[str, Any] | None:
    return None if cell is None else {"cell": cell, "cell_line": cell_line}


def _region(line: int, column: int | None = None) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": max(line, 1)}
    if column is not None and column >= 1:
        region["startColumn"] = column
    return region


# --------------------------------------------------------------------------- scan


def usage_message(usage: Usage) -> str:
    """What the usage is, in one line: kind, API and the call's facts."""
    what = usage.api or usage.kind
    if usage.kind == "call":
        what = f"call {usage.api}" + (" (v0 module API)" if usage.style == "v0" else "")
    elif usage.kind in ("client", "config", "env", "exception", "type", "import"):
        what = f"{usage.kind} {usage.api}" if usage.api else usage.kind
    elif usage.kind == "model":
        what = f"model id {usage.model or usage.api}"
    facts = []
    if usage.kind == "call" and usage.model:
        facts.append(f"model {usage.model}")
    if usage.is_async:
        facts.append("async")
    if usage.stream:
        facts.append("stream")
    if usage.base_url:
        facts.append(f"base_url {usage.base_url}")
    return f"OpenAI usage: {what}" + (f" ({', '.join(facts)})" if facts else "")


def scan_sarif(root: Path, usages: Iterable[Usage], errors: Iterable[FileError]) -> dict[str, Any]:
    """The SARIF log of `migrator scan`."""
    log = _Log(root)
    for usage in usages:
        log.add(
            USAGE_RULE,
            LEVELS[RULES[USAGE_RULE].severity],
            usage_message(usage),
            usage.path,
            _region(usage.line, usage.column),
            {"kind": usage.kind, **(_cell(usage.cell, usage.cell_line) or {})},
        )
    _add_errors(log, errors)
    return log.document()


def _add_errors(log: _Log, errors: Iterable[FileError]) -> None:
    for error in errors:
        log.add(
            SKIPPED_RULE,
            LEVELS[RULES[SKIPPED_RULE].severity],
            f"file skipped: {error.message}",
            error.path,
            _region(error.line),
            _cell(error.cell, error.cell_line),
        )


# --------------------------------------------------------------------------- diff


def pending_target(report: Any) -> str:
    """What a pending rewrite moves to, as results name it: `DeepSeek (compat)`."""
    return f"{report.options.mapping.name} ({report.options.strategy.id})"


def diff_sarif(report: Any) -> dict[str, Any]:
    """The SARIF log of `migrator diff` (`report` is a migrate.MigrationReport)."""
    log = _Log(report.root)
    target = pending_target(report)
    for finding in report.findings:
        _add_finding(log, finding)
    for result in report.changed:
        for span in changed_spans(result):
            message = (
                f"Rewrite pending for {target}: {span.describe()}; `migrator diff` shows it, "
                "`migrator apply` makes it."
            )
            fixes = None
            if span.holds_secret:
                message += " No fix is attached: the new text holds an API key."
            else:
                fixes = [span.fix(result.path, target)]
            log.add(
                PENDING_RULE,
                LEVELS[RULES[PENDING_RULE].severity],
                message,
                result.path,
                _region(span.first_line),
                fixes=fixes,
            )
    _add_errors(log, report.errors)
    return log.document()


def _add_finding(log: _Log, finding: Finding) -> None:
    log.add(
        finding.id,
        LEVELS[finding.severity],
        finding.message,
        finding.path,
        _region(finding.line),
        _cell(finding.cell, finding.cell_line),
    )


class Span:
    """One changed run of lines: old lines [old_start, old_end) become `new_lines`."""

    def __init__(
        self, old_lines: list[bytes], new_lines: list[bytes], start: int, end: int, encoding: str
    ) -> None:
        self.start, self.end = start, end
        self.new_bytes = b"".join(new_lines)
        self.byte_offset = sum(len(line) for line in old_lines[:start])
        self.byte_length = sum(len(line) for line in old_lines[start:end])
        self.encoding = encoding
        self.new_text = self.new_bytes.decode(encoding, errors="replace")
        self.old_count = end - start
        self.at_end = start >= len(old_lines)
        self.new_count = len(new_lines)
        self.holds_secret = bool(find_secrets(self.new_text))
        # Where a reader looks: the first replaced line, or the line an insertion goes
        # before (the last line when it goes at the end).
        self.first_line = min(start + 1, max(len(old_lines), 1))

    def describe(self) -> str:
        if self.old_count == 0:
            where = "at the end" if self.at_end else f"before line {self.start + 1}"
            return f"{self.new_count} line(s) inserted {where}"
        lines = (
            f"line {self.start + 1}"
            if self.old_count == 1
            else f"lines {self.start + 1}-{self.end}"
        )
        if self.new_count == 0:
            return f"{lines} removed"
        return f"{lines} replaced by {self.new_count} line(s)"

    def fix(self, path: str, target: str) -> dict[str, Any]:
        inserted: dict[str, Any] = {"text": self.new_text}
        if self.encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
            inserted["binary"] = base64.b64encode(self.new_bytes).decode("ascii")
        return {
            "description": {"text": f"Migrate to {target}"},
            "artifactChanges": [
                {
                    "artifactLocation": _artifact(path),
                    "replacements": [
                        {
                            "deletedRegion": {
                                "byteOffset": self.byte_offset,
                                "byteLength": self.byte_length,
                            },
                            "insertedContent": inserted,
                        }
                    ],
                }
            ],
        }


def changed_spans(result: FileResult) -> list[Span]:
    """The changed runs of lines between a result's old and new bytes, in file order."""
    from migrator.rewrite import file_encoding

    assert result.old_source is not None and result.new_source is not None
    notebook = result.path.endswith(".ipynb")
    encoding = "utf-8" if notebook else file_encoding(result.old_source)
    # Lines split at b"\n": CRLF stays inside the line; for UTF-16/32 sources (never seen
    # in practice) the split is still exact on the bytes, only the texts may be odd.
    old = BYTE_LINE.findall(result.old_source)
    new = BYTE_LINE.findall(result.new_source)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [
        Span(old, new[j1:j2], i1, i2, encoding)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]
