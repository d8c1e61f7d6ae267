"""The organisation's write services: permission, validation as field errors, audit, no-ops."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gmassist.core.choices import AuditAction
from gmassist.core.models import AuditEntry, Proposal
from gmassist.core.permissions import SYSTEM
from gmassist.org import services
from gmassist.org.models import Department, Employee, EmployeeSkill, Position, Review, Skill


def audit_actions(target_type: str) -> list[str]:
    return list(
        AuditEntry.objects.filter(target_type=target_type)
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_department_is_created_under_its_parent_and_audited(cast):
    department = services.department_create(
        code=" OPS ", name="Operations", parent=cast.hq, by=cast.gm
    )
    assert (department.code, department.parent) == ("OPS", cast.hq)
    assert audit_actions("org.department") == [AuditAction.CREATE]


def test_the_system_may_create_without_a_user(cast):
    department = services.department_create(code="SYS", name="System", by=SYSTEM)
    assert AuditEntry.objects.get(target_id=str(department.pk)).actor is None


def test_a_head_may_not_create_a_department_even_below_their_own(cast):
    with pytest.raises(PermissionDenied):
        services.department_create(code="X", name="X", parent=cast.sales, by=cast.head)
    assert not Department.objects.filter(code="X").exists()


def test_a_department_update_records_old_and_new_values(cast):
    services.department_update(
        department=cast.rnd, data={"name": "Research", "head": cast.outsider.employee}, by=cast.hr
    )
    entry = AuditEntry.objects.get(target_type="org.department", action=AuditAction.UPDATE)
    assert entry.changes == {
        "name": ["R&D", "Research"],
        "head": [None, cast.outsider.employee_id],
    }


def test_an_update_that_changes_nothing_writes_and_records_nothing(cast):
    before = Department.objects.get(pk=cast.rnd.pk).updated_at
    services.department_update(department=cast.rnd, data={"name": "R&D"}, by=cast.gm)
    assert Department.objects.get(pk=cast.rnd.pk).updated_at == before
    assert audit_actions("org.department") == []


def test_a_department_cannot_become_its_own_ancestor(cast):
    with pytest.raises(ValidationError) as exc:
        services.department_update(department=cast.hq, data={"parent": cast.sales_east}, by=cast.gm)
    assert list(exc.value.message_dict) == ["parent"]


def test_an_unknown_field_is_refused(cast):
    with pytest.raises(ValidationError) as exc:
        services.department_update(department=cast.rnd, data={"created_at": None}, by=cast.gm)
    assert list(exc.value.message_dict) == ["created_at"]


def test_a_band_out_of_order_surfaces_as_an_error_and_writes_nothing(cast):
    with pytest.raises(ValidationError):
        services.position_create(
            code="BAD",
            title="Bad band",
            band_min=Decimal("3"),
            band_mid=Decimal("2"),
            band_max=Decimal("1"),
            by=cast.gm,
        )
    assert not Position.objects.filter(code="BAD").exists()
    assert audit_actions("org.position") == []


def test_a_head_may_not_change_the_catalogue(cast):
    with pytest.raises(PermissionDenied):
        services.position_create(code="X", title="X", by=cast.head)
    with pytest.raises(PermissionDenied):
        services.position_update(position=cast.engineer, data={"title": "X"}, by=cast.head)
    assert Position.objects.get(pk=cast.engineer.pk).title == "Engineer"


def test_an_employee_is_created_with_a_normalised_name_and_its_starting_pay_audited(cast):
    employee = services.employee_create(
        employee_no="E200",
        full_name="  Ada   Lovelace ",
        department=cast.rnd,
        hire_date=dt.date(2026, 1, 5),
        base_pay=Decimal("123456.78"),
        by=cast.hr,
    )
    assert employee.full_name == "Ada Lovelace"
    assert employee.base_pay == Decimal("123456.78")
    entry = AuditEntry.objects.get(target_type="org.employee")
    assert entry.changes["base_pay"] == "123456.78"  # every pay write names its amount


def test_an_employee_cannot_leave_before_being_hired(cast):
    with pytest.raises(ValidationError) as exc:
        services.employee_update(
            employee=cast.outsider.employee,
            data={"leave_date": dt.date(2019, 1, 1), "status": "left"},
            by=cast.hr,
        )
    assert list(exc.value.message_dict) == ["leave_date"]
    assert Employee.objects.get(pk=cast.outsider.employee_id).status == "active"


def test_nobody_is_their_own_manager(cast):
    employee = cast.employee.employee
    with pytest.raises(ValidationError) as exc:
        services.employee_update(employee=employee, data={"manager": employee}, by=cast.gm)
    assert "manager" in exc.value.message_dict


def test_a_new_base_pay_in_an_update_becomes_a_proposal_and_pays_nothing_yet(cast):
    employee = services.employee_update(
        employee=cast.employee.employee, data={"base_pay": Decimal("104000")}, by=cast.hr
    )

    assert Employee.objects.get(pk=cast.employee.employee_id).base_pay == Decimal("100000")
    [made] = employee.proposals_made
    proposal = Proposal.objects.get(pk=made["id"])
    assert (proposal.kind, proposal.status) == ("org.pay_change_batch", "open")
    assert proposal.payload["lines"][0]["new_base_pay"] == "104000.00"
    entry = AuditEntry.objects.get(target_type="org.employee", action="update")
    assert entry.changes == {"proposals": [proposal.pk]}


def test_a_head_may_not_change_their_reports(cast):
    with pytest.raises(PermissionDenied):
        services.employee_update(
            employee=cast.employee.employee, data={"location": "X"}, by=cast.head
        )
    with pytest.raises(PermissionDenied):
        services.review_create(
            employee=cast.employee.employee, period="2025", rating=5, by=cast.head
        )
    assert not Review.objects.exists()


def test_one_review_per_employee_and_period(cast):
    services.review_create(employee=cast.employee.employee, period="2025", rating=3, by=cast.hr)
    with pytest.raises(ValidationError) as exc:
        services.review_create(employee=cast.employee.employee, period="2025", rating=4, by=cast.hr)
    assert exc.value.message_dict == {"period": ["this person has a review for this period"]}
    assert Review.objects.get().rating == 3


def test_a_review_update_is_audited(cast):
    review = services.review_create(
        employee=cast.employee.employee, period="2025-H1", rating=3, by=cast.hr
    )
    services.review_update(review=review, data={"rating": 4, "comment": "better"}, by=cast.gm)
    assert audit_actions("org.review") == [AuditAction.CREATE, AuditAction.UPDATE]
    assert Review.objects.get().rating == 4


def test_a_skill_level_is_set_then_updated_then_left_alone(cast):
    skill = Skill.objects.create(code="SQL", name="SQL")
    employee = cast.employee.employee
    _row, created = services.employee_skill_set(employee=employee, skill=skill, level=2, by=cast.hr)
    assert created is True
    _row, created = services.employee_skill_set(employee=employee, skill=skill, level=4, by=cast.hr)
    assert created is False
    services.employee_skill_set(employee=employee, skill=skill, level=4, by=cast.hr)
    assert EmployeeSkill.objects.get().level == 4
    assert audit_actions("org.employeeskill") == [AuditAction.CREATE, AuditAction.UPDATE]


def test_a_skill_level_above_5_is_refused(cast):
    skill = Skill.objects.create(code="SQL", name="SQL")
    with pytest.raises(ValidationError) as exc:
        services.employee_skill_set(
            employee=cast.employee.employee, skill=skill, level=6, by=cast.hr
        )
    assert "level" in exc.value.message_dict
    assert not EmployeeSkill.objects.exists()
