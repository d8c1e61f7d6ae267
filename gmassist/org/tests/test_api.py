"""The organisation's endpoints: departments, positions, employees and pay, reviews, skills.

Every endpoint: success, not logged in (401), out of scope (404) or not allowed (403, with
nothing changed), bad input (422); the lists' query counts are pinned for any page size.
"""

import datetime as dt
from decimal import Decimal

import pytest

from conftest import assert_problem
from gmassist.core.choices import AuditAction
from gmassist.core.models import AuditEntry
from gmassist.org.models import Department, Employee, EmployeeSkill, Position, Review, Skill

JSON = "application/json"


def error_fields(response) -> list:
    return sorted(str(e["field"]) for e in assert_problem(response, 422)["errors"])


@pytest.fixture
def review(cast) -> Review:
    return Review.objects.create(
        employee=cast.employee.employee, period="2025", rating=4, reviewer=cast.head.employee
    )


@pytest.fixture
def python(cast) -> Skill:
    return Skill.objects.create(code="PY", name="Python", category="Engineering")


# --- departments -----------------------------------------------------------------------------


def test_the_gm_lists_every_department_by_name(client, cast):
    client.force_login(cast.gm)
    body = client.get("/api/departments").json()
    assert body["count"] == 4
    assert [d["name"] for d in body["items"]] == ["Headquarters", "R&D", "Sales", "Sales East"]
    sales = body["items"][2]
    assert sales["head"] == {
        "id": cast.head.employee_id,
        "employee_no": "E003",
        "full_name": "Hank Head",
    }


def test_departments_filter_by_parent_and_search(client, cast):
    client.force_login(cast.gm)
    below_hq = client.get(f"/api/departments?parent_id={cast.hq.pk}").json()
    assert [d["code"] for d in below_hq["items"]] == ["RND", "SALES"]
    assert [d["code"] for d in client.get("/api/departments?search=east").json()["items"]] == [
        "SALES-E"
    ]


def test_a_head_sees_their_subtree_and_an_employee_no_department(client, cast):
    client.force_login(cast.head)
    assert [d["code"] for d in client.get("/api/departments").json()["items"]] == [
        "SALES",
        "SALES-E",
    ]
    assert_problem(client.get(f"/api/departments/{cast.rnd.pk}"), 404)
    client.force_login(cast.employee)
    assert client.get("/api/departments").json()["count"] == 0


def test_department_detail(client, cast):
    client.force_login(cast.hr)
    body = client.get(f"/api/departments/{cast.sales_east.pk}").json()
    assert body == {
        "id": cast.sales_east.pk,
        "code": "SALES-E",
        "name": "Sales East",
        "parent_id": cast.sales.pk,
        "head": None,
    }


def test_hr_adds_a_department_and_it_is_audited(client, cast):
    client.force_login(cast.hr)
    response = client.post(
        "/api/departments",
        {"code": "SALES-W", "name": "Sales West", "parent_id": cast.sales.pk},
        content_type=JSON,
    )
    assert response.status_code == 201
    created = Department.objects.get(code="SALES-W")
    assert created.parent == cast.sales
    entry = AuditEntry.objects.get(target_type="org.department", target_id=str(created.pk))
    assert (entry.actor, entry.action) == (cast.hr, AuditAction.CREATE)


def test_a_head_may_not_add_a_department(client, cast):
    client.force_login(cast.head)
    response = client.post(
        "/api/departments",
        {"code": "SALES-W", "name": "Sales West", "parent_id": cast.sales.pk},
        content_type=JSON,
    )
    assert_problem(response, 403)
    assert not Department.objects.filter(code="SALES-W").exists()


def test_a_department_with_a_taken_code_or_missing_name_is_a_422(client, cast):
    client.force_login(cast.gm)
    taken = client.post("/api/departments", {"code": "RND", "name": "Again"}, content_type=JSON)
    assert error_fields(taken) == ["code"]
    assert error_fields(client.post("/api/departments", {"code": "X"}, content_type=JSON)) == [
        "name"
    ]
    assert Department.objects.count() == 4


