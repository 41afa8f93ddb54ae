"""Provider mapping files (YAML). Shipped as package data; see mapping.py."""
