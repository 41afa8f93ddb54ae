"""Report API keys written into the code (redacted). Client fixers replace the ones
passed as `api_key=`; any other occurrence is a finding for a person.

Rules:
  MIG501 hard-coded API key
"""

from __future__ import annotations

import libcst as cst

from migrator.rewrite import Plan
from migrator.secrets import find_secrets, looks_like_openai_key, redact
from migrator.walk import walk


class _Strings(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: list[cst.SimpleString] = []

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = node.evaluated_value
        # A placeholder (`sk-test...`, `sk-your-key-here`) is no key to revoke.
        if isinstance(value, str) and looks_like_openai_key(value):
            self.found.append(node)


def fix_hardcoded_keys(plan: Plan) -> None:
    # A literal holding a key shows it in the text as written: without one there, the walk
    # over every node (a tenth of the run on a big file) finds nothing.
    if not any(looks_like_openai_key(key) for key in find_secrets(plan.code)):
        return
    visitor = _Strings()
    walk(plan.module, visitor)
    for node in visitor.found:
        value = node.evaluated_value
        assert isinstance(value, str)
        plan.finding(
            "MIG501",
            f"hard-coded API key {redact(value)}: move it to the environment "
            f"({plan.target.key_env}), revoke it and purge it from git history",
            node=node,
        )
