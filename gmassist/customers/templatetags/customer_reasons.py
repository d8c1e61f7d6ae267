"""Template filters showing the customers engines' reasons in the reader's language."""

from __future__ import annotations

from typing import Any

from django import template

from gmassist.customers import presenters

register = template.Library()


@register.filter
def reason_text(reason: Any) -> str:
    """`{{ reason|reason_text }}`: one stored reason in the active language."""
    return presenters.reason_text(reason)


@register.filter
def reason_texts(reasons: Any) -> list[str]:
    """`{{ reasons|reason_texts|join:"; " }}`: stored reasons in the active language."""
    return presenters.reason_texts(reasons)


@register.filter
def region_rule(rule: Any) -> str:
    """`{{ p.options.region_rule|region_rule }}`: a matching run's region rule in words."""
    from gmassist.customers.forms import REGION_RULES

    return str(REGION_RULES.get(str(rule), rule))
