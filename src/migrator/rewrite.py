"""The rewrite engine: inventory + mapping -> planned edits -> new source, diff, findings.

Fixers (codemods/, one per file, run in registry order) never walk the tree
themselves: they read the inventory's sites and record edits on a `Plan`, keyed by
the identity of the original node. One transformer then applies every edit in a
single pass, so fixers compose (a call can get its model renamed by one fixer and a
parameter dropped by another) and bytes outside edited nodes stay as they were.

What cannot be rewritten safely is left as it is, marked with a one-line
`# migrator: MIGxxx reason` comment above its statement, and reported as a finding.
A `# migrator: ignore[MIGxxx]` comment on a line suppresses that rule there.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import libcst as cst
from libcst.metadata import PositionProvider

from migrator.constants import ConstantEdit
from migrator.cross_module import Notice
from migrator.form_feeds import restore_unchanged_lines, without_indent_form_feeds
from migrator.import_edits import (
    NamesInUse,
    add_imports,
    insert_statements,
    remove_unused_imports,
)
from migrator.import_place import ImportItem, place_imports
from migrator.inventory import CallSite, Inventory, build_inventory
from migrator.model import Category, FileResult, Finding, Severity
from migrator.options import RewriteOptions
from migrator.positions import module_code
from migrator.rules import RULES
from migrator.source import output_syntax_error, parse_source
from migrator.suppression import Suppressions
from migrator.walk import walk

if TYPE_CHECKING:
    from migrator.mapping import Mapping
    from migrator.mapping_types import Compat
    from migrator.routes import Route
    from migrator.strategy import Endpoint

MARKER_PREFIX = "# migrator:"
# Plan.analyses key: `(plan, call) -> bool`, whether a call stays on the compatible
# endpoint under a strategy that targets something else (see Plan.mapping_for).
STAYS_COMPAT = "stays-compat"
# Plan.analyses key: call node -> Route, the calls the route fixer moved onto a second
# client (codemods/routes.py; see Plan.routed).
ROUTED = "routed"

Edit = Callable[[Any], Any]


@dataclass
class Plan:
    """Edits and findings for one file, recorded by fixers and applied once."""

    path: str
    module: cst.Module
    inventory: Inventory
    options: RewriteOptions
    wrapper: cst.MetadataWrapper
    edits: dict[cst.CSTNode, list[Edit]] = field(default_factory=dict)
    markers: dict[cst.CSTNode, list[str]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    imports_to_add: list[ImportItem] = field(default_factory=list)
    # Imports that stand where the openai import stood (import_place.py; native only).
    imports_in_place: list[ImportItem] = field(default_factory=list)
    imports_to_remove: list[tuple[str, str | None]] = field(default_factory=list)
    statements_after_imports: list[str] = field(default_factory=list)
    # For other files of the run: constant edits, facts about what this file defines.
    requests: list[ConstantEdit | Notice] = field(default_factory=list)
    # Calls whose model the model fixer left although the mapping has a target for it (code
    # also tests the value): the parameter fixer must not tailor them to that target.
    models_left: set[cst.Call] = field(default_factory=set)
    edit_count: int = 0
    # OpenAI variables whose reads this file's rewrite renamed / left (implicit reads of
    # OPENAI_API_KEY by a client without api_key= count): env templates follow them.
    renamed_env: set[str] = field(default_factory=set)
    kept_env: set[str] = field(default_factory=set)
    # Packages the rewritten code now imports (a llama_index OpenAI-like class): PEP 508
    # requirement, and the packages a dependency list names when it can take it.
    packages: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)
    # Per-file analyses more than one fixer reads, computed once (by name).
    analyses: dict[str, Any] = field(default_factory=dict)
    # Client constructors the client fixer left as they are for a reason of its own (a
    # `**` mapping that may hold the endpoint): the fixers after it keep their calls too.
    clients_left: set[cst.CSTNode] = field(default_factory=set)
    # The text libcst parsed, when the caller has it: `code` is then free instead of a
    # rendering of the whole tree (libcst gives back exactly the text it parsed).
    source_text: str | None = None

    @functools.cached_property
    def _suppressions(self) -> Suppressions:
        # On first use: reading the comments renders the module, which a file without
        # usages (most files a run parses) never needs.
        return Suppressions.of_source(self.code, self.options.ignore)

    @functools.cached_property
    def mapping(self) -> Mapping:
        """The mapping as the strategy's fixers read it (the native strategy's parameter
        rules and endpoint families are its SDK's)."""
        view = self.options.strategy.mapping_view
        return view(self.options.mapping) if view is not None else self.options.mapping

    def route_for(self, family: str) -> Route | None:
        """The route for an endpoint family (`--route embeddings=qwen`), or None.

        For fixers of wrapper classes and config files: `route.mapping` is the provider
        whose models and parameter rules apply to that family, `route.endpoint` its
        compatible endpoint (key_env, base_url). E.g. `OpenAIEmbeddings` under a DeepSeek
        target with `route_for("embeddings")` set belongs to the route's provider. This
        is the user's request; whether a given SDK call was moved is `routed(call)`."""
        return self.options.route_for(family)

    def routed(self, call: CallSite) -> Route | None:
        """The route `call` was moved onto (its client tied to a constructor here and a
        second client made for the family), or None: the call follows the target."""
        table: dict[cst.CSTNode, Route] = self.analyses.get(ROUTED, {})
        return table.get(call.node)

    def mapping_for(self, call: CallSite) -> Mapping:
        """The mapping whose rules apply to `call`: the route provider's for a routed call
        (see `routed`), the strategy's view of the target's otherwise, unless the call
        stays on the compatible endpoint (a strategy's fallback, which registers its test
        under STAYS_COMPAT), where compat's rules apply."""
        route = self.routed(call)
        if route is not None:
            return route.mapping
        stays = self.analyses.get(STAYS_COMPAT)
        if stays is not None and stays(self, call):
            return self.options.mapping
        return self.mapping

    @functools.cached_property
    def target(self) -> Endpoint:
        """The endpoint the strategy points migrated code at (key variable, base URL...)."""
        return self.options.strategy.endpoint(self.options.mapping)

    @contextlib.contextmanager
    def targeting(self, mapping: Mapping, endpoint: Endpoint | Compat) -> Iterator[None]:
        """Run target-level code as if `mapping` / `endpoint` were the target: `target`
        and `mapping` (cached per plan) are swapped meanwhile. Native runs compat code for
        the clients that stay compat (`as_compat`), routes the route provider's
        (`as_route`), with the fixers unchanged."""
        saved = {key: self.__dict__.get(key) for key in ("target", "mapping")}
        self.__dict__["target"] = endpoint
        self.__dict__["mapping"] = mapping
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    self.__dict__.pop(key, None)
                else:
                    self.__dict__[key] = value

    @functools.cached_property
    def code(self) -> str:
        """The module's source text (rendering it walks the whole tree: do it once)."""
        return self.source_text if self.source_text is not None else self.module.code

    @functools.cached_property
    def _positions(self) -> Any:
        # Resolved on first use: a file whose fixers record nothing never needs it.
        return self.wrapper.resolve(PositionProvider)

    @property
    def _parents(self) -> dict[cst.CSTNode, cst.CSTNode]:
        return self.inventory.parents

    # -- positions -------------------------------------------------------------------------
    def line_of(self, node: cst.CSTNode) -> int:
        known = self.inventory.start_of(node)
        if known is not None:  # no PositionProvider pass over the whole module
            return known[0]
        try:
            return self._positions[node].start.line
        except KeyError:
            return 1

    def span_of(self, node: cst.CSTNode) -> tuple[int, int]:
        """First and last line of `node` in the original source (1-based, inclusive)."""
        try:
            where = self._positions[node]
        except KeyError:
            return (1, 1)
        return (where.start.line, where.end.line)

    def statement_of(self, node: cst.CSTNode) -> cst.CSTNode:
        """The statement (simple line or compound) that holds `node`."""
        current: cst.CSTNode = node
        while True:
            parent = self._parents.get(current)
            if parent is None or isinstance(
                current, (cst.SimpleStatementLine, cst.BaseCompoundStatement)
            ):
                return current
            current = parent

    def parent_of(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self._parents.get(node)

    def suppressed(
        self, rule: str, node: cst.CSTNode | None = None, line: int | None = None
    ) -> bool:
        """Is `rule` ignored at `node` (its own line or its statement's first) or `line`?"""
        suppressions = self._suppressions
        if rule in suppressions.ignore:
            return True
        if not suppressions.has_line_comments:
            return False  # (the common case: no need to resolve positions)
        if line is None and node is not None:
            statement = self.statement_of(node)
            return suppressions.suppresses(rule, {self.line_of(node), self.line_of(statement)})
        return line is not None and suppressions.suppresses(rule, (line,))

    # -- recording -------------------------------------------------------------------------
    def replace(self, node: cst.CSTNode, edit: Edit, rule: str) -> bool:
        """Queue `edit(updated_node) -> new_node` for `node`; False when suppressed."""
        if self.suppressed(rule, node):
            return False
        self.edits.setdefault(node, []).append(edit)
        self.edit_count += 1
        return True

    def withdraw_edits_within(self, node: cst.CSTNode) -> int:
        """Drop the edits queued on `node` and on everything inside it: a later fixer found
        that this code must stay whole. Returns how many were dropped."""
        inside: list[cst.CSTNode] = []

        class Collect(cst.CSTVisitor):
            def on_visit(self, visited: cst.CSTNode) -> bool:
                inside.append(visited)
                return True

        walk(node, Collect())
        dropped = sum(len(self.edits.pop(n, ())) for n in inside)
        self.edit_count -= dropped
        return dropped

    def request(self, edit: ConstantEdit | Notice) -> None:
        """Ask for an edit in a constant another file of the run defines, or tell a file
        that imports from this one what it needs to know (cross_module.py)."""
        if edit not in self.requests:
            self.requests.append(edit)

    def finding(
        self,
        rule: str,
        message: str,
        node: cst.CSTNode | None = None,
        line: int | None = None,
        *,
        severity: Severity | None = None,
        category: Category | None = None,
    ) -> None:
        """Report `rule` at `node` (or `line`). Severity and category are the rule's own
        (rules.RULES) unless the site has a reason to differ (an Azure note is milder)."""
        where = line if line is not None else (self.line_of(node) if node is not None else 1)
        if self.suppressed(rule, node, None if node is not None else where):
            return
        known = RULES[rule]
        finding = Finding(
            rule, severity or known.severity, category or known.category, self.path, where, message
        )
        if finding not in self.findings:
            self.findings.append(finding)

    def mark(
        self,
        node: cst.CSTNode,
        rule: str,
        message: str,
        short: str | None = None,
        *,
        severity: Severity | None = None,
        category: Category | None = None,
        record: bool = True,
    ) -> None:
        """Leave `node` as it is: a marker comment above its statement, and a finding.

        `short` is the comment's text (kept brief: it lives in the user's code); the
        finding carries the full message. `record=False` adds only the comment (the
        caller reported the details as findings of their own)."""
        if self.suppressed(rule, node):
            return
        if record:
            self.finding(rule, message, node=node, severity=severity, category=category)
        statement = self.statement_of(node)
        text = f"{MARKER_PREFIX} {rule} {_one_line(short or message)}"
        try:
            text.encode(self.module.encoding)
        except (UnicodeEncodeError, LookupError):  # the comment must fit the file's encoding
            text = text.replace("—", "-").encode("ascii", "replace").decode("ascii")
        if _has_marker(statement, rule):
            return
        existing = self.markers.setdefault(statement, [])
        if text not in existing:
            existing.append(text)
            self.edit_count += 1

    def add_import(self, module: str, name: str | None = None, alias: str | None = None) -> None:
        item = ImportItem(module, name, alias)
        if item not in self.imports_to_add:
            self.imports_to_add.append(item)

    def add_import_in_place(self, module: str, name: str | None = None) -> None:
        """An import of another SDK, written next to the openai import it replaces."""
        item = ImportItem(module, name, None)
        if item not in self.imports_in_place:
            self.imports_in_place.append(item)

    def remove_import_if_unused(self, module: str, name: str | None = None) -> None:
        self.imports_to_remove.append((module, name))

    def insert_after_imports(self, source: str) -> None:
        if source not in self.statements_after_imports:
            self.statements_after_imports.append(source)
            self.edit_count += 1

    def insert_after_statement(self, statement: cst.CSTNode, sources: list[str], rule: str) -> bool:
        """New statements right after `statement`, in its block and at its indentation
        (libcst renders a statement at the depth of the block that holds it)."""
        new = [cst.parse_statement(src + self.module.default_newline) for src in sources]
        return self.replace(statement, lambda n: cst.FlattenSentinel([n, *new]), rule)


MARKER_WIDTH = 100


def _one_line(text: str) -> str:
    """`text` on one line, cut at a word boundary to at most MARKER_WIDTH characters."""
    words = " ".join(text.split())
    if len(words) <= MARKER_WIDTH:
        return words
    cut = words[: MARKER_WIDTH - 3].rsplit(" ", 1)[0].rstrip(" ,;:—-")
    return cut + "..."


def _has_marker(statement: cst.CSTNode, rule: str) -> bool:
    leading = getattr(statement, "leading_lines", ())
    return any(
        line.comment is not None and line.comment.value.startswith(f"{MARKER_PREFIX} {rule}")
        for line in leading
    )


def _edit_paths(plan: Plan, anchor: cst.CSTNode | None) -> set[int] | None:
    """Identities of the nodes the applier must enter: each edited or marked node and its
    ancestors up to the module. Every other subtree comes back as it was, so it is not
    walked (on a big file the walk is a parse's worth of time). None when a node's way up
    is not known: then everything is walked."""
    parents = plan.inventory.parents
    module = plan.module
    paths: set[int] = set()
    targets = [*plan.edits, *plan.markers, *([anchor] if anchor is not None else [])]
    for node in targets:
        current: cst.CSTNode | None = node
        while current is not None and id(current) not in paths:
            paths.add(id(current))
            if current is module:
                break
            current = parents.get(current)
            if current is None:
                return None
    return paths


class _Applier(cst.CSTTransformer):
    def __init__(self, plan: Plan, anchor: cst.CSTNode | None, inserted: list[cst.CSTNode]) -> None:
        super().__init__()
        self.plan = plan
        self.anchor = anchor
        self.inserted = inserted
        self.paths = _edit_paths(plan, anchor)

    def on_visit(self, node: cst.CSTNode) -> bool:
        return self.paths is None or id(node) in self.paths

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        result: Any = updated_node
        for edit in self.plan.edits.get(original_node, ()):
            result = edit(result)
        markers = self.plan.markers.get(original_node)
        if markers and isinstance(result, cst.FlattenSentinel) and result.nodes:
            # (a statement followed by new ones: the marker belongs above the statement)
            first, *rest = result.nodes
            added = [cst.EmptyLine(comment=cst.Comment(text)) for text in markers]
            first = first.with_changes(leading_lines=[*first.leading_lines, *added])
            result = cst.FlattenSentinel([first, *rest])
        elif markers and hasattr(result, "leading_lines"):
            added = [cst.EmptyLine(comment=cst.Comment(text)) for text in markers]
            result = result.with_changes(leading_lines=[*result.leading_lines, *added])
        if original_node is self.anchor and isinstance(result, cst.SimpleStatementLine):
            # New settings join the block they belong to: right above the first existing
            # one, which hands them its leading blank lines and comments.
            first, *rest = self.inserted
            first = first.with_changes(leading_lines=result.leading_lines)
            return cst.FlattenSentinel([first, *rest, result.with_changes(leading_lines=[])])
        return result


# Module settings that stay in place (organization/project may be removed).
_ANCHOR_SETTINGS = frozenset(
    {"api_key", "api_base", "base_url", "api_type", "api_version", "azure_endpoint"}
)


def settings_anchor(plan: Plan) -> cst.CSTNode | None:
    """The first top-level `openai.<setting> = ...` statement, where new settings go."""
    for site in sorted(plan.inventory.configs, key=lambda c: plan.line_of(c.node)):
        if site.setting not in _ANCHOR_SETTINGS:
            continue
        statement = plan.statement_of(site.node)
        if isinstance(statement, cst.SimpleStatementLine) and isinstance(
            plan.parent_of(statement), cst.Module
        ):
            return statement
    return None


def rewrite_module(
    module: cst.Module, path: str, options: RewriteOptions, parsed: bytes | None = None
) -> tuple[cst.Module, Plan]:
    """Plan and apply every fixer to one parsed module (`parsed`: the bytes it was parsed
    from, when known)."""
    wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True)
    inventory = build_inventory(wrapper, path, options.constants, options.classes)
    plan = Plan(path, wrapper.module, inventory, options, wrapper)
    if parsed is not None:
        plan.source_text = parsed.decode(module.encoding)
    if not (inventory.usages() or options.constant_edits or options.notices):
        return module, plan
    for fixer in options.strategy.fixers:
        fixer(plan)
    inserted = [
        cst.parse_statement(src + module.default_newline) for src in plan.statements_after_imports
    ]
    anchor = settings_anchor(plan) if inserted else None
    new = wrapper.module.visit(_Applier(plan, anchor, inserted))
    if inserted and anchor is None:
        new = insert_statements(new, inserted)
    if plan.imports_to_add or plan.imports_to_remove or plan.imports_in_place:
        # Names used outside imports: adding or removing imports does not change them.
        in_use = NamesInUse()
        walk(new, in_use)
        heirs: set[int] = set()
        if plan.imports_to_add:
            new = add_imports(new, plan.imports_to_add, in_use.names)
        if plan.imports_in_place:
            # Last before the removals: `heirs` are identities of statements of this body.
            new, unplaced, heirs = place_imports(new, plan.imports_in_place, in_use.names)
            if unplaced:
                new = add_imports(new, unplaced, in_use.names)
                heirs = set()
        if plan.imports_to_remove:
            new = remove_unused_imports(new, plan.imports_to_remove, in_use.names, heirs)
    return new, plan


