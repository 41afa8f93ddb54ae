"""`--route FAMILY=PROVIDER`: the calls of one endpoint family go to a second provider.

For every call of a routed family whose client is tied to a constructor of this file
(`client = OpenAI()` at module level or in a function, `self.client = AsyncOpenAI()`),
a second client is made right after that constructor, in the same scope, with the route
provider's key variable and compatible endpoint, under a name nothing in the file uses
(`embeddings_client`, `self.embeddings_client`); the call's receiver becomes that name.
The class is the original's (`OpenAI` / `AsyncOpenAI`, as the code spells it), so the
second client is sync or async as the first. Its other constructor arguments (timeouts,
retries, an http_client) are not copied: they may be tuned to the first host.

The decision is recorded in `plan.analyses[ROUTED]` (call node -> Route), read by
`Plan.routed` / `Plan.mapping_for`: the model and parameter fixers then apply the ROUTE
provider's tables to those calls (`as_route`), and the endpoint fixer does not mark them.

A call that cannot be tied to a constructor here (a client handed in as a parameter, one
another module builds, the v1 module client, a receiver that is not the constructor's
target, an Azure client) is left on the target and marked (MIG171) with what to do.
Under `--strategy native` the routed family keeps the openai SDK at the route provider's
compatible endpoint (a second openai client), so the response shapes the code reads stay
openai's; the first client becomes the SDK's as usual.

Rules:
  MIG170 family routed: a second client made here (key variable, endpoint)
  MIG171 a call of a routed family whose client cannot be tied: left, marked
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import libcst as cst
from migrator.codemods._edit import env_read, string_literal
from migrator.codemods._scope import assigned_alone
from migrator.codemods.policy.endpoints import call_retargeted, client_kept
from migrator.codemods.policy.keys import key_read

from migrator.inventory import CallSite, ClientSite
from migrator.rewrite import ROUTED, Plan
from migrator.routes import Route
from migrator.source import code_of
from migrator.walk import walk


def fix_routes(plan: Plan) -> None:
    if not plan.options.routes:
        return
    routed: dict[cst.CSTNode, Route] = plan.analyses.setdefault(ROUTED, {})
    names: dict[tuple[str, str], str] = {}  # (constructor's target, family) -> new name
    made: set[tuple[cst.CSTNode, str]] = set()  # (constructor, family)
    identifiers = _names_in(plan.module)
    taken = {"name": set(identifiers), "attribute": set(identifiers)}
    for call in plan.inventory.calls:
        route = plan.options.route_for(call.family)
        if route is None or not call_retargeted(plan, call):
            continue  # a call whose client stays where it points keeps it, routed or not
        v0 = _v0_routed(plan, call)
        if v0 is not None:  # the v0 upgrade put it on a client of the route provider
            routed[call.node] = v0
            continue
        tie = _tie(plan, call)
        if isinstance(tie, str):
            _leave(plan, call, route, tie)
            continue
        receiver, target, sites = tie
        if target is None:  # `OpenAI().embeddings.create(...)`: the route's client there
            own = _constructor(plan, sites[0], route)
            plan.replace(receiver, lambda _n, new=own: new, "MIG170")
            _report(plan, sites[0], route, f"`{code_of(receiver)}`", "a client of its own")
            routed[call.node] = route
            continue
        key = (code_of(target), route.family)
        name = names.get(key)
        if name is None:
            space = taken["attribute" if isinstance(target, cst.Attribute) else "name"]
            name = _fresh_name(_last_name(target), route.family, space)
            space.add(name)
            names[key] = name
        for site in sites:  # every constructor assigning that name here: every path has it
            if (site.node, route.family) not in made:
                made.add((site.node, route.family))
                _make_client(plan, site, target, name, route)
        new_receiver = _renamed(target, name)
        plan.replace(receiver, lambda _n, new=new_receiver: new, "MIG170")
        routed[call.node] = route


@contextmanager
def as_route(plan: Plan, route: Route | None) -> Iterator[None]:
    """Run target-level code for a routed call: `Plan.target` and `Plan.mapping` are the
    route provider's meanwhile (the same swap as native's `as_compat`). No-op for None."""
    if route is None:
        yield
        return
    with plan.targeting(route.mapping, route.endpoint):
        yield


def split_by_route(plan: Plan) -> list[tuple[Route | None, list[CallSite]]]:
    """The file's calls by the route they were moved onto (None: the target's), for
    call-level fixers run once per group (parameters.py, parameter_mapping.py)."""
    groups: dict[str, tuple[Route | None, list[CallSite]]] = {"": (None, [])}
    for call in plan.inventory.calls:
        route = plan.routed(call)
        key = route.family if route is not None else ""
        groups.setdefault(key, (route, []))[1].append(call)
    return list(groups.values())


def _v0_routed(plan: Plan, call: CallSite) -> Route | None:
    if call.style != "v0":
        return None
    from migrator.codemods.v0.calls import upgraded_calls

    upgraded = upgraded_calls(plan)
    return upgraded.routed.get(call.node) if upgraded is not None else None


# -- tying a call to its constructor -------------------------------------------------------
def _tie(
    plan: Plan, call: CallSite
) -> tuple[cst.BaseExpression, cst.BaseExpression | None, list[ClientSite]] | str:
    """(the call's receiver, the constructor's assignment target, every constructor that
    assigns that target in its scope) or why the call cannot be tied to a client made
    here. The target is None for a constructor that is itself the receiver
    (`OpenAI().embeddings.create(...)`)."""
    if call.style != "v1":
        return "is the v0 module API (rerun with --upgrade-v0 to move it to a client)"
    site = call.client
    if site is None:
        if call.module_client:
            return "is the openai module's own client (make a client for it)"
        return "is built elsewhere (a parameter, another module)"
    if site.is_azure and plan.target.client == "azure":
        return "is an Azure client of an Azure target"
    if site.node in plan.clients_left:
        return "is left as it is"
    receiver = _receiver(call)
    if receiver is None:
        return "is reached through an expression migrator cannot rewrite"
    if receiver is site.node:
        return receiver, None, [site]
    target = _assigned_to(plan, site)
    if target is None:
        return "is made where a second client cannot stand next to it (`with`, an expression)"
    if code_of(receiver) != code_of(target) and not _alias(plan, call, receiver, target, site):
        return "is reached through a name migrator cannot tie to its constructor"
    elsewhere = _assigned_elsewhere(plan, target, site)
    if elsewhere is not None:
        return (
            f"may be another object: `{code_of(target)}` is also assigned on line {elsewhere} "
            "(a second client made next to the constructor would not follow it)"
        )
    scope = _scope_of(plan, site.node)
    sites = []
    for other in plan.inventory.clients:
        assigned = _assigned_to(plan, other)
        if assigned is None or code_of(assigned) != code_of(target):
            continue
        if _scope_of(plan, other.node) is not scope:
            continue
        if other.node in plan.clients_left or client_kept(plan, other):
            return "may also be another client that is not migrated"
        sites.append(other)
    return receiver, target, sites


def _assigned_elsewhere(plan: Plan, target: cst.BaseExpression, site: ClientSite) -> int | None:
    """The line of an assignment to `target`'s spelling that is not a client constructor
    (`self.client = client`, `client = make()`, `for client in ...`): for an attribute
    anywhere in the file, for a plain name in the constructor's scope (another function's
    parameter or local of that name is another variable; a `global` one counts)."""
    wanted = code_of(target)
    constructors = {site.node for site in plan.inventory.clients}
    found: list[cst.CSTNode] = []

    class Assignments(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            if node.value not in constructors:
                found.extend(t.target for t in node.targets if code_of(t.target) == wanted)

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            if node.value is not None and node.value not in constructors:
                if code_of(node.target) == wanted:
                    found.append(node.target)

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            if code_of(node.target) == wanted:
                found.append(node.target)

        def visit_For(self, node: cst.For) -> None:
            if wanted in code_of(node.target):
                found.append(node.target)

        def visit_AsName(self, node: cst.AsName) -> None:
            if code_of(node.name) == wanted:
                found.append(node.name)

        def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
            if code_of(node.target) == wanted:
                found.append(node.target)

        def visit_Param(self, node: cst.Param) -> None:
            if node.name.value == wanted:
                found.append(node.name)

    walk(plan.module, Assignments())
    if isinstance(target, cst.Name):
        scope = _scope_of(plan, site.node)
        found = [n for n in found if _scope_of(plan, n) is scope or _declares_global(plan, n)]
    return min((plan.line_of(node) for node in found), default=None)


def _declares_global(plan: Plan, node: cst.CSTNode) -> bool:
    """Does the function holding `node` declare its name `global`?"""
    function = _scope_of(plan, node)
    if not isinstance(function, cst.FunctionDef) or not isinstance(node, cst.Name):
        return False
    found = False

    class Globals(cst.CSTVisitor):
        def visit_Global(self, declared: cst.Global) -> None:
            nonlocal found
            found = found or any(item.name.value == node.value for item in declared.names)

    walk(function, Globals())
    return found


def _alias(
    plan: Plan,
    call: CallSite,
    receiver: cst.BaseExpression,
    target: cst.BaseExpression,
    site: ClientSite,
) -> bool:
    """`other = client; other.embeddings.create(...)`: the inventory traced the name to
    this constructor, whose (fresh) second client is visible at the call: the constructor
    assigns a plain name in a scope that encloses the call."""
    if not (isinstance(receiver, cst.Name) and isinstance(target, cst.Name)):
        return False
    scope = _scope_of(plan, site.node)
    if isinstance(scope, cst.ClassDef):
        return False  # class attributes are not visible as plain names in methods
    current: cst.CSTNode | None = call.node
    while current is not None:
        if current is scope:
            return True
        current = plan.parent_of(current)
    return False


def _receiver(call: CallSite) -> cst.BaseExpression | None:
    """`client` in `client.embeddings.create(...)`: the object before the family path
    (the outermost attribute named like the path's first part holds it)."""
    first = call.api.split(".")[0]
    node: cst.BaseExpression = call.node.func
    while isinstance(node, cst.Attribute):
        if node.attr.value == first:
            return node.value
        node = node.value
    return None


def _assigned_to(plan: Plan, site: ClientSite) -> cst.BaseExpression | None:
    """`client` / `self.client` in `client = OpenAI(...)`: a plain statement of its own."""
    found = assigned_alone(plan, site.node)
    target = found[1] if found is not None else None
    if isinstance(target, cst.Name):
        return target
    if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
        return target  # self.client
    return None


def _scope_of(plan: Plan, node: cst.CSTNode) -> cst.CSTNode:
    current = plan.parent_of(node)
    while current is not None and not isinstance(
        current, (cst.FunctionDef, cst.ClassDef, cst.Module)
    ):
        current = plan.parent_of(current)
    return current if current is not None else plan.module


# -- the second client ---------------------------------------------------------------------
def endpoint_arguments(plan: Plan, route: Route, at: cst.CSTNode | None) -> tuple[str, str]:
    """The route provider's key read and endpoint, as code at `at` (the v0 upgrade's
    routed clients take them too)."""
    endpoint = route.endpoint
    key = key_read(plan, endpoint.key_env, at=at)
    if endpoint.base_url:
        url: cst.BaseExpression = string_literal(endpoint.base_url)
    else:
        assert endpoint.base_url_env, f"{route.mapping.id}: no base_url nor base_url_env"
        url = env_read(plan, endpoint.base_url_env, at=at)
    return code_of(key), code_of(url)


def _constructor(plan: Plan, site: ClientSite, route: Route) -> cst.Call:
    """`OpenAI(api_key=<route key>, base_url=<route endpoint>)`, with the original's class
    as the code spells it (`OpenAI`, `openai.AsyncOpenAI`)."""
    key_code, url_code = endpoint_arguments(plan, route, site.node)
    key, url = cst.parse_expression(key_code), cst.parse_expression(url_code)
    return cst.Call(
        func=_plain_class(plan, site),
        args=[
            cst.Arg(key, keyword=cst.Name("api_key"), equal=_EQUAL, comma=_COMMA),
            cst.Arg(url, keyword=cst.Name("base_url"), equal=_EQUAL),
        ],
    )


def _plain_class(plan: Plan, site: ClientSite) -> cst.BaseExpression:
    """The original's class; an Azure one's plain counterpart (the client fixer makes the
    original plain too), spelled the same way (`AzureOpenAI` -> `OpenAI`, imported;
    `openai.AsyncAzureOpenAI` -> `openai.AsyncOpenAI`)."""
    func = site.node.func.deep_clone()
    if not site.is_azure:
        return func
    plain = "AsyncOpenAI" if site.is_async else "OpenAI"
    if isinstance(func, cst.Attribute):
        return func.with_changes(attr=cst.Name(plain))
    plan.add_import("openai", plain)
    return cst.Name(plain)


_EQUAL = cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))
_COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _make_client(
    plan: Plan, site: ClientSite, target: cst.BaseExpression, name: str, route: Route
) -> None:
    new_target = code_of(_renamed(target, name))
    source = f"{new_target} = {code_of(_constructor(plan, site, route))}"
    statement = plan.statement_of(site.node)
    if plan.insert_after_statement(statement, [source], "MIG170"):
        _report(plan, site, route, f"`{code_of(target)}`", f"`{new_target}`")


