"""The fake network (tests/execution/fakenet) beyond OpenAI: each HTTP library it fakes,
each provider's wire format, the 429 trigger, and which sender a request is recorded as.

Every test runs a tiny program in a faked-network subprocess and checks what it printed
(what the library or SDK parsed out of the canned answer) and what the log recorded.
"""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

import pytest

from tests.execution.harness import ProgramRun, run_program

CHAT_URL = "https://api.openai.com/v1/chat/completions"
DASHSCOPE_GENERATION = (
    "https://dashscope.aliyuncs.com/api/v1/services/aigc/text-generation/generation"
)


def run_source(tmp_path: Path, source: str, env: dict[str, str] | None = None) -> ProgramRun:
    program = tmp_path / "program.py"
    program.write_text(textwrap.dedent(source), encoding="utf-8")
    run = run_program(program, env or {}).assert_ok()
    assert run.blocked == []  # every request went through the fake, none to a socket
    return run


def needs(module: str) -> pytest.MarkDecorator:
    missing = importlib.util.find_spec(module) is None
    return pytest.mark.skipif(missing, reason=f"{module} is not installed")


# --------------------------------------------------------------------------- libraries


@needs("requests")
def test_requests_is_faked(tmp_path: Path) -> None:
    run = run_source(
        tmp_path,
        f"""
        import requests

        body = {{"model": "gpt-4o", "messages": [{{"role": "user", "content": "hi there"}}]}}
        response = requests.post("{CHAT_URL}", json=body, headers={{"Authorization": "Bearer k"}})
        print(response.status_code, response.json()["choices"][0]["message"]["content"])
        print(response.headers["x-request-id"])
        """,
    )
    assert run.stdout == "200 echo:hi there\nreq_fakenet_1\n"
    request = run.request
    assert (request.host, request.path, request.sent_by) == (
        "api.openai.com",
        "/v1/chat/completions",
        "requests",
    )
    assert request.headers["authorization"] == "Bearer k"
    assert request.json["messages"] == [{"role": "user", "content": "hi there"}]


@needs("requests")
def test_requests_streams_line_by_line(tmp_path: Path) -> None:
    run = run_source(
        tmp_path,
        f"""
        import json

        import requests

        body = {{"model": "qwen-plus", "input": {{"messages": [{{"role": "user",
                 "content": "one two three"}}]}}, "parameters": {{"incremental_output": True}}}}
        with requests.post("{DASHSCOPE_GENERATION}", json=body, stream=True,
                           headers={{"X-DashScope-SSE": "enable"}}) as response:
            lines = [line for line in response.iter_lines(decode_unicode=True) if line]
        events = [json.loads(line[len("data:"):]) for line in lines if line.startswith("data:")]
        print(response.headers["content-type"])
        print([e["output"]["text"] for e in events])
        print([e["output"]["finish_reason"] for e in events])
        print(events[-1]["usage"])
        """,
    )
    assert run.stdout.splitlines() == [
        "text/event-stream; charset=utf-8",
        "['echo:one ', 'two ', 'three', '']",  # pieces, as incremental_output asks
        "['null', 'null', 'null', 'stop']",  # DashScope's unfinished choice: the string "null"
        "{'input_tokens': 3, 'output_tokens': 3, 'total_tokens': 6}",
    ]
    assert run.request.sent_by == "requests"


@needs("aiohttp")
def test_aiohttp_is_faked_with_its_own_parser(tmp_path: Path) -> None:
    run = run_source(
        tmp_path,
        f"""
        import asyncio
        import json

        import aiohttp

        CHAT = {{"model": "gpt-4o", "messages": [{{"role": "user", "content": "hi there"}}]}}
        STREAM = {{"model": "qwen-plus", "input": {{"messages": [{{"role": "user",
                   "content": "one two"}}]}}, "parameters": {{"incremental_output": True}}}}


        async def main() -> None:
            async with aiohttp.ClientSession() as session:
                async with session.post("{CHAT_URL}", json=CHAT) as response:
                    answer = await response.json()
                    print(response.status, answer["choices"][0]["message"]["content"])
                headers = {{"X-DashScope-SSE": "enable"}}
                async with session.post("{DASHSCOPE_GENERATION}", json=STREAM,
                                        headers=headers) as response:
                    pieces = []
                    async for line in response.content:
                        if line.startswith(b"data:"):
                            pieces.append(json.loads(line[5:])["output"]["text"])
                    print(response.content_type, pieces)


        asyncio.run(main())
        """,
    )
    assert run.stdout == ("200 echo:hi there\ntext/event-stream ['echo:one ', 'two', '']\n")
    assert [(r.host, r.sent_by) for r in run.requests] == [
        ("api.openai.com", "aiohttp"),
        ("dashscope.aliyuncs.com", "aiohttp"),
    ]
    assert run.requests[1].headers["x-dashscope-sse"] == "enable"


def test_urllib_and_httpx_are_recorded_with_their_user_agent(tmp_path: Path) -> None:
    run = run_source(
        tmp_path,
        f"""
        import json
        import urllib.request

        import httpx2

        body = json.dumps({{"model": "m", "messages": [{{"role": "user", "content": "a"}}]}})
        request = urllib.request.Request("{CHAT_URL}", data=body.encode(), method="POST",
                                         headers={{"Content-Type": "application/json"}})
        with urllib.request.urlopen(request) as response:
            print(json.load(response)["choices"][0]["message"]["content"])
        print(httpx2.post("{CHAT_URL}", content=body).json()["choices"][0]["message"]["content"])
        """,
    )
    assert run.stdout == "echo:a\necho:a\n"
    assert [r.sent_by for r in run.requests] == ["urllib", "httpx2"]
    assert run.requests[0].user_agent.startswith("Python-urllib/")


