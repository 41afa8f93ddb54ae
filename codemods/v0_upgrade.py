"""Upgrade the v0 module API (openai<1) to a v1 client, with `--upgrade-v0`.

- Calls: `openai.ChatCompletion.create(...)` -> `client.chat.completions.create(...)`,
  `openai.ChatCompletion.acreate(...)` -> `aclient.chat.completions.create(...)` (the
  user's `await` stays where it is), and likewise Completion, Embedding, Image
  (`create` -> `images.generate`), Audio (`transcribe` -> `audio.transcriptions.create`),
  Moderation, File, FineTuningJob and Model. `engine=` / `deployment_id=` become `model=`,
  `request_timeout=` becomes `timeout=`, per-request credentials are dropped, and the
  positional arguments v0 allowed (`Audio.transcribe(model, file)`) become keywords.
- Module settings at module level (`openai.api_key/api_base/organization/api_type/
  api_version = ...`) are removed and folded into one module-level client built where
  the last of them stood (so names and `load_dotenv()` before it still work); without
  settings the client goes after the imports (after a top-level `load_dotenv()`). It
  points at the provider like the v1 client fixer does (an endpoint already away from
  OpenAI is kept, with its key and the calls' models, as that fixer keeps such clients);
  `aclient = AsyncOpenAI(...)` only when async calls exist. `client`/`aclient` become
  `openai_client`/`async_client` when taken. An `import openai` that only the upgraded
  code used becomes `from openai import OpenAI` in place; one still in use builds the
  client as `openai.OpenAI(...)` unless a `from openai import` line can take the class.
  Settings left in place (inside functions) are marked and handed to the module
  settings fixer in the same run, as a second run would.
- Responses are objects in v1: on a variable assigned from an upgraded call (and on loop
  targets and variables derived from it, in the same scope), and on the call expression
  itself, string-key subscripts and `.get("key"[, default])` become attribute access
  (`r["choices"][0]["message"]["content"]` -> `r.choices[0].message.content`,
  `d.get("content", "")` -> `d.content or ""`); integer subscripts stay.
- Exceptions: `openai.error.X` -> `openai.<v1 name>`, `from openai.error import X` ->
  `from openai import <v1 name>` (references renamed), `e.http_status` -> `e.status_code`.
- What has no v1 equivalent is left as it is and marked.

Module settings reuse the client fixer's rules: MIG101 (a key expression of the user's
kept), MIG102 (organization/project removed), MIG103 (Azure settings), MIG104/MIG105/
MIG502 (endpoint kept / not shown to be OpenAI's / relay).

Rules:
  MIG410 v0 module API upgraded to a v1 client: responses are objects, not dicts
  MIG411 v0 API with no v1 equivalent (Engine, Edit, legacy FineTune, embeddings_utils...): marked
  MIG412 v0 module setting with no v1 client equivalent (proxy, requestssession...): marked
  MIG413 v0 module setting not at module level: not folded into the client, marked
  MIG414 v0 exception with no v1 equivalent (TryAgain, InvalidAPIType...): left, marked
  MIG415 v0 call or reference that cannot be converted (positional/* arguments, bare reference)
  MIG416 per-request v0 arguments removed (api_key, api_base, organization, api_type, api_version)
  MIG417 engine=/deployment_id= became model=: the value must be a provider model id
  MIG418 dict-style access on a v1 response that could not be converted: left, marked
  MIG107 a `**mapping` may hold per-request credentials or v0 names: call left as v0
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import (
    ParentNodeProvider,
    QualifiedNameProvider,
    QualifiedNameSource,
    ScopeProvider,
)
from migrator.codemods._edit import (
    edit_call_args,
    env_read,
    env_read_with_default,
    key_read,
    replace_string_value,
)
from migrator.codemods._kept_key import may_be_none, reads_key_var
from migrator.codemods._kwargs_dict import kwargs_dicts, remove_entries
from migrator.codemods.client_endpoint import (
    OPENAI_ENV_PREFIXES,
    base_url_expression,
    configurable_base_url,
    module_endpoint,
    module_endpoint_kept,
    openai_key_from_afar,
    report_endpoint,
)
from migrator.codemods.env_vars import renames_for
from migrator.codemods.module_settings import retarget_module_settings

from migrator.inventory import V0_RESOURCES, CallSite, ConfigSite
from migrator.mapping import openai_model_kind
from migrator.response_flow import Binding, Step, follow, subscript_key
from migrator.rewrite import Plan, insertion_index
from migrator.source import code_of, dotted_name

RULE = "MIG410"

# (v0 resource, v0 method) -> v1 path under the client.
V1_CALLS: dict[tuple[str, str], str] = {
    ("ChatCompletion", "create"): "chat.completions.create",
    ("Completion", "create"): "completions.create",
    ("Embedding", "create"): "embeddings.create",
    ("Image", "create"): "images.generate",
    ("Image", "create_edit"): "images.edit",
    ("Image", "create_variation"): "images.create_variation",
    ("Audio", "transcribe"): "audio.transcriptions.create",
    ("Audio", "translate"): "audio.translations.create",
    ("Moderation", "create"): "moderations.create",
    ("File", "create"): "files.create",
    ("File", "list"): "files.list",
    ("File", "retrieve"): "files.retrieve",
    ("File", "delete"): "files.delete",
    ("File", "download"): "files.content",
    ("FineTuningJob", "create"): "fine_tuning.jobs.create",
    ("FineTuningJob", "list"): "fine_tuning.jobs.list",
    ("FineTuningJob", "retrieve"): "fine_tuning.jobs.retrieve",
    ("FineTuningJob", "cancel"): "fine_tuning.jobs.cancel",
    ("FineTuningJob", "list_events"): "fine_tuning.jobs.list_events",
    ("Model", "list"): "models.list",
    ("Model", "retrieve"): "models.retrieve",
    ("Model", "delete"): "models.delete",
}
# v0 resources that have no v1 counterpart at all.
GONE_RESOURCES: dict[str, str] = {
    "Engine": "engines were replaced by models (client.models)",
    "Customer": "the customers API does not exist in v1",
    "Deployment": "Azure deployments are managed outside the SDK in v1",
    "Edit": "the edits endpoint was removed; use chat completions",
    "FineTune": "the legacy fine-tunes API was removed; port to client.fine_tuning.jobs "
    "(parameters and events differ)",
}
# Positional parameters of v0 methods that v1 only takes as keywords.
POSITIONAL_KEYWORDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("Audio", "transcribe"): ("model", "file"),
    ("Audio", "translate"): ("model", "file"),
    ("Moderation", "create"): ("input",),
}
# Methods taking an object id as their single positional argument, in v0 and in v1.
ID_METHODS = frozenset({"retrieve", "delete", "cancel", "download", "list_events"})
# v0 `id=` / `sid=` keyword -> v1 name, by resource.
ID_KEYWORDS: dict[str, str] = {
    "File": "file_id",
    "FineTuningJob": "fine_tuning_job_id",
    "Model": "model",
}
REQUEST_CREDENTIALS = frozenset({"api_key", "api_base", "api_type", "api_version", "organization"})
MODEL_ALIASES = ("engine", "deployment_id")

# openai.error.<name> -> openai.<v1 name>
V0_EXCEPTIONS: dict[str, str] = {
    "OpenAIError": "OpenAIError",
    "APIError": "APIError",
    "APIConnectionError": "APIConnectionError",
    "Timeout": "APITimeoutError",
    "InvalidRequestError": "BadRequestError",
    "AuthenticationError": "AuthenticationError",
    "PermissionError": "PermissionDeniedError",
    "RateLimitError": "RateLimitError",
    "ServiceUnavailableError": "InternalServerError",
}
# v0 re-exported this one at the top level; v1 has no such name.
TOP_LEVEL_V0_EXCEPTIONS = {"openai.InvalidRequestError": "BadRequestError"}
EXCEPTION_ATTRS = {"http_status": "status_code", "json_body": "body"}
V0_ONLY_MODULES = ("openai.embeddings_utils", "openai.api_resources")

# Settings folded into the client: setting -> client keyword (None: dropped).
FOLDED_SETTINGS: dict[str, str | None] = {
    "api_key": "api_key",
    "api_base": "base_url",
    "base_url": "base_url",
    "azure_endpoint": "base_url",
    "organization": None,
    "project": None,
    "api_type": None,
    "api_version": "api_version",
    "max_retries": "max_retries",
    "timeout": "timeout",
    "default_headers": "default_headers",
    "default_query": "default_query",
}
UNSUPPORTED_SETTINGS: dict[str, str] = {
    "proxy": "pass http_client=DefaultHttpxClient(proxy=...) to the client",
    "requestssession": "pass http_client=... to the client",
    "aiosession": "pass http_client=... to the async client",
    "api_key_path": "read the key file yourself and pass api_key=",
    "ca_bundle_path": "pass http_client=DefaultHttpxClient(verify=...) to the client",
    "verify_ssl_certs": "pass http_client=DefaultHttpxClient(verify=...) to the client",
    "log": "v1 reads the OPENAI_LOG environment variable",
    "debug": "v1 reads the OPENAI_LOG environment variable",
    "app_info": "no v1 equivalent",
    "enable_telemetry": "no v1 equivalent",
}

SYNC_NAMES = ("client", "openai_client")
ASYNC_NAMES = ("aclient", "async_client", "openai_aclient")

# Parents in which `a or b` needs no parentheses.
_OR_SAFE_PARENTS = (
    cst.Assign,
    cst.AnnAssign,
    cst.AugAssign,
    cst.Return,
    cst.Arg,
    cst.Element,
    cst.DictElement,
    cst.FormattedStringExpression,
    cst.Expr,
    cst.Index,
    cst.If,
    cst.While,
)

Edit = Callable[[cst.CSTNode], cst.CSTNode]


def fix_v0_upgrade(plan: Plan) -> None:
    if not plan.options.upgrade_v0 or not _has_v0_code(plan):
        return
    v0_calls = [c for c in plan.inventory.calls if c.style == "v0"]
    facts = _Facts({c.node for c in v0_calls})
    plan.wrapper.visit(facts)
    _fix_exceptions(plan, facts)
    _mark_v0_modules(plan)
    for ref in facts.bare_refs:
        plan.mark(
            ref,
            "MIG415",
            f"`{code_of(ref)}` is a v0 method passed around as a value: v1 has no module "
            "resource classes; call the v1 client method instead",
            short="v0 method reference: use the v1 client method",
        )
    if not v0_calls:
        return
    upgrader = _Upgrader(plan, facts)
    upgraded = upgrader.calls(v0_calls)
    if not upgraded:
        return
    upgrader.build_clients()
    if len(upgraded) == len(v0_calls):
        upgrader.leftover_settings()
    _convert_responses(plan, [u for u in upgraded if u.returns_object])
    names = sorted({u.client_name for u in upgraded})
    plan.finding(
        RULE,
        f"{len(upgraded)} v0 call(s) now go through the v1 client "
        f"{' / '.join(f'`{n}`' for n in names)}: responses are typed objects, not dicts — "
        "dict-style access was converted where the response variable is visible; review "
        "code that receives responses elsewhere (json.dumps, other functions)",
        node=upgraded[0].site.node,
        severity="info",
        category="code",
    )


def _has_v0_code(plan: Plan) -> bool:
    inv = plan.inventory
    return (
        any(c.style == "v0" for c in inv.calls)
        or any(u.style == "v0" for u in (*inv.imports, *inv.references))
        or any(u.api in TOP_LEVEL_V0_EXCEPTIONS for u in inv.references)
        or any(u.api == "openai.InvalidRequestError" for u in inv.imports)
    )


# -- one metadata pass for what the inventory does not keep ----------------------------------


class _Facts(cst.CSTVisitor):
    """Names in use, v0 exception references, v0 call targets, `load_dotenv()` lines."""

    METADATA_DEPENDENCIES = (QualifiedNameProvider, ParentNodeProvider)

    def __init__(self, calls: set[cst.Call]) -> None:
        super().__init__()
        self.calls = calls
        self.call_targets: dict[cst.Call, tuple[str, str]] = {}  # -> (resource, method)
        self.names: set[str] = set()
        self.exception_refs: list[tuple[cst.Name | cst.Attribute, str]] = []  # (node, qname)
        self.exception_attrs: list[cst.Attribute] = []  # e.http_status in v0 handlers
        self.bare_refs: list[cst.Attribute] = []
        self.dotenv: list[cst.SimpleStatementLine] = []
        self._handlers: list[str | None] = []
        self._import_depth = 0

    def _qnames(self, node: cst.CSTNode) -> list[str]:
        return sorted(
            q.name
            for q in self.get_metadata(QualifiedNameProvider, node, set())
            if q.source == QualifiedNameSource.IMPORT
        )

    def _v0_exception(self, node: cst.CSTNode) -> str | None:
        for name in self._qnames(node):
            parts = name.split(".")
            if len(parts) == 3 and parts[:2] == ["openai", "error"]:
                return name
            if name in TOP_LEVEL_V0_EXCEPTIONS:
                return name
        return None

    def visit_Import(self, node: cst.Import) -> None:
        self._import_depth += 1

    def leave_Import(self, original_node: cst.Import) -> None:
        self._import_depth -= 1

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._import_depth += 1

    def leave_ImportFrom(self, original_node: cst.ImportFrom) -> None:
        self._import_depth -= 1

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        first = node.body[0]
        if (
            isinstance(self.get_metadata(ParentNodeProvider, node, None), cst.Module)
            and isinstance(first, cst.Expr)
            and isinstance(first.value, cst.Call)
            and (dotted_name(first.value.func) or "").split(".")[-1] == "load_dotenv"
        ):
            self.dotenv.append(node)

    def visit_Call(self, node: cst.Call) -> None:
        if node not in self.calls:
            return
        for name in self._qnames(node.func):
            parts = name.split(".")
            if len(parts) >= 3 and parts[0] == "openai" and parts[1] in V0_RESOURCES:
                self.call_targets[node] = (parts[1], parts[2])
                return

    def visit_Name(self, node: cst.Name) -> None:
        parent = self.get_metadata(ParentNodeProvider, node, None)
        if isinstance(parent, cst.Attribute) and parent.attr is node:
            return
        if isinstance(parent, cst.Arg) and parent.keyword is node:
            return
        self.names.add(node.value)
        if not self._import_depth:
            self._exception_ref(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self._import_depth:
            return
        self._exception_ref(node)
        if (
            self._handlers
            and self._handlers[-1] is not None
            and isinstance(node.value, cst.Name)
            and node.value.value == self._handlers[-1]
            and node.attr.value in EXCEPTION_ATTRS
        ):
            self.exception_attrs.append(node)
        parent = self.get_metadata(ParentNodeProvider, node, None)
        if isinstance(parent, cst.Call) and parent.func is node:
            return
        if isinstance(parent, cst.Attribute) and parent.value is node:
            return
        for name in self._qnames(node):
            parts = name.split(".")
            if len(parts) == 3 and parts[0] == "openai" and parts[1] in V0_RESOURCES:
                method = parts[2][1:] if parts[2].startswith("a") else parts[2]
                if (parts[1], method) in V1_CALLS or (parts[1], parts[2]) in V1_CALLS:
                    self.bare_refs.append(node)
                return

    def _exception_ref(self, node: cst.Name | cst.Attribute) -> None:
        name = self._v0_exception(node)
        if name is not None:
            self.exception_refs.append((node, name))

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        name: str | None = None
        if node.name is not None and isinstance(node.name.name, cst.Name) and node.type:
            types = (
                [e.value for e in node.type.elements]
                if isinstance(node.type, cst.Tuple)
                else [node.type]
            )
            if any(self._v0_exception(t) for t in types):
                name = node.name.name.value
        self._handlers.append(name)

    def leave_ExceptHandler(self, original_node: cst.ExceptHandler) -> None:
        self._handlers.pop()


# -- exceptions ------------------------------------------------------------------------------


def _fix_exceptions(plan: Plan, facts: _Facts) -> None:
    renamed_imports = _fix_exception_imports(plan, facts)
    by_name_modules = _error_module_bound_by_name(plan)
    for node, qname in facts.exception_refs:
        short = qname.rsplit(".", 1)[-1]
        new = TOP_LEVEL_V0_EXCEPTIONS.get(qname) or V0_EXCEPTIONS.get(short)
        if new is None:
            plan.mark(
                node,
                "MIG414",
                f"{qname} has no v1 equivalent: catch openai.APIError or a specific v1 error",
                short=f"{qname} has no v1 equivalent",
            )
            continue
        if isinstance(node, cst.Name):
            if node.value in renamed_imports:
                plan.replace(
                    node, lambda n, v=renamed_imports[node.value]: n.with_changes(value=v), RULE
                )
            continue
        base = node.value
        if isinstance(base, cst.Name) and base.value in by_name_modules:
            plan.mark(
                node,
                "MIG414",
                f"`{base.value}` is the v0 openai.error module imported by name: import openai "
                f"and use openai.{new}",
                short=f"openai.error is gone in v1: use openai.{new}",
            )
            continue
        strip = isinstance(base, cst.Attribute) and base.attr.value == "error"
        plan.replace(node, lambda n, s=strip, v=new: _renamed_exception(n, s, v), RULE)
    for node in facts.exception_attrs:
        new_attr = EXCEPTION_ATTRS[node.attr.value]
        plan.replace(node, lambda n, a=new_attr: n.with_changes(attr=cst.Name(a)), RULE)


def _renamed_exception(node: cst.Attribute, strip_error: bool, new: str) -> cst.Attribute:
    value = node.value
    if strip_error and isinstance(value, cst.Attribute):
        value = value.value
    return node.with_changes(value=value, attr=cst.Name(new))


def _error_module_bound_by_name(plan: Plan) -> set[str]:
    """Local names bound by `from openai import error [as x]`."""
    return {
        b.local
        for b in plan.inventory.bindings
        if isinstance(b.node, cst.ImportFrom) and b.qualified == "openai.error"
    }


def _alias_name(alias: cst.ImportAlias) -> str | None:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return None


def _fix_exception_imports(plan: Plan, facts: _Facts) -> dict[str, str]:
    """Rewrite imports of v0 exceptions; returns local name -> new name for references."""
    renamed: dict[str, str] = {}
    has_plain_openai = any(
        isinstance(node, cst.Import)
        and any(dotted_name(a.name) == "openai" and a.asname is None for a in node.names)
        for node in plan.inventory.import_nodes
    )
    for node in plan.inventory.import_nodes:
        if isinstance(node, cst.Import):
            _fix_import_error_module(plan, node, has_plain_openai)
        elif node.module is not None and not isinstance(node.names, cst.ImportStar):
            module = dotted_name(node.module)
            if module == "openai.error":
                renamed.update(_fix_from_error(plan, node, facts))
            elif module == "openai":
                renamed.update(_fix_from_openai(plan, node, facts))
        elif node.module is not None and dotted_name(node.module) == "openai.error":
            plan.mark(
                node,
                "MIG414",
                "from openai.error import *: v0 only; import the v1 errors from openai",
            )
    return renamed


def _fix_import_error_module(plan: Plan, node: cst.Import, has_plain_openai: bool) -> None:
    """`import openai.error [as oe]` -> `import openai [as oe]` (dropped when redundant)."""
    if not any(dotted_name(a.name) == "openai.error" for a in node.names):
        return
    drop_plain = has_plain_openai

    def edit(n: cst.Import) -> cst.Import | cst.RemovalSentinel:
        aliases: list[cst.ImportAlias] = []
        seen_plain = False
        for alias in n.names:
            if dotted_name(alias.name) == "openai.error":
                if alias.asname is None and drop_plain:
                    continue
                alias = alias.with_changes(name=cst.Name("openai"))
            if dotted_name(alias.name) == "openai" and alias.asname is None:
                if seen_plain:
                    continue
                seen_plain = True
            aliases.append(alias)
        if not aliases:
            return cst.RemoveFromParent()
        aliases[-1] = aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return n.with_changes(names=aliases)

    plan.replace(node, edit, RULE)


def _fix_from_error(plan: Plan, node: cst.ImportFrom, facts: _Facts) -> dict[str, str]:
    assert not isinstance(node.names, cst.ImportStar)
    unknown = [dotted_name(a.name) for a in node.names if dotted_name(a.name) not in V0_EXCEPTIONS]
    if unknown:
        plan.mark(
            node,
            "MIG414",
            f"openai.error {', '.join(str(u) for u in unknown)} has no v1 equivalent: this "
            "import fails with openai>=1; import the v1 errors from openai",
            short=f"{', '.join(str(u) for u in unknown)}: no v1 equivalent",
        )
        return {}
    renamed = _alias_renames(node, facts)

    def edit(n: cst.ImportFrom) -> cst.ImportFrom:
        return _renamed_from_import(n, renamed).with_changes(module=cst.Name("openai"))

    plan.replace(node, edit, RULE)
    return {local: new for local, (new, rename_refs) in renamed.items() if rename_refs}


def _fix_from_openai(plan: Plan, node: cst.ImportFrom, facts: _Facts) -> dict[str, str]:
    """`from openai import InvalidRequestError` (a v0 re-export) -> BadRequestError."""
    assert not isinstance(node.names, cst.ImportStar)
    if not any(f"openai.{dotted_name(a.name)}" in TOP_LEVEL_V0_EXCEPTIONS for a in node.names):
        return {}
    renamed = _alias_renames(node, facts, top_level=True)
    plan.replace(node, lambda n: _renamed_from_import(n, renamed), RULE)
    return {local: new for local, (new, rename_refs) in renamed.items() if rename_refs}


def _alias_renames(
    node: cst.ImportFrom, facts: _Facts, top_level: bool = False
) -> dict[str, tuple[str, bool]]:
    """Imported name -> (new name, whether references are renamed too)."""
    assert not isinstance(node.names, cst.ImportStar)
    renames: dict[str, tuple[str, bool]] = {}
    for alias in node.names:
        name = dotted_name(alias.name) or ""
        new = (
            TOP_LEVEL_V0_EXCEPTIONS.get(f"openai.{name}") if top_level else V0_EXCEPTIONS.get(name)
        )
        if new is None or new == name:
            continue
        # Without an alias the references follow the new name, unless it is taken.
        rename_refs = alias.asname is None and new not in facts.names
        renames[name] = (new, rename_refs)
    return renames


def _renamed_from_import(
    node: cst.ImportFrom, renames: dict[str, tuple[str, bool]]
) -> cst.ImportFrom:
    assert not isinstance(node.names, cst.ImportStar)
    aliases: list[cst.ImportAlias] = []
    for alias in node.names:
        name = dotted_name(alias.name) or ""
        if name in renames:
            new, rename_refs = renames[name]
            alias = alias.with_changes(name=cst.Name(new))
            if alias.asname is None and not rename_refs:
                alias = alias.with_changes(asname=cst.AsName(name=cst.Name(name)))
        aliases.append(alias)
    return node.with_changes(names=aliases)


def _mark_v0_modules(plan: Plan) -> None:
    for node in plan.inventory.import_nodes:
        names: list[str] = []
        if isinstance(node, cst.Import):
            names = [dotted_name(a.name) or "" for a in node.names]
        elif node.module is not None:
            names = [dotted_name(node.module) or ""]
        for name in names:
            if any(name == m or name.startswith(m + ".") for m in V0_ONLY_MODULES):
                plan.mark(
                    node,
                    "MIG411",
                    f"{name} exists only in openai<1 (embeddings_utils helpers such as "
                    "get_embedding / cosine_similarity were removed): copy what you use",
                    short=f"{name} was removed in openai>=1",
                )


# -- calls and the module client -------------------------------------------------------------


@dataclass(eq=False)
class _Upgraded:
    site: CallSite
    root: cst.BaseExpression  # the call, or the `await` around it
    client_name: str
    returns_object: bool


@dataclass
class _Setting:
    site: ConfigSite
    line: cst.SimpleStatementLine
    index: int  # position of the assignment in its line


@dataclass
class _Upgrader:
    plan: Plan
    facts: _Facts
    sync_name: str = ""
    async_name: str = ""
    needs_sync: bool = False
    needs_async: bool = False
    taken: set[str] = field(default_factory=set)
    upgraded_funcs: list[cst.BaseExpression] = field(default_factory=list)
    kept: bool = False  # the module's endpoint already points away from OpenAI
    leftover: list[ConfigSite] = field(default_factory=list)  # settings not folded
    azure: bool = False  # build AzureOpenAI clients

    def __post_init__(self) -> None:
        self.taken = set(self.facts.names)
        self.sync_name = _free_name(SYNC_NAMES, self.taken)
        self.taken.add(self.sync_name)
        self.async_name = _free_name(ASYNC_NAMES, self.taken)

    # - calls -
    def calls(self, sites: list[CallSite]) -> list[_Upgraded]:
        upgraded: list[_Upgraded] = []
        for site in sites:
            result = self._call(site)
            if result is not None:
                upgraded.append(result)
        return upgraded

    def _call(self, site: CallSite) -> _Upgraded | None:
        plan = self.plan
        target = self.facts.call_targets.get(site.node)
        if target is None or plan.suppressed(RULE, site.node):
            return None
        resource, v0_method = target
        is_async = v0_method.startswith("a") and (resource, v0_method[1:]) in V1_CALLS
        method = v0_method[1:] if is_async else v0_method
        if resource in GONE_RESOURCES:
            plan.mark(
                site.node,
                "MIG411",
                f"openai.{resource}.{v0_method}: {GONE_RESOURCES[resource]}",
                short=f"openai.{resource} has no v1 equivalent",
            )
            return None
        path = V1_CALLS.get((resource, method))
        if path is None:
            plan.mark(
                site.node,
                "MIG411",
                f"openai.{resource}.{v0_method} has no v1 equivalent: port it by hand",
            )
            return None
        edit = self._call_edit(site, resource, method, path, is_async)
        if edit is None:
            return None
        if not plan.replace(site.node, edit, RULE):
            return None
        self.upgraded_funcs.append(site.node.func)
        if is_async:
            self.needs_async = True
        else:
            self.needs_sync = True
        parent = plan.parent_of(site.node)
        root: cst.BaseExpression = parent if isinstance(parent, cst.Await) else site.node
        return _Upgraded(
            site,
            root,
            self.async_name if is_async else self.sync_name,
            returns_object=method != "download",
        )

    def _call_edit(
        self, site: CallSite, resource: str, method: str, path: str, is_async: bool
    ) -> Callable[[cst.Call], cst.BaseExpression] | None:
        plan = self.plan
        call = site.node
        label = f"openai.{resource}.{'a' if is_async else ''}{method}"
        positional = [a for a in call.args if a.keyword is None and not a.star]
        if any(a.star == "*" for a in call.args):
            plan.mark(
                call,
                "MIG415",
                f"{label}(*args): v1 takes keyword arguments only; convert by hand",
                short=f"{label}(*args): v1 takes keyword arguments only",
            )
            return None
        keywords_for_positional = POSITIONAL_KEYWORDS.get((resource, method), ())
        allowed = len(keywords_for_positional) or (1 if method in ID_METHODS else 0)
        if len(positional) > allowed:
            plan.mark(
                call,
                "MIG415",
                f"{label}: positional arguments v1 does not accept; pass them as keywords",
                short=f"{label}: v1 takes keyword arguments only",
            )
            return None
        names = {a.keyword.value for a in call.args if a.keyword is not None}
        remove: set[str] = set()
        rename: dict[str, str] = {}
        if not self._splat_credentials(site, label, resource):
            return None
        dropped = sorted(REQUEST_CREDENTIALS & names)
        if dropped:
            remove.update(dropped)
            plan.finding(
                "MIG416",
                f"{label}: removed per-request {', '.join(d + '=' for d in dropped)} (v0 "
                f"credentials and endpoint per call); the request now uses the "
                f"{plan.mapping.name} client",
                node=call,
            )
        if "request_timeout" in names:
            rename["request_timeout"] = "timeout"
        aliases = [n for n in MODEL_ALIASES if n in names]
        if aliases:
            if "model" in names:
                remove.update(aliases)
            else:
                rename[aliases[0]] = "model"
                remove.update(aliases[1:])
            self._deployment_note(site, label, aliases[0])
        id_keyword = ID_KEYWORDS.get(resource)
        if id_keyword is not None:
            for old in ("id", "sid"):
                if old in names:
                    rename[old] = id_keyword
        func = cst.parse_expression(f"{self.async_name if is_async else self.sync_name}.{path}")
        download = method == "download"

        def edit(node: cst.Call) -> cst.BaseExpression:
            args = list(node.args)
            if keywords_for_positional:
                index = 0
                for i, arg in enumerate(args):
                    if arg.keyword is None and not arg.star:
                        args[i] = arg.with_changes(
                            keyword=cst.Name(keywords_for_positional[index]),
                            equal=cst.AssignEqual(
                                whitespace_before=cst.SimpleWhitespace(""),
                                whitespace_after=cst.SimpleWhitespace(""),
                            ),
                        )
                        index += 1
            node = node.with_changes(func=func, args=args)
            if remove or rename:
                # (_splat_credentials showed no `**` mapping holds the new names)
                node = edit_call_args(
                    node, remove=remove, rename=rename, known_absent=set(rename.values())
                )
            if download:  # v0 returned bytes; v1 returns a binary response
                return cst.Attribute(value=node, attr=cst.Name("content"))
            return node

        return edit

    def _splat_credentials(self, site: CallSite, label: str, resource: str) -> bool:
        """A `**mapping` of a v0 call may hold per-request credentials (or v0 names) that
        v1's create() rejects. Shown where it is built: the credentials are removed there.
        Otherwise the call stays v0 (MIG107). False when the call is left."""
        plan = self.plan
        call = site.node
        dicts = kwargs_dicts(plan, call)
        if not dicts:
            return True
        v0_names = {*MODEL_ALIASES, "request_timeout"}
        if resource in ID_KEYWORDS:
            v0_names |= {"id", "sid"}
        explicit = {a.keyword.value for a in call.args if a.keyword is not None}
        # v1 names the explicit v0 keywords become must not be in the mapping either
        renamed_to = {"model"} if explicit & set(MODEL_ALIASES) else set()
        if "request_timeout" in explicit:
            renamed_to.add("timeout")
        if explicit & {"id", "sid"} and resource in ID_KEYWORDS:
            renamed_to.add(ID_KEYWORDS[resource])
        risky = REQUEST_CREDENTIALS | v0_names | renamed_to
        hidden = sorted(k for k in risky if any(d.may_hide(k) for d in dicts))
        shown = sorted(k for k in (v0_names | renamed_to) if any(d.entries_of(k) for d in dicts))
        # a credential removed from the mapping must not be read back later
        shown += sorted(
            k for k in REQUEST_CREDENTIALS if any(d.entries_of(k) and d.read_back(k) for d in dicts)
        )
        if hidden or shown:
            where = ", ".join(f"**{d.code}" for d in dicts)
            keys = ", ".join(hidden or shown)
            plan.mark(
                call,
                "MIG107",
                f"{label}({where}): the mapping may hold {keys}, which v1's create() rejects "
                "(per-request credentials and v0 names are gone): left as v0 — remove them "
                "from the mapping, then upgrade this call",
                short=f"{label}({where}): {keys} may be in the mapping: left as v0",
            )
            return False
        (found,) = dicts
        dropped = sorted(k for k in REQUEST_CREDENTIALS if found.entries_of(k))
        remove_entries(plan, found, [e for k in dropped for e in found.entries_of(k)], RULE)
        if dropped:
            plan.finding(
                "MIG416",
                f"{label}: removed per-request {', '.join(d + '=' for d in dropped)} from "
                f"`{found.code}` (v0 credentials and endpoint per call); the request now uses "
                f"the {plan.mapping.name} client",
                node=call,
            )
        return True

    def _deployment_note(self, site: CallSite, label: str, alias: str) -> None:
        if self.plan.target.client == "azure":
            return  # AzureOpenAI takes the deployment name as model=
        ref = site.model
        if ref is not None and ref.value is not None:
            if self.plan.mapping.resolve_model(ref.value) is not None:
                return
            if openai_model_kind(ref.value) is not None:
                return  # an OpenAI id: the model fixer maps it or reports it
        value = ref.value if ref is not None and ref.value else "the value"
        self.plan.finding(
            "MIG417",
            f"{label}: {alias}= became model=; {value!r} was an engine or Azure deployment "
            f"name — set a {self.plan.mapping.name} model id",
            node=site.node,
        )

    # - the module client -
    def build_clients(self) -> None:
        plan = self.plan
        folded = self._settings()
        # Shared with the model / parameter / endpoint fixers: an endpoint already away
        # from OpenAI is kept, and so are the calls' models and parameters.
        self.kept = module_endpoint_kept(plan)
        self.azure = plan.target.client == "azure" and not self.kept
        azure = self.azure
        wanted: list[tuple[str, str]] = []  # (variable, class)
        if self.needs_sync:
            wanted.append((self.sync_name, "AzureOpenAI" if azure else "OpenAI"))
        if self.needs_async:
            wanted.append((self.async_name, "AsyncAzureOpenAI" if azure else "AsyncOpenAI"))
        classes = [cls for _, cls in wanted]
        inner = self._inner_imports()
        top_level = self._module_binding() is not None or self._has_from_openai_import()
        if not folded and inner and not top_level:
            # `import openai` only inside functions or under `try:` / `if`: a client at
            # the top level would need an import the module did not do there (an optional
            # dependency, say); it is built right after each such import instead.
            for local, statement in inner:
                kwargs = self._client_kwargs({}, statement)
                sources = [self._statement(n, f"{local}.{cls}", kwargs) for n, cls in wanted]
                plan.insert_after_statement(statement, sources, RULE)
            self._remove_v0_names()
            return
        kwargs = self._client_kwargs({s.site.setting: s.site for s in folded}, None)
        prefix = ""
        # A folded setting's target goes away; its value moves into the client.
        targets = [t for s in folded for t in s.site.node.targets]
        if not self._drop_module_import(targets, classes):
            binding = self._module_binding()
            if binding is not None and not self._has_from_openai_import():
                # `import openai` stays (still used) and there is no `from openai import`
                # line to join: build the client through the module rather than add an
                # import that could land below the settings the client replaces.
                prefix = f"{binding}."
            else:
                for cls in classes:
                    plan.add_import("openai", cls)
        statements = [self._statement(name, prefix + cls, kwargs) for name, cls in wanted]
        self._place(statements, folded)
        self._remove_v0_names()

    def _inner_imports(self) -> list[tuple[str, cst.CSTNode]]:
        """(local name, statement) of each `import openai [as x]` that is not at the top
        level or not unconditional there (in a function, under `try:` or `if`)."""
        plan = self.plan
        found: list[tuple[str, cst.CSTNode]] = []
        for binding in plan.inventory.bindings:
            statement = plan.statement_of(binding.node)
            if (
                isinstance(binding.node, cst.Import)
                and binding.imported == "openai"
                and not isinstance(plan.parent_of(statement), cst.Module)
                and all(statement is not s for _, s in found)
            ):
                found.append((binding.local, statement))
        return found

    def _remove_v0_names(self) -> None:
        plan = self.plan
        for node in plan.inventory.import_nodes:
            if (
                isinstance(node, cst.ImportFrom)
                and node.module is not None
                and dotted_name(node.module) == "openai"
                and not isinstance(node.names, cst.ImportStar)
            ):
                for alias in node.names:
                    name = dotted_name(alias.name) or ""
                    if name in V0_RESOURCES:
                        plan.remove_import_if_unused("openai", name)

    def _has_from_openai_import(self) -> bool:
        """A top-level `from openai import ...` (after the rewrite) that new names can join."""
        plan = self.plan
        for node in plan.inventory.import_nodes:
            if (
                isinstance(node, cst.ImportFrom)
                and node.module is not None
                and not isinstance(node.names, cst.ImportStar)
                and isinstance(plan.parent_of(plan.statement_of(node)), cst.Module)
                and (
                    dotted_name(node.module) == "openai"
                    or (dotted_name(node.module) == "openai.error" and node in plan.edits)
                )
            ):
                return True
        return False

    def _module_binding(self) -> str | None:
        """The name a top-level `import openai [as x]` (or `import openai.error`) binds."""
        plan = self.plan
        for binding in plan.inventory.bindings:
            if (
                isinstance(binding.node, cst.Import)
                and binding.imported in ("openai", "openai.error")
                and isinstance(plan.parent_of(plan.statement_of(binding.node)), cst.Module)
            ):
                return binding.local
        return None

    def _late_openai_import(self) -> cst.CSTNode | None:
        """The top-level `import openai` statement, when it sits below where new
        statements go after the imports (the client built there would need it)."""
        plan = self.plan
        body = list(plan.module.body)
        top = body[: insertion_index(plan.module)]
        for node in plan.inventory.import_nodes:
            statement = plan.statement_of(node)
            if not isinstance(node, cst.Import) or not isinstance(
                plan.parent_of(statement), cst.Module
            ):
                continue
            if any(dotted_name(a.name) == "openai" for a in node.names):
                return None if any(s is statement for s in top) else statement
        return None

    def _imports_below(self, statement: cst.CSTNode) -> bool:
        body = list(self.plan.module.body)
        index = next(i for i, s in enumerate(body) if s is statement)
        return any(
            isinstance(s, cst.SimpleStatementLine)
            and any(isinstance(small, (cst.Import, cst.ImportFrom)) for small in s.body)
            for s in body[index + 1 :]
        )

    def _drop_module_import(self, removed: list[cst.AssignTarget], classes: list[str]) -> bool:
        """`import openai [as x]`, when only upgraded calls and folded settings used it,
        becomes `from openai import <classes>` in place; False when there is none."""
        plan = self.plan
        consumed: set[cst.CSTNode] = {*self.upgraded_funcs, *removed}
        scopes = plan.wrapper.resolve(ScopeProvider)
        for node in plan.inventory.import_nodes:
            if not isinstance(node, cst.Import) or node in plan.edits:
                continue
            if not isinstance(plan.parent_of(plan.statement_of(node)), cst.Module):
                continue  # the client is built at the top level: the import must be there
            for alias in node.names:
                if dotted_name(alias.name) != "openai":
                    continue
                binding = _alias_name(alias) or "openai"
                scope = scopes.get(node)
                if scope is None:
                    continue
                assignments = scope.assignments[binding]
                if any(
                    not isinstance(a.node, cst.Import) or a.node in plan.edits for a in assignments
                ):
                    continue  # bound by something else as well: leave it
                accesses = [r.node for a in assignments for r in a.references]
                if all(_inside(plan, n, consumed) for n in accesses):
                    return plan.replace(
                        node, lambda n, b=binding: _without_alias(n, b, classes), RULE
                    )
        return False

    def _settings(self) -> list[_Setting]:
        """Module-level settings to fold (others are marked and left)."""
        plan = self.plan
        folded: list[_Setting] = []
        for site in plan.inventory.configs:
            setting = site.setting
            if setting in UNSUPPORTED_SETTINGS:
                self.leftover.append(site)
                plan.mark(
                    site.node,
                    "MIG412",
                    f"openai.{setting} has no effect on a v1 client: "
                    f"{UNSUPPORTED_SETTINGS[setting]}",
                    short=f"openai.{setting} has no effect on a v1 client",
                )
                continue
            if setting not in FOLDED_SETTINGS:
                self.leftover.append(site)
                continue
            line = plan.statement_of(site.node)
            if not (
                isinstance(line, cst.SimpleStatementLine)
                and isinstance(plan.parent_of(line), cst.Module)
                and len(site.node.targets) == 1
            ):
                self.leftover.append(site)
                if FOLDED_SETTINGS[setting] is None and setting != "api_type":
                    continue  # organization / project: the module fixer removes them
                plan.mark(
                    site.node,
                    "MIG413",
                    f"openai.{setting} is set at run time here and no longer reaches the "
                    f"v1 client `{self.sync_name}`: pass it to the client instead",
                    short=f"openai.{setting} does not reach the v1 client: pass it to it",
                )
                continue
            index = next(i for i, s in enumerate(line.body) if s is site.node)
            folded.append(_Setting(site, line, index))
        return folded

    def leftover_settings(self) -> None:
        """Settings left in place (inside functions, `if __name__ == ...`) are the v1
        module-level client's now: the module settings fixer, which steps aside while v0
        calls exist, handles them in this same run (a second run would otherwise)."""
        if self.leftover:
            module_calls = [c for c in self.plan.inventory.calls if c.module_client]
            retarget_module_settings(self.plan, list(self.leftover), module_calls)

    def _client_kwargs(
        self, settings: dict[str, ConfigSite], at: cst.CSTNode | None
    ) -> list[tuple[str, str]]:
        """The client's arguments, as code at `at` (None: the top level)."""
        plan = self.plan
        compat = plan.target
        kwargs: list[tuple[str, str]] = []
        was_azure = _is_azure_type(settings.get("api_type"))
        endpoint = next(
            (settings[s] for s in ("api_base", "base_url", "azure_endpoint") if s in settings),
            None,
        )
        if self.kept:
            # The module already talked to another provider or a local server: the client
            # keeps that endpoint and key, as the client fixer keeps such clients.
            if endpoint is not None:
                kwargs.append(("base_url", self._kept(endpoint.value)))
                self._kept_note(endpoint)
            else:
                kwargs.append(("base_url", code_of(base_url_expression(plan, at))))
            if "api_key" in settings:
                kwargs.append(("api_key", self._kept(settings["api_key"].value)))
        elif self.azure:
            if endpoint is not None and (was_azure or endpoint.setting == "azure_endpoint"):
                kwargs.append(("azure_endpoint", self._kept(endpoint.value)))
            else:
                endpoint_env = compat.endpoint_env or "AZURE_OPENAI_ENDPOINT"
                read = env_read(plan, endpoint_env, at=at)
                kwargs.append(("azure_endpoint", code_of(read)))
            version = settings.get("api_version")
            version_env = compat.api_version_env or "OPENAI_API_VERSION"
            if version is not None:
                kwargs.append(("api_version", self._kept(version.value)))
            elif compat.api_version:
                default = env_read_with_default(plan, version_env, compat.api_version, at=at)
                kwargs.append(("api_version", code_of(default)))
            else:
                kwargs.append(("api_version", code_of(env_read(plan, version_env, at=at))))
        else:
            kwargs.append(("base_url", self._base_url(endpoint, at)))
        if not self.kept:
            kwargs.append(("api_key", self._api_key(settings.get("api_key"), at)))
        for setting in ("max_retries", "timeout", "default_headers", "default_query"):
            if setting in settings:
                kwargs.append((setting, self._kept(settings[setting].value)))
        account = [s for s in ("organization", "project") if s in settings]
        if account:
            plan.finding(
                "MIG102",
                f"removed openai.{' / openai.'.join(account)} (OpenAI account settings; "
                f"{plan.mapping.name} has no equivalent)",
                node=settings[account[0]].node,
            )
        azure_settings = [s for s in ("api_type", "api_version") if s in settings]
        if not was_azure and "api_type" in azure_settings:
            azure_settings.remove("api_type")  # api_type = "open_ai": nothing to say
        if azure_settings and not self.azure:
            plan.finding(
                "MIG103",
                f"removed Azure settings openai.{' / openai.'.join(azure_settings)}: the "
                f"client now targets {plan.mapping.name}; engine=/deployment_id= values were "
                "Azure deployment names and must be provider model ids",
                node=settings[azure_settings[0]].node,
            )
        return kwargs

    @property
    def first_call(self) -> cst.CSTNode:
        """Where findings about the module's new client go when no setting is there."""
        return next(c.node for c in self.plan.inventory.calls if c.style == "v0")

    def _kept(self, value: cst.BaseExpression) -> str:
        """The user's expression as code, with OpenAI env var names renamed."""
        renames = renames_for(self.plan)
        return code_of(value.visit(_RenameEnv(renames)))

    def _base_url(self, site: ConfigSite | None, at: cst.CSTNode | None) -> str:
        """The provider endpoint for the client (the module's own is not kept here)."""
        plan = self.plan
        if site is None:
            return code_of(base_url_expression(plan, at))
        endpoint = module_endpoint(plan, site)
        if endpoint.kind == "env":
            return code_of(configurable_base_url(plan, at))
        report_endpoint(plan, endpoint, site.value, f"openai.{site.setting}", site.node)
        return code_of(base_url_expression(plan, at))

    def _kept_note(self, site: ConfigSite) -> None:
        endpoint = module_endpoint(self.plan, site)
        report_endpoint(self.plan, endpoint, site.value, f"openai.{site.setting}", site.node)

    def _api_key(self, site: ConfigSite | None, at: cst.CSTNode | None) -> str:
        """The client's key, as code at `at`: at the top level a missing provider variable
        reads as a placeholder (see `key_read`)."""
        plan = self.plan
        key_env = plan.target.key_env
        report = site.node if site is not None else at or self.first_call
        if (
            site is None
            or isinstance(site.value, (cst.SimpleString, cst.ConcatenatedString))
            or code_of(site.value) == "None"
            or (reads_key_var(site.value, key_env) and may_be_none(plan, site.value))
        ):
            # No key set (v0 read OPENAI_API_KEY) or a literal OpenAI key: useless at the
            # provider (the literal is reported, redacted, by the hard-coded key fixer).
            # A strict `os.environ["OPENAI_API_KEY"]` the user wrote keeps its strictness
            # (renamed below), as the client fixer keeps it: it failed where it stood before.
            return code_of(key_read(plan, key_env, at=at, report=report))
        from migrator.codemods.env_vars import replaces_openai_key  # it reads client_kept

        if not plan.suppressed("MIG500", site.value) and (
            replaces_openai_key(plan, site.value, "openai.api_key", site.node)
            or openai_key_from_afar(plan, site.value, site.node)
        ):
            # It carries OPENAI_API_KEY that other code still reads (or another file's
            # settings read): kept, the new client would send the OpenAI key (MIG507).
            return code_of(key_read(plan, key_env, at=at, report=report))
        code = self._kept(site.value)
        if may_be_none(plan, site.value):
            # None would make the SDK read OPENAI_API_KEY: fall back to the provider's key.
            fallback = code_of(key_read(plan, key_env, at=at, report=report))
            kept_expr = site.value
            if _is_or(kept_expr) and reads_key_var(kept_expr.right, key_env):  # type: ignore[attr-defined]
                # `key or os.getenv("OPENAI_API_KEY")`: that last read becomes the fallback
                kept_expr = kept_expr.left  # type: ignore[attr-defined]
                code = self._kept(kept_expr)
            simple = (cst.Name, cst.Attribute, cst.Call, cst.Subscript)
            plain = isinstance(kept_expr, simple) or _is_or(kept_expr)
            kept = code if plain else f"({code})"
            plan.finding(
                "MIG101",
                f"openai.api_key = `{code_of(site.value)}` kept for the client, falling back "
                f"to {key_env} when it is None (the SDK would read OPENAI_API_KEY and send "
                f"the OpenAI key to {plan.mapping.name}): make sure it yields the "
                f"{plan.mapping.name} key",
                node=site.node,
            )
            return f"{kept} or {fallback}"
        var = _env_var_read(site.value)
        if var is None or not (var.startswith(OPENAI_ENV_PREFIXES) or var == key_env):
            plan.finding(
                "MIG101",
                f"openai.api_key = `{code_of(site.value)}` kept for the client: make sure it "
                f"now yields the {plan.mapping.name} key (env {key_env})",
                node=site.node,
            )
        return code

    def _statement(self, name: str, cls: str, kwargs: list[tuple[str, str]]) -> str:
        one_line = f"{name} = {cls}({', '.join(f'{k}={v}' for k, v in kwargs)})"
        if len(one_line) <= 99:
            return one_line
        indent = self.plan.module.default_indent
        body = "".join(f"{indent}{k}={v},\n" for k, v in kwargs)
        return f"{name} = {cls}(\n{body})"

    def _place(self, statements: list[str], folded: list[_Setting]) -> None:
        """Client statements replace the last folded setting; the others are removed."""
        plan = self.plan
        if not folded:
            late = self._late_openai_import()
            if late is not None:
                # `import openai` below the first import block: the client goes after it
                plan.insert_after_statement(late, statements, RULE)
                return
            anchor = self.facts.dotenv[-1] if self.facts.dotenv else None
            if anchor is not None and self._imports_below(anchor):
                anchor = None  # the client needs the imports: after them, then
            if anchor is not None:
                new = [cst.parse_statement(s + "\n") for s in statements]
                plan.replace(anchor, lambda n: cst.FlattenSentinel([n, *new]), RULE)
            else:
                for source in statements:
                    plan.insert_after_imports(source)
            return
        lines: dict[cst.SimpleStatementLine, list[int]] = {}
        for setting in folded:
            lines.setdefault(setting.line, []).append(setting.index)
        anchor_line = max(lines, key=plan.line_of)
        first_line = min(lines, key=plan.line_of)
        # The blank lines and comments that opened the settings block now open the client.
        leading: list[cst.EmptyLine] = []
        if first_line is not anchor_line and len(lines[first_line]) == len(first_line.body):
            leading = list(first_line.leading_lines)
        for line, indices in lines.items():
            plan.replace(
                line,
                lambda n, i=frozenset(indices), a=line is anchor_line: _without(
                    n, i, statements if a else [], leading
                ),
                RULE,
            )


