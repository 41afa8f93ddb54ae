"""codemods/models.py: OpenAI model ids mapped wherever the inventory traced them."""

# ruff: noqa: E501 - expected outputs are real rewrites: a long call stays on one line

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from migrator.codemods.strategies import COMPAT

from migrator.discovery import discover
from migrator.mapping import load_mapping
from migrator.migrate import migrate
from migrator.model import Finding
from migrator.options import RewriteOptions
from migrator.rewrite import rewrite_job
from tests.codemod_helpers import (
    check_noop,
    check_transformed,
    ids,
    mapping,
    rewrite,
    rewrite_bytes,
    sent,
)

# Calls through a client the file receives (typed parameter): only the call is at stake.
HEADER = """\
import openai


def run(client: openai.OpenAI, cfg):
"""


def test_literal_at_the_call_keeps_its_quotes() -> None:
    check_transformed(
        HEADER + "    client.chat.completions.create(model='gpt-3.5-turbo', messages=[])\n",
        HEADER + "    client.chat.completions.create(model='moonshot-v1-8k', messages=[])\n",
        "kimi",
    )


def test_constants_dicts_getenv_defaults_and_class_attributes() -> None:
    check_transformed(
        """\
        import os
        from openai import OpenAI

        client: OpenAI = make_client()
        MODEL = "gpt-3.5-turbo"
        TABLE = {"cheap": "gpt-4o-mini"}
        PINNED = os.getenv("CHAT_MODEL", "gpt-3.5-turbo-0125")


        class Bot:
            model = "gpt-4-turbo"

            def go(self):
                client.chat.completions.create(model=MODEL, messages=[])
                client.chat.completions.create(model=TABLE["cheap"], messages=[])
                client.chat.completions.create(model=PINNED, messages=[])
                client.chat.completions.create(model=self.model, messages=[])
        """,
        """\
        import os
        from openai import OpenAI

        client: OpenAI = make_client()
        MODEL = "moonshot-v1-8k"
        TABLE = {"cheap": "moonshot-v1-auto"}
        PINNED = os.getenv("CHAT_MODEL", "moonshot-v1-8k")


        class Bot:
            model = "moonshot-v1-128k"

            def go(self):
                client.chat.completions.create(model=MODEL, messages=[])
                client.chat.completions.create(model=TABLE["cheap"], messages=[])
                client.chat.completions.create(model=PINNED, messages=[])
                client.chat.completions.create(model=self.model, messages=[])
        """,
        "kimi",
    )


def test_model_extra_body_follows_the_model() -> None:
    found = check_transformed(
        HEADER + '    client.chat.completions.create(model="o3-mini", messages=[])\n',
        HEADER
        + '    client.chat.completions.create(model="deepseek-v4-flash", messages=[], '
        + 'extra_body={"thinking": {"type": "enabled"}})\n',
    )
    assert "MIG204" in ids(found)


def test_dynamic_model_is_a_finding() -> None:
    found = check_noop(
        HEADER + "    client.chat.completions.create(model=cfg['model'], messages=[])\n"
    )
    assert "MIG201" in ids(found)
    assert "cfg['model']" in [f for f in found if f.id == "MIG201"][0].message


def test_model_with_no_equivalent_is_left_and_reported() -> None:
    found = check_noop(
        """\
        import openai

        MODEL = "gpt-5"


        def ask(client: openai.AzureOpenAI):
            return client.chat.completions.create(model=MODEL, messages=[])
        """,
        "azure",  # no default for ids it does not list
    )
    assert [(f.id, f.severity, f.line) for f in found if f.id.startswith("MIG2")] == [
        ("MIG202", "warning", 3)
    ]


def test_embedding_model_gets_dimensions_where_the_provider_takes_them() -> None:
    found = check_transformed(
        """\
        from openai import OpenAI


        def embed(client: OpenAI):
            client.embeddings.create(model="text-embedding-3-small", input="x")
        """,
        """\
        from openai import OpenAI


        def embed(client: OpenAI):
            client.embeddings.create(model="embedding-3", input="x", dimensions=1024, extra_body={"encoding_format": "float"})
        """,
        "glm",
    )
    assert [f for f in found if f.id == "MIG203"][0].message.endswith(
        "dimensions=1024 sent (text-embedding-3-small gave 1536): resize the vector store"
    )


