"""Where an SDK call's response goes: the access paths read on it, and where it leaves.

A response is followed from its call (through `await`) along the chain of accesses
above it (`.usage`, `["choices"]`, `[0]`, `.get("k")`), into the names that receive
it (`r = ...`, `r: T = ...`, `for chunk in ...` / `async for`, `for i, c in
enumerate(...)`, comprehensions), and on along those names' references. A name is
followed only when every binding of it in its scope holds a response (or a part of
one), so an unrelated value that shares the name is never taken for a response; such
names are reported as not followed. Scoping is the inventory's (Python's rules:
closures, class bodies, `global`), so following costs no metadata resolution.

Two users read the result:
- the v0 upgrade turns dict-style access on its chains into attribute access;
- a strategy whose provider names response fields differently rewrites access paths
  with a table (`record_rewrites`): `{("usage", "prompt_tokens"): ("usage",
  "input_tokens"), ("data",): ("embeddings",), ("id",): None}`, None meaning "no
  equivalent" (the access is marked).

Escapes (returned, yielded, passed to a call, stored in an attribute or a container,
bound to a global) are data too: a caller marks them, and the checklist's call facts
are derived from them (`returned_or_yielded`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import libcst as cst

from migrator.inventory import Inventory
from migrator.response_keys import NOT_LITERAL, field_name, get_field, subscript_key
from migrator.scopes import LocalScope, Scopes
from migrator.source import code_of

if TYPE_CHECKING:
    from migrator.rewrite import Plan

# A path element for an index (`[0]`, `[i]`) or for each item of an iteration.
ITEM = "[]"

StepKind = Literal["attr", "key", "opaque", "index", "item", "get", "method"]
EscapeKind = Literal["returned", "yielded", "argument", "attribute", "container", "global"]
Table = Mapping[tuple[str, ...], "tuple[str, ...] | None"]

_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


@dataclass(frozen=True, eq=False)
class Step:
    """One access on a response value.

    attr:   `x.name` (not called);                     node: the Attribute
    key:    `x["name"]` (a string key naming a field);  node: the Subscript
    opaque: `x["a b"]`, `x[f"..."]` (a string key that is no field name): ends the chain
    index:  `x[0]`, `x[i]`, `x[1:]`;                    node: the Subscript
    item:   each element of `for v in x` / `enumerate(x)`; node: the For / CompFor
    get:    `x.get("name"[, default])`: ends the chain;  node: the Call; `field` is None
            when it is not that plain form (a computed key, keywords, more arguments)
    method: `x.method(...)` (any other call): ends the chain before it; node: the Attribute
    """

    kind: StepKind
    node: cst.CSTNode
    field: str | None = None

    @property
    def element(self) -> str | None:
        """This step in a path: a field name, ITEM, or None (the path stops here)."""
        if self.kind in ("attr", "key"):
            return self.field
        if self.kind in ("index", "item"):
            return ITEM
        return None


@dataclass(eq=False)
class Access:
    """A chain of accesses on a response value, from `base` to `end`.

    `base` is the call (or the `await` around it) or a reference to a followed name;
    `before` are the steps that made the value `base` holds (across names), `steps`
    this chain's own; `names` the names followed to reach `base`."""

    root: cst.BaseExpression
    base: cst.BaseExpression
    before: tuple[Step, ...]
    steps: tuple[Step, ...]
    end: cst.BaseExpression
    names: tuple[str, ...] = ()

    @property
    def all_steps(self) -> tuple[Step, ...]:
        return (*self.before, *self.steps)

    @property
    def path(self) -> tuple[str, ...]:
        """The fields read from the response, ITEM for indices and iteration; it stops
        at the first step that is no plain field access (a method call, `.get`)."""
        out: list[str] = []
        for step in self.all_steps:
            element = step.element
            if element is None:
                break
            out.append(element)
        return tuple(out)


@dataclass(eq=False)
class Binding:
    """A name that receives a response value (`r = create(...)`, `for c in r.choices`).

    `followed` is False when the name also holds other values in its scope: its
    references are then not read as accesses on a response (`shared` in ResponseUses)."""

    root: cst.BaseExpression
    name: cst.Name
    steps: tuple[Step, ...]  # how the value it receives was reached
    via: tuple[str, ...]  # the names followed before this one
    references: list[cst.Name]
    followed: bool = False

    @property
    def path(self) -> tuple[str, ...]:
        return Access(self.root, self.root, self.steps, (), self.root).path


