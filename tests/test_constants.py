"""constants.py, and the cross-file migration it enables (migrate.py's second pass).

A call in one file whose model (or embeddings `dimensions=`) is a constant another file
of the run defines is migrated whole: the call gets what the provider's model needs,
and the constant is changed where it lives, even in a file with no openai usage at all.
"""

# ruff: noqa: E501 - expected outputs are real rewrites: a long call stays on one line

from __future__ import annotations

import ast
import pickle
import textwrap
from pathlib import Path, PurePosixPath

import pytest
from migrator.codemods.strategies import COMPAT

from migrator.class_defaults import DefaultValue, ProjectClass, module_classes
from migrator.constants import (
    Constant,
    ModuleIndex,
    _may_spell_setattr,
    absolute_module,
    imported_names,
    looked_up,
    module_constants,
    module_definitions,
    module_of,
    project_constants,
    project_definitions,
)
from migrator.discovery import discover
from migrator.mapping import load_registry
from migrator.migrate import MigrationReport, migrate
from migrator.options import RewriteOptions


@pytest.mark.parametrize(
    ("rel", "module"),
    [("app/config.py", "app.config"), ("app/__init__.py", "app"), ("main.py", "main")],
)
def test_module_of(rel: str, module: str) -> None:
    assert module_of(rel) == module


@pytest.mark.parametrize(
    ("importer", "written", "absolute"),
    [
        ("app/chat.py", "app.config", "app.config"),
        ("app/chat.py", ".config", "app.config"),
        ("app/chat.py", ".", "app"),
        ("app/sub/chat.py", "..config", "app.config"),
        ("app/__init__.py", ".config", "app.config"),
        ("app/sub/__init__.py", "..config", "app.config"),
    ],
)
def test_absolute_module(importer: str, written: str, absolute: str) -> None:
    assert absolute_module(importer, written) == absolute


def test_imported_names_reads_every_from_import_form() -> None:
    source = textwrap.dedent(
        """\
        from app.config import CHAT_MODEL, FAST_MODEL as FAST  # models
        from .settings import (
            EMBEDDING_MODEL,
            EMBEDDING_DIMENSIONS,
        )
        import app.other, app.extra as extra
        def f():
            from app import config
        """
    ).encode()
    assert imported_names("app/chat.py", source) == {
        "app.config.CHAT_MODEL",
        "app.config.FAST_MODEL",
        "app.settings.EMBEDDING_MODEL",
        "app.settings.EMBEDDING_DIMENSIONS",
        "app.config",
        "app.other",
        "app.extra",
    }


def test_module_index_prefers_the_path_from_the_root_then_a_unique_suffix() -> None:
    index = ModuleIndex(
        ["config.py", "src/app/config.py", "src/app/util.py", "tools/util.py", "README.md"]
    )
    assert index.file_of("config") == "config.py"
    assert index.file_of("app.config") == "src/app/config.py"
    assert index.file_of("src.app.config") == "src/app/config.py"
    assert index.file_of("util") is None  # two files end that way: neither is guessed
    assert index.file_of("app.util") == "src/app/util.py"
    assert index.file_of("missing") is None


def test_module_index_takes_the_first_of_two_files_of_one_name() -> None:
    """`app/llm.py` and `app/llm/__init__.py` are both `app.llm`: the first listed wins,
    and a package's `__init__` is found by the package's name."""
    index = ModuleIndex(["app/llm/__init__.py", "app/llm.py", "lib/app/llm/base.py"])
    assert index.file_of("app.llm") == "app/llm/__init__.py"
    assert ModuleIndex(["app/llm.py", "app/llm/__init__.py"]).file_of("app.llm") == "app/llm.py"
    assert index.file_of("llm.base") == "lib/app/llm/base.py"
    assert index.file_of("llm") is None  # two files end that way: neither is guessed


