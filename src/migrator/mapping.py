"""Provider mapping files: schema, loader, validation, registry and model resolution.

A mapping file (``mappings/<id>.yaml``, shipped as ``migrator.mappings``) describes one
target: how to build the client (``compat``), which OpenAI model ids become which provider
ids (``models``), how OpenAI keyword arguments are translated (``parameters``), which
endpoint families the target serves (``endpoints``), and where its facts come from
(``facts``).

Loading composes the YAML into nodes first so that every error can name ``FILE:LINE``:
unknown keys, wrong types, missing keys and broken cross references are all reported with
the line of the offending node. The validated result is a tree of frozen, picklable
dataclasses (no YAML nodes survive), so a `Mapping` can be handed to worker processes.

Conventions the codemods rely on:

* ``ModelTarget.dimensions`` is the vector size the target model produces. Send it as the
  ``dimensions=`` keyword only when ``param_rule("embeddings", "dimensions")`` is ``None``
  (the provider accepts the keyword); a ``drop`` rule there means the size is fixed.
* ``ModelTarget.sizes`` lists the ``dimensions=`` values the target model takes, when the
  mapping knows them: a user's own size outside that list becomes ``dimensions``.
* ``ModelTarget.extra_body`` holds provider-specific body fields to merge into the call's
  ``extra_body=`` (the openai SDK lets ``extra_body`` win over keyword arguments).
* Parameter rules act on keywords present in the user's call; an ``unsupported`` rule means
  "leave the keyword, mark it and report the message".
* ``models.capabilities`` states what target models can do (see capabilities.py);
  ``models.tiers`` names the model for an unknown OpenAI id by the size its name gives
  (``gpt-5-nano`` -> the small tier); ``models.defaults.vision`` is the model for calls that
  send images when the usual one is not known to take them.

The rest of the code imports these names from here (the native section's from
mapping_native.py); they live in:

* mapping_types.py: the schema's vocabulary, `MappingError`, the records a mapping holds;
* mapping_yaml.py: YAML nodes to checked values, every error naming ``FILE:LINE``;
* mapping_schema.py: `load_mapping` and the sections of a file and their cross references;
* mapping_tables.py: the ``models:`` tables and the parameter rules;
* mapping_native.py: the ``native:`` section (the provider's own SDK);
* mapping_resolution.py: `Mapping`, which resolves model ids and applies the overrides;
* mapping_registry.py: the built-in and user mappings by id and alias.
"""

from __future__ import annotations

from pathlib import Path

from migrator.mapping_registry import Registry, builtin_mapping_paths, load_registry
from migrator.mapping_resolution import Mapping
from migrator.mapping_types import (
    ACTIONS,
    CLIENTS,
    DATA_REGIONS,
    ENDPOINT_FAMILIES,
    IMPLEMENTED_STRATEGIES,
    MODEL_KINDS,
    OPENAI_KWARGS,
    PARAM_FAMILIES,
    TIER_KINDS,
    Compat,
    Compliance,
    Dependencies,
    Facts,
    MappingError,
    ModelTarget,
    ParamRule,
    UnknownProvider,
    Unverified,
    openai_model_kind,
)

__all__ = [
    "ACTIONS",
    "CLIENTS",
    "DATA_REGIONS",
    "ENDPOINT_FAMILIES",
    "IMPLEMENTED_STRATEGIES",
    "MODEL_KINDS",
    "OPENAI_KWARGS",
    "PARAM_FAMILIES",
    "TIER_KINDS",
    "Compat",
    "Compliance",
    "Dependencies",
    "Facts",
    "Mapping",
    "MappingError",
    "ModelTarget",
    "ParamRule",
    "Registry",
    "UnknownProvider",
    "Unverified",
    "builtin_mapping_paths",
    "load_mapping",
    "load_registry",
    "openai_model_kind",
]


def load_mapping(path: str | Path) -> Mapping:
    """Parse and validate one mapping file (mapping_schema.py; imported here when a file
    is read, so that a run whose mappings come from the cache imports no YAML parser)."""
    from migrator.mapping_schema import load_mapping as load

    return load(path)
