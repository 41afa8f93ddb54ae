from __future__ import annotations

from pathlib import Path

import pytest

from migrator.deps import (
    DependencyChange,
    DependencyFileError,
    EditResult,
    dependency_file_hint,
    dependency_file_kind,
    dependency_files,
    edit_dependency_file,
    edit_pipfile,
    edit_pyproject,
    edit_requirements,
    edit_setup_cfg,
    normalize_name,
    parse_requirement,
    pins_below_1,
    unsupported_dependency_files,
)

NATIVE = DependencyChange(add=["dashscope>=1.20"], remove=["openai"])
COMPAT = DependencyChange(add=[], remove=[])
TWO_ADDS = DependencyChange(add=["dashscope>=1.20", "httpx"], remove=["openai"])
ALL_CHANGES = [NATIVE, COMPAT, TWO_ADDS]


def assert_idempotent(edit: object, text: str, change: DependencyChange) -> None:
    first = edit(text, change)  # type: ignore[operator]
    second = edit(first.new_text, change)  # type: ignore[operator]
    assert second == EditResult(first.new_text, False, [])


# --------------------------------------------------------------------------- helpers


def test_normalize_name() -> None:
    assert normalize_name("OpenAI") == "openai"
    assert normalize_name("Open_AI") == "open-ai"
    assert normalize_name("zope..interface__x") == "zope-interface-x"


def test_parse_requirement_parts() -> None:
    req = parse_requirement('  OpenAI[datalib] == 0.28.1 ; python_version < "3.12"')
    assert req is not None
    assert (req.name, req.extras, req.spec, req.marker) == (
        "OpenAI",
        "[datalib]",
        "== 0.28.1",
        'python_version < "3.12"',
    )
    assert req.key == "openai"
    assert req.with_spec(">=1.40") == '  OpenAI[datalib] >=1.40 ; python_version < "3.12"'
    url = parse_requirement("openai @ https://example.com/o.whl;x ; os_name == 'nt'")
    assert url is not None
    assert (url.spec, url.marker) == ("@ https://example.com/o.whl;x", "os_name == 'nt'")
    for not_a_requirement in ("-r base.txt", "./local", "https://x/y.whl", "git+https://x", ""):
        assert parse_requirement(not_a_requirement) is None


@pytest.mark.parametrize(
    ("spec", "poetry", "expected"),
    [
        ("==0.28.1", False, True),
        ("<1", False, True),
        ("<1.0", False, True),
        ("<1.0.0", False, True),
        ("<1.1", False, False),
        ("<=0.28", False, True),
        ("<=1.0", False, False),
        ("~=0.27", False, True),
        ("~=1.2", False, False),
        (">=0.27,<1", False, True),
        (">=0.27", False, False),
        ("==0.*", False, True),
        ("==1.*", False, False),
        ("!=0.28", False, False),
        ("(==0.28)", False, True),
        ("", False, False),
        ("@ https://x/openai-0.28.tar.gz", False, False),
        ("^0.28", True, True),
        ("~0.28", True, True),
        ("0.28.1", True, True),
        ("0.*", True, True),
        (">=0.27 <1.0", True, True),
        ("^1.3", True, False),
        ("*", True, False),
        ("^0.28 || ^1.0", True, False),
        ("^0.27 || ^0.28", True, True),
        ("*", False, False),
    ],
)
def test_pins_below_1(spec: str, poetry: bool, expected: bool) -> None:
    assert pins_below_1(spec, poetry=poetry) is expected


def test_change_rejects_bad_add() -> None:
    with pytest.raises(ValueError, match="not a PEP 508 requirement: '-e foo'"):
        DependencyChange(add=["-e foo"], remove=["openai"])


# --------------------------------------------------------------------------- requirements

REQS = (
    "# core deps\r\n"
    "-r base.txt\r\n"
    "-e ./libs/x\r\n"
    "--index-url https://pypi.org/simple\r\n"
    "requests>=2.31  # http\r\n"
    'OpenAI[datalib]==0.28.1 ; python_version<"3.12"  # llm\r\n'
    "rich\r\n"
)


