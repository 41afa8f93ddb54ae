"""The change to make to a project's dependencies (`DependencyChange`), what an editor
returns (`EditResult`), and the decision, shared by every file format, of which entries of
one dependency list are raised, replaced, deleted or appended (`plan_edits`).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from migrator.deps_pep508 import normalize_name, parse_requirement

OPENAI = "openai"


class DependencyFileError(ValueError):
    """A dependency file could not be parsed (e.g. invalid TOML); it was not edited."""


@dataclass(frozen=True)
class EditResult:
    """The edited text, whether it differs from the input, and what a person should know."""

    new_text: str
    changed: bool
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DependencyChange:
    """Packages to drop and PEP 508 requirements to add.

    compat: ``DependencyChange(add=[], remove=[])`` (only raises an `openai<1` pin);
    native: ``DependencyChange(add=["dashscope>=1.20"], remove=["openai"])``.
    `openai_floor` is the spec given to a kept openai that is pinned below 1 (None: leave it).
    """

    add: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    openai_floor: str | None = ">=1.40"
    # More packages whose presence makes a list one to edit (besides openai and the
    # removed ones): llama-index for the OpenAI-like package the wrapper rewrite needs.
    also_anchors: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for text in self.add:
            if parse_requirement(text) is None:
                raise ValueError(f"not a PEP 508 requirement: {text!r}")

    @property
    def removed_names(self) -> set[str]:
        names = set()
        for text in self.remove:
            req = parse_requirement(text)
            names.add(normalize_name(req.name if req else text))
        return names

    @property
    def anchors(self) -> set[str]:
        return self.removed_names | {OPENAI} | {normalize_name(a) for a in self.also_anchors}


# --------------------------------------------------------------------------- planning


K = TypeVar("K", bound=Hashable)


@dataclass
class EditPlan(Generic[K]):
    """The edits one dependency file needs, by the key of each requirement they touch."""

    raise_spec: list[K] = field(default_factory=list)
    replace: dict[K, str] = field(default_factory=dict)
    delete: list[K] = field(default_factory=list)
    append: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.raise_spec or self.replace or self.delete or self.append)


def plan_edits(entries: Sequence[tuple[K, str, bool]], change: DependencyChange) -> EditPlan[K]:
    """Decide the edits of one dependency list.

    `entries` holds (key, package name, pinned below 1) for each parseable entry.
    """
    plan: EditPlan[K] = EditPlan()
    present = {normalize_name(name) for _, name, _ in entries}
    removed_names = change.removed_names
    if not present & change.anchors:
        return plan
    removed = [key for key, name, _ in entries if normalize_name(name) in removed_names]
    if OPENAI not in removed_names and change.openai_floor:
        plan.raise_spec = [
            key for key, name, pinned in entries if normalize_name(name) == OPENAI and pinned
        ]
    needed: list[str] = []
    seen = set(present - removed_names)
    for text in change.add:
        req = parse_requirement(text)
        assert req is not None  # checked by DependencyChange
        if req.key not in seen:
            seen.add(req.key)
            needed.append(text.strip())
    if removed and len(needed) == 1:
        plan.replace[removed[0]] = needed[0]
        plan.delete = removed[1:]
    else:
        plan.delete = removed
        plan.append = needed
    return plan


def lost_marker_note(where: str, marker: str, plan: EditPlan[Any]) -> list[str]:
    """A removed entry's condition (marker, optional...) does not follow appended packages."""
    if not marker or not plan.append:
        return []
    return [f"{where}: the removed entry had `{marker}`; apply it to the added packages if needed"]
