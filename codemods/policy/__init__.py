"""The decisions every fixer (and every strategy) must make alike.

A rewrite is safe only when all fixers agree on what the file's code talks to: a client
left on another provider keeps its models, its parameters and its OpenAI variables; a
retargeted one gets the provider's key and none of OpenAI's. Those decisions live here,
once, and the fixers (`client_endpoint`, `module_settings`, `env_vars`, `models`,
`parameters`, `v0_upgrade`, ...) ask them:

- `arguments`: which client arguments and module settings are OpenAI's own (account,
  Azure-only) and go when a client is retargeted.
- `azure`: the variables an Azure OpenAI target reads its endpoint and API version from.
- `endpoints`: what a base URL points at (OpenAI, a relay, another provider, a local
  server, unknown), hence which clients and module settings migrate and which are left
  (and why, MIG104 / MIG105 / MIG502); the target endpoint as code.
- `env`: which reads of OPENAI_* variables are renamed to the provider's, and which are
  left because something else reads them.
- `keys`: what a retargeted client's api_key becomes: the provider's key (read with a
  placeholder where it runs at import time), or the user's own expression, kept with an
  explicit fallback when it can be None.
"""
