"""response_flow / response_rewrites on their own: a made-up strategy whose one fixer
rewrites the access paths of chat, chat-stream and embeddings responses with a table,
and the escapes `follow` reports."""

from __future__ import annotations

import textwrap
from dataclasses import replace

import libcst as cst
import pytest
from migrator.codemods.strategies import COMPAT

from migrator.options import RewriteOptions
from migrator.response_flow import ITEM, ResponseUses, follow, returned_or_yielded
from migrator.response_rewrites import match, record_rewrites
from migrator.rewrite import Plan, rewrite_module
from migrator.strategy import Fixer
from tests.codemod_helpers import mapping

CHAT = {
    ("usage", "prompt_tokens"): ("usage", "input_tokens"),
    ("id",): ("request_id",),
    ("choices",): ("output", "choices"),
    ("system_fingerprint",): None,
}
CHUNK = {("choices", ITEM, "delta"): ("choices", ITEM, "message")}
EMBEDDINGS = {("data",): ("embeddings",)}
RULE, MISSING = "MIG410", "MIG418"  # any registered rules do for a made-up table


def _paths(plan: Plan) -> None:
    for call in plan.inventory.calls:
        table = EMBEDDINGS if call.family == "embeddings" else CHUNK if call.stream else CHAT
        record_rewrites(plan, follow(plan, call.node), table, RULE, MISSING, "the reply")


STRATEGY = replace(COMPAT, id="paths", fixers=(Fixer("paths", _paths, (RULE, MISSING)),))


def _plan(src: str, path: str = "app/llm.py") -> tuple[str, Plan]:
    module = cst.parse_module(textwrap.dedent(src))
    options = RewriteOptions(mapping=mapping("qwen"), strategy=STRATEGY)
    new, plan = rewrite_module(module, path, options)
    return new.code, plan


def _rewritten(src: str) -> str:
    return _plan(src)[0]


HEAD = "from openai import OpenAI\nclient = OpenAI()\n"


def check(before: str, after: str) -> None:
    assert _rewritten(HEAD + textwrap.dedent(before)) == HEAD + textwrap.dedent(after)


def test_direct_access_on_the_call() -> None:
    check(
        "n = client.chat.completions.create(model='m', messages=[]).usage.prompt_tokens\n",
        "n = client.chat.completions.create(model='m', messages=[]).usage.input_tokens\n",
    )


def test_through_names_and_a_part_bound_to_a_name() -> None:
    check(
        """\
        def ask():
            r = client.chat.completions.create(model="m", messages=[])
            u = r.usage
            print(r.id, u.prompt_tokens, u.completion_tokens)
        """,
        """\
        def ask():
            r = client.chat.completions.create(model="m", messages=[])
            u = r.usage
            print(r.request_id, u.input_tokens, u.completion_tokens)
        """,
    )


def test_longer_path_rebuilds_the_chain_and_keeps_dict_style() -> None:
    check(
        """\
        r = client.chat.completions.create(model="m", messages=[])
        a = r.choices[0].message.content
        b = r["choices"][0]
        """,
        """\
        r = client.chat.completions.create(model="m", messages=[])
        a = r.output.choices[0].message.content
        b = r["output"]["choices"][0]
        """,
    )


def test_stream_chunks_sync_and_async() -> None:
    check(
        """\
        async def run(stream):
            s = client.chat.completions.create(model="m", messages=[], stream=True)
            for chunk in s:
                print(chunk.choices[0].delta.content)
            async for c in await client.chat.completions.create(model="m", stream=True):
                print(c.choices[0].delta)
        """,
        """\
        async def run(stream):
            s = client.chat.completions.create(model="m", messages=[], stream=True)
            for chunk in s:
                print(chunk.choices[0].message.content)
            async for c in await client.chat.completions.create(model="m", stream=True):
                print(c.choices[0].message)
        """,
    )


def test_enumerate_and_index_on_embeddings() -> None:
    check(
        """\
        e = client.embeddings.create(model="m", input=["a"])
        first = e.data[0].embedding
        for i, item in enumerate(e.data):
            print(i, item.embedding)
        vectors = [d.embedding for d in e.data]
        """,
        """\
        e = client.embeddings.create(model="m", input=["a"])
        first = e.embeddings[0].embedding
        for i, item in enumerate(e.embeddings):
            print(i, item.embedding)
        vectors = [d.embedding for d in e.embeddings]
        """,
    )


