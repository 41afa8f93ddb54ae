"""Checklist items about the code and its configuration.

Code: exceptions handled, responses that leave a function, OpenAI's host left in Python
code, OpenAI-named variables kept. Configuration: variables to provision, the endpoint,
dependency files and env templates.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from migrator.checklist_scan import OPENAI_VAR, ChecklistContext
from migrator.discovery import is_test_file
from migrator.model import CallFacts, Usage
from migrator.sdk_catalogue import ACCOUNT_VARS
from migrator.text_diff import decode_text

_OPENAI_HOST = b"api.openai.com"


class CodeItems(ChecklistContext):
    """What the code still does the OpenAI way: a person decides."""

    def _call_details(self) -> dict[tuple[str, int, int], CallFacts]:
        """Facts about call sites that need the syntax tree (escapes, literal n): the
        rewrite workers computed them while the tree was parsed (callfacts.py)."""
        return {
            (result.path, line, column): facts
            for result in self.plan.report.results
            for (line, column), facts in result.call_facts.items()
        }

    def _exceptions(self) -> None:
        """One item per file: the OpenAI exceptions it handles, and where."""
        by_file: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for usage in self.usages:
            if usage.kind == "exception" and usage.api:
                by_file[usage.path][usage.api].append(usage.line)
        for path, names in by_file.items():
            lines = sorted({n for ns in names.values() for n in ns})
            ordered = sorted(names.items(), key=lambda kv: (min(kv[1]), kv[0]))
            if len(lines) == 1:
                shown = ", ".join(f"`{name}`" for name, _ in ordered)
            else:
                shown = ", ".join(
                    f"`{name}` ({self.lines_text(path, found, 'old')})" for name, found in ordered
                )
            message = (
                f"handles {shown}: errors now come from {self.name}, whose status codes and "
                "error bodies differ from OpenAI's — check which failures each handler now "
                "sees (quota or balance errors, content-filter refusals) and whether it still "
                "retries the right ones"
            )
            if any(n.startswith("openai.error.") for n in names):
                message += "; `openai.error` exists only in openai<1"
            self.add("MIG602", path, lines[0], message)

    def _escapes(self, details: dict[tuple[str, int, int], CallFacts]) -> None:
        for call in self.calls:
            info = details.get((call.path, call.line, call.column))
            if info is None or info.escape is None:
                continue
            self.add(
                "MIG601", call.path, call.line,
                f"the {call.api} response is {info.escape}: callers rely on the openai "
                "response objects — unchanged with the compatible endpoint, but a move to "
                f"{self.name}'s own SDK must adapt them",
            )  # fmt: skip

    def _openai_hosts(self) -> None:
        """`api.openai.com` left in Python code after the rewrite (raw HTTP, test mocks)."""
        host = self._provider_host()
        for result in self.plan.report.results:
            data = self.plan.new_bytes(result.path)
            if data is None or _OPENAI_HOST not in data:
                continue
            lines = self.lines_of(result.path, "new") or []
            hits = [i for i, text in enumerate(lines, 1) if "api.openai.com" in text]
            if not hits:
                continue
            where = f" ({self.lines_text(result.path, hits, 'new')})" if len(hits) > 1 else ""
            if is_test_file(result.path):
                self.add(
                    "MIG904", result.path, hits[0],
                    f"names api.openai.com{where}: mocks or assertions bound to OpenAI's host "
                    f"no longer see the migrated client's requests, which go to {host}",
                    coord="new",
                )  # fmt: skip
            else:
                self.add(
                    "MIG604", result.path, hits[0],
                    f"names api.openai.com{where} outside an OpenAI client the rewrite "
                    f"handles: raw HTTP calls or URLs built here still go to OpenAI; move them "
                    f"to the client or to {host}",
                    coord="new",
                )  # fmt: skip

    def _kept_env_vars(self) -> None:
        # Reads of variables the provider has an equivalent for carry the codemods' own
        # findings (MIG504) when they are left.
        renames = self.plan.provider_renames
        by_line: dict[tuple[str, int], set[str]] = defaultdict(set)
        for usage in self.usages:
            if usage.kind != "env" or not usage.api:
                continue
            if usage.api in renames or usage.api in ACCOUNT_VARS:
                continue
            if usage.api in (self.target.key_env, self.target.base_url_env):
                continue
            by_line[(usage.path, usage.line)].add(usage.api)
        for (path, line), names in by_line.items():
            for var in sorted(names):
                if any(word in var for word in ("MODEL", "ENGINE", "DEPLOYMENT")):
                    message = (
                        f"`{var}` is still read here: wherever it is set, its value must now be "
                        f"a model id that {self.name} serves (consider renaming the variable)"
                    )
                else:
                    message = (
                        f"`{var}` is still read here and has no {self.name} equivalent: check "
                        "what it configures and whether it still applies"
                    )
                self.add("MIG618", path, line, message)


class ConfigItems(ChecklistContext):
    """What to set wherever the code runs, and the files that configure it."""

    def _first_env_read(self, old_names: Iterable[str]) -> Usage | None:
        names = set(old_names)
        for usage in self.usages:
            if usage.kind == "env" and usage.api in names:
                return usage
        return None

    def _env_to_provision(self) -> None:
        target = self.target
        primary = self.primary
        assert primary is not None
        old_key = sorted(k for k, v in self.plan.env_renames.items() if v == target.key_env)
        kept_key = sorted(k for k, v in self.plan.kept_env.items() if v == target.key_env)
        if "OPENAI_API_KEY" in old_key:
            after = "; `OPENAI_API_KEY` is no longer read"
        elif kept_key:
            after = (
                f"; keep {' / '.join(f'`{k}`' for k in kept_key)} set as well while code left "
                "as it is still reads it (MIG504)"
            )
        else:
            after = ""
        self.add(
            "MIG610", primary.path, primary.line,
            f"provision `{target.key_env}` (the {self.name} API key) wherever the code runs: "
            f"local .env, CI secrets, deployment configuration{after}",
        )  # fmt: skip
        # The same variables apply writes into env templates (ProjectPlan.provider_vars).
        routed = {r.endpoint.key_env: r for r in self.plan.options.routes}
        for var, default in self.plan.provider_vars.items():
            if var == target.key_env:
                continue
            olds = [k for k, v in self.plan.env_renames.items() if v == var]
            site = self._first_env_read(olds) or primary
            route = routed.get(var)
            if route is not None:
                message = (
                    f"provision `{var}` (the {route.mapping.name} API key: {route.family} "
                    f"calls go there, --route {route.family}={route.mapping.id}) wherever the "
                    "code runs: local .env, CI secrets, deployment configuration"
                )
            elif not default:
                message = f"provision `{var}`: the migrated code reads it and has no default"
            else:
                message = (
                    f"optional: `{var}` overrides the default `{default}` where the code "
                    "reads it; set it only to use another endpoint"
                )
            self.add("MIG610", site.path, site.line, message)

    def _nothing_retargeted(self) -> None:
        """OpenAI usage was found but no file changes: every client is left (another
        endpoint, one migrator cannot place, ...). Saying where requests now go, or what
        key to provision, would be wrong: say that nothing moved."""
        primary = self.primary
        assert primary is not None
        self.add(
            "MIG611", primary.path, primary.line,
            f"no client or call was retargeted: every OpenAI usage found is left as it is, so "
            f"nothing is sent to {self.name} yet — the items above say why at each place",
            severity="warning",
        )  # fmt: skip

    def _endpoint(self) -> None:
        if not any(u.kind in ("client", "config") or u.style == "v0" for u in self.sdk):
            return
        target = self.target
        primary = self.primary
        assert primary is not None
        if target.client == "azure":
            message = (
                f"the endpoint is read from `{target.endpoint_env or 'AZURE_OPENAI_ENDPOINT'}`: "
                "point it at your Azure OpenAI resource; model= values are deployment names there"
            )
        elif not target.base_url:
            message = (
                f"the endpoint is read from `{target.base_url_env}`: point it at your gateway "
                "and check which upstream providers it routes each model to"
            )
        else:
            others = [
                f"{region} {url}"
                for region, url in target.regions.items()
                if url != target.base_url
            ]
            message = f"requests now go to {target.base_url} ({self.name})"
            if others:
                message += (
                    "; other endpoints in the mapping: " + ", ".join(others) + " — to use one, "
                    "rerun with --base-url"
                    + (
                        f" or set `{target.base_url_env}` where the code reads it"
                        if target.base_url_env
                        else ""
                    )  # fmt: skip
                    + " (region-specific API keys may apply)"
                )
        self.add("MIG611", primary.path, primary.line, message)

    def _dependencies(self) -> None:
        plan = self.plan
        verb = "updated" if self.applied else "`migrator apply` updates this"
        for write in plan.dependencies:
            for note in write.notes:
                line, text = _note_line(note)
                if line is None:
                    line = self._openai_line(write.path) or 1
                self.add("MIG613", write.path, line, f"{verb}: {text}")
        for write in plan.kept_openai_pin:
            line = next((n for n, _ in map(_note_line, write.notes) if n is not None), None)
            self.add(
                "MIG619", write.path, line or self._openai_line(write.path) or 1,
                "openai stays pinned below 1 because v0 module calls remain (MIG402): rerun with "
                "--upgrade-v0, which also raises this pin",
            )  # fmt: skip
        for path, hint in plan.unsupported_dependencies:
            self.add("MIG612", path, self._openai_line(path) or 1,
                     f"names openai but is not edited by migrator: {hint}")  # fmt: skip
        for path, why in plan.dependency_errors:
            self.add("MIG612", path, 1, f"dependency file {why}")
        if not plan.declares_openai:
            primary = self.primary
            assert primary is not None
            declared = self.mapping.dependencies.get(plan.options.strategy.dependency_key)
            sdk = [d for d in (declared.add if declared else ()) if not d.startswith("openai")]
            if plan.options.strategy.id != "compat" and sdk:
                wanted = ", ".join(f"`{d}`" for d in sdk)
                message = (
                    f"no dependency file here names openai: declare {wanted} (requirements.txt "
                    "or pyproject.toml) so the provider's SDK is installed"
                )
            else:
                message = (
                    f"no dependency file here names openai: declare `openai{plan.openai_floor}` "
                    "(requirements.txt or pyproject.toml) so the client for the compatible "
                    "endpoint is installed"
                )
            self.add("MIG614", primary.path, primary.line, message)

    def _openai_line(self, path: str) -> int | None:
        for number, text in enumerate(self.lines_of(path, "old") or [], 1):
            if re.search(r"(?i)\bopenai\b", text.split("#", 1)[0]):
                return number
        return None

    def _env_templates(self) -> None:
        verb = "updated" if self.applied else "`migrator apply` edits it"
        for write in self.plan.env_templates:
            plain: list[tuple[int | None, str]] = []
            for note in write.notes:
                line, text = _note_line(note)
                if "real OpenAI key" in text:
                    self.add("MIG501", write.path, line or 1, text)
                else:
                    plain.append((line, text))
            text = decode_text(write.path, write.new)
            for number, content in enumerate(text.splitlines(), 1):
                key = content.split("=", 1)[0].strip().removeprefix("export ").strip()
                if "=" in content and OPENAI_VAR.fullmatch(key):
                    why = (
                        "code left as it is still reads it"
                        if key in self.plan.kept_env
                        else f"no {self.name} equivalent"
                    )
                    plain.append((number, f"still sets {key} ({why})"))
            if plain:
                first = next((n for n, _ in plain if n is not None), 1)
                self.add("MIG615", write.path, first,
                         f"{verb}: " + "; ".join(text for _, text in plain))  # fmt: skip


def _note_line(note: str) -> tuple[int | None, str]:
    """`line 3: renamed X` -> (3, "renamed X"); `[x] (line 4): y` -> (4, "[x]: y")."""
    match = re.match(r"line (\d+): (.*)", note, re.S)
    if match:
        return int(match.group(1)), match.group(2)
    match = re.search(r" \(line (\d+)\)", note)
    if match:
        return int(match.group(1)), note[: match.start()] + note[match.end() :]
    return None, note