def _is_or(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or)


def _without(
    line: cst.SimpleStatementLine,
    indices: frozenset[int],
    statements: list[str],
    leading: list[cst.EmptyLine],
) -> cst.CSTNode | cst.FlattenSentinel[cst.BaseStatement] | cst.RemovalSentinel:
    """`line` without the settings at `indices`, followed by the client `statements`."""
    body = [s for i, s in enumerate(line.body) if i not in indices]
    new = [cst.parse_statement(s + "\n") for s in statements]
    if new and not body:
        new[0] = new[0].with_changes(leading_lines=[*leading, *line.leading_lines])
    elif new:
        new[0] = new[0].with_changes(leading_lines=leading)
    if body:
        last = body[-1]
        if isinstance(last.semicolon, cst.Semicolon):
            body[-1] = last.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        kept = line.with_changes(body=body)
        return cst.FlattenSentinel([kept, *new]) if new else kept
    if not new:
        return cst.RemoveFromParent()
    return cst.FlattenSentinel(new) if len(new) > 1 else new[0]


def _inside(plan: Plan, node: cst.CSTNode, ancestors: set[cst.CSTNode]) -> bool:
    current: cst.CSTNode | None = node
    while current is not None:
        if current in ancestors:
            return True
        if isinstance(current, (cst.BaseStatement, cst.BaseSmallStatement)):
            return False
        current = plan.parent_of(current)
    return False


