"""The inventory: every place a module touches the OpenAI SDK.

One libcst visitor that resolves qualified names through Python's scoping rules,
so aliases (`import openai as oa`, `from openai import OpenAI as Client`) resolve,
and a local class named `OpenAI` or a dict named `openai` does not count. (It keeps
its own scopes instead of asking libcst's ScopeProvider/QualifiedNameProvider, which
give the same names but cost several times the parse; tests/test_inventory.py checks
the two agree.) The inventory is target-independent: `scan` prints its records, and
every codemod consumes the sites it keeps (which hold the libcst nodes to edit,
keyed by node identity).

Client objects are followed through assignments to a module global, a local, a
class attribute or `self.<attr>`, through parameters annotated with a client class,
and through `with_options(...)`, `with_raw_response` and `with_streaming_response`.
Also through `with OpenAI() as c`, `c = c or OpenAI()`, tuple unpacking and local
factory functions (`def get_client(): return OpenAI()`). A call whose root object
cannot be proven to be a client (a parameter, an object imported from another
module) still counts in a file that imports openai, when its path is a known
resource and method (`<anything>.chat.completions.create`). Model names are followed
from a call's `model=` to a literal bound in the same module: constants, dict entries
(`M["k"]`, `M.get("k")`), `os.getenv("X", "gpt-4o")` defaults, class attributes
(`self.m`, `cls.m`, `Config.m`) and parameter defaults; and to each of several values
(`"a" if c else "b"`, `m or "gpt-4o"`, a name assigned in two branches, `M[key]`). The
names a model travels through are kept, so code that also tests them can be found.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import libcst as cst
import libcst.matchers as m
from libcst.metadata import CodeRange, PositionProvider, QualifiedName, QualifiedNameSource

from migrator.class_defaults import DefaultValue, ProjectClass
from migrator.constants import Constant, absolute_module
from migrator.endpoint_trace import EndpointSource, ValueSource, trace_endpoint
from migrator.model import Usage
from migrator.prefilter import is_openai_model
from migrator.source import code_of
from migrator.wrapper_classes import WRAPPER_CLASSES, WrapperClass

try:  # the hook libcst's own position providers use (see `_syntactic_starts`)
    from libcst._nodes.internal import CodegenState as _CodegenState
except ImportError:  # pragma: no cover - a future libcst; PositionProvider still works
    _CodegenState = None  # type: ignore[assignment,misc]

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
        "admin", "skills",
    }
)  # fmt: skip
# When the root of a chain is not proven to be a client (a parameter, an object imported
# from another module), only these resources and methods count, so that
# `request.files.get(...)` in a Flask view that also imports openai is not a call.
_WEAK_RESOURCES = frozenset(
    {"chat", "completions", "embeddings", "responses", "images", "audio", "moderations",
     "files", "fine_tuning", "batches", "beta", "vector_stores", "models", "uploads"}
)  # fmt: skip
_SDK_METHODS = frozenset(
    {"create", "parse", "stream", "list", "retrieve", "update", "delete", "cancel",
     "generate", "edit", "create_variation", "content", "retrieve_content",
     "download_content", "upload", "upload_and_poll", "create_and_poll", "create_and_run",
     "create_and_run_poll", "create_and_run_stream", "create_and_stream", "poll",
     "submit_tool_outputs", "submit_tool_outputs_and_poll", "submit_tool_outputs_stream",
     "wait_for_processing", "list_events", "search", "complete", "compact", "pause",
     "resume", "list_files", "list_items", "upload_file_chunked"}
)  # fmt: skip

# v0 module API: resource class -> v1 resource path.
V0_RESOURCES: dict[str, str] = {
    "ChatCompletion": "chat.completions",
    "Completion": "completions",
    "Embedding": "embeddings",
    "Image": "images",
    "Audio": "audio",
    "Moderation": "moderations",
    # The legacy /v1/fine-tunes API is gone; its v1 successor is fine_tuning.jobs.
    "FineTune": "fine_tuning.jobs",
    "FineTuningJob": "fine_tuning.jobs",
    "File": "files",
    "Model": "models",
    "Edit": "edits",
    "Engine": "engines",
    "Deployment": "deployments",
    "Customer": "customers",
}
# v0 method -> v1 method suffix, where the name changed.
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
# v0 methods whose first positional argument is the model (`Audio.transcribe(model, file)`).
_V0_POSITIONAL_MODEL = frozenset({"transcribe", "translate", "transcribe_raw", "translate_raw"})
# Modules that exist only in the v0 SDK; importing them (or a v0 resource class) is v0 code.
_V0_MODULES = ("openai.error", "openai.embeddings_utils", "openai.api_resources")

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

# Calls that are OpenAI's beyond reasonable doubt by their path alone (the only ones
# counted in a file that does not import openai, through a client imported from
# another module of the project).
_SHAPED_PATHS = frozenset(
    {"chat.completions.create", "chat.completions.parse", "chat.completions.stream",
     "beta.chat.completions.parse", "beta.chat.completions.stream", "completions.create",
     "embeddings.create", "responses.create", "responses.parse", "responses.stream",
     "images.generate", "images.edit", "images.create_variation",
     "audio.transcriptions.create", "audio.translations.create", "audio.speech.create",
     "moderations.create"}
)  # fmt: skip
_SHAPED_METHODS = frozenset(path.rsplit(".", 1)[1] for path in _SHAPED_PATHS)
# SDKs whose clients have the same shape: with one imported, shape proves nothing.
_LOOKALIKE_ROOTS = frozenset({"zhipuai", "zai", "volcenginesdkarkruntime", "groq", "together"})

# Other libraries whose objects look like OpenAI clients but are not the openai SDK.
FOREIGN_ROOTS = (
    "zhipuai", "zai", "dashscope", "qianfan", "volcenginesdkarkruntime", "litellm",
    "anthropic", "langchain", "langchain_openai", "langchain_community", "llama_index",
    "mistralai", "groq", "together", "cohere", "google", "tiktoken", "transformers",
    "instructor", "openai_agents", "agents", "autogen", "crewai", "dspy", "guidance",
)  # fmt: skip
# A model id handed to a tokenizer names the tokenizer, not the endpoint: keep it.
TOKENIZER_CALLS = frozenset({"encoding_for_model", "encoding_name_for_model"})
# Builtins whose result is never a client.
_BUILTIN_CALLS = frozenset(
    {"dict", "list", "set", "tuple", "frozenset", "str", "int", "float", "bool", "bytes",
     "object", "type", "len", "sorted", "reversed", "map", "filter", "zip", "range",
     "enumerate", "open", "print", "repr", "format", "getattr", "vars", "iter", "next"}
)  # fmt: skip

_BUILTIN_NAMES = frozenset(dir(builtins))

_ENV_VAR = re.compile(r"(?:AZURE_)?OPENAI_[A-Z0-9_]+")
_EXCEPTION_NAME = re.compile(r"[A-Z]\w*(?:Error|Exception|Timeout)")
# Calls whose literal arguments may still be model names we should rewrite.
_PASS_THROUGH_CALLS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault"})
_MAX_DEPTH = 8


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
    # Every value the base URL can take, as far as the file shows (see endpoint_trace.py).
    endpoint: tuple[EndpointSource, ...] = ()


@dataclass(eq=False)
class WrapperSite:
    """A constructor of another library's OpenAI class (`langchain_openai.ChatOpenAI(...)`),
    or a reference to the class that hands it on (`return ChatOpenAI`, `cls=ChatOpenAI`)."""

    node: cst.Call | cst.Name | cst.Attribute
    qualified: str  # "langchain_openai.ChatOpenAI"
    kind: WrapperClass
    usage: Usage
    base_url: cst.BaseExpression | None = None  # the first endpoint keyword it is given


@dataclass(eq=False)
class ModelRef:
    """Where a call's model value comes from."""

    literal: cst.SimpleString | None  # the string node to rewrite (may sit far from the call)
    value: str | None  # the model id, when known
    origin: str  # how it was found, or why not: "literal", "constant MODEL", "dynamic: cfg.model"
    # True when `literal` sits inside the call's own argument (`model="gpt-4o"`,
    # `model=os.getenv("M", "gpt-4o")`): it is then not also reported as a `model` record.
    inline: bool = False
    # The value is a constant another file of the run defines (`from app.config import M`).
    constant: Constant | None = None
    # The names the value travels through on its way to `model=` (a constant, a parameter,
    # `self.model`): code that also tests one of them depends on the value.
    carriers: tuple[Carrier, ...] = ()
    # When the model is one of several values (`"a" if c else "b"`, `m or "gpt-4o"`, a
    # name assigned in two branches): each traced value, with its own literal or constant.
    # `literal` and `value` are then None; `origin` says what remains untraced, if anything.
    alternatives: tuple[ModelRef, ...] = ()
    partial: bool = False  # some of the alternatives' values could not be traced


