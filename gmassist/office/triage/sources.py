"""Where the triage shows outside its own pages: the Today source "Matters waiting for your
triage", and the kind of record a delegated task can be about (a matter).

Imported by the part's urls.py and jobs.py (which core.registry imports at start-up), so that
every process has them, the CLI's `gmassist office today` as well as the web.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gmassist.office.today.registry import (
    TodayAction,
    TodayItem,
    TodaySource,
    Weight,
    register_today_source,
)


def _today_items(user) -> list[TodayItem]:
    """The matters waiting for the GM's triage, the oldest first, for those who decide them."""
    from django.urls import reverse
    from django.utils.translation import gettext

    from gmassist.office.triage import presenters, selectors, services

    if not services.may_decide(user):
        return []
    items = []
    for matter in selectors.matters_waiting(user=user):
        url = reverse("office:triage_matter", args=[matter.pk])
        items.append(
            TodayItem(
                key=f"office.matter:{matter.pk}",
                title=matter.title,
                why=gettext("Proposed: %(route)s (%(category)s); confirm or change it.")
                % {
                    "route": presenters.route_label(matter.proposed_route),
                    "category": presenters.category_label(matter.proposed_category),
                },
                url=url,
                since=matter.received_at,
                weight=Weight.NORMAL,
                action=TodayAction(kind="open", label=gettext("Open"), url=url),
                about=matter.about,
                detail=str(matter.get_source_display()),
            )
        )
    return items


def _today_count(user) -> int:
    from gmassist.office.triage import selectors, services

    if not services.may_decide(user):
        return 0
    return selectors.matters_waiting(user=user).count()


register_today_source(
    TodaySource(
        key="office.triage.waiting",
        title=_("Matters waiting for your triage"),
        order=20,
        items=_today_items,
        count=_today_count,
        url="/office/triage/",
    )
)


def _register_task_subject() -> None:
    """A delegated matter becomes a task "about" it (services._delegate_matter): the tasks part
    must know the kind of record, and who may see one (the GM's office)."""
    from django.urls import reverse

    from gmassist.office.tasks.subjects import register_task_subject
    from gmassist.office.triage.models import Matter

    register_task_subject(
        "office.matter",
        title=lambda matter: matter.title,
        url=lambda matter: reverse("office:triage_matter", args=[matter.pk]),
        may_see=lambda user, matter: Matter.objects.restrict(user).filter(pk=matter.pk).exists(),
    )


_register_task_subject()
