"""Where a file names openai classes outside its imports: annotations, isinstance checks,
base classes. Fixers that change what a file's clients are (Azure to plain, openai to a
provider SDK) retype these names so the old import can go.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Generic, TypeVar

import libcst as cst
from migrator.codemods._scope import visible

from migrator.rewrite import Plan
from migrator.walk import walk

T = TypeVar("T")


def class_references(
    plan: Plan,
    table: Mapping[str, T],
    skip: Iterable[cst.CSTNode],
    *,
    aliased: bool = True,
) -> list[tuple[cst.Name | cst.Attribute, T]]:
    """Each name of a class in `table` (keyed by qualified name, `openai.OpenAI`) outside
    imports and the `skip` nodes, with its table value: bare names bound by `from openai
    import ...` (`aliased=False`: not `import ... as Y`) and `openai.X` through a module
    binding of openai."""
    bindings = plan.inventory.bindings
    classes = {
        b.local: table[b.qualified]
        for b in bindings
        if isinstance(b.node, cst.ImportFrom)
        and b.qualified in table
        and (aliased or not b.aliased)
    }
    modules = {
        b.local for b in bindings if isinstance(b.node, cst.Import) and b.imported == "openai"
    }
    finder = _References(table, classes, modules, {id(node) for node in skip})
    walk(plan.module, finder)
    return [(node, value) for node, value in finder.found if _names_the_import(plan, node)]


def _names_the_import(plan: Plan, node: cst.Name | cst.Attribute) -> bool:
    """Does the name (or `openai` in `openai.X`) mean the import where it stands? Not where
    a class, function, parameter or assignment of the same name is what the code sees
    (`class OpenAI:` in a function, and the calls of that class)."""
    name = node if isinstance(node, cst.Name) else node.value
    assert isinstance(name, cst.Name)
    seen = visible(plan, name.value, node)
    return bool(seen) and all(
        isinstance(b, (cst.Import, cst.ImportFrom, cst.ImportAlias)) for b in seen
    )


class _References(cst.CSTVisitor, Generic[T]):
    def __init__(
        self, table: Mapping[str, T], classes: dict[str, T], modules: set[str], skip: set[int]
    ) -> None:
        super().__init__()
        self.table = table
        self.classes = classes
        self.modules = modules
        self.skip = skip
        self.found: list[tuple[cst.Name | cst.Attribute, T]] = []

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if id(node) in self.skip:
            return False
        qualified = f"openai.{node.attr.value}"
        if (
            isinstance(node.value, cst.Name)
            and node.value.value in self.modules
            and qualified in self.table
        ):
            self.found.append((node, self.table[qualified]))
            return False
        walk(node.value, self)
        return False  # `x.OpenAI` on anything else is not the class

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) not in self.skip and node.value in self.classes:
            self.found.append((node, self.classes[node.value]))
