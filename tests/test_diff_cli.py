"""`migrator diff`: exit codes, output formats, the JSON contract, errors, secrets.

Most tests call the click command in-process (CliRunner: stdout is not a terminal, as
when piped); one runs the real `python -m migrator` with stdout on a pipe.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from migrator.cli import main
from migrator.mapping import load_registry
from tests.codemod_helpers import REWRITE_FIXTURES, ROOT

ANSI = re.compile(r"\x1b\[[0-9;]*m")
# The keys hard-coded in fixtures/rewrite/relay_base_url.py: never printed in full.
SECRETS = ("sk-proj-AbCdEfGhIjKlMnOpQrStUvWx1234", "sk-proj-ZyXwVuTsRqPoNmLkJiHgFeDc9876")
CLEAN_ENV = {"NO_COLOR": None, "FORCE_COLOR": None, "TERM": None, "COLUMNS": "200"}


def invoke(*args: str | Path) -> Result:
    runner = CliRunner()
    return runner.invoke(main, ["diff", *map(str, args)], env=CLEAN_ENV, catch_exceptions=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A small target: OpenAI code, a hard-coded key, a file that does not parse, and
    a file without OpenAI usage."""
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("v1_sync.py", "relay_base_url.py", "lookalikes.py"):
        shutil.copy(REWRITE_FIXTURES / name, root / name)
    (root / "broken.py").write_text("import openai\ndef broken(:\n    pass\n", encoding="utf-8")
    return root


def tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    } | {p.relative_to(root).as_posix() + "/": "dir" for p in root.rglob("*") if p.is_dir()}


# --------------------------------------------------------------------------- exit codes


def test_check_exits_1_when_changes_are_pending(repo: Path) -> None:
    result = invoke(repo, "--to", "deepseek", "--check")
    assert result.exit_code == 1
    assert "+++ b/v1_sync.py" in result.output


def test_check_exits_0_when_nothing_would_change(tmp_path: Path) -> None:
    shutil.copy(REWRITE_FIXTURES / "lookalikes.py", tmp_path / "lookalikes.py")
    shutil.copy(REWRITE_FIXTURES / "already_migrated.py", tmp_path / "already_migrated.py")
    result = invoke(tmp_path, "--to", "qwen", "--check")
    assert result.exit_code == 0, result.output
    assert "0 file(s) to change" in result.output


def test_diff_without_check_exits_0_even_with_changes(repo: Path) -> None:
    assert invoke(repo, "--to", "deepseek").exit_code == 0


def test_unknown_provider_is_a_usage_error_listing_the_known_ones(repo: Path) -> None:
    result = invoke(repo, "--to", "openrouter")
    assert result.exit_code == 2
    assert "unknown provider 'openrouter'" in result.output
    for mapping in load_registry().all():
        assert mapping.id in result.output


def test_broken_mapping_file_is_a_usage_error_naming_file_and_line(
    repo: Path, tmp_path: Path
) -> None:
    lines = (ROOT / "mappings" / "deepseek.yaml").read_text(encoding="utf-8").splitlines()
    position = next(i for i, line in enumerate(lines) if line.startswith("aliases:"))
    lines.insert(position, "bogus_key: 1")
    broken = tmp_path / "broken.yaml"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke(repo, "--to", "deepseek", "--mapping", broken)
    assert result.exit_code == 2
    assert f"{broken}:{position + 1}:" in result.output
    assert "bogus_key" in result.output


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    assert invoke(tmp_path / "nowhere", "--to", "deepseek").exit_code == 2


# --------------------------------------------------------------------------- output


def test_plain_output_when_piped_and_colour_on_request(repo: Path) -> None:
    plain = invoke(repo, "--to", "deepseek")
    assert not ANSI.search(plain.output)
    assert "-        max_completion_tokens=300,\n" in plain.output
    coloured = invoke(repo, "--to", "deepseek", "--color")
    assert ANSI.search(coloured.output)
    # Piped, the output is the applicable patch: git's `diff --git` line opens each file.
    patch_lines = [x for x in plain.output.splitlines(True) if not x.startswith("diff --git ")]
    assert ANSI.sub("", coloured.output) == "".join(patch_lines)