def test_a_parent_the_user_cannot_see_is_a_field_error(client, cast):
    client.force_login(cast.gm)
    response = client.post(
        "/api/departments", {"code": "X", "name": "X", "parent_id": 999999}, content_type=JSON
    )
    assert error_fields(response) == ["parent_id"]


def test_hr_renames_a_department_and_moves_it(client, cast):
    client.force_login(cast.hr)
    response = client.patch(
        f"/api/departments/{cast.sales_east.pk}",
        {"name": "Sales East & North", "parent_id": cast.hq.pk},
        content_type=JSON,
    )
    assert response.status_code == 200
    cast.sales_east.refresh_from_db()
    assert (cast.sales_east.name, cast.sales_east.parent) == ("Sales East & North", cast.hq)


def test_a_department_cannot_move_below_itself(client, cast):
    client.force_login(cast.gm)
    response = client.patch(
        f"/api/departments/{cast.sales.pk}", {"parent_id": cast.sales_east.pk}, content_type=JSON
    )
    assert error_fields(response) == ["parent"]
    cast.sales.refresh_from_db()
    assert cast.sales.parent == cast.hq


def test_a_head_may_not_rename_their_own_department(client, cast):
    client.force_login(cast.head)
    response = client.patch(
        f"/api/departments/{cast.sales.pk}", {"name": "Mine"}, content_type=JSON
    )
    assert_problem(response, 403)
    cast.sales.refresh_from_db()
    assert cast.sales.name == "Sales"
    assert not AuditEntry.objects.filter(target_type="org.department").exists()


def test_departments_need_a_login(client, cast):
    assert_problem(client.get("/api/departments"), 401)
    assert_problem(client.get(f"/api/departments/{cast.sales.pk}"), 401)
    assert_problem(
        client.post("/api/departments", {"code": "X", "name": "X"}, content_type=JSON), 401
    )
    assert_problem(client.patch(f"/api/departments/{cast.sales.pk}", {}, content_type=JSON), 401)
    assert Department.objects.count() == 4


# --- positions -------------------------------------------------------------------------------


def test_everyone_reads_the_positions(client, cast):
    client.force_login(cast.employee)
    body = client.get("/api/positions").json()
    assert [p["code"] for p in body["items"]] == ["ENG-3", "SAL-2"]
    assert body["items"][0]["band_mid"] == "110000.00"
    assert client.get("/api/positions?job_family=Sales").json()["count"] == 1
    assert client.get(f"/api/positions/{cast.engineer.pk}").json()["title"] == "Engineer"
    assert_problem(client.get("/api/positions/999999"), 404)


def test_hr_adds_and_changes_a_position(client, cast):
    client.force_login(cast.hr)
    created = client.post(
        "/api/positions",
        {
            "code": "ENG-4",
            "title": "Senior engineer",
            "grade": 4,
            "band_min": "120000",
            "band_mid": "140000",
            "band_max": "160000",
            "currency": "CNY",
        },
        content_type=JSON,
    )
    assert created.status_code == 201
    position_id = created.json()["id"]
    changed = client.patch(
        f"/api/positions/{position_id}", {"band_max": "170000"}, content_type=JSON
    )
    assert changed.json()["band_max"] == "170000.00"
    assert Position.objects.get(pk=position_id).band_mid == Decimal("140000")


def test_a_band_out_of_order_is_a_422_and_nothing_changes(client, cast):
    client.force_login(cast.gm)
    response = client.patch(
        f"/api/positions/{cast.engineer.pk}", {"band_min": "200000"}, content_type=JSON
    )
    assert_problem(response, 422)
    cast.engineer.refresh_from_db()
    assert cast.engineer.band_min == Decimal("90000")
    negative = client.post(
        "/api/positions", {"code": "N", "title": "N", "band_min": "-1"}, content_type=JSON
    )
    assert error_fields(negative) == ["band_min"]


