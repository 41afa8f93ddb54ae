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
    assert [f.id for f in found] == ["MIG501", "MIG108"]  # revoke it: it is in the git history


def test_short_or_unrelated_strings_are_not_keys() -> None:
    assert findings('import openai\n\nA = "sk-short"\nB = "task-0123456789abcdefghij"\n') == []


def test_words_ending_in_sk_are_not_keys() -> None:
    """`sk-` inside a word ("task-", "risk-", "disk-") or hyphenated words are no key."""
    code = (
        "import openai\n\n"
        'LABELS = ["task-automation", "risk-assessment-framework-2024", "disk-usage-report-v2"]\n'
        'QUEUE = "task-0123456789abcdefghijKLMNOP"\n'
        'ESTIMATOR = "sk-learn-pipeline-config-v2"\n'
        'PLACEHOLDER = "sk-abcdefghijklmnopqrstuvwxyz"\n'
    )
    assert findings(code) == []


def test_real_key_shapes_are_found_and_redacted() -> None:
    legacy = "sk-" + "Q3b7TzLk9VwX2mRp" * 3
    service = "sk-svcacct-" + "a8F_k2Lq-ZpX4wYc7NvB5mTr1JsD"
    found = findings(f'import openai\n\nA = "{legacy}"\nB = "{service}"\nC = "  {legacy}  "\n')
    assert [(f.id, f.line) for f in found] == [("MIG501", 3), ("MIG501", 4), ("MIG501", 5)]
    assert [f.message.split(":")[0] for f in found] == [
        "hard-coded API key sk-****2mRp",
        "hard-coded API key sk-****1JsD",
        "hard-coded API key sk-****2mRp",
    ]
    assert all(legacy not in f.message and service not in f.message for f in found)


def test_keys_in_text_need_a_word_boundary() -> None:
    """Docs and diffs are scanned as text: the same shape, found inside a sentence."""
    from migrator.secrets import find_secrets, redact_secrets

    key = "sk-proj-" + "Zq8Lm2Nc7Vb4Xe1Kd9Hs6Jg"
    text = (
        "Run the task-automation-0123456789ABCDEFGHIJ job, then risk-assessment-2024Q4-final "
        f"and disk-usage-report-v2; export OPENAI_API_KEY={key}.\n"
    )
    assert find_secrets(text) == [key]
    assert redact_secrets(text) == text.replace(key, "sk-****s6Jg")


def test_placeholder_keys_are_not_reported() -> None:
    code = (
        "import openai\n\n"
        'FAKE = "sk-test1234567890abcdef"\n'
        'DOC = "sk-your-api-key-goes-here-0000"\n'
        'MASK = "sk-xxxxxxxxxxxxxxxxxxxxxxxx1234"\n'
    )
    assert findings(code) == []
