"""Scan throughput on a synthetic repository.

Generates a deterministic (seeded) repository of realistic Python modules, 3-8 KB each,
about 1% of which use the openai SDK in varied ways (v1 and v0 APIs, async clients,
embeddings, Azure, bare model constants, OPENAI_* env reads, exceptions), then measures
in one run:

  scan       migrator.scan.scan(discover(root)): the real `migrator scan`, with --jobs
             worker processes (default: all CPUs), discovery included
  parse      libcst.parse_module over every file, in this single process (no pool):
             what scanning would cost without the prefilter
  prefilter  migrator.prefilter.has_trigger over every file's bytes (already in memory)

    python bench/bench_scan.py                 # 10,000 files in a temp dir, removed after
    python bench/bench_scan.py --files 2000 --jobs 1 --keep

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

from migrator.discovery import discover
from migrator.prefilter import has_trigger
from migrator.runner import default_jobs
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
MIN_SIZE, MAX_SIZE = 3000, 8000
MODELS = ("gpt-4o", "gpt-4o-mini", "gpt-4-turbo", "gpt-4.1", "o3-mini", "gpt-3.5-turbo")


def generate_module(index: int, seed: int, openai_use: bool) -> str:
    rng = random.Random(f"{seed}:{index}")
    size = rng.randint(MIN_SIZE, MAX_SIZE)
    parts = [f'"""{_sentence(rng, 3, 8)}\n\n{_sentence(rng)}\n"""\n\n']
    imports = sorted(set(rng.sample(STDLIB_IMPORTS, rng.randint(3, 7))) | {"import logging"})
    parts.append("from __future__ import annotations\n\n" + "\n".join(imports) + "\n")
    if "import os" not in imports:
        parts.append("import os\n")
    parts.append("\nlogger = logging.getLogger(__name__)\n\n")
    for _ in range(rng.randint(1, 4)):
        parts.append(f"{_name(rng).upper()} = {_literal(rng)}\n")
    parts.append("\n")
    if openai_use:
        snippet = rng.choice(OPENAI_SNIPPETS)
        parts.append(
            "\n" + snippet.format(m=rng.choice(MODELS), n=_name(rng), N=_camel(rng)) + "\n\n"
        )
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


def generate_repo(root: Path, files: int, seed: int, share: float, use_git: bool) -> dict[str, int]:
    master = random.Random(seed)
    openai_files = set(master.sample(range(files), k=max(1, round(files * share))))
    per_dir = 40
    total_bytes = 0
    for i in range(files):
        pkg = f"pkg{i // (per_dir * 10):02d}/sub{(i // per_dir) % 10}"
        path = root / "src" / pkg / f"{WORDS[i % len(WORDS)]}_{i:05d}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = generate_module(i, seed, i in openai_files).encode("utf-8")
        path.write_bytes(data)
        total_bytes += len(data)
    if use_git and shutil.which("git"):
        # A repository of its own, as real targets are: discovery lists it with git.
        for cmd in (["git", "init", "-q"], ["git", "add", "-A"]):
            subprocess.run(cmd, cwd=root, check=True, capture_output=True)
    return {"files": files, "bytes": total_bytes, "openai_files": len(openai_files)}


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10_000, help="files to generate")
    parser.add_argument("--jobs", type=int, default=None, help="scan workers (default: CPUs)")
    parser.add_argument("--keep", action="store_true", help="keep the generated repository")
    parser.add_argument("--out", type=Path, help="generate here (default: a temp dir)")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--share", type=float, default=0.01, help="share of files using openai")
    parser.add_argument("--no-git", action="store_true", help="do not make it a git repo")
    parser.add_argument("--skip-parse", action="store_true", help="skip the libcst baseline")
    args = parser.parse_args(argv)
    if args.files < 1 or (args.jobs is not None and args.jobs < 1):
        parser.error("--files and --jobs must be positive")

    if args.out is not None:
        if args.out.exists() and any(args.out.iterdir()):
            parser.error(f"{args.out} is not empty")
        root = args.out
        root.mkdir(parents=True, exist_ok=True)
    else:
        root = Path(tempfile.mkdtemp(prefix="migrator-bench-"))
    try:
        gen_s, meta = _timed(
            lambda: generate_repo(root, args.files, args.seed, args.share, not args.no_git)
        )
        print(
            f"generated {meta['files']} files, {meta['bytes'] / 1e6:.1f} MB, "
            f"{meta['openai_files']} using openai, in {gen_s:.1f}s at {root}",
            file=sys.stderr,
        )
        jobs = args.jobs or default_jobs()
        rows: list[Row] = []

        disc_s, target = _timed(lambda: discover(root))
        if len(target.files) != meta["files"]:
            print(
                f"error: discovery found {len(target.files)} of {meta['files']} files",
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
        result = {
            "bench": "scan",
            "files": nfiles,
            "bytes": nbytes,
            "openai_files": meta["openai_files"],
            "jobs": jobs,
            "cpus": os.cpu_count(),
            "prefilter_hits": hits,
            "files_parsed": report.stats.files_parsed,
            "files_with_usage": report.files_with_usage,
            "usages": len(usages),
            "errors": len(report.errors),
            "stages": {row.name: row.to_json() for row in rows},
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


def _dist_version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


if __name__ == "__main__":
    sys.exit(main())
