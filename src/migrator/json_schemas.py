"""JSON Schemas (draft 2020-12) of the `--format json` documents: `migrator schema NAME`.

They describe the contract the README states (`"version": 1`): every key it names is
required with its type; keys the contract marks as extensions (a client's `base_url`, a
notebook's `cell`/`cell_line`, a checklist item's `places`, a notebook diff's
`cell_diff`) are listed but optional. Objects stay open (`additionalProperties` is not
false) because the contract grows by additions only: a consumer written against these
schemas keeps working when a key is added.
"""

from __future__ import annotations

from typing import Any, get_args

from migrator.model import Category, Severity, UsageKind

DIALECT = "https://json-schema.org/draft/2020-12/schema"

_POSITIVE = {"type": "integer", "minimum": 1}
_PATH = {"type": "string", "minLength": 1}
_CELL = {"cell": _POSITIVE, "cell_line": _POSITIVE}  # notebooks only


def _object(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
    }


_FINDING = _object(
    {
        "id": {"type": "string", "pattern": "^MIG[0-9]{3}$"},
        "severity": {"enum": list(get_args(Severity))},
        "category": {"enum": list(get_args(Category))},
        "path": _PATH,
        "line": {"type": "integer", "minimum": 0},
        "message": {"type": "string"},
    },
    {
        **_CELL,
        "places": {
            "type": "array",
            "minItems": 2,
            "items": _object({"path": _PATH, "line": {"type": "integer", "minimum": 0}}),
        },
    },
)
_ERROR = _object(
    {"path": _PATH, "line": {"type": "integer", "minimum": 0}, "message": {"type": "string"}},
    _CELL,
)
_USAGE = _object(
    {
        "path": _PATH,
        "line": _POSITIVE,
        "column": _POSITIVE,
        "kind": {"enum": list(get_args(UsageKind))},
        "api": {"type": ["string", "null"]},
        "style": {"enum": ["v1", "v0"]},
        "async": {"type": "boolean"},
        "stream": {"type": "boolean"},
        "model": {"type": ["string", "null"]},
        "params": {"type": "array", "items": {"type": "string"}},
    },
    {"base_url": {"type": "string"}, **_CELL},
)
_VERSION = {"const": 1}
_COUNT = {"type": "integer", "minimum": 0}
_ERRORS = {"type": "array", "items": {"$ref": "#/$defs/error"}}
_FINDINGS = {"type": "array", "items": {"$ref": "#/$defs/finding"}}
# What every document of a migration (diff, checklist) opens with.
_TARGET = {"version": _VERSION, "provider": {"type": "string"}, "strategy": {"type": "string"}}


def _document(name: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "$schema": DIALECT,
        "$id": f"migrator:{name}.schema.json",
        "title": f"migrator {name} --format json",
        **body,
        "$defs": {"finding": _FINDING, "error": _ERROR},
    }


SCHEMAS: dict[str, dict[str, Any]] = {
    "scan": _document(
        "scan",
        _object(
            {
                "version": _VERSION,
                "root": {"type": "string"},
                "files_scanned": _COUNT,
                "files_with_usage": _COUNT,
                "usages": {"type": "array", "items": _USAGE},
                "errors": _ERRORS,
            }
        ),
    ),
    "diff": _document(
        "diff",
        _object(
            {
                **_TARGET,
                "files": {
                    "type": "array",
                    "items": _object(
                        {"path": _PATH, "diff": {"type": "string"}},
                        {"cell_diff": {"type": "string"}},
                    ),
                },
                "findings": _FINDINGS,
                "errors": _ERRORS,
                "summary": _object({"files_changed": _COUNT, "edits": _COUNT}),
            }
        ),
    ),
    "checklist": _document(
        "checklist",
        _object({**_TARGET, "items": _FINDINGS}),
    ),
}
