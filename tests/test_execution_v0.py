"""Execution: v0 programs upgraded with `migrator diff --upgrade-v0 --to deepseek` run on
the real openai SDK (v1) with the network faked, and print what v1 code prints.

Each program is copied to a temporary folder, the CLI's JSON diff is applied to it, and
the result runs with only DEEPSEEK_API_KEY in its environment (no OPENAI_*): what it
sends must reach DeepSeek with the DeepSeek key and model.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.execution.harness import ProgramRun, RecordedRequest, run_program

pytest.importorskip("openai")

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = ROOT / "fixtures" / "programs"
V0 = ROOT / "fixtures" / "v0"
KEY = "ds-test-key"
ENV = {"DEEPSEEK_API_KEY": KEY}
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@")


def apply_unified_diff(old: str, diff: str) -> str:
    """Apply a one-file unified diff (as `migrator diff` prints it) to `old`."""
    source = old.splitlines(keepends=True)
    out: list[str] = []
    position = 0  # next line of `source` to copy
    lines = diff.splitlines(keepends=True)
    index = 0
    while index < len(lines):
        match = _HUNK.match(lines[index])
        index += 1
        if not match:
            continue
        start = int(match.group(1)) - 1 if match.group(2) != "0" else int(match.group(1))
        out.extend(source[position:start])
        position = start
        while index < len(lines) and not lines[index].startswith("@@"):
            line = lines[index]
            index += 1
            tag, text = line[:1], line[1:]
            if tag == "\\":  # "\ No newline at end of file": the previous line has none
                out[-1] = out[-1].rstrip("\n")
            elif tag == "+":
                out.append(text)
            else:
                assert source[position].rstrip("\n") == text.rstrip("\n"), (position, line)
                position += 1
                if tag == " ":
                    out.append(text)
    out.extend(source[position:])
    return "".join(out)


def upgrade(program: Path, tmp_path: Path) -> Path:
    """Copy `program` to tmp_path and apply `migrator diff --upgrade-v0 --to deepseek`."""
    target = tmp_path / program.name
    shutil.copyfile(program, target)
    proc = subprocess.run(
        [sys.executable, "-m", "migrator", "diff", str(target), "--to", "deepseek",
         "--upgrade-v0", "--format", "json"],
        capture_output=True, text=True, encoding="utf-8", check=False, cwd=str(tmp_path),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["errors"] == []
    [changed] = report["files"]
    old = target.read_text(encoding="utf-8")
    target.write_text(apply_unified_diff(old, changed["diff"]), encoding="utf-8")
    return target


def assert_deepseek_chat(req: RecordedRequest, model: str) -> None:
    assert req.method == "POST"
    assert (req.host, req.path) == ("api.deepseek.com", "/chat/completions")
    assert req.headers["authorization"] == f"Bearer {KEY}"
    assert req.json["model"] == model
    # the mapping switches V4 thinking off for non-reasoning OpenAI models
    assert req.json["thinking"] == {"type": "disabled"}


def test_apply_unified_diff() -> None:
    old = "a\nb\nc\nd\n"
    diff = "--- a/x\n+++ b/x\n@@ -2,2 +2,3 @@\n-b\n+B\n+b2\n c\n"
    assert apply_unified_diff(old, diff) == "a\nB\nb2\nc\nd\n"


def test_v0_module_program(tmp_path: Path) -> None:
    original = run_program(PROGRAMS / "v0_module.py", {**ENV, "OPENAI_API_KEY": "sk-x"})
    assert "APIRemovedInV1" in original.stderr  # what --upgrade-v0 is for

    migrated = upgrade(PROGRAMS / "v0_module.py", tmp_path)
    text = migrated.read_text(encoding="utf-8")
    assert "openai.ChatCompletion" not in text and "openai.api_key" not in text
    run = run_program(migrated, ENV).assert_ok()
    req = run.request
    assert_deepseek_chat(req, "deepseek-v4-flash")  # gpt-3.5-turbo, mapped
    assert req.json["temperature"] == 0
    assert req.json["messages"][-1] == {"role": "user", "content": "The new dashboard is fast"}
    assert run.blocked == []

    # the same program written by hand for openai>=1, against (fake) OpenAI
    reference = run_program(
        V0 / "v1_reference" / "v0_module_v1.py", {"OPENAI_API_KEY": "sk-reference"}
    ).assert_ok()
    assert reference.request.host == "api.openai.com"
    assert run.stdout == reference.stdout == "echo:The new dashboard is fast\n"


def test_dict_access_streaming_and_errors_program(tmp_path: Path) -> None:
    migrated = upgrade(V0 / "chat_dict_stream.py", tmp_path)
    run: ProgramRun = run_program(migrated, ENV).assert_ok()
    assert len(run.requests) == 2
    plain, streamed = run.requests
    for req in run.requests:
        assert_deepseek_chat(req, "deepseek-v4-flash")  # gpt-4o-mini, mapped
        assert "OpenAI-Organization".lower() not in req.headers
    assert "stream" not in plain.json and streamed.json["stream"] is True
    assert run.stdout == (
        "echo:What is the capital of France? (12 tokens)\necho:Tell me a short story\n"
    )


def test_async_program(tmp_path: Path) -> None:
    migrated = upgrade(V0 / "async_chat.py", tmp_path)
    run = run_program(migrated, ENV).assert_ok()
    assert len(run.requests) == 3
    for req in run.requests:
        assert_deepseek_chat(req, "deepseek-v4-pro")  # gpt-4o, mapped
    assert sorted(r.json["messages"][-1]["content"] for r in run.requests) == [
        "good evening",
        "good morning",
        "good night",
    ]
    assert run.stdout == "echo:good morning | echo:good evening\necho:good night\n"
