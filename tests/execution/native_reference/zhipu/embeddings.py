"""Embed a handful of FAQ entries for a search index."""

import os

from zai import ZhipuAiClient

EMBEDDING_MODEL = "embedding-3"
DIMENSIONS = 1024  # 1536 is not among embedding-3's sizes: the index is resized

FAQ = [
    "How do I reset my password?",
    "Where can I download my invoices?",
    "Can I change the billing currency?",
]


def embed(client: ZhipuAiClient, texts: list[str]) -> list[list[float]]:
    response = client.embeddings.create(model=EMBEDDING_MODEL, input=texts, dimensions=DIMENSIONS)
    return [item.embedding for item in response.data]


def main() -> None:
    vectors = embed(ZhipuAiClient(api_key=os.environ["ZAI_API_KEY"]), FAQ)
    print(f"vectors: {len(vectors)}")
    print(f"dimension: {len(vectors[0])}")


if __name__ == "__main__":
    main()
