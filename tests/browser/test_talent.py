"""The talent pages through a real browser: the GM opens the overview, clicks a nine-box cell,
opens a person and reads the reasons; then makes an incentive plan within a budget (it spends
only what is worth its cost and leaves the GM and HR out), changes one line's amount, drops
another and approves two. Screenshots go to docs/screenshots/ (the plan in English at 1280 px
and in Chinese at 390 px)."""

import pytest

from gmassist.talent.choices import PlanLineStatus
from gmassist.talent.models import IncentivePlan
from gmassist.talent.tests.conftest import paid, skilled  # noqa: F401
from tests.browser.conftest import SCREENSHOTS, log_in, visit, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_gm_reads_the_overview_a_person_and_approves_two_plan_lines(page, scored):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, "gm", "pass-gm")
    page.get_by_test_id("nav-talent.overview").click()
    page.wait_for_url("**/talent/")
    assert page.get_by_test_id("nine-box-medium-medium").inner_text().strip() == "1"
    assert page.get_by_test_id("heat-row").count() == 4
    wait_until(page, "document.querySelector('#talent-chart-calibration').width > 0")
    page.screenshot(path=str(SCREENSHOTS / "talent-overview.png"), full_page=True)

    page.get_by_test_id("nine-box-medium-medium").click()
    page.wait_for_url("**/talent/?box=medium-medium*")
    rows = page.get_by_test_id("selection-row")
    assert rows.count() == 1
    page.get_by_test_id("person-link").first.click()
    page.wait_for_url("**/talent/people/*/")
    assert page.get_by_test_id("talent-person-name").inner_text() == "Emma Employee"
    assert page.get_by_test_id("talent-reason").all_inner_texts() == [
        "paid at 76% of the band midpoint (compa-ratio)",
        "40 months since the last promotion",
        "2 manager changes in the last 12 months",
    ]
    wait_until(page, "document.querySelector('#talent-chart-history').width > 0")
    page.screenshot(path=str(SCREENSHOTS / "talent-person.png"), full_page=True)

    visit(page, "/talent/plan/")
    page.fill("#plan-budget", "30000")
    page.click("details:has(#plan-menu) > summary")  # the menu: a programme costs 500
    menu = page.input_value("#plan-menu").replace(
        "development_cost = 15000.0", "development_cost = 500.0"
    )
    page.fill("#plan-menu", menu)
    page.get_by_test_id("plan-run").click()
    page.wait_for_selector(
        "[data-testid=job][data-kind='talent.plan'][data-status=succeeded]", timeout=30_000
    )
    page.get_by_test_id("job-plan-link").click()
    page.wait_for_url("**/talent/plans/*/")
    assert page.get_by_test_id("plan-line").count() == 4
    assert page.get_by_test_id("plan-quality").inner_text() == "Optimal"
    assert page.get_by_test_id("plan-spending").inner_text() == (
        "Spend 7,580 of the 30,000 budget: no other action is worth its cost."
    )
    assert page.get_by_test_id("plan-left-out-person").all_inner_texts() == [
        "Grace Manager (E001): decided outside the application",
        "Harriet Ross (E002): nobody decides their own case",
    ]

    # Hank's programme costs 800 instead of 500; Alice's line is dropped (plain form posts)
    hank = page.locator("[data-testid=plan-line]", has_text="Hank Head")
    hank.get_by_test_id("plan-line-amount").fill("800")
    hank.get_by_test_id("plan-line-save").click()
    page.wait_for_load_state()
    assert "line was changed" in page.get_by_test_id("messages").inner_text()
    assert page.get_by_test_id("plan-total-cost").inner_text() == "7,880"
    page.locator("[data-testid=plan-line]", has_text="Alice Account").get_by_test_id(
        "plan-line-drop"
    ).click()
    page.wait_for_load_state()
    assert page.get_by_test_id("plan-line").count() == 3
    assert page.get_by_test_id("plan-total-cost").inner_text() == "7,380"

    checks = page.get_by_test_id("plan-line-check")
    checks.nth(0).check()
    checks.nth(1).check()
    page.get_by_test_id("plan-approve-chosen").click()
    page.wait_for_load_state()
    assert "2 lines approved" in page.get_by_test_id("messages").inner_text()
    assert page.get_by_test_id("plan-line-proposal").count() == 2
    plan = IncentivePlan.objects.get()
    assert plan.lines.filter(status=PlanLineStatus.APPROVED).count() == 2
    assert page.get_by_test_id("plan-line-form").count() == 1  # only the planned line
    wait_until(page, "document.querySelector('#plan-chart-curve').width > 0")
    page.screenshot(path=str(SCREENSHOTS / "talent-plan.png"), full_page=True)

    # the same plan in Chinese on a phone: the lines scroll inside their box, not the page
    page.click("#language-zh-hans")
    page.wait_for_load_state()
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_test_id("plan-spending").inner_text().startswith("已手动修改")
    assert "在系统之外决定" in page.get_by_test_id("plan-left-out").inner_text()
    # the layout after a resize is not immediate: wait for it (a page that stays wider fails)
    wait_until(page, "document.documentElement.scrollWidth <= 390", 10_000)
    wait_until(page, "document.querySelector('#plan-chart-curve').width > 0")
    page.screenshot(path=str(SCREENSHOTS / "talent-plan-zh.png"), full_page=True)


def test_the_gm_follows_the_high_risk_number_to_a_person_s_history_in_chinese_on_a_phone(
    page, scored
):
    from gmassist.talent.tests.scored import give_emma_a_history

    give_emma_a_history()
    log_in(page, "gm", "pass-gm")
    visit(page, "/talent/")
    assert page.get_by_test_id("talent-high-risk").inner_text() == "2"
    link = page.get_by_test_id("talent-high-risk-link")
    assert link.inner_text() == (
        "at high risk: at least 2× the company's 12% yearly leaving rate (24% and up within 12 "
        "months)"
    )
    link.click()
    page.wait_for_url("**/talent/risk/?band=high")
    assert page.get_by_test_id("risk-band").all_inner_texts() == ["High", "High"]

    page.set_viewport_size({"width": 390, "height": 844})
    page.context.add_cookies(
        [{"name": "django_language", "value": "zh-hans", "url": page.base_url}]
    )
    page.get_by_role("link", name="Emma Employee").click()
    page.wait_for_url("**/talent/people/*/")
    assert page.get_by_test_id("talent-person-band").inner_text() == "高（24% 及以上）"
    wait_until(page, "document.querySelector('#talent-chart-history').width > 0")
    page.get_by_test_id("talent-history-table").locator("summary").click()
    assert page.get_by_test_id("talent-history-row").all_inner_texts() == [
        "2026年10月\t40%\t高",
        "2026年9月\t20%\t中",
        "2026年8月\t10%\t低",
    ]
    wait_until(page, "document.documentElement.scrollWidth <= 390", 10_000)
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header stays at the top of the shot
    page.screenshot(path=str(SCREENSHOTS / "talent-person-history-zh.png"), full_page=True)
