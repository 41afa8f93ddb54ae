"""Small node-building helpers shared by the fixers. Formatting-preserving on purpose:
a new keyword argument copies the comma style of the call it joins (one line or one
argument per line), and a rewritten string keeps its prefix and quote character."""

from __future__ import annotations

import json
from collections.abc import Mapping as AbcMapping
from typing import Any
from urllib.parse import urlsplit

import libcst as cst

from migrator.rewrite import Plan
from migrator.source import plain_comma, sequence_separator


def string_literal(value: str) -> cst.SimpleString:
    return cst.SimpleString(json.dumps(value, ensure_ascii=False))


def replace_string_value(node: cst.SimpleString, value: str) -> cst.SimpleString:
    """Same prefix and quotes as `node`, new content."""
    raw = node.value
    prefix_len = len(raw) - len(raw.lstrip("rRbBuUfF"))
    prefix, body = raw[:prefix_len], raw[prefix_len:]
    quote = body[:3] if body[:3] in ('"""', "'''") else body[0]
    escaped = value.replace("\\", "\\\\").replace(quote[0], "\\" + quote[0])
    return node.with_changes(value=f"{prefix}{quote}{escaped}{quote}")


def env_read(plan: Plan, var: str) -> cst.BaseExpression:
    """`os.environ["VAR"]`: fails loudly when the variable is missing, unlike getenv."""
    plan.add_import("os")
    return cst.parse_expression(f'os.environ["{var}"]')


def env_read_with_default(plan: Plan, var: str, default: str) -> cst.BaseExpression:
    plan.add_import("os")
    return cst.parse_expression(f"os.environ.get({json.dumps(var)}, {json.dumps(default)})")


def python_literal(value: Any) -> cst.BaseExpression:
    """A literal for plain YAML data, written the way people write it (double quotes)."""
    return cst.parse_expression(_source(value))


def _source(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_source(k)}: {_source(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_source(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)  # numbers, True/False/None


def keyword_args(call: cst.Call) -> dict[str, cst.Arg]:
    return {a.keyword.value: a for a in call.args if a.keyword is not None}


def edit_call_args(
    call: cst.Call,
    *,
    set_values: AbcMapping[str, cst.BaseExpression] | None = None,
    remove: set[str] | frozenset[str] = frozenset(),
    rename: AbcMapping[str, str] | None = None,
) -> cst.Call:
    """Replace, rename, remove and append keyword arguments of `call`.

    Layout is kept: every argument keeps its own comma and whitespace; only the end of
    the list is re-threaded, so that the last argument (new, or left last by a removal)
    carries the original trailing comma and the whitespace before `)`."""
    set_values = dict(set_values or {})
    rename = dict(rename or {})
    original = list(call.args)
    if not original and not set_values:
        return call
    last_comma = original[-1].comma if original else cst.MaybeSentinel.DEFAULT
    last_space = original[-1].whitespace_after_arg if original else cst.SimpleWhitespace("")
    separator = sequence_separator([a.comma for a in original], call.whitespace_before_args)
    # (argument, was the original last one or is new: its comma needs re-threading)
    kept: list[tuple[cst.Arg, bool]] = []
    present: set[str] = set()
    for index, arg in enumerate(original):
        name = arg.keyword.value if arg.keyword is not None else None
        if name is not None and name in remove:
            continue
        if name is not None and name in rename:
            arg = arg.with_changes(keyword=cst.Name(rename[name]))
            name = rename[name]
        if name is not None and name in set_values:
            arg = arg.with_changes(value=set_values.pop(name))
        if name is not None:
            present.add(name)
        kept.append((arg, index == len(original) - 1))
    for name, value in set_values.items():
        if name in present:
            continue
        new_arg = cst.Arg(
            keyword=cst.Name(name),
            value=value,
            equal=cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""),
                whitespace_after=cst.SimpleWhitespace(""),
            ),
        )
        kept.append((new_arg, True))
    args: list[cst.Arg] = []
    for index, (arg, was_last) in enumerate(kept):
        if index == len(kept) - 1:
            if was_last and arg.comma is last_comma and arg.whitespace_after_arg is last_space:
                pass  # the original last argument stays last
            elif _comment_of(arg.comma) is not None and not isinstance(last_comma, cst.Comma):
                # keep the line's comment: a trailing comma is the only place it can stay
                arg = arg.with_changes(
                    comma=_with_comment(_newline_comma(last_space), arg.comma),
                    whitespace_after_arg=cst.SimpleWhitespace(""),
                )
            else:
                arg = arg.with_changes(
                    comma=_with_comment(_without_comment(last_comma), arg.comma),
                    whitespace_after_arg=last_space,
                )
        elif was_last:  # the former last argument (or a new one) now has a successor
            arg = arg.with_changes(
                comma=_with_comment(separator, arg.comma),
                whitespace_after_arg=cst.SimpleWhitespace(""),
            )
        args.append(arg)
    return call.with_changes(args=args)


