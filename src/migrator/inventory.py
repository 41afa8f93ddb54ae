"""The inventory: every place a module touches the OpenAI SDK.

One libcst visitor with qualified-name and scope metadata, so aliases
(`import openai as oa`, `from openai import OpenAI as Client`) resolve, and a local
class named `OpenAI` or a dict named `openai` does not count. The inventory is
target-independent: `scan` prints its records, and every codemod consumes the sites
it keeps (which hold the libcst nodes to edit, keyed by node identity).

Client objects are followed through assignments to a module global, a local, a
class attribute or `self.<attr>`, through parameters annotated with a client class,
and through `with_options(...)`, `with_raw_response` and `with_streaming_response`.
Model names are followed from a call's `model=` to a literal bound in the same
module: constants, dict entries, `os.getenv("X", "gpt-4o")` defaults, class
attributes and parameter defaults.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import libcst as cst
import libcst.matchers as m
from libcst.metadata import (
    ParentNodeProvider,
    PositionProvider,
    QualifiedName,
    QualifiedNameProvider,
    QualifiedNameSource,
    Scope,
    ScopeProvider,
)

from migrator.model import Usage
from migrator.prefilter import is_openai_model

CLIENT_CLASSES: dict[str, tuple[str, bool, bool]] = {
    # qualified name: (class name, is_async, is_azure)
    "openai.OpenAI": ("OpenAI", False, False),
    "openai.Client": ("OpenAI", False, False),
    "openai.AsyncOpenAI": ("AsyncOpenAI", True, False),
    "openai.AsyncClient": ("AsyncOpenAI", True, False),
    "openai.AzureOpenAI": ("AzureOpenAI", False, True),
    "openai.AsyncAzureOpenAI": ("AsyncAzureOpenAI", True, True),
    "openai.lib.azure.AzureOpenAI": ("AzureOpenAI", False, True),
    "openai.lib.azure.AsyncAzureOpenAI": ("AsyncAzureOpenAI", True, True),
}

# Top-level resources of a v1 client (and of the v1 module-level client `openai.<res>`).
V1_RESOURCES = frozenset(
    {
        "chat", "completions", "embeddings", "responses", "images", "audio", "moderations",
        "files", "fine_tuning", "batches", "beta", "vector_stores", "models", "uploads",
        "containers", "conversations", "evals", "realtime", "webhooks", "videos",
    }
)  # fmt: skip

# v0 module API: resource class -> v1 resource path.
V0_RESOURCES: dict[str, str] = {
    "ChatCompletion": "chat.completions",
    "Completion": "completions",
    "Embedding": "embeddings",
    "Image": "images",
    "Audio": "audio",
    "Moderation": "moderations",
    "FineTune": "fine_tunes",
    "FineTuningJob": "fine_tuning.jobs",
    "File": "files",
    "Model": "models",
    "Edit": "edits",
    "Engine": "engines",
    "Deployment": "deployments",
    "Customer": "customers",
}
# v0 method -> (v1 method suffix, is_async); resource-specific renames below.
V0_SPECIAL_METHODS: dict[tuple[str, str], str] = {
    ("Image", "create"): "generate",
    ("Image", "create_edit"): "edit",
    ("Image", "create_variation"): "create_variation",
    ("Audio", "transcribe"): "transcriptions.create",
    ("Audio", "translate"): "translations.create",
    ("Audio", "transcribe_raw"): "transcriptions.create",
    ("Audio", "translate_raw"): "translations.create",
}
V0_METHODS = frozenset(
    {"create", "list", "retrieve", "delete", "cancel", "download", "stream_events",
     "create_edit", "create_variation", "transcribe", "translate", "transcribe_raw",
     "translate_raw", "list_events", "search", "generate"}
)  # fmt: skip

# Settings read only by the v0 module API (v1 module-level client ignores them).
V0_ONLY_SETTINGS = frozenset(
    {"api_base", "api_key_path", "proxy", "requestssession", "aiosession", "app_info",
     "debug", "log", "verify_ssl_certs", "enable_telemetry", "ca_bundle_path"}
)  # fmt: skip
MODULE_SETTINGS = V0_ONLY_SETTINGS | frozenset(
    {"api_key", "organization", "project", "base_url", "api_type", "api_version",
     "azure_endpoint", "azure_ad_token", "azure_ad_token_provider", "default_headers",
     "default_query", "max_retries", "timeout", "http_client", "webhook_secret"}
)  # fmt: skip

# Chain links that return the same client or resource in another mode.
TRANSPARENT_CALLS = frozenset({"with_options", "copy"})
TRANSPARENT_ATTRS = frozenset({"with_raw_response", "with_streaming_response"})

# Other libraries whose objects look like OpenAI clients but are not the openai SDK.
FOREIGN_ROOTS = (
    "zhipuai", "zai", "dashscope", "qianfan", "volcenginesdkarkruntime", "litellm",
    "anthropic", "langchain", "langchain_openai", "langchain_community", "llama_index",
    "mistralai", "groq", "together", "cohere", "google", "tiktoken", "transformers",
    "instructor", "openai_agents", "agents", "autogen", "crewai", "dspy", "guidance",
)  # fmt: skip
# A model id handed to a tokenizer names the tokenizer, not the endpoint: keep it.
TOKENIZER_CALLS = frozenset({"encoding_for_model", "encoding_name_for_model"})

_ENV_VAR = re.compile(r"(?:AZURE_)?OPENAI_[A-Z0-9_]+")
_EXCEPTION_NAME = re.compile(r"[A-Z]\w*(?:Error|Exception|Timeout)")
# Calls whose literal arguments may still be model names we should rewrite.
_PASS_THROUGH_CALLS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault"})


def api_family(api: str) -> str:
    """The endpoint family of a v1 api path (mapping files list supported families)."""
    parts = api.split(".")
    if parts[0] == "beta" and len(parts) > 1:
        if parts[1] == "chat":
            return "chat"
        if parts[1] in ("assistants", "threads"):
            return "assistants"
        return parts[1]
    return parts[0]


@dataclass(eq=False)
class ClientSite:
    """A call constructing a client (`OpenAI(...)` and friends)."""

    node: cst.Call
    class_name: str
    is_async: bool
    is_azure: bool
    usage: Usage
    base_url: cst.BaseExpression | None = None


@dataclass(eq=False)
class ModelRef:
    """Where a call's model value comes from."""

    literal: cst.SimpleString | None  # the string node to rewrite (may sit far from the call)
    value: str | None  # the model id, when known
    origin: str  # how it was found, or why not: "literal", "constant MODEL", "dynamic: cfg.model"