def test_requirements_native_replaces_in_place() -> None:
    result = edit_requirements(REQS, NATIVE)
    assert result == EditResult(
        "# core deps\r\n"
        "-r base.txt\r\n"
        "-e ./libs/x\r\n"
        "--index-url https://pypi.org/simple\r\n"
        "requests>=2.31  # http\r\n"
        'dashscope>=1.20 ; python_version<"3.12"  # llm\r\n'
        "rich\r\n",
        True,
        ["line 6: replaced OpenAI[datalib]==0.28.1 with dashscope>=1.20"],
    )


def test_requirements_compat_raises_v0_pin() -> None:
    result = edit_requirements(REQS, COMPAT)
    assert result.new_text == REQS.replace("OpenAI[datalib]==0.28.1 ;", "OpenAI[datalib]>=1.40 ;")
    assert result.changed
    assert result.notes == [
        "line 6: raised OpenAI[datalib]==0.28.1 to OpenAI[datalib]>=1.40 "
        "(the compatible endpoints need the v1 SDK)"
    ]


def test_requirements_two_adds_remove_and_append() -> None:
    result = edit_requirements(REQS, TWO_ADDS)
    assert result.new_text == (
        "# core deps\r\n"
        "-r base.txt\r\n"
        "-e ./libs/x\r\n"
        "--index-url https://pypi.org/simple\r\n"
        "requests>=2.31  # http\r\n"
        "rich\r\n"
        "dashscope>=1.20\r\n"
        "httpx\r\n"
    )
    assert result.notes == [
        "line 6: removed OpenAI[datalib]==0.28.1",
        'line 6: the removed entry had `python_version<"3.12"`; apply it to the added '
        "packages if needed",
        "added dashscope>=1.20 at the end",
        "added httpx at the end",
    ]


@pytest.mark.parametrize("change", ALL_CHANGES)
def test_requirements_idempotent(change: DependencyChange) -> None:
    assert_idempotent(edit_requirements, REQS, change)


def test_requirements_without_openai_unchanged() -> None:
    text = "requests\n# openai is not used here\nopen-ai==0.1\n"
    for change in ALL_CHANGES:
        assert edit_requirements(text, change) == EditResult(text, False, [])


def test_requirements_no_trailing_newline_and_existing_add() -> None:
    assert edit_requirements("requests\nopenai", TWO_ADDS).new_text == (
        "requests\ndashscope>=1.20\nhttpx\n"
    )
    # dashscope is already there: openai just goes, nothing is added twice
    result = edit_requirements("dashscope\nopenai==0.28\n", NATIVE)
    assert result == EditResult("dashscope\n", True, ["line 2: removed openai==0.28"])


def test_requirements_unpinned_or_v1_openai_kept_by_compat() -> None:
    text = "openai>=0.27\nopenai\nopenai==1.30.0\n"
    assert edit_requirements(text, COMPAT) == EditResult(text, False, [])


def test_requirements_continuation_with_hashes() -> None:
    text = "openai==0.28.1 \\\n    --hash=sha256:abc \\\n    --hash=sha256:def\nrich\n"
    replaced = edit_requirements(text, NATIVE)
    assert replaced.new_text == "dashscope>=1.20\nrich\n"
    assert replaced.notes == [
        "line 1: replaced openai==0.28.1 with dashscope>=1.20",
        "line 1: options/hashes of openai were dropped",
    ]
    raised = edit_requirements(text, COMPAT)
    assert raised.new_text == text.replace("openai==0.28.1", "openai>=1.40")
    assert raised.notes[-1] == "line 1: regenerate the hashes of this requirement"
    removed = edit_requirements(text, TWO_ADDS)
    assert removed.new_text == "rich\ndashscope>=1.20\nhttpx\n"


def test_requirements_url_and_comment_forms() -> None:
    text = "openai @ https://x/openai-0.28.tar.gz ; python_version>'3'\nopenai<1.0 # c\n"
    assert edit_requirements(text, NATIVE).new_text == ("dashscope>=1.20 ; python_version>'3'\n")
    assert edit_requirements(text, COMPAT).new_text == (
        "openai @ https://x/openai-0.28.tar.gz ; python_version>'3'\nopenai>=1.40 # c\n"
    )


