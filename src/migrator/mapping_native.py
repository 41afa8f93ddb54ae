"""The ``native:`` section of a mapping file: the provider's own Python SDK.

A provider either names its SDK (package and the version its facts were read from, the
client classes, the key variable, the parameter rules of the SDK's create() methods, what
each openai exception becomes, how response paths are renamed, and the sources of all of
that as ``package==version:path[:line]``), or says in one sentence why it has none
(``native: {none: "..."}``): the CLI repeats that sentence when ``--strategy native`` is
asked for.

The section is data the native fixers read (codemods/native/); validation names FILE:LINE
like the rest of the schema, with mapping_yaml.py's `Doc` helpers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from migrator.mapping_types import ParamRule

if TYPE_CHECKING:  # the parser's types: a mapping loaded from the cache needs no yaml
    from yaml.nodes import Node

    from migrator.mapping_yaml import Doc

# Every exception class the openai v1 SDK exports at top level: the keys of `exceptions:`.
OPENAI_EXCEPTIONS: frozenset[str] = frozenset(
    "OpenAIError APIError APIStatusError APIConnectionError APITimeoutError "
    "APIResponseValidationError BadRequestError AuthenticationError PermissionDeniedError "
    "NotFoundError ConflictError UnprocessableEntityError RateLimitError InternalServerError "
    "LengthFinishReasonError ContentFilterFinishReasonError".split()
)
IMPORT_STYLES = ("module", "name")
# openai client links that give the same client in another mode (sdk_catalogue's
# TRANSPARENT_CALLS and TRANSPARENT_ATTRS): the keys of `client_methods:`.
CLIENT_METHODS: frozenset[str] = frozenset(
    {"with_options", "copy", "with_raw_response", "with_streaming_response"}
)
RESPONSE_FAMILIES = ("chat", "embeddings")
# `pkg==1.2.3:path/in/wheel.py[:line[-line]]`, or a vendor page.
_SOURCE_RE = re.compile(
    r"^(?:[A-Za-z0-9_.-]+==[A-Za-z0-9_.]+:[\w./-]+(?::\d+(?:-\d+)?)?|https?://\S+)$"
)
_DOTTED_RE = re.compile(r"^[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*$")
_PATH_RE = re.compile(r"^[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*$")


@dataclass(frozen=True)
class ExceptionTarget:
    """What `except openai.<name>` becomes: the SDK's class (qualified), or None with the
    reason there is none."""

    name: str
    target: str | None
    reason: str | None = None


@dataclass(frozen=True)
class ResponseRename:
    """A response attribute path the SDK spells differently (`usage.prompt_tokens` ->
    `usage.input_tokens`), or has no equivalent for (`to` None, with the reason)."""

    family: str
    path: str
    to: str | None
    reason: str | None = None


@dataclass(frozen=True)
class Native:
    """The provider's own SDK. Shaped like `mapping.Compat` (the strategy `Endpoint`) so
    env templates and the checklist read it the same way; `client` is the qualified sync
    class."""

    package: str  # what pip installs
    tested: str  # the version the facts were read from: the dependency floor
    module: str  # what the code imports
    import_style: str  # module: `import dashscope` + `dashscope.Client`; name: `from m import C`
    client: str  # qualified sync class, e.g. dashscope.Client
    async_client: str | None  # None: async clients stay on the compat endpoint
    async_reason: str | None
    client_args: frozenset[str]  # constructor keywords the SDK client takes
    key_env: str
    base_url: str | None
    base_url_env: str | None
    regions: dict[str, str]
    data_region: str
    extras_keyword: str  # the create() keyword for body fields it has no keyword for
    endpoints: frozenset[str]
    parameters: dict[str, dict[str, ParamRule]]
    exceptions: dict[str, ExceptionTarget]
    responses: tuple[ResponseRename, ...] = ()
    sources: tuple[str, ...] = ()
    # openai client links the SDK's client has too, with the keywords each takes; a client
    # used through another one stays on the compatible endpoint.
    client_methods: dict[str, frozenset[str]] = field(default_factory=dict)
    # Methods of openai's async client the SDK's async client names otherwise
    # (DashScope: `close` -> `aclose`): calls of them are renamed.
    async_renames: dict[str, str] = field(default_factory=dict)
    endpoint_env: str | None = None
    api_version_env: str | None = None
    api_version: str | None = None
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __hash__(self) -> int:  # dict fields: hash what identifies the SDK
        return hash((self.package, self.tested, self.client, self.key_env))

    @property
    def requirement(self) -> str:
        return f"{self.package}>={self.tested}"

    def class_name(self, is_async: bool) -> str | None:
        """The SDK class for a sync or async client (None: no async client)."""
        return self.async_client if is_async else self.client

    def renames(self, family: str) -> dict[str, ResponseRename]:
        return {r.path: r for r in self.responses if r.family == family}


_KEYS = (
    "sdk", "client", "async_client", "async_renames", "client_args", "client_methods", "key_env",
    "base_url",
    "base_url_env", "regions", "data_region", "extras_keyword", "endpoints", "parameters",
    "exceptions", "responses", "sources",
)  # fmt: skip


def parse_native(
    doc: Doc,
    key_node: Node,
    node: Node,
    endpoint_families: tuple[str, ...],
    data_regions: tuple[str, ...],
) -> Native | str:
    """The validated `native:` section, or the reason the provider has no native target."""
    from yaml.nodes import ScalarNode

    from migrator.mapping_tables import parse_rule

    top = doc.mapping(node, "native", optional=("none", *_KEYS), at=key_node)
    if "none" in top:
        if len(top) > 1:
            doc.fail(key_node, "native: 'none' (a reason) excludes every other key")
        return doc.string(top["none"][1], "native.none")
    required = ("sdk", "client", "client_args", "key_env", "data_region", "endpoints", "sources")
    for key in required:
        if key not in top:
            doc.fail(key_node, f"native: missing required key {key!r}")

    def value(key: str) -> Node:
        return top[key][1]

    sdk = doc.mapping(
        value("sdk"), "native.sdk", required=("package", "tested", "module", "import"),
        at=top["sdk"][0],
    )  # fmt: skip
    package = doc.string(sdk["package"][1], "native.sdk.package")
    tested = doc.string(sdk["tested"][1], "native.sdk.tested")
    if not re.fullmatch(r"\d+(?:\.\d+)+", tested):
        doc.fail(sdk["tested"][1], f"native.sdk.tested: {tested!r} is not a version like 1.2.3")
    module = doc.string(sdk["module"][1], "native.sdk.module")
    style = doc.choice(sdk["import"][1], "native.sdk.import", IMPORT_STYLES)

    def qualified(n: Node, where: str) -> str:
        name = doc.string(n, where)
        if not _DOTTED_RE.match(name) or "." in name:
            doc.fail(n, f"{where}: {name!r} must be a class name of {module}")
        return f"{module}.{name}"

    client = qualified(value("client"), "native.client")
    async_client: str | None = None
    async_reason: str | None = None
    if "async_client" not in top:
        doc.fail(key_node, "native: missing required key 'async_client' (a class, or {none: why})")
    async_node = value("async_client")
    if isinstance(async_node, ScalarNode) and async_node.tag == _STR_TAG:
        async_client = qualified(async_node, "native.async_client")
    else:
        items = doc.mapping(async_node, "native.async_client", required=("none",))
        async_reason = doc.string(items["none"][1], "native.async_client.none")
    client_args = frozenset(doc.string_list(value("client_args"), "native.client_args"))
    client_methods: dict[str, frozenset[str]] = {}
    if "client_methods" in top:
        entries = doc.mapping(value("client_methods"), "native.client_methods", any_keys=True)
        for name, (name_node, keywords_node) in entries.items():
            where = f"native.client_methods.{name}"
            if name not in CLIENT_METHODS:
                doc.fail(name_node, f"{where}: expected one of {', '.join(sorted(CLIENT_METHODS))}")
            client_methods[name] = frozenset(doc.string_list(keywords_node, where))
    async_renames: dict[str, str] = {}
    if "async_renames" in top:
        renames = doc.mapping(value("async_renames"), "native.async_renames", any_keys=True)
        for name, (_, new_node) in renames.items():
            async_renames[name] = doc.string(new_node, f"native.async_renames.{name}")
    if "api_key" not in client_args:
        doc.fail(value("client_args"), "native.client_args: the SDK client must take api_key")
    base_url = doc.url(value("base_url"), "native.base_url") if "base_url" in top else None
    base_url_env = (
        doc.env(value("base_url_env"), "native.base_url_env") if "base_url_env" in top else None
    )
    regions: dict[str, str] = {}
    if "regions" in top:
        for region, (_, url) in doc.mapping(
            value("regions"), "native.regions", any_keys=True
        ).items():
            regions[region] = doc.url(url, f"native.regions.{region}")
    extras = "extra_body"
    if "extras_keyword" in top:
        extras = doc.string(value("extras_keyword"), "native.extras_keyword")
        if not extras.isidentifier():
            doc.fail(value("extras_keyword"), f"native.extras_keyword: {extras!r} is no keyword")
    endpoints_node = value("endpoints")
    endpoints = doc.string_list(endpoints_node, "native.endpoints")
    for i, family in enumerate(endpoints):
        if family not in endpoint_families:
            doc.fail(endpoints_node.value[i], f"native.endpoints[{i}]: {family!r} is unknown")
    parameters: dict[str, dict[str, ParamRule]] = {}
    if "parameters" in top:
        families = doc.mapping(value("parameters"), "native.parameters", optional=endpoints)
        for family, (_, rules_node) in families.items():
            rules = doc.mapping(rules_node, f"native.parameters.{family}", any_keys=True)
            parameters[family] = {
                name: parse_rule(doc, family, name, name_node, rule_node, native=True)
                for name, (name_node, rule_node) in rules.items()
            }
    exceptions: dict[str, ExceptionTarget] = {}
    if "exceptions" in top:
        entries = doc.mapping(value("exceptions"), "native.exceptions", any_keys=True)
        for name, (name_node, target_node) in entries.items():
            where = f"native.exceptions.{name}"
            if name not in OPENAI_EXCEPTIONS:
                doc.fail(name_node, f"{where}: {name!r} is not an exception of the openai SDK")
            exceptions[name] = _exception(doc, where, name, name_node, target_node, package)
    responses: list[ResponseRename] = []
    if "responses" in top:
        families = doc.mapping(value("responses"), "native.responses", optional=RESPONSE_FAMILIES)
        for family, (_, paths_node) in families.items():
            paths = doc.mapping(paths_node, f"native.responses.{family}", any_keys=True)
            for path, (path_node, to_node) in paths.items():
                where = f"native.responses.{family}.{path}"
                if not _PATH_RE.match(path):
                    doc.fail(path_node, f"{where}: expected a dotted attribute path")
                if isinstance(to_node, ScalarNode) and to_node.tag == _STR_TAG:
                    to = doc.string(to_node, where)
                    if not _PATH_RE.match(to) or to.count(".") != path.count("."):
                        doc.fail(to_node, f"{where}: {to!r} must be a path of the same depth")
                    responses.append(ResponseRename(family, path, to))
                else:
                    items = doc.mapping(to_node, where, required=("none",), at=path_node)
                    reason = doc.string(items["none"][1], f"{where}.none")
                    responses.append(ResponseRename(family, path, None, reason))
    sources_node = value("sources")
    sources = doc.string_list(sources_node, "native.sources")
    for i, source in enumerate(sources):
        if not _SOURCE_RE.match(source):
            doc.fail(
                sources_node.value[i], f"native.sources[{i}]: expected pkg==version:path[:line]"
            )
        if "==" in source and not source.startswith(f"{package}=={tested}:"):
            doc.fail(
                sources_node.value[i],
                f"native.sources[{i}]: read from another version than {package}=={tested}",
            )
    return Native(
        package=package, tested=tested, module=module, import_style=style, client=client,
        async_client=async_client, async_reason=async_reason, client_args=client_args,
        client_methods=client_methods, async_renames=async_renames,
        key_env=doc.env(value("key_env"), "native.key_env"), base_url=base_url,
        base_url_env=base_url_env, regions=regions,
        data_region=doc.choice(value("data_region"), "native.data_region", data_regions),
        extras_keyword=extras, endpoints=frozenset(endpoints), parameters=parameters,
        exceptions=exceptions, responses=tuple(responses), sources=tuple(sources),
        lines={"native": key_node.start_mark.line + 1},
    )  # fmt: skip


_STR_TAG = "tag:yaml.org,2002:str"


def _exception(
    doc: Doc, where: str, name: str, name_node: Node, node: Node, package: str
) -> ExceptionTarget:
    from yaml.nodes import ScalarNode

    if isinstance(node, ScalarNode) and node.tag == _STR_TAG:
        target = doc.string(node, where)
        if not _DOTTED_RE.match(target) or "." not in target:
            doc.fail(node, f"{where}: {target!r} must be a qualified class (module.Class)")
        return ExceptionTarget(name, target)
    items = doc.mapping(node, where, required=("none",), at=name_node)
    return ExceptionTarget(name, None, doc.string(items["none"][1], f"{where}.none"))
