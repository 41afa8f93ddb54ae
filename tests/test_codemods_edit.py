"""codemods/_edit.py and the engine's layout rules: edits keep the code's own style.

Arguments keep their commas, comments and line breaks; new ones follow the local layout;
imports go where isort would put them; new module settings join the existing ones;
markers are one line, fit the file's encoding, and are never added twice.
"""

# ruff: noqa: E501 - expected outputs are real rewrites: a long call stays on one line

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from migrator.codemods._edit import (
    add_dict_entry,
    edit_call_args,
    keywords_at_risk,
    replace_string_value,
)

from tests.codemod_helpers import check_transformed, rewrite_bytes
from tests.import_safety import (
    PROVIDERS,
    assert_no_new_undefined_names,
    provider_facts,
    run_rewritten,
)


def edited(src: str, **kwargs: object) -> str:
    call = cst.parse_expression(src)
    assert isinstance(call, cst.Call)
    values = {k: cst.parse_expression(v) for k, v in dict(kwargs.pop("set_values", {})).items()}
    return cst.Module([]).code_for_node(edit_call_args(call, set_values=values, **kwargs))


def test_append_to_one_line_call() -> None:
    assert edited("f(a=1)", set_values={"b": "2"}) == "f(a=1, b=2)"
    assert edited("f()", set_values={"b": "2"}) == "f(b=2)"


def test_append_to_a_call_closed_on_its_own_line() -> None:
    assert edited("f(\n    a=1, b=2\n)", set_values={"c": "3"}) == "f(\n    a=1, b=2, c=3\n)"


def test_append_after_a_trailing_comma() -> None:
    src = "f(\n    a=1,\n    b=2,\n)"
    assert edited(src, set_values={"c": "3"}) == "f(\n    a=1,\n    b=2,\n    c=3,\n)"


def test_mixed_layout_follows_the_last_separator() -> None:
    src = "f(\n    a=1,\n    b=2, c=3,\n)"
    assert edited(src, set_values={"d": "4"}) == "f(\n    a=1,\n    b=2, c=3, d=4,\n)"


def test_remove_last_keeps_the_closing_layout() -> None:
    assert edited("f(a=1, b=2)", remove={"b"}) == "f(a=1)"
    assert edited("f(\n    a=1,\n    b=2,\n)", remove={"b"}) == "f(\n    a=1,\n)"
    assert edited("f(\n    a=1,\n    b=2\n)", remove={"b"}) == "f(\n    a=1\n)"


def test_comments_stay_on_their_argument() -> None:
    src = "f(\n    a=1,  # keep me\n    b=2,\n)"
    assert edited(src, remove={"b"}) == "f(\n    a=1,  # keep me\n)"
    assert edited(src, set_values={"c": "3"}) == "f(\n    a=1,  # keep me\n    b=2,\n    c=3,\n)"
    last = "f(\n    a=1,\n    b=2,  # last\n)"
    assert edited(last, set_values={"c": "3"}) == "f(\n    a=1,\n    b=2,  # last\n    c=3,\n)"
    no_trailing = "f(\n    a=1,  # keep me\n    b=2\n)"
    assert edited(no_trailing, remove={"b"}) == "f(\n    a=1,  # keep me\n)"


def test_rename_and_replace_in_place() -> None:
    assert edited("f(a=1, b=2)", rename={"a": "x"}) == "f(x=1, b=2)"
    assert edited("f(a=1, b=2)", set_values={"a": "9"}) == "f(a=9, b=2)"


def test_string_keeps_prefix_and_quotes() -> None:
    node = cst.parse_expression("r'gpt-4o'")
    assert isinstance(node, cst.SimpleString)
    assert replace_string_value(node, "qwen-max").value == "r'qwen-max'"
    triple = cst.parse_expression('"""x"""')
    assert isinstance(triple, cst.SimpleString)
    assert replace_string_value(triple, 'a"b').value == '"""a\\"b"""'


def test_dict_entries_follow_the_dict_layout() -> None:
    d = cst.parse_expression('{\n    "a": 1,\n}')
    assert isinstance(d, cst.Dict)
    out = cst.Module([]).code_for_node(add_dict_entry(d, "b", cst.Integer("2")))
    assert out == '{\n    "a": 1,\n    "b": 2,\n}'
    assert add_dict_entry(d, "a", cst.Integer("5")) is d  # the user's key wins


