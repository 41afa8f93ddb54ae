"""Constants one file of the run imports from another: the values behind `model=CHAT_MODEL`.

Each worker sees one file. A call in app/embeddings.py that sends
`model=EMBEDDING_MODEL, dimensions=EMBEDDING_DIMENSIONS`, both imported from
app/config.py, can only be migrated whole (extra_body, vector size, no false "not a
literal" finding) when its worker knows those values. So, before the workers start,
the parent reads the module-level constants of exactly the project modules that the
files to migrate import names from. It uses the standard `ast` module (several times
faster than libcst, and nothing here is rewritten) and only on those modules.

The same read gives the attribute defaults of those modules' top-level classes
(`ProjectClass`): `OpenAI(base_url=settings.base_url)` with `settings = Settings()` and
`Settings` imported can then be shown to read OPENAI_BASE_URL (see class_defaults.py).

The other direction: a worker that decides such a constant must change (the model id
a provider serves, a vector size the provider accepts) cannot edit app/config.py. It
returns a `ConstantEdit` request instead; `migrate` runs the defining file again with
the requests it received (see migrate.py), so the edit lands where the value lives.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field

from migrator.class_defaults import ProjectClass, module_classes

ConstantValue = str | int


@dataclass(frozen=True)
class Constant:
    """`NAME = <str or int literal>`, assigned once at the top level of `path`."""

    path: str  # relative path of the defining file
    name: str
    value: ConstantValue
    line: int


@dataclass(frozen=True)
class ConstantEdit:
    """A worker's request to change a constant that another file of the run defines."""

    path: str
    name: str
    old: ConstantValue
    new: ConstantValue
    reason: str  # why, naming the requesting site ("model of embeddings.create at a.py:12")


# `from MODULE import a, b as c` and `from MODULE import (a,\n b)`; names are read loosely
# (a stray match only costs a lookup that finds nothing).
_FROM_IMPORT = re.compile(
    rb"^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]*(\([^)]*\)|[^\r\n]*)", re.MULTILINE
)
_IMPORT = re.compile(rb"^[ \t]*import[ \t]+([\w., \t]+)", re.MULTILINE)
_NAME = re.compile(r"[A-Za-z_]\w*")


def module_of(rel: str) -> str:
    """`app/config.py` -> `app.config`; `app/__init__.py` -> `app`.

    `rel` is a relative `/`-separated path as discovery gives it; the name loses its
    last suffix as `PurePosixPath.with_suffix("")` would drop it. Plain string work: the
    module index names every file of the tree with it (100,000 on a large monorepo)."""
    folder, _, name = rel.rpartition("/")
    if name == ".":
        name = ""  # `a/.` is `a`
    dot = name.rfind(".")
    if 0 < dot < len(name) - 1:
        name = name[:dot]
    parts = [part for part in folder.split("/") if part and part != "."] if folder else []
    if name:
        parts.append(name)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def absolute_module(importer: str, module: str) -> str:
    """The dotted module an import in file `importer` names; resolves `.x` and `..x`."""
    dots = len(module) - len(module.lstrip("."))
    if not dots:
        return module
    package = module_of(importer).split(".") if module_of(importer) else []
    if not importer.endswith("__init__.py"):
        package = package[:-1]  # a module's package is its folder
    package = package[: len(package) - (dots - 1)] if dots > 1 else package
    rest = module[dots:]
    return ".".join([*package, rest] if rest else package)


def imported_names(importer: str, data: bytes) -> set[str]:
    """Qualified names a file imports: `app.config.CHAT_MODEL` (`from app.config import
    CHAT_MODEL`), and modules whose attributes it may read (`from app import config`,
    `import app.config as cfg` give `app.config`)."""
    found: set[str] = set()
    for match in _IMPORT.finditer(data):
        for part in match.group(1).decode("ascii", "replace").split(","):
            if part.split():  # `import a.b as c`: the module is the first word
                found.add(part.split()[0])
    for match in _FROM_IMPORT.finditer(data):
        module = absolute_module(importer, match.group(1).decode("ascii", "replace"))
        names = match.group(2).decode("utf-8", "replace").split("#", 1)[0]
        for part in names.strip("()").split(","):
            name = _NAME.match(part.strip())
            if name and module:
                found.add(f"{module}.{name.group(0)}")
    return found


