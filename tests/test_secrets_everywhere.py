"""Every credential format we recognise, planted in a repository: no command prints one and
no file the tool creates holds one (the patch `diff -o` writes for the user excepted).

The values are made up for this test, shaped like each provider's keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from migrator.cli import main
from migrator.secrets import redact_secrets
from tests.test_apply import git, make_repo

# name -> (secret, how it appears in code). Each secret is unique, so a leak names its format.
PLANTED = {
    "openai project key": ("sk-proj-Qw7Er4Ty1Ui8Op5As2Df9Gh6Jk3L", 'OPENAI_KEY = "{}"'),
    "short OpenAI key": ("sk-Zx5Cv8Bn2M", 'SHORT_KEY = "{}"'),
    "azure 32-hex key": ("7c1e4a9b2d5f8036a1b4c7d0e3f6a9b2", 'AZURE_OPENAI_API_KEY = "{}"'),
    "zhipu id.secret": ("4b8e1d7a0c3f6925b8e1d4a7c0f3962a.Mn4Bv7Cx1Zl8Kj5H", 'ZHIPU = "{}"'),
    "dashscope key": ("sk-9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d", 'DASHSCOPE = "{}"'),
    "ark uuid key": ("5d2f8a1c-9e4b-4c7a-8d3f-6b1e9a2c5d8f", 'ARK_API_KEY = "{}"'),
    "qianfan bce-v3": (
        "bce-v3/ALTAK-Hq3Wk8Zr5Tp2Mx7N/7f3a9c1e5b8d2f6a0c4e8b1d5f9a3c7e2b6d0f4a",
        'QIANFAN_KEY = "{}"',
    ),
    "qianfan access key": ("ALTAKq9Wz3Rk7Tm1Px5Nv2", 'QIANFAN_AK = "{}"'),
    "moonshot key": ("sk-Kp4Lm8Nq2Rs6Tv0Wx3Yz7Ab1Cd5Ef9Gh", 'MOONSHOT = "{}"'),
    "github classic token": ("ghp_R7t2Y9u4I1o6P3a8S5d0F7g2H9j4K1l6Z3x8", 'GH = "{}"'),
    "github fine-grained token": (
        "github_pat_11AQ7ZXYA0Mx3Kq8Vt2Wn5_Rb4Ls9Pd6Hc1Fj7Gk2Tz8Yw3Ue5Io0Pa9Sd4Fg6Hj1Kl",
        'GH_PAT = "{}"',
    ),
    "aws access key id": ("AKIA4XQ7ZR2TW9KM3PLN", 'AWS_ACCESS_KEY_ID = "{}"'),
    "aws secret key": ("q8Rz3Tk5Wm1Xn7Vb2Lp4Jc6Hd9Fg0Sa8Qe3Yu5I", 'aws_secret_access_key = "{}"'),
    "password in a URL": ("Pa55w0rdInUrl", 'PROXY = "https://alice:{}@gateway.internal.test/v1"'),
    "key query parameter": (
        "Qk7Ww2Ee9Rr4",
        'SEARCH = "https://search.internal.test/v1?key={}&q=1"',
    ),
    "token query parameter": ("Tk3Yy8Uu1Ii6", 'FEED = "https://feed.internal.test/x?a=1&token={}"'),
    "relay URL password": ("Rel4yPassw0rd", "# see https://bob:{}@relay.internal.test"),
    "relay URL token": ("Tk9Zz1Xx2Cc3", "# see https://relay.internal.test/v1?token={}"),
}


def _app() -> str:
    """Each planted line right before a call the rewrite edits: diffs show it as context."""
    calls = "".join(
        f"{template.format(secret)}\n"
        f'r{number} = client.chat.completions.create(model="gpt-4o", messages=[])\n'
        for number, (secret, template) in enumerate(PLANTED.values())
    )
    return (
        "from openai import OpenAI\n\n"
        "client = OpenAI(\n"
        '    api_key="sk-proj-Qw7Er4Ty1Ui8Op5As2Df9Gh6Jk3L",\n'
        '    base_url="https://alice:Pa55w0rdInUrl@api.openai.com/v1",\n'
        ")\n"
        # a client on a host migrator cannot place: findings quote its URL
        'relay = OpenAI(base_url="https://bob:Rel4yPassw0rd@relay.internal.test/v1?token=Tk9Zz1Xx2Cc3")\n'
        'relayed = relay.chat.completions.create(model="gpt-4o", messages=[])\n' + calls
    )


def _leaks(text: str) -> list[str]:
    return [name for name, (secret, _) in PLANTED.items() if secret in text]


@pytest.mark.parametrize("name", list(PLANTED))
def test_each_format_is_recognised_and_redacted(name: str) -> None:
    secret, template = PLANTED[name]
    line = template.format(secret)
    assert secret not in redact_secrets(line)
    assert secret not in redact_secrets(f"- {line}\n+ other\n")  # a diff line


def test_lookalikes_stay_as_they_are() -> None:
    text = (
        "task-automation-0123456789ABCDEFGHIJ sk-learn-pipeline-config-v2 "
        'h = "d41d8cd98f00b204e9800998ecf8427e" '
        'request_id = "3f2a9c1e-7b4d-4e8a-9c2f-1a2b3c4d5e6f" '
        'api_key=os.environ["DEEPSEEK_API_KEY"] OPENAI_API_KEY -> DEEPSEEK_API_KEY '
        'api_key="${OPENAI_API_KEY}" token = "your-token-here-please" '
        "https://example.com/docs?page=2"
    )
    assert redact_secrets(text) == text


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.output + (result.stderr if result.stderr_bytes else "")


def test_no_output_or_created_file_holds_a_planted_secret(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {
            "app.py": _app(),
            "broken.py": 'import openai\nKEY = "sk-proj-Qw7Er4Ty1Ui8Op5As2Df9Gh6Jk3L"\ndef f(:\n',
            "requirements.txt": "openai>=1\n",
            ".env.example": "OPENAI_API_KEY=sk-Kp4Lm8Nq2Rs6Tv0Wx3Yz7Ab1Cd5Ef9Gh\n"
            "GITHUB_TOKEN=ghp_R7t2Y9u4I1o6P3a8S5d0F7g2H9j4K1l6Z3x8\n",
            "settings.yaml": "openai:\n  api_key: 7c1e4a9b2d5f8036a1b4c7d0e3f6a9b2\n"
            "  base_url: https://alice:Pa55w0rdInUrl@api.openai.com/v1\n  model: gpt-4o\n",
        },
    )
    before = set(git(repo, "ls-files").splitlines())
    outputs = {
        "scan": _run("scan", str(repo)),
        "scan json": _run("scan", str(repo), "--format", "json"),
        "diff": _run("diff", str(repo), "--to", "deepseek"),
        "diff json": _run("diff", str(repo), "--to", "deepseek", "--format", "json"),
        "diff color": _run("diff", str(repo), "--to", "deepseek", "--color"),
        "checklist": _run("checklist", str(repo), "--to", "deepseek"),
        "checklist json": _run("checklist", str(repo), "--to", "deepseek", "--format", "json"),
        "apply": _run("apply", str(repo), "--to", "deepseek"),
    }
    assert "Migrated to" in outputs["apply"], outputs["apply"]
    outputs["commit message"] = git(repo, "log", "-1", "--format=%B")
    created = set(git(repo, "ls-files").splitlines()) - before
    assert "MIGRATION.md" in created
    for name in created:
        outputs[name] = (repo / name).read_text(encoding="utf-8")
    # The planted values are visible where they are meant to be (the test can fail) ...
    assert _leaks((repo / "broken.py").read_text()) == ["openai project key"]
    assert "hard-coded" in outputs["checklist"]
    # ... and nowhere else.
    leaks = {name: _leaks(text) for name, text in outputs.items() if _leaks(text)}
    assert leaks == {}


def test_screen_stays_redacted_when_a_patch_is_written(tmp_path: Path) -> None:
    """`diff -o` writes the user a patch (how its lines are kept is the patch's concern);
    what the screen shows is redacted all the same."""
    repo = make_repo(tmp_path / "repo", {"app.py": _app()})
    patch = tmp_path / "out.patch"
    screen = _run("diff", str(repo), "--to", "deepseek", "-o", str(patch))
    assert patch.exists()
    assert "-client = OpenAI(" in screen or "OpenAI(" in screen
    assert _leaks(screen) == []


def test_redaction_stays_linear_on_long_runs() -> None:
    """Notebook outputs and minified lines hold long runs without separators: a pattern that
    rescans them from every position would take minutes here."""
    import time

    n = 60_000
    shapes = ["a_" * (n // 2), "api_key" * (n // 7), "https://" * (n // 8), "key " * (n // 4),
              "sk-" * (n // 3), "Ab1+" * (n // 4)]  # fmt: skip
    start = time.perf_counter()
    for text in shapes:
        redact_secrets(text)
    assert time.perf_counter() - start < 15
