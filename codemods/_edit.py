"""Small node-building helpers shared by the fixers. Formatting-preserving on purpose:
a new keyword argument copies the comma style of the call it joins (one line or one
argument per line), and a rewritten string keeps its prefix and quote character."""

from __future__ import annotations

import json
from collections.abc import Mapping as AbcMapping
from collections.abc import Set as AbcSet
from typing import Any

import libcst as cst
from migrator.codemods._scope import is_bound, module_alias, visible

from migrator.rewrite import Plan
from migrator.source import code_of, plain_comma, sequence_separator


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


def os_module(plan: Plan, at: cst.CSTNode | None) -> str:
    """The name code at `at` (None: the top level) reaches the os module by: `os` where
    that is what `os` means there, else a top-level `import os as <alias>` of the file's,
    else a new import (`import os`, or `import os as _os` where a parameter or variable
    named `os` shadows the module)."""
    name = module_alias(plan, "os", at)
    if name is not None:
        return name
    if not visible(plan, "os", at):
        plan.add_import("os")
        return "os"
    alias = next(a for a in ("_os", "os_module", "_os_module") if not is_bound(plan, a))
    plan.add_import("os", alias=alias)
    return alias


def env_read(plan: Plan, var: str, *, at: cst.CSTNode | None) -> cst.BaseExpression:
    """`os.environ["VAR"]` for code at `at`: fails loudly when the variable is missing,
    unlike getenv."""
    return cst.parse_expression(f"{os_module(plan, at)}.environ[{json.dumps(var)}]")


def env_read_with_default(
    plan: Plan, var: str, default: str, *, at: cst.CSTNode | None
) -> cst.BaseExpression:
    os_name = os_module(plan, at)
    return cst.parse_expression(f"{os_name}.environ.get({json.dumps(var)}, {json.dumps(default)})")


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


def splat_args(call: cst.Call) -> list[cst.Arg]:
    """The `**mapping` arguments of `call`."""
    return [a for a in call.args if a.star == "**"]


def splat_may_carry(arg: cst.Arg, name: str) -> bool:
    """Whether the `**` argument `arg` may hold the keyword `name`, as far as the call
    itself shows: only a `**{...}` literal with plain string keys can be read here."""
    value = arg.value
    if not isinstance(value, cst.Dict):
        return True
    if any(
        not isinstance(e, cst.DictElement) or not isinstance(e.key, cst.SimpleString)
        for e in value.elements
    ):
        return True
    return name in dict_keys(value)


def keywords_at_risk(
    call: cst.Call,
    *,
    set_values: AbcMapping[str, cst.BaseExpression] | None = None,
    rename: AbcMapping[str, str] | None = None,
    known_absent: AbcSet[str] = frozenset(),
) -> dict[str, str]:
    """The keywords `edit_call_args` would refuse to add to `call`, each with what may
    already hold it (the code of a `**` argument, or the keyword itself).

    Appending `name=` (or renaming to it) next to a `**` argument that may carry `name`
    raises "got multiple values for keyword argument" at run time, and a keyword written
    twice does not even compile: a fixer asks first, then edits the mapping where it is
    built, merges visibly, or leaves the call and reports it. `known_absent`: keys the
    caller has shown no `**` argument holds (see codemods/_kwargs_dict.py)."""
    explicit = keyword_args(call)
    new_names = [n for n in (set_values or {}) if n not in explicit]
    at_risk: dict[str, str] = {}
    for old, name in (rename or {}).items():
        if old in explicit and name != old:
            if name in explicit:
                at_risk[name] = f"{name}="
            else:
                new_names.append(name)
    for name in new_names:
        if name in known_absent:
            continue
        holder = next((a for a in splat_args(call) if splat_may_carry(a, name)), None)
        if holder is not None:
            at_risk[name] = f"**{code_of(holder.value)}"
    return at_risk


