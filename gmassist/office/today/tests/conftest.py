"""A week of matters on the cast, on 15 June 2026 (company time UTC): what each module puts on
Today, with known ages, so that every test asserts exact lines and counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine

from gmassist.core.models import Proposal
from gmassist.customers.models import (
    AccountManager,
    ChurnRun,
    ChurnScore,
    GroupCustomer,
    Industry,
)
from gmassist.decisions.models import Decision, Response
from gmassist.org.models import EmployeeSkill, Skill
from gmassist.org.services import pay_change_propose
from gmassist.talent.models import RiskModelRun, RiskScore
from gmassist.voice.feedback.models import Feedback
from gmassist.voice.recruiting.models import Requisition

NOW = dt.datetime(2026, 6, 15, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def today_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC)


@dataclass
class Desk:
    raise_emma: Proposal  # by the head, about Emma: the GM decides it
    raise_head: Proposal  # by the assistant, about the head
    urgent: Feedback  # to the GM, harassment
    overdue_east: Feedback  # Sales East, overdue
    overdue_rnd: Feedback  # R&D, overdue
    critical_req: Requisition  # Sales, critical, past target
    normal_req: Requisition  # R&D, past target
    at_risk: GroupCustomer  # A, high churn risk, served by Alice
    unassigned: GroupCustomer  # A, no manager
    alice: AccountManager  # over capacity
    draft: Decision
    objected: Decision


def _feedback(**fields) -> Feedback:
    defaults = {
        "kind": "complaint",
        "topic": "management",
        "sentiment": "negative",
        "body": "…",
        "status": "new",
    }
    return Feedback.objects.create(**{**defaults, **fields})


@pytest.fixture
def desk(cast, today_clock) -> Desk:
    emma = cast.employee.employee
    today_clock.move_to(_at(dt.date(2026, 6, 1)))
    raise_emma = pay_change_propose(
        employee=emma,
        new_base_pay=Decimal("108000"),
        effective_date=dt.date(2026, 7, 1),
        rationale="below the band midpoint",
        by=cast.head,
    )
    today_clock.move_to(_at(dt.date(2026, 6, 8)))
    raise_head = pay_change_propose(
        employee=cast.head.employee,
        new_base_pay=Decimal("110000"),
        effective_date=dt.date(2026, 7, 1),
        rationale="a head's raise",
        by=cast.assistant,
    )
    today_clock.move_to(_at(dt.date(2026, 6, 5)))
    draft = Decision.objects.create(
        title="Four-day week in Sales",
        summary="Monday to Thursday",
        rationale="Fridays bring 4% of orders",
        effective_date=dt.date(2026, 9, 1),
        department=cast.sales,
        author=cast.assistant,
    )
    objected = Decision.objects.create(
        title="New travel policy",
        rationale="costs",
        effective_date=dt.date(2026, 6, 1),
        department=cast.sales,
        author=cast.gm,
        status="published",
        published_at=_at(dt.date(2026, 5, 1)),
        version=2,
    )
    Response.objects.create(
        decision=objected, version=1, kind="objection", text="old", submitted_on=dt.date(2026, 5, 2)
    )
    for day in (dt.date(2026, 6, 9), dt.date(2026, 6, 12)):
        Response.objects.create(
            decision=objected, version=2, kind="objection", text="too strict", submitted_on=day
        )
    urgent = _feedback(
        subject="My manager shouts at me",
        addressed_to="gm",
        submitted_on=dt.date(2026, 6, 12),
        due_on=dt.date(2026, 6, 19),
        flag_harassment=True,
        owner=cast.gm,
    )
    overdue_east = _feedback(
        subject="Late expense refunds",
        department=cast.sales_east,
        head_department=cast.sales_east,
        submitted_on=dt.date(2026, 5, 20),
        due_on=dt.date(2026, 6, 3),
        status="in_progress",
        owner=cast.head,
    )
    overdue_rnd = _feedback(
        subject="Broken lab fridge",
        department=cast.rnd,
        head_department=cast.rnd,
        submitted_on=dt.date(2026, 5, 25),
        due_on=dt.date(2026, 6, 8),
    )
    # answered, or not yet due: not today's
    _feedback(
        subject="Answered one",
        department=cast.sales,
        head_department=cast.sales,
        submitted_on=dt.date(2026, 5, 1),
        due_on=dt.date(2026, 5, 10),
        status="answered",
    )
    _feedback(
        subject="Not yet due",
        department=cast.sales,
        head_department=cast.sales,
        submitted_on=dt.date(2026, 6, 10),
        due_on=dt.date(2026, 6, 24),
    )
    requisition = {"position": cast.salesperson, "opened_on": dt.date(2026, 3, 1)}
    critical_req = Requisition.objects.create(
        code="REQ-1",
        department=cast.sales,
        urgency="critical",
        target_date=dt.date(2026, 6, 1),
        **requisition,
    )
    normal_req = Requisition.objects.create(
        code="REQ-2",
        department=cast.rnd,
        urgency="normal",
        target_date=dt.date(2026, 5, 1),
        **requisition,
    )
    Requisition.objects.create(
        code="REQ-3", department=cast.sales, target_date=dt.date(2026, 7, 1), **requisition
    )
    industry = Industry.objects.create(code="TEL", name="Telecoms")
    alice = AccountManager.objects.create(employee=cast.account_manager.employee, capacity=5)
    customer = {"industry": industry, "region": "East", "scale": 100}
    at_risk = GroupCustomer.objects.create(
        code="C1", name="Acme", tier="A", account_manager=alice, **customer
    )
    today_clock.move_to(_at(dt.date(2026, 6, 10)))
    unassigned = GroupCustomer.objects.create(code="C2", name="Bolt", tier="A", **customer)
    GroupCustomer.objects.create(code="C3", name="Cogs", tier="B", **customer)  # not A-tier
    GroupCustomer.objects.create(
        code="C4", name="Dune", tier="B", account_manager=alice, **customer
    )  # Alice: 5 + 2 units over a capacity of 5
    today_clock.move_to(_at(dt.date(2026, 6, 2)))
    run = ChurnRun.objects.create(
        as_of=dt.date(2026, 5, 1), horizon_months=6, snapshots=100, churners=10
    )
    ChurnScore.objects.create(run=run, customer=at_risk, risk=0.45)
    ChurnScore.objects.create(run=run, customer=unassigned, risk=0.05)
    today_clock.move_to(NOW)
    return Desk(
        raise_emma=raise_emma,
        raise_head=raise_head,
        urgent=urgent,
        overdue_east=overdue_east,
        overdue_rnd=overdue_rnd,
        critical_req=critical_req,
        normal_req=normal_req,
        at_risk=at_risk,
        unassigned=unassigned,
        alice=alice,
        draft=draft,
        objected=objected,
    )


@pytest.fixture
def risers(cast, today_clock):
    """Two scorings: Emma (the only expert in 5G core) rose from low to high, Oscar (an expert
    in a skill many hold) too, Hank stayed medium."""
    emma, oscar, hank = cast.employee.employee, cast.outsider.employee, cast.head.employee
    rare = Skill.objects.create(code="5G", name="5G core network")
    common = Skill.objects.create(code="XL", name="Spreadsheets")
    EmployeeSkill.objects.create(employee=emma, skill=rare, level=5)
    for person in (oscar, hank, cast.gm.employee, cast.hr.employee):
        EmployeeSkill.objects.create(employee=person, skill=common, level=4)
    today_clock.move_to(_at(dt.date(2026, 5, 3)))
    may = RiskModelRun.objects.create(
        as_of=dt.date(2026, 4, 30), version="v1", risk_medium_from=0.1, risk_high_from=0.2
    )
    today_clock.move_to(_at(dt.date(2026, 6, 3)))
    june = RiskModelRun.objects.create(
        as_of=dt.date(2026, 5, 31), version="v1", risk_medium_from=0.1, risk_high_from=0.2
    )
    for run, probabilities in ((may, (0.05, 0.05, 0.12)), (june, (0.31, 0.25, 0.15))):
        for person, probability in zip((emma, oscar, hank), probabilities, strict=True):
            RiskScore.objects.create(
                run=run,
                employee=person,
                as_of=run.as_of,
                probability=probability,
                model_version="v1",
            )
    today_clock.move_to(NOW)
    return june
