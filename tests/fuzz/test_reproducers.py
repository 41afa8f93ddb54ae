"""The fuzz run's failures, each cut down to the smallest input that shows it, with the
exact output it must give. Each one failed before its fix."""

from __future__ import annotations

from tests.codemod_helpers import check_transformed, rewrite_bytes
from tests.fuzz.invariants import problems

CLIENT = "from openai import OpenAI\nclient = OpenAI()\n"
CLIENT_AFTER = (
    "import os\n\nfrom openai import OpenAI\n"
    'client = OpenAI(base_url="https://api.deepseek.com", '
    'api_key=os.environ.get("DEEPSEEK_API_KEY", "missing-DEEPSEEK_API_KEY"))\n'
)


def test_blank_line_above_an_indented_comment_at_the_end_of_the_file_stays() -> None:
    # libcst prints "x\n\n  # c\n" back as "x\n  # c\n": the lines after the last code
    # line are taken from the input, whatever the parser made of them
    for tail in (
        "\n  # c\n",
        "\n \r\n  \t# c\r\n\t \n",
        "\n\n    \n",
        "\n  # last \\",
        "\n\n\t# c\n\\\r\n# d\n",  # a lone backslash joins the comment below it
    ):
        data = (CLIENT + tail).encode()
        result = rewrite_bytes(data)
        assert result.new_source == (CLIENT_AFTER + tail).encode(), tail
        assert problems(data, "deepseek") == []


def test_the_end_of_a_function_at_the_end_of_the_file_keeps_its_comments() -> None:
    data = (CLIENT + "def f():\n    return 1\n\n  # c\n").encode()
    assert (
        rewrite_bytes(data).new_source
        == (CLIENT_AFTER + "def f():\n    return 1\n\n  # c\n").encode()
    )


def test_comment_lines_between_arguments_are_kept_once_where_they_were() -> None:
    # a removal left `max_completion_tokens` last, then `extra_body` followed it: the comma
    # copied between them carried the "#   a" line again, and the "# b" line above a
    # removed argument was dropped. (Two edits: after the first, "# b" is one of the lines
    # before `)`, which stay there when an argument is appended.)
    check_transformed(
        """\
        import openai
        def f(client: openai.OpenAI):
            return client.chat.completions.create(
                model="gpt-4o",
                messages=[],
               #   a
                max_completion_tokens=300,
        # b
                user="me",
                store=True,
                # c
            )
        """,
        """\
        import openai
        def f(client: openai.OpenAI):
            return client.chat.completions.create(
                model="deepseek-v4-pro",
                messages=[],
               #   a
                max_tokens=300,
                extra_body={"thinking": {"type": "disabled"}},
        # b
                # c
            )
        """,
    )


def test_appending_an_argument_keeps_the_comments_before_the_closing_bracket_last() -> None:
    check_transformed(
        """\
        import openai
        def f(client: openai.OpenAI):
            r = client.chat.completions.create(
                model="gpt-4o",
                # a
                messages=[],  # b
                # c
            )
        """,
        """\
        import openai
        def f(client: openai.OpenAI):
            r = client.chat.completions.create(
                model="deepseek-v4-pro",
                # a
                messages=[],  # b
                extra_body={"thinking": {"type": "disabled"}},
                # c
            )
        """,
    )


def test_import_openai_error_stays_when_the_other_import_openai_is_in_a_function() -> None:
    # `import openai` inside a function made the module-level `import openai.error` look
    # redundant: dropping it left the module's `openai` undefined (--upgrade-v0)
    check_transformed(
        """\
        import openai.error


        def local():
            import openai
            return openai.BadRequestError


        def legacy():
            try:
                openai.Completion.create(model="text-davinci-003", prompt="x")
            except openai.error.RateLimitError:
                pass
        """,
        """\
        import os

        import openai

        client = openai.OpenAI(
            base_url="https://api.deepseek.com",
            api_key=os.environ.get("DEEPSEEK_API_KEY", "missing-DEEPSEEK_API_KEY"),
        )


        def local():
            import openai
            return openai.BadRequestError


        def legacy():
            try:
                # migrator: MIG401 completions.create: no legacy completions endpoint at deepseek
                client.completions.create(model="text-davinci-003", prompt="x")
            except openai.RateLimitError:
                pass
        """,
        upgrade_v0=True,
    )


