"""The decisions register through a real browser: the GM publishes a decision to a department,
an employee of it finds it in the inbox, acknowledges it and asks a question, and the GM sees
the acknowledgement count and answers. Screenshots go to docs/screenshots/."""

import pytest

from gmassist.decisions.models import Acknowledgement, Decision, Response
from tests.browser.conftest import SCREENSHOTS, log_in, visit

pytestmark = pytest.mark.django_db(transaction=True)


def log_out(page) -> None:
    page.get_by_test_id("account-menu").click()
    page.get_by_test_id("logout").click()
    page.wait_for_load_state()


def test_a_decision_from_publication_to_an_answered_question(page, cast):
    # the GM drafts a decision for Sales and publishes it
    log_in(page, "gm", "pass-gm")
    visit(page, "/decisions/")
    page.get_by_test_id("decision-new").click()
    page.wait_for_url("**/decisions/new/")
    page.fill("#id_title", "Four-day week in Sales")
    page.fill("#id_summary", "Sales works Monday to Thursday from March.")
    page.fill("#id_rationale", "Customers buy on weekdays; Fridays bring 4% of orders.")
    page.fill("#id_effective_date", "2026-03-02")
    page.select_option("#id_audience_departments", label="Sales")
    page.get_by_test_id("decision-save").click()
    page.wait_for_url("**/decisions/*/")
    page.get_by_test_id("decision-publish").click()
    page.wait_for_selector("[data-testid=job][data-kind^=decisions][data-status=succeeded]")
    # the page shows the published decision, not the draft with its Publish button
    page.wait_for_selector("[data-testid=decision-publish]", state="detached")
    decision = Decision.objects.get()
    assert decision.status == "published"
    assert Acknowledgement.objects.filter(decision=decision).count() == 3
    log_out(page)

    # the employee of Sales East finds it in the inbox, acknowledges and asks a question
    log_in(page, "employee", "pass-employee")
    page.wait_for_selector("[data-testid=inbox-badge]")  # fetched after the page loads
    assert page.get_by_test_id("inbox-badge").inner_text() == "1"
    page.get_by_test_id("nav-core.inbox").click()
    page.wait_for_url("**/inbox/")
    section = page.get_by_test_id("inbox-section-decisions")
    assert "To acknowledge" in section.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "inbox.png"), full_page=True)
    section.get_by_role("link", name="Four-day week in Sales").click()
    page.wait_for_url(f"**/decisions/{decision.pk}/")
    page.get_by_test_id("acknowledge").click()
    page.wait_for_selector("[data-testid=acknowledged]")
    page.fill("#id_text", "Do part-timers keep their hours?")
    page.get_by_test_id("respond-submit").click()
    page.wait_for_load_state()
    assert "Do part-timers keep their hours?" in page.get_by_test_id("questions").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "decisions-employee.png"), full_page=True)
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("inbox-badge").count() == 0
    log_out(page)

    # the GM sees one of three acknowledged and answers the question
    log_in(page, "gm", "pass-gm")
    visit(page, f"/decisions/{decision.pk}/")
    assert page.get_by_test_id("acknowledged-count").inner_text() == "1 of 3"
    page.get_by_test_id("answer-text").fill("Yes: the four days are prorated.")
    page.get_by_test_id("answer-submit").click()
    page.wait_for_selector("[data-testid=answer]")
    assert (
        page.get_by_test_id("answer").inner_text().startswith("↳ Yes: the four days are prorated.")
    )
    page.screenshot(path=str(SCREENSHOTS / "decisions-gm.png"), full_page=True)
    assert Response.objects.get().answer == "Yes: the four days are prorated."