@dataclass(frozen=True, eq=False)
class Escape:
    """A response value leaving the code that can be followed.

    `node` is the expression that leaves; `path` what part of the response it is (() for
    the response itself); `names` the names it went through; `function` the function
    it leaves (None at module level or in a lambda); `where` says where it goes, for a
    message: "returned from `app.llm.Bot.ask`", "passed to `json.dumps`"."""

    kind: EscapeKind
    root: cst.BaseExpression
    node: cst.CSTNode
    path: tuple[str, ...]
    names: tuple[str, ...]
    function: cst.FunctionDef | None
    where: str
    certain: bool = True  # False: through a name that also holds other values


@dataclass
class ResponseUses:
    """Everything `follow` found, in source-discovery order."""

    roots: list[cst.BaseExpression] = field(default_factory=list)
    accesses: list[Access] = field(default_factory=list)
    bindings: list[Binding] = field(default_factory=list)
    escapes: list[Escape] = field(default_factory=list)

    @property
    def shared(self) -> list[Binding]:
        """Names that hold a response here and other values elsewhere: not followed."""
        return [b for b in self.bindings if not b.followed]

    def of(self, call: cst.Call) -> ResponseUses:
        """The part of a joint result that starts at `call`."""
        roots = [r for r in self.roots if _call_of(r) is call]
        keep = set(roots)
        return ResponseUses(
            roots,
            [a for a in self.accesses if a.root in keep],
            [b for b in self.bindings if b.root in keep],
            [e for e in self.escapes if e.root in keep],
        )


def follow(source: Plan | Inventory, calls: cst.Call | Iterable[cst.Call]) -> ResponseUses:
    """Follow the responses of `calls` (one call, or several followed together: a name
    assigned from two of them in two branches is still a response).

    `source` is a Plan or the Inventory of the module the calls are in."""
    inventory = source if isinstance(source, Inventory) else source.inventory
    roots = [calls] if isinstance(calls, cst.Call) else list(calls)
    return _Follower(inventory).run(roots)


def returned_or_yielded(uses: ResponseUses, call: cst.Call, inventory: Inventory) -> str | None:
    """How `call`'s response itself leaves its function, as the checklist words it:
    "returned by `f()`", or "yielded by `f()` (as `r`)" through the name it is
    assigned to; None when it does not plainly leave (or is not in a function)."""
    mine = uses.of(call)
    if not mine.roots:
        return None
    root = mine.roots[0]
    function = _enclosing_function(root, inventory.parents)
    if function is None:
        return None
    label = f"`{function.name.value}()`"
    for escape in mine.escapes:
        if escape.node is root and escape.kind in ("returned", "yielded"):
            return f"{escape.kind} by {label}"
    direct = [b for b in mine.bindings if not b.via and not b.steps and _assigned(b, inventory)]
    order = _scopes(inventory).order
    for binding in direct:
        found = sorted(
            (
                e
                for e in mine.escapes
                if e.kind in ("returned", "yielded")
                and e.names == (binding.name.value,)
                and e.node in binding.references
                and e.function is function
            ),
            key=lambda e: order.get(e.node, 0),
        )
        if found:
            return f"{found[0].kind} by {label} (as `{binding.name.value}`)"
    return None


_FOLLOWER = "response_flow.follower"  # key of a file's memo (Plan.analyses)


def references_to(
    inventory: Inventory, binder: cst.CSTNode, name: str, memo: dict[str, Any]
) -> list[cst.Name] | None:
    """The names reading `name` where `binder` (a `def`, an import alias, an assigned
    name) binds it: the callers of a function, the users of an imported name. None when
    `name` is bound more than once in that scope (a reader may see another value).

    `memo` is the file's own (Plan.analyses): the name index is built once per module
    and goes with the module's tree (a cache that outlived the file kept its tree
    alive)."""
    follower: _Follower | None = memo.get(_FOLLOWER)
    if follower is None or follower.inventory is not inventory:
        follower = memo[_FOLLOWER] = _Follower(inventory)
    scope = follower._binding_scopes().get(binder)
    if scope is None or scope.names.get(name) != [binder]:
        return None
    return follower.readers(name, [binder])


