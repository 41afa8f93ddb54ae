"""Checklist items a person checks after the rewrite: how the mapped models behave
differently, compliance (data region, filing, personal data), and how to verify the
result (tests, a smoke run of each entry point)."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

from migrator.ast_env_reads import VariablesRead, file_reads
from migrator.checklist_scan import ChecklistContext, find_test_command, host_text
from migrator.mapping import OPENAI_KWARGS, PARAM_FAMILIES
from migrator.model import CallFacts, Severity, Usage
from migrator.sdk_catalogue import api_family

if TYPE_CHECKING:
    from migrator.mapping import ModelTarget

_MAIN_GUARD = re.compile(r"""^if\s+__name__\s*==\s*(['"])__main__\1\s*:""", re.M)
# (pattern, what it shows, a text the pattern's matches contain): a regular expression
# led by a look-behind or `\b` is tried at every position of the text, 0.1 ms for a
# 6 KB module; the text is looked for first.
_USER_INPUT: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        re.compile(
            r"^\s*(?:from|import)\s+(flask|fastapi|django|starlette|aiohttp|tornado|sanic|"
            r"bottle|falcon|quart|litestar|streamlit|gradio|chainlit|telegram|discord|slack_bolt)"
            r"\b",
            re.M,
        ),
        "imports {0}",
        "import",
    ),
    (re.compile(r"\brequest\.(?:json|form|args|values|get_json|data|body|POST|GET|query_params)\b"),
     "reads request data", "request."),
    (re.compile(r"(?<![\w.])input\s*\("), "reads input()", "input"),
    (re.compile(r"\bsys\.stdin\b"), "reads stdin", "sys.stdin"),
)  # fmt: skip
_ALWAYS_PASSED = frozenset({"model", "messages", "input", "prompt"})