def test_path_with_no_equivalent_is_marked() -> None:
    src = HEAD + "r = client.chat.completions.create(model='m')\nf = r.system_fingerprint\n"
    new, plan = _plan(src)
    marked = "# migrator: MIG418 the reply has no `system_fingerprint`\nf = r.system_fingerprint"
    assert marked in new
    assert [f.id for f in plan.findings] == ["MIG418"]


def test_a_name_that_also_holds_other_values_is_not_followed() -> None:
    src = """\
        def ask(cached):
            r = client.chat.completions.create(model="m", messages=[])
            if cached:
                r = cached
            print(r.usage.prompt_tokens)
            return r
        """
    assert _rewritten(HEAD + textwrap.dedent(src)) == HEAD + textwrap.dedent(src)
    _, plan = _plan(HEAD + textwrap.dedent(src))
    uses = follow(plan, plan.inventory.calls[0].node)
    assert [b.name.value for b in uses.shared] == ["r"]
    assert [(e.kind, e.certain) for e in uses.escapes] == [("returned", False)]


def test_an_unrelated_dict_of_the_same_name_elsewhere_is_left() -> None:
    check(
        """\
        def ask():
            r = client.chat.completions.create(model="m", messages=[])
            return r.id
        def other():
            r = {"id": 1}
            return r.id
        """,
        """\
        def ask():
            r = client.chat.completions.create(model="m", messages=[])
            return r.request_id
        def other():
            r = {"id": 1}
            return r.id
        """,
    )


def _uses(src: str, path: str = "app/llm.py") -> tuple[ResponseUses, Plan]:
    _, plan = _plan(HEAD + textwrap.dedent(src), path)
    return follow(plan, plan.inventory.calls[0].node), plan


def test_escapes_come_back_as_data() -> None:
    uses, _ = _uses(
        """\
        import json
        LAST = None
        class Bot:
            def ask(self, log):
                global LAST
                r = client.chat.completions.create(model="m", messages=[])
                self.last = r
                log.append(r.choices[0])
                box = [r]
                json.dumps(r.usage)
                LAST = r
                return r.choices[0].message
        """
    )
    got = [(e.kind, e.path, e.where) for e in uses.escapes]
    assert got == [
        ("attribute", (), "stored in `self.last`"),
        ("argument", ("choices", ITEM), "passed to `log.append`"),
        ("container", (), "put in `[r]`"),
        ("argument", ("usage",), "passed to `json.dumps`"),
        ("global", (), "`LAST`"),
        ("returned", ("choices", ITEM, "message"), "returned from `app.llm.Bot.ask`"),
    ]
    # `LAST = r` binds a global (reported above); `LAST = None` binds it too: not followed
    assert [(b.name.value, b.followed) for b in uses.bindings] == [("r", True), ("LAST", False)]


def test_yield_and_the_checklist_wording() -> None:
    uses, plan = _uses(
        """\
        def stream():
            r = client.chat.completions.create(model="m", messages=[])
            yield r
        """
    )
    where = [(e.kind, e.where) for e in uses.escapes]
    assert where == [("yielded", "yielded from `app.llm.stream`")]
    call = plan.inventory.calls[0].node
    assert returned_or_yielded(uses, call, plan.inventory) == "yielded by `stream()` (as `r`)"


def test_a_global_binding_is_an_escape() -> None:
    uses, _ = _uses(
        """\
        def ask():
            global LAST
            LAST = client.chat.completions.create(model="m", messages=[])
        """
    )
    assert [(e.kind, e.where) for e in uses.escapes] == [("global", "`LAST`")]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("usage", "prompt_tokens"), (0, ("usage", "prompt_tokens"))),
        ((ITEM, "object"), None),
        ((ITEM, "choices", ITEM, "delta"), (1, ("choices",))),
        ((ITEM, "id"), (1, ("id",))),
        (("choices", ITEM), (0, ("choices",))),
        (("usage",), None),
    ],
)
def test_match_longest_key_after_leading_items(
    path: tuple[str, ...], expected: tuple[int, tuple[str, ...]] | None
) -> None:
    assert match(path, CHAT) == expected
