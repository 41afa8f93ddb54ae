"""The inventory's scope engine: which node binds a name where it is used.

libcst's metadata providers cost several times a parse (on a 2,000-line module,
ScopeProvider and QualifiedNameProvider about 1.3 s, ParentNodeProvider 0.7 s, against
0.4 s for the parse), so the inventory's one walk does that bookkeeping itself: parents,
source order, and Python's scoping rules (function, class, lambda and comprehension
scopes, `global`/`nonlocal`, parameter defaults and decorators evaluated outside the
function). Qualified names are those libcst would give: the dotted name through the
import that binds the root name at that point (`oa.ChatCompletion` ->
`openai.ChatCompletion` after `import openai as oa`).

`ScopeWalker` knows names and bindings; `ValueWalker` adds what they are bound to
(assignments, class attributes, `self.<attr>`, returned values). Neither knows anything
of the openai SDK: the layers above them (value_trace.py ... site_collector.py) do.
The codemods that add code ask `Scopes` which names they can use where it goes.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import QualifiedName, QualifiedNameSource

from migrator.walk import Visitor

_BUILTIN_NAMES = frozenset(dir(builtins))


def dotted_path(node: cst.CSTNode, through_calls: bool = False) -> str | None:
    """`a.b.c` -> "a.b.c"; with `through_calls`, `a.b().c` -> "a.b.c" too (the way
    libcst's QualifiedNameProvider names attributes of a call's result)."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_path(node.value, through_calls)
        return f"{base}.{node.attr.value}" if base else None
    if through_calls and isinstance(node, cst.Call):
        return dotted_path(node.func, through_calls)
    return None


@dataclass(eq=False)
class LocalScope:
    """A Python scope: which nodes bind each name in it (see `lookup`)."""

    kind: str  # "module", "class", "function" (also lambdas) or "comprehension"
    parent: LocalScope | None
    names: dict[str, list[cst.CSTNode]] = field(default_factory=dict)
    globals: set[str] = field(default_factory=set)
    nonlocals: set[str] = field(default_factory=set)


def _enclosing_function(scope: LocalScope | None) -> LocalScope | None:
    while scope is not None and scope.kind != "function":
        scope = scope.parent
    return scope


def lookup(
    name: str,
    scope: LocalScope,
    module_scope: LocalScope,
    order: Mapping[cst.CSTNode, int],
    at: cst.CSTNode | None = None,
) -> list[cst.CSTNode]:
    """Python's rule: the innermost scope binding `name`, where class bodies are not
    visible from the functions and comprehensions nested in them. A class body runs
    top to bottom: before its own binding of `name`, the enclosing one is seen."""
    if name in scope.globals:
        scope = module_scope
    elif name in scope.nonlocals:
        scope = _enclosing_function(scope.parent) or scope
    current: LocalScope | None = scope
    while current is not None:
        if current is scope or current.kind != "class":
            found = current.names.get(name)
            if found and current.kind == "class" and at is not None:
                position = order.get(at, 0)
                found = [b for b in found if order.get(b, 0) < position]
            if found:
                return found
        current = current.parent
    return []


@dataclass
class Scopes:
    """The module's scopes as the inventory's walk found them, for the codemods that add
    code and must know which names it can use where it goes (`os`, `openai`)."""

    module: LocalScope
    # the node whose subtree runs in a scope of its own (a function or lambda body, a
    # class body, a comprehension) -> that scope
    by_node: dict[cst.CSTNode, LocalScope]
    order: dict[cst.CSTNode, int]

    def visible(
        self, name: str, scope: LocalScope, at: cst.CSTNode | None = None
    ) -> list[cst.CSTNode]:
        """The nodes binding `name` that code in `scope` (at `at`) sees."""
        return lookup(name, scope, self.module, self.order, at)