@dataclass(frozen=True, eq=False)
class Carrier:
    """A name a traced model value is bound to: `MODEL`, a parameter, `self.model`."""

    name: str  # the identifier (for an attribute: its name, `model` of `self.model`)
    attribute: bool
    # Where code sees the value under that name: the function binding it, or the module.
    region: cst.CSTNode


@dataclass(eq=False)
class SizeRef:
    """Where an embeddings call's `dimensions=` value comes from."""

    literal: cst.Integer | None  # the integer to rewrite, when it is in this file
    value: int | None
    origin: str
    constant: Constant | None = None  # defined in another file of the run


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
    # The object called through could not be proven to be an OpenAI client: a parameter,
    # or an object imported from another module of the project (`from app.llm import
    # client`). Such calls count by their shape; a codemod may prefer a finding.
    weak: bool = False
    dimensions: SizeRef | None = None  # embeddings calls that pass `dimensions=`
    # A weak call's client made by a function given arguments (`get_client(key, url)`):
    # the factory's code. Those arguments may decide the endpoint, so the call is left.
    made_by: str | None = None


@dataclass(eq=False)
class ConfigSite:
    """`openai.<setting> = value` (the v0 module API, or the v1 module-level client)."""

    node: cst.Assign
    setting: str
    value: cst.BaseExpression
    usage: Usage
    endpoint: tuple[EndpointSource, ...] = ()  # for endpoint settings (see endpoint_trace.py)


@dataclass(eq=False)
class LiteralSite:
    """A string literal the codemods may rewrite: an OPENAI_* env var name or a model id."""

    node: cst.SimpleString
    value: str
    usage: Usage


@dataclass(frozen=True, eq=False)
class ImportBinding:
    """A name an import statement binds to something from the openai package.

    `import openai.error as oe`: local "oe", imported "openai.error", qualified
    "openai.error"; `import openai.error`: local "openai", qualified "openai";
    `from openai import AzureOpenAI as Az`: local "Az", qualified "openai.AzureOpenAI"."""

    node: cst.Import | cst.ImportFrom
    local: str
    imported: str
    qualified: str
    aliased: bool


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
    # OpenAI classes of LangChain / llama_index (they send to OpenAI too)
    wrappers: list[WrapperSite] = field(default_factory=list)
    import_nodes: list[cst.Import | cst.ImportFrom] = field(default_factory=list)
    bindings: list[ImportBinding] = field(default_factory=list)  # openai names, in order
    # Every node's parent, built by the inventory's one walk (the codemods reuse it).
    parents: dict[cst.CSTNode, cst.CSTNode] = field(default_factory=dict)
    # Which names each scope binds (set by `build_inventory`).
    scopes: Scopes | None = None
    # What the file shows of bound values, for tracing an endpoint the inventory did not
    # (an entry of a `**` mapping a client is built from): see endpoint_trace.py.
    endpoint_values: ValueSource | None = None

    def usages(self) -> list[Usage]:
        records = [
            *self.imports,
            *(c.usage for c in self.clients),
            *(c.usage for c in self.calls),
            *(c.usage for c in self.configs),
            *(e.usage for e in self.env_reads),
            *(lit.usage for lit in self.model_literals),
            *self.references,
            *(w.usage for w in self.wrappers),
        ]
        return sorted(records, key=lambda u: (u.line, u.column, u.kind, u.api or ""))

    @property
    def has_sdk_usage(self) -> bool:
        return bool(self.imports or self.clients or self.calls or self.configs)


def build_inventory(
    wrapper: cst.MetadataWrapper,
    path: str,
    constants: Mapping[str, Constant] | None = None,
    classes: Mapping[str, ProjectClass] | None = None,
) -> Inventory:
    """Run the inventory over a parsed module (wrapped once, shared with the codemods).

    Metadata (scopes, positions) is resolved through `wrapper` only when the module
    needs it, and stays cached there for the codemods. `constants` are the project
    constants the file imports, by qualified name (see constants.py); `classes` the
    project classes it imports, with their attribute defaults (see class_defaults.py).
    """
    collector = _Collector(path, wrapper, constants, classes)
    wrapper.module.visit(collector)
    collector.finish()
    collector.inv.scopes = Scopes(collector.module_scope, collector.enter_scope, collector.order)
    collector.inv.endpoint_values = _ValuesOf(collector)
    return collector.inv


