"""Run a (migrated or original) program in a subprocess with the network faked.

The subprocess gets ``fakenet/`` first on its ``PYTHONPATH`` (its ``sitecustomize`` fakes
the httpx2/httpx, urllib, requests and aiohttp network layers, answering in the wire format
of the provider each URL names, and blocks sockets) and a fresh ``FAKENET_LOG``; afterwards
the log is parsed into :class:`RecordedRequest` objects::

    run = run_program(FIXTURES / "chat_sync.py", {"OPENAI_API_KEY": "sk-test"})
    run.assert_ok()
    req = run.request  # the one request it sent
    assert (req.host, req.path) == ("api.openai.com", "/v1/chat/completions")
    assert req.headers["authorization"] == "Bearer sk-test"
    assert req.json["model"] == "gpt-4o"
    assert req.sent_by == "openai"  # which SDK sent it, from its headers

:func:`run_programs` runs many programs in one such subprocess (importing the SDK once),
and gives each program's exit status, stdout and requests.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

if TYPE_CHECKING:
    from migrator.migrate import MigrationReport

FAKENET_DIR = Path(__file__).resolve().parent / "fakenet"

# What the child inherits from the outer environment; everything else must be given.
INHERITED_ENV = ("PATH", "HOME", "SYSTEMROOT", "TMPDIR")

# Which client sent a request, told by a header it sets: (header, pattern, sender), the
# first match wins. SDKs first, then the HTTP libraries they (or a program) send through.
SENDERS: tuple[tuple[str, str, str], ...] = (
    # openai: f"{type(client).__name__}/Python {version}" (OpenAI, AsyncOpenAI,
    # AzureOpenAI...), openai==3.57.0:openai/_base_client.py BaseClient.user_agent
    ("user-agent", r"\w*OpenAI/Python ", "openai"),
    # dashscope==2.0.2:dashscope/v2/transport/http.py default_user_agent (dashscope.Client,
    # dashscope.AsyncClient)
    ("user-agent", r"dashscope-v2-python/", "dashscope"),
    # dashscope==2.0.2:dashscope/common/utils.py get_user_agent (the 1.x API: Generation,
    # TextEmbedding..., through requests or aiohttp)
    ("user-agent", r"dashscope/", "dashscope-1.x"),
    # zai sets no User-Agent (httpx's own goes out) but always this header:
    # zai-sdk==0.2.3:zai/core/_http_client.py HttpClient._default_headers
    ("x-request-sdk", r"z-ai-sdk-python", "zai"),
    # "volc-sdk-python/" + VERSION ("1.0.0", not the package version):
    # volcengine-ark-runtime==5.0.54:volcenginesdkarkruntime/_base_client.py user_agent
    ("user-agent", r"volc-sdk-python/", "ark"),
    # LiteLLM's own HTTP path (routes it sends without the openai SDK):
    # litellm==1.110.2:litellm/llms/custom_httpx/httpx_handler.py
    ("user-agent", r"litellm/", "litellm"),
    ("user-agent", r"python-requests/", "requests"),
    ("user-agent", r"Python/[\d.]+ aiohttp/", "aiohttp"),
    ("user-agent", r"python-httpx2/", "httpx2"),
    ("user-agent", r"python-httpx/", "httpx"),
    ("user-agent", r"Python-urllib/", "urllib"),
)


@dataclass(frozen=True)
class RecordedRequest:
    """One request the program's HTTP client sent, as the fake transport saw it."""

    method: str
    url: str
    host: str
    port: int | None
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names lower-cased
    json: Any  # parsed JSON body, or None when the body was empty or not JSON
    body: str | None  # the body's text when it was not JSON

    @property
    def user_agent(self) -> str:
        return self.headers.get("user-agent", "")

    @property
    def sent_by(self) -> str:
        """The SDK or library that sent the request ("openai", "dashscope", "dashscope-1.x",
        "zai", "ark", "requests", "aiohttp", "httpx2", "httpx", "urllib"; "unknown"), from
        the headers it sets (see SENDERS)."""
        for header, pattern, sender in SENDERS:
            if re.match(pattern, self.headers.get(header, "")):
                return sender
        return "unknown"

    @classmethod
    def from_log(cls, record: dict[str, Any]) -> RecordedRequest:
        parts = urlsplit(record["url"])
        is_json = bool(record.get("body_is_json"))
        raw = record.get("body")
        return cls(
            method=record["method"],
            url=record["url"],
            host=parts.hostname or "",
            port=parts.port,
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers=dict(record.get("headers") or {}),
            json=raw if is_json else None,
            body=None if is_json else raw,
        )


