"""One metadata pass for what the inventory does not keep, shared by the v0 fixers."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import ParentNodeProvider, QualifiedNameProvider, QualifiedNameSource
from migrator.codemods.v0.tables import EXCEPTION_ATTRS, TOP_LEVEL_V0_EXCEPTIONS, V1_CALLS

from migrator.inventory import V0_RESOURCES
from migrator.rewrite import Plan
from migrator.source import dotted_name


def facts_of(plan: Plan) -> Facts:
    """The module's facts, computed by the first v0 fixer that asks."""
    facts = plan.analyses.get("v0.facts")
    if facts is None:
        facts = Facts({c.node for c in plan.inventory.calls if c.style == "v0"})
        plan.wrapper.visit(facts)
        plan.analyses["v0.facts"] = facts
    return facts


def alias_name(alias: cst.ImportAlias) -> str | None:
    """The name an import alias binds under `as`, if any."""
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return None


class Facts(cst.CSTVisitor):
    """Names in use, v0 exception references, v0 call targets, `load_dotenv()` lines."""

    METADATA_DEPENDENCIES = (QualifiedNameProvider, ParentNodeProvider)

    def __init__(self, calls: set[cst.Call]) -> None:
        super().__init__()
        self.calls = calls
        self.call_targets: dict[cst.Call, tuple[str, str]] = {}  # -> (resource, method)
        self.names: set[str] = set()
        self.exception_refs: list[tuple[cst.Name | cst.Attribute, str]] = []  # (node, qname)
        self.exception_attrs: list[cst.Attribute] = []  # e.http_status in v0 handlers
        self.bare_refs: list[cst.Attribute] = []
        self.dotenv: list[cst.SimpleStatementLine] = []
        self._handlers: list[str | None] = []
        self._import_depth = 0

    def _qnames(self, node: cst.CSTNode) -> list[str]:
        return sorted(
            q.name
            for q in self.get_metadata(QualifiedNameProvider, node, set())
            if q.source == QualifiedNameSource.IMPORT
        )

    def _v0_exception(self, node: cst.CSTNode) -> str | None:
        for name in self._qnames(node):
            parts = name.split(".")
            if len(parts) == 3 and parts[:2] == ["openai", "error"]:
                return name
            if name in TOP_LEVEL_V0_EXCEPTIONS:
                return name
        return None

    def visit_Import(self, node: cst.Import) -> None:
        self._import_depth += 1

    def leave_Import(self, original_node: cst.Import) -> None:
        self._import_depth -= 1

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._import_depth += 1

    def leave_ImportFrom(self, original_node: cst.ImportFrom) -> None:
        self._import_depth -= 1

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        first = node.body[0]
        if (
            isinstance(self.get_metadata(ParentNodeProvider, node, None), cst.Module)
            and isinstance(first, cst.Expr)
            and isinstance(first.value, cst.Call)
            and (dotted_name(first.value.func) or "").split(".")[-1] == "load_dotenv"
        ):
            self.dotenv.append(node)

    def visit_Call(self, node: cst.Call) -> None:
        if node not in self.calls:
            return
        for name in self._qnames(node.func):
            parts = name.split(".")
            if len(parts) >= 3 and parts[0] == "openai" and parts[1] in V0_RESOURCES:
                self.call_targets[node] = (parts[1], parts[2])
                return

    def visit_Name(self, node: cst.Name) -> None:
        parent = self.get_metadata(ParentNodeProvider, node, None)
        if isinstance(parent, cst.Attribute) and parent.attr is node:
            return
        if isinstance(parent, cst.Arg) and parent.keyword is node:
            return
        self.names.add(node.value)
        if not self._import_depth:
            self._exception_ref(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self._import_depth:
            return
        self._exception_ref(node)
        if (
            self._handlers
            and self._handlers[-1] is not None
            and isinstance(node.value, cst.Name)
            and node.value.value == self._handlers[-1]
            and node.attr.value in EXCEPTION_ATTRS
        ):
            self.exception_attrs.append(node)
        parent = self.get_metadata(ParentNodeProvider, node, None)
        if isinstance(parent, cst.Call) and parent.func is node:
            return
        if isinstance(parent, cst.Attribute) and parent.value is node:
            return
        for name in self._qnames(node):
            parts = name.split(".")
            if len(parts) == 3 and parts[0] == "openai" and parts[1] in V0_RESOURCES:
                method = parts[2][1:] if parts[2].startswith("a") else parts[2]
                if (parts[1], method) in V1_CALLS or (parts[1], parts[2]) in V1_CALLS:
                    self.bare_refs.append(node)
                return

    def _exception_ref(self, node: cst.Name | cst.Attribute) -> None:
        name = self._v0_exception(node)
        if name is not None:
            self.exception_refs.append((node, name))

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        name: str | None = None
        if node.name is not None and isinstance(node.name.name, cst.Name) and node.type:
            types = (
                [e.value for e in node.type.elements]
                if isinstance(node.type, cst.Tuple)
                else [node.type]
            )
            if any(self._v0_exception(t) for t in types):
                name = node.name.name.value
        self._handlers.append(name)

    def leave_ExceptHandler(self, original_node: cst.ExceptHandler) -> None:
        self._handlers.pop()
