"""The v0 upgrade under the native strategy: the module client is the provider SDK's.

With `--upgrade-v0`, `openai.ChatCompletion.create(...)` becomes
`client.chat.completions.create(...)` as under compat (codemods/v0/calls.py); the client
those calls go through is built here as the SDK's (`client = dashscope.Client(api_key=...)`,
`ZhipuAiClient`, `Ark`), with the settings the module set folded in where the SDK's
constructor takes them, the SDK import where `import openai` stood. The calls then get the
SDK's parameter table and responses, and `openai.error.X` handlers the SDK's classes
(native/parameters.py, native/responses.py, native/exceptions.py read `upgraded_natively`).

The module stays on the compatible endpoint, upgraded exactly as compat upgrades it, when
the SDK cannot take its client: async calls and no asyncio client in the SDK (zai), a
module setting the SDK's constructor has no keyword for, Azure settings, `import openai`
only inside functions. An endpoint the module already points elsewhere is kept by compat's
rules (MIG104/MIG105), so that module stays on the openai SDK as well.

Rules: MIG131 (the module's v0 calls stay on the compatible endpoint), and the v0 client
fixer's through the code it reuses.
"""

from __future__ import annotations

import libcst as cst
from migrator.codemods.native._common import NATIVE_V0, as_compat, class_expression, native_of
from migrator.codemods.policy.endpoints import module_endpoint_kept
from migrator.codemods.v0.calls import Upgraded, upgraded_calls
from migrator.codemods.v0.client import ClientBuilder, build_v0_clients, fix_v0_client
from migrator.codemods.v0.tables import FOLDED_SETTINGS

from migrator.mapping_native import Native
from migrator.rewrite import Plan
from migrator.source import code_of


def upgraded_natively(plan: Plan) -> bool:
    """Did the v0 upgrade of this file build the SDK's client (not the openai one)?"""
    return bool(plan.analyses.get(NATIVE_V0))


def fix_native_v0_client(plan: Plan) -> None:
    calls = upgraded_calls(plan)
    if calls is None:
        return
    native = native_of(plan)
    why = _stays_compat(plan, native, calls.needs_async)
    if why is not None:
        with as_compat(plan):
            fix_v0_client(plan)
        if why:
            plan.finding(
                "MIG131",
                f"the v0 calls upgraded here stay on {plan.mapping.name}'s OpenAI-compatible "
                f"endpoint with the openai SDK: {why}",
                node=calls.upgraded[0].site.node,
            )
        return
    plan.analyses[NATIVE_V0] = True
    build_v0_clients(plan, NativeClientBuilder)
    _report_response_fields(plan, native, calls.upgraded)


def _report_response_fields(plan: Plan, native: Native, upgraded: list[Upgraded]) -> None:
    """The upgrade turns `r["usage"]["prompt_tokens"]` into `r.usage.prompt_tokens`:
    openai's field names, which the SDK may spell otherwise (the response fixer renames
    reads the code wrote as attributes, not those the upgrade converts)."""
    for call in upgraded:
        family = call.site.family
        renames = native.renames(family) if family else {}
        if not renames:
            continue
        fields = ", ".join(
            f"{r.path} -> {r.to}" if r.to else f"{r.path} (none)" for r in renames.values()
        )
        plan.finding(
            "MIG152",
            f"{call.site.api} now returns a {native.package} object: reads of its fields "
            f"converted from dict access keep openai's names; use {native.package}'s "
            f"({fields})",
            node=call.site.node,
        )


def _stays_compat(plan: Plan, native: Native, needs_async: bool) -> str | None:
    """Why the SDK cannot take the module's client ("" : compat keeps it, no need to say
    more; None: it can)."""
    if module_endpoint_kept(plan):
        return ""  # another provider or a local server: reported by compat's rules
    if needs_async and native.async_client is None:
        return native.async_reason or f"{native.package} has no asyncio client"
    taken = native.client_args | {"base_url", "api_key"}
    for site in plan.inventory.configs:
        if site.setting in ("api_type", "api_version", "azure_endpoint"):
            return f"openai.{site.setting} is an Azure setting"
        keyword = FOLDED_SETTINGS.get(site.setting)
        if keyword is not None and keyword not in taken:
            cls = native.class_name(needs_async) or native.client
            return f"openai.{site.setting} has no counterpart: {cls} takes no {keyword}="
    inner = [
        b
        for b in plan.inventory.bindings
        if isinstance(b.node, cst.Import)
        and b.imported == "openai"
        and not isinstance(plan.parent_of(plan.statement_of(b.node)), cst.Module)
    ]
    if inner:
        return "`import openai` is done inside a function or a block, where the client is built"
    return None


class NativeClientBuilder(ClientBuilder):
    """compat's builder with the SDK's class, import and constructor keywords."""

    def class_name(self, is_async: bool) -> str:
        native = native_of(self.plan)
        qualified = native.class_name(is_async)
        assert qualified is not None  # _stays_compat kept async clients of such SDKs
        return code_of(class_expression(self.plan, native, qualified))

    def import_classes(self, targets: list[cst.AssignTarget], classes: list[str]) -> str:
        # class_name queued the SDK's import where the openai import stands; that import
        # goes once nothing uses it any more.
        self.plan.remove_import_if_unused("openai")
        return ""

    def _plain_prefix(self, prefix: str) -> str:
        # `--route`: a routed family's client stays openai's (the route provider's
        # compatible endpoint), imported as such.
        for cls in {cls for (_, is_async) in self.calls.routed_names for cls in [_plain(is_async)]}:
            self.plan.add_import("openai", cls)
        return ""

    def _client_kwargs(self, settings: dict, at: cst.CSTNode | None) -> list[tuple[str, str]]:
        native = native_of(self.plan)
        default = f'.get("{native.base_url_env}", "{native.base_url}")'
        kept: list[tuple[str, str]] = []
        for keyword, code in super()._client_kwargs(settings, at):
            # No base_url= where it is the SDK's own default, as a hand-written client
            # leaves it out (the SDK reads its base URL variable itself).
            if keyword == "base_url" and (
                code.strip("\"'") == native.base_url
                or (native.base_url_env is not None and code.endswith(default))
            ):
                continue
            kept.append((keyword, code))
        return kept


def _plain(is_async: bool) -> str:
    return "AsyncOpenAI" if is_async else "OpenAI"
