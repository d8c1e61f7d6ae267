"""The inbox badge of the navigation: how many things wait for the user to act."""

from __future__ import annotations

from django import template

from gmassist.core.inbox import inbox_action_count

register = template.Library()


@register.simple_tag(takes_context=True)
def inbox_badge_count(context: template.Context) -> int:
    """The number of inbox items needing the user's action, counted once per request."""
    request = context.get("request")
    user = context.get("user")
    if request is None:
        return inbox_action_count(user)
    cached = getattr(request, "_inbox_action_count", None)
    if cached is None:
        cached = inbox_action_count(user)
        request._inbox_action_count = cached
    return cached
