"""Where a configuration file's string values sit: key path, value and exact span.

Each format is parsed by a well-kept parser, which decides the structure; the span it
reports (or that we find from it) is where a new value is later spliced into the
original text, so that every other byte (comments, quoting, key order, indentation, line
endings) stays as it was:

* YAML: PyYAML's `yaml.compose` (already a dependency) gives every scalar node with its
  start/end marks and its style (plain, '...', "...", | or >).
* TOML: tomlkit (already a dependency, for pyproject.toml) keeps each item's original
  text; the item's offset is found by swapping it for a sentinel and searching the
  re-rendered document, then checked against the original text.
* JSON: `json` validates the file (and names the line of an error); a small scanner that
  follows the same grammar records each string's span and key path.
* INI: `configparser` validates the file; the values are found line by line
  (`[section]`, `key = value` / `key: value`), since configparser keeps no positions.
* env templates (.env.example...): the parser envfiles.py uses for key renames.

A value the splicer cannot safely rewrite carries `why_fixed` (an anchor, a block or
multi-line scalar, a value that needs escaping the format's quoting cannot show...).
"""

from __future__ import annotations

import configparser
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from migrator.envfiles import parse_assignment, split_lines
from migrator.relpaths import file_suffix

Format = Literal["yaml", "toml", "json", "ini", "env"]

__all__ = ["ConfigSyntaxError", "ConfigValue", "Format", "format_of", "locate", "read_back"]

_SUFFIX_FORMATS: dict[str, Format] = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".toml": "toml",
    ".json": "json",
    ".ini": "ini",
    ".cfg": "ini",
}


