"""OpenAI client classes of other libraries (LangChain, llama_index).

They wrap the openai SDK and send to OpenAI unless they are given another endpoint,
but take their own keyword names (`openai_api_base`, `model_name`, ...). The inventory
records their constructors so that `scan`, `diff` and the checklist see them; the compat
rewrite (codemods/wrapper_rewrite.py) points them at the provider with these facts.

Facts read from the libraries' sources (langchain-openai==1.8.1, llama-index-llms-openai
==0.8.3, llama-index-embeddings-openai==0.6.0, llama-index-llms-openai-like==0.8.1,
llama-index-embeddings-openai-like==0.4.0):
- LangChain's fields take an alias: `model`/`model_name`, `base_url`/`openai_api_base`,
  `api_key`/`openai_api_key` (pydantic `populate_by_name`); only keywords are accepted.
- LangChain's `OpenAIEmbeddings` tokenizes with tiktoken and sends token-id arrays unless
  `check_embedding_ctx_length=False`; other providers' endpoints reject those arrays.
- llama_index's `OpenAI` looks its model up in a table of OpenAI ids (context size) and
  raises ValueError for any other id; `OpenAILike` (llama-index-llms-openai-like) takes any
  id. llama_index's `OpenAIEmbedding` turns its model into an enum of OpenAI ids
  (ValueError otherwise); `OpenAILikeEmbedding` (llama-index-embeddings-openai-like) takes
  any id, as `model_name=` (it refuses `model=`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A framework's model string naming OpenAI: "openai:gpt-4o" (LangChain init_chat_model,
# pydantic-ai), "openai/gpt-4o" (LiteLLM); group 1 the separator, group 2 the model id.
FRAMEWORK_MODEL = re.compile(r"openai([:/])([A-Za-z0-9][\w.\-]*)")


@dataclass(frozen=True)
class Replacement:
    """The class a wrapper becomes where its own cannot take a provider's model ids."""

    module: str
    name: str
    package: str  # PEP 508 requirement of the package that has it
    # the installed packages a project lists when it can take this one (dependency edits)
    anchors: tuple[str, ...]
    model_keyword: str
    settings: tuple[tuple[str, bool], ...] = ()  # keywords it needs (`is_chat_model=True`)


@dataclass(frozen=True)
class WrapperClass:
    """A LangChain or llama_index class that wraps the openai SDK, and its keywords."""

    library: str  # "LangChain", "llama_index"
    family: str  # "chat", "completions", "embeddings"
    azure: bool
    base_url_keywords: tuple[str, ...]  # keywords that set the endpoint, in the library's order
    model_keywords: tuple[str, ...] = ("model", "model_name")
    key_keywords: tuple[str, ...] = ("api_key", "openai_api_key")
    default_model: str = ""  # what the class sends when no model is given
    model_position: int | None = None  # the positional parameter that is the model
    settings: tuple[tuple[str, bool], ...] = ()  # keywords the provider needs set
    replacement: Replacement | None = None
    plain: str = ""  # an Azure class: the plain class of the same module it becomes


# Keywords only LangChain's Azure classes take (langchain-openai==1.8.1:
# chat_models/azure.py, embeddings/azure.py): dropped when they become the plain class.
AZURE_ONLY_KEYWORDS = frozenset({
    "azure_endpoint", "azure_deployment", "deployment_name", "deployment", "api_version",
    "openai_api_version", "openai_api_type", "azure_ad_token", "azure_ad_token_provider",
    "azure_ad_async_token_provider", "validate_base_url", "model_version",
})  # fmt: skip


_LANGCHAIN_URL = ("base_url", "openai_api_base")
_LLAMA_URL = ("api_base",)
_AZURE_URL = ("azure_endpoint", "openai_api_base", "base_url")
_LLAMA_ANCHORS = ("llama-index", "llama-index-core")

_CHAT = WrapperClass("LangChain", "chat", False, _LANGCHAIN_URL, default_model="gpt-3.5-turbo")
_COMPLETIONS = WrapperClass(
    "LangChain", "completions", False, _LANGCHAIN_URL, default_model="gpt-3.5-turbo-instruct"
)
_EMBEDDINGS = WrapperClass(
    "LangChain",
    "embeddings",
    False,
    _LANGCHAIN_URL,
    model_keywords=("model",),
    default_model="text-embedding-ada-002",
    settings=(("check_embedding_ctx_length", False),),
)
_AZURE_CHAT = WrapperClass(
    "LangChain", "chat", True, _AZURE_URL, default_model="gpt-3.5-turbo", plain="ChatOpenAI"
)
_AZURE_EMBEDDINGS = WrapperClass(
    "LangChain",
    "embeddings",
    True,
    _AZURE_URL,
    model_keywords=("model",),
    default_model="text-embedding-ada-002",
    settings=(("check_embedding_ctx_length", False),),
    plain="OpenAIEmbeddings",
)

