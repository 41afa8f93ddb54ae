"""Native responses and clients that cross modules (cross_module.py notices).

A function in app/llm.py returning the SDK's response: its callers in other files of the
run read the SDK's fields; when no caller is in sight the call is marked with where the
response goes. A client imported from app/llm.py: its calls follow what the client
becomes there (the SDK's, or openai's on the compatible endpoint), never the SDK's table
on an openai client.
"""

# ruff: noqa: E501 - expected outputs are real rewrites: a long call stays on one line

from __future__ import annotations

import shutil
from pathlib import Path

from migrator.codemods.strategies import NATIVE

from migrator.discovery import discover
from migrator.mapping import load_registry
from migrator.migrate import MigrationReport, migrate
from migrator.options import RewriteOptions
from tests.test_constants import _new_text, _project

PROGRAMS = Path(__file__).resolve().parent.parent / "fixtures" / "programs"

LLM = """\
    from openai import OpenAI

    client = OpenAI({args})


    def ask(q):
        return client.chat.completions.create(model="gpt-4o", messages=q)


    def ask_stream(q):
        return client.chat.completions.create(model="gpt-4o", messages=q, stream=True)
    """

REPORT = """\
    from app import llm
    from app.llm import ask, client


    def report(q):
        r = ask(q)
        print(r.id, r.usage.prompt_tokens)
        for chunk in llm.ask_stream(q):
            print(chunk.usage.completion_tokens)
        direct = client.chat.completions.create(model="gpt-4o", messages=q, extra_body={"top_k": 5})
        print(direct.usage.prompt_tokens)
    """


def _native(root: Path, provider: str = "dashscope") -> MigrationReport:
    options = RewriteOptions(strategy=NATIVE, mapping=load_registry().get(provider))
    return migrate(discover(root), options, jobs=1)


def _found(report: MigrationReport, path: str, rule: str) -> list[str]:
    return [f.message for f in report.findings if f.path == path and f.id == rule]


def test_callers_and_client_users_in_another_module_are_reshaped(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {"app/__init__.py": "", "app/llm.py": LLM.format(args=""), "app/report.py": REPORT},
    )
    report = _native(root)
    got = _new_text(report, "app/report.py")
    assert got is not None
    assert "print(r.request_id, r.usage.input_tokens)" in got
    assert "print(chunk.usage.output_tokens)" in got
    # the imported client became dashscope's: its call takes dashscope's parameters too
    assert "parameters={" in got and "extra_body" not in got
    assert "print(direct.usage.input_tokens)" in got
    said = _found(report, "app/report.py", "MIG153")
    assert any("`ask(q)` returns dashscope's chat response (app/llm.py:7)" in m for m in said)
    assert any("`llm.ask_stream(q)` returns dashscope's chat stream" in m for m in said)
    assert any("makes it dashscope.Client" in m for m in _found(report, "app/report.py", "MIG155"))
    told = _found(report, "app/llm.py", "MIG153")
    assert any("`app.llm.ask` returns" in m and "app/report.py" in m for m in told)
    assert not _found(report, "app/llm.py", "MIG152")


def test_a_client_kept_on_openai_keeps_its_importers_calls_openai_shaped(tmp_path: Path) -> None:
    # dashscope.Client takes no default_headers=: the client stays on the compatible endpoint
    llm = LLM.format(args='default_headers={"x-team": "support"}')
    root = _project(tmp_path, {"app/__init__.py": "", "app/llm.py": llm, "app/report.py": REPORT})
    report = _native(root)
    got = _new_text(report, "app/report.py") or (root / "app/report.py").read_text()
    assert "print(r.id, r.usage.prompt_tokens)" in got
    assert "print(direct.usage.prompt_tokens)" in got
    assert "extra_body={" in got and "parameters=" not in got  # compat's table, not dashscope's
    said = _found(report, "app/report.py", "MIG155")
    assert said and "keep the openai SDK's parameters and responses" in said[0]
    assert "compatible endpoint" in said[0]


def test_a_client_from_a_module_not_in_the_run_is_not_given_the_sdk_shape(tmp_path: Path) -> None:
    root = _project(tmp_path, {"report.py": REPORT.replace("    from app import llm\n", "")})
    report = _native(root)
    got = _new_text(report, "report.py") or (root / "report.py").read_text()
    assert "print(r.id, r.usage.prompt_tokens)" in got  # ask() is not known to be dashscope's
    assert "print(direct.usage.prompt_tokens)" in got
    said = _found(report, "report.py", "MIG155")
    assert said and "no file of this run builds it" in said[0]


def test_no_caller_in_the_run_marks_the_call_with_where_it_goes(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app/__init__.py": "", "app/llm.py": LLM.format(args="")})
    report = _native(root)
    got = _new_text(report, "app/llm.py")
    assert got is not None
    assert (
        "    # migrator: MIG152 dashscope response goes on: returned from `app.llm.ask` (line 7)\n"
        '    return client.chat.completions.create(model="qwen3-max", messages=q)' in got
    )
    assert len(_found(report, "app/llm.py", "MIG152")) == 2


def test_a_caller_passing_the_response_on_is_marked_in_its_own_file(tmp_path: Path) -> None:
    caller = """\
        from app.llm import ask


        def report(q):
            r = ask(q)
            archive.append(r)
        """
    files = {"app/__init__.py": "", "app/llm.py": LLM.format(args=""), "app/caller.py": caller}
    report = _native(_project(tmp_path, files))
    got = _new_text(report, "app/caller.py")
    assert got is not None
    assert "    # migrator: MIG152 dashscope response goes on: passed to `archive.append`" in got


def test_helpdesk_program_reads_the_response_its_package_returns(tmp_path: Path) -> None:
    shutil.copy(PROGRAMS / "helpdesk_report.py", tmp_path)
    shutil.copytree(PROGRAMS / "helpdesk", tmp_path / "helpdesk")
    report = _native(tmp_path)
    said = _found(report, "helpdesk_report.py", "MIG153")
    assert said == [
        "`draft_reply(ticket)` returns dashscope's chat response (helpdesk/llm.py:12): "
        "its reads here are reshaped"
    ]
    # it reads choices and usage.total_tokens, which dashscope has: nothing to rename
    assert _new_text(report, "helpdesk_report.py") is None
    assert any("helpdesk_report.py" in m for m in _found(report, "helpdesk/llm.py", "MIG153"))
    assert not [f for f in report.findings if f.id == "MIG152"]
