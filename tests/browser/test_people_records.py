"""HR runs people's records on screen through a real browser: hires a person (the check as
you type puts an error next to its field first), corrects the record, records a leaver and
sees each change in the record's history; the same form in Chinese at phone width.
Screenshots go to docs/screenshots/."""

import pytest

from gmassist.core.models import AuditEntry
from gmassist.org.models import Employee
from tests.browser.conftest import SCREENSHOTS, log_in, visit, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_hr_hires_corrects_and_records_a_leaver(page, cast):
    log_in(page, "hr", "pass-hr")
    visit(page, "/org/employees/")
    page.get_by_test_id("employee-new").click()
    page.wait_for_url("**/org/employees/new/")
    page.fill("#id_employee_no", "E100")
    page.fill("#id_full_name", "Chen Jie")
    page.select_option("#id_department", "SALES-E")
    page.select_option("#id_position", "SAL-2")
    page.fill("#id_manager", "E003")
    page.fill("#id_base_pay", "95000")
    # the check as you type: no hire date yet, said next to the field, nothing written
    page.locator("#id_base_pay").press("Tab")
    page.wait_for_selector("[data-testid=error-hire_date]")
    assert page.inner_text("#errors-hire_date") == "a new employee needs a hire date"
    assert not Employee.objects.filter(employee_no="E100").exists()
    page.fill("#id_hire_date", "2026-12-01")
    page.fill("#id_comment", "Replaces a leaver in Sales East")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "hire-form.png"), full_page=True)
    page.get_by_test_id("record-submit").click()
    hired = Employee.objects.get(employee_no="E100")
    page.wait_for_url(f"**/org/employees/{hired.pk}/")
    assert page.get_by_test_id("employee-name").inner_text() == "Chen Jie"
    assert (hired.family_name, hired.given_name) == ("Chen", "Jie")

    # a correction: the location, with why
    page.get_by_test_id("employee-edit").click()
    page.wait_for_url(f"**/org/employees/{hired.pk}/edit/")
    page.fill("#id_location", "Hangzhou")
    page.fill("#id_comment", "Works from the Hangzhou office")
    page.get_by_test_id("record-submit").click()
    page.wait_for_url(f"**/org/employees/{hired.pk}/")
    history = page.get_by_test_id("employee-history")
    assert "→ Hangzhou" in history.inner_text()
    assert "Works from the Hangzhou office" in history.inner_text()

    # a leaver: date, type, reason
    page.get_by_test_id("employee-leaving").click()
    page.fill("#id_leave_date", "2026-12-31")
    page.select_option("#id_separation_type", "voluntary")
    page.fill("#id_leave_reason", "Further study")
    page.get_by_test_id("record-submit").click()
    page.wait_for_url(f"**/org/employees/{hired.pk}/")
    hired.refresh_from_db()
    assert (hired.status, hired.leave_date.isoformat()) == ("left", "2026-12-31")
    assert page.get_by_test_id("employee-separations").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "employee-history.png"), full_page=True)
    written = AuditEntry.objects.filter(target_type="org.employee", target_id=str(hired.pk))
    assert list(written.exclude(action="read_pay").values_list("action", flat=True)) == [
        "update",
        "update",
        "create",
    ]


def test_the_hire_form_in_chinese_fits_a_phone(page, cast):
    log_in(page, "hr", "pass-hr")
    visit(page, "/org/employees/new/")
    page.click("#language-zh-hans")
    page.wait_for_load_state()
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "录用一名员工"
    wait_until(page, "document.documentElement.scrollWidth <= 390")
    page.screenshot(path=str(SCREENSHOTS / "hire-form-zh-phone.png"), full_page=True)
