"""What a rewrite is asked to do: `RewriteOptions`, the one value each file's job gets.

Apart from the engine (rewrite.py), which imports libcst: the CLI, the result cache and
the project-level passes build, compare and encode options on runs that rewrite nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # field types: a run served by the report memo imports none of them
    from migrator.class_defaults import ProjectClass
    from migrator.constants import Constant, ConstantEdit
    from migrator.cross_module import Notice
    from migrator.mapping import Mapping
    from migrator.routes import Route
    from migrator.strategy import Strategy


@dataclass(frozen=True)
class RewriteOptions:
    """Everything a worker needs; picklable (sent to the process pool)."""

    mapping: Mapping
    # What the code becomes: the fixers to run and the endpoint they target
    # (`migrator.codemods.strategies`).
    strategy: Strategy
    upgrade_v0: bool = False
    # Retarget clients whose base URL migrator cannot show to be OpenAI's (MIG105).
    retarget_configured: bool = False
    ignore: frozenset[str] = frozenset()
    call_facts: bool = False  # apply/checklist: also record callfacts (escapes, n=)
    # Project constants this file imports, by qualified name (`app.config.CHAT_MODEL`).
    constants: dict[str, Constant] = field(default_factory=dict)
    # Project classes this file imports, with their attribute defaults (`app.config.Settings`).
    classes: dict[str, ProjectClass] = field(default_factory=dict)
    # Edits other files' workers asked for in constants this file defines.
    constant_edits: tuple[ConstantEdit, ...] = ()
    # The files of the run importing this file's names: name -> files (cross_module.py).
    importers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # What other files' workers found about the names this file imports from them.
    notices: tuple[Notice, ...] = ()
    # `--route FAMILY=PROVIDER`: endpoint families sent to a second provider (routes.py).
    routes: tuple[Route, ...] = ()

    def route_for(self, family: str) -> Route | None:
        """The route the user asked for `family` (None: the family follows the target)."""
        return next((r for r in self.routes if r.family == family), None)
