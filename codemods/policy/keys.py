"""What a retargeted client's api_key (or `openai.api_key`) becomes.

The provider's key, read from its variable, wherever the old value was OpenAI's: no
api_key (the SDK reads OPENAI_API_KEY), a literal key, None, or an expression that
carries OPENAI_API_KEY which other code still reads (or another file's settings read,
which this file cannot rename): kept, those would send the OpenAI key to the provider
(MIG507). Any other expression is the user's own and stays (MIG101 asks a person to
check it); where it can be None the fallback to the provider's key is made explicit,
because the SDK would read OPENAI_API_KEY.

Code that runs at import time reads the key with a placeholder default (`key_read`,
MIG108), so a missing variable breaks requests, not imports.
"""

from __future__ import annotations

from functools import partial

import libcst as cst
from migrator.codemods._edit import env_read, env_read_with_default
from migrator.codemods._kept_key import (
    ends_with_key_read,
    is_none,
    may_be_none,
    or_else,
    reads_key_var,
)
from migrator.codemods._scope import imported_name, runs_at_import
from migrator.codemods.policy.arguments import OPENAI_ENV_PREFIXES
from migrator.codemods.policy.env import feeds_renamed_read, replaces_openai_key

from migrator.endpoint_trace import trace_endpoint
from migrator.env_reads import Resolve
from migrator.inventory import ClientSite, ConfigSite
from migrator.rewrite import Plan
from migrator.source import code_of


def os_names(plan: Plan) -> Resolve:
    """The names this file reaches the os module by (for `reads_key_var`)."""
    return partial(imported_name, plan)


def missing_key_placeholder(var: str) -> str:
    return f"missing-{var}"


def key_read(
    plan: Plan, var: str, *, at: cst.CSTNode | None, report: cst.CSTNode | None = None
) -> cst.BaseExpression:
    """The provider key for a client or setting at `at`: `os.environ["VAR"]`, except where
    the code runs when the module is imported (a module-level client, a class attribute).

    There a missing variable would make every import of the module fail, also for the
    code paths that never use this client (a base module shared by several providers),
    where before only a missing OPENAI_API_KEY did. It must not fall back to
    OPENAI_API_KEY either: the SDK reads that variable when api_key is None, and openai>=2
    refuses an empty key when the client is built. So a missing variable reads as a
    placeholder: importing works, and the first request fails with the provider's 401
    (MIG108 says so, once a file and variable: at its first such read); the OpenAI key is
    never sent."""
    if not runs_at_import(plan, at):
        return env_read(plan, var, at=at)
    if not any(f.id == "MIG108" and f.message.startswith(f"{var} ") for f in plan.findings):
        # (once a file and variable: a `--route` reads a second provider's key too)
        plan.finding(
            "MIG108",
            f"{var} is read when the module is imported: while it is unset, a placeholder "
            f"key lets the import work and requests fail with 401 (never OpenAI's key): "
            f"set {var}",
            node=report if report is not None else at,
        )
    return env_read_with_default(plan, var, missing_key_placeholder(var), at=at)


def api_key_value(
    plan: Plan, site: ClientSite, args: dict[str, cst.Arg]
) -> cst.BaseExpression | None:
    """The new api_key expression, or None to keep the user's."""
    key_env = plan.target.key_env
    arg = args.get("api_key")
    if arg is None:
        return key_read(plan, key_env, at=site.node)
    value = arg.value
    if isinstance(value, cst.SimpleString) or is_none(value):
        # A literal key (reported, redacted, by hardcoded_keys) is an OpenAI key: useless
        # at the provider, so it is replaced by the provider's env var; so is `None`,
        # with which the SDK reads OPENAI_API_KEY.
        return key_read(plan, key_env, at=site.node)
    if reads_key_var(value, key_env, os_names(plan)) and plan.suppressed("MIG500", value):
        keep_key(plan, value, "api_key", site.node)  # `# migrator: ignore[MIG500]`: kept
        return None
    if replaces_openai_key(plan, value, "api_key", site.node):
        # an OPENAI_API_KEY read that other code still reads: the provider's key instead
        return key_read(plan, key_env, at=site.node)
    if openai_key_from_afar(plan, value, site.node):
        return key_read(plan, key_env, at=site.node)
    keep_key(plan, value, "api_key", site.node)
    return None


