"""Small node-building helpers shared by the fixers. Formatting-preserving on purpose:
a new keyword argument copies the comma style of the call it joins (one line or one
argument per line), and a rewritten string keeps its prefix and quote character."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping as AbcMapping
from typing import Any
from urllib.parse import urlsplit

import libcst as cst

from migrator.rewrite import Plan


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


def _comma_like(call: cst.Call) -> cst.Comma:
    """The separator used between arguments of `call` (multi-line calls keep their layout)."""
    for arg in call.args[:-1]:
        if isinstance(arg.comma, cst.Comma):
            return arg.comma
    if call.args and isinstance(call.args[-1].comma, cst.Comma):
        comma = call.args[-1].comma
        if isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
            return comma
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def edit_call_args(
    call: cst.Call,
    *,
    set_values: AbcMapping[str, cst.BaseExpression] | None = None,
    remove: set[str] | frozenset[str] = frozenset(),
    rename: AbcMapping[str, str] | None = None,
) -> cst.Call:
    """Replace, rename, remove and append keyword arguments of `call`."""
    set_values = dict(set_values or {})
    rename = dict(rename or {})
    separator = _comma_like(call)
    last_comma = call.args[-1].comma if call.args else cst.MaybeSentinel.DEFAULT
    kept: list[cst.Arg] = []
    present: set[str] = set()
    for arg in call.args:
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
        kept.append(arg)
    for name, value in set_values.items():
        if name in present:
            continue
        kept.append(
            cst.Arg(
                keyword=cst.Name(name),
                value=value,
                equal=cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""),
                    whitespace_after=cst.SimpleWhitespace(""),
                ),
            )
        )
    # Re-thread commas: every argument but the last gets the call's separator; the last
    # keeps whatever the original last argument had (a trailing comma, or none).
    args: list[cst.Arg] = []
    for index, arg in enumerate(kept):
        if index < len(kept) - 1:
            args.append(arg.with_changes(comma=separator))
        else:
            args.append(arg.with_changes(comma=last_comma))
    return call.with_changes(args=args)


def merge_into_dict(existing: cst.Dict, additions: dict[str, Any]) -> cst.Dict:
    """Add keys that are not in a dict literal yet (existing keys win: they are the user's)."""
    have = {
        e.key.evaluated_value
        for e in existing.elements
        if isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)
    }
    new_elements = list(existing.elements)
    for key, value in additions.items():
        if key in have:
            continue
        new_elements.append(cst.DictElement(string_literal(key), python_literal(value)))
    fixed: list[cst.BaseDictElement] = []
    for index, element in enumerate(new_elements):
        if index < len(new_elements) - 1 and not isinstance(element.comma, cst.Comma):
            element = element.with_changes(
                comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            )
        fixed.append(element)
    return existing.with_changes(elements=fixed)


# -- endpoints -----------------------------------------------------------------------------

OPENAI_HOSTS = frozenset({"api.openai.com"})
AZURE_SUFFIXES = (
    ".openai.azure.com", ".openai.azure.cn", ".openai.azure.us",
    ".cognitiveservices.azure.com", ".cognitiveservices.azure.cn", ".services.ai.azure.com",
)  # fmt: skip


def host_of(url: str) -> str:
    try:
        return (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
    except ValueError:
        return ""


def classify_endpoint(url: str, provider_hosts: frozenset[str]) -> str:
    """openai | azure | provider | local | relay: what a literal base URL points at."""
    host = host_of(url)
    if not host:
        return "relay"
    if host in OPENAI_HOSTS:
        return "openai"
    if host.endswith(AZURE_SUFFIXES):
        return "azure"
    if host in provider_hosts:
        return "provider"
    if host in ("localhost", "host.docker.internal") or "." not in host:
        return "local"
    if host.endswith((".local", ".internal", ".lan", ".svc", ".cluster.local")):
        return "local"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "relay"
    return "local" if address.is_private or address.is_loopback else "relay"