def test_a_head_may_not_change_a_position(client, cast):
    client.force_login(cast.head)
    response = client.patch(f"/api/positions/{cast.engineer.pk}", {"title": "X"}, content_type=JSON)
    assert_problem(response, 403)
    assert_problem(
        client.post("/api/positions", {"code": "X", "title": "X"}, content_type=JSON), 403
    )
    cast.engineer.refresh_from_db()
    assert cast.engineer.title == "Engineer"
    assert Position.objects.count() == 2


def test_positions_need_a_login(client, cast):
    assert_problem(client.get("/api/positions"), 401)
    assert_problem(
        client.post("/api/positions", {"code": "X", "title": "X"}, content_type=JSON), 401
    )
    assert Position.objects.count() == 2


# --- employees -------------------------------------------------------------------------------


def test_the_directory_filters_sorts_and_never_carries_pay(client, cast):
    client.force_login(cast.gm)
    body = client.get(f"/api/employees?department_id={cast.sales.pk}&sort=-name").json()
    assert [e["employee_no"] for e in body["items"]] == ["E003", "E004", "E006"]
    assert "base_pay" not in body["items"][0]
    assert body["items"][1]["department"]["code"] == "SALES-E"
    assert client.get("/api/employees?search=oscar").json()["items"][0]["employee_no"] == "E005"
    assert client.get("/api/employees?status=left").json()["count"] == 0


def test_an_employee_sees_only_themselves(client, cast):
    client.force_login(cast.employee)
    body = client.get("/api/employees").json()
    assert [e["employee_no"] for e in body["items"]] == ["E004"]
    assert_problem(client.get(f"/api/employees/{cast.outsider.employee_id}"), 404)
    assert_problem(client.get(f"/api/employees/{cast.outsider.employee_id}/pay"), 404)


def test_employee_detail(client, cast):
    client.force_login(cast.head)
    body = client.get(f"/api/employees/{cast.employee.employee_id}").json()
    assert body["full_name"] == "Emma Employee"
    assert body["manager"]["employee_no"] == "E003"
    assert "base_pay" not in body


def test_a_head_reads_a_report_s_pay_and_the_read_is_audited(client, cast):
    client.force_login(cast.head)
    response = client.get(f"/api/employees/{cast.employee.employee_id}/pay")
    assert response.json()["base_pay"] == "100000.00"
    assert response.json()["compa_ratio"] == "1.000"
    entries = AuditEntry.objects.filter(action=AuditAction.READ_PAY)
    assert [(e.actor, e.target_id) for e in entries] == [
        (cast.head, str(cast.employee.employee_id))
    ]


def test_reading_one_s_own_pay_is_not_audited(client, cast):
    client.force_login(cast.employee)
    assert client.get(f"/api/employees/{cast.employee.employee_id}/pay").status_code == 200
    assert not AuditEntry.objects.filter(action=AuditAction.READ_PAY).exists()


def test_a_head_may_not_read_pay_outside_their_subtree_and_nothing_is_audited(client, cast):
    client.force_login(cast.head)
    assert_problem(client.get(f"/api/employees/{cast.outsider.employee_id}/pay"), 404)
    assert not AuditEntry.objects.filter(action=AuditAction.READ_PAY).exists()


def test_hr_adds_an_employee_with_a_starting_pay(client, cast):
    client.force_login(cast.hr)
    response = client.post(
        "/api/employees",
        {
            "employee_no": "E100",
            "full_name": "New  Person",
            "department_id": cast.rnd.pk,
            "position_id": cast.engineer.pk,
            "hire_date": "2026-02-01",
            "base_pay": "95000",
        },
        content_type=JSON,
    )
    assert response.status_code == 201
    assert "base_pay" not in response.json()
    created = Employee.objects.get(employee_no="E100")
    assert (created.full_name, created.base_pay) == ("New Person", Decimal("95000"))
    entry = AuditEntry.objects.get(target_type="org.employee", action=AuditAction.CREATE)
    assert entry.changes["base_pay"] == "95000.00"  # every pay write names its amount