def _dotted(node: cst.CSTNode, through_calls: bool = False) -> str | None:
    """`a.b.c` -> "a.b.c"; with `through_calls`, `a.b().c` -> "a.b.c" too (the way
    libcst's QualifiedNameProvider names attributes of a call's result)."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value, through_calls)
        return f"{base}.{node.attr.value}" if base else None
    if through_calls and isinstance(node, cst.Call):
        return _dotted(node.func, through_calls)
    return None


def _string_value(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


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


@dataclass(eq=False)
class _LocalScope:
    """A Python scope: which nodes bind each name in it (see `_Collector._lookup`)."""

    kind: str  # "module", "class", "function" (also lambdas) or "comprehension"
    parent: _LocalScope | None
    names: dict[str, list[cst.CSTNode]] = field(default_factory=dict)
    globals: set[str] = field(default_factory=set)
    nonlocals: set[str] = field(default_factory=set)


LocalScope = _LocalScope  # for the codemods that place new code (codemods/_scope.py)


def _enclosing_function(scope: _LocalScope | None) -> _LocalScope | None:
    while scope is not None and scope.kind != "function":
        scope = scope.parent
    return scope


def lookup(
    name: str,
    scope: _LocalScope,
    module_scope: _LocalScope,
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
    current: _LocalScope | None = scope
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

    module: _LocalScope
    # the node whose subtree runs in a scope of its own (a function or lambda body, a
    # class body, a comprehension) -> that scope
    by_node: dict[cst.CSTNode, _LocalScope]
    order: dict[cst.CSTNode, int]

    def visible(
        self, name: str, scope: _LocalScope, at: cst.CSTNode | None = None
    ) -> list[cst.CSTNode]:
        """The nodes binding `name` that code in `scope` (at `at`) sees."""
        return lookup(name, scope, self.module, self.order, at)


class _Collector(cst.CSTVisitor):
    """One pass collects bindings and candidates; `finish()` classifies them.

    libcst's metadata providers cost several times a parse (on a 2,000-line module,
    ScopeProvider and QualifiedNameProvider about 1.3 s, ParentNodeProvider 0.7 s,
    against 0.4 s for the parse), so the pass does that bookkeeping itself: parents,
    source order, and Python's scoping rules (function, class, lambda and
    comprehension scopes, `global`/`nonlocal`, parameter defaults and decorators
    evaluated outside the function). Qualified names are those libcst would give:
    the dotted name through the import that binds the root name at that point
    (`oa.ChatCompletion` -> `openai.ChatCompletion` after `import openai as oa`).
    Positions are resolved only when there is something to report.
    """

    def __init__(
        self,
        path: str,
        wrapper: cst.MetadataWrapper,
        constants: Mapping[str, Constant] | None = None,
        classes: Mapping[str, ProjectClass] | None = None,
    ) -> None:
        super().__init__()
        self.path = path
        self.constants = constants or {}
        self.classes = classes or {}
        self.wrapper = wrapper
        self.inv = Inventory(path)
        self.stack: list[cst.CSTNode] = []
        self.parent: dict[cst.CSTNode, cst.CSTNode] = self.inv.parents
        self.order: dict[cst.CSTNode, int] = {}
        self.module_scope = _LocalScope("module", None)
        self.scope = self.module_scope
        # node whose subtree runs in a new scope (a function body, a comprehension) -> scope
        self.enter_scope: dict[cst.CSTNode, _LocalScope] = {}
        self.name_scope: dict[cst.Name, _LocalScope] = {}
        self.binding_names: set[cst.Name] = set()
        # import alias node -> the qualified name it binds (`openai.OpenAI`)
        self.import_binding: dict[cst.CSTNode, str] = {}
        self._positions: Mapping[cst.CSTNode, CodeRange] | None = None
        self._qname_cache: dict[cst.CSTNode, set[QualifiedName]] = {}
        # local names bound by `import openai...` / `from openai... import ...`, and by
        # imports of other SDKs (FOREIGN_ROOTS); a star import disables the shortcut
        self.openai_names: set[str] = set()
        self.foreign_names: set[str] = set()
        self.star_import = False
        self.lookalike_import = False
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
        self.pending_calls: list[cst.Call] = []
        self.pending_assigns: list[cst.Assign] = []
        self.pending_imports: list[tuple[cst.Import | cst.ImportFrom, str]] = []
        # nodes that may be reported: the only ones whose position is computed up front
        self.reportable: set[cst.CSTNode] = set()
        self._starts: dict[cst.CSTNode, tuple[int, int]] | None = None
        self.star_modules: list[str] = []
        self.pending_strings: list[cst.SimpleString] = []
        self.pending_refs: list[cst.Name | cst.Attribute] = []
        self.call_model_literals: set[cst.SimpleString] = set()
        self.docstrings: set[cst.SimpleString] = set()
        self.has_v0_call = False
        self.imports_openai = False
        self.import_depth = 0
        self.client_cache: dict[cst.Call, ClientSite | None] = {}

    # -- helpers ---------------------------------------------------------------------------
    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.stack:
            self.parent[node] = self.stack[-1]
        self.order[node] = len(self.order)
        self.stack.append(node)
        scope = self.enter_scope.get(node)  # a function or lambda body
        if scope is not None:
            self.scope = scope
        visit_children = super().on_visit(node)
        if scope is None:  # a comprehension registers itself while visited
            scope = self.enter_scope.get(node)
            if scope is not None:
                self.scope = scope
        return visit_children

    def on_leave(self, original_node: cst.CSTNode) -> None:
        super().on_leave(original_node)
        self.stack.pop()
        scope = self.enter_scope.get(original_node)
        if scope is not None and scope.parent is not None:
            self.scope = scope.parent

    def _pos(self, node: cst.CSTNode) -> tuple[int, int]:
        """1-based line and column where `node` starts (libcst's PositionProvider start)."""
        if self._starts is None:
            self._starts = _syntactic_starts(self.wrapper.module, self.reportable)
        found = self._starts.get(node)
        if found is not None:
            return found
        if self._positions is None:  # not among the nodes computed up front
            self._positions = self.wrapper.resolve(PositionProvider)
        pos = self._positions[node].start
        return pos.line, pos.column + 1

    # -- scopes ----------------------------------------------------------------------------
    def _new_scope(self, kind: str, body: cst.CSTNode) -> _LocalScope:
        scope = _LocalScope(kind, self.scope)
        self.enter_scope[body] = scope
        return scope

    def _bind(self, name: str, node: cst.CSTNode, scope: _LocalScope | None = None) -> None:
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

    def _enclosing_function(self, scope: _LocalScope | None) -> _LocalScope | None:
        return _enclosing_function(scope)

    def _lookup(
        self, name: str, scope: _LocalScope, at: cst.CSTNode | None = None
    ) -> list[cst.CSTNode]:
        return lookup(name, scope, self.module_scope, self.order, at)

    def _qnames(self, node: cst.CSTNode) -> set[QualifiedName]:
        """Qualified names of a dotted name (`oa.types.Foo`), as libcst's
        QualifiedNameProvider gives them: through an import, or local."""
        cached = self._qname_cache.get(node)
        if cached is not None:
            return cached
        result: set[QualifiedName] = set()
        dotted = _dotted(node, through_calls=True)
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

    def _bindings(self, node: cst.Name) -> list[cst.CSTNode]:
        """The nodes that bind the name visible at `node` (targets, params, defs, imports),
        in source order so that results never depend on set iteration order."""
        scope = self.name_scope.get(node)
        if scope is None:
            return []
        targets = self._lookup(node.value, scope, node)
        return sorted(targets, key=lambda target: self.order.get(target, -1))

    # -- pass 1: collect bindings (visit) --------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bind(node.name.value, node)
        self._new_scope("class", node.body)
        self.class_stack.append(node.name.value)
        attrs = self.class_attrs.setdefault(node.name.value, {})
        self.class_bases.setdefault(node.name.value, []).extend(
            (_dotted(base.value) or "").rsplit(".", 1)[-1] for base in node.bases
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
        self._note_docstring(node.body)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.class_stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        # decorators, defaults and annotations run in the enclosing scope; the body not
        self._bind(node.name.value, node)
        self._bind_params(node.params, self._new_scope("function", node.body))
        self.function_stack.append(node)
        self.returns.setdefault(node, [])
        self._note_docstring(node.body)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.function_stack.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._bind_params(node.params, self._new_scope("function", node.body))

    def _bind_params(self, params: cst.Parameters, scope: _LocalScope) -> None:
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

    def visit_Return(self, node: cst.Return) -> None:
        if self.function_stack and node.value is not None:
            self.returns[self.function_stack[-1]].append(node.value)

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
            self._bind_targets(target.target)
            self._track_value(target.target, node.value)
        if any(isinstance(t.target, cst.Attribute) for t in node.targets):
            self.pending_assigns.append(node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind_targets(node.target)
        if node.value is not None:
            self._track_value(node.target, node.value)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        # `(x := ...)` binds in the enclosing function even inside a comprehension
        scope = self.scope
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = scope.parent
        if isinstance(node.target, cst.Name):
            self._bind(node.target.value, node.target, scope)
        self._track_value(node.target, node.value)

    def visit_With(self, node: cst.With) -> None:
        for item in node.items:
            if item.asname is not None:
                self._bind_targets(item.asname.name)
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

    def _maybe_config(self, node: cst.Assign) -> None:
        for target in node.targets:
            t = target.target
            if not isinstance(t, cst.Attribute):
                continue
            names = self._sdk_names(t)
            setting = t.attr.value
            if f"openai.{setting}" in names and setting in MODULE_SETTINGS:
                line, col = self._pos(node)
                base_url = None
                if setting in ("api_base", "base_url", "azure_endpoint"):
                    base_url = self._describe_base_url(node.value)
                usage = Usage(
                    self.path,
                    line,
                    col,
                    "config",
                    api=setting,
                    style="v0" if setting in V0_ONLY_SETTINGS else "v1",
                    base_url=base_url,
                )
                endpoint = trace_endpoint(node.value, _ValuesOf(self)) if base_url else ()
                self.inv.configs.append(ConfigSite(node, setting, node.value, usage, endpoint))

    def visit_Import(self, node: cst.Import) -> None:
        self.import_depth += 1
        for alias in node.names:
            name = _dotted(alias.name) or ""
            root = name.split(".")[0]
            bound = alias.evaluated_alias or root
            self._bind(bound, alias)
            self.import_binding[alias] = name if alias.asname is not None else root
            if root == "openai":
                self.openai_names.add(bound)
                self._record_import(node, name)
                aliased = alias.asname is not None
                self.inv.bindings.append(
                    ImportBinding(node, bound, name, name if aliased else root, aliased)
                )
            elif root in FOREIGN_ROOTS:
                self.foreign_names.add(bound)
                self.lookalike_import = self.lookalike_import or root in _LOOKALIKE_ROOTS

    def leave_Import(self, original_node: cst.Import) -> None:
        self.import_depth -= 1

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.import_depth += 1
        module = _dotted(node.module) if node.module is not None else ""
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
        if node.relative or not module:
            return
        root = module.split(".")[0]
        self.lookalike_import = self.lookalike_import or root in _LOOKALIKE_ROOTS
        if isinstance(node.names, cst.ImportStar):
            if root == "openai":
                self._record_import(node, f"{module}.*")
            return
        if root == "openai":
            self.openai_names.update(a.evaluated_alias or a.evaluated_name for a in node.names)
            for alias in node.names:
                qualified = f"{module}.{_dotted(alias.name)}"
                self._record_import(node, qualified)
                local = alias.evaluated_alias or alias.evaluated_name
                self.inv.bindings.append(
                    ImportBinding(node, local, qualified, qualified, alias.asname is not None)
                )
        elif root in FOREIGN_ROOTS:
            self.foreign_names.update(a.evaluated_alias or a.evaluated_name for a in node.names)

    def leave_ImportFrom(self, original_node: cst.ImportFrom) -> None:
        self.import_depth -= 1

    def _record_import(self, node: cst.Import | cst.ImportFrom, name: str) -> None:
        self.imports_openai = True
        if not any(n is node for n in self.inv.import_nodes):
            self.inv.import_nodes.append(node)
        self.pending_imports.append((node, name))

    def _add_import(self, node: cst.Import | cst.ImportFrom, name: str) -> None:
        line, col = self._pos(node)
        kind = "type" if name.startswith("openai.types.") else "import"
        parts = name.split(".")
        v0 = any(name == mod or name.startswith(mod + ".") for mod in _V0_MODULES) or (
            len(parts) == 2 and parts[1] in V0_RESOURCES
        )
        self.inv.imports.append(
            Usage(self.path, line, col, kind, api=name, style="v0" if v0 else "v1")
        )

    # -- collect candidates (resolved in finish, once all bindings are known) ------------
    def visit_Call(self, node: cst.Call) -> None:
        self.pending_calls.append(node)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.pending_strings.append(node)

    def visit_Name(self, node: cst.Name) -> None:
        if node in self.binding_names:
            return  # a name being bound (`x = ...`, a parameter) is not a reference
        parent = self.stack[-2] if len(self.stack) > 1 else None
        if isinstance(parent, cst.Attribute) and parent.attr is node:
            return  # `x.attr`: the attribute name is not a reference to a variable
        if isinstance(parent, cst.Arg) and parent.keyword is node:
            return
        self.name_scope[node] = self.scope
        if not self.import_depth:
            self.pending_refs.append(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name) and node.value.value in ("self", "cls"):
            if self.class_stack:
                self.attr_owner[node] = self.class_stack[-1]
        if not self.import_depth:
            self.pending_refs.append(node)

    # -- pass 2: once every binding in the module is known --------------------------------
    def _shaped_call(self, call: cst.Call) -> bool:
        """Cheap test: could `call` be `<x>.chat.completions.create(...)` and the like?"""
        func = call.func
        return isinstance(func, cst.Attribute) and func.attr.value in _SHAPED_METHODS

    def finish(self) -> None:
        if self.foreign_names:
            self._wrapper_references()
        # Only names rooted in an openai import can be exceptions or types of the SDK.
        self.pending_refs = [n for n in self.pending_refs if self._may_bind(n, self.openai_names)]
        self.reportable = {
            *self.pending_calls,
            *self.pending_strings,
            *self.pending_assigns,
            *self.pending_refs,
            *self.inv.import_nodes,
        }
        for node, name in self.pending_imports:
            self._add_import(node, name)
        if self.imports_openai:
            for assign in self.pending_assigns:
                self._maybe_config(assign)
            for call in self.pending_calls:
                self._classify_call(call)
        else:  # calls through a client imported from elsewhere in the project
            for call in self.pending_calls:
                if self._shaped_call(call):
                    self._classify_call(call)
        if self.foreign_names:
            for call in self.pending_calls:
                self._wrapper_constructor(call)
        for node in self.pending_strings:
            self._classify_string(node)
        if self.imports_openai:
            self._classify_refs()
        if self.has_v0_call:  # settings shared by both APIs belong to the v0 code here
            for site in self.inv.configs:
                site.usage = replace(site.usage, style="v0")

    def _classify_call(self, call: cst.Call) -> None:
        if self._client_constructor(call) is not None:
            return
        # `openai.chat.completions.create(...)` / `openai.ChatCompletion.create(...)`: a
        # plain dotted name (not `openai.chat.completions.create(...).model_dump()`)
        module_names = self._sdk_names(call.func) if _dotted(call.func) is not None else []
        for name in module_names:
            parts = [p for p in name.split(".") if p not in TRANSPARENT_ATTRS]
            if len(parts) >= 3 and parts[1] in V0_RESOURCES and parts[2] in _V0_METHOD_NAMES:
                self._record_v0_call(call, parts[1], parts[2])
                return
            if len(parts) >= 3 and parts[1] in V1_RESOURCES:
                # the v1 module-level client is a synchronous OpenAI client
                self._record_v1_call(call, ".".join(parts[1:]), None, False, module_client=True)
                return
        if not isinstance(call.func, cst.Attribute):
            return
        chain = self._client_chain(call.func)
        if chain is None:
            return
        segments = chain.segments
        if chain.weak and self.imports_openai:
            if segments[-1] not in _SDK_METHODS:
                return
            # `app.state.llm.chat.completions.create`: the path starts at the first resource
            start = next((i for i, s in enumerate(segments) if s in _WEAK_RESOURCES), None)
            if start is None or len(segments) - start < 2:
                return
            segments = segments[start:]
        elif chain.weak:
            # No openai import here: only a client imported from another module of the
            # project (`from app.llm import client`), called on an unmistakable path,
            # and only where no SDK of the same shape (zhipuai, ark, ...) is imported.
            start = next(
                (i for i in range(len(segments)) if ".".join(segments[i:]) in _SHAPED_PATHS),
                None,
            )
            if start is None or self.lookalike_import or not self._imported_root(chain.root):
                return
            segments = segments[start:]
        elif not segments or segments[0] not in V1_RESOURCES or len(segments) < 2:
            return
        is_async = chain.is_async if chain.is_async is not None else self._awaited(call)
        self._record_v1_call(call, ".".join(segments), chain.client, is_async, weak=chain.weak)
        if chain.weak:
            self.inv.calls[-1].made_by = self._configured_factory(chain.root)

    def _imported_root(self, node: cst.BaseExpression, depth: int = 0) -> bool:
        """Does `node` come from a name imported from another module of the project
        (relative, or any package but openai and the other SDKs)?"""
        if depth > _MAX_DEPTH:
            return False
        if isinstance(node, cst.Name):
            for target in self._bindings(node):
                module = self.import_binding.get(target)
                if module is not None:
                    root = module.split(".")[0]
                    if module.startswith(".") or (root != "openai" and root not in FOREIGN_ROOTS):
                        return True
                elif target in self.assigned:
                    if self._imported_root(self.assigned[target], depth + 1):
                        return True
            return False
        if isinstance(node, cst.Call):
            return self._imported_root(node.func, depth + 1)
        if isinstance(node, cst.Await):
            return self._imported_root(node.expression, depth + 1)
        if isinstance(node, cst.Attribute):
            values = self._attribute_values(node)
            if values:
                return any(self._imported_root(v, depth + 1) for v in values)
            return self._imported_root(node.value, depth + 1)
        return False

    def _client_constructor(self, call: cst.Call) -> ClientSite | None:
        if call in self.client_cache:
            return self.client_cache[call]
        site: ClientSite | None = None
        for name in self._sdk_names(call.func):
            if name in CLIENT_CLASSES:
                class_name, is_async, is_azure = CLIENT_CLASSES[name]
                line, col = self._pos(call)
                kwargs = _keywords(call)
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
                endpoint = trace_endpoint(base, _ValuesOf(self))
                site = ClientSite(call, class_name, is_async, is_azure, usage, base, endpoint)
                self.inv.clients.append(site)
                break
        self.client_cache[call] = site
        return site

    def _wrapper_references(self) -> None:
        """A wrapper class handed on instead of called here (`return ChatOpenAI`): whoever
        builds it sends to OpenAI too."""
        for node in self.pending_refs:
            parent = self.parent.get(node)
            if isinstance(parent, cst.Call) and parent.func is node:
                continue  # a constructor: recorded with its arguments
            if isinstance(parent, cst.Attribute) and parent.value is node:
                continue  # only the outermost name of `langchain_openai.ChatOpenAI`
            if self._type_use(node) or not self._foreign(node):
                continue
            qualified = next(
                (q.name for q in self._qnames(node) if q.name in WRAPPER_CLASSES), None
            )
            if qualified is None:
                continue
            line, col = self._pos(node)
            usage = Usage(self.path, line, col, "client", api=qualified)
            self.inv.wrappers.append(
                WrapperSite(node, qualified, WRAPPER_CLASSES[qualified], usage)  # type: ignore[arg-type]
            )

    def _type_use(self, node: cst.CSTNode) -> bool:
        """In an annotation or an isinstance/issubclass test: not a client being made."""
        current = self.parent.get(node)
        for _ in range(4):
            if current is None:
                return False
            if isinstance(current, cst.Annotation):
                return True
            if isinstance(current, cst.Call) and isinstance(current.func, cst.Name):
                return current.func.value in ("isinstance", "issubclass")
            current = self.parent.get(current)
        return False

    def _wrapper_constructor(self, call: cst.Call) -> None:
        """`ChatOpenAI(...)` of langchain_openai and friends (see wrapper_classes.py)."""
        if not self._foreign(call.func):
            return
        for qualified in sorted(q.name for q in self._qnames(call.func)):
            kind = WRAPPER_CLASSES.get(qualified)
            if kind is None:
                continue
            kwargs = _keywords(call)
            base = next((kwargs[k] for k in kind.base_url_keywords if k in kwargs), None)
            line, col = self._pos(call)
            usage = Usage(
                self.path,
                line,
                col,
                "client",
                api=qualified,
                params=_param_names(call),
                base_url=self._describe_base_url(base),
            )
            self.inv.wrappers.append(WrapperSite(call, qualified, kind, usage, base))
            return

    def _describe_base_url(self, expr: cst.BaseExpression | None, depth: int = 0) -> str | None:
        """A literal URL, `env:VAR` (with its default), or `dynamic`. Constants and dict
        entries bound in this module are followed to their value."""
        if expr is None:
            return None
        literal = _string_value(expr)
        if literal is not None:
            return literal
        if depth < _MAX_DEPTH:
            if isinstance(expr, cst.Call):
                env = self._env_lookup(expr)
                if env is not None:
                    var, default = env
                    return f"env:{var}" + (f" (default {default})" if default else "")
                value = self._dict_get(expr)
                if value is not None:
                    return self._describe_base_url(value, depth + 1)
            if isinstance(expr, cst.Subscript):
                env = self._environ_subscript(expr)
                if env is not None:
                    return f"env:{env}"
                value = self._dict_entry_value(expr)
                if value is not None:
                    return self._describe_base_url(value, depth + 1)
            if isinstance(expr, cst.Name):
                values = self._name_values(expr)
                if len(values) == 1:
                    return self._describe_base_url(values[0][0], depth + 1)
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

    # -- following clients -----------------------------------------------------------------
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
        if depth > _MAX_DEPTH:
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
        for node in m.findall(annotation, m.Name() | m.Attribute()):
            for name in self._sdk_names(node):
                if name in CLIENT_CLASSES:
                    class_name, is_async, _ = CLIENT_CLASSES[name]
                    return _AnnotatedClient(class_name, is_async)
            foreign = foreign or self._foreign(node)
        return _NOT_CLIENT if foreign else None

    def _attribute_values(self, node: cst.Attribute) -> list[cst.BaseExpression] | None:
        """Values bound to `self.x` / `cls.x` (in the enclosing class) or `Holder.x`."""
        if not isinstance(node.value, cst.Name):
            return None
        owner = self.attr_owner.get(node)
        if owner is None and node.value.value not in ("self", "cls"):
            owner = node.value.value
        if owner is None:
            return None
        values = self.class_attrs.get(owner, {}).get(node.attr.value)
        return list(values) if values else None

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
            if isinstance(value, cst.Call) and value.args and _dotted(value.func) is not None:
                return _dotted(value.func)
        return None

    def _name_values(self, node: cst.Name) -> list[tuple[cst.BaseExpression, bool]]:
        """Values bound to the name visible at `node`, in source order, each with whether
        it is a parameter default. Empty when the name is not bound to a value here."""
        values: list[tuple[cst.BaseExpression, bool]] = []
        for target in self._bindings(node):
            if target in self.assigned:
                values.append((self.assigned[target], False))
            elif isinstance(target, cst.Param) and target.default is not None:
                values.append((target.default, True))
            else:  # bound some other way (loop, import, def): no single known value
                return []
        return values

    # -- calls -------------------------------------------------------------------------------
    def _record_v1_call(
        self,
        call: cst.Call,
        api: str,
        client: ClientSite | None,
        is_async: bool,
        module_client: bool = False,
        weak: bool = False,
    ) -> None:
        kwargs = _keywords(call)
        method = api.rsplit(".", 1)[-1]
        stream = method.endswith("stream") or self._is_true(kwargs.get("stream"))
        model = self._model_ref(kwargs.get("model"))
        self._add_call(call, api, "v1", is_async, stream, model, client, module_client)
        self.inv.calls[-1].weak = weak
        if "dimensions" in kwargs and api_family(api) == "embeddings":
            self.inv.calls[-1].dimensions = self._size_ref(kwargs["dimensions"])

    def _record_v0_call(self, call: cst.Call, resource: str, method: str) -> None:
        self.has_v0_call = True
        is_async = method.startswith("a") and method[1:] in V0_METHODS
        base_method = method[1:] if is_async else method
        suffix = V0_SPECIAL_METHODS.get((resource, base_method), base_method)
        api = f"{V0_RESOURCES[resource]}.{suffix}"
        kwargs = _keywords(call)
        model_expr = kwargs.get("model") or kwargs.get("engine") or kwargs.get("deployment_id")
        if model_expr is None and base_method in _V0_POSITIONAL_MODEL:
            positional = [a for a in call.args if a.keyword is None and not a.star]
            model_expr = positional[0].value if positional else None
        model = self._model_ref(model_expr)
        stream = self._is_true(kwargs.get("stream"))
        self._add_call(call, api, "v0", is_async, stream, model, None)

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
        if model is not None and model.literal is not None and model.inline:
            self.call_model_literals.add(model.literal)
        for alternative in model.alternatives if model is not None else ():
            if alternative.literal is not None and self._inside(alternative.literal, call):
                self.call_model_literals.add(alternative.literal)  # `model="a" if c else "b"`
        self.inv.calls.append(
            CallSite(
                call, api, api_family(api), style, is_async, stream, usage, model, client,
                module_client,
            )
        )  # fmt: skip

    def _inside(self, node: cst.CSTNode, ancestor: cst.CSTNode) -> bool:
        current: cst.CSTNode | None = node
        while current is not None and current is not ancestor:
            current = self.parent.get(current)
        return current is ancestor

    def _awaited(self, call: cst.Call) -> bool:
        """`await <call>` or `async with <call> as ...`."""
        parent = self.parent.get(call)
        if isinstance(parent, cst.Await):
            return True
        if isinstance(parent, cst.WithItem):
            statement = self.parent.get(parent)
            return isinstance(statement, cst.With) and statement.asynchronous is not None
        return False

    def _is_true(self, expr: cst.BaseExpression | None) -> bool:
        """`True`, or a name bound only to `True` (a constant, a parameter default)."""
        if _is_true(expr):
            return True
        if isinstance(expr, cst.Name):
            values = self._name_values(expr)
            return len(values) == 1 and _is_true(values[0][0])
        return False

    # -- following model names ---------------------------------------------------------------
    def _model_ref(self, expr: cst.BaseExpression | None, depth: int = 0) -> ModelRef | None:
        if expr is None:
            return None
        inline = depth == 0
        if isinstance(expr, cst.SimpleString):
            return ModelRef(expr, _string_value(expr), "literal" if inline else "traced", inline)
        source = code_of(expr)
        if depth > _MAX_DEPTH:
            return ModelRef(None, None, f"dynamic: {source}")
        if isinstance(expr, cst.Name):
            values = self._name_values(expr)
            if len(values) == 1:
                value, is_param = values[0]
                found = self._model_ref(value, depth + 1)
                if found is not None and found.value is not None:
                    origin = f"default of {expr.value}" if is_param else f"constant {expr.value}"
                    return self._carried(found, expr, origin)
                if found is not None and found.alternatives:
                    return self._carried(found, expr, found.origin)
                if found is not None and found.origin.startswith("env "):
                    return ModelRef(None, None, found.origin)  # `M = os.getenv("X")`
            elif values:  # assigned in several places (`if long: m = "a"` / `else: m = "b"`)
                either = self._either(expr, [value for value, _ in values], depth)
                if either is not None:
                    return self._carried(either, expr, either.origin)
            imported = self._imported_model(expr)
            if imported is not None:
                return replace(imported, carriers=(self._carrier(expr),))
            return ModelRef(None, None, f"dynamic: {source}")
        if isinstance(expr, cst.IfExp):  # `"a" if c else "b"`: both branches are the model
            either = self._either(expr, [expr.body, expr.orelse], depth)
            if either is not None:
                return either
        if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
            either = self._either(expr, [expr.left, expr.right], depth)  # `m or "gpt-4o"`
            if either is not None:
                return either
        if isinstance(expr, cst.Call):
            env = self._env_lookup(expr)
            if env is not None:
                var, default = env
                literal = expr.args[1].value if len(expr.args) > 1 else None
                if default is not None and isinstance(literal, cst.SimpleString):
                    return ModelRef(literal, default, f"env {var} (default)", inline)
                return ModelRef(None, None, f"env {var}")
            value = self._dict_get(expr)
            if value is not None:
                found = self._model_ref(value, depth + 1)
                if found is not None and found.value is not None:
                    return replace(found, origin=f"dict entry {source}", inline=False)
        if isinstance(expr, cst.Subscript):
            env = self._environ_subscript(expr)
            if env is not None:
                return ModelRef(None, None, f"env {env}")
            value = self._dict_entry_value(expr)
            if value is not None:
                found = self._model_ref(value, depth + 1)
                if found is not None and found.value is not None:
                    return replace(found, origin=f"dict entry {source}", inline=False)
            table = self._dict_literal(expr.value)
            key = _index(expr)
            if table is not None and key is not None and _string_value(key) is None:
                # `MODELS[tier]`: any entry of the table may be the model
                entries = [e.value for e in table.elements if isinstance(e, cst.DictElement)]
                either = self._either(expr, entries, depth)
                if either is not None:
                    return either
        if isinstance(expr, cst.Attribute):
            imported = self._imported_model(expr)  # `config.CHAT_MODEL` (`from app import config`)
            if imported is not None and imported.constant is not None:
                return imported
            values_ = self._attribute_values(expr)
            if values_ is not None and len(values_) == 1:
                found = self._model_ref(values_[0], depth + 1)
                if found is not None and found.value is not None:
                    return self._carried(found, expr, f"attribute {source}")
                if found is not None and found.alternatives:
                    return self._carried(found, expr, found.origin)
            elif values_:
                either = self._either(expr, values_, depth)
                if either is not None:
                    return self._carried(either, expr, either.origin)
        return ModelRef(None, None, f"dynamic: {source}")

    def _either(
        self, expr: cst.BaseExpression, options: list[cst.BaseExpression], depth: int
    ) -> ModelRef | None:
        """The model is one of `options`: a ref holding each option traced to its literal
        (or constant), or None when none of them could be traced."""
        traced: list[ModelRef] = []
        partial = False
        for option in options:
            found = self._model_ref(option, depth + 1)
            if found is not None and found.alternatives:
                shared = found.carriers
                for alternative in found.alternatives:
                    traced.append(replace(alternative, carriers=(*shared, *alternative.carriers)))
                partial = partial or found.partial
            elif found is not None and found.value is not None:
                traced.append(found)
            else:
                partial = True
        if not traced:
            return None
        origin = f"{'dynamic' if partial else 'one of'}: {code_of(expr)}"
        return ModelRef(None, None, origin, alternatives=tuple(traced), partial=partial)

    def _carried(self, found: ModelRef, expr: cst.Name | cst.Attribute, origin: str) -> ModelRef:
        """`found`, reached through the name `expr`."""
        carriers = (self._carrier(expr), *found.carriers)
        return replace(found, origin=origin, inline=False, carriers=carriers)

    def _carrier(self, expr: cst.Name | cst.Attribute) -> Carrier:
        module = self.wrapper.module
        if isinstance(expr, cst.Attribute):
            return Carrier(expr.attr.value, True, module)
        bindings = self._bindings(expr)
        region: cst.CSTNode | None = bindings[0] if bindings else None
        while region is not None and not isinstance(region, (cst.FunctionDef, cst.Lambda)):
            region = self.parent.get(region)
        return Carrier(expr.value, False, region if region is not None else module)

    def _imported(
        self, expr: cst.Name | cst.Attribute, kind: type[str] | type[int]
    ) -> tuple[str, Constant | None] | None:
        """The qualified name `expr` was imported as, and the project constant it names
        when the run knows one whose value is a `kind`."""
        imported = sorted(
            q.name for q in self._qnames(expr) if q.source == QualifiedNameSource.IMPORT
        )
        if not imported:
            return None
        name = imported[0]
        module, _, attr = name.rpartition(".")
        constant = self.constants.get(f"{absolute_module(self.path, module)}.{attr}")
        return name, constant if constant is not None and isinstance(constant.value, kind) else None

    def _imported_model(self, expr: cst.Name | cst.Attribute) -> ModelRef | None:
        """A model named through an import: its value when the run knows the constant."""
        imported = self._imported(expr, str)
        if imported is None:
            return None
        name, constant = imported
        value = str(constant.value) if constant is not None else None
        return ModelRef(None, value, f"imported: {name}", constant=constant)

    def _size_ref(self, expr: cst.BaseExpression, depth: int = 0) -> SizeRef:
        """Follow `dimensions=` to an integer literal: inline, a constant of this module,
        or a constant another file of the run defines."""
        if isinstance(expr, cst.Integer):
            value = expr.evaluated_value
            return SizeRef(expr, value, "literal" if depth == 0 else "constant")
        source = code_of(expr)
        if isinstance(expr, cst.Name) and depth <= _MAX_DEPTH:
            values = self._name_values(expr)
            if len(values) == 1 and not values[0][1]:
                found = self._size_ref(values[0][0], depth + 1)
                if found.value is not None:
                    return SizeRef(found.literal, found.value, f"constant {expr.value}")
        if isinstance(expr, (cst.Name, cst.Attribute)):
            imported = self._imported(expr, int)
            if imported is not None:
                name, constant = imported
                value = int(constant.value) if constant is not None else None
                return SizeRef(None, value, f"imported: {name}", constant)
        return SizeRef(None, None, f"dynamic: {source}")

    def _dict_entry_value(self, expr: cst.Subscript) -> cst.BaseExpression | None:
        """`MODELS["chat"]` with `MODELS = {"chat": ...}` bound once in this module."""
        if len(expr.slice) != 1 or not isinstance(expr.slice[0].slice, cst.Index):
            return None
        return self._dict_lookup(expr.value, expr.slice[0].slice.value)

    def _dict_get(self, call: cst.Call) -> cst.BaseExpression | None:
        """`MODELS.get("chat")` (or its default when the key is absent)."""
        func = call.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "get" and call.args):
            return None
        found = self._dict_lookup(func.value, call.args[0].value)
        if found is None and len(call.args) > 1 and isinstance(func.value, cst.Name):
            if self._dict_literal(func.value) is not None:
                return call.args[1].value
        return found

    def _dict_literal(self, owner: cst.BaseExpression) -> cst.Dict | None:
        if not isinstance(owner, cst.Name):
            return None
        values = self._name_values(owner)
        if len(values) != 1 or not isinstance(values[0][0], cst.Dict):
            return None
        return values[0][0]

    def _dict_lookup(
        self, owner: cst.BaseExpression, key_expr: cst.BaseExpression
    ) -> cst.BaseExpression | None:
        key = _string_value(key_expr)
        mapping = self._dict_literal(owner)
        if key is None or mapping is None:
            return None
        for element in mapping.elements:
            if isinstance(element, cst.DictElement) and _string_value(element.key) == key:
                return element.value
        return None

    # -- strings and references ------------------------------------------------------------
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
        parent = self.parent.get(node)
        if not isinstance(parent, cst.Arg):
            return False
        call = self.parent.get(parent)
        if not isinstance(call, cst.Call):
            return False
        if isinstance(call.func, cst.Attribute) and call.func.attr.value in TOKENIZER_CALLS:
            return True
        if isinstance(call.func, cst.Name) and call.func.value in TOKENIZER_CALLS:
            return True
        return self._foreign(call.func)

    def _classify_refs(self) -> None:
        seen: set[tuple[int, int]] = set()
        for node in self.pending_refs:
            if isinstance(node, cst.Attribute) and _dotted(node) is None:
                continue  # `OpenAI().chat`: not a reference to a name of the package
            names = self._sdk_names(node)
            if not names:
                continue
            name = names[0]
            parent = self.parent.get(node)
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


# A class an object is an instance of (a ProjectClass of another file, or the name of a
# class of this module) and the call that made it (None: a parameter's caller did).
_Instance = tuple[ProjectClass | str, cst.Call | None]


class _ValuesOf:
    """The collector's knowledge of bound values, as endpoint_trace.ValueSource."""

    def __init__(self, collector: _Collector) -> None:
        self.collector = collector

    def name_values(self, node: cst.Name) -> list[cst.BaseExpression | None] | None:
        collector = self.collector
        values: list[cst.BaseExpression | None] = []
        for target in collector._bindings(node):
            if target in collector.import_binding:
                return None  # imported: its value is a project constant, or unknown
            if target in collector.assigned:
                values.append(collector.assigned[target])
            elif isinstance(target, cst.Param):
                values.append(target.default)
            else:
                values.append(None)
        return values or None

    def attribute_values(self, node: cst.Attribute) -> list[cst.BaseExpression] | None:
        """`self.x` also takes the values subclasses in this module give `x`: a shared
        base class (`self.client = OpenAI(base_url=self.base_url)`) serves them all."""
        collector = self.collector
        values = list(collector._attribute_values(node) or [])
        owner = collector.attr_owner.get(node)
        if owner is not None:
            for subclass in self._subclasses(owner):
                values += collector.class_attrs.get(subclass, {}).get(node.attr.value, [])
        return values or None

    def instance_attribute(
        self, node: cst.Attribute
    ) -> list[cst.BaseExpression | DefaultValue | None] | None:
        owner = node.value
        if not isinstance(owner, cst.Name) or owner.value in ("self", "cls"):
            return None
        instances = self._instances(owner, set())
        if not instances:
            return None
        attr = node.attr.value
        values: list[cst.BaseExpression | DefaultValue | None] = []
        for cls, call in instances:
            keyword = _keywords(call).get(attr) if call is not None else None
            if keyword is not None:  # `Settings(base_url=...)`
                values.append(keyword)
            elif call is not None and any(arg.keyword is None for arg in call.args):
                values.append(None)  # a positional or `**` argument may set it
            elif isinstance(cls, ProjectClass):
                defaults = cls.values_of(attr)
                values += defaults if defaults else [None]
            else:
                values += self.collector.class_attrs.get(cls, {}).get(attr) or [None]
                if "BaseSettings" in self.collector.class_bases.get(cls, []):
                    values.append(None)  # its fields are also read from the environment
        return values

    def _instances(self, name: cst.Name, seen: set[cst.CSTNode]) -> list[_Instance] | None:
        """The classes (and constructor calls) every binding of `name` makes it an
        instance of; None when one binding is not shown to be such an instance."""
        collector = self.collector
        found: list[_Instance] = []
        for target in collector._bindings(name):
            if target in seen:
                continue  # `settings = settings or Settings()` refers back to itself
            seen.add(target)
            if target in collector.assigned:
                more = self._instances_of(collector.assigned[target], seen)
            elif isinstance(target, cst.Param) and target.annotation is not None:
                # A caller's instance: the class's defaults stand for what it holds.
                more = self._annotated(target.annotation.annotation)
                if more is not None and target.default is not None:
                    default = self._instances_of(target.default, seen)
                    more = None if default is None else more + default
            else:
                more = None
            if more is None:
                return None
            found += more
        return found

    def _instances_of(
        self, expr: cst.BaseExpression, seen: set[cst.CSTNode]
    ) -> list[_Instance] | None:
        if isinstance(expr, cst.Name) and expr.value == "None":
            return []  # no instance, and no attribute read from it
        if isinstance(expr, (cst.BooleanOperation, cst.IfExp)):
            parts = (
                (expr.left, expr.right)
                if isinstance(expr, cst.BooleanOperation)
                else (expr.body, expr.orelse)
            )
            found: list[_Instance] = []
            for part in parts:
                more = self._instances_of(part, seen)
                if more is None:
                    return None
                found += more
            return found
        if isinstance(expr, cst.Name):
            return self._instances(expr, seen)
        if isinstance(expr, cst.Call):
            cls = self._known_class(expr.func)
            return [(cls, expr)] if cls is not None else None
        return None

    def _annotated(self, annotation: cst.BaseExpression) -> list[_Instance] | None:
        """The classes of `Settings`, `Settings | None`, `Optional[Settings]`."""
        if isinstance(annotation, cst.Name) and annotation.value == "None":
            return []
        if isinstance(annotation, cst.BinaryOperation) and isinstance(
            annotation.operator, cst.BitOr
        ):
            left = self._annotated(annotation.left)
            right = self._annotated(annotation.right)
            return None if left is None or right is None else left + right
        if (
            isinstance(annotation, cst.Subscript)
            and (_dotted(annotation.value) or "").rsplit(".", 1)[-1] == "Optional"
            and len(annotation.slice) == 1
            and isinstance(annotation.slice[0].slice, cst.Index)
        ):
            return self._annotated(annotation.slice[0].slice.value)
        cls = self._known_class(annotation)
        return [(cls, None)] if cls is not None else None

    def _known_class(self, expr: cst.BaseExpression) -> ProjectClass | str | None:
        """A class defined in this module (its name) or in a project module this file
        imports (its ProjectClass), as `expr` names it; None otherwise."""
        collector = self.collector
        if isinstance(expr, cst.Name):
            bindings = collector._bindings(expr)
            if bindings and all(isinstance(b, cst.ClassDef) for b in bindings):
                return expr.value if expr.value in collector.class_attrs else None
        if not isinstance(expr, (cst.Name, cst.Attribute)):
            return None
        names = collector._qnames(expr)
        if len(names) != 1:
            return None
        name = next(iter(names))
        if name.source != QualifiedNameSource.IMPORT:
            return None
        module, _, attr = name.name.rpartition(".")
        return collector.classes.get(f"{absolute_module(collector.path, module)}.{attr}")

    def _subclasses(self, owner: str) -> list[str]:
        found: list[str] = []
        pending = [owner]
        while pending:
            current = pending.pop()
            for name, bases in self.collector.class_bases.items():
                if current in bases and name not in found and name != owner:
                    found.append(name)
                    pending.append(name)
        return found

    def env_read(self, node: cst.BaseExpression) -> tuple[str, cst.BaseExpression | None] | None:
        collector = self.collector
        if isinstance(node, cst.Subscript):
            var = collector._environ_subscript(node)
            return (var, None) if var is not None else None
        if isinstance(node, cst.Call) and collector._env_lookup(node) is not None:
            var = _string_value(node.args[0].value)
            assert var is not None
            return var, node.args[1].value if len(node.args) > 1 else None
        return None

    def dict_value(self, node: cst.BaseExpression) -> cst.BaseExpression | None:
        if isinstance(node, cst.Subscript):
            return self.collector._dict_entry_value(node)
        if isinstance(node, cst.Call):
            return self.collector._dict_get(node)
        return None

    def imported_string(self, node: cst.Name | cst.Attribute) -> str | None:
        imported = self.collector._imported(node, str)
        if imported is None or imported[1] is None:
            return None
        return str(imported[1].value)


class _Start:
    """Context manager a node's codegen enters where its syntactic position begins."""

    __slots__ = ("node", "state")

    def __init__(self, state: _StartsState, node: cst.CSTNode) -> None:
        self.state = state
        self.node = node

    def __enter__(self) -> None:
        self.state.starts[self.node] = len(self.state.tokens)

    def __exit__(self, *exc: object) -> None:
        return None


class _NoStart:
    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


_NO_START = _NoStart()


if _CodegenState is not None:

    @dataclass(frozen=False)
    class _StartsState(_CodegenState):  # type: ignore[misc,valid-type]
        """Code generation that notes, for the wanted nodes only, the index of the token
        where the node's syntactic position starts (the same hook PositionProvider uses)."""

        wanted: set[cst.CSTNode] = field(default_factory=set)
        starts: dict[cst.CSTNode, int] = field(default_factory=dict)

        def record_syntactic_position(  # type: ignore[override]
            self,
            node: cst.CSTNode,
            *,
            start_node: cst.CSTNode | None = None,
            end_node: cst.CSTNode | None = None,
        ) -> _Start | _NoStart:
            if start_node is None and node in self.wanted:
                return _Start(self, node)
            return _NO_START


_NEWLINE = re.compile(r"\r\n?|\n")


def _syntactic_starts(
    module: cst.Module, wanted: set[cst.CSTNode]
) -> dict[cst.CSTNode, tuple[int, int]]:
    """Start (line, 1-based column) of each wanted node, as PositionProvider computes it.

    PositionProvider records a range for every node of the module, which costs more
    than the whole inventory; this records only the nodes that may be reported. It uses
    libcst's code generation hook; on any surprise it returns nothing and `_pos` falls
    back to PositionProvider, node by node.
    """
    if _CodegenState is None or not wanted:
        return {}
    try:
        state = _StartsState(
            default_indent=module.default_indent,
            default_newline=module.default_newline,
            wanted=wanted,
        )
        module._codegen(state)
    except Exception:  # noqa: BLE001 - a libcst internals change: use the provider
        return {}
    by_index: dict[int, list[cst.CSTNode]] = {}
    for node, index in state.starts.items():
        by_index.setdefault(index, []).append(node)
    result: dict[cst.CSTNode, tuple[int, int]] = {}
    line, column = 1, 0
    for index, token in enumerate(state.tokens):
        nodes = by_index.get(index)
        if nodes is not None:
            for node in nodes:
                result[node] = (line, column + 1)
        if "\n" in token or "\r" in token:
            segments = _NEWLINE.split(token)
            line += len(segments) - 1
            column = len(segments[-1])
        else:
            column += len(token)
    return result


_V0_METHOD_NAMES = V0_METHODS | frozenset(f"a{name}" for name in V0_METHODS)


def _index(expr: cst.Subscript) -> cst.BaseExpression | None:
    """The index of `x[i]` (None for slices and `x[i, j]`)."""
    if len(expr.slice) != 1 or not isinstance(expr.slice[0].slice, cst.Index):
        return None
    return expr.slice[0].slice.value


def _keywords(call: cst.Call) -> dict[str, cst.BaseExpression]:
    return {a.keyword.value: a.value for a in call.args if a.keyword is not None}


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