def test_import_openai_error_stays_when_the_other_import_openai_is_under_try() -> None:
    data = (
        b"try:\n    import openai\nexcept ImportError:\n    openai = None\n"
        b"import openai.error\n\n\ndef legacy():\n"
        b'    openai.Completion.create(model="text-davinci-003", prompt="x")\n'
    )
    assert problems(data, "deepseek", upgrade_v0=True) == []
    new = rewrite_bytes(data, upgrade_v0=True).new_source
    assert new is not None
    assert new.index(b"\nimport openai\n") < new.index(b"client = openai.OpenAI(")


def test_the_upgraded_client_does_not_use_an_import_below_it() -> None:
    # `import openai as oa` below the settings the client replaces: the client was built
    # as `oa.OpenAI(...)` above it, or the import became `from openai import OpenAI` there
    data = (
        b"import os\nif True:\n    import openai\n\n"
        b'openai.api_key = os.getenv("KEY")\n\n\n'
        b"def f():\n"
        b'    return oa.ChatCompletion.create(model="gpt-4", messages=[])\n\n\n'
        b"import openai as oa\n"
    )
    assert problems(data, "deepseek", upgrade_v0=True) == []
    new = rewrite_bytes(data, upgrade_v0=True).new_source
    assert new is not None
    assert new.startswith(b"import os\nfrom openai import OpenAI\n\nif True:\n")
    assert b"\nclient = OpenAI(\n" in new
    assert new.endswith(b"\n\n\nimport openai as oa\n")


