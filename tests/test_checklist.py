"""The checklist: rule registry, exact outputs for fixtures/findings and fixtures/demo-app,
suppression, line mapping and Markdown details.

Expected outputs live in fixtures/findings/expected/. After a deliberate change, rewrite
them with `MIGRATOR_UPDATE_EXPECTED=1 pytest tests/test_checklist.py` and review the diff
line by line before committing it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from migrator.codemods.strategies import COMPAT

from migrator import checklist_scan, rules
from migrator.checklist import LineMap, render_markdown
from migrator.cli import main
from migrator.mapping import load_mapping
from migrator.model import Finding

ROOT = Path(__file__).resolve().parent.parent
FINDINGS = ROOT / "fixtures" / "findings"
MAPPING = FINDINGS / "mapping.yaml"
EXPECTED = FINDINGS / "expected"
DEMO = ROOT / "fixtures" / "demo-app"
# A real-looking (made-up) key for the tracked .env: written by the test, never committed.
DOTENV_KEY = "sk-" + "a1B2c3D4e5F6" * 3
UPDATE = os.environ.get("MIGRATOR_UPDATE_EXPECTED") == "1"


@pytest.fixture(autouse=True)
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for var in (
        "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL",
        "EMAIL", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "MIGRATOR_TEST_SLOW_WRITES",
    ):  # fmt: skip
        monkeypatch.delenv(var, raising=False)


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def git_copy(source: Path, dest: Path, extra: dict[str, str] | None = None) -> Path:
    """`source` copied into a fresh repository with one commit (plus `extra` files)."""
    shutil.copytree(source, dest)
    for name, text in (extra or {}).items():
        (dest / name).write_text(text)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "config", "user.name", "Test Dev")
    git(dest, "config", "user.email", "dev@example.com")
    git(dest, "config", "commit.gpgsign", "false")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "initial")
    return dest


def findings_repo(tmp_path: Path) -> Path:
    return git_copy(
        FINDINGS / "repo", tmp_path / "findings", {".env": f"OPENAI_API_KEY={DOTENV_KEY}\n"}
    )


def run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def check_expected(name: str, actual: str) -> None:
    path = EXPECTED / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the registry


def emitted_rule_ids() -> dict[str, list[str]]:
    """Every MIGxxx written in the code that can emit findings: id -> files."""
    found: dict[str, list[str]] = {}
    sources = [*sorted((ROOT / "codemods").glob("*.py")), *sorted(
        p for p in (ROOT / "src" / "migrator").glob("*.py") if p.name != "rules.py"
    )]  # fmt: skip
    for path in sources:
        for rule_id in set(re.findall(r"\bMIG\d{3}\b", path.read_text(encoding="utf-8"))):
            found.setdefault(rule_id, []).append(path.name)
    return found


def test_every_emitted_rule_is_registered() -> None:
    emitted = emitted_rule_ids()
    assert {"MIG101", "MIG401", "MIG501", "MIG610", "MIG801", "MIG901"} <= set(emitted)
    missing = {rule_id: files for rule_id, files in emitted.items() if rule_id not in rules.RULES}
    assert missing == {}


def test_registry_is_consistent() -> None:
    sections = {category for category, _ in rules.SECTIONS}
    for rule_id, rule in rules.RULES.items():
        assert rule.id == rule_id
        assert re.fullmatch(r"MIG\d{3}", rule_id)
        assert rule.severity in ("info", "warning", "error")
        assert rule.category in sections
        assert rule.title and rule.rationale.endswith(".")
        assert "\n" not in rule.rationale


def test_rules_markdown_table() -> None:
    table = rules.rules_markdown().splitlines()
    assert table[0] == "| id | severity | checklist section | what | why |"
    assert table[1] == "| --- | --- | --- | --- | --- |"
    assert len(table) == 2 + len(rules.RULES)
    assert table[2].startswith("| `MIG100` | info | Code left for a person | ")
    assert all(line.count(" | ") == 4 for line in table[2:])
    assert "| `MIG616` | error | Configuration | real .env file with a key in the repository |" in (
        rules.rules_markdown()
    )


def test_readme_rule_table_matches_the_registry() -> None:
    """Once the README carries the table (its `<!-- rules-table -->` spot), it must be
    exactly `rules_markdown()`: regenerate it rather than editing rows by hand."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    if "| id | severity | checklist section |" not in readme:
        pytest.skip("the README has no rule table yet")
    assert rules.rules_markdown() in readme


# --------------------------------------------------------------------------- exact outputs


def test_findings_fixture_checklist_markdown(tmp_path: Path) -> None:
    repo = findings_repo(tmp_path)
    result = run("checklist", str(repo), "--to", "acme", "--mapping", str(MAPPING))
    assert DOTENV_KEY not in result.output
    check_expected("findings.checklist.md", result.stdout)


