"""Where the mapping of a `**kwargs` argument is built, when the code shows it.

`OpenAI(**client_kwargs)` may already carry `base_url` or `api_key`: a fixer that adds
`base_url=` next to it makes the call fail with "got multiple values for keyword
argument". When the mapping is built in the same function (a `{...}` literal or a
`dict(...)` call bound once, then only `d["key"] = value` and `d.update(key=value)`
statements before the call) its keys can be read and edited where they are set, and the
call stays as it is. Anything else that could change the mapping (it is passed to
another function, aliased, built in a loop after the call, a parameter...) makes it
unknown, and the fixer leaves the call and reports it.

A `**kwargs` parameter spread into the literal (`{**extra, ...}`) cannot hold the names
of the function's other parameters (Python binds those names to them): those keys are
still known.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst
from migrator.codemods._edit import add_dict_entry, edit_call_args, keyword_args, splat_args

from migrator.rewrite import Plan
from migrator.source import code_of
from migrator.walk import walk

_READ_METHODS = frozenset({"get", "keys", "values", "items", "copy"})
_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Module)


@dataclass(frozen=True, eq=False)
class Entry:
    """One place a key of the mapping is set."""

    key: str
    value: cst.BaseExpression
    holder: cst.CSTNode  # DictElement / Arg of the builder or of `.update()`, or a statement
    always: bool  # set on every path from the builder to the call


@dataclass(eq=False)
class KwargsDict:
    """What the code shows of the mapping behind one `**` argument."""

    splat: cst.Arg
    builder: cst.Dict | cst.Call | None = None  # None: not built where we can see it
    entries: list[Entry] = field(default_factory=list)
    # Parts whose keys are unknown: (their code, the keys they cannot hold).
    open_parts: list[tuple[str, frozenset[str]]] = field(default_factory=list)
    # Keys read back by `d["key"]` (a removed or renamed key would raise KeyError there);
    # None: some read cannot be told (`d[name]`).
    key_reads: set[str] | None = field(default_factory=set)
    shared: bool = False  # also spread into another call, or read by a closure

    def read_back(self, key: str) -> bool:
        """Could removing or renaming `key` break a later `d["key"]`?"""
        return self.key_reads is None or key in self.key_reads

    @property
    def code(self) -> str:
        return code_of(self.splat.value)

    @property
    def visible(self) -> bool:
        return self.builder is not None

    def may_hide(self, key: str) -> bool:
        """Could `key` be in the mapping without an entry we can see?"""
        return not self.visible or any(key not in cannot for _, cannot in self.open_parts)

    def entries_of(self, key: str) -> list[Entry]:
        return [e for e in self.entries if e.key == key]

    def always_has(self, key: str) -> bool:
        return any(e.always for e in self.entries_of(key))


def kwargs_dicts(plan: Plan, call: cst.Call) -> list[KwargsDict]:
    """One `KwargsDict` per `**` argument of `call` (several: none is read)."""
    splats = splat_args(call)
    if len(splats) != 1:
        return [KwargsDict(s) for s in splats]
    return [_read(plan, call, splats[0])]


def _read(plan: Plan, call: cst.Call, splat: cst.Arg) -> KwargsDict:
    found = KwargsDict(splat)
    scope = _scope_of(plan, call)
    value = splat.value
    if isinstance(value, cst.Dict):
        _read_builder(found, value, scope)
        return found
    if not isinstance(value, cst.Name) or scope is None:
        return found
    # A closure reading a mapping its enclosing function builds: read it there, as it
    # stands when the inner function is defined.
    anchor: cst.CSTNode = call
    while isinstance(scope, cst.FunctionDef):
        outer = _scope_of(plan, scope)
        if not isinstance(outer, cst.FunctionDef) or not _only_read(plan, value, scope):
            break
        anchor, scope = scope, outer
    uses = _NameUses(value.value, scope, lambda f: _only_read(plan, value, f))
    walk(scope, uses)
    if uses.nested:
        return found
    builders: list[tuple[cst.CSTNode, cst.Dict | cst.Call]] = []
    pending: list[tuple[cst.CSTNode, list[tuple[str, cst.BaseExpression, cst.CSTNode]]]] = []
    reads: list[cst.Name] = []
    for name in uses.names:
        if name is value:
            continue
        kind = _use_of(plan, name)
        if kind is None:
            return found  # something else may change the mapping
        if kind[0] == "read":
            reads.append(name)
        elif kind[0] == "builder":
            builders.append((kind[1], kind[2]))
        elif kind[0] == "set":
            pending.append((kind[1], kind[2]))
    if len(builders) != 1:
        return found
    builder_statement, builder = builders[0]
    anchor_statement = plan.statement_of(anchor)
    anchor_line = plan.line_of(anchor_statement if anchor is not call else call)
    block = plan.parent_of(builder_statement)
    built_at = plan.line_of(builder_statement)
    if built_at >= anchor_line or not _encloses(plan, block, anchor_statement):
        return found
    entries: list[Entry] = []
    for statement, keys in pending:
        line = plan.line_of(statement)
        if line < built_at or line >= anchor_line:
            return found  # set before it is built, or after the call (a loop, a closure)
        always = plan.parent_of(statement) is block
        entries.extend(Entry(k, v, h, always) for k, v, h in keys)
    _read_builder(found, builder, scope)
    found.entries.extend(entries)
    _note_reads(plan, found, reads, closures=bool(uses.skipped) or anchor is not call)
    return found


def _note_reads(plan: Plan, found: KwargsDict, reads: list[cst.Name], *, closures: bool) -> None:
    found.shared = closures
    for name in reads:
        parent = plan.parent_of(name)
        if isinstance(parent, cst.Subscript) and found.key_reads is not None:
            key = _literal_key(parent)
            if key is None:
                found.key_reads = None
            else:
                found.key_reads.add(key)
        elif isinstance(parent, cst.Arg):
            found.shared = True  # `other(**d)`


def _only_read(plan: Plan, splatted: cst.Name, function: cst.FunctionDef) -> bool:
    """Does `function` only read the name (so it is its enclosing function's)?"""
    uses = _NameUses(splatted.value, function, lambda f: False)
    walk(function, uses)
    return (
        not uses.nested
        and all(name is splatted or _use_of(plan, name) == ("read",) for name in uses.names)
        and not any(isinstance(plan.parent_of(name), cst.Param) for name in uses.names)
    )


def _read_builder(
    found: KwargsDict, builder: cst.Dict | cst.Call, scope: cst.CSTNode | None
) -> None:
    """The builder's own entries (always set) and the parts whose keys are unknown."""
    found.builder = builder
    if isinstance(builder, cst.Dict):
        for element in builder.elements:
            if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                key = element.key.evaluated_value
                if isinstance(key, str):
                    found.entries.append(Entry(key, element.value, element, True))
                    continue
            spread = element.value
            found.open_parts.append((code_of(spread), _cannot_hold(spread, element, scope)))
        return
    for arg in builder.args:
        if arg.keyword is not None:
            found.entries.append(Entry(arg.keyword.value, arg.value, arg, True))
        else:
            found.open_parts.append((code_of(arg.value), _cannot_hold(arg.value, arg, scope)))


def _cannot_hold(
    spread: cst.BaseExpression, element: cst.CSTNode, scope: cst.CSTNode | None
) -> frozenset[str]:
    """Keys a `**kwargs` parameter of the enclosing function cannot hold: the names of
    its other parameters (positional-only ones excepted)."""
    is_spread = isinstance(element, cst.StarredDictElement) or (
        isinstance(element, cst.Arg) and element.star == "**"
    )
    if not (is_spread and isinstance(scope, cst.FunctionDef) and isinstance(spread, cst.Name)):
        return frozenset()
    params = scope.params
    star = params.star_kwarg
    if star is None or star.name.value != spread.value:
        return frozenset()
    named = [*params.params, *params.kwonly_params]
    return frozenset(p.name.value for p in named)


def _scope_of(plan: Plan, node: cst.CSTNode) -> cst.CSTNode | None:
    current = plan.parent_of(node)
    while current is not None and not isinstance(current, _SCOPES):
        current = plan.parent_of(current)
    return current


def _encloses(plan: Plan, block: cst.CSTNode | None, node: cst.CSTNode) -> bool:
    current: cst.CSTNode | None = node
    while current is not None:
        if current is block:
            return True
        current = plan.parent_of(current)
    return False


class _NameUses(cst.CSTVisitor):
    """Every `Name` node spelling `name` in a scope; `nested` when one sits in a nested
    function, class or lambda (a closure may change the mapping at any time). Nested
    functions that only read the name (`reads_only`) are not looked into."""

    def __init__(
        self, name: str, scope: cst.CSTNode, reads_only: Callable[[cst.FunctionDef], bool]
    ) -> None:
        super().__init__()
        self.name = name
        self.scope = scope
        self.reads_only = reads_only
        self.skipped: set[cst.CSTNode] = set()
        self.names: list[cst.Name] = []
        self.nested = False
        self.depth = 0

    def on_visit(self, node: cst.CSTNode) -> bool:
        if node is not self.scope and isinstance(node, cst.FunctionDef) and self.reads_only(node):
            self.skipped.add(node)  # looked into for its reads, but not a nested scope
            return True
        if node is not self.scope and isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            self.depth += 1
        if isinstance(node, cst.Name) and node.value == self.name:
            self.names.append(node)
            self.nested = self.nested or self.depth > 0
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if original_node in self.skipped:
            return
        if original_node is not self.scope and isinstance(
            original_node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)
        ):
            self.depth -= 1