def edit_call_args(
    call: cst.Call,
    *,
    set_values: AbcMapping[str, cst.BaseExpression] | None = None,
    remove: set[str] | frozenset[str] = frozenset(),
    rename: AbcMapping[str, str] | None = None,
    known_absent: AbcSet[str] = frozenset(),
) -> cst.Call:
    """Replace, rename, remove and append keyword arguments of `call`.

    Never produces a keyword twice: a keyword `keywords_at_risk` names (a `**` argument
    may carry it, or it is already written) is not appended and not renamed to; callers
    ask `keywords_at_risk` first and decide what to do instead.

    Layout is kept: every argument keeps its own comma and whitespace; only the end of
    the list is re-threaded, so that the last argument (new, or left last by a removal)
    carries the original trailing comma and the whitespace before `)`."""
    at_risk = keywords_at_risk(
        call, set_values=set_values, rename=rename, known_absent=known_absent
    )
    explicit = keyword_args(call)
    set_values = {k: v for k, v in (set_values or {}).items() if k in explicit or k not in at_risk}
    rename = {k: v for k, v in (rename or {}).items() if v not in at_risk}
    original = list(call.args)
    if not original and not set_values:
        return call
    last_comma = original[-1].comma if original else cst.MaybeSentinel.DEFAULT
    last_space = original[-1].whitespace_after_arg if original else cst.SimpleWhitespace("")
    separator = sequence_separator([a.comma for a in original], call.whitespace_before_args)
    # (argument, was the original last one or is new: its comma needs re-threading)
    kept: list[tuple[cst.Arg, bool]] = []
    first_kept: int | None = None  # where the first argument left stood among the originals
    present: set[str] = set()
    for index, arg in enumerate(original):
        name = arg.keyword.value if arg.keyword is not None else None
        if name is not None and name in remove:
            continue
        if first_kept is None:
            first_kept = index
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
            elif _has_notes(arg.comma) and not isinstance(last_comma, cst.Comma):
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
            # (the original last one's lines of comments stay before `)`, on last_comma)
            lines_too = arg.comma is not last_comma
            arg = arg.with_changes(
                comma=_with_comment(separator, arg.comma, lines_too),
                whitespace_after_arg=cst.SimpleWhitespace(""),
            )
        args.append(arg)
    before_args = call.whitespace_before_args
    if (
        first_kept
        and isinstance(original[first_kept - 1].comma, cst.Comma)
        and isinstance(before_args, cst.ParenthesizedWhitespace)
        and isinstance(original[first_kept - 1].comma.whitespace_after, cst.ParenthesizedWhitespace)
    ):
        # one argument a line, and the ones before it went: the new first one keeps the
        # indentation that was its own (after the comma before it), not the removed one's
        before_args = original[first_kept - 1].comma.whitespace_after
    return call.with_changes(args=args, whitespace_before_args=before_args)


def _has_notes(comma: cst.Comma | cst.MaybeSentinel) -> bool:
    """Whether comments follow `comma` before the next item: at the end of its line, or on
    lines of their own."""
    if not isinstance(comma, cst.Comma):
        return False
    after = comma.whitespace_after
    return isinstance(after, cst.ParenthesizedWhitespace) and (
        after.first_line.comment is not None or any(e.comment for e in after.empty_lines)
    )


def _without_comment(comma: cst.Comma | cst.MaybeSentinel) -> cst.Comma | cst.MaybeSentinel:
    return plain_comma(comma) if isinstance(comma, cst.Comma) else comma


def _with_comment(
    comma: cst.Comma | cst.MaybeSentinel,
    source: cst.Comma | cst.MaybeSentinel,
    lines_too: bool = True,
) -> cst.Comma | cst.MaybeSentinel:
    """`comma` carrying the comments that followed `source`: its end-of-line comment, and
    (`lines_too`) the lines of comments below it (an argument keeps its notes when its comma
    is re-threaded; a note between two arguments stays after the first when the second
    goes)."""
    if not _has_notes(source) or not isinstance(comma, cst.Comma):
        return comma
    assert isinstance(source, cst.Comma)
    notes = source.whitespace_after
    assert isinstance(notes, cst.ParenthesizedWhitespace)
    after = comma.whitespace_after
    if not isinstance(after, cst.ParenthesizedWhitespace):
        return comma
    first_line = notes.first_line if notes.first_line.comment is not None else after.first_line
    lines = [*notes.empty_lines, *after.empty_lines] if lines_too else after.empty_lines
    return comma.with_changes(
        whitespace_after=after.with_changes(first_line=first_line, empty_lines=lines)
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
