"""Template filters of the workforce pages."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def at(values: Any, index: int) -> Any:
    """`values[index]`, or None when there is no such item (a scenario of fewer quarters)."""
    try:
        return values[index]
    except (IndexError, KeyError, TypeError):
        return None
