"""Semantic gates: checks that a migrated file did no harm, comparing it with its original.

Each gate is a small function over the original and the migrated source (or, for the
execution gates, over the requests a program sent) and returns the problems it sees, one
readable line each; an empty list means the gate passes. The gates know nothing of how
the rewrite works, only what a correct output must keep:

* `compile_problems`: the output compiles.
* `new_undefined_names`: pyflakes reports no undefined name the original did not have
  (module-level code naming `openai` where it is imported only in a function, `os` where
  only `import os as _os` exists).
* `keyword_problems`: no call passes a keyword twice, and no keyword is added next to a
  `**mapping` splat unless the mapping is a dict literal in the call (a splatted dict that
  already holds `api_key` or `model` is a TypeError at run time).
* `comparison_changes`: every string in model-dependent control flow is unchanged: the
  operands of `==`, `!=`, `in`, `not in` (and the items of a collection they test, also one
  named by a variable), `.startswith()`/`.endswith()` arguments, `case` patterns.
* `duplicate_growth`: no tuple, list, set or dict literal gains repeated items (a table of
  OpenAI models collapsing onto one provider model).
* `key_host_mismatches`: no provider's key variable is read next to an OpenAI URL, nor
  OPENAI_API_KEY next to a provider's URL, where the original did not (see `_KeysAndHosts`
  for what "next to" means).
  A provider's variable next to ANOTHER provider's URL counts too (two providers in one
  file, `--route`: DASHSCOPE_API_KEY must not sit next to api.deepseek.com).
* `request_key_leaks` / `foreign_hosts_lost`: what the programs really sent, from the
  execution harness: no provider key to an OpenAI host, no OpenAI key to a provider host,
  and every other host the original reached still reached with the same credentials.
* `cross_provider_leaks`: with two providers in one program, each host got its own key.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from urllib.parse import urlsplit

from pyflakes import checker as pyflakes_checker
from pyflakes import messages as pyflakes_messages

from migrator.mapping import load_registry
from tests.execution.harness import RecordedRequest

OPENAI_HOST = "api.openai.com"
AZURE_HOST_SUFFIX = ".openai.azure.com"
OPENAI_KEY_ENV = "OPENAI_API_KEY"
COMPARISON_OPS = (ast.Eq, ast.NotEq, ast.In, ast.NotIn)
MEMBERSHIP_OPS = (ast.In, ast.NotIn)
PREFIX_METHODS = ("startswith", "endswith")
# tiktoken's lookup by OpenAI model name (KeyError for any other provider's id)
TOKENIZER_LOOKUPS = ("encoding_for_model",)
# Classes of other libraries that send to api.openai.com unless given a base URL.
IMPLICIT_OPENAI_CLIENTS = ("ChatOpenAI", "OpenAIEmbeddings", "OpenAIEmbedding")
BASE_URL_KEYWORDS = ("base_url", "openai_api_base", "api_base")
URL = re.compile(r"https?://[^\s\"'<>{}]+")


# --------------------------------------------------------------------------- helpers


def _tree(source: bytes | str) -> ast.Module:
    return ast.parse(source)


def _line(node: ast.AST) -> int:
    return getattr(node, "lineno", 0)


def is_openai_host(host: str, *, azure_target: bool) -> bool:
    """OpenAI's own API; Azure OpenAI's resources too, unless Azure is the target."""
    host = host.lower()
    return host == OPENAI_HOST or (not azure_target and host.endswith(AZURE_HOST_SUFFIX))


@cache
def provider_hosts() -> frozenset[str]:
    """Hosts of every provider the mappings describe (their compat URLs and regions)."""
    hosts: set[str] = set()
    for mapping in load_registry().all():
        for url in [mapping.compat.base_url, *mapping.compat.regions.values()]:
            if url:
                hosts.add((urlsplit(url).hostname or "").lower())
    hosts.discard("")
    return frozenset(hosts)


@cache
def provider_key_envs() -> frozenset[str]:
    """Key variables of every provider the mappings describe (Azure's included)."""
    names = {m.compat.key_env for m in load_registry().all() if m.compat.key_env}
    return frozenset(names - {OPENAI_KEY_ENV})


# --------------------------------------------------------------------------- a. compiles


def compile_problems(after: bytes, name: str = "<migrated>") -> list[str]:
    try:
        compile(after, name, "exec", dont_inherit=True)
    except SyntaxError as exc:
        return [f"line {exc.lineno}: does not compile: {exc.msg}"]
    return []


# --------------------------------------------------------------------------- b. pyflakes

UNDEFINED = (pyflakes_messages.UndefinedName, pyflakes_messages.UndefinedLocal)


def undefined_names(source: bytes | str, name: str = "<source>") -> Counter[str]:
    """How many times pyflakes reports each name as undefined."""
    found = pyflakes_checker.Checker(_tree(source), filename=name)
    return Counter(m.message_args[0] for m in found.messages if isinstance(m, UNDEFINED))


def new_undefined_names(before: bytes, after: bytes, name: str = "<source>") -> list[str]:
    added = undefined_names(after, name) - undefined_names(before, name)
    return [f"undefined name {n!r} ({count} new use(s))" for n, count in sorted(added.items())]


# --------------------------------------------------------------------------- c. keywords


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    return (node for node in ast.walk(tree) if isinstance(node, ast.Call))


def _splatted_keywords(before: ast.Module) -> dict[str, set[str]]:
    """For each `**expr` of the original (by its text): the keywords passed next to it."""
    beside: dict[str, set[str]] = {}
    for call in _calls(before):
        explicit = {k.arg for k in call.keywords if k.arg is not None}
        for splat in (k for k in call.keywords if k.arg is None):
            beside.setdefault(ast.unparse(splat.value), set()).update(explicit)
    return beside


def _literal_keys(mapping: ast.Dict) -> list[str]:
    keys = [k for k in mapping.keys if isinstance(k, ast.Constant)]
    return [k.value for k in keys if isinstance(k.value, str)]


def keyword_problems(before: bytes | str, after: bytes | str) -> list[str]:
    problems: list[str] = []
    beside_before = _splatted_keywords(_tree(before))
    for call in _calls(_tree(after)):
        where = f"line {_line(call)}: {ast.unparse(call.func)}()"
        explicit = [k.arg for k in call.keywords if k.arg is not None]
        given = Counter(explicit)
        for keyword in (k for k in call.keywords if k.arg is None):
            if isinstance(keyword.value, ast.Dict):
                given.update(_literal_keys(keyword.value))
                continue
            splat = ast.unparse(keyword.value)
            added = sorted(set(explicit) - beside_before.get(splat, set()))
            if added:
                problems.append(f"{where}: {', '.join(added)} added beside **{splat}")
        twice = sorted(name for name, count in given.items() if count > 1)
        if twice:
            problems.append(f"{where}: keyword(s) given twice: {', '.join(twice)}")
    return problems


# --------------------------------------------------------------------------- d. model logic


def _strings(node: ast.AST) -> list[str]:
    """The strings a comparison operand stands for: itself, or a literal collection's items."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [s for item in node.elts for s in _strings(item)]
    if isinstance(node, ast.Dict):
        return _literal_keys(node)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 1:
        if node.func.id in ("set", "frozenset", "tuple", "list", "dict"):
            return _strings(node.args[0])
    return []


def _name_of(node: ast.AST) -> str | None:
    """`NAME` for a variable, `attr` for `self.attr` / `cls.attr` / `module.attr`."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _assigned_values(tree: ast.Module) -> dict[str, list[ast.AST]]:
    values: dict[str, list[ast.AST]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for target in targets:
            name = _name_of(target)
            if name is not None:
                values.setdefault(name, []).append(value)
    return values


def _match_strings(pattern: ast.AST) -> list[str]:
    return [
        node.value.value
        for node in ast.walk(pattern)
        if isinstance(node, ast.MatchValue)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    ]


def _parameter_defaults(tree: ast.Module) -> dict[str, list[ast.AST]]:
    defaults: dict[str, list[ast.AST]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = node.args
            positional = [*args.posonlyargs, *args.args]
            with_default = positional[len(positional) - len(args.defaults) :]
            pairs = list(zip(with_default, args.defaults, strict=True))
            keyword_only = zip(args.kwonlyargs, args.kw_defaults, strict=True)
            pairs += [(a, d) for a, d in keyword_only if d is not None]
            for arg, default in pairs:
                defaults.setdefault(arg.arg, []).append(default)
    return defaults


def _tests_environment(op: ast.cmpop, container: ast.AST) -> bool:
    """`"OPENAI_API_KEY" in os.environ` reads a variable (renamed with the reads it guards),
    it does not branch on a model."""
    return isinstance(op, MEMBERSHIP_OPS) and _name_of(container) == "environ"


def control_flow_strings(source: bytes | str) -> Counter[str]:
    """Every string that decides what the code does rather than what it asks a model:
    see `comparison_changes`."""
    tree = _tree(source)
    found: list[str] = []
    tested_collections: set[str] = set()
    tokenizer_names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for index, op in enumerate(node.ops):
                container = operands[index + 1]
                if not isinstance(op, COMPARISON_OPS) or _tests_environment(op, container):
                    continue
                for operand in operands[index : index + 2]:
                    found.extend(_strings(operand))
                name = _name_of(container)
                if isinstance(op, MEMBERSHIP_OPS) and name is not None:
                    tested_collections.add(name)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in PREFIX_METHODS
        ):
            for arg in node.args:
                found.extend(_strings(arg))
        elif isinstance(node, ast.match_case):
            found.extend(_match_strings(node.pattern))
        if isinstance(node, ast.Call) and _name_of(node.func) in TOKENIZER_LOOKUPS and node.args:
            found.extend(_strings(node.args[0]))
            name = _name_of(node.args[0])
            if name is not None:
                tokenizer_names.add(name)
    values = _assigned_values(tree)
    defaults = _parameter_defaults(tree)
    for name in sorted(tokenizer_names):
        for value in [*values.get(name, []), *defaults.get(name, [])]:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found.append(value.value)
    for name in sorted(tested_collections):
        for value in values.get(name, []):
            if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
                found.extend(_strings(value))  # a collection; a plain string is a substring test
    return Counter(found)


def comparison_changes(before: bytes | str, after: bytes | str) -> list[str]:
    old, new = control_flow_strings(before), control_flow_strings(after)
    problems = [f"{s!r} no longer tested ({n}x)" for s, n in sorted((old - new).items())]
    problems += [f"{s!r} now tested ({n}x)" for s, n in sorted((new - old).items())]
    return problems


def _repeats(items: Iterable[object]) -> int:
    hashable = [i for i in items if isinstance(i, (str, int, float, bytes, bool))]
    return len(hashable) - len(set(hashable))


def duplicated_literals(source: bytes | str) -> list[tuple[int, str, int]]:
    """(line, text, repeats) of each tuple/list/set/dict literal with repeated constants."""
    found = []
    for node in ast.walk(_tree(source)):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            items = [e.value for e in node.elts if isinstance(e, ast.Constant)]
        elif isinstance(node, ast.Dict):
            items = [k.value for k in node.keys if isinstance(k, ast.Constant)]
        else:
            continue
        repeats = _repeats(items)
        if repeats:
            found.append((_line(node), ast.unparse(node), repeats))
    return found


def duplicate_growth(before: bytes | str, after: bytes | str) -> list[str]:
    old = sum(r for _, _, r in duplicated_literals(before))
    new_literals = duplicated_literals(after)
    if sum(r for _, _, r in new_literals) <= old:
        return []
    return [f"line {line}: repeated items in {text}" for line, text, _ in new_literals]


# --------------------------------------------------------------------------- e. keys and hosts


def _env_name(node: ast.AST) -> str | None:
    """`X` of `os.environ["X"]`, `os.environ.get("X")`, `os.getenv("X")` (any alias of os)."""
    if isinstance(node, ast.Subscript):
        is_environ = _name_of(node.value) == "environ"
        key = node.slice
    elif isinstance(node, ast.Call) and node.args:
        func = node.func
        is_environ = (
            isinstance(func, ast.Attribute)
            and func.attr in ("get", "setdefault", "pop")
            and _name_of(func.value) == "environ"
        ) or _name_of(func) == "getenv"
        key = node.args[0]
    else:
        return None
    if is_environ and isinstance(key, ast.Constant) and isinstance(key.value, str):
        return key.value
    return None


def _url_hosts(node: ast.AST) -> list[str]:
    """Hosts of the URLs in a string constant (f-string parts are constants too)."""
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return []
    hosts = (urlsplit(url).hostname for url in URL.findall(node.value))
    return [host.lower() for host in hosts if host]


def _key_mention(node: ast.AST) -> str | None:
    """A string that is exactly a key variable's name: `{"key_env": "OPENAI_API_KEY"}` feeds
    an env read elsewhere as surely as `os.environ["OPENAI_API_KEY"]` does here."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if node.value == OPENAI_KEY_ENV or node.value in provider_key_envs():
            return node.value
    return None


def _sends_to_openai_by_default(node: ast.AST) -> bool:
    """`ChatOpenAI(...)` (LangChain) and the like, built without a base URL."""
    return (
        isinstance(node, ast.Call)
        and _name_of(node.func) in IMPLICIT_OPENAI_CLIENTS
        and not any(k.arg in BASE_URL_KEYWORDS for k in node.keywords)
    )


SCOPES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
GROUPS = (ast.Call, ast.Dict, ast.List, ast.Tuple, ast.Set, ast.stmt)


def _assigned(tree: ast.Module, read: Callable[[ast.AST], Iterable[str]]) -> dict[str, set[str]]:
    """Name (or attribute name) -> what `read` finds in the values assigned to it."""
    found: dict[str, set[str]] = {}
    for name, values in _assigned_values(tree).items():
        for value in values:
            found.setdefault(name, set()).update(read(value))
    return {name: items for name, items in found.items() if items}


def _key_reads(node: ast.AST) -> list[str]:
    name = _env_name(node) or _key_mention(node)
    return [name] if name is not None else []


class _KeysAndHosts:
    """Which key variables each URL of a module is paired with.

    A URL is paired with the keys of the smallest call, dict, list, tuple, set or statement
    around it that reads or names any key (`OpenAI(base_url=URL, api_key=os.environ[K])`,
    `{"base_url": URL, "key_env": K}`), else with its whole scope. URL and key constants
    count where their names are used (`Request(OPENAI_CHAT_URL, headers=...)`), not where
    they are defined. `ChatOpenAI(...)` without a base URL counts as OpenAI's URL.
    """

    def __init__(self, tree: ast.Module) -> None:
        self.parents = {
            child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)
        }
        self.url_names = _assigned(tree, _url_hosts)
        self.key_names = _assigned(tree, _key_reads)
        self.tree = tree
        self._keys: dict[ast.AST, set[str]] = {}

    def _is_definition(self, node: ast.AST) -> bool:
        parent = self.parents.get(node)
        return isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is node

    def hosts_at(self, node: ast.AST) -> list[str]:
        if isinstance(node, ast.Constant) and not self._is_definition(node):
            return _url_hosts(node)
        if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
            return sorted(self.url_names.get(_name_of(node) or "", ()))
        return [OPENAI_HOST] if _sends_to_openai_by_default(node) else []

    def keys_in(self, root: ast.AST) -> set[str]:
        """Keys read or named inside `root`, nested scopes apart."""
        if root not in self._keys:
            keys: set[str] = set()
            todo = [root]
            while todo:
                node = todo.pop()
                keys.update(_key_reads(node))
                if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
                    keys.update(self.key_names.get(_name_of(node) or "", ()))
                todo.extend(c for c in ast.iter_child_nodes(node) if not isinstance(c, SCOPES))
            self._keys[root] = keys
        return self._keys[root]

    def keys_near(self, site: ast.AST, *, groups_only: bool = False) -> set[str]:
        node: ast.AST | None = site
        while node is not None:
            if isinstance(node, SCOPES):
                return set() if groups_only else self.keys_in(node)
            if isinstance(node, GROUPS) and (keys := self.keys_in(node)):
                return keys
            node = self.parents.get(node)
        return set()

    def pairs(self, *, groups_only: bool = False) -> Iterator[tuple[str, str]]:
        """(key, host) pairs; `groups_only`: only a call, dict... holding both (not a
        whole scope: a module may rightly read two providers' keys)."""
        for node in ast.walk(self.tree):
            hosts = self.hosts_at(node)
            if hosts:
                if _sends_to_openai_by_default(node):
                    # such a class sends the key among its own arguments, or with none
                    # OPENAI_API_KEY by itself: a key read elsewhere in its scope is not its
                    keys = self.keys_in(node)
                else:
                    keys = self.keys_near(node, groups_only=groups_only)
                yield from ((key, host) for key in sorted(keys) for host in hosts)


@cache
def hosts_by_key_env() -> dict[str, frozenset[str]]:
    """Each provider key variable -> the hosts of the providers that read it. Two providers
    in one file (`--route embeddings=qwen` under DeepSeek): each key goes to its own hosts."""
    found: dict[str, set[str]] = {}
    for mapping in load_registry().all():
        compat = mapping.compat
        hosts = {
            (urlsplit(url).hostname or "").lower()
            for url in [compat.base_url, *compat.regions.values()]
            if url
        }
        found.setdefault(compat.key_env, set()).update(hosts - {""})
    return {key: frozenset(hosts) for key, hosts in found.items() if key != OPENAI_KEY_ENV}


def _other_providers_host(key: str, host: str) -> bool:
    """`key` is a provider's variable and `host` another provider's (not one of its own)."""
    own = hosts_by_key_env().get(key)
    return own is not None and host in provider_hosts() and host not in own


def _mismatches(source: bytes | str, *, azure_target: bool) -> set[str]:
    problems: set[str] = set()
    pairs = _KeysAndHosts(_tree(source))
    for key, host in pairs.pairs():
        if key in provider_key_envs() and is_openai_host(host, azure_target=azure_target):
            problems.add(f"{key} read next to {host}")
        if key == OPENAI_KEY_ENV and host in provider_hosts():
            problems.add(f"{key} read next to {host}")
    for key, host in pairs.pairs(groups_only=True):
        if _other_providers_host(key, host):
            problems.add(f"{key} read next to {host}")
    return problems


def key_host_mismatches(
    before: bytes | str, after: bytes | str, *, azure_target: bool = False
) -> list[str]:
    new = _mismatches(after, azure_target=azure_target)
    return sorted(new - _mismatches(before, azure_target=azure_target))


# --------------------------------------------------------------------------- f. requests sent


def credential(request: RecordedRequest) -> str:
    """The key a request authenticates with (`Authorization: Bearer`, or Azure's `api-key`)."""
    auth = request.headers.get("authorization", "")
    bearer = auth[len("Bearer ") :] if auth.lower().startswith("bearer ") else auth
    return bearer or request.headers.get("api-key", "")


def request_key_leaks(
    requests: Iterable[RecordedRequest],
    *,
    openai_key: str,
    provider_keys: Iterable[str],
    target_hosts: Iterable[str] = (),
    azure_target: bool = False,
) -> list[str]:
    """A provider's key sent to OpenAI, or OpenAI's key sent to a provider (or the target)."""
    their_keys = set(provider_keys)
    their_hosts = provider_hosts() | {h.lower() for h in target_hosts}
    problems = []
    for request in requests:
        key, host = credential(request), request.host.lower()
        if key in their_keys and is_openai_host(host, azure_target=azure_target):
            problems.append(f"provider key {key!r} sent to {request.url}")
        if key == openai_key and host in their_hosts:
            problems.append(f"OpenAI key sent to {request.url}")
    return problems


def cross_provider_leaks(
    requests: Iterable[RecordedRequest], keys_by_host: dict[str, str]
) -> list[str]:
    """With two providers in one program (a route): every request to one of `keys_by_host`'s
    hosts carries that host's key, and no key of one goes to another's host."""
    problems = []
    for request in requests:
        host, key = request.host.lower(), credential(request)
        expected = keys_by_host.get(host)
        if expected is not None and key != expected:
            owner = next((h for h, k in keys_by_host.items() if k == key), "no provider")
            problems.append(f"{request.url} sent with the key of {owner}")
    return problems


def foreign_hosts_lost(
    original: Iterable[RecordedRequest], migrated: Iterable[RecordedRequest]
) -> list[str]:
    """Hosts other than OpenAI's the original reached: the migrated program must still reach
    each with the same credentials (another provider's bot, a local server are not moved)."""
    reached = {(r.host.lower(), r.port, credential(r)) for r in migrated}
    problems = []
    for request in original:
        host = request.host.lower()
        if is_openai_host(host, azure_target=True):  # every OpenAI-run host may move
            continue
        if (host, request.port, credential(request)) not in reached:
            problems.append(f"no longer sends to {request.url} with its key")
    return sorted(set(problems))
