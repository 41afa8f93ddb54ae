"""Point exception handling at the SDK's own errors.

No provider SDK raises openai's exceptions, so `except openai.RateLimitError:` would never
fire once the calls go through the SDK. Every reference to an openai exception class
(an `except` clause, `isinstance`, a `raise`) becomes the SDK's class the mapping names
(`native.exceptions`): `openai.RateLimitError` -> `dashscope.v2.errors.RateLimitError`,
`from openai import RateLimitError` -> `from zai.core import APIReachLimitError`. An
exception the SDK has no class for is left, marked, with the mapping's reason.

A file that still has a client on OpenAI's side (one compat leaves, or one the SDK cannot
take) keeps its handlers: they may catch that client's errors. The file is reported.

Rules:
  MIG140 exception class mapped to the SDK's (edit)
  MIG141 openai exception with no equivalent in the SDK: left, marked
  MIG142 exception handling left: an openai client of this file still raises openai's errors
"""

from __future__ import annotations

import libcst as cst
from migrator.codemods.native._common import class_expression, fallback_clients, native_of
from migrator.codemods.policy.endpoints import client_kept

from migrator.mapping_native import OPENAI_EXCEPTIONS
from migrator.rewrite import Plan


def fix_native_exceptions(plan: Plan) -> None:
    native = native_of(plan)
    found = _references(plan)
    if not found:
        return
    openai_clients = [
        site
        for site in plan.inventory.clients
        if site.node in fallback_clients(plan) or client_kept(plan, site)
    ]
    if openai_clients:
        first = found[0][0]
        plan.finding(
            "MIG142",
            f"{len(found)} reference(s) to openai exceptions left: the client at line "
            f"{plan.line_of(openai_clients[0].node)} still uses the openai SDK; where a "
            f"handler also covers {native.package} calls, catch the SDK's errors too",
            node=first,
        )
        return
    for node, name, local in found:
        target = native.exceptions.get(name)
        if target is None or target.target is None:
            reason = target.reason if target is not None else "the mapping names no equivalent"
            plan.mark(
                node,
                "MIG141",
                f"openai.{name} has no {native.package} equivalent: {reason}; this handler "
                "no longer fires",
                short=f"openai.{name}: no {native.package} equivalent",
            )
            continue
        new = class_expression(plan, native, target.target)
        if local is not None:
            plan.remove_import_if_unused("openai", local)
        else:
            plan.remove_import_if_unused("openai")
        plan.replace(node, lambda _n, new=new: new, "MIG140")
        plan.finding(
            "MIG140",
            f"openai.{name} became {target.target}: {native.package} raises its own errors",
            node=node,
        )


def _references(plan: Plan) -> list[tuple[cst.CSTNode, str, str | None]]:
    """(node, openai exception name, local name of a `from openai import` binding) of
    every reference outside imports, in source order."""
    names: dict[str, str] = {}  # local -> exception
    modules: set[str] = set()
    for binding in plan.inventory.bindings:
        if isinstance(binding.node, cst.Import) and binding.qualified == "openai":
            modules.add(binding.local)
        elif isinstance(binding.node, cst.ImportFrom):
            module, _, short = binding.qualified.rpartition(".")
            if module == "openai" and short in OPENAI_EXCEPTIONS:
                names[binding.local] = short
    finder = _Finder(names, modules)
    plan.module.visit(finder)
    return finder.found


class _Finder(cst.CSTVisitor):
    def __init__(self, names: dict[str, str], modules: set[str]) -> None:
        super().__init__()
        self.names = names
        self.modules = modules
        self.found: list[tuple[cst.CSTNode, str, str | None]] = []

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if (
            isinstance(node.value, cst.Name)
            and node.value.value in self.modules
            and node.attr.value in OPENAI_EXCEPTIONS
        ):
            self.found.append((node, node.attr.value, None))
            return False
        node.value.visit(self)
        return False  # `x.RateLimitError` on anything else is not the imported name

    def visit_Name(self, node: cst.Name) -> None:
        if node.value in self.names:
            self.found.append((node, self.names[node.value], node.value))