def rewrite_job(rel: str, data: bytes, options: RewriteOptions) -> FileResult:
    """Worker entry point: one file in, its diff material and findings out."""
    module, error = parse_source(data, rel)
    if module is None:
        assert error is not None
        return FileResult(rel, errors=[error])
    parsed = without_indent_form_feeds(data)  # what parse_source gave libcst
    new_module, plan = rewrite_module(module, rel, options, parsed or data)
    result = FileResult(
        rel,
        usages=plan.inventory.usages(),
        findings=sorted(plan.findings, key=Finding.sort_key),
        requests=plan.requests,
        renamed_env=sorted(plan.renamed_env),
        kept_env=sorted(plan.kept_env),
        packages=sorted(plan.packages),
    )
    if options.call_facts:
        from migrator.callfacts import call_facts

        result.call_facts = call_facts(plan)
    if new_module is module:
        _note_main_reads(result, rel, data, options)
        return result  # nothing was edited: rendering it would give back `data`
    generated = (plan.inventory.starts, plan.inventory.any_start)
    new_bytes = module_code(new_module, generated).encode(new_module.encoding)
    if parsed is not None:
        # (first: libcst printed `parsed`, line for line; the tail below is `data`'s own)
        new_bytes = restore_unchanged_lines(data, parsed, new_bytes)
    new_bytes = _with_ending_of(data, new_bytes, new_module.encoding)
    if new_bytes != data:
        # Never hand back code that does not parse: report it as our bug instead.
        check = output_syntax_error(new_bytes, rel)
        if check is not None:
            result.errors.append(
                type(check)(
                    rel, check.line, f"internal error: rewrite does not parse: {check.message}"
                )
            )
            return result
        result.old_source = data
        result.new_source = new_bytes
        result.edits = plan.edit_count
    _note_main_reads(result, rel, data, options)
    return result


