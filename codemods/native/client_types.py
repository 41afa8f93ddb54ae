"""Annotations and isinstance checks naming openai's client classes, once the clients of the
file are the SDK's: `def tell(client: OpenAI)` -> `def tell(client: dashscope.Client)`.

Left alone they keep `from openai import OpenAI` (and so the openai package, which the
native dependencies remove) only to name a class no value of the file has any more. Done
only when every client the file builds moved to the SDK: with one left on the openai SDK
(compat's decision, or one the SDK cannot take) a name may describe that one, and Azure
names are retyped as compat does (client_endpoint.retype_azure_references).
"""

from __future__ import annotations

import libcst as cst
from migrator.codemods.native._common import class_expression, fallback_clients
from migrator.codemods.policy.endpoints import client_kept

from migrator.mapping_native import Native
from migrator.rewrite import Plan
from migrator.sdk_catalogue import CLIENT_CLASSES


def retype_client_references(plan: Plan, native: Native) -> bool:
    """Retype the openai client classes the file names; False where it must not (a client
    stays on the openai SDK, or none was built here)."""
    sites = plan.inventory.clients
    fallback = fallback_clients(plan)
    if not sites or any(s.node in fallback or client_kept(plan, s) for s in sites):
        return False
    bindings = plan.inventory.bindings
    classes = {  # local name -> is_async
        b.local: CLIENT_CLASSES[b.qualified][1]
        for b in bindings
        if isinstance(b.node, cst.ImportFrom) and b.qualified in CLIENT_CLASSES
    }
    modules = {
        b.local for b in bindings if isinstance(b.node, cst.Import) and b.imported == "openai"
    }
    finder = _References(classes, modules, {id(site.node.func) for site in sites})
    plan.module.visit(finder)
    for node, is_async in finder.found:
        cls = native.class_name(is_async)
        if cls is None:
            continue  # AsyncOpenAI with no asyncio client in the SDK: no client of it here
        new = class_expression(plan, native, cls)
        if isinstance(node, cst.Name):
            plan.remove_import_if_unused("openai", node.value)
        else:
            plan.remove_import_if_unused("openai")
        plan.replace(node, lambda _n, new=new: new, "MIG130")
    return True


class _References(cst.CSTVisitor):
    """`OpenAI` / `openai.AsyncOpenAI` outside imports and the client constructors."""

    def __init__(self, classes: dict[str, bool], modules: set[str], skip: set[int]) -> None:
        super().__init__()
        self.classes = classes
        self.modules = modules
        self.skip = skip
        self.found: list[tuple[cst.Name | cst.Attribute, bool]] = []

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if id(node) in self.skip:
            return False
        known = CLIENT_CLASSES.get(f"openai.{node.attr.value}")
        if isinstance(node.value, cst.Name) and node.value.value in self.modules and known:
            self.found.append((node, known[1]))
            return False
        node.value.visit(self)
        return False  # `x.OpenAI` on anything else is not the class

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) not in self.skip and node.value in self.classes:
            self.found.append((node, self.classes[node.value]))
