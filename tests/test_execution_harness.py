"""The execution harness, proven on the original (pre-migration) fixture programs.

Each program runs in a subprocess with the real ``openai`` SDK; fakenet's sitecustomize
answers every request and records it, so these tests pin down exactly what the unmigrated
code sends and prints. Migrated programs must later print the same stdout.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.execution.harness import ProgramRun, run_program, run_programs

PROGRAMS = Path(__file__).resolve().parent.parent / "fixtures" / "programs"
KEY = "sk-harness-test-key"
ENV = {"OPENAI_API_KEY": KEY}
AZURE_ENV = {
    "AZURE_OPENAI_ENDPOINT": "https://contoso-eu.openai.azure.com",
    "AZURE_OPENAI_API_KEY": "azure-secret",
    "AZURE_OPENAI_API_VERSION": "2024-10-21",
}

pytest.importorskip("openai")

RunFixture = Callable[[str], ProgramRun]


@pytest.fixture(scope="module")
def fixture_run() -> RunFixture:
    """Run a fixture program once per module (with ENV) and hand back the cached result."""
    cache: dict[str, ProgramRun] = {}

    def run(name: str) -> ProgramRun:
        if name not in cache:
            env = AZURE_ENV if name == "azure_client.py" else ENV
            cache[name] = run_program(PROGRAMS / name, env)
        return cache[name]

    return run


def run_source(tmp_path: Path, source: str, env: dict[str, str] | None = None) -> ProgramRun:
    program = tmp_path / "program.py"
    program.write_text(textwrap.dedent(source), encoding="utf-8")
    return run_program(program, ENV if env is None else env)


def assert_openai_chat(run: ProgramRun, model: str) -> dict[str, object]:
    req = run.request
    assert req.method == "POST"
    assert (req.host, req.path, req.query) == ("api.openai.com", "/v1/chat/completions", {})
    assert req.headers["authorization"] == f"Bearer {KEY}"
    assert req.headers["content-type"] == "application/json"
    assert req.json["model"] == model
    return req.json


# --------------------------------------------------------------------------- fixture programs


def test_chat_sync(fixture_run: RunFixture) -> None:
    run = fixture_run("chat_sync.py").assert_ok()
    body = assert_openai_chat(run, "gpt-4o")
    assert body["temperature"] == 0.2
    assert body["max_completion_tokens"] == 200
    assert body["user"] == "ticket-bot"
    assert body["messages"][-1] == {
        "role": "user",
        "content": "Printer on floor 3 is jammed again",
    }
    # usage: 7 + 7 prompt words, 7 reply words
    assert run.stdout == "summary: echo:Printer on floor 3 is jammed again\ntokens: 21\n"
    assert run.blocked == []


def test_chat_async(fixture_run: RunFixture) -> None:
    run = fixture_run("chat_async.py").assert_ok()
    assert len(run.requests) == 2
    for req in run.requests:
        assert (req.host, req.path) == ("api.openai.com", "/v1/chat/completions")
        assert req.headers["authorization"] == f"Bearer {KEY}"
        assert req.json["model"] == "gpt-4o-mini"
        assert req.json["temperature"] == 0
    asked = sorted(req.json["messages"][-1]["content"] for req in run.requests)
    assert asked == ["good morning", "thank you very much"]
    assert run.stdout == (
        "good morning -> echo:good morning\nthank you very much -> echo:thank you very much\n"
    )


def test_chat_stream(fixture_run: RunFixture) -> None:
    run = fixture_run("chat_stream.py").assert_ok()
    body = assert_openai_chat(run, "gpt-4o")
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert run.stdout == (
        "echo:Tell a two line story about a lighthouse keeper\ntotal tokens: 18\n"
    )


def test_tools(fixture_run: RunFixture) -> None:
    run = fixture_run("tools.py").assert_ok()
    body = assert_openai_chat(run, "gpt-4o")
    assert body["tool_choice"] == "auto"
    assert [t["function"]["name"] for t in body["tools"]] == ["get_weather"]
    assert run.stdout == ("tool call: get_weather {'city': 'Beijing'}\nfinish reason: tool_calls\n")


def test_embeddings(fixture_run: RunFixture) -> None:
    run = fixture_run("embeddings.py").assert_ok()
    req = run.request
    assert (req.method, req.host, req.path) == ("POST", "api.openai.com", "/v1/embeddings")
    assert req.headers["authorization"] == f"Bearer {KEY}"
    assert req.json["model"] == "text-embedding-3-small"
    assert len(req.json["input"]) == 3
    # the SDK asks for base64 by default and decodes it; the fake honours that
    assert req.json["encoding_format"] == "base64"
    assert run.stdout == "vectors: 3\ndimension: 8\n"


def test_azure_client(fixture_run: RunFixture) -> None:
    run = fixture_run("azure_client.py").assert_ok()
    req = run.request
    assert req.method == "POST"
    assert req.host == "contoso-eu.openai.azure.com"
    assert req.path == "/openai/deployments/gpt-4o/chat/completions"
    assert req.query == {"api-version": "2024-10-21"}
    assert req.headers["api-key"] == "azure-secret"
    assert "authorization" not in req.headers
    assert req.json["model"] == "gpt-4o"
    assert req.json["max_tokens"] == 100
    assert run.stdout == "echo:What is the capital of France?\n"


def test_with_options(fixture_run: RunFixture) -> None:
    run = fixture_run("with_options.py").assert_ok()
    assert_openai_chat(run, "gpt-4o")
    assert run.stdout == "echo:Is it safe to restart the build server now?\n"


def test_env_base_url_default_and_redirected(fixture_run: RunFixture) -> None:
    default = fixture_run("env_base_url.py").assert_ok()
    assert_openai_chat(default, "gpt-4o")
    assert default.stdout == "echo:fix off by one in pagination\n"

    env = {**ENV, "OPENAI_BASE_URL": "https://llm-gateway.internal.example/v1"}
    redirected = run_program(PROGRAMS / "env_base_url.py", env).assert_ok()
    req = redirected.request
    assert (req.host, req.path) == ("llm-gateway.internal.example", "/v1/chat/completions")
    # same output whatever host answers: what migrated programs are compared on
    assert redirected.stdout == default.stdout


def test_v0_program_needs_upgrade() -> None:
    header = (PROGRAMS / "v0_module.py").read_text(encoding="utf-8").splitlines()[0]
    assert header == "# v0 API: runs only after --upgrade-v0"
    run = run_program(PROGRAMS / "v0_module.py", ENV)
    assert run.returncode != 0
    assert "APIRemovedInV1" in run.stderr
    assert run.requests == []


def test_every_program_is_small_and_has_a_main_guard() -> None:
    programs = sorted(PROGRAMS.glob("*.py"))
    assert {p.name for p in programs} >= {
        "chat_sync.py",
        "chat_async.py",
        "chat_stream.py",
        "tools.py",
        "embeddings.py",
        "azure_client.py",
        "v0_module.py",
        "with_options.py",
        "env_base_url.py",
    }
    for program in programs:
        text = program.read_text(encoding="utf-8")
        assert 15 <= len(text.splitlines()) <= 40, program.name
        assert 'if __name__ == "__main__":' in text, program.name


# --------------------------------------------------------------------------- harness itself


def test_outer_openai_env_does_not_leak(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-outer-real-key")
    monkeypatch.setenv("OPENAI_BASE_URL", "https://outer.example/v1")
    run = run_program(PROGRAMS / "with_options.py", ENV).assert_ok()
    assert run.request.host == "api.openai.com"
    assert run.request.headers["authorization"] == f"Bearer {KEY}"


def test_program_without_requests_logs_nothing(tmp_path: Path) -> None:
    run = run_source(
        tmp_path,
        """
        from openai import OpenAI

        client = OpenAI()
        print("client ready")
        """,
    ).assert_ok()
    assert run.stdout == "client ready\n"
    assert run.requests == []
    assert run.blocked == []


def test_sockets_and_dns_are_blocked(tmp_path: Path) -> None:
    run = run_source(
        tmp_path,
        """
        import socket

        for attempt in (
            lambda: socket.create_connection(("api.openai.com", 443), timeout=2),
            lambda: socket.socket().connect(("127.0.0.1", 9)),
            lambda: socket.socket().connect_ex(("127.0.0.1", 9)),
        ):
            try:
                attempt()
            except OSError as exc:
                print("refused:", "fakenet" in str(exc))
            else:
                print("CONNECTED")
        """,
    ).assert_ok()
    assert run.stdout == "refused: True\n" * 3
    assert [(b["what"], b["target"]) for b in run.blocked] == [
        ("getaddrinfo", "('api.openai.com', 443)"),
        ("connect", "('127.0.0.1', 9)"),
        ("connect", "('127.0.0.1', 9)"),
    ]
    assert run.requests == []


def test_unknown_path_is_logged_and_answered_404(tmp_path: Path) -> None:
    run = run_source(
        tmp_path,
        """
        import openai

        client = openai.OpenAI()
        try:
            client.post("/fine_tuning/nowhere?x=1", cast_to=object, body={"a": 1})
        except openai.NotFoundError as exc:
            print(exc.status_code, exc.body["code"], exc.body["message"])
        """,
    ).assert_ok()
    expected = "404 unknown_url fakenet: no canned response for POST /v1/fine_tuning/nowhere"
    assert run.stdout == expected + "\n"
    req = run.request  # exactly one: a 404 is not retried
    assert (req.path, req.query, req.json) == ("/v1/fine_tuning/nowhere", {"x": "1"}, {"a": 1})


def test_raw_sse_stream_has_several_chunks(tmp_path: Path) -> None:
    run = run_source(
        tmp_path,
        """
        import json

        import httpx2

        body = {
            "model": "qwen-plus",
            "messages": [{"role": "user", "content": "hello there"}],
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        url = "https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions"
        with httpx2.Client() as client, client.stream("POST", url, json=body) as response:
            print(response.status_code, response.headers["content-type"])
            chunks = list(response.iter_raw())
        print(len(chunks), chunks[-1].decode().strip())
        events = [json.loads(c.decode()[len("data: "):]) for c in chunks[:-1]]
        print(sorted({e["model"] for e in events}))
        print(repr("".join(e["choices"][0]["delta"].get("content") or ""
                           for e in events if e["choices"])))
        print(events[-1]["choices"], events[-1]["usage"]["total_tokens"])
        """,
    ).assert_ok()
    lines = run.stdout.splitlines()
    assert lines[0] == "200 text/event-stream; charset=utf-8"
    count, done = lines[1].split(" ", 1)
    # role chunk + 2 content chunks + finish chunk + usage chunk + [DONE]
    assert int(count) >= 6 and done == "data: [DONE]"
    assert lines[2:] == ["['qwen-plus']", "'echo:hello there'", "[] 4"]
    assert run.request.host == "dashscope.aliyuncs.com"


def test_async_stream_with_tool_call(tmp_path: Path) -> None:
    run = run_source(
        tmp_path,
        """
        import asyncio

        from openai import AsyncOpenAI

        TOOLS = [{"type": "function", "function": {"name": "lookup_weather",
                                                   "parameters": {"type": "object"}}}]


        async def main() -> None:
            client = AsyncOpenAI(base_url="https://open.bigmodel.cn/api/paas/v4")
            stream = await client.chat.completions.create(
                model="glm-4-flash",
                messages=[{"role": "user", "content": "Weather in Beijing?"}],
                tools=TOOLS,
                stream=True,
            )
            name, args, finish = "", "", None
            async for chunk in stream:
                for call in chunk.choices[0].delta.tool_calls or []:
                    name += call.function.name or ""
                    args += call.function.arguments or ""
                finish = chunk.choices[0].finish_reason or finish
            print(name, args, finish)


        asyncio.run(main())
        """,
    ).assert_ok()
    assert run.stdout == 'lookup_weather {"city": "Beijing"} tool_calls\n'
    req = run.request
    assert (req.host, req.path) == ("open.bigmodel.cn", "/api/paas/v4/chat/completions")
    assert req.json["model"] == "glm-4-flash"


def test_completions_models_and_float_embeddings(tmp_path: Path) -> None:
    run = run_source(
        tmp_path,
        """
        from openai import OpenAI

        client = OpenAI()
        completion = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say hi")
        print(completion.choices[0].text, completion.model)
        print([m.id for m in client.models.list()][:2])
        print(client.models.retrieve("deepseek-chat").id)
        emb = client.embeddings.create(
            model="text-embedding-v3", input="one text", dimensions=16, encoding_format="float"
        )
        print(len(emb.data), len(emb.data[0].embedding), emb.model)
        """,
    ).assert_ok()
    assert run.stdout.splitlines() == [
        "echo:Say hi gpt-3.5-turbo-instruct",
        "['gpt-4o', 'gpt-4o-mini']",
        "deepseek-chat",
        "1 16 text-embedding-v3",
    ]
    assert [(r.method, r.path) for r in run.requests] == [
        ("POST", "/v1/completions"),
        ("GET", "/v1/models"),
        ("GET", "/v1/models/deepseek-chat"),
        ("POST", "/v1/embeddings"),
    ]
    assert run.requests[1].json is None and run.requests[1].body is None


def test_httpx_is_patched_lazily_too(tmp_path: Path) -> None:
    # A stand-in package named ``httpx`` (the real one may not be installed) whose transport
    # would fail if it were used: fakenet must patch it when the program imports it.
    stand_in = tmp_path / "httpx"
    stand_in.mkdir()
    (stand_in / "__init__.py").write_text(
        textwrap.dedent(
            """
            import httpx2
            from httpx2 import AsyncByteStream, Client, Response, SyncByteStream


            class HTTPTransport(httpx2.BaseTransport):
                def handle_request(self, request):
                    raise RuntimeError("real httpx transport used")


            class AsyncHTTPTransport(httpx2.AsyncBaseTransport):
                async def handle_async_request(self, request):
                    raise RuntimeError("real httpx transport used")
            """
        ),
        encoding="utf-8",
    )
    program = tmp_path / "program.py"
    program.write_text(
        textwrap.dedent(
            """
            import httpx

            body = {"model": "deepseek-chat", "messages": [{"role": "user", "content": "hi"}]}
            with httpx.Client(transport=httpx.HTTPTransport()) as client:
                response = client.post(
                    "https://api.deepseek.com/chat/completions",
                    json=body,
                    headers={"Authorization": "Bearer ds-key"},
                )
            print(response.json()["choices"][0]["message"]["content"], response.json()["model"])
            """
        ),
        encoding="utf-8",
    )
    run = run_program(program, {"PYTHONPATH": str(tmp_path)}).assert_ok()
    assert run.stdout == "echo:hi deepseek-chat\n"
    assert run.request.headers["authorization"] == "Bearer ds-key"
    assert run.request.path == "/chat/completions"


def test_log_is_one_json_line_per_request(tmp_path: Path) -> None:
    run = run_source(
        tmp_path,
        """
        import json
        import os

        from openai import OpenAI

        client = OpenAI()
        for word in ("a", "b"):
            client.chat.completions.create(
                model="gpt-4o", messages=[{"role": "user", "content": word}]
            )
        with open(os.environ["FAKENET_LOG"], encoding="utf-8") as fh:
            for line in fh:
                record = json.loads(line)
                print(record["event"], record["seq"], record["method"], record["body_is_json"])
        """,
    ).assert_ok()
    assert run.stdout == "request 1 POST True\nrequest 2 POST True\n"
    assert [r.json["messages"][0]["content"] for r in run.requests] == ["a", "b"]
    assert all(name == name.lower() for name in run.requests[0].headers)


def test_raw_urllib_request_is_recorded_and_answered(tmp_path: Path) -> None:
    run = run_source(
        tmp_path,
        """
        import json
        import urllib.request

        request = urllib.request.Request(
            "https://api.openai.com/v1/chat/completions",
            data=json.dumps({"model": "gpt-4o", "messages": [
                {"role": "user", "content": "raw hello"}]}).encode(),
            headers={"Authorization": "Bearer sk-raw", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request) as response:
            print(response.status, json.load(response)["choices"][0]["message"]["content"])
        """,
    ).assert_ok()
    assert run.stdout == "200 echo:raw hello\n"
    req = run.request
    assert (req.method, req.host, req.path) == ("POST", "api.openai.com", "/v1/chat/completions")
    assert req.headers["authorization"] == "Bearer sk-raw"
    assert req.json["model"] == "gpt-4o"
    assert run.blocked == []


def test_run_programs_isolates_module_settings_and_finds_sibling_modules(
    tmp_path: Path,
) -> None:
    first = tmp_path / "one" / "configure.py"
    second = tmp_path / "two" / "unconfigured.py"
    for path in (first, second):
        path.parent.mkdir()
    (first.parent / "helper.py").write_text("GREETING = 'hi'\n", encoding="utf-8")
    first.write_text(
        textwrap.dedent(
            """
            import openai
            from helper import GREETING

            openai.base_url = "https://api.deepseek.com/"
            openai.api_key = "ds-key"
            reply = openai.chat.completions.create(
                model="deepseek-chat", messages=[{"role": "user", "content": GREETING}]
            )
            print(reply.choices[0].message.content)
            """
        ),
        encoding="utf-8",
    )
    # Runs after `first` in the same interpreter: it must not inherit its settings.
    second.write_text(
        textwrap.dedent(
            """
            import openai

            openai.chat.completions.create(
                model="gpt-4o", messages=[{"role": "user", "content": "plain"}]
            )
            """
        ),
        encoding="utf-8",
    )
    runs = run_programs([first, second], ENV)
    one, two = runs[first.resolve()], runs[second.resolve()]
    assert one.assert_ok().stdout == "echo:hi\n"
    assert (one.request.host, one.request.headers["authorization"]) == (
        "api.deepseek.com",
        "Bearer ds-key",
    )
    assert (two.assert_ok().request.host, two.request.headers["authorization"]) == (
        "api.openai.com",
        f"Bearer {KEY}",
    )