def test_an_index_of_the_names_looked_up_answers_as_the_whole_one() -> None:
    """A run indexes only the modules its files' imports can name (`looked_up`): for
    each of those, the narrow index gives what the whole one gives."""
    files = ["config.py", "src/app/config.py", "app/util.py", "tools/util.py", "lib/__init__.py",
             "lib/settings.py", "other/models.py", "other/chat.py"]  # fmt: skip
    imports = [{"app.config.CHAT_MODEL", "lib", "util.helper"}, {"lib.settings"}]
    whole, narrow = ModuleIndex(files), ModuleIndex(files, looked_up(imports))
    asked = [q for names in imports for name in names for q in (name, name.rpartition(".")[0])]
    assert [narrow.file_of(m) for m in asked] == [whole.file_of(m) for m in asked]
    assert narrow.file_of("app.config") == "src/app/config.py"
    assert whole.file_of("other.models") == "other/models.py"
    assert narrow.file_of("other.models") is None  # no import names it: not indexed


def test_module_constants_keeps_names_bound_once_to_a_str_or_int() -> None:
    source = textwrap.dedent(
        """\
        import os
        CHAT = "gpt-4o"
        SIZE: int = 1536
        FLAG = True
        RATE = 0.5
        TWICE = "gpt-4o"
        TWICE = "gpt-4o-mini"
        if os.getenv("BIG"):
            BRANCHED = "gpt-4o"
        else:
            BRANCHED = "gpt-4o-mini"
        try:
            GUARDED = "text-embedding-3-small"
        except ImportError:
            pass
        for LOOPED in ("a",):
            pass
        LOOPED = "gpt-4o"
        COMPUTED = os.getenv("M", "gpt-4o")

        def f():
            LOCAL = "gpt-4o"
        """
    ).encode()
    constants = module_constants("cfg.py", source)
    assert constants == {
        "CHAT": Constant("cfg.py", "CHAT", "gpt-4o", 2),
        "SIZE": Constant("cfg.py", "SIZE", 1536, 3),
        "GUARDED": Constant("cfg.py", "GUARDED", "text-embedding-3-small", 13),
    }


def test_module_constants_of_a_broken_file_is_empty() -> None:
    assert module_constants("bad.py", b"X = (\n") == {}


def test_project_constants_gives_each_importer_what_it_imports() -> None:
    config = b'MODEL = "gpt-4o"\nSIZE = 1536\nOTHER = "x"\n'
    chat = b"from app.config import MODEL\nfrom app.missing import THING\n"
    embed = b"from .config import MODEL, SIZE\n"
    reads: list[str] = []

    def read(rel: str) -> bytes | None:
        reads.append(rel)
        return config if rel == "app/config.py" else None

    index = ModuleIndex(["app/config.py", "app/chat.py", "app/embed.py"])
    tables = project_constants([("app/chat.py", chat), ("app/embed.py", embed)], index, read)
    assert tables == {
        "app/chat.py": {"app.config.MODEL": Constant("app/config.py", "MODEL", "gpt-4o", 1)},
        "app/embed.py": {
            "app.config.MODEL": Constant("app/config.py", "MODEL", "gpt-4o", 1),
            "app.config.SIZE": Constant("app/config.py", "SIZE", 1536, 2),
        },
    }
    assert reads == ["app/config.py"]  # each defining file is read (and parsed) once


CLASSES = textwrap.dedent(
    """\
    import os
    from dataclasses import dataclass, field
    from os import getenv

    from pydantic import BaseModel, Field
    from pydantic_settings import BaseSettings

    DEFAULT_URL = "https://api.openai.com/v1"


    @dataclass
    class Settings:
        base_url: str | None = field(default_factory=lambda: os.getenv("OPENAI_BASE_URL") or None)
        fallback: str = field(default="http://localhost:8000/v1")
        named = DEFAULT_URL
        relay: str = getenv("RELAY_URL", "https://relay.example.com/v1").rstrip("/")
        required: str
        loaded: str = load_url()

        def __post_init__(self) -> None:
            self.fallback = os.environ["FALLBACK_URL"]


    class Model(BaseModel):
        base_url: str = Field("https://api.moonshot.cn/v1", description="endpoint")
        key: str = Field(default=None)
        needed: str = Field(...)


    class FromEnv(BaseSettings):
        base_url: str = "https://api.openai.com/v1"


    def helper():
        class Inner:
            base_url = "https://ignored.example.com"


    class Twice:
        base_url = "https://api.openai.com/v1"


    if os.environ.get("LOCAL"):
        Twice = Model
    """
).encode()