Use = (
    tuple[str, cst.CSTNode, cst.Dict | cst.Call]
    | tuple[str, cst.CSTNode, list[tuple[str, cst.BaseExpression, cst.CSTNode]]]
    | tuple[str]
)


def _use_of(plan: Plan, name: cst.Name) -> Use | None:
    """How one occurrence of the mapping's name uses it: ("builder", statement, literal),
    ("set", statement, [(key, value, holder)]), ("read",), or None (it may change)."""
    parent = plan.parent_of(name)
    grand = plan.parent_of(parent) if parent is not None else None
    if isinstance(parent, cst.Param):
        return ("read",)  # a parameter: only a builder makes the mapping known
    if isinstance(parent, cst.AssignTarget) and isinstance(grand, cst.Assign):
        if len(grand.targets) == 1 and _is_builder(grand.value) and _own_line(plan, grand):
            return ("builder", plan.statement_of(grand), grand.value)  # type: ignore[return-value]
        return None
    if isinstance(parent, cst.AnnAssign) and parent.target is name:
        if parent.value is not None and _is_builder(parent.value) and _own_line(plan, parent):
            return ("builder", plan.statement_of(parent), parent.value)  # type: ignore[return-value]
        return None
    if isinstance(parent, cst.Subscript) and parent.value is name:
        return _subscript_use(plan, parent)
    if isinstance(parent, cst.Attribute) and parent.value is name:
        return _method_use(plan, parent)
    if isinstance(parent, cst.Arg) and parent.star == "**":
        return ("read",)  # spread into a call: copied
    if isinstance(parent, cst.ComparisonTarget):
        return ("read",)  # `"key" in d`
    if isinstance(parent, (cst.For, cst.CompFor)) and parent.iter is name:
        return ("read",)  # `for key in d`
    return None


