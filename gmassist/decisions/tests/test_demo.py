"""The decisions' part of the demo company, written on the test cast."""

import datetime as dt

import numpy as np
import time_machine
from django.utils import timezone

from gmassist.decisions.choices import DecisionStatus
from gmassist.decisions.demo import delete_decisions_demo, write_decisions_demo
from gmassist.decisions.models import Acknowledgement, Decision, Response
from gmassist.org.demo.extensions import DemoContext


def context(cast) -> DemoContext:
    users = {
        "gm": cast.gm,
        "assistant": cast.assistant,
        "hr": cast.hr,
        "head": cast.head,
        "am": cast.account_manager,
        "employee": cast.employee,
    }
    return DemoContext(
        company=None, employee_pk=np.array([]), users=users, as_of=dt.date(2026, 3, 1), seed=1
    )


def test_the_demo_writes_every_kind_of_decision(cast):
    counts = write_decisions_demo(context(cast))
    statuses = sorted(Decision.objects.values_list("status", flat=True))
    assert statuses == sorted(
        [
            DecisionStatus.PUBLISHED,
            DecisionStatus.AMENDED,
            DecisionStatus.PUBLISHED,
            DecisionStatus.WITHDRAWN,
            DecisionStatus.DRAFT,
        ]
    )
    assert counts["decisions"] == 5
    # the whole company is 6 people in the cast; the head's own decision reaches Sales (3)
    assert counts["decision_acknowledgements"] == 6 + 6 + 3 + 2
    answered = Response.objects.exclude(answer="").count()
    assert answered == 4
    # the demo employee still has decisions to acknowledge in their inbox
    pending = Acknowledgement.objects.filter(
        employee=cast.employee.employee,
        acknowledged_at__isnull=True,
        decision__status__in=["published", "amended"],
    ).count()
    assert pending == 2
    assert Decision.objects.filter(title__contains="弹性").get().versions.count() == 2


def test_the_demo_deletes_what_it_wrote(cast):
    write_decisions_demo(context(cast))
    delete_decisions_demo()
    assert (
        Decision.objects.count(),
        Acknowledgement.objects.count(),
        Response.objects.count(),
    ) == (
        0,
        0,
        0,
    )


def test_the_demo_writes_no_acknowledgement_in_the_future(cast):
    with time_machine.travel(dt.datetime(2026, 12, 2, 17, 0, tzinfo=dt.UTC), tick=False):
        write_decisions_demo(context(cast))
        now = timezone.now()

    acknowledged = Acknowledgement.objects.exclude(acknowledged_at=None)
    assert acknowledged.exists()
    assert not acknowledged.filter(acknowledged_at__gt=now).exists()