def test_an_employee_who_left_needs_a_leave_date(client, cast):
    client.force_login(cast.hr)
    response = client.patch(
        f"/api/employees/{cast.outsider.employee_id}", {"status": "left"}, content_type=JSON
    )
    assert error_fields(response) == ["status"]
    assert response.json()["errors"][0]["message"] == "an employee who left needs a leave date"
    assert Employee.objects.get(pk=cast.outsider.employee_id).status == "active"


def test_bad_employee_input_is_a_422(client, cast):
    client.force_login(cast.gm)
    response = client.post(
        "/api/employees",
        {
            "employee_no": "E004",
            "full_name": "Dup",
            "department_id": cast.rnd.pk,
            "hire_date": "2026-02-30",
        },
        content_type=JSON,
    )
    assert error_fields(response) == ["hire_date"]
    taken = client.post(
        "/api/employees",
        {
            "employee_no": "E004",
            "full_name": "Dup",
            "department_id": cast.rnd.pk,
            "hire_date": "2026-02-01",
        },
        content_type=JSON,
    )
    assert error_fields(taken) == ["employee_no"]
    assert Employee.objects.count() == 6


def test_hr_changes_an_employee_and_the_change_is_audited(client, cast):
    client.force_login(cast.hr)
    response = client.patch(
        f"/api/employees/{cast.employee.employee_id}",
        {"location": "Shanghai", "manager_id": None},
        content_type=JSON,
    )
    assert response.status_code == 200
    assert response.json()["manager"] is None
    entry = AuditEntry.objects.get(target_type="org.employee", action=AuditAction.UPDATE)
    assert entry.changes == {"location": ["", "Shanghai"], "manager": [cast.head.employee_id, None]}


def test_base_pay_cannot_be_patched(client, cast):
    client.force_login(cast.gm)
    response = client.patch(
        f"/api/employees/{cast.employee.employee_id}", {"base_pay": "1"}, content_type=JSON
    )
    body = assert_problem(response, 422)
    assert [error["field"] for error in body["errors"]] == ["base_pay"]
    assert Employee.objects.get(pk=cast.employee.employee_id).base_pay == Decimal("100000")


def test_a_head_may_not_change_a_report_and_nothing_changes(client, cast):
    client.force_login(cast.head)
    response = client.patch(
        f"/api/employees/{cast.employee.employee_id}", {"location": "Mars"}, content_type=JSON
    )
    assert_problem(response, 403)
    assert Employee.objects.get(pk=cast.employee.employee_id).location == ""
    created = client.post(
        "/api/employees",
        {
            "employee_no": "E100",
            "full_name": "X",
            "department_id": cast.sales.pk,
            "hire_date": "2026-02-01",
        },
        content_type=JSON,
    )
    assert_problem(created, 403)
    assert Employee.objects.count() == 6


def test_an_employee_may_not_change_someone_they_cannot_see(client, cast):
    client.force_login(cast.employee)
    response = client.patch(
        f"/api/employees/{cast.outsider.employee_id}", {"location": "Mars"}, content_type=JSON
    )
    assert_problem(response, 404)
    assert Employee.objects.get(pk=cast.outsider.employee_id).location == ""


def test_employees_need_a_login(client, cast):
    employee_id = cast.employee.employee_id
    assert_problem(client.get("/api/employees"), 401)
    assert_problem(client.get(f"/api/employees/{employee_id}"), 401)
    assert_problem(client.get(f"/api/employees/{employee_id}/pay"), 401)
    assert_problem(client.patch(f"/api/employees/{employee_id}", {}, content_type=JSON), 401)
    assert not AuditEntry.objects.exists()


