"""The schema of a mapping file, top to bottom: `load_mapping` reads a file and
`parse_mapping` checks every section (the tables in mapping_tables.py, ``native:`` in
mapping_native.py) and cross reference, naming ``FILE:LINE`` on the first error.
"""

from __future__ import annotations

import re
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from migrator.mapping_litellm import LiteLLM, parse_litellm
from migrator.mapping_native import Native, parse_native
from migrator.mapping_resolution import Mapping
from migrator.mapping_tables import ModelTables, parse_models, parse_rule
from migrator.mapping_types import (
    CLIENTS,
    DATA_REGIONS,
    ENDPOINT_FAMILIES,
    FAMILY_OF_KIND,
    IMPLEMENTED_STRATEGIES,
    MODEL_KINDS,
    PARAM_FAMILIES,
    Compat,
    Compliance,
    Dependencies,
    Facts,
    MappingError,
    ParamRule,
    Unverified,
)
from migrator.mapping_yaml import STR, TIMESTAMP, Doc, compose

_ID_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


_TOP_REQUIRED = ("id", "name", "strategies", "default_strategy", "compat", "endpoints")
_TOP_OPTIONAL = (
    "aliases",
    "docs_url",
    "models",
    "parameters",
    "dependencies",
    "compliance",
    "facts",
    "native",
    "litellm",
)


def _resolve_where(node: Node, where: str) -> bool:
    """Whether a dotted path names a key in the document (keys may contain dots)."""
    if not where:
        return True
    if not isinstance(node, MappingNode):
        return False
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, ScalarNode) else None
        if not isinstance(key, str):
            continue
        if where == key:
            return True
        if where.startswith(key + ".") and _resolve_where(value_node, where[len(key) + 1 :]):
            return True
    return False


