"""Template helpers of the workspace: the role-aware navigation and small formatting filters."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from gmassist.core.views_lib import nav_section_label, navigation_for

register = template.Library()


@register.simple_tag(takes_context=True)
def navigation(context: template.Context) -> list[dict[str, Any]]:
    """The navigation the user's role may use, as sections in order: [{key, label, url, first,
    active, pages: [{key, label, url, active}]}]. A section is linked by its first page (`first`
    is that page's key) and named by it unless it has a name of its own
    (`register_nav_section`); the page being shown is the one whose address matches the
    request's path most closely."""
    request = context.get("request")
    path = request.path if request is not None else ""
    pages = []
    for item in navigation_for(context.get("user")):
        url = reverse(item.url_name)
        matches = path == url if url == "/" else path.startswith(url)
        pages.append(
            {
                "key": item.key,
                "label": item.label,
                "url": url,
                "matches": matches,
                "section": item.section,
            }
        )
    current = max((p for p in pages if p["matches"]), key=lambda p: len(p["url"]), default=None)
    sections: dict[str, dict[str, Any]] = {}
    for page in pages:
        page["active"] = page is current
        section = sections.setdefault(
            page["section"],
            {
                "key": page["section"],
                "label": nav_section_label(page["section"]) or page["label"],
                "url": page["url"],
                "first": page["key"],
                "active": False,
                "pages": [],
            },
        )
        section["pages"].append(page)
        section["active"] = section["active"] or page["active"]
    return list(sections.values())


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


@register.filter
def readable(value: Any) -> str:
    """`{{ item.value|readable }}`: a stored value in the reader's language (core.presenters)."""
    from gmassist.core.presenters import readable_value

    return readable_value(value)


@register.filter
def entity_label(name: Any) -> str:
    """`{{ job.params.entity|entity_label }}`: what an import holds, in the reader's language."""
    from gmassist.core.forms import entity_label as label

    return label(str(name or ""))


@register.filter
def audit_target(entry: Any) -> str:
    """`{{ row|audit_target }}`: what an audit entry is about, in the reader's language."""
    from gmassist.core.presenters import audit_target_text

    return audit_target_text(entry)


@register.filter
def audit_target_type(entry: Any) -> str:
    """`{{ row|audit_target_type }}`: the kind of record, in the reader's language."""
    from gmassist.core.presenters import audit_target_label

    return audit_target_label(entry.target_type)


@register.filter
def audit_changes(entry: Any) -> list[tuple[str, str]]:
    """`{% for field, text in row|audit_changes %}`: its changes, fields in words."""
    from gmassist.core.presenters import audit_change_lines

    return audit_change_lines(entry)


@register.filter
def history_changes(entry: Any) -> list[tuple[str, str]]:
    """`{% for field, text in entry|history_changes %}`: a record's change, its comment apart."""
    from gmassist.core.presenters import audit_change_lines

    return audit_change_lines(entry, without=("comment",))


@register.filter
def changes_readable(changes: Any) -> list[tuple[str, str]]:
    """`{% for field, text in row.changes|changes_readable %}`: "field: old → new" pairs."""
    from gmassist.core.presenters import change_lines

    return change_lines(changes)


@register.filter
def model_label(record: Any) -> str:
    """`{{ record|model_label }}`: "org.employee", as audit entries and notes name a model."""
    return str(record._meta.label_lower)
