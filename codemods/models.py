"""Map OpenAI model ids to the provider's, wherever the inventory found them.

Literals at call sites, and literals the inventory traced a call's `model=` to
(constants, dict entries, `os.getenv` defaults, class attributes, parameter
defaults), and free-standing model-id literals. A model that is not a literal
becomes a finding naming where the value comes from.

A model (or an embeddings `dimensions=`) that is a constant another file of the run
defines is changed there: the call's worker asks for it (`Plan.request`), and the
defining file's worker applies the request (`_apply_requests`, see constants.py).

Rules:
  MIG201 model is not a literal (config, env, computed): set a provider id there
  MIG202 OpenAI model with no equivalent at this provider: left as it is
  MIG203 embedding model changed: vectors must be re-embedded (and dimensions)
  MIG204 reasoning model mapped: thinking / reasoning defaults differ
  MIG205 model id used as a dict key: left (renaming could merge entries)
  MIG107 dimensions= may already be in the call's `**` mapping: not added, reported
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst
from migrator.codemods._edit import edit_call_args, replace_string_value
from migrator.codemods._kwargs_dict import key_state, report_splat
from migrator.codemods.client_endpoint import call_retargeted

from migrator.constants import Constant, ConstantEdit
from migrator.inventory import CallSite, SizeRef
from migrator.mapping import ModelTarget, openai_model_kind
from migrator.rewrite import Plan


def fix_models(plan: Plan) -> None:
    done: set[cst.CSTNode] = set()
    _apply_requests(plan, done)
    # A model that only feeds calls left as they are (a client already pointing at another
    # provider, an endpoint the provider lacks) stays as it is.
    held: set[cst.SimpleString] = set()
    moving: list[CallSite] = []
    for call in plan.inventory.calls:
        if call_retargeted(plan, call) and plan.mapping.supports(call.family):
            moving.append(call)
        elif call.model is not None and call.model.literal is not None:
            held.add(call.model.literal)
    for call in moving:
        _fix_call_model(plan, call, done)
    inventory = plan.inventory
    if not (inventory.has_sdk_usage or inventory.env_reads):
        # No openai SDK here (a local class named OpenAI, LangChain, tiktoken...): a model
        # id in such a file belongs to something else.
        return
    for site in inventory.model_literals:
        if site.node not in done and site.node not in held:
            _rewrite_literal(plan, site.node, site.value, done)
    _passthrough_note(plan, done)


def passes_models_through(plan: Plan) -> bool:
    """A target with no model table at all (a gateway): ids are sent as they are."""
    mapping = plan.mapping
    return not (
        mapping.models
        or mapping.model_overrides
        or any(target is not None for target in mapping.defaults.values())
    )


def _passthrough_note(plan: Plan, done: set[cst.CSTNode]) -> None:
    """One finding per file for a pass-through target, instead of one per literal."""
    strings = [n for n in done if isinstance(n, cst.SimpleString)]
    if not strings or not passes_models_through(plan):
        return
    values = sorted({str(n.evaluated_value) for n in strings} - {""})
    models = [v for v in values if openai_model_kind(v) is not None]
    if not models:
        return
    first = min(strings, key=plan.line_of)
    plan.finding(
        "MIG202", "info", "config",
        f"{plan.mapping.name} receives model ids as they are: make sure it routes "
        f"{', '.join(repr(m) for m in models)} (or map them with --model-map)",
        node=first,
    )  # fmt: skip


def _rewrite_literal(
    plan: Plan, node: cst.SimpleString, value: str, done: set[cst.CSTNode]
) -> None:
    done.add(node)
    target = plan.mapping.resolve_model(value)
    parent = plan.parent_of(node)
    if target is not None and isinstance(parent, cst.DictElement) and parent.key is node:
        # Renaming dict keys can merge two entries (gpt-4o and gpt-4-turbo both map to one
        # provider model) and Python keeps only the last: leave keys to a person.
        if target.model != value:
            plan.finding(
                "MIG205", "warning", "code",
                f"model id {value!r} is a dict key: add an entry for {target.model!r} "
                "(renaming keys could merge entries)",
                node=node,
            )  # fmt: skip
        return
    if target is None:
        kind = openai_model_kind(value)
        if kind is not None and not passes_models_through(plan):
            plan.finding(
                "MIG202", "warning", "code",
                f"no {plan.mapping.name} equivalent for {kind} model {value!r}: left as it is",
                node=node,
            )  # fmt: skip
        return
    if target.model == value:
        return
    new_value = target.model
    plan.replace(node, lambda n: replace_string_value(n, new_value), "MIG200")
    if target.kind == "reasoning":
        plan.finding(
            "MIG204", "info", "behaviour",
            f"reasoning model {value!r} → {new_value!r}: thinking/reasoning output and "
            "defaults differ (e.g. reasoning_content, thinking on by default)",
            node=node,
        )  # fmt: skip


def _fix_call_model(plan: Plan, call: CallSite, done: set[cst.CSTNode]) -> None:
    ref = call.model
    if ref is None:
        return
    if ref.value is None or (ref.literal is None and ref.constant is None):
        if call.family in ("chat", "completions", "embeddings", "responses"):
            plan.finding(
                "MIG201", "warning", "code",
                f"model for {call.api} is not a literal ({ref.origin}): make sure it names a "
                f"model that {plan.mapping.name} serves",
                node=call.node,
            )  # fmt: skip
        return
    target = plan.mapping.resolve_model(ref.value)
    if ref.literal is not None:
        if ref.literal not in done:
            _rewrite_literal(plan, ref.literal, ref.value, done)
    elif ref.constant is not None:
        _request_model(plan, call, ref.constant, target)
    if target is None:
        return
    additions: dict[str, cst.BaseExpression] = {}
    if call.family == "embeddings" and target.model != ref.value:
        # (the same model at the provider, e.g. an Azure deployment, gives the same vectors)
        args = {a.keyword.value for a in call.node.args if a.keyword is not None}
        # Only where the provider takes `dimensions` (fixed-size models drop it).
        fixed_size = plan.mapping.param_rule("embeddings", "dimensions") is not None
        if "dimensions" in args and not fixed_size:
            # The user's own dimensions= decides the size, if the provider's model takes it.
            size = _fit_user_size(plan, call, target, done)
        else:
            if target.dimensions is not None and not fixed_size:
                if key_state(plan, call.node, "dimensions") in ("entry", "unknown"):
                    report_splat(
                        plan, call.node, ["dimensions"],
                        f"setting dimensions={target.dimensions} for {target.model!r}",
                    )  # fmt: skip
                else:
                    additions["dimensions"] = cst.Integer(str(target.dimensions))
            size = _size_note(ref.value, target.dimensions, "dimensions" in additions)
            if "dimensions" in args:  # dropped (fixed size): a constant for it must follow
                size += _follow_fixed_size(plan, call, target, done)
        plan.finding(
            "MIG203", "warning", "behaviour",
            f"embeddings now come from {target.model!r} ({plan.mapping.name}): a different "
            f"vector space — stored vectors must be re-embedded{size}",
            node=call.node,
        )  # fmt: skip
    if additions:
        known = set(additions)  # checked above: no `**` argument can hold them
        plan.replace(
            call.node,
            lambda n: edit_call_args(n, set_values=additions, known_absent=known),
            "MIG200",
        )


def _request_model(
    plan: Plan, call: CallSite, constant: Constant, target: ModelTarget | None
) -> None:
    """The model is a constant of another file: ask that file's worker to map it."""
    if target is None:
        kind = openai_model_kind(str(constant.value))
        if kind is not None and not passes_models_through(plan):
            plan.finding(
                "MIG202", "warning", "code",
                f"no {plan.mapping.name} equivalent for {kind} model {constant.value!r} "
                f"({constant.name}, {constant.path}:{constant.line}): left as it is",
                node=call.node,
            )  # fmt: skip
        return
    if target.model != constant.value and not plan.suppressed("MIG200", call.node):
        plan.request(
            ConstantEdit(
                constant.path, constant.name, constant.value, target.model,
                f"the model of {_site(plan, call)}",
            )
        )  # fmt: skip


