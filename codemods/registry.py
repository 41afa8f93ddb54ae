"""The fixers, in the order they run. Each records edits on a Plan; one pass applies
them all. Order matters only where one fixer's decision reads another's: module
settings reuse the client fixer's endpoint logic; endpoints mark what the others left.
"""

from __future__ import annotations

from collections.abc import Callable

from migrator.codemods.client_endpoint import fix_clients
from migrator.codemods.endpoints import fix_endpoints
from migrator.codemods.env_vars import fix_env_vars
from migrator.codemods.hardcoded_keys import fix_hardcoded_keys
from migrator.codemods.models import fix_models
from migrator.codemods.module_settings import fix_module_settings
from migrator.codemods.parameter_mapping import fix_parameter_mappings
from migrator.codemods.parameters import fix_parameters
from migrator.codemods.v0_upgrade import fix_v0_upgrade
from migrator.codemods.wrapper_clients import fix_wrapper_clients

from migrator.rewrite import Plan

Fixer = Callable[[Plan], None]

FIXERS: tuple[Fixer, ...] = (
    fix_hardcoded_keys,
    fix_clients,
    fix_module_settings,
    fix_v0_upgrade,  # before models/parameters: their edits on a call compose with its
    fix_models,
    fix_parameters,
    fix_parameter_mappings,  # the same rules, inside a `**mapping` the code builds
    fix_endpoints,
    fix_env_vars,
    fix_wrapper_clients,
)
