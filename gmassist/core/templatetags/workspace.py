"""Template helpers of the workspace: the role-aware navigation and small formatting filters."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from gmassist.core.views_lib import navigation_for

register = template.Library()


@register.simple_tag(takes_context=True)
def navigation(context: template.Context) -> list[dict[str, Any]]:
    """The navigation links the user's role may use: [{key, label, url, active}]."""
    request = context.get("request")
    user = context.get("user")
    path = request.path if request is not None else ""
    items = []
    for item in navigation_for(user):
        url = reverse(item.url_name)
        active = path == url if url == "/" else path.startswith(url)
        items.append({"key": item.key, "label": item.label, "url": url, "active": active})
    return items


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`mapping[key]` in a template ({{ row|get_item:"hires" }}); None when missing."""
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.filter
def pay_reason(value: str) -> str:
    """The translated label of a pay change reason ("review" -> "Pay review")."""
    from gmassist.org.choices import PayChangeReason

    try:
        return str(PayChangeReason(value).label)
    except ValueError:
        return value
