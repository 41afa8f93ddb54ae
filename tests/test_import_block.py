"""`import_block.append_imports` against the libcst visitor it stands in for.

The rewrite used to append imports with libcst's AddImportsVisitor; `append_imports` must
give the same module, byte for byte, so that no output moved when it took over. Each case
runs both on the same module and the same items: hand-written shapes for every rule the
visitor follows, then every fixture and source file of this project with sets of imports
a rewrite asks for.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import libcst as cst
import pytest
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor
from libcst.codemod.visitors import ImportItem as LibcstImportItem

from migrator.import_block import append_imports
from migrator.import_place import ImportItem

ROOT = Path(__file__).resolve().parent.parent

# What fixers ask for when `import_edits` cannot place an import itself, and neighbours
# that exercise the visitor's rules (existing modules, aliases, __future__).
ITEM_SETS: list[list[ImportItem]] = [
    [ImportItem("dashscope")],
    [ImportItem("litellm"), ImportItem("dashscope")],
    [ImportItem("openai", "OpenAI")],
    [ImportItem("openai", "OpenAI"), ImportItem("openai", "AsyncOpenAI")],
    [ImportItem("zai", "ZhipuAiClient"), ImportItem("os")],
    [ImportItem("langchain_openai", "ChatOpenAI"), ImportItem("openai", "OpenAI")],
    [ImportItem("numpy", alias="np"), ImportItem("pandas", alias="pd")],
    [ImportItem("openai", "OpenAI", "Client"), ImportItem("openai", "AsyncOpenAI")],
    [ImportItem("typing", "Any"), ImportItem("os", "environ", "env")],
    [ImportItem("__future__", "annotations"), ImportItem("dashscope")],
    [ImportItem("os"), ImportItem("openai")],
    [ImportItem("a.b", "c"), ImportItem("a.b"), ImportItem("a.b", alias="ab")],
]

CASES: dict[str, str] = {
    "empty": "",
    "only code": "x = 1\n",
    "docstring": '"""Doc."""\nimport os\n\nx = 1\n',
    "docstring alone": '"""Doc."""\n',
    "concatenated docstring": '"a" "b"\nimport os\n',
    "strict flag": "__strict__ = True\nimport os\nx = 1\n",
    "two strict targets": "__strict__ = y = True\nimport os\n",
    "future": "from __future__ import annotations\nimport os\n\nx = 1\n",
    "existing from": "from openai import AzureOpenAI\nimport os\nx = 1\n",
    "existing from parenthesised": "from openai import (\n    AzureOpenAI,\n)\nx = 1\n",
    "existing from aliased": "from openai import OpenAI as Client\nfrom typing import Any\n",
    "two froms": "from openai import A\nfrom openai import B\n\nx = 1\n",
    "star": "from openai import *\nfrom zai import *\nx = 1\n",
    "star after names": "from openai import A\nfrom openai import *\n",
    "relative": "from . import openai\nfrom .openai import OpenAI\nx = 1\n",
    "plain present": "import dashscope\nimport litellm as ll\nimport numpy as np\n",
    "alias differs": "import numpy as npy\nx = 1\n",
    "dotted": "import a.b\nfrom a.b import c as d\n",
    "comment below": "import os\n# a comment\nx = 1\n",
    "blank below": "import os\n\n# a comment\nx = 1\n",
    "two on a line": "import os; import sys\nx = 1\n",
    "guarded import": "try:\n    import openai\nexcept ImportError:\n    openai = None\n",
    "import after code": "x = 1\nimport openai\nfrom openai import OpenAI\n",
    "import in function": "import os\ndef f():\n    from openai import OpenAI\n",
    "crlf": "import os\r\nfrom openai import A\r\nx = 1\r\n",
    "tabs": "import os\nif True:\n\tx = 1\n",
    "spaced module": "from openai . types import X\nx = 1\n",
}


def _head(module: cst.Module) -> cst.Module:
    """The module's top-level simple lines up to its first compound statement, which
    becomes a `pass` with the same lines above it. Both sides decide on these; the rest
    only costs the visitor time (it rebuilds all of it)."""
    body: list[cst.BaseStatement] = []
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            body.append(stmt)
            continue
        body.append(cst.SimpleStatementLine([cst.Pass()], leading_lines=stmt.leading_lines))
        break
    return module.with_changes(body=body)


def _libcst(module: cst.Module, items: list[ImportItem]) -> str:
    wanted = [LibcstImportItem(i.module, i.obj_name, i.alias) for i in items]
    return AddImportsVisitor(CodemodContext(), wanted).transform_module(module).code


def _ours(module: cst.Module, items: list[ImportItem]) -> str:
    return append_imports(module, items).code


@pytest.mark.parametrize(("name", "items"), list(itertools.product(CASES, range(len(ITEM_SETS)))))
def test_same_as_add_imports_visitor(name: str, items: int) -> None:
    module = cst.parse_module(CASES[name])
    assert _ours(module, ITEM_SETS[items]) == _libcst(module, ITEM_SETS[items])


@pytest.mark.parametrize("part", ["fixtures", "src", "codemods"])
def test_same_over_project_files(part: str) -> None:
    """Each file with one of the item sets in turn (the visitor costs 30 ms a call to
    build, so not every set with every file)."""
    compared = 0
    for index, path in enumerate(sorted((ROOT / part).rglob("*.py"))):
        try:
            module = cst.parse_module(path.read_bytes())
        except (cst.ParserSyntaxError, UnicodeDecodeError):
            continue  # fixtures of input the tool refuses
        items = ITEM_SETS[index % len(ITEM_SETS)]
        module = _head(module)
        assert _ours(module, items) == _libcst(module, items), (path, items)
        compared += 1
    assert compared > 20


def test_nothing_wanted_keeps_the_module() -> None:
    module = cst.parse_module("import os\nx = 1\n")
    assert append_imports(module, []) is module
    assert append_imports(module, [ImportItem("os")]) is module


def test_future_import_needs_a_name() -> None:
    module = cst.parse_module("x = 1\n")
    with pytest.raises(ValueError, match="__future__"):
        append_imports(module, [ImportItem("__future__")])
