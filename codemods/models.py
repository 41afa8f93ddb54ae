"""Map OpenAI model ids to the provider's where they reach a request's `model=`.

Literals at call sites, and literals the inventory traced a call's `model=` to
(constants, dict entries, `os.getenv` defaults, class attributes, parameter
defaults, both branches of `a if c else b`, the fallback of `m or "gpt-4o"`), and the
`"model"` entry of a `create(**params)` mapping the function builds (see
`_model_from_mapping`: the request sends it as if it were written on the call). A model
that is not a literal becomes a finding naming where the value comes from. Every other
model id is left and reported where code depends on it (model_uses.py); so is a value
that is sent and also tested (`if model == "o1"`), since mapping it would flip the test.

A model (or an embeddings `dimensions=`) that is a constant another file of the run
defines is changed there: the call's worker asks for it (`Plan.request`), and the
defining file's worker applies the request (`_apply_requests`, see constants.py).

Rules:
  MIG201 model is not a literal (config, env, computed): set a provider id there
  MIG202 OpenAI model with no equivalent at this provider: left as it is
  MIG203 embedding model changed: vectors must be re-embedded (and dimensions)
  MIG204 reasoning model mapped: thinking / reasoning defaults differ
  MIG205 model id used as a dict key: left (renaming could merge entries)
  MIG206-208 model ids tested, in tables, or reaching no request (see model_uses.py)
  MIG210 model chosen for what the call does (images, streaming, tools)
  MIG211 no mapped model fits what the call does: model left
  MIG212 --model-map choice lacks what the call needs (per the mapping): kept
  MIG107 dimensions= may already be in the call's `**` mapping: not added, reported
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import libcst as cst
from migrator.codemods._edit import edit_call_args, replace_string_value
from migrator.codemods._kwargs_dict import key_state, kwargs_dicts, report_splat
from migrator.codemods._model_fit import call_needs, model_choice, shared_calls
from migrator.codemods.model_uses import ModelUses
from migrator.codemods.policy.endpoints import call_retargeted
from migrator.codemods.routes import as_route

from migrator.capabilities import ModelChoice, unmet_needs
from migrator.constants import Constant, ConstantEdit
from migrator.inventory import CallSite, ModelRef, SizeRef
from migrator.mapping import ModelTarget, openai_model_kind
from migrator.rewrite import Plan


def fix_models(plan: Plan) -> None:
    done: set[cst.CSTNode] = set()
    uses = ModelUses(plan, passthrough=passes_models_through(plan))
    # Literals that stay: they feed only calls left as they are (a client already pointing
    # at another provider, an endpoint the provider lacks)...
    held: set[cst.CSTNode] = set()
    # ...or code also tests them (`if model == "o1"`): mapping them would flip the test.
    tested: set[cst.CSTNode] = set()
    _apply_requests(plan, done, tested, uses)
    for call in plan.inventory.calls:
        if call.model is None:
            # (set on the call itself: the parameter fixer adds the model's extra_body too)
            call.model = _model_from_mapping(plan, call)
    moving: list[CallSite] = []
    for call in plan.inventory.calls:
        route = plan.routed(call)  # `--route`: the route provider's table (routes.py)
        serving = route.mapping if route is not None else plan.mapping
        if call_retargeted(plan, call) and serving.supports(call.family):
            moving.append(call)
        elif call.model is not None:
            held.update(_literals(call.model))
    # First every test, then the mapping: a literal two calls share stays for both.
    for call in moving:
        if uses.keep_tested(call):
            tested.update(_literals(call.model))
            plan.models_left.add(call.node)
    for call in moving:
        with as_route(plan, plan.routed(call)), _as_served(plan, call):
            _fix_moving(plan, call, done, held, tested)
    inventory = plan.inventory
    if not (inventory.has_sdk_usage or inventory.env_reads):
        # No openai SDK here (a local class named OpenAI, LangChain, tiktoken...): a model
        # id in such a file belongs to something else.
        return
    # Every other model id reaches no request migrator can see: it is left, and reported
    # where code depends on it.
    handled = done | held | tested
    uses.report_left(s for s in inventory.model_literals if s.node not in handled)
    _passthrough_note(plan, done)


@contextlib.contextmanager
def _as_served(plan: Plan, call: CallSite) -> Iterator[None]:
    """A call a strategy keeps on the compatible endpoint gets compat's model ids where the
    strategy's view writes others (LiteLLM's `deepseek/` prefix): the openai SDK sends
    the id as it is written."""
    served = plan.mapping_for(call)
    if plan.routed(call) is None and served.models is not plan.mapping.models:
        with plan.targeting(served, served.compat):
            yield
    else:
        yield


def _fix_moving(
    plan: Plan,
    call: CallSite,
    done: set[cst.CSTNode],
    held: set[cst.CSTNode],
    tested: set[cst.CSTNode],
) -> None:
    if call.node in plan.models_left or tested.intersection(_literals(call.model)):
        plan.models_left.add(call.node)
    elif call.model is not None and call.model.alternatives:
        if call.family == "embeddings":  # one vector space per call, not a choice
            held.update(_literals(call.model))
            _fix_call_model(plan, call, done)  # reports the model as not a literal
        else:
            _fix_alternatives(plan, call, done)
    else:
        _fix_call_model(plan, call, done)


def _model_from_mapping(plan: Plan, call: CallSite) -> ModelRef | None:
    """`params = {"model": "gpt-4o", ...}; client.chat.completions.create(**params)`: the
    model the one mapping the function builds sends, when a single literal entry sets it
    on every path and nothing else can. A mapping also used elsewhere or read back
    (`params["model"]` may be tested) is left: its id is reported like any other."""
    if call.style == "v0" and plan.options.upgrade_v0 and call.node not in plan.edits:
        return None  # a v0 call the upgrade left as it is keeps what it sends
    dicts = kwargs_dicts(plan, call.node)
    if len(dicts) != 1:
        return None
    (found,) = dicts
    entries = found.entries_of("model")
    if (
        not found.visible
        or found.shared
        or found.may_hide("model")
        or found.read_back("model")
        or len(entries) != 1
        or not entries[0].always
        or not isinstance(entries[0].value, cst.SimpleString)
    ):
        return None
    literal = entries[0].value
    return ModelRef(literal, str(literal.evaluated_value), f"the model entry of `{found.code}`")


def _literals(ref: ModelRef | None) -> list[cst.SimpleString]:
    """The literals a call's model comes from."""
    if ref is None:
        return []
    return [one.literal for one in (ref, *ref.alternatives) if one.literal is not None]


