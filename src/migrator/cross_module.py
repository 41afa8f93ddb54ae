"""Facts one file's worker sends to the files of the run that import from it.

Constants travel the other way (constants.py: the importer asks the defining file for an
edit). Here the defining file knows something its importers need:

- `ReturnedResponse`: `def ask(...): return client.chat.completions.create(...)` in
  app/llm.py returns a response of the provider's SDK. A caller in app/report.py reading
  `ask(q).usage.prompt_tokens` must read the SDK's field names, and only app/llm.py's
  worker can tell that the response is the SDK's (its client became the SDK's).
- `ImportedClient`: `client = OpenAI()` in app/llm.py became the SDK's client (or stayed
  on the openai SDK, and why). A file doing `from app.llm import client` must shape its
  calls' parameters and responses for what the client really is.
- `WrittenConstant`: the constant app/config.py was asked to change now holds this value
  (it may also have refused: a test there reads it).

Before the workers start, `project_importers` finds, for each file to migrate, which
files of the project import which of its names (a cheap bytes scan, the same reading of
imports as the constants pre-pass). A worker sends its facts as requests to those
files; `migrate_run._apply_requests` runs each such file again with the facts it received.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from migrator.constants import ModuleIndex, imported_names, module_of

# Under this key of an importers table: the files that import the module whole
# (`import app.llm`, `from app import llm`), so they may read any of its names.
WHOLE_MODULE = ""


@dataclass(frozen=True)
class ReturnedResponse:
    """`module.function(...)` returns a response of the SDK (a stream when `stream`)."""

    path: str  # the importing file this is sent to
    module: str  # dotted module defining the function: "app.llm"
    function: str  # its name at the module's top level
    family: str  # "chat" or "embeddings"
    stream: bool
    origin: str  # where the SDK call is: "app/llm.py:12"


@dataclass(frozen=True)
class ImportedClient:
    """`module.name` is a client built at the top level of `module`: `native` says whether
    it became the SDK's client; `why` says why not."""

    path: str
    module: str
    name: str
    native: bool
    why: str
    origin: str


@dataclass(frozen=True)
class WrittenConstant:
    """`module.name`, a constant an importer asked to change (constants.ConstantEdit), now
    holds `value`: the importer's calls can rely on what was written (strategy litellm: a
    model id that carries its route's prefix needs no custom_llm_provider=)."""

    path: str
    module: str
    name: str
    value: str


Notice = ReturnedResponse | ImportedClient | WrittenConstant


def notice_key(notice: Notice) -> tuple[str, ...]:
    """A stable order for the notices a file receives (the request rounds compare them)."""
    return (type(notice).__name__, *(str(v) for v in vars(notice).values()))


def defining_lasts(todo: Iterable[str]) -> set[str]:
    """The last parts of the modules `project_importers` finds importers of (`llm` for
    app/llm.py): an index of the modules of those last parts is all it needs."""
    return {module_of(rel).rpartition(".")[2] for rel in todo if module_of(rel)}


def project_importers(
    todo: Sequence[str],
    files: Iterable[str],
    index: ModuleIndex,
    read: Callable[[str], bytes | None],
) -> dict[str, dict[str, tuple[str, ...]]]:
    """For each file of `todo`, the other project files importing its names: name ->
    importing files (WHOLE_MODULE: those importing the module itself).

    Only files whose bytes name one of the modules' last parts are parsed for imports
    (`llm` for app/llm.py): most files of a project import none of them."""
    wanted = {module_of(rel): rel for rel in todo if module_of(rel)}
    if not wanted:
        return {}
    defining_files = set(wanted.values())
    tails = {module.rsplit(".", 1)[-1].encode() for module in wanted}
    found: dict[str, dict[str, set[str]]] = {}
    for importer in files:
        if not importer.endswith(".py"):
            continue
        data = read(importer)
        if data is None or b"import" not in data or not any(t in data for t in tails):
            continue
        for qualified in sorted(imported_names(importer, data)):  # (hash-seed independent)
            whole = index.file_of(qualified)
            if whole in defining_files and whole != importer:
                found.setdefault(whole, {}).setdefault(WHOLE_MODULE, set()).add(importer)
                continue
            module, _, name = qualified.rpartition(".")
            defining = index.file_of(module) if module else None
            if defining in defining_files and defining != importer:
                found.setdefault(defining, {}).setdefault(name, set()).add(importer)
    return {
        rel: {name: tuple(sorted(paths)) for name, paths in names.items()}
        for rel, names in found.items()
    }


def importers_of(importers: dict[str, tuple[str, ...]], name: str) -> tuple[str, ...]:
    """The files that may read `name` of the module whose table `importers` is."""
    return tuple(sorted({*importers.get(name, ()), *importers.get(WHOLE_MODULE, ())}))


def same_module(defining: str, imported: str) -> bool:
    """Is `imported` (as an import names it) the module a file's path names (`defining`)?
    In a src layout src/app/llm.py is imported as `app.llm` (constants.ModuleIndex)."""
    return defining == imported or defining.endswith(f".{imported}")


def told_about(notices: Iterable[object], qualified: str) -> ImportedClient | None:
    """What the module that builds `qualified` (a client another file imports, as
    `package.module.name`) said about it, among a run's notices."""
    module, _, name = qualified.rpartition(".")
    for notice in notices:
        if (
            isinstance(notice, ImportedClient)
            and notice.name == name
            and same_module(notice.module, module)
        ):
            return notice
    return None