def _without_alias(
    node: cst.Import, binding: str, classes: list[str]
) -> cst.Import | cst.ImportFrom:
    """`node` without the `openai` alias; alone, it becomes `from openai import <classes>`
    (in its place, so the import block keeps its layout)."""
    aliases = [
        a
        for a in node.names
        if not (dotted_name(a.name) == "openai" and (_alias_name(a) or "openai") == binding)
    ]
    if not aliases:
        return cst.ImportFrom(
            module=cst.Name("openai"),
            names=[
                cst.ImportAlias(
                    name=cst.Name(name),
                    comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                    if i < len(classes) - 1
                    else cst.MaybeSentinel.DEFAULT,
                )
                for i, name in enumerate(sorted(classes))
            ],
        )
    aliases[-1] = aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return node.with_changes(names=aliases)


def _free_name(candidates: Iterable[str], taken: set[str]) -> str:
    options = list(candidates)
    for name in options:
        if name not in taken:
            return name
    number = 2
    while f"{options[-1]}{number}" in taken:
        number += 1
    return f"{options[-1]}{number}"


def _is_azure_type(site: ConfigSite | None) -> bool:
    if site is None or not isinstance(site.value, cst.SimpleString):
        return site is not None  # a computed api_type: assume it may be Azure
    return str(site.value.evaluated_value).lower().startswith("azure")


