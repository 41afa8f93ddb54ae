"""Odd but valid files: each class the mutation fuzzer found, as a small program of our own.

Every byte outside the edits stays; a file CPython compiles is never called a syntax error
(libcst's own limits say so, with their reason); a crash inside the parser costs one file;
a symlink loop or a read-only file does not crash or get rewritten silently.
"""

from __future__ import annotations

import os
from pathlib import Path

import libcst as cst
import pytest

from migrator.discovery import discover
from migrator.scan import scan
from migrator.source import PARSER_LIMIT, parse_source
from tests.codemod_helpers import rewrite_bytes
from tests.fuzz.invariants import layout_changes, problems
from tests.test_apply import apply, git, make_repo

CALL = b'r = client.chat.completions.create(model="gpt-4o", messages=[])\n'
CLIENT = b"import openai\nclient = openai.OpenAI()\n"

# Layouts libcst used to print back differently, or that are easy to get wrong.
LAYOUTS = {
    "no final newline, last line a comment ending in a backslash": CLIENT + CALL + b"# note \\",
    "backslash before a block's colon": CLIENT
    + b"def ask(a, b) \\\n        :\n    return client.chat.completions.create("
    b'model="gpt-4o", messages=[])\n',
    "CR-only line ends": (CLIENT + CALL).replace(b"\n", b"\r"),
    "CRLF and a comment after an opening bracket": (
        CLIENT
        + b'r = client.chat.completions.create(  # why \\\n    model="gpt-4o", messages=[])\n'
    ).replace(b"\n", b"\r\n"),
    "form feed in a nested block's indentation": b"import openai\ndef f():\n    def g():\n"
    b'\f        return openai.OpenAI().chat.completions.create(model="gpt-4o", messages=[])\n'
    b"\f    return g\nafter = 2\n",
    "tab-indented block beside a space-indented one": CLIENT
    + b'if client:\n\tr = client.chat.completions.create(model="gpt-4o", messages=[])\n'
    b'else:\n    r = client.chat.completions.create(model="gpt-4o", messages=[])\n',
    "semicolons": b"import openai; client = openai.OpenAI(); r = client.chat.completions.create("
    b'model="gpt-4o", messages=[])\n',
}

# Where the SDK or `os` is bound only in a function, under if/try, or under another name:
# an insertion at module level must use a name that is defined there, or add an import.
BINDINGS = {
    "openai imported in a function only": b"def ask():\n    import openai\n"
    b'    openai.api_key = "sk-placeholder"\n'
    b'    return openai.ChatCompletion.create(model="gpt-4", messages=[])\n',
    "optional import (try/except ImportError)": b"try:\n    import openai\n"
    b"except ImportError:\n    openai = None\n" + b"client = openai.OpenAI()\n" + CALL,
    "import under if": b"import sys\nif sys.version_info >= (3, 8):\n    import openai\n"
    b'openai.api_key = "k"\nclient = openai.OpenAI()\n' + CALL,
    "os imported under another name": b"import os as _os\nimport openai\n"
    b'client = openai.OpenAI(api_key=_os.environ["OPENAI_API_KEY"])\n' + CALL,
    "v0 module settings, openai imported in a function": b"def ask(q):\n    import openai\n"
    b'    return openai.ChatCompletion.create(model="gpt-4", messages=[])\n',
    "v0 module settings, optional import": b"try:\n    import openai\nexcept ImportError:\n"
    b"    openai = None\n\ndef ask(q):\n"
    b'    return openai.ChatCompletion.create(model="gpt-4", messages=[])\n',
    "v0 module settings, os imported in a function": b"import openai\ndef setup():\n"
    b'    import os\n    openai.api_key = os.getenv("OPENAI_API_KEY")\ndef ask(q):\n'
    b'    return openai.ChatCompletion.create(model="gpt-4", messages=[])\n',
    "os imported in a function only": b"import openai\ndef key():\n    import os\n"
    b'    return os.environ["OPENAI_API_KEY"]\nclient = openai.OpenAI(api_key=key())\n' + CALL,
}


@pytest.mark.parametrize("provider", ["deepseek", "qwen", "zhipu"])
@pytest.mark.parametrize("name", [*LAYOUTS, *BINDINGS])
def test_odd_valid_files_keep_every_promise(name: str, provider: str) -> None:
    data = {**LAYOUTS, **BINDINGS}[name]
    result = rewrite_bytes(data, provider)
    assert not result.errors, result.errors
    assert result.new_source is not None, "the file has a call to migrate"
    assert problems(data, provider) == []