@dataclass(eq=False)
class CallSite:
    """A call into the SDK: `client.chat.completions.create(...)`, `openai.Embedding.create()`."""

    node: cst.Call
    api: str
    family: str
    style: str
    is_async: bool
    stream: bool
    usage: Usage
    model: ModelRef | None
    client: ClientSite | None = None
    module_client: bool = False  # v1 module-level client (`openai.chat.completions.create`)


@dataclass(eq=False)
class ConfigSite:
    """`openai.<setting> = value` (the v0 module API, or the v1 module-level client)."""

    node: cst.Assign
    setting: str
    value: cst.BaseExpression
    usage: Usage


@dataclass(eq=False)
class LiteralSite:
    """A string literal the codemods may rewrite: an OPENAI_* env var name or a model id."""

    node: cst.SimpleString
    value: str
    usage: Usage


@dataclass
class Inventory:
    path: str
    imports: list[Usage] = field(default_factory=list)
    clients: list[ClientSite] = field(default_factory=list)
    calls: list[CallSite] = field(default_factory=list)
    configs: list[ConfigSite] = field(default_factory=list)
    env_reads: list[LiteralSite] = field(default_factory=list)
    model_literals: list[LiteralSite] = field(default_factory=list)
    references: list[Usage] = field(default_factory=list)  # exceptions and types
    import_nodes: list[cst.Import | cst.ImportFrom] = field(default_factory=list)

    def usages(self) -> list[Usage]:
        records = [
            *self.imports,
            *(c.usage for c in self.clients),
            *(c.usage for c in self.calls),
            *(c.usage for c in self.configs),
            *(e.usage for e in self.env_reads),
            *(lit.usage for lit in self.model_literals),
            *self.references,
        ]
        return sorted(records, key=lambda u: (u.line, u.column, u.kind, u.api or ""))

    @property
    def has_sdk_usage(self) -> bool:
        return bool(self.imports or self.clients or self.calls or self.configs)


