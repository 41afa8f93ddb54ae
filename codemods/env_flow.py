"""Where the value of an environment read goes: clients, other calls, checks.

The env-var fixer renames a read of OPENAI_API_KEY & co. only where its value feeds a
client (or the module settings) this run retargets. Anything else that consumes the
value (another library, a raw HTTP call to OpenAI, a startup check) would break, or be
handed the provider's key for OpenAI's host, if the read were renamed.

Following is local to the file and syntactic: through `a or b`, conditional expressions,
f-strings and concatenation, names (read in the function or module that binds them),
`self.<attr>` within a class, and dict entries (`d["api_key"] = v`, `{"api_key": v}`)
splatted into a call with `**`. Whatever cannot be followed counts as a consumer of its
own ("elsewhere"), so a read that reaches it is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import libcst as cst
from migrator.codemods._scope import imported_name
from migrator.codemods.policy.endpoints import client_kept, module_endpoint_kept
from migrator.codemods.wrapper_decision import wrapper_decision, wrapper_site_of

from migrator.env_reads import env_read, is_environ
from migrator.inventory import ClientSite, ConfigSite
from migrator.rewrite import Plan
from migrator.source import code_of, dotted_name
from migrator.walk import walk

# Keywords of settings declarations that name the variable they read (pydantic & co.).
_SETTINGS_KEYWORDS = frozenset({"env", "alias", "validation_alias"})
_HTTP_FUNCS = frozenset(
    {"post", "get", "put", "patch", "delete", "request", "stream", "urlopen", "Request"}
)
OPENAI_HOST = "api.openai.com"
_MAX_DEPTH = 8


@dataclass(frozen=True, eq=False)
class Sink:
    """Something that consumes the value of a read.

    kind: client | kept-client (a client construction, retargeted or left as it is),
    module | kept-module (`openai.<setting> = ...`), check (only tested: `if not key`),
    http (a raw HTTP call to api.openai.com), call (any other call), elsewhere."""

    kind: str
    node: cst.CSTNode
    label: str
    keyword: str | None = None  # the client argument / module setting it feeds
    # that argument's (or setting's) value expression; through a `**mapping`, the value
    # of the mapping's entry the read reaches
    value: cst.CSTNode | None = None
    inline: bool = False  # the read is written in that argument itself (no names between)


def env_read_of(plan: Plan, literal: cst.SimpleString) -> cst.BaseExpression | None:
    """The read (`os.getenv("X")`, `os.environ["X"]`, also through `import os as _os` or
    `from os import getenv`) whose variable name is `literal`, or None when the literal is
    something else (a message, a dict key, an env write, `os.environ.setdefault`)."""
    parent = plan.parent_of(literal)
    if isinstance(parent, cst.Arg):
        candidate = plan.parent_of(parent)
    elif isinstance(parent, cst.Index):
        element = plan.parent_of(parent)
        candidate = plan.parent_of(element) if element is not None else None
    else:
        return None
    if not isinstance(candidate, (cst.Call, cst.Subscript)):
        return None
    read = env_read(candidate, partial(imported_name, plan), setdefault=False)
    if read is None or read.name is not literal:
        return None
    if isinstance(candidate, cst.Subscript) and _is_store(plan, candidate):
        return None
    return candidate


_ENV_WRITERS = frozenset({"setenv", "putenv", "environ.setdefault"})


def is_env_write(plan: Plan, literal: cst.SimpleString) -> bool:
    """Does `literal` name a variable the code sets: `os.environ["X"] = ...`,
    `monkeypatch.setenv("X", ...)`, `os.environ.setdefault("X", ...)`, or a key of a dict
    patched into or merged into `os.environ`?"""
    parent = plan.parent_of(literal)
    if isinstance(parent, cst.Index):
        element = plan.parent_of(parent)
        subscript = plan.parent_of(element) if element is not None else None
        return (
            isinstance(subscript, cst.Subscript)
            and is_environ(subscript.value, partial(imported_name, plan))
            and _is_store(plan, subscript)
        )
    if isinstance(parent, cst.Arg) and parent.keyword is None:
        call = plan.parent_of(parent)
        name = dotted_name(call.func) if isinstance(call, cst.Call) else None
        return name is not None and name.endswith(tuple(_ENV_WRITERS))
    if isinstance(parent, cst.DictElement) and parent.key is literal:
        holder = plan.parent_of(parent)
        arg = plan.parent_of(holder) if holder is not None else None
        call = plan.parent_of(arg) if isinstance(arg, cst.Arg) else None
        if not isinstance(call, cst.Call):
            return False
        name = dotted_name(call.func) or ""
        resolve = partial(imported_name, plan)
        # `patch.dict(os.environ, {...})`, or the target named as a string
        patches_environ = any(
            is_environ(a.value, resolve) or _string(a.value) in ("os.environ", "environ")
            for a in call.args
        )
        return name.endswith(("patch.dict", "environ.update")) and (
            name.endswith("environ.update") or patches_environ
        )
    return False


def settings_field_of(plan: Plan, literal: cst.SimpleString) -> cst.Call | None:
    """`Field(..., env="OPENAI_API_KEY")`: a settings declaration reading the variable."""
    parent = plan.parent_of(literal)
    if (
        isinstance(parent, cst.Arg)
        and parent.keyword is not None
        and parent.keyword.value in _SETTINGS_KEYWORDS
    ):
        call = plan.parent_of(parent)
        return call if isinstance(call, cst.Call) else None
    return None


def sinks_of(plan: Plan, read: cst.BaseExpression) -> list[Sink]:
    """Everything in this file that consumes the value `read` yields."""
    flow = _Flow(plan)
    flow.follow(read, None, 0)
    return flow.found


def _string(node: cst.CSTNode | None) -> str | None:
    if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
        return node.evaluated_value
    return None


def _is_store(plan: Plan, node: cst.CSTNode) -> bool:
    """Is `node` written to (an assignment or `del` target), not read?"""
    parent = plan.parent_of(node)
    if isinstance(parent, (cst.AssignTarget, cst.AugAssign)) and parent.target is node:
        return True
    if isinstance(parent, cst.AnnAssign) and parent.target is node:
        return True
    return isinstance(parent, cst.Del)


def _subscript_key(node: cst.Subscript) -> str | None:
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return _string(node.slice[0].slice.value)
    return None


def _call_label(call: cst.Call) -> str:
    name = dotted_name(call.func)
    return f"`{name}(...)`" if name else "a call"


class _Flow:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.clients: dict[int, ClientSite] = {id(s.node): s for s in plan.inventory.clients}
        self.configs: dict[int, ConfigSite] = {id(s.node): s for s in plan.inventory.configs}
        self.seen: set[tuple[int, str | None]] = set()
        self.found: list[Sink] = []
        # The value of the dict entry the flow being followed went into (with a key).
        self.entry_value: cst.CSTNode | None = None

    def add(self, kind: str, node: cst.CSTNode, label: str, **extra: object) -> None:
        self.found.append(Sink(kind, node, label, **extra))  # type: ignore[arg-type]

    def follow(self, node: cst.CSTNode, key: str | None, depth: int) -> None:
        """Follow the value `node` yields (or, with `key`, the entry `key` of the dict
        `node` yields) up to whatever consumes it."""
        entry_value = self.entry_value  # each flow sees the entry it went into
        try:
            self._follow(node, key, depth)
        finally:
            self.entry_value = entry_value

    def _follow(self, node: cst.CSTNode, key: str | None, depth: int) -> None:
        if depth > _MAX_DEPTH or (id(node), key) in self.seen:
            if depth > _MAX_DEPTH:
                self.add("elsewhere", node, "code too far to follow")
            return
        self.seen.add((id(node), key))
        plan = self.plan
        current = node
        while True:
            parent = plan.parent_of(current)
            if parent is None:
                self.add("elsewhere", current, "code this tool cannot follow")
                return
            if key is not None and self._dict_access(current, parent, key, depth):
                return
            if isinstance(parent, (cst.BooleanOperation, cst.BinaryOperation)):
                current = parent
            elif isinstance(parent, cst.IfExp):
                if parent.test is current:
                    self.add("check", parent, "a check of whether it is set")
                    return
                current = parent
            elif isinstance(parent, (cst.FormattedStringExpression, cst.FormattedString)):
                current = parent
            elif isinstance(parent, (cst.Element, cst.List, cst.Tuple)):
                current = parent
            elif isinstance(parent, cst.Attribute) and parent.value is current:
                call = plan.parent_of(parent)  # `os.getenv("X").strip()`: still the value
                if key is None and isinstance(call, cst.Call) and call.func is parent:
                    current = call
                else:
                    self.add("elsewhere", parent, f"`{code_of(parent)}`")
                    return
            elif isinstance(parent, cst.DictElement) and parent.value is current:
                entry = _string(parent.key)
                holder = plan.parent_of(parent)
                if key is not None or entry is None or holder is None:
                    self.add("elsewhere", parent, "a nested dict passed on elsewhere")
                    return
                self.entry_value = parent.value
                current, key = holder, entry
            elif isinstance(parent, cst.Arg):
                self._argument(parent, key, depth)
                return
            elif isinstance(parent, (cst.Assign, cst.AnnAssign)) and parent.value is current:
                self._assigned(parent, key, depth)
                return
            elif isinstance(parent, cst.Param) and parent.default is current:
                self._param(parent, key, depth)
                return
            elif isinstance(parent, (cst.UnaryOperation, cst.Comparison)) or (
                isinstance(parent, (cst.If, cst.While, cst.Assert)) and parent.test is current
            ):
                self.add("check", parent, "a check of whether it is set")
                return
            elif isinstance(parent, cst.Expr):
                return  # evaluated and dropped
            elif isinstance(parent, (cst.Return, cst.Yield)):
                self.add("elsewhere", parent, "a returned value")
                return
            elif isinstance(parent, cst.Subscript) and parent.value is current:
                self.add("elsewhere", parent, f"`{code_of(parent)}`")
                return
            elif isinstance(parent, cst.Lambda):
                self.add("elsewhere", parent, "a lambda whose value is used elsewhere")
                return
            else:
                self.add("elsewhere", parent, "code this tool cannot follow")
                return

    def _dict_access(self, current: cst.CSTNode, parent: cst.CSTNode, key: str, depth: int) -> bool:
        """`d[key]` / `d.get(key)` read the entry back; other entries do not matter."""
        if isinstance(parent, cst.SubscriptElement):
            return False
        if isinstance(parent, cst.Subscript) and parent.value is current:
            if _subscript_key(parent) == key and not _is_store(self.plan, parent):
                self.follow(parent, None, depth + 1)
            return True  # another entry, or an assignment into the dict
        if isinstance(parent, cst.Attribute) and parent.value is current:
            call = self.plan.parent_of(parent)
            method = parent.attr.value
            if method == "get" and isinstance(call, cst.Call) and call.args:
                if _string(call.args[0].value) == key:
                    self.follow(call, None, depth + 1)
                return True
            if method in ("update", "setdefault", "pop"):
                return True  # writes into the dict (or removes another entry)
        return False

    def _argument(self, arg: cst.Arg, key: str | None, depth: int) -> None:
        call = self.plan.parent_of(arg)
        assert isinstance(call, cst.Call)
        if arg.star == "**" and key is not None:
            keyword: str | None = key
        elif arg.star or key is not None:
            self._consumer(call)  # a whole dict or sequence handed over
            return
        else:
            keyword = arg.keyword.value if arg.keyword is not None else None
        if keyword is not None and isinstance(call.func, cst.Name) and call.func.value == "dict":
            if key is None:
                self.entry_value = arg.value
            self.follow(call, keyword, depth + 1)  # `dict(api_key=v)`: an entry, like {...}
            return
        site = self.clients.get(id(call))
        if site is None:
            self._wrapper_or_consumer(call, arg, keyword, depth)
            return
        kind = "kept-client" if client_kept(self.plan, site) else "client"
        value = arg.value if not arg.star else self.entry_value
        inline = depth == 0 and not arg.star
        label = f"`{site.class_name}(...)`"
        self.add(kind, call, label, keyword=keyword, value=value, inline=inline)

    def _wrapper_or_consumer(
        self, call: cst.Call, arg: cst.Arg, keyword: str | None, depth: int
    ) -> None:
        """A LangChain / llama_index OpenAI class (`ChatOpenAI(openai_api_key=...)`) is a
        client too: its keywords are named as the SDK client's it configures."""
        wrapper = wrapper_site_of(self.plan, call)
        if wrapper is None or keyword is None or arg.star:
            self._consumer(call)
            return
        if not wrapper_decision(self.plan, wrapper).rewrite:
            self._consumer(call)  # left as it is: it still reads the OpenAI variable
            return
        if keyword in wrapper.kind.key_keywords:
            keyword = "api_key"
        elif keyword in wrapper.kind.base_url_keywords:
            keyword = "base_url"
        kind = "client"
        label = f"`{wrapper.qualified.rsplit('.', 1)[-1]}(...)`"
        self.add(kind, call, label, keyword=keyword, value=arg.value, inline=depth == 0)

    def _consumer(self, call: cst.Call) -> None:
        name = dotted_name(call.func) or ""
        if name.rsplit(".", 1)[-1] in _HTTP_FUNCS and self._names_openai_host(call):
            self.add("http", call, f"a raw HTTP call {_call_label(call)}")
        else:
            self.add("call", call, _call_label(call))

    def _names_openai_host(self, call: cst.Call) -> bool:
        """Does the call's URL (first argument or url=) name api.openai.com, directly or
        through names bound in this file?"""
        url = next(
            (
                a.value
                for a in call.args
                if (a.keyword is None and not a.star) or (a.keyword and a.keyword.value == "url")
            ),
            None,
        )
        if url is None:
            return False
        todo: list[cst.CSTNode] = [url]
        for _ in range(3):  # a URL built from a constant built from a constant
            if any(OPENAI_HOST in code_of(node) for node in todo):
                return True
            todo = [value for node in todo for value in self._bound_values(node)]
        return False

    def _bound_values(self, node: cst.CSTNode) -> list[cst.CSTNode]:
        """The values assigned to the names `node` uses (in its function or the module)."""
        names: list[cst.Name] = []

        class Names(cst.CSTVisitor):
            def visit_Name(self, name: cst.Name) -> None:
                names.append(name)

        walk(node, Names())
        values: list[cst.CSTNode] = []
        for name in names:
            scope = _scope_of(self.plan, name)
            for owner in {scope, self.plan.module}:
                values.extend(_assignments(owner, name.value))
        return values

    def _assigned(self, statement: cst.Assign | cst.AnnAssign, key: str | None, depth: int) -> None:
        config = self.configs.get(id(statement))
        if config is not None:
            if key is not None:
                self.add("elsewhere", statement, "a dict in a module setting")
                return
            kind = "kept-module" if module_endpoint_kept(self.plan) else "module"
            label = f"`openai.{config.setting}`"
            self.add(kind, statement, label, keyword=config.setting, value=config.value)
            return
        if isinstance(statement, cst.Assign):
            targets = [t.target for t in statement.targets]
        else:
            targets = [statement.target]
        for target in targets:
            if isinstance(target, cst.Name):
                self._name(target, target, key, depth)
            elif (
                isinstance(target, cst.Attribute)
                and isinstance(target.value, cst.Name)
                and target.value.value == "self"
            ):
                self._self_attribute(target, key, depth)
            elif isinstance(target, cst.Subscript) and key is None and _subscript_key(target):
                self._dict_entry(target, statement.value, depth)
            else:
                self.add("elsewhere", target, f"`{code_of(target)}`")

    def _param(self, param: cst.Param, key: str | None, depth: int) -> None:
        self._name(param.name, param, key, depth)

    def _name(self, name: cst.Name, bound_by: cst.CSTNode, key: str | None, depth: int) -> None:
        """Follow every read of the name `name` (bound by `bound_by`) in its scope."""
        for ref in _reads_of(self.plan, _scope_of(self.plan, name), name.value):
            self.follow(ref, key, depth + 1)

    def _dict_entry(
        self, target: cst.Subscript, value: cst.BaseExpression | None, depth: int
    ) -> None:
        """`d["api_key"] = value`: follow the entry through every read of `d`."""
        entry = _subscript_key(target)
        if not isinstance(target.value, cst.Name):
            self.add("elsewhere", target, f"`{code_of(target)}`")
            return
        self.entry_value = value
        scope = _scope_of(self.plan, target.value)
        for ref in _reads_of(self.plan, scope, target.value.value):
            self.follow(ref, entry, depth + 1)

    def _self_attribute(self, target: cst.Attribute, key: str | None, depth: int) -> None:
        """`self.x = value` in a method: follow `self.x` through the whole class."""
        owner: cst.CSTNode | None = target
        while owner is not None and not isinstance(owner, cst.ClassDef):
            owner = self.plan.parent_of(owner)
        if owner is None:
            self.add("elsewhere", target, f"`{code_of(target)}`")
            return
        attribute = target.attr.value
        reads: list[cst.Attribute] = []
        plan = self.plan

        class Reads(cst.CSTVisitor):
            def visit_Attribute(self, node: cst.Attribute) -> None:
                if (
                    node.attr.value == attribute
                    and isinstance(node.value, cst.Name)
                    and node.value.value == "self"
                    and not _is_store(plan, node)
                ):
                    reads.append(node)

        walk(owner, Reads())
        for read in reads:
            self.follow(read, key, depth + 1)


