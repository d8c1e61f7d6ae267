"""The login page, the home page per role, and the health check."""

import pytest
from django.urls import reverse


def test_the_login_page_is_served(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_home_asks_for_a_login_first(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_a_wrong_password_is_refused_with_a_message(client, cast):
    response = client.post(reverse("login"), {"username": "gm", "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_the_gm_logs_in_and_sees_headcount_by_department(client, cast):
    response = client.post(reverse("login"), {"username": "gm", "password": "pass-gm"})
    assert response.status_code == 302
    page = client.get(reverse("glance"))  # the GM's home page is Today (office.today)
    rows = [(row["name"], row["headcount"]) for row in page.context["headcount_by_department"]]
    assert rows == [("Headquarters", 2), ("Sales", 2), ("R&D", 1), ("Sales East", 1)]
    assert "Grace Manager" in page.content.decode()


def test_an_employee_sees_their_own_record_and_no_company_figures(client, cast):
    client.force_login(cast.employee)
    page = client.get(reverse("home"))
    assert page.context["headcount_by_department"] == []
    assert page.context["own_employee"].employee_no == "E004"
    assert "Oscar Outsider" not in page.content.decode()


def test_a_department_head_sees_only_their_subtree(client, cast):
    client.force_login(cast.head)
    page = client.get(reverse("glance"))
    names = [row["name"] for row in page.context["headcount_by_department"]]
    assert names == ["Sales", "Sales East"]


def test_logout_needs_a_post_and_ends_the_session(client, cast):
    client.force_login(cast.gm)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_the_health_check_answers_ok(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_the_stylesheet_is_served_without_any_build_step(client, db):
    response = client.get("/static/gmassist/base.css")
    assert response.status_code == 200
    assert b".topbar" in b"".join(response.streaming_content)


def test_a_user_is_shown_by_their_employee_name_as_written(cast):
    cast.employee.employee.full_name = "蒋慧"
    cast.employee.employee.save()
    cast.employee.first_name, cast.employee.last_name = "慧", "蒋"
    assert str(cast.employee) == "蒋慧"
    assert str(cast.assistant) == "assistant"


def test_ping_answers_without_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/ping")
    assert (response.status_code, response.content) == (200, b"pong")
