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
}


def mutate(text: str, family: str, rng: random.Random, rounds: int = 1) -> str:
    for _ in range(rounds):
        text = FAMILIES[family](text, rng)
    return text