def test_findings_fixture_checklist_json(tmp_path: Path) -> None:
    repo = findings_repo(tmp_path)
    result = run(
        "checklist", str(repo), "--to", "acme", "--mapping", str(MAPPING), "--format", "json"
    )
    assert DOTENV_KEY not in result.output
    document = json.loads(result.stdout)
    assert list(document) == ["version", "provider", "strategy", "items"]
    assert (document["version"], document["provider"], document["strategy"]) == (
        1,
        "acme",
        "compat",
    )
    grouped = 0
    for item in document["items"]:
        # "places" is optional (an item for one cause found at several places); "cell" and
        # "cell_line" are there for a notebook's line only
        assert list(item)[:6] == ["id", "severity", "category", "path", "line", "message"]
        optional = {"places", "cell", "cell_line"}
        assert set(item) <= {"id", "severity", "category", "path", "line", "message", *optional}
        assert ("cell" in item) == item["path"].endswith(".ipynb")
        assert item["id"] in rules.RULES
        assert item["line"] >= 1
        if "places" in item:
            grouped += 1
            assert len(item["places"]) > 1
            assert item["places"][0] == {"path": item["path"], "line": item["line"]}
    assert grouped > 0
    check_expected("findings.checklist.json", result.stdout)


def test_findings_fixture_holds_every_finding_kind(tmp_path: Path) -> None:
    """Every rule that can fire for one provider fires here, except the few that exclude
    each other (covered by tests/test_apply.py: MIG613 raised pin, MIG614 no dependency
    file, MIG903 no test command) and those of --upgrade-v0 (MIG41x, which replace MIG402
    and MIG619 here; the v0-upgrade codemod's own tests cover them), and MIG212, which needs
    a --model-map (tests/test_codemods_models.py covers it)."""
    repo = findings_repo(tmp_path)
    result = run(
        "checklist", str(repo), "--to", "acme", "--mapping", str(MAPPING), "--format", "json"
    )
    seen = {item["id"] for item in json.loads(result.stdout)["items"]}
    edits = {rule_id for rule_id in rules.RULES if rule_id.endswith("00")}
    exclusive = {"MIG613", "MIG614", "MIG903", "MIG212"} | {f"MIG41{n}" for n in range(10)}
    # The native strategy's rules (and the `note` action's MIG306) fire only under
    # --strategy native: tests/test_codemods_native_*.py cover them.
    exclusive |= {"MIG130", "MIG131", "MIG140", "MIG141", "MIG142", "MIG150", "MIG151"}
    exclusive |= {"MIG152", "MIG153", "MIG154", "MIG155", "MIG306"}
    exclusive |= {"MIG707"}  # (tests/test_native_project.py)
    # --route's (and MIG172, which names the providers serving a family the target lacks:
    # acme's mapping is not among the built-ins): tests/test_codemods_routes.py,
    # tests/test_routes_cli.py.
    exclusive |= {"MIG170", "MIG171", "MIG172"}
    # MIG160 marks the wrapper rewrite's edit; MIG163 needs a provider with its own
    # LangChain / llama_index class (tests/test_codemods_wrapper_clients.py)
    exclusive |= {"MIG160", "MIG163"}
    # the CI formats' own results, never a checklist item (tests/test_sarif.py)
    exclusive |= {"MIG910", "MIG911"}
    # --strategy litellm's: tests/test_codemods_litellm_acme.py, test_codemods_litellm_v0.py
    exclusive |= {f"MIG18{n}" for n in range(10)} | {f"MIG19{n}" for n in range(5)}
    assert set(rules.RULES) - edits - exclusive - seen == set()


def test_findings_fixture_migration_md(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """MIGRATION.md as apply writes it: the same items, lines in the migrated files."""
    repo = findings_repo(tmp_path)
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-01-02T03:04:05+00:00")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-01-02T03:04:05+00:00")
    run("apply", str(repo), "--to", "acme", "--mapping", str(MAPPING))
    text = (repo / "MIGRATION.md").read_text(encoding="utf-8")
    assert DOTENV_KEY not in text
    check_expected("findings.MIGRATION.md", text)
    # the lines point at the migrated code: the marker comment sits right above its call
    lines = (repo / "app" / "embed.py").read_text().splitlines()
    match = re.search(r"\[app/embed\.py:(\d+)\]\(app/embed\.py#L\1\) \*\*error\*\* `MIG401`", text)
    assert match is not None
    assert "client.images.generate" in lines[int(match.group(1)) - 1]
    assert lines[int(match.group(1)) - 2].lstrip().startswith("# migrator: MIG401")


@pytest.mark.skipif(not DEMO.is_dir(), reason="fixtures/demo-app is not there")
@pytest.mark.parametrize("fmt", ["md", "json"])
def test_demo_app_checklist(tmp_path: Path, fmt: str) -> None:
    repo = git_copy(DEMO, tmp_path / "demo-app")
    result = run("checklist", str(repo), "--to", "glm", "--format", fmt)
    check_expected(f"demo-app.glm.checklist.{fmt}", result.stdout)


# --------------------------------------------------------------------------- suppression