class ConfigSyntaxError(ValueError):
    """The file does not parse: `line` (1-based) and the parser's message."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class ConfigValue:
    """One string value: its key path, text, span of its raw form (quotes included) in the
    document's text, 1-based line, quoting (`"`, `'` or "" for plain), and why it must
    not be rewritten (None: it may be)."""

    path: tuple[str, ...]
    value: str
    start: int
    end: int
    line: int
    quote: str
    why_fixed: str | None = None

    @property
    def key(self) -> str:
        """The nearest key naming the value (an array index is skipped)."""
        return next((p for p in reversed(self.path) if not p.startswith("[")), "")


def format_of(rel: str, *, env_template: bool = False) -> Format | None:
    """The format of a file by its name (an env template is known by envfiles.py)."""
    if env_template:
        return "env"
    return _SUFFIX_FORMATS.get(file_suffix(rel).lower())


def locate(fmt: Format, text: str) -> list[ConfigValue]:
    """Every string value of `text` with its span. Raises ConfigSyntaxError."""
    return _LOCATORS[fmt](text)


def read_back(fmt: Format, text: str) -> dict[tuple[str, ...], str]:
    """Key path -> string value, as the format's own parser reads `text` (to check an
    edit). Raises ConfigSyntaxError."""
    if fmt == "env":
        return {v.path: v.value for v in _locate_env(text)}
    if fmt == "ini":
        parser = _ini_parser(text)
        return {
            (section, key): value[1:-1] if _ini_quote(value) else value
            for section in parser.sections()
            for key, value in parser.items(section, raw=True)
        }
    data = _load(fmt, text)
    out: dict[tuple[str, ...], str] = {}
    for document in data if fmt == "yaml" else [data]:
        _flatten(document, (), out)
    return out


# --------------------------------------------------------------------------- YAML


# libyaml's loader when PyYAML was built with it: the same nodes, marks and values as the
# pure-Python loader (a plain scalar's style is "" there, None here: read as `or ""`), about
# eight times faster. Its error messages are worded differently, so a document that does
# not load is loaded again by the pure-Python loader, whose message the findings quote.
# (yaml is imported where a file is parsed: a run whose configuration results come from
# the cache imports none of it.)
def _fast_loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(read: Callable[..., Iterable[Any]], text: str) -> list[Any]:
    """`read(text, Loader=...)` (`yaml.compose_all`, `yaml.load_all`) with the fast loader,
    or with the pure-Python one when it fails, to raise that loader's error."""
    import yaml

    try:
        return list(read(text, Loader=_fast_loader()))
    except yaml.YAMLError:
        return list(read(text, Loader=yaml.SafeLoader))


def _locate_yaml(text: str) -> list[ConfigValue]:
    import yaml

    try:
        documents = _read_yaml(yaml.compose_all, text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        raise ConfigSyntaxError(mark.line + 1 if mark else 1, str(exc).splitlines()[0]) from exc
    anchored = _yaml_anchored(text)
    found: list[ConfigValue] = []
    seen: set[int] = set()

    def walk(node: yaml.Node, path: tuple[str, ...]) -> None:
        if id(node) in seen:  # an alias: the anchored node was (or will be) visited
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    walk(value, (*path, key.value))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, f"[{i}]"))
        elif isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
            start, end = node.start_mark.index, node.end_mark.index
            style = node.style or ""
            why = None
            if start in anchored or text[start : start + 1] in "&!":
                why = "it is anchored or tagged (other keys may share it)"
            elif style in ("|", ">"):
                why = "it is a block scalar"
            elif "\n" in text[start:end]:
                why = "it spans lines"
            elif (style == "" and text[start:end] != node.value) or (
                style and text[start : start + 1] != style
            ):
                why = "its text is not the value as written"
            found.append(
                ConfigValue(path, node.value, start, end, node.start_mark.line + 1, style, why)
            )

    for document in documents:
        if document is not None:
            walk(document, ())
    return found


def _yaml_anchored(text: str) -> set[int]:
    """Offsets where an anchored node's text starts (its mark points at the anchor)."""
    import yaml

    out: set[int] = set()
    for token in yaml.scan(text, Loader=_fast_loader()):
        if isinstance(token, (yaml.AnchorToken, yaml.TagToken)):
            out.add(token.start_mark.index)
    return out


# --------------------------------------------------------------------------- TOML

_SENTINEL = "migrator-sentinel-5f0c2e"


def _locate_toml(text: str) -> list[ConfigValue]:
    import tomlkit  # (imported where a TOML file is read: most runs read none)
    from tomlkit.exceptions import TOMLKitError
    from tomlkit.items import AoT, Array, InlineTable, String, Table

    try:
        document = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise ConfigSyntaxError(getattr(exc, "line", 1) or 1, str(exc)) from exc
    found: list[ConfigValue] = []

    def place(container: Any, key: Any, path: tuple[str, ...], item: String) -> None:
        raw = item.as_string()
        quote = {'"': '"', "'": "'"}.get(raw[:1], "")
        why = None
        if raw.startswith(('"""', "'''")):
            why = "it is a multi-line string"
        container[key] = tomlkit.string(_SENTINEL)
        try:
            rendered = tomlkit.dumps(document)
        finally:
            container[key] = item
        start = rendered.find(f'"{_SENTINEL}"')
        if start < 0 or rendered[:start] != text[:start] or text[start : start + len(raw)] != raw:
            start, why = text.find(raw), why or "its place in the file could not be shown"
        if start < 0:
            return
        line = text.count("\n", 0, start) + 1
        found.append(ConfigValue(path, str(item), start, start + len(raw), line, quote, why))

    def walk(container: Any, path: tuple[str, ...]) -> None:
        if isinstance(container, (dict, Table, InlineTable)):
            for key in list(container.keys()):
                item = container[key]
                sub = (*path, str(key))
                if isinstance(item, String):
                    place(container, key, sub, item)
                else:
                    walk(item, sub)
        elif isinstance(container, (list, Array, AoT)):
            for i, item in enumerate(list(container)):
                sub = (*path, f"[{i}]")
                if isinstance(item, String) and isinstance(container, Array):
                    place(container, i, sub, item)
                else:
                    walk(item, sub)

    walk(document, ())
    return found


# --------------------------------------------------------------------------- JSON

_JSON_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\\x00-\x1f]|\\.)*")|(?P<punct>[{}\[\]:,])|(?P<lit>[^\s{}\[\]:,"]+))'
)


def _locate_json(text: str) -> list[ConfigValue]:
    _load("json", text)  # the grammar and the line of an error come from `json`
    found: list[ConfigValue] = []
    stack: list[tuple[str, Any]] = []  # ("obj", pending key) / ("arr", index)
    pos = 0
    expect_key = False
    while True:
        m = _JSON_TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            break
        pos = m.end()
        if m.group("punct"):
            p = m.group("punct")
            if p == "{":
                stack.append(("obj", None))
                expect_key = True
            elif p == "[":
                stack.append(("arr", 0))
            elif p in "}]":
                stack.pop()
            elif p == ",":
                if stack and stack[-1][0] == "arr":
                    stack[-1] = ("arr", stack[-1][1] + 1)
                else:
                    expect_key = True
            continue
        if m.group("str") is not None and expect_key:
            stack[-1] = ("obj", json.loads(m.group("str")))
            expect_key = False
            continue
        if m.group("str") is not None:
            path = tuple(k if kind == "obj" else f"[{k}]" for kind, k in stack)
            start = m.start("str")
            raw = m.group("str")
            found.append(
                ConfigValue(
                    path, json.loads(raw), start, m.end("str"), text.count("\n", 0, start) + 1, '"'
                )
            )
    return found


# --------------------------------------------------------------------------- INI

_SECTION = re.compile(r"[ \t]*\[(?P<name>[^\]]+)\][ \t]*(?:[#;].*)?")
_INI_KEY = re.compile(r"(?P<key>[^\s=:#;\[][^=:]*?)[ \t]*[=:][ \t]*(?P<value>.*?)[ \t]*")


def _ini_parser(text: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_string(text)
    except configparser.MissingSectionHeaderError as exc:
        raise ConfigSyntaxError(exc.lineno, "a value before the first [section]") from exc
    except configparser.ParsingError as exc:
        line = exc.errors[0][0] if exc.errors else 1
        raise ConfigSyntaxError(line, "a line that is neither [section] nor key = value") from exc
    except configparser.Error as exc:
        raise ConfigSyntaxError(getattr(exc, "lineno", 1) or 1, str(exc)) from exc
    return parser


def _locate_ini(text: str) -> list[ConfigValue]:
    _ini_parser(text)
    found: list[ConfigValue] = []
    section: str | None = None
    offset = 0
    for number, (content, ending) in enumerate(split_lines(text), start=1):
        here, offset = offset, offset + len(content) + len(ending)
        if not content.strip() or content.lstrip()[:1] in "#;":
            continue
        if content[:1] in " \t":  # a continuation line: part of the value above
            if found and found[-1].line == number - 1:
                found[-1] = _fixed(found[-1], "it continues on the next line")
            continue
        if (m := _SECTION.fullmatch(content)) is not None:
            section = m.group("name").strip()
            continue
        m = _INI_KEY.fullmatch(content)
        if m is None or section is None:
            continue
        value, start, end = m.group("value"), m.start("value"), m.end("value")
        quote = _ini_quote(value)
        if quote:
            value, start, end = value[1:-1], start + 1, end - 1
        found.append(
            ConfigValue(
                (section, m.group("key").strip().lower()), value, here + start - len(quote),
                here + end + len(quote), number, quote,
            )
        )  # fmt: skip
    return found


def _ini_quote(value: str) -> str:
    """The quote around an INI value (configparser keeps quotes; readers strip them)."""
    if len(value) >= 2 and value[0] in "\"'" and value[-1] == value[0]:
        return value[0]
    return ""


def _fixed(value: ConfigValue, why: str) -> ConfigValue:
    return ConfigValue(
        value.path, value.value, value.start, value.end, value.line, value.quote, why
    )


# --------------------------------------------------------------------------- env


def _locate_env(text: str) -> list[ConfigValue]:
    found: list[ConfigValue] = []
    offset = 0
    for number, (content, ending) in enumerate(split_lines(text), start=1):
        here, offset = offset, offset + len(content) + len(ending)
        assign = parse_assignment(content)
        if assign is None:
            continue
        q = len(assign.quote)
        found.append(
            ConfigValue(
                (assign.key,), assign.value, here + assign.value_start - q,
                here + assign.value_end + q, number, assign.quote,
            )
        )  # fmt: skip
    return found


# --------------------------------------------------------------------------- shared


def _load(fmt: Format, text: str) -> Any:
    if fmt == "yaml":
        import yaml

        try:
            return _read_yaml(yaml.load_all, text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ConfigSyntaxError(mark.line + 1 if mark else 1, str(exc)) from exc
    if fmt == "toml":
        import tomlkit
        from tomlkit.exceptions import TOMLKitError

        try:
            return tomlkit.parse(text).unwrap()
        except TOMLKitError as exc:
            raise ConfigSyntaxError(getattr(exc, "line", 1) or 1, str(exc)) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigSyntaxError(exc.lineno, exc.msg) from exc


def _flatten(data: Any, path: tuple[str, ...], out: dict[tuple[str, ...], str]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            _flatten(value, (*path, str(key)), out)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            _flatten(value, (*path, f"[{i}]"), out)
    elif isinstance(data, str):
        out[path] = data


_LOCATORS = {
    "yaml": _locate_yaml,
    "toml": _locate_toml,
    "json": _locate_json,
    "ini": _locate_ini,
    "env": _locate_env,
}