# --- reviews ---------------------------------------------------------------------------------


def test_reviews_are_listed_within_scope(client, cast, review):
    client.force_login(cast.head)
    body = client.get("/api/reviews").json()
    assert [(r["employee"]["employee_no"], r["period"], r["rating"]) for r in body["items"]] == [
        ("E004", "2025", 4)
    ]
    assert body["items"][0]["reviewer"]["employee_no"] == "E003"
    client.force_login(cast.outsider)
    assert client.get("/api/reviews").json()["count"] == 0
    assert_problem(client.get(f"/api/reviews/{review.pk}"), 404)
    client.force_login(cast.employee)
    assert client.get(f"/api/reviews/{review.pk}").json()["rating"] == 4


def test_hr_records_and_changes_a_review(client, cast, review):
    client.force_login(cast.hr)
    created = client.post(
        "/api/reviews",
        {"employee_id": cast.outsider.employee_id, "period": "2025", "rating": 5, "potential": 3},
        content_type=JSON,
    )
    assert created.status_code == 201
    changed = client.patch(f"/api/reviews/{review.pk}", {"rating": 3}, content_type=JSON)
    assert changed.json()["rating"] == 3
    assert Review.objects.get(pk=review.pk).rating == 3


def test_a_second_review_for_the_same_period_or_a_rating_of_6_is_a_422(client, cast, review):
    client.force_login(cast.hr)
    again = client.post(
        "/api/reviews",
        {"employee_id": cast.employee.employee_id, "period": "2025", "rating": 2},
        content_type=JSON,
    )
    assert assert_problem(again, 422)["errors"] == [
        {"field": "period", "message": "this person has a review for this period"}
    ]
    too_high = client.post(
        "/api/reviews",
        {"employee_id": cast.employee.employee_id, "period": "2026", "rating": 6},
        content_type=JSON,
    )
    assert error_fields(too_high) == ["rating"]
    assert Review.objects.count() == 1


def test_a_head_may_not_change_a_review_and_nothing_changes(client, cast, review):
    client.force_login(cast.head)
    assert_problem(client.patch(f"/api/reviews/{review.pk}", {"rating": 1}, content_type=JSON), 403)
    assert Review.objects.get(pk=review.pk).rating == 4


def test_reviews_need_a_login(client, cast, review):
    assert_problem(client.get("/api/reviews"), 401)
    assert_problem(client.patch(f"/api/reviews/{review.pk}", {"rating": 1}, content_type=JSON), 401)
    assert Review.objects.get(pk=review.pk).rating == 4


# --- skills ----------------------------------------------------------------------------------


def test_hr_sets_a_skill_level_and_sets_it_again(client, cast, python):
    client.force_login(cast.hr)
    body = {"employee_id": cast.employee.employee_id, "skill_id": python.pk, "level": 3}
    first = client.put("/api/skills", body, content_type=JSON)
    assert first.status_code == 201
    assert first.json()["skill"]["name"] == "Python"
    second = client.put("/api/skills", {**body, "level": 4}, content_type=JSON)
    assert second.status_code == 200
    assert EmployeeSkill.objects.get().level == 4
    assert client.get(f"/api/skills?min_level=4&skill_id={python.pk}").json()["count"] == 1
    assert client.get(f"/api/skills/{second.json()['id']}").json()["level"] == 4


def test_a_skill_level_of_6_is_a_422(client, cast, python):
    client.force_login(cast.hr)
    body = {"employee_id": cast.employee.employee_id, "skill_id": python.pk, "level": 6}
    assert error_fields(client.put("/api/skills", body, content_type=JSON)) == ["level"]
    assert not EmployeeSkill.objects.exists()


