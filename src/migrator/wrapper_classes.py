"""OpenAI client classes of other libraries (LangChain, llama_index).

They wrap the openai SDK and send to OpenAI unless they are given another endpoint,
but take their own keyword names (`openai_api_base`, `model_name`, ...). The inventory
records their constructors so that `scan`, `diff` and the checklist see them; the
compat strategy does not rewrite them yet (codemods/wrapper_clients.py reports them).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WrapperClass:
    library: str  # "LangChain", "llama_index"
    family: str  # "chat", "completions", "embeddings"
    azure: bool
    base_url_keywords: tuple[str, ...]  # keywords that set the endpoint, in the library's order


_LANGCHAIN_URL = ("base_url", "openai_api_base")
_LLAMA_URL = ("api_base",)
_AZURE_URL = ("azure_endpoint", "openai_api_base", "base_url")

WRAPPER_CLASSES: dict[str, WrapperClass] = {
    # langchain_openai (the maintained package)
    "langchain_openai.ChatOpenAI": WrapperClass("LangChain", "chat", False, _LANGCHAIN_URL),
    "langchain_openai.OpenAI": WrapperClass("LangChain", "completions", False, _LANGCHAIN_URL),
    "langchain_openai.OpenAIEmbeddings": WrapperClass(
        "LangChain", "embeddings", False, _LANGCHAIN_URL
    ),
    "langchain_openai.AzureChatOpenAI": WrapperClass("LangChain", "chat", True, _AZURE_URL),
    "langchain_openai.AzureOpenAIEmbeddings": WrapperClass(
        "LangChain", "embeddings", True, _AZURE_URL
    ),
    # the older import paths, still common in tutorials
    "langchain.chat_models.ChatOpenAI": WrapperClass("LangChain", "chat", False, _LANGCHAIN_URL),
    "langchain.chat_models.AzureChatOpenAI": WrapperClass("LangChain", "chat", True, _AZURE_URL),
    "langchain.llms.OpenAI": WrapperClass("LangChain", "completions", False, _LANGCHAIN_URL),
    "langchain.embeddings.OpenAIEmbeddings": WrapperClass(
        "LangChain", "embeddings", False, _LANGCHAIN_URL
    ),
    "langchain_community.chat_models.ChatOpenAI": WrapperClass(
        "LangChain", "chat", False, _LANGCHAIN_URL
    ),
    "langchain_community.chat_models.AzureChatOpenAI": WrapperClass(
        "LangChain", "chat", True, _AZURE_URL
    ),
    "langchain_community.llms.OpenAI": WrapperClass(
        "LangChain", "completions", False, _LANGCHAIN_URL
    ),
    "langchain_community.embeddings.OpenAIEmbeddings": WrapperClass(
        "LangChain", "embeddings", False, _LANGCHAIN_URL
    ),
    # llama_index
    "llama_index.llms.openai.OpenAI": WrapperClass("llama_index", "chat", False, _LLAMA_URL),
    "llama_index.embeddings.openai.OpenAIEmbedding": WrapperClass(
        "llama_index", "embeddings", False, _LLAMA_URL
    ),
    "llama_index.llms.azure_openai.AzureOpenAI": WrapperClass(
        "llama_index", "chat", True, ("azure_endpoint", "api_base")
    ),
    "llama_index.embeddings.azure_openai.AzureOpenAIEmbedding": WrapperClass(
        "llama_index", "embeddings", True, ("azure_endpoint", "api_base")
    ),
}