class BehaviourItems(ChecklistContext):
    """Where the mapped models answer differently: limits, extra fields, n, structured
    output, facts the mapping could not confirm."""

    def _behaviour(self, details: dict[tuple[str, int, int], CallFacts]) -> None:
        mapping = self.mapping
        used: dict[str, list[tuple[Usage, str, ModelTarget | None]]] = defaultdict(list)
        for call in self.calls:
            if not call.model:
                continue
            target = mapping.resolve_model(call.model)
            if target is not None and target.model != call.model:
                used[target.model].append((call, call.model, target))
            elif call.model in mapping.limits:  # already a provider id (a migrated tree)
                used[call.model].append((call, call.model, None))
        for model, sites in sorted(used.items()):
            first = sites[0][0]
            sources = sorted({src for _, src, _ in sites if src != model})
            origin = f" (from {', '.join(sources)})" if sources else ""
            count = f"{len(sites)} call(s)"
            limits = mapping.limits_for(model)
            if limits:
                parts = []
                if "context_window" in limits:
                    parts.append(f"context window {limits['context_window']} tokens")
                if "max_output_tokens" in limits:
                    parts.append(f"at most {limits['max_output_tokens']} output tokens")
                self.add(
                    "MIG701", first.path, first.line,
                    f"`{model}`{origin}, {count}: {', '.join(parts)} — check that long prompts, "
                    "history and max_tokens still fit",
                )  # fmt: skip
            target = next((t for _, _, t in sites if t is not None), None)
            sent = self._model_fields_sent(target, _family(first)) if target else {}
            if target is not None and (sent or target.note):
                parts = []
                if sent:
                    parts.append(f"requests carry extra_body {_short_json(sent)}")
                if target.note:
                    parts.append(target.note)
                self.add("MIG706", first.path, first.line,
                         f"`{model}`{origin}, {count}: " + "; ".join(parts))  # fmt: skip
        for call in self.calls:
            family = _family(call)
            if family not in ("chat", "completions"):
                continue
            info = details.get((call.path, call.line, call.column), CallFacts())
            if "n" in call.params and mapping.param_rule(family, "n") is None:
                if info.n is None or info.n > 1:
                    value = f"n={info.n}" if info.n is not None else "a computed n"
                    self.add(
                        "MIG703", call.path, call.line,
                        f"{call.api} asks for {value}: the mapping records nothing about "
                        f"{self.name} and n>1 — check that it returns as many choices",
                    )  # fmt: skip
            structured = call.api.endswith(".parse") or (
                "response_format" in call.params
                and mapping.param_rule(family, "response_format") is None
            )
            if structured:
                self.add(
                    "MIG704", call.path, call.line,
                    f"{call.api} asks for structured output: check that {self.name} supports the "
                    "response_format used here (json_schema support varies; json_object is "
                    "more widely supported) and that the replies still parse",
                )  # fmt: skip
        self._unverified(used)

    def _model_fields_sent(self, target: ModelTarget, family: str) -> dict[str, object]:
        """The model's extra body fields as requests really carry them: a provider SDK
        whose own table drops a field (float-only embeddings) is not sent it."""
        view = self.plan.options.strategy.mapping_view
        if view is None:
            return dict(target.extra_body)
        rules = view(self.mapping)
        return {
            k: v
            for k, v in target.extra_body.items()
            if getattr(rules.param_rule(family, k), "action", None) != "drop"
        }

    def _unverified(self, used: dict[str, list[tuple[Usage, str, ModelTarget | None]]]) -> None:
        primary = self.primary
        assert primary is not None
        keys: dict[str, Usage] = {}
        kinds: dict[str, Usage] = {}
        for sites in used.values():
            for call, _src, target in sites:
                if target is not None:
                    keys.setdefault(target.source_key, call)
                    kinds.setdefault(target.kind, call)
                keys.setdefault("limits." + (target.model if target else call.model or ""), call)
        family_calls: dict[str, Usage] = {}
        param_calls: dict[tuple[str, str], Usage] = {}
        for call in self.calls:
            family = _family(call)
            family_calls.setdefault(family, call)
            for param in call.params:
                param_calls.setdefault((family, param), call)
        for fact in self.mapping.facts.unverified:
            parts = fact.where.split(".")
            site: Usage | None = primary
            if parts[0] == "endpoints":
                site = _endpoint_fact_site(fact.fact, family_calls, primary)
            elif parts[0] == "models":
                if len(parts) == 1:
                    site = next(iter(kinds.values()), None)
                elif parts[1] == "defaults":
                    site = keys.get(".".join(parts[1:3])) if len(parts) > 2 else None
                elif parts[1] == "limits":
                    site = keys.get("limits." + ".".join(parts[2:])) if len(parts) > 2 else None
                elif len(parts) == 2:
                    site = kinds.get(parts[1])
                else:
                    site = keys.get(".".join(parts[2:]))
            elif parts[0] == "parameters":
                if len(parts) > 2:
                    site = param_calls.get((parts[1], ".".join(parts[2:])))
                else:
                    # A fact about a whole family: relevant when a call passes a parameter
                    # it names (or when it names none in particular).
                    families = [parts[1]] if len(parts) == 2 else list(PARAM_FAMILIES)
                    named = {
                        (family, word)
                        for family in families
                        for word in re.findall(r"[a-z_]+", fact.fact)
                        if word in OPENAI_KWARGS.get(family, ()) and word not in _ALWAYS_PASSED
                    }
                    if named:
                        site = next(
                            (param_calls[k] for k in sorted(named) if k in param_calls), None
                        )
                    else:
                        site = next((family_calls[f] for f in families if f in family_calls), None)
            if site is None:
                continue
            where = f"unverified in the {self.mapping.id} mapping ({fact.where})"
            self.add("MIG705", site.path, site.line, f"{where}: {fact.fact}")


