"""People's records on screen: hire, edit, record a leaver and take it back, with the history.

Every form: success, no login, wrong scope (nothing changed), bad input (the error names the
field), the check as you type, and the history entry it writes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from gmassist.core.models import AuditEntry, Proposal
from gmassist.org.models import (
    Department,
    Employee,
    EmployeeSkill,
    Position,
    Review,
    Separation,
    Skill,
)
from gmassist.org.selectors import employee_history

HIRE = {
    "employee_no": "E100",
    "full_name": "Chen Jie",
    "department": "SALES-E",
    "position": "SAL-2",
    "manager": "E003",
    "hire_date": "2026-12-01",
    "gender": "male",
    "employment_type": "full_time",
    "base_pay": "95,000",
    "comment": "Replaces Emma's vacancy",
}


def _edit_data(employee: Employee, **changes: str) -> dict[str, str]:
    """The edit form as it is shown (its initial values), with `changes` typed over it."""
    data = {
        "full_name": employee.full_name,
        "family_name": employee.family_name,
        "given_name": employee.given_name,
        "email": employee.email,
        "department": employee.department.code,
        "position": employee.position.code if employee.position_id else "",
        "manager": employee.manager.employee_no if employee.manager_id else "",
        "hire_date": employee.hire_date.isoformat(),
        "birth_date": "",
        "gender": employee.gender,
        "location": employee.location,
        "employment_type": employee.employment_type,
        "base_pay": f"{employee.base_pay:f}",
        "paid_leave_days": "",
        "comment": "",
    }
    data.update(changes)
    return data


# --- hire ------------------------------------------------------------------------------------


def test_hr_hires_a_person_and_the_history_names_every_value_and_the_reason(client, cast):
    client.force_login(cast.hr)

    assert client.get("/org/employees/new/").status_code == 200
    response = client.post("/org/employees/new/", HIRE)

    hired = Employee.objects.get(employee_no="E100")
    assert response.status_code == 302
    assert response["Location"] == f"/org/employees/{hired.pk}/"
    assert (hired.family_name, hired.given_name) == ("Chen", "Jie")
    assert (hired.department, hired.position, hired.manager.employee_no) == (
        cast.sales_east,
        cast.salesperson,
        "E003",
    )
    assert (hired.hire_date, hired.base_pay) == (dt.date(2026, 12, 1), Decimal("95000.00"))
    [entry] = AuditEntry.objects.filter(target_type="org.employee", target_id=str(hired.pk))
    assert entry.action == "create"
    assert entry.changes["base_pay"] == "95000.00"
    assert entry.changes["comment"] == "Replaces Emma's vacancy"
    page = client.get(f"/org/employees/{hired.pk}/").content.decode()
    assert "Replaces Emma&#x27;s vacancy" in page
    assert 'data-testid="history-entry"' in page


def test_hiring_needs_a_login_and_writes_nothing_without_one(client, cast):
    response = client.post("/org/employees/new/", HIRE)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not Employee.objects.filter(employee_no="E100").exists()


@pytest.mark.parametrize("who", ["head", "employee", "account_manager"])
def test_a_role_that_may_not_change_records_cannot_hire(client, cast, who):
    client.force_login(getattr(cast, who))

    assert client.get("/org/employees/new/").status_code == 403
    assert client.post("/org/employees/new/", HIRE).status_code == 403
    assert not Employee.objects.filter(employee_no="E100").exists()


def test_a_hire_without_a_department_or_with_a_bad_date_shows_the_errors_next_to_the_fields(
    client, cast
):
    client.force_login(cast.hr)

    response = client.post(
        "/org/employees/new/", {**HIRE, "department": "", "hire_date": "2026-02-30"}
    )

    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors == {
        "hire_date": ["not a date: '2026-02-30' (day is out of range for month)"],
        "department": ["a new employee needs a department"],
    }
    assert not Employee.objects.filter(employee_no="E100").exists()


def test_a_department_that_does_not_exist_is_refused_not_created(client, cast):
    client.force_login(cast.hr)

    response = client.post("/org/employees/new/", {**HIRE, "department": "NOWHERE"})

    assert response.status_code == 422
    assert response.context["form"].errors == {"department": ["no such code: NOWHERE"]}
    assert not Employee.objects.filter(employee_no="E100").exists()


def test_the_check_as_you_type_puts_the_errors_in_place_and_writes_nothing(client, cast):
    client.force_login(cast.hr)

    response = client.post(
        "/org/employees/new/",
        {**HIRE, "full_name": "", "validate": "1"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert '<span id="errors-full_name" class="field-errors" hx-swap-oob="true">' in body
    assert "a new employee needs a name" in body
    assert not Employee.objects.filter(employee_no="E100").exists()
    assert not AuditEntry.objects.filter(target_type="org.employee").exists()


def test_the_hire_form_reads_in_chinese(client, cast):
    cast.hr.language = "zh-hans"
    cast.hr.save(update_fields=["language"])
    client.force_login(cast.hr)

    with translation.override("zh-hans"):
        body = client.get("/org/employees/new/").content.decode()

    assert "录用一名员工" in body
    assert "入职日期" in body


# --- edit ------------------------------------------------------------------------------------


def test_hr_corrects_a_record_and_the_history_shows_old_and_new(client, cast):
    employee = cast.employee.employee
    client.force_login(cast.hr)

    assert client.get(f"/org/employees/{employee.pk}/edit/").status_code == 200
    response = client.post(
        f"/org/employees/{employee.pk}/edit/",
        _edit_data(employee, location="Shanghai", comment="Moved office"),
    )

    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.location == "Shanghai"
    entry = AuditEntry.objects.get(target_type="org.employee", action="update")
    assert entry.changes == {"location": ["", "Shanghai"], "comment": "Moved office"}
    page = client.get(f"/org/employees/{employee.pk}/").content.decode()
    assert "→ Shanghai" in page
    assert "Moved office" in page


def test_a_transfer_to_another_department_and_manager_is_one_change(client, cast):
    employee = cast.employee.employee
    client.force_login(cast.hr)

    client.post(
        f"/org/employees/{employee.pk}/edit/",
        _edit_data(employee, department="RND", manager="E005"),
    )

    employee.refresh_from_db()
    assert (employee.department, employee.manager.employee_no) == (cast.rnd, "E005")
    entry = AuditEntry.objects.get(target_type="org.employee", action="update")
    assert entry.changes == {
        "department": [cast.sales_east.pk, cast.rnd.pk],
        "manager": [cast.head.employee_id, cast.outsider.employee_id],
    }


def test_a_pay_typed_for_an_existing_employee_becomes_a_proposal_not_a_write(client, cast):
    employee = cast.employee.employee
    client.force_login(cast.hr)

    client.post(f"/org/employees/{employee.pk}/edit/", _edit_data(employee, base_pay="104000"))

    employee.refresh_from_db()
    assert employee.base_pay == Decimal("100000.00")
    proposal = Proposal.objects.get(kind="org.pay_change_batch")
    assert proposal.status == "open"
    assert proposal.payload["lines"][0]["new_base_pay"] == "104000.00"


def test_an_edit_with_a_bad_value_changes_nothing_and_names_the_field(client, cast):
    employee = cast.employee.employee
    client.force_login(cast.hr)

    response = client.post(
        f"/org/employees/{employee.pk}/edit/",
        _edit_data(employee, email="not-an-address", location="Shanghai"),
    )

    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["email"]
    employee.refresh_from_db()
    assert (employee.email, employee.location) == ("", "")


@pytest.mark.parametrize("who", ["head", "employee"])
def test_a_role_that_may_not_change_the_record_cannot_edit_it(client, cast, who):
    employee = cast.employee.employee
    client.force_login(getattr(cast, who))

    assert client.get(f"/org/employees/{employee.pk}/edit/").status_code == 403
    response = client.post(
        f"/org/employees/{employee.pk}/edit/", _edit_data(employee, location="Shanghai")
    )

    assert response.status_code == 403
    employee.refresh_from_db()
    assert employee.location == ""


def test_a_record_the_user_cannot_see_is_not_found(client, cast):
    client.force_login(cast.head)

    response = client.get(f"/org/employees/{cast.outsider.employee_id}/edit/")

    assert response.status_code == 404


# --- leavers ---------------------------------------------------------------------------------


def test_hr_records_a_leaver_and_takes_it_back(client, cast):
    employee = cast.employee.employee
    client.force_login(cast.hr)

    response = client.post(
        f"/org/employees/{employee.pk}/leaving/",
        {
            "leave_date": "2026-11-30",
            "separation_type": "voluntary",
            "leave_reason": "Better pay elsewhere",
            "regretted": "yes",
            "comment": "Resignation letter of 2026-10-31",
        },
    )

    assert response.status_code == 302
    employee.refresh_from_db()
    assert (employee.status, employee.leave_date) == ("left", dt.date(2026, 11, 30))
    separation = Separation.objects.get(employee=employee)
    assert (separation.separation_type, separation.reason, separation.regretted) == (
        "voluntary",
        "Better pay elsewhere",
        True,
    )

    response = client.post(
        f"/org/employees/{employee.pk}/leaving/undo/", {"comment": "Wrong person"}
    )

    assert response.status_code == 302
    employee.refresh_from_db()
    assert (employee.status, employee.leave_date) == ("active", None)
    assert not Separation.objects.filter(employee=employee).exists()
    undo = AuditEntry.objects.filter(target_type="org.employee", action="update").first()
    assert undo.changes == {
        "leave_date": ["2026-11-30", None],
        "status": ["left", "active"],
        "removed": {
            "date": "2026-11-30",
            "separation_type": "voluntary",
            "reason": "Better pay elsewhere",
        },
        "comment": "Wrong person",
    }


def test_a_leaver_needs_a_separation_type(client, cast):
    employee = cast.employee.employee
    client.force_login(cast.hr)

    response = client.post(f"/org/employees/{employee.pk}/leaving/", {"leave_date": "2026-11-30"})

    assert response.status_code == 422
    assert response.context["form"].errors == {
        "separation_type": ["a leaver needs a separation type"]
    }
    employee.refresh_from_db()
    assert employee.status == "active"


def test_taking_back_someone_who_has_not_left_changes_nothing(client, cast):
    employee = cast.employee.employee
    client.force_login(cast.hr)

    response = client.post(f"/org/employees/{employee.pk}/leaving/undo/", {})

    assert response.status_code == 302
    assert not AuditEntry.objects.filter(target_type="org.employee").exists()


def test_a_head_cannot_record_a_leaver(client, cast):
    employee = cast.employee.employee
    client.force_login(cast.head)

    response = client.post(
        f"/org/employees/{employee.pk}/leaving/",
        {"leave_date": "2026-11-30", "separation_type": "voluntary"},
    )

    assert response.status_code == 403
    employee.refresh_from_db()
    assert employee.status == "active"


# --- the history and the manager list ----------------------------------------------------------


def test_the_history_hides_pay_changes_from_who_may_not_read_pay(client, cast):
    from gmassist.core.services import audit_record

    employee = cast.outsider.employee
    audit_record(
        actor=cast.hr,
        action="update",
        target=employee,
        changes={"base_pay": ["100000.00", "1.00"], "location": ["", "Beijing"]},
    )

    [seen_by_hr] = employee_history(user=cast.hr, employee=employee)
    assert seen_by_hr.changes == {"base_pay": ["100000.00", "1.00"], "location": ["", "Beijing"]}
    assert employee_history(user=cast.employee, employee=employee) is None
    assert employee_history(user=cast.head, employee=employee) is None


def test_the_manager_list_offers_only_people_the_user_may_see(client, cast):
    client.force_login(cast.head)

    body = client.get("/org/employees/options/", {"manager": "E00"}).content.decode()

    assert 'value="E004"' in body
    assert 'value="E005"' not in body  # in R&D, outside the head's subtree


# --- reviews and skills ----------------------------------------------------------------------


def test_hr_adds_a_review_and_it_shows_in_the_persons_history(client, cast):
    employee = cast.employee.employee
    client.force_login(cast.hr)

    assert client.get(f"/org/employees/{employee.pk}/reviews/new/").status_code == 200
    response = client.post(
        f"/org/employees/{employee.pk}/reviews/new/",
        {"period": "2026-H2", "rating": "4", "potential": "2", "reviewer": "E003", "comment": ""},
    )

    assert response.status_code == 302
    review = Review.objects.get(employee=employee, period="2026-H2")
    assert (review.rating, review.potential, review.reviewer.employee_no) == (4, 2, "E003")
    entry = AuditEntry.objects.get(target_type="org.review")
    assert entry.changes == {
        "period": "2026-H2",
        "rating": 4,
        "potential": 2,
        "reviewer": cast.head.employee_id,
    }
    [seen] = employee_history(user=cast.hr, employee=employee)
    assert seen.pk == entry.pk


def test_a_review_with_a_rating_of_six_names_the_rating_and_writes_nothing(client, cast):
    employee = cast.employee.employee
    client.force_login(cast.hr)

    response = client.post(
        f"/org/employees/{employee.pk}/reviews/new/", {"period": "2026-H2", "rating": "6"}
    )

    assert response.status_code == 422
    assert response.context["form"].errors == {"rating": ["must be from 1 to 5"]}
    assert not Review.objects.exists()


def test_hr_sets_a_skill_level_and_setting_it_again_records_nothing(client, cast):
    employee = cast.employee.employee
    skill = Skill.objects.create(code="BIL", name="Billing")
    client.force_login(cast.hr)

    for _ in range(2):
        response = client.post(
            f"/org/employees/{employee.pk}/skills/", {"skill": "BIL", "level": "3"}
        )
        assert response.status_code == 302

    assert EmployeeSkill.objects.get(employee=employee, skill=skill).level == 3
    assert AuditEntry.objects.filter(target_type="org.employeeskill").count() == 1


def test_a_skill_that_does_not_exist_is_refused_not_created(client, cast):
    employee = cast.employee.employee
    client.force_login(cast.hr)

    response = client.post(f"/org/employees/{employee.pk}/skills/", {"skill": "X", "level": "3"})

    assert response.status_code == 422
    assert response.context["form"].errors == {"skill": ["no such code: X"]}
    assert not Skill.objects.exists()


@pytest.mark.parametrize("path", ["reviews/new/", "skills/"])
def test_a_head_cannot_add_reviews_or_skills(client, cast, path):
    employee = cast.employee.employee
    Skill.objects.create(code="BIL", name="Billing")
    client.force_login(cast.head)

    response = client.post(
        f"/org/employees/{employee.pk}/{path}", {"period": "2026", "rating": "3", "skill": "BIL"}
    )

    assert response.status_code == 403
    assert not Review.objects.exists()
    assert not EmployeeSkill.objects.exists()


def test_reviews_and_skills_need_a_login(client, cast):
    employee = cast.employee.employee

    response = client.post(
        f"/org/employees/{employee.pk}/reviews/new/", {"period": "2026", "rating": "3"}
    )

    assert response.status_code == 302
    assert not Review.objects.exists()


# --- proposing a raise or a promotion ------------------------------------------------------------

PROPOSE = {
    "change": "raise",
    "new_base_pay": "108,000",
    "effective_date": "2027-01-01",
    "reason": "review",
    "rationale": "Paid below the band midpoint for two years",
}


def test_a_head_proposes_a_raise_for_their_person_with_the_evidence(client, cast):
    employee = cast.employee.employee
    Review.objects.create(employee=employee, period="2026-H1", rating=4)
    client.force_login(cast.head)

    assert client.get(f"/org/employees/{employee.pk}/propose/").status_code == 200
    response = client.post(f"/org/employees/{employee.pk}/propose/", PROPOSE)

    proposal = Proposal.objects.get(kind="org.pay_change")
    assert response.status_code == 302
    assert response["Location"] == f"/proposals/{proposal.pk}/"
    assert (proposal.status, proposal.cost, proposal.proposed_by) == (
        "open",
        Decimal("8000.00"),
        cast.head,
    )
    assert proposal.payload["effective_date"] == "2027-01-01"
    assert [(item["label"], item["value"]) for item in proposal.evidence] == [
        ("current base pay", "100000.00"),
        ("compa-ratio (pay / band midpoint)", "1.00 → 1.08"),
        ("salary band (min – mid – max)", "80,000 – 100,000 – 120,000"),
        ("last raise", None),
        ("last performance rating", "4 / 5 (2026-H1)"),
    ]
    employee.refresh_from_db()
    assert employee.base_pay == Decimal("100000.00")  # nothing changes until approved


def test_a_proposal_without_a_reason_or_with_a_bad_amount_names_the_field(client, cast):
    employee = cast.employee.employee
    client.force_login(cast.hr)

    response = client.post(
        f"/org/employees/{employee.pk}/propose/",
        {**PROPOSE, "new_base_pay": "a lot", "rationale": ""},
    )

    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["new_base_pay"]
    response = client.post(f"/org/employees/{employee.pk}/propose/", {**PROPOSE, "rationale": ""})
    assert response.context["form"].errors == {"rationale": ["a proposal needs a rationale"]}
    assert not Proposal.objects.exists()


def test_nobody_proposes_a_raise_for_themselves(client, cast):
    client.force_login(cast.head)

    response = client.post(f"/org/employees/{cast.head.employee_id}/propose/", PROPOSE)

    assert response.status_code == 403
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("who", ["employee", "account_manager"])
def test_a_role_that_may_not_read_the_pay_cannot_propose(client, cast, who):
    client.force_login(getattr(cast, who))

    response = client.post(f"/org/employees/{cast.employee.employee_id}/propose/", PROPOSE)

    assert response.status_code in (403, 404)
    assert not Proposal.objects.exists()


def test_proposing_needs_a_login(client, cast):
    response = client.post(f"/org/employees/{cast.employee.employee_id}/propose/", PROPOSE)

    assert response.status_code == 302
    assert not Proposal.objects.exists()


# --- departments and positions -----------------------------------------------------------------


def test_hr_adds_a_department_and_moves_it_in_the_tree_with_a_new_head(client, cast):
    client.force_login(cast.hr)

    assert client.get("/org/departments/new/").status_code == 200
    response = client.post(
        "/org/departments/new/", {"code": "OPS", "name": "Operations", "parent": "HQ"}
    )
    assert response.status_code == 302
    ops = Department.objects.get(code="OPS")
    assert ops.parent == cast.hq

    response = client.post(
        f"/org/departments/{ops.pk}/edit/",
        {"name": "Operations", "parent": "SALES", "head": "E006", "comment": "Reorganisation"},
    )

    assert response.status_code == 302
    ops.refresh_from_db()
    assert (ops.parent, ops.head.employee_no) == (cast.sales, "E006")
    entry = AuditEntry.objects.get(target_type="org.department", action="update")
    assert entry.changes == {
        "parent": [cast.hq.pk, cast.sales.pk],
        "head": [None, cast.account_manager.employee_id],
        "comment": "Reorganisation",
    }


def test_a_department_cannot_move_below_itself_and_nothing_changes(client, cast):
    client.force_login(cast.hr)

    response = client.post(
        f"/org/departments/{cast.sales.pk}/edit/",
        {"name": "Sales", "parent": "SALES-E", "head": "E003"},
    )

    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["parent"]
    cast.sales.refresh_from_db()
    assert cast.sales.parent == cast.hq


def test_hr_changes_a_positions_band_and_a_band_out_of_order_is_refused(client, cast):
    client.force_login(cast.hr)
    url = f"/org/positions/{cast.engineer.pk}/edit/"
    band = {
        "title": "Engineer",
        "job_family": "Engineering",
        "grade": "3",
        "band_min": "95000",
        "band_mid": "115000",
        "band_max": "135000",
        "currency": "CNY",
    }

    assert client.post(url, band).status_code == 302
    cast.engineer.refresh_from_db()
    assert (cast.engineer.band_min, cast.engineer.band_max) == (
        Decimal("95000.00"),
        Decimal("135000.00"),
    )

    response = client.post(url, {**band, "band_mid": "90000"})
    assert response.status_code == 422
    assert response.context["form"].errors == {
        "band_mid": ["the band is out of order: band_min 95000.00 > 90000.00"]
    }
    cast.engineer.refresh_from_db()
    assert cast.engineer.band_mid == Decimal("115000.00")


@pytest.mark.parametrize(
    "path", ["/org/departments/new/", "/org/positions/new/", "departments-edit", "positions-edit"]
)
def test_a_head_changes_neither_departments_nor_positions(client, cast, path):
    path = {
        "departments-edit": f"/org/departments/{cast.sales.pk}/edit/",
        "positions-edit": f"/org/positions/{cast.salesperson.pk}/edit/",
    }.get(path, path)
    client.force_login(cast.head)

    response = client.post(path, {"code": "X", "name": "X", "title": "X"})

    assert response.status_code == 403
    assert not Department.objects.filter(code="X").exists()
    assert not Position.objects.filter(code="X").exists()
    cast.sales.refresh_from_db()
    assert cast.sales.name == "Sales"


def test_the_positions_list_shows_the_bands(client, cast):
    client.force_login(cast.hr)

    body = client.get("/org/positions/").content.decode()

    assert "90,000 – 110,000 – 130,000 CNY" in body
