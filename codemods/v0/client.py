"""The module's v1 client: what it is built with (endpoint, key, folded settings) and
where it goes. Every client the upgrade constructs is written here (`_statement`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import ScopeProvider
from migrator.codemods._edit import env_read, env_read_with_default, replace_string_value
from migrator.codemods._kept_key import may_be_none, reads_key_var
from migrator.codemods.module_settings import retarget_module_settings
from migrator.codemods.policy.arguments import OPENAI_ENV_PREFIXES
from migrator.codemods.policy.endpoints import (
    base_url_expression,
    configurable_base_url,
    module_endpoint,
    module_endpoint_kept,
    report_endpoint,
)
from migrator.codemods.policy.env import renames_for
from migrator.codemods.policy.keys import key_read, openai_key_from_afar
from migrator.codemods.v0.calls import V0Calls, upgraded_calls
from migrator.codemods.v0.facts import Facts, alias_name
from migrator.codemods.v0.tables import FOLDED_SETTINGS, RULE, UNSUPPORTED_SETTINGS

from migrator.inventory import V0_RESOURCES, ConfigSite
from migrator.rewrite import Plan, insertion_index
from migrator.source import code_of, dotted_name


def fix_v0_client(plan: Plan) -> None:
    """Build the v1 client(s) the upgraded calls use, folding the module settings in."""
    build_v0_clients(plan, ClientBuilder)


def build_v0_clients(plan: Plan, builder_type: type[ClientBuilder]) -> None:
    """The module's client(s), built by `builder_type` (the native strategy's builds the
    provider SDK's client with the same placement and settings logic)."""
    calls = upgraded_calls(plan)
    if calls is None:
        return
    builder = builder_type(plan, calls)
    builder.build_clients()
    if len(calls.upgraded) == calls.total:
        builder.leftover_settings()


@dataclass
class _Setting:
    site: ConfigSite
    line: cst.SimpleStatementLine
    index: int  # position of the assignment in its line


@dataclass
class ClientBuilder:
    plan: Plan
    calls: V0Calls
    kept: bool = False  # the module's endpoint already points away from OpenAI
    leftover: list[ConfigSite] = field(default_factory=list)  # settings not folded
    azure: bool = False  # build AzureOpenAI clients

    @property
    def facts(self) -> Facts:
        return self.calls.facts

    @property
    def sync_name(self) -> str:
        return self.calls.sync_name

    @property
    def async_name(self) -> str:
        return self.calls.async_name

    def build_clients(self) -> None:
        plan = self.plan
        folded = self._settings()
        # Shared with the model / parameter / endpoint fixers: an endpoint already away
        # from OpenAI is kept, and so are the calls' models and parameters.
        self.kept = module_endpoint_kept(plan)
        self.azure = plan.target.client == "azure" and not self.kept
        wanted: list[tuple[str, str]] = []  # (variable, class)
        if self.calls.needs_sync:
            wanted.append((self.sync_name, self.class_name(is_async=False)))
        if self.calls.needs_async:
            wanted.append((self.async_name, self.class_name(is_async=True)))
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
        # A folded setting's target goes away; its value moves into the client.
        targets = [t for s in folded for t in s.site.node.targets]
        prefix = self.import_classes(targets, classes)
        statements = [self._statement(name, prefix + cls, kwargs) for name, cls in wanted]
        self._place(statements, folded)
        self._remove_v0_names()

    def class_name(self, is_async: bool) -> str:
        """The class of the client built (a strategy building another SDK's overrides it)."""
        if self.azure:
            return "AsyncAzureOpenAI" if is_async else "AzureOpenAI"
        return "AsyncOpenAI" if is_async else "OpenAI"

    def import_classes(self, targets: list[cst.AssignTarget], classes: list[str]) -> str:
        """Import `classes` where the client needs them; returns the prefix they take."""
        plan = self.plan
        prefix = ""
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
        return prefix

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
        consumed: set[cst.CSTNode] = {*self.calls.upgraded_funcs, *removed}
        scopes = plan.wrapper.resolve(ScopeProvider)
        for node in plan.inventory.import_nodes:
            if not isinstance(node, cst.Import) or node in plan.edits:
                continue
            if not isinstance(plan.parent_of(plan.statement_of(node)), cst.Module):
                continue  # the client is built at the top level: the import must be there
            for alias in node.names:
                if dotted_name(alias.name) != "openai":
                    continue
                binding = alias_name(alias) or "openai"
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
        from migrator.codemods.policy.env import replaces_openai_key

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
        if not (dotted_name(a.name) == "openai" and (alias_name(a) or "openai") == binding)
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
