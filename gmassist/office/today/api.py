"""`GET /api/office/today`: the reader's Today, the same sections, lines and counts as the page
and the navigation badge (office.today.selectors)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from gmassist.api import problems, request_user
from gmassist.office.today.presenters import section_out
from gmassist.office.today.schemas import TodayFilters, TodayOut
from gmassist.office.today.selectors import today_for, today_reach

router = Router(tags=["office"])


@router.get("/office/today", response={200: TodayOut, **problems(403)})
def today(request: HttpRequest, filters: Query[TodayFilters]):
    """What needs attention today across every module, ranked (heavier, then older first):
    the GM's office sees every department, a department head their subtree. Everyone else
    has no Today (403): their inbox is `GET /api/inbox`."""
    user = request_user(request)
    how_far = today_reach(user)
    if how_far is None:
        raise PermissionDenied("Today is for the GM's office and department heads")
    sections = today_for(user=user)
    if filters.section is not None:
        sections = [section for section in sections if section.key == filters.section]
        if not sections:
            raise ValidationError({"section": f"no section {filters.section!r}"})
    now = timezone.now()
    return {
        "count": sum(section.count for section in sections),
        "reach": how_far,
        "sections": [section_out(section, now=now, limit=filters.limit) for section in sections],
    }
