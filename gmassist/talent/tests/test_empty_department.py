"""The key people and the nine-box of a department with no current employees: empty answers,
not a server error (an empty frame's columns had no types; see key_people_frame)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import make_employee
from gmassist.core.choices import AuditAction
from gmassist.core.models import AuditEntry
from gmassist.org.choices import EmployeeStatus
from gmassist.org.models import Department
from gmassist.talent import selectors


@pytest.fixture
def empty(skilled):
    """A department under HQ whose only employee has left."""
    department = Department.objects.create(code="EMPTY", name="Empty", parent=skilled.hq)
    make_employee(
        "E090",
        "Left Behind",
        department,
        skilled.engineer,
        status=EmployeeStatus.LEFT,
        leave_date=dt.date(2024, 6, 30),
    )
    return department


def test_it_reads_no_key_people_for_an_empty_department(skilled, empty):
    result = selectors.key_people(user=skilled.gm, department_id=empty.pk)
    assert len(result.scored) == 0
    assert result.by_department == []
    assert selectors.key_people_rows(result, irreplaceable_only=True) == []
    assert AuditEntry.objects.filter(action=AuditAction.READ_PAY).count() == 0


def test_the_key_people_api_answers_an_empty_list(client, skilled, empty):
    client.force_login(skilled.hr)
    response = client.get("/api/talent/key-people", {"department_id": empty.pk})
    assert response.status_code == 200, response.content
    assert response.json() == {"count": 0, "page": 1, "page_size": 50, "items": []}


def test_the_nine_box_api_answers_nine_empty_cells(client, skilled, empty):
    client.force_login(skilled.gm)
    response = client.get("/api/talent/nine-box", {"department_id": empty.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["unplaced"] == 0
    assert len(body["cells"]) == 9
    assert [cell["count"] for cell in body["cells"]] == [0] * 9
    assert all(cell["employee_ids"] == [] for cell in body["cells"])


def test_the_key_people_page_shows_no_rows(client, skilled, empty):
    client.force_login(skilled.gm)
    response = client.get(reverse("talent:key_people"), {"department": empty.pk})
    assert response.status_code == 200
    assert response.context["rows"] == []


def test_an_empty_department_still_needs_a_role_that_may_see_key_people(client, skilled, empty):
    client.force_login(skilled.employee)
    response = client.get("/api/talent/nine-box", {"department_id": empty.pk})
    assert response.status_code == 403
    assert AuditEntry.objects.filter(action=AuditAction.READ_PAY).count() == 0


def test_a_department_that_does_not_exist_is_a_422(client, skilled):
    client.force_login(skilled.gm)
    response = client.get("/api/talent/nine-box", {"department_id": 999_999})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["department_id"]
