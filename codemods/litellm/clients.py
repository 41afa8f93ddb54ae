"""The clients of a file, once its calls moved to LiteLLM.

LiteLLM has no client object: each call carries its key and base. A client that compat
points at the provider serves LiteLLM's calls no more, so:

- a client bound by a whole statement (`client = OpenAI(...)`, `self.client = ...`) whose
  name the file reads nowhere but in moved calls, and that no other module imports, is
  removed with its statement (MIG182);
- a client still read elsewhere (a call LiteLLM does not cover: images, files, the
  Responses API...; `client.close()`; another module importing it) stays, retargeted as
  compat retargets it, and is marked with what keeps it (MIG183);
- a client built at a module's top level tells the modules of the run importing it that
  calls through it may move (`ImportedClient`, read by `_common.why_not_moved` there).

Rules:
  MIG182 client removed: no call needs it after the move to LiteLLM (edit)
  MIG183 client kept: something LiteLLM's calls do not replace still reads it
"""

from __future__ import annotations

import libcst as cst
from migrator.codemods._scope import assigned_alone
from migrator.codemods.litellm._common import client_expression, moved_calls
from migrator.codemods.native._imports import qualified_of
from migrator.codemods.policy.endpoints import client_kept

from migrator.constants import module_of
from migrator.cross_module import ImportedClient, importers_of
from migrator.inventory import ClientSite
from migrator.rewrite import Plan
from migrator.source import code_of
from migrator.walk import walk

# What compat's client fixer says about a client's own settings (client_endpoint.py); a
# relay (MIG502) or an OpenAI key read elsewhere (MIG507) stay worth knowing.
CLIENT_RULES = frozenset(
    {"MIG100", "MIG101", "MIG102", "MIG103", "MIG104", "MIG105", "MIG106", "MIG107", "MIG108",
     "MIG500"}
)  # fmt: skip


def fix_litellm_clients(plan: Plan) -> None:
    moved = moved_calls(plan)
    _imported_clients(plan, moved)
    for site in plan.inventory.clients:
        if client_kept(plan, site):
            continue  # compat leaves it: so do its calls (MIG181 says so)
        binding = _binding(plan, site)
        readers = _tell_importers(plan, site, binding)
        served = any(c.client is site and c.node in moved for c in plan.inventory.calls)
        if binding is None:
            if served:
                plan.mark(
                    site.node,
                    "MIG183",
                    f"{site.class_name} is not bound by a statement of its own; the calls "
                    "through it moved to LiteLLM: remove it where nothing else needs it",
                    "client kept: its calls moved to LiteLLM; remove it if nothing else needs it",
                )
            continue
        statement, held = binding
        uses = _other_uses(plan, statement, held, moved)
        if served and not uses and not readers:
            plan.withdraw_edits_within(statement)
            plan.replace(statement, lambda _: cst.RemovalSentinel.REMOVE, "MIG182")
            _keep_spacing(plan, statement)
            _forget_client_findings(plan, site)
            plan.finding(
                "MIG182",
                f"{held} = {site.class_name}(...) removed: every call through it now goes "
                "through LiteLLM",
                node=site.node,
            )
            if isinstance(site.node.func, cst.Name):
                plan.remove_import_if_unused("openai", site.node.func.value)
            else:
                plan.remove_import_if_unused("openai")
            continue
        if not served and (not uses or not moved):  # (`moved` holds this file's calls only)
            # It served no call that moved (none at all, or nothing moved in this file):
            # it is compat's client, nothing to say. (Importers were told it is OpenAI's.)
            continue
        what = [f"line {plan.line_of(node)} ({_short(plan, node)})" for node in uses[:3]]
        if readers:
            what.append(f"{', '.join(readers)} import{'s' if len(readers) == 1 else ''} it")
        plan.mark(
            site.node,
            "MIG183",
            f"{held} stays an openai client at {plan.mapping.name}'s compatible endpoint: "
            f"LiteLLM's calls do not replace what reads it: {'; '.join(what)}",
            f"client kept for what LiteLLM's calls do not replace: {'; '.join(what)}",
        )


def _binding(plan: Plan, site: ClientSite) -> tuple[cst.SimpleStatementLine, str] | None:
    """(statement, what it binds: `client`, `self.client`) for `x = OpenAI(...)` as a
    statement of its own."""
    found = assigned_alone(plan, site.node)
    if found is None or not isinstance(found[1], (cst.Name, cst.Attribute)):
        return None
    return found[0], code_of(found[1])


