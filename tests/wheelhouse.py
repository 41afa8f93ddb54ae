"""A local wheelhouse made from the distributions installed in this environment.

Tests that install migrator into a fresh environment of their own (pre-commit builds one
for its hook) must not reach a package index. The packages migrator needs are already
installed here, so each is packed back into a wheel: the files its RECORD lists (byte
code and scripts left out; pip writes those again), its dist-info, and the tags its WHEEL
file names, so that pip takes it exactly where it took the original. `pip install
--no-index --find-links DIR` then resolves from these alone.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
import zipfile
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

# Written by the installer, not part of a wheel.
_INSTALLER_FILES = {"INSTALLER", "REQUESTED", "direct_url.json", "RECORD"}


def runtime_closure(name: str, extra_roots: tuple[str, ...] = ()) -> list[metadata.Distribution]:
    """`name`'s installed requirements (no extras), recursively, plus `extra_roots`."""
    environment = default_environment()
    seen: dict[str, metadata.Distribution] = {}
    todo = [*(Requirement(r) for r in extra_roots), *_requirements(name, environment)]
    while todo:
        requirement = todo.pop()
        key = _normalise(requirement.name)
        if key in seen:
            continue
        distribution = metadata.distribution(requirement.name)
        seen[key] = distribution
        todo.extend(_requirements(requirement.name, environment))
    return sorted(seen.values(), key=lambda d: _normalise(d.metadata["Name"]))


def _requirements(name: str, environment: dict[str, str]) -> list[Requirement]:
    out = []
    for text in metadata.requires(name) or []:
        requirement = Requirement(text)
        if requirement.marker is None or requirement.marker.evaluate({**environment, "extra": ""}):
            out.append(requirement)
    return out


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _wheel_tag(wheel_text: str) -> str:
    tags = [line.split(":", 1)[1].strip() for line in wheel_text.splitlines()
            if line.startswith("Tag:")]  # fmt: skip
    parts = [t.split("-") for t in tags]
    return "-".join(".".join(dict.fromkeys(p[i] for p in parts)) for i in range(3))


def repack(distribution: metadata.Distribution, folder: Path) -> Path:
    """`distribution` as an installable wheel in `folder`."""
    files = list(distribution.files or [])
    # the dist-info folder as installed (its name is the wheel's, case included)
    info = next(f.parts[0] for f in files if f.parts[0].endswith(".dist-info"))
    stem = info.removesuffix(".dist-info")
    wheel_text = distribution.read_text("WHEEL") or ""
    target = folder / f"{stem}-{_wheel_tag(wheel_text)}.whl"
    record_rows = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in files:
            path = item.as_posix()
            if path.startswith("..") or "__pycache__" in path or path.endswith(".pyc"):
                continue
            parent, _, base = path.rpartition("/")
            if parent == info and base in _INSTALLER_FILES:
                continue
            data = Path(distribution.locate_file(item)).read_bytes()
            archive.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record_rows.append((path, f"sha256={digest.decode()}", str(len(data))))
        record_rows.append((f"{info}/RECORD", "", ""))
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(record_rows)
        archive.writestr(f"{info}/RECORD", buffer.getvalue())
    return target


def make_wheelhouse(folder: Path, name: str, extra_roots: tuple[str, ...] = ()) -> list[Path]:
    """Wheels of everything `name` needs at run time, and of `extra_roots`."""
    folder.mkdir(parents=True, exist_ok=True)
    return [repack(d, folder) for d in runtime_closure(name, extra_roots)]
