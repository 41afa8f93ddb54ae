"""Embed product names for a catalogue search, one vector per product."""

import os

from volcenginesdkarkruntime import Ark

client = Ark(api_key=os.environ["ARK_API_KEY"])

PRODUCTS = ["Blue ceramic mug", "Stainless steel kettle", "Bamboo cutting board"]


def main() -> None:
    e = client.embeddings.create(model="doubao-embedding-text-240715", input=PRODUCTS)
    for item in e.data:
        # the size ends the line: the execution tests compare it with what was asked for
        print(f"{item.index}. {PRODUCTS[item.index]}, dimension: {len(item.embedding)}")
    print(f"tokens: {e.usage.total_tokens}")


if __name__ == "__main__":
    main()
