from __future__ import annotations

from pathlib import Path

import pytest

from migrator.envfiles import (
    EditResult,
    SecretHit,
    edit_env_template,
    find_dotenv_files,
    find_env_templates,
    looks_like_openai_key,
    redact,
    scan_dotenv_for_keys,
)

# Built from pieces so that no full key-shaped literal sits in the repository.
REAL_KEY = "sk-proj-" + "Ab3dEf9hIjK2mNoP4rStUv6xYz0123" + "wxyz"
OLD_KEY = "sk-" + "T3BlbkFJ" + "q8Zr5Lm2Nc7Vb4Xe1Kd9Hs6Jg" + "abcd"

RENAMES = {"OPENAI_API_KEY": "DEEPSEEK_API_KEY", "OPENAI_BASE_URL": "DEEPSEEK_BASE_URL"}
ADD = {"DEEPSEEK_API_KEY": "", "DEEPSEEK_BASE_URL": "https://api.deepseek.com"}


def test_redact() -> None:
    assert redact(REAL_KEY) == "sk-****wxyz"
    assert redact(OLD_KEY) == "sk-****abcd"
    assert redact("  " + OLD_KEY + "\n") == "sk-****abcd"
    assert redact("0123456789abcdefWXYZ") == "****WXYZ"
    assert redact("sk-short") == "****"
    assert redact("fifteen-chars-x") == "****"
    assert redact("") == ""


def test_looks_like_openai_key() -> None:
    assert looks_like_openai_key(REAL_KEY)
    assert looks_like_openai_key(OLD_KEY)
    for placeholder in (
        "sk-...",
        "sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "sk-your-openai-api-key-goes-here-12345",
        "sk-REPLACE_ME_WITH_A_REAL_KEY_0000",
        "sk-abcdefghijklmnopqrstuvwxyz",  # no digit
        "",
        "not-a-key",
        "sk-proj-" + "A1" * 5,  # too short
    ):
        assert not looks_like_openai_key(placeholder), placeholder


def test_template_renames_keeps_everything_else() -> None:
    text = (
        "# OpenAI settings\n"
        "export OPENAI_API_KEY=\n"
        "OPENAI_BASE_URL = https://api.openai.com/v1 # default endpoint\n"
        "OTHER='x y'\n"
        "\n"
        "OPENAI_ORG_ID=org-123\n"
        "DEEPSEEK_MODEL=deepseek-chat\n"
    )
    result = edit_env_template(text, RENAMES, ADD)
    assert result == EditResult(
        "# OpenAI settings\n"
        "export DEEPSEEK_API_KEY=\n"
        "DEEPSEEK_BASE_URL = https://api.deepseek.com # default endpoint\n"
        "OTHER='x y'\n"
        "\n"
        "OPENAI_ORG_ID=org-123\n"
        "DEEPSEEK_MODEL=deepseek-chat\n",
        True,
        [
            "line 2: renamed OPENAI_API_KEY to DEEPSEEK_API_KEY",
            "line 3: renamed OPENAI_BASE_URL to DEEPSEEK_BASE_URL",
            "line 3: set DEEPSEEK_BASE_URL to https://api.deepseek.com",
        ],
    )


def test_template_blanks_real_key_crlf_and_adds_missing() -> None:
    text = (
        "# set OPENAI_API_KEY below\r\n"
        f'OPENAI_API_KEY="{REAL_KEY}"  # from the dashboard\r\n'
        "PROXY_KEY=${OPENAI_API_KEY}\r\n"
        "OPENAI_BASE_URL=https://proxy.internal/v1"
    )
    add = {**ADD, "DEEPSEEK_MODEL": "deepseek chat"}
    result = edit_env_template(text, RENAMES, add)
    assert result.new_text == (
        "# set OPENAI_API_KEY below\r\n"
        'DEEPSEEK_API_KEY=""  # from the dashboard\r\n'
        "PROXY_KEY=${DEEPSEEK_API_KEY}\r\n"
        "DEEPSEEK_BASE_URL=https://proxy.internal/v1\r\n"
        "# added by migrator\r\n"
        'DEEPSEEK_MODEL="deepseek chat"\r\n'
    )
    assert result.notes == [
        "line 1: a comment mentions OPENAI_API_KEY; review it",
        "line 2: renamed OPENAI_API_KEY to DEEPSEEK_API_KEY",
        "line 2: blanked the value of DEEPSEEK_API_KEY (sk-****wxyz) - it looked like a real "
        "OpenAI key; revoke it if it was ever committed",
        "line 3: PROXY_KEY now refers to the renamed variables",
        "line 4: renamed OPENAI_BASE_URL to DEEPSEEK_BASE_URL",
        "line 4: kept the value of DEEPSEEK_BASE_URL; check it",
        "added DEEPSEEK_MODEL",
    ]
    assert REAL_KEY not in repr(result)


