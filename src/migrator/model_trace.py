"""Following a call's `model=` (and an embeddings call's `dimensions=`) to its literal.

The layer of the inventory's visitor that turns a model expression into a `ModelRef`:
a literal inline or far away, a constant of this module or of another file of the run,
an env default, a dict entry, a class attribute, a parameter default, or each of several
values (`"a" if c else "b"`, `m or "gpt-4o"`, a name assigned in two branches, `M[key]`).
The names a model travels through are kept (`carriers`), so code that also tests them can
be found.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from migrator.sites import Carrier, ModelRef, SizeRef
from migrator.source import code_of
from migrator.value_trace import MAX_DEPTH, ValueTracer, string_value, subscript_index


class ModelTracer(ValueTracer):
    """Model and size references, traced through the values ValueTracer knows."""

    def _model_ref(self, expr: cst.BaseExpression | None, depth: int = 0) -> ModelRef | None:
        if expr is None:
            return None
        inline = depth == 0
        if isinstance(expr, cst.SimpleString):
            return ModelRef(expr, string_value(expr), "literal" if inline else "traced", inline)
        source = code_of(expr)
        if depth > MAX_DEPTH:
            return ModelRef(None, None, f"dynamic: {source}")
        if isinstance(expr, cst.Name):
            values = self._name_values(expr)
            if len(values) == 1:
                value, is_param = values[0]
                found = self._model_ref(value, depth + 1)
                if found is not None and found.value is not None:
                    origin = f"default of {expr.value}" if is_param else f"constant {expr.value}"
                    return self._carried(found, expr, origin)
                if found is not None and found.alternatives:
                    return self._carried(found, expr, found.origin)
                if found is not None and found.origin.startswith("env "):
                    return ModelRef(None, None, found.origin)  # `M = os.getenv("X")`
            elif values:  # assigned in several places (`if long: m = "a"` / `else: m = "b"`)
                either = self._either(expr, [value for value, _ in values], depth)
                if either is not None:
                    return self._carried(either, expr, either.origin)
            imported = self._imported_model(expr)
            if imported is not None:
                return replace(imported, carriers=(self._carrier(expr),))
            return ModelRef(None, None, f"dynamic: {source}")
        if isinstance(expr, cst.IfExp):  # `"a" if c else "b"`: both branches are the model
            either = self._either(expr, [expr.body, expr.orelse], depth)
            if either is not None:
                return either
        if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
            either = self._either(expr, [expr.left, expr.right], depth)  # `m or "gpt-4o"`
            if either is not None:
                return either
        if isinstance(expr, cst.Call):
            env = self._env_lookup(expr)
            if env is not None:
                var, default = env
                literal = expr.args[1].value if len(expr.args) > 1 else None
                if default is not None and isinstance(literal, cst.SimpleString):
                    return ModelRef(literal, default, f"env {var} (default)", inline)
                return ModelRef(None, None, f"env {var}")
            value = self._dict_get(expr)
            if value is not None:
                found = self._model_ref(value, depth + 1)
                if found is not None and found.value is not None:
                    return replace(found, origin=f"dict entry {source}", inline=False)
        if isinstance(expr, cst.Subscript):
            env = self._environ_subscript(expr)
            if env is not None:
                return ModelRef(None, None, f"env {env}")
            value = self._dict_entry_value(expr)
            if value is not None:
                found = self._model_ref(value, depth + 1)
                if found is not None and found.value is not None:
                    return replace(found, origin=f"dict entry {source}", inline=False)
            table = self._dict_literal(expr.value)
            key = subscript_index(expr)
            if table is not None and key is not None and string_value(key) is None:
                # `MODELS[tier]`: any entry of the table may be the model
                entries = [e.value for e in table.elements if isinstance(e, cst.DictElement)]
                either = self._either(expr, entries, depth)
                if either is not None:
                    return either
        if isinstance(expr, cst.Attribute):
            imported = self._imported_model(expr)  # `config.CHAT_MODEL` (`from app import config`)
            if imported is not None and imported.constant is not None:
                return imported
            values_ = self._attribute_values(expr)
            if values_ is not None and len(values_) == 1:
                found = self._model_ref(values_[0], depth + 1)
                if found is not None and found.value is not None:
                    return self._carried(found, expr, f"attribute {source}")
                if found is not None and found.alternatives:
                    return self._carried(found, expr, found.origin)
            elif values_:
                either = self._either(expr, values_, depth)
                if either is not None:
                    return self._carried(either, expr, either.origin)
        return ModelRef(None, None, f"dynamic: {source}")

    def _either(
        self, expr: cst.BaseExpression, options: list[cst.BaseExpression], depth: int
    ) -> ModelRef | None:
        """The model is one of `options`: a ref holding each option traced to its literal
        (or constant), or None when none of them could be traced."""
        traced: list[ModelRef] = []
        partial = False
        for option in options:
            found = self._model_ref(option, depth + 1)
            if found is not None and found.alternatives:
                shared = found.carriers
                for alternative in found.alternatives:
                    traced.append(replace(alternative, carriers=(*shared, *alternative.carriers)))
                partial = partial or found.partial
            elif found is not None and found.value is not None:
                traced.append(found)
            else:
                partial = True
        if not traced:
            return None
        origin = f"{'dynamic' if partial else 'one of'}: {code_of(expr)}"
        return ModelRef(None, None, origin, alternatives=tuple(traced), partial=partial)

    def _carried(self, found: ModelRef, expr: cst.Name | cst.Attribute, origin: str) -> ModelRef:
        """`found`, reached through the name `expr`."""
        carriers = (self._carrier(expr), *found.carriers)
        return replace(found, origin=origin, inline=False, carriers=carriers)

    def _carrier(self, expr: cst.Name | cst.Attribute) -> Carrier:
        module = self.wrapper.module
        if isinstance(expr, cst.Attribute):
            return Carrier(expr.attr.value, True, module)
        bindings = self._bindings(expr)
        region: cst.CSTNode | None = bindings[0] if bindings else None
        while region is not None and not isinstance(region, (cst.FunctionDef, cst.Lambda)):
            region = self.parent.get(region)
        return Carrier(expr.value, False, region if region is not None else module)

    def _imported_model(self, expr: cst.Name | cst.Attribute) -> ModelRef | None:
        """A model named through an import: its value when the run knows the constant."""
        imported = self._imported(expr, str)
        if imported is None:
            return None
        name, constant = imported
        value = str(constant.value) if constant is not None else None
        return ModelRef(None, value, f"imported: {name}", constant=constant)

    def _size_ref(self, expr: cst.BaseExpression, depth: int = 0) -> SizeRef:
        """Follow `dimensions=` to an integer literal: inline, a constant of this module,
        or a constant another file of the run defines."""
        if isinstance(expr, cst.Integer):
            value = expr.evaluated_value
            return SizeRef(expr, value, "literal" if depth == 0 else "constant")
        source = code_of(expr)
        if isinstance(expr, cst.Name) and depth <= MAX_DEPTH:
            values = self._name_values(expr)
            if len(values) == 1 and not values[0][1]:
                found = self._size_ref(values[0][0], depth + 1)
                if found.value is not None:
                    return SizeRef(found.literal, found.value, f"constant {expr.value}")
        if isinstance(expr, (cst.Name, cst.Attribute)):
            imported = self._imported(expr, int)
            if imported is not None:
                name, constant = imported
                value = int(constant.value) if constant is not None else None
                return SizeRef(None, value, f"imported: {name}", constant)
        return SizeRef(None, None, f"dynamic: {source}")