def test_requirements_custom_floor_and_no_floor() -> None:
    text = "openai==0.27.8\n"
    assert edit_requirements(text, DependencyChange(openai_floor=">=1.50")).new_text == (
        "openai>=1.50\n"
    )
    assert not edit_requirements(text, DependencyChange(openai_floor=None)).changed


# --------------------------------------------------------------------------- pyproject

PYPROJECT = """\
[project]
name = "demo"
dependencies = [
    # runtime
    "requests>=2",  # http
    'openai[datalib]==0.28.1; python_version < "3.12"',  # llm
    "rich",
]

[project.optional-dependencies]
ai = ["openai<1", "tiktoken"]
dev = ["pytest"]

[tool.poetry.dependencies]
python = "^3.10"
openai = "^0.28"  # pinned for v0 code
other = {version = "^0.28", extras = ["x"]}

[tool.poetry.group.ai.dependencies]
openai = {version = "~0.27", extras = ["datalib"], optional = true}

[tool.poetry.extras]
ai = ["openai", "other"]

[tool.migrator]
provider = "qwen"
"""


def test_pyproject_native() -> None:
    result = edit_pyproject(PYPROJECT, NATIVE)
    assert result.new_text == (
        PYPROJECT.replace(
            "'openai[datalib]==0.28.1; python_version < \"3.12\"'",
            "'dashscope>=1.20; python_version < \"3.12\"'",
        )
        .replace('ai = ["openai<1", "tiktoken"]', 'ai = ["dashscope>=1.20", "tiktoken"]')
        .replace('openai = "^0.28"  # pinned', 'dashscope = ">=1.20"  # pinned')
        .replace(
            'openai = {version = "~0.27", extras = ["datalib"], optional = true}',
            'dashscope = {version = ">=1.20", optional = true}',
        )
        .replace('ai = ["openai", "other"]', 'ai = ["dashscope", "other"]')
    )
    assert result.notes == [
        '[project].dependencies: replaced openai[datalib]==0.28.1; python_version < "3.12" '
        'with dashscope>=1.20; python_version < "3.12"',
        "[project.optional-dependencies].ai: replaced openai<1 with dashscope>=1.20",
        "[tool.poetry.dependencies]: replaced openai ^0.28 with dashscope>=1.20",
        "[tool.poetry.group.ai.dependencies]: replaced openai ~0.27 with dashscope>=1.20",
        "[tool.poetry.extras].ai: replaced openai with dashscope",
    ]


def test_pyproject_compat_raises_every_v0_pin() -> None:
    result = edit_pyproject(PYPROJECT, COMPAT)
    assert result.new_text == (
        PYPROJECT.replace("openai[datalib]==0.28.1;", "openai[datalib]>=1.40;")
        .replace('"openai<1"', '"openai>=1.40"')
        .replace('openai = "^0.28"', 'openai = ">=1.40"')
        .replace('version = "~0.27"', 'version = ">=1.40"')
    )
    assert result.notes == [
        '[project].dependencies: raised openai[datalib]==0.28.1; python_version < "3.12" '
        'to openai[datalib]>=1.40; python_version < "3.12"',
        "[project.optional-dependencies].ai: raised openai<1 to openai>=1.40",
        "[tool.poetry.dependencies]: raised openai ^0.28 to >=1.40",
        "[tool.poetry.group.ai.dependencies]: raised openai ~0.27 to >=1.40",
    ]


def test_pyproject_two_adds() -> None:
    result = edit_pyproject(PYPROJECT, TWO_ADDS)
    assert (
        result.new_text
        == """\
[project]
name = "demo"
dependencies = [
    # runtime
    "requests>=2",  # http
    "rich",
    "dashscope>=1.20",
    "httpx",
]

[project.optional-dependencies]
ai = ["tiktoken", "dashscope>=1.20", "httpx"]
dev = ["pytest"]

[tool.poetry.dependencies]
python = "^3.10"
other = {version = "^0.28", extras = ["x"]}
dashscope = ">=1.20"
httpx = "*"

[tool.poetry.group.ai.dependencies]
dashscope = ">=1.20"
httpx = "*"

[tool.poetry.extras]
ai = ["other"]

[tool.migrator]
provider = "qwen"
"""
    )
    assert (
        "[tool.poetry.extras].ai: removed openai; add its replacement to this extra if it "
        "belongs there" in result.notes
    )
    assert (
        "[tool.poetry.group.ai.dependencies]: the removed entry had `optional = true`; apply it "
        "to the added packages if needed"
    ) in result.notes