def test_module_definitions_read_the_attribute_values_of_top_level_classes() -> None:
    classes = module_definitions("app/config.py", CLASSES).classes
    # Not Inner (not at the top level), nor Twice (bound again: it may be Model)
    assert sorted(classes) == ["FromEnv", "Model", "Settings"]
    settings = classes["Settings"]
    assert (settings.path, settings.line) == ("app/config.py", 12)
    assert settings.values_of("base_url") == (
        DefaultValue("env", "OPENAI_BASE_URL", "os.getenv('OPENAI_BASE_URL')"),
        DefaultValue("none", "", "None"),
    )
    # field(default=...), then what __post_init__ sets: both are values it can hold
    assert settings.values_of("fallback") == (
        DefaultValue("url", "http://localhost:8000/v1", "'http://localhost:8000/v1'"),
        DefaultValue("env", "FALLBACK_URL", "os.environ['FALLBACK_URL']"),
    )
    assert settings.values_of("named") == (
        DefaultValue("url", "https://api.openai.com/v1", "DEFAULT_URL"),
    )
    assert [(v.kind, v.value) for v in settings.values_of("relay") or ()] == [
        ("env", "RELAY_URL"),
        ("url", "https://relay.example.com/v1"),
    ]
    assert settings.values_of("required") == ()  # declared, no value
    assert settings.values_of("loaded") == (DefaultValue("unknown", "", "load_url()"),)
    assert settings.values_of("missing") is None
    model = classes["Model"]
    assert [(v.kind, v.value) for v in model.values_of("base_url") or ()] == [
        ("url", "https://api.moonshot.cn/v1")
    ]
    assert [v.kind for v in model.values_of("key") or ()] == ["none"]
    assert [v.kind for v in model.values_of("needed") or ()] == ["unknown"]  # `...`: required
    # A BaseSettings field is also read from the environment: its default is not all.
    assert [(v.kind, v.value) for v in classes["FromEnv"].values_of("base_url") or ()] == [
        ("url", "https://api.openai.com/v1"),
        ("unknown", "base_url"),
    ]


def test_project_definitions_give_the_classes_a_file_imports_and_pickle() -> None:
    config = b'class Settings:\n    base_url = "https://api.openai.com/v1"\n'
    llm = b"from app.config import Settings\n"
    whole = b"from app import config\n"
    reads: list[str] = []

    def read(rel: str) -> bytes | None:
        reads.append(rel)
        return config if rel == "app/config.py" else b"class Unused:\n    x = 1\n"

    index = ModuleIndex(["app/__init__.py", "app/config.py", "app/other.py", "app/llm.py"])
    todo = [("app/llm.py", llm), ("app/whole.py", whole), ("app/other.py", b"import json\n")]
    tables = project_definitions(todo, index, read)
    expected = ProjectClass(
        "app/config.py",
        "Settings",
        1,
        (
            (
                "base_url",
                (DefaultValue("url", "https://api.openai.com/v1", "'https://api.openai.com/v1'"),),
            ),
        ),
    )
    assert tables["app/llm.py"].classes == {"app.config.Settings": expected}
    assert tables["app/whole.py"].classes == {"app.config.Settings": expected}
    assert "app/other.py" not in tables  # it imports nothing of the project
    # Only the modules imported from are read: never app/other.py, each once.
    assert sorted(set(reads)) == ["app/__init__.py", "app/config.py"]
    assert reads.count("app/config.py") == 1
    # Sent to the workers as it is.
    assert pickle.loads(pickle.dumps(tables)) == tables


# -- the migration across files ------------------------------------------------------------


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def _migrate(root: Path, provider: str) -> MigrationReport:
    options = RewriteOptions(strategy=COMPAT, mapping=load_registry().get(provider))
    return migrate(discover(root), options, jobs=1)