def looked_up(imports: Iterable[set[str]]) -> set[str]:
    """The last parts of the modules `project_definitions` asks the index about, for
    files importing `imports` (`imported_names` of each): each name, and its module."""
    lasts: set[str] = set()
    for names in imports:
        for qualified in names:
            module, _, name = qualified.rpartition(".")
            lasts.add(name)
            lasts.add(module.rpartition(".")[2])
    return lasts


class ModuleIndex:
    """Which project file a dotted module name means.

    `app.config` is `app/config.py` or `app/config/__init__.py` from the root; failing
    that, a unique file whose path ends that way (`src/app/config.py` in a src layout)."""

    def __init__(self, files: Iterable[str], lasts: Collection[str] | None = None) -> None:
        # last part of the dotted name -> its file, or the files (in the given order) when
        # several share it: one entry per file. Not a table of dotted names (on 100,000
        # files, that and a table of (name, file) pairs held 36 MB), and not one of every
        # suffix of every name (40 MB on 30,000 files); the few candidates of a lookup
        # are named again when asked. With `lasts`, only modules whose last part is one of
        # them: a run asks about the names its files import, and on 100,000 files the
        # whole index held 10 MB for some 1,500 entries asked about.
        self._by_last: dict[str, str | list[str]] = {}
        for rel in files:
            if not rel.endswith(".py"):
                continue
            dotted = module_of(rel)
            if not dotted:
                continue
            last = dotted.rpartition(".")[2]
            if lasts is not None and last not in lasts:
                continue
            found = self._by_last.get(last)
            if found is None:
                self._by_last[last] = rel
            elif isinstance(found, str):
                self._by_last[last] = [found, rel]
            else:
                found.append(rel)

    def file_of(self, module: str) -> str | None:
        """The file `module` names (None: none, or no one file). An index built with
        `lasts` answers only for modules whose last part is among them."""
        found = self._by_last.get(module.rpartition(".")[2])
        if found is None:
            return None
        named = [(module_of(rel), rel) for rel in ([found] if isinstance(found, str) else found)]
        exact = next((rel for dotted, rel in named if dotted == module), None)
        if exact is not None:
            return exact  # the first file of that name, as the files were given
        tail = "." + module
        candidates = {rel for dotted, rel in named if dotted.endswith(tail)}
        return candidates.pop() if len(candidates) == 1 else None


def module_constants(rel: str, data: bytes) -> dict[str, Constant]:
    """Top-level names bound exactly once, to a str or int literal."""
    return module_definitions(rel, data).constants


@dataclass(frozen=True)
class ModuleDefinitions:
    """What the pre-pass reads from one project module."""

    constants: dict[str, Constant]
    classes: dict[str, ProjectClass]


def module_definitions(rel: str, data: bytes) -> ModuleDefinitions:
    """The module's constants (see module_constants) and top-level classes, from one parse."""
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return ModuleDefinitions({}, {})  # the worker reports the file; here it defines nothing
    constants, bound = _constants_of(rel, tree)
    strings = {name: c.value for name, c in constants.items() if isinstance(c.value, str)}
    classes = module_classes(rel, tree, strings, setattr_calls=_may_spell_setattr(data))
    # A class name bound again (`Settings = OtherSettings`) may name either class.
    return ModuleDefinitions(constants, {n: c for n, c in classes.items() if bound[n] == 1})


def _may_spell_setattr(data: bytes) -> bool:
    """Whether the module may name `__setattr__`. Python reads identifiers NFKC-normalized,
    so a non-ASCII text is searched normalized, decoded as Python decodes it."""
    if data.isascii():
        return b"__setattr__" in data
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return True
    return "__setattr__" in unicodedata.normalize("NFKC", text)


