"""The workforce plan through a real browser: HR builds a plan version, reads the gaps with
their intervals and the recruitment plan, compares a hiring freeze with the plan, proposes the
requisitions and reads the backtest; the plan in Chinese at 390 px. Screenshots go to
docs/screenshots/ (workforce-*.png)."""

import datetime as dt

import pytest
import time_machine

from gmassist.core.models import Proposal
from gmassist.workforce import services
from gmassist.workforce.tests.company import fill_company
from tests.browser.conftest import SCREENSHOTS, log_in, visit, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def company(cast):
    fill_company(cast)
    with time_machine.travel(NOW, tick=False):
        services.backtest_run(as_of=dt.date(2023, 6, 30), horizon=6, by=cast.hr)
    return cast


NOW = dt.datetime(2025, 1, 6, 9, tzinfo=dt.UTC)


@pytest.fixture
def now():
    """The site runs on 6 January 2025 (the history ends on 31 December 2024)."""
    with time_machine.travel(NOW, tick=True):
        yield


def test_hr_builds_a_plan_compares_a_freeze_and_proposes_the_requisitions(page, company, now):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, "hr", "pass-hr")
    page.get_by_test_id("nav-workforce").click()
    page.wait_for_url("**/workforce/")
    page.fill("#id_name", "Plan 2025-2026")
    page.fill("#id_as_of", "2024-12-31")
    page.fill("#id_growth_percent", "8")
    page.fill("#id_runs", "300")
    page.get_by_test_id("workforce-build-submit").click()
    page.wait_for_url("**/workforce/plans/*/")
    assert page.get_by_test_id("workforce-quarters").locator("tbody tr").count() == 8
    assert page.get_by_test_id("workforce-gap-row").count() >= 2
    wait_until(page, "document.querySelector('#workforce-chart').width > 0")
    page.screenshot(path=str(SCREENSHOTS / "workforce-plan.png"), full_page=True)

    page.get_by_test_id("workforce-scenarios-link").click()
    page.wait_for_url("**/scenarios/")
    page.fill("#id_name", "Hiring freeze")
    page.select_option("#id_kind", "hiring_freeze")
    page.get_by_test_id("workforce-scenario-submit").click()
    page.wait_for_url("**/scenarios/")
    headers = page.get_by_test_id("workforce-scenario-table").locator("thead th")
    assert headers.count() == 3
    wait_until(page, "document.querySelector('#workforce-scenario-chart').width > 0")
    page.screenshot(path=str(SCREENSHOTS / "workforce-scenarios.png"), full_page=True)

    page.go_back()
    page.go_back()
    page.wait_for_load_state()
    page.get_by_test_id("workforce-propose").click()
    page.wait_for_load_state()
    assert Proposal.objects.filter(kind=services.REQUISITIONS).count() >= 2

    page.get_by_test_id("workforce-backtest-link").click()
    page.wait_for_url("**/workforce/backtest/")
    assert "Company" in page.get_by_test_id("workforce-backtest-company").inner_text()
    wait_until(page, "document.querySelector('#workforce-backtest-chart').width > 0")
    page.screenshot(path=str(SCREENSHOTS / "workforce-backtest.png"), full_page=True)


def test_the_plan_reads_in_chinese_on_a_phone(page, company, now):
    plan = services.plan_build(
        name="2025", as_of=dt.date(2024, 12, 31), growth_percent=5, runs=200, by=company.hr
    )
    log_in(page, "hr", "pass-hr")
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.add_cookies(
        [{"name": "django_language", "value": "zh-hans", "url": page.base_url}]
    )
    visit(page, f"/workforce/plans/{plan.pk}/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "需求与供给" in page.get_by_test_id("workforce-demand-supply").inner_text()
    wait_until(page, "document.querySelector('#workforce-chart').width > 0")
    wait_until(page, "document.documentElement.scrollWidth <= 390", 10_000)
    page.screenshot(path=str(SCREENSHOTS / "workforce-plan-zh.png"), full_page=True)