def _report(plan: Plan, site: ClientSite, route: Route, of: str, through: str) -> None:
    endpoint = route.endpoint
    plan.finding(
        "MIG170",
        f"{route.family} calls of {of} go to {route.mapping.name} through {through} "
        f"(key {endpoint.key_env}, {endpoint.base_url or '$' + str(endpoint.base_url_env)}); "
        f"set {endpoint.key_env} too",
        node=site.node,
    )


def _leave(plan: Plan, call: CallSite, route: Route, why: str) -> None:
    endpoint = route.endpoint
    where = endpoint.base_url or f"${endpoint.base_url_env}"
    plan.mark(
        call.node,
        "MIG171",
        f"{call.api}: {route.family} is routed to {route.mapping.name}, but this call's "
        f"client {why}: it stays on {plan.mapping.name}, which has no {route.family} "
        f"endpoint; give it a client with base_url={where} and the key in "
        f"{endpoint.key_env}, and one of its models",
        short=f"{call.api}: route to {route.mapping.id} by hand: its client {why}",
    )


def _last_name(target: cst.BaseExpression) -> str:
    if isinstance(target, cst.Attribute):
        return target.attr.value
    assert isinstance(target, cst.Name)
    return target.value


def _renamed(target: cst.BaseExpression, name: str) -> cst.BaseExpression:
    if isinstance(target, cst.Attribute):
        return target.with_changes(attr=cst.Name(name))
    return cst.Name(name)


def _fresh_name(original: str, family: str, taken: set[str]) -> str:
    """`client` -> `embeddings_client`, `_client` -> `_embeddings_client`, `llm_client`
    -> `llm_embeddings_client`, `oai` -> `oai_embeddings`; a suffix where that is taken."""
    bare = original.lstrip("_")
    prefix = original[: len(original) - len(bare)]
    if bare == "client":
        base = f"{prefix}{family}_client"
    elif bare.endswith("_client"):
        base = f"{prefix}{bare[: -len('_client')]}_{family}_client"
    else:
        base = f"{original}_{family}"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    return name


def _names_in(module: cst.Module) -> set[str]:
    """Every identifier of the file (names and attribute names): a new one must differ."""
    found: set[str] = set()

    class Names(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            found.add(node.value)

    walk(module, Names())
    return found