def _fix_alternatives(plan: Plan, call: CallSite, done: set[cst.CSTNode]) -> None:
    """The model is one of several traced values (`"a" if c else "b"`, `m or "gpt-4o"`):
    map each where it is written."""
    ref = call.model
    assert ref is not None
    for one in ref.alternatives:
        if one.literal is not None and one.literal not in done:
            _rewrite_literal(plan, one.literal, str(one.value), done)
        elif one.literal is None and one.constant is not None:
            target = plan.mapping.resolve_model(str(one.value))
            _request_model(plan, call, one.constant, target)
    if ref.partial and call.family in ("chat", "completions", "responses"):
        plan.finding(
            "MIG201",
            f"model for {call.api} is partly not a literal ({ref.origin}): its literal "
            f"values are mapped; make sure the rest names a model that {plan.mapping.name} "
            "serves",
            node=call.node,
        )


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
        "MIG202",
        f"{plan.mapping.name} receives model ids as they are: make sure it routes "
        f"{', '.join(repr(m) for m in models)} (or map them with --model-map)",
        node=first,
        severity="info",
        category="config",
    )


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
                "MIG205",
                f"model id {value!r} is a dict key: add an entry for {target.model!r} "
                "(renaming keys could merge entries)",
                node=node,
            )
        return
    if target is None:
        kind = openai_model_kind(value)
        if kind is not None and not passes_models_through(plan):
            plan.finding(
                "MIG202",
                f"no {plan.mapping.name} equivalent for {kind} model {value!r}: left as it is",
                node=node,
            )
        return
    if target.model == value:
        return
    _write_model(plan, node, value, target)


def _write_model(plan: Plan, node: cst.SimpleString, value: str, target: ModelTarget) -> None:
    """Replace the id in its literal (quotes kept); a reasoning model says what differs."""
    new_value = target.model
    if not plan.replace(node, lambda n: replace_string_value(n, new_value), "MIG200"):
        return  # ignored on its line: no note about a model that is not written
    if target.kind == "reasoning":
        plan.finding(
            "MIG204",
            f"reasoning model {value!r} → {new_value!r}: thinking/reasoning output and "
            "defaults differ (e.g. reasoning_content, thinking on by default)",
            node=node,
        )


