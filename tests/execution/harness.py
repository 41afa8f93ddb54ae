"""Run a (migrated or original) program in a subprocess with the network faked.

The subprocess gets ``fakenet/`` first on its ``PYTHONPATH`` (its ``sitecustomize`` fakes
every httpx2/httpx transport and blocks sockets) and a fresh ``FAKENET_LOG``; afterwards the
log is parsed into :class:`RecordedRequest` objects::

    run = run_program(FIXTURES / "chat_sync.py", {"OPENAI_API_KEY": "sk-test"})
    run.assert_ok()
    req = run.request  # the one request it sent
    assert (req.host, req.path) == ("api.openai.com", "/v1/chat/completions")
    assert req.headers["authorization"] == "Bearer sk-test"
    assert req.json["model"] == "gpt-4o"
"""

from __future__ import annotations

import json
import os
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


def migrate_folder(folder: Path, provider: str) -> MigrationReport:
    """Migrate `folder` for `provider` with the real engine (what `migrator apply
    --in-place` writes) and write the changed files; the run must have no file errors."""
    from migrator.discovery import discover
    from migrator.mapping import load_registry
    from migrator.migrate import migrate
    from migrator.rewrite import RewriteOptions

    options = RewriteOptions(mapping=load_registry().get(provider))
    report = migrate(discover(folder), options, jobs=1, show_progress=False)
    assert not report.errors, report.errors
    for result in report.changed:
        assert result.new_source is not None
        (folder / result.path).write_bytes(result.new_source)
    return report
