"""What the inventory records: the sites it found (clients, calls, module settings,
literals, other libraries' OpenAI classes, imports), where a call's model and size come
from, and the `Inventory` of a module that holds them all.

Sites keep the libcst nodes they were found at: the codemods edit those nodes, keyed
by identity, so sites compare by identity too (`eq=False`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst

from migrator.constants import Constant
from migrator.endpoint_trace import EndpointSource, ValueSource
from migrator.model import Usage
from migrator.scopes import Scopes
from migrator.wrapper_classes import WrapperClass


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
    """The OpenAI usage one module holds, as the inventory walk found it."""

    path: str
    imports: list[Usage] = field(default_factory=list)
    clients: list[ClientSite] = field(default_factory=list)
    calls: list[CallSite] = field(default_factory=list)
    configs: list[ConfigSite] = field(default_factory=list)
    env_reads: list[LiteralSite] = field(default_factory=list)
    model_literals: list[LiteralSite] = field(default_factory=list)
    # "openai:gpt-4o" / "openai/gpt-4o" strings frameworks read (codemods/framework_models)
    framework_models: list[LiteralSite] = field(default_factory=list)
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
    # Start (line, column) of the nodes the inventory may report, from its one code
    # generation pass, run as far as the nodes looked up (positions.Starts); of any other
    # node, from a pass noting every node (the odd node a fixer names). Both generate
    # code only when asked; `starts` is set with the inventory's first position.
    starts: Mapping[cst.CSTNode, tuple[int, int]] = field(default_factory=dict)
    any_start: Mapping[cst.CSTNode, tuple[int, int]] = field(default_factory=dict)

    def start_of(self, node: cst.CSTNode) -> tuple[int, int] | None:
        """Where `node` starts, as libcst's PositionProvider says, without its pass over the
        whole module (None: neither pass placed it)."""
        return self.starts.get(node) or self.any_start.get(node)

    def usages(self) -> list[Usage]:
        records = [
            *self.imports,
            *(c.usage for c in self.clients),
            *(c.usage for c in self.calls),
            *(c.usage for c in self.configs),
            *(e.usage for e in self.env_reads),
            *(lit.usage for lit in self.model_literals),
            *(lit.usage for lit in self.framework_models),
            *self.references,
            *(w.usage for w in self.wrappers),
        ]
        return sorted(records, key=lambda u: (u.line, u.column, u.kind, u.api or ""))

    @property
    def has_sdk_usage(self) -> bool:
        return bool(self.imports or self.clients or self.calls or self.configs)
