"""Recognising and redacting API keys. No command ever prints a secret in full."""

from __future__ import annotations

import re

# OpenAI-style secret keys (sk-..., sk-proj-..., sk-svcacct-...): `sk-` starts a word (not
# the end of "task-" or "risk-"), and the key runs to the end of one.
_SECRET = re.compile(r"(?<![A-Za-z0-9_-])sk-(?:[A-Za-z0-9]+-)?[A-Za-z0-9_-]{16,}(?![A-Za-z0-9_-])")
# A key is random: a long stretch with no separator, holding a digit or a capital letter.
# Hyphenated words ("sk-learn-pipeline-config-v2", slugs, ids) have neither.
_RANDOM_RUN = re.compile(r"[A-Za-z0-9]{16,}")


def _key_shaped(candidate: str) -> bool:
    return any(
        any(c.isdigit() or c.isupper() for c in run.group(0))
        for run in _RANDOM_RUN.finditer(candidate, 3)
    )


def looks_like_secret(value: str) -> bool:
    """Whether `value` (a whole string) is an OpenAI-style secret key."""
    value = value.strip()
    return _SECRET.fullmatch(value) is not None and _key_shaped(value)


_PLACEHOLDER = re.compile(
    r"x{4,}|your|example|placeholder|change|replace|dummy|fake|here|test", re.IGNORECASE
)


def looks_like_openai_key(value: str) -> bool:
    """Whether `value` looks like a real OpenAI secret key rather than a placeholder
    (`sk-your-key-here`, `sk-test1234567890abcdef`, `sk-xxxx...`)."""
    value = value.strip()
    if not looks_like_secret(value):
        return False
    body = value[3:]
    if _PLACEHOLDER.search(body):
        return False
    return any(c.isdigit() for c in body) and any(c.isalpha() for c in body)


def find_secrets(text: str) -> list[str]:
    """The OpenAI-style secret keys written in `text`."""
    return [m.group(0) for m in _SECRET.finditer(text) if _key_shaped(m.group(0))]


def redact(secret: str) -> str:
    """`sk-****wxyz`: the key's family and at most its last 4 characters.

    Secrets shorter than 16 characters are fully masked (`****`), so that the shown tail is
    never a large part of the secret. The empty string stays empty.
    """
    secret = secret.strip()
    if not secret:
        return ""
    if len(secret) < 16:
        return "****"
    prefix = "sk-" if secret.startswith("sk-") else ""
    return f"{prefix}****{secret[-4:]}"


def redact_secrets(text: str) -> str:
    """`text` with every API key in it redacted: diffs show the lines that held a hard-coded
    key (removed or as context), and no command prints a secret in full."""
    for secret in sorted(set(find_secrets(text)), key=len, reverse=True):
        text = text.replace(secret, redact(secret))
    return text