def _comment_of(comma: cst.Comma | cst.MaybeSentinel) -> cst.Comment | None:
    if isinstance(comma, cst.Comma) and isinstance(
        comma.whitespace_after, cst.ParenthesizedWhitespace
    ):
        return comma.whitespace_after.first_line.comment
    return None


def _without_comment(comma: cst.Comma | cst.MaybeSentinel) -> cst.Comma | cst.MaybeSentinel:
    return plain_comma(comma) if isinstance(comma, cst.Comma) else comma


def _with_comment(
    comma: cst.Comma | cst.MaybeSentinel, source: cst.Comma | cst.MaybeSentinel
) -> cst.Comma | cst.MaybeSentinel:
    """`comma` carrying the end-of-line comment that followed `source` (an argument keeps
    the comment on its line when its comma is re-threaded)."""
    comment = _comment_of(source)
    if comment is None or not isinstance(comma, cst.Comma):
        return comma
    assert isinstance(source, cst.Comma) and isinstance(
        source.whitespace_after, cst.ParenthesizedWhitespace
    )
    after = comma.whitespace_after
    if not isinstance(after, cst.ParenthesizedWhitespace):
        return comma
    return comma.with_changes(
        whitespace_after=after.with_changes(first_line=source.whitespace_after.first_line)
    )


def _newline_comma(closing: cst.BaseParenthesizableWhitespace) -> cst.Comma:
    """A trailing comma followed by the whitespace that closed the call."""
    if isinstance(closing, cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_after=closing)
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(""))


def _dict_with_elements(existing: cst.Dict, additions: list[cst.BaseDictElement]) -> cst.Dict:
    """`existing` with `additions` appended, its layout kept as `edit_call_args` keeps a
    call's (the closing whitespace of a dict lives on its `}`, not on an element)."""
    original = list(existing.elements)
    if not additions:
        return existing
    last_comma = original[-1].comma if original else cst.MaybeSentinel.DEFAULT
    separator = sequence_separator([e.comma for e in original], existing.lbrace.whitespace_after)
    elements = [*original, *additions]
    fixed: list[cst.BaseDictElement] = []
    for index, element in enumerate(elements):
        if index == len(elements) - 1:
            element = element.with_changes(comma=last_comma)
        elif index >= len(original) - 1:  # the former last element, or a new one
            element = element.with_changes(comma=separator)
        fixed.append(element)
    return existing.with_changes(elements=fixed)


def dict_keys(d: cst.Dict) -> set[object]:
    return {
        e.key.evaluated_value
        for e in d.elements
        if isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)
    }


def add_dict_entry(d: cst.Dict, key: str, value: cst.BaseExpression) -> cst.Dict:
    """`d` with `"key": value` appended, unless the key is there (the user's value wins)."""
    if key in dict_keys(d):
        return d
    return _dict_with_elements(d, [cst.DictElement(string_literal(key), value)])


def merge_into_dict(existing: cst.Dict, additions: dict[str, Any]) -> cst.Dict:
    """Add keys that are not in a dict literal yet (existing keys win: they are the user's)."""
    result = existing
    for key, value in additions.items():
        result = add_dict_entry(result, key, python_literal(value))
    return result


# -- endpoints (what they point at: endpoint_hosts.py) ---------------------------------------


def host_of(url: str) -> str:
    try:
        return (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
    except ValueError:
        return ""