@pytest.mark.parametrize("change", ALL_CHANGES)
def test_pyproject_idempotent(change: DependencyChange) -> None:
    assert_idempotent(edit_pyproject, PYPROJECT, change)


def test_pyproject_crlf_and_literal_strings() -> None:
    text = (
        "[project]\r\nname = 'x'\r\ndependencies = [\r\n  'openai==0.28',\r\n  'rich',\r\n]\r\n"
        "\r\n[tool.poetry.dependencies]\r\nopenai = '^0.28'\r\n"
    )
    assert edit_pyproject(text, TWO_ADDS).new_text == (
        "[project]\r\nname = 'x'\r\ndependencies = [\r\n  'rich',\r\n  'dashscope>=1.20',\r\n"
        "  'httpx',\r\n]\r\n\r\n[tool.poetry.dependencies]\r\ndashscope = '>=1.20'\r\n"
        "httpx = '*'\r\n"
    )


def test_pyproject_untouched_cases() -> None:
    for text in (
        "[project]\nname='x'\ndependencies=['rich']\n",
        "[tool.poetry.dependencies]\nopenai = '^1.3'\n",
        "[tool.poetry.dependencies]\nopenai = {git = 'https://x'}\n",
        "[project]\nname = 'x'\n# openai<1\n",
    ):
        assert edit_pyproject(text, COMPAT) == EditResult(text, False, [])
    no_openai = "[project]\nname='x'\ndependencies=['rich']\n"
    assert edit_pyproject(no_openai, NATIVE) == EditResult(no_openai, False, [])


def test_pyproject_dependency_groups_skip_includes() -> None:
    text = "[dependency-groups]\ndev = ['openai<1', {include-group = 'x'}]\n"
    assert edit_pyproject(text, NATIVE).new_text == (
        "[dependency-groups]\ndev = ['dashscope>=1.20', {include-group = 'x'}]\n"
    )


# --------------------------------------------------------------------------- setup.cfg

SETUP_CFG = """\
[metadata]
name = demo
# openai = not a key

[options]
packages = find:
install_requires =
    requests>=2
    # the LLM client
    openai==0.28.1; python_version<"3.12"  # pinned
    rich
python_requires = >=3.10

[options.extras_require]
ai = openai<1
dev =
    pytest
"""


def test_setup_cfg_native() -> None:
    result = edit_setup_cfg(SETUP_CFG, NATIVE)
    assert result.new_text == SETUP_CFG.replace(
        "    openai==0.28.1;", "    dashscope>=1.20;"
    ).replace("ai = openai<1", "ai = dashscope>=1.20")
    assert result.notes == [
        "[options] install_requires (line 10): replaced openai==0.28.1 with dashscope>=1.20",
        "[options.extras_require] ai (line 15): replaced openai<1 with dashscope>=1.20",
    ]


def test_setup_cfg_compat() -> None:
    result = edit_setup_cfg(SETUP_CFG, COMPAT)
    assert result.new_text == SETUP_CFG.replace("openai==0.28.1;", "openai>=1.40;").replace(
        "ai = openai<1", "ai = openai>=1.40"
    )


def test_setup_cfg_two_adds() -> None:
    assert (
        edit_setup_cfg(SETUP_CFG, TWO_ADDS).new_text
        == """\
[metadata]
name = demo
# openai = not a key

[options]
packages = find:
install_requires =
    requests>=2
    # the LLM client
    rich
    dashscope>=1.20
    httpx
python_requires = >=3.10

[options.extras_require]
ai =
    dashscope>=1.20
    httpx
dev =
    pytest
"""
    )


