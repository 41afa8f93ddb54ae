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
from migrator.codemods.native._common import (
    class_expression,
    fallback_clients,
    native_of,
    on_fallback,
)
from migrator.codemods.native.v0 import upgraded_natively
from migrator.codemods.policy.endpoints import call_retargeted, client_kept
from migrator.codemods.v0.facts import facts_of
from migrator.codemods.v0.tables import TOP_LEVEL_V0_EXCEPTIONS, V0_EXCEPTIONS

from migrator.mapping_native import OPENAI_EXCEPTIONS, Native
from migrator.rewrite import Plan
from migrator.walk import walk


def _module_of(native: Native) -> str:
    """Where the SDK's error classes live (the module of its mapped base class)."""
    for target in native.exceptions.values():
        if target.target:
            return target.target.rpartition(".")[0]
    return native.package


def fix_native_exceptions(plan: Plan) -> None:
    native = native_of(plan)
    found = _references(plan)
    if not found:
        return
    openai_clients = [
        site.node
        for site in plan.inventory.clients
        if site.node in fallback_clients(plan) or client_kept(plan, site)
    ]
    # v0 calls not moved onto the SDK's client (no --upgrade-v0, or a compat fallback)
    # still go through openai and raise its errors.
    openai_clients += [
        c.node for c in plan.inventory.calls if c.style == "v0" and not upgraded_natively(plan)
    ]
    # Calls through a client built elsewhere that is not shown to become the SDK's.
    openai_clients += [
        c.node
        for c in plan.inventory.calls
        if c.style == "v1" and (on_fallback(plan, c) or not call_retargeted(plan, c))
    ]
    if not plan.inventory.clients and not plan.inventory.calls:
        # The errors handled (or raised, in tests) here come from calls made elsewhere,
        # which may stay on openai: mapped blindly, a handler would stop catching them.
        plan.finding(
            "MIG142",
            f"{len(found)} reference(s) to openai exceptions left: this file makes no call, "
            "so the errors it handles come from calls elsewhere; where those moved to "
            f"{native.package}, catch its errors ({_module_of(native)}) too",
            node=found[0][0],
        )
        return
    if openai_clients:
        first = found[0][0]
        plan.finding(
            "MIG142",
            f"{len(found)} reference(s) to openai exceptions left: the client at line "
            f"{plan.line_of(openai_clients[0])} still uses the openai SDK; where a "
            f"handler also covers {native.package} calls, catch the SDK's errors too",
            node=first,
        )
        return
    # The SDK's classes are imported the way the file imported openai's: a file that wrote
    # `from openai import RateLimitError` gets `from dashscope.v2.errors import
    # RateLimitError` and bare names (also where it wrote `openai.X`, so one file does not
    # mix both), rather than a dotted path at every use.
    from_style = any(local is not None for _, _, local in found)
    taken = _names_in_use(plan) - {
        local for _, name, local in found if local is not None and _mapped(native, name)
    }
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
        new = _expression(plan, target.target, from_style, taken) or class_expression(
            plan, native, target.target
        )
        if local is not None:
            plan.remove_import_if_unused("openai", local)
            plan.remove_import_if_unused("openai", name)  # a v0 import the upgrade renamed
        else:
            plan.remove_import_if_unused("openai")
        plan.replace(node, lambda _n, new=new: new, "MIG140")
        plan.finding(
            "MIG140",
            f"openai.{name} became {target.target}: {native.package} raises its own errors",
            node=node,
        )


def _mapped(native: Native, name: str) -> bool:
    target = native.exceptions.get(name)
    return target is not None and target.target is not None


def _expression(plan: Plan, qualified: str, from_style: bool, taken: set[str]) -> cst.Name | None:
    """`RateLimitError`, imported from the SDK's module, when the file imports openai's
    exceptions by name and the SDK's name is free here; None: the SDK's usual form."""
    module, _, short = qualified.rpartition(".")
    if not from_style or short in taken:
        return None
    plan.add_import_in_place(module, short)
    return cst.Name(short)


def _names_in_use(plan: Plan) -> set[str]:
    names: set[str] = set()

    class Names(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            names.add(node.value)

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)  # `openai.RateLimitError` binds no bare name
            return False

    walk(plan.module, Names())
    return names


def _references(plan: Plan) -> list[tuple[cst.CSTNode, str, str | None]]:
    """(node, openai exception name, local name of a `from openai import` binding) of
    every reference outside imports, in source order."""
    names: dict[str, str] = {}  # local -> exception
    modules: set[str] = set()
    v0 = upgraded_natively(plan)
    for binding in plan.inventory.bindings:
        if isinstance(binding.node, cst.Import) and binding.qualified == "openai":
            modules.add(binding.local)
        elif isinstance(binding.node, cst.ImportFrom):
            module, _, short = binding.qualified.rpartition(".")
            if module == "openai" and short in OPENAI_EXCEPTIONS:
                names[binding.local] = short
            elif v0 and module == "openai.error" and short in V0_EXCEPTIONS:
                # `from openai.error import X`: the upgrade made it v1's, the SDK's here
                names[binding.local] = V0_EXCEPTIONS[short]
    finder = _Finder(names, modules)
    walk(plan.module, finder)
    if v0:
        # `openai.error.RateLimitError`: the upgrade's v1 name, then the SDK's class (the
        # two edits on the node compose)
        for node, qname in facts_of(plan).exception_refs:
            if isinstance(node, cst.Attribute):
                short = qname.rsplit(".", 1)[-1]
                v1 = TOP_LEVEL_V0_EXCEPTIONS.get(qname) or V0_EXCEPTIONS.get(short)
                if v1 is not None and v1 in OPENAI_EXCEPTIONS:
                    finder.found.append((node, v1, None))
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
        walk(node.value, self)
        return False  # `x.RateLimitError` on anything else is not the imported name

    def visit_Name(self, node: cst.Name) -> None:
        if node.value in self.names:
            self.found.append((node, self.names[node.value], node.value))