def _subscript_use(plan: Plan, subscript: cst.Subscript) -> Use | None:
    parent = plan.parent_of(subscript)
    if isinstance(parent, cst.AssignTarget):
        assign = plan.parent_of(parent)
        key = _literal_key(subscript)
        if (
            isinstance(assign, cst.Assign)
            and len(assign.targets) == 1
            and key is not None
            and _own_line(plan, assign)
        ):
            return ("set", plan.statement_of(assign), [(key, assign.value, assign)])
        return None
    if isinstance(parent, (cst.AugAssign, cst.Del, cst.AnnAssign)):
        return None
    if isinstance(parent, (cst.Element, cst.StarredElement)):
        return None  # a target of a tuple assignment, maybe
    return ("read",)


def _method_use(plan: Plan, attribute: cst.Attribute) -> Use | None:
    call = plan.parent_of(attribute)
    if not isinstance(call, cst.Call) or call.func is not attribute:
        return None
    method = attribute.attr.value
    if method in _READ_METHODS:
        return ("read",)
    if method == "update" and call.args and all(a.keyword is not None for a in call.args):
        expression = plan.parent_of(call)
        if isinstance(expression, cst.Expr) and _own_line(plan, expression):
            keys = [(a.keyword.value, a.value, a) for a in call.args if a.keyword is not None]
            return ("set", plan.statement_of(call), keys)
    return None


def _own_line(plan: Plan, small: cst.CSTNode) -> bool:
    """`small` is a statement line of its own (not `if x: d["k"] = v`, not `a; b`): its
    line is where it can be edited, and its block says when it runs."""
    line = plan.parent_of(small)
    return isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1


def _literal_key(subscript: cst.Subscript) -> str | None:
    if len(subscript.slice) != 1 or not isinstance(subscript.slice[0].slice, cst.Index):
        return None
    key = subscript.slice[0].slice.value
    if isinstance(key, cst.SimpleString) and isinstance(key.evaluated_value, str):
        return key.evaluated_value
    return None


def _is_builder(value: cst.BaseExpression) -> bool:
    if isinstance(value, cst.Dict):
        return True
    return (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Name)
        and value.func.value == "dict"
        and not any(a.star == "*" for a in value.args)
    )


# -- edits where the mapping is built ----------------------------------------------------------


def set_entry(plan: Plan, entry: Entry, value: cst.BaseExpression, rule: str) -> bool:
    """Give one entry a new value, where it is set."""
    return plan.replace(entry.value, lambda _: value, rule)


def can_add(found: KwargsDict, key: str, *, beside_entries: bool = False) -> bool:
    """Can `key` be added where the mapping is built (no part of it may hold the key)?
    `beside_entries`: also when later statements set it (on some paths only)."""
    builder = found.builder
    if builder is None or found.may_hide(key):
        return False
    if found.always_has(key):
        return False
    if found.entries_of(key) and not beside_entries:
        return False
    if isinstance(builder, cst.Call):
        return key not in keyword_args(builder)  # its `**` parts cannot hold it (above)
    return True


