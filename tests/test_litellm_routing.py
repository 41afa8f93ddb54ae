"""Strategy litellm across the files of a run, on the real mappings: what each call needs
to reach the provider, and nothing more.

- `custom_llm_provider=` only where the model is not known to carry the route's prefix: a
  constant of another file that file rewrote (it says so, cross_module.WrittenConstant)
  needs none; one it kept (a test there reads it) still gets it.
- `api_base=` wherever the route's default base is not the mapping's: `deepseek/` defaults
  to the /beta path of DeepSeek's host, `minimax/` to the international host.
- compat's MIG106 ("migrated where it is constructed") counts only the calls that stay on
  the openai SDK.
- A provider LiteLLM is not pointed at (azure) says why (`litellm: {none: ...}`).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrator.cli import main
from migrator.mapping import MappingError, load_mapping, load_registry
from tests.execution.harness import migrate_folder

CONFIG = """\
CHAT_MODEL = "gpt-4o"
FAST_MODEL = "gpt-4o-mini"
# this file tests FAST_MODEL: mapping it here would flip the test, so it is kept
CHEAP = FAST_MODEL == "gpt-4o-mini"
"""
CHAT = """\
from app.config import CHAT_MODEL, FAST_MODEL
from app.llm import client


def ask(q):
    return client.chat.completions.create(
        model=CHAT_MODEL, messages=[{"role": "user", "content": q}]
    )


def classify(q):
    return client.chat.completions.create(
        model=FAST_MODEL, messages=[{"role": "user", "content": q}]
    )


def embed(q):
    return client.embeddings.create(model="text-embedding-3-small", input=q)
"""
LLM = """\
from openai import OpenAI

client = OpenAI()
"""


def _project(root: Path) -> Path:
    for name, text in {
        "app/__init__.py": "",
        "app/config.py": CONFIG,
        "app/chat.py": CHAT,
        "app/llm.py": LLM,
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def _call_of(source: str, function: str) -> str:
    return source.split(f"def {function}(", 1)[1].split("\n\n", 1)[0]


def test_a_constant_its_file_rewrote_needs_no_custom_llm_provider(tmp_path: Path) -> None:
    root = _project(tmp_path)
    report = migrate_folder(root, "deepseek", strategy="litellm")
    config = (root / "app/config.py").read_text(encoding="utf-8")
    chat = (root / "app/chat.py").read_text(encoding="utf-8")
    assert 'CHAT_MODEL = "deepseek/' in config
    assert 'FAST_MODEL = "gpt-4o-mini"' in config  # kept: the file tests it
    ask, classify = _call_of(chat, "ask"), _call_of(chat, "classify")
    assert "litellm.completion(" in ask and "model=CHAT_MODEL" in ask
    assert "custom_llm_provider" not in ask
    # without it LiteLLM would send gpt-4o-mini to OpenAI, with DeepSeek's key
    assert 'custom_llm_provider="deepseek"' in classify
    # deepseek/ defaults to https://api.deepseek.com/beta
    assert ask.count('api_base="https://api.deepseek.com"') == 1
    # the embeddings call stays (DeepSeek has none): MIG106 counts it alone
    hidden = [f for f in report.findings if f.id == "MIG106" and f.path == "app/chat.py"]
    assert [f.message.split(" ", 1)[0] for f in hidden] == ["1"], hidden
    assert "stay on the openai SDK" in hidden[0].message


def test_every_call_moved_leaves_no_mig106(tmp_path: Path) -> None:
    root = _project(tmp_path)
    report = migrate_folder(root, "dashscope", strategy="litellm")  # has embeddings
    assert not [f for f in report.findings if f.id == "MIG106"]
    assert sum(f.id == "MIG180" for f in report.findings) == 3


@pytest.mark.parametrize(
    ("provider", "api_base"),
    [
        ("deepseek", "https://api.deepseek.com"),
        ("minimax", "https://api.minimaxi.com/v1"),
        ("moonshot", "https://api.moonshot.cn/v1"),
        ("siliconflow", "https://api.siliconflow.cn/v1"),
        ("ark", None),  # volcengine/'s default is the mapping's cn-beijing /api/v3
        ("dashscope", None),
        ("zhipu", None),  # bigmodel/ builds open.bigmodel.cn/api/paas/v4, the mapping's
    ],
)
def test_api_base_where_the_routes_default_is_not_the_mappings(
    provider: str, api_base: str | None
) -> None:
    mapping = load_registry().get(provider)
    assert mapping.litellm is not None
    assert mapping.litellm.api_base("chat", mapping.compat.base_url) == api_base


def test_a_gateway_reads_its_base_from_the_environment(tmp_path: Path) -> None:
    root = _project(tmp_path)
    migrate_folder(root, "gateway", strategy="litellm")
    chat = (root / "app/chat.py").read_text(encoding="utf-8")
    ask = _call_of(chat, "ask")
    # no model table: ids go as they are, through openai/ at the gateway, never OpenAI
    assert 'api_base=os.environ["LLM_GATEWAY_BASE_URL"]' in ask
    assert 'api_key=os.environ["LLM_GATEWAY_API_KEY"]' in ask
    assert 'custom_llm_provider="openai"' in ask


def test_azure_refuses_the_strategy_and_says_why(tmp_path: Path) -> None:
    root = _project(tmp_path)
    result = CliRunner().invoke(main, ["diff", str(root), "--to", "azure", "--strategy", "litellm"])
    assert result.exit_code == 2
    assert "strategy 'litellm' is not available for azure: it supports compat" in result.output
    assert "(no LiteLLM route: LiteLLM's azure/<deployment> route needs api_base=" in result.output


def test_a_reason_excludes_the_routes(tmp_path: Path) -> None:
    text = (Path(__file__).parent / "data" / "mappings" / "minimal.yaml").read_text("utf-8")
    section = text[text.index("\nlitellm:") :]
    assert section.count("\n  tested:") == 1
    broken = text.replace("\n  tested:", '\n  none: "no route"\n  tested:')
    (tmp_path / "acme.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(MappingError, match="'none' \\(a reason\\) excludes every other key"):
        load_mapping(tmp_path / "acme.yaml")
