"""What counts as a read of an environment variable: the one recogniser.

`os.getenv("X")`, `os.getenv("X", default)`, `os.environ.get("X", default)`,
`os.environ["X"]`, in every spelling an import gives them: `import os as _os`
(`_os.getenv`), `from os import getenv, environ` (`getenv("X")`, `environ["X"]`),
`from os import environ as env`. `os.environ.setdefault("X", d)` reads X too (and sets it
when unset); callers that treat it as a write ask for `setdefault=False`.

Whether a name is the os module (or its getenv / environ) is the caller's knowledge: a
`Resolve` maps the first name of a dotted expression to what it stands for. The
inventory and the codemods know the file's scopes; `syntactic` assumes the usual names
(`os`, and `getenv` / `environ` from os) when nothing better is known. The `ast` side
(`ast_env_read`, `variables_read`) serves the readers that parse with `ast`: the
constants pre-pass and the checklist.

No codemod is imported here: the engine and every fixer share this.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

GETENV = "os.getenv"
ENVIRON = "os.environ"
ENVIRON_GET = "os.environ.get"
SETDEFAULT = "os.environ.setdefault"
SUBSCRIPT = "os.environ[]"  # the `form` of `os.environ["X"]`

# Resolve: what the name `name` stands for where it is read, as a qualified name
# ("os", "os.getenv", "os.environ"): what an import binds it to, else the name itself.
Resolve = Callable[[cst.Name], str]

_USUAL = {"os": "os", "getenv": GETENV, "environ": ENVIRON}


def syntactic(name: cst.Name) -> str:
    """Without the file's scopes: `os` is the os module, a bare `getenv` / `environ` came
    from `from os import ...` (other names stand for themselves)."""
    return _USUAL.get(name.value, name.value)


@dataclass(frozen=True)
class EnvRead:
    """One read of an environment variable.

    `node` is the whole read (the call or the subscript), `name` the string literal that
    names the variable, `default` the value used when it is unset (None: none given),
    `form` which reader it is (GETENV, ENVIRON_GET, SETDEFAULT or SUBSCRIPT)."""

    node: cst.Call | cst.Subscript
    var: str
    name: cst.SimpleString
    default: cst.BaseExpression | None
    form: str

    @property
    def strict(self) -> bool:
        """`os.environ["X"]`: raises KeyError when X is unset (never None)."""
        return self.form == SUBSCRIPT


def _dotted(node: cst.BaseExpression) -> str | None:
    """`a.b.c` -> "a.b.c" (as source.dotted_name, which this module cannot import: the
    constants pre-pass imports it, and source.py imports the pre-pass's types)."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def qualified_name(node: cst.BaseExpression, resolve: Resolve = syntactic) -> str | None:
    """`_os.environ.get` -> "os.environ.get" where `_os` is the os module; None for
    anything that is not a dotted name."""
    dotted = _dotted(node)
    if dotted is None:
        return None
    root: cst.BaseExpression = node
    while isinstance(root, cst.Attribute):
        root = root.value
    assert isinstance(root, cst.Name)
    return resolve(root) + dotted[len(root.value) :]


def is_environ(node: cst.BaseExpression, resolve: Resolve = syntactic) -> bool:
    """Is `node` the `os.environ` mapping (by whatever name the file gives it)?"""
    return qualified_name(node, resolve) == ENVIRON


def _literal(node: cst.BaseExpression) -> cst.SimpleString | None:
    if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
        return node
    return None


def env_read(
    node: cst.CSTNode, resolve: Resolve = syntactic, *, setdefault: bool = True
) -> EnvRead | None:
    """The environment read `node` is, or None. The variable must be a string literal
    (`os.getenv(name)` reads something, but nothing known)."""
    if isinstance(node, cst.Call):
        if not node.args or node.args[0].keyword is not None or node.args[0].star:
            return None
        literal = _literal(node.args[0].value)
        if literal is None:
            return None
        form = qualified_name(node.func, resolve)
        if form not in (GETENV, ENVIRON_GET, SETDEFAULT) or (form == SETDEFAULT and not setdefault):
            return None
        default = node.args[1].value if len(node.args) > 1 else None
        assert form is not None
        return EnvRead(node, str(literal.evaluated_value), literal, default, form)
    if isinstance(node, cst.Subscript):
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return None
        literal = _literal(node.slice[0].slice.value)
        if literal is None or not is_environ(node.value, resolve):
            return None
        return EnvRead(node, str(literal.evaluated_value), literal, None, SUBSCRIPT)
    return None


# -- ast -----------------------------------------------------------------------------------
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


def qualifier(aliases: dict[str, str]) -> Qualify:
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
