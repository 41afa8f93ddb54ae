"""One checklist item per root cause: findings that say the same thing become one item.

The rewrite reports per line (`migrator diff` keeps that), but a checklist with the same
"api_key kept" item for every client of a project is noise: a person has one thing to
understand and a list of places to visit. `group_findings` merges findings of one rule
whose messages differ only in what is specific to a place (the expression at that line,
the function a response is returned by, the line numbers in a file) into one finding
that names every place (`Finding.places`) and says where they are in its message.

A group of one keeps its finding exactly as it was.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from migrator.model import SEVERITY_ORDER, Finding

# Places named in a grouped message before "and N more" (all are in `Finding.places`).
SHOWN_PLACES = 8


@dataclass(frozen=True)
class _Cause:
    """What is specific to a place in a rule's message: `pattern` matches it, and the
    grouped message has `grouped(values)` in its stead (`values`: the distinct texts
    of the pattern's `value` group, in order of first appearance)."""

    pattern: re.Pattern[str]
    grouped: Callable[[list[str]], str]


def _fixed(text: str) -> Callable[[list[str]], str]:
    return lambda _values: text


def _quoted_models(values: list[str]) -> str:
    return ("reasoning models " if len(values) > 1 else "reasoning model ") + ", ".join(values)


# Line numbers inside a per-file message: they become the group's places.
_LINES_IN_FILE = re.compile(r" \(lines? (?P<lines>\d+(?:, \d+)*)(?: …)?\)")


def _cause(pattern: str, grouped: str | Callable[[list[str]], str]) -> _Cause:
    # Messages can hold code spanning lines (a multi-line expression): `.` matches "\n".
    text = _fixed(grouped) if isinstance(grouped, str) else grouped
    return _Cause(re.compile(pattern, re.S), text)


_CAUSES: dict[str, tuple[_Cause, ...]] = {
    # the user's own key expression, passed to a client or set on the module
    "MIG101": (
        _cause(r"^(?:api_key|openai\.api_key =) `.+` kept(?: for the client)?(?=: )",
               "the code's own api_key is kept"),
    ),
    # a base URL from configuration: replaced by the provider's endpoint, or left as it is
    "MIG105": (
        # `base_url`, `openai.api_base`...: one cause, whichever setting held the URL
        _cause(r"^\S+ came from `.+?`(?=; replaced by )", "the endpoint came from configuration"),
        _cause(r"(?<=, or write )`.+ or (?=\"[^\"]*\"` to keep)", "`<setting> or "),
        # left as it is: whatever expression, setting or object held the URL
        _cause(r"^\S+ comes from `.+?`(?: \(through `.+?`\))? and migrator cannot tell where "
               r"it points: \S+ left unchanged(?=; )",
               "the endpoint comes from configuration migrator cannot place: left unchanged"),
    ),
    "MIG106": (_cause(r"^\d+ call\(s\) here go through", "calls go through"),),
    # the model comes from a variable, an attribute, a call...
    "MIG201": (
        _cause(r"^model for \S+ is not a literal \(.*\)(?=: make sure it names)",
               "the model is not a literal"),
    ),
    "MIG204": (_cause(r"^reasoning model (?P<value>'[^']*'|\"[^\"]*\")", _quoted_models),),
    # a response leaves its function
    "MIG601": (
        _cause(r"^the \S+ response is (?:returned|yielded) by `[^`]*`(?: \(as `[^`]*`\))?(?=: )",
               "openai responses are passed on to callers"),
    ),
    # the mapping's compliance notes: one item
    "MIG804": (_cause(r"^(?P<value>.+)$", " ".join),),
}  # fmt: skip
_LINE_LISTS = frozenset({"MIG604", "MIG617", "MIG904"})


def group_findings(findings: Iterable[Finding]) -> list[Finding]:
    """`findings` with those of one rule and one cause merged (see the module docstring)."""
    groups: dict[tuple[str, str, str, str], list[tuple[Finding, list[int], str | None]]]
    groups = defaultdict(list)
    for finding in sorted(findings, key=_order):
        key_message, lines, value = _cause_of(finding)
        groups[(finding.id, finding.severity, finding.category, key_message)].append(
            (finding, lines, value)
        )
    out: list[Finding] = []
    for (_, _, _, key_message), members in groups.items():
        if len(members) == 1:
            out.append(members[0][0])
            continue
        out.append(_merge(key_message, members))
    return out


def _order(finding: Finding) -> tuple[str, int, str]:
    return (finding.path, finding.line, finding.message)


def _cause_of(finding: Finding) -> tuple[str, list[int], str | None]:
    """The message without what is specific to the place (a template when a cause
    has values), the finding's lines, and the place's value for the template."""
    message = finding.message
    lines = [finding.line]
    if finding.id in _LINE_LISTS:
        match = _LINES_IN_FILE.search(message)
        if match is not None:
            lines = [int(n) for n in match.group("lines").split(", ")]
            message = message[: match.start()] + message[match.end() :]
    value: str | None = None
    for index, cause in enumerate(_CAUSES.get(finding.id, ())):
        match = cause.pattern.search(message)
        if match is None:
            continue
        if "value" in cause.pattern.groupindex:
            value = match.group("value")
        message = message[: match.start()] + f"\0{index}\0" + message[match.end() :]
    return message, lines, value


def _merge(key_message: str, members: list[tuple[Finding, list[int], str | None]]) -> Finding:
    first = members[0][0]
    values: list[str] = []
    for _, _, value in members:
        if value is not None and value not in values:
            values.append(value)
    message = key_message
    for index, cause in enumerate(_CAUSES.get(first.id, ())):
        message = message.replace(f"\0{index}\0", cause.grouped(values))
    places = sorted({(f.path, line) for f, lines, _ in members for line in lines})
    if len(places) > 1:
        shown_all = SEVERITY_ORDER[first.severity] == SEVERITY_ORDER["error"]
        limit = None if shown_all else SHOWN_PLACES
        message += f" ({len(places)} places: {places_text(places, limit=limit)})"
    path, line = places[0]
    return replace(
        first,
        path=path,
        line=line,
        message=message,
        places=tuple(places) if len(places) > 1 else (),
    )


def places_text(places: list[tuple[str, int]], *, limit: int | None = SHOWN_PLACES) -> str:
    """`lines 12, 40; app/x.py:7 and 3 more`: the first file's lines, then the others'."""
    shown = places if limit is None else places[:limit]
    by_file: dict[str, list[int]] = defaultdict(list)
    for path, line in shown:
        by_file[path].append(line)
    parts = []
    for number, (path, lines) in enumerate(by_file.items()):
        numbers = ", ".join(str(n) for n in lines)
        if number == 0:
            parts.append(f"line {numbers}" if len(lines) == 1 else f"lines {numbers}")
        else:
            parts.append(f"{path}:{numbers}")
    text = "; ".join(parts)
    hidden = len(places) - len(shown)
    return text + (f" and {hidden} more" if hidden else "")