_ENV_CALLS = frozenset({"os.getenv", "getenv", "os.environ.get", "environ.get"})
_ENV_MAPPINGS = frozenset({"os.environ", "environ"})


def _env_var_read(expr: cst.BaseExpression) -> str | None:
    """The variable an `os.environ[...]` / `os.getenv(...)` expression reads, else None."""
    if isinstance(expr, cst.Call) and dotted_name(expr.func) in _ENV_CALLS and expr.args:
        value = expr.args[0].value
        if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
            return value.evaluated_value
    if (
        isinstance(expr, cst.Subscript)
        and dotted_name(expr.value) in _ENV_MAPPINGS
        and len(expr.slice) == 1
        and isinstance(expr.slice[0].slice, cst.Index)
    ):
        value = expr.slice[0].slice.value
        if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
            return value.evaluated_value
    return None


class _RenameEnv(cst.CSTTransformer):
    def __init__(self, renames: dict[str, str]) -> None:
        super().__init__()
        self.renames = renames

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.SimpleString:
        value = original_node.evaluated_value
        if isinstance(value, str) and value in self.renames:
            return replace_string_value(updated_node, self.renames[value])
        return updated_node


# -- response access -------------------------------------------------------------------------


def _convert_responses(plan: Plan, upgraded: list[_Upgraded]) -> None:
    """Dict-style access on v1 response objects becomes attribute access.

    `response_flow` follows each upgraded call's response through names, loops and
    `enumerate`; a name that also holds other values is not followed, so an unrelated
    dict that shares the name is never touched (its first dict-style access is marked)."""
    uses = follow(plan, [u.site.node for u in upgraded])
    converter = _DictAccess(plan)
    for access in uses.accesses:
        converter.convert(access.steps)
    for binding in uses.shared:
        if not binding.via:  # bound from the call itself
            _mark_shared(plan, binding)


