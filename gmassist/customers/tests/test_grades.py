"""Account-manager grades: the engine on hand-checked cases, the selector's permission rule
and audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gmassist.core.choices import AuditAction
from gmassist.core.models import AuditEntry
from gmassist.customers.engine.grades import (
    ManagerFacts,
    assessment_grade,
    composite_grade,
    grade_manager,
    post_grade,
    salary_grade,
)
from gmassist.customers.models import AccountManager, MonthlyRevenue, ServiceContact
from gmassist.customers.reasons import Reason
from gmassist.customers.selectors import manager_grades
from gmassist.customers.tests.factories import make_book
from gmassist.org.models import Review


def test_post_grade_is_five_at_the_top_staff_grade():
    assert post_grade(6) == 5.0
    assert post_grade(3) == 2.5
    assert post_grade(8) == 5.0
    assert post_grade(None) == 0.0


def test_salary_grade_runs_from_compa_080_to_120():
    assert salary_grade(0.80) == 0.0
    assert salary_grade(1.00) == 2.5
    assert salary_grade(1.20) == 5.0
    assert salary_grade(0.5) == 0.0
    assert salary_grade(None) == 0.0


def test_assessment_renormalises_over_the_known_parts():
    assert assessment_grade({"reviews": 4.0, "book_growth": None, "satisfaction": 2.0}) == 3.33
    assert assessment_grade({"reviews": None, "book_growth": None, "satisfaction": None}) == 0.0


def test_a_hand_checked_manager():
    grades = grade_manager(
        ManagerFacts(
            manager_id=1,
            position_grade=3,  # post 2.5
            compa_ratio=1.1,  # salary 3.75
            ratings=(4, 2, 5),  # the last two: 3.0
            book_growth=0.10,  # 2.5 + 1.0 = 3.5
            satisfaction=4.0,
        )
    )
    assert grades.assessment_parts == {"reviews": 3.0, "book_growth": 3.5, "satisfaction": 4.0}
    assert grades.assessment == 3.38  # 0.5 × 3 + 0.25 × 3.5 + 0.25 × 4 = 3.375
    assert grades.composite == 2.92  # 0.2 × 2.5 + 0.15 × 3.75 + 0.55 × 3.38 + 0
    assert grades.to_raise == {
        "post": [
            Reason(
                "a promotion to position grade %(grade)s raises it to %(value)s",
                {"grade": 4, "value": "3.33"},
            )
        ],
        "salary": [
            Reason(
                "pay at compa-ratio %(needed)s (now %(now)s) raises it to %(value)s",
                {"needed": "1.14", "now": "1.10", "value": "4.25"},
            )
        ],
        "assessment": [
            Reason(
                "a higher rating in the next review (mean of the last ones %(mean)s)",
                {"mean": "3.0"},
            ),
            Reason(
                "book revenue growth of %(target)s%% (now %(now)s%%) adds %(gain)s",
                {"target": "+15", "now": "+10", "gain": "0.12"},
            ),
            Reason(
                "customer satisfaction of %(target)s (now %(now)s) adds %(gain)s",
                {"target": "4.5", "now": "4.0", "gain": "0.12"},
            ),
        ],
        "training": [
            Reason(
                "completing the position's required training (each 10%% adds %(gain)s)",
                {"gain": "0.50"},
            )
        ],
    }
    assert [str(r) for r in grades.to_raise["post"] + grades.to_raise["assessment"]] == [
        "a promotion to position grade 4 raises it to 3.33",
        "a higher rating in the next review (mean of the last ones 3.0)",
        "book revenue growth of +15% (now +10%) adds 0.12",
        "customer satisfaction of 4.5 (now 4.0) adds 0.12",
    ]


def test_a_manager_with_nothing_recorded_is_told_what_to_record():
    grades = grade_manager(ManagerFacts(manager_id=1))
    assert [str(r) for k in ("salary", "assessment") for r in grades.to_raise[k]] == [
        "a position with a pay band (the grade reads pay against it)",
        "a performance review (none recorded)",
        "a book with revenue in both of the last two years",
        "rated service contacts (no satisfaction recorded)",
    ]
    assert grades.as_dict()["to_raise"]["salary"] == [
        {"template": "a position with a pay band (the grade reads pay against it)", "params": {}}
    ]


@given(
    st.integers(0, 10),
    st.one_of(st.none(), st.floats(0, 3)),
    st.lists(st.integers(1, 5), max_size=4),
    st.one_of(st.none(), st.floats(-1, 5)),
    st.one_of(st.none(), st.floats(1, 5)),
)
def test_every_grade_stays_between_0_and_5(grade, compa, ratings, growth, satisfaction):
    g = grade_manager(ManagerFacts(1, grade, compa, tuple(ratings), growth, satisfaction))
    for value in (g.post, g.salary, g.assessment, g.training, g.composite):
        assert 0.0 <= value <= 5.0
    assert g.composite == composite_grade(g.post, g.salary, g.assessment, g.training)
    for reasons in g.to_raise.values():
        assert reasons
        for reason in reasons:
            assert "%(" not in str(reason) and "%%" not in str(reason)


@pytest.fixture
def alice(cast):
    customers = make_book(cast)
    manager = AccountManager.objects.get(employee__employee_no="E006")
    Review.objects.create(employee=manager.employee, period="2025", rating=4)
    for month, amount in ((dt.date(2025, 3, 1), 100), (dt.date(2026, 3, 1), 120)):
        MonthlyRevenue.objects.create(customer=customers["C1"], month=month, amount=Decimal(amount))
    ServiceContact.objects.create(
        customer=customers["C1"], date=dt.date(2026, 2, 3), channel="call_centre",
        kind="inquiry", satisfaction=5, resolved=True,
    )  # fmt: skip
    return manager


AS_OF = dt.date(2026, 5, 1)  # the last 12 months: 2025-05..2026-04


def test_a_manager_sees_their_own_grades_unaudited(alice, cast):
    grades = manager_grades(user=cast.account_manager, manager=alice, as_of=AS_OF)
    # salesperson grade 2 → 1.67; pay 100,000 on a 100,000 midpoint → 2.5; growth +20% → 4.5
    assert (grades.post, grades.salary) == (1.67, 2.5)
    assert grades.assessment_parts == {"reviews": 4.0, "book_growth": 4.5, "satisfaction": 5.0}
    assert AuditEntry.objects.filter(action=AuditAction.READ_PAY).count() == 0


def test_the_head_reads_them_and_it_is_audited(alice, cast):
    assert manager_grades(user=cast.head, manager=alice, as_of=AS_OF) is not None
    entry = AuditEntry.objects.get(action=AuditAction.READ_PAY)
    assert (entry.actor, entry.target_id) == (cast.head, str(alice.employee_id))


@pytest.mark.parametrize("who", ["employee", "outsider"])
def test_others_may_not_read_the_grades(alice, cast, who):
    assert manager_grades(user=getattr(cast, who), manager=alice, as_of=AS_OF) is None
    assert AuditEntry.objects.filter(action=AuditAction.READ_PAY).count() == 0
