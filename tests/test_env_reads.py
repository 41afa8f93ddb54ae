"""env_reads.py and ast_env_reads.py: every spelling of an environment read (libcst, ast)."""

from __future__ import annotations

import ast

import libcst as cst
import pytest

from migrator.ast_env_reads import (
    ENVIRON_GET,
    GETENV,
    SETDEFAULT,
    SUBSCRIPT,
    ast_env_read,
    import_aliases,
    qualifier,
    variables_read,
)
from migrator.env_reads import Resolve, env_read


def _aliases(imports: str) -> dict[str, str]:
    return import_aliases(ast.parse(imports))


def _cst_resolve(imports: str) -> Resolve:
    aliases = _aliases(imports)
    return lambda name: aliases.get(name.value, name.value)


@pytest.mark.parametrize(
    ("imports", "code", "form", "default"),
    [
        ("import os", 'os.getenv("X")', GETENV, None),
        ("import os", 'os.getenv("X", "d")', GETENV, '"d"'),
        ("import os", 'os.environ.get("X", None)', ENVIRON_GET, "None"),
        ("import os", 'os.environ["X"]', SUBSCRIPT, None),
        ("import os", 'os.environ.setdefault("X", "d")', SETDEFAULT, '"d"'),
        ("import os as _os", '_os.getenv("X")', GETENV, None),
        ("import os as _os", '_os.environ["X"]', SUBSCRIPT, None),
        ("from os import getenv", 'getenv("X")', GETENV, None),
        ("from os import getenv as ge", 'ge("X")', GETENV, None),
        ("from os import environ", 'environ.get("X")', ENVIRON_GET, None),
        ("from os import environ as env", 'env["X"]', SUBSCRIPT, None),
    ],
)
def test_every_spelling_is_a_read(imports: str, code: str, form: str, default: str | None) -> None:
    node = cst.parse_expression(code)
    read = env_read(node, _cst_resolve(imports))
    assert read is not None and read.var == "X" and read.form == form
    assert (cst.Module([]).code_for_node(read.default) if read.default else None) == default
    assert read.strict == (form == SUBSCRIPT)
    found = ast_env_read(ast.parse(code, mode="eval").body, qualifier(_aliases(imports)))
    assert found is not None and found.var == "X" and found.form == form


@pytest.mark.parametrize(
    ("imports", "code"),
    [
        ("import os", "os.getenv(name)"),  # which variable is unknown
        ("import os", 'os.environ[f"X{n}"]'),
        ("import os", 'os.path.join("X")'),
        ("import settings as os", 'os.getenv("X")'),  # not the os module
        ("", 'cfg.get("X")'),
        ("from other import getenv", 'getenv("X")'),
    ],
)
def test_other_code_is_not_a_read(imports: str, code: str) -> None:
    assert env_read(cst.parse_expression(code), _cst_resolve(imports)) is None
    tree = ast.parse(code, mode="eval").body
    assert ast_env_read(tree, qualifier(_aliases(imports))) is None


def test_setdefault_can_be_left_to_the_writers() -> None:
    node = cst.parse_expression('os.environ.setdefault("X", "d")')
    assert env_read(node, setdefault=False) is None


def test_variables_read_of_a_module() -> None:
    found = variables_read(
        "import os as _os\n"
        "from os import getenv\n"
        'KEY = _os.environ["KEY"]\n'
        'URL = getenv("URL", "http://x")\n'
        'MODEL = _os.environ.get("KEY")\n'
        '_os.environ["SET"] = "1"\n'
        "# os.getenv('COMMENT')\n"
    )
    assert found is not None
    assert found.required == {"KEY"} and found.optional == {"URL"}
    assert variables_read("def (:") is None
