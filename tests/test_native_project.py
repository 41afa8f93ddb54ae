"""The native strategy at project level: dependency files, env templates, checklist."""

from __future__ import annotations

from pathlib import Path

from migrator.codemods.strategies import NATIVE

from migrator.apply import ProjectPlan, plan_migration
from migrator.checklist import collect
from migrator.config import ProjectConfig
from migrator.options import RewriteOptions
from tests.codemod_helpers import mapping

SDK_ONLY = """\
from openai import OpenAI, RateLimitError

client = OpenAI()


def ask(q):
    try:
        return client.chat.completions.create(model="gpt-4o", messages=q)
    except RateLimitError:
        return None
"""
ASYNC = """\
from openai import AsyncOpenAI

aclient = AsyncOpenAI()


async def ask(q):
    return await aclient.chat.completions.create(model="gpt-4o", messages=q)
"""


def project(tmp_path: Path, provider: str, files: dict[str, str], **kw: object) -> ProjectPlan:
    (tmp_path / "requirements.txt").write_text("openai>=1.30\nrequests\n")
    (tmp_path / ".env.example").write_text("OPENAI_API_KEY=\n")
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    options = RewriteOptions(mapping(provider), NATIVE, **kw)  # type: ignore[arg-type]
    return plan_migration(tmp_path, options, ProjectConfig(), jobs=1, show_progress=False)


def requirements(plan: ProjectPlan) -> str:
    (write,) = [w for w in plan.dependencies if w.path == "requirements.txt"]
    return write.new.decode()


def test_openai_replaced_by_the_sdk_when_nothing_needs_it(tmp_path: Path) -> None:
    plan = project(tmp_path, "dashscope", {"app.py": SDK_ONLY})
    assert requirements(plan) == "dashscope>=2.0.2\nrequests\n"


def test_openai_kept_while_a_compat_fallback_client_imports_it(tmp_path: Path) -> None:
    plan = project(tmp_path, "zhipu", {"app.py": SDK_ONLY, "worker.py": ASYNC})
    new = requirements(plan)
    assert "zai-sdk>=0.2.3" in new and "openai>=1.30" in new


def test_openai_kept_while_v0_code_is_left(tmp_path: Path) -> None:
    v0 = "import openai\n\nopenai.ChatCompletion.create(model='gpt-4o', messages=[])\n"
    plan = project(tmp_path, "dashscope", {"app.py": SDK_ONLY, "legacy.py": v0})
    assert "openai" in requirements(plan)
    upgraded = project(tmp_path, "dashscope", {}, upgrade_v0=True)
    assert "openai" not in requirements(upgraded)


def test_env_template_gets_the_sdk_key(tmp_path: Path) -> None:
    plan = project(tmp_path, "dashscope", {"app.py": SDK_ONLY})
    (write,) = plan.env_templates
    assert "DASHSCOPE_API_KEY=" in write.new.decode()


def test_checklist_has_the_native_strategys_own_items(tmp_path: Path) -> None:
    plan = project(tmp_path, "zhipu", {"app.py": SDK_ONLY, "worker.py": ASYNC})
    items = collect(plan)
    notes = [i.message for i in items if i.id == "MIG707"]
    assert any(n.startswith("exceptions now come from zai.core") for n in notes), notes
    assert any("OpenAI-compatible endpoint" in n and "asyncio" in n for n in notes), notes
    assert any(n.startswith("zai-sdk changes values itself — temperature") for n in notes), notes
    endpoint = [i.message for i in items if i.id == "MIG611"]
    assert any("requests now go to https://open.bigmodel.cn/api/paas/v4" in m for m in endpoint)


def test_compat_has_no_strategy_items(tmp_path: Path) -> None:
    from migrator.codemods.strategies import COMPAT

    (tmp_path / "app.py").write_text(SDK_ONLY)
    options = RewriteOptions(mapping("dashscope"), COMPAT)
    plan = plan_migration(tmp_path, options, ProjectConfig(), jobs=1, show_progress=False)
    assert not [i for i in collect(plan) if i.id == "MIG707"]


EMBED = """\
from openai import OpenAI

client = OpenAI()
vector = client.embeddings.create(model="text-embedding-3-small", input="hi").data[0].embedding
"""


def test_checklist_says_what_native_requests_really_carry(tmp_path: Path) -> None:
    """The mapping's encoding_format=float makes up for the openai SDK's base64 default;
    DashScope's SDK is not sent it, so the checklist does not claim it is."""
    plan = project(tmp_path, "dashscope", {"app.py": EMBED})
    notes = [i.message for i in collect(plan) if i.id == "MIG706"]
    assert notes and not any("encoding_format" in n for n in notes), notes


def test_a_project_without_dependency_files_is_told_to_declare_the_sdk(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SDK_ONLY)
    options = RewriteOptions(mapping("dashscope"), NATIVE)
    plan = plan_migration(tmp_path, options, ProjectConfig(), jobs=1, show_progress=False)
    (message,) = [i.message for i in collect(plan) if i.id == "MIG614"]
    assert "`dashscope>=2.0.2`" in message and "openai>=" not in message
