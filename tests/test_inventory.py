"""The inventory over fixtures/inventory/: one fixture per form family.

Every expected record below was written by reading the fixture line by line (the
comments name the construct on that line). A record is `(line, kind, label)` where
label is the `api` of the record, or the model id for `model` records.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import libcst as cst
import pytest
from libcst.metadata import PositionProvider, QualifiedNameProvider, QualifiedNameSource

from migrator.inventory import CallSite, Inventory, build_inventory
from migrator.model import Usage
from migrator.positions import Starts
from migrator.sdk_catalogue import api_family
from migrator.site_collector import SiteCollector
from migrator.source import parse_source
from migrator.walk import find_all
from migrator.wrapper_classes import WRAPPER_CLASSES

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "inventory"

Record = tuple[int, str, str | None]


def inventory_of(source: str | bytes, path: str = "t.py") -> Inventory:
    data = source.encode() if isinstance(source, str) else source
    module, error = parse_source(data, path)
    assert error is None, error
    assert module is not None
    return build_inventory(cst.MetadataWrapper(module, unsafe_skip_copy=True), path)


def fixture(name: str) -> Inventory:
    return inventory_of((FIXTURES / name).read_bytes(), name)


def records(inv: Inventory) -> list[Record]:
    return [(u.line, u.kind, u.model if u.kind == "model" else u.api) for u in inv.usages()]


def usage_at(inv: Inventory, line: int, kind: str, index: int = 0) -> Usage:
    found = [u for u in inv.usages() if u.line == line and u.kind == kind]
    assert len(found) > index, f"no {kind} record on line {line}: {records(inv)}"
    return found[index]


def call_at(inv: Inventory, line: int) -> CallSite:
    found = [c for c in inv.calls if c.usage.line == line]
    assert len(found) == 1, f"expected one call on line {line}, got {found}"
    return found[0]


def client_line(site: CallSite) -> int | None:
    return site.client.usage.line if site.client is not None else None


# -- imports ---------------------------------------------------------------------------------
def test_imports_every_form() -> None:
    inv = fixture("imports.py")
    assert records(inv) == [
        (3, "import", "openai"),  # import openai
        (4, "import", "openai"),  # import openai as oa
        (5, "type", "openai.types.chat"),  # import openai.types.chat
        (6, "import", "openai.error"),  # import openai.error, json
        (7, "import", "openai.OpenAI"),  # from openai import OpenAI as Client
        (8, "import", "openai.AsyncOpenAI"),  # from openai import AsyncOpenAI, AzureOpenAI
        (8, "import", "openai.AzureOpenAI"),
        (9, "import", "openai.AsyncAzureOpenAI"),  # parenthesised, multi-line
        (9, "import", "openai.RateLimitError"),  # ... RateLimitError as RLE
        (13, "type", "openai.types.CompletionUsage"),
        (14, "type", "openai.types.chat.ChatCompletion"),
        (14, "type", "openai.types.chat.ChatCompletionMessageParam"),
        (15, "import", "openai.error.APIError"),
        (16, "import", "openai.lib.azure.AzureOpenAI"),
        (17, "import", "openai.*"),
        # 18-22: relative imports and openai_utils / openai_compat are other packages
    ]
    styles = {(u.line, u.api): u.style for u in inv.usages()}
    assert styles[(6, "openai.error")] == "v0"  # a module only the v0 SDK has
    assert styles[(15, "openai.error.APIError")] == "v0"
    assert styles[(7, "openai.OpenAI")] == "v1"
    assert all(u.column == 1 for u in inv.usages())  # the import statement
    assert len(inv.import_nodes) == 12


# -- clients ---------------------------------------------------------------------------------
def test_clients_bound_everywhere() -> None:
    inv = fixture("clients.py")
    assert records(inv) == [
        (5, "import", "openai"),
        (6, "import", "openai.AsyncAzureOpenAI"),
        (6, "import", "openai.AsyncOpenAI"),
        (6, "import", "openai.AzureOpenAI"),
        (6, "import", "openai.OpenAI"),
        (7, "import", "openai.OpenAI"),
        (9, "client", "OpenAI"),  # client = OpenAI()
        (10, "client", "AsyncOpenAI"),  # aclient = AsyncOpenAI(api_key=os.environ[...], ...)
        (10, "env", "OPENAI_API_KEY"),
        (11, "client", "OpenAI"),  # qualified = openai.OpenAI(...)
        (11, "env", "OPENAI_BASE_URL"),
        (12, "client", "OpenAI"),  # aliased = Client(...)  (from openai import OpenAI as Client)
        (12, "env", "OPENAI_API_BASE"),
        (13, "client", "AzureOpenAI"),
        (14, "client", "AsyncAzureOpenAI"),
        (14, "env", "AZURE_OPENAI_ENDPOINT"),
        (16, "client", "OpenAI"),  # dynamic = OpenAI(base_url=settings["url"], ...)
        (20, "client", "OpenAI"),  # a local: local = OpenAI(**settings)
        (21, "call", "models.list"),
        (25, "client", "OpenAI"),  # class attribute: shared = OpenAI()
        (28, "client", "AsyncOpenAI"),  # self.client = AsyncOpenAI()
        (31, "call", "chat.completions.create"),  # await self.client.chat.completions...
        (34, "call", "embeddings.create"),  # self.shared.embeddings.create
        (38, "call", "files.list"),  # Service.shared.files.list()
    ]
    base = {u.line: u.base_url for u in inv.usages() if u.kind == "client"}
    assert base == {
        9: None,
        10: "https://api.deepseek.com",
        11: "env:OPENAI_BASE_URL",
        12: "env:OPENAI_API_BASE (default https://api.openai.com/v1)",
        13: "https://x.openai.azure.com",
        14: "env:AZURE_OPENAI_ENDPOINT",
        16: "http://localhost:8000/v1",  # followed through the dict literal
        20: None,
        25: None,
        28: None,
    }
    sites = {s.usage.line: s for s in inv.clients}
    assert [s.is_async for s in inv.clients] == [
        False, True, False, False, False, True, False, False, False, True
    ]  # fmt: skip
    assert sites[13].is_azure and sites[14].is_azure and not sites[9].is_azure
    assert usage_at(inv, 10, "client").params == ("api_key", "base_url")
    assert usage_at(inv, 20, "client").params == ("**",)
    assert usage_at(inv, 9, "client").column == 10
    # every call is tied to the constructor it goes through
    assert client_line(call_at(inv, 21)) == 20
    assert client_line(call_at(inv, 31)) == 28
    assert client_line(call_at(inv, 34)) == 25
    assert client_line(call_at(inv, 38)) == 25
    assert call_at(inv, 31).is_async and not call_at(inv, 34).is_async


def test_bindings_factories_with_blocks_fallbacks() -> None:
    inv = fixture("bindings.py")
    assert records(inv) == [
        (6, "import", "openai.AsyncOpenAI"),
        (6, "import", "openai.OpenAI"),
        (13, "client", "OpenAI"),  # inside get_client()
        (17, "client", "OpenAI"),  # primary, backup = OpenAI(), AsyncOpenAI()
        (17, "client", "AsyncOpenAI"),
        (21, "call", "chat.completions.create"),  # get_client().chat.completions.create
        (25, "client", "OpenAI"),  # with OpenAI() as client:
        (26, "call", "embeddings.create"),
        (30, "client", "AsyncOpenAI"),  # async with AsyncOpenAI() as client:
        (31, "call", "chat.completions.stream"),
        (36, "client", "OpenAI"),  # client = client or OpenAI()
        (37, "call", "models.list"),
        (41, "call", "batches.list"),  # client: Optional[AsyncOpenAI] = None
        (45, "call", "files.list"),
        (46, "call", "files.list"),
        (50, "call", "chat.completions.create"),  # client imported from another module
        (51, "call", "responses.create"),  # request.app.state.openai.responses.create
        (52, "call", "chat.completions.create"),  # llm.client.chat.completions.create
        (60, "client", "OpenAI"),  # self.client = OpenAI() after self.client = None
        (63, "call", "completions.create"),
    ]
    # a constant bound after the function that uses it is still followed
    assert usage_at(inv, 13, "client").base_url == (
        "https://dashscope.aliyuncs.com/compatible-mode/v1"
    )
    assert client_line(call_at(inv, 21)) == 13
    assert client_line(call_at(inv, 26)) == 25
    assert client_line(call_at(inv, 31)) == 30
    assert client_line(call_at(inv, 37)) == 36
    assert client_line(call_at(inv, 41)) is None  # annotated: no constructor to edit
    assert call_at(inv, 41).is_async  # ... but the annotation says AsyncOpenAI
    assert [c.client.usage.column for c in (call_at(inv, 45), call_at(inv, 46))] == [19, 29]  # type: ignore[union-attr]
    assert not call_at(inv, 45).is_async and call_at(inv, 46).is_async
    assert call_at(inv, 31).is_async and call_at(inv, 31).stream
    assert client_line(call_at(inv, 63)) == 60
    for line in (50, 51, 52):
        assert client_line(call_at(inv, line)) is None
        assert call_at(inv, line).usage.model == "gpt-4o"
        assert call_at(inv, line).weak
    assert not call_at(inv, 41).weak and not call_at(inv, 21).weak


def test_client_imported_from_another_module_without_openai_import() -> None:
    inv = fixture("imported_client.py")
    assert records(inv) == [
        (11, "call", "chat.completions.create"),  # from app.llm import client
        (17, "call", "chat.completions.create"),  # aclient = get_async_client()
        (21, "call", "embeddings.create"),  # from . import deps; deps.openai_client...
        (29, "call", "responses.create"),  # self.llm = client
        # 33-35: files.list / models.list are not unmistakable; `db` is a parameter
    ]
    assert all(c.weak and c.client is None for c in inv.calls)
    assert call_at(inv, 17).is_async  # awaited
    assert call_at(inv, 11).model.origin == "imported: .settings.CHAT_MODEL"  # type: ignore[union-attr]


# -- calls through bindings and chains ---------------------------------------------------------
def test_chains_with_options_raw_and_streaming_responses() -> None:
    inv = fixture("chains.py")
    assert records(inv) == [
        (1, "import", "openai.AsyncOpenAI"),
        (1, "import", "openai.OpenAI"),
        (3, "client", "OpenAI"),
        (8, "call", "chat.completions.create"),  # client.with_options(...).chat...
        (9, "call", "chat.completions.create"),  # client.with_raw_response.chat...
        (10, "call", "audio.speech.create"),  # client.with_streaming_response.audio...
        (14, "call", "embeddings.create"),  # fast = client.with_options(timeout=5)
        (15, "call", "images.generate"),  # with_options(...).with_raw_response.images
        (25, "call", "responses.create"),  # self.tuned = client.with_options(...)
        (28, "call", "moderations.create"),  # self.client = client (annotated OpenAI)
        (32, "call", "completions.create"),  # client: AsyncOpenAI
    ]
    for line in (8, 9, 10, 14, 15):
        assert client_line(call_at(inv, line)) == 3
    models = {c.usage.line: c.usage.model for c in inv.calls}
    assert models == {
        8: "gpt-4o",
        9: "gpt-4o-mini",
        10: "tts-1",
        14: "text-embedding-3-large",
        15: None,
        25: "gpt-4.1",
        28: None,
        32: "gpt-3.5-turbo-instruct",
    }
    assert call_at(inv, 32).is_async and not call_at(inv, 25).is_async
    assert call_at(inv, 10).usage.column == 10  # `with client...` starts at column 10


# -- v0 module API -----------------------------------------------------------------------------
def test_v0_module_api_and_settings() -> None:
    inv = fixture("v0_module.py")
    assert records(inv) == [
        (3, "import", "openai"),
        (5, "config", "api_key"),
        (5, "env", "OPENAI_API_KEY"),
        (6, "config", "api_base"),
        (7, "config", "api_type"),
        (8, "config", "api_version"),
        (9, "config", "organization"),
        (10, "config", "proxy"),
        (14, "call", "chat.completions.create"),  # ChatCompletion.create(..., stream=True)
        (15, "call", "completions.create"),  # Completion.create(engine=...)
        (16, "call", "embeddings.create"),
        (17, "call", "images.generate"),  # Image.create
        (18, "call", "images.create_variation"),
        (19, "call", "audio.transcriptions.create"),  # Audio.transcribe("whisper-1", f)
        (20, "call", "audio.translations.create"),
        (21, "call", "moderations.create"),
        (22, "call", "fine_tuning.jobs.create"),  # FineTune.create
        (23, "call", "files.create"),
        (24, "call", "files.list"),
        (25, "call", "chat.completions.create"),  # deployment_id=...
        (29, "call", "chat.completions.create"),  # await ChatCompletion.acreate
        (30, "call", "embeddings.create"),  # await Embedding.acreate
        (33, "import", "openai"),
        (34, "import", "openai.ChatCompletion"),
        (38, "call", "moderations.create"),  # oa.Moderation.create
        (39, "call", "chat.completions.create"),  # from openai import ChatCompletion
    ]
    calls = {c.usage.line: c.usage for c in inv.calls}
    assert {u.style for u in calls.values()} == {"v0"}
    assert {u.style for u in inv.usages() if u.kind == "config"} == {"v0"}
    assert usage_at(inv, 34, "import").style == "v0"  # a v0 resource class
    assert usage_at(inv, 6, "config").base_url == "https://example.openai.azure.com/"
    assert {line for line, u in calls.items() if u.is_async} == {29, 30}
    assert {line for line, u in calls.items() if u.stream} == {14}
    assert {line: u.model for line, u in calls.items() if u.model} == {
        14: "gpt-3.5-turbo",
        15: "text-davinci-003",  # engine=
        16: "text-embedding-ada-002",
        19: "whisper-1",  # positional model of Audio.transcribe
        20: "whisper-1",
        25: "gpt-35",  # deployment_id=
        29: "gpt-4",
        30: "text-embedding-ada-002",
        39: "gpt-4-0613",
    }
    assert calls[15].params == ("engine", "prompt")


# -- endpoint families -------------------------------------------------------------------------
def test_every_endpoint_family() -> None:
    inv = fixture("endpoints.py")
    calls = [(c.usage.line, c.api, c.family) for c in inv.calls]
    assert calls == [
        (7, "chat.completions.create", "chat"),
        (8, "chat.completions.parse", "chat"),
        (9, "beta.chat.completions.parse", "chat"),
        (10, "chat.completions.stream", "chat"),
        (12, "beta.chat.completions.stream", "chat"),
        (14, "completions.create", "completions"),
        (15, "embeddings.create", "embeddings"),
        (16, "responses.create", "responses"),
        (17, "responses.parse", "responses"),
        (18, "images.generate", "images"),
        (19, "images.edit", "images"),
        (20, "audio.transcriptions.create", "audio"),
        (21, "audio.translations.create", "audio"),
        (22, "audio.speech.create", "audio"),
        (23, "moderations.create", "moderations"),
        (24, "files.create", "files"),
        (25, "files.content", "files"),
        (26, "fine_tuning.jobs.create", "fine_tuning"),
        (27, "fine_tuning.jobs.list", "fine_tuning"),
        (28, "batches.create", "batches"),
        (29, "models.list", "models"),
        (30, "beta.assistants.create", "assistants"),
        (31, "beta.threads.create", "assistants"),
        (32, "beta.threads.messages.create", "assistants"),
        (33, "beta.threads.runs.create_and_poll", "assistants"),
        (34, "beta.vector_stores.create", "vector_stores"),
        (35, "vector_stores.files.upload_and_poll", "vector_stores"),
    ]
    assert [(u.line, u.kind) for u in inv.usages() if u.kind != "call"] == [
        (1, "import"),
        (3, "client"),
    ]
    streaming = {c.usage.line for c in inv.calls if c.stream}
    assert streaming == {10, 12, 16}  # .stream(...) and responses.create(stream=True)
    assert all(c.client is inv.clients[0] for c in inv.calls)
    assert call_at(inv, 32).usage.params == ("role", "content")  # keywords only


def test_api_family() -> None:
    assert api_family("chat.completions.create") == "chat"
    assert api_family("beta.chat.completions.parse") == "chat"
    assert api_family("beta.threads.runs.create") == "assistants"
    assert api_family("beta.vector_stores.files.create") == "vector_stores"
    assert api_family("audio.speech.create") == "audio"


# -- per-call details: async, stream, model, params ----------------------------------------------
def test_call_details_models_async_stream_params() -> None:
    inv = fixture("call_details.py")
    assert records(inv) == [
        (5, "import", "openai.AsyncOpenAI"),
        (5, "import", "openai.OpenAI"),
        (7, "model", "gpt-4o"),  # MODEL = "gpt-4o"
        (8, "model", "gpt-4o-mini"),  # FALLBACK: str = ...
        (10, "model", "gpt-4-turbo"),  # MODELS = {...}
        (10, "model", "text-embedding-3-small"),
        (11, "env", "OPENAI_MODEL"),  # os.getenv("OPENAI_MODEL", "gpt-4.1-mini")
        (11, "model", "gpt-4.1-mini"),
        (12, "model", "o1-mini"),  # getenv("CHAT_MODEL", "o1-mini") via from os import
        (13, "env", "OPENAI_MODEL"),
        (15, "client", "OpenAI"),
        (16, "client", "AsyncOpenAI"),
        (20, "model", "gpt-3.5-turbo"),  # class Config: model = ...
        (24, "model", "o3"),  # class Agent: model_name = ...
        (27, "call", "chat.completions.create"),
        (31, "call", "chat.completions.create"),
        (32, "call", "chat.completions.create"),
        (33, "call", "chat.completions.create"),
        (34, "call", "chat.completions.create"),
        (35, "call", "embeddings.create"),
        (36, "call", "chat.completions.create"),
        (37, "call", "chat.completions.create"),
        (38, "call", "chat.completions.create"),
        (39, "call", "chat.completions.create"),
        (39, "env", "OPENAI_CHAT_MODEL"),  # the default "gpt-4" belongs to the call
        (40, "call", "chat.completions.create"),
        (41, "call", "chat.completions.create"),
        (44, "model", "gpt-4o-2024-05-13"),  # parameter default
        (45, "call", "chat.completions.create"),
        (49, "call", "chat.completions.create"),
        (51, "call", "chat.completions.create"),
        (55, "call", "chat.completions.create"),
        (56, "call", "chat.completions.create"),
        (64, "call", "embeddings.create"),
        (70, "model", "gpt-4.1-nano"),  # annotated class attribute
        (73, "model", "gpt-4o-mini"),  # annotated parameter default
        (74, "call", "chat.completions.create"),
        (75, "call", "chat.completions.create"),
        (76, "call", "chat.completions.create"),
    ]
    model = {c.usage.line: c.usage.model for c in inv.calls}
    assert model == {
        27: "o3",  # self.model_name -> class attribute
        31: "gpt-4o",  # MODEL
        32: "gpt-4o-mini",  # FALLBACK (annotated)
        33: "gpt-4o",  # ALIAS = MODEL
        34: "gpt-4-turbo",  # MODELS["chat"]
        35: "text-embedding-3-small",  # MODELS["embed"]
        36: "gpt-4.1-mini",  # os.getenv default
        37: "o1-mini",  # getenv default (from os import getenv)
        38: None,  # os.environ.get without default
        39: "gpt-4",  # inline os.getenv default
        40: "gpt-3.5-turbo",  # Config.model
        41: None,  # messages[0]["model"]
        45: "gpt-4o-2024-05-13",  # parameter default
        49: "gpt-4o",
        51: "gpt-4o",
        55: "gpt-4o",
        56: "gpt-4o",
        64: "text-embedding-3-large",
        74: "gpt-4.1-nano",  # cls.model
        75: "gpt-4-turbo",  # MODELS.get("chat")
        76: "gpt-4o-mini",  # model: str = "gpt-4o-mini"
    }
    # the traced literal is the node a codemod rewrites, far from the call
    ref = call_at(inv, 33).model
    assert ref is not None and ref.literal is not None and not ref.inline
    assert ref.origin == "constant ALIAS"
    assert inv.model_literals[0].node is ref.literal  # line 7
    assert call_at(inv, 38).model.origin == "env OPENAI_MODEL"  # type: ignore[union-attr]
    assert call_at(inv, 41).model.origin.startswith("dynamic")  # type: ignore[union-attr]
    assert call_at(inv, 39).model.inline  # type: ignore[union-attr]
    assert {c.usage.line for c in inv.calls if c.stream} == {45, 49, 56}  # not 51 (False)
    assert {c.usage.line for c in inv.calls if c.is_async} == {55, 56, 64}
    assert call_at(inv, 31).usage.params == ("model", "messages", "temperature")
    assert call_at(inv, 32).usage.params == ("model", "messages", "**")
    assert call_at(inv, 56).usage.params == ("model", "messages", "stream", "stream_options")
    assert call_at(inv, 56).usage.line == 56 and call_at(inv, 56).usage.column == 20


# -- exceptions and types ------------------------------------------------------------------------
def test_exceptions_and_types() -> None:
    inv = fixture("exceptions_types.py")
    assert records(inv) == [
        (1, "import", "openai"),
        (2, "import", "openai.error"),
        (3, "import", "openai.APIError"),
        (3, "import", "openai.RateLimitError"),
        (4, "type", "openai.types.chat.ChatCompletion"),
        (5, "type", "openai.types.chat.chat_completion.Choice"),
        (8, "type", "openai.types.chat.ChatCompletion"),  # return annotation
        (10, "call", "chat.completions.create"),  # `client` is a parameter
        (11, "exception", "openai.RateLimitError"),
        (13, "exception", "openai.APITimeoutError"),
        (13, "exception", "openai.APIConnectionError"),
        (15, "exception", "openai.RateLimitError"),  # imported name
        (17, "exception", "openai.APIError"),
        (23, "call", "completions.create"),
        (24, "exception", "openai.error.RateLimitError"),
        (26, "exception", "openai.error.InvalidRequestError"),
        (30, "type", "openai.types.chat.chat_completion.Choice"),
        (30, "type", "openai.types.CompletionUsage"),
        (30, "type", "openai.types.chat.ChatCompletionMessage"),
        (34, "exception", "openai.BadRequestError"),
        (34, "exception", "openai.AuthenticationError"),
    ]
    styles = {(u.line, u.column): u.style for u in inv.references}
    assert styles[(24, 12)] == "v0" and styles[(26, 12)] == "v0"
    assert styles[(11, 12)] == "v1"
    assert [u.column for u in inv.usages() if u.line == 30] == [22, 37, 70]


# -- env vars ------------------------------------------------------------------------------------
def test_env_reads_every_form() -> None:
    inv = fixture("env_vars.py")
    assert records(inv) == [
        (5, "env", "OPENAI_API_KEY"),  # os.environ[...]
        (6, "env", "OPENAI_BASE_URL"),  # os.getenv
        (7, "env", "OPENAI_ORG_ID"),  # os.environ.get
        (8, "env", "OPENAI_PROJECT_ID"),  # from os import environ; environ[...]
        (9, "env", "OPENAI_API_VERSION"),  # from os import getenv
        (10, "env", "AZURE_OPENAI_API_KEY"),  # environ.get
        (11, "env", "AZURE_OPENAI_DEPLOYMENT"),  # from os import environ as env
        (12, "env", "OPENAI_LOG"),  # os.environ.setdefault
        (13, "env", "OPENAI_TIMEOUT"),  # a write is still a use of the variable
        (15, "env", "OPENAI_API_KEY"),  # "..." in os.environ
        # 14: DATABASE_URL is not an OpenAI variable
    ]
    assert usage_at(inv, 5, "env").column == 22  # the string literal
    assert [s.value for s in inv.env_reads][:2] == ["OPENAI_API_KEY", "OPENAI_BASE_URL"]


# -- the v1 module-level client ------------------------------------------------------------------
def test_v1_module_level_client() -> None:
    inv = fixture("module_client.py")
    assert records(inv) == [
        (3, "import", "openai"),
        (4, "import", "openai"),
        (5, "import", "openai.chat"),
        (7, "config", "api_key"),
        (8, "config", "base_url"),
        (9, "config", "max_retries"),
        (13, "call", "chat.completions.create"),
        (14, "call", "embeddings.create"),  # ai.embeddings (import openai as ai)
        (15, "call", "responses.create"),
        (16, "call", "images.generate"),
        (17, "call", "chat.completions.create"),  # from openai import chat
        (18, "call", "beta.chat.completions.parse"),
        (23, "call", "chat.completions.create"),  # ...with_raw_response.create
        (24, "call", "chat.completions.create"),  # (...).model_dump() is not a call
    ]
    assert all(c.module_client and c.client is None for c in inv.calls)
    assert {u.style for u in inv.usages()} == {"v1"}  # no v0 call: v1 module settings
    assert usage_at(inv, 8, "config").base_url == "https://api.openai.com/v1/"
    assert [c.setting for c in inv.configs] == ["api_key", "base_url", "max_retries"]


# -- no false positives ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name", ["no_usage_lookalikes.py", "no_usage_plain.py", "no_usage_shared_zhipu.py"]
)
def test_lookalikes_give_no_records(name: str) -> None:
    inv = fixture(name)
    # LangChain's and llama_index's OpenAI classes are not the SDK, but they send to
    # OpenAI: they are recorded as clients of their library (and nothing else is).
    wrappers = [r for r in records(inv) if r[2] in WRAPPER_CLASSES]
    assert records(inv) == wrappers
    assert not inv.has_sdk_usage


def test_lookalikes_record_only_the_wrapper_classes() -> None:
    inv = fixture("no_usage_lookalikes.py")
    assert records(inv) == [
        (29, "client", "langchain_openai.ChatOpenAI"),
        (30, "client", "llama_index.llms.openai.OpenAI"),
    ]
    assert inv.calls == [] and inv.model_literals == []


def test_shadowing_and_other_sdks_in_a_file_that_imports_openai() -> None:
    inv = fixture("shadowing.py")
    assert records(inv) == [
        (3, "import", "openai"),
        (4, "import", "openai.OpenAI"),
        # 9-13: a local dict named openai; 16-22: a local class named OpenAI;
        # 25-29: zhipuai and llama_index objects (llama_index's OpenAI class is recorded as
        # such); 32-35: Flask-like request.files.get;
        # 42-48: a local namespace named openai with api_key / ChatCompletion attributes
        (28, "client", "llama_index.llms.openai.OpenAI"),
        (39, "call", "chat.completions.create"),  # OpenAI().chat.completions.create
        (39, "client", "OpenAI"),
    ]
    assert client_line(call_at(inv, 39)) == 39


@pytest.mark.parametrize(
    "source",
    [
        # the same shapes as the SDK, through other libraries only
        "from zhipuai import ZhipuAI\n"
        "ZhipuAI().chat.completions.create(model='glm-4', messages=[])\n",
        "import tiktoken\nenc = tiktoken.encoding_for_model('gpt-4o')\n",
        "from tiktoken import encoding_for_model\nencoding_for_model('gpt-4o-mini')\n",
        '"""Uses gpt-4o."""\n\ndef f():\n    """Call gpt-4o."""\n    return 1\n',
        "class OpenAI:\n    pass\n\nclient = OpenAI()\nclient.chat.completions.create()\n",
        "openai = {'api_key': 1}\nopenai['api_key'] = 2\n",
        # a client-shaped call without any openai import is someone else's client
        "def f(client):\n    return client.chat.completions.create(model=MODEL)\n",
    ],
)
def test_no_false_positives(source: str) -> None:
    assert records(inventory_of(source)) == []


# -- smaller behaviours --------------------------------------------------------------------------
def test_star_import_resolves_unbound_names() -> None:
    inv = inventory_of("from openai import *\n\nc = OpenAI()\nraise RateLimitError()\n")
    assert records(inv) == [
        (1, "import", "openai.*"),
        (3, "client", "OpenAI"),
        (4, "exception", "openai.RateLimitError"),
    ]


def test_parameter_default_shadowing_and_global() -> None:
    source = (
        "import openai\n"
        "from openai import OpenAI\n"
        "\n"
        "def f(client=OpenAI()):\n"  # 4: the default runs outside f
        "    return client.files.list()\n"  # 5
        "\n"
        "def g():\n"
        "    global openai\n"
        "    openai = make()\n"  # 9: rebinds the module name
        "\n"
        "def h(OpenAI):\n"  # 11: a parameter named OpenAI
        "    return OpenAI()\n"
    )
    inv = inventory_of(source)
    assert records(inv) == [
        (1, "import", "openai"),
        (2, "import", "openai.OpenAI"),
        (4, "client", "OpenAI"),
        (5, "call", "files.list"),
    ]
    assert client_line(call_at(inv, 5)) == 4


def test_class_body_sees_the_global_before_its_own_binding() -> None:
    source = (
        "from openai import OpenAI\n"
        "class C:\n"
        "    client = OpenAI()\n"  # 3: the import (the class binds OpenAI only below)
        "    def OpenAI(self):\n"
        "        return None\n"
    )
    assert records(inventory_of(source))[-1] == (3, "client", "OpenAI")


def test_crlf_and_gbk_positions() -> None:
    source = "# -*- coding: gbk -*-\r\n# 注释\r\nimport openai\r\n"
    source += "x = '模型'; c = openai.OpenAI()\r\n"
    inv = inventory_of(source.encode("gbk"))
    assert [(u.line, u.column, u.kind) for u in inv.usages()] == [
        (3, 1, "import"),
        (4, 15, "client"),  # columns count characters, not bytes
    ]


def test_nothing_reported_means_no_position_work() -> None:
    """A file without usage must not pay for positions (the costly part of libcst)."""
    module = cst.parse_module(b"import json\nprint(json.dumps({'a': 1}))\n")
    wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True)
    assert build_inventory(wrapper, "t.py").usages() == []
    assert PositionProvider not in wrapper._metadata  # noqa: SLF001


# -- agreement with libcst's own metadata ----------------------------------------------------------
def _all_fixture_sources() -> list[Path]:
    root = FIXTURES.parent
    return sorted([*root.glob("inventory/*.py"), *root.glob("programs/*.py")])


STATEMENT_SHAPES = b"""\
# leading comment