def test_form_feeds_are_kept_on_untouched_and_edited_lines() -> None:
    data = LAYOUTS["form feed in a nested block's indentation"]
    new = rewrite_bytes(data, "deepseek").new_source
    assert new is not None
    assert b"\f    return g\n" in new  # untouched line, byte for byte
    assert b"\n\f        return openai.OpenAI(base_url=" in new  # edited line keeps its \f
    assert new.endswith(b"\f    return g\nafter = 2\n")


def test_layout_check_catches_what_it_guards() -> None:
    """The fuzz suite's byte check fails on the damage it is there to catch."""
    old = b"x = 1\nif a \\\n    :\n    pass\n# end \\"
    assert layout_changes(old, old) == []
    assert "final newline gained or lost" in layout_changes(old, old + b"\n")
    assert any("whitespace only" in p for p in layout_changes(old, old.replace(b" \\\n", b"")))
    assert layout_changes(b"a\rb\r", b"a\nb\n")  # CR-only made LF


def test_valid_python_libcst_refuses_is_a_parser_limit_not_a_syntax_error() -> None:
    # A backslash alone on the first line of a block: CPython joins it with the next line.
    data = b'import openai\nif True:\n    \\\n    openai.api_key = "k"\n'
    compile(data, "<valid>", "exec")
    module, error = parse_source(data, "limit.py")
    assert module is None and error is not None
    assert error.message.startswith(PARSER_LIMIT)
    assert "Python accepts this file" in error.message and "INDENT" in error.message
    assert "syntax error" not in error.message


def test_parser_crash_is_one_files_error_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "crashes.py").write_bytes(b"import openai\nclient = openai.OpenAI()\n")
    (tmp_path / "fine.py").write_bytes(b"import openai\nclient = openai.OpenAI()\n")
    real_parse = cst.parse_module

    def parse(source: bytes | str, *args: object, **kwargs: object) -> cst.Module:
        if b"crash" in bytes(source if isinstance(source, bytes) else source.encode()):
            raise AttributeError("'ParenthesizedWhitespace' object has no attribute 'value'")
        return real_parse(source, *args, **kwargs)  # type: ignore[arg-type]

    (tmp_path / "crashes.py").write_bytes(b"import openai  # crash\nclient = openai.OpenAI()\n")
    monkeypatch.setattr(cst, "parse_module", parse)
    report = scan(discover(tmp_path), jobs=1)
    [error] = report.errors
    assert error.path == "crashes.py"
    assert error.message.startswith(PARSER_LIMIT) and "AttributeError" in error.message
    assert report.files_with_usage == 1  # fine.py was scanned


def test_symlink_loop_named_py_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_bytes(b"import openai\n")
    os.symlink("loop.py", tmp_path / "loop.py")
    target = discover(tmp_path)
    assert [p.name for p in target.files] == ["app.py"]


def test_read_only_file_is_refused_unless_forced(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    (repo / "app.py").chmod(0o444)
    before = (repo / "app.py").read_bytes()
    refused = apply(repo)
    assert refused.exit_code != 0
    assert "read-only: app.py" in refused.output and "--force" in refused.output
    assert (repo / "app.py").read_bytes() == before
    assert "migrator/" not in git(repo, "branch")  # refused before the branch
    forced = apply(repo, "--force")
    assert forced.exit_code == 0, forced.output
    assert (repo / "app.py").read_bytes() != before
    assert (repo / "app.py").stat().st_mode & 0o777 == 0o444


def test_late_module_import_is_not_where_the_upgraded_client_gets_its_class() -> None:
    """fixtures/inventory/v0_module.py ends with `import openai as oa` below code, used only
    by v0 calls: `--upgrade-v0` builds the clients after the leading imports, so their
    classes must be imported there, not in place of the late import (pyflakes: undefined
    name 'OpenAI', 'AsyncOpenAI')."""
    data = (Path(__file__).parent.parent / "fixtures/inventory/v0_module.py").read_bytes()
    for provider in ("deepseek", "qwen", "zhipu"):
        assert problems(data, provider, upgrade_v0=True) == []


def test_wrapper_client_with_an_unknown_keyword_reading_the_environment() -> None:
    """A LangChain client whose env read sits in a keyword the SDK does not have: the env
    policy looked for it among the SDK clients and crashed (StopIteration)."""
    data = (
        b"import os\nfrom langchain_openai import AzureChatOpenAI\n\n"
        b'llm = AzureChatOpenAI(_azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"], '
        b'model="gpt-4o")\n'
    )
    for provider in ("deepseek", "qwen", "zhipu"):
        assert problems(data, provider) == []
