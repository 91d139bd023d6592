"""`when:` conditions: Jinja2 expressions compiled in the sandbox, never `eval`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from jinja2 import TemplateSyntaxError, meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

_env = ImmutableSandboxedEnvironment()


class ConditionSyntaxError(ValueError):
    """A condition is not a valid Jinja2 expression."""


@lru_cache(maxsize=1024)
def compile_condition(expression: str) -> Callable[..., Any]:
    """Compile once; the result is called with the answers as keyword context."""
    try:
        return _env.compile_expression(expression, undefined_to_none=True)
    except TemplateSyntaxError as exc:
        raise ConditionSyntaxError(exc.message or str(exc)) from exc


def names_in(expression: str) -> set[str]:
    """The variable names an expression reads."""
    try:
        return set(meta.find_undeclared_variables(_env.parse("{{ (" + expression + ") }}")))
    except TemplateSyntaxError as exc:
        raise ConditionSyntaxError(exc.message or str(exc)) from exc


def holds(expression: str | None, context: Mapping[str, Any]) -> bool:
    """True when there is no condition or it evaluates truthy; a failing one counts as false."""
    if not expression:
        return True
    try:
        return bool(compile_condition(expression)(**context))
    except Exception:  # a condition over unexpected answer types must not crash the interview
        return False