class ComplianceItems(ChecklistContext):
    """Where data goes, filing status, personal data."""

    def _region_text(self) -> tuple[str, Severity]:
        target = self.target
        region = self.mapping.compliance.data_region
        if target.client == "azure":
            return (
                "data goes abroad: Azure OpenAI processes prompts and outputs in the Azure "
                "region of your resource, outside mainland China — unless the endpoint is an "
                "Azure China one (*.openai.azure.cn, operated by 21Vianet)",
                "warning",
            )
        if region == "mainland-china":
            return (
                f"prompts and outputs go to {self.name} at {host_text(target.base_url)}, in "
                "mainland China (as the mapping records it)" + self._other_regions(),
                "info",
            )
        if region == "outside-mainland":
            return (
                f"data goes abroad: {self.name}'s endpoint {host_text(target.base_url)} processes "
                "prompts and outputs outside mainland China",
                "warning",
            )
        url = target.base_url
        for name, region_url in target.regions.items():
            if not url or region_url.rstrip("/") != url.rstrip("/"):
                continue
            if _region_kind(name) == "abroad":
                return (
                    f"data goes abroad: {url} is {self.name}'s `{name}` endpoint, outside "
                    "mainland China — review cross-border transfer obligations, or use the "
                    "mainland endpoint",
                    "warning",
                )
            if _region_kind(name) == "mainland":
                return (
                    f"prompts and outputs go to {self.name}'s `{name}` endpoint {url}, in "
                    "mainland China",
                    "info",
                )
        where = url or f"`{target.base_url_env}`"
        return (
            f"migrator cannot tell where data is processed: the endpoint is {where}, set by "
            "you or your gateway — confirm its location and that of every upstream provider",
            "warning",
        )

    def _other_regions(self) -> str:
        target = self.target
        others = [name for name, url in target.regions.items() if url != target.base_url]
        abroad = [name for name in others if _region_kind(name) == "abroad"]
        unknown = [name for name in others if _region_kind(name) is None]
        text = ""
        if abroad:
            text += (
                "; the mapping also lists endpoints outside mainland China ("
                + ", ".join(abroad)
                + "): switching to one of them sends data abroad"
            )
        if unknown:
            text += "; check where the other endpoints (" + ", ".join(unknown) + ") process data"
        return text

    def _compliance(self) -> None:
        primary = self.primary
        assert primary is not None
        compliance = self.mapping.compliance
        text, severity = self._region_text()
        self.add("MIG801", primary.path, primary.line, text, severity=severity)
        for route in self.plan.options.routes:  # `--route`: a second provider gets data too
            region = route.mapping.compliance.data_region
            self.add(
                "MIG801", primary.path, primary.line,
                f"{route.family} inputs go to {route.mapping.name} at "
                f"{host_text(route.endpoint.base_url)} (--route; data region per its mapping: "
                f"{region}): review its terms and filing as for {self.name}",
            )  # fmt: skip
        if compliance.filing.strip().lower() == "unknown":
            self.add(
                "MIG802", primary.path, primary.line,
                f"the mapping does not record the generative-AI service filing (备案) of "
                f"{self.name}'s models: confirm that the models you use are filed before "
                "serving the public in mainland China",
            )  # fmt: skip
        else:
            self.add("MIG802", primary.path, primary.line,
                     f"filing (备案) status per the mapping: {compliance.filing}",
                     severity="info")  # fmt: skip
        for note in compliance.notes:
            self.add("MIG804", primary.path, primary.line, note)
        self._personal_data()

    def _personal_data(self) -> None:
        unknown: list[Usage] = []
        seen: set[str] = set()
        for call in self.calls:
            if call.path in seen:
                continue
            seen.add(call.path)
            text = "\n".join(self.lines_of(call.path, "old") or [])
            signals = []
            for pattern, label, needle in _USER_INPUT:
                match = needle in text and pattern.search(text)
                if match:
                    signals.append(label.format(*match.groups()))
            if signals:
                self.add(
                    "MIG803", call.path, call.line,
                    f"prompts sent from here may carry user data ({'; '.join(signals)}): review "
                    f"personal-information protection and cross-border transfer obligations "
                    f"before this data goes to {self.name}",
                )  # fmt: skip
            else:
                unknown.append(call)
        if unknown:
            first = unknown[0]
            files = [u.path for u in unknown]
            shown = ", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
            self.add(
                "MIG803", first.path, first.line,
                f"migrator could not tell whether the prompts and texts sent from {shown} "
                f"contain personal data: review what they send to {self.name}",
                severity="info",
            )  # fmt: skip


