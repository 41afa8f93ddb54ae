"""`migrator providers` and `migrator mapping validate`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrator.cli_mapping import mapping, providers

DATA = Path(__file__).parent / "data" / "mappings"
MINIMAL = DATA / "minimal.yaml"
BROKEN = sorted((DATA / "broken").glob("*.yaml"))
BUILTIN_IDS = [
    "ark",
    "azure",
    "baichuan",
    "dashscope",
    "deepseek",
    "gateway",
    "hunyuan",
    "minimax",
    "moonshot",
    "qianfan",
    "sensenova",
    "siliconflow",
    "spark",
    "yi",
    "zhipu",
]


def run(command: object, args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(command, args)  # type: ignore[arg-type]
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


# --strategy litellm: the providers with a litellm: section
# Every provider but azure (whose deployments LiteLLM's azure/ route would need)
LITELLM_IDS = set(BUILTIN_IDS) - {"azure"}


def test_providers_json_lists_all_fifteen_with_as_of() -> None:
    code, out, _ = run(providers, ["--format", "json"])
    assert code == 0
    document = json.loads(out)
    assert document["version"] == 1
    entries = document["providers"]
    assert [p["id"] for p in entries] == BUILTIN_IDS
    for entry in entries:
        assert set(entry) == {
            "id",
            "name",
            "aliases",
            "strategies",
            "default_strategy",
            "base_url",
            "key_env",
            "models",
            "as_of",
            "source",
        }
        assert entry["as_of"] == "2026-11-22"
        assert entry["source"] == f"{entry['id']}.yaml"
        assert "/" not in entry["source"]
        native = entry["id"] in {"dashscope", "zhipu", "ark"}
        litellm = ["litellm"] if entry["id"] in LITELLM_IDS else []
        assert entry["strategies"] == ["compat", *(["native"] if native else []), *litellm]
        assert entry["default_strategy"] == "compat"
    by_id = {p["id"]: p for p in entries}
    assert by_id["dashscope"]["aliases"] == ["qwen"]
    assert by_id["gateway"]["aliases"] == ["litellm-proxy", "one-api"]
    assert by_id["deepseek"]["base_url"] == "https://api.deepseek.com"
    assert by_id["deepseek"]["key_env"] == "DEEPSEEK_API_KEY"
    assert by_id["deepseek"]["models"] == 13
    assert by_id["dashscope"]["models"] == 16
    assert by_id["gateway"]["base_url"] is None and by_id["gateway"]["models"] == 0


def test_providers_text_fits_80_columns_with_urls_whole() -> None:
    code, out, _ = run(providers, [])
    assert code == 0
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    heads = [line.split("  ")[0] for line in lines if line and not line.startswith(" ")]
    assert heads == BUILTIN_IDS
    assert "dashscope  Alibaba Cloud DashScope (Qwen)" in lines
    for expected in (
        "  aliases      qwen",
        "  strategies   compat (default), native, litellm",
        "  base URL     https://dashscope.aliyuncs.com/compatible-mode/v1",
        "  key env var  DASHSCOPE_API_KEY",
        "  models       16 mapped (as_of 2026-11-22)",
        "  base URL     $LLM_GATEWAY_BASE_URL",
        "  base URL     $AZURE_OPENAI_ENDPOINT",
    ):
        assert expected in lines


def test_validate_ok_files() -> None:
    code, out, err = run(mapping, ["validate", str(MINIMAL)])
    assert (code, out, err) == (0, f"ok {MINIMAL} (acme)\n", "")
    builtins = sorted((Path(__file__).parent.parent / "mappings").glob("*.yaml"))
    code, out, err = run(mapping, ["validate", *map(str, builtins)])
    assert code == 0 and err == ""
    assert out.splitlines() == [f"ok {p} ({p.stem})" for p in builtins]
    assert len(builtins) == 15


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_validate_broken_file_exits_2_with_file_and_line(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    line = next(n for n, s in enumerate(text.splitlines(), start=1) if "# <-- error" in s)
    expected = text.splitlines()[0].removeprefix("# expect: ")
    code, out, err = run(mapping, ["validate", str(path)])
    assert code == 2
    assert out == ""
    assert err.startswith(f"{path}:{line}: {expected}")


def test_validate_mixed_files_reports_each_and_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    args = ["validate", str(MINIMAL), str(BROKEN[0]), str(missing)]
    code, out, err = run(mapping, args)
    assert code == 2
    assert out == f"ok {MINIMAL} (acme)\n"
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{BROKEN[0]}:")
    assert lines[1] == f"{missing}: cannot read file: No such file or directory"


def test_validate_reports_a_bad_capability_at_its_line(tmp_path: Path) -> None:
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "{streaming_only: true,", "{streaming_only: sometimes,"
    )
    path = tmp_path / "caps.yaml"
    path.write_text(text, encoding="utf-8")
    line = next(n for n, s in enumerate(text.splitlines(), 1) if "streaming_only: sometimes" in s)
    code, out, err = run(mapping, ["validate", str(path)])
    assert (code, out) == (2, "")
    assert err == (
        f"{path}:{line}: models.capabilities.acme-think.streaming_only: expected true or "
        "false, got a string\n"
    )


def test_validate_needs_a_file() -> None:
    code, _, err = run(mapping, ["validate"])
    assert code == 2
    assert "Missing argument" in err


@pytest.mark.parametrize(
    ("command", "args"),
    [(providers, ["--help"]), (mapping, ["--help"]), (mapping, ["validate", "--help"])],
)
def test_help_has_examples(command: object, args: list[str]) -> None:
    code, out, _ = run(command, args)
    assert code == 0
    assert "Example" in out
    assert "migrator " in out
