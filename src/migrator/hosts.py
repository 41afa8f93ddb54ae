"""The host a URL names, as the engine and the codemods compare endpoints by it."""

from __future__ import annotations

from urllib.parse import urlsplit


def host_of(url: str) -> str:
    """`https://API.x.com/v1` -> "api.x.com"; a bare host is read as one; "" when
    the URL cannot be read."""
    try:
        return (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
    except ValueError:
        return ""
