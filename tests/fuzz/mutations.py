"""Layout mutations of a Python file that keep it valid Python: the shapes real code has and
generated programs rarely do. Each family takes the source text and a seeded `Random`, and
returns the mutated text (the caller keeps only mutants CPython still compiles)."""

from __future__ import annotations

import keyword
import random
import re
from collections.abc import Callable

Mutation = Callable[[str, random.Random], str]

_NAME = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
# Names the engine recognises: renaming them changes what is migrated, not the layout.
_KEEP = {
    "openai", "OpenAI", "AsyncOpenAI", "AzureOpenAI", "os", "environ", "getenv", "self",
    "print", "str", "int", "dict", "list", "len", "range", "super", "None", "True", "False",
}  # fmt: skip


def _local_names(text: str) -> list[str]:
    assigned = re.findall(r"^\s*([a-z_][a-z0-9_]*)\s*=[^=]", text, re.MULTILINE)
    return sorted({n for n in assigned if n not in _KEEP and not keyword.iskeyword(n)})


def rename_identifiers(text: str, rng: random.Random) -> str:
    names = _local_names(text)
    if not names:
        return text
    old = rng.choice(names)
    new = rng.choice([f"{old}_2", f"_{old}", f"{old}Renamed", "client_" + old])
    return re.sub(rf"(?<![\w.\"']){re.escape(old)}\b(?!\s*=\s*[^=]*\))", new, text)


def unicode_identifiers(text: str, rng: random.Random) -> str:
    names = _local_names(text)
    if not names:
        return text
    old = rng.choice(names)
    new = rng.choice(["données", "模型", "ĉliento", "переменная", "x̄"])
    return re.sub(rf"(?<![\w.\"']){re.escape(old)}\b", new + "_" + old, text)


