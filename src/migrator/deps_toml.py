"""The TOML dependency files, pyproject.toml (PEP 621, PEP 735, Poetry) and Pipfile:
edited through tomlkit, which keeps comments, order and formatting.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import tomlkit
import tomlkit.exceptions
import tomlkit.items

from migrator.deps_change import (
    DependencyChange,
    DependencyFileError,
    EditResult,
    lost_marker_note,
    plan_edits,
)
from migrator.deps_pep508 import Requirement, normalize_name, parse_requirement, pins_below_1

# --------------------------------------------------------------------------- TOML helpers


def _crlf_fix(original: str, new: str) -> str:
    """tomlkit writes new lines with \\n; match a file that uses \\r\\n throughout."""
    if "\r\n" in original and "\n" not in original.replace("\r\n", ""):
        return re.sub(r"(?<!\r)\n", "\r\n", new)
    return new


def _string_like(template: Any, value: str) -> tomlkit.items.String:
    """A TOML string for `value`, literal ('...') if `template` was and `value` allows it."""
    literal = (
        isinstance(template, tomlkit.items.String)
        and template.type == tomlkit.items.StringType.SLL
        and "'" not in value
        and "\n" not in value
    )
    return tomlkit.string(value, literal=literal)


def _edit_array(arr: Any, change: DependencyChange, where: str, notes: list[str]) -> bool:
    """Edit a TOML array of PEP 508 strings in place; True if it changed."""
    entries: list[tuple[int, str, bool]] = []
    reqs: dict[int, Requirement] = {}
    for i, item in enumerate(arr):
        if not isinstance(item, str):
            continue
        req = parse_requirement(item)
        if req is None:
            continue
        reqs[i] = req
        entries.append((i, req.name, pins_below_1(req.spec)))
    plan = plan_edits(entries, change)
    if plan.empty:
        return False
    template = next((item for item in arr if isinstance(item, str)), None)
    for i in plan.raise_spec:
        assert change.openai_floor is not None
        req = reqs[i]
        arr[i] = _string_like(arr[i], req.with_spec(change.openai_floor))
        notes.append(f"{where}: raised {req.text.strip()} to {arr[i]}")
    for i, new_text in plan.replace.items():
        req = reqs[i]
        new_req = parse_requirement(new_text)
        assert new_req is not None
        arr[i] = _string_like(arr[i], req.replaced_by(new_req).strip())
        notes.append(f"{where}: replaced {req.text.strip()} with {arr[i]}")
    for i in sorted(plan.delete, reverse=True):
        notes.append(f"{where}: removed {reqs[i].text.strip()}")
        notes.extend(lost_marker_note(where, reqs[i].marker, plan))
        del arr[i]
    for add in plan.append:
        arr.append(_string_like(template, add))
        notes.append(f"{where}: added {add}")
    return True


def _table_spec(value: Any) -> str | None:
    """The version constraint of a Poetry/Pipfile table entry (None: git/path/url/...)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        version = value.get("version")
        if isinstance(version, str):
            return version
    return None


def _table_value_for(
    add: Requirement, old: Any, keep_keys: Sequence[str], marker_key: str = "markers"
) -> Any:
    """Poetry/Pipfile value for requirement `add` taking over from `old`'s entry."""
    version = add.spec or "*"
    extra: dict[str, Any] = {}
    if isinstance(old, dict) and keep_keys:
        for k in keep_keys:
            if k in old and not (k == marker_key and add.has_marker):
                extra[k] = old[k]
    if add.extras:
        extra["extras"] = [e.strip() for e in add.extras.strip("[]").split(",") if e.strip()]
    if add.has_marker:
        extra[marker_key] = add.marker
    if not extra:
        return _string_like(old if isinstance(old, str) else None, version)
    table = tomlkit.inline_table()
    table["version"] = version
    for k, v in extra.items():
        table[k] = v
    return table


def _toml_repr(value: Any) -> str:
    item = value if isinstance(value, tomlkit.items.Item) else tomlkit.item(value)
    return item.as_string().strip()


def _rename_key(table: Any, old_key: str, new_key: str, value: Any) -> None:
    """Put `new_key = value` where `old_key` was, keeping its comment and position."""
    container = getattr(table, "value", table)
    replace = getattr(container, "_replace", None)
    if replace is not None:
        replace(old_key, new_key, value)
    else:  # pragma: no cover - a tomlkit without Container._replace
        del table[old_key]
        table[new_key] = value


