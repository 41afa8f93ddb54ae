"""The bytes prefilter must let through every file the inventory could report on."""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from migrator.inventory import build_inventory
from migrator.prefilter import has_trigger, is_openai_model
from migrator.sdk_catalogue import SHAPED_PATHS
from migrator.source import parse_source

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SOURCES = sorted(
    [*FIXTURES.glob("inventory/*.py"), *FIXTURES.glob("programs/*.py"),
     *FIXTURES.glob("encodings/*.py")]
)  # fmt: skip


def usages_of(data: bytes) -> int:
    module, _ = parse_source(data, "f.py")
    if module is None:
        return 0
    return len(build_inventory(cst.MetadataWrapper(module, unsafe_skip_copy=True), "f.py").usages())


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_fixture_with_usage_passes(path: Path) -> None:
    data = path.read_bytes()
    if usages_of(data):
        assert has_trigger(data)


def test_the_fixtures_with_usage_are_most_of_them() -> None:
    with_usage = [p for p in SOURCES if usages_of(p.read_bytes())]
    assert len(with_usage) >= 15


@pytest.mark.parametrize(
    "source",
    [
        inspect.getsource(textwrap),  # a real module of the standard library
        (FIXTURES / "inventory" / "no_usage_plain.py").read_text(),
        "import requests\n\ndef fetch(url):\n    return requests.get(url, timeout=5).json()\n",
        "MODEL = 'qwen-plus'\nresp = dashscope.Generation.call(model=MODEL, prompt='hi')\n",
    ],
)
def test_plain_python_does_not_pass(source: str) -> None:
    assert not has_trigger(source.encode())


@pytest.mark.parametrize(
    "model",
    [
        "gpt-4o", "gpt-4o-mini", "gpt-4.1-nano", "gpt-3.5-turbo-instruct", "gpt-5",
        "chatgpt-4o-latest", "o1", "o3-mini", "o4-mini-2025-04-16",
        "text-embedding-3-small", "text-embedding-ada-002", "text-davinci-003",
        "davinci-002", "babbage-002", "dall-e-2", "dall-e-3", "whisper-1", "tts-1",
        "tts-1-hd", "gpt-image-1", "omni-moderation-latest", "text-moderation-stable",
    ],
)  # fmt: skip
def test_every_model_id_the_inventory_knows_passes(model: str) -> None:
    assert is_openai_model(model)
    for quoted in (f'"{model}"', f"'{model}'", f'"""{model}"""'):
        data = f"MODEL = {quoted}\n".encode()
        assert has_trigger(data), quoted
        assert usages_of(data) == 1


@pytest.mark.parametrize(
    "value", ["glm-4", "qwen-plus", "deepseek-chat", "gpt-", "o1x", "davinci", "ogpt-4", ""]
)
def test_other_model_names_are_not_openai(value: str) -> None:
    assert not is_openai_model(value)


@pytest.mark.parametrize(
    "source",
    [
        "import openai\n",
        "from OpenAI_compat import x\n",  # case-insensitive: cheap superset
        "key = os.environ['OPENAI_API_KEY']\n",
        "endpoint = os.getenv('AZURE_OPENAI_ENDPOINT')\n",
    ],
)
def test_module_and_env_tokens_pass(source: str) -> None:
    assert has_trigger(source.encode())


@pytest.mark.parametrize("path", sorted(SHAPED_PATHS))
def test_shaped_calls_pass_without_any_other_token(path: str) -> None:
    """The inventory counts these through a client imported from another module, in
    files that may mention neither openai nor a model id: the prefilter must too."""
    source = f"from app.llm import client\n\nclient.{path}(model=MODEL)\n"
    assert has_trigger(source.encode())
    assert usages_of(source.encode()) == 1


def test_o_series_needs_quotes() -> None:
    assert has_trigger(b"MODEL = 'o3'\n") and has_trigger(b'm = "o4-mini"\n')
    assert not has_trigger(b"o3 = foo(o1)\n")


def test_the_grouped_token_search_finds_what_a_plain_one_does() -> None:
    from migrator import prefilter

    tokens = prefilter._MODEL_AND_CALL_TOKENS
    grouped = {t for _, group in prefilter._GROUPS for t in (group or ())}
    grouped |= {anchor for anchor, group in prefilter._GROUPS if group is None}
    assert grouped == set(tokens)  # every token is in a group...
    for anchor, group in prefilter._GROUPS:
        assert all(anchor in t for t in group or (anchor,))  # ...and holds its anchor

    def plain(folded: bytes) -> bool:
        return any(t in folded for t in tokens)

    repo = Path(__file__).resolve().parent.parent
    texts = [p.read_bytes() for p in repo.rglob("*.py") if ".git" not in p.parts]
    texts += [b"x = " + t + b" + 1" for t in tokens]  # each token alone
    texts += [b"x = " + a + b"?" for a, _ in prefilter._GROUPS]  # each anchor alone
    texts += [t[:-1] for t in tokens] + [t[1:] for t in tokens]  # near misses
    assert len(texts) > 300
    for text in texts:
        folded = text.translate(prefilter._FOLD)
        assert prefilter._has_model_or_call_token(folded) == plain(folded), text[:80]