def ids(result: Result) -> list[str]:
    return [item["id"] for item in json.loads(result.stdout)["items"]]


def test_ignore_option_and_config_suppress_checklist_items(tmp_path: Path) -> None:
    repo = findings_repo(tmp_path)
    base = ["checklist", str(repo), "--to", "acme", "--mapping", str(MAPPING), "--format", "json"]
    everything = ids(run(*base))
    assert "MIG617" in everything and "MIG801" in everything
    fewer = ids(run(*base, "--ignore", "MIG617", "--ignore", "mig801"))
    assert "MIG617" not in fewer and "MIG801" not in fewer
    assert len(fewer) == len(everything) - everything.count("MIG617") - 1
    (repo / "pyproject.toml").write_text('[tool.migrator]\nignore = ["MIG606"]\n')
    assert "MIG606" not in ids(run(*base))


def test_ignore_comment_suppresses_checklist_items(tmp_path: Path) -> None:
    repo = findings_repo(tmp_path)
    service = repo / "app" / "service.py"
    text = service.read_text()
    service.write_text(
        text.replace("except openai.RateLimitError:", "except openai.RateLimitError:  "
                     "# migrator: ignore[MIG602]")
    )  # fmt: skip
    (repo / "Dockerfile").write_text(
        "FROM python:3.12-slim\n"
        "ENV OPENAI_BASE_URL=https://relay.example.com/v1  # migrator: ignore\n"
    )
    items = ids(run("checklist", str(repo), "--to", "acme", "--mapping", str(MAPPING),
                    "--format", "json"))  # fmt: skip
    assert "MIG602" not in items
    assert items.count("MIG617") == 1  # README.md's is left


# --------------------------------------------------------------------------- other cases


def test_markdown_links_follow_the_output_file(tmp_path: Path) -> None:
    repo = findings_repo(tmp_path)
    out = repo / "docs" / "checklist.md"
    out.parent.mkdir()
    run("checklist", str(repo), "--to", "acme", "--mapping", str(MAPPING), "-o", str(out))
    text = out.read_text()
    assert "- [ ] [../app/service.py:14](../app/service.py#L14) **warning** `MIG803`" in text


def test_region_and_dependency_items_per_provider(tmp_path: Path) -> None:
    repo = git_copy(FINDINGS / "repo" / "app", tmp_path / "app-only")

    def messages(*args: str) -> dict[str, list[str]]:
        result = run("checklist", str(repo), "--format", "json", *args)
        out: dict[str, list[str]] = {}
        for item in json.loads(result.stdout)["items"]:
            out.setdefault(item["id"], []).append(f"{item['severity']}: {item['message']}")
        return out

    azure = messages("--to", "azure")
    assert azure["MIG801"][0].startswith("warning: data goes abroad: Azure OpenAI processes")
    intl = messages("--to", "qwen", "--base-url",
                    "https://dashscope-intl.aliyuncs.com/compatible-mode/v1")  # fmt: skip
    assert len(intl["MIG801"]) == 1
    assert intl["MIG801"][0].startswith(
        "warning: data goes abroad: https://dashscope-intl.aliyuncs.com/compatible-mode/v1 is "
    )
    assert "'s `singapore` endpoint, outside mainland China" in intl["MIG801"][0]
    gateway = messages("--to", "gateway")
    assert gateway["MIG801"][0].startswith("warning: migrator cannot tell where data is processed")
    assert any("LLM_GATEWAY_BASE_URL" in m for m in gateway["MIG610"])
    # no dependency file in this folder names openai
    assert "MIG614" in azure and "MIG612" not in azure
    assert "MIG903" in azure


def test_line_map() -> None:
    old = b"a\nb\nc\nd\n"
    new = b"a\n# marker\nb\nc2\nd\n"
    lines = LineMap(old, new)
    assert [lines.to_new(n) for n in (1, 2, 3, 4)] == [1, 3, 4, 5]
    assert [lines.to_old(n) for n in (1, 2, 3, 4, 5)] == [1, 2, 2, 3, 4]
    gone = LineMap(b"a\nb\nc\n", b"a\nc\n")
    assert gone.to_new(2) == 2 and gone.to_new(3) == 2


def test_markdown_escapes_and_empty_sections() -> None:
    mapping = load_mapping(MAPPING)
    findings = [
        Finding("MIG501", "error", "config", "my app/x.py", 3,
                "key sk-****abcd in <script> for __main__ `a_*_b` [x](y)"),
    ]  # fmt: skip
    text = render_markdown(findings, mapping, "compat", link_prefix="../")
    assert (
        "- [ ] [../my app/x.py:3](../my%20app/x.py#L3) **error** `MIG501`: key sk-\\*\\*\\*\\*abcd"
        " in &lt;script> for \\_\\_main\\_\\_ `a_*_b` [x]\\(y)" in text
    )
    assert text.count("Nothing found.") == 4
    assert "## 2. Configuration (1)" in text