def _fix_call_model(plan: Plan, call: CallSite, done: set[cst.CSTNode]) -> None:
    ref = call.model
    if ref is None:
        return
    if ref.value is None or (ref.literal is None and ref.constant is None):
        if call.family in ("chat", "completions", "embeddings", "responses"):
            plan.finding(
                "MIG201",
                f"model for {call.api} is not a literal ({ref.origin}): make sure it names a "
                f"model that {plan.mapping.name} serves",
                node=call.node,
            )
        return
    target = plan.mapping.resolve_model(ref.value)
    choice = model_choice(plan, call)
    if ref.literal is not None:
        if ref.literal not in done:
            if choice is not None and choice.changed:
                _rewrite_for_needs(plan, ref.literal, ref.value, choice, done)
            else:
                _rewrite_literal(plan, ref.literal, ref.value, done)
    elif ref.constant is not None and not (choice is not None and choice.changed):
        # (a constant the call cannot use as mapped is not asked for: MIG211 says why)
        _request_model(plan, call, ref.constant, target)
    if choice is not None:
        _report_fit(plan, call, choice)
    if target is None:
        return
    additions: dict[str, cst.BaseExpression] = {}
    if call.family == "embeddings" and target.model != ref.value:
        # (the same model at the provider, e.g. an Azure deployment, gives the same vectors)
        args = {a.keyword.value for a in call.node.args if a.keyword is not None}
        # Only where the provider takes `dimensions` (fixed-size models drop it).
        size_rule = plan.mapping_for(call).param_rule("embeddings", "dimensions")
        fixed_size = size_rule is not None and size_rule.action != "rename"
        # (an SDK may name the keyword differently: DashScope's `dimension`)
        size_keyword = size_rule.to if size_rule is not None and size_rule.to else "dimensions"
        if "dimensions" in args and not fixed_size:
            # The user's own dimensions= decides the size, if the provider's model takes it.
            size = _fit_user_size(plan, call, target, done)
        else:
            if target.dimensions is not None and not fixed_size:
                if key_state(plan, call.node, "dimensions") in ("entry", "unknown"):
                    report_splat(
                        plan,
                        call.node,
                        ["dimensions"],
                        f"setting dimensions={target.dimensions} for {target.model!r}",
                    )
                else:
                    additions[size_keyword] = cst.Integer(str(target.dimensions))
            size = _size_note(ref.value, target.dimensions, size_keyword in additions)
            if "dimensions" in args:  # dropped (fixed size): a constant for it must follow
                size += _follow_fixed_size(plan, call, target, done)
        plan.finding(
            "MIG203",
            f"embeddings now come from {target.model!r} ({plan.mapping.name}): a different "
            f"vector space — stored vectors must be re-embedded{size}",
            node=call.node,
        )
    if additions:
        known = set(additions)  # checked above: no `**` argument can hold them
        plan.replace(
            call.node,
            lambda n: edit_call_args(n, set_values=additions, known_absent=known),
            "MIG200",
        )


def _rewrite_for_needs(
    plan: Plan, node: cst.SimpleString, value: str, choice: ModelChoice, done: set[cst.CSTNode]
) -> None:
    """The literal of calls the mapping's plain answer does not fit: another model the
    mapping offers, or none (the id stays; `_report_fit` says why at each call)."""
    done.add(node)
    target = choice.target
    if target is None or target.model == value:
        return
    _write_model(plan, node, value, target)


