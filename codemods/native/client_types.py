"""Annotations and isinstance checks naming openai's client classes, once the clients of the
file are the SDK's: `def tell(client: OpenAI)` -> `def tell(client: dashscope.Client)`.

Left alone they keep `from openai import OpenAI` (and so the openai package, which the
native dependencies remove) only to name a class no value of the file has any more. Done
only when every client the file builds moved to the SDK: with one left on the openai SDK
(compat's decision, or one the SDK cannot take) a name may describe that one, and Azure
names are retyped as compat does (client_endpoint.retype_azure_references).
"""

from __future__ import annotations

import libcst as cst
from migrator.codemods._class_references import class_references
from migrator.codemods.native._common import class_expression, fallback_clients
from migrator.codemods.policy.endpoints import client_kept

from migrator.mapping_native import Native
from migrator.rewrite import Plan
from migrator.sdk_catalogue import CLIENT_CLASSES


def retype_client_references(plan: Plan, native: Native) -> bool:
    """Retype the openai client classes the file names; False where it must not (a client
    stays on the openai SDK, or none was built here)."""
    sites = plan.inventory.clients
    fallback = fallback_clients(plan)
    if not sites or any(s.node in fallback or client_kept(plan, s) for s in sites):
        return False
    is_async = {name: facts[1] for name, facts in CLIENT_CLASSES.items()}
    skip = [site.node.func for site in sites]
    for node, is_async_class in class_references(plan, is_async, skip):
        cls = native.class_name(is_async_class)
        if cls is None:
            continue  # AsyncOpenAI with no asyncio client in the SDK: no client of it here
        new = class_expression(plan, native, cls)
        if isinstance(node, cst.Name):
            plan.remove_import_if_unused("openai", node.value)
        else:
            plan.remove_import_if_unused("openai")
        plan.replace(node, lambda _n, new=new: new, "MIG130")
    return True
