"""Model ids and endpoints in configuration files (config_files.py, config_values.py).

fixtures/configs/formats/ holds one input and one hand-written expected output per
format (YAML, TOML with CRLF line endings, INI, JSON, an env template): the edit must
give exactly the expected bytes, and the values it leaves must be reported at their
lines. The project-level tests run the real engine (`migrate`) over small projects written
here: which files count as configuration of migrated code, data files, a broken file.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from migrator.codemods.strategies import strategy_named

from migrator.cli import main
from migrator.config_files import edit_config
from migrator.config_values import format_of, locate
from migrator.discovery import discover
from migrator.mapping import load_registry
from migrator.migrate import migrate
from migrator.options import RewriteOptions

FORMATS = Path(__file__).resolve().parent.parent / "fixtures" / "configs" / "formats"
QWEN = "https://dashscope.aliyuncs.com/compatible-mode/v1"


def options(provider: str = "dashscope", strategy: str = "compat") -> RewriteOptions:
    return RewriteOptions(mapping=load_registry().get(provider), strategy=strategy_named(strategy))


# name, expected output, {line: rule} of the findings besides MIG630
CASES = [
    ("settings.yaml", "settings.expected.yaml", {13: "MIG633", 15: "MIG631", 16: "MIG633"}),
    ("app.toml", "app.expected.toml", {13: "MIG633", 16: "MIG631"}),
    ("app.ini", "app.expected.ini", {13: "MIG633"}),
    ("models.json", "models.expected.json", {}),
    (".env.example", ".env.expected.example", {}),
]


@pytest.mark.parametrize(("name", "expected", "left"), CASES, ids=[c[0] for c in CASES])
def test_format_edit_gives_the_expected_bytes(name: str, expected: str, left: dict) -> None:
    fmt = format_of(name, env_template=name.startswith(".env"))
    assert fmt is not None
    data = (FORMATS / name).read_bytes()
    result = edit_config(name, data, fmt, options(), named=lambda key: key != "UNREAD_MODEL")
    assert result is not None and result.new_source is not None
    assert result.new_source == (FORMATS / expected).read_bytes()
    assert result.old_source == data
    reported = {f.line: f.id for f in result.findings if f.id != "MIG630"}
    assert reported == left
    edited = [f for f in result.findings if f.id == "MIG630"]
    assert len(edited) == 1 and "qwen" in edited[0].message
    # editing the result again changes nothing
    again = edit_config(name, result.new_source, fmt, options(), lambda key: key != "UNREAD_MODEL")
    assert again is None or again.new_source is None


def test_yaml_keeps_crlf_bom_and_says_what_the_new_model_changes() -> None:
    data = b"\xef\xbb\xbfllm:\r\n  embedding_model: text-embedding-3-small\r\n"
    result = edit_config("c.yaml", data, "yaml", options("zhipu"))
    assert result is not None
    assert result.new_source == b"\xef\xbb\xbfllm:\r\n  embedding_model: embedding-3\r\n"
    (finding,) = result.findings
    assert finding.id == "MIG630" and "re-embed" in finding.message


def test_quoting_is_kept_and_escaped_for_the_format() -> None:
    result = edit_config(
        "c.yaml", b"a:\n  base_url: 'https://api.openai.com'\n", "yaml", options("zhipu")
    )
    assert result is not None
    assert result.new_source == b"a:\n  base_url: 'https://open.bigmodel.cn/api/paas/v4/'\n"
    result = edit_config("c.json", b'{"model":"gpt-4o"}', "json", options("zhipu"))
    assert result is not None and result.new_source == b'{"model":"glm-4-plus"}'


def test_native_strategy_reports_the_endpoint_and_still_maps_models() -> None:
    # the model goes with the endpoint beside it, which stays: both are reported
    data = b"model: gpt-4o\nbase_url: https://api.openai.com/v1\n"
    result = edit_config("c.yaml", data, "yaml", options("zhipu", "native"))
    assert result is not None and result.new_source is None
    assert {(f.id, f.line) for f in result.findings} == {("MIG633", 1), ("MIG633", 2)}
    data = b"chat:\n  model: gpt-4o\nembeddings:\n  base_url: https://api.openai.com/v1\n"
    result = edit_config("c.yaml", data, "yaml", options("zhipu", "native"))
    assert result is not None
    assert result.new_source == data.replace(b"gpt-4o", b"glm-4-plus")
    assert {(f.id, f.line) for f in result.findings} == {("MIG630", 2), ("MIG633", 4)}


def test_provider_values_and_other_vendors_are_left_silently() -> None:
    data = (
        b"model: qwen-max\nother_model: claude-3-5-sonnet\nbase_url: http://localhost:8000/v1\n"
        b"embedding_model: text-embedding-v4\n"  # DashScope's own id, named like OpenAI's
    )
    assert edit_config("c.yaml", data, "yaml", options()) is None


def test_locate_gives_exact_spans_for_every_format() -> None:
    text = 'a = { model = "gpt-4o" }\nb = ["x", \'gpt-4\']\n'
    spans = {v.path: text[v.start : v.end] for v in locate("toml", text)}
    assert spans == {("a", "model"): '"gpt-4o"', ("b", "[0]"): '"x"', ("b", "[1]"): "'gpt-4'"}
    text = '{"a": [{"model": "gpt-4o"}], "b": "\\"q\\""}'
    spans = {v.path: text[v.start : v.end] for v in locate("json", text)}
    assert spans == {("a", "[0]", "model"): '"gpt-4o"', ("b",): '"\\"q\\""'}


# --------------------------------------------------------------------------- projects

APP = """\
import os
from pathlib import Path

