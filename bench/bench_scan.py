"""Scan and diff throughput on a synthetic repository.

Generates a deterministic (seeded) repository of realistic Python modules, 3-8 KB each,
about 1% of which use the openai SDK in varied ways (v1 and v0 APIs, async clients,
embeddings, Azure, bare model constants, OPENAI_* env reads, exceptions). Each top-level
package (400 modules) also has a settings.py holding the model ids, vector size and
limits; 40% of the openai-using modules import those from it (absolute, relative,
module-attribute and `import ... as` imports), and every openai-using module imports 0-3
other modules of its package. Other modules are the same as before settings existed.
It then measures in one run:

  scan       migrator.scan.scan(discover(root)): the real `migrator scan`, with --jobs
             worker processes (default: all CPUs), discovery included
  diff       discover + migrator.migrate.migrate() for --provider (default deepseek) +
             rendering the diffs: the real `migrator diff`, --jobs workers; also timed
             by part inside that run (select, ModuleIndex, project_constants, each worker
             round: the first over all prefiltered files, then the files defining
             constants other files asked to change)
  prepass    the parent's serial work before the diff's workers start, alone, in this
             process: runner.select (read + prefilter every file) + ModuleIndex +
             constants.project_constants
  constants  the part of prepass a scan does not do: ModuleIndex + project_constants
  prefilter  migrator.prefilter.has_trigger over every file's bytes (already in memory)
  parse      libcst.parse_module over every file, in this single process (no pool):
             what scanning would cost without the prefilter

Every stage's files/s and MB/s are over the whole repository, so they compare directly.

    python bench/bench_scan.py                 # 10,000 modules in a temp dir, removed after
    python bench/bench_scan.py --files 2000 --jobs 1 --keep --skip-parse --skip-diff

Prints a table and one JSON line (prefixed `BENCH `). MB means 10^6 bytes.
"""

from __future__ import annotations

import argparse
import json
import keyword
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import libcst
from migrator.codemods.strategies import strategy_named

import migrator.constants as constants_mod
import migrator.migrate as migrate_mod
import migrator.migrate_run as migrate_run
from migrator.constants import ModuleIndex, project_constants
from migrator.discovery import Target, discover
from migrator.mapping import Mapping, MappingError, load_registry
from migrator.migrate import MigrationReport
from migrator.options import RewriteOptions
from migrator.prefilter import has_trigger
from migrator.runner import default_jobs, select
from migrator.scan import ScanReport, scan

T = TypeVar("T")

# --------------------------------------------------------------------------- generation

WORDS = (
    "account address amount audit batch billing bucket cache cart catalog channel charge "
    "checkout client cluster config contract coupon customer cursor dataset delivery "
    "device discount document draft entry event export feature filter gateway group "
    "handler header history import index inventory invoice item job ledger limit "
    "listing loader locale message metric module node note notice order owner package "
    "page partner payload payment plan policy price product profile quota rate record "
    "refund region report request result review route rule schedule schema segment "
    "session shipment signal snapshot source stock store stream subscription summary "
    "supplier table task tenant ticket token total trace transfer user vendor version "
    "warehouse webhook window worker"
).split()
VERBS = (
    "build check collect compute convert create decode delete encode ensure export fetch "
    "filter find flush format load merge normalize parse prepare publish read refresh "
    "render reset resolve retry save scan select send split store sync update validate "
    "write"
).split()
STDLIB_IMPORTS = (
    "import os", "import re", "import sys", "import json", "import time", "import logging",
    "import hashlib", "import itertools", "import functools", "import csv", "import uuid",
    "import datetime as dt", "import decimal", "import threading", "import sqlite3",
    "from pathlib import Path", "from collections import defaultdict, Counter",
    "from dataclasses import dataclass, field", "from typing import Any, Iterable, Optional",
    "from enum import Enum", "from contextlib import contextmanager",
    "from urllib.parse import urlencode, urljoin", "from functools import lru_cache",
)  # fmt: skip
TYPES = ("int", "str", "float", "bool", "dict[str, Any]", "list[str]", "Optional[str]", "bytes")


def _name(rng: random.Random, parts: int = 2) -> str:
    name = "_".join(rng.choice(WORDS) for _ in range(parts))
    return name + "_" if keyword.iskeyword(name) else name


def _camel(rng: random.Random) -> str:
    return "".join(w.capitalize() for w in (rng.choice(WORDS), rng.choice(WORDS)))


