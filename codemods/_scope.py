"""Where new code goes, and which names it may use there.

Code a fixer adds (an env read, a module setting) runs in the scope of the place it
lands: `os` must be bound there to the os module (not shadowed by a parameter, not only
imported inside another function), and a setting on `openai` must come after the
statement that binds `openai`. Code that runs when the module is imported must not
raise where the original did not (see `runs_at_import`).
"""

from __future__ import annotations

import libcst as cst

from migrator.rewrite import Plan
from migrator.scopes import LocalScope, Scopes
from migrator.source import code_of


def _scopes(plan: Plan) -> Scopes:
    scopes = plan.inventory.scopes
    assert scopes is not None, "build_inventory sets the scopes"
    return scopes


def scope_at(plan: Plan, node: cst.CSTNode | None) -> LocalScope:
    """The scope code at `node` runs in (None: the module's top level)."""
    scopes = _scopes(plan)
    current = node
    while current is not None:
        scope = scopes.by_node.get(current)
        if scope is not None:
            return scope
        current = plan.parent_of(current)
    return scopes.module


def visible(plan: Plan, name: str, node: cst.CSTNode | None) -> list[cst.CSTNode]:
    """The nodes binding `name` that code at `node` sees (None: the top level)."""
    return _scopes(plan).visible(name, scope_at(plan, node), node)


def runs_at_import(plan: Plan, node: cst.CSTNode | None) -> bool:
    """Does code at `node` run when the module is imported? Module level and class
    bodies do (a default argument or a decorator too); function bodies do not, nor
    does the `if __name__ == "__main__":` block of a script (it runs only as a program)."""
    scope: LocalScope | None = scope_at(plan, node)
    while scope is not None:
        if scope.kind == "function":
            return False
        scope = scope.parent
    current = node
    while current is not None:
        if isinstance(current, cst.If) and _is_main_guard(current.test):
            return False
        current = plan.parent_of(current)
    return True


def _is_main_guard(test: cst.BaseExpression) -> bool:
    code = "".join(code_of(test).split()).replace("'", '"')
    return code in ('__name__=="__main__"', '"__main__"==__name__')


def imported_module(plan: Plan, binding: cst.CSTNode) -> str | None:
    """The module a binding node stands for, when it is an `import x [as y]` alias
    (`import os.path` binds `os` to the os module)."""
    if not isinstance(binding, cst.ImportAlias):
        return None
    if not isinstance(plan.parent_of(binding), cst.Import):
        return None
    name = code_of(binding.name)
    return name if binding.asname is not None else name.split(".")[0]


def imports_from(plan: Plan, binding: cst.CSTNode, module: str) -> bool:
    """Is `binding` the plain `from module import name` (no `as`) alias of a name?"""
    parent = plan.parent_of(binding)
    return (
        isinstance(binding, cst.ImportAlias)
        and binding.asname is None
        and isinstance(parent, cst.ImportFrom)
        and parent.module is not None
        and code_of(parent.module) == module
    )


def module_alias(plan: Plan, module: str, node: cst.CSTNode | None) -> str | None:
    """A name that stands for `module` (imported as a whole) at `node`: the module's own
    name when that is what binds it there, else a top-level `import module as alias`."""
    bound = visible(plan, module, node)
    if bound and all(imported_module(plan, b) == module for b in bound):
        return module
    top = _scopes(plan).module
    for name, nodes in top.names.items():
        if name == module or not all(imported_module(plan, b) == module for b in nodes):
            continue
        if visible(plan, name, node) == nodes:  # not shadowed where the code goes
            return name
    return None


def is_bound(plan: Plan, name: str) -> bool:
    """Does any scope of the module bind `name`?"""
    scopes = _scopes(plan)
    return any(name in scope.names for scope in [scopes.module, *scopes.by_node.values()])


def imported_name(plan: Plan, name: cst.Name) -> str:
    """What `name` stands for where it is read, as `env_reads.Resolve` wants it: the
    qualified name its import gives it (`import os as _os`: "os"; `from os import
    getenv`: "os.getenv"), else the name itself (unbound, or bound by a parameter or an
    assignment: read by its name, as the inventory reads it)."""
    found: set[str] = set()
    for binding in visible(plan, name.value, name):
        module = imported_module(plan, binding)
        if module is None and isinstance(binding, cst.ImportAlias):
            parent = plan.parent_of(binding)
            if (
                isinstance(parent, cst.ImportFrom)
                and parent.module is not None
                and not parent.relative
            ):
                module = f"{code_of(parent.module)}.{code_of(binding.name)}"
        found.add(module or name.value)
    return found.pop() if len(found) == 1 else name.value


def assigned_alone(
    plan: Plan, value: cst.CSTNode
) -> tuple[cst.SimpleStatementLine, cst.BaseAssignTargetExpression] | None:
    """(statement, target) for `target = <value>` / `target: T = <value>` written as a
    statement of its own (one target, nothing else on the line); None otherwise."""
    statement = plan.statement_of(value)
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1 and small.value is value:
        return statement, small.targets[0].target
    if isinstance(small, cst.AnnAssign) and small.value is value:
        return statement, small.target
    return None
