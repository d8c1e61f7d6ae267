"""Documents awaiting approval through a real browser: an employee uploads a contract routed
to the head then the GM; the head, away, has named a deputy, who approves on the head's
behalf; the GM finds it waiting, asks for changes; the employee adds a version; it goes round
again and is archived with its approval record. Screenshots (English, Chinese, a 390 px phone)
go to docs/screenshots/."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from gmassist.core.services import deputy_name
from gmassist.office.documents import engine
from gmassist.office.documents.models import Document, DocumentStep
from tests.browser.conftest import SCREENSHOTS, log_in, visit, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def log_out(page) -> None:
    page.get_by_test_id("account-menu").click()
    page.get_by_test_id("logout").click()
    page.wait_for_load_state()


def test_a_contract_from_upload_to_the_archive(page, cast, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    contract = tmp_path / "supply-contract.pdf"
    contract.write_bytes(
        engine.pdf_bytes(["Supply of 400 laptops", "Price: 2.1 M"], title="Contract")
    )
    today = timezone.localdate()
    deputy_name(
        principal=cast.head,
        deputy=cast.account_manager,
        starts_on=today,
        ends_on=today + dt.timedelta(days=6),
        note="Trade fair in Hanover",
        by=cast.head,
    )

    # the employee uploads the contract and routes it to the head, then the GM
    log_in(page, "employee", "pass-employee")
    visit(page, "/office/documents/new/")
    page.fill("#id_title", "Laptop supply contract 2027")
    page.select_option("#id_kind", "contract")
    page.fill("#id_summary", "400 laptops from Lenovo over two years.")
    page.set_input_files("#id_file", str(contract))
    page.fill("#id_approver_1", "head")
    page.fill("#id_approver_2", "gm")
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header at the top of the shot
    page.screenshot(path=str(SCREENSHOTS / "office-documents-new.png"), full_page=True)
    page.get_by_test_id("document-save").click()
    page.wait_for_url("**/office/documents/*/")
    document = Document.objects.get()
    assert page.get_by_test_id("document-status").inner_text() == "In review"
    log_out(page)

    # the account manager, the head's deputy this week, approves on the head's behalf
    log_in(page, "am", "pass-am")
    visit(page, "/office/documents/")
    assert page.get_by_test_id("acting-for").count() == 1
    page.get_by_test_id("document-link").click()
    page.wait_for_url(f"**/office/documents/{document.pk}/")
    until = (today + dt.timedelta(days=6)).isoformat()
    assert (
        page.get_by_test_id("acting-for").inner_text()
        == f"You decide on behalf of Hank Head until {until}."
    )
    page.fill("#id_comment", "Checked the warranty terms.")
    page.get_by_test_id("decide-approve").click()
    page.wait_for_load_state()
    assert "Alice Account on behalf of Hank Head" in page.get_by_test_id("route-1").inner_text()
    log_out(page)

    # the GM finds it waiting and asks for changes
    log_in(page, "gm", "pass-gm")
    visit(page, "/office/documents/")
    assert page.get_by_test_id("awaiting-count").inner_text() == "1"
    page.screenshot(path=str(SCREENSHOTS / "office-documents-list.png"), full_page=True)
    page.get_by_test_id("document-link").click()
    page.wait_for_url(f"**/office/documents/{document.pk}/")
    page.screenshot(path=str(SCREENSHOTS / "office-documents-detail.png"), full_page=True)
    page.fill("#id_comment", "Add the delivery penalty.")
    page.get_by_test_id("decide-changes").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("document-status").inner_text() == "Changes requested"
    log_out(page)

    # the employee adds version 2; the route starts again
    log_in(page, "employee", "pass-employee")
    visit(page, f"/office/documents/{document.pk}/")
    page.set_input_files("#id_file", str(contract))
    page.fill("#id_note", "Delivery penalty of 0.5% a day added")
    page.get_by_test_id("version-save").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("document-status").inner_text() == "In review"
    assert [s.status for s in DocumentStep.objects.filter(version__number=2)] == ["open", "waiting"]
    log_out(page)

    # the deputy and the GM approve: archived with its approval record
    for login, password in (("am", "pass-am"), ("gm", "pass-gm")):
        log_in(page, login, password)
        visit(page, f"/office/documents/{document.pk}/")
        page.get_by_test_id("decide-approve").click()
        page.wait_for_load_state()
        if login == "am":
            log_out(page)
    assert page.get_by_test_id("archived").count() == 1
    with page.expect_download() as download:
        page.get_by_test_id("record-download").click()
    record = engine.docx_text(Path(download.value.path()).read_bytes())
    assert "Version approved: 2" in record
    assert "Alice Account on behalf of Hank Head" in record
    page.screenshot(path=str(SCREENSHOTS / "office-documents-archived.png"), full_page=True)

    # in Chinese, and on a phone
    page.click("#language-zh-hans")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_test_id("document-status").inner_text() == "已批准"
    page.screenshot(path=str(SCREENSHOTS / "office-documents-zh.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    wait_until(page, "document.documentElement.scrollWidth <= 390", 10_000)
    page.screenshot(path=str(SCREENSHOTS / "office-documents-phone-zh.png"), full_page=True)
    visit(page, "/deputies/")
    wait_until(page, "document.documentElement.scrollWidth <= 390", 10_000)
    page.screenshot(path=str(SCREENSHOTS / "office-deputies-phone-zh.png"), full_page=True)