def _sentence(rng: random.Random, lo: int = 6, hi: int = 16) -> str:
    words = [rng.choice(WORDS + VERBS) for _ in range(rng.randint(lo, hi))]
    return " ".join(words).capitalize() + "."


def _docstring(rng: random.Random, indent: str) -> str:
    if rng.random() < 0.5:
        return f'{indent}"""{_sentence(rng, 4, 10)}"""\n'
    body = "\n".join(f"{indent}{_sentence(rng)}" for _ in range(rng.randint(1, 3)))
    args = "\n".join(
        f"{indent}    {_name(rng, 1)}: {_sentence(rng, 3, 8)}" for _ in range(rng.randint(1, 3))
    )
    return f'{indent}"""{_sentence(rng, 4, 10)}\n\n{body}\n\n{indent}Args:\n{args}\n{indent}"""\n'


def _literal(rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return str(rng.randint(0, 10_000))
    if kind == 1:
        return repr(f"{rng.choice(WORDS)}-{rng.choice(WORDS)}")
    if kind == 2:
        return f"{rng.random() * 100:.2f}"
    if kind == 3:
        return repr(tuple(rng.sample(WORDS, rng.randint(2, 4))))
    if kind == 4:
        return rng.choice(("None", "True", "False"))
    return f"[{', '.join(str(rng.randint(1, 99)) for _ in range(rng.randint(2, 6)))}]"


def _statement(rng: random.Random, indent: str, names: list[str]) -> str:
    a, b = rng.choice(names), rng.choice(names)
    target = _name(rng, 1)
    names.append(target)
    kind = rng.randrange(10)
    if kind == 0:
        return f"{indent}{target} = [{a}.{rng.choice(VERBS)}() for {a} in {b} if {a}]\n"
    if kind == 1:
        return (
            f"{indent}for {target} in {a}:\n{indent}    if not {target}:\n"
            f"{indent}        continue\n{indent}    {b}.append({target})\n"
        )
    if kind == 2:
        return (
            f"{indent}try:\n{indent}    {target} = {a}[{_literal(rng)}]\n"
            f"{indent}except (KeyError, IndexError) as exc:\n"
            f'{indent}    logger.debug("missing %s: %s", {repr(a)}, exc)\n'
            f"{indent}    {target} = None\n"
        )
    if kind == 3:
        return f'{indent}{target} = f"{{{a}}}/{rng.choice(WORDS)}/{{{b}!r}}"\n'
    if kind == 4:
        return (
            f'{indent}{target} = {{\n{indent}    "{rng.choice(WORDS)}": {a},\n'
            f'{indent}    "{rng.choice(WORDS)}": {_literal(rng)},\n'
            f'{indent}    "{rng.choice(WORDS)}": sorted({b}),\n{indent}}}\n'
        )
    if kind == 5:
        return (
            f"{indent}if {a} is None or len({b}) > {rng.randint(2, 500)}:\n"
            f'{indent}    raise ValueError(f"bad {rng.choice(WORDS)}: {{{a}!r}}")\n'
        )
    if kind == 6:
        return f"{indent}{target} = {a} * {rng.randint(2, 9)} + {b} // {rng.randint(2, 9)}\n"
    if kind == 7:
        return (
            f'{indent}with open({a}, encoding="utf-8") as fh:\n'
            f"{indent}    {target} = [line.strip() for line in fh if line.strip()]\n"
        )
    if kind == 8:
        comment = f"{indent}# {_sentence(rng, 5, 12)}\n"
        return f"{comment}{indent}{target} = {a}.get({b!r}, {_literal(rng)})\n"
    return f'{indent}logger.info("{rng.choice(VERBS)} %s", {a})\n'


def _function(rng: random.Random, indent: str = "", method: bool = False) -> str:
    params = [_name(rng, 1) for _ in range(rng.randint(1, 4))]
    params = list(dict.fromkeys(params))
    defaults_from = rng.randint(0, len(params))  # defaults only on trailing parameters
    sig = ", ".join(
        f"{p}: {rng.choice(TYPES)}" + (f" = {_literal(rng)}" if k >= defaults_from else "")
        for k, p in enumerate(params)
    )
    if method:
        sig = "self, " + sig
    head = f"{indent}def {rng.choice(VERBS)}_{_name(rng)}({sig}) -> {rng.choice(TYPES)}:\n"
    body_indent = indent + "    "
    out = [head, _docstring(rng, body_indent)]
    names = [*params, *(["self"] if method else [])]
    for _ in range(rng.randint(2, 7)):
        out.append(_statement(rng, body_indent, names))
    out.append(f"{body_indent}return {rng.choice(names)}\n")
    return "".join(out)


def _class(rng: random.Random) -> str:
    name = _camel(rng)
    if rng.random() < 0.5:
        fields = "".join(
            f"    {_name(rng, 1)}_{i}: {rng.choice(TYPES)} = {_literal(rng)}\n"
            for i in range(rng.randint(2, 6))
        )
        head = f"@dataclass\nclass {name}:\n{_docstring(rng, '    ')}\n{fields}"
    else:
        attrs = "".join(
            f"        self.{_name(rng, 1)} = {_literal(rng)}\n" for _ in range(rng.randint(2, 5))
        )
        head = (
            f"class {name}({rng.choice(('object', 'Exception', 'dict', _camel(rng)))}):\n"
            f"{_docstring(rng, '    ')}\n"
            f"    def __init__(self, {_name(rng, 1)}: Any = None) -> None:\n{attrs}"
        )
    methods = "\n".join(_function(rng, "    ", method=True) for _ in range(rng.randint(1, 4)))
    prop = (
        f"    @property\n    def {_name(rng)}(self) -> str:\n"
        f'        return f"<{name} {{id(self):x}}>"\n'
    )
    return f"{head}\n{methods}\n{prop}"


def _config_dict(rng: random.Random) -> str:
    lines = [f"{_name(rng).upper()} = {{"]
    for _ in range(rng.randint(3, 8)):
        key = rng.choice(WORDS)
        if rng.random() < 0.3:
            inner = ", ".join(f'"{rng.choice(WORDS)}": {_literal(rng)}' for _ in range(3))
            lines.append(f'    "{key}": {{{inner}}},')
        else:
            lines.append(f'    "{key}": {_literal(rng)},')
    lines.append("}\n")
    return "\n".join(lines)


# Ways real code uses the SDK. {m}: a model id; {n}: a name.
OPENAI_SNIPPETS = (
    # v1 sync client, chat
    'from openai import OpenAI\n\nclient = OpenAI()\nCHAT_MODEL = "{m}"\n\n\n'
    "def ask_{n}(question: str) -> str:\n"
    "    resp = client.chat.completions.create(\n"
    '        model=CHAT_MODEL,\n        messages=[{{"role": "user", "content": question}}],\n'
    "        temperature=0.2,\n        max_tokens=300,\n    )\n"
    "    return resp.choices[0].message.content\n",
    # async client, streaming
    "from openai import AsyncOpenAI\n\n\nclass {N}Assistant:\n"
    "    def __init__(self) -> None:\n        self.client = AsyncOpenAI(timeout=30)\n\n"
    "    async def stream(self, messages: list) -> str:\n"
    '        out = []\n        stream = await self.client.chat.completions.create(model="{m}",'
    " messages=messages, stream=True)\n"
    "        async for chunk in stream:\n"
    "            if chunk.choices and chunk.choices[0].delta.content:\n"
    "                out.append(chunk.choices[0].delta.content)\n"
    '        return "".join(out)\n',
    # v0 module API
    'import openai\n\nopenai.api_key = os.getenv("OPENAI_API_KEY")\n\n\n'
    "def summarize_{n}(text):\n"
    '    r = openai.ChatCompletion.create(model="gpt-3.5-turbo",'
    ' messages=[{{"role": "user", "content": text}}])\n'
    '    return r["choices"][0]["message"]["content"]\n',
    # embeddings
    'import openai as oai\n\nEMBED_MODEL = "text-embedding-3-small"\n_client = oai.OpenAI()\n\n\n'
    "def embed_{n}(texts: list[str]) -> list[list[float]]:\n"
    "    data = _client.embeddings.create(model=EMBED_MODEL, input=texts).data\n"
    "    return [d.embedding for d in data]\n",
    # constants only
    'DEFAULT_MODEL = "{m}"\nFALLBACK_MODELS = {{"fast": "gpt-4o-mini", "smart": "{m}"}}\n',
    # Azure
    "from openai import AzureOpenAI\n\nazure = AzureOpenAI(\n"
    '    api_key=os.environ["AZURE_OPENAI_API_KEY"],\n    api_version="2024-06-01",\n'
    '    azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"],\n)\n\n\n'
    "def classify_{n}(text: str) -> str:\n"
    '    r = azure.chat.completions.create(model="{m}", messages=[{{"role": "user",'
    ' "content": text}}], temperature=0)\n'
    "    return r.choices[0].message.content\n",
    # exceptions and env
    "import openai\nfrom openai import RateLimitError\n\n"
    'BASE_URL = os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1")\n\n\n'
    "def guarded_{n}(fn):\n    try:\n        return fn()\n    except RateLimitError:\n"
    "        return None\n    except openai.APIError as exc:\n"
    '        logger.warning("openai failed: %s", exc)\n        raise\n',
    # responses API through a base_url client
    'from openai import OpenAI\n\nllm = OpenAI(base_url=os.getenv("OPENAI_BASE_URL"),'
    " max_retries=5)\n\n\n"
    "def answer_{n}(prompt: str) -> str:\n"
    '    return llm.responses.create(model="{m}", input=prompt).output_text\n',
)
# The same uses with the model, size and limits imported from the package's settings
# module, as projects that keep them in one place do, in the four ways such imports are
# written. {pkg}: the top-level package (`pkg03`), whose settings.py defines the names.
SETTINGS_SNIPPETS = (
    # absolute from-import, chat
    "from openai import OpenAI\n\nfrom {pkg}.settings import CHAT_MODEL, MAX_TOKENS\n\n"
    "client = OpenAI()\n\n\n"
    "def ask_{n}(question: str) -> str:\n"
    "    resp = client.chat.completions.create(\n"
    '        model=CHAT_MODEL,\n        messages=[{{"role": "user", "content": question}}],\n'
    "        max_tokens=MAX_TOKENS,\n    )\n"
    "    return resp.choices[0].message.content\n",
    # relative from-import, embeddings with a vector size
    "from openai import OpenAI\n\nfrom ..settings import EMBEDDING_DIMENSIONS, EMBEDDING_MODEL\n\n"
    "_client = OpenAI()\n\n\n"
    "def embed_{n}(texts: list[str]) -> list[list[float]]:\n"
    "    data = _client.embeddings.create(\n"
    "        model=EMBEDDING_MODEL, input=texts, dimensions=EMBEDDING_DIMENSIONS\n"
    "    ).data\n"
    "    return [d.embedding for d in data]\n",
    # the module imported whole, read as attributes; async client
    "from openai import AsyncOpenAI\n\nfrom {pkg} import settings\n\n"
    "aclient = AsyncOpenAI(timeout=settings.OPENAI_TIMEOUT)\n\n\n"
    "async def draft_{n}(prompt: str) -> str:\n"
    "    r = await aclient.chat.completions.create(\n"
    '        model=settings.FAST_MODEL, messages=[{{"role": "user", "content": prompt}}],'
    " temperature=0.3\n    )\n"
    "    return r.choices[0].message.content\n",
    # `import a.b as c`, responses API with a reasoning model
    "import {pkg}.settings as cfg\nfrom openai import OpenAI\n\nllm = OpenAI()\n\n\n"
    "def plan_{n}(task: str) -> str:\n"
    "    return llm.responses.create(model=cfg.REASONING_MODEL, input=task).output_text\n",
)
MIN_SIZE, MAX_SIZE = 3000, 8000
MODELS = ("gpt-4o", "gpt-4o-mini", "gpt-4-turbo", "gpt-4.1", "o3-mini", "gpt-3.5-turbo")
CHAT_MODELS = ("gpt-4o", "gpt-4-turbo", "gpt-4.1")
PER_DIR, DIRS_PER_PKG = 40, 10  # modules per sub-package, sub-packages per package


def module_path(index: int) -> str:
    """`src/pkg03/sub2/ledger_01283.py`: where module `index` lives, relative to the root."""
    pkg, sub = index // (PER_DIR * DIRS_PER_PKG), (index // PER_DIR) % DIRS_PER_PKG
    return f"src/pkg{pkg:02d}/sub{sub}/{WORDS[index % len(WORDS)]}_{index:05d}.py"


def generate_module(
    index: int,
    seed: int,
    openai_use: bool,
    project_imports: tuple[str, ...] = (),
    settings_pkg: str | None = None,
) -> str:
    """One module. `project_imports` (import lines naming other modules of the project)
    and `settings_pkg` (import the model choices from that package's settings module)
    only apply to openai-using modules; other modules come out exactly as they always
    have, so scan figures stay comparable between versions of this script."""
    rng = random.Random(f"{seed}:{index}")
    size = rng.randint(MIN_SIZE, MAX_SIZE)
    parts = [f'"""{_sentence(rng, 3, 8)}\n\n{_sentence(rng)}\n"""\n\n']
    imports = sorted(set(rng.sample(STDLIB_IMPORTS, rng.randint(3, 7))) | {"import logging"})
    parts.append("from __future__ import annotations\n\n" + "\n".join(imports) + "\n")
    if "import os" not in imports:
        parts.append("import os\n")
    if openai_use and project_imports:
        parts.append("\n" + "\n".join(project_imports) + "\n")
    parts.append("\nlogger = logging.getLogger(__name__)\n\n")
    for _ in range(rng.randint(1, 4)):
        parts.append(f"{_name(rng).upper()} = {_literal(rng)}\n")
    parts.append("\n")
    if openai_use:
        if settings_pkg is not None:
            snippet = rng.choice(SETTINGS_SNIPPETS).format(pkg=settings_pkg, n=_name(rng))
        else:
            snippet = rng.choice(OPENAI_SNIPPETS)
            snippet = snippet.format(m=rng.choice(MODELS), n=_name(rng), N=_camel(rng))
        parts.append("\n" + snippet + "\n\n")
    text = "".join(parts)
    while len(text) < size:
        choice = rng.random()
        if choice < 0.45:
            block = _function(rng)
        elif choice < 0.8:
            block = _class(rng)
        else:
            block = _config_dict(rng)
        if len(text) + len(block) > MAX_SIZE - 200:  # room for the __main__ tail
            if len(text) >= MIN_SIZE:
                break
            continue  # too big for what is left: draw another block
        text += "\n\n" + block
    if rng.random() < 0.2:
        text += '\n\nif __name__ == "__main__":\n    logging.basicConfig(level=logging.INFO)\n'
    return text


def generate_settings(pkg: int, seed: int) -> str:
    """`src/pkgNN/settings.py`: deployment settings, the model choices among them."""
    rng = random.Random(f"{seed}:settings:{pkg}")
    parts = [
        f'"""Settings for pkg{pkg:02d}: {_sentence(rng, 3, 8)}\n\n{_sentence(rng)}\n"""\n\n'
        "from __future__ import annotations\n\nimport os\n\n"
        'ENV = os.environ.get("APP_ENV", "dev")\nDEBUG = ENV == "dev"\n'
        f'DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://localhost/{_name(rng)}")\n'
    ]
    for _ in range(rng.randint(3, 8)):
        parts.append(f"{_name(rng).upper()} = {_literal(rng)}\n")
    parts.append(
        "\n# Language models: every call site reads them from here.\n"
        f'CHAT_MODEL = "{rng.choice(CHAT_MODELS)}"\nFAST_MODEL = "gpt-4o-mini"\n'
        'REASONING_MODEL = "o3-mini"\nEMBEDDING_MODEL = "text-embedding-3-small"\n'
        "EMBEDDING_DIMENSIONS = 1536  # the vector index was created with this size\n"
        f"MAX_TOKENS = {rng.choice((256, 512, 1024))}\nOPENAI_TIMEOUT = 30\n"
    )
    text = "".join(parts)
    size = rng.randint(MIN_SIZE, MAX_SIZE)
    while len(text) < size:
        text += "\n\n" + _config_dict(rng)
    return text


def generate_repo(
    root: Path, files: int, seed: int, share: float, settings_share: float, use_git: bool
) -> dict[str, int]:
    """`files` modules under src/pkgNN/subN/, `share` of them using openai, plus one
    settings module per package (src/pkgNN/settings.py). `settings_share` of the
    openai-using modules import their model choices from it; every openai-using module
    also imports 0-3 other modules of its package, as real code does (the diff's
    constants pre-pass reads each project module such a file imports from)."""
    master = random.Random(seed)
    openai_files = set(master.sample(range(files), k=max(1, round(files * share))))
    importers = set(
        master.sample(sorted(openai_files), k=round(len(openai_files) * settings_share))
    )
    per_pkg = PER_DIR * DIRS_PER_PKG
    packages = (files + per_pkg - 1) // per_pkg
    total_bytes = 0
    project_imports = 0
    for i in range(files):
        path = root / module_path(i)
        path.parent.mkdir(parents=True, exist_ok=True)
        pkg = i // per_pkg
        lines: tuple[str, ...] = ()
        if i in openai_files:
            rng = random.Random(f"{seed}:{i}:imports")
            first, last = pkg * per_pkg, min(files, (pkg + 1) * per_pkg)
            others = [k for k in range(first, last) if k != i]
            picks = sorted(rng.sample(others, k=min(len(others), rng.randint(0, 3))))
            lines = tuple(
                f"from {module_path(k)[4:-3].replace('/', '.')} import {_name(rng)}" for k in picks
            )
            project_imports += len(lines)
        settings_pkg = f"pkg{pkg:02d}" if i in importers else None
        data = generate_module(i, seed, i in openai_files, lines, settings_pkg).encode("utf-8")
        path.write_bytes(data)
        total_bytes += len(data)
    for pkg in range(packages):
        data = generate_settings(pkg, seed).encode("utf-8")
        (root / f"src/pkg{pkg:02d}/settings.py").write_bytes(data)
        total_bytes += len(data)
    if use_git and shutil.which("git"):
        # A repository of its own, as real targets are: discovery lists it with git.
        for cmd in (["git", "init", "-q"], ["git", "add", "-A"]):
            subprocess.run(cmd, cwd=root, check=True, capture_output=True)
    return {
        "files": files + packages,
        "modules": files,
        "settings_modules": packages,
        "bytes": total_bytes,
        "openai_files": len(openai_files),
        "settings_importers": len(importers),
        "project_imports": project_imports,
    }


# --------------------------------------------------------------------------- measuring


@dataclass
class Row:
    name: str
    note: str
    seconds: float
    files: int
    nbytes: int

    @property
    def files_per_s(self) -> float:
        return self.files / self.seconds if self.seconds else float("inf")

    @property
    def mb_per_s(self) -> float:
        return self.nbytes / 1e6 / self.seconds if self.seconds else float("inf")

    def to_json(self) -> dict[str, Any]:
        return {
            "seconds": round(self.seconds, 3),
            "files_per_s": round(self.files_per_s, 1),
            "mb_per_s": round(self.mb_per_s, 3),
            "note": self.note,
        }


def _timed(fn: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


class _Recorder:
    """Wraps functions a module looks up at call time, recording (seconds, items) per
    call: how long each part of a real run took, measured inside that run."""

    def __init__(self, module: Any, names: tuple[str, ...]) -> None:
        self.module = module
        self.calls: dict[str, list[tuple[float, int]]] = {name: [] for name in names}
        self.originals = {name: getattr(module, name) for name in names}

    def __enter__(self) -> _Recorder:
        for name, fn in self.originals.items():
            setattr(self.module, name, self._wrap(name, fn))
        return self

    def __exit__(self, *exc: object) -> None:
        for name, fn in self.originals.items():
            setattr(self.module, name, fn)

    def _wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                first = args[0] if args else None
                items = len(first) if isinstance(first, (list, tuple)) else 0
                self.calls[name].append((time.perf_counter() - start, items))

        return timed

    def seconds(self, name: str) -> float:
        return sum(s for s, _ in self.calls[name])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10_000, help="modules to generate")
    parser.add_argument("--jobs", type=int, default=None, help="scan workers (default: CPUs)")
    parser.add_argument("--keep", action="store_true", help="keep the generated repository")
    parser.add_argument("--out", type=Path, help="generate here (default: a temp dir)")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--share", type=float, default=0.01, help="share of files using openai")
    parser.add_argument(
        "--settings-share", type=float, default=0.4,
        help="share of the openai-using files that import models from a settings module",
    )  # fmt: skip
    parser.add_argument("--provider", default="deepseek", help="provider the diff stage targets")
    parser.add_argument("--no-git", action="store_true", help="do not make it a git repo")
    parser.add_argument("--skip-parse", action="store_true", help="skip the libcst baseline")
    parser.add_argument("--skip-diff", action="store_true", help="skip diff and pre-pass")
    args = parser.parse_args(argv)
    if args.files < 1 or (args.jobs is not None and args.jobs < 1):
        parser.error("--files and --jobs must be positive")
    if not 0 <= args.settings_share <= 1:
        parser.error("--settings-share must be between 0 and 1")
    mapping = None
    if not args.skip_diff:
        try:
            mapping = load_registry().get(args.provider)
        except MappingError as exc:
            parser.error(str(exc))

    if args.out is not None:
        if args.out.exists() and any(args.out.iterdir()):
            parser.error(f"{args.out} is not empty")
        root = args.out
        root.mkdir(parents=True, exist_ok=True)
    else:
        root = Path(tempfile.mkdtemp(prefix="migrator-bench-"))
    try:
        gen_s, meta = _timed(
            lambda: generate_repo(
                root, args.files, args.seed, args.share, args.settings_share, not args.no_git
            )
        )
        print(
            f"generated {meta['files']} files ({meta['modules']} modules, "
            f"{meta['settings_modules']} settings modules), {meta['bytes'] / 1e6:.1f} MB, "
            f"{meta['openai_files']} using openai ({meta['settings_importers']} of them "
            f"importing models from settings), in {gen_s:.1f}s at {root}",
            file=sys.stderr,
        )
        jobs = args.jobs or default_jobs()
        rows: list[Row] = []

        disc_s, target = _timed(lambda: discover(root))
        if len(target.names) != meta["files"]:
            print(
                f"error: discovery found {len(target.names)} of {meta['files']} files",
                file=sys.stderr,
            )
            return 1
        blobs = [p.read_bytes() for p in target.files]
        nbytes = sum(len(b) for b in blobs)
        nfiles = len(blobs)
        rows.append(Row("discover", "git ls-files / walk only", disc_s, nfiles, nbytes))

        def real_scan() -> ScanReport:
            return scan(discover(root), jobs=jobs, show_progress=False)

        scan_s, report = _timed(real_scan)
        rows.append(Row("scan", f"discover+read+prefilter+parse, --jobs {jobs}", scan_s,
                        nfiles, nbytes))  # fmt: skip

        diff: dict[str, Any] | None = None
        if mapping is not None:
            diff = _diff_stages(root, target, mapping, jobs, nfiles, nbytes, rows)

        pre_s, hits = _timed(lambda: sum(1 for b in blobs if has_trigger(b)))
        rows.append(Row("prefilter", "has_trigger on in-memory bytes, 1 process", pre_s,
                        nfiles, nbytes))  # fmt: skip

        if not args.skip_parse:

            def parse_all() -> int:
                for b in blobs:
                    libcst.parse_module(b)
                return len(blobs)

            parse_s, _ = _timed(parse_all)
            rows.append(Row("parse", "libcst.parse_module every file, 1 process, no pool",
                            parse_s, nfiles, nbytes))  # fmt: skip

        usages = report.usages
        print()
        print(f"{'stage':<10} {'seconds':>9} {'files/s':>11} {'MB/s':>9}  note")
        for row in rows:
            print(
                f"{row.name:<10} {row.seconds:>9.2f} {row.files_per_s:>11,.0f} "
                f"{row.mb_per_s:>9.2f}  {row.note}"
            )
        print(
            f"\n{nfiles} files, {nbytes / 1e6:.1f} MB; prefilter passed {hits} files; scan "
            f"parsed {report.stats.files_parsed}, found {len(usages)} usages in "
            f"{report.files_with_usage} files, {len(report.errors)} errors"
        )
        if diff is not None:
            _print_diff(diff)
        result = {
            "bench": "scan",
            "files": nfiles,
            "bytes": nbytes,
            "modules": meta["modules"],
            "settings_modules": meta["settings_modules"],
            "openai_files": meta["openai_files"],
            "settings_importers": meta["settings_importers"],
            "project_imports": meta["project_imports"],
            "jobs": jobs,
            "cpus": os.cpu_count(),
            "prefilter_hits": hits,
            "files_parsed": report.stats.files_parsed,
            "files_with_usage": report.files_with_usage,
            "usages": len(usages),
            "errors": len(report.errors),
            "stages": {row.name: row.to_json() for row in rows},
            "diff": diff,
            "python": platform.python_version(),
            "libcst": getattr(libcst, "__version__", None) or _dist_version("libcst"),
            "seed": args.seed,
        }
        print("BENCH " + json.dumps(result, sort_keys=True))
        return 0
    finally:
        if args.keep:
            print(f"kept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)


def _diff_stages(
    root: Path, target: Target, mapping: Mapping, jobs: int, nfiles: int, nbytes: int,
    rows: list[Row],
) -> dict[str, Any]:  # fmt: skip
    """The real diff, timed whole and by part, then its constants pre-pass on its own."""
    options = RewriteOptions(mapping=mapping, strategy=strategy_named(mapping.default_strategy))
    # migrate_run's names, looked up when each run calls them
    parts = ("select", "ModuleIndex", "project_definitions", "execute")

    def real_diff() -> tuple[MigrationReport, list[tuple[str, str]], float, float]:
        discover_s, found = _timed(lambda: discover(root))
        report = migrate_mod.migrate(found, options, jobs=jobs, show_progress=False)
        render_s, diffs = _timed(report.diffs)
        return report, diffs, discover_s, render_s

    with _Recorder(migrate_run, parts) as inside:
        diff_s, (mreport, diffs, discover_s, render_s) = _timed(real_diff)
    rows.append(Row("diff", f"discover+migrate+render diffs, {mapping.id}, --jobs {jobs}",
                    diff_s, nfiles, nbytes))  # fmt: skip

    # The pre-pass alone, as migrate() runs it, in this process.
    with _Recorder(constants_mod, ("module_definitions",)) as ast_calls:
        select_s, (todo, _) = _timed(lambda: select(target))
        index_s, index = _timed(lambda: ModuleIndex(target.names))
        tables_s, tables = _timed(
            lambda: project_constants(todo, index, migrate_run._SourceCache(target.root, todo))
        )
    prepass_s = select_s + index_s + tables_s
    rows.append(Row("prepass", "select+ModuleIndex+project_constants, 1 process", prepass_s,
                    nfiles, nbytes))  # fmt: skip
    rows.append(Row("constants", "ModuleIndex+project_constants only (not in scan)",
                    index_s + tables_s, nfiles, nbytes))  # fmt: skip

    rounds = inside.calls["execute"]
    requesting = [r for r in mreport.results if r.requests]
    defining = {edit.path for r in requesting for edit in r.requests}
    inside_parts = {
        "discover": discover_s,
        "select": inside.seconds("select"),
        "module_index": inside.seconds("ModuleIndex"),
        "project_constants": inside.seconds("project_definitions"),
        "workers_round1": rounds[0][0] if rounds else 0.0,
        "workers_requests": sum(s for s, _ in rounds[1:]),
        "render_diffs": render_s,
    }
    inside_parts["other"] = diff_s - sum(inside_parts.values())
    return {
        "provider": mapping.id,
        "seconds": round(diff_s, 3),
        "parts": {k: round(v, 3) for k, v in inside_parts.items()},
        "round_files": [n for _, n in rounds],
        "files_changed": len(mreport.changed),
        "settings_changed": sum(r.path.endswith("/settings.py") for r in mreport.changed),
        "edits": mreport.edits,
        "findings": len(mreport.findings),
        "errors": len(mreport.errors),
        "diff_bytes": sum(len(text) for _, text in diffs),
        "requesting_files": len(requesting),
        "requests": sum(len(r.requests) for r in requesting),
        "defining_files": len(defining),
        "prepass": {
            "select": round(select_s, 3),
            "module_index": round(index_s, 3),
            "project_constants": round(tables_s, 3),
            "ast_parse": round(ast_calls.seconds("module_definitions"), 3),
            "modules_parsed": len(ast_calls.calls["module_definitions"]),
            "todo_files": len(todo),
            "files_with_table": len(tables),
            "imported_constants": sum(len(t) for t in tables.values()),
            "share_of_diff": round(prepass_s / diff_s, 3) if diff_s else None,
            "constants_share_of_diff": round((index_s + tables_s) / diff_s, 3) if diff_s else None,
        },
    }


def _print_diff(diff: dict[str, Any]) -> None:
    parts, pre = diff["parts"], diff["prepass"]
    print(
        f"diff ({diff['provider']}): {diff['files_changed']} files changed "
        f"({diff['settings_changed']} settings modules), {diff['edits']} edits, "
        f"{diff['findings']} findings, {diff['errors']} errors; {diff['requesting_files']} "
        f"files asked for {diff['requests']} constant edits in {diff['defining_files']} files"
    )
    print(
        "diff, inside the run: "
        + ", ".join(f"{k} {v:.2f}s" for k, v in parts.items())
        + f"; worker rounds over {diff['round_files']} files"
    )
    print(
        f"pre-pass alone: select {pre['select']:.2f}s, ModuleIndex {pre['module_index']:.3f}s, "
        f"project_constants {pre['project_constants']:.3f}s (ast {pre['ast_parse']:.3f}s over "
        f"{pre['modules_parsed']} modules) for {pre['todo_files']} prefiltered files, "
        f"{pre['files_with_table']} of which import {pre['imported_constants']} constants; "
        f"{pre['share_of_diff']:.0%} of the diff, {pre['constants_share_of_diff']:.1%} "
        "without select"
    )


def _dist_version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


if __name__ == "__main__":
    sys.exit(main())
