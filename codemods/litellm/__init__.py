"""Fixers of the `litellm` strategy: OpenAI SDK calls become LiteLLM's SDK calls."""