def test_a_size_the_provider_model_does_not_take_becomes_the_mapped_size() -> None:
    found = check_transformed(
        """\
        from openai import OpenAI

        SIZE = 1536


        def embed(client: OpenAI, n):
            client.embeddings.create(model="text-embedding-3-small", input="x", dimensions=1536)
            client.embeddings.create(model="text-embedding-3-small", input="x", dimensions=SIZE)
            client.embeddings.create(model="text-embedding-3-small", input="x", dimensions=512)
            client.embeddings.create(model="text-embedding-3-small", input="x", dimensions=n)
        """,
        """\
        from openai import OpenAI

        SIZE = 1024


        def embed(client: OpenAI, n):
            client.embeddings.create(model="embedding-3", input="x", dimensions=1024, extra_body={"encoding_format": "float"})
            client.embeddings.create(model="embedding-3", input="x", dimensions=SIZE, extra_body={"encoding_format": "float"})
            client.embeddings.create(model="embedding-3", input="x", dimensions=512, extra_body={"encoding_format": "float"})
            client.embeddings.create(model="embedding-3", input="x", dimensions=n, extra_body={"encoding_format": "float"})
        """,
        "glm",
    )
    notes = [f.message.partition("re-embedded")[2] for f in found if f.id == "MIG203"]
    assert notes == [
        "; dimensions 1536 → 1024 (embedding-3 takes 256, 512, 1024, 2048): resize the vector store",
        "; dimensions 1536 → 1024 (embedding-3 takes 256, 512, 1024, 2048): resize the vector store",
        "",  # 512 is one of embedding-3's sizes: the user's choice stands
        "; dimensions comes from dynamic: n: embedding-3 takes 256, 512, 1024, 2048 (migrator sends 1024 where it chooses)",
    ]


def test_a_user_size_stands_where_the_mapping_lists_no_sizes() -> None:
    """A --model-map override knows nothing of the model's sizes: the user's size stays."""
    overridden = mapping("glm").with_overrides({"text-embedding-3-small": "my-embedder"})
    result = rewrite_job(
        "x.py",
        b"from openai import OpenAI\n\n\ndef f(c: OpenAI):\n"
        b"    c.embeddings.create(model='text-embedding-3-small', input='x', dimensions=1536)\n",
        RewriteOptions(strategy=COMPAT, mapping=overridden),
    )
    assert result.new_source is not None
    assert b"model='my-embedder', input='x', dimensions=1536)" in result.new_source


def test_fixed_size_embedding_model_gets_no_dimensions() -> None:
    found = check_transformed(
        """\
        from openai import OpenAI


        def embed(client: OpenAI):
            client.embeddings.create(model="text-embedding-3-large", input="x", dimensions=256)
        """,
        """\
        from openai import OpenAI


        def embed(client: OpenAI):
            client.embeddings.create(model="BAAI/bge-m3", input="x", extra_body={"encoding_format": "float"})
        """,
        "siliconflow",
    )
    assert {"MIG203", "MIG301"} <= set(ids(found))


def test_same_model_at_azure_is_not_a_new_vector_space() -> None:
    found = check_noop(
        """\
        import os
        from openai import AzureOpenAI

        client = AzureOpenAI(azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"])
        client.embeddings.create(model="text-embedding-3-small", input="x")
        """,
        "azure",
    )
    assert "MIG203" not in ids(found)


def test_dated_snapshot_resolves_to_its_family() -> None:
    check_transformed(
        HEADER
        + '    client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=[])\n',
        HEADER + '    client.chat.completions.create(model="glm-4-air-250414", messages=[])\n',
        "glm",
    )


def test_unsupported_endpoint_keeps_its_model() -> None:
    """A call left as it is (and marked) keeps its model id too."""
    got = check_transformed(
        HEADER + '    client.responses.create(model="gpt-4o", input="x")\n',
        HEADER
        + "    # migrator: MIG401 responses.create: no Responses API endpoint at deepseek\n"
        + '    client.responses.create(model="gpt-4o", input="x")\n',
    )
    assert "MIG401" in ids(got)


def test_gateway_passes_models_through_with_one_note() -> None:
    found = check_noop(
        """\
        from openai import OpenAI


        def ask(client: OpenAI):
            client.chat.completions.create(model="gpt-4o", messages=[])
            client.chat.completions.create(model="gpt-4o-mini", messages=[])
        """,
        "gateway",
    )
    notes = [f for f in found if f.id == "MIG202"]
    assert [f.severity for f in notes] == ["info"]
    assert "'gpt-4o', 'gpt-4o-mini'" in notes[0].message


def test_model_map_override() -> None:
    overridden = mapping("qwen").with_overrides({"gpt-4o": "qwen-max-latest"})
    source = HEADER + '    client.chat.completions.create(model="gpt-4o", messages=[])\n'
    result = rewrite_job(
        "x.py", source.encode(), RewriteOptions(strategy=COMPAT, mapping=overridden)
    )
    assert result.new_source == source.replace('"gpt-4o"', '"qwen-max-latest"').encode()


def test_no_sdk_in_the_file_no_model_rewrite() -> None:
    check_noop(
        """\
        import tiktoken
        from langchain_openai import ChatOpenAI


        class OpenAI:
            def __init__(self, model="gpt-4o"):
                self.model = model


        DEFAULT = "gpt-4o-mini"
        enc = tiktoken.encoding_for_model("gpt-4o")
        llm = ChatOpenAI(model="gpt-4o")  # migrator: ignore[MIG160]
        """
    )


# --------------------------------------------------------------------------- capabilities

IMAGE_MESSAGES = '    messages = [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": url}}]}]\n'