@dataclass
class ProgramRun:
    """Outcome of :func:`run_program`."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    requests: list[RecordedRequest] = field(default_factory=list)
    blocked: list[dict[str, Any]] = field(default_factory=list)  # refused socket/DNS use

    @property
    def request(self) -> RecordedRequest:
        """The only request sent; fails if there were none or several."""
        assert len(self.requests) == 1, self._describe(f"expected 1 request, got {self.requests}")
        return self.requests[0]

    def assert_ok(self) -> ProgramRun:
        """Fail with the program's output unless it exited 0."""
        assert self.returncode == 0, self._describe(f"exit status {self.returncode}")
        return self

    def _describe(self, problem: str) -> str:
        return f"{problem}\n--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"


def _child_env(env: dict[str, str], log_path: Path) -> dict[str, str]:
    child = {k: os.environ[k] for k in INHERITED_ENV if k in os.environ}
    child.update({"PYTHONIOENCODING": "utf-8", "PYTHONDONTWRITEBYTECODE": "1"})
    child.update(env)
    pythonpath = [str(FAKENET_DIR), env.get("PYTHONPATH", ""), os.environ.get("PYTHONPATH", "")]
    child["PYTHONPATH"] = os.pathsep.join(p for p in pythonpath if p)
    child["FAKENET_LOG"] = str(log_path)
    return child


def read_log(log_path: Path) -> tuple[list[RecordedRequest], list[dict[str, Any]]]:
    """Requests and blocked-network records from a ``FAKENET_LOG`` file."""
    requests: list[RecordedRequest] = []
    blocked: list[dict[str, Any]] = []
    if not log_path.exists():
        return requests, blocked
    for line in log_path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if record.get("event") == "request":
            requests.append(RecordedRequest.from_log(record))
        else:
            blocked.append(record)
    return requests, blocked


