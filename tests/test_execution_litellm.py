"""Execution tests of `--strategy litellm`: migrated programs run on the real LiteLLM SDK.

The programs of fixtures/programs/ that a LiteLLM user's code covers (sync, async and
streamed chat, tools, exceptions, usage, embeddings, a call left on openai) are migrated
with the real engine for the TARGETS below — LiteLLM routes of their own and providers
reached through `openai/` with `api_base=` — and run in one faked-network interpreter per target
(`tests/execution/harness.run_programs`), with the provider's key only (no OPENAI_API_KEY)
and LITELLM_LOCAL_MODEL_COST_MAP=True (LiteLLM would fetch its cost map at import).

Each migrated program must print what the original printed against the fake OpenAI (an
embedding's size is the one the migrated call asks for), and every request it sends must go
to the mapping's host, with the provider's key and the mapped model id (LiteLLM strips its
route prefix), sent by LiteLLM (its own HTTP path, or the openai SDK it drives).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from migrator.mapping import load_registry
from migrator.migrate import MigrationReport
from tests.execution.harness import Program, migrate_folder, run_programs

# (not imported here: importing LiteLLM fetches its cost map unless told not to)
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("litellm") is None, reason="litellm is not installed"
)

PROGRAMS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "programs"
CHAT = [
    "chat_sync.py", "chat_async.py", "chat_stream.py", "chat_async_stream.py", "tools.py",
    "rate_limit.py", "usage_tokens.py", "with_options.py",
]  # fmt: skip
EMBEDDINGS = ["embeddings.py", "embeddings_items.py"]
# openai<1 module programs (the strategy moves them without --upgrade-v0), for the five targets:
# each is compared with its hand-written v1 port run against (fake) OpenAI, since the
# original needs openai<1. name -> (the v0 program, its v1 port).
V0_DIR = PROGRAMS_DIR.parent / "v0"
V0_PROGRAMS = {
    "v0_module.py": (PROGRAMS_DIR / "v0_module.py", V0_DIR / "v1_reference/v0_module_v1.py"),
    "chat_dict_stream.py": (
        V0_DIR / "chat_dict_stream.py", V0_DIR / "v1_reference/chat_dict_stream_v1.py",
    ),
    "async_chat.py": (V0_DIR / "async_chat.py", V0_DIR / "v1_reference/async_chat_v1.py"),
    "rate_limit_v0.py": (
        V0_DIR / "rate_limit_v0.py", V0_DIR / "v1_reference/rate_limit_v0_v1.py",
    ),
}  # fmt: skip
V0_EMBEDDINGS = {
    "embeddings_v0.py": (
        V0_DIR / "embeddings_v0.py", V0_DIR / "v1_reference/embeddings_v0_v1.py",
    ),
}  # fmt: skip
V0_TARGETS = ("dashscope", "deepseek", "zhipu", "moonshot", "qianfan")
# with_options() has no LiteLLM equivalent: the call stays on the openai SDK (MIG181).
STAYS_OPENAI = {"with_options.py"}
# LiteLLM routes of their own (dashscope/, deepseek/, bigmodel/ for Zhipu, moonshot/,
# volcengine/ for Ark, minimax/) and two reached through `openai/` with api_base= (qianfan,
# siliconflow: chat and embeddings)
TARGETS = (
    "dashscope", "deepseek", "zhipu", "moonshot", "qianfan", "ark", "minimax", "siliconflow",
    "gateway",
)  # fmt: skip
# The gateway's endpoint comes from the environment only (api_base=os.environ[...]): where
# its migrated programs must send every request, with its key and the models as they were.
GATEWAY_BASE = "https://llm-gateway.example.internal/v1"
FAKE_EMBEDDING_SIZE = 8  # what fakenet returns when the request names no size
LITELLM_ENV = {"LITELLM_LOCAL_MODEL_COST_MAP": "True"}
# What LiteLLM prints on stdout when it maps an exception (unless
# litellm.suppress_debug_info): litellm==1.110.2:litellm/litellm_core_utils/
# exception_mapping_utils.py. The checklist names it; these lines are taken out before
# comparing.
BANNER = re.compile(
    r"^(?:\x1b\[1;31mGive Feedback / Get Help: .*|LiteLLM\.Info: If you need to debug .*"
    r"|\x1b\[1;31mProvider List: .*)?$"
)


def key_of(provider: str) -> str:
    return f"test-{provider}-litellm-key"


@dataclass
class Migrated:
    report: MigrationReport
    runs: dict[str, Program]
    folder: Path


def _programs(provider: str) -> list[str]:
    embeds = load_registry().get(provider).supports("embeddings")
    names = CHAT + (EMBEDDINGS if embeds else [])
    if provider in V0_TARGETS:
        names += [*V0_PROGRAMS, *(V0_EMBEDDINGS if embeds else [])]
    return names


def _copy(folder: Path, names: list[str], *, original: bool = False) -> None:
    """The programs, each under its name (a v0 program's original: its v1 port)."""
    folder.mkdir(parents=True, exist_ok=True)
    v0 = {**V0_PROGRAMS, **V0_EMBEDDINGS}
    for name in names:
        source = PROGRAMS_DIR / name
        if name in v0:
            source = v0[name][1] if original else v0[name][0]
        shutil.copy(source, folder / name)


@dataclass
class Runs:
    original: dict[str, Program]
    migrated: dict[str, Migrated]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    """The originals in one interpreter (OpenAI's key), every target's migrated programs
    in another (every target's key, no OpenAI key): importing LiteLLM costs seconds,
    so it is paid once."""
    root = tmp_path_factory.mktemp("litellm")
    names = sorted({n for p in TARGETS for n in _programs(p)})
    _copy(root / "original", names, original=True)
    env = {**LITELLM_ENV, "LLM_GATEWAY_BASE_URL": GATEWAY_BASE}
    reports: dict[str, MigrationReport] = {}
    paths: list[Path] = []
    for provider in TARGETS:
        folder = root / provider
        _copy(folder, _programs(provider))
        reports[provider] = migrate_folder(folder, provider, strategy="litellm")
        env[load_registry().get(provider).compat.key_env] = key_of(provider)
        paths += [folder / n for n in _programs(provider)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        before = pool.submit(
            run_programs, [root / "original" / n for n in names], {"OPENAI_API_KEY": "sk-orig"}
        )
        after = pool.submit(run_programs, paths, env, timeout=240)
        original = {p.name: r.assert_ok() for p, r in before.result().items()}
        ran = after.result()
    migrated = {
        provider: Migrated(
            reports[provider],
            {p.name: r for p, r in ran.items() if p.parent.name == provider},
            root / provider,
        )
        for provider in TARGETS
    }
    return Runs(original, migrated)


def _printed(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if not BANNER.match(line)]


@pytest.mark.parametrize("provider", TARGETS)
def test_migrated_programs_print_what_the_originals_printed(provider: str, runs: Runs) -> None:
    original, migrated = runs.original, runs.migrated
    result = migrated[provider]
    for name in _programs(provider):
        run = result.runs[name]
        assert run.returncode == 0, (name, run.stdout, run.error)
        expected = original[name].stdout
        if name in EMBEDDINGS or name in V0_EMBEDDINGS:
            sizes = {(r.json or {}).get("dimensions") for r in run.requests}
            (size,) = sizes
            expected = expected.replace(
                f"dimension: {FAKE_EMBEDDING_SIZE}", f"dimension: {size or FAKE_EMBEDDING_SIZE}"
            )
        assert _printed(run.stdout) == expected.splitlines(), (name, run.stdout)


@pytest.mark.parametrize("provider", TARGETS)
def test_every_request_goes_to_the_provider_with_its_key_and_model(
    provider: str, runs: Runs
) -> None:
    original, migrated = runs.original, runs.migrated
    mapping = load_registry().get(provider)
    base_url = mapping.compat.base_url or GATEWAY_BASE
    host = urlsplit(base_url).hostname
    result = migrated[provider]
    for name in _programs(provider):
        run, before = result.runs[name], original[name]
        assert len(run.requests) == len(before.requests) > 0, name
        for sent, asked in zip(run.requests, before.requests, strict=True):
            assert sent.host == host, (name, sent.url)
            # the mapping's own path, not a route's default one (deepseek/'s /beta)
            embeds = name in EMBEDDINGS or name in V0_EMBEDDINGS
            endpoint = "/embeddings" if embeds else "/chat/completions"
            base_path = urlsplit(base_url).path.rstrip("/")
            assert sent.path == base_path + endpoint, (name, sent.url)
            assert sent.headers.get("authorization") == f"Bearer {key_of(provider)}", name
            target = mapping.resolve_model(asked.json["model"])
            assert target is not None or provider == "gateway"  # (it maps no model)
            model = target.model if target is not None else asked.json["model"]
            assert sent.json["model"] == model, (name, sent.json["model"])
            if target is not None and (name in V0_PROGRAMS or name in V0_EMBEDDINGS):
                # what the mapped model needs in the body (DeepSeek: thinking disabled)
                # arrives, sent through LiteLLM's extra_body as the v1 calls send it
                for field, value in target.extra_body.items():
                    assert sent.json.get(field) == value, (name, field, sent.json)
            if name in STAYS_OPENAI:
                assert sent.sent_by == "openai", (name, sent.user_agent)
            else:
                # LiteLLM's own HTTP path, or the openai SDK it drives (the openai/ route)
                assert sent.sent_by in ("litellm", "openai"), (name, sent.user_agent)


@pytest.mark.parametrize("provider", TARGETS)
def test_calls_moved_to_litellm_and_clients_removed(provider: str, runs: Runs) -> None:
    result = runs.migrated[provider]
    for name in _programs(provider):
        source = (result.folder / name).read_text(encoding="utf-8")
        if name in STAYS_OPENAI:
            assert "litellm" not in source
            assert any(f.id == "MIG181" and f.path == name for f in result.report.findings)
            continue
        assert "import litellm" in source, name
        assert ".completions.create(" not in source and ".embeddings.create(" not in source
        assert "drop_params" not in source
        if name in V0_PROGRAMS or name in V0_EMBEDDINGS:
            # no --upgrade-v0: nothing of openai<1 is left, no v1 client was built
            for v0_only in ("openai.ChatCompletion", "openai.Embedding", "openai.error",
                            "openai.api_key", "openai.api_base", "OpenAI("):  # fmt: skip
                assert v0_only not in source, (name, v0_only)


# The targets whose mapping lets chat_sync.py's user= through as it is (no rule for it).
USER_KEPT = [p for p in TARGETS if load_registry().get(p).param_rule("chat", "user") is None]


@pytest.mark.parametrize("provider", USER_KEPT)
def test_a_parameter_the_route_does_not_list_still_reaches_the_provider(
    provider: str, runs: Runs
) -> None:
    """chat_sync.py sends user=, which must reach the provider: volcengine/ and the
    `openai/` route (for a non-OpenAI model) drop a parameter they do not list unless
    allowed_openai_params names it (MIG184)."""
    (sent,) = runs.migrated[provider].runs["chat_sync.py"].requests
    assert sent.json.get("user") == "ticket-bot", sent.json