def _new_text(report: MigrationReport, rel: str) -> str | None:
    for result in report.changed:
        if result.path == rel:
            assert result.new_source is not None
            return result.new_source.decode("utf-8")
    return None


def _write(report: MigrationReport) -> None:
    for result in report.changed:
        assert result.new_source is not None
        (report.root / result.path).write_bytes(result.new_source)


SETTINGS = """\
    \"\"\"No openai import here: just the names the app uses.\"\"\"

    CHAT_MODEL = "gpt-4o"
    EMBEDDING_MODEL = "text-embedding-3-small"
    EMBEDDING_DIMENSIONS = 1536
    PAGE_SIZE = 20
    """
EMBED = """\
    from openai import OpenAI

    from app.settings import EMBEDDING_DIMENSIONS, EMBEDDING_MODEL
    from .settings import CHAT_MODEL

    client = OpenAI()


    def embed(texts):
        return client.embeddings.create(
            model=EMBEDDING_MODEL, input=texts, dimensions=EMBEDDING_DIMENSIONS, encoding_format="float"
        )


    def answer(question):
        return client.chat.completions.create(model=CHAT_MODEL, messages=[{"role": "user", "content": question}])
    """


def test_constants_another_file_defines_are_changed_where_they_live(tmp_path: Path) -> None:
    root = _project(
        tmp_path, {"app/__init__.py": "", "app/settings.py": SETTINGS, "app/embed.py": EMBED}
    )
    report = _migrate(root, "glm")
    assert not report.errors
    assert _new_text(report, "app/settings.py") == textwrap.dedent(
        """\
        \"\"\"No openai import here: just the names the app uses.\"\"\"

        CHAT_MODEL = "glm-4-plus"
        EMBEDDING_MODEL = "embedding-3"
        EMBEDDING_DIMENSIONS = 1024
        PAGE_SIZE = 20
        """
    )
    embed = _new_text(report, "app/embed.py")
    assert embed is not None
    assert (
        'model=EMBEDDING_MODEL, input=texts, dimensions=EMBEDDING_DIMENSIONS, encoding_format="float"'
        in embed
    )
    assert "model=CHAT_MODEL," in embed  # the call keeps the name; the value changed
    found = {(f.path, f.id, f.severity) for f in report.findings}
    assert not any(rule == "MIG201" for _, rule, _ in found)  # the values are known
    assert ("app/settings.py", "MIG203", "info") in found  # why the size changed, there
    size_note = [f for f in report.findings if f.id == "MIG203" and f.path == "app/embed.py"]
    assert [f.message.split("; ", 1)[1] for f in size_note] == [
        "dimensions 1536 → 1024 (embedding-3 takes 256, 512, 1024, 2048): resize the vector store"
    ]
    # Migrated, the project is stable: a second run changes nothing.
    _write(report)
    again = _migrate(root, "glm")
    assert again.changed == [] and not again.errors


def test_a_size_the_provider_takes_is_kept(tmp_path: Path) -> None:
    root = _project(
        tmp_path, {"app/__init__.py": "", "app/settings.py": SETTINGS, "app/embed.py": EMBED}
    )
    report = _migrate(root, "qwen")  # text-embedding-v4 takes 1536
    settings = _new_text(report, "app/settings.py")
    assert settings is not None
    assert 'EMBEDDING_MODEL = "text-embedding-v4"' in settings
    assert "EMBEDDING_DIMENSIONS = 1536" in settings


def test_a_fixed_size_model_drops_dimensions_and_the_constant_states_its_size(
    tmp_path: Path,
) -> None:
    root = _project(
        tmp_path, {"app/__init__.py": "", "app/settings.py": SETTINGS, "app/embed.py": EMBED}
    )
    report = _migrate(root, "siliconflow")  # BAAI/bge-m3: 1024, no dimensions= keyword
    settings = _new_text(report, "app/settings.py")
    embed = _new_text(report, "app/embed.py")
    assert settings is not None and embed is not None
    assert "EMBEDDING_DIMENSIONS = 1024" in settings
    assert "dimensions=" not in embed
    (note,) = [f.message for f in report.findings if f.id == "MIG203" and f.path == "app/embed.py"]
    assert note.endswith(
        "vectors have 1024 dimensions (text-embedding-3-small gave 1536): resize the vector store; "
        "EMBEDDING_DIMENSIONS 1536 → 1024"
    )
    _write(report)
    assert _migrate(root, "siliconflow").changed == []


