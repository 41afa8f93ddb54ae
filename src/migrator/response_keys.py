"""The keys of dict-style reads on a response (`r["usage"]`, `r.get("id")`), as fields.

Split from response_flow.py, whose chains read them: a string key that names a field is
the attribute the v1 objects have (`["self-harm"]` -> `self_harm`); an index or a slice is
no field (NOT_LITERAL)."""

from __future__ import annotations

import keyword

import libcst as cst


class NotLiteral:
    pass


NOT_LITERAL = NotLiteral()


def subscript_key(node: cst.Subscript) -> str | NotLiteral | None:
    """A subscript's string key; None for a string key that cannot be read (f-string,
    bytes, implicit concatenation); NOT_LITERAL for an index or a slice."""
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return NOT_LITERAL
    value = node.slice[0].slice.value
    if isinstance(value, cst.SimpleString):
        evaluated = value.evaluated_value
        return evaluated if isinstance(evaluated, str) else None
    if isinstance(value, (cst.ConcatenatedString, cst.FormattedString)):
        return None
    return NOT_LITERAL


def field_name(key: str) -> str | None:
    """The attribute a response's dict key names (the v0 dicts and the v1 objects agree,
    but for moderation categories: `self-harm` -> self_harm); None when it names none."""
    name = key.replace("-", "_").replace("/", "_")
    if name.isidentifier() and not keyword.iskeyword(name):
        return name
    return None


def get_field(call: cst.Call) -> str | None:
    """The field of a plain `.get("key"[, default])`; None for any other form."""
    args = call.args
    key = args[0].value if args and args[0].keyword is None and not args[0].star else None
    name = (
        field_name(key.evaluated_value)
        if isinstance(key, cst.SimpleString) and isinstance(key.evaluated_value, str)
        else None
    )
    if name is None or len(args) > 2 or any(a.keyword or a.star for a in args):
        return None
    return name