def fits(found: list, rule: str) -> list[tuple[int, str]]:
    return [(f.line, f.message) for f in found if f.id == rule]


def test_image_call_gets_the_vision_model() -> None:
    found = check_transformed(
        HEADER
        + IMAGE_MESSAGES
        + '    client.chat.completions.create(model="gpt-4o", messages=messages)\n',
        HEADER
        + IMAGE_MESSAGES
        + '    client.chat.completions.create(model="glm-4v-plus", messages=messages)\n',
        "glm",
    )
    assert fits(found, "MIG210") == [
        (6, "model 'gpt-4o' → 'glm-4v-plus' rather than 'glm-4-plus': the call sends images "
            "and glm-4-plus is not known to take images")
    ]  # fmt: skip


def test_image_parts_written_in_the_call_move_off_a_text_only_model() -> None:
    """moonshot-v1 models reject list content; kimi-k2.5 (the vision default) takes images."""
    call = 'client.chat.completions.create(model="{}", messages=[{{"role": "user", "content": [{{"type": "image_url", "image_url": {{"url": cfg}}}}]}}]{})\n'
    found = check_transformed(
        HEADER + "    " + call.format("gpt-4o-mini", ""),
        HEADER
        + "    "
        + call.format("kimi-k2.5", ', extra_body={"thinking": {"type": "disabled"}}'),
        "kimi",
    )
    assert fits(found, "MIG210") == [
        (5, "model 'gpt-4o-mini' → 'kimi-k2.5' rather than 'moonshot-v1-auto': the call sends "
            "images and moonshot-v1-auto takes no images")
    ]  # fmt: skip


def test_text_calls_keep_the_usual_model() -> None:
    found = check_transformed(
        HEADER
        + '    client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": [{"type": "text", "text": "hi"}]}])\n',
        HEADER
        + '    client.chat.completions.create(model="glm-4-plus", messages=[{"role": "user", "content": [{"type": "text", "text": "hi"}]}])\n',
        "glm",
    )
    assert not {"MIG210", "MIG211"} & set(ids(found))


def test_image_call_with_no_known_vision_model_keeps_its_id() -> None:
    """Neither DashScope's nor DeepSeek's mapping names a model known to take images: the
    id stays, and so does the body (no DeepSeek thinking switch for a model not sent)."""
    source = (
        HEADER
        + '    messages = [{"role": "system", "content": "describe"}]\n'
        + '    messages.append({"role": "user", "content": [{"type": "image_url", "image_url": {"url": cfg}}]})\n'
        + '    client.chat.completions.create(model="gpt-4o", messages=messages)\n'
    )
    for provider, planned, name in (
        ("qwen", "qwen3-max", "Alibaba Cloud DashScope (Qwen)"),
        ("deepseek", "deepseek-v4-pro", "DeepSeek"),
    ):
        found = check_noop(source, provider)
        assert fits(found, "MIG211") == [
            (7, f"model 'gpt-4o' left as it is: the call sends images and {planned} is not "
                f"known to take images, and no other {name} model in the mapping is known to "
                "fit: choose one by hand")
        ]  # fmt: skip


def test_non_streaming_o1_at_dashscope_is_not_given_a_stream_only_model() -> None:
    found = check_transformed(
        HEADER
        + '    client.chat.completions.create(model="o1", messages=[])\n'
        + '    client.chat.completions.create(model="o1", messages=[], stream=cfg.stream)\n'
        + '    client.chat.completions.create(model="o1", messages=[], stream=True)\n',
        HEADER
        + '    client.chat.completions.create(model="o1", messages=[])\n'
        + '    client.chat.completions.create(model="o1", messages=[], stream=cfg.stream)\n'
        + '    client.chat.completions.create(model="qwq-plus", messages=[], stream=True)\n',
        "qwen",
    )
    assert fits(found, "MIG211") == [
        (5, "model 'o1' left as it is: qwq-plus answers only when streaming and the call does "
            "not stream, and no other Alibaba Cloud DashScope (Qwen) model in the mapping is "
            "known to fit: choose one by hand"),
        (6, "model 'o1' left as it is: qwq-plus answers only when streaming and the call may "
            "not stream, and no other Alibaba Cloud DashScope (Qwen) model in the mapping is "
            "known to fit: choose one by hand"),
    ]  # fmt: skip
    assert [f.line for f in found if f.id == "MIG204"] == [7]


def test_non_streaming_o1_elsewhere_maps_as_before() -> None:
    """GLM and DeepSeek reasoning models are not known to be stream-only."""
    for provider, model in (("glm", "glm-4.5"), ("deepseek", "deepseek-v4-pro")):
        found = check_transformed(
            HEADER + '    client.chat.completions.create(model="o1", messages=[])\n',
            HEADER
            + f'    client.chat.completions.create(model="{model}", messages=[], '
            + 'extra_body={"thinking": {"type": "enabled"}})\n',
            provider,
        )
        assert "MIG211" not in ids(found)


