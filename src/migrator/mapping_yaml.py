"""YAML nodes to checked values, every failure a `MappingError` naming ``FILE:LINE``.

The file is composed into nodes (not loaded into Python objects) so that each value keeps
its line: `Doc` checks one node at a time against what the schema (mapping_schema.py,
mapping_tables.py, mapping_native.py) expects there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from migrator.mapping_types import ENV_RE, URL_RE, MappingError

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
TIMESTAMP = "tag:yaml.org,2002:timestamp"

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Doc:
    """Validation helpers bound to one file; every failure raises MappingError."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, node: Node, message: str) -> NoReturn:
        raise MappingError(self.path, node.start_mark.line + 1, message)

    @staticmethod
    def _describe(node: Node) -> str:
        if isinstance(node, MappingNode):
            return "a mapping"
        if isinstance(node, SequenceNode):
            return "a list"
        return {
            STR: "a string",
            INT: "an integer",
            FLOAT: "a number",
            BOOL: "a boolean",
            NULL: "null",
            TIMESTAMP: "a date",
        }.get(node.tag, f"a value tagged {node.tag}")

    def mapping(
        self,
        node: Node,
        where: str,
        required: Iterable[str] = (),
        optional: Iterable[str] = (),
        *,
        any_keys: bool = False,
        at: Node | None = None,
    ) -> dict[str, tuple[Node, Node]]:
        """Check a mapping node's keys; return ``{key: (key_node, value_node)}``.

        A missing key is reported at ``at`` (the mapping's own key in its parent), else at
        the mapping's first line.
        """
        if not isinstance(node, MappingNode):
            self.fail(node, f"{where}: expected a mapping, got {self._describe(node)}")
        required = tuple(required)
        allowed = set(required) | set(optional)
        out: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag != STR:
                self.fail(key_node, f"{where}: keys must be strings")
            key = key_node.value
            if key in out:
                self.fail(key_node, f"{where}: duplicate key {key!r}")
            if not any_keys and key not in allowed:
                expected = ", ".join(sorted(allowed)) or "none"
                self.fail(key_node, f"{where}: unknown key {key!r} (expected one of: {expected})")
            out[key] = (key_node, value_node)
        for key in required:
            if key not in out:
                self.fail(at or node, f"{where}: missing required key {key!r}")
        return out

    def is_null(self, node: Node) -> bool:
        return isinstance(node, ScalarNode) and node.tag == NULL

    def string(self, node: Node, where: str) -> str:
        if not isinstance(node, ScalarNode) or node.tag != STR:
            self.fail(node, f"{where}: expected a string, got {self._describe(node)}")
        if not node.value.strip():
            self.fail(node, f"{where}: must not be empty")
        return str(node.value)

    def string_list(self, node: Node, where: str) -> list[str]:
        if not isinstance(node, SequenceNode):
            self.fail(node, f"{where}: expected a list, got {self._describe(node)}")
        return [self.string(item, f"{where}[{i}]") for i, item in enumerate(node.value)]

    def number(self, node: Node, where: str) -> float:
        """A finite number; an integer in the file stays an int (so ``n`` clamps to 4)."""
        if not isinstance(node, ScalarNode) or node.tag not in (INT, FLOAT):
            self.fail(node, f"{where}: expected a number, got {self._describe(node)}")
        value = _construct(node)
        if value != value or value in (float("inf"), float("-inf")):
            self.fail(node, f"{where}: expected a finite number")
        return int(value) if node.tag == INT else float(value)

    def integer(self, node: Node, where: str, minimum: int = 1) -> int:
        if not isinstance(node, ScalarNode) or node.tag != INT:
            self.fail(node, f"{where}: expected an integer, got {self._describe(node)}")
        value = int(_construct(node))
        if value < minimum:
            self.fail(node, f"{where}: must be at least {minimum}")
        return value

    def env(self, node: Node, where: str) -> str:
        value = self.string(node, where)
        if not ENV_RE.match(value):
            self.fail(node, f"{where}: {value!r} is not an environment variable name")
        return value

    def boolean(self, node: Node, where: str) -> bool:
        if not isinstance(node, ScalarNode) or node.tag != BOOL:
            self.fail(node, f"{where}: expected true or false, got {self._describe(node)}")
        return bool(_construct(node))

    def url(self, node: Node, where: str) -> str:
        value = self.string(node, where)
        if not URL_RE.match(value):
            self.fail(node, f"{where}: {value!r} is not an http(s) URL")
        return value

    def choice(self, node: Node, where: str, choices: Iterable[str]) -> str:
        value = self.string(node, where)
        options = tuple(choices)
        if value not in options:
            self.fail(node, f"{where}: {value!r} is not one of: {', '.join(options)}")
        return value

    def plain(self, node: Node, where: str) -> Any:
        """JSON-like data (for extra_body): mappings with string keys, lists, scalars."""
        if isinstance(node, MappingNode):
            items = self.mapping(node, where, any_keys=True)
            return {key: self.plain(value, f"{where}.{key}") for key, (_, value) in items.items()}
        if isinstance(node, SequenceNode):
            return [self.plain(item, f"{where}[{i}]") for i, item in enumerate(node.value)]
        if node.tag not in (STR, INT, FLOAT, BOOL, NULL):
            self.fail(node, f"{where}: expected JSON-like data, got {self._describe(node)}")
        return _construct(node)


def _construct(node: Node) -> Any:
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def compose(text: str, path: str) -> Node:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or exc.context or "syntax error"
        raise MappingError(path, line, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise MappingError(path, 1, f"invalid YAML: {exc}") from None
    if node is None:
        raise MappingError(path, 1, "empty mapping file")
    return node