def parse_mapping(text: str, path: str) -> Mapping:
    doc = Doc(path)
    root = compose(text, path)
    top = doc.mapping(root, "mapping file", _TOP_REQUIRED, _TOP_OPTIONAL)

    def value(key: str) -> Node:
        return top[key][1]

    id_node = value("id")
    ident = doc.string(id_node, "id")
    if not _ID_RE.match(ident):
        doc.fail(id_node, f"id: {ident!r} must be lowercase letters, digits, '-' or '_'")
    name = doc.string(value("name"), "name")
    aliases: list[str] = []
    if "aliases" in top:
        aliases_node = value("aliases")
        for i, alias in enumerate(doc.string_list(aliases_node, "aliases")):
            alias_node = aliases_node.value[i]
            if not _ID_RE.match(alias):
                doc.fail(
                    alias_node,
                    f"aliases[{i}]: {alias!r} must be lowercase letters, digits, '-' or '_'",
                )
            if alias == ident or alias in aliases:
                doc.fail(alias_node, f"aliases[{i}]: {alias!r} repeats the id or another alias")
            aliases.append(alias)
    docs_url = doc.url(value("docs_url"), "docs_url") if "docs_url" in top else None

    strategies_node = value("strategies")
    strategies = doc.string_list(strategies_node, "strategies")
    if not strategies:
        doc.fail(strategies_node, "strategies: list at least one strategy")
    for i, strategy in enumerate(strategies):
        if strategy not in IMPLEMENTED_STRATEGIES:
            doc.fail(
                strategies_node.value[i],
                f"strategies[{i}]: {strategy!r} is not supported by this version "
                f"(supported: {', '.join(IMPLEMENTED_STRATEGIES)})",
            )
    if len(set(strategies)) != len(strategies):
        doc.fail(strategies_node, "strategies: duplicate entries")
    default_strategy = doc.choice(value("default_strategy"), "default_strategy", strategies)

    compat = _parse_compat(doc, top["compat"][0], value("compat"))
    native: Native | None = None
    no_native: str | None = None
    if "native" in top:
        parsed = parse_native(
            doc, top["native"][0], value("native"), ENDPOINT_FAMILIES, DATA_REGIONS
        )
        if isinstance(parsed, str):
            no_native = parsed
        else:
            native = parsed
    if "native" in strategies and native is None:
        doc.fail(
            strategies_node,
            "strategies: 'native' needs a native: section naming the provider's SDK",
        )
    if native is not None and "native" not in strategies:
        doc.fail(top["native"][0], "native: describes an SDK but strategies does not list native")

    endpoints_node = value("endpoints")
    endpoints = doc.string_list(endpoints_node, "endpoints")
    for i, family in enumerate(endpoints):
        if family not in ENDPOINT_FAMILIES:
            doc.fail(
                endpoints_node.value[i],
                f"endpoints[{i}]: {family!r} is not one of: {', '.join(ENDPOINT_FAMILIES)}",
            )
    if len(set(endpoints)) != len(endpoints):
        doc.fail(endpoints_node, "endpoints: duplicate entries")

    litellm: LiteLLM | None = None
    no_litellm: str | None = None
    if "litellm" in top:
        parsed_litellm = parse_litellm(
            doc, top["litellm"][0], value("litellm"), frozenset(endpoints)
        )
        if isinstance(parsed_litellm, str):
            no_litellm = parsed_litellm
        else:
            litellm = parsed_litellm
    if ("litellm" in strategies) != (litellm is not None):
        doc.fail(
            strategies_node,
            "strategies: 'litellm' and a litellm: section (LiteLLM's routes) go together",
        )

    tables = ModelTables({}, dict.fromkeys(MODEL_KINDS), {}, None, {}, {})
    if "models" in top:
        tables = parse_models(doc, value("models"))
        used_kinds = (
            {t.kind for t in tables.table.values()}
            | {k for k, t in tables.defaults.items() if t is not None}
            | {k for k, by_tier in tables.tiers.items() if by_tier}
            | ({"chat"} if tables.vision_default is not None else set())
        )
        for kind in sorted(used_kinds):
            if FAMILY_OF_KIND[kind] not in endpoints:
                doc.fail(
                    top["models"][0],
                    f"models: {kind} models are mapped but {FAMILY_OF_KIND[kind]!r} is not "
                    "in endpoints",
                )

    parameters: dict[str, dict[str, ParamRule]] = {}
    if "parameters" in top:
        families = doc.mapping(value("parameters"), "parameters", optional=PARAM_FAMILIES)
        for family, (family_node, rules_node) in families.items():
            if family not in endpoints:
                doc.fail(family_node, f"parameters.{family}: {family!r} is not in endpoints")
            rules = doc.mapping(rules_node, f"parameters.{family}", any_keys=True)
            parameters[family] = {
                name: parse_rule(doc, family, name, name_node, rule_node)
                for name, (name_node, rule_node) in rules.items()
            }

    dependencies: dict[str, Dependencies] = {}
    if "dependencies" in top:
        entries = doc.mapping(value("dependencies"), "dependencies", optional=strategies)
        for strategy, (_, dep_node) in entries.items():
            where = f"dependencies.{strategy}"
            dep = doc.mapping(dep_node, where, optional=("add", "remove"))
            dependencies[strategy] = Dependencies(
                add=tuple(doc.string_list(dep["add"][1], f"{where}.add")) if "add" in dep else (),
                remove=(
                    tuple(doc.string_list(dep["remove"][1], f"{where}.remove"))
                    if "remove" in dep
                    else ()
                ),
            )

    if "compliance" in top:
        items = doc.mapping(
            value("compliance"),
            "compliance",
            required=("data_region",),
            optional=("filing", "notes"),
            at=top["compliance"][0],
        )
        region_node = items["data_region"][1]
        region = doc.choice(region_node, "compliance.data_region", DATA_REGIONS)
        if region != compat.data_region:
            doc.fail(
                region_node,
                f"compliance.data_region: {region!r} differs from compat.data_region "
                f"{compat.data_region!r}",
            )
        compliance = Compliance(
            data_region=region,
            filing=doc.string(items["filing"][1], "compliance.filing")
            if "filing" in items
            else "unknown",
            notes=tuple(doc.string_list(items["notes"][1], "compliance.notes"))
            if "notes" in items
            else (),
        )
    else:
        compliance = Compliance(data_region=compat.data_region)

    facts = Facts()
    if "facts" in top:
        items = doc.mapping(value("facts"), "facts", optional=("as_of", "sources", "unverified"))
        as_of: str | None = None
        if "as_of" in items:
            as_of_node = items["as_of"][1]
            if not isinstance(as_of_node, ScalarNode) or as_of_node.tag not in (STR, TIMESTAMP):
                doc.fail(as_of_node, "facts.as_of: expected a date YYYY-MM-DD")
            as_of = as_of_node.value
            if not _DATE_RE.match(as_of):
                doc.fail(as_of_node, f"facts.as_of: {as_of!r} is not a date YYYY-MM-DD")
        sources = (
            tuple(doc.string_list(items["sources"][1], "facts.sources"))
            if "sources" in items
            else ()
        )
        unverified: list[Unverified] = []
        if "unverified" in items:
            seq = items["unverified"][1]
            if not isinstance(seq, SequenceNode):
                doc.fail(seq, f"facts.unverified: expected a list, got {doc._describe(seq)}")
            for i, entry_node in enumerate(seq.value):
                where = f"facts.unverified[{i}]"
                entry = doc.mapping(entry_node, where, required=("where", "fact"))
                where_value = doc.string(entry["where"][1], f"{where}.where")
                if where_value != "general" and not _resolve_where(root, where_value):
                    doc.fail(
                        entry["where"][1],
                        f"{where}.where: {where_value!r} does not name a key in this file "
                        "(use a dotted path such as models.chat.gpt-4o, or 'general')",
                    )
                unverified.append(
                    Unverified(where_value, doc.string(entry["fact"][1], f"{where}.fact"))
                )
        facts = Facts(as_of=as_of, sources=sources, unverified=tuple(unverified))

    aliases_line = top["aliases"][0].start_mark.line + 1 if "aliases" in top else 1
    return Mapping(
        id=ident,
        name=name,
        aliases=tuple(aliases),
        docs_url=docs_url,
        strategies=tuple(strategies),
        default_strategy=default_strategy,
        compat=compat,
        endpoints=frozenset(endpoints),
        dependencies=dependencies,
        compliance=compliance,
        facts=facts,
        path=path,
        models=tables.table,
        defaults=tables.defaults,
        limits=tables.limits,
        parameters=parameters,
        vision_default=tables.vision_default,
        tiers=tables.tiers,
        capabilities=tables.capabilities,
        native=native,
        no_native=no_native,
        litellm=litellm,
        no_litellm=no_litellm,
        lines={"id": id_node.start_mark.line + 1, "aliases": aliases_line},
    )


