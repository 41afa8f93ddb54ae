"""v0 exceptions: `openai.error.X` -> `openai.<v1 name>`, imports and `e.http_status`."""

from __future__ import annotations

import libcst as cst
from migrator.codemods.v0.facts import Facts, facts_of
from migrator.codemods.v0.tables import (
    EXCEPTION_ATTRS,
    RULE,
    TOP_LEVEL_V0_EXCEPTIONS,
    V0_EXCEPTIONS,
    has_v0_code,
)

from migrator.rewrite import Plan
from migrator.source import dotted_name


def fix_v0_exceptions(plan: Plan) -> None:
    if plan.options.upgrade_v0:
        rename_v0_exceptions(plan)


def rename_v0_exceptions(plan: Plan) -> None:
    """`openai.error.X` -> the v1 name, whatever else is upgraded (the litellm strategy
    renames them without --upgrade-v0: openai<1's names do not exist beside LiteLLM)."""
    if has_v0_code(plan):
        _fix_exceptions(plan, facts_of(plan))


def _fix_exceptions(plan: Plan, facts: Facts) -> None:
    renamed_imports = _fix_exception_imports(plan, facts)
    by_name_modules = _error_module_bound_by_name(plan)
    for node, qname in facts.exception_refs:
        short = qname.rsplit(".", 1)[-1]
        new = TOP_LEVEL_V0_EXCEPTIONS.get(qname) or V0_EXCEPTIONS.get(short)
        if new is None:
            plan.mark(
                node,
                "MIG414",
                f"{qname} has no v1 equivalent: catch openai.APIError or a specific v1 error",
                short=f"{qname} has no v1 equivalent",
            )
            continue
        if isinstance(node, cst.Name):
            if node.value in renamed_imports:
                plan.replace(
                    node, lambda n, v=renamed_imports[node.value]: n.with_changes(value=v), RULE
                )
            continue
        base = node.value
        if isinstance(base, cst.Name) and base.value in by_name_modules:
            plan.mark(
                node,
                "MIG414",
                f"`{base.value}` is the v0 openai.error module imported by name: import openai "
                f"and use openai.{new}",
                short=f"openai.error is gone in v1: use openai.{new}",
            )
            continue
        strip = isinstance(base, cst.Attribute) and base.attr.value == "error"
        plan.replace(node, lambda n, s=strip, v=new: _renamed_exception(n, s, v), RULE)
    for node in facts.exception_attrs:
        new_attr = EXCEPTION_ATTRS[node.attr.value]
        plan.replace(node, lambda n, a=new_attr: n.with_changes(attr=cst.Name(a)), RULE)


def _renamed_exception(node: cst.Attribute, strip_error: bool, new: str) -> cst.Attribute:
    value = node.value
    if strip_error and isinstance(value, cst.Attribute):
        value = value.value
    return node.with_changes(value=value, attr=cst.Name(new))


def _error_module_bound_by_name(plan: Plan) -> set[str]:
    """Local names bound by `from openai import error [as x]`."""
    return {
        b.local
        for b in plan.inventory.bindings
        if isinstance(b.node, cst.ImportFrom) and b.qualified == "openai.error"
    }


def _fix_exception_imports(plan: Plan, facts: Facts) -> dict[str, str]:
    """Rewrite imports of v0 exceptions; returns local name -> new name for references."""
    renamed: dict[str, str] = {}
    for node in plan.inventory.import_nodes:
        if isinstance(node, cst.Import):
            _fix_import_error_module(plan, node, _openai_imported_before(plan, node))
        elif node.module is not None and not isinstance(node.names, cst.ImportStar):
            module = dotted_name(node.module)
            if module == "openai.error":
                renamed.update(_fix_from_error(plan, node, facts))
            elif module == "openai":
                renamed.update(_fix_from_openai(plan, node, facts))
        elif node.module is not None and dotted_name(node.module) == "openai.error":
            plan.mark(
                node,
                "MIG414",
                "from openai.error import *: v0 only; import the v1 errors from openai",
            )
    return renamed