def _other_uses(
    plan: Plan, statement: cst.CSTNode, held: str, moved: dict[cst.CSTNode, str]
) -> list[cst.CSTNode]:
    """Where the file reads `held` (`client`, `self.client`) other than as the receiver of
    a moved call or the statement binding it. Conservative: any expression spelled the
    same, anywhere in the file, counts (a local of the same name in another function
    keeps the client: a harmless miss)."""
    receivers = set()
    for call in plan.inventory.calls:
        if call.node in moved:
            receiver = client_expression(call)
            if receiver is not None:
                receivers.add(receiver)
    found: list[cst.CSTNode] = []

    class Reads(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if node is statement or node in receivers:
                return False
            if isinstance(node, (cst.Name, cst.Attribute)) and code_of(node) == held:
                found.append(node)
                return False
            if isinstance(node, cst.Attribute):
                node.value.visit(self)  # (its attribute name is no read of a variable)
                return False
            return True

    walk(plan.module, Reads())
    return found


def _short(plan: Plan, node: cst.CSTNode) -> str:
    """What reads the client: `client.images.generate`, `self.client.close` (the attribute
    chain up to the call, without its arguments)."""
    current = node
    parent = plan.parent_of(current)
    while isinstance(parent, cst.Attribute) and parent.value is current:
        current, parent = parent, plan.parent_of(parent)
    return code_of(current)


def _tell_importers(
    plan: Plan, site: ClientSite, binding: tuple[cst.SimpleStatementLine, str] | None
) -> tuple[str, ...]:
    """Tell the modules importing a top-level client that its calls may move; the files
    that import it."""
    if binding is None or plan.parent_of(binding[0]) is not plan.module:
        return ()
    name = binding[1]
    if "." in name:
        return ()
    readers = importers_of(plan.options.importers, name)
    origin = f"{plan.path}:{plan.line_of(site.node)}"
    module = module_of(plan.path)
    for path in readers:
        plan.request(ImportedClient(path, module, name, True, "", origin))
    return readers


def _forget_client_findings(plan: Plan, site: ClientSite) -> None:
    """The compat client fixer's findings about a client that is now removed (its key
    read at import, its base URL...) describe code that no longer exists."""
    first, last = plan.span_of(site.node)
    plan.findings[:] = [
        f for f in plan.findings
        if not (f.id in CLIENT_RULES and first <= f.line <= last)
    ]  # fmt: skip


def _imported_clients(plan: Plan, moved: dict[cst.CSTNode, str]) -> None:
    """`from app.llm import client` whose calls here all moved: the import goes (what a
    LiteLLM user's module looks like), and the files importing this module are named:
    a test that patches `app.chat.client` no longer intercepts the calls (MIG182)."""
    receivers: dict[str, list[cst.CSTNode]] = {}
    for call in plan.inventory.calls:
        receiver = client_expression(call)
        if call.node in moved and isinstance(receiver, cst.Name) and call.client is None:
            qualified = qualified_of(plan, receiver)
            if qualified is not None:
                receivers.setdefault(qualified, []).append(receiver)
    for qualified, nodes in receivers.items():
        module, _, name = qualified.rpartition(".")
        if _reads_besides(plan, name, nodes):
            continue
        plan.remove_import_if_unused(module, name)
        readers = [p for p in importers_of(plan.options.importers, name) if p != plan.path]
        also = (
            f"; {', '.join(readers)} import{'s' if len(readers) == 1 else ''} this module: "
            f"code there that patches `{module_of(plan.path)}.{name}` (a test's fake client) "
            "no longer intercepts these calls — patch litellm.completion / litellm.embedding "
            "(or pass mock_response=) instead"
            if readers
            else ""
        )
        plan.finding(
            "MIG182",
            f"`{name}` (from {module}) is no longer imported here: every call through it "
            f"moved to LiteLLM{also}",
            node=nodes[0],
        )


def _reads_besides(plan: Plan, name: str, receivers: list[cst.CSTNode]) -> bool:
    """Does the file read `name` anywhere but as the receiver of a moved call (or in the
    import that binds it)?"""
    skip = set(receivers)

    class Reads(cst.CSTVisitor):
        found = False

        def visit_Import(self, node: cst.Import) -> bool:
            return False

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            return False

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            walk(node.value, self)
            return False

        def visit_Name(self, node: cst.Name) -> None:
            if node.value == name and node not in skip:
                self.found = True

    reads = Reads()
    walk(plan.module, reads)
    return reads.found


def _keep_spacing(plan: Plan, statement: cst.SimpleStatementLine) -> None:
    """The blank lines above a removed statement stay, with the statement after it (its
    comments go with it: they described the client)."""
    blank = [line for line in statement.leading_lines if line.comment is None]
    parent = plan.parent_of(statement)
    body = getattr(parent, "body", None)
    if not blank or not isinstance(body, (list, tuple)) or statement not in body:
        return
    index = list(body).index(statement)
    if index + 1 >= len(body):
        return
    after = body[index + 1]
    if getattr(after, "leading_lines", None):
        return  # it has its own spacing

    def edit(node: cst.CSTNode) -> cst.CSTNode:
        lines = getattr(node, "leading_lines", None)
        if lines is None or lines:
            return node
        return node.with_changes(leading_lines=blank)

    plan.replace(after, edit, "MIG182")