def test_a_local_class_named_like_the_client_is_not_retyped() -> None:
    # (native strategy) `class OpenAI:` in a function, and the calls of it, are not the
    # imported class: retyping them wrote `class dashscope.Client:` (the rewrite did not
    # parse); annotations naming the import are still retyped
    data = (
        b"from openai import OpenAI\n\n\n"
        b"def local():\n"
        b"    class OpenAI:\n"
        b"        pass\n\n"
        b"    return OpenAI()\n\n\n"
        b"def tell(client: OpenAI) -> None:\n"
        b"    print(client)\n\n\n"
        b"def real():\n"
        b'    return OpenAI().chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    result = rewrite_bytes(data, "dashscope", strategy="native")
    assert not result.errors and result.new_source is not None
    new = result.new_source.decode()
    assert "    class OpenAI:\n        pass\n\n    return OpenAI()\n" in new
    assert "def tell(client: dashscope.Client) -> None:" in new
    assert problems(data, "dashscope", strategy="native") == []


def test_an_import_below_the_definitions_is_not_where_new_imports_go() -> None:
    # (--upgrade-v0) every import of the header under `if`, and a `from openai import ...`
    # line after the functions: the new imports went below that late line, under the
    # clients built at the settings (undefined `OpenAI`/`AsyncOpenAI` at import time)
    data = (
        b"if True:\n    import os\n\n"
        b"if True:\n    import openai\n\n"
        b'openai.api_key = os.getenv("OPENAI_API_KEY")\n\n\n'
        b"def ask():\n"
        b'    return openai.ChatCompletion.create(model="gpt-4", messages=[])\n\n\n'
        b"async def aask():\n"
        b'    return await openai.ChatCompletion.acreate(model="gpt-4", messages=[])\n\n\n'
        b"from openai import ChatCompletion\n\n\n"
        b"def again():\n"
        b'    return ChatCompletion.create(model="gpt-4", messages=[])\n'
    )
    assert problems(data, "zhipu", upgrade_v0=True) == []
    new = rewrite_bytes(data, "zhipu", upgrade_v0=True).new_source
    assert new is not None
    text = new.decode()
    assert text.index("import AsyncOpenAI, OpenAI") < text.index("client = OpenAI(")


def test_settings_added_in_a_function_go_below_its_import_lines() -> None:
    # `import openai` then `import os` in a function: the provider's settings, which read
    # os.environ, were put between the two (undefined `os`)
    data = (
        b"def ask(question):\n"
        b"    import openai\n"
        b"    import os\n"
        b'    return openai.ChatCompletion.create(model="gpt-4", messages=[])\n'
    )
    assert problems(data, "qwen") == []
    new = rewrite_bytes(data, "qwen").new_source
    assert new is not None
    assert new.decode().startswith(
        "def ask(question):\n    import openai\n    import os\n    openai.api_base = "
    )


def test_a_last_line_of_blanks_and_form_feeds_comes_back_once() -> None:
    # the file's tail came back from the input, then the form-feed restoration added the
    # line's form feeds again: " \t\f" was printed twice
    tail = b"# c\n \t\x0c\n"
    data = b'import openai\nc = openai.ChatCompletion.create(model="gpt-4", messages=[])\n' + tail
    result = rewrite_bytes(data)
    assert result.new_source is not None and result.new_source.endswith(b")\n" + tail)
    assert problems(data, "deepseek") == []


def test_the_first_argument_left_keeps_its_own_indentation() -> None:
    # (tabs) the Azure arguments before `temperature` go: its line was given the removed
    # first argument's indentation (8 spaces for its own two tabs)
    data = (
        b"from langchain_openai import AzureChatOpenAI\n\n\n"
        b"def make():\n"
        b"    return AzureChatOpenAI(\n"
        b'        azure_deployment="chat-prod",\n'
        b'\t\tapi_version="2024-06-01",\n'
        b"\t\ttemperature=0,\n"
        b"\t)\n"
    )
    assert problems(data, "deepseek") == []
    new = rewrite_bytes(data, "deepseek").new_source
    assert new is not None and b"ChatOpenAI(\n\t\ttemperature=0,\n" in new


def test_the_upgraded_client_in_a_function_goes_below_its_import_lines() -> None:
    # (--upgrade-v0) `import openai` then `import os` in a function: the v1 client, which
    # reads os.environ, was built between the two (undefined `os`); the same for an
    # `import openai` below the top of the module followed by `import os`
    data = (
        b"def ask(question):\n"
        b"    import openai\n"
        b"    import os\n"
        b'    return openai.ChatCompletion.create(model="gpt-4", messages=[])\n'
    )
    assert problems(data, "zhipu", upgrade_v0=True) == []
    new = rewrite_bytes(data, "zhipu", upgrade_v0=True).new_source
    assert new is not None
    assert new.decode().startswith(
        "def ask(question):\n    import openai\n    import os\n    client = openai.OpenAI("
    )
    late = (
        b"import sys\n\nprint(sys.argv)\n\nimport openai\nimport os\n\n"
        b'openai.ChatCompletion.create(model="gpt-4", messages=[])\n'
    )
    assert problems(late, "zhipu", upgrade_v0=True) == []
    new = rewrite_bytes(late, "zhipu", upgrade_v0=True).new_source
    assert new is not None
    assert b"from openai import OpenAI\nimport os\n\nclient = OpenAI(\n" in new


def test_two_inner_openai_imports_in_a_row_get_one_client() -> None:
    # (--upgrade-v0) `import openai` twice in a row in a function: each asked for a client
    # below the same last import line, and the two insertions there crashed the run
    data = (
        b"def ask(question):\n"
        b"    import openai\n"
        b"    import openai\n"
        b'    return openai.ChatCompletion.create(model="gpt-4", messages=[])\n'
    )
    for provider in ("deepseek", "qwen", "zhipu"):
        assert problems(data, provider, upgrade_v0=True) == []
    new = rewrite_bytes(data, "qwen", upgrade_v0=True).new_source
    assert new is not None
    assert new.decode().startswith(
        "import os\n\ndef ask(question):\n    import openai\n    import openai\n"
        "    client = openai.OpenAI("
    )
    assert new.count(b"client = ") == 1