def _report_fit(plan: Plan, call: CallSite, choice: ModelChoice) -> None:
    """Say at the call's line why its model is not the mapping's plain answer, or why a
    --model-map choice may not serve it."""
    planned, ref = choice.planned, call.model
    if planned is None or ref is None or not choice.reasons:
        return
    why = _unmet_for(plan, call, planned, choice.override)
    if not why:
        if choice.override or ref.literal is None or not _decided_here(plan, call):
            return
        # The call is fine with the plain answer, but shares its model literal with a call
        # that is not: the literal was judged for both.
        other = next((c for c in shared_calls(plan, call) if _unmet_for(plan, c, planned)), None)
        if other is None:
            return
        why = (
            f"{ref.origin} is shared with the call at line {plan.line_of(other.node)}, "
            f"where {_unmet_for(plan, other, planned)}"
        )
    name = plan.mapping.name
    if choice.override:
        plan.finding(
            "MIG212",
            f"--model-map sends {ref.value!r} to {planned.model!r}, but {why} "
            f"(per the {name} mapping): kept as you chose",
            node=call.node,
        )
    elif ref.literal is None or not _decided_here(plan, call):
        where = (
            f"{ref.constant.name} ({ref.constant.path}:{ref.constant.line})"
            if ref.constant is not None
            else ref.origin
        )
        plan.finding(
            "MIG211",
            f"the model comes from {where}, and {planned.model!r} (the {name} mapping's "
            f"choice for {ref.value!r}) does not fit this call: {why}; set a model for this "
            "call by hand",
            node=call.node,
        )
    elif choice.target is None:
        plan.finding(
            "MIG211",
            f"model {ref.value!r} left as it is: {why}, and no other {name} model in the "
            "mapping is known to fit: choose one by hand",
            node=call.node,
        )
    elif not plan.suppressed("MIG200", ref.literal):  # (an ignored id is not rewritten)
        plan.finding(
            "MIG210",
            f"model {ref.value!r} → {choice.target.model!r} rather than {planned.model!r}: {why}",
            node=call.node,
        )


def _unmet_for(plan: Plan, call: CallSite, planned: ModelTarget, known_only: bool = False) -> str:
    """Why `planned` does not serve this call by its own needs ("" when it does)."""
    caps = plan.mapping.capabilities_of(planned.model)
    needs = call_needs(plan, call)
    return "; ".join(unmet_needs(planned.model, caps, needs, known_only=known_only))


def _decided_here(plan: Plan, call: CallSite) -> bool:
    """Whether the call's model literal got the choice made for the calls sharing it, and
    not the plain mapping (as a constant that another file's calls asked to change does)."""
    literal = call.model.literal if call.model is not None else None
    return not any(
        module_constant_literal(plan.module, edit.name) is literal
        for edit in plan.options.constant_edits
    )


def _request_model(
    plan: Plan, call: CallSite, constant: Constant, target: ModelTarget | None
) -> None:
    """The model is a constant of another file: ask that file's worker to map it."""
    if target is None:
        kind = openai_model_kind(str(constant.value))
        if kind is not None and not passes_models_through(plan):
            plan.finding(
                "MIG202",
                f"no {plan.mapping.name} equivalent for {kind} model {constant.value!r} "
                f"({constant.name}, {constant.path}:{constant.line}): left as it is",
                node=call.node,
            )
        return
    if target.model != constant.value and not plan.suppressed("MIG200", call.node):
        plan.request(
            ConstantEdit(
                constant.path,
                constant.name,
                constant.value,
                target.model,
                f"the model of {_site(plan, call)}",
            )
        )


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


def _apply_requests(
    plan: Plan, done: set[cst.CSTNode], tested: set[cst.CSTNode], uses: ModelUses
) -> None:
    """Change the constants of this file that other files' calls asked for."""
    for edit in plan.options.constant_edits:
        node = module_constant_literal(plan.module, edit.name)
        if node is None or node.evaluated_value != edit.old:
            plan.finding(
                "MIG201",
                f"{edit.name} should become {edit.new!r} for {edit.reason}, but migrator "
                "could not find its assignment here: change it by hand",
                line=1,
            )
            continue
        if node in done:
            continue
        if isinstance(node, cst.SimpleString):
            tests = uses.tested_here(edit.name)
            if tests:  # this file tests the constant too: mapping it would flip the test
                tested.add(node)
                uses.report_kept(node, str(edit.old), edit.reason, tests)
            else:
                _rewrite_literal(plan, node, str(edit.old), done)
            continue
        done.add(node)
        if plan.replace(node, _integer_edit(edit.new), "MIG200"):
            plan.finding(
                "MIG203",
                f"{edit.name} {edit.old} → {edit.new}: {edit.reason}; every other use of "
                f"{edit.name} now sees the new vector size",
                node=node,
                severity="info",
            )


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
