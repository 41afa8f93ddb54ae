"""Following client objects: which `OpenAI(...)` an expression evaluates to.

The layer of the inventory's visitor that knows the SDK's names (what each import of
openai or of another SDK binds), records client constructors as `ClientSite`s, and
follows a call's root object back to one: through module globals, locals, class
attributes, `self.<attr>`, parameters annotated with a client class, local factory
functions, `with_options(...)` / `with_raw_response`, `x or OpenAI()`, `await`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import CodeRange, PositionProvider, QualifiedNameSource

from migrator.class_defaults import ProjectClass
from migrator.constants import Constant
from migrator.endpoint_trace import trace_endpoint
from migrator.model import Usage
from migrator.model_trace import ModelTracer
from migrator.positions import Starts
from migrator.scopes import dotted_path
from migrator.sdk_catalogue import (
    CLIENT_CLASSES,
    FOREIGN_ROOTS,
    LOOKALIKE_ROOTS,
    TRANSPARENT_ATTRS,
    TRANSPARENT_CALLS,
)
from migrator.sites import ClientSite, ImportBinding, Inventory
from migrator.value_trace import MAX_DEPTH, BoundValues, keywords, param_names
from migrator.walk import find_all

# Builtins whose result is never a client.
_BUILTIN_CALLS = frozenset(
    {"dict", "list", "set", "tuple", "frozenset", "str", "int", "float", "bool", "bytes",
     "object", "type", "len", "sorted", "reversed", "map", "filter", "zip", "range",
     "enumerate", "open", "print", "repr", "format", "getattr", "vars", "iter", "next"}
)  # fmt: skip


class _NotClient:
    """Marker: the expression is known not to be an OpenAI client."""


_NOT_CLIENT = _NotClient()


@dataclass(frozen=True)
class _AnnotatedClient:
    """A parameter annotated with a client class: SDK usage with no constructor to edit."""

    class_name: str
    is_async: bool


_Resolved = ClientSite | _AnnotatedClient | _NotClient | None


@dataclass
class _Chain:
    """`client.with_options(...).chat.completions.create` split into its root and path."""

    client: ClientSite | None
    segments: list[str]
    weak: bool  # the root could not be proven to be a client
    is_async: bool | None  # None: unknown (decided by `await` at the call)
    root: cst.BaseExpression


class ClientTracer(ModelTracer):
    """The openai (and other SDK) names a module binds, its client constructors, and the
    client each expression resolves to."""

    def __init__(
        self,
        path: str,
        wrapper: cst.MetadataWrapper,
        constants: Mapping[str, Constant] | None = None,
        classes: Mapping[str, ProjectClass] | None = None,
    ) -> None:
        super().__init__(path, wrapper, constants, classes)
        # (any_start generates nothing until a node it alone places is looked up)
        self.inv = Inventory(path, parents=self.parent, any_start=Starts(wrapper.module, None))
        self._positions: Mapping[cst.CSTNode, CodeRange] | None = None
        # local names bound by `import openai...` / `from openai... import ...`, and by
        # imports of other SDKs (FOREIGN_ROOTS); a star import disables the shortcut
        self.openai_names: set[str] = set()
        self.foreign_names: set[str] = set()
        self.lookalike_import = False
        self.imports_openai = False
        self.pending_imports: list[tuple[cst.Import | cst.ImportFrom, str]] = []
        # nodes that may be reported: the only ones whose position is computed up front
        self.reportable: set[cst.CSTNode] = set()
        self.client_cache: dict[cst.Call, ClientSite | None] = {}

    def _pos(self, node: cst.CSTNode) -> tuple[int, int]:
        """1-based line and column where `node` starts (libcst's PositionProvider start)."""
        if not isinstance(self.inv.starts, Starts):  # the first position asked for
            self.inv.starts = Starts(self.wrapper.module, self.reportable)
        found = self.inv.start_of(node)
        if found is not None:
            return found
        if self._positions is None:  # not among the nodes computed up front
            self._positions = self.wrapper.resolve(PositionProvider)
        pos = self._positions[node].start
        return pos.line, pos.column + 1

    def _sdk_names(self, node: cst.CSTNode) -> list[str]:
        """Qualified names of `node` that come from an import of the openai package."""
        if not self._may_bind(node, self.openai_names):
            return []
        return sorted(
            q.name
            for q in self._qnames(node)
            if q.source == QualifiedNameSource.IMPORT
            and (q.name == "openai" or q.name.startswith("openai."))
        )

    def _foreign(self, node: cst.CSTNode) -> bool:
        if not self._may_bind(node, self.foreign_names):
            return False
        return any(
            q.source == QualifiedNameSource.IMPORT and q.name.split(".")[0] in FOREIGN_ROOTS
            for q in self._qnames(node)
        )

    # -- imports ---------------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> None:
        super().visit_Import(node)
        for alias in node.names:
            name = dotted_path(alias.name) or ""
            root = name.split(".")[0]
            bound = alias.evaluated_alias or root
            if root == "openai":
                self.openai_names.add(bound)
                self._record_import(node, name)
                aliased = alias.asname is not None
                self.inv.bindings.append(
                    ImportBinding(node, bound, name, name if aliased else root, aliased)
                )
            elif root in FOREIGN_ROOTS:
                self.foreign_names.add(bound)
                self.lookalike_import = self.lookalike_import or root in LOOKALIKE_ROOTS

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        super().visit_ImportFrom(node)
        module = dotted_path(node.module) if node.module is not None else ""
        if node.relative or not module:
            return
        root = module.split(".")[0]
        self.lookalike_import = self.lookalike_import or root in LOOKALIKE_ROOTS
        if isinstance(node.names, cst.ImportStar):
            if root == "openai":
                self._record_import(node, f"{module}.*")
            return
        if root == "openai":
            self.openai_names.update(a.evaluated_alias or a.evaluated_name for a in node.names)
            for alias in node.names:
                qualified = f"{module}.{dotted_path(alias.name)}"
                self._record_import(node, qualified)
                local = alias.evaluated_alias or alias.evaluated_name
                self.inv.bindings.append(
                    ImportBinding(node, local, qualified, qualified, alias.asname is not None)
                )
        elif root in FOREIGN_ROOTS:
            self.foreign_names.update(a.evaluated_alias or a.evaluated_name for a in node.names)

    def _record_import(self, node: cst.Import | cst.ImportFrom, name: str) -> None:
        self.imports_openai = True
        if not any(n is node for n in self.inv.import_nodes):
            self.inv.import_nodes.append(node)
        self.pending_imports.append((node, name))

    # -- following clients -----------------------------------------------------------------
    def _client_constructor(self, call: cst.Call) -> ClientSite | None:
        if call in self.client_cache:
            return self.client_cache[call]
        site: ClientSite | None = None
        for name in self._sdk_names(call.func):
            if name in CLIENT_CLASSES:
                class_name, is_async, is_azure = CLIENT_CLASSES[name]
                line, col = self._pos(call)
                kwargs = keywords(call)
                base = kwargs.get("base_url") or kwargs.get("azure_endpoint")
                usage = Usage(
                    self.path,
                    line,
                    col,
                    "client",
                    api=class_name,
                    is_async=is_async,
                    params=param_names(call),
                    base_url=self._describe_base_url(base),
                )
                endpoint = trace_endpoint(base, BoundValues(self))
                site = ClientSite(call, class_name, is_async, is_azure, usage, base, endpoint)
                self.inv.clients.append(site)
                break
        self.client_cache[call] = site
        return site

    def _client_chain(self, func: cst.Attribute) -> _Chain | None:
        """Split `client.with_options(...).chat.completions.create` into root and path."""
        segments: list[str] = []
        node: cst.BaseExpression = func
        while True:
            if isinstance(node, cst.Attribute) and self._is_attribute_root(node):
                break
            if isinstance(node, cst.Attribute):
                if node.attr.value not in TRANSPARENT_ATTRS:
                    segments.append(node.attr.value)
                node = node.value
            elif (
                isinstance(node, cst.Call)
                and isinstance(node.func, cst.Attribute)
                and node.func.attr.value in TRANSPARENT_CALLS
            ):
                node = node.func.value
            else:
                break
        segments.reverse()
        if not segments:
            return None
        resolved = self._resolve_client(node, depth=0)
        if isinstance(resolved, _NotClient):
            return None
        if isinstance(resolved, ClientSite):
            return _Chain(resolved, segments, False, resolved.is_async, node)
        if isinstance(resolved, _AnnotatedClient):
            return _Chain(None, segments, False, resolved.is_async, node)
        if self._foreign(node) or self._sdk_names(node):
            return None
        return _Chain(None, segments, True, None, node)

    def _is_attribute_root(self, node: cst.Attribute) -> bool:
        """`self.client` / `cls.client` / `Holder.client`: an attribute that may hold a client."""
        if not isinstance(node.value, cst.Name):
            return False
        owner = node.value.value
        return owner in ("self", "cls") or node.attr.value in self.class_attrs.get(owner, {})

    def _resolve_client(self, node: cst.BaseExpression, depth: int) -> _Resolved:
        """The client an expression evaluates to: a ClientSite, an _AnnotatedClient,
        None when unknown, _NOT_CLIENT when known not to be one."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(node, cst.Call):
            return self._resolve_call(node, depth)
        if isinstance(node, cst.Name):
            return self._resolve_name(node, depth)
        if isinstance(node, cst.Attribute):
            values = self._attribute_values(node)
            if values is None:
                return None
            return self._first_client(values, depth)
        if isinstance(node, cst.IfExp):
            return self._first_client([node.body, node.orelse], depth)
        if isinstance(node, cst.BooleanOperation):
            return self._first_client([node.left, node.right], depth)
        if isinstance(node, cst.Await):
            return self._resolve_client(node.expression, depth + 1)
        return _NOT_CLIENT

    def _first_client(self, values: list[cst.BaseExpression], depth: int) -> _Resolved:
        unknown = False
        for value in values:
            found = self._resolve_client(value, depth + 1)
            if isinstance(found, (ClientSite, _AnnotatedClient)):
                return found
            unknown = unknown or found is None
        return None if unknown else _NOT_CLIENT

    def _resolve_call(self, call: cst.Call, depth: int) -> _Resolved:
        site = self._client_constructor(call)
        if site is not None:
            return site
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value in TRANSPARENT_CALLS:
            return self._resolve_client(func.value, depth + 1)
        if self._foreign(func) or self._sdk_names(func):
            return _NOT_CLIENT  # another library's object, or an SDK call's result
        if not isinstance(func, cst.Name):
            return None  # a method of something: unknown
        bindings = self._bindings(func)
        if not bindings:
            return _NOT_CLIENT if func.value in _BUILTIN_CALLS else None
        unknown = False
        for target in bindings:
            if isinstance(target, cst.FunctionDef):  # `def make_client(): return OpenAI()`
                found = self._first_client(self.returns.get(target, []), depth)
                if isinstance(found, (ClientSite, _AnnotatedClient)):
                    return found
                # `def get_client(provider) -> OpenAI: return clients[provider]`: a client
                # of unknown endpoint, not a non-client (its calls must not go unseen)
                returns = target.returns
                annotated = self._annotated(returns.annotation) if returns is not None else None
                unknown = unknown or found is None or isinstance(annotated, _AnnotatedClient)
            elif not isinstance(target, cst.ClassDef):  # a local class is not the SDK
                unknown = True
        return None if unknown else _NOT_CLIENT

    def _resolve_name(self, node: cst.Name, depth: int) -> _Resolved:
        if self._foreign(node):
            return _NOT_CLIENT
        bindings = self._bindings(node)
        if not bindings:
            return None
        unknown = False
        for target in bindings:
            if isinstance(target, cst.Param):
                if target.annotation is not None:
                    annotated = self._annotated(target.annotation.annotation)
                    if annotated is not None:
                        if isinstance(annotated, _AnnotatedClient):
                            return annotated
                        continue  # annotated with another library's class
                if target.default is not None:
                    found = self._resolve_client(target.default, depth + 1)
                    if isinstance(found, (ClientSite, _AnnotatedClient)):
                        return found
                unknown = True  # the caller decides what it passes
            elif target in self.assigned:
                found = self._resolve_client(self.assigned[target], depth + 1)
                if isinstance(found, (ClientSite, _AnnotatedClient)):
                    return found
                unknown = unknown or found is None
            elif isinstance(target, (cst.FunctionDef, cst.ClassDef)):
                continue
            else:  # a loop variable, an import from elsewhere, ...
                unknown = True
        return None if unknown else _NOT_CLIENT

    def _annotated(self, annotation: cst.BaseExpression) -> _AnnotatedClient | _NotClient | None:
        """`OpenAI`, `OpenAI | None`, `Optional[AsyncOpenAI]` -> the client class; another
        library's class -> _NOT_CLIENT; anything else -> None."""
        foreign = False
        for node in find_all(annotation, (cst.Name, cst.Attribute)):
            for name in self._sdk_names(node):
                if name in CLIENT_CLASSES:
                    class_name, is_async, _ = CLIENT_CLASSES[name]
                    return _AnnotatedClient(class_name, is_async)
            foreign = foreign or self._foreign(node)
        return _NOT_CLIENT if foreign else None

    def _configured_factory(self, root: cst.BaseExpression) -> str | None:
        """`client = get_openai_client(key, url)` (or `get_openai_client(key, url).chat...`):
        a client made by some function handed arguments, which may well choose its
        endpoint. The function's code, or None (an imported client object, a factory
        called without arguments: today's behaviour, the call is migrated)."""
        values: list[cst.BaseExpression] = [root]
        if isinstance(root, cst.Name):
            values = [value for value, _ in self._name_values(root)]
        elif isinstance(root, cst.Attribute):
            values = list(self._attribute_values(root) or [])
        for value in values:
            if isinstance(value, cst.Await):
                value = value.expression
            if isinstance(value, cst.Call) and value.args and dotted_path(value.func) is not None:
                return dotted_path(value.func)
        return None
