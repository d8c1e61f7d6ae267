"""Template tags of Today: the delegate link of a line (the tasks part's route, when installed)."""

from django import template

from gmassist.office.today.presenters import delegate_url
from gmassist.office.today.registry import TodayItem

register = template.Library()


@register.simple_tag
def today_delegate_url(item: TodayItem) -> str:
    """Where `item` is delegated as a task, "" when there is no such route or record."""
    return delegate_url(item)