@decorator(1)
@other
async def f(a, *, b=2):
    \"\"\"doc\"\"\"
    async with a as b, c: pass
    async for x in y:
        if x: continue
        elif y: break
        else:
            while z: z -= 1
    try: pass
    except* E: raise
    else: pass
    finally: del a
@dataclass
class C(Base):  # trailing
    x: int = 1; y = 2
    match p:
        case [1, *r] if r: pass
        case _:
            return
"""


@pytest.mark.parametrize(
    "path", [*_all_fixture_sources(), "statement shapes"], ids=lambda p: getattr(p, "name", p)
)
def test_positions_agree_with_position_provider(path: Path | str) -> None:
    data = STATEMENT_SHAPES if isinstance(path, str) else path.read_bytes()
    module = cst.parse_module(data)
    nodes: set[cst.CSTNode] = set()
    kinds = (cst.Call, cst.SimpleString, cst.Name, cst.Attribute)
    statements = (cst.SimpleStatementLine, cst.BaseCompoundStatement)  # the inventory's too

    class Collect(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, (*kinds, *statements)):
                nodes.add(node)
            return True

    module.visit(Collect())
    starts = dict(Starts(module, nodes))
    expected = cst.MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    assert set(starts) == nodes
    for node in nodes:
        assert starts[node] == (expected[node].start.line, expected[node].start.column + 1)
    # Generation stops at the last wanted node's start: a few early nodes come out the same.
    early = set(sorted(nodes, key=lambda n: (starts[n], id(n)))[:3])
    assert dict(Starts(module, early)) == {n: starts[n] for n in early}


SCOPING = """
import openai
import openai as oa
from openai import OpenAI, AsyncOpenAI as AO
from os import environ as env, getenv