def _fit_user_size(plan: Plan, call: CallSite, target: ModelTarget, done: set[cst.CSTNode]) -> str:
    """Keep the call's own `dimensions=` when the target model takes that size; else
    change it (where its literal is) to the mapping's size. Returns the note for MIG203."""
    size = call.dimensions
    if size is None or not target.sizes or target.dimensions is None:
        return ""
    takes = ", ".join(str(n) for n in target.sizes)
    if size.value is None:
        return (
            f"; dimensions comes from {size.origin}: {target.model} takes {takes} "
            f"(migrator sends {target.dimensions} where it chooses)"
        )
    if size.value in target.sizes:
        return ""
    new = target.dimensions
    why = f"{_site(plan, call)} sends it as dimensions to {target.model} (which takes {takes})"
    _change_size(plan, size, new, why, done)
    return (
        f"; dimensions {size.value} → {new} ({target.model} takes {takes}): resize the vector store"
    )


def _follow_fixed_size(
    plan: Plan, call: CallSite, target: ModelTarget, done: set[cst.CSTNode]
) -> str:
    """The provider's model has one size and `dimensions=` is dropped from the call; a
    constant it came from (`EMBEDDING_DIMENSIONS`) now states that size, so code that
    sizes the vector store from it stays right. Returns the note for MIG203."""
    size = call.dimensions
    new = target.dimensions
    if size is None or size.value is None or new is None or size.value == new:
        return ""
    if size.origin == "literal":
        return ""  # written in the call itself: dropped with the keyword
    why = (
        f"{_site(plan, call)} gets {new}-dimensional vectors from {target.model} "
        "(dimensions= is dropped)"
    )
    _change_size(plan, size, new, why, done)
    name = size.constant.name if size.constant is not None else size.origin.split()[-1]
    return f"; {name} {size.value} → {new}"