def add_entry(
    plan: Plan, found: KwargsDict, key: str, value: cst.BaseExpression, rule: str
) -> bool:
    """Add `key: value` where the mapping is built (check `can_add` first)."""
    builder = found.builder
    assert builder is not None
    if isinstance(builder, cst.Dict):
        return plan.replace(builder, lambda d: add_dict_entry(d, key, value), rule)
    return plan.replace(
        builder, lambda c: edit_call_args(c, set_values={key: value}, known_absent={key}), rule
    )


def remove_entries(plan: Plan, found: KwargsDict, entries: list[Entry], rule: str) -> None:
    """Remove entries where they are set. A block whose statements all go keeps a `pass`
    (or, for `if name: d["k"] = v`, the whole `if` goes when that empties nothing)."""
    statements: dict[cst.CSTNode, list[cst.CSTNode]] = {}  # block -> statements to remove
    for entry in entries:
        holder = entry.holder
        if isinstance(holder, cst.DictElement):
            assert isinstance(found.builder, cst.Dict)
            key = entry.key
            plan.replace(found.builder, lambda d, k=key: _without_key(d, k), rule)
            continue
        if isinstance(holder, cst.Arg):
            owner = plan.parent_of(holder)
            assert isinstance(owner, cst.Call)
            if owner is found.builder or len(owner.args) > 1:
                key = entry.key
                plan.replace(owner, lambda c, k=key: edit_call_args(c, remove={k}), rule)
                continue
            holder = owner  # `d.update(key=v)` with nothing else: the statement goes
        statement = plan.statement_of(holder)
        block = plan.parent_of(statement)
        assert block is not None
        if statement not in statements.setdefault(block, []):
            statements[block].append(statement)
    for block, going in statements.items():
        if len(going) < len(getattr(block, "body", ())):
            for statement in going:
                plan.replace(statement, lambda _: cst.RemoveFromParent(), rule)
            continue
        guard = plan.parent_of(block)
        outer = plan.parent_of(guard) if guard is not None else None
        if (
            isinstance(guard, cst.If)
            and guard.orelse is None
            and _harmless(guard.test)
            and isinstance(outer, (cst.IndentedBlock, cst.Module))
            and len(outer.body) > 1  # the block around it does not empty
        ):
            # `if organization: d["organization"] = organization`: the whole `if` goes
            plan.replace(guard, lambda _: cst.RemoveFromParent(), rule)
            continue
        first, *rest = going
        plan.replace(first, lambda line: line.with_changes(body=[cst.Pass()]), rule)
        for statement in rest:
            plan.replace(statement, lambda _: cst.RemoveFromParent(), rule)


def _harmless(test: cst.BaseExpression) -> bool:
    """A test with no side effects: `name`, `name is not None`, `not name`."""
    if isinstance(test, cst.Name):
        return True
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _harmless(test.expression)
    if isinstance(test, cst.Comparison) and isinstance(test.left, cst.Name):
        return all(
            isinstance(c.operator, (cst.Is, cst.IsNot)) and isinstance(c.comparator, cst.Name)
            for c in test.comparisons
        )
    return False


def _without_key(d: cst.Dict, key: str) -> cst.Dict:
    elements = list(d.elements)
    kept = [
        e
        for e in elements
        if not (
            isinstance(e, cst.DictElement)
            and isinstance(e.key, cst.SimpleString)
            and e.key.evaluated_value == key
        )
    ]
    if kept and kept[-1] is not elements[-1]:
        kept[-1] = kept[-1].with_changes(comma=elements[-1].comma)
    return d.with_changes(elements=kept)


def key_state(plan: Plan, call: cst.Call, key: str) -> str:
    """What the `**` arguments of `call` show of `key`: "none" (no `**` argument),
    "absent" (none can hold it), "entry" (a readable mapping sets it) or "unknown"."""
    dicts = kwargs_dicts(plan, call)
    if not dicts:
        return "none"
    if any(found.may_hide(key) for found in dicts):
        return "unknown"
    if any(found.entries_of(key) for found in dicts):
        return "entry"
    return "absent"


def report_splat(plan: Plan, call: cst.Call, keys: list[str], what: str) -> None:
    """MIG107 at `call`: `what` was not done because a `**` argument may hold `keys`."""
    splats = ", ".join(f"**{code_of(a.value)}" for a in splat_args(call))
    names = ", ".join(f"{k}=" for k in keys)
    plan.finding(
        "MIG107",
        f"{names} may already be in {splats}: {what} was left undone (adding it would raise "
        "'multiple values for keyword argument') — do it where that mapping is built",
        node=call,
    )
