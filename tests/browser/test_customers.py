"""Group customers through a real browser: the GM filters the list to tier A and opens a
customer whose revenue chart is drawn."""

import pytest

from gmassist.customers.tests.test_pages_customers import make_revenue_book
from tests.browser.conftest import SCREENSHOTS, log_in, visit, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_gm_filters_tier_a_and_opens_a_customer_with_its_revenue_chart(page, cast):
    make_revenue_book(cast)
    log_in(page, "gm", "pass-gm")
    page.get_by_test_id("nav-customers.list").click()
    page.wait_for_url("**/customers/")
    assert page.get_by_test_id("customers-row").count() == 3

    with page.expect_response(lambda r: "/customers/" in r.url and "tier=A" in r.url):
        page.select_option("#customers-tier", "A")
    wait_until(page, "document.querySelectorAll('[data-testid=customers-row]').length === 1")
    assert "tier=A" in page.url
    assert page.get_by_test_id("customers-tier").inner_text() == "A"

    page.get_by_test_id("customer-link").click()
    page.wait_for_url("**/customers/*/")
    assert page.get_by_test_id("customer-name").inner_text() == "Acme"
    assert page.get_by_test_id("customer-revenue-12m").inner_text().startswith("12,000")
    wait_until(
        page, "window.Chart && Chart.getChart(document.getElementById('customer-chart-revenue'))"
    )
    bars = page.evaluate(
        "Chart.getChart(document.getElementById('customer-chart-revenue')).data.datasets[0].data"
    )
    assert bars == [0] * 12 + [1000] * 12


@pytest.mark.parametrize("path", ["/customers/", "/customers/analytics/"])
def test_the_customer_pages_fit_a_phone_without_scrolling_sideways(page, cast, path):
    make_revenue_book(cast)
    log_in(page, "gm", "pass-gm")
    page.set_viewport_size({"width": 390, "height": 844})

    visit(page, path)
    page.wait_for_load_state("networkidle")

    # what sticks out, outside the boxes that scroll on their own (wide tables)
    wide = page.evaluate(
        """[...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > 391 && !e.closest('.overflow-auto'))
        .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
        .slice(0, 12)"""
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, wide
    name = path.strip("/").replace("/", "-")
    page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=False)
