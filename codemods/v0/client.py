"""The module's v1 client: which settings fold into it and where it goes. Every client
the upgrade constructs is written here (`_statement`); its arguments come from
client_args.py, the `openai` import it needs from client_imports.py."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
from migrator.codemods.module_settings import last_of_import_run, retarget_module_settings
from migrator.codemods.policy.endpoints import module_endpoint_kept
from migrator.codemods.v0.calls import V0Calls, upgraded_calls
from migrator.codemods.v0.client_args import ClientArguments
from migrator.codemods.v0.client_imports import (
    drop_module_import,
    has_from_openai_import,
    imports_below,
    inner_imports,
    late_openai_import,
    module_binding,
    remove_v0_names,
)
from migrator.codemods.v0.facts import Facts
from migrator.codemods.v0.tables import FOLDED_SETTINGS, RULE, UNSUPPORTED_SETTINGS

from migrator.inventory import ConfigSite
from migrator.rewrite import Plan
from migrator.routes import Route


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
    """A module-level `openai.x = ...` setting and where its statement sits."""

    site: ConfigSite
    line: cst.SimpleStatementLine
    index: int  # position of the assignment in its line


@dataclass
class ClientBuilder:
    """Builds the v1 client that the module's upgraded v0 calls use, from its v0
    settings."""

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
        # `--route`: a plain openai client of the route provider per routed family.
        routed = [
            (name, "AsyncOpenAI" if is_async else "OpenAI", self._route_of(family))
            for (family, is_async), name in self.calls.routed_names.items()
        ]
        classes = list(dict.fromkeys([*(cls for _, cls in wanted), *(c for _, c, _ in routed)]))
        inner = inner_imports(plan)
        top_level = module_binding(plan) is not None or has_from_openai_import(plan)
        if not folded and inner and not top_level:
            # `import openai` only inside functions or under `try:` / `if`: a client at
            # the top level would need an import the module did not do there (an optional
            # dependency, say); it is built right after each such import instead.
            anchors: set[cst.CSTNode] = set()
            for local, statement in inner:
                # below the imports that follow it: the client may read them (`os`); one
                # client for a run of imports (`import openai` twice in a row)
                anchor = last_of_import_run(plan, statement)
                if anchor in anchors:  # (nodes hash and compare by identity)
                    continue
                anchors.add(anchor)
                kwargs = self._client_kwargs({}, statement)
                sources = [self._statement(n, f"{local}.{cls}", kwargs) for n, cls in wanted]
                sources += [
                    self._statement(n, f"{local}.{cls}", route_kwargs(plan, r, statement))
                    for n, cls, r in routed
                ]
                plan.insert_after_statement(anchor, sources, RULE)
            remove_v0_names(plan)
            return
        kwargs = self._client_kwargs({s.site.setting: s.site for s in folded}, None)
        # A folded setting's target goes away; its value moves into the client.
        targets = [t for s in folded for t in s.site.node.targets]
        prefix = self.import_classes(targets, classes)
        statements = [self._statement(name, prefix + cls, kwargs) for name, cls in wanted]
        statements += [
            self._statement(name, self._plain_prefix(prefix) + cls, route_kwargs(plan, r, None))
            for name, cls, r in routed
        ]
        self._place(statements, folded)
        remove_v0_names(plan)

    def _route_of(self, family: str) -> Route:
        route = self.plan.options.route_for(family)
        assert route is not None, family
        return route

    def _plain_prefix(self, prefix: str) -> str:
        """The prefix the routed (plain openai) clients take: the module's, or the import
        `import_classes` added (a strategy building another SDK's client imports
        OpenAI for them here)."""
        return prefix

    def class_name(self, is_async: bool) -> str:
        """The class of the client built (a strategy building another SDK's overrides it)."""
        if self.azure:
            return "AsyncAzureOpenAI" if is_async else "AzureOpenAI"
        return "AsyncOpenAI" if is_async else "OpenAI"

    def import_classes(self, targets: list[cst.AssignTarget], classes: list[str]) -> str:
        """Import `classes` where the client needs them; returns the prefix they take."""
        plan = self.plan
        prefix = ""
        if not drop_module_import(plan, self.calls.upgraded_funcs, targets, classes):
            # (with folded settings, the client is built at the last one's line)
            client_line = max((plan.line_of(t) for t in targets), default=None)
            binding = module_binding(plan, above=client_line)
            if binding is not None and not has_from_openai_import(plan):
                # `import openai` stays (still used) and there is no `from openai import`
                # line to join: build the client through the module rather than add an
                # import that could land below the settings the client replaces.
                prefix = f"{binding}."
            else:
                for cls in classes:
                    plan.add_import("openai", cls)
        return prefix

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
        """The client's arguments, as code at `at` (None: the top level). A strategy building
        another SDK's client overrides this to adjust them."""
        return ClientArguments(self.plan, self.kept, self.azure).client_kwargs(settings, at)

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
            late = late_openai_import(plan)
            if late is not None:
                # `import openai` below the first import block: the client goes after it
                plan.insert_after_statement(last_of_import_run(plan, late), statements, RULE)
                return
            anchor = self.facts.dotenv[-1] if self.facts.dotenv else None
            if anchor is not None and imports_below(plan, anchor):
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


def _without(
    line: cst.SimpleStatementLine,
    indices: frozenset[int],
    statements: list[str],
    leading: list[cst.EmptyLine],
) -> cst.CSTNode | cst.FlattenSentinel[cst.BaseStatement] | cst.RemovalSentinel:
    """`line` without the settings at `indices`, the client `statements` in the place of
    the last one: what followed it on the line (`openai.api_key = k; r = openai.X...`)
    uses the client, so it moves to a line after the client's."""
    last = max(indices)
    before = _ended([s for i, s in enumerate(line.body) if i not in indices and i < last])
    after = _ended([s for i, s in enumerate(line.body) if i not in indices and i > last])
    if not statements:
        body = before + after
        return line.with_changes(body=_ended(body)) if body else cst.RemoveFromParent()
    new = [cst.parse_statement(s + "\n") for s in statements]
    out: list[cst.BaseStatement] = []
    if before:
        out.append(line.with_changes(body=before, trailing_whitespace=cst.TrailingWhitespace()))
        new[0] = new[0].with_changes(leading_lines=leading)
    else:
        new[0] = new[0].with_changes(leading_lines=[*leading, *line.leading_lines])
    out.extend(new)
    if after:
        out.append(line.with_changes(body=after, leading_lines=[]))
    elif before:
        # the line's own end (a comment) stays with the code it followed
        out[0] = out[0].with_changes(trailing_whitespace=line.trailing_whitespace)
    return cst.FlattenSentinel(out) if len(out) > 1 else out[0]


def _ended(body: list[cst.BaseSmallStatement]) -> list[cst.BaseSmallStatement]:
    """`body` without a semicolon after its last statement."""
    if body and isinstance(body[-1].semicolon, cst.Semicolon):
        body[-1] = body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return body


def route_kwargs(plan: Plan, route: Route, at: cst.CSTNode | None) -> list[tuple[str, str]]:
    """A routed family's client arguments: the route provider's key and endpoint."""
    from migrator.codemods.routes import endpoint_arguments

    key, url = endpoint_arguments(plan, route, at)
    return [("api_key", key), ("base_url", url)]
