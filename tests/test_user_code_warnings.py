"""Python's warnings about the user's code are not printed as if they were migrator's.

migrator compiles the user's code as text (`ast.parse`, libcst's `evaluated_value`); an
invalid escape in it ("\\d") made Python print `<unknown>:4: SyntaxWarning: invalid escape
sequence '\\d'` on stderr (a DeprecationWarning before Python 3.12, shown under
`-W default`). Each command runs as a child process with every warning shown, with and
without workers.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SETTINGS = 'import re\n\nCHAT_MODEL = "gpt-4o-mini"\nID = re.compile("\\d+")\n'
MODULE = """import os
import re

from openai import OpenAI

from app.settings import CHAT_MODEL

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
NUMBER = re.compile("\\d+")


def ask(question):
    messages = [{"role": "user", "content": question}]
    return client.chat.completions.create(model=CHAT_MODEL, messages=messages)


if __name__ == "__main__":
    print(ask("hi"))
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    app = tmp_path / "project" / "app"
    app.mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "settings.py").write_text(SETTINGS)
    for i in range(10):  # enough files for the workers to take them
        (app / f"m{i}.py").write_text(MODULE)
    assert "\\d" in (app / "m0.py").read_text()
    return tmp_path / "project"


@pytest.mark.parametrize(
    "command",
    [["scan"], ["diff", "--to", "qwen", "-j", "1"], ["diff", "--to", "qwen", "-j", "2"],
     ["checklist", "--to", "qwen"]],
)  # fmt: skip
def test_no_warning_about_the_users_code_is_printed(project: Path, command: list[str]) -> None:
    env = {**os.environ, "MIGRATOR_NO_CACHE": "1", "PYTHONWARNINGS": "default"}
    proc = subprocess.run(
        [sys.executable, "-m", "migrator", command[0], str(project), *command[1:]],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "escape sequence" not in proc.stderr
    assert "Warning" not in proc.stderr.replace("warning MIG", "")
    if command[0] == "diff":
        assert "dashscope" in proc.stdout.lower()  # it did rewrite the files