class VerificationItems(ChecklistContext):
    """How to check the result: the repo's tests, a smoke run of each entry point."""

    def _entry_points(self) -> None:
        target = self.target
        seen: set[str] = set()
        for call in self.calls:
            if call.path in seen:
                continue
            seen.add(call.path)
            old = "\n".join(self.lines_of(call.path, "old") or [])
            guard = _MAIN_GUARD.search(old)
            if guard is None:
                continue
            line = old.count("\n", 0, guard.start()) + 1
            found = self._main_reads(call.path)
            required = set(found.required if found else ()) | {target.key_env}
            optional = sorted(set(found.optional if found else ()) - required)
            needs = []
            needs.append("needs " + ", ".join(f"`{v}`" for v in sorted(required)))
            if optional:
                needs.append("optional: " + ", ".join(f"`{v}`" for v in optional))
            self.add(
                "MIG902", call.path, line,
                f"smoke-run `{self._run_command(call.path)}` ({'; '.join(needs)}) and compare its "
                "output with a run against OpenAI",
            )  # fmt: skip

    def _main_reads(self, rel: str) -> VariablesRead | None:
        """What the migrated module reads: as the rewrite noted it (`main_reads`), else
        parsed here, the same way (`file_reads`)."""
        for result in self.plan.report.results:
            if result.path == rel and result.main_reads is not None:
                return result.main_reads
        return file_reads(rel, self.bytes_of(rel, "new") or b"")

    def _run_command(self, rel: str) -> str:
        """`python file.py`, or `python -m pkg.mod` for a module inside a package."""
        path = PurePosixPath(rel)
        root = self.plan.root
        parts = [path.stem]
        folder = path.parent
        while str(folder) != "." and (root / folder / "__init__.py").is_file():
            parts.insert(0, folder.name)
            folder = folder.parent
        if len(parts) == 1:
            return f"python {rel}"
        module = ".".join(parts)
        prefix = "" if str(folder) == "." else f"cd {folder} && "
        return f"{prefix}python -m {module}"

    def _test_command(self) -> None:
        found = find_test_command(self.plan.root, self.plan.files)
        key = self.target.key_env
        if found is None:
            primary = self.primary
            assert primary is not None
            self.add(
                "MIG903", primary.path, primary.line,
                "no test command found (pytest, tox, nox or a `make test` target): run every "
                f"migrated code path by hand against {self.name}",
            )  # fmt: skip
            return
        command, path, line = found
        self.add(
            "MIG901", path, line,
            f"run `{command}` and fix what fails (tests that reach the real API need `{key}`)",
        )  # fmt: skip


def _family(call: Usage) -> str:
    return api_family(call.api or "")


# Endpoint families a mapping's facts may name (`moderation`, `Batch API`, `Files`...).
_FAMILIES = (
    "chat completions embeddings images audio files batches assistants threads moderations "
    "responses fine_tuning uploads vector_stores models"
).split()


def _endpoint_fact_site(fact: str, family_calls: dict[str, Usage], primary: Usage) -> Usage | None:
    """Where a fact about endpoints matters: a call of a family it names; nowhere when the
    code calls none of them (a doubt about Assistants means nothing to a chat-only app)."""
    text = fact.lower()
    named = [
        family
        for family in _FAMILIES
        if any(re.search(rf"\b{re.escape(stem)}", text) for stem in _stems(family))
    ]
    if not named:
        return primary
    return next((family_calls[f] for f in named if f in family_calls), None)


def _stems(family: str) -> set[str]:
    """`moderations` -> moderation(s), `batches` -> batch(es), `fine_tuning` -> fine-tuning."""
    stems = {family, family.rstrip("s"), family.replace("_", "-"), family.replace("_", " ")}
    if family.endswith("es"):
        stems.add(family[:-2])
    return stems


_ABROAD = frozenset(
    "international intl global singapore virginia us usa hongkong hong-kong hk europe eu "
    "frankfurt tokyo japan overseas".split()
)
_MAINLAND = frozenset("china cn mainland beijing shanghai hangzhou shenzhen".split())


def _region_kind(name: str) -> Literal["abroad", "mainland"] | None:
    """Whether a mapping's region key plainly names a place in or outside mainland China."""
    words = set(re.split(r"[-_\s]+", name.lower())) | {name.lower()}
    if words & _ABROAD:
        return "abroad"
    if words & _MAINLAND:
        return "mainland"
    return None


def _short_json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
