"""`scan --format sarif` and `diff --format sarif`: a SARIF 2.1.0 log for code scanning.

One run per log. `tool.driver.rules` is the whole rule registry (rules.py) with each rule's
title and rationale as its help, so a viewer explains any id it shows. Results:

- scan: one MIG910 result per usage, where it is (line and column).
- diff: one result per finding (its own rule and severity); one MIG911 result per changed
  span of the rewrite, carrying the new text as a `fix`; one MIG603 result per file that
  could not be read or parsed.

What is reported is decided once, in ci_records.py (the GitHub format renders the same
records); this module only writes them as SARIF.

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
import dataclasses
import re
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

from migrator import __version__
from migrator.ci_records import (
    Record,
    Span,
    diff_records,
    pending_target,
    scan_records,
)
from migrator.model import FileError, Usage
from migrator.rules import RULES, SECTIONS, Rule
from migrator.secrets import redact_secrets

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
BASE_ID = "PATHROOT"
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

    def add(self, record: Record, fixes: list[dict[str, Any]] | None = None) -> None:
        region: dict[str, Any] = {"startLine": max(record.line, 1)}
        if record.column is not None and record.column >= 1:
            region["startColumn"] = record.column
        properties: dict[str, Any] = {}
        if record.usage_kind is not None:
            properties["kind"] = record.usage_kind
        if record.cell is not None:
            properties.update(cell=record.cell, cell_line=record.cell_line)
        result: dict[str, Any] = {
            "ruleId": record.rule,
            "ruleIndex": self.index[record.rule],
            "level": LEVELS[record.severity],
            "message": {"text": redact_secrets(record.message)},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _artifact(record.path),
                        "region": region,
                    }
                }
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


def scan_sarif(root: Path, usages: Iterable[Usage], errors: Iterable[FileError]) -> dict[str, Any]:
    """The SARIF log of `migrator scan`."""
    log = _Log(root)
    for record in scan_records(usages, errors):
        log.add(record)
    return log.document()


def diff_sarif(report: Any) -> dict[str, Any]:
    """The SARIF log of `migrator diff` (`report` is a migrate.MigrationReport)."""
    log = _Log(report.root)
    target = pending_target(report)
    for record in diff_records(report):
        span = record.span
        if span is None:
            log.add(record)
            continue
        message = f"{record.message}; `migrator diff` shows it, `migrator apply` makes it."
        if span.holds_secret:
            message += " No fix is attached: the new text holds an API key."
            log.add(_replace_message(record, message))
        else:
            log.add(_replace_message(record, message), [span_fix(span, record.path, target)])
    return log.document()


def _replace_message(record: Record, message: str) -> Record:
    return dataclasses.replace(record, message=message)


def span_fix(span: Span, path: str, target: str) -> dict[str, Any]:
    """The span as a SARIF fix: the bytes it deletes and the content it inserts."""
    inserted: dict[str, Any] = {"text": span.new_text}
    if span.encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
        inserted["binary"] = base64.b64encode(span.new_bytes).decode("ascii")
    deleted = {"byteOffset": span.byte_offset, "byteLength": span.byte_length}
    return {
        "description": {"text": f"Migrate to {target}"},
        "artifactChanges": [
            {
                "artifactLocation": _artifact(path),
                "replacements": [{"deletedRegion": deleted, "insertedContent": inserted}],
            }
        ],
    }
