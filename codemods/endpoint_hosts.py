"""What a base URL's host, or the name of the setting it comes from, says it points at.

Data, kept apart from the fixers: hosts of OpenAI-compatible services that are not OpenAI
(never retargeted), a few well-known relays to OpenAI (retargeted, MIG502), and the words
by which configuration names a provider or a local server (`MOONSHOT_BASE_URL`,
`settings.ollama_host`). The built-in providers' own hosts and names come from the
mappings (see policy/endpoints.py), not from here.
"""

from __future__ import annotations

import ipaddress
import re

from migrator.hosts import host_of

OPENAI_HOSTS = frozenset({"api.openai.com"})
AZURE_SUFFIXES = (
    ".openai.azure.com", ".openai.azure.cn", ".openai.azure.us",
    ".cognitiveservices.azure.com", ".cognitiveservices.azure.cn", ".services.ai.azure.com",
)  # fmt: skip

# Public relays that resell OpenAI access: what this migration replaces. A host that
# names OpenAI or ChatGPT (`api.openai-proxy.com`) is taken for one as well.
KNOWN_RELAY_HOSTS = frozenset(
    {
        "api.chatanywhere.tech",
        "api.chatanywhere.com.cn",
        "api.chatanywhere.org",
        "api.aiproxy.io",
        "api.closeai-asia.com",
        "api.gptsapi.net",
    }
)
_RELAY_WORDS = ("openai", "chatgpt")

# Domains of OpenAI-compatible services other than OpenAI and the built-in providers: a
# client pointed there talks to that service, and moving it would change who it talks to.
OTHER_PROVIDER_DOMAINS = (
    "cohere.ai", "cohere.com", "x.ai", "stepfun.com", "groq.com", "together.xyz",
    "together.ai", "fireworks.ai", "openrouter.ai", "mistral.ai", "googleapis.com",
    "perplexity.ai", "anthropic.com", "deepinfra.com", "nvidia.com", "novita.ai",
    "sambanova.ai", "cerebras.ai", "huggingface.co", "01.ai", "lingyiwanwu.com",
    "moonshot.ai", "moonshot.cn", "bigmodel.cn", "z.ai", "deepseek.com", "aliyuncs.com",
    "volces.com", "baidubce.com", "siliconflow.cn", "siliconflow.com", "minimax.chat",
    "minimaxi.com", "minimax.io", "baichuan-ai.com", "tencent.com", "xf-yun.com",
    "sensenova.cn", "ollama.com",
)  # fmt: skip

# Words that, in a setting's name, name a provider other than OpenAI ...
OTHER_PROVIDER_WORDS = frozenset(
    {
        "cohere", "xai", "grok", "stepfun", "groq", "together", "fireworks", "openrouter",
        "mistral", "gemini", "google", "vertex", "anthropic", "claude", "perplexity",
        "deepinfra", "nvidia", "novita", "sambanova", "cerebras", "huggingface", "hf",
        "lingyiwanwu", "zhipuai", "bigmodel", "volcengine", "volces", "baidu", "wenxin",
        "tencent", "iflytek", "xunfei", "sensetime", "aliyun", "bailian", "siliconcloud",
        "bedrock", "replicate", "cloudflare",
    }
)  # fmt: skip
# ... or a server of one's own.
LOCAL_SERVER_WORDS = frozenset(
    {
        "ollama", "vllm", "lmstudio", "localai", "llamacpp", "xinference", "tgi", "sglang",
        "fastchat", "oobabooga", "koboldcpp", "gpt4all", "localhost", "local", "selfhosted",
    }
)  # fmt: skip
# Mapping ids and aliases that are words of everyday configuration, not a provider's name.
GENERIC_WORDS = frozenset({"gateway", "azure", "openai"})

_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def name_words(name: str) -> set[str]:
    """`MOONSHOT_BASE_URL` -> {moonshot, base, url, ...}: the words of a name, lowercased,
    with each two neighbours joined too (`LM_STUDIO` also gives `lmstudio`)."""
    words = [w.lower() for w in _WORD.findall(name)]
    return {*words, *(a + b for a, b in zip(words, words[1:], strict=False))}


def classify_endpoint(url: str, provider_hosts: frozenset[str]) -> str:
    """What a literal base URL points at.

    openai | azure | provider (a provider of the run's mappings) | local | relay (a relay
    to OpenAI: known, or its host names OpenAI) | other (another known service) |
    unknown-host (a host nothing here knows: perhaps a relay, perhaps not)."""
    host = host_of(url)
    if not host:
        return "unknown-host"
    if host in OPENAI_HOSTS:
        return "openai"
    if host.endswith(AZURE_SUFFIXES):
        return "azure"
    if host in provider_hosts:
        return "provider"
    if host in ("localhost", "host.docker.internal") or "." not in host:
        return "local"
    if host.endswith((".local", ".internal", ".lan", ".svc", ".cluster.local")):
        return "local"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        return "local" if address.is_private or address.is_loopback else "unknown-host"
    if host in KNOWN_RELAY_HOSTS or any(word in host for word in _RELAY_WORDS):
        return "relay"
    if any(host == domain or host.endswith("." + domain) for domain in OTHER_PROVIDER_DOMAINS):
        return "other"
    return "unknown-host"
