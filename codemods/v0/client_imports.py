"""The `openai` import a v0 module's new client needs: where the module imports openai
(at the top level, or only inside functions and blocks), whether a `from openai import`
line can take the client classes, and turning an `import openai` only the upgraded code
used into `from openai import OpenAI` in place (client.py decides; these look and edit).
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import ScopeProvider
from migrator.codemods.v0.facts import alias_name
from migrator.codemods.v0.tables import RULE

from migrator.import_edits import insertion_index
from migrator.inventory import V0_RESOURCES
from migrator.rewrite import Plan
from migrator.source import dotted_name


def inner_imports(plan: Plan) -> list[tuple[str, cst.CSTNode]]:
    """(local name, statement) of each `import openai [as x]` that is not at the top
    level or not unconditional there (in a function, under `try:` or `if`)."""
    found: list[tuple[str, cst.CSTNode]] = []
    for binding in plan.inventory.bindings:
        statement = plan.statement_of(binding.node)
        if (
            isinstance(binding.node, cst.Import)
            and binding.imported == "openai"
            and not isinstance(plan.parent_of(statement), cst.Module)
            and all(statement is not s for _, s in found)
        ):
            found.append((binding.local, statement))
    return found


def remove_v0_names(plan: Plan) -> None:
    """Drop the v0 resource names (`from openai import ChatCompletion`) nothing uses now."""
    for node in plan.inventory.import_nodes:
        if (
            isinstance(node, cst.ImportFrom)
            and node.module is not None
            and dotted_name(node.module) == "openai"
            and not isinstance(node.names, cst.ImportStar)
        ):
            for alias in node.names:
                name = dotted_name(alias.name) or ""
                if name in V0_RESOURCES:
                    plan.remove_import_if_unused("openai", name)


def has_from_openai_import(plan: Plan) -> bool:
    """A top-level `from openai import ...` (after the rewrite) that new names can join."""
    for node in plan.inventory.import_nodes:
        if (
            isinstance(node, cst.ImportFrom)
            and node.module is not None
            and not isinstance(node.names, cst.ImportStar)
            and isinstance(plan.parent_of(plan.statement_of(node)), cst.Module)
            and (
                dotted_name(node.module) == "openai"
                or (dotted_name(node.module) == "openai.error" and node in plan.edits)
            )
        ):
            return True
    return False


def module_binding(plan: Plan, above: int | None = None) -> str | None:
    """The name a top-level `import openai [as x]` (or `import openai.error`) binds (one
    above line `above`, where the client is built, when given)."""
    for binding in plan.inventory.bindings:
        statement = plan.statement_of(binding.node)
        if (
            isinstance(binding.node, cst.Import)
            and binding.imported in ("openai", "openai.error")
            and isinstance(plan.parent_of(statement), cst.Module)
            and (above is None or plan.line_of(statement) < above)
        ):
            return binding.local
    return None


def late_openai_import(plan: Plan) -> cst.CSTNode | None:
    """The top-level `import openai` statement, when it sits below where new
    statements go after the imports (the client built there would need it)."""
    body = list(plan.module.body)
    top = body[: insertion_index(plan.module)]
    for node in plan.inventory.import_nodes:
        statement = plan.statement_of(node)
        if not isinstance(node, cst.Import) or not isinstance(
            plan.parent_of(statement), cst.Module
        ):
            continue
        if any(dotted_name(a.name) == "openai" for a in node.names):
            return None if any(s is statement for s in top) else statement
    return None


def imports_below(plan: Plan, statement: cst.CSTNode) -> bool:
    body = list(plan.module.body)
    index = next(i for i, s in enumerate(body) if s is statement)
    return any(
        isinstance(s, cst.SimpleStatementLine)
        and any(isinstance(small, (cst.Import, cst.ImportFrom)) for small in s.body)
        for s in body[index + 1 :]
    )


def drop_module_import(
    plan: Plan,
    upgraded_funcs: list[cst.BaseExpression],
    removed: list[cst.AssignTarget],
    classes: list[str],
) -> bool:
    """`import openai [as x]`, when only upgraded calls and folded settings used it,
    becomes `from openai import <classes>` in place; False when there is none."""
    consumed: set[cst.CSTNode] = {*upgraded_funcs, *removed}
    # The client replaces the last folded setting: the classes must be imported above it.
    client_line = max((plan.line_of(t) for t in removed), default=None)
    scopes = plan.wrapper.resolve(ScopeProvider)
    for node in plan.inventory.import_nodes:
        if not isinstance(node, cst.Import) or node in plan.edits:
            continue
        statement = plan.statement_of(node)
        if not isinstance(plan.parent_of(statement), cst.Module):
            continue  # the client is built at the top level: the import must be there
        if list(plan.module.body).index(statement) >= insertion_index(plan.module) or (
            client_line is not None and plan.line_of(statement) > client_line
        ):
            continue  # below code: it would bind the class after the client is built
        for alias in node.names:
            if dotted_name(alias.name) != "openai":
                continue
            binding = alias_name(alias) or "openai"
            scope = scopes.get(node)
            if scope is None:
                continue
            assignments = scope.assignments[binding]
            if any(not isinstance(a.node, cst.Import) or a.node in plan.edits for a in assignments):
                continue  # bound by something else as well: leave it
            accesses = [r.node for a in assignments for r in a.references]
            if all(_inside(plan, n, consumed) for n in accesses):
                return plan.replace(node, lambda n, b=binding: _without_alias(n, b, classes), RULE)
    return False


def _inside(plan: Plan, node: cst.CSTNode, ancestors: set[cst.CSTNode]) -> bool:
    current: cst.CSTNode | None = node
    while current is not None:
        if current in ancestors:
            return True
        if isinstance(current, (cst.BaseStatement, cst.BaseSmallStatement)):
            return False
        current = plan.parent_of(current)
    return False


def _without_alias(
    node: cst.Import, binding: str, classes: list[str]
) -> cst.Import | cst.ImportFrom:
    """`node` without the `openai` alias; alone, it becomes `from openai import <classes>`
    (in its place, so the import block keeps its layout)."""
    aliases = [
        a
        for a in node.names
        if not (dotted_name(a.name) == "openai" and (alias_name(a) or "openai") == binding)
    ]
    if not aliases:
        return cst.ImportFrom(
            module=cst.Name("openai"),
            names=[
                cst.ImportAlias(
                    name=cst.Name(name),
                    comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                    if i < len(classes) - 1
                    else cst.MaybeSentinel.DEFAULT,
                )
                for i, name in enumerate(sorted(classes))
            ],
        )
    aliases[-1] = aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return node.with_changes(names=aliases)