def _is_plain_openai_import(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and any(
        isinstance(small, cst.Import)
        and any(dotted_name(a.name) == "openai" and a.asname is None for a in small.names)
        for small in statement.body
    )


def _openai_imported_before(plan: Plan, node: cst.Import) -> bool:
    """Whether a plain `import openai` above `node`, in the same block, already binds what
    `import openai.error` binds (one in a function, under `try:` or below does not: the
    module-level name would go with the dropped import)."""
    statement = plan.statement_of(node)
    block = plan.parent_of(statement)
    body = getattr(block, "body", ())
    for sibling in body if isinstance(body, (list, tuple)) else ():
        if sibling is statement:
            return False
        if _is_plain_openai_import(sibling):
            return True
    return False


def _fix_import_error_module(plan: Plan, node: cst.Import, has_plain_openai: bool) -> None:
    """`import openai.error [as oe]` -> `import openai [as oe]` (dropped when redundant)."""
    if not any(dotted_name(a.name) == "openai.error" for a in node.names):
        return
    drop_plain = has_plain_openai

    def edit(n: cst.Import) -> cst.Import | cst.RemovalSentinel:
        aliases: list[cst.ImportAlias] = []
        seen_plain = False
        for alias in n.names:
            if dotted_name(alias.name) == "openai.error":
                if alias.asname is None and drop_plain:
                    continue
                alias = alias.with_changes(name=cst.Name("openai"))
            if dotted_name(alias.name) == "openai" and alias.asname is None:
                if seen_plain:
                    continue
                seen_plain = True
            aliases.append(alias)
        if not aliases:
            return cst.RemoveFromParent()
        aliases[-1] = aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return n.with_changes(names=aliases)

    plan.replace(node, edit, RULE)


def _fix_from_error(plan: Plan, node: cst.ImportFrom, facts: Facts) -> dict[str, str]:
    assert not isinstance(node.names, cst.ImportStar)
    unknown = [dotted_name(a.name) for a in node.names if dotted_name(a.name) not in V0_EXCEPTIONS]
    if unknown:
        plan.mark(
            node,
            "MIG414",
            f"openai.error {', '.join(str(u) for u in unknown)} has no v1 equivalent: this "
            "import fails with openai>=1; import the v1 errors from openai",
            short=f"{', '.join(str(u) for u in unknown)}: no v1 equivalent",
        )
        return {}
    renamed = _alias_renames(node, facts)

    def edit(n: cst.ImportFrom) -> cst.ImportFrom:
        return _renamed_from_import(n, renamed).with_changes(module=cst.Name("openai"))

    plan.replace(node, edit, RULE)
    return {local: new for local, (new, rename_refs) in renamed.items() if rename_refs}


def _fix_from_openai(plan: Plan, node: cst.ImportFrom, facts: Facts) -> dict[str, str]:
    """`from openai import InvalidRequestError` (a v0 re-export) -> BadRequestError."""
    assert not isinstance(node.names, cst.ImportStar)
    if not any(f"openai.{dotted_name(a.name)}" in TOP_LEVEL_V0_EXCEPTIONS for a in node.names):
        return {}
    renamed = _alias_renames(node, facts, top_level=True)
    plan.replace(node, lambda n: _renamed_from_import(n, renamed), RULE)
    return {local: new for local, (new, rename_refs) in renamed.items() if rename_refs}


def _alias_renames(
    node: cst.ImportFrom, facts: Facts, top_level: bool = False
) -> dict[str, tuple[str, bool]]:
    """Imported name -> (new name, whether references are renamed too)."""
    assert not isinstance(node.names, cst.ImportStar)
    renames: dict[str, tuple[str, bool]] = {}
    for alias in node.names:
        name = dotted_name(alias.name) or ""
        new = (
            TOP_LEVEL_V0_EXCEPTIONS.get(f"openai.{name}") if top_level else V0_EXCEPTIONS.get(name)
        )
        if new is None or new == name:
            continue
        # Without an alias the references follow the new name, unless it is taken.
        rename_refs = alias.asname is None and new not in facts.names
        renames[name] = (new, rename_refs)
    return renames


def _renamed_from_import(
    node: cst.ImportFrom, renames: dict[str, tuple[str, bool]]
) -> cst.ImportFrom:
    assert not isinstance(node.names, cst.ImportStar)
    aliases: list[cst.ImportAlias] = []
    for alias in node.names:
        name = dotted_name(alias.name) or ""
        if name in renames:
            new, rename_refs = renames[name]
            alias = alias.with_changes(name=cst.Name(new))
            if alias.asname is None and not rename_refs:
                alias = alias.with_changes(asname=cst.AsName(name=cst.Name(name)))
        aliases.append(alias)
    return node.with_changes(names=aliases)
