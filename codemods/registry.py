"""Every fixer, with its identity: name, the rules it may emit, what it must run after.

Fixers record edits on a Plan and one pass applies them all, so order matters only where
one fixer reads another's decisions; `after` says so and `strategy.in_order` sorts by it.
A strategy (codemods/strategies.py) picks the fixers it runs from here.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable

from migrator.codemods.client_endpoint import fix_clients
from migrator.codemods.endpoints import fix_endpoints
from migrator.codemods.env_vars import fix_env_vars
from migrator.codemods.framework_models import fix_framework_models
from migrator.codemods.hardcoded_keys import fix_hardcoded_keys
from migrator.codemods.litellm.calls import fix_litellm_calls, fix_litellm_stays
from migrator.codemods.litellm.clients import fix_litellm_clients
from migrator.codemods.litellm.responses import fix_litellm_responses
from migrator.codemods.litellm.v0 import (
    fix_litellm_module_settings,
    fix_litellm_v0_calls,
    fix_litellm_v0_exceptions,
    fix_litellm_v0_responses,
)
from migrator.codemods.models import fix_models
from migrator.codemods.module_settings import fix_module_settings
from migrator.codemods.native._common import as_compat
from migrator.codemods.native.clients import fix_native_clients
from migrator.codemods.native.exceptions import fix_native_exceptions
from migrator.codemods.native.imported_clients import fix_imported_clients
from migrator.codemods.native.parameters import (
    fix_native_parameter_mappings,
    fix_native_parameters,
)
from migrator.codemods.native.responses import fix_native_responses
from migrator.codemods.native.v0 import fix_native_v0_client
from migrator.codemods.parameter_mapping import fix_parameter_mappings
from migrator.codemods.parameters import fix_parameters
from migrator.codemods.routes import fix_routes
from migrator.codemods.v0.calls import fix_v0_calls
from migrator.codemods.v0.client import fix_v0_client
from migrator.codemods.v0.exceptions import fix_v0_exceptions
from migrator.codemods.v0.modules import fix_v0_modules
from migrator.codemods.v0.responses import fix_v0_responses
from migrator.codemods.wrapper_clients import fix_wrapper_clients

from migrator.rewrite import Plan
from migrator.strategy import Fixer

HARDCODED_KEYS = Fixer("hardcoded-keys", fix_hardcoded_keys, ("MIG501",))
CLIENTS = Fixer(
    "clients",
    fix_clients,
    ("MIG100", "MIG101", "MIG102", "MIG103", "MIG104", "MIG105", "MIG106", "MIG107", "MIG108",
     "MIG500", "MIG502", "MIG507"),
    after=("hardcoded-keys",),
)  # fmt: skip
# Module settings reuse the client fixer's endpoint decisions.
MODULE_SETTINGS = Fixer(
    "module-settings", fix_module_settings, ("MIG100", "MIG102", "MIG103", "MIG108", "MIG109"),
    after=("clients",),
)  # fmt: skip
# The v0 upgrade (--upgrade-v0), one concern each, in the order they were written as one
# fixer: a later one reads what an earlier one decided (the calls upgraded, their
# client names). Before models/parameters: their edits on a call compose with the upgrade.
V0_EXCEPTIONS = Fixer(
    "v0-exceptions", fix_v0_exceptions, ("MIG410", "MIG414"), after=("module-settings",)
)
V0_MODULES = Fixer("v0-modules", fix_v0_modules, ("MIG411", "MIG415"), after=("v0-exceptions",))
V0_CALLS = Fixer(
    "v0-calls",
    fix_v0_calls,
    ("MIG107", "MIG410", "MIG411", "MIG415", "MIG416", "MIG417"),
    after=("v0-modules",),
)
# The module's client: the place a strategy that builds another SDK's client changes.
V0_CLIENT = Fixer(
    "v0-client",
    fix_v0_client,
    (
        "MIG101",
        "MIG102",
        "MIG103",
        "MIG108",
        "MIG109",
        "MIG410",
        "MIG412",
        "MIG413",
        "MIG500",
        "MIG507",
    ),
    after=("v0-calls",),
)
V0_RESPONSES = Fixer("v0-responses", fix_v0_responses, ("MIG410", "MIG418"), after=("v0-client",))
# `--route`: the calls of a routed family move to a second client before their models and
# parameters are mapped (those fixers read `Plan.routed`).
ROUTES = Fixer("routes", fix_routes, ("MIG108", "MIG170", "MIG171"), after=("v0-responses",))
MODELS = Fixer(
    "models",
    fix_models,
    ("MIG200", "MIG201", "MIG202", "MIG203", "MIG204", "MIG205", "MIG206", "MIG207", "MIG208",
     "MIG210", "MIG211", "MIG212"),
    after=("routes",),
)  # fmt: skip
# Reads `Plan.models_left`: a model the model fixer kept is not tailored to the target.
PARAMETERS = Fixer(
    "parameters",
    fix_parameters,
    ("MIG107", "MIG300", "MIG301", "MIG302", "MIG303", "MIG304", "MIG305", "MIG306"),
    after=("models",),
)  # fmt: skip
# The same rules, inside a `**mapping` the code builds.
PARAMETER_MAPPINGS = Fixer(
    "parameter-mappings",
    fix_parameter_mappings,
    ("MIG107", "MIG300", "MIG301", "MIG302", "MIG303", "MIG305", "MIG306"),
    after=("parameters",),
)  # fmt: skip
# Marks what the others left: runs after every call-level fixer.
ENDPOINTS = Fixer(
    "endpoints", fix_endpoints, ("MIG172", "MIG401", "MIG402"), after=("parameter-mappings",)
)
ENV_VARS = Fixer(
    "env-vars", fix_env_vars, ("MIG500", "MIG503", "MIG504", "MIG505", "MIG506", "MIG507"),
    after=("endpoints",),
)  # fmt: skip
WRAPPER_CLIENTS = Fixer(
    "wrapper-clients",
    fix_wrapper_clients,
    ("MIG101", "MIG103", "MIG104", "MIG105", "MIG108", "MIG120", "MIG160", "MIG161", "MIG162",
     "MIG163", "MIG170", "MIG200", "MIG201", "MIG202", "MIG203", "MIG502", "MIG507"),
    after=("env-vars",),
)  # fmt: skip
# Strings such as "openai:gpt-4o" that frameworks read: reported only.
FRAMEWORK_MODELS = Fixer(
    "framework-models", fix_framework_models, ("MIG164",), after=("wrapper-clients",)
)

FIXERS: tuple[Fixer, ...] = (
    HARDCODED_KEYS,
    CLIENTS,
    MODULE_SETTINGS,
    V0_EXCEPTIONS,
    V0_MODULES,
    V0_CALLS,
    V0_CLIENT,
    V0_RESPONSES,
    ROUTES,
    MODELS,
    PARAMETERS,
    PARAMETER_MAPPINGS,
    ENDPOINTS,
    ENV_VARS,
    WRAPPER_CLIENTS,
    FRAMEWORK_MODELS,
)

# -- the native strategy: the same concerns, the provider's SDK as the target -------------
# Same names as the compat fixers they replace, so `after` reads alike in both strategies.
NATIVE_CLIENTS = Fixer(
    "clients",
    fix_native_clients,
    (*CLIENTS.rules, "MIG130", "MIG131"),
    after=("hardcoded-keys",),
)
NATIVE_PARAMETERS = Fixer("parameters", fix_native_parameters, PARAMETERS.rules, after=("models",))
NATIVE_PARAMETER_MAPPINGS = Fixer(
    "parameter-mappings",
    fix_native_parameter_mappings,
    PARAMETER_MAPPINGS.rules,
    after=("parameters",),
)
# The v0 upgrade's client, as the SDK's (or compat's where the SDK cannot take it).
NATIVE_V0_CLIENT = Fixer(
    "v0-client",
    fix_native_v0_client,
    (*V0_CLIENT.rules, "MIG131", "MIG152"),
    after=("v0-calls",),
)
# Reads the client fixers' fallback decisions (v1 clients and the v0 upgrade's).
NATIVE_EXCEPTIONS = Fixer(
    "native.exceptions", fix_native_exceptions, ("MIG140", "MIG141", "MIG142"),
    after=("clients", "v0-client"),
)  # fmt: skip
NATIVE_RESPONSES = Fixer(
    "native.responses", fix_native_responses,
    ("MIG150", "MIG151", "MIG152", "MIG153", "MIG154"), after=("parameter-mappings",),
    tells_importers=True,
)  # fmt: skip
# Reads the client fixer's fallback decisions, to tell the files importing its clients.
NATIVE_IMPORTED_CLIENTS = Fixer(
    "native.imported-clients", fix_imported_clients, ("MIG155",), after=("clients",)
)


def _on_compat(fixer: Fixer) -> Fixer:
    """`fixer` run with compat's target: v0 module code (`openai.api_base`, the v0 upgrade)
    stays on the openai SDK at the compatible endpoint under the native strategy."""
    return dataclasses.replace(fixer, run=functools.partial(_run_on_compat, fixer.run))


def _run_on_compat(run: Callable[[Plan], None], plan: Plan) -> None:
    with as_compat(plan):
        run(plan)


NATIVE_FIXERS: tuple[Fixer, ...] = (
    HARDCODED_KEYS,
    NATIVE_CLIENTS,
    _on_compat(MODULE_SETTINGS),
    _on_compat(V0_EXCEPTIONS),
    _on_compat(V0_MODULES),
    _on_compat(V0_CALLS),
    NATIVE_V0_CLIENT,
    _on_compat(V0_RESPONSES),
    ROUTES,
    MODELS,
    NATIVE_PARAMETERS,
    NATIVE_PARAMETER_MAPPINGS,
    NATIVE_EXCEPTIONS,
    NATIVE_IMPORTED_CLIENTS,
    NATIVE_RESPONSES,
    ENDPOINTS,
    ENV_VARS,
    # LangChain / llama_index classes stay on the compatible endpoint (MIG163 names the
    # provider's own integration)
    _on_compat(WRAPPER_CLIENTS),
    _on_compat(FRAMEWORK_MODELS),
)


# -- the litellm strategy: compat's fixers, then the calls move to LiteLLM's functions ------
# Before the model fixer: calls that stay on openai keep compat's (unprefixed) model ids.
LITELLM_STAYS = Fixer("litellm.stays", fix_litellm_stays, (), after=("clients",))
# After the parameter fixers: their edits on a call come first, the move reads their rules.
LITELLM_CALLS = Fixer(
    "litellm.calls", fix_litellm_calls,
    ("MIG180", "MIG181", "MIG184", "MIG185", "MIG186"), after=("parameter-mappings",),
)  # fmt: skip
# Reads which calls moved, to remove the clients nothing needs any more.
LITELLM_CLIENTS = Fixer(
    "litellm.clients", fix_litellm_clients, ("MIG182", "MIG183"), after=("litellm.calls",),
    tells_importers=True,
)  # fmt: skip
# Reads which calls moved: their embedding items are dicts.
LITELLM_RESPONSES = Fixer(
    "litellm.responses",
    fix_litellm_responses,
    ("MIG187", "MIG188", "MIG189"),
    after=("litellm.calls",),
)
# openai<1 module code (codemods/litellm/v0.py): LiteLLM installs openai>=2.20, so v0 chat
# and embeddings calls move without --upgrade-v0, the settings they used go, and
# `openai.error` names become v1's. Same names as the compat fixers they replace.
LITELLM_MODULE_SETTINGS = Fixer(
    "module-settings", fix_litellm_module_settings,
    (*MODULE_SETTINGS.rules, "MIG101", "MIG104", "MIG105", "MIG502", "MIG191", "MIG192"),
    after=("clients",),
)  # fmt: skip
LITELLM_V0_EXCEPTIONS = Fixer(
    "v0-exceptions", fix_litellm_v0_exceptions, (*V0_EXCEPTIONS.rules, "MIG194"),
    after=("module-settings",),
)  # fmt: skip
LITELLM_V0_CALLS = Fixer(
    "v0-calls", fix_litellm_v0_calls, (*V0_CALLS.rules, "MIG190"), after=("v0-modules",)
)
# Reads which v0 calls moved: their responses are LiteLLM's objects, read as dicts.
LITELLM_V0_RESPONSES = Fixer(
    "litellm.v0-responses", fix_litellm_v0_responses, ("MIG193", "MIG194"),
    after=("litellm.calls",),
)  # fmt: skip
_LITELLM_IN_PLACE = {
    f.name: f for f in (LITELLM_MODULE_SETTINGS, LITELLM_V0_EXCEPTIONS, LITELLM_V0_CALLS)
}
LITELLM_FIXERS: tuple[Fixer, ...] = (
    *FIXERS[:2], LITELLM_STAYS, *(_LITELLM_IN_PLACE.get(f.name, f) for f in FIXERS[2:-2]),
    # LangChain / llama_index classes keep the openai SDK: compat's model ids, no route prefix
    _on_compat(WRAPPER_CLIENTS), _on_compat(FRAMEWORK_MODELS),
    LITELLM_CALLS, LITELLM_CLIENTS, LITELLM_RESPONSES, LITELLM_V0_RESPONSES,
)  # fmt: skip
