"""The inventory: every place a module touches the OpenAI SDK.

One libcst visitor that resolves qualified names through Python's scoping rules,
so aliases (`import openai as oa`, `from openai import OpenAI as Client`) resolve,
and a local class named `OpenAI` or a dict named `openai` does not count. (It keeps
its own scopes instead of asking libcst's ScopeProvider/QualifiedNameProvider, which
give the same names but cost several times the parse; tests/test_inventory.py checks
the two agree.) The inventory is target-independent: `scan` prints its records, and
every codemod consumes the sites it keeps (which hold the libcst nodes to edit,
keyed by node identity).

Client objects are followed through assignments to a module global, a local, a
class attribute or `self.<attr>`, through parameters annotated with a client class,
and through `with_options(...)`, `with_raw_response` and `with_streaming_response`.
Also through `with OpenAI() as c`, `c = c or OpenAI()`, tuple unpacking and local
factory functions (`def get_client(): return OpenAI()`). A call whose root object
cannot be proven to be a client (a parameter, an object imported from another
module) still counts in a file that imports openai, when its path is a known
resource and method (`<anything>.chat.completions.create`). Model names are followed
from a call's `model=` to a literal bound in the same module: constants, dict entries
(`M["k"]`, `M.get("k")`), `os.getenv("X", "gpt-4o")` defaults, class attributes
(`self.m`, `cls.m`, `Config.m`) and parameter defaults; and to each of several values
(`"a" if c else "b"`, `m or "gpt-4o"`, a name assigned in two branches, `M[key]`). The
names a model travels through are kept, so code that also tests them can be found.

The work is split by concern: sdk_catalogue.py (what the SDK's names look like),
scopes.py (the scope engine), then the layers of the one visitor, each using those
below it: value_trace.py, model_trace.py, client_trace.py, call_sites.py and
site_collector.py; sites.py holds what they record, positions.py where it is.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst

from migrator.class_defaults import ProjectClass
from migrator.constants import Constant
from migrator.scopes import Scopes
from migrator.sdk_catalogue import V0_RESOURCES
from migrator.site_collector import SiteCollector
from migrator.sites import (
    CallSite,
    Carrier,
    ClientSite,
    ConfigSite,
    ImportBinding,
    Inventory,
    LiteralSite,
    ModelRef,
    SizeRef,
    WrapperSite,
)
from migrator.value_trace import BoundValues
from migrator.walk import walk_syntax

# What the codemods import from here: the records of an inventory (and V0_RESOURCES,
# for codemods/v0_upgrade.py).
__all__ = [
    "CallSite",
    "Carrier",
    "ClientSite",
    "ConfigSite",
    "ImportBinding",
    "Inventory",
    "LiteralSite",
    "ModelRef",
    "SizeRef",
    "V0_RESOURCES",
    "WrapperSite",
    "build_inventory",
]


def build_inventory(
    wrapper: cst.MetadataWrapper,
    path: str,
    constants: Mapping[str, Constant] | None = None,
    classes: Mapping[str, ProjectClass] | None = None,
) -> Inventory:
    """Run the inventory over a parsed module (wrapped once, shared with the codemods).

    Metadata (scopes, positions) is resolved through `wrapper` only when the module
    needs it, and stays cached there for the codemods. `constants` are the project
    constants the file imports, by qualified name (see constants.py); `classes` the
    project classes it imports, with their attribute defaults (see class_defaults.py).
    """
    collector = SiteCollector(path, wrapper, constants, classes)
    walk_syntax(wrapper.module, collector)
    collector.finish()
    collector.inv.scopes = Scopes(collector.module_scope, collector.enter_scope, collector.order)
    collector.inv.endpoint_values = BoundValues(collector)
    return collector.inv