def openai_key_from_afar(plan: Plan, value: cst.BaseExpression, node: cst.CSTNode) -> bool:
    """Does the kept key come from an OpenAI variable this file's env-var fixer cannot
    rename (a settings class of another file: `Settings.api_key` reading OPENAI_API_KEY)?
    Kept, the retargeted client would send the OpenAI key to the provider (MIG507)."""
    values = plan.inventory.endpoint_values
    if plan.target.client == "azure":
        return False  # Azure's own variables at an Azure target: the same service's key
    if values is None or feeds_renamed_read(plan, value):
        return False
    found = [
        source.value
        for source in trace_endpoint(value, values)
        if source.kind == "env"
        and source.value.startswith(OPENAI_ENV_PREFIXES)
        and source.value != plan.target.key_env  # (Azure's own key at an Azure target)
    ]
    if not found:
        return False
    key_env = plan.target.key_env
    plan.finding(
        "MIG507",
        f"api_key `{code_of(value)}` reads {found[0]} where this file cannot rename it: "
        f"replaced by the {plan.mapping.name} key (env {key_env}), so that the OpenAI key "
        f"is not sent to {plan.mapping.name}; update {found[0]} where it is read if other "
        "code should follow",
        node=node,
    )
    return True


def report_kept_key(plan: Plan, value: cst.BaseExpression, setting: str, node: cst.CSTNode) -> bool:
    """A user's own key expression stays. True when it reads the target's env var, or an
    OpenAI one the env-var fixer renames; otherwise MIG101 asks a person to check it.
    `setting` names it in the message (`api_key`, `openai.api_key`)."""
    key_env = plan.target.key_env
    code = code_of(value)
    if key_env in code or (
        any(prefix in code for prefix in OPENAI_ENV_PREFIXES) and feeds_renamed_read(plan, value)
    ):
        return True
    label = f"api_key `{code}`" if setting == "api_key" else f"{setting} = `{code}`"
    plan.finding(
        "MIG101",
        f"{label} kept: make sure it now yields the {plan.mapping.name} key (env {key_env})",
        node=node,
    )
    return False


def keep_key(plan: Plan, value: cst.BaseExpression, setting: str, node: cst.CSTNode) -> None:
    """A user's own key expression stays (reported by `report_kept_key`). Where it can be
    None (a parameter defaulting to None, `cfg.get("key")`, `os.getenv("KEY")`), the SDK
    would quietly read OPENAI_API_KEY and send the OpenAI key to the provider: the
    fallback is made explicit, `key or os.environ["<PROVIDER_KEY>"]` (MIG101 says so)."""
    key_env = plan.target.key_env
    if plan.suppressed("MIG100", value):
        report_kept_key(plan, value, setting, node)
        return
    if reads_key_var(value, key_env, os_names(plan)) and may_be_none(plan, value):
        if plan.suppressed("MIG500", value):
            # `# migrator: ignore[MIG500]`: the user keeps this read of the variable
            report_kept_key(plan, value, setting, node)
            return
        # `os.getenv("OPENAI_API_KEY")`: the provider's variable, read as the fixer reads
        # it there (a strict `os.environ[...]` the user wrote keeps its strictness: the
        # env-var fixer renames it).
        fallback = key_read(plan, key_env, at=value, report=node)
        plan.replace(value, lambda n: fallback, "MIG100")
        return
    if not may_be_none(plan, value):
        report_kept_key(plan, value, setting, node)
        return
    fallback = key_read(plan, key_env, at=value, report=node)
    if ends_with_key_read(value, key_env, os_names(plan)) and not plan.suppressed("MIG500", value):
        # `key or os.getenv("OPENAI_API_KEY")`: that last read becomes the strict one
        last = value.right  # type: ignore[attr-defined]
        plan.replace(last, lambda n: fallback, "MIG100")
    else:
        plan.replace(value, lambda n: or_else(n, fallback), "MIG100")
    code = code_of(value)
    label = f"api_key `{code}`" if setting == "api_key" else f"{setting} = `{code}`"
    plan.finding(
        "MIG101",
        f"{label} kept, falling back to {key_env} when it is None (the SDK would read "
        f"OPENAI_API_KEY and send the OpenAI key to {plan.mapping.name}): make sure it "
        f"yields the {plan.mapping.name} key",
        node=node,
    )


def module_api_key_value(plan: Plan, site: ConfigSite) -> cst.BaseExpression | None:
    """The new value of `openai.api_key = <value>`, or None when the user's stays
    (`keep_key` has then made its fallback explicit or reported it). A literal key is
    OpenAI's (reported, redacted, by hardcoded_keys); so is one read from OPENAI_API_KEY
    that other code still reads."""
    value = site.value
    if isinstance(value, cst.SimpleString) or replaces_openai_key(
        plan, value, "openai.api_key", site.node
    ):
        return key_read(plan, plan.target.key_env, at=value, report=site.node)
    keep_key(plan, value, "openai.api_key", site.node)
    return None
