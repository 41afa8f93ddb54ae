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
(`ast_env_reads.py`) serves the readers that parse with `ast`: the constants pre-pass
and the checklist.

No codemod is imported here: the engine and every fixer share this.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from migrator.ast_env_reads import ENVIRON, ENVIRON_GET, GETENV, SETDEFAULT, SUBSCRIPT

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