def test_os_import_before_third_party_block() -> None:
    check_transformed(
        """\
        '''Doc.'''

        # third-party
        from openai import OpenAI

        c = OpenAI()
        """,
        """\
        '''Doc.'''

        import os

        # third-party
        from openai import OpenAI

        c = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ.get("DEEPSEEK_API_KEY", "missing-DEEPSEEK_API_KEY"))
        """,
    )


def test_future_import_stays_first() -> None:
    check_transformed(
        """\
        from __future__ import annotations

        from openai import OpenAI

        c = OpenAI()
        """,
        """\
        from __future__ import annotations

        import os

        from openai import OpenAI

        c = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ.get("DEEPSEEK_API_KEY", "missing-DEEPSEEK_API_KEY"))
        """,
    )


def test_existing_os_import_is_reused() -> None:
    check_transformed(
        """\
        import os, sys
        from openai import OpenAI

        c = OpenAI()
        """,
        """\
        import os, sys
        from openai import OpenAI

        c = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ.get("DEEPSEEK_API_KEY", "missing-DEEPSEEK_API_KEY"))
        """,
    )


def test_new_class_import_joins_the_openai_import_in_order() -> None:
    check_transformed(
        """\
        from openai import (
            APIError,
            AsyncAzureOpenAI,
        )

        c = AsyncAzureOpenAI(api_key=k)
        """,
        """\
        from openai import (
            APIError,
            AsyncOpenAI,
        )

        c = AsyncOpenAI(api_key=k, base_url="https://api.deepseek.com")
        """,
    )


def test_marker_fits_a_gbk_file() -> None:
    src = (
        "# -*- coding: gbk -*-\r\n"
        '"""\u4e2d\u6587."""\r\n'
        "def f(client):\r\n"
        "    import openai\r\n"
        "    openai.Image.create(prompt='x')\r\n"
    ).encode("gbk")
    result = rewrite_bytes(src, "deepseek")
    assert result.new_source is not None
    text = result.new_source.decode("gbk")
    assert (
        "    # migrator: MIG401 images.generate: no image generation endpoint at deepseek\r\n"
        in text
    )
    assert text.count("\n") == text.count("\r\n")


ADDED_IMPORTS = [
    (  # a comment on the copied separator stays where it was, once
        "from openai import (\n    APIError,  # retry these\n    RateLimitError,\n)\n",
        "from openai import (\n    APIError,  # retry these\n    OpenAI,\n    RateLimitError,\n)\n",
    ),
    (
        "from openai import APIError, RateLimitError\n",
        "from openai import APIError, OpenAI, RateLimitError\n",
    ),
    (
        "from openai import (\n    APIError\n)\n",
        "from openai import (\n    APIError,\n    OpenAI\n)\n",
    ),
]


@pytest.mark.parametrize(("before", "after"), ADDED_IMPORTS)
def test_a_name_added_to_an_existing_import_keeps_its_layout(before: str, after: str) -> None:
    from migrator.import_edits import _add_from_import

    added = _add_from_import(cst.parse_module(before), "openai", "OpenAI")
    assert added is not None and added.code == after


# -------------------------------------------------------------------- env reads in scope
# `os.environ[...]` names the os module the way the code at that line sees it. Each output
# also runs (real SDK, network faked, provider variable unset, OPENAI_API_KEY set).

