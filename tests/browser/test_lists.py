"""Lists people can slice, through a real browser: the GM groups the directory, reads the chart,
opens a group, chooses the columns, saves the view, and reads it all in Chinese on a phone."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from gmassist.core.models import SavedView
from gmassist.org.models import Department, Employee
from tests.browser.conftest import SCREENSHOTS, log_in, visit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staffed(cast):
    """The cast with a few more people in more departments, so that the groups differ."""
    service = Department.objects.create(code="SVC", name="Customer service", parent=cast.hq)
    places = ["Shanghai", "Beijing", "Shenzhen"]
    departments = [cast.sales, cast.sales_east, cast.rnd, service, service, cast.rnd]
    Employee.objects.bulk_create(
        Employee(
            employee_no=f"N{i:03d}",
            full_name=f"New Hire {i:03d}",
            department=departments[i % len(departments)],
            position=cast.engineer if i % 3 else cast.salesperson,
            manager=cast.outsider.employee if i % 2 else cast.head.employee,
            location=places[i % len(places)],
            hire_date=dt.date(2023, 1 + i % 12, 1),
        )
        for i in range(26)
    )
    return cast


def chart_drawn(page) -> None:
    # Chart.js sizes the canvas it draws on (the page's CSP allows no polling by eval)
    expect(page.locator("#list-group-chart")).to_have_attribute("width", re.compile(r"^[1-9]"))


def test_the_gm_groups_the_directory_opens_a_group_and_saves_the_view(page, staffed):
    log_in(page, "gm", "pass-gm")
    visit(page, "/org/employees/")
    page.get_by_test_id("directory-group").select_option("department")
    page.wait_for_url("**/org/employees/?group=department")
    table = page.get_by_test_id("directory-group-table")
    table.wait_for()
    labels = table.get_by_test_id("group-link").all_inner_texts()
    counts = table.get_by_test_id("group-count").all_inner_texts()
    assert list(zip(labels, counts, strict=True)) == [
        ("R&D", "9"),
        ("Customer service", "8"),
        ("Sales", "7"),
        ("Sales East", "6"),
        ("Headquarters", "2"),
    ]
    chart_drawn(page)
    page.screenshot(path=str(SCREENSHOTS / "lists-grouped.png"), full_page=True)

    # the group's link (by keyboard: the table is the way in) opens its rows
    table.get_by_role("link", name="Sales East").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/org/employees/?where.department=*")
    expect(page.get_by_test_id("directory-row")).to_have_count(6)
    assert page.get_by_test_id("in-group-value").inner_text() == "Sales East"

    # a filter keeps the group
    page.select_option("#directory-position", label="Sales representative")
    expect(page.get_by_test_id("directory-row")).to_have_count(1)
    assert "where.department=" in page.url

    # columns: the location instead of the position
    page.get_by_test_id("directory-columns-menu").click()
    page.get_by_test_id("column-position").uncheck()
    page.get_by_test_id("column-location").check()
    page.get_by_test_id("directory-columns-apply").click()
    page.wait_for_url("**col=location**")
    headers = page.locator("[data-testid=directory-table] thead th").all_inner_texts()
    assert [h.strip() for h in headers] == [
        "Employee no.",
        "Name",
        "Department",
        "Manager",
        "Location",
        "Hire date",
        "Status",
    ]

    # saved under a name, it opens again as it was
    page.get_by_test_id("saved-views-menu").click()
    page.get_by_test_id("saved-view-name").fill("Sales East reps")
    page.get_by_test_id("saved-view-save").click()
    page.wait_for_url("**view=*")
    view = SavedView.objects.get()
    assert (view.owner.username, view.name) == ("gm", "Sales East reps")
    assert page.get_by_test_id("saved-views-menu").inner_text().startswith("View: Sales East reps")
    assert page.get_by_test_id("directory-row").count() == 1
    page.get_by_test_id("saved-views-menu").click()
    page.screenshot(path=str(SCREENSHOTS / "lists-saved-view.png"), full_page=True)
    visit(page, "/org/employees/")
    page.get_by_test_id("saved-views-menu").click()
    page.get_by_test_id("saved-view-link").click()
    page.wait_for_url("**view=*")
    assert page.get_by_test_id("directory-row").count() == 1


def test_the_grouped_lists_read_in_chinese_on_a_phone(page, staffed):
    log_in(page, "gm", "pass-gm")
    page.click("#language-zh-hans")
    page.wait_for_load_state()
    page.set_viewport_size({"width": 390, "height": 844})
    visit(page, "/org/employees/?group=manager")
    chart_drawn(page)
    assert (
        page.get_by_test_id("directory-group").locator("option:checked").inner_text() == "直属上级"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_test_id("saved-views-menu").click()
    page.get_by_test_id("directory-columns-menu").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENSHOTS / "lists-grouped-phone-zh.png"), full_page=True)

    # by keyboard: the next grouping, and the focus stays on the control after the swap
    page.get_by_test_id("directory-group").focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_url("**/org/employees/?group=location")
    expect(page.get_by_test_id("directory-group-table")).to_contain_text("Shanghai")
    assert page.evaluate("document.activeElement.id") == "directory-group"

    for path in ("/audit/?group=action", "/customers/?group=tier", "/voice/feedback/?group=topic"):
        visit(page, path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