def _site(plan: Plan, call: CallSite) -> str:
    """`embeddings.create at app/embed.py:26`: names the requesting call in another file."""
    return f"{call.api} at {plan.path}:{plan.line_of(call.node)}"


def _change_size(plan: Plan, size: SizeRef, new: int, why: str, done: set[cst.CSTNode]) -> None:
    """Change a vector size where its literal lives: here, or in the file defining it."""
    if size.literal is not None:
        if size.literal not in done:
            done.add(size.literal)
            plan.replace(size.literal, _integer_edit(new), "MIG200")
    elif size.constant is not None and size.value is not None:
        constant = size.constant
        plan.request(ConstantEdit(constant.path, constant.name, size.value, new, why))


def _apply_requests(plan: Plan, done: set[cst.CSTNode]) -> None:
    """Change the constants of this file that other files' calls asked for."""
    for edit in plan.options.constant_edits:
        node = module_constant_literal(plan.module, edit.name)
        if node is None or node.evaluated_value != edit.old:
            plan.finding(
                "MIG201", "warning", "code",
                f"{edit.name} should become {edit.new!r} for {edit.reason}, but migrator "
                "could not find its assignment here: change it by hand",
                line=1,
            )  # fmt: skip
            continue
        if node in done:
            continue
        if isinstance(node, cst.SimpleString):
            _rewrite_literal(plan, node, str(edit.old), done)
            continue
        done.add(node)
        if plan.replace(node, _integer_edit(edit.new), "MIG200"):
            plan.finding(
                "MIG203", "info", "behaviour",
                f"{edit.name} {edit.old} → {edit.new}: {edit.reason}; every other use of "
                f"{edit.name} now sees the new vector size",
                node=node,
            )  # fmt: skip


def _integer_edit(value: object) -> Callable[[cst.Integer], cst.Integer]:
    return lambda node: node.with_changes(value=str(value))


def module_constant_literal(module: cst.Module, name: str) -> cst.SimpleString | cst.Integer | None:
    """The literal of `NAME = "..."` / `NAME: int = 1536` at the top level of `module`
    (also inside module-level if/try blocks, as constants.module_constants reads them)."""
    statements: list[cst.CSTNode] = list(module.body)
    while statements:
        statement = statements.pop()
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target, value = small.targets[0].target, small.value
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    target, value = small.target, small.value
                else:
                    continue
                if (
                    isinstance(target, cst.Name)
                    and target.value == name
                    and isinstance(value, (cst.SimpleString, cst.Integer))
                ):
                    return value
        elif isinstance(statement, (cst.If, cst.Try, cst.With, cst.For, cst.While)):
            statements.extend(_blocks(statement))
    return None


def _blocks(statement: cst.CSTNode) -> list[cst.CSTNode]:
    """The statements directly inside a compound module-level statement."""
    out: list[cst.CSTNode] = []
    for child in statement.children:
        if isinstance(child, cst.IndentedBlock):
            out.extend(child.body)
        elif isinstance(child, (cst.If, cst.Else, cst.ExceptHandler, cst.Finally)):
            out.extend(_blocks(child))
    return out


# Default vector sizes of OpenAI's embedding models.
OPENAI_EMBEDDING_DIMENSIONS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}


def _size_note(model: str, dimensions: int | None, sent: bool) -> str:
    if dimensions is None:
        return ""
    before = OPENAI_EMBEDDING_DIMENSIONS.get(model)
    if before == dimensions:
        return f"; dimensions={dimensions} keeps the size" if sent else ""
    was = f" ({model} gave {before})" if before else ""
    how = f"dimensions={dimensions} sent" if sent else f"vectors have {dimensions} dimensions"
    return f"; {how}{was}: resize the vector store"
