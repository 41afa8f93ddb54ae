"""Embed a handful of FAQ entries for a search index."""

import os

from volcenginesdkarkruntime import Ark

# 2560-dimensional vectors in another space: the index is rebuilt at that size
EMBEDDING_MODEL = "doubao-embedding-text-240715"

FAQ = [
    "How do I reset my password?",
    "Where can I download my invoices?",
    "Can I change the billing currency?",
]


def embed(client: Ark, texts: list[str]) -> list[list[float]]:
    response = client.embeddings.create(model=EMBEDDING_MODEL, input=texts)
    return [item.embedding for item in response.data]


def main() -> None:
    vectors = embed(Ark(api_key=os.environ["ARK_API_KEY"]), FAQ)
    print(f"vectors: {len(vectors)}")
    print(f"dimension: {len(vectors[0])}")


if __name__ == "__main__":
    main()
