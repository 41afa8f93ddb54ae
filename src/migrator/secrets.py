"""Recognising and redacting API keys. No command ever prints a secret in full."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

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
    return [m.group(0) for m in _openai_style_keys(text)]


def _openai_style_keys(text: str) -> list[re.Match[str]]:
    return [m for m in _SECRET.finditer(text) if _key_shaped(m.group(0))]


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
    """`text` with every credential in it redacted (`SECRET_FORMATS`): diffs show the lines
    that held a hard-coded key (removed or as context), error messages quote code, URLs
    carry passwords, and no command prints, nor file the tool creates holds, a secret."""
    merged: list[list[int]] = []
    for start, stop in sorted(secret_spans(text)):
        if merged and start <= merged[-1][1]:  # overlapping detections: one secret
            merged[-1][1] = max(merged[-1][1], stop)
        else:
            merged.append([start, stop])
    out: list[str] = []
    end = 0
    for start, stop in merged:
        out.append(text[end:start])
        out.append(redact(text[start:stop]))
        end = stop
    out.append(text[end:])
    return "".join(out)


def holds_secret(text: str) -> bool:
    """Does `text` hold any credential `redact_secrets` would redact?"""
    return bool(secret_spans(text))


def secret_spans(text: str) -> list[tuple[int, int]]:
    """(start, stop) of each credential `redact_secrets` would redact in `text`."""
    spans = [m.span() for m in _openai_style_keys(text)]
    for secret_format in SECRET_FORMATS:
        if secret_format.needs is not None and not secret_format.needs.search(text):
            continue
        if secret_format.from_words is not None:
            matches: Iterable[re.Match[str]] = _from_credential_words(
                secret_format.pattern, secret_format.from_words, text
            )
        else:
            matches = secret_format.pattern.finditer(text)
        for match in matches:
            value = match.group("secret")
            if secret_format.random and not _looks_random(value):
                continue
            start, stop = match.span("secret")
            spans.append((start, start + len(value.rstrip("./"))))  # a sentence's full stop
    return spans


# The words of a credential's name (lower case), each spelling its own; _CREDENTIAL_WORD
# and the search for them (_credential_word_starts) are both made from this list.
_CREDENTIAL_WORDS = tuple(
    f"{head}{sep}{tail}"
    for head, tail in (("api", "key"), ("access", "key"), ("private", "key"))
    for sep in ("", "_", "-")
) + ("secret", "token", "password", "passwd", "pwd", "credential", "auth")
_NAME_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_BEYOND_LATIN_1 = re.compile(r"[^\x00-\xff]")


def _credential_word_starts(text: str) -> list[int]:
    """Where the words of _CREDENTIAL_NAME occur in ASCII `text`, in any case (substring
    searches: a case-insensitive regex alternation tried at every position is slow)."""
    lowered = text.lower()
    found: list[int] = []
    for word in _CREDENTIAL_WORDS:
        at = lowered.find(word)
        while at != -1:
            found.append(at)
            at = lowered.find(word, at + 1)
    return found


def _from_credential_words(
    pattern: re.Pattern[str], from_words: re.Pattern[str], text: str
) -> Iterator[re.Match[str]]:
    """The matches `pattern.finditer(text)` gives, found from the credential words.

    `pattern` starts with _CREDENTIAL_NAME: a match starts where a run of name characters
    starts, then a credential word at most 60 characters into the run, which the regex
    finds by trying every prefix length (lazily) at every run start in the text, the
    slowest part of looking for secrets. A run's credential words in order, each tried
    with `from_words` (the pattern from the word on), find the same first match; runs are
    taken in order, skipping those inside the last match, as finditer does. (Only the
    `secret` group and the end of a match are used.)"""
    if not text.isascii() and _BEYOND_LATIN_1.search(text):
        # (?i) matches a few letters beyond Latin-1 as ASCII ones (the Kelvin sign as
        # `k`, the long s as `s`): the plain way. None of Latin-1's does, and each of its
        # characters lower-cases to one character, so text decoded as Latin-1 (how the
        # result cache reads bytes) keeps the fast way.
        yield from pattern.finditer(text)
        return
    words_of_run: dict[int, list[int]] = {}
    for word in _credential_word_starts(text):
        start = word
        limit = max(0, word - 61)
        while start > limit and text[start - 1] in _NAME_CHARACTERS:
            start -= 1
        if word - start <= 60 and not (start > 0 and text[start - 1] in _NAME_CHARACTERS):
            words_of_run.setdefault(start, []).append(word)
    end = 0
    for start in sorted(words_of_run):
        if start < end:
            continue
        for word in sorted(set(words_of_run[start])):
            match = from_words.match(text, word)
            if match is not None:
                yield match
                end = match.end()
                break


def _looks_random(value: str) -> bool:
    """A generated credential mixes letters and digits (or cases) and is not a placeholder:
    `your-api-key`, `${OPENAI_API_KEY}`, `xxxxxxxx`, `<token>` and file names are not."""
    if _PLACEHOLDER.search(value) or re.search(r"[${}<>()\[\]]", value):
        return False
    has_digit = any(c.isdigit() for c in value)
    has_alpha = any(c.isalpha() for c in value)
    mixed_case = any(c.isupper() for c in value) and any(c.islower() for c in value)
    return has_alpha and (has_digit or mixed_case)


@dataclass(frozen=True)
class SecretFormat:
    """One kind of credential: `pattern`'s group `secret` is what gets redacted; `random`
    asks the value to look generated (for formats that rely on the words around them)."""

    name: str
    pattern: re.Pattern[str]
    random: bool = False
    # A much cheaper pattern every match contains: a text without it is not searched
    # (most files hold no 32-hex run, no "AKIA", no "://"; the full patterns are slow).
    needs: re.Pattern[str] | None = None
    # For a pattern starting with _CREDENTIAL_NAME: the same pattern from the credential
    # word on, tried at each word (see _from_credential_words) instead of everywhere.
    from_words: re.Pattern[str] | None = None


def _format(
    name: str, regex: str, *, random: bool = False, needs: str = "", from_words: str = ""
) -> SecretFormat:
    compiled_needs = re.compile(needs) if needs else None
    compiled_words = re.compile(from_words) if from_words else None
    return SecretFormat(name, re.compile(regex), random, compiled_needs, compiled_words)


_START = r"(?<![A-Za-z0-9_/+=-])"
_END = r"(?![A-Za-z0-9_/+=-])"


def _prefixed(name: str, prefix: str, rest: str, *, random: bool = False) -> SecretFormat:
    """A token that starts with `prefix` (a regex) and goes on as `rest`, as a whole
    word: a text without the prefix is not searched for it."""
    secret = _START + r"(?P<secret>" + prefix + rest + ")" + _END
    return _format(name, secret, random=random, needs=prefix)


_HEX = r"[0-9a-fA-F]"
# Names under which code, configs and URLs hold credentials.
# (Each pattern starts where a word starts and its runs are bounded: a regex that may start
# anywhere inside a long run of letters, or backtrack over it, is quadratic on a base64
# blob or a minified line.)
_CREDENTIAL_WORD = "(?:" + "|".join(map(re.escape, _CREDENTIAL_WORDS)) + ")[A-Za-z0-9_]{0,40}"
_CREDENTIAL_NAME = r"(?<![A-Za-z0-9_.-])(?i:[A-Za-z0-9_.-]{0,60}?" + _CREDENTIAL_WORD + ")"
# What follows the name in the "named" format.
_NAMED_VALUE = r"[\"']?\s*(?:=|:|=>)\s*[rbuRBU]?[\"']?(?P<secret>[A-Za-z0-9_./+=-]{16,})"

_UUID = "-".join(f"{_HEX}{{{n}}}" for n in (8, 4, 4, 4, 12))
# A credential's word on the line before the value (for formats as common as a hash).
_KEY_NEARBY = r"(?i:key|token|secret|passw|credential|ark|azure)[^\n]{0,60}?"

# Formats of the providers migrator targets and the credentials found beside them. Each
# names its source: the providers' documentation of the key format or the SDK that reads it.
SECRET_FORMATS: tuple[SecretFormat, ...] = (
    # OpenAI, DashScope, DeepSeek, Moonshot, MiniMax: `sk-...` (see _SECRET above).
    # Zhipu (zai-sdk==0.2.3:zai/_client.py splits the key at "."): 32-hex id, "." secret.
    _format(
        "zhipu",
        _START + r"(?P<secret>" + _HEX + r"{32}\.[A-Za-z0-9]{16})" + _END,
        needs=_HEX + r"{32}\.",
    ),
    # Qianfan v3 bearer keys `bce-v3/ALTAK-.../...` and bare access keys `ALTAK...`.
    _prefixed("qianfan", "bce-v3/ALTAK-", r"[A-Za-z0-9]+/[A-Za-z0-9]+"),
    _prefixed("qianfan-ak", "ALTAK", r"[A-Za-z0-9-]{16,}"),
    # Tencent Cloud (Hunyuan) SecretId.
    _prefixed("tencent", "AKID", r"[A-Za-z0-9]{32}"),
    # AWS access key ids (long-term AKIA, temporary ASIA).
    _prefixed("aws", "(?:AKIA|ASIA)", r"[0-9A-Z]{16}"),
    # GitHub tokens: classic (ghp_, gho_, ghu_, ghs_, ghr_) and fine-grained (github_pat_).
    _prefixed("github", "gh[pousr]_", r"[A-Za-z0-9]{30,}"),
    _prefixed("github-pat", "github_pat_", r"[A-Za-z0-9_]{30,}"),
    # Hugging Face, Google API keys, Slack, and JSON web tokens (MiniMax's older keys).
    _prefixed("huggingface", "hf_", r"[A-Za-z0-9]{30,}"),
    _prefixed("google", "AIza", r"[0-9A-Za-z_-]{35}"),
    _prefixed("slack", "xox[abposr]-", r"[A-Za-z0-9-]{10,}"),
    _format(
        "jwt",
        _START + r"(?P<secret>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})",
        needs="eyJ",
    ),
    # Credentials in URLs: `scheme://user:password@host` (the password).
    _format(
        "url-password",
        r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,20}://[^\s:/@'\"]{1,200}:(?P<secret>[^\s@/'\"]{1,200})@",
        needs="://",
    ),
    # Query parameters: `?key=...`, `&token=...`, `api_key=...`, `sig=...`.
    _format(
        "query",
        r"[?&;](?i:key|api[_-]?key|apikey|token|access[_-]?token|auth|secret|password|sig|"
        r"signature|code)=(?P<secret>[^&#\s'\"]{6,})",
    ),
    # AWS secret keys (40 characters) and any other credential: a random-looking value
    # given to a credential's name
    # (`api_key="..."`, `AZURE_OPENAI_API_KEY=...`, `"token": "..."`, `secret: ...`).
    _format(
        "named",
        _CREDENTIAL_NAME + _NAMED_VALUE,
        random=True,
        from_words=r"(?i:" + _CREDENTIAL_WORD + ")" + _NAMED_VALUE,
    ),
    # Azure OpenAI keys (32 hex) and Ark keys (a UUID) where the line speaks of a key.
    _format(
        "azure",
        _KEY_NEARBY + _START + r"(?P<secret>" + _HEX + r"{32})" + _END,
        random=True,
        needs=_HEX + "{32}",
    ),
    _format("uuid-key", _KEY_NEARBY + _START + r"(?P<secret>" + _UUID + r")" + _END, needs=_UUID),
    # Short OpenAI-style keys (`sk-` and 8 to 15 random characters, no hyphen after).
    _prefixed("sk-short", "sk-", r"[A-Za-z0-9]{8,}", random=True),
)
