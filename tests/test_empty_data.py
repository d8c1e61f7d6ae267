"""Pages and API reads on little or no data: a department with no current employees, and a
company with no one in it yet. Every GET page without parameters and every API GET of the
OpenAPI document is requested; none may answer 5xx (engines and selectors must not assume that
there is at least one row)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import make_employee, make_user
from gmassist.api import api
from gmassist.core.choices import Role
from gmassist.org.choices import EmployeeStatus
from gmassist.org.models import Department

SKIPPED_PREFIXES = ("api/", "i18n/")


def _page_paths(patterns=None, prefix: str = "") -> list[str]:
    """The paths of every URL pattern that takes no parameter (pages and their fragments)."""
    paths: list[str] = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(SKIPPED_PREFIXES) or "<" in route or "(?P" in route:
            continue
        if isinstance(pattern, URLResolver):
            paths += _page_paths(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            paths.append("/" + route.lstrip("^").rstrip("$"))
    return sorted(set(paths))


def _api_reads() -> list[tuple[str, set[str]]]:
    """(path, query parameter names) of every API GET that takes no path parameter."""
    reads = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        operation = methods.get("get")
        if operation is None or "{" in path:
            continue
        query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        reads.append((path, query))
    return sorted(reads)


PAGES = _page_paths()
API_READS = _api_reads()


@pytest.fixture
def empty_department(cast):
    """A department under HQ whose only employee has left (and no one else)."""
    empty = Department.objects.create(code="EMPTY", name="Empty", parent=cast.hq)
    make_employee(
        "E090",
        "Left Behind",
        empty,
        cast.engineer,
        status=EmployeeStatus.LEFT,
        leave_date=dt.date(2024, 6, 30),
    )
    return empty


def test_the_lists_are_not_empty():
    # the generation found the pages and the reads (a broken walk would test nothing)
    assert "/talent/key-people/" in PAGES
    assert ("/api/talent/nine-box", {"department_id"}) in [
        (path, query & {"department_id"}) for path, query in API_READS
    ]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_a_department_with_no_current_employees(
    client, cast, empty_department, path
):
    client.force_login(cast.gm)
    response = client.get(path, {"department": empty_department.pk})
    assert response.status_code < 500, response.content[:500]


@pytest.mark.parametrize(("path", "query"), API_READS, ids=[path for path, _q in API_READS])
def test_every_api_read_answers_a_department_with_no_current_employees(
    client, cast, empty_department, path, query
):
    client.force_login(cast.gm)
    params = {"department_id": empty_department.pk} if "department_id" in query else {}
    response = client.get(path, params)
    assert response.status_code < 500, response.content[:500]


@pytest.fixture
def empty_company(db):
    """A fresh installation: one GM login and nothing else (no employee, no department)."""
    return make_user("gm", Role.GM)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_in_an_empty_company(client, empty_company, path):
    client.force_login(empty_company)
    response = client.get(path)
    assert response.status_code < 500, response.content[:500]


@pytest.mark.parametrize(("path", "query"), API_READS, ids=[path for path, _q in API_READS])
def test_every_api_read_answers_in_an_empty_company(client, empty_company, path, query):
    client.force_login(empty_company)
    response = client.get(path)
    assert response.status_code < 500, response.content[:500]