def _mark_shared(plan: Plan, binding: Binding) -> None:
    """A response variable that also holds other values: its dict access is left."""
    name = binding.name.value
    for ref in binding.references:
        parent = plan.parent_of(ref)
        keyed = isinstance(parent, cst.Subscript) and isinstance(subscript_key(parent), str)
        getter = isinstance(parent, cst.Attribute) and parent.attr.value == "get"
        if keyed or getter:
            assert isinstance(parent, (cst.Subscript, cst.Attribute))
            plan.mark(
                parent,
                "MIG418",
                f"`{name}` holds a v1 response object here and other values "
                "elsewhere: convert its dict-style access by hand",
                short=f"`{name}` may be a v1 response object: use attribute access",
            )
            return


class _DictAccess:
    """Converts the steps of one access chain: `["key"]` -> `.key`, `.get("key"[, d])` ->
    `.key` / `(.key or d)`, `.to_dict()` -> `.model_dump()`; what cannot be is marked."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.done: set[cst.CSTNode] = set()

    def convert(self, steps: tuple[Step, ...]) -> None:
        for step in steps:
            node = step.node
            if step.kind == "key":
                self._replace(
                    node,
                    lambda n, a=step.field: cst.Attribute(
                        value=n.value, attr=cst.Name(a), lpar=n.lpar, rpar=n.rpar
                    ),
                )
            elif step.kind == "opaque":
                assert isinstance(node, cst.Subscript)
                self._mark(node, f"[{code_of(node.slice[0])}]")
            elif step.kind == "get":
                assert isinstance(node, cst.Call)
                self._get(node, step.field)
            elif step.kind == "method":
                call = self.plan.parent_of(node)
                assert isinstance(node, cst.Attribute) and isinstance(call, cst.Call)
                if step.field in ("to_dict", "to_dict_recursive") and not call.args:
                    self._replace(node, lambda n: n.with_changes(attr=cst.Name("model_dump")))

    def _get(self, call: cst.Call, attr: str | None) -> None:
        if attr is None:
            self._mark(call, ".get(...)")
            return
        args = call.args
        default = args[1].value if len(args) == 2 else None
        if isinstance(default, cst.Name) and default.value == "None":
            default = None
        if default is None:
            self._replace(
                call,
                lambda n, a=attr: cst.Attribute(
                    value=n.func.value, attr=cst.Name(a), lpar=n.lpar, rpar=n.rpar
                ),
            )
            return
        parent = self.plan.parent_of(call)
        wrap = not isinstance(parent, _OR_SAFE_PARENTS) or bool(call.lpar)

        def edit(n: cst.Call, a: str = attr) -> cst.BaseExpression:
            assert isinstance(n.func, cst.Attribute)
            either = cst.BooleanOperation(
                left=cst.Attribute(value=n.func.value, attr=cst.Name(a)),
                operator=cst.Or(),
                right=n.args[1].value,
            )
            if wrap:
                return either.with_changes(
                    lpar=n.lpar or [cst.LeftParen()], rpar=n.rpar or [cst.RightParen()]
                )
            return either

        self._replace(call, edit)
        after = self.plan.parent_of(call)
        if (isinstance(after, cst.Subscript) and after.value is call) or (
            isinstance(after, cst.Attribute) and after.value is call
        ):
            self._mark(call, ".get(key, default) followed by more access")

    def _replace(self, node: cst.CSTNode, edit: Edit) -> None:
        if node in self.done:
            return
        self.done.add(node)
        self.plan.replace(node, edit, RULE)

    def _mark(self, node: cst.CSTNode, what: str) -> None:
        self.plan.mark(
            node,
            "MIG418",
            f"`{code_of(node)}`: v1 responses are objects, not dicts; {what} could not be "
            "converted to attribute access",
            short=f"v1 response is an object: convert {what} by hand",
        )