def test_unknown_ids_of_a_known_family_map_by_size() -> None:
    source = (
        HEADER
        + '    client.chat.completions.create(model="gpt-5-nano", messages=[])\n'
        + '    client.chat.completions.create(model="gpt-5.4-mini", messages=[])\n'
    )
    for provider, nano, mini in (
        ("qwen", "qwen-flash", "qwen-plus"),
        ("glm", "glm-4-flash", "glm-4-air-250414"),
        ("deepseek", "deepseek-v4-flash", "deepseek-v4-flash"),
    ):
        body = ', extra_body={"thinking": {"type": "disabled"}}' if provider == "deepseek" else ""
        check_transformed(
            source,
            HEADER
            + f'    client.chat.completions.create(model="{nano}", messages=[]{body})\n'
            + f'    client.chat.completions.create(model="{mini}", messages=[]{body})\n',
            provider,
        )


def test_a_shared_model_constant_is_judged_for_all_its_calls() -> None:
    source = """\
        import openai

        MODEL = "gpt-4o"


        def run(client: openai.OpenAI, url):
            client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}])
            parts = [{"type": "text", "text": "what is it?"}, {"type": "image_url", "image_url": {"url": url}}]
            client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": parts}])
        """
    found = check_transformed(source, source.replace('"gpt-4o"', '"glm-4v-plus"'), "glm")
    assert [(line, rule) for line, rule in [(f.line, f.id) for f in found] if rule == "MIG210"] == [
        (7, "MIG210"),
        (9, "MIG210"),
    ]
    assert fits(found, "MIG210")[0][1].endswith(
        "rather than 'glm-4-plus': constant MODEL is shared with the call at line 9, where the "
        "call sends images and glm-4-plus is not known to take images"
    )
    left = check_noop(source, "qwen")
    assert [f.line for f in left if f.id == "MIG211"] == [7, 9]


def test_model_map_choice_wins_but_a_known_mismatch_is_reported() -> None:
    overridden = mapping("qwen").with_overrides({"gpt-4o": "qwq-plus", "o1": "my-vision-model"})
    source = (
        HEADER
        + IMAGE_MESSAGES
        + '    client.chat.completions.create(model="gpt-4o", messages=[])\n'
        + '    client.chat.completions.create(model="o1", messages=messages)\n'
    )
    result = rewrite_job(
        "x.py", source.encode(), RewriteOptions(strategy=COMPAT, mapping=overridden)
    )
    assert result.new_source == (
        source.replace('"gpt-4o"', '"qwq-plus"').replace('"o1"', '"my-vision-model"').encode()
    )
    # The mapping knows qwq-plus is stream-only; it knows nothing of my-vision-model.
    assert fits(result.findings, "MIG212") == [
        (6, "--model-map sends 'gpt-4o' to 'qwq-plus', but qwq-plus answers only when "
            "streaming and the call does not stream (per the Alibaba Cloud DashScope (Qwen) "
            "mapping): kept as you chose")
    ]  # fmt: skip


def test_a_call_with_tools_avoids_a_model_without_function_calling() -> None:
    acme = load_mapping(Path(__file__).parent / "data" / "mappings" / "minimal.yaml")
    source = (
        HEADER
        + '    client.chat.completions.create(model="gpt-4o-mini", messages=[], tools=cfg.tools)\n'
    )
    result = rewrite_job("x.py", source.encode(), RewriteOptions(strategy=COMPAT, mapping=acme))
    assert result.new_source is not None
    assert b'model="acme-default", messages=[], tools=cfg.tools' in result.new_source
    assert fits(result.findings, "MIG210") == [
        (5, "model 'gpt-4o-mini' → 'acme-default' rather than 'acme-small': the call passes "
            "tools and acme-small has no function calling")
    ]  # fmt: skip


