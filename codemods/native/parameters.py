"""Parameters under the native strategy: the SDK's own table for calls through its
clients, compat's for calls through a client that stays on the compatible endpoint.

The generic parameter fixers (parameters.py, parameter_mapping.py) run twice: once on the
calls of fallback clients with compat's target and mapping, once on the others with the
SDK's (`Plan.mapping` is the native view: its `parameters` are `native.parameters`).
"""

from __future__ import annotations

from migrator.codemods.native._common import as_compat, on_fallback, only_calls
from migrator.codemods.parameter_mapping import fix_parameter_mappings
from migrator.codemods.parameters import fix_parameters

from migrator.rewrite import Plan


def fix_native_parameters(plan: Plan) -> None:
    _split_run(plan, fix_parameters)


def fix_native_parameter_mappings(plan: Plan) -> None:
    _split_run(plan, fix_parameter_mappings)


def _split_run(plan: Plan, fixer: object) -> None:
    assert callable(fixer)
    calls = plan.inventory.calls
    compat = [c for c in calls if on_fallback(plan, c)]
    native = [c for c in calls if not on_fallback(plan, c)]
    if compat:
        with as_compat(plan), only_calls(plan, compat):
            fixer(plan)
    with only_calls(plan, native):
        fixer(plan)
