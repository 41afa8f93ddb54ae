"""Format-preserving edits of dependency files for `migrator apply`.

A `DependencyChange` says which packages leave (`remove`) and which arrive (`add`, PEP 508
strings). Each `edit_*` function takes a file's text and returns an `EditResult`; bytes
outside the edited entries stay as they were (comments, order, quoting, line endings).

Rules shared by every format (one "dependency list" = a requirements file, a TOML array
such as `[project].dependencies`, a Poetry/Pipfile table, a setup.cfg list):
- A list is touched only if it names `openai` or a package being removed; a file that does
  not mention them comes back unchanged, so adds never land in unrelated lists.
- A removed package's entry is replaced in place when exactly one package is to be added
  (keeping its environment marker and trailing comment, dropping its extras, which belong
  to the old package); otherwise removed entries are deleted and the adds appended.
- An add already present in the list is not added again: editing twice equals editing once.
- A kept `openai` whose version spec allows only versions below 1 (`==0.28.1`, `<1`,
  `~=0.27`, Poetry `^0.28`) gets the spec `>=1.40` (`openai_floor`): the OpenAI-compatible
  endpoints are used through the v1 SDK. Extras, markers and comments stay.
Package names are compared after PEP 503 normalisation: `OpenAI` is `openai`, while
`open-ai` / `open_ai` (equal to each other) are another project.

The rest of the code imports these names from here; they live in:

* deps_pep508.py: requirement strings (`parse_requirement`, `pins_below_1`);
* deps_change.py: `DependencyChange`, `EditResult` and the edits one list gets;
* deps_lines.py: requirements.txt and setup.cfg;
* deps_toml.py: pyproject.toml (PEP 621, PEP 735, Poetry) and Pipfile;
* deps_files.py: finding dependency files, and the editor for each.
"""

from __future__ import annotations

from migrator.deps_change import OPENAI, DependencyChange, DependencyFileError, EditResult
from migrator.deps_files import (
    DependencyKind,
    dependency_file_hint,
    dependency_file_kind,
    dependency_files,
    edit_dependency_file,
    edit_pipfile,
    edit_pyproject,
    unsupported_dependency_files,
)
from migrator.deps_lines import edit_requirements, edit_setup_cfg, newline_of
from migrator.deps_pep508 import Requirement, normalize_name, parse_requirement, pins_below_1

__all__ = [
    "OPENAI",
    "DependencyChange",
    "DependencyFileError",
    "DependencyKind",
    "EditResult",
    "Requirement",
    "dependency_file_hint",
    "dependency_file_kind",
    "dependency_files",
    "edit_dependency_file",
    "edit_pipfile",
    "edit_pyproject",
    "edit_requirements",
    "edit_setup_cfg",
    "newline_of",
    "normalize_name",
    "parse_requirement",
    "pins_below_1",
    "unsupported_dependency_files",
]
