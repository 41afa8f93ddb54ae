"""Execution test of a migrated notebook: its code cells, run in order, against fakenet.

fixtures/notebooks/ticket_triage.ipynb (ours) makes its client and model constant in one
cell, defines a function calling it in another, runs it under `%%time`, streams a reply
after a `!echo`. It is migrated with the real engine (`migrate_folder`, what `apply
--in-place` writes) for DashScope and Zhipu (compat; Zhipu native too when zai-sdk is
installed), then its code cells are joined into one script — magic and shell lines left
out, as IPython would run them elsewhere — and run in one faked-network interpreter with
the provider's key only. The original runs against the fake OpenAI. Every migrated
request must go to the provider's host with its key and a model of the provider, sent by
the expected SDK, and the script must print what the original printed.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from migrator.mapping import load_registry
from tests.execution.harness import Program, migrate_folder, run_programs

pytest.importorskip("openai")

NOTEBOOK = Path(__file__).resolve().parent.parent / "fixtures" / "notebooks" / "ticket_triage.ipynb"
ORIGINAL_KEY = "sk-original-openai-key"

# (provider, strategy) -> (env, host, sender)
CASES: dict[tuple[str, str], tuple[dict[str, str], str, str]] = {
    ("dashscope", "compat"): (
        {"DASHSCOPE_API_KEY": "test-dashscope-key"},
        "dashscope.aliyuncs.com",
        "openai",
    ),
    ("zhipu", "compat"): ({"ZAI_API_KEY": "test-zhipu-key"}, "open.bigmodel.cn", "openai"),
    ("zhipu", "native"): ({"ZAI_API_KEY": "test-zhipu-key"}, "open.bigmodel.cn", "zai"),
    ("dashscope", "native"): (
        {"DASHSCOPE_API_KEY": "test-dashscope-key"},
        "dashscope.aliyuncs.com",
        "dashscope",
    ),
}


def script_of(notebook: Path) -> str:
    """The code cells as IPython would run them, magics and shell lines left out: a cell
    magic running Python (`%%time`) keeps its body; any other cell magic, its cell."""
    cells = json.loads(notebook.read_bytes())["cells"]
    parts = []
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = cell["source"]
        text = source if isinstance(source, str) else "".join(source)
        lines = text.splitlines()
        if lines and lines[0].startswith("%%"):
            if lines[0].split()[0] not in ("%%time", "%%capture"):
                continue
            lines = lines[1:]
        parts.append("\n".join(ln for ln in lines if not ln.lstrip().startswith(("%", "!"))))
    return "\n\n".join(parts) + "\n"


def _run(folder: Path, env: dict[str, str]) -> Program:
    script = folder / "notebook_script.py"
    script.write_text(script_of(folder / NOTEBOOK.name), encoding="utf-8")
    [program] = run_programs([script], env).values()
    return program


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Program:
    folder = tmp_path_factory.mktemp("nb-original")
    shutil.copy(NOTEBOOK, folder)
    program = _run(folder, {"OPENAI_API_KEY": ORIGINAL_KEY})
    assert program.returncode == 0, program.error
    return program


def test_original_talks_to_openai(original: Program) -> None:
    assert "label: " in original.stdout and "draft: " in original.stdout
    assert len(original.requests) == 2
    for request in original.requests:
        assert request.host == "api.openai.com"
        assert request.headers["authorization"] == f"Bearer {ORIGINAL_KEY}"
        assert request.json["model"] == "gpt-4o-mini"


@pytest.mark.parametrize(("provider", "strategy"), list(CASES))
def test_migrated_notebook_runs_on_the_provider(
    tmp_path: Path, original: Program, provider: str, strategy: str
) -> None:
    env, host, sender = CASES[(provider, strategy)]
    if sender != "openai" and importlib.util.find_spec(sender) is None:
        pytest.skip(f"{sender} is not installed")
    shutil.copy(NOTEBOOK, tmp_path)
    report = migrate_folder(tmp_path, provider, strategy=strategy)
    assert [r.path for r in report.changed] == [NOTEBOOK.name]
    migrated = json.loads((tmp_path / NOTEBOOK.name).read_bytes())
    before = json.loads(NOTEBOOK.read_bytes())
    for old, new in zip(before["cells"], migrated["cells"], strict=True):
        assert {k: v for k, v in old.items() if k != "source"} == {
            k: v for k, v in new.items() if k != "source"
        }
    program = _run(tmp_path, env)
    assert program.returncode == 0, program.error
    assert program.stdout == original.stdout
    mapping = load_registry().get(provider)
    key = next(iter(env.values()))
    assert len(program.requests) == 2
    for request in program.requests:
        assert request.host == host, request.url
        assert request.sent_by == sender
        assert request.headers["authorization"] == f"Bearer {key}"
        model = request.json["model"]
        assert not model.startswith("gpt-")
        # The model constant made in cell 3 reached both calls of later cells.
        assert f'MODEL = "{model}"' in "".join(migrated["cells"][2]["source"])
        target = mapping.resolve_model("gpt-4o-mini")
        assert target is not None and model == target.model