def _constants_of(rel: str, tree: ast.Module) -> tuple[dict[str, Constant], Counter[str]]:
    """The constants, and how many times each top-level name is bound."""
    bound: Counter[str] = Counter()
    simple: dict[str, Constant] = {}
    statements = list(tree.body)
    while statements:
        node = statements.pop()
        if isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
            # Module-level branches: a name bound there may take either value.
            for body in ("body", "orelse", "finalbody", "handlers"):
                statements.extend(getattr(node, body, []))
            if isinstance(node, ast.For):
                bound.update(_target_names(node.target))
            continue
        if isinstance(node, ast.ExceptHandler):
            statements.extend(node.body)
            continue
        bound.update(_bound_names(node))
        value = _simple_value(node)
        if value is not None:
            name, literal = value
            simple[name] = Constant(rel, name, literal, node.lineno)
    return {name: c for name, c in simple.items() if bound[name] == 1}, bound


def _simple_value(node: ast.stmt) -> tuple[str, ConstantValue] | None:
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target, value = node.targets[0], node.value
    elif isinstance(node, ast.AnnAssign) and node.value is not None and node.simple:
        target, value = node.target, node.value
    else:
        return None
    if not isinstance(target, ast.Name) or not isinstance(value, ast.Constant):
        return None
    literal = value.value
    if isinstance(literal, bool) or not isinstance(literal, (str, int)):
        return None
    return target.id, literal


def _bound_names(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.Assign):
        return [name for target in node.targets for name in _target_names(target)]
    if isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        return _target_names(node.target)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [(a.asname or a.name).split(".")[0] for a in node.names]
    return []


def _target_names(target: ast.expr) -> list[str]:
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]


@dataclass
class ImportedDefinitions:
    """What one file to migrate imports from the project, by qualified name
    (`app.config.CHAT_MODEL`, `app.config.Settings`)."""

    constants: dict[str, Constant] = field(default_factory=dict)
    classes: dict[str, ProjectClass] = field(default_factory=dict)


def project_constants(
    todo: Sequence[tuple[str, bytes]], index: ModuleIndex, read: Callable[[str], bytes | None]
) -> dict[str, dict[str, Constant]]:
    """For each file to migrate, the project constants it imports, by qualified name."""
    tables = project_definitions(todo, index, read)
    return {rel: found.constants for rel, found in tables.items() if found.constants}


def project_definitions(
    todo: Sequence[tuple[str, bytes]],
    index: ModuleIndex,
    read: Callable[[str], bytes | None],
    definitions: Callable[[str, bytes], ModuleDefinitions] = module_definitions,
    imports: Callable[[str, bytes], set[str]] = imported_names,
) -> dict[str, ImportedDefinitions]:
    """For each file to migrate, the project constants and classes it imports.

    `read(rel)` gives a defining file's bytes (None when it cannot be read); each
    defining file is read and parsed once (by `definitions`: module_definitions, or the
    result cache's copy of it). `imports` is `imported_names`, or what the caller kept of
    it. Files that import neither are left out."""
    parsed: dict[str, ModuleDefinitions] = {}
    nothing = ModuleDefinitions({}, {})

    def definitions_of(rel: str | None) -> ModuleDefinitions:
        if rel is None:
            return nothing
        if rel not in parsed:
            source = read(rel)
            parsed[rel] = definitions(rel, source) if source is not None else nothing
        return parsed[rel]

    tables: dict[str, ImportedDefinitions] = {}
    for importer, data in todo:
        table = ImportedDefinitions()
        # Sorted: the tables' order must not depend on the string hash seed (result cache keys)
        for qualified in sorted(imports(importer, data)):
            module, _, name = qualified.rpartition(".")
            defined = definitions_of(index.file_of(module))
            if name in defined.constants:
                table.constants[qualified] = defined.constants[name]
            if name in defined.classes:
                table.classes[qualified] = defined.classes[name]
            # A module imported whole: its constants and classes are read as attributes.
            whole = definitions_of(index.file_of(qualified))
            for attr, constant in whole.constants.items():
                table.constants[f"{qualified}.{attr}"] = constant
            for attr, cls in whole.classes.items():
                table.classes[f"{qualified}.{attr}"] = cls
        if table.constants or table.classes:
            tables[importer] = table
    return tables