def _edit_table(
    table: Any,
    change: DependencyChange,
    where: str,
    notes: list[str],
    *,
    poetry: bool,
) -> dict[str, str | None]:
    """Edit a `name = spec` table (Poetry / Pipfile). Returns removed name -> replacement."""
    entries: list[tuple[str, str, bool]] = []
    for key, value in table.items():
        if poetry and key == "python":
            continue
        spec = _table_spec(value)
        pinned = spec is not None and pins_below_1(spec, poetry=poetry)
        entries.append((key, key, pinned))
    plan = plan_edits(entries, change)
    renamed: dict[str, str | None] = {}
    if plan.empty:
        return renamed
    keep = ("optional", "python", "markers") if poetry else ("markers",)
    template = next((v for v in table.values() if isinstance(v, str)), None)
    assert change.openai_floor is not None or not plan.raise_spec
    for key in plan.raise_spec:
        value = table[key]
        old_spec = _table_spec(value)
        if isinstance(value, str):
            table[key] = _string_like(value, change.openai_floor or "")
        else:
            value["version"] = _string_like(value["version"], change.openai_floor or "")
        notes.append(f"{where}: raised {key} {old_spec} to {change.openai_floor}")
    for key, new_text in plan.replace.items():
        new_req = parse_requirement(new_text)
        assert new_req is not None
        old = table[key]
        if isinstance(old, tomlkit.items.Table):  # a [x.dependencies.openai] sub-table
            del table[key]
            table[new_req.name] = _table_value_for(new_req, old, keep)
        else:
            _rename_key(table, key, new_req.name, _table_value_for(new_req, old, keep))
        renamed[key] = new_req.name
        old_spec = _table_spec(old)
        shown = f"{key} {old_spec}" if old_spec else key
        notes.append(f"{where}: replaced {shown} with {new_text}")
    for key in plan.delete:
        old = table[key]
        conditions = (
            ", ".join(f"{k} = {_toml_repr(old[k])}" for k in keep if k in old)
            if isinstance(old, dict)
            else ""
        )
        del table[key]
        renamed[key] = None
        notes.append(f"{where}: removed {key}")
        notes.extend(lost_marker_note(where, conditions, plan))
    for add in plan.append:
        req = parse_requirement(add)
        assert req is not None
        table[req.name] = _table_value_for(req, template, ())
        notes.append(f"{where}: added {add}")
    return renamed


def _parse_toml(text: str, what: str) -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise DependencyFileError(f"{what} is not valid TOML: {exc}") from exc


def _toml_result(original: str, doc: Any, changed: bool, notes: list[str]) -> EditResult:
    if not changed:
        return EditResult(original, False, [])
    new_text = _crlf_fix(original, tomlkit.dumps(doc))
    return EditResult(new_text, new_text != original, notes)


def _get(mapping: Any, *keys: str) -> Any:
    cur = mapping
    for key in keys:
        if not isinstance(cur, dict) or key not in cur:
            return None
        cur = cur[key]
    return cur


# --------------------------------------------------------------------------- pyproject.toml


def edit_pyproject(text: str, change: DependencyChange) -> EditResult:
    """Edit pyproject.toml: PEP 621 dependencies and optional-dependencies, PEP 735
    dependency-groups, Poetry dependencies / dev-dependencies / groups (and the extras that
    name a replaced optional package). Comments, order and formatting are kept."""
    doc = _parse_toml(text, "pyproject.toml")
    notes: list[str] = []
    changed = False

    deps = _get(doc, "project", "dependencies")
    if isinstance(deps, list):
        changed |= _edit_array(deps, change, "[project].dependencies", notes)
    optional = _get(doc, "project", "optional-dependencies")
    if isinstance(optional, dict):
        for extra, arr in optional.items():
            if isinstance(arr, list):
                where = f"[project.optional-dependencies].{extra}"
                changed |= _edit_array(arr, change, where, notes)
    groups = _get(doc, "dependency-groups")
    if isinstance(groups, dict):
        for group, arr in groups.items():
            if isinstance(arr, list):
                changed |= _edit_array(arr, change, f"[dependency-groups].{group}", notes)

    poetry = _get(doc, "tool", "poetry")
    if isinstance(poetry, dict):
        tables: list[tuple[str, Any]] = []
        for name in ("dependencies", "dev-dependencies"):
            if isinstance(poetry.get(name), dict):
                tables.append((f"[tool.poetry.{name}]", poetry[name]))
        poetry_groups = poetry.get("group")
        if isinstance(poetry_groups, dict):
            for group, body in poetry_groups.items():
                if isinstance(body, dict) and isinstance(body.get("dependencies"), dict):
                    tables.append(
                        (f"[tool.poetry.group.{group}.dependencies]", body["dependencies"])
                    )
        renamed: dict[str, str | None] = {}
        for where, table in tables:
            before = len(notes)
            renamed.update(_edit_table(table, change, where, notes, poetry=True))
            changed |= len(notes) > before
        extras = poetry.get("extras")
        if renamed and isinstance(extras, dict):
            changed |= _edit_poetry_extras(extras, renamed, notes)
    return _toml_result(text, doc, changed, notes)


def _edit_poetry_extras(extras: Any, renamed: dict[str, str | None], notes: list[str]) -> bool:
    """Follow replaced/removed packages in `[tool.poetry.extras]` name lists."""
    by_norm = {normalize_name(k): v for k, v in renamed.items()}
    changed = False
    for extra, names in extras.items():
        if not isinstance(names, list):
            continue
        for i in reversed(range(len(names))):
            item = names[i]
            if not isinstance(item, str) or normalize_name(item) not in by_norm:
                continue
            new = by_norm[normalize_name(item)]
            if new is None or any(isinstance(n, str) and n == new for n in names):
                del names[i]
                notes.append(
                    f"[tool.poetry.extras].{extra}: removed {item}; add its replacement to this "
                    "extra if it belongs there"
                )
            else:
                names[i] = _string_like(item, new)
                notes.append(f"[tool.poetry.extras].{extra}: replaced {item} with {new}")
            changed = True
    return changed


# --------------------------------------------------------------------------- Pipfile


def edit_pipfile(text: str, change: DependencyChange) -> EditResult:
    """Edit a Pipfile's `[packages]` and `[dev-packages]` tables (tomlkit, format kept)."""
    doc = _parse_toml(text, "Pipfile")
    notes: list[str] = []
    changed = False
    for section in ("packages", "dev-packages"):
        table = doc.get(section)
        if isinstance(table, dict):
            before = len(notes)
            _edit_table(table, change, f"[{section}]", notes, poetry=False)
            changed |= len(notes) > before
    return _toml_result(text, doc, changed, notes)
