"""The built wheel, installed in a fresh virtualenv, works without the source tree.

Slow (a wheel build and a `pip install` that fetches the dependencies): marked `slow`,
but it runs by default; deselect with `-m "not slow"`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from migrator.discovery import discover
from migrator.scan import scan

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
DEMO_APP = REPO / "fixtures" / "demo-app"
# Never copied into the build tree: VCS data, caches, earlier build output.
_JUNK = {
    ".git", "build", "dist", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache",
    ".venv", "venv", "node_modules", "out",
}  # fmt: skip


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    bin: Path
    python: Path
    package_dir: Path
    workdir: Path
    env: dict[str, str]

    def run(self, *args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(a) for a in args],
            cwd=self.workdir,  # not the repo: nothing may be imported from src/ by accident
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def _ignore(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n in _JUNK or n.endswith(".egg-info")}


def _check(proc: subprocess.CompletedProcess[str], what: str) -> None:
    assert proc.returncode == 0, (
        f"{what} failed ({proc.returncode})\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.pop("VIRTUAL_ENV", None)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("wheel")
    env = _clean_env()
    # Build from a copy: an in-tree build would write build/ and *.egg-info into the
    # repo (racing with anyone else building) and could pick up stale build/lib files.
    source = work / "source"
    shutil.copytree(REPO, source, ignore=_ignore, symlinks=True)
    wheels = work / "wheels"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(wheels)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    _check(proc, "pip wheel")
    (wheel,) = wheels.glob("openai_migrator-*.whl")

    venv = work / "venv"
    _check(
        subprocess.run(
            [sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True, env=env
        ),
        "python -m venv",
    )
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheel)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    _check(proc, "pip install <wheel>")
    where = subprocess.run(
        [str(python), "-c", "import migrator, os; print(os.path.dirname(migrator.__file__))"],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
    )
    _check(where, "import migrator")
    return Installed(
        wheel=wheel,
        venv=venv,
        bin=bindir,
        python=python,
        package_dir=Path(where.stdout.strip()),
        workdir=work,
        env=env,
    )


def _source_yaml() -> set[str]:
    return {p.name for p in (REPO / "mappings").glob("*.yaml")}


def _source_codemods() -> set[str]:
    return {p.name for p in (REPO / "codemods").glob("*.py")}


def test_package_is_imported_from_the_venv_not_the_source_tree(installed: Installed) -> None:
    package = installed.package_dir.resolve()
    assert installed.venv.resolve() in package.parents
    assert "site-packages" in package.parts
    assert REPO.resolve() not in package.parents


def test_wheel_ships_mappings_and_codemods(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as zf:
        names = set(zf.namelist())
    tops = {n.split("/", 1)[0] for n in names}
    # Only our package and its metadata: no tests/, fixtures/ or top-level codemods/.
    assert "migrator" in tops
    assert [t for t in tops if t != "migrator" and not t.endswith(".dist-info")] == [], tops
    codemods = installed.package_dir / "codemods"
    assert (codemods / "__init__.py").is_file()
    assert {p.name for p in codemods.glob("*.py")} == _source_codemods()
    assert {n.rsplit("/", 1)[1] for n in names if n.startswith("migrator/codemods/")} >= (
        _source_codemods()
    )
    mappings = installed.package_dir / "mappings"
    assert (mappings / "__init__.py").is_file()
    yaml_files = _source_yaml()
    if yaml_files:  # the mapping files may still be being written
        assert {p.name for p in mappings.glob("*.yaml")} == yaml_files
        assert {f"migrator/mappings/{n}" for n in yaml_files} <= names


def test_entry_points_help(installed: Installed) -> None:
    exe = installed.bin / ("migrator.exe" if os.name == "nt" else "migrator")
    assert exe.is_file()
    script = installed.run(exe, "--help")
    _check(script, "migrator --help")
    module = installed.run(installed.python, "-m", "migrator", "--help")
    _check(module, "python -m migrator --help")
    assert "scan" in script.stdout
    assert script.stdout == module.stdout.replace("python -m migrator", "migrator")


def test_installed_scan_of_the_demo_app(installed: Installed) -> None:
    proc = installed.run(installed.bin / "migrator", "scan", DEMO_APP, "--format", "json")
    _check(proc, "migrator scan fixtures/demo-app")
    data = json.loads(proc.stdout)
    assert data["version"] == 1
    assert data["errors"] == []
    py_files = [p for p in DEMO_APP.rglob("*.py") if "__pycache__" not in p.parts]
    assert data["files_scanned"] == len(py_files) >= 10
    assert data["files_with_usage"] >= 5
    kinds = {u["kind"] for u in data["usages"]}
    assert {"import", "call", "env", "model"} <= kinds
    apis = {u["api"] for u in data["usages"] if u["kind"] == "call"}
    assert {"chat.completions.create", "embeddings.create"} <= apis
    # The installed wheel and the source tree agree, usage for usage.
    expected = scan(discover(DEMO_APP), jobs=1, show_progress=False).to_json()
    assert data == json.loads(json.dumps(expected))


def test_installed_providers_read_the_shipped_mappings(installed: Installed) -> None:
    if not _source_yaml():
        pytest.skip("no mapping files in mappings/ yet")
    proc = installed.run(installed.bin / "migrator", "providers", "--format", "json")
    _check(proc, "migrator providers")
    assert json.loads(proc.stdout)["providers"]


def test_installed_diff_of_the_demo_app(installed: Installed) -> None:
    """The README's first command after `pip install .`."""
    if not _source_yaml():
        pytest.skip("no mapping files in mappings/ yet")
    proc = installed.run(
        installed.bin / "migrator", "diff", DEMO_APP, "--to", "qwen", "--format", "json"
    )
    _check(proc, "migrator diff fixtures/demo-app --to qwen")
    data = json.loads(proc.stdout)
    assert data["version"] == 1
    assert data["files"], "the demo app should need changes for qwen"


def test_installed_rule_reads_the_shipped_examples(installed: Installed) -> None:
    """`migrator rule` reads rule_examples.json from the package, not from the tree."""
    proc = installed.run(installed.bin / "migrator", "rule", "MIG305", "--format", "json")
    _check(proc, "migrator rule MIG305")
    assert json.loads(proc.stdout)["rule"]["example"]["provider"] == "deepseek"