def test_real_pipe_gets_plain_output(repo: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
    env["TERM"] = "xterm-256color"  # a colour terminal, but stdout is a pipe
    proc = subprocess.run(
        [sys.executable, "-m", "migrator", "diff", str(repo), "--to", "kimi"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "+++ b/v1_sync.py" in proc.stdout
    assert not ANSI.search(proc.stdout)


def test_a_path_with_brackets_is_printed_as_it_is(tmp_path: Path) -> None:
    """Findings name their file whole, plain or coloured: `[tenant]` in a path is text,
    not a style (it once vanished: `app/chat.py:3`)."""
    folder = tmp_path / "repo" / "app" / "[tenant]"
    folder.mkdir(parents=True)
    (folder / "chat.py").write_text("from openai import OpenAI\n\nclient = OpenAI()\n")
    for flag in ("--no-color", "--color"):
        result = invoke(tmp_path / "repo", "--to", "qwen", flag)
        assert result.exit_code == 0, result.output
        findings = [li for li in ANSI.sub("", result.output).splitlines() if "MIG108" in li]
        assert findings and all(" app/[tenant]/chat.py:3: " in li for li in findings), flag


def test_a_piped_diff_loads_no_rich(repo: Path) -> None:
    """Into a pipe, the findings and summary are plain text, printed without rich (whose
    import is a fifth of a cached diff); FORCE_COLOR still colours them, with rich."""
    from tests.cli_probe import loading_probe

    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    argv = [sys.executable, "-c", loading_probe("rich"), "diff", str(repo), "--to", "qwen"]
    plain = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    assert plain.returncode == 0, plain.stderr
    assert plain.stderr.splitlines()[-1] == "LOADED []"
    assert "file(s) to change" in plain.stderr and not ANSI.search(plain.stderr)
    forced = subprocess.run(argv, capture_output=True, text=True, check=False,
                            env={**env, "FORCE_COLOR": "1"})  # fmt: skip
    assert forced.stderr.splitlines()[-1] == "LOADED ['rich']"
    assert ANSI.sub("", forced.stderr) == plain.stderr.replace("LOADED []", "LOADED ['rich']")


def test_text_output_ends_with_a_summary(repo: Path) -> None:
    result = invoke(repo, "--to", "deepseek")
    summary = result.output.rstrip().splitlines()[-1]
    assert re.fullmatch(
        r"2 file\(s\) to change, \d+ edit\(s\) for DeepSeek \(compat\); findings: "
        r"\d+ error, \d+ warning, \d+ info; 1 file\(s\) skipped",
        summary,
    ), summary


def test_json_matches_the_contract(repo: Path) -> None:
    result = invoke(repo, "--to", "glm", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert set(doc) >= {"version", "provider", "strategy", "files", "findings", "errors",
                        "summary"}  # fmt: skip
    assert (doc["version"], doc["provider"], doc["strategy"]) == (1, "zhipu", "compat")
    assert [f["path"] for f in doc["files"]] == ["relay_base_url.py", "v1_sync.py"]
    for entry in doc["files"]:
        assert set(entry) == {"path", "diff"}
        assert entry["diff"].startswith(f"--- a/{entry['path']}\n+++ b/{entry['path']}\n")
    assert doc["findings"]
    for finding in doc["findings"]:
        assert set(finding) == {"id", "severity", "category", "path", "line", "message"}
        assert re.fullmatch(r"MIG\d{3}", finding["id"])
        assert finding["severity"] in ("info", "warning", "error")
        assert isinstance(finding["line"], int) and finding["line"] >= 1
    assert doc["summary"]["files_changed"] == 2
    assert doc["summary"]["edits"] > 0
    assert set(doc["summary"]) >= {"files_changed", "edits"}


def test_a_file_that_does_not_parse_is_reported_and_the_run_goes_on(repo: Path) -> None:
    doc = json.loads(invoke(repo, "--to", "deepseek", "--format", "json").output)
    assert [(e["path"], e["line"]) for e in doc["errors"]] == [("broken.py", 2)]
    assert "syntax error" in doc["errors"][0]["message"]
    assert {f["path"] for f in doc["files"]} == {"relay_base_url.py", "v1_sync.py"}
    text = invoke(repo, "--to", "deepseek")
    assert text.exit_code == 0
    assert "broken.py:2: syntax error" in text.output


def test_diff_never_writes(repo: Path) -> None:
    before = tree_digest(repo)
    for args in (("--to", "deepseek"), ("--to", "azure", "--format", "json"),
                 ("--to", "qwen", "--check"), ("--to", "gateway", "--color")):  # fmt: skip
        invoke(repo, *args)
    assert tree_digest(repo) == before


def test_no_secret_is_printed_in_full(repo: Path) -> None:
    outputs = [
        invoke(repo, "--to", "deepseek").output,
        invoke(repo, "--to", "deepseek", "--color").output,
        invoke(repo, "--to", "azure", "--format", "json").output,
    ]
    for output in outputs:
        for secret in SECRETS:
            assert secret not in output
            assert secret[-4:] in output  # shown redacted: sk-****1234
        assert "sk-****1234" in ANSI.sub("", output)
    doc = json.loads(outputs[2])
    assert any(f["id"] == "MIG501" for f in doc["findings"])


# --------------------------------------------------------------------------- file endings

# Whitespace-only lines at the end of a file, which libcst does not render back as read.
UNTOUCHED_ENDINGS = {
    "spaces_then_tab.py": b"import openai\n\nx = 1\n   \n\t\n",
    "blank_lines_no_newline.py": b"import openai\n\nx = 1\n\n\n  ",
    "crlf.py": b"import openai\r\n\r\nx = 1\r\n  \r\n\r\n",
}


def test_trailing_blank_lines_alone_are_no_change(tmp_path: Path) -> None:
    for name, data in UNTOUCHED_ENDINGS.items():
        (tmp_path / name).write_bytes(data)
    result = invoke(tmp_path, "--to", "qwen", "--check", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["files"] == []


def test_an_edited_file_keeps_its_ending(tmp_path: Path) -> None:
    (tmp_path / "client.py").write_bytes(b"import openai\n\nclient = openai.OpenAI()\n   \n\t\n")
    result = invoke(tmp_path, "--to", "qwen", "--format", "json")
    (changed,) = json.loads(result.stdout)["files"]
    assert changed["diff"].endswith(
        '+client = openai.OpenAI(base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", '
        'api_key=os.environ.get("DASHSCOPE_API_KEY", "missing-DASHSCOPE_API_KEY"))\n    \n \t\n'
    )


CONFIGURED_CLIENT = """\
from openai import OpenAI

client = OpenAI(base_url=settings.url, api_key=k)
"""


@pytest.mark.parametrize("how", ["flag", "pyproject"])
def test_retarget_configured_opt_in(tmp_path: Path, how: str) -> None:
    """A base_url from configuration is left (MIG105) unless the run opts in."""
    (tmp_path / "app.py").write_text(CONFIGURED_CLIENT, encoding="utf-8")
    left = invoke(tmp_path, "--to", "deepseek", "--check")
    assert left.exit_code == 0 and "MIG105" in left.output, left.output
    if how == "flag":
        opted = invoke(tmp_path, "--to", "deepseek", "--check", "--retarget-configured")
    else:
        (tmp_path / "pyproject.toml").write_text(
            "[tool.migrator]\nretarget-configured = true\n", encoding="utf-8"
        )
        opted = invoke(tmp_path, "--to", "deepseek", "--check")
    assert opted.exit_code == 1, opted.output
    assert '+client = OpenAI(base_url="https://api.deepseek.com", api_key=k)' in opted.output


def test_retarget_configured_must_be_a_boolean(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(CONFIGURED_CLIENT, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.migrator]\nretarget-configured = "yes"\n', encoding="utf-8"
    )
    result = invoke(tmp_path, "--to", "deepseek")
    assert result.exit_code != 0
    assert "retarget-configured must be true or false" in result.output


def test_a_broken_command_module_fails_loudly_instead_of_vanishing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An ImportError in a command's module used to be swallowed: `apply` then vanished as
    "No such command". Loading the command lets it through."""
    import sys

    import click

    import migrator.cli as cli

    monkeypatch.setitem(sys.modules, "migrator.cli_apply", None)  # import fails
    monkeypatch.setattr(cli.main, "commands", dict(cli.main.commands))
    monkeypatch.delitem(cli.main.commands, "apply", raising=False)
    with pytest.raises(ImportError):
        cli.main.get_command(click.Context(cli.main), "apply")


def test_every_command_is_registered() -> None:
    import click

    from migrator.cli import main

    context = click.Context(main)
    names = main.list_commands(context)
    assert {"scan", "diff", "apply", "checklist", "providers", "mapping", "rule"} <= set(names)
    assert all(isinstance(main.get_command(context, n), click.Command) for n in names)


def test_diff_and_scan_do_not_import_other_commands() -> None:
    """`apply`, `checklist` and the mapping commands are imported when run or listed:
    a `diff` or `scan` does not pay for them, and a `scan` not for the rewrite engine."""
    script = (
        "import sys\n"
        "from migrator.cli import main\n"
        "loaded = [m for m in ('migrator.cli_apply', 'migrator.cli_mapping', "
        "'migrator.explain', 'migrator.rewrite', 'migrator.mapping') if m in sys.modules]\n"
        "print(','.join(loaded))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""
