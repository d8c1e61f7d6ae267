"""Template filters of the talent app: a plan line's action in the reader's language."""

from typing import Any

from django import template

from gmassist.talent import presenters

register = template.Library()


@register.filter
def action_text(action: dict[str, Any]) -> str:
    """`{{ action|action_text }}`: "One-time bonus 4,000", in the active language."""
    return presenters.action_text(action)