import yaml
from openai import OpenAI

SETTINGS = yaml.safe_load(Path("{config}").read_text())
client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
reply = client.chat.completions.create(model=SETTINGS["model"], messages=[])
"""


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "project"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def run(root: Path, provider: str = "dashscope"):  # noqa: ANN201 - a MigrationReport
    return migrate(discover(root), options(provider), jobs=1, show_progress=False)


def test_config_named_by_migrated_code_is_edited_others_are_reported(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "app.py": APP.format(config="config/llm.yaml"),
        "config/llm.yaml": "model: gpt-4o-mini  # chat\n",
        # not named by any code: the checklist reports it (MIG606), nothing edits it
        "deploy/other.yaml": "model: gpt-4o-mini\n",
        # a data file named like output, even with a model key
        "results/run.json": '{"model": "gpt-4o-mini"}\n',
    })  # fmt: skip
    report = run(root)
    changed = {r.path: r.new_source for r in report.changed}
    assert changed["config/llm.yaml"] == b"model: qwen-plus  # chat\n"
    assert "deploy/other.yaml" not in changed and "results/run.json" not in changed
    document = report.to_json()
    assert [f["path"] for f in document["files"]] == ["app.py", "config/llm.yaml"]
    assert "+model: qwen-plus  # chat" in document["files"][1]["diff"]

    result = CliRunner().invoke(
        main, ["checklist", str(root), "--to", "qwen", "--format", "json"], catch_exceptions=False
    )
    items = json.loads(result.stdout)["items"]
    mig606 = [(i["path"], i["line"]) for i in items if i["id"] == "MIG606"]
    assert ("deploy/other.yaml", 1) in mig606
    assert all(path != "config/llm.yaml" for path, _ in mig606)  # not asked again
    assert any(i["id"] == "MIG630" and i["path"] == "config/llm.yaml" for i in items)


def test_config_of_code_left_as_it_is_is_not_edited(tmp_path: Path) -> None:
    # the only reader does not use openai and sits in another tree than migrated code
    root = project(tmp_path, {
        "svc/app.py": APP.format(config="svc/llm.yaml"),
        "svc/llm.yaml": "model: gpt-4o\n",
        "tools/report.py": 'import yaml\nCFG = yaml.safe_load(open("tools/report.yaml"))\n',
        "tools/report.yaml": "model: gpt-4o\n",
    })  # fmt: skip
    changed = {r.path for r in run(root).changed}
    assert changed == {"svc/app.py", "svc/llm.yaml"}


def test_unmapped_model_is_reported_at_its_line(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "app.py": APP.format(config="llm.yaml"),
        "llm.yaml": "# settings\nvision_model: gpt-4-vision-preview\n",
    })  # fmt: skip
    report = run(root)
    assert "llm.yaml" not in {r.path for r in report.changed}
    found = [(f.id, f.path, f.line) for f in report.findings if f.path == "llm.yaml"]
    assert found == [("MIG631", "llm.yaml", 2)]


def test_broken_yaml_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "app.py": APP.format(config="llm.yaml"),
        "llm.yaml": "chat:\n  model: gpt-4o\n   temperature: 0\n",
        "more.py": APP.format(config="ok.yaml"),
        "ok.yaml": "model: gpt-4o\n",
    })  # fmt: skip
    report = run(root)
    assert {r.path for r in report.changed} == {"app.py", "more.py", "ok.yaml"}
    (broken,) = [f for f in report.findings if f.path == "llm.yaml"]
    assert (broken.id, broken.line) == ("MIG632", 3)
    assert report.errors == []


def test_diff_check_counts_a_config_only_change(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "app.py": APP.format(config="llm.yaml"),
        "llm.yaml": "model: gpt-4o\n",
    })  # fmt: skip
    runner = CliRunner()
    result = runner.invoke(main, ["diff", str(root), "--to", "qwen", "--check"])
    assert result.exit_code == 1
    assert "+model: qwen3-max" in result.output


def test_apply_in_place_writes_the_config(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "app.py": APP.format(config="llm.yaml"),
        "llm.yaml": "model: 'gpt-4o'   # keep me\n",
        ".env.example": "OPENAI_API_KEY=\nMODEL=gpt-4o\n",
    })  # fmt: skip
    shutil.rmtree(root / ".git", ignore_errors=True)
    result = CliRunner().invoke(
        main, ["apply", str(root), "--to", "qwen", "--in-place"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert (root / "llm.yaml").read_text() == "model: 'qwen3-max'   # keep me\n"
    assert "Configuration files updated: llm.yaml\n" in result.output
    # the env template: the key rename (envfiles.py) and no model edit, since no
    # migrated code names MODEL
    env = (root / ".env.example").read_text()
    assert env.startswith("DASHSCOPE_API_KEY=\nMODEL=gpt-4o\n")


def test_a_model_catalogue_with_aliases_is_data(tmp_path: Path) -> None:
    """A plugin's registry of OpenAI models (ids and the aliases users type) names what
    each alias stands for: its ids are reported, not rewritten; a plain choice beside it
    is edited."""
    text = (
        "# models this plugin registers\n"
        "registered:\n"
        "- model_id: gpt-4o-mini\n"
        "  aliases: [4o-mini, mini]\n"
        "- model_id: gpt-4o\n"
        "  alias: 4o\n"
    )
    root = project(tmp_path, {
        "app.py": APP.format(config="registry.yaml") + 'OTHER = open("choice.yaml")\n',
        "registry.yaml": text,
        "choice.yaml": "default_model: gpt-4o\n",
    })  # fmt: skip
    report = run(root)
    changed = {r.path: r.new_source for r in report.changed}
    assert "registry.yaml" not in changed
    assert changed["choice.yaml"] == b"default_model: qwen3-max\n"
    left = [(f.id, f.line) for f in report.findings if f.path == "registry.yaml"]
    assert left == [("MIG633", 3), ("MIG633", 5)]


def test_models_keyed_by_id_or_paired_with_another_endpoint_stay(tmp_path: Path) -> None:
    """A benchmark's table of model entries keyed by model id, each with its endpoint and
    key variable: rewriting `model_name` alone would send a provider id to OpenAI with
    OpenAI's key."""
    text = (
        "{\n"
        '  "models": {\n'
        '    "gpt-4o-2024-11-20": {"model_name": "gpt-4o-2024-11-20",\n'
        '                          "base_url": "https://api.openai.com/v1"},\n'
        '    "fast": {"model_name": "gpt-4o-mini",\n'
        '             "base_url": "https://gateway.example.com/openai/v1",\n'
        '             "api_key_env": "OPENAI_API_KEY"},\n'
        '    "default": {"model_name": "gpt-4o",\n'
        '                "base_url": "https://api.openai.com/v1"}\n'
        "  }\n"
        "}\n"
    )
    root = project(tmp_path, {
        "app.py": APP.format(config="models.json"),
        "models.json": text,
    })  # fmt: skip
    report = run(root)
    (result,) = [r for r in report.results if r.path == "models.json"]
    assert result.new_source is not None
    # only the "default" entry changes, model and endpoint together
    expected = text.replace('"model_name": "gpt-4o",', '"model_name": "qwen3-max",').replace(
        '"base_url": "https://api.openai.com/v1"}\n  }', f'"base_url": "{QWEN}"}}\n  }}'
    )
    assert result.new_source.decode() == expected
    left = sorted((f.id, f.line) for f in result.findings if f.id != "MIG630")
    assert left == [("MIG633", 3), ("MIG633", 4), ("MIG633", 5)]


