"""`secret_spans` skips formats a text cannot hold and finds the "named" format from the
credential words; it must find exactly what searching every pattern everywhere finds."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator import secrets
from tests.test_secrets_everywhere import PLANTED

ROOT = Path(__file__).resolve().parent.parent


def everywhere(text: str) -> list[tuple[int, int]]:
    """What secret_spans computed before it took shortcuts: every pattern, finditer."""
    spans = [m.span() for m in secrets._openai_style_keys(text)]
    for secret_format in secrets.SECRET_FORMATS:
        for match in secret_format.pattern.finditer(text):
            value = match.group("secret")
            if secret_format.random and not secrets._looks_random(value):
                continue
            start = match.start("secret")
            spans.append((start, start + len(value.rstrip("./"))))
    return spans


EDGES = [
    'API_KEY = "Zx8Qw7Er4Ty1Ui8Op5As"',
    'my_service_api_token: "Zx8Qw7Er4Ty1Ui8Op5As2"\nother_secret="Ab1Cd2Ef3Gh4Ij5Kl6"',
    "x" * 70 + '_token = "Zx8Qw7Er4Ty1Ui8Op5As"',  # the word too far into its name
    "x" * 55 + '_token = "Zx8Qw7Er4Ty1Ui8Op5As"',
    'tokentoken_secret = "Zx8Qw7Er4Ty1Ui8Op5As" auth="Qq1Ww2Ee3Rr4Tt5Yy6Uu"',
    'PassWord=\n  "Zx8Qw7Er4Ty1Ui8Op5As"',  # the value on the next line
    'ΤOKEN = "Zx8Qw7Er4Ty1Ui8Op5As"; \u212aey = 1; api_\u212aey = "Zx8Qw7Er4Ty1Ui8Op5As"',
    'a.b.private-key: Zx8Qw7Er4Ty1Ui8Op5As/+= token: ${TOKEN} pwd => "Aa1Bb2Cc3Dd4Ee5Ff6"',
    "uuid key 123e4567-e89b-12d3-a456-426614174000 and azure key 0123456789abcdef0123456789ABCDEF",
    # Latin-1 letters (UTF-8 bytes read as Latin-1, as the result cache reads files) take
    # the fast way: none of them matches an ASCII letter, even ignoring case
    'caf\xc3\xa9_api_key = "Zx8Qw7Er4Ty1Ui8Op5As"  # r\xc3\xa9sum\xc3\xa9',
    '\xe9token="Zx8Qw7Er4Ty1Ui8Op5As" \xdfecret = "Qq1Ww2Ee3Rr4Tt5Yy6Uu"',
    'pa\xdfword: "Ab1Cd2Ef3Gh4Ij5"',
    # beyond Latin-1, the plain way: the long s is an `s` to (?i), not to lower()
    'pa\u017f\u017fword = "Zx8Qw7Er4Ty1Ui8Op5As"',
    '\u0130\u0130 api_token = "Zx8Qw7Er4Ty1Ui8Op5As"',  # lower() makes each two characters
    '\xb5_TOKEN\xff = "Zx8Qw7Er4Ty1Ui8Op5As"; \xc0PI_KEY: "Aa1Bb2Cc3Dd4Ee5Ff6"',
]


@pytest.mark.parametrize("text", EDGES + [t.format(s) for s, t in PLANTED.values()])
def test_the_shortcuts_find_what_every_pattern_everywhere_finds(text: str) -> None:
    assert secrets.secret_spans(text) == everywhere(text)


def test_the_shortcuts_agree_over_our_fixtures() -> None:
    texts = [
        p.read_bytes().decode("latin-1")
        for p in sorted((ROOT / "fixtures").rglob("*"))
        if p.is_file() and p.stat().st_size < 200_000
    ]
    assert len(texts) > 200
    found = 0
    for text in texts:
        spans = secrets.secret_spans(text)
        assert spans == everywhere(text)
        found += len(spans)
    assert found > 10
