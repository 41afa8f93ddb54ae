"""The inventory's visitor: one walk collects bindings and candidates, `finish()`
classifies them once every binding in the module is known.

It is the top of a stack of layers, each using only those below it:
scopes.py (names, bindings, assignments) -> value_trace.py (bound values) ->
model_trace.py (model and size references) -> client_trace.py (SDK names, clients) ->
call_sites.py (calls, module settings) -> this module (imports, other libraries'
OpenAI classes, env-variable and model literals, exception and type references).
Positions are resolved only when there is something to report (positions.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import libcst as cst

from migrator.call_sites import CallSites
from migrator.class_defaults import ProjectClass
from migrator.constants import Constant
from migrator.model import Usage
from migrator.prefilter import is_openai_model
from migrator.scopes import dotted_path
from migrator.sdk_catalogue import (
    EXCEPTION_NAME,
    OPENAI_ENV_VAR,
    TOKENIZER_CALLS,
    V0_MODULES,
    V0_RESOURCES,
)
from migrator.sites import LiteralSite, WrapperSite
from migrator.value_trace import keywords, param_names, string_value
from migrator.wrapper_classes import FRAMEWORK_MODEL, WRAPPER_CLASSES


class SiteCollector(CallSites):
    """Collects the candidates while walking; `finish()` turns them into sites."""

    def __init__(
        self,
        path: str,
        wrapper: cst.MetadataWrapper,
        constants: Mapping[str, Constant] | None = None,
        classes: Mapping[str, ProjectClass] | None = None,
    ) -> None:
        super().__init__(path, wrapper, constants, classes)
        self.pending_calls: list[cst.Call] = []
        self.pending_assigns: list[cst.Assign] = []
        self.pending_strings: list[cst.SimpleString] = []
        self.pending_refs: list[cst.Name | cst.Attribute] = []
        self.docstrings: set[cst.SimpleString] = set()
        # Fixers order and place what they find by its statement's line (Plan.statement_of
        # and line_of): statements' starts are computed with the rest, not by a second,
        # whole-module position pass.
        self.statements: list[cst.CSTNode] = []

    # -- collect candidates (resolved in finish, once all bindings are known) ------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        super().visit_ClassDef(node)
        self.statements.append(node)
        self._note_docstring(node.body)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        super().visit_FunctionDef(node)
        self.statements.append(node)
        self._note_docstring(node.body)

    def visit_SimpleStatementLine(self, node: cst.CSTNode) -> None:
        self.statements.append(node)

    visit_If = visit_While = visit_Try = visit_TryStar = visit_Match = visit_SimpleStatementLine

    def visit_For(self, node: cst.For) -> None:
        super().visit_For(node)
        self.statements.append(node)

    def visit_With(self, node: cst.With) -> None:
        super().visit_With(node)
        self.statements.append(node)

    def visit_Module(self, node: cst.Module) -> None:
        if node.body and isinstance(node.body[0], cst.SimpleStatementLine):
            first = node.body[0].body[0]
            if isinstance(first, cst.Expr) and isinstance(first.value, cst.SimpleString):
                self.docstrings.add(first.value)

    def _note_docstring(self, body: cst.BaseSuite) -> None:
        if isinstance(body, cst.IndentedBlock) and body.body:
            first = body.body[0]
            if isinstance(first, cst.SimpleStatementLine) and isinstance(first.body[0], cst.Expr):
                value = first.body[0].value
                if isinstance(value, cst.SimpleString):
                    self.docstrings.add(value)

    def visit_Assign(self, node: cst.Assign) -> None:
        super().visit_Assign(node)
        if any(isinstance(t.target, cst.Attribute) for t in node.targets):
            self.pending_assigns.append(node)

    def visit_Call(self, node: cst.Call) -> None:
        self.pending_calls.append(node)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.pending_strings.append(node)

    def visit_Name(self, node: cst.Name) -> None:
        if self._reference(node) and not self.import_depth:
            self.pending_refs.append(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        super().visit_Attribute(node)
        if not self.import_depth:
            self.pending_refs.append(node)

    # -- pass 2: once every binding in the module is known --------------------------------
    def finish(self) -> None:
        if self.foreign_names:
            self._wrapper_references()
        # Only names rooted in an openai import can be exceptions or types of the SDK.
        self.pending_refs = [n for n in self.pending_refs if self._may_bind(n, self.openai_names)]
        self.reportable = {
            *self.pending_calls,
            *self.pending_strings,
            *self.pending_assigns,
            *self.pending_refs,
            *self.inv.import_nodes,
            *self.statements,
        }
        for node, name in self.pending_imports:
            self._add_import(node, name)
        if self.imports_openai:
            for assign in self.pending_assigns:
                self._maybe_config(assign)
            for call in self.pending_calls:
                self._classify_call(call)
        else:  # calls through a client imported from elsewhere in the project
            for call in self.pending_calls:
                if self._shaped_call(call):
                    self._classify_call(call)
        if self.foreign_names:
            for call in self.pending_calls:
                self._wrapper_constructor(call)
        for node in self.pending_strings:
            self._classify_string(node)
        if self.imports_openai:
            self._classify_refs()
        if self.has_v0_call:  # settings shared by both APIs belong to the v0 code here
            for site in self.inv.configs:
                site.usage = replace(site.usage, style="v0")

    def _add_import(self, node: cst.Import | cst.ImportFrom, name: str) -> None:
        line, col = self._pos(node)
        kind = "type" if name.startswith("openai.types.") else "import"
        parts = name.split(".")
        v0 = any(name == mod or name.startswith(mod + ".") for mod in V0_MODULES) or (
            len(parts) == 2 and parts[1] in V0_RESOURCES
        )
        self.inv.imports.append(
            Usage(self.path, line, col, kind, api=name, style="v0" if v0 else "v1")
        )

    def _wrapper_references(self) -> None:
        """A wrapper class handed on instead of called here (`return ChatOpenAI`): whoever
        builds it sends to OpenAI too."""
        for node in self.pending_refs:
            parent = self.parent.get(node)
            if isinstance(parent, cst.Call) and parent.func is node:
                continue  # a constructor: recorded with its arguments
            if isinstance(parent, cst.Attribute) and parent.value is node:
                continue  # only the outermost name of `langchain_openai.ChatOpenAI`
            if self._type_use(node) or not self._foreign(node):
                continue
            qualified = next(
                (q.name for q in self._qnames(node) if q.name in WRAPPER_CLASSES), None
            )
            if qualified is None:
                continue
            line, col = self._pos(node)
            usage = Usage(self.path, line, col, "client", api=qualified)
            self.inv.wrappers.append(
                WrapperSite(node, qualified, WRAPPER_CLASSES[qualified], usage)  # type: ignore[arg-type]
            )

    def _type_use(self, node: cst.CSTNode) -> bool:
        """In an annotation or an isinstance/issubclass test: not a client being made."""
        current = self.parent.get(node)
        for _ in range(4):
            if current is None:
                return False
            if isinstance(current, cst.Annotation):
                return True
            if isinstance(current, cst.Call) and isinstance(current.func, cst.Name):
                return current.func.value in ("isinstance", "issubclass")
            current = self.parent.get(current)
        return False

    def _wrapper_constructor(self, call: cst.Call) -> None:
        """`ChatOpenAI(...)` of langchain_openai and friends (see wrapper_classes.py)."""
        if not self._foreign(call.func):
            return
        for qualified in sorted(q.name for q in self._qnames(call.func)):
            kind = WRAPPER_CLASSES.get(qualified)
            if kind is None:
                continue
            kwargs = keywords(call)
            base = next((kwargs[k] for k in kind.base_url_keywords if k in kwargs), None)
            line, col = self._pos(call)
            usage = Usage(
                self.path,
                line,
                col,
                "client",
                api=qualified,
                params=param_names(call),
                base_url=self._describe_base_url(base),
            )
            self.inv.wrappers.append(WrapperSite(call, qualified, kind, usage, base))
            return

    # -- strings and references ------------------------------------------------------------
    def _classify_string(self, node: cst.SimpleString) -> None:
        value = string_value(node)
        if value is None or node in self.docstrings:
            return
        if OPENAI_ENV_VAR.fullmatch(value):
            line, col = self._pos(node)
            usage = Usage(self.path, line, col, "env", api=value)
            self.inv.env_reads.append(LiteralSite(node, value, usage))
            return
        framework = FRAMEWORK_MODEL.fullmatch(value)
        if framework is not None and is_openai_model(framework.group(2)):
            line, col = self._pos(node)
            usage = Usage(self.path, line, col, "model", model=value)
            self.inv.framework_models.append(LiteralSite(node, value, usage))
            return
        if not is_openai_model(value) or node in self.call_model_literals:
            return
        if self._argument_of_foreign_call(node):
            return
        line, col = self._pos(node)
        usage = Usage(self.path, line, col, "model", model=value)
        self.inv.model_literals.append(LiteralSite(node, value, usage))

    def _argument_of_foreign_call(self, node: cst.SimpleString) -> bool:
        """A model id passed to some other library (`tiktoken.encoding_for_model("gpt-4o")`,
        `ChatOpenAI(model="gpt-4o")`) is that library's business: leave it alone."""
        parent = self.parent.get(node)
        if not isinstance(parent, cst.Arg):
            return False
        call = self.parent.get(parent)
        if not isinstance(call, cst.Call):
            return False
        if isinstance(call.func, cst.Attribute) and call.func.attr.value in TOKENIZER_CALLS:
            return True
        if isinstance(call.func, cst.Name) and call.func.value in TOKENIZER_CALLS:
            return True
        return self._foreign(call.func)

    def _classify_refs(self) -> None:
        seen: set[tuple[int, int]] = set()
        for node in self.pending_refs:
            if isinstance(node, cst.Attribute) and dotted_path(node) is None:
                continue  # `OpenAI().chat`: not a reference to a name of the package
            names = self._sdk_names(node)
            if not names:
                continue
            name = names[0]
            parent = self.parent.get(node)
            # Only the outermost attribute of a dotted reference counts (`openai.error.X`).
            if isinstance(parent, cst.Attribute) and parent.value is node:
                continue
            short = name.rsplit(".", 1)[-1]
            if name.startswith("openai.types.") or name == "openai.types":
                kind = "type"
            elif name.startswith("openai.error.") or (
                name.count(".") == 1 and EXCEPTION_NAME.fullmatch(short)
            ):
                kind = "exception"
            else:
                continue
            line, col = self._pos(node)
            if (line, col) in seen:
                continue
            seen.add((line, col))
            style = "v0" if name.startswith("openai.error.") else "v1"
            self.inv.references.append(
                Usage(self.path, line, col, kind, api=name, style=style)  # type: ignore[arg-type]
            )