def test_an_endpoint_stays_beside_a_model_without_equivalent() -> None:
    data = b"model: gpt-4-vision-preview\nbase_url: https://api.openai.com/v1\n"
    result = edit_config("c.yaml", data, "yaml", options())
    assert result is not None and result.new_source is None
    assert [(f.id, f.line) for f in result.findings] == [("MIG631", 1), ("MIG633", 2)]


def test_env_template_gets_the_model_and_the_key_rename_in_one_write(tmp_path: Path) -> None:
    app = APP.format(config="llm.yaml").replace(
        'model=SETTINGS["model"]', 'model=os.getenv("CHAT_MODEL", SETTINGS["model"])'
    )
    root = project(tmp_path, {
        "app.py": app,
        "llm.yaml": "model: gpt-4o\n",
        ".env.example": "# keys\nOPENAI_API_KEY=\nCHAT_MODEL=gpt-4o-mini  # the chat model\n",
    })  # fmt: skip
    report = run(root)
    (template,) = [r for r in report.changed if r.path == ".env.example"]
    assert template.new_source == (
        b"# keys\nOPENAI_API_KEY=\nCHAT_MODEL=qwen-plus  # the chat model\n"
    )
    result = CliRunner().invoke(
        main, ["apply", str(root), "--to", "qwen", "--in-place"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert (root / ".env.example").read_text() == (
        "# keys\nDASHSCOPE_API_KEY=\nCHAT_MODEL=qwen-plus  # the chat model\n"
    )
    assert (root / "llm.yaml").read_text() == "model: qwen3-max\n"


KEYED = "a:\n  model: gpt-4o\n  base_url: https://api.openai.com/v1\n  {key}\n"


@pytest.mark.parametrize(
    ("key", "new_key"),
    [
        ("api_key_env: OPENAI_API_KEY", "api_key_env: DASHSCOPE_API_KEY"),
        ('api_key: "${OPENAI_API_KEY}"', 'api_key: "${DASHSCOPE_API_KEY}"'),
        ('api_key: ""', 'api_key: ""'),
    ],
)
def test_the_key_beside_an_edited_endpoint_follows_it(key: str, new_key: str) -> None:
    data = KEYED.format(key=key).encode()
    result = edit_config("c.yaml", data, "yaml", options())
    assert result is not None and result.new_source is not None
    assert result.new_source.decode() == (
        f"a:\n  model: qwen3-max\n  base_url: {QWEN}\n  {new_key}\n"
    )
    assert [f.id for f in result.findings] == ["MIG630"]


def test_a_key_written_beside_the_endpoint_keeps_the_entry_and_is_not_shown() -> None:
    secret = "sk-" + "abcdef0123456789" * 2
    data = KEYED.format(key=f"api_key: {secret}").encode()
    result = edit_config("c.yaml", data, "yaml", options())
    assert result is not None and result.new_source is None
    assert [(f.id, f.line) for f in result.findings] == [
        ("MIG633", 2), ("MIG633", 3), ("MIG633", 4),
    ]  # fmt: skip
    assert all(secret not in f.message for f in result.findings)


def test_an_embedding_model_follows_the_embeddings_route(tmp_path: Path) -> None:
    """`--to deepseek --route embeddings=qwen`: the chat model is DeepSeek's, the embedding
    model DashScope's (the code's embeddings calls go there); in an entry with an endpoint
    that becomes DeepSeek's, a routed model stays whole (reported)."""
    from migrator.routes import resolve_routes

    (tmp_path / "settings.yaml").write_text(
        "chat:\n  model: gpt-4o-mini\nembeddings:\n  model: text-embedding-3-small\n"
        "mixed:\n  base_url: https://api.openai.com/v1\n  model: text-embedding-3-small\n"
    )
    (tmp_path / "app.py").write_text(
        "import yaml\nfrom openai import OpenAI\n\n"
        'SETTINGS = yaml.safe_load(open("settings.yaml"))\nclient = OpenAI()\n'
        'client.chat.completions.create(model=SETTINGS["chat"]["model"], messages=[])\n'
    )
    registry = load_registry()
    options = RewriteOptions(
        mapping=registry.get("deepseek"),
        strategy=strategy_named("compat"),
        routes=resolve_routes(registry, registry.get("deepseek"), {}, ["embeddings=qwen"]),
    )
    report = migrate(discover(tmp_path), options, jobs=1, show_progress=False)
    changed = {r.path: r.new_source for r in report.changed}
    assert changed["settings.yaml"] == (
        b"chat:\n  model: deepseek-v4-flash\nembeddings:\n  model: text-embedding-v4\n"
        b"mixed:\n  base_url: https://api.openai.com/v1\n  model: text-embedding-3-small\n"
    )
    left = [f for f in report.findings if f.path == "settings.yaml" and f.id == "MIG633"]
    assert [f.line for f in left] == [6, 7], left


def test_a_model_whose_requests_need_body_fields_says_so() -> None:
    """DeepSeek V4 thinks unless `extra_body` switches it off: code naming the model gets
    that field beside it, a value read from configuration does not, so MIG630 says it."""
    from migrator.config_targets import _config_note

    target = load_registry().get("deepseek").resolve_model("gpt-4o-mini")
    assert target is not None and target.extra_body
    note = _config_note(target)
    assert note is not None and '"thinking"' in note and "extra_body" in note
