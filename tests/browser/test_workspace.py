"""The workspace through a real browser: the GM's directory and language, an employee's limits,
and an import with errors."""

import pytest

from gmassist.org.models import Employee
from tests.browser.conftest import SCREENSHOTS, log_in, visit, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_gm_filters_the_directory_opens_an_employee_and_reads_it_in_chinese(page, cast):
    log_in(page, "gm", "pass-gm")
    page.get_by_test_id("nav-org.directory").click()
    page.wait_for_url("**/org/employees/**")
    assert page.get_by_test_id("directory-row").count() == 6

    with page.expect_response(lambda r: "/org/employees/" in r.url and "search=emma" in r.url):
        page.fill("#directory-search", "emma")
    wait_until(page, "document.querySelectorAll('[data-testid=directory-row]').length === 1")
    assert "search=emma" in page.url  # the filter is in the address, so it can be shared
    page.get_by_test_id("employee-link").first.click()
    page.wait_for_url("**/org/employees/*/")
    assert page.get_by_test_id("employee-name").inner_text() == "Emma Employee"
    assert page.get_by_test_id("employee-number").inner_text() == "E004"

    page.click("#language-zh-hans")
    page.wait_for_load_state()
    assert page.get_by_test_id("nav-org.directory").inner_text() == "员工"
    assert page.get_by_test_id("employee-name").inner_text() == "Emma Employee"
    assert page.locator("html").get_attribute("lang") == "zh-hans"


def test_an_employee_cannot_open_another_employees_page(page, cast):
    oscar = Employee.objects.get(employee_no="E005")
    log_in(page, "employee", "pass-employee")
    response = page.goto(f"{page.base_url}/org/employees/{oscar.pk}/")
    assert response.status == 404
    assert page.get_by_test_id("error-404").is_visible()
    assert "Oscar" not in page.content()


def test_an_import_with_an_error_shows_the_error_table(page, cast, tmp_path):
    bad = tmp_path / "people.csv"
    bad.write_text(
        "employee_no,full_name,department,hire_date\n"
        "N1,Ann Lee,RND,2024-01-15\n"
        "N2,Bo Chen,RND,31/31/2024\n",
        encoding="utf-8",
    )
    log_in(page, "hr", "pass-hr")
    visit(page, "/imports/")
    page.select_option("#import-entity", "employees")
    page.set_input_files("#import-file", str(bad))
    page.click("#import-dry-run")
    page.wait_for_selector(
        "[data-testid=job][data-kind='core.import'][data-status=failed]", timeout=20_000
    )
    errors = page.get_by_test_id("import-errors")
    assert errors.is_visible()
    row = errors.locator("tbody tr")
    assert row.count() == 1
    cells = [cell.strip() for cell in row.first.locator("td").all_inner_texts()]
    assert cells[:3] == ["3", "hire_date", "31/31/2024"]
    assert not Employee.objects.filter(employee_no__in=["N1", "N2"]).exists()
    page.screenshot(path=str(SCREENSHOTS / "job-import-errors.png"), full_page=True)

    # the same job page in Chinese on a phone: the table scrolls inside its box, not the page
    page.click("#language-zh-hans")
    page.wait_for_selector("[data-testid=job][data-status=failed]")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENSHOTS / "job-import-errors-phone-zh.png"), full_page=True)