def test_a_gateway_passes_models_through_and_asks_for_nothing(tmp_path: Path) -> None:
    root = _project(
        tmp_path, {"app/__init__.py": "", "app/settings.py": SETTINGS, "app/embed.py": EMBED}
    )
    report = _migrate(root, "gateway")
    assert _new_text(report, "app/settings.py") is None
    assert not any(r.requests for r in report.results)


@pytest.mark.parametrize(
    ("import_line", "expr"),
    [
        ("from app import settings", "settings.CHAT_MODEL"),
        ("import app.settings as cfg", "cfg.CHAT_MODEL"),
        ("import app.settings", "app.settings.CHAT_MODEL"),
    ],
)
def test_a_constant_used_through_a_module_attribute(
    tmp_path: Path, import_line: str, expr: str
) -> None:
    root = _project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/settings.py": SETTINGS,
            "app/chat.py": """\
                from openai import OpenAI

                from app import settings

                client = OpenAI()
                client.chat.completions.create(model=settings.CHAT_MODEL, messages=[])
                """,
        },
    )
    report = _migrate(root, "deepseek")
    settings = _new_text(report, "app/settings.py")
    assert settings is not None and 'CHAT_MODEL = "deepseek-v4-pro"' in settings
    assert not [f for f in report.findings if f.id == "MIG201"]


def test_an_unknown_import_is_still_reported_as_not_a_literal(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "chat.py": """\
                from openai import OpenAI
                from vendor_settings import MODEL

                OpenAI().chat.completions.create(model=MODEL, messages=[])
                """,
        },
    )
    report = _migrate(root, "deepseek")
    assert [f.message for f in report.findings if f.id == "MIG201"] == [
        "model for chat.completions.create is not a literal (imported: vendor_settings.MODEL): "
        "make sure it names a model that DeepSeek serves"
    ]


def test_a_chain_of_requests_settles(tmp_path: Path) -> None:
    """settings.py re-exports from defaults.py: the request goes on to the defining file."""
    root = _project(
        tmp_path,
        {
            "defaults.py": 'MODEL = "gpt-4o-mini"\n',
            "settings.py": "from defaults import MODEL\n",
            "chat.py": """\
                from openai import OpenAI
                from settings import MODEL

                OpenAI().chat.completions.create(model=MODEL, messages=[])
                """,
        },
    )
    report = _migrate(root, "deepseek")
    # A re-export is not a constant: the call's model stays unknown, and is said to be.
    assert _new_text(report, "defaults.py") is None
    assert [f.id for f in report.findings if f.path == "chat.py"].count("MIG201") == 1


def test_a_constant_its_own_file_also_tests_is_left_and_reported(tmp_path: Path) -> None:
    """Mapping CHAT_MODEL where it is defined would flip the test next to it."""
    settings = """\
        CHAT_MODEL = "gpt-4o"
        VISION = CHAT_MODEL.startswith("gpt-4o")
        """
    root = _project(
        tmp_path, {"app/__init__.py": "", "app/settings.py": settings, "app/embed.py": EMBED}
    )
    report = _migrate(root, "qwen")
    assert _new_text(report, "app/settings.py") is None
    found = [(f.path, f.id, f.line) for f in report.findings if f.path == "app/settings.py"]
    assert found == [("app/settings.py", "MIG206", 1), ("app/settings.py", "MIG206", 2)]
    kept = [f.message for f in report.findings if f.path == "app/settings.py"][0]
    assert kept.startswith(
        "model 'gpt-4o' (the model of chat.completions.create at app/embed.py:16) "
        "also drives a test at line 2"
    )