def test_skills_are_seen_within_scope_and_a_head_may_not_set_them(client, cast, python):
    row = EmployeeSkill.objects.create(employee=cast.employee.employee, skill=python, level=2)
    client.force_login(cast.outsider)
    assert client.get("/api/skills").json()["count"] == 0
    assert_problem(client.get(f"/api/skills/{row.pk}"), 404)
    client.force_login(cast.head)
    assert client.get("/api/skills").json()["count"] == 1
    body = {"employee_id": cast.employee.employee_id, "skill_id": python.pk, "level": 5}
    assert_problem(client.put("/api/skills", body, content_type=JSON), 403)
    assert EmployeeSkill.objects.get().level == 2


def test_skills_need_a_login(client, cast, python):
    assert_problem(client.get("/api/skills"), 401)
    body = {"employee_id": cast.employee.employee_id, "skill_id": python.pk, "level": 5}
    assert_problem(client.put("/api/skills", body, content_type=JSON), 401)
    assert not EmployeeSkill.objects.exists()


# --- query counts ----------------------------------------------------------------------------


@pytest.fixture
def many(cast, python):
    """Enough rows that a page of 1 and a page of 5 differ."""
    for n in range(10):
        employee = Employee.objects.create(
            employee_no=f"X{n:02}",
            full_name=f"Extra {n}",
            department=cast.sales_east,
            position=cast.salesperson,
            manager=cast.head.employee,
            hire_date=dt.date(2021, 1, 1),
        )
        Review.objects.create(
            employee=employee, period="2025", rating=3, reviewer=cast.head.employee
        )
        EmployeeSkill.objects.create(employee=employee, skill=python, level=3)
        Department.objects.create(code=f"D{n}", name=f"Dept {n}", parent=cast.sales, head=employee)
        Position.objects.create(code=f"P{n}", title=f"Position {n}")


# (url, role, queries): session + user, then for a head the departments they head, then
# the list's count and its page; the directory filtered by department adds the subtree.
LIST_QUERIES = [
    ("/api/departments", "gm", 4),
    ("/api/departments", "head", 5),
    ("/api/positions", "employee", 4),
    ("/api/employees", "gm", 4),
    ("/api/employees", "head", 5),
    ("/api/employees?department_id={sales}", "gm", 5),
    ("/api/reviews", "gm", 4),
    ("/api/reviews", "head", 5),
    ("/api/skills", "gm", 4),
    ("/api/skills", "head", 5),
]


@pytest.mark.parametrize(("url", "role", "queries"), LIST_QUERIES)
def test_a_list_costs_the_same_queries_for_any_page_size(
    client, cast, many, django_assert_num_queries, url, role, queries
):
    client.force_login(getattr(cast, role))
    url = url.format(sales=cast.sales.pk)
    sep = "&" if "?" in url else "?"
    for size in (1, 5):
        with django_assert_num_queries(queries):
            response = client.get(f"{url}{sep}page_size={size}")
        assert len(response.json()["items"]) == size


def test_hr_records_a_leaver_through_the_api_with_its_separation(client, cast):
    client.force_login(cast.hr)

    response = client.patch(
        f"/api/employees/{cast.outsider.employee_id}",
        {"leave_date": "2026-11-30", "separation_type": "voluntary", "leave_reason": "Moved"},
        content_type=JSON,
    )

    assert response.status_code == 200
    employee = Employee.objects.get(pk=cast.outsider.employee_id)
    assert (employee.status, employee.leave_date.isoformat()) == ("left", "2026-11-30")
    assert employee.separations.get().reason == "Moved"


def test_a_leave_date_without_its_separation_type_is_a_422_on_that_field(client, cast):
    client.force_login(cast.hr)

    response = client.patch(
        f"/api/employees/{cast.outsider.employee_id}",
        {"leave_date": "2026-11-30"},
        content_type=JSON,
    )

    assert error_fields(response) == ["leave_date"]
    assert Employee.objects.get(pk=cast.outsider.employee_id).status == "active"