def _note_main_reads(result: FileResult, rel: str, data: bytes, options: RewriteOptions) -> None:
    """The variables a module that may run as a script reads after the rewrite, for the
    checklist's smoke-run item (which otherwise parses each such module again: 40 ms on
    the 10,000-file tree's 23). Only when call facts are asked for: a cached run."""
    if options.call_facts and rel.endswith(".py") and b"__main__" in data:
        from migrator.ast_env_reads import file_reads

        result.main_reads = file_reads(rel, result.new_source or data)


_BLANKS = b" \t\f\v\r\n"


def _with_ending_of(old: bytes, new: bytes, encoding: str) -> bytes:
    """`new` ending as `old` did: the lines after the last line of code (blank lines and
    comments alone on their line) come back byte for byte, from the last code line's own
    line end on. libcst does not always print them as it read them: whitespace-only lines
    lose their blanks (`"x = 1\n   \n\t\n"`), and a blank line above an indented comment
    at the end of the file is dropped (`"x\n\n  # c\n"` comes back as `"x\n  # c\n"`,
    libcst 1.9). No edit goes there: markers and new statements go above or among code."""
    if encoding.lower().replace("-", "").replace("_", "").startswith(("utf16", "utf32")):
        return new  # not ASCII-compatible: bytes cannot be read as lines
    return new[: _end_of_code(new)] + old[_end_of_code(old) :]


def _end_of_code(data: bytes) -> int:
    """The offset where the last line holding code ends (before its line end); 0 when no
    line does. A line inside a string cannot be last: the line closing the string is
    code. A lone backslash only joins the (blank or comment) line below it."""
    end = len(data)
    for line in reversed(data.splitlines(keepends=True)):
        text = line.strip(_BLANKS)
        if text and not text.startswith(b"#") and text != b"\\":
            return end - len(line) + len(line.rstrip(b"\r\n"))
        end -= len(line)
    return 0
