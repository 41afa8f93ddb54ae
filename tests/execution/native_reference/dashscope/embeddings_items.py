"""Embed product names for a catalogue search, one vector per product."""

import os

import dashscope

client = dashscope.Client(api_key=os.environ["DASHSCOPE_API_KEY"])

PRODUCTS = ["Blue ceramic mug", "Stainless steel kettle", "Bamboo cutting board"]


def main() -> None:
    e = client.embeddings.create(model="text-embedding-v4", input=PRODUCTS, dimension=1536)
    for item in e.embeddings:
        # the size ends the line: the execution tests compare it with what was asked for
        print(f"{item.index}. {PRODUCTS[item.index]}, dimension: {len(item.embedding)}")
    print(f"tokens: {e.usage.total_tokens}")


if __name__ == "__main__":
    main()
