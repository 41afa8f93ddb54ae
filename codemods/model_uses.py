"""Model ids that reach no request, and code that tests which model it runs with.

The model fixer maps only the literals a request's `model=` is traced to. Any other
OpenAI model id of a file is left as it is, because mapping it changes what the code
means: a set of supported ids collapses into duplicates, `if model == "o1"` takes the
other branch, `--model o1` stops being a valid choice, a tokenizer picks another
encoding. Those literals are sorted here and each root cause is reported once:

  MIG206 a branch tests for an OpenAI model id (one finding per statement); and a model
         value that is sent AND tested: mapping it would flip the test, so it is left
  MIG205 model ids as dict keys (one finding per dict)
  MIG207 a table of model ids: list, tuple, set, dict values (one finding per table)
  MIG208 any other id not shown to reach a request, and test fixtures (one per file)
Arguments of tokenizers (tiktoken, functions named for tokens) are left silently: they
count tokens and send nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import libcst as cst

from migrator.discovery import is_test_file
from migrator.inventory import CallSite, Carrier, LiteralSite, ModelRef
from migrator.mapping import openai_model_kind
from migrator.prefilter import is_openai_model
from migrator.rewrite import Plan
from migrator.sdk_catalogue import TOKENIZER_CALLS
from migrator.walk import find_all


def _is_test_call(node: cst.CSTNode) -> bool:
    """`name.startswith(...)` / `name.endswith(...)`: a test of which model a name holds."""
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in ("startswith", "endswith")
    )


_COLLECTIONS = (cst.List, cst.Tuple, cst.Set, cst.Dict)
_COMPREHENSIONS = (cst.GeneratorExp, cst.ListComp, cst.SetComp, cst.DictComp)
_SHOWN = 4  # model ids a finding names before "and N more"
_STATEMENTS = (cst.BaseSmallStatement, cst.BaseCompoundStatement, cst.SimpleStatementLine)


class ModelUses:
    """What one file does with model ids besides sending them (one per Plan)."""

    def __init__(self, plan: Plan, *, passthrough: bool) -> None:
        self.plan = plan
        self.passthrough = passthrough  # a gateway: ids are sent as they are
        self.reported: set[cst.CSTNode] = set()  # statements with a MIG206 finding
        self._tests: dict[tuple[str, bool, cst.CSTNode], list[cst.CSTNode]] = {}
        self._holders: set[str] | None = None

    # -- values that are sent and tested ---------------------------------------------------
    def tested(self, ref: ModelRef) -> list[tuple[Carrier, cst.CSTNode]]:
        """The statements that test a name the model value travels through."""
        found: list[tuple[Carrier, cst.CSTNode]] = []
        for carrier in _carriers(ref):
            found.extend((carrier, statement) for statement in self._tests_of(carrier))
        return found

    def tested_here(self, constant: str) -> list[tuple[Carrier, cst.CSTNode]]:
        """The statements of this module that test its constant `constant`."""
        carrier = Carrier(constant, False, self.plan.module)
        return [(carrier, statement) for statement in self._tests_of(carrier)]

    def keep_tested(self, call: CallSite) -> bool:
        """True (and reported) when a value this call's model comes from would change and
        a name carrying it is also tested: mapping it would change the branch. The value
        is a literal here or a constant another file defines."""
        ref = call.model
        if ref is None:
            return False
        changing = [
            one
            for one in (ref, *ref.alternatives)
            if (one.literal is not None or one.constant is not None)
            and self.mapped(one.value) not in (None, one.value)
        ]
        if not changing:
            return False
        tests = self.tested(ref)
        if not tests:
            return False
        where = f"sent by {call.api} at line {self.plan.line_of(call.node)}"
        for one in changing:
            self.report_kept(one.literal or call.node, str(one.value), where, tests)
        return True

    def report_kept(
        self,
        literal: cst.CSTNode,
        value: str,
        use: str,
        tests: list[tuple[Carrier, cst.CSTNode]],
    ) -> None:
        """The finding at a model value left because code tests it, and one per test.
        `use` says where the value goes: "sent by chat.completions.create at line 7"."""
        plan = self.plan
        lines = sorted({plan.line_of(statement) for _, statement in tests})
        at = ", ".join(str(n) for n in lines)
        plan.finding(
            "MIG206",
            f"model {value!r} ({use}) also drives a test at line{_s(lines)} {at}: "
            f"left as it is, since mapping it would change that branch; choose the "
            f"{plan.mapping.name} model and adapt the test by hand",
            node=literal,
        )
        for carrier, statement in tests:
            if statement in self.reported:
                continue
            self.reported.add(statement)
            plan.finding(
                "MIG206",
                f"this branch tests {carrier.name}, which carries model {value!r} ({use}); "
                f"decide what it means for {plan.mapping.name} models (left as it is)",
                node=statement,
            )

    def _tests_of(self, carrier: Carrier) -> list[cst.CSTNode]:
        key = (carrier.name, carrier.attribute, carrier.region)
        if key not in self._tests:
            self._tests[key] = list(dict.fromkeys(self._find_tests(carrier)))
        return self._tests[key]

    def _find_tests(self, carrier: Carrier) -> Iterator[cst.CSTNode]:
        if carrier.attribute:
            uses = [
                node
                for node in find_all(carrier.region, cst.Attribute)
                if isinstance(node, cst.Attribute) and node.attr.value == carrier.name
            ]
        else:
            uses = [
                node
                for node in find_all(carrier.region, cst.Name)
                if isinstance(node, cst.Name) and node.value == carrier.name
            ]
        for use in uses:
            parent = self.plan.parent_of(use)
            if isinstance(parent, cst.Attribute) and parent.attr is use and not carrier.attribute:
                continue  # `cfg.model` is not the name `model`
            statement = self._test_using(use)
            if statement is not None:
                yield statement

    def _test_using(self, use: cst.CSTNode) -> cst.CSTNode | None:
        """The statement in which `use` (a name carrying a model) is compared with model
        ids or strings, tested with startswith/endswith, matched, or looks up a table keyed
        by model ids."""
        plan = self.plan
        child, current = use, plan.parent_of(use)
        while current is not None and not isinstance(current, _STATEMENTS):
            if isinstance(current, cst.Comparison) and self._about_models(current):
                return plan.statement_of(current)
            if isinstance(current, cst.Call) and child is current.func and _is_test_call(current):
                return plan.statement_of(current)
            if isinstance(current, cst.Subscript) and child is not current.value:
                if self._holds_ids(current.value):  # `LIMITS[model]`
                    return plan.statement_of(current)
            if isinstance(current, cst.Arg):
                call = plan.parent_of(current)
                if not (
                    isinstance(call, cst.Call)
                    and isinstance(call.func, cst.Attribute)
                    and call.func.attr.value == "get"
                    and self._holds_ids(call.func.value)  # `LIMITS.get(model)`
                ):
                    return None  # handed to another function: what it does is its own
                return plan.statement_of(call)
            child, current = current, plan.parent_of(current)
        if isinstance(current, cst.Match) and child is current.subject:
            return current  # `match model:`
        return None

    def _about_models(self, comparison: cst.Comparison) -> bool:
        """A comparison with a string or with a name holding model ids (also through the
        comprehension it sits in: `any(x in name for x in ["o1", "o3"])`)."""
        scope: cst.CSTNode = comparison
        current = self.plan.parent_of(comparison)
        while current is not None and not isinstance(current, _STATEMENTS):
            if isinstance(current, _COMPREHENSIONS):
                scope = current
            current = self.plan.parent_of(current)
        strings = find_all(scope, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString))
        if any(not isinstance(s, cst.SimpleString) or s.evaluated_value for s in strings):
            return True  # (`model == ""` tests for no model, not for which one)
        return any(self._holds_ids(node) for node in find_all(scope, (cst.Name, cst.Attribute)))

    def _holds_ids(self, node: cst.CSTNode) -> bool:
        """A name (or `self.attr`) this file assigns a value containing model ids to."""
        if self._holders is None:
            self._holders = set(_id_holders(self.plan.module))
        if isinstance(node, cst.Name):
            return node.value in self._holders
        if isinstance(node, cst.Attribute):
            return node.attr.value in self._holders
        return False

    def mapped(self, value: str | None) -> str | None:
        """The id the fixer maps `value` to, if it maps it."""
        target = self.plan.mapping.resolve_model(value) if value else None
        return target.model if target is not None else None

    # -- literals that reach no request ----------------------------------------------------
    def _at_stake(self, value: str) -> bool:
        """Does code depending on this id need a look? Not where the provider takes the id
        as it is (Azure, a gateway), nor for ids the fixer never maps (images, audio)."""
        if self.passthrough:
            return False
        new = self.mapped(value)
        return openai_model_kind(value) is not None if new is None else new != value

    def report_left(self, sites: Iterable[LiteralSite]) -> None:
        """Report the model-id literals the fixer left (none reaches a request)."""
        plan = self.plan
        left = [s for s in sites if self._at_stake(s.value)]
        if not left:
            return
        if is_test_file(plan.path):
            self._report_rest(left, test_file=True)
            return
        branches: dict[cst.CSTNode, list[LiteralSite]] = {}
        keyed: dict[cst.CSTNode, list[LiteralSite]] = {}
        tables: dict[cst.CSTNode, list[LiteralSite]] = {}
        rest: list[LiteralSite] = []
        for site in left:
            if _counts_tokens(plan, site.node):
                continue
            statement = self._branch_of(site.node)
            if statement is not None:
                branches.setdefault(statement, []).append(site)
                continue
            table = _table_of(plan, site.node)
            if table is None:
                rest.append(site)
            elif _is_key(plan, site.node):
                keyed.setdefault(table, []).append(site)
            elif _ids_in(table) >= 2:
                tables.setdefault(table, []).append(site)
            else:
                rest.append(site)
        for statement, found in branches.items():
            if statement in self.reported:
                continue
            self.reported.add(statement)
            plan.finding(
                "MIG206",
                f"this branch tests for OpenAI model id{_s(found)} {_ids(found)}; decide what "
                f"it means for {plan.mapping.name} models (left as it is)",
                node=found[0].node,
            )
        for found in keyed.values():
            targets = _targets(plan, found)
            add = f"add entries for {targets}" if targets else "add entries for the new models"
            plan.finding(
                "MIG205",
                f"OpenAI model id{_s(found)} {_ids(found)} {'are' if len(found) > 1 else 'is a'} "
                f"dict key{_s(found)}: left as {'they are' if len(found) > 1 else 'it is'}; "
                f"{add} (renaming keys could merge entries)",
                node=found[0].node,
            )
        for table, found in tables.items():
            if isinstance(table, cst.Dict):  # `{"fast": "gpt-4o-mini", "smart": "gpt-4o"}`
                message = (
                    f"entries of this table reach no request migrator can see: {_ids(found)}; "
                    f"left as they are — where code sends one as a model, set a model "
                    f"{plan.mapping.name} serves"
                )
            else:
                message = (
                    f"a table of OpenAI model ids ({_ids(found)}) reaches no request here: "
                    "left as it is (mapped, its entries would merge or stop matching); add "
                    f"{plan.mapping.name} ids where the code should accept them"
                )
            plan.finding("MIG207", message, node=found[0].node)
        self._report_rest(rest, test_file=False)

    def _report_rest(self, sites: list[LiteralSite], *, test_file: bool) -> None:
        if not sites:
            return
        plan = self.plan
        lines: dict[str, list[int]] = {}
        for site in sites:
            at = lines.setdefault(site.value, [])
            if plan.line_of(site.node) not in at:
                at.append(plan.line_of(site.node))
        shown = list(lines.items())[:_SHOWN]
        listed = "; ".join(
            f"{value!r} (line{_s(at)} {', '.join(str(n) for n in at)})" for value, at in shown
        )
        if len(lines) > _SHOWN:
            listed += f" and {len(lines) - _SHOWN} more"
        if test_file:
            message = (
                f"test fixtures name OpenAI model ids: {listed}; left as they are — update "
                f"them where the tests should exercise {plan.mapping.name} models"
            )
        else:
            message = (
                f"OpenAI model ids that reach no request migrator can see were left as they "
                f"are: {listed}; where code sends one as a model, set a model {plan.mapping.name} "
                "serves"
            )
        plan.finding("MIG208", message, node=sites[0].node)

    def _branch_of(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """The statement in which literal `node` is part of a test: a comparison, a
        startswith/endswith argument, an if/while/assert test, a `case` pattern, or the
        table a comprehension tests against."""
        plan = self.plan
        child, current = node, plan.parent_of(node)
        while current is not None and not isinstance(current, _STATEMENTS):
            if isinstance(current, cst.Comparison):
                return plan.statement_of(current)
            if (
                isinstance(current, cst.Call)
                and child is not current.func
                and _is_test_call(current)
            ):
                return plan.statement_of(current)
            if isinstance(current, cst.IfExp) and child is current.test:
                return plan.statement_of(current)
            if isinstance(current, cst.MatchCase) and child is current.pattern:
                return plan.statement_of(current)
            if isinstance(current, _COMPREHENSIONS) and any(
                isinstance(node, cst.Comparison) or _is_test_call(node)
                for node in find_all(current, (cst.Comparison, cst.Call))
            ):
                return plan.statement_of(current)
            child, current = current, plan.parent_of(current)
        if isinstance(current, (cst.If, cst.While, cst.Assert)) and child is current.test:
            return current  # `if is_reasoning("o1"):`, `assert supports("gpt-4o")`
        return None


def _carriers(ref: ModelRef) -> Iterator[Carrier]:
    yield from ref.carriers
    for alternative in ref.alternatives:
        yield from alternative.carriers


def _counts_tokens(plan: Plan, node: cst.CSTNode) -> bool:
    """Part of an argument of a tokenizer or of a function named for tokens
    (`count_tokens(text, "gpt-4")`, `encoding_for_model("gpt-4o" if o1 else name)`), the
    default of such a function's parameter, or the value of a name for tokens
    (`default_tokenizer = "gpt-4o"`)."""
    child, current = node, plan.parent_of(node)
    while current is not None and not isinstance(current, _STATEMENTS):
        if isinstance(current, cst.Call) and child is not current.func:
            if _named_for_tokens(current.func):
                return True
        if isinstance(current, cst.Param):
            function = plan.parent_of(plan.parent_of(current) or current)
            return isinstance(function, cst.FunctionDef) and _named_for_tokens(function.name)
        child, current = current, plan.parent_of(current)
    if isinstance(current, cst.Assign) and child is current.value:
        return any(_named_for_tokens(target.target) for target in current.targets)
    if isinstance(current, cst.AnnAssign) and child is current.value:
        return _named_for_tokens(current.target)
    return False


def _named_for_tokens(expr: cst.BaseExpression) -> bool:
    name = expr.attr.value if isinstance(expr, cst.Attribute) else None
    name = expr.value if isinstance(expr, cst.Name) else name
    return name is not None and (name in TOKENIZER_CALLS or "token" in name.lower())


def _table_of(plan: Plan, node: cst.CSTNode) -> cst.CSTNode | None:
    """The outermost list, tuple, set or dict literal holding `node`, if any."""
    table: cst.CSTNode | None = None
    current = plan.parent_of(node)
    while isinstance(current, (cst.Element, cst.DictElement, *_COLLECTIONS)):
        if isinstance(current, _COLLECTIONS):
            table = current
        current = plan.parent_of(current)
    return table


def _is_key(plan: Plan, node: cst.CSTNode) -> bool:
    parent = plan.parent_of(node)
    return isinstance(parent, cst.DictElement) and parent.key is node


def _ids_in(node: cst.CSTNode) -> int:
    strings = find_all(node, cst.SimpleString)
    return sum(
        1
        for s in strings
        if isinstance(s, cst.SimpleString) and is_openai_model(str(s.evaluated_value))
    )


def _id_holders(module: cst.Module) -> Iterator[str]:
    """Names (and attribute names) assigned a value that contains an OpenAI model id."""
    for assign in find_all(module, (cst.Assign, cst.AnnAssign)):
        assert isinstance(assign, (cst.Assign, cst.AnnAssign))
        if assign.value is None or not _ids_in(assign.value):
            continue
        if isinstance(assign, cst.Assign):
            targets = [t.target for t in assign.targets]
        else:
            targets = [assign.target]
        for target in targets:
            if isinstance(target, cst.Name):
                yield target.value
            elif isinstance(target, cst.Attribute):
                yield target.attr.value


def _targets(plan: Plan, sites: list[LiteralSite]) -> str:
    names = []
    for site in sites:
        target = plan.mapping.resolve_model(site.value)
        if target is not None and target.model not in names:
            names.append(target.model)
    return ", ".join(repr(n) for n in names)


def _ids(sites: list[LiteralSite], shown: int = _SHOWN) -> str:
    values = list(dict.fromkeys(s.value for s in sites))
    text = ", ".join(repr(v) for v in values[:shown])
    return text + (f" and {len(values) - shown} more" if len(values) > shown else "")


def _s(items: list[object] | list[int] | list[LiteralSite]) -> str:
    return "s" if len(items) > 1 else ""
