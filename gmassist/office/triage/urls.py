"""The triage routes of the office app (included by office/urls.py), its navigation entry and
its Today source: the matters waiting for the GM's triage."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action
from gmassist.core.permissions import Domain
from gmassist.core.views_lib import NavItem, register_nav
from gmassist.office.today.registry import (
    TodayAction,
    TodayItem,
    TodaySource,
    Weight,
    register_today_source,
)
from gmassist.office.triage import views

triage_urlpatterns = [
    path("triage/", views.triage_list, name="triage"),
    path("triage/new/", views.matter_new, name="triage_new"),
    path("triage/decided/", views.decided_list, name="triage_decided"),
    path("triage/rules/", views.rules_page, name="triage_rules"),
    path("triage/rules/<int:pk>/", views.rule_edit, name="triage_rule"),
    path("triage/rules/<int:pk>/delete/", views.rule_delete, name="triage_rule_delete"),
    path("triage/rules/<int:pk>/move/", views.rule_move, name="triage_rule_move"),
    path("triage/report/", views.report_page, name="triage_report"),
    path("triage/<int:pk>/", views.matter_detail, name="triage_matter"),
    path("triage/<int:pk>/decide/", views.matter_decide, name="triage_decide"),
]

register_nav(
    NavItem(
        "office.triage",
        _("Triage"),
        "office:triage",
        Domain.OFFICE_TRIAGE,
        Action.VIEW,
        order=62,
    )
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
    must know the kind of record, and who may see one (the GM's office). Skipped while the
    tasks part is not installed."""
    try:
        from gmassist.office.tasks.subjects import (  # type: ignore[import-not-found]
            register_task_subject,
        )
    except ImportError:
        return
    from django.urls import reverse

    from gmassist.office.triage.models import Matter

    register_task_subject(
        "office.matter",
        title=lambda matter: matter.title,
        url=lambda matter: reverse("office:triage_matter", args=[matter.pk]),
        may_see=lambda user, matter: Matter.objects.restrict(user).filter(pk=matter.pk).exists(),
    )


_register_task_subject()
