"""codemods/hardcoded_keys.py: API keys in the code are findings, never printed in full."""

from __future__ import annotations

from tests.codemod_helpers import check_noop, check_transformed, findings

KEY = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx1234"


def test_key_anywhere_is_an_error_finding_with_the_value_redacted() -> None:
    found = check_noop(f'import openai\n\nBACKUP = "{KEY}"\n')
    assert [(f.id, f.severity, f.line) for f in found] == [("MIG501", "error", 3)]
    assert "sk-****1234" in found[0].message
    assert KEY not in found[0].message
    assert "DEEPSEEK_API_KEY" in found[0].message


def test_key_passed_to_a_client_is_replaced_and_still_reported() -> None:
    found = check_transformed(
        f"""\
        from openai import OpenAI

        client = OpenAI(api_key="{KEY}")
        """,
        """\
        import os

        from openai import OpenAI

        client = OpenAI(api_key=os.environ.get("MINIMAX_API_KEY", "missing-MINIMAX_API_KEY"), base_url="https://api.minimaxi.com/v1")
        """,
        "minimax",
    )
    assert [f.id for f in found] == ["MIG501", "MIG107"]  # revoke it: it is in the git history


def test_short_or_unrelated_strings_are_not_keys() -> None:
    assert findings('import openai\n\nA = "sk-short"\nB = "task-0123456789abcdefghij"\n') == []
