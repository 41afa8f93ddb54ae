"""Embeddings input as token ids: OpenAI takes it, other providers refuse it.

OpenAI's embeddings endpoint accepts `input` as text or as token-id arrays (a list of
ints, or a list of such lists), and LangChain's `OpenAIEmbeddings` sends token ids by
default (it tokenizes with tiktoken, `check_embedding_ctx_length=True`). DashScope's and
Zhipu's OpenAI-compatible endpoints accept strings only and answer 400; so does this fake
for every host that is not OpenAI's (or an Azure OpenAI resource), in the error shape of
the provider the host names.
"""

from __future__ import annotations

from typing import Any

from _fakenet.common import Canned, json_response

OPENAI_HOSTS = ("api.openai.com",)
AZURE_SUFFIX = ".openai.azure.com"


def has_token_ids(raw: Any) -> bool:
    """`input` holds token ids: `[1, 2]` or `[[1, 2], [3]]`."""
    if not isinstance(raw, list) or not raw:
        return False
    return all(isinstance(x, int) for x in raw) or all(
        isinstance(x, list) and all(isinstance(i, int) for i in x) for x in raw
    )


def refuses(host: str) -> bool:
    return host not in OPENAI_HOSTS and not host.endswith(AZURE_SUFFIX) and host != "localhost"


def refusal(wire: str) -> Canned:
    """The 400 a provider's compatible endpoint answers to token-id input."""
    message = "fakenet: input must be a string or a list of strings (token ids are not accepted)"
    if wire == "zhipu":
        return json_response(400, {"error": {"code": "1214", "message": message}})
    payload = {
        "error": {
            "message": message,
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_parameter_error",
        }
    }
    return json_response(400, payload)