MAKE_TRAILER = """\
try:
    make()
except KeyError as missing:
    print("missing", missing)
"""


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            # only `import os as _os`: the alias, no new import
            """\
            import os as _os

            from openai import OpenAI


            def make():
                return OpenAI()
            """,
            """\
            import os as _os

            from openai import OpenAI


            def make():
                return OpenAI(base_url="{base}", api_key=_os.environ["{key}"])
            """,
        ),
        (
            # os imported only inside another function: a top-level import
            """\
            from openai import OpenAI


            def home():
                import os
                return os.path.expanduser("~")


            def make():
                return OpenAI()
            """,
            """\
            import os

            from openai import OpenAI


            def home():
                import os
                return os.path.expanduser("~")


            def make():
                return OpenAI(base_url="{base}", api_key=os.environ["{key}"])
            """,
        ),
        (
            # a parameter named os shadows the module: an aliased import
            """\
            from openai import OpenAI


            def make(os=None):
                return OpenAI()
            """,
            """\
            import os as _os

            from openai import OpenAI


            def make(os=None):
                return OpenAI(base_url="{base}", api_key=_os.environ["{key}"])
            """,
        ),
        (
            # os imported in the function itself: used as it is, nothing added
            """\
            from openai import OpenAI


            def make():
                import os
                return OpenAI()
            """,
            """\
            from openai import OpenAI


            def make():
                import os
                return OpenAI(base_url="{base}", api_key=os.environ["{key}"])
            """,
        ),
    ],
    ids=["alias", "other-function", "shadowed", "same-function"],
)
def test_env_read_uses_the_os_module_in_scope(
    provider: str, before: str, after: str, tmp_path: Path
) -> None:
    base, key = provider_facts(provider)
    after = after.replace("{base}", base).replace("{key}", key)
    assert check_transformed(before, after, provider) == []
    assert_no_new_undefined_names(before, after)
    run = run_rewritten(after, MAKE_TRAILER, tmp_path)
    assert run.stdout == f"missing '{key}'\n"


def test_os_import_goes_above_a_block_that_uses_it() -> None:
    # the stdlib block below the try would bind os too late
    check_transformed(
        """\
        try:
            from openai import OpenAI
            client = OpenAI()
        except ImportError:
            client = None
        import json
        """,
        """\
        import os

        try:
            from openai import OpenAI
            client = OpenAI(base_url="https://api.deepseek.com", api_key=os.environ.get("DEEPSEEK_API_KEY", "missing-DEEPSEEK_API_KEY"))
        except ImportError:
            client = None
        import json
        """,
    )


def test_no_keyword_is_appended_next_to_a_splat_that_may_carry_it() -> None:
    call = cst.parse_expression("OpenAI(**client_kwargs)")
    assert isinstance(call, cst.Call)
    values = {"base_url": cst.parse_expression('"u"'), "timeout": cst.Integer("3")}
    assert keywords_at_risk(call, set_values=values) == {
        "base_url": "**client_kwargs",
        "timeout": "**client_kwargs",
    }
    assert edited("OpenAI(**client_kwargs)", set_values={"base_url": '"u"'}) == (
        "OpenAI(**client_kwargs)"
    )
    assert edited("OpenAI(x=1, **kw)", set_values={"x": "2", "y": "3"}) == "OpenAI(x=2, **kw)"


def test_a_literal_splat_is_read() -> None:
    assert edited('f(**{"timeout": 3})', set_values={"base_url": '"u"'}) == (
        'f(**{"timeout": 3}, base_url="u")'
    )
    # the literal holds the key: adding it would be a duplicate at run time
    assert edited('OpenAI(**{"api_key": b})', set_values={"api_key": "a"}) == (
        'OpenAI(**{"api_key": b})'
    )
    # an inner `**` or a computed key may hold anything
    assert edited('f(**{**d, "a": 1})', set_values={"b": "2"}) == 'f(**{**d, "a": 1})'
    assert edited("f(**{k: 1})", set_values={"b": "2"}) == "f(**{k: 1})"


def test_a_rename_never_writes_a_keyword_twice() -> None:
    call = cst.parse_expression("f(a=1, b=2)")
    assert isinstance(call, cst.Call)
    assert keywords_at_risk(call, rename={"a": "b"}) == {"b": "b="}
    assert edited("f(a=1, b=2)", rename={"a": "b"}) == "f(a=1, b=2)"
    assert edited("f(a=1, **params)", rename={"a": "b"}) == "f(a=1, **params)"
    assert edited("f(a=1, **params)", rename={"a": "b"}, remove={"c"}) == "f(a=1, **params)"


def test_known_absent_keys_are_placed() -> None:
    # the caller showed that `extra` cannot hold it (a `**extra` parameter beside `base_url`)
    assert (
        edited(
            "dict(max_retries=2, **extra)",
            set_values={"base_url": '"u"'},
            known_absent={"base_url"},
        )
        == 'dict(max_retries=2, **extra, base_url="u")'
    )
