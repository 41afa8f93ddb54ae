"""Recognising and redacting API keys. No command ever prints a secret in full."""

from __future__ import annotations

import re

# OpenAI-style secret keys (sk-..., sk-proj-..., sk-svcacct-...) and long bearer-ish tokens.
_SECRET = re.compile(r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{16,}")


def looks_like_secret(value: str) -> bool:
    return _SECRET.fullmatch(value.strip()) is not None


def find_secrets(text: str) -> list[str]:
    return _SECRET.findall(text)


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