def test_a_constant_of_another_file_is_not_asked_for_when_it_does_not_fit(tmp_path: Path) -> None:
    """settings.py (no openai import) is changed only on request: a non-streaming call
    does not ask for QwQ there, and says why at its own line."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "app" / "settings.py").write_text('REASONING_MODEL = "o1"\n', encoding="utf-8")
    (tmp_path / "app" / "think.py").write_text(
        "from openai import OpenAI\n\nfrom app.settings import REASONING_MODEL\n\n"
        "client = OpenAI()\n\n\ndef think(q):\n"
        "    return client.chat.completions.create(model=REASONING_MODEL, messages=[])\n",
        encoding="utf-8",
    )
    options = RewriteOptions(strategy=COMPAT, mapping=mapping("qwen"))
    report = migrate(discover(tmp_path), options, jobs=1, show_progress=False)
    assert not report.errors
    assert "app/settings.py" not in [r.path for r in report.changed]
    assert [(f.path, f.line, f.message) for f in report.findings if f.id == "MIG211"] == [
        ("app/think.py", 9,
         "the model comes from REASONING_MODEL (app/settings.py:1), and 'qwq-plus' (the Alibaba "
         "Cloud DashScope (Qwen) mapping's choice for 'o1') does not fit this call: qwq-plus "
         "answers only when streaming and the call does not stream; set a model for this call "
         "by hand")
    ]  # fmt: skip


def test_a_vision_model_id_needs_a_model_known_to_take_images() -> None:
    """gpt-4-vision-preview used to prefix-match gpt-4 (a text model)."""
    source = (
        HEADER + '    client.chat.completions.create(model="gpt-4-vision-preview", messages=[])\n'
    )
    check_transformed(source, source.replace("gpt-4-vision-preview", "glm-4v-plus"), "glm")
    found = check_noop(source, "qwen")
    assert [(f.id, f.line) for f in found if f.id.startswith("MIG2")] == [("MIG202", 5)]


def test_an_ignored_model_id_is_not_reported_as_chosen() -> None:
    source = (
        HEADER
        + IMAGE_MESSAGES
        + '    client.chat.completions.create(model="gpt-4o", messages=messages)  # migrator: ignore[MIG200]\n'
    )
    assert "MIG210" not in ids(check_noop(source, "glm"))


# -- a literal is mapped only where it reaches a request's model= --------------------------
# Each form for three providers; the ids each one maps to, from mappings/*.yaml.
NEW = {
    "qwen": {"gpt-4o": "qwen3-max", "gpt-3.5-turbo": "qwen-flash", "gpt-4o-mini": "qwen-plus"},
    "glm": {
        "gpt-4o": "glm-4-plus",
        "gpt-3.5-turbo": "glm-4-flash",
        "gpt-4o-mini": "glm-4-air-250414",
    },
    "deepseek": {
        "gpt-4o": "deepseek-v4-pro",
        "gpt-3.5-turbo": "deepseek-v4-flash",
        "gpt-4o-mini": "deepseek-v4-flash",
    },
}
# DeepSeek V4 models take a thinking switch: a call whose model is known gets it.
THINKING_OFF = {
    "qwen": "",
    "glm": "",
    "deepseek": ', extra_body={"thinking": {"type": "disabled"}}',
}
THREE = pytest.mark.parametrize("provider", sorted(NEW))


def model_findings(found: list[Finding]) -> list[tuple[str, int]]:
    return [(f.id, f.line) for f in found if f.id.startswith("MIG2")]


@THREE
def test_a_set_of_model_ids_is_left_with_one_finding(provider: str) -> None:
    found = check_noop(
        """\
        from openai import OpenAI

        REASONING_MODELS = {"o1", "o1-mini", "o3-mini", "gpt-5", "gpt-5-mini"}


        def sampling(model: str) -> dict:
            return {} if model in REASONING_MODELS else {"temperature": 0.2}
        """,
        provider,
    )
    assert model_findings(found) == [("MIG207", 3)]
    assert "'o1', 'o1-mini', 'o3-mini', 'gpt-5' and 1 more" in found[0].message


@THREE
def test_comparisons_and_cases_on_model_ids_are_left_one_finding_per_statement(
    provider: str,
) -> None:
    found = check_noop(
        """\
        from openai import OpenAI


        def label(client: OpenAI, name: str):
            if name == "gpt-4-vision-preview" or name == "gpt-4o":
                return "vision"
            elif name.startswith(("o1", "o3")):
                return "reasoning"
            if any(x in name for x in ["o1", "o3", "o4-mini"]):
                return "thinking"
            match name:
                case "gpt-4o" | "gpt-4o-mini":
                    return "omni"
            return client.chat.completions.create(model=name, messages=[])
        """,
        provider,
    )
    assert model_findings(found) == [
        ("MIG206", 5),
        ("MIG206", 7),
        ("MIG206", 9),
        ("MIG206", 12),
        ("MIG201", 14),
    ]  # fmt: skip  (a finding sits at the statement's first model id: the `case` line)
    assert "tests for OpenAI model ids 'gpt-4-vision-preview', 'gpt-4o';" in found[0].message


@THREE
def test_a_parameter_default_that_a_branch_also_tests_is_left(provider: str) -> None:
    found = check_noop(
        """\
        from openai import OpenAI


        def judge(client: OpenAI, image, judger_model_name="gpt-4o"):
            if judger_model_name == "gpt-4o":
                image = [image]
            return client.chat.completions.create(model=judger_model_name, messages=image)
        """,
        provider,
    )
    assert model_findings(found) == [("MIG206", 4), ("MIG206", 5)]
    assert found[0].message.startswith(
        "model 'gpt-4o' (sent by chat.completions.create at line 7) also drives a test at line 5"
    )
    assert "this branch tests judger_model_name" in found[1].message


@THREE
def test_a_constant_sent_and_tested_with_startswith_is_left(provider: str) -> None:
    found = check_noop(
        """\
        from openai import OpenAI

        MODEL = "gpt-4o"


        def ask(client: OpenAI, question):
            extra = {"modalities": ["text"]} if MODEL.startswith("gpt-4o") else {}
            return client.chat.completions.create(model=MODEL, messages=[], **extra)
        """,
        provider,
    )
    assert model_findings(found) == [("MIG206", 3), ("MIG206", 7)]


@THREE
def test_cli_choices_are_left(provider: str) -> None:
    found = check_noop(
        """\
        import argparse

        from openai import OpenAI

        parser = argparse.ArgumentParser()
        parser.add_argument("--model", choices=["gpt-4o", "gpt-4o-mini", "o1"])
        parser.add_argument("--judge", default="gpt-4o")


        def ask(client: OpenAI, args):
            return client.chat.completions.create(model=args.model, messages=[])
        """,
        provider,
    )
    assert model_findings(found) == [("MIG207", 6), ("MIG208", 7), ("MIG201", 11)]
    assert found[1].message.startswith(
        "OpenAI model ids that reach no request migrator can see were left as they are: "
        "'gpt-4o' (line 7)"
    )


@THREE
def test_tokenizer_names_are_left_silently(provider: str) -> None:
    found = check_noop(
        """\
        import tiktoken
        from openai import OpenAI


        def count_tokens(text, model="gpt-4"):
            return len(tiktoken.encoding_for_model(model).encode(text))


        def budget(client: OpenAI, text, name):
            enc = tiktoken.encoding_for_model("gpt-4o-mini")
            default_tokenizer = "gpt-4"
            # (tiktoken knows no o1 names: count them as gpt-4o)
            guess = tiktoken.encoding_for_model("gpt-4o" if name.startswith("o1") else name)
            return count_tokens(text, "gpt-4o"), enc, default_tokenizer, guess
        """,
        provider,
    )
    assert model_findings(found) == []


@THREE
def test_constants_and_dict_entries_that_reach_model_are_mapped(provider: str) -> None:
    new = NEW[provider]
    found = check_transformed(
        """\
        from openai import OpenAI

        CHAT_MODEL = "gpt-4o"
        MODELS = {"fast": "gpt-4o-mini", "smart": "gpt-4-turbo", "old": "gpt-3.5-turbo"}


        def ask(client: OpenAI):
            client.chat.completions.create(model=CHAT_MODEL, messages=[])
            return client.chat.completions.create(model=MODELS["fast"], messages=[])
        """,
        f"""\
        from openai import OpenAI

        CHAT_MODEL = "{new["gpt-4o"]}"
        MODELS = {{"fast": "{new["gpt-4o-mini"]}", "smart": "gpt-4-turbo", "old": "gpt-3.5-turbo"}}


        def ask(client: OpenAI):
            client.chat.completions.create(model=CHAT_MODEL, messages=[]{THINKING_OFF[provider]})
            return client.chat.completions.create(model=MODELS["fast"], messages=[]{THINKING_OFF[provider]})
        """,
        provider,
    )
    # the table's other entries reach no request: left, one finding for the table
    assert model_findings(found) == [("MIG207", 4)]
    (note,) = [f.message for f in found if f.id == "MIG207"]
    assert note.startswith(
        "entries of this table reach no request migrator can see: 'gpt-4-turbo', 'gpt-3.5-turbo';"
    )


@THREE
def test_a_table_looked_up_with_a_computed_key_is_mapped_whole(provider: str) -> None:
    new = NEW[provider]
    found = check_transformed(
        """\
        from openai import OpenAI

        TIERS = {"fast": "gpt-4o-mini", "smart": "gpt-4o"}


        def ask(client: OpenAI, tier: str):
            return client.chat.completions.create(model=TIERS[tier], messages=[])
        """,
        f"""\
        from openai import OpenAI

        TIERS = {{"fast": "{new["gpt-4o-mini"]}", "smart": "{new["gpt-4o"]}"}}


        def ask(client: OpenAI, tier: str):
            return client.chat.completions.create(model=TIERS[tier], messages=[])
        """,
        provider,
    )
    assert model_findings(found) == []


@THREE
def test_every_value_a_conditional_model_may_take_is_mapped(provider: str) -> None:
    new = NEW[provider]
    found = check_transformed(
        """\
        from openai import OpenAI


        def ask(client: OpenAI, long: bool, chosen=None):
            client.chat.completions.create(model="gpt-4o" if long else "gpt-3.5-turbo", messages=[])
            if long:
                model = "gpt-4o"
            else:
                model = "gpt-4o-mini"
            client.chat.completions.create(model=model, messages=[])
            return client.chat.completions.create(model=chosen or "gpt-4o-mini", messages=[])
        """,
        f"""\
        from openai import OpenAI


        def ask(client: OpenAI, long: bool, chosen=None):
            client.chat.completions.create(model="{new["gpt-4o"]}" if long else "{new["gpt-3.5-turbo"]}", messages=[])
            if long:
                model = "{new["gpt-4o"]}"
            else:
                model = "{new["gpt-4o-mini"]}"
            client.chat.completions.create(model=model, messages=[])
            return client.chat.completions.create(model=chosen or "{new["gpt-4o-mini"]}", messages=[])
        """,
        provider,
    )
    # `chosen` comes from the caller: the call says so
    assert model_findings(found) == [("MIG201", 11)]
    (note,) = [f.message for f in found if f.id == "MIG201"]
    assert 'partly not a literal (dynamic: chosen or "gpt-4o-mini")' in note


@THREE
def test_model_ids_in_a_test_file_are_left_unless_the_file_sends_them(provider: str) -> None:
    source = textwrap.dedent(
        """\
        from openai import OpenAI

        from app.models import is_reasoning


        def test_reasoning_ids():
            assert is_reasoning("o1") and is_reasoning("o3-mini")
            assert not is_reasoning("gpt-4o")
            assert {"gpt-4o", "gpt-4o-mini"} == {"gpt-4o", "gpt-4o-mini"}


        def test_live(client: OpenAI):
            client.chat.completions.create(model="gpt-4o", messages=[])
        """
    )
    result = rewrite_bytes(source.encode(), provider, path="tests/test_models.py")
    expected = source.replace(
        'model="gpt-4o", messages=[])',
        f'model="{NEW[provider]["gpt-4o"]}", messages=[]{THINKING_OFF[provider]})',
    )
    assert result.new_source is not None and result.new_source.decode() == expected
    assert model_findings(result.findings) == [("MIG208", 7)]  # one note for the file
    assert result.findings[0].message.startswith("test fixtures name OpenAI model ids: 'o1'")


def test_a_dict_keyed_by_model_ids_gets_one_finding() -> None:
    found = check_noop(
        """\
        from openai import OpenAI

        CONTEXT = {"gpt-4": 8192, "gpt-4o": 128000, "gpt-3.5-turbo": 16385}
        """,
        "qwen",
    )
    assert model_findings(found) == [("MIG205", 3)]
    assert found[0].message == (
        "OpenAI model ids 'gpt-4', 'gpt-4o', 'gpt-3.5-turbo' are dict keys: left as they are; "
        "add entries for 'qwen3-max', 'qwen-flash' (renaming keys could merge entries)"
    )


def test_a_model_looked_up_in_a_table_keyed_by_ids_is_left() -> None:
    """`LIMITS[MODEL]` would raise KeyError once MODEL is a provider id."""
    found = check_noop(
        """\
        from openai import OpenAI

        MODEL = "gpt-4o"
        LIMITS = {"gpt-4o": 128000, "gpt-4": 8192}


        def ask(client: OpenAI, messages):
            budget = LIMITS[MODEL]
            return client.chat.completions.create(model=MODEL, messages=messages[-budget:])
        """,
        "glm",
    )
    assert model_findings(found) == [("MIG206", 3), ("MIG205", 4), ("MIG206", 8)]


def test_a_gateway_reports_no_model_dependent_code() -> None:
    """The gateway receives OpenAI ids as they are: tests on them keep their meaning."""
    found = check_noop(
        """\
        from openai import OpenAI

        MODEL = "gpt-4o"
        REASONING = ("o1", "o3-mini")


        def ask(client: OpenAI):
            if MODEL in REASONING:
                return None
            return client.chat.completions.create(model=MODEL, messages=[])
        """,
        "gateway",
    )
    assert [f.id for f in found if f.id.startswith("MIG2")] == ["MIG202"]  # the one note


@THREE
def test_a_match_on_the_model_keeps_it_and_an_empty_check_does_not(provider: str) -> None:
    new = NEW[provider]
    found = check_transformed(
        """\
        from openai import OpenAI


        def ask(client: OpenAI, model="gpt-4o", fast="gpt-4o-mini"):
            match model:
                case "gpt-4o":
                    pass
            if fast == "":
                return None
            client.chat.completions.create(model=model, messages=[])
            return client.chat.completions.create(model=fast, messages=[])
        """,
        f"""\
        from openai import OpenAI


        def ask(client: OpenAI, model="gpt-4o", fast="{new["gpt-4o-mini"]}"):
            match model:
                case "gpt-4o":
                    pass
            if fast == "":
                return None
            client.chat.completions.create(model=model, messages=[])
            return client.chat.completions.create(model=fast, messages=[]{THINKING_OFF[provider]})
        """,
        provider,
    )
    assert model_findings(found) == [("MIG206", 4), ("MIG206", 5)]


def test_dimensions_are_not_added_beside_a_mapping_that_may_hold_them() -> None:
    before = """\
        from openai import OpenAI


        def embed(client: OpenAI, texts, **options):
            return client.embeddings.create(model="text-embedding-3-small", input=texts, **options)


        def embed_plain(client: OpenAI, texts):
            options = {"timeout": 30}
            return client.embeddings.create(model="text-embedding-3-small", input=texts, **options)
        """
    found = check_transformed(
        before,
        """\
        from openai import OpenAI


        def embed(client: OpenAI, texts, **options):
            return client.embeddings.create(model="embedding-3", input=texts, **options)


        def embed_plain(client: OpenAI, texts):
            options = {"timeout": 30}
            return client.embeddings.create(model="embedding-3", input=texts, **options, dimensions=1024, extra_body={"encoding_format": "float"})
        """,
        "zhipu",
    )
    assert [(f.id, f.line) for f in found if f.id == "MIG107"] == [("MIG107", 5), ("MIG107", 5)]
    assert "dimensions=1024" in next(f.message for f in found if f.id == "MIG107")
    glm = rewrite(before, "zhipu")[0]
    assert sent(glm, "embed(client, ['a'], dimensions=256)")["dimensions"] == 256
    assert sent(glm, "embed_plain(client, ['a'])")["dimensions"] == 1024
    found = check_transformed(
        before,
        """\
        from openai import OpenAI


        def embed(client: OpenAI, texts, **options):
            return client.embeddings.create(model="text-embedding-v4", input=texts, **options)


        def embed_plain(client: OpenAI, texts):
            options = {"timeout": 30}
            return client.embeddings.create(model="text-embedding-v4", input=texts, **options, dimensions=1536, extra_body={"encoding_format": "float"})
        """,
        "qwen",
    )
    assert [(f.id, f.line) for f in found if f.id == "MIG107"] == [("MIG107", 5), ("MIG107", 5)]


@THREE
def test_model_set_in_the_mapping_a_call_spreads_is_mapped_there(provider: str) -> None:
    # what the mapped model needs goes into the mapping too, not beside the `**`
    extra = ', "extra_body": {"thinking": {"type": "disabled"}}' if provider == "deepseek" else ""
    after = f"""\
        from openai import OpenAI


        def ask(client: OpenAI, messages):
            params = {{"model": "{NEW[provider]["gpt-4o"]}", "messages": messages{extra}}}
            return client.chat.completions.create(**params)
        """
    found = check_transformed(
        """\
        from openai import OpenAI


        def ask(client: OpenAI, messages):
            params = {"model": "gpt-4o", "messages": messages}
            return client.chat.completions.create(**params)
        """,
        after,
        provider,
    )
    assert model_findings(found) == []
    assert sent(after, "ask(client, [])")["model"] == NEW[provider]["gpt-4o"]


def test_model_in_a_mapping_read_back_or_spread_twice_is_left() -> None:
    found = check_noop(
        """\
        from openai import OpenAI


        def ask(client: OpenAI, messages):
            params = {"model": "gpt-4o", "messages": messages}
            if params["model"] == "gpt-4o":
                messages = messages[-8:]
            return client.chat.completions.create(**params)


        def ask_logged(client: OpenAI, messages):
            params = {"model": "gpt-4o-mini", "messages": messages}
            log_request(**params)
            return client.chat.completions.create(**params)
        """,
        "qwen",
    )
    # a test of the value, or another receiver of the mapping: the ids stay, reported
    assert model_findings(found) == [("MIG208", 5), ("MIG206", 6)]
    assert "'gpt-4o-mini' (line 12)" in next(f.message for f in found if f.id == "MIG208")


def test_v0_call_model_in_its_mapping_gets_its_body_fields_there() -> None:
    # without --upgrade-v0 the v0 SDK sends unknown keywords as body fields: the model's
    # go into the mapping beside it, not next to the `**`
    after = """\
        import os

        import openai

        openai.api_base = "https://api.deepseek.com"
        openai.api_key = os.environ["DEEPSEEK_API_KEY"]


        def ask(messages):
            kwargs = {"model": "deepseek-v4-pro", "messages": messages, "thinking": {"type": "disabled"}}
            return openai.ChatCompletion.create(**kwargs)
        """
    found = check_transformed(
        """\
        import os

        import openai

        openai.api_key = os.environ["OPENAI_API_KEY"]


        def ask(messages):
            kwargs = {"model": "gpt-4o", "messages": messages}
            return openai.ChatCompletion.create(**kwargs)
        """,
        after,
        "deepseek",
    )
    assert model_findings(found) == []


def test_ignore_on_the_first_line_of_a_multi_line_statement_covers_the_call() -> None:
    """`# migrator: ignore[MIG200]` on the line a multi-line call starts keeps its model,
    even though the literal sits lines below."""
    source = (
        HEADER
        + "    client.chat.completions.create(  # migrator: ignore[MIG200]\n"
        + '        model="gpt-4o",\n'
        + "        messages=[],\n"
        + "    )\n"
    )
    check_noop(source, "qwen")
    without = source.replace("  # migrator: ignore[MIG200]", "")
    got, _ = rewrite(without, "qwen")
    assert 'model="qwen3-max"' in got


def test_an_ignored_model_id_takes_nothing_of_the_providers_model_with_it() -> None:
    """`ignore[MIG200]` keeps the id; the model's extra_body and its MIG204 note must not
    come anyway (they belong to a model that is not written)."""
    source = (
        HEADER
        + '    client.chat.completions.create(model="o1", messages=[])  # migrator: ignore[MIG200]\n'
    )
    found = check_noop(source, "ark")
    assert [f.id for f in found if f.id in ("MIG204", "MIG304")] == []
