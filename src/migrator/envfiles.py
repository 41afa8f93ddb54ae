"""Env files: edit the committed templates (.env.example...), and look at a real `.env`.

Templates are edited line by line: keys are renamed (`OPENAI_API_KEY=` ->
`DEEPSEEK_API_KEY=`, also after `export`), `${OLD}` references in values follow the rename,
and the provider's variables that are still missing are appended under one
`# added by migrator` line. Everything else (comments, order, blank lines, other values,
quoting, \\n or \\r\\n) stays byte for byte. A renamed key whose value looks like a real
OpenAI key gets an empty value: a template is committed, and that key is of no use to the
new provider anyway.

A real `.env` is only ever scanned (`scan_dotenv_for_keys`): the answer names the line and
the variable with a redacted value. No function here returns, logs or raises with a secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import NamedTuple

from migrator.deps import EditResult, newline_of
from migrator.relpaths import file_name
from migrator.secrets import looks_like_openai_key, looks_like_secret, redact

__all__ = [
    "ADDED_MARKER",
    "EditResult",
    "SecretHit",
    "edit_env_template",
    "find_dotenv_files",
    "find_env_templates",
    "looks_like_openai_key",
    "redact",
    "scan_dotenv_for_keys",
]

ADDED_MARKER = "# added by migrator"

_TEMPLATE_NAME = re.compile(
    r"(?:[^/]*\.)?\.?env(?:\.[A-Za-z0-9_-]+)?\.(?:example|sample|template|dist)",
    re.IGNORECASE,
)
_DOTENV_NAME = re.compile(r"\.env(?:\.[A-Za-z0-9_-]+)?|[^/]+\.env", re.IGNORECASE)
_ASSIGN = re.compile(
    r"(?P<lead>[ \t]*)(?P<export>export[ \t]+)?(?P<key>[A-Za-z_][A-Za-z0-9_.]*)"
    r"(?P<sep>[ \t]*=[ \t]*)"
)
_KEY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPENAI_HOST = re.compile(r"(?:^|[/.@])openai\.com(?:[:/]|$)", re.IGNORECASE)
_SECRET_NAME = re.compile(r"\w*OPENAI\w*(?:KEY|TOKEN|SECRET)", re.IGNORECASE)


class SecretHit(NamedTuple):
    """One secret seen in a real `.env`: line number and `NAME=<redacted value>`."""

    line: int
    text: str

    @property
    def name(self) -> str:
        return self.text.split("=", 1)[0]

    @property
    def redacted(self) -> str:
        return self.text.split("=", 1)[1]


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class _Assignment:
    """A `KEY=value` line of an env file, with the spans of its key and value."""

    key: str
    key_start: int
    key_end: int
    value: str  # without quotes
    value_start: int  # span of the value inside the quotes (if any)
    value_end: int
    quote: str  # '', '"' or "'"


def _parse_assignment(content: str) -> _Assignment | None:
    """`[export] KEY = value # comment` with the value's span; None for other lines."""
    m = _ASSIGN.match(content)
    if m is None:
        return None
    pos = m.end()
    quote = content[pos : pos + 1]
    if quote in ("'", '"'):
        i = pos + 1
        while i < len(content):
            if content[i] == "\\" and quote == '"':
                i += 2
                continue
            if content[i] == quote:
                break
            i += 1
        else:
            return None  # unterminated (multi-line values are left alone)
        start, end = pos + 1, i
    else:
        quote = ""
        comment = re.search(r"[ \t]#", content[pos:])
        end = pos + comment.start() if comment else len(content)
        while end > pos and content[end - 1] in " \t":
            end -= 1
        start = pos
    return _Assignment(
        key=m.group("key"),
        key_start=m.start("key"),
        key_end=m.end("key"),
        value=content[start:end],
        value_start=start,
        value_end=end,
        quote=quote,
    )


def _split_lines(text: str) -> list[tuple[str, str]]:
    """(content, ending) pairs; endings are \\n or \\r\\n (a last line may have none)."""
    parts = text.split("\n")
    lines: list[tuple[str, str]] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if last and part == "":
            break
        if part.endswith("\r") and not last:
            lines.append((part[:-1], "\r\n"))
        else:
            lines.append((part, "" if last else "\n"))
    return lines


def _quoted_value(value: str, quote: str) -> str:
    """`value` for a spot already inside `quote` ('' = unquoted)."""
    if quote == '"':
        return value.replace("\\", "\\\\").replace('"', '\\"')
    if quote == "'":
        return value  # callers make sure it holds no '
    return _format_value(value)