class ScopeWalker(Visitor):
    """Records, in one walk, every node's parent and source order, the scopes and the
    nodes binding each name in them, and what each import binds."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[cst.CSTNode] = []
        self.parent: dict[cst.CSTNode, cst.CSTNode] = {}
        self.order: dict[cst.CSTNode, int] = {}
        self.module_scope = LocalScope("module", None)
        self.scope = self.module_scope
        # node whose subtree runs in a new scope (a function body, a comprehension) -> scope
        self.enter_scope: dict[cst.CSTNode, LocalScope] = {}
        self.name_scope: dict[cst.Name, LocalScope] = {}
        self.binding_names: set[cst.Name] = set()
        # import alias node -> the qualified name it binds (`openai.OpenAI`)
        self.import_binding: dict[cst.CSTNode, str] = {}
        self._qname_cache: dict[cst.CSTNode, set[QualifiedName]] = {}
        self.star_import = False  # a star import may bind any name: no shortcut
        self.star_modules: list[str] = []
        self.import_depth = 0

    # The two hooks below run for every node of every file: the visit_/leave_ dispatch of
    # Visitor is inlined and attributes are read once.
    def on_visit(self, node: cst.CSTNode) -> bool:
        stack = self.stack
        if stack:
            self.parent[node] = stack[-1]
        order = self.order
        order[node] = len(order)
        stack.append(node)
        enter_scope = self.enter_scope
        scope = enter_scope.get(node)  # a function or lambda body
        if scope is not None:
            self.scope = scope
        kind = type(node)
        methods = self._visit_methods
        method = methods[kind] if kind in methods else self.visit_method(kind)
        visit_children = method is None or method(self, node) is not False
        if scope is None:  # a comprehension registers itself while visited
            scope = enter_scope.get(node)
            if scope is not None:
                self.scope = scope
        return visit_children

    def on_leave(self, original_node: cst.CSTNode) -> None:
        kind = type(original_node)
        methods = self._leave_methods
        method = methods[kind] if kind in methods else self.leave_method(kind)
        if method is not None:
            method(self, original_node)
        self.stack.pop()
        scope = self.enter_scope.get(original_node)
        if scope is not None and scope.parent is not None:
            self.scope = scope.parent

    # -- scopes ----------------------------------------------------------------------------
    def _new_scope(self, kind: str, body: cst.CSTNode) -> LocalScope:
        scope = LocalScope(kind, self.scope)
        self.enter_scope[body] = scope
        return scope

    def _bind(self, name: str, node: cst.CSTNode, scope: LocalScope | None = None) -> None:
        scope = scope or self.scope
        if name in scope.globals:
            scope = self.module_scope
        elif name in scope.nonlocals:
            scope = self._enclosing_function(scope.parent) or scope
        scope.names.setdefault(name, []).append(node)
        if isinstance(node, cst.Name):
            self.binding_names.add(node)
        elif isinstance(node, (cst.Param, cst.FunctionDef, cst.ClassDef)):
            self.binding_names.add(node.name)

    def _bind_targets(self, target: cst.BaseExpression) -> None:
        """Bind every name an assignment target (`a`, `a, *b`, `[a, (b, c)]`) binds."""
        if isinstance(target, cst.Name):
            self._bind(target.value, target)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_targets(element.value)
        elif isinstance(target, cst.StarredElement):
            self._bind_targets(target.value)

    def _enclosing_function(self, scope: LocalScope | None) -> LocalScope | None:
        return _enclosing_function(scope)

    def _lookup(
        self, name: str, scope: LocalScope, at: cst.CSTNode | None = None
    ) -> list[cst.CSTNode]:
        return lookup(name, scope, self.module_scope, self.order, at)

    def _qnames(self, node: cst.CSTNode) -> set[QualifiedName]:
        """Qualified names of a dotted name (`oa.types.Foo`), as libcst's
        QualifiedNameProvider gives them: through an import, or local."""
        cached = self._qname_cache.get(node)
        if cached is not None:
            return cached
        result: set[QualifiedName] = set()
        dotted = dotted_path(node, through_calls=True)
        root: cst.BaseExpression = node
        while isinstance(root, (cst.Attribute, cst.Call)):
            root = root.value if isinstance(root, cst.Attribute) else root.func
        scope = self.name_scope.get(root) if isinstance(root, cst.Name) else None
        if dotted is not None and isinstance(root, cst.Name) and scope is not None:
            rest = dotted[len(root.value) :]
            bindings = self._lookup(root.value, scope, root)
            for binding in bindings:
                imported = self.import_binding.get(binding)
                if imported is not None:
                    result.add(QualifiedName(imported + rest, QualifiedNameSource.IMPORT))
                else:
                    result.add(QualifiedName(dotted, QualifiedNameSource.LOCAL))
            if not bindings and root.value not in _BUILTIN_NAMES:
                # `from openai import *`: an unbound name may come from the star import
                for module in self.star_modules:
                    result.add(QualifiedName(f"{module}.{dotted}", QualifiedNameSource.IMPORT))
        self._qname_cache[node] = result
        return result

    def _may_bind(self, node: cst.CSTNode, names: set[str]) -> bool:
        """Cheap pre-check: can `node` resolve through an import binding one of `names`?"""
        if self.star_import:
            return True
        while isinstance(node, (cst.Attribute, cst.Call, cst.Subscript)):
            node = node.func if isinstance(node, cst.Call) else node.value
        return isinstance(node, cst.Name) and node.value in names

    def _bindings(self, node: cst.Name) -> list[cst.CSTNode]:
        """The nodes that bind the name visible at `node` (targets, params, defs, imports),
        in source order so that results never depend on set iteration order."""
        scope = self.name_scope.get(node)
        if scope is None:
            return []
        targets = self._lookup(node.value, scope, node)
        return sorted(targets, key=lambda target: self.order.get(target, -1))

    # -- binding statements ----------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bind(node.name.value, node)
        self._new_scope("class", node.body)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        # decorators, defaults and annotations run in the enclosing scope; the body not
        self._bind(node.name.value, node)
        self._bind_params(node.params, self._new_scope("function", node.body))

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._bind_params(node.params, self._new_scope("function", node.body))

    def _bind_params(self, params: cst.Parameters, scope: LocalScope) -> None:
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            self._bind(param.name.value, param, scope)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                self._bind(star.name.value, star, scope)

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._new_scope("comprehension", node)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._new_scope("comprehension", node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._new_scope("comprehension", node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._new_scope("comprehension", node)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind_targets(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._bind_targets(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind_targets(node.target)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind_targets(node.name.name)

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        if node.name is not None:
            self._bind_targets(node.name.name)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self._bind(node.name.value, node.name)

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        if node.name is not None:
            self._bind(node.name.value, node.name)

    def visit_MatchMapping(self, node: cst.MatchMapping) -> None:
        if node.rest is not None:
            self._bind(node.rest.value, node.rest)

    def visit_Global(self, node: cst.Global) -> None:
        self.scope.globals.update(item.name.value for item in node.names)
        self.binding_names.update(item.name for item in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.scope.nonlocals.update(item.name.value for item in node.names)
        self.binding_names.update(item.name for item in node.names)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_targets(target.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind_targets(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        # `(x := ...)` binds in the enclosing function even inside a comprehension
        scope = self.scope
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = scope.parent
        if isinstance(node.target, cst.Name):
            self._bind(node.target.value, node.target, scope)

    def visit_With(self, node: cst.With) -> None:
        for item in node.items:
            if item.asname is not None:
                self._bind_targets(item.asname.name)

    def visit_Import(self, node: cst.Import) -> None:
        self.import_depth += 1
        for alias in node.names:
            name = dotted_path(alias.name) or ""
            root = name.split(".")[0]
            self._bind(alias.evaluated_alias or root, alias)
            self.import_binding[alias] = name if alias.asname is not None else root

    def leave_Import(self, original_node: cst.Import) -> None:
        self.import_depth -= 1

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.import_depth += 1
        module = dotted_path(node.module) if node.module is not None else ""
        prefix = "." * len(node.relative)
        if isinstance(node.names, cst.ImportStar):
            if not node.relative and module:
                self.star_modules.append(module)
            self.star_import = True
        else:
            base = prefix + module
            for alias in node.names:
                self._bind(alias.evaluated_alias or alias.evaluated_name, alias)
                qualified = (
                    f"{base}.{alias.evaluated_name}" if module else base + alias.evaluated_name
                )
                self.import_binding[alias] = qualified

    def leave_ImportFrom(self, original_node: cst.ImportFrom) -> None:
        self.import_depth -= 1

    # -- references --------------------------------------------------------------------------
    def _reference(self, node: cst.Name) -> bool:
        """Note the scope a name is read in; False for a name that is not a reference (one
        being bound, an attribute's name, a keyword argument's name)."""
        if node in self.binding_names:
            return False  # a name being bound (`x = ...`, a parameter) is not a reference
        parent = self.stack[-2] if len(self.stack) > 1 else None
        if isinstance(parent, cst.Attribute) and parent.attr is node:
            return False  # `x.attr`: the attribute name is not a reference to a variable
        if isinstance(parent, cst.Arg) and parent.keyword is node:
            return False
        self.name_scope[node] = self.scope
        return True

    def visit_Name(self, node: cst.Name) -> None:
        self._reference(node)


class ValueWalker(ScopeWalker):
    """Adds to the scopes what names are bound to: the value of each assignment target,
    class attributes and `self.<attr>` assignments per class, a class's bases, and the
    values each function returns."""

    def __init__(self) -> None:
        super().__init__()
        # name target node (Name of an assignment, with-as, walrus) -> value assigned to it
        self.assigned: dict[cst.CSTNode, cst.BaseExpression] = {}
        # class name -> attr name -> values (class attributes and `self.attr = ...`)
        self.class_attrs: dict[str, dict[str, list[cst.BaseExpression]]] = {}
        self.class_bases: dict[str, list[str]] = {}  # class name -> the names of its bases
        self.class_stack: list[str] = []
        # `self.x` / `cls.x` attribute node -> enclosing class name (saves parent walks)
        self.attr_owner: dict[cst.Attribute, str] = {}
        # function definition -> the values it returns
        self.function_stack: list[cst.FunctionDef] = []
        self.returns: dict[cst.FunctionDef, list[cst.BaseExpression]] = {}

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        super().visit_ClassDef(node)
        self.class_stack.append(node.name.value)
        attrs = self.class_attrs.setdefault(node.name.value, {})
        self.class_bases.setdefault(node.name.value, []).extend(
            (dotted_path(base.value) or "").rsplit(".", 1)[-1] for base in node.bases
        )
        for stmt in node.body.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Assign):
                        for target in small.targets:
                            if isinstance(target.target, cst.Name):
                                attrs.setdefault(target.target.value, []).append(small.value)
                    elif isinstance(small, cst.AnnAssign) and small.value is not None:
                        if isinstance(small.target, cst.Name):
                            attrs.setdefault(small.target.value, []).append(small.value)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.class_stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        super().visit_FunctionDef(node)
        self.function_stack.append(node)
        self.returns.setdefault(node, [])

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.function_stack.pop()

    def visit_Return(self, node: cst.Return) -> None:
        if self.function_stack and node.value is not None:
            self.returns[self.function_stack[-1]].append(node.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        super().visit_Assign(node)
        for target in node.targets:
            self._track_value(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        super().visit_AnnAssign(node)
        if node.value is not None:
            self._track_value(node.target, node.value)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        super().visit_NamedExpr(node)
        self._track_value(node.target, node.value)

    def visit_With(self, node: cst.With) -> None:
        super().visit_With(node)
        for item in node.items:
            if item.asname is not None:
                self._track_value(item.asname.name, item.item)

    def _track_value(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        """Remember the value bound to a name or to `self.<attr>`, for following later."""
        if isinstance(target, cst.Name):
            self.assigned[target] = value
        elif isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, (cst.Tuple, cst.List)):
            # `a, b = OpenAI(), "gpt-4o"`: pair up element by element (no starred targets)
            if len(target.elements) == len(value.elements) and not any(
                isinstance(e, cst.StarredElement) for e in (*target.elements, *value.elements)
            ):
                for t, v in zip(target.elements, value.elements, strict=True):
                    self._track_value(t.value, v.value)
        elif (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value in ("self", "cls")
            and self.class_stack
        ):
            attrs = self.class_attrs[self.class_stack[-1]]
            attrs.setdefault(target.attr.value, []).append(value)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name) and node.value.value in ("self", "cls"):
            if self.class_stack:
                self.attr_owner[node] = self.class_stack[-1]
