"""Template filters of the talent app: plan actions and risk reasons in the reader's language."""

from typing import Any

from django import template

from gmassist.talent import presenters

register = template.Library()


@register.filter
def action_text(action: dict[str, Any]) -> str:
    """`{{ action|action_text }}`: "One-time bonus 4,000", in the active language."""
    return presenters.action_text(action)


@register.filter
def risk_reason(reason: dict[str, Any]) -> str:
    """`{{ reason|risk_reason }}`: a stored leaving-risk reason in plain words, in the active
    language ("36 months since the last promotion")."""
    from gmassist.talent.selectors import risk_reason_text

    return risk_reason_text(reason)