def _format_value(value: str) -> str:
    if value == "" or re.fullmatch(r"[A-Za-z0-9_./:@,+=%~-]+", value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


# The parser, for config_values.py (model ids and endpoints in templates).
parse_assignment = _parse_assignment
split_lines = _split_lines
quoted_env_value = _quoted_value


# --------------------------------------------------------------------------- templates


def edit_env_template(
    text: str, renames: dict[str, str], add: dict[str, str] | None = None
) -> EditResult:
    """Rename keys, blank real-looking secrets of renamed keys, append missing `add` keys.

    `renames` maps old variable names to new ones; `add` maps variables that must exist to
    the value written when they are missing (e.g. a base URL, or "" for a key). Editing the
    result again changes nothing.
    """
    add = dict(add or {})
    for name in [*renames.values(), *add]:
        if not _KEY_NAME.fullmatch(name):
            raise ValueError(f"not an environment variable name: {name!r}")
    lines = _split_lines(text)
    assignments = [_parse_assignment(content) for content, _ in lines]
    present = {a.key for a in assignments if a is not None}
    notes: list[str] = []
    out: list[str] = []
    ref_pattern = (
        re.compile(r"\$\{(" + "|".join(re.escape(k) for k in renames) + r")\}") if renames else None
    )
    for number, ((content, ending), assign) in enumerate(
        zip(lines, assignments, strict=True), start=1
    ):
        if assign is None:
            stripped = content.lstrip()
            if stripped.startswith("#"):
                mentioned = sorted(k for k in renames if re.search(rf"\b{re.escape(k)}\b", content))
                for key in mentioned:
                    notes.append(f"line {number}: a comment mentions {key}; review it")
            out.append(content + ending)
            continue
        new_content = content
        new_key = renames.get(assign.key)
        value_start, value_end = assign.value_start, assign.value_end
        value = assign.value
        if ref_pattern is not None and assign.quote != "'" and ref_pattern.search(value):
            new_value = ref_pattern.sub(lambda m: "${" + renames[m.group(1)] + "}", value)
            notes.append(f"line {number}: {assign.key} now refers to the renamed variables")
            value = new_value
        if new_key is not None and new_key != assign.key:
            if new_key in present:
                notes.append(
                    f"line {number}: {new_key} is already set; {assign.key} was left as it is"
                )
                new_key = None
            else:
                notes.append(f"line {number}: renamed {assign.key} to {new_key}")
                if looks_like_openai_key(assign.value):
                    notes.append(
                        f"line {number}: blanked the value of {new_key} ({redact(assign.value)}) "
                        "- it looked like a real OpenAI key; revoke it if it was ever committed"
                    )
                    value = ""
                elif (
                    add.get(new_key)
                    and (not value.strip() or _OPENAI_HOST.search(value))
                    and not (assign.quote == "'" and "'" in add[new_key])
                ):
                    # an empty value or OpenAI's own endpoint means "the default": use the
                    # new provider's default instead
                    value = _quoted_value(add[new_key], assign.quote)
                    notes.append(f"line {number}: set {new_key} to {add[new_key]}")
                elif value.strip() and new_key in add:
                    notes.append(f"line {number}: kept the value of {new_key}; check it")
        elif looks_like_openai_key(assign.value):
            notes.append(
                f"line {number}: {assign.key} holds what looks like a real OpenAI key "
                f"({redact(assign.value)}); remove it from the template"
            )
        new_content = (
            content[: assign.key_start]
            + (new_key or assign.key)
            + content[assign.key_end : value_start]
            + value
            + content[value_end:]
        )
        if new_key:
            present.add(new_key)
        out.append(new_content + ending)

    missing = [(k, v) for k, v in add.items() if k not in present]
    if missing:
        nl = newline_of(text)
        if out and not out[-1].endswith("\n"):
            out[-1] += nl
        out.append(ADDED_MARKER + nl)
        for key, value in missing:
            out.append(f"{key}={_format_value(value)}{nl}")
            notes.append(f"added {key}")
    new_text = "".join(out)
    return EditResult(new_text, new_text != text, notes)


# --------------------------------------------------------------------------- discovery


def find_env_templates(files: Iterable[str | PurePath]) -> list[Path]:
    """Committed env templates: .env.example, .env.sample, .env.template, .env.dist,
    `*.env.example` (and `env.example`, `.env.local.example`...), sorted."""
    return sorted((Path(f) for f in files if _TEMPLATE_NAME.fullmatch(file_name(f))), key=str)


def find_dotenv_files(files: Iterable[str | PurePath]) -> list[Path]:
    """Real env files (`.env`, `.env.local`, `prod.env`...) that are not templates."""
    return sorted(
        (
            Path(f)
            for f in files
            if _DOTENV_NAME.fullmatch(name := file_name(f)) and not _TEMPLATE_NAME.fullmatch(name)
        ),
        key=str,
    )


# --------------------------------------------------------------------------- real .env


def scan_dotenv_for_keys(path: Path) -> list[SecretHit]:
    """OpenAI-style secrets in a real `.env`: (line number, `NAME=sk-****wxyz`).

    Reported: any value that looks like an OpenAI key, and any non-empty value of a variable
    named like an OpenAI key (OPENAI_API_KEY, AZURE_OPENAI_API_KEY...). The value itself is
    never returned; an unreadable file gives an empty list.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return []
    text = raw.decode("utf-8-sig", errors="replace")
    hits: list[SecretHit] = []
    for number, (content, _) in enumerate(_split_lines(text), start=1):
        assign = _parse_assignment(content)
        if assign is None or not assign.value.strip():
            continue
        value = assign.value.strip()
        if looks_like_secret(value) or _SECRET_NAME.fullmatch(assign.key):
            hits.append(SecretHit(number, f"{assign.key}={redact(value)}"))
    return hits


def quoted_in(name: str, sources: Iterable[bytes]) -> bool:
    """Whether code quotes `name` ("X" or 'X'): the migrated code reads that variable
    or key. Searched file by file; the sources are never joined into one copy."""
    needles = (f'"{name}"'.encode(), f"'{name}'".encode())
    return any(needle in data for data in sources for needle in needles)
