"""The GM's triage through a real browser: the GM reads a week of matters with the
assistant's proposals, confirms one in one click and delegates another to someone else than
proposed, sees the acceptance report; the same list in Chinese and on a phone. The
screenshots for docs/office/triage.md go to docs/screenshots/office-triage*.png."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import time_machine

from gmassist.office.triage.demo import write_triage_demo
from gmassist.office.triage.models import Matter
from gmassist.org.demo.extensions import DemoContext
from tests.browser.conftest import SCREENSHOTS, log_in, visit, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _demo_week(cast) -> None:
    users = {"gm": cast.gm, "assistant": cast.assistant, "hr": cast.hr, "head": cast.head}
    ctx = DemoContext(
        company=None, employee_pk=np.array([]), users=users, as_of=dt.date(2026, 3, 2), seed=1
    )
    with time_machine.travel(dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC), tick=False):
        write_triage_demo(ctx)


def test_the_gm_confirms_and_changes_proposals_in_english_and_chinese(page, cast):
    _demo_week(cast)
    log_in(page, "gm", "pass-gm")
    visit(page, "/office/triage/")
    cards = page.get_by_test_id("triage-item")
    assert cards.count() == 5
    first = cards.nth(0)
    assert "The printers on the fourth floor" in first.inner_text()
    assert first.get_by_test_id("triage-proposed-route").get_attribute("data-route") == "delegate"
    assert "→ Hank Head" in first.get_by_test_id("triage-proposal").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "office-triage.png"), full_page=True)

    # one click: the printers go to the head of Sales, as proposed
    first.get_by_test_id("triage-confirm").click()
    page.wait_for_load_state()
    assert "Delegated to Hank Head." in page.get_by_test_id("messages").inner_text()
    assert page.get_by_test_id("triage-item").count() == 4
    printers = Matter.objects.get(title="The printers on the fourth floor")
    assert (printers.route, printers.owner, printers.accepted) == ("delegate", cast.head, True)

    # the regulator's letter: the GM delegates it to the assistant instead
    card = page.get_by_test_id("triage-item").filter(has_text="Regulator letter")
    card.get_by_test_id("triage-owner").select_option(label=str(cast.assistant))
    card.get_by_test_id("triage-delegate").click()
    page.wait_for_load_state()
    letter = Matter.objects.get(title="Regulator letter about advertising")
    assert (letter.route, letter.owner, letter.accepted) == ("delegate", cast.assistant, False)

    # the matter's page: the proposal, the decision and its history
    visit(page, f"/office/triage/{letter.pk}/")
    assert page.get_by_test_id("matter-history-row").count() == 1
    assert "proposal changed" in page.get_by_test_id("matter-decision").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "office-triage-matter.png"), full_page=True)

    # the report: 17 decided, the rate with its chart and tables
    visit(page, "/office/triage/report/")
    decided = Matter.objects.filter(status="decided")
    accepted = decided.filter(accepted=True).count()
    assert decided.count() == 17
    rate = round(accepted / 17 * 100, 1)
    assert page.get_by_test_id("report-rate").inner_text() == (
        f"The GM accepted {rate}% of the proposals: {accepted} of 17 decided matters."
    )
    page.screenshot(path=str(SCREENSHOTS / "office-triage-report.png"), full_page=True)

    # the rules
    visit(page, "/office/triage/rules/")
    assert page.get_by_test_id("rule-row").count() == 3
    page.screenshot(path=str(SCREENSHOTS / "office-triage-rules.png"), full_page=True)

    # the list in Chinese, at full width and on a phone
    visit(page, "/office/triage/")
    page.click("#language-zh-hans")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "分诊"
    assert "3 件事项等待决定" in page.get_by_test_id("triage-count").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "office-triage-zh.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    wait_until(page, "document.documentElement.scrollWidth <= 390", 10_000)
    page.screenshot(path=str(SCREENSHOTS / "office-triage-phone.png"), full_page=True)
    visit(page, "/office/triage/report/")
    wait_until(page, "document.documentElement.scrollWidth <= 390", 10_000)
    page.screenshot(path=str(SCREENSHOTS / "office-triage-report-phone-zh.png"), full_page=True)
