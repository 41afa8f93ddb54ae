"""migrator: move Python code off the OpenAI API onto another provider."""

__version__ = "0.1.0"