def test_env_template_and_checklist_name_the_same_provider_variables(tmp_path: Path) -> None:
    """An Azure-style mapping with no default API version: the code cannot run without
    the variable, so apply puts it in the env template and the checklist says to set it."""
    import dataclasses

    from migrator.apply import plan_migration
    from migrator.checklist import collect
    from migrator.config import ProjectConfig
    from migrator.mapping import load_registry
    from migrator.options import RewriteOptions

    azure = load_registry().get("azure")
    no_version = dataclasses.replace(
        azure, compat=dataclasses.replace(azure.compat, api_version=None)
    )
    (tmp_path / "app.py").write_text(
        "from openai import OpenAI\n\n"
        "OpenAI().chat.completions.create(model='gpt-4o', messages=[])\n"
    )
    (tmp_path / ".env.example").write_text("OPENAI_API_KEY=\n")
    plan = plan_migration(
        tmp_path, RewriteOptions(strategy=COMPAT, mapping=no_version), ProjectConfig()
    )
    version_env = no_version.compat.api_version_env
    assert version_env is not None and version_env in plan.provider_vars
    (template,) = plan.env_templates
    assert f"{version_env}=".encode() in template.new
    provision = [f.message for f in collect(plan) if f.id == "MIG610"]
    assert any(m.startswith(f"provision `{version_env}`") for m in provision), provision


# --------------------------------------------------------------------------- one item a cause