x = OpenAI
def f(OpenAI=OpenAI, *args, oa=oa, **kw):
    return OpenAI, oa, args, kw

class C:
    openai = {"a": 1}
    y = openai
    z = [openai for _ in range(3)]
    def m(self):
        return openai.chat

def h():
    client = AO()
    def inner():
        nonlocal client
        client = 1
        return client, AO
    return inner, [AO for AO in range(3)], (lambda AO=AO: AO)

def k():
    try:
        pass
    except Exception as oa:
        return oa
    for env in []:
        pass
    return env, getenv

async def a():
    async with AO() as c:
        return c, oa.types.chat.ChatCompletion, openai.error.RateLimitError
"""


@pytest.mark.parametrize(
    "path", [*_all_fixture_sources(), None], ids=lambda p: p.name if p else "scoping"
)
def test_qualified_names_agree_with_libcst(path: Path | None) -> None:
    """The collector's own scope analysis gives the import-qualified names libcst's
    QualifiedNameProvider gives (it is there only because the provider is slow)."""
    data = path.read_bytes() if path is not None else SCOPING.encode()
    module = cst.parse_module(data)
    wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True)
    collector = SiteCollector("t.py", wrapper)
    module.visit(collector)
    provider = wrapper.resolve(QualifiedNameProvider)
    checked = 0
    for node in collector.pending_refs:
        if not isinstance(node, (cst.Name, cst.Attribute)):
            continue
        mine = {q.name for q in collector._qnames(node) if q.source == QualifiedNameSource.IMPORT}
        value = provider.get(node, set())
        theirs = {
            q.name
            for q in (value() if callable(value) else value)
            if q.source == QualifiedNameSource.IMPORT
        }
        if "*" in data.decode("utf-8", "replace"):  # libcst does not follow star imports
            theirs |= mine
        assert mine == theirs, cst.Module([]).code_for_node(node)
        checked += 1
    assert checked > 0 or path is not None


# -- performance -----------------------------------------------------------------------------------
_BLOCK = '''
class Service{i}:
    model = "gpt-4o-mini"

    def __init__(self, key=os.getenv("OPENAI_API_KEY")):
        self.client = OpenAI(api_key=key)
        self.data = {{"a": 1, "b": [1, 2, 3]}}

    def ask{i}(self, prompt, temperature=0.2):
        """Mentions gpt-4o."""
        messages = [{{"role": "user", "content": prompt}}]
        for x in range(10):
            if x % 2:
                messages.append({{"role": "assistant", "content": str(x)}})
        resp = self.client.chat.completions.create(
            model=self.model, messages=messages, temperature=temperature
        )
        return resp.choices[0].message.content

    def other{i}(self, items):
        total = 0
        for item in items:
            total += item.value * 2 + len(item.name)
        try:
            return client.embeddings.create(model=MODEL, input=[str(total)])
        except openai.RateLimitError:
            return None
'''


def _synthetic(blocks: int) -> cst.Module:
    head = "import os\nimport openai\nfrom openai import OpenAI\n\nclient = OpenAI()\n"
    head += "MODEL = 'gpt-4o'\n"
    return cst.parse_module(head + "".join(_BLOCK.format(i=i) for i in range(blocks)))


def _inventory_seconds(module: cst.Module) -> float:
    best = float("inf")
    for _ in range(3):
        wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True)
        start = time.process_time()
        build_inventory(wrapper, "big.py")
        best = min(best, time.process_time() - start)
    return best


def test_inventory_is_fast_and_linear() -> None:
    small, big = _synthetic(19), _synthetic(76)  # about 500 and 2,000 lines
    assert big.code.count("\n") >= 2000
    inv = build_inventory(cst.MetadataWrapper(big, unsafe_skip_copy=True), "big.py")
    assert len(inv.calls) == 152 and len(inv.clients) == 77
    small_s, big_s = _inventory_seconds(small), _inventory_seconds(big)
    # about 0.5 s of CPU on a slow machine; the original visitor took 3.5 s
    assert big_s < 2.0, big_s
    assert big_s < 8 * small_s, (small_s, big_s)  # 4x the code, not 16x the time


def test_a_model_that_is_one_of_several_values_traces_each() -> None:
    inv = inventory_of(
        "from openai import OpenAI\n"
        "client = OpenAI()\n"
        "def ask(long, chosen=None):\n"
        '    client.chat.completions.create(model="gpt-4o" if long else "gpt-4o-mini")\n'  # 4
        "    if long:\n"
        '        model = "gpt-4"\n'
        "    else:\n"
        '        model = "gpt-3.5-turbo"\n'
        "    client.chat.completions.create(model=model)\n"  # 9
        '    client.chat.completions.create(model=chosen or "o3-mini")\n'  # 10
        "    client.chat.completions.create(model=chosen or long)\n"  # 11
    )
    inline = call_at(inv, 4).model
    assert inline is not None and inline.literal is None and inline.value is None
    assert [a.value for a in inline.alternatives] == ["gpt-4o", "gpt-4o-mini"]
    assert not inline.partial and inline.origin == 'one of: "gpt-4o" if long else "gpt-4o-mini"'
    # inline branches are the call's own: not reported again as `model` records
    assert not [u for u in inv.usages() if u.kind == "model" and u.line == 4]
    branches = call_at(inv, 9).model
    assert branches is not None
    assert [a.value for a in branches.alternatives] == ["gpt-4", "gpt-3.5-turbo"]
    assert [(c.name, type(c.region).__name__) for c in branches.carriers] == [
        ("model", "FunctionDef")
    ]
    fallback = call_at(inv, 10).model
    assert fallback is not None and fallback.partial
    assert [a.value for a in fallback.alternatives] == ["o3-mini"]
    assert call_at(inv, 11).model.origin == "dynamic: chosen or long"  # type: ignore[union-attr]


def test_a_traced_model_names_the_names_it_travels_through() -> None:
    inv = inventory_of(
        "from openai import OpenAI\n"
        'DEFAULT = "gpt-4o"\n'
        "class Bot:\n"
        "    model = DEFAULT\n"
        "    def run(self, client: OpenAI, judge=DEFAULT):\n"
        "        client.chat.completions.create(model=self.model)\n"  # 6
        "        client.chat.completions.create(model=judge)\n"  # 7
    )
    through_attribute = call_at(inv, 6).model
    assert through_attribute is not None and through_attribute.value == "gpt-4o"
    assert [(c.name, c.attribute, type(c.region).__name__) for c in through_attribute.carriers] == [
        ("model", True, "Module"),
        ("DEFAULT", False, "Module"),
    ]
    through_default = call_at(inv, 7).model
    assert through_default is not None
    assert [(c.name, type(c.region).__name__) for c in through_default.carriers] == [
        ("judge", "FunctionDef"),
        ("DEFAULT", "Module"),
    ]


# -- positions found as far as they are looked up ------------------------------------------------


class _Exploding(cst.SimpleStatementLine):
    """A statement whose code generation fails: a lookup must not reach it."""

    def _codegen_impl(self, state: Any, default_semicolon: bool = False) -> None:
        raise RuntimeError("generated")


def test_a_lookup_generates_the_module_only_as_far_as_the_node() -> None:
    module = cst.parse_module("import openai\nx = openai.OpenAI()\ny = 1\n")
    first = module.body[0]
    last = module.body[2]
    exploding = _Exploding(body=last.body)
    module = module.with_changes(body=[*module.body[:2], exploding])
    call = module.body[1].body[0].value
    starts = Starts(module, {first, call, exploding})
    assert starts.get(call) == (2, 5)
    assert starts.get(first) == (1, 1)
    # reaching the statement whose generation fails: nothing is found any more, and the
    # caller falls back to PositionProvider
    assert starts.get(exploding) is None
    assert starts.get(call) is None


@pytest.mark.parametrize("path", _all_fixture_sources()[:12], ids=lambda p: p.name)
def test_lookups_in_any_order_find_what_a_complete_pass_finds(path: Path) -> None:
    module = cst.parse_module(path.read_bytes())
    wanted = set(find_all(module, (cst.Call, cst.SimpleString, cst.SimpleStatementLine)))
    complete = dict(Starts(module, wanted))
    backwards = Starts(module, wanted)
    ordered = sorted(wanted, key=lambda n: complete.get(n, (0, 0)), reverse=True)
    assert {n: backwards[n] for n in ordered if n in complete} == complete
    assert len(backwards) == len(complete)


@pytest.mark.parametrize(
    "path", [*_all_fixture_sources(), "statement shapes"], ids=lambda p: getattr(p, "name", p)
)
def test_every_node_starts_where_position_provider_says(path: Path | str) -> None:
    # Starts(module, None) is the fallback for a node the inventory did not place.
    data = STATEMENT_SHAPES if isinstance(path, str) else path.read_bytes()
    module = cst.parse_module(data)
    expected = cst.MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    # (older libcst places no empty whitespace node that its code generation skips)
    nodes = [n for n in find_all(module, cst.CSTNode) if n is not module and n in expected]
    assert len(nodes) > 20
    starts = Starts(module, None)
    for node in reversed(nodes):  # any order: each lookup generates as far as it needs
        where = expected[node].start
        assert starts.get(node) == (where.line, where.column + 1), type(node).__name__
