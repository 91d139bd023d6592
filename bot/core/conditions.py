"""`when:` conditions: a small language of data, checked at load and evaluated by Jinja2's
sandbox, never `eval`.

A condition may name earlier answers (and, inside a repeat, `item.<sub-question>`), write
literals (text, numbers, true/false/none, lists of them), compare them (== != < > <= >=,
in, not in), combine with and/or/not and take `|length`. Anything else, which could cost a
gigabyte or a minute at run time ('x'*10**9, lipsum(10**6), range…), is refused at load
with the construct named.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from jinja2 import TemplateSyntaxError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

_env = ImmutableSandboxedEnvironment()

# Bounds on what a condition may write down, far above what a flow needs.
MAX_LENGTH = 500
MAX_LITERAL_CHARS = 200
MAX_LIST_ITEMS = 50
MAX_NUMBER = 10**9
_COMPARISONS = {"eq", "ne", "lt", "gt", "lteq", "gteq", "in", "notin"}
ALLOWED = "answer names, literals, comparisons (== != < > <= >=, in, not in), and/or/not, |length"


class ConditionSyntaxError(ValueError):
    """A condition is not a valid expression."""


class ConditionNotAllowed(ConditionSyntaxError):
    """A condition uses something outside the condition language."""


@lru_cache(maxsize=1024)
def compile_condition(expression: str) -> Callable[..., Any]:
    """Check and compile once; the result is called with the answers as keyword context."""
    check_condition(expression)
    try:
        return _env.compile_expression(expression, undefined_to_none=True)
    except TemplateSyntaxError as exc:
        raise ConditionSyntaxError(exc.message or str(exc)) from exc


def check_condition(expression: str) -> None:
    """Raise ConditionSyntaxError naming the first construct outside the language."""
    if len(expression) > MAX_LENGTH:
        raise ConditionNotAllowed(f"longer than {MAX_LENGTH} characters")
    _check(_parse(expression))


def names_in(expression: str) -> set[str]:
    """The variable names an expression reads."""
    return set(meta.find_undeclared_variables(_template(expression)))


def holds(expression: str | None, context: Mapping[str, Any]) -> bool:
    """True when there is no condition or it evaluates truthy; a failing one counts as false."""
    if not expression:
        return True
    try:
        return bool(compile_condition(expression)(**context))
    except Exception:  # a condition over unexpected answer types must not crash the interview
        return False


def _template(expression: str) -> nodes.Template:
    try:
        return _env.parse("{{ (" + expression + ") }}")
    except TemplateSyntaxError as exc:
        raise ConditionSyntaxError(exc.message or str(exc)) from exc


def _parse(expression: str) -> nodes.Node:
    """The expression's node; anything but one expression (`) }}{{ (`…) is refused."""
    body = _template(expression).body
    if len(body) != 1 or not isinstance(body[0], nodes.Output) or len(body[0].nodes) != 1:
        raise ConditionSyntaxError("must be one expression")
    return body[0].nodes[0]


def _check(node: nodes.Node) -> None:
    if isinstance(node, nodes.Name):
        return
    if isinstance(node, nodes.Const):
        _check_literal(node.value)
    elif isinstance(node, nodes.List | nodes.Tuple):
        if len(node.items) > MAX_LIST_ITEMS:
            raise ConditionNotAllowed(f"a list of more than {MAX_LIST_ITEMS} items")
        for item in node.items:
            if not isinstance(item, nodes.Const):
                raise ConditionNotAllowed("a list may hold only literals")
            _check_literal(item.value)
    elif isinstance(node, nodes.Compare):
        _check(node.expr)
        for operand in node.ops:
            if operand.op not in _COMPARISONS:
                raise ConditionNotAllowed(f"the comparison {operand.op!r} is not allowed")
            _check(operand.expr)
    elif isinstance(node, nodes.And | nodes.Or):
        _check(node.left)
        _check(node.right)
    elif isinstance(node, nodes.Not):
        _check(node.node)
    elif isinstance(node, nodes.Neg) and isinstance(node.node, nodes.Const):
        _check_literal(node.node.value)
    elif isinstance(node, nodes.Filter):
        if node.name != "length" or node.args or node.kwargs or node.dyn_args or node.dyn_kwargs:
            raise ConditionNotAllowed(f"the filter {node.name!r}; only |length is allowed")
        _check(node.node)
    elif isinstance(node, nodes.Getattr):
        # item.<sub-question>, inside a repeat; nothing reaches further than one attribute.
        if not (isinstance(node.node, nodes.Name) and node.node.name == "item"):
            raise ConditionNotAllowed("attributes other than item.<question id>")
    else:
        raise ConditionNotAllowed(f"{_what(node)} is not allowed; conditions may use {ALLOWED}")


def _check_literal(value: Any) -> None:
    if isinstance(value, str) and len(value) > MAX_LITERAL_CHARS:
        raise ConditionNotAllowed(f"a text literal over {MAX_LITERAL_CHARS} characters")
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
        raise ConditionNotAllowed(f"a number beyond {MAX_NUMBER}")
    if not isinstance(value, str | int | float | bool | type(None)):
        raise ConditionNotAllowed(f"the literal {value!r}")


_NAMES = {
    "Call": "a function call",
    "Mul": "arithmetic (*)",
    "Pow": "arithmetic (**)",
    "Add": "arithmetic (+)",
    "Sub": "arithmetic (-)",
    "Div": "arithmetic (/)",
    "FloorDiv": "arithmetic (//)",
    "Mod": "arithmetic (%)",
    "Neg": "a minus sign",
    "Concat": "joining text (~)",
    "CondExpr": "an if-else expression",
    "Getitem": "indexing or slicing ([…])",
    "Slice": "slicing",
    "Dict": "a mapping literal",
    "Test": "an `is` test",
}


def _what(node: nodes.Node) -> str:
    return _NAMES.get(type(node).__name__, type(node).__name__)