def test_setup_cfg_one_line_forms() -> None:
    text = "[options]\ninstall_requires = requests; openai==0.28; rich\n"
    assert edit_setup_cfg(text, NATIVE).new_text == (
        "[options]\ninstall_requires = requests; dashscope>=1.20; rich\n"
    )
    assert edit_setup_cfg(text, TWO_ADDS).new_text == (
        "[options]\ninstall_requires = requests; rich; dashscope>=1.20; httpx\n"
    )
    crlf = "[options]\r\ninstall_requires = openai\r\n[x]\r\ny=1"
    assert edit_setup_cfg(crlf, NATIVE).new_text == (
        "[options]\r\ninstall_requires = dashscope>=1.20\r\n[x]\r\ny=1"
    )
    assert edit_setup_cfg(crlf, TWO_ADDS).new_text == (
        "[options]\r\ninstall_requires =\r\n    dashscope>=1.20\r\n    httpx\r\n[x]\r\ny=1"
    )
    assert edit_setup_cfg(crlf, COMPAT) == EditResult(crlf, False, [])


@pytest.mark.parametrize("change", ALL_CHANGES)
def test_setup_cfg_idempotent(change: DependencyChange) -> None:
    assert_idempotent(edit_setup_cfg, SETUP_CFG, change)


def test_setup_cfg_other_sections_untouched() -> None:
    text = "[metadata]\ninstall_requires = openai==0.28\n[tool:pytest]\nx = openai\n"
    assert edit_setup_cfg(text, NATIVE) == EditResult(text, False, [])


# --------------------------------------------------------------------------- Pipfile

PIPFILE = """\
[[source]]
url = "https://pypi.org/simple"

[packages]
requests = "*"
openai = "==0.28.1"

[dev-packages]
openai = {version = "<1", extras = ["datalib"], markers = "python_version < '3.12'"}

[requires]
python_version = "3.11"
"""


def test_pipfile_native() -> None:
    result = edit_pipfile(PIPFILE, NATIVE)
    assert result.new_text == PIPFILE.replace(
        'openai = "==0.28.1"', 'dashscope = ">=1.20"'
    ).replace(
        'openai = {version = "<1", extras = ["datalib"], markers',
        'dashscope = {version = ">=1.20", markers',
    )
    assert result.notes == [
        "[packages]: replaced openai ==0.28.1 with dashscope>=1.20",
        "[dev-packages]: replaced openai <1 with dashscope>=1.20",
    ]


def test_pipfile_compat() -> None:
    result = edit_pipfile(PIPFILE, COMPAT)
    assert result.new_text == PIPFILE.replace('"==0.28.1"', '">=1.40"').replace(
        'version = "<1"', 'version = ">=1.40"'
    )
    assert result.notes == [
        "[packages]: raised openai ==0.28.1 to >=1.40",
        "[dev-packages]: raised openai <1 to >=1.40",
    ]


@pytest.mark.parametrize("change", ALL_CHANGES)
def test_pipfile_idempotent(change: DependencyChange) -> None:
    assert_idempotent(edit_pipfile, PIPFILE, change)


def test_pipfile_star_kept_and_no_openai() -> None:
    text = '[packages]\nopenai = "*"\n'
    assert edit_pipfile(text, COMPAT) == EditResult(text, False, [])
    other = '[packages]\nrequests = "*"\n'
    assert edit_pipfile(other, NATIVE) == EditResult(other, False, [])


# --------------------------------------------------------------------------- discovery


def test_dependency_file_kind() -> None:
    assert dependency_file_kind("pyproject.toml") == "pyproject"
    assert dependency_file_kind("a/setup.cfg") == "setup_cfg"
    assert dependency_file_kind("Pipfile") == "pipfile"
    for name in (
        "requirements.txt",
        "requirements-dev.txt",
        "dev-requirements.txt",
        "requirements.in",
        "requirements/base.txt",
        "REQUIREMENTS.TXT",
    ):
        assert dependency_file_kind(name) == "requirements", name
    for name in ("setup.py", "poetry.lock", "Pipfile.lock", "notes.txt", "requirements.lock"):
        assert dependency_file_kind(name) is None, name