LLAMA_CHAT_LIKE = Replacement(
    "llama_index.llms.openai_like",
    "OpenAILike",
    "llama-index-llms-openai-like",
    (*_LLAMA_ANCHORS, "llama-index-llms-openai"),
    "model",
    (("is_chat_model", True),),
)
LLAMA_EMBEDDING_LIKE = Replacement(
    "llama_index.embeddings.openai_like",
    "OpenAILikeEmbedding",
    "llama-index-embeddings-openai-like",
    (*_LLAMA_ANCHORS, "llama-index-embeddings-openai"),
    "model_name",
)

WRAPPER_CLASSES: dict[str, WrapperClass] = {
    # langchain_openai (the maintained package)
    "langchain_openai.ChatOpenAI": _CHAT,
    "langchain_openai.OpenAI": _COMPLETIONS,
    "langchain_openai.OpenAIEmbeddings": _EMBEDDINGS,
    "langchain_openai.AzureChatOpenAI": _AZURE_CHAT,
    "langchain_openai.AzureOpenAIEmbeddings": _AZURE_EMBEDDINGS,
    # the older import paths, still common in tutorials
    "langchain.chat_models.ChatOpenAI": _CHAT,
    "langchain.chat_models.AzureChatOpenAI": _AZURE_CHAT,
    "langchain.llms.OpenAI": _COMPLETIONS,
    "langchain.embeddings.OpenAIEmbeddings": _EMBEDDINGS,
    "langchain_community.chat_models.ChatOpenAI": _CHAT,
    "langchain_community.chat_models.AzureChatOpenAI": _AZURE_CHAT,
    "langchain_community.llms.OpenAI": _COMPLETIONS,
    "langchain_community.embeddings.OpenAIEmbeddings": _EMBEDDINGS,
    # llama_index
    "llama_index.llms.openai.OpenAI": WrapperClass(
        "llama_index",
        "chat",
        False,
        _LLAMA_URL,
        model_keywords=("model",),
        key_keywords=("api_key",),
        default_model="gpt-3.5-turbo",
        model_position=0,
        replacement=LLAMA_CHAT_LIKE,
    ),
    "llama_index.embeddings.openai.OpenAIEmbedding": WrapperClass(
        "llama_index",
        "embeddings",
        False,
        _LLAMA_URL,
        model_keywords=("model",),
        key_keywords=("api_key",),
        default_model="text-embedding-ada-002",
        replacement=LLAMA_EMBEDDING_LIKE,
    ),
    "llama_index.llms.azure_openai.AzureOpenAI": WrapperClass(
        "llama_index", "chat", True, ("azure_endpoint", "api_base")
    ),
    "llama_index.embeddings.azure_openai.AzureOpenAIEmbedding": WrapperClass(
        "llama_index", "embeddings", True, ("azure_endpoint", "api_base")
    ),
}

# A provider's own integration in these libraries (checklist advice; the rewrite keeps the
# OpenAI-compatible class, which the execution tests run). By mapping id. Sources:
# https://reference.langchain.com/python/langchain-community/embeddings/dashscope/DashScopeEmbeddings
# https://developers.llamaindex.ai/python/framework/integrations/embeddings/dashscope_embeddings/
# https://docs.langchain.com/oss/python/integrations/text_embedding/zhipuai
# https://developers.llamaindex.ai/python/framework-api-reference/embeddings/zhipuai
# https://pypi.org/project/langchain-deepseek/ (ChatDeepSeek)
FIRST_CLASS: dict[str, dict[str, str]] = {
    "dashscope": {
        "LangChain chat": "langchain_community.chat_models.ChatTongyi",
        "LangChain embeddings": "langchain_community.embeddings.DashScopeEmbeddings",
        "llama_index chat": "llama_index.llms.dashscope.DashScope",
        "llama_index embeddings": "llama_index.embeddings.dashscope.DashScopeEmbedding",
    },
    "zhipu": {
        "LangChain chat": "langchain_community.chat_models.ChatZhipuAI",
        "LangChain embeddings": "langchain_community.embeddings.ZhipuAIEmbeddings",
        "llama_index chat": "llama_index.llms.zhipuai.ZhipuAI",
        "llama_index embeddings": "llama_index.embeddings.zhipuai.ZhipuAIEmbedding",
    },
    "deepseek": {"LangChain chat": "langchain_deepseek.ChatDeepSeek"},
    "moonshot": {"LangChain chat": "langchain_community.chat_models.MoonshotChat"},
    "qianfan": {"LangChain chat": "langchain_community.chat_models.QianfanChatEndpoint"},
}