def wrap_block(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    header = rng.choice(["if True:\n", "def _wrapped():\n", "try:\n", "with open(__file__):\n"])
    body = "".join("    " + line if line.strip() else line for line in lines)
    tail = "\nexcept Exception:\n    pass\n" if header.startswith("try") else ""
    if body and not body.endswith("\n"):
        body += "\n"
    return header + body + tail


def tabs(text: str, rng: random.Random) -> str:
    """Indent with tabs, every line or only some blocks (CPython accepts a block indented
    with tabs beside a block indented with spaces)."""
    everywhere = rng.random() < 0.5

    def indent(match: re.Match[str]) -> str:
        spaces = match.group(0)
        if everywhere:
            return "\t" * (len(spaces) // 4) + " " * (len(spaces) % 4)
        return spaces if rng.random() < 0.5 else "\t" * (len(spaces) // 4) + " " * (len(spaces) % 4)

    return re.sub(r"^ +", indent, text, flags=re.MULTILINE)


def line_ends(text: str, rng: random.Random) -> str:
    return text.replace("\n", rng.choice(["\r\n", "\r"]))


def continuations(text: str, rng: random.Random) -> str:
    """Backslash continuations: before a block's colon, after `=`, on a line of their own."""
    lines = text.splitlines(keepends=True)
    out = []
    for line in lines:
        roll = rng.random()
        indent = line[: len(line) - len(line.lstrip())]
        if roll < 0.15 and re.match(r"\s*(if|for|while|def|class|with|elif)\b.*:\s*$", line):
            head = line.rstrip()[:-1].rstrip()
            out.append(f"{head} \\\n{indent}        :\n")
        elif (
            roll < 0.3
            and re.match(r"\s*\w+ = \S", line)
            and not line.rstrip().endswith(("(", "[", "{", ",", "\\"))
        ):
            name, _, value = line.partition(" = ")
            out.append(f"{name} = \\\n{indent}    {value}")
        else:
            out.append(line)
    return "".join(out)


def odd_comments(text: str, rng: random.Random) -> str:
    """Comments where code rarely puts them: after an opening bracket, at odd indents, ending
    in a backslash, as the last line without a final newline."""
    lines = text.splitlines(keepends=True)
    out = []
    for line in lines:
        roll = rng.random()
        if roll < 0.1 and line.rstrip().endswith("("):
            line = line.rstrip() + "  # opened \\\n"
        elif roll < 0.2:
            out.append(" " * rng.randint(0, 9) + "# odd\n")
        out.append(line)
    result = "".join(out)
    if rng.random() < 0.5:
        result = result.rstrip("\n") + "\n# last \\"
    return result


def semicolons(text: str, rng: random.Random) -> str:
    """Two simple statements of one block joined on a line with `;`."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    simple = re.compile(r"(\s*)(\w[\w.]*(\s*=\s*|\()[^#\\]*)$")
    for line in lines:
        previous = out[-1] if out else ""
        a, b = simple.match(previous.rstrip("\n")), simple.match(line.rstrip("\n"))
        if (
            a
            and b
            and a.group(1) == b.group(1)
            and _balanced(previous)
            and _balanced(line)
            and rng.random() < 0.4
        ):
            out[-1] = previous.rstrip("\n") + "; " + line.lstrip()
        else:
            out.append(line)
    return "".join(out)


def _balanced(line: str) -> bool:
    return (
        all(line.count(a) == line.count(b) for a, b in ("()", "[]", "{}"))
        and ":" not in line.split("#")[0][-2:]
    )


def form_feeds(text: str, rng: random.Random) -> str:
    """A form feed at the start of some indented lines (CPython resets the column there)."""
    return re.sub(
        r"^(?=\s+\S)", lambda m: "\f" if rng.random() < 0.3 else "", text, flags=re.MULTILINE
    )


_TOP_IMPORT = re.compile(r"^(import [\w.]+(?: as \w+)?|from [\w.]+ import [\w, ]+)$", re.MULTILINE)


def guarded_imports(text: str, rng: random.Random) -> str:
    """Top-level imports under `try/except ImportError` (the optional-dependency idiom) or
    `if`."""

    def guard(match: re.Match[str]) -> str:
        statement = match.group(0)
        if rng.random() < 0.5:
            return statement
        names = _bound_names(statement)
        if rng.random() < 0.5:
            fallback = "".join(f"    {name} = None\n" for name in names) or "    pass\n"
            return f"try:\n    {statement}\nexcept ImportError:\n{fallback}".rstrip("\n")
        return f"if True:\n    {statement}"

    return _TOP_IMPORT.sub(guard, text)


def _bound_names(statement: str) -> list[str]:
    if statement.startswith("import "):
        target = statement[len("import ") :]
        return [target.split(" as ")[-1].split(".")[0].strip()]
    imported = statement.split(" import ", 1)[1]
    return [part.split(" as ")[-1].strip() for part in imported.split(",") if part.strip()]


def aliased_imports(text: str, rng: random.Random) -> str:
    """`import os` / `import openai` bound to another name, every use renamed with it."""
    for module in ("os", "openai", "json"):
        if re.search(rf"^import {module}$", text, re.MULTILINE) and rng.random() < 0.7:
            alias = rng.choice([f"_{module}", f"{module}_mod", f"{module[0]}{module[-1]}"])
            text = re.sub(
                rf"^import {module}$", f"import {module} as {alias}", text, flags=re.MULTILINE
            )
            text = re.sub(rf"(?<![\w.\"']){module}\.", f"{alias}.", text)
    return text


def local_imports(text: str, rng: random.Random) -> str:
    """A module-level `import` copied (or moved) into the first function using the module."""
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines):
        statement = line.rstrip("\r\n")
        if not _TOP_IMPORT.fullmatch(statement) or not statement.startswith("import "):
            continue
        if rng.random() < 0.5:
            continue
        name = _bound_names(statement)[0]
        use = re.compile(rf"(?<![\w.]){re.escape(name)}\.")
        for start, header in enumerate(lines):
            if not header.startswith("def ") or start + 1 >= len(lines):
                continue
            body = lines[start + 1 :]
            end = next(
                (k for k, b in enumerate(body) if b.strip() and not b[0].isspace()), len(body)
            )
            if not any(use.search(b) for b in body[:end]):
                continue
            indent = re.match(r"[ \t]*", body[0]).group(0) or "    "
            newline = line[len(statement) :] or "\n"
            lines.insert(start + 1, indent + statement + newline)
            if rng.random() < 0.5:
                del lines[number]  # the module-level one goes
            return "".join(lines)
    return text


FAMILIES: dict[str, Mutation] = {
    "rename": rename_identifiers,
    "unicode": unicode_identifiers,
    "wrap": wrap_block,
    "tabs": tabs,
    "line_ends": line_ends,
    "continuations": continuations,
    "comments": odd_comments,
    "semicolons": semicolons,
    "form_feeds": form_feeds,
    "guarded_imports": guarded_imports,
    "aliased_imports": aliased_imports,
    "local_imports": local_imports,
}


def mutate(text: str, family: str, rng: random.Random, rounds: int = 1) -> str:
    for _ in range(rounds):
        text = FAMILIES[family](text, rng)
    return text
