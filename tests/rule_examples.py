"""The examples `migrator rule MIGxxx` prints: small programs run through the real rewrite.

Each case is a few lines of OpenAI code and the target they are migrated to; the rewrite's
output and the rule's finding messages are recorded in src/migrator/rule_examples.json,
which ships with the package. tests/test_explain.py checks that file is what this script
writes today; after a change to the codemods or the mappings, regenerate it with

    python -m tests.rule_examples

and review the difference like a golden file.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from migrator.cli import build_options
from migrator.config import ProjectConfig
from migrator.discovery import discover
from migrator.migrate import migrate

OUTPUT = Path(__file__).resolve().parent.parent / "src" / "migrator" / "rule_examples.json"
FILE = "example.py"


@dataclass(frozen=True)
class Case:
    rule: str
    provider: str
    source: str
    upgrade_v0: bool = False


CLIENT = "from openai import OpenAI\n\nclient = OpenAI()\n"

CASES: tuple[Case, ...] = (
    Case("MIG100", "deepseek", CLIENT),
    Case("MIG101", "qwen", "from openai import OpenAI\n\n"
         "client = OpenAI(api_key=vault.read(\"openai\"))\n"),
    Case("MIG102", "qwen", "from openai import OpenAI\n\n"
         "client = OpenAI(organization=\"org-acme\")\n"),
    Case("MIG104", "qwen", "from openai import OpenAI\n\n"
         "client = OpenAI(base_url=\"http://localhost:11434/v1\", api_key=\"ollama\")\n"),
    Case("MIG105", "qwen", "from openai import OpenAI\n\n\ndef make(settings):\n"
         "    return OpenAI(base_url=settings.llm_url)\n"),
    Case("MIG200", "deepseek", CLIENT + "reply = client.chat.completions.create(\n"
         "    model=\"gpt-4o-mini\", messages=[{\"role\": \"user\", \"content\": \"hi\"}]\n)\n"),
    Case("MIG201", "qwen", CLIENT + "reply = client.chat.completions.create(\n"
         "    model=pick_model(), messages=[]\n)\n"),
    Case("MIG203", "qwen", CLIENT + "vectors = client.embeddings.create(\n"
         "    model=\"text-embedding-3-small\", input=[\"a\", \"b\"]\n)\n"),
    Case("MIG206", "qwen", CLIENT + "MODEL = \"gpt-4o\"\n"
         "if MODEL.startswith(\"gpt-4\"):\n    limit = 128_000\n"
         "reply = client.chat.completions.create(model=MODEL, messages=[])\n"),
    Case("MIG302", "deepseek", CLIENT + "reply = client.chat.completions.create(\n"
         "    model=\"gpt-4o\", messages=[], max_completion_tokens=500\n)\n"),
    Case("MIG301", "deepseek", CLIENT + "reply = client.chat.completions.create(\n"
         "    model=\"gpt-4o\", messages=[], user=\"customer-42\"\n)\n"),
    Case("MIG305", "deepseek", CLIENT + "reply = client.chat.completions.create(\n"
         "    model=\"gpt-4o\", messages=[], n=3\n)\n"),
    Case("MIG401", "deepseek", CLIENT + "image = client.images.generate(\n"
         "    model=\"dall-e-3\", prompt=\"a lighthouse\"\n)\n"),
    Case("MIG402", "qwen", "import openai\n\nreply = openai.ChatCompletion.create(\n"
         "    model=\"gpt-4o\", messages=[]\n)\n"),
    Case("MIG410", "qwen", "import openai\n\nreply = openai.ChatCompletion.create(\n"
         "    model=\"gpt-4o\", messages=[]\n)\n", upgrade_v0=True),
    Case("MIG501", "qwen", "from openai import OpenAI\n\n"
         "client = OpenAI(api_key=\"sk-proj-AbCdEfGhIjKlMnOpQrStUvWx1234\")\n"),
    Case("MIG504", "qwen", "import os\n\nfrom openai import OpenAI\n\n"
         "if not os.environ.get(\"OPENAI_API_KEY\"):\n    raise SystemExit(\"set a key\")\n"
         "client = OpenAI()\n"),
)  # fmt: skip


def run_case(case: Case) -> dict[str, Any]:
    """The case's rewrite and the messages of its rule's findings."""
    options = build_options(
        ProjectConfig(), case.provider, None, (), (), None, None, case.upgrade_v0, ()
    )
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / FILE).write_text(case.source, encoding="utf-8")
        report = migrate(discover(root), options, jobs=1, show_progress=False)
    (result,) = [r for r in report.results if r.path == FILE]
    after = result.new_source.decode("utf-8") if result.new_source is not None else case.source
    messages = [f.message for f in report.findings if f.id == case.rule]
    return {
        "provider": options.mapping.id,
        "strategy": options.strategy.id,
        "flags": ["--upgrade-v0"] if case.upgrade_v0 else [],
        "before": case.source,
        "after": after,
        "findings": messages,
    }


def build_examples() -> dict[str, Any]:
    return {case.rule: run_case(case) for case in CASES}


def render(examples: dict[str, Any]) -> str:
    return json.dumps(examples, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


if __name__ == "__main__":
    OUTPUT.write_text(render(build_examples()), encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(OUTPUT.parents[2])}")