def _assigned(binding: Binding, inventory: Inventory) -> bool:
    """Bound by `name = <response>` / `name: T = <response>` (not a loop)."""
    target = inventory.parents.get(binding.name)
    if isinstance(target, cst.AssignTarget):
        assign = inventory.parents.get(target)
        return isinstance(assign, cst.Assign) and len(assign.targets) == 1
    return isinstance(target, cst.AnnAssign)


# -- following --------------------------------------------------------------------------------


def _call_of(root: cst.BaseExpression) -> cst.BaseExpression:
    while isinstance(root, cst.Await):
        root = root.expression
    return root


def _scopes(inventory: Inventory) -> Scopes:
    assert inventory.scopes is not None, "build_inventory sets the scopes"
    return inventory.scopes


class _Follower:
    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.parents = inventory.parents
        self.scopes = _scopes(inventory)
        self.uses = ResponseUses()
        self._names: dict[str, list[cst.Name]] | None = None
        self._binding_scope: dict[cst.CSTNode, LocalScope] | None = None
        self._scope_at: dict[cst.CSTNode, LocalScope] = {}

    def run(self, calls: Sequence[cst.Call]) -> ResponseUses:
        candidates: dict[cst.Name, Binding] = {}
        for call in calls:
            root: cst.BaseExpression = call
            while isinstance(self.parents.get(root), cst.Await):
                root = self.parents[root]  # type: ignore[assignment]
            self.uses.roots.append(root)
            for binding in self._walk(root, root, (), ()):
                candidates.setdefault(binding.name, binding)
        # A name becomes a response only once all its bindings are; following one may
        # make another valid, so repeat until nothing changes.
        pending = list(candidates.values())
        changed = True
        while changed:
            changed = False
            for binding in list(pending):
                if not self._valid(binding.name, candidates):
                    continue
                pending.remove(binding)
                binding.followed = True
                changed = True
                names = (*binding.via, binding.name.value)
                for ref in binding.references:
                    for new in self._walk(binding.root, ref, binding.steps, names):
                        if new.name not in candidates:
                            candidates[new.name] = new
                            pending.append(new)
        for binding in candidates.values():
            self.uses.bindings.append(binding)
            if not binding.followed:
                names = (*binding.via, binding.name.value)
                for ref in binding.references:
                    self._escape(binding.root, ref, binding.steps, names, certain=False)
        return self.uses

    def _walk(
        self,
        root: cst.BaseExpression,
        base: cst.BaseExpression,
        before: tuple[Step, ...],
        names: tuple[str, ...],
    ) -> list[Binding]:
        """Record the chain above `base`; returns the names its value is bound to."""
        steps, end = self._chain(base)
        self.uses.accesses.append(Access(root, base, before, steps, end, names))
        reached = (*before, *steps)
        bound = self._bound_from(end)
        if bound is None:
            self._escape(root, end, reached, names)
            return []
        target, item = bound
        if item is not None:
            reached = (*reached, item)
        if self._is_global(target):
            self._add_escape("global", root, end, reached, names, f"`{target.value}`")
        return [Binding(root, target, reached, names, self._references(target))]

    def _chain(self, start: cst.BaseExpression) -> tuple[tuple[Step, ...], cst.BaseExpression]:
        steps: list[Step] = []
        current: cst.BaseExpression = start
        while True:
            parent = self.parents.get(current)
            if isinstance(parent, cst.Subscript) and parent.value is current:
                key = subscript_key(parent)
                if key is NOT_LITERAL:
                    steps.append(Step("index", parent))
                    current = parent
                    continue
                name = field_name(key) if isinstance(key, str) else None
                steps.append(Step("key" if name else "opaque", parent, name))
                current = parent
                if name is None:
                    return tuple(steps), current
                continue
            if isinstance(parent, cst.Attribute) and parent.value is current:
                call = self.parents.get(parent)
                if not (isinstance(call, cst.Call) and call.func is parent):
                    steps.append(Step("attr", parent, parent.attr.value))
                    current = parent
                    continue
                if parent.attr.value == "get":
                    steps.append(Step("get", call, get_field(call)))
                    return tuple(steps), call
                steps.append(Step("method", parent, parent.attr.value))
            return tuple(steps), current

    def _bound_from(self, expr: cst.CSTNode) -> tuple[cst.Name, Step | None] | None:
        """The name that receives `expr` (and the item step of a loop over it): `x = expr`,
        `x: T = expr`, `for x in expr`, `[... for x in expr]`, `for i, x in enumerate(expr)`.
        None when nothing plainly does (another target, another use)."""
        parent = self.parents.get(expr)
        target: cst.BaseExpression | None = None
        enumerated = self._enumerated(expr)
        if enumerated is not None:
            loop = self.parents.get(enumerated)
            if (
                isinstance(loop, (cst.For, cst.CompFor))
                and loop.iter is enumerated
                and isinstance(loop.target, cst.Tuple)
                and len(loop.target.elements) == 2
            ):
                item = loop.target.elements[1].value
                return (item, Step("item", loop)) if isinstance(item, cst.Name) else None
            return None
        step: Step | None = None
        if isinstance(parent, cst.Assign) and parent.value is expr and len(parent.targets) == 1:
            target = parent.targets[0].target
        elif isinstance(parent, cst.AnnAssign) and parent.value is expr:
            target = parent.target
        elif isinstance(parent, (cst.For, cst.CompFor)) and parent.iter is expr:
            target = parent.target
            step = Step("item", parent)
        return (target, step) if isinstance(target, cst.Name) else None

    def _enumerated(self, expr: cst.CSTNode) -> cst.Call | None:
        arg = self.parents.get(expr)
        call = self.parents.get(arg) if isinstance(arg, cst.Arg) else None
        if (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Name)
            and call.func.value == "enumerate"
            and call.args
            and call.args[0] is arg
        ):
            return call
        return None

    # -- escapes ----------------------------------------------------------------------------
    def _escape(
        self,
        root: cst.BaseExpression,
        end: cst.BaseExpression,
        steps: tuple[Step, ...],
        names: tuple[str, ...],
        certain: bool = True,
    ) -> None:
        parent = self.parents.get(end)
        if isinstance(parent, cst.Return) and parent.value is end:
            function = _enclosing_function(end, self.parents)
            where = f"returned from `{self._qualified(function)}`" if function else "returned"
            self._add_escape("returned", root, end, steps, names, where, certain)
        elif isinstance(parent, cst.Lambda) and parent.body is end:
            self._add_escape("returned", root, end, steps, names, "returned by a lambda", certain)
        elif isinstance(parent, cst.Yield) and parent.value is end:
            function = _enclosing_function(end, self.parents)
            where = f"yielded from `{self._qualified(function)}`" if function else "yielded"
            self._add_escape("yielded", root, end, steps, names, where, certain)
        elif isinstance(parent, cst.Arg) and parent.value is end:
            call = self.parents.get(parent)
            if isinstance(call, cst.Call):
                where = f"passed to `{code_of(call.func)}`"
                self._add_escape("argument", root, end, steps, names, where, certain)
        elif isinstance(parent, (cst.Assign, cst.AnnAssign)) and parent.value is end:
            targets = (
                [t.target for t in parent.targets]
                if isinstance(parent, cst.Assign)
                else [parent.target]
            )
            for target in targets:
                if isinstance(target, cst.Attribute):
                    where = f"stored in `{code_of(target)}`"
                    self._add_escape("attribute", root, end, steps, names, where, certain)
                elif isinstance(target, cst.Subscript):
                    where = f"stored in `{code_of(target.value)}`"
                    self._add_escape("container", root, end, steps, names, where, certain)
        elif isinstance(parent, (cst.Element, cst.DictElement, cst.StarredElement)):
            container = self.parents.get(parent)
            if container is not None:
                where = f"put in `{_short(code_of(container))}`"
                self._add_escape("container", root, end, steps, names, where, certain)

    def _add_escape(
        self,
        kind: EscapeKind,
        root: cst.BaseExpression,
        node: cst.CSTNode,
        steps: tuple[Step, ...],
        names: tuple[str, ...],
        where: str,
        certain: bool = True,
    ) -> None:
        path = Access(root, root, steps, (), root).path
        function = _enclosing_function(node, self.parents)
        self.uses.escapes.append(Escape(kind, root, node, path, names, function, where, certain))

    def _qualified(self, function: cst.FunctionDef) -> str:
        """`app.llm.Bot.ask`: the module (from the inventory's path), classes, function."""
        parts: list[str] = []
        current: cst.CSTNode | None = function
        while current is not None:
            if isinstance(current, (cst.FunctionDef, cst.ClassDef)):
                parts.append(current.name.value)
            current = self.parents.get(current)
        module = _module_name(self.inventory.path)
        return ".".join([*([module] if module else []), *reversed(parts)])

    # -- names and scopes -------------------------------------------------------------------
    def _valid(self, name: cst.Name, candidates: Mapping[cst.Name, Binding]) -> bool:
        bindings = self._bindings_of(name)
        return bool(bindings) and all(b in candidates for b in bindings)

    def _bindings_of(self, name: cst.Name) -> list[cst.CSTNode]:
        """Every node binding `name`'s identifier in the scope `name` binds it in."""
        scope = self._binding_scopes().get(name)
        return list(scope.names.get(name.value, ())) if scope is not None else []

    def _is_global(self, target: cst.Name) -> bool:
        """Bound in the module's scope from inside a function (`global x`)."""
        scope = self._binding_scopes().get(target)
        return scope is self.scopes.module and self._scope_of(target).kind != "module"

    def _references(self, name: cst.Name) -> list[cst.Name]:
        """The names that read the value of `name`'s bindings, in source order (flow-
        insensitively: every read the scope rules lead to one of those bindings)."""
        return self.readers(name.value, self._bindings_of(name))

    def readers(self, name: str, binders: Sequence[cst.CSTNode]) -> list[cst.Name]:
        mine = set(binders)
        if not mine:
            return []
        found: list[cst.Name] = []
        for ref in self._name_index().get(name, ()):
            seen = self.scopes.visible(ref.value, self._scope_of(ref), ref)
            if any(b in mine for b in seen):
                found.append(ref)
        return found

    def _binding_scopes(self) -> dict[cst.CSTNode, LocalScope]:
        if self._binding_scope is None:
            self._binding_scope = {}
            for scope in (self.scopes.module, *self.scopes.by_node.values()):
                for nodes in scope.names.values():
                    for node in nodes:
                        self._binding_scope[node] = scope
        return self._binding_scope

    def _name_index(self) -> dict[str, list[cst.Name]]:
        """Every name read in the module, by identifier, in source order (the inventory's
        walk order: no second walk of the tree)."""
        if self._names is None:
            binders = self._binding_scopes()
            self._names = {}
            for node in self.scopes.order:
                if isinstance(node, cst.Name) and node not in binders and self._reads(node):
                    self._names.setdefault(node.value, []).append(node)
        return self._names

    def _reads(self, node: cst.Name) -> bool:
        parent = self.parents.get(node)
        if isinstance(parent, cst.Attribute):
            return parent.attr is not node
        if isinstance(parent, cst.Arg):
            return parent.keyword is not node
        if isinstance(parent, (cst.FunctionDef, cst.ClassDef, cst.Param)):
            return parent.name is not node
        return not isinstance(parent, (cst.ImportAlias, cst.AsName, cst.ImportFrom, cst.NameItem))

    def _scope_of(self, node: cst.CSTNode) -> LocalScope:
        """The scope code at `node` runs in. A comprehension's first iterable runs in the
        enclosing scope (Python evaluates it before the comprehension starts)."""
        cached = self._scope_at.get(node)
        if cached is not None:
            return cached
        scope = self.scopes.module
        child: cst.CSTNode | None = None
        grandchild: cst.CSTNode | None = None
        current: cst.CSTNode | None = node
        while current is not None:
            found = self.scopes.by_node.get(current)
            first_iter = (
                isinstance(current, _COMPREHENSIONS)
                and child is current.for_in
                and grandchild is current.for_in.iter
            )
            if found is not None and not first_iter:
                scope = found
                break
            grandchild, child, current = child, current, self.parents.get(current)
        self._scope_at[node] = scope
        return scope


def _enclosing_function(
    node: cst.CSTNode, parents: Mapping[cst.CSTNode, cst.CSTNode]
) -> cst.FunctionDef | None:
    """The function whose body `node` is in; None at module level, in a class body or in
    a lambda (a lambda's value is not the enclosing function's)."""
    current = parents.get(node)
    while current is not None:
        if isinstance(current, cst.FunctionDef):
            return current
        if isinstance(current, (cst.ClassDef, cst.Lambda)):
            return None
        current = parents.get(current)
    return None


def _module_name(path: str) -> str:
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts or not parts[-1].endswith(".py"):
        return ""
    parts[-1] = parts[-1][: -len(".py")]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _short(code: str) -> str:
    flat = " ".join(code.split())
    return flat if len(flat) <= 40 else flat[:37] + "..."
