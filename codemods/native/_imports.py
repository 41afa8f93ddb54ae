"""Where a module uses what it imports from another module of the project, by qualified name.

`from app.llm import ask` then `ask(q)`; `import app.llm as llm` then `llm.ask(q)`;
`from app import llm` then `llm.client.chat...`: each use is the node that reads the
qualified name (`app.llm.ask`, `app.llm.client`). The native fixers use it to find the
calls another file's worker told this one about (cross_module.py). Names are resolved
with the inventory's scopes, so a local that shadows the import is not taken for it.
"""

from __future__ import annotations

import libcst as cst

from migrator.constants import absolute_module
from migrator.response_flow import references_to
from migrator.rewrite import Plan
from migrator.scopes import dotted_path

_KEY = "native.imported-uses"
_BY_NODE = "native.imported-uses.by-node"


def imported_uses(plan: Plan) -> dict[str, list[cst.BaseExpression]]:
    """Qualified name -> the expressions reading it (a Name, or an Attribute chain over an
    imported module), in source order. Computed once per plan."""
    found: dict[str, list[cst.BaseExpression]] | None = plan.analyses.get(_KEY)
    if found is not None:
        return found
    found = {}
    scopes = plan.inventory.scopes
    assert scopes is not None
    for scope in (scopes.module, *scopes.by_node.values()):
        for local, binders in scope.names.items():
            if len(binders) != 1 or not isinstance(binders[0], cst.ImportAlias):
                continue
            base = _imported(plan, binders[0])
            refs = references_to(plan.inventory, binders[0], local, plan.analyses) if base else None
            for ref in refs or ():
                node: cst.BaseExpression = ref
                qualified = base
                found.setdefault(qualified, []).append(node)
                while isinstance(parent := plan.parent_of(node), cst.Attribute) and (
                    parent.value is node
                ):
                    node, qualified = parent, f"{qualified}.{parent.attr.value}"
                    found.setdefault(qualified, []).append(node)
    plan.analyses[_KEY] = found
    return found


def qualified_of(plan: Plan, node: cst.CSTNode) -> str | None:
    """The qualified name `node` reads when it is one of `imported_uses`, else None."""
    by_node: dict[cst.CSTNode, str] | None = plan.analyses.get(_BY_NODE)
    if by_node is None:
        by_node = {n: q for q, nodes in imported_uses(plan).items() for n in nodes}
        plan.analyses[_BY_NODE] = by_node
    return by_node.get(node)


def _imported(plan: Plan, alias: cst.ImportAlias) -> str | None:
    """What an import alias binds its local name to: `app.llm.ask` for `from app.llm
    import ask`, `app.llm` for `import app.llm as llm`, `app` for `import app.llm`."""
    statement = plan.parent_of(alias)
    name = dotted_path(alias.name)
    if name is None:
        return None
    if isinstance(statement, cst.ImportFrom):
        module = dotted_path(statement.module) if statement.module is not None else ""
        relative = "." * len(statement.relative)
        base = absolute_module(plan.path, relative + (module or ""))
        return f"{base}.{name}" if base else name
    if isinstance(statement, cst.Import):
        return name if alias.asname is not None else name.split(".")[0]
    return None
