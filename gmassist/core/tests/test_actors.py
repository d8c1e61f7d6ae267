"""One permission rule for one subject (`may`), and who acts: a user, `SYSTEM` (the application
itself: jobs, the CLI without --user, the demo), or None, which is nobody and may do nothing,
in `restrict`, in every selector and in every service alike."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from gmassist.core.choices import Action, AuditAction
from gmassist.core.jobs import JobContext
from gmassist.core.management.users import user_by_username
from gmassist.core.models import AuditEntry, Job, Proposal
from gmassist.core.permissions import SYSTEM, Domain, acting_user, may
from gmassist.org.models import Employee

# --- the department rule, once ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        # (company, Sales, Sales East, R&D)
        ("gm", (True, True, True, True)),
        ("assistant", (True, True, True, True)),
        ("hr", (False, False, False, False)),  # decisions: VIEW SELF, no CHANGE
        ("head", (False, True, True, False)),  # heads Sales, and so Sales East
        ("employee", (False, False, False, False)),
    ],
)
def test_may_reaches_the_departments_of_the_policy(cast, role, expected):
    user = getattr(cast, role)
    subjects = (None, cast.sales.pk, cast.sales_east.pk, cast.rnd.pk)
    got = tuple(may(user, Domain.DECISIONS, Action.CHANGE, department_id=d) for d in subjects)
    assert got == expected


def test_may_reaches_an_employee_through_their_department_and_oneself(cast):
    emma = cast.employee.employee
    oscar = cast.outsider.employee
    assert may(cast.head, Domain.PEOPLE, Action.PROPOSE, employee=emma) is True
    assert may(cast.head, Domain.PEOPLE, Action.PROPOSE, employee=oscar) is False
    assert may(cast.head, Domain.PEOPLE, Action.PROPOSE, employee=cast.head.employee) is True
    # SELF reaches one's own record only
    assert may(cast.employee, Domain.PEOPLE, Action.VIEW, employee=emma) is True
    assert may(cast.employee, Domain.PEOPLE, Action.VIEW, employee=oscar) is False
    assert may(cast.employee, Domain.PEOPLE, Action.VIEW, department_id=cast.sales_east.pk) is False


def test_may_is_everything_for_the_system_and_nothing_for_nobody(cast):
    assert may(SYSTEM, Domain.CUSTOMERS, Action.APPROVE) is True
    assert may(SYSTEM, Domain.PEOPLE, Action.CHANGE, department_id=cast.rnd.pk) is True
    assert may(None, Domain.PEOPLE, Action.VIEW, employee=cast.employee.employee) is False


# --- None is nobody, in restrict and in the selectors ----------------------------------------


def test_restrict_gives_nobody_nothing_and_the_system_everything(cast):
    assert Employee.objects.restrict(None).count() == 0
    assert Employee.objects.restrict(SYSTEM, Action.VIEW_PAY).count() == 6


def test_the_selectors_that_read_everything_for_none_read_nothing(cast):
    from gmassist.customers.selectors import customers_visible
    from gmassist.decisions.selectors import decisions_visible
    from gmassist.talent.selectors import pay_visible, risk_scores_visible

    assert list(pay_visible(user=None)) == []
    assert pay_visible(user=SYSTEM).count() == 6
    assert list(risk_scores_visible(user=None)) == []
    assert list(customers_visible(user=None)) == []
    assert list(decisions_visible(user=None)) == []


def test_services_refuse_nobody(cast):
    from gmassist.customers.services import retier_customers
    from gmassist.decisions.services import Audience, decision_create
    from gmassist.talent.services import check_may_plan, check_may_score

    with pytest.raises(PermissionDenied):
        retier_customers(by=None)
    with pytest.raises(PermissionDenied):
        check_may_score(None)
    with pytest.raises(PermissionDenied):
        check_may_plan(None)
    with pytest.raises(PermissionDenied):
        decision_create(
            by=None,
            title="Nobody's decision",
            rationale="none",
            effective_date=dt.date(2026, 1, 1),
            audience=Audience(departments=(cast.sales,)),
        )


# --- the system is recorded as no one --------------------------------------------------------


def test_the_system_acts_and_is_recorded_as_no_one(cast):
    from gmassist.org.services import pay_change_propose

    proposal = pay_change_propose(
        employee=cast.employee.employee,
        new_base_pay=Decimal("105000"),
        effective_date=dt.date(2026, 1, 1),
        rationale="the system proposes",
        by=SYSTEM,
    )
    assert Proposal.objects.get(pk=proposal.pk).proposed_by is None
    entry = AuditEntry.objects.get(action=AuditAction.PROPOSE, target_id=str(proposal.pk))
    assert entry.actor is None


def test_acting_user_records_users_only(cast):
    assert acting_user(cast.hr) == cast.hr
    assert acting_user(SYSTEM) is None
    assert acting_user(None) is None


def test_a_job_nobody_started_acts_as_the_system(cast):
    mine = JobContext(job=Job.objects.create(kind="test.any", params={}, created_by=cast.hr))
    scheduled = JobContext(job=Job.objects.create(kind="test.any", params={}))
    assert mine.actor == cast.hr
    assert scheduled.actor is SYSTEM


def test_a_command_without_user_acts_as_the_system(cast):
    assert user_by_username(None) is SYSTEM
    assert user_by_username("hr") == cast.hr