def run_program(
    path: Path,
    env: dict[str, str],
    *,
    cwd: Path | None = None,
    timeout: float = 60,
    args: list[str] | None = None,
) -> ProgramRun:
    """Run ``python path [args]`` with faked network and a clean environment.

    Only PATH, HOME (and TMPDIR, SYSTEMROOT) come from the outer environment, so no
    real ``OPENAI_*`` leaks in; ``env`` supplies the rest and wins over them. ``cwd``
    defaults to the program's directory. Raises ``subprocess.TimeoutExpired`` on timeout.
    """
    path = Path(path).resolve()
    with tempfile.TemporaryDirectory(prefix="fakenet-") as tmp:
        log_path = Path(tmp) / "requests.jsonl"
        log_path.touch()
        argv = [sys.executable, str(path), *(args or [])]
        proc = subprocess.run(
            argv,
            env=_child_env(env, log_path),
            cwd=str(cwd or path.parent),
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        requests, blocked = read_log(log_path)
    return ProgramRun(
        args=argv,
        returncode=proc.returncode,
        stdout=proc.stdout,
        stderr=proc.stderr,
        requests=requests,
        blocked=blocked,
    )


# One interpreter runs many programs, one after the other: importing the openai SDK costs
# about a second of CPU, and one interpreter per program would take most of the suite's
# time budget. The driver runs each program as `__main__` (runpy) with its folder first on
# sys.path (as `python program.py` does), captures its stdout, notes which of the fake
# network's logged requests it sent, and afterwards puts the openai module's settings
# (`openai.base_url`, `openai.api_key`, the module client) back as they were, so that one
# program's module-level configuration cannot stand in for a missing one in the next.
DRIVER = """
import contextlib, io, json, os, runpy, sys, traceback

def sent():
    with open(os.environ["FAKENET_LOG"], encoding="utf-8") as log:
        return sum(1 for line in log if line.strip() and '"event": "request"' in line)

try:
    import openai
except ImportError:
    openai = None
# The module client's settings (read from the module's namespace: getattr would build
# the lazily created client) and the cached client itself.
SETTINGS = ("api_key", "admin_api_key", "organization", "project", "webhook_secret",
            "base_url", "timeout", "max_retries", "default_headers", "default_query",
            "http_client", "api_type", "api_version", "azure_endpoint", "azure_ad_token",
            "azure_ad_token_provider", "_client")
namespace = vars(openai) if openai else {}
settings = {name: namespace[name] for name in SETTINGS if name in namespace}

results = []
for path in sys.argv[1:]:
    start, out, code, error = sent(), io.StringIO(), 0, ""
    sys.argv = [path]
    sys.path.insert(0, os.path.dirname(path))
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(path, run_name="__main__")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        if not isinstance(exc.code, int) and exc.code is not None:
            error = str(exc.code)
    except BaseException:
        code, error = 1, traceback.format_exc()
    finally:
        sys.path.pop(0)
        for name, value in settings.items():
            setattr(openai, name, value)
    results.append({"path": path, "code": code, "stdout": out.getvalue(), "error": error,
                    "start": start, "end": sent()})
print(json.dumps(results))
"""


@dataclass
class Program:
    """One program's run inside :func:`run_programs`' interpreter."""

    returncode: int
    stdout: str
    error: str  # the traceback, or the message of a `sys.exit("...")`
    requests: list[RecordedRequest]

    def assert_ok(self) -> Program:
        assert self.returncode == 0, f"exit {self.returncode}\n{self.stdout}\n{self.error}"
        return self

    @property
    def request(self) -> RecordedRequest:
        assert len(self.requests) == 1, self.requests
        return self.requests[0]


def run_programs(
    paths: list[Path], env: dict[str, str], *, timeout: float = 120
) -> dict[Path, Program]:
    """Run `paths` one after the other in one faked-network interpreter (see DRIVER)."""
    with tempfile.TemporaryDirectory(prefix="fakenet-driver-") as tmp:
        driver = Path(tmp) / "driver.py"
        driver.write_text(DRIVER, encoding="utf-8")
        run = run_program(
            driver, env, args=[str(Path(p).resolve()) for p in paths], timeout=timeout
        )
    run.assert_ok()
    assert run.blocked == [], run.blocked
    programs: dict[Path, Program] = {}
    for item in json.loads(run.stdout):
        requests = run.requests[item["start"] : item["end"]]
        programs[Path(item["path"])] = Program(
            item["code"], item["stdout"], item["error"], requests
        )
    return programs


def migrate_folder(
    folder: Path,
    provider: str,
    *,
    upgrade_v0: bool = False,
    strategy: str = "compat",
    routes: tuple[str, ...] = (),
) -> MigrationReport:
    """Migrate `folder` for `provider` with the real engine (what `migrator apply
    --in-place [--upgrade-v0] [--route FAMILY=PROVIDER]` writes) and write the changed
    files; the run must have no file errors."""
    from migrator.codemods.strategies import strategy_named

    from migrator.discovery import discover
    from migrator.mapping import load_registry
    from migrator.migrate import migrate
    from migrator.options import RewriteOptions
    from migrator.routes import resolve_routes

    registry = load_registry()
    mapping = registry.get(provider)
    options = RewriteOptions(
        mapping=mapping,
        strategy=strategy_named(strategy),
        upgrade_v0=upgrade_v0,
        routes=resolve_routes(registry, mapping, {}, routes),
    )
    report = migrate(discover(folder), options, jobs=1, show_progress=False)
    assert not report.errors, report.errors
    for result in report.changed:
        assert result.new_source is not None
        (folder / result.path).write_bytes(result.new_source)
    return report
