"""Upgrade the v0 module API (openai<1) to a v1 client, with `--upgrade-v0`.

One fixer per concern, in this order (codemods/registry.py): exceptions.py, modules.py,
calls.py, client.py (the module client: what it is built with, client_args.py, the
import it needs, client_imports.py, and where it goes), responses.py; tables.py holds
the v0 -> v1 facts they share, facts.py the one metadata pass they share.


- Calls: `openai.ChatCompletion.create(...)` -> `client.chat.completions.create(...)`,
  `openai.ChatCompletion.acreate(...)` -> `aclient.chat.completions.create(...)` (the
  user's `await` stays where it is), and likewise Completion, Embedding, Image
  (`create` -> `images.generate`), Audio (`transcribe` -> `audio.transcriptions.create`),
  Moderation, File, FineTuningJob and Model. `engine=` / `deployment_id=` become `model=`,
  `request_timeout=` becomes `timeout=`, per-request credentials are dropped, and the
  positional arguments v0 allowed (`Audio.transcribe(model, file)`) become keywords.
- Module settings at module level (`openai.api_key/api_base/organization/api_type/
  api_version = ...`) are removed and folded into one module-level client built where
  the last of them stood (so names and `load_dotenv()` before it still work); without
  settings the client goes after the imports (after a top-level `load_dotenv()`). It
  points at the provider like the v1 client fixer does (an endpoint already away from
  OpenAI is kept, with its key and the calls' models, as that fixer keeps such clients);
  `aclient = AsyncOpenAI(...)` only when async calls exist. `client`/`aclient` become
  `openai_client`/`async_client` when taken. An `import openai` that only the upgraded
  code used becomes `from openai import OpenAI` in place; one still in use builds the
  client as `openai.OpenAI(...)` unless a `from openai import` line can take the class.
  Settings left in place (inside functions) are marked and handed to the module
  settings fixer in the same run, as a second run would.
- Responses are objects in v1: on a variable assigned from an upgraded call (and on loop
  targets and variables derived from it, in the same scope), and on the call expression
  itself, string-key subscripts and `.get("key"[, default])` become attribute access
  (`r["choices"][0]["message"]["content"]` -> `r.choices[0].message.content`,
  `d.get("content", "")` -> `d.content or ""`); integer subscripts stay.
- Exceptions: `openai.error.X` -> `openai.<v1 name>`, `from openai.error import X` ->
  `from openai import <v1 name>` (references renamed), `e.http_status` -> `e.status_code`.
- What has no v1 equivalent is left as it is and marked.

Module settings reuse the client fixer's rules: MIG101 (a key expression of the user's
kept), MIG102 (organization/project removed), MIG103 (Azure settings), MIG104/MIG105/
MIG502 (endpoint kept / not shown to be OpenAI's / relay).

Rules:
  MIG410 v0 module API upgraded to a v1 client: responses are objects, not dicts
  MIG411 v0 API with no v1 equivalent (Engine, Edit, legacy FineTune, embeddings_utils...): marked
  MIG412 v0 module setting with no v1 client equivalent (proxy, requestssession...): marked
  MIG413 v0 module setting not at module level: not folded into the client, marked
  MIG414 v0 exception with no v1 equivalent (TryAgain, InvalidAPIType...): left, marked
  MIG415 v0 call or reference that cannot be converted (positional/* arguments, bare reference)
  MIG416 per-request v0 arguments removed (api_key, api_base, organization, api_type, api_version)
  MIG417 engine=/deployment_id= became model=: the value must be a provider model id
  MIG418 dict-style access on a v1 response that could not be converted: left, marked
  MIG107 a `**mapping` may hold per-request credentials or v0 names: call left as v0
"""
