"""Environment reads in code parsed with `ast`: the twin of env_reads.py (libcst).

The constants pre-pass and the checklist parse with `ast`; they run on every run, also
on one whose every file is cached, which never imports libcst. The forms (GETENV ...)
are defined here and shared by both recognisers.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass

GETENV = "os.getenv"
ENVIRON = "os.environ"
ENVIRON_GET = "os.environ.get"
SETDEFAULT = "os.environ.setdefault"
SUBSCRIPT = "os.environ[]"  # the `form` of `os.environ["X"]`

# Qualify: the qualified name of a dotted `ast` expression ("" when it is none), as the
# reader's import aliases give it (see class_defaults.py).
Qualify = Callable[[ast.expr], str]


@dataclass(frozen=True)
class AstEnvRead:
    """`EnvRead` for code parsed with `ast`."""

    var: str
    default: ast.expr | None
    form: str

    @property
    def strict(self) -> bool:
        return self.form == SUBSCRIPT


def ast_env_read(expr: ast.expr, qualify: Qualify, *, setdefault: bool = True) -> AstEnvRead | None:
    """The environment read `expr` is, or None (the `ast` twin of `env_read`)."""
    if isinstance(expr, ast.Call):
        if not expr.args or isinstance(expr.args[0], ast.Starred):
            return None
        var = _ast_string(expr.args[0])
        form = qualify(expr.func)
        if var is None or form not in (GETENV, ENVIRON_GET, SETDEFAULT):
            return None
        if form == SETDEFAULT and not setdefault:
            return None
        return AstEnvRead(var, expr.args[1] if len(expr.args) > 1 else None, form)
    if isinstance(expr, ast.Subscript) and qualify(expr.value) == ENVIRON:
        var = _ast_string(expr.slice)
        return AstEnvRead(var, None, SUBSCRIPT) if var is not None else None
    return None


def _ast_string(expr: ast.expr) -> str | None:
    return expr.value if isinstance(expr, ast.Constant) and isinstance(expr.value, str) else None


def import_aliases(tree: ast.Module, *, nested: bool = True) -> dict[str, str]:
    """Local name -> qualified name, for the imports of the module: all of them, or with
    `nested=False` its top-level ones only (the names its class bodies see)."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree) if nested else tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    aliases[root] = root
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def qualifier(aliases: Mapping[str, str]) -> Qualify:
    """A `Qualify` from import aliases: `_os.getenv` -> "os.getenv"."""

    def qualify(expr: ast.expr) -> str:
        parts: list[str] = []
        while isinstance(expr, ast.Attribute):
            parts.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return ""
        return ".".join([aliases.get(expr.id, expr.id), *reversed(parts)])

    return qualify


@dataclass(frozen=True)
class VariablesRead:
    """The variables a module reads: `required` strictly (`os.environ["X"]`), `optional`
    with a fallback (`os.getenv("X")`, `os.environ.get("X", d)`), not also required."""

    required: frozenset[str]
    optional: frozenset[str]


def file_reads(path: str, data: bytes) -> VariablesRead | None:
    """`variables_read` of a file's bytes as the checklist reads them: decoded by
    `decode_text`, its lines joined with `\n`. The rewrite worker computes it for a
    module that may run as a script, so that a checklist from the cache parses none."""
    from migrator.text_diff import decode_text

    return variables_read("\n".join(decode_text(path, data).splitlines()))


def variables_read(source: str) -> VariablesRead | None:
    """Every environment read of a module's source; None when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    qualify = qualifier(import_aliases(tree))
    required: set[str] = set()
    optional: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Call, ast.Subscript)):
            if isinstance(node, ast.Subscript) and not isinstance(node.ctx, ast.Load):
                continue  # `os.environ["X"] = v` sets it
            read = ast_env_read(node, qualify, setdefault=False)
            if read is not None:
                (required if read.strict else optional).add(read.var)
    return VariablesRead(frozenset(required), frozenset(optional - required))