def build_inventory(wrapper: cst.MetadataWrapper, path: str) -> Inventory:
    """Run the inventory over a parsed module (wrapped once, shared with the codemods)."""
    collector = _Collector(path)
    wrapper.visit(collector)
    return collector.inv


def _dotted(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _string_value(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


class _Collector(m.MatcherDecoratableVisitor):
    METADATA_DEPENDENCIES = (
        QualifiedNameProvider,
        ScopeProvider,
        PositionProvider,
        ParentNodeProvider,
    )

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.inv = Inventory(path)
        # name target node -> value assigned to it (for following names to values)
        self.assigned: dict[cst.CSTNode, cst.BaseExpression] = {}
        # class name -> attr name -> value (class attributes and `self.attr = ...`)
        self.class_attrs: dict[str, dict[str, cst.BaseExpression]] = {}
        self.class_stack: list[str] = []
        self.function_depth = 0
        self.param_annotations: dict[cst.CSTNode, cst.BaseExpression] = {}
        self.param_defaults: dict[cst.CSTNode, cst.BaseExpression] = {}
        self.pending_calls: list[cst.Call] = []
        self.pending_strings: list[cst.SimpleString] = []
        self.pending_refs: list[cst.Name | cst.Attribute] = []
        self.call_model_literals: set[cst.SimpleString] = set()
        self.docstrings: set[cst.SimpleString] = set()
        self.has_v0_call = False
        self.imports_openai = False
        self.client_cache: dict[cst.CSTNode, ClientSite | None] = {}

    # -- helpers ---------------------------------------------------------------------------
    def _pos(self, node: cst.CSTNode) -> tuple[int, int]:
        pos = self.get_metadata(PositionProvider, node).start
        return pos.line, pos.column + 1

    def _qnames(self, node: cst.CSTNode) -> set[QualifiedName]:
        try:
            return set(self.get_metadata(QualifiedNameProvider, node, set()))
        except KeyError:
            return set()

    def _sdk_names(self, node: cst.CSTNode) -> list[str]:
        """Qualified names of `node` that come from an import of the openai package."""
        return sorted(
            q.name
            for q in self._qnames(node)
            if q.source == QualifiedNameSource.IMPORT
            and (q.name == "openai" or q.name.startswith("openai."))
        )

    def _foreign(self, node: cst.CSTNode) -> bool:
        return any(
            q.source == QualifiedNameSource.IMPORT and q.name.split(".")[0] in FOREIGN_ROOTS
            for q in self._qnames(node)
        )

    def _scope(self, node: cst.CSTNode) -> Scope | None:
        try:
            return self.get_metadata(ScopeProvider, node, None)
        except KeyError:
            return None

    # -- pass 1: collect bindings (visit) --------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.class_stack.append(node.name.value)
        attrs = self.class_attrs.setdefault(node.name.value, {})
        for stmt in node.body.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Assign):
                        for target in small.targets:
                            if isinstance(target.target, cst.Name):
                                attrs[target.target.value] = small.value
                    elif isinstance(small, cst.AnnAssign) and small.value is not None:
                        if isinstance(small.target, cst.Name):
                            attrs[small.target.value] = small.value
        self._note_docstring(node.body)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.class_stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.function_depth += 1
        for param in [*node.params.params, *node.params.kwonly_params, *node.params.posonly_params]:
            if param.annotation is not None:
                self.param_annotations[param] = param.annotation.annotation
            if param.default is not None:
                self.param_defaults[param] = param.default
        self._note_docstring(node.body)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.function_depth -= 1

    def visit_Module(self, node: cst.Module) -> None:
        if node.body and isinstance(node.body[0], cst.SimpleStatementLine):
            first = node.body[0].body[0]
            if isinstance(first, cst.Expr) and isinstance(first.value, cst.SimpleString):
                self.docstrings.add(first.value)

    def _note_docstring(self, body: cst.BaseSuite) -> None:
        if isinstance(body, cst.IndentedBlock) and body.body:
            first = body.body[0]
            if isinstance(first, cst.SimpleStatementLine) and isinstance(first.body[0], cst.Expr):
                value = first.body[0].value
                if isinstance(value, cst.SimpleString):
                    self.docstrings.add(value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, node.value)
        self._maybe_config(node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind_target(node.target, node.value)

    def _bind_target(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.assigned[target] = value
        elif (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value == "self"
            and self.class_stack
        ):
            self.class_attrs[self.class_stack[-1]].setdefault(target.attr.value, value)

    def _maybe_config(self, node: cst.Assign) -> None:
        for target in node.targets:
            t = target.target
            if not isinstance(t, cst.Attribute):
                continue
            names = self._sdk_names(t)
            setting = t.attr.value
            if f"openai.{setting}" in names and setting in MODULE_SETTINGS:
                line, col = self._pos(node)
                self.inv.configs.append(
                    ConfigSite(
                        node,
                        setting,
                        node.value,
                        Usage(
                            self.path,
                            line,
                            col,
                            "config",
                            api=setting,
                            style="v0" if setting in V0_ONLY_SETTINGS else "v1",
                            base_url=_string_value(node.value)
                            if setting in ("api_base", "base_url", "azure_endpoint")
                            else None,
                        ),
                    )
                )

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = _dotted(alias.name) or ""
            if name == "openai" or name.startswith("openai."):
                self._record_import(node, name)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None:
            return
        module = _dotted(node.module) or ""
        if not (module == "openai" or module.startswith("openai.")):
            return
        if isinstance(node.names, cst.ImportStar):
            self._record_import(node, f"{module}.*")
            return
        for alias in node.names:
            self._record_import(node, f"{module}.{_dotted(alias.name)}")

    def _record_import(self, node: cst.Import | cst.ImportFrom, name: str) -> None:
        self.imports_openai = True
        if node not in self.inv.import_nodes:
            self.inv.import_nodes.append(node)
        line, col = self._pos(node)
        kind = "type" if name.startswith("openai.types.") else "import"
        self.inv.imports.append(Usage(self.path, line, col, kind, api=name))

    # -- collect candidates (resolved in finish, once all bindings are known) ------------
    def visit_Call(self, node: cst.Call) -> None:
        self.pending_calls.append(node)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.pending_strings.append(node)

    def visit_Name(self, node: cst.Name) -> None:
        self.pending_refs.append(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.pending_refs.append(node)

    # -- pass 2: once every binding in the module is known (metadata is still live) -------
    def leave_Module(self, original_node: cst.Module) -> None:
        for call in self.pending_calls:
            self._classify_call(call)
        for node in self.pending_strings:
            self._classify_string(node)
        self._classify_refs()
        if self.has_v0_call:  # settings shared by both APIs belong to the v0 code here
            for site in self.inv.configs:
                site.usage = replace(site.usage, style="v0")

    def _classify_call(self, call: cst.Call) -> None:
        client = self._client_constructor(call)
        if client is not None:
            return
        names = self._sdk_names(call.func)
        for name in names:
            parts = name.split(".")
            if len(parts) >= 3 and parts[1] in V0_RESOURCES and parts[2] in _v0_method_names():
                self._record_v0_call(call, parts[1], parts[2])
                return
            if len(parts) >= 3 and parts[1] in V1_RESOURCES:
                self._record_v1_call(call, ".".join(parts[1:]), None, module_client=True)
                return
        if not isinstance(call.func, cst.Attribute):
            return
        chain = self._client_chain(call.func)
        if chain is not None:
            client, segments, weak = chain
            if segments and segments[0] in V1_RESOURCES and len(segments) >= 2:
                if weak and not self.imports_openai:
                    return
                self._record_v1_call(call, ".".join(segments), client)

    def _client_constructor(self, call: cst.Call) -> ClientSite | None:
        if call in self.client_cache:
            return self.client_cache[call]
        site: ClientSite | None = None
        for name in self._sdk_names(call.func):
            if name in CLIENT_CLASSES:
                class_name, is_async, is_azure = CLIENT_CLASSES[name]
                line, col = self._pos(call)
                kwargs = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
                base = kwargs.get("base_url") or kwargs.get("azure_endpoint")
                usage = Usage(
                    self.path,
                    line,
                    col,
                    "client",
                    api=class_name,
                    is_async=is_async,
                    params=_param_names(call),
                    base_url=self._describe_base_url(base),
                )
                site = ClientSite(call, class_name, is_async, is_azure, usage, base)
                self.inv.clients.append(site)
                break
        self.client_cache[call] = site
        return site

    def _describe_base_url(self, expr: cst.BaseExpression | None) -> str | None:
        if expr is None:
            return None
        literal = _string_value(expr)
        if literal is not None:
            return literal
        if isinstance(expr, cst.Call):
            env = self._env_lookup(expr)
            if env is not None:
                var, default = env
                return f"env:{var}" + (f" (default {default})" if default else "")
        if isinstance(expr, cst.Subscript):
            env = self._environ_subscript(expr)
            if env is not None:
                return f"env:{env}"
        return "dynamic"

    def _env_lookup(self, call: cst.Call) -> tuple[str, str | None] | None:
        """`os.getenv("X", "d")` / `os.environ.get("X", "d")` -> ("X", "d")."""
        qnames = {q.name for q in self._qnames(call.func)}
        if not qnames & _PASS_THROUGH_CALLS or not call.args:
            return None
        var = _string_value(call.args[0].value)
        if var is None:
            return None
        default = _string_value(call.args[1].value) if len(call.args) > 1 else None
        return var, default

    def _environ_subscript(self, node: cst.Subscript) -> str | None:
        if "os.environ" not in {q.name for q in self._qnames(node.value)}:
            return None
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            return _string_value(node.slice[0].slice.value)
        return None

    def _client_chain(
        self, func: cst.Attribute
    ) -> tuple[ClientSite | None, list[str], bool] | None:
        """Split `client.with_options(...).chat.completions.create` into root and path.

        Returns (client site if known, resource path, weak) where weak means the root
        could not be proven to be a client (e.g. imported from another module).
        """
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
        resolved = self._resolve_client(node, depth=0)
        if resolved is _NOT_CLIENT:
            return None
        if resolved is None:
            if self._foreign(node) or self._sdk_names(node):
                return None
            return None, segments, True
        assert isinstance(resolved, ClientSite)
        return resolved, segments, False

    def _is_attribute_root(self, node: cst.Attribute) -> bool:
        """`self.client` / `cls.client` / `Holder.client`: an attribute that may hold a client."""
        if not isinstance(node.value, cst.Name):
            return False
        owner = node.value.value
        return owner in ("self", "cls") or node.attr.value in self.class_attrs.get(owner, {})

    def _resolve_client(
        self, node: cst.BaseExpression, depth: int
    ) -> ClientSite | None | _NotClient:
        """The client an expression evaluates to; None when unknown, _NOT_CLIENT when not one."""
        if depth > 8:
            return None
        if isinstance(node, cst.Call):
            site = self._client_constructor(node)
            if site is not None:
                return site
            if isinstance(node.func, cst.Attribute) and node.func.attr.value in TRANSPARENT_CALLS:
                return self._resolve_client(node.func.value, depth + 1)
            return _NOT_CLIENT
        if isinstance(node, cst.Name):
            if self._foreign(node):
                return _NOT_CLIENT
            values = self._name_values(node)
            if values is None:
                annotation = self._annotation_of(node)
                if annotation is not None:
                    for name in self._sdk_names(annotation):
                        if name in CLIENT_CLASSES:
                            return _annotated_client(name)
                return None
            for value in values:
                found = self._resolve_client(value, depth + 1)
                if isinstance(found, ClientSite):
                    return found
            return _NOT_CLIENT
        if isinstance(node, cst.Attribute):
            if isinstance(node.value, cst.Name) and node.value.value in ("self", "cls"):
                value = self._class_attr(node, node.attr.value)
                if value is not None:
                    return self._resolve_client(value, depth + 1)
                return None
            if isinstance(node.value, cst.Name) and node.value.value in self.class_attrs:
                value = self.class_attrs[node.value.value].get(node.attr.value)
                if value is not None:
                    return self._resolve_client(value, depth + 1)
            return None
        return _NOT_CLIENT

    def _class_attr(self, node: cst.CSTNode, attr: str) -> cst.BaseExpression | None:
        """`self.<attr>` inside a method: the value the enclosing class binds to it."""
        current: cst.CSTNode | None = node
        while current is not None:
            current = self.get_metadata(ParentNodeProvider, current, None)
            if isinstance(current, cst.ClassDef):
                return self.class_attrs.get(current.name.value, {}).get(attr)
        return None

    def _name_values(self, node: cst.Name) -> list[cst.BaseExpression] | None:
        """Values assigned to the name visible at `node`; None when it is not assigned here."""
        scope = self._scope(node)
        if scope is None:
            return None
        assignments = scope[node.value] if node.value in scope else set()
        values: list[cst.BaseExpression] = []
        for assignment in assignments:
            target = getattr(assignment, "node", None)
            if target in self.assigned:
                values.append(self.assigned[target])
            elif target in self.param_defaults and target not in self.param_annotations:
                values.append(self.param_defaults[target])
            elif target in self.param_annotations:
                return None
        return values or None

    def _annotation_of(self, node: cst.Name) -> cst.BaseExpression | None:
        scope = self._scope(node)
        if scope is None or node.value not in scope:
            return None
        for assignment in scope[node.value]:
            target = getattr(assignment, "node", None)
            if target in self.param_annotations:
                return self.param_annotations[target]
        return None

    def _record_v1_call(
        self, call: cst.Call, api: str, client: ClientSite | None, module_client: bool = False
    ) -> None:
        line, col = self._pos(call)
        kwargs = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        method = api.rsplit(".", 1)[-1]
        stream = method == "stream" or _is_true(kwargs.get("stream"))
        is_async = client.is_async if client is not None else self._awaited(call)
        model = self._model_ref(kwargs.get("model"))
        self._add_call(call, api, "v1", is_async, stream, model, client, module_client)
        del line, col

    def _record_v0_call(self, call: cst.Call, resource: str, method: str) -> None:
        self.has_v0_call = True
        is_async = method.startswith("a") and method[1:] in V0_METHODS
        base_method = method[1:] if is_async else method
        suffix = V0_SPECIAL_METHODS.get((resource, base_method), base_method)
        api = f"{V0_RESOURCES[resource]}.{suffix}"
        kwargs = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        model_expr = kwargs.get("model") or kwargs.get("engine") or kwargs.get("deployment_id")
        model = self._model_ref(model_expr)
        self._add_call(call, api, "v0", is_async, _is_true(kwargs.get("stream")), model, None)

    def _add_call(
        self,
        call: cst.Call,
        api: str,
        style: str,
        is_async: bool,
        stream: bool,
        model: ModelRef | None,
        client: ClientSite | None,
        module_client: bool = False,
    ) -> None:
        line, col = self._pos(call)
        usage = Usage(
            self.path,
            line,
            col,
            "call",
            api=api,
            style=style,  # type: ignore[arg-type]
            is_async=is_async,
            stream=stream,
            model=model.value if model else None,
            params=_param_names(call),
        )
        if model is not None and model.literal is not None and model.origin == "literal":
            self.call_model_literals.add(model.literal)
        self.inv.calls.append(
            CallSite(
                call, api, api_family(api), style, is_async, stream, usage, model, client,
                module_client,
            )
        )  # fmt: skip

    def _awaited(self, call: cst.Call) -> bool:
        parent = self.get_metadata(ParentNodeProvider, call, None)
        return isinstance(parent, cst.Await)

    def _model_ref(self, expr: cst.BaseExpression | None, depth: int = 0) -> ModelRef | None:
        if expr is None:
            return None
        if isinstance(expr, cst.SimpleString):
            return ModelRef(expr, _string_value(expr), "literal" if depth == 0 else "traced")
        source = cst.Module([]).code_for_node(expr)
        if depth > 6:
            return ModelRef(None, None, f"dynamic: {source}")
        if isinstance(expr, cst.Name):
            values = self._name_values(expr)
            if values and len(values) == 1:
                found = self._model_ref(values[0], depth + 1)
                if found is not None and found.value is not None:
                    return ModelRef(found.literal, found.value, f"constant {expr.value}")
            imported = [
                q.name for q in self._qnames(expr) if q.source == QualifiedNameSource.IMPORT
            ]
            if imported:
                return ModelRef(None, None, f"imported: {imported[0]}")
            return ModelRef(None, None, f"dynamic: {source}")
        if isinstance(expr, cst.Call):
            env = self._env_lookup(expr)
            if env is not None:
                var, default = env
                literal = expr.args[1].value if len(expr.args) > 1 else None
                if default is not None and isinstance(literal, cst.SimpleString):
                    return ModelRef(literal, default, f"env {var} (default)")
                return ModelRef(None, None, f"env {var}")
        if isinstance(expr, cst.Subscript):
            env = self._environ_subscript(expr)
            if env is not None:
                return ModelRef(None, None, f"env {env}")
            found = self._dict_entry(expr, depth)
            if found is not None:
                return found
        if isinstance(expr, cst.Attribute):
            if isinstance(expr.value, cst.Name) and expr.value.value in ("self", "cls"):
                value = self._class_attr(expr, expr.attr.value)
                if value is not None:
                    found = self._model_ref(value, depth + 1)
                    if found is not None and found.value is not None:
                        return ModelRef(found.literal, found.value, f"attribute {source}")
        return ModelRef(None, None, f"dynamic: {source}")

    def _dict_entry(self, expr: cst.Subscript, depth: int) -> ModelRef | None:
        if not isinstance(expr.value, cst.Name) or len(expr.slice) != 1:
            return None
        index = expr.slice[0].slice
        key = _string_value(index.value) if isinstance(index, cst.Index) else None
        values = self._name_values(expr.value)
        if key is None or not values or len(values) != 1 or not isinstance(values[0], cst.Dict):
            return None
        for element in values[0].elements:
            if isinstance(element, cst.DictElement) and _string_value(element.key) == key:
                found = self._model_ref(element.value, depth + 1)
                if found is not None and found.value is not None:
                    return ModelRef(found.literal, found.value, f"dict entry {expr.value.value}")
        return None

    def _classify_string(self, node: cst.SimpleString) -> None:
        value = _string_value(node)
        if value is None or node in self.docstrings:
            return
        if _ENV_VAR.fullmatch(value):
            line, col = self._pos(node)
            usage = Usage(self.path, line, col, "env", api=value)
            self.inv.env_reads.append(LiteralSite(node, value, usage))
            return
        if not is_openai_model(value) or node in self.call_model_literals:
            return
        if self._argument_of_foreign_call(node):
            return
        line, col = self._pos(node)
        usage = Usage(self.path, line, col, "model", model=value)
        self.inv.model_literals.append(LiteralSite(node, value, usage))

    def _argument_of_foreign_call(self, node: cst.SimpleString) -> bool:
        """A model id passed to some other library (`tiktoken.encoding_for_model("gpt-4o")`,
        `ChatOpenAI(model="gpt-4o")`) is that library's business: leave it alone."""
        parent = self.get_metadata(ParentNodeProvider, node, None)
        if not isinstance(parent, cst.Arg):
            return False
        call = self.get_metadata(ParentNodeProvider, parent, None)
        if not isinstance(call, cst.Call):
            return False
        if isinstance(call.func, cst.Attribute) and call.func.attr.value in TOKENIZER_CALLS:
            return True
        if isinstance(call.func, cst.Name) and call.func.value in TOKENIZER_CALLS:
            return True
        return self._foreign(call.func)

    def _classify_refs(self) -> None:
        seen: set[tuple[int, int]] = set()
        import_nodes = set(map(id, self.inv.import_nodes))
        for node in self.pending_refs:
            if self._inside_import(node, import_nodes):
                continue
            names = self._sdk_names(node)
            if not names:
                continue
            name = names[0]
            parent = self.get_metadata(ParentNodeProvider, node, None)
            # Only the outermost attribute of a dotted reference counts (`openai.error.X`).
            if isinstance(parent, cst.Attribute) and parent.value is node:
                continue
            short = name.rsplit(".", 1)[-1]
            if name.startswith("openai.types.") or name == "openai.types":
                kind = "type"
            elif name.startswith("openai.error.") or (
                name.count(".") == 1 and _EXCEPTION_NAME.fullmatch(short)
            ):
                kind = "exception"
            else:
                continue
            line, col = self._pos(node)
            if (line, col) in seen:
                continue
            seen.add((line, col))
            style = "v0" if name.startswith("openai.error.") else "v1"
            self.inv.references.append(
                Usage(self.path, line, col, kind, api=name, style=style)  # type: ignore[arg-type]
            )

    def _inside_import(self, node: cst.CSTNode, import_ids: set[int]) -> bool:
        current: cst.CSTNode | None = node
        for _ in range(8):
            current = self.get_metadata(ParentNodeProvider, current, None)
            if current is None:
                return False
            if id(current) in import_ids or isinstance(current, (cst.Import, cst.ImportFrom)):
                return True
        return False


class _NotClient:
    """Marker: the expression is known not to be an OpenAI client."""


_NOT_CLIENT = _NotClient()


def _annotated_client(qualified: str) -> ClientSite | None:
    # A parameter annotated `client: OpenAI` is a client of unknown construction: the
    # call is real SDK usage, but there is no constructor site to retarget.
    del qualified
    return None


def _v0_method_names() -> frozenset[str]:
    return V0_METHODS | frozenset(f"a{name}" for name in V0_METHODS)


def _param_names(call: cst.Call) -> tuple[str, ...]:
    names: list[str] = []
    for arg in call.args:
        if arg.keyword is not None:
            names.append(arg.keyword.value)
        elif arg.star == "**":
            names.append("**")
        elif arg.star == "*":
            names.append("*")
    return tuple(names)


def _is_true(expr: cst.BaseExpression | None) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "True"


def iter_string_literals(inv: Inventory) -> Iterator[LiteralSite]:
    yield from inv.env_reads
    yield from inv.model_literals