# --------------------------------------------------------------------------- providers


@needs("dashscope")
def test_dashscope_1x_api_goes_through_requests_and_aiohttp(tmp_path: Path) -> None:
    run = run_source(
        tmp_path,
        """
        import asyncio
        import os

        import dashscope

        KEY = os.environ["DASHSCOPE_API_KEY"]
        MESSAGES = [{"role": "user", "content": "hello there"}]
        reply = dashscope.Generation.call(api_key=KEY, model="qwen-plus", messages=MESSAGES,
                                          result_format="message")
        print(reply.status_code, reply.output.choices[0].message.content, reply.usage)
        # 1.x streams cumulative snapshots unless asked for pieces
        snapshots = [r.output.choices[0].message.content for r in dashscope.Generation.call(
            api_key=KEY, model="qwen-plus", messages=MESSAGES, result_format="message",
            stream=True)]
        print(snapshots[-1], len(snapshots) > 1)


        async def main() -> None:
            reply = await dashscope.AioGeneration.call(
                api_key=KEY, model="qwen-plus", messages=MESSAGES, result_format="message")
            print(reply.status_code, reply.output.choices[0].message.content)
            await dashscope.close_shared_aio_session()


        asyncio.run(main())
        """,
        {"DASHSCOPE_API_KEY": "test-dashscope-key"},
    )
    assert run.stdout.splitlines() == [
        '200 echo:hello there {"input_tokens": 2, "output_tokens": 2, "total_tokens": 4}',
        "echo:hello there True",
        "200 echo:hello there",
    ]
    assert [r.sent_by for r in run.requests] == ["dashscope-1.x"] * 3
    assert {r.path for r in run.requests} == {"/api/v1/services/aigc/text-generation/generation"}
    assert run.requests[1].headers["x-dashscope-sse"] == "enable"
    assert all(r.headers["authorization"] == "Bearer test-dashscope-key" for r in run.requests)


RAW_ANSWERS = """
import json

import httpx2

MESSAGES = [{"role": "user", "content": "hi there"}]
for url, body in [
    ("https://open.bigmodel.cn/api/paas/v4/chat/completions",
     {"model": "glm-4-plus", "messages": MESSAGES, "stream": True}),
    ("https://ark.cn-beijing.volces.com/api/v3/chat/completions",
     {"model": "doubao", "messages": MESSAGES}),
    ("https://api.openai.com/v1/chat/completions", {"model": "gpt-4o", "messages": MESSAGES}),
]:
    text = httpx2.post(url, json=body).text
    if body.get("stream"):
        events = [json.loads(line[6:]) for line in text.splitlines()
                  if line.startswith("data: {")]
        print(sorted(events[-1]), events[-1]["choices"][0]["finish_reason"])
    else:
        print(sorted(json.loads(text)))
"""


def test_each_provider_answers_in_its_own_shape(tmp_path: Path) -> None:
    zhipu, ark, openai = run_source(tmp_path, RAW_ANSWERS).stdout.splitlines()
    # Zhipu: the last stream chunk carries finish_reason and usage; no system_fingerprint
    assert zhipu == "['choices', 'created', 'id', 'model', 'usage'] stop"
    assert "service_tier" in ark and "system_fingerprint" not in ark
    assert "system_fingerprint" in openai and "service_tier" not in openai


RATE_LIMITED = """
import httpx2

MESSAGES = [{"role": "user", "content": "[rate-limit] hi"}]
for url in [
    "https://api.openai.com/v1/chat/completions",
    "https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions",
    "https://dashscope.aliyuncs.com/api/v1/services/aigc/text-generation/generation",
    "https://open.bigmodel.cn/api/paas/v4/chat/completions",
    "https://ark.cn-beijing.volces.com/api/v3/chat/completions",
]:
    body = {"model": "m", "messages": MESSAGES, "input": {"messages": MESSAGES}}
    response = httpx2.post(url, json=body)
    error = response.json().get("error", response.json())
    print(response.status_code, response.headers["x-should-retry"], error["code"])
"""


def test_the_rate_limit_trigger_answers_429_in_each_providers_error_format(
    tmp_path: Path,
) -> None:
    assert run_source(tmp_path, RATE_LIMITED).stdout.splitlines() == [
        "429 false rate_limit_exceeded",  # OpenAI, and DashScope's compatible mode
        "429 false rate_limit_exceeded",
        "429 false Throttling.RateQuota",  # dashscope==2.0.2:dashscope/v2/errors.py ErrorCode
        "429 false 1302",  # Zhipu's rate-limit code
        "429 false RateLimitExceeded.EndpointRPMExceeded",
    ]


def test_the_openai_sdk_raises_its_rate_limit_error_once(tmp_path: Path) -> None:
    programs = Path(__file__).resolve().parent.parent / "fixtures" / "programs"
    run = run_program(programs / "rate_limit.py", {"OPENAI_API_KEY": "sk-test"}).assert_ok()
    assert run.stdout == (
        "rate limited (HTTP 429), try again later\necho:How many tickets are closed?\n"
    )
    assert len(run.requests) == 2  # the 429 is not retried
