"""The list and detail pages and the API's list and detail helpers apply the permission rule
themselves: an unrestricted queryset is narrowed there, rows that did not come through the
rule are refused, and a restricted queryset is not narrowed twice."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.test import RequestFactory

from gmassist.api import MappedRows, PageNumberPagination, visible_or_404
from gmassist.core.choices import Action
from gmassist.core.permissions import SYSTEM, ScopedRows, scoped_rows
from gmassist.core.views_lib import DetailPage, ListPage
from gmassist.org.models import Employee

SALES_SUBTREE = ["E003", "E004", "E006"]


class EveryEmployeePage(ListPage):
    """A page whose selector forgot the rule."""

    permission = ("people", Action.VIEW)
    row_template = "org/_directory_row.html"

    def get_queryset(self, *, filters, sort):
        return Employee.objects.order_by("employee_no")


class ListOfEmployeesPage(EveryEmployeePage):
    def get_queryset(self, *, filters, sort):
        return list(Employee.objects.order_by("employee_no"))


class EmployeeDetail(DetailPage):
    template_name = "org/employee.html"

    def get_queryset(self):
        return Employee.objects.all()


def numbers(rows):
    return [row.employee_no for row in rows]


def test_a_list_page_narrows_an_unrestricted_queryset_itself(rf, cast):
    request = rf.get("/x/")
    request.user = cast.head
    body = EveryEmployeePage.as_view()(request).content.decode()
    assert ("Emma Employee" in body, "Oscar Outsider" in body) == (True, False)


def test_a_list_page_refuses_rows_that_did_not_come_through_the_rule(rf, cast):
    request = rf.get("/x/")
    request.user = cast.gm
    with pytest.raises(ImproperlyConfigured, match="did not come through restrict"):
        ListOfEmployeesPage.as_view()(request)


def test_a_detail_page_is_a_404_for_a_record_its_queryset_did_not_restrict(rf, cast):
    request = rf.get("/x/")
    request.user = cast.head
    with pytest.raises(Http404):
        EmployeeDetail.as_view()(request, pk=cast.outsider.employee_id)


def test_rows_from_a_scoped_selector_pass_as_they_are(cast):
    rows = ScopedRows([{"employee_no": "E004"}])
    assert scoped_rows(rows, cast.head) is rows


def test_a_restricted_queryset_is_not_narrowed_twice(cast, django_assert_num_queries):
    restricted = Employee.objects.restrict(cast.head, Action.VIEW_PAY).order_by("employee_no")
    again = scoped_rows(restricted, cast.head, Action.VIEW)
    assert again is restricted  # restricted for view_pay counts for view: it is narrower
    assert scoped_rows(restricted, cast.hr, Action.VIEW) is not restricted  # another reader
    with django_assert_num_queries(1):
        assert numbers(again) == SALES_SUBTREE


def test_visible_or_404_refuses_a_queryset_that_went_through_no_rule(cast):
    with pytest.raises(ImproperlyConfigured, match="without the permission rule"):
        visible_or_404(Employee.objects.all(), cast.employee.employee_id)
    assert visible_or_404(Employee.objects, cast.employee.employee_id, user=cast.head)
    with pytest.raises(Http404):
        visible_or_404(Employee.objects, cast.outsider.employee_id, user=cast.head)


def test_the_api_paginator_narrows_and_refuses_like_the_pages(cast):
    request = RequestFactory().get("/api/x")
    request.auth = cast.head
    paginator = PageNumberPagination()
    page = PageNumberPagination.Input(page=1, page_size=50)
    out = paginator.paginate_queryset(Employee.objects.order_by("employee_no"), page, request)
    assert (out["count"], numbers(out["items"])) == (3, SALES_SUBTREE)
    mapped = MappedRows(Employee.objects.order_by("employee_no"), lambda e: e.employee_no)
    assert paginator.paginate_queryset(mapped, page, request)["items"] == SALES_SUBTREE
    with pytest.raises(ImproperlyConfigured):
        paginator.paginate_queryset(list(Employee.objects.all()), page, request)


def test_the_system_is_narrowed_to_everything(cast):
    assert len(scoped_rows(Employee.objects.all(), SYSTEM)) == 6