def test_a_constant_the_requesting_file_tests_is_not_asked_for(tmp_path: Path) -> None:
    """The call's own file compares the imported model: changing it would flip that."""
    settings = 'CHAT_MODEL = "gpt-4o"\n'
    chat = """\
        from openai import OpenAI

        from app.settings import CHAT_MODEL

        client = OpenAI()


        def answer(question):
            if CHAT_MODEL == "gpt-4o":
                question = question.strip()
            return client.chat.completions.create(model=CHAT_MODEL, messages=[])
        """
    root = _project(
        tmp_path, {"app/__init__.py": "", "app/settings.py": settings, "app/chat.py": chat}
    )
    report = _migrate(root, "qwen")
    assert _new_text(report, "app/settings.py") is None
    assert not any(r.requests for r in report.results)
    found = [(f.path, f.id, f.line) for f in report.findings if f.id.startswith("MIG2")]
    assert found == [("app/chat.py", "MIG206", 9), ("app/chat.py", "MIG206", 11)]


# -- the statement-only read of methods ------------------------------------------------------

_REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("source", "may"),
    [
        ("x = 1\n", False),
        ("object.__setattr__(self, 'a', 1)\n", True),
        ("# __setattr__ in a comment counts: the search is of the text\n", True),
        ("s = 'caf\u00e9'\n", False),  # non-ASCII, but nothing normalizes to the name
        ("object.__\uff53etattr__(self, 'a', 1)\n", True),  # fullwidth s: NFKC gives s
        ("# -*- coding: latin-1 -*-\ns = '\u00e9'\n", False),
    ],
)
def test_may_spell_setattr_searches_the_text_python_reads(source: str, may: bool) -> None:
    encoding = "latin-1" if "latin-1" in source else "utf-8"
    assert _may_spell_setattr(source.encode(encoding)) is may


def test_reading_statements_only_finds_what_the_full_walk_finds() -> None:
    # Where the source cannot call __setattr__, the methods' statements alone give the
    # same classes, values and order as ast.walk over every node, on every file we have.
    compared = 0
    for path in sorted(_REPO.glob("*/**/*.py")):
        data = path.read_bytes()
        if _may_spell_setattr(data):
            continue
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError):
            continue
        if not any(isinstance(node, ast.ClassDef) for node in tree.body):
            continue
        full = module_classes("m.py", tree, {}, setattr_calls=True)
        assert module_classes("m.py", tree, {}, setattr_calls=False) == full, path
        compared += 1
    assert compared > 100


def test_a_setattr_call_in_a_method_is_read() -> None:
    source = textwrap.dedent(
        """\
        class Settings:
            def __init__(self):
                if True:
                    object.__setattr__(self, "base_url", "https://api.example.com/v1")
        """
    ).encode()
    assert _may_spell_setattr(source)
    classes = module_definitions("m.py", source).classes
    assert classes["Settings"].values_of("base_url") == (
        DefaultValue("url", "https://api.example.com/v1", "'https://api.example.com/v1'"),
    )


def _module_by_pathlib(rel: str) -> str:
    parts = list(PurePosixPath(rel).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def test_module_of_names_a_path_as_pathlib_would() -> None:
    # module_of does string work (it names every file of the tree); the names must be
    # those PurePosixPath's parts give, for every file of the repository and odd shapes.
    odd = ["a/b.c.py", "a/.hidden", "a/b.", "a/b..py", ".x.py", "a/./b.py", "a//b.py",
           "a/b/", "..py", "a/...py", "é/ü.py", "a b/c d.py", "a/__init__", "a/.", "./a.py",
           "a/__init__.pyi", "x"]  # fmt: skip
    files = [
        p.relative_to(_REPO).as_posix()
        for p in _REPO.rglob("*")
        if ".git" not in p.parts and p.is_file()
    ]
    assert len(files) > 500  # a clean checkout holds some 870
    for rel in [*odd, *files]:
        assert module_of(rel) == _module_by_pathlib(rel), rel