def test_dependency_files_and_unsupported(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "openai==0.28\n",
        "requirements-lock.txt": "# This file is autogenerated by pip-compile\nopenai==0.28\n",
        "hashed-requirements.txt": "openai==0.28 --hash=sha256:abc\n",
        "pyproject.toml": "[project]\nname='x'\n",
        "svc/setup.cfg": "[metadata]\n",
        "Pipfile": "[packages]\n",
        "Pipfile.lock": '{"default": {"openai": {}}}',
        "poetry.lock": '[[package]]\nname = "openai"\n',
        "uv.lock": '[[package]]\nname = "rich"\n',
        "setup.py": "install_requires=['OpenAI']\n",
        "environment.yml": "dependencies:\n  - pip:\n    - openai\n",
        "constraints.txt": "openai<1\n",
        "requirements.lock": "openai==0.28.1\n",
        "app.py": "import openai\n",
    }
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    rel = [Path(n) for n in files]
    assert dependency_files(tmp_path, rel) == [
        Path("Pipfile"),
        Path("pyproject.toml"),
        Path("requirements.txt"),
        Path("svc/setup.cfg"),
    ]
    assert unsupported_dependency_files(tmp_path, rel) == [
        Path("Pipfile.lock"),
        Path("constraints.txt"),
        Path("environment.yml"),
        Path("hashed-requirements.txt"),
        Path("poetry.lock"),
        Path("requirements-lock.txt"),
        Path("requirements.lock"),
        Path("setup.py"),
    ]
    assert Path("uv.lock") in unsupported_dependency_files(tmp_path, rel, mentioning=None)
    # the project's file list is `/`-separated strings: the same files come back, as paths
    assert dependency_files(tmp_path, list(files)) == dependency_files(tmp_path, rel)
    assert unsupported_dependency_files(tmp_path, list(files)) == (
        unsupported_dependency_files(tmp_path, rel)
    )
    assert dependency_file_kind("reqs/base.in") == dependency_file_kind(Path("reqs/base.in"))
    absolute = [tmp_path / "requirements.txt", tmp_path / "poetry.lock"]
    assert dependency_files(tmp_path, absolute) == [tmp_path / "requirements.txt"]
    assert dependency_file_hint(tmp_path, Path("poetry.lock")) == (
        "run `poetry lock` after updating pyproject.toml"
    )
    assert dependency_file_hint(tmp_path, Path("requirements-lock.txt")) == (
        "re-run pip-compile / `uv pip compile` on its .in file"
    )


def test_edit_dependency_file_dispatch() -> None:
    assert edit_dependency_file("requirements.txt", "openai<1\n", COMPAT).new_text == (
        "openai>=1.40\n"
    )
    assert edit_dependency_file("x/Pipfile", '[packages]\nopenai = "<1"\n', COMPAT).new_text == (
        '[packages]\nopenai = ">=1.40"\n'
    )
    assert edit_dependency_file("setup.py", "openai<1", COMPAT) == EditResult("openai<1", False, [])


def test_invalid_toml_raises_clear_error() -> None:
    with pytest.raises(DependencyFileError, match="^pyproject.toml is not valid TOML: "):
        edit_pyproject("[project\nname = 'x'\n", NATIVE)
    with pytest.raises(DependencyFileError, match="^Pipfile is not valid TOML: "):
        edit_pipfile("[packages]\nopenai = \n", NATIVE)


def test_setup_cfg_key_case_insensitive() -> None:
    text = "[options]\nInstall_Requires =\n    openai<1\n"
    assert (
        edit_setup_cfg(text, COMPAT).new_text == "[options]\nInstall_Requires =\n    openai>=1.40\n"
    )


@pytest.mark.parametrize(
    ("name", "kind"),
    [("pkg/SETUP.PY", "setup.py"), ("setup.py", "setup.py"), ("a/setup_helpers.py", None),
     ("requirements.py", None), ("uv.lock", "uv.lock"), ("x/constraints.txt", "constraints")],
)  # fmt: skip
def test_a_python_file_is_a_hand_edited_dependency_file_only_as_setup_py(
    tmp_path: Path, name: str, kind: str | None
) -> None:
    from migrator.deps_files import _unsupported_kind

    assert _unsupported_kind(tmp_path, name) == kind
    if name.endswith((".py", ".PY")):
        assert dependency_file_kind(name) is None
