"""Every page the GM can open without parameters, and the API's docs, render under the
Content-Security-Policy: the `page` fixture fails a test on anything the policy refused (an
inline style or script), and the charts and scripts still run."""

import pytest

from gmassist.talent.tests.conftest import paid, skilled  # noqa: F401
from tests.browser.conftest import log_in, visit, wait_until
from tests.test_empty_data import PAGES

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_page_of_the_gm_renders_under_the_policy(page, scored):
    log_in(page, "gm", "pass-gm")
    opened = []
    for path in PAGES:
        # only what answers a GET with a page (not a probe, a fragment or a POST-only address)
        answer = page.request.get(page.base_url + path, max_redirects=0)
        if answer.status != 200 or not answer.headers["content-type"].startswith("text/html"):
            continue
        if "<html" not in answer.text()[:300]:
            continue
        visit(page, path)
        page.wait_for_load_state("networkidle")
        opened.append(path)
    assert len(opened) >= 30, opened


def test_the_talent_charts_and_heat_map_are_drawn(page, scored):
    log_in(page, "gm", "pass-gm")
    visit(page, "/talent/")
    wait_until(page, "document.querySelector('#talent-chart-calibration').width > 0")
    # the heat map's shades are classes now, not inline styles: the darkest cell is red
    colour = page.locator("td.cell.heat-10").first.evaluate(
        "cell => getComputedStyle(cell).backgroundColor"
    )
    assert colour == "rgba(196, 81, 61, 0.88)"


def test_the_months_of_the_trends_page_submit_themselves(page, cast):
    log_in(page, "gm", "pass-gm")
    visit(page, "/voice/trends/")
    page.get_by_test_id("trends-months").select_option("12")
    page.wait_for_url("**/voice/trends/?months=12")


def test_the_api_docs_render_under_the_policy(page, cast):
    log_in(page, "gm", "pass-gm")
    visit(page, "/api/docs")
    # the document is large: building and rendering it takes seconds on a busy machine
    page.wait_for_selector(".swagger-ui .info .title", timeout=60_000)
    assert "GM Assistant API" in page.locator(".swagger-ui .info .title").inner_text()