def write_files(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


TWO_CLIENTS = {
    "app/chat.py": (
        "from openai import OpenAI\n"
        "\n"
        "TIMEOUT = 30\n"
        "\n"
        "\n"
        "def make_client(key, url):\n"
        "    return OpenAI(api_key=key, base_url=url)\n"
        "\n"
        "\n"
        "def ask(client, model, question):\n"
        '    return client.chat.completions.create(model=model, messages=[{"role": "user", '
        '"content": question}])\n'
        "\n"
        "\n"
        "def think(client, effort, question):\n"
        '    model = "o1" if effort > 1 else "o3" if effort else "o4-mini"\n'
        "    answer = client.chat.completions.create(model=model, messages=[question])\n"
        "    return answer.choices[0].message.content\n"
    ),
    "app/embed.py": (
        "from openai import OpenAI\n"
        "\n"
        "from app.settings import settings\n"
        "\n"
        "client = OpenAI(api_key=settings.key)\n"
        "\n"
        "\n"
        "def embed(model, text):\n"
        "    return client.embeddings.create(model=model, input=text)\n"
    ),
}


# Both clients are retargeted only when a configured base_url may be replaced.
RETARGET = ("--to", "qwen", "--retarget-configured")


def test_checklist_has_one_item_per_cause_with_its_places(tmp_path: Path) -> None:
    repo = write_files(tmp_path / "two-clients", TWO_CLIENTS)
    result = run("checklist", str(repo), *RETARGET, "--format", "json")
    items = {item["id"]: item for item in json.loads(result.stdout)["items"]}
    both = [{"path": "app/chat.py", "line": 11}, {"path": "app/embed.py", "line": 9}]
    assert items["MIG201"] == {
        "id": "MIG201", "severity": "warning", "category": "code", "path": "app/chat.py",
        "line": 11,
        "message": "the model is not a literal: make sure it names a model that Alibaba Cloud "
        "DashScope (Qwen) serves (2 places: line 11; app/embed.py:9)",
        "places": both,
    }  # fmt: skip
    assert items["MIG601"]["places"] == both
    assert items["MIG601"]["message"].startswith("openai responses are passed on to callers: ")
    assert items["MIG101"]["message"] == (
        "the code's own api_key is kept: make sure it now yields the Alibaba Cloud DashScope "
        "(Qwen) key (env DASHSCOPE_API_KEY) (2 places: line 7; app/embed.py:5)"
    )
    # three reasoning models on one line: one item, at one place
    assert items["MIG204"] == {
        "id": "MIG204", "severity": "info", "category": "behaviour", "path": "app/chat.py",
        "line": 15,
        "message": "reasoning models 'o1', 'o3', 'o4-mini' → 'qwq-plus': thinking/reasoning "
        "output and defaults differ (e.g. reasoning_content, thinking on by default)",
    }  # fmt: skip
    # a cause found once keeps its finding as it was
    assert items["MIG105"]["message"].startswith("base_url came from `url`; replaced by ")
    assert "places" not in items["MIG105"]
    ids = [item["id"] for item in json.loads(result.stdout)["items"]]
    assert len(ids) == len(set(ids))
    markdown = run("checklist", str(repo), *RETARGET).stdout
    assert (
        "- [ ] [app/chat.py:7](app/chat.py#L7) **warning** `MIG101`: the code's own api_key is "
        "kept: make sure it now yields the Alibaba Cloud DashScope (Qwen) key (env "
        "DASHSCOPE_API_KEY) (2 places: line 7; app/embed.py:5)\n" in markdown
    )


def test_diff_findings_stay_per_line(tmp_path: Path) -> None:
    repo = write_files(tmp_path / "two-clients", TWO_CLIENTS)
    result = run("diff", str(repo), *RETARGET, "--format", "json")
    findings = [
        (f["id"], f["path"], f["line"], f["message"].split(":")[0])
        for f in json.loads(result.stdout)["findings"]
        if f["id"] in ("MIG101", "MIG204")
    ]
    assert findings == [
        ("MIG101", "app/chat.py", 7, "api_key `key` kept"),
        ("MIG204", "app/chat.py", 15, "reasoning model 'o1' → 'qwq-plus'"),
        ("MIG204", "app/chat.py", 15, "reasoning model 'o3' → 'qwq-plus'"),
        ("MIG204", "app/chat.py", 15, "reasoning model 'o4-mini' → 'qwq-plus'"),
        ("MIG101", "app/embed.py", 5, "api_key `settings.key` kept"),
    ]
    assert all("places" not in f for f in json.loads(result.stdout)["findings"])


def test_an_endpoint_left_for_its_configuration_is_one_cause(tmp_path: Path) -> None:
    """Base URLs migrator cannot place are left as they are (MIG105 at each client):
    one item, whatever expression or setting held the URL."""
    repo = write_files(tmp_path / "configured", {
        "app/a.py": "from openai import OpenAI\n\n\ndef make(url):\n"
                    "    return OpenAI(base_url=url)\n",
        "app/b.py": "import openai\n\nfrom app.settings import settings\n\n"
                    "openai.api_base = settings.openai_url\n",
    })  # fmt: skip
    result = run("checklist", str(repo), "--to", "qwen", "--format", "json")
    (item,) = [i for i in json.loads(result.stdout)["items"] if i["id"] == "MIG105"]
    assert item["message"] == (
        "the endpoint comes from configuration migrator cannot place: left unchanged; if it is "
        "OpenAI's, point it at https://dashscope.aliyuncs.com/compatible-mode/v1 (or rerun with "
        "--retarget-configured) (2 places: line 5; app/b.py:5)"
    )
    assert item["places"] == [{"path": "app/a.py", "line": 5}, {"path": "app/b.py", "line": 5}]


def test_grouped_places_text_and_line_lists() -> None:
    from migrator.grouping import group_findings

    mention = "mentions `OPENAI_ORG_ID`{}: update these settings, scripts and docs"
    docs = [
        Finding("MIG617", "warning", "config", f"docs/{n}.md", 3, mention.format(" (lines 3, 9)"))
        for n in range(5)
    ] + [Finding("MIG617", "warning", "config", "README.md", 2, mention.format(""))]
    (item,) = group_findings(docs)
    assert item.path == "README.md" and item.line == 2 and len(item.places) == 11
    assert item.message == mention.format("") + (
        " (11 places: line 2; docs/0.md:3, 9; docs/1.md:3, 9; docs/2.md:3, 9; docs/3.md:3 "
        "and 3 more)"
    )
    # an error names every place: each must be fixed
    errors = [
        Finding("MIG401", "error", "code", f"app/m{n:02}.py", 4, "images.generate: port it")
        for n in range(10)
    ]
    (error,) = group_findings(errors)
    assert error.message.endswith("app/m08.py:4; app/m09.py:4)")
    # other rules, severities or messages stay apart
    apart = [
        Finding("MIG401", "error", "code", "a.py", 1, "images.generate: port it"),
        Finding("MIG401", "error", "code", "a.py", 2, "audio.speech.create: port it"),
        Finding("MIG402", "error", "code", "a.py", 3, "images.generate: port it"),
    ]
    assert set(group_findings(apart)) == set(apart)


# --------------------------------------------------------------------------- data files


def test_data_files_are_not_checked_as_configuration(tmp_path: Path) -> None:
    key = "sk-proj-" + "Q3b7TzLk9VwX2mRpYc5N"
    records = "".join(f'{{"run": {n}, "model": "gpt-4o", "score": 0.{n}}},\n' for n in range(9000))
    repo = write_files(tmp_path / "bench", {
        "app/main.py": (
            "import json\n\nfrom openai import OpenAI\n\nclient = OpenAI()\n"
            'MODELS = json.load(open("data/models.json"))\n'
        ),
        "data/models.json": '{"chat": "gpt-4o-mini"}\n',  # read by the code: configuration
        "results/run1.json": '{"model": "gpt-4o", "env": "OPENAI_API_KEY"}\n',
        "eval_outputs.json": '{"model": "gpt-4o"}\n',
        "scores.json": "[\n" + records + "]\n",  # over 256 KiB
        "CHANGELOG.md": "## 1.2\n- reads OPENAI_API_KEY\n",
        "results/leak.json": f'{{"key": "{key}"}}\n',
        "outputs/answers.jsonl": '{"model": "gpt-4o"}\n',
        # a line end of any kind bounds a model id as the start of the text does
        "outputs/edge.md": "first line\rgpt-4o\n",
        # neither a model id (inside a dotted name) nor a variable (nothing after the _)
        "results/none.json": '{"model": "my.gpt-4o", "env": "OPENAI_"}\n',
    })  # fmt: skip
    result = run("checklist", str(repo), "--to", "qwen", "--format", "json")
    items = [
        i for i in json.loads(result.stdout)["items"] if i["id"] in ("MIG501", "MIG606", "MIG617")
    ]
    assert [(i["id"], i["severity"], i["path"], i["line"]) for i in items] == [
        ("MIG606", "warning", "data/models.json", 1),
        ("MIG606", "info", "CHANGELOG.md", 1),
        ("MIG501", "error", "results/leak.json", 1),  # a key is a leak wherever it is
    ]
    assert items[0]["message"].startswith("names OpenAI model(s) `gpt-4o-mini` (use `qwen-plus`)")
    assert items[1]["message"] == (
        "not checked: 5 data file(s) naming OpenAI models or variables — CHANGELOG.md (release "
        "notes), eval_outputs.json (named like output), outputs/edge.md (in outputs/), "
        "results/run1.json (in results/), scores.json (over 256 KiB): results, outputs, "
        "recordings and release notes are records, not configuration; if code reads one of "
        "them as settings, update it by hand"
    )


def test_a_data_file_naming_nothing_of_openai_is_not_looked_up_in_the_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether code reads a data-looking file as settings takes a read of every Python
    file; it is asked only when the answer can change an item."""
    built: list[int] = []
    real = checklist_scan.NamesInText

    def counted(texts: object) -> object:
        built.append(1)
        return real(texts)  # type: ignore[arg-type]

    monkeypatch.setattr(checklist_scan, "NamesInText", counted)
    files = {"app/main.py": "from openai import OpenAI\n\nclient = OpenAI()\n",
             "results/run1.json": '{"score": 1}\n'}  # fmt: skip
    repo = write_files(tmp_path / "quiet", files)
    assert run("checklist", str(repo), "--to", "qwen").exit_code == 0
    assert built == []
    files["results/run2.json"] = '{"model": "gpt-4o"}\n'
    repo = write_files(tmp_path / "named", files)
    assert "results/run2.json (in results/)" in run("checklist", str(repo), "--to", "qwen").stdout
    assert built == [1]


# --------------------------------------------------------------------------- renamed variables


def env_items(repo: Path) -> list[tuple[str, str, int, str]]:
    result = run("checklist", str(repo), "--to", "qwen", "--format", "json")
    return [
        (i["id"], i["path"], i["line"], i["message"])
        for i in json.loads(result.stdout)["items"]
        if i["id"] in ("MIG504", "MIG610", "MIG617", "MIG618")
    ]


# tools/report.py's read feeds a migrated client: the env-var codemod renames it.
FEEDING_READ = (
    "import os\n\nfrom openai import OpenAI\n\n"
    'reporter = OpenAI(api_key=os.environ["OPENAI_API_KEY"])\n'
)
ENV_PROJECT = {
    "app/client.py": "from openai import OpenAI\n\nclient = OpenAI()\n",
    "tools/report.py": FEEDING_READ,
    "README.md": "# Demo\n\nSet OPENAI_API_KEY and OPENAI_BASE_URL.\n",
}
PROVISION_KEY = (
    "provision `DASHSCOPE_API_KEY` (the Alibaba Cloud DashScope (Qwen) API key) wherever the "
    "code runs: local .env, CI secrets, deployment configuration"
)
KEEP_KEY_SET = (
    "; keep `OPENAI_API_KEY` set as well while code left as it is still reads it (MIG504)"
)
MENTIONS_KEPT = (
    "mentions `OPENAI_API_KEY` (still read by code left as it is), `OPENAI_BASE_URL`: update "
    "these settings, scripts and docs for the migrated code"
)


def test_docs_say_now_x_only_for_variables_the_code_renamed(tmp_path: Path) -> None:
    """The clients get the endpoint as a literal: they stop reading OPENAI_BASE_URL, but
    nothing reads DASHSCOPE_COMPATIBLE_BASE_URL, so OPENAI_BASE_URL has no "now"; every
    OPENAI_API_KEY read became DASHSCOPE_API_KEY."""
    repo = write_files(tmp_path / "renamed", ENV_PROJECT)
    assert env_items(repo) == [
        ("MIG617", "README.md", 3, "mentions `OPENAI_API_KEY` (now `DASHSCOPE_API_KEY`), "
         "`OPENAI_BASE_URL`: update these settings, scripts and docs for the migrated code"),
        ("MIG610", "app/client.py", 3, PROVISION_KEY + "; `OPENAI_API_KEY` is no longer read"),
    ]  # fmt: skip
    # a client that read OPENAI_BASE_URL now reads DASHSCOPE_COMPATIBLE_BASE_URL
    (repo / "app/client.py").write_text(
        "import os\n\nfrom openai import OpenAI\n\n"
        'client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"])\n'
    )
    assert env_items(repo)[0] == (
        "MIG617", "README.md", 3, "mentions `OPENAI_API_KEY` (now `DASHSCOPE_API_KEY`), "
        "`OPENAI_BASE_URL` (now `DASHSCOPE_COMPATIBLE_BASE_URL`): update these settings, scripts "
        "and docs for the migrated code",
    )  # fmt: skip


def test_a_read_the_rewrite_kept_is_not_called_renamed(tmp_path: Path) -> None:
    """A read left as it is (by the env-var codemod, which renames only the reads feeding a
    migrated client; or by an ignore comment) keeps its name in every item. The codemod's
    MIG504 reports the kept read: the checklist adds no MIG618 of its own."""
    files = dict(ENV_PROJECT)
    files["tools/report.py"] = 'import os\n\nKEY = os.environ["OPENAI_API_KEY"]\n'
    repo = write_files(tmp_path / "kept", files)
    assert env_items(repo) == [
        ("MIG617", "README.md", 3, MENTIONS_KEPT),
        ("MIG504", "tools/report.py", 3, "OPENAI_API_KEY is still read here, by nothing passed "
         "to a client: left as it is. The clients this migration retargets read "
         "DASHSCOPE_API_KEY: decide whether this code should read DASHSCOPE_API_KEY too, or "
         "keep OPENAI_API_KEY set"),
        ("MIG610", "app/client.py", 3, PROVISION_KEY + KEEP_KEY_SET),
    ]  # fmt: skip
    files["tools/report.py"] = FEEDING_READ.replace("])\n", "])  # migrator: ignore[MIG500]\n")
    repo = write_files(tmp_path / "ignored", files)
    assert env_items(repo) == [
        ("MIG617", "README.md", 3, MENTIONS_KEPT),
        ("MIG610", "app/client.py", 3, PROVISION_KEY + KEEP_KEY_SET),
    ]


def test_a_name_in_a_comment_or_a_message_is_no_read(tmp_path: Path) -> None:
    files = dict(ENV_PROJECT)
    files["tools/report.py"] = (
        "import os\n\nfrom openai import OpenAI\n\n"
        '# formerly os.getenv("OPENAI_API_KEY")\n'
        'reporter = OpenAI(api_key=os.environ["OPENAI_API_KEY"])\n'
        "HELP = \"set 'OPENAI_API_KEY' before running\"\n"
    )
    repo = write_files(tmp_path / "comments", files)
    assert [item[3] for item in env_items(repo)] == [
        "mentions `OPENAI_API_KEY` (now `DASHSCOPE_API_KEY`), `OPENAI_BASE_URL`: update these "
        "settings, scripts and docs for the migrated code",
        PROVISION_KEY + "; `OPENAI_API_KEY` is no longer read",
    ]


def test_a_doubt_about_endpoints_is_listed_only_where_they_are_called(tmp_path: Path) -> None:
    """dashscope's mapping doubts the Assistants and moderation endpoints: nothing to check
    for an app that calls neither; an item at the moderation call for one that does."""
    chat = (
        "from openai import OpenAI\n\nclient = OpenAI()\n\n\n"
        "def ask(q):\n"
        '    return client.chat.completions.create(model="gpt-4o", messages=[q])\n'
    )
    repo = write_files(tmp_path / "chat-only", {"app.py": chat})

    def unverified(repo: Path) -> list[tuple[str, int, str]]:
        result = run("checklist", str(repo), "--to", "qwen", "--format", "json")
        return [
            (i["path"], i["line"], i["message"])
            for i in json.loads(result.stdout)["items"]
            if i["id"] == "MIG705" and "(endpoints)" in i["message"]
        ]

    assert unverified(repo) == []
    (repo / "app.py").write_text(
        chat + "\n\ndef check(text):\n    return client.moderations.create(input=text)\n"
    )
    assert unverified(repo) == [
        ("app.py", 11, "unverified in the dashscope mapping (endpoints): no OpenAI-compatible "
         "Assistants or moderation endpoint is known; their absence is not confirmed"),
    ]  # fmt: skip


def test_endpoint_from_configuration_is_one_cause_whatever_the_setting() -> None:
    from migrator.grouping import group_findings

    tail = (
        "; replaced by the Acme AI endpoint, so that no configured OpenAI URL or relay survives "
        'the migration — remove that setting, or write `{} or "https://api.acme.example.cn/v1"`'
        " to keep it configurable"
    )
    found = [
        Finding("MIG105", "warning", "config", "a.py", 4,
                "base_url came from `cfg.url`" + tail.format("cfg.url")),
        Finding("MIG105", "warning", "config", "b.py", 9,
                "openai.api_base came from `api_base`" + tail.format("api_base")),
    ]  # fmt: skip
    (item,) = group_findings(found)
    assert item.message == (
        "the endpoint came from configuration" + tail.format("<setting>") + " (2 places: line 4; "
        "b.py:9)"
    )
    assert item.places == (("a.py", 4), ("b.py", 9))


def test_a_project_where_nothing_is_retargeted_says_so(tmp_path: Path) -> None:
    """Every client is left (a local server, one migrator cannot place): the checklist must
    not say where requests now go or which key to provision; it says nothing moved."""
    repo = write_files(tmp_path / "left", {
        "app/local.py": "from openai import OpenAI\n\n"
                        'client = OpenAI(base_url="http://127.0.0.1:8000/v1", api_key="EMPTY")\n',
        "app/configured.py": "from openai import OpenAI\n\n\ndef make(url, key):\n"
                             "    return OpenAI(base_url=url, api_key=key)\n",
    })  # fmt: skip
    result = run("checklist", str(repo), "--to", "qwen", "--format", "json")
    items = json.loads(result.stdout)["items"]
    ids = {i["id"] for i in items}
    assert not ids & {"MIG610", "MIG801", "MIG802", "MIG804", "MIG902"}
    (nothing,) = [i for i in items if i["id"] == "MIG611"]
    assert nothing["severity"] == "warning"
    assert nothing["message"].startswith("no client or call was retargeted")
    assert "MIG105" in ids and "MIG104" in ids


def _regex_internals() -> tuple[Any, Any]:
    """Python's regular-expression parser and its opcodes (private modules; 3.10 names them
    sre_parse and sre_constants)."""
    try:
        from re import _constants, _parser  # type: ignore[attr-defined]
    except ImportError:
        import sre_constants as _constants  # type: ignore[no-redef]
        import sre_parse as _parser  # type: ignore[no-redef]
    return _parser, _constants


def _first_letters(items: Any) -> set[str]:
    """The characters a parsed regular expression's matches can start with (the
    constructs OPENAI_MODEL_PATTERN uses: literals, groups, alternations)."""
    _, c = _regex_internals()
    op, arg = list(items)[0]
    if op is c.LITERAL:
        return {chr(arg)}
    if op is c.SUBPATTERN:
        return _first_letters(arg[-1])
    if op is c.BRANCH:
        return set().union(*(_first_letters(branch) for branch in arg[1]))
    raise AssertionError(f"the model pattern starts with {op}: teach this test, and the look-ahead")


def test_every_model_id_starts_with_a_letter_the_checklist_looks_ahead_for() -> None:
    from migrator.checklist_scan import MODEL_ID_STARTS
    from migrator.prefilter import OPENAI_MODEL_PATTERN

    parser, _ = _regex_internals()
    assert _first_letters(parser.parse(OPENAI_MODEL_PATTERN.pattern)) == set(MODEL_ID_STARTS)


_SCRIPT = (
    "# -*- coding: utf-8 -*-\n"
    "import os\n\nfrom openai import OpenAI\n\n"
    'client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])\n'
    'REGION = os.getenv("APP_REGION", "cn")\n\n\n'
    "def main() -> None:\n"
    '    print(client.chat.completions.create(model="gpt-4o", messages=[]), '
    'os.environ["APP_MODE"])\n\n\n'
    'if __name__ == "__main__":\n    main()\n'
)


def test_the_rewrite_notes_what_a_script_reads_as_the_checklist_would_parse_it() -> None:
    """The smoke-run item names what an entry point reads. The rewrite worker notes it
    (`main_reads`), so a checklist from the cache parses no module again; what it notes
    must be what the checklist's own parse of the migrated text finds."""
    from codemod_helpers import options

    from migrator.ast_env_reads import variables_read
    from migrator.rewrite import rewrite_job

    data = _SCRIPT.encode()
    result = rewrite_job("tool/run.py", data, options("qwen", call_facts=True))
    assert result.new_source is not None and result.main_reads is not None
    assert result.main_reads == variables_read(result.new_source.decode())
    assert "APP_MODE" in result.main_reads.required
    assert "APP_REGION" in result.main_reads.optional
    assert "DASHSCOPE_API_KEY" in result.main_reads.required
    # A file a plain `diff` rewrites, or one no script guard marks, notes nothing.
    assert rewrite_job("tool/run.py", data, options("qwen")).main_reads is None
    library = _SCRIPT.split("\n\nif __name__")[0].encode()
    assert rewrite_job("tool/lib.py", library, options("qwen", call_facts=True)).main_reads is None


def test_the_smoke_run_item_is_the_same_with_or_without_the_noted_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Clearing what the worker noted makes the checklist parse the module itself: the
    item must not change."""
    from migrator import rewrite

    repo = write_files(tmp_path / "script", {"tool/run.py": _SCRIPT})
    noted = run("checklist", str(repo), "--to", "qwen", "--format", "json", "--no-cache")
    monkeypatch.setattr(rewrite, "_note_main_reads", lambda *args: None)
    parsed = run("checklist", str(repo), "--to", "qwen", "--format", "json", "--no-cache")
    assert noted.exit_code == parsed.exit_code == 0, noted.output
    (smoke,) = [i for i in json.loads(noted.stdout)["items"] if i["id"] == "MIG902"]
    assert "`APP_MODE`" in smoke["message"] and "optional: `APP_REGION`" in smoke["message"]
    assert noted.stdout == parsed.stdout
