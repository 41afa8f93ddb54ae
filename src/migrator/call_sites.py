"""Calls into the SDK and `openai.<setting> = ...`: the sites the codemods rewrite most.

The layer of the inventory's visitor that classifies a call: a client constructor, the
v1 module-level client (`openai.chat.completions.create`), the v0 module API
(`openai.ChatCompletion.create`), or a call through a client (proven, or counted by the
shape of its path when the root cannot be proven to be a client).
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst

from migrator.class_defaults import ProjectClass
from migrator.client_trace import ClientTracer
from migrator.constants import Constant
from migrator.endpoint_trace import trace_endpoint
from migrator.model import Usage
from migrator.scopes import dotted_path
from migrator.sdk_catalogue import (
    FOREIGN_ROOTS,
    MODULE_SETTINGS,
    SDK_METHODS,
    SHAPED_METHODS,
    SHAPED_PATHS,
    TRANSPARENT_ATTRS,
    V0_METHOD_NAMES,
    V0_METHODS,
    V0_ONLY_SETTINGS,
    V0_POSITIONAL_MODEL,
    V0_RESOURCES,
    V0_SPECIAL_METHODS,
    V1_RESOURCES,
    WEAK_RESOURCES,
    api_family,
)
from migrator.sites import CallSite, ClientSite, ConfigSite, ModelRef
from migrator.value_trace import MAX_DEPTH, BoundValues, keywords, param_names


class CallSites(ClientTracer):
    """Call sites (v1 and v0) and module settings."""

    def __init__(
        self,
        path: str,
        wrapper: cst.MetadataWrapper,
        constants: Mapping[str, Constant] | None = None,
        classes: Mapping[str, ProjectClass] | None = None,
    ) -> None:
        super().__init__(path, wrapper, constants, classes)
        # model literals inside a call's own arguments: reported with the call, not alone
        self.call_model_literals: set[cst.SimpleString] = set()
        self.has_v0_call = False

    def _shaped_call(self, call: cst.Call) -> bool:
        """Cheap test: could `call` be `<x>.chat.completions.create(...)` and the like?"""
        func = call.func
        return isinstance(func, cst.Attribute) and func.attr.value in SHAPED_METHODS

    def _classify_call(self, call: cst.Call) -> None:
        if self._client_constructor(call) is not None:
            return
        # `openai.chat.completions.create(...)` / `openai.ChatCompletion.create(...)`: a
        # plain dotted name (not `openai.chat.completions.create(...).model_dump()`)
        module_names = self._sdk_names(call.func) if dotted_path(call.func) is not None else []
        for name in module_names:
            parts = [p for p in name.split(".") if p not in TRANSPARENT_ATTRS]
            if len(parts) >= 3 and parts[1] in V0_RESOURCES and parts[2] in V0_METHOD_NAMES:
                self._record_v0_call(call, parts[1], parts[2])
                return
            if len(parts) >= 3 and parts[1] in V1_RESOURCES:
                # the v1 module-level client is a synchronous OpenAI client
                self._record_v1_call(call, ".".join(parts[1:]), None, False, module_client=True)
                return
        if not isinstance(call.func, cst.Attribute):
            return
        chain = self._client_chain(call.func)
        if chain is None:
            return
        segments = chain.segments
        if chain.weak and self.imports_openai:
            if segments[-1] not in SDK_METHODS:
                return
            # `app.state.llm.chat.completions.create`: the path starts at the first resource
            start = next((i for i, s in enumerate(segments) if s in WEAK_RESOURCES), None)
            if start is None or len(segments) - start < 2:
                return
            segments = segments[start:]
        elif chain.weak:
            # No openai import here: only a client imported from another module of the
            # project (`from app.llm import client`), called on an unmistakable path,
            # and only where no SDK of the same shape (zhipuai, ark, ...) is imported.
            start = next(
                (i for i in range(len(segments)) if ".".join(segments[i:]) in SHAPED_PATHS),
                None,
            )
            if start is None or self.lookalike_import or not self._imported_root(chain.root):
                return
            segments = segments[start:]
        elif not segments or segments[0] not in V1_RESOURCES or len(segments) < 2:
            return
        is_async = chain.is_async if chain.is_async is not None else self._awaited(call)
        self._record_v1_call(call, ".".join(segments), chain.client, is_async, weak=chain.weak)
        if chain.weak:
            self.inv.calls[-1].made_by = self._configured_factory(chain.root)

    def _imported_root(self, node: cst.BaseExpression, depth: int = 0) -> bool:
        """Does `node` come from a name imported from another module of the project
        (relative, or any package but openai and the other SDKs)?"""
        if depth > MAX_DEPTH:
            return False
        if isinstance(node, cst.Name):
            for target in self._bindings(node):
                module = self.import_binding.get(target)
                if module is not None:
                    root = module.split(".")[0]
                    if module.startswith(".") or (root != "openai" and root not in FOREIGN_ROOTS):
                        return True
                elif target in self.assigned:
                    if self._imported_root(self.assigned[target], depth + 1):
                        return True
            return False
        if isinstance(node, cst.Call):
            return self._imported_root(node.func, depth + 1)
        if isinstance(node, cst.Await):
            return self._imported_root(node.expression, depth + 1)
        if isinstance(node, cst.Attribute):
            values = self._attribute_values(node)
            if values:
                return any(self._imported_root(v, depth + 1) for v in values)
            return self._imported_root(node.value, depth + 1)
        return False

    # -- calls -------------------------------------------------------------------------------
    def _record_v1_call(
        self,
        call: cst.Call,
        api: str,
        client: ClientSite | None,
        is_async: bool,
        module_client: bool = False,
        weak: bool = False,
    ) -> None:
        kwargs = keywords(call)
        method = api.rsplit(".", 1)[-1]
        stream = method.endswith("stream") or self._is_true(kwargs.get("stream"))
        model = self._model_ref(kwargs.get("model"))
        self._add_call(call, api, "v1", is_async, stream, model, client, module_client)
        self.inv.calls[-1].weak = weak
        if "dimensions" in kwargs and api_family(api) == "embeddings":
            self.inv.calls[-1].dimensions = self._size_ref(kwargs["dimensions"])

    def _record_v0_call(self, call: cst.Call, resource: str, method: str) -> None:
        self.has_v0_call = True
        is_async = method.startswith("a") and method[1:] in V0_METHODS
        base_method = method[1:] if is_async else method
        suffix = V0_SPECIAL_METHODS.get((resource, base_method), base_method)
        api = f"{V0_RESOURCES[resource]}.{suffix}"
        kwargs = keywords(call)
        model_expr = kwargs.get("model") or kwargs.get("engine") or kwargs.get("deployment_id")
        if model_expr is None and base_method in V0_POSITIONAL_MODEL:
            positional = [a for a in call.args if a.keyword is None and not a.star]
            model_expr = positional[0].value if positional else None
        model = self._model_ref(model_expr)
        stream = self._is_true(kwargs.get("stream"))
        self._add_call(call, api, "v0", is_async, stream, model, None)

    def _add_call(
        self,
        call: cst.Call,
        api: str,
        style: str,
        is_async: bool,
        stream: bool,
        model: ModelRef | None,
        client: ClientSite | None,
        module_client: bool = False,
    ) -> None:
        line, col = self._pos(call)
        usage = Usage(
            self.path,
            line,
            col,
            "call",
            api=api,
            style=style,  # type: ignore[arg-type]
            is_async=is_async,
            stream=stream,
            model=model.value if model else None,
            params=param_names(call),
        )
        if model is not None and model.literal is not None and model.inline:
            self.call_model_literals.add(model.literal)
        for alternative in model.alternatives if model is not None else ():
            if alternative.literal is not None and self._inside(alternative.literal, call):
                self.call_model_literals.add(alternative.literal)  # `model="a" if c else "b"`
        self.inv.calls.append(
            CallSite(
                call, api, api_family(api), style, is_async, stream, usage, model, client,
                module_client,
            )
        )  # fmt: skip

    def _inside(self, node: cst.CSTNode, ancestor: cst.CSTNode) -> bool:
        current: cst.CSTNode | None = node
        while current is not None and current is not ancestor:
            current = self.parent.get(current)
        return current is ancestor

    def _awaited(self, call: cst.Call) -> bool:
        """`await <call>` or `async with <call> as ...`."""
        parent = self.parent.get(call)
        if isinstance(parent, cst.Await):
            return True
        if isinstance(parent, cst.WithItem):
            statement = self.parent.get(parent)
            return isinstance(statement, cst.With) and statement.asynchronous is not None
        return False

    def _maybe_config(self, node: cst.Assign) -> None:
        for target in node.targets:
            t = target.target
            if not isinstance(t, cst.Attribute):
                continue
            names = self._sdk_names(t)
            setting = t.attr.value
            if f"openai.{setting}" in names and setting in MODULE_SETTINGS:
                line, col = self._pos(node)
                base_url = None
                if setting in ("api_base", "base_url", "azure_endpoint"):
                    base_url = self._describe_base_url(node.value)
                usage = Usage(
                    self.path,
                    line,
                    col,
                    "config",
                    api=setting,
                    style="v0" if setting in V0_ONLY_SETTINGS else "v1",
                    base_url=base_url,
                )
                endpoint = trace_endpoint(node.value, BoundValues(self)) if base_url else ()
                self.inv.configs.append(ConfigSite(node, setting, node.value, usage, endpoint))