_COMPAT_KEYS = (
    "client",
    "base_url",
    "base_url_env",
    "key_env",
    "regions",
    "endpoint_env",
    "api_version_env",
    "api_version",
    "data_region",
)


def _parse_compat(doc: Doc, key_node: Node, node: Node) -> Compat:
    items = doc.mapping(
        node,
        "compat",
        required=("client", "key_env", "data_region"),
        optional=_COMPAT_KEYS,
        at=key_node,
    )

    def get(key: str) -> Node | None:
        return items[key][1] if key in items else None

    client = doc.choice(items["client"][1], "compat.client", CLIENTS)
    base_url = doc.url(n, "compat.base_url") if (n := get("base_url")) is not None else None
    base_url_env = (
        doc.env(n, "compat.base_url_env") if (n := get("base_url_env")) is not None else None
    )
    endpoint_env = (
        doc.env(n, "compat.endpoint_env") if (n := get("endpoint_env")) is not None else None
    )
    api_version_env = (
        doc.env(n, "compat.api_version_env") if (n := get("api_version_env")) is not None else None
    )
    api_version = (
        doc.string(n, "compat.api_version") if (n := get("api_version")) is not None else None
    )
    regions: dict[str, str] = {}
    if (n := get("regions")) is not None:
        for region, (_, url_node) in doc.mapping(n, "compat.regions", any_keys=True).items():
            regions[region] = doc.url(url_node, f"compat.regions.{region}")
    if client == "azure":
        if endpoint_env is None and base_url is None:
            doc.fail(key_node, "compat: client 'azure' needs 'endpoint_env' or 'base_url'")
        if api_version_env is None and api_version is None:
            doc.fail(
                key_node, "compat: client 'azure' needs 'api_version_env' and/or 'api_version'"
            )
    else:
        for key in ("endpoint_env", "api_version_env", "api_version"):
            if key in items:
                doc.fail(items[key][0], f"compat.{key}: only allowed with client 'azure'")
        if base_url is None and base_url_env is None:
            doc.fail(key_node, "compat: give 'base_url' and/or 'base_url_env'")
    return Compat(
        client=client,
        base_url=base_url,
        base_url_env=base_url_env,
        key_env=doc.env(items["key_env"][1], "compat.key_env"),
        regions=regions,
        endpoint_env=endpoint_env,
        api_version_env=api_version_env,
        api_version=api_version,
        data_region=doc.choice(items["data_region"][1], "compat.data_region", DATA_REGIONS),
    )


def load_mapping(path: str | Path) -> Mapping:
    """Load and validate one mapping file; raise MappingError (``FILE:LINE: message``)."""
    label = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise MappingError(label, None, f"cannot read file: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise MappingError(label, line, "file is not valid UTF-8") from None
    return parse_mapping(text, label)
