"""The prefilter reads "openai" only as code: every fixture whose file the precise
prefilter rejects has nothing the inventory reports (recall), and prose that names the
company is rejected (precision)."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.notebook_job import run_notebook
from migrator.prefilter import has_trigger, might_use_openai, worth_parsing
from migrator.scan import scan_job

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FILES = sorted([*FIXTURES.rglob("*.py"), *FIXTURES.rglob("*.ipynb")])


def _usages(path: Path) -> list[str]:
    rel, data = path.relative_to(FIXTURES).as_posix(), path.read_bytes()
    if rel.endswith(".ipynb"):
        result = run_notebook(scan_job, rel, data, None)
    else:
        result = scan_job(rel, data, None)
    return [f"{u.kind}@{u.line}" for u in result.usages]


def test_no_fixture_with_usage_is_rejected() -> None:
    # Only rejected files are parsed: a kept file cannot lose anything.
    rejected = [p for p in FILES if not worth_parsing(p.name, p.read_bytes())]
    lost = {p.relative_to(FIXTURES).as_posix(): u for p in rejected if (u := _usages(p))}
    assert lost == {}
    assert len(FILES) > 300 and len(rejected) > 20  # the walk found the fixtures


@pytest.mark.parametrize(
    "source",
    [
        "import openai\n",
        "import os, openai\n",
        "import openai as oa\n",
        "from openai import OpenAI\n",
        "from langchain_openai import ChatOpenAI\n",
        "from llama_index.llms.openai import OpenAI\n",
        "from llama_index.llms import OpenAI\n",
        "from langchain.chat_models import (\n    OpenAI,\n)\n",
        "from x import (\n    OpenAI as Client,\n    other,\n)\n",
        "key = os.environ['OPENAI_API_KEY']\n",
        "llm = init_chat_model('openai:gpt-4o')\n",
        "agent = Agent(model='openai/o3-mini')\n",
        "client = AsyncOpenAI()\n",
        "except openai.APIError:\n    pass\n",
        "URL = 'https://api.openai.com/v1'\n",
    ],
)
def test_openai_written_as_code_passes(source: str) -> None:
    assert might_use_openai(source.encode())


@pytest.mark.parametrize(
    "source",
    [
        '"""A client compatible with OpenAI\'s chat API."""\n',
        "# Works with the OpenAI API and others\nx = 1\n",
        "def f():\n    '''Sends the prompt the way OpenAI does, see github.com/openai/x'''\n",
        "NOTE = 'pip install openai-python to try it'\n",
    ],
)
def test_prose_naming_openai_is_rejected(source: str) -> None:
    data = source.encode()
    assert has_trigger(data)  # the broad reading still sees it
    assert not might_use_openai(data)


def test_a_notebook_keeps_the_broad_reading() -> None:
    # `!pip install openai` in a shell line is reported (MIG620): keep such a notebook.
    cell = b'{"cells": [{"cell_type": "code", "source": ["!pip install openai\\n"]}]}'
    assert worth_parsing("n.ipynb", cell)
    assert not might_use_openai(b"!pip install openai\n")
