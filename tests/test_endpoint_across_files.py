"""A client whose base_url is an attribute of a settings class another file defines.

The constants pre-pass reads the classes of the modules a migrated file imports
(class_defaults.py); endpoint_trace follows `settings.base_url` to their defaults. The
client is retargeted only when every value is shown to be OpenAI's.
"""

# ruff: noqa: E501 - expected outputs are real rewrites: a long call stays on one line

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.migrate import MigrationReport
from tests.test_constants import _migrate, _new_text, _project

KEYS = {"qwen": "DASHSCOPE_API_KEY", "glm": "ZAI_API_KEY", "deepseek": "DEEPSEEK_API_KEY"}

# Each provider's endpoint, read where OPENAI_BASE_URL was.
CONFIGURABLE = {
    "qwen": 'os.environ.get("DASHSCOPE_COMPATIBLE_BASE_URL", "https://dashscope.aliyuncs.com/compatible-mode/v1")',
    "glm": 'os.environ.get("ZAI_BASE_URL", "https://open.bigmodel.cn/api/paas/v4/")',
    "deepseek": 'os.environ.get("DEEPSEEK_API_BASE", "https://api.deepseek.com")',
}

CONFIG = """\
    import os
    from dataclasses import dataclass, field


    @dataclass
    class Settings:
        api_key: str = field(default_factory=lambda: os.environ["OPENAI_API_KEY"])
        {base_url}
    """

LLM = """\
    from openai import AsyncOpenAI, OpenAI

    from app.config import Settings

    _settings = Settings()
    client = OpenAI(api_key=_settings.api_key, base_url=_settings.base_url)


    class Assistant:
        def __init__(self, settings: Settings | None = None) -> None:
            settings = settings or Settings()
            self.client = AsyncOpenAI(api_key=settings.api_key, base_url=settings.base_url)
    """


def _run(tmp_path: Path, base_url: str, provider: str, llm: str = LLM) -> MigrationReport:
    root = _project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/config.py": CONFIG.replace("{base_url}", base_url),
            "app/llm.py": llm,
        },
    )
    report = _migrate(root, provider)
    assert not report.errors
    return report


def _endpoint_findings(report: MigrationReport) -> list[tuple[str, int]]:
    return [
        (f.id, f.line)
        for f in report.findings
        if f.path == "app/llm.py" and f.id in ("MIG104", "MIG105", "MIG502")
    ]


@pytest.mark.parametrize("provider", ["qwen", "glm", "deepseek"])
def test_settings_class_reading_openai_base_url_is_retargeted(
    tmp_path: Path, provider: str
) -> None:
    base_url = (
        'base_url: str | None = field(default_factory=lambda: os.getenv("OPENAI_BASE_URL") or None)'
    )
    report = _run(tmp_path, base_url, provider)
    endpoint = CONFIGURABLE[provider]
    key = KEYS[provider]
    # Settings.api_key reads OPENAI_API_KEY in config.py, which no client there feeds: kept,
    # the retargeted clients would send the OpenAI key to the provider (MIG507).
    assert _new_text(report, "app/llm.py") == (
        "import os\n"
        "\n"
        "from openai import AsyncOpenAI, OpenAI\n"
        "\n"
        "from app.config import Settings\n"
        "\n"
        "_settings = Settings()\n"
        f'client = OpenAI(api_key=os.environ.get("{key}", "missing-{key}"), base_url={endpoint})\n'
        "\n"
        "\n"
        "class Assistant:\n"
        "    def __init__(self, settings: Settings | None = None) -> None:\n"
        "        settings = settings or Settings()\n"
        f'        self.client = AsyncOpenAI(api_key=os.environ["{key}"], base_url={endpoint})\n'
    )
    assert _endpoint_findings(report) == []
    assert [(f.id, f.line) for f in report.findings if f.id == "MIG507"] == [
        ("MIG507", 6),
        ("MIG507", 12),
    ]


@pytest.mark.parametrize("provider", ["qwen", "glm", "deepseek"])
def test_settings_class_pointing_at_moonshot_is_left(tmp_path: Path, provider: str) -> None:
    report = _run(tmp_path, 'base_url: str = "https://api.moonshot.cn/v1"', provider)
    assert _new_text(report, "app/llm.py") is None
    assert _endpoint_findings(report) == [("MIG104", 6), ("MIG104", 12)]
    messages = [f.message for f in report.findings if f.id == "MIG104"]
    assert messages[0] == (
        "client already targets api.moonshot.cn (through `_settings.base_url`) "
        "(not OpenAI); left as it is"
    )


@pytest.mark.parametrize("provider", ["qwen", "glm", "deepseek"])
def test_settings_class_without_a_default_is_left_with_mig105(
    tmp_path: Path, provider: str
) -> None:
    report = _run(tmp_path, "base_url: str = field(repr=False)", provider)
    assert _new_text(report, "app/llm.py") is None
    assert _endpoint_findings(report) == [("MIG105", 6), ("MIG105", 12)]
    report = _run(tmp_path, "base_url: str", provider)
    assert _new_text(report, "app/llm.py") is None
    found = [f for f in report.findings if f.path == "app/llm.py" and f.id == "MIG105"]
    assert [f.line for f in found] == [6, 12]
    assert found[0].message.startswith(
        "base_url comes from `_settings.base_url` and migrator cannot tell where it points"
    )


def test_a_constructor_keyword_wins_over_the_default(tmp_path: Path) -> None:
    base_url = 'base_url: str = "https://api.openai.com/v1"'
    llm = LLM.replace(
        "_settings = Settings()", '_settings = Settings(base_url="https://api.moonshot.cn/v1")'
    )
    report = _run(tmp_path, base_url, "glm", llm)
    # The module-level client keeps Moonshot; the other one holds the OpenAI default.
    assert _endpoint_findings(report) == [("MIG104", 6)]
    text = _new_text(report, "app/llm.py")
    assert text is not None
    assert "client = OpenAI(api_key=_settings.api_key, base_url=_settings.base_url)" in text
    assert 'base_url="https://open.bigmodel.cn/api/paas/v4/")' in text


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("_settings = Settings()", "_settings = Settings(load())"),  # positional: may set it
        ("_settings = Settings()", "_settings = Settings(**load())"),
        ("_settings = Settings()", "_settings = Settings() if ok else load()"),
    ],
)
def test_an_instance_not_shown_to_hold_the_default_is_left(
    tmp_path: Path, old: str, new: str
) -> None:
    base_url = 'base_url: str = "https://api.openai.com/v1"'
    report = _run(tmp_path, base_url, "glm", LLM.replace(old, new))
    assert _endpoint_findings(report) == [("MIG105", 6)]


def test_a_pydantic_settings_field_is_not_only_its_default(tmp_path: Path) -> None:
    config = """\
        from pydantic_settings import BaseSettings


        class Settings(BaseSettings):
            base_url: str = "https://api.openai.com/v1"
        """
    root = _project(tmp_path, {"app/__init__.py": "", "app/config.py": config, "app/llm.py": LLM})
    report = _migrate(root, "glm")
    assert _new_text(report, "app/llm.py") is None
    found = [f for f in report.findings if f.path == "app/llm.py" and f.id == "MIG105"]
    assert [f.line for f in found] == [6, 12]
    assert "`Settings.base_url` (through `_settings.base_url`)" in found[0].message