# -- names ---------------------------------------------------------------------------------
# The inventory keeps its own scopes rather than libcst's ScopeProvider (several times
# the cost of a parse); this follows the same trade-off, more simply: a name is read in
# the function (or module) that binds it, and in nested functions that do not take a
# parameter of that name. Shadowing by assignment in a nested function is not told
# apart, which only ever adds consumers (so leaves more reads as they are).
_SCOPE_NODES = (cst.FunctionDef, cst.Lambda)


def _scope_of(plan: Plan, name: cst.Name) -> cst.CSTNode:
    """The function, lambda or module whose scope `name` lives in."""
    current = plan.parent_of(name)
    while current is not None:
        if isinstance(current, _SCOPE_NODES):
            return current
        current = plan.parent_of(current)
    return plan.module


def _binds_parameter(function: cst.FunctionDef | cst.Lambda, name: str) -> bool:
    params = function.params
    every = [*params.posonly_params, *params.params, *params.kwonly_params]
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            every.append(star)
    return any(param.name.value == name for param in every)


def _is_load(plan: Plan, name: cst.Name) -> bool:
    parent = plan.parent_of(name)
    if isinstance(parent, cst.Attribute):
        return parent.value is name
    if isinstance(parent, cst.Arg):
        return parent.value is name
    if isinstance(parent, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign)):
        return getattr(parent, "target", None) is not name
    if isinstance(parent, (cst.For, cst.CompFor)):
        return parent.target is not name
    return not isinstance(
        parent,
        (cst.Param, cst.FunctionDef, cst.ClassDef, cst.ImportAlias, cst.AsName, cst.NameItem),
    )


def _reads_of(plan: Plan, scope: cst.CSTNode, name: str) -> list[cst.Name]:
    """Loads of `name` in `scope`, in source order."""
    found: list[cst.Name] = []

    class Reads(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if node is not scope and isinstance(node, _SCOPE_NODES):
                return not _binds_parameter(node, name)
            if isinstance(node, cst.Name) and node.value == name and _is_load(plan, node):
                found.append(node)
            return True

    walk(scope, Reads())
    return found


def _assignments(scope: cst.CSTNode, name: str) -> list[cst.BaseExpression]:
    """Values of `name = value` directly in `scope` (not in nested functions)."""
    found: list[cst.BaseExpression] = []

    class Assignments(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if node is not scope and isinstance(node, _SCOPE_NODES):
                return False
            if isinstance(node, cst.Assign) and any(
                isinstance(t.target, cst.Name) and t.target.value == name for t in node.targets
            ):
                found.append(node.value)
            elif (
                isinstance(node, cst.AnnAssign)
                and isinstance(node.target, cst.Name)
                and node.target.value == name
                and node.value is not None
            ):
                found.append(node.value)
            return True

    walk(scope, Assignments())
    return found
