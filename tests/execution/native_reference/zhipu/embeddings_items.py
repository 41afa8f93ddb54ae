"""Embed product names for a catalogue search, one vector per product."""

import os

from zai import ZhipuAiClient

client = ZhipuAiClient(api_key=os.environ["ZAI_API_KEY"])

PRODUCTS = ["Blue ceramic mug", "Stainless steel kettle", "Bamboo cutting board"]


def main() -> None:
    e = client.embeddings.create(model="embedding-3", input=PRODUCTS, dimensions=1024)
    for item in e.data:
        # the size ends the line: the execution tests compare it with what was asked for
        print(f"{item.index}. {PRODUCTS[item.index]}, dimension: {len(item.embedding)}")
    print(f"tokens: {e.usage.total_tokens}")


if __name__ == "__main__":
    main()