def test_template_adds_when_nothing_to_rename() -> None:
    result = edit_env_template("APP_ENV=dev\n", RENAMES, ADD)
    assert result == EditResult(
        "APP_ENV=dev\n# added by migrator\nDEEPSEEK_API_KEY=\n"
        "DEEPSEEK_BASE_URL=https://api.deepseek.com\n",
        True,
        ["added DEEPSEEK_API_KEY", "added DEEPSEEK_BASE_URL"],
    )
    assert edit_env_template("", {}, {"X": "1"}).new_text == "# added by migrator\nX=1\n"


def test_template_target_already_present() -> None:
    text = "DEEPSEEK_API_KEY=\nOPENAI_API_KEY=\n"
    result = edit_env_template(text, RENAMES, {})
    assert result == EditResult(
        text, False, ["line 2: DEEPSEEK_API_KEY is already set; OPENAI_API_KEY was left as it is"]
    )


def test_template_unrenamed_real_key_is_reported_not_copied() -> None:
    text = f"LEGACY_KEY={OLD_KEY}\n"
    result = edit_env_template(text, RENAMES, {})
    assert result.new_text == text
    assert result.notes == [
        "line 1: LEGACY_KEY holds what looks like a real OpenAI key (sk-****abcd); remove it "
        "from the template"
    ]
    assert OLD_KEY not in "".join(result.notes)


@pytest.mark.parametrize(
    "text",
    [
        "export OPENAI_API_KEY=sk-xxxx\nOPENAI_BASE_URL=\n",
        f"OPENAI_API_KEY='{REAL_KEY}'\r\nA=1",
        "# nothing\n",
        "",
    ],
)
def test_template_idempotent(text: str) -> None:
    first = edit_env_template(text, RENAMES, ADD)
    second = edit_env_template(first.new_text, RENAMES, ADD)
    assert second.new_text == first.new_text
    assert not second.changed


def test_template_rejects_bad_names() -> None:
    with pytest.raises(ValueError, match="not an environment variable name: 'BAD NAME'"):
        edit_env_template("", {"OPENAI_API_KEY": "BAD NAME"}, {})


def test_find_env_templates_and_dotenv_files() -> None:
    files = [
        Path(".env"),
        Path(".env.example"),
        Path("svc/.env.sample"),
        Path(".env.template"),
        Path("prod.env.example"),
        Path(".env.local.example"),
        Path("env.example"),
        Path(".env.local"),
        Path("deploy/prod.env"),
        Path("environment.yml"),
        Path("example.py"),
        Path(".envrc"),
    ]
    assert find_env_templates(files) == [
        Path(".env.example"),
        Path(".env.local.example"),
        Path(".env.template"),
        Path("env.example"),
        Path("prod.env.example"),
        Path("svc/.env.sample"),
    ]
    assert find_dotenv_files(files) == [Path(".env"), Path(".env.local"), Path("deploy/prod.env")]
    # the project's file list is `/`-separated strings: the same files come back, as paths
    as_text = [f.as_posix() for f in files]
    assert find_env_templates(as_text) == find_env_templates(files)
    assert find_dotenv_files(as_text) == find_dotenv_files(files)


def test_scan_dotenv_reports_redacted(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_bytes(
        (
            "\ufeff# local secrets\n"
            f"OPENAI_API_KEY={REAL_KEY}\n"
            "AZURE_OPENAI_API_KEY='0123456789abcdef0123'\r\n"
            "OPENAI_BASE_URL=https://api.openai.com/v1\n"
            f'export OTHER_SERVICE="{OLD_KEY}"  # pasted\n'
            "OPENAI_API_KEY_BACKUP=\n"
            "DEBUG=1\n"
        ).encode()
        + b"BROKEN=\xff\xfe\n"
    )
    hits = scan_dotenv_for_keys(env)
    assert hits == [
        SecretHit(2, "OPENAI_API_KEY=sk-****wxyz"),
        SecretHit(3, "AZURE_OPENAI_API_KEY=****0123"),
        SecretHit(5, "OTHER_SERVICE=sk-****abcd"),
    ]
    assert (hits[0].name, hits[0].redacted) == ("OPENAI_API_KEY", "sk-****wxyz")
    line, text = hits[2]
    assert (line, text) == (5, "OTHER_SERVICE=sk-****abcd")
    dumped = repr(hits) + "".join(h.name + h.redacted for h in hits)
    for secret in (REAL_KEY, OLD_KEY, "0123456789abcdef0123"):
        assert secret not in dumped


def test_scan_dotenv_missing_file(tmp_path: Path) -> None:
    assert scan_dotenv_for_keys(tmp_path / ".env") == []
