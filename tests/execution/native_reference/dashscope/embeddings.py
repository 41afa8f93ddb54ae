"""Embed a handful of FAQ entries for a search index."""

import os

import dashscope

EMBEDDING_MODEL = "text-embedding-v4"
DIMENSION = 1536  # the index's column size, kept

FAQ = [
    "How do I reset my password?",
    "Where can I download my invoices?",
    "Can I change the billing currency?",
]


def embed(client: dashscope.Client, texts: list[str]) -> list[list[float]]:
    # native spelling: dimension (singular); the vectors are under .embeddings
    response = client.embeddings.create(model=EMBEDDING_MODEL, input=texts, dimension=DIMENSION)
    return [item.embedding for item in response.embeddings]


def main() -> None:
    vectors = embed(dashscope.Client(api_key=os.environ["DASHSCOPE_API_KEY"]), FAQ)
    print(f"vectors: {len(vectors)}")
    print(f"dimension: {len(vectors[0])}")


if __name__ == "__main__":
    main()
