"""The recruiting part of the demo company: agencies in both languages, a year of
requisitions with urgent overdue ones, candidates through the stages, hires linked to demo
employees; every row within the tables' rules."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from gmassist.core.models import User
from gmassist.voice.recruiting import selectors
from gmassist.voice.recruiting.models import (
    Candidate,
    RecruitingAgency,
    Requisition,
    RequisitionShare,
)

AS_OF = dt.date(2026, 11, 24)


@pytest.mark.django_db
def test_the_demo_writes_recruiting_contacts():
    call_command(
        "demo", "--tier", "S", "--seed", "1", "--as-of", AS_OF.isoformat(), stdout=StringIO()
    )
    names = list(RecruitingAgency.objects.values_list("name", flat=True))
    assert len(names) == 8
    assert any(not name.isascii() for name in names) and any(name.isascii() for name in names)
    assert Requisition.objects.count() == 20
    assert Requisition.objects.filter(opened_on__lt=AS_OF - dt.timedelta(days=300)).exists()
    assert set(Requisition.objects.values_list("status", flat=True)) == {
        "open",
        "filled",
        "cancelled",
    }
    gm = User.objects.get(username="gm")
    overdue = selectors.recruiting_overview(user=gm, today=AS_OF)["overdue"]
    assert len(overdue) >= 3
    assert RequisitionShare.objects.count() >= 20
    hires = Candidate.objects.filter(stage="hired")
    assert hires.filter(hired_employee__isnull=False).exists()
    stages = set(Candidate.objects.values_list("stage", flat=True))
    assert {"hired", "rejected", "interview"} <= stages
