"""Browser tests: Debian's Chromium driven by the Python playwright package against a live server.

`playwright install` cannot download browsers here, so the system's /usr/bin/chromium is used
(`.ci/run` installs it when missing, with a Chinese font). A failing test leaves a full-page
screenshot in test-results/.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("GMASSIST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
# The pages' screenshots, for the README and docs/. `make test` sends the second database's run
# elsewhere (GMASSIST_SCREENSHOT_DIR): its two suites run side by side and would both write them.
SCREENSHOTS = Path(
    os.environ.get("GMASSIST_SCREENSHOT_DIR")
    or Path(__file__).resolve().parents[2] / "docs" / "screenshots"
)


def _has_chinese_font() -> bool:
    """Whether fontconfig knows a font for Chinese (Debian: fonts-noto-cjk)."""
    import subprocess

    try:
        listed = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return bool(listed.stdout.strip())


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        # in CI the Chinese screenshots must show Chinese, not boxes
        if os.environ.get("GMASSIST_REQUIRE_BROWSER") == "1" and not _has_chinese_font():
            raise pytest.UsageError(
                "no Chinese font (apt-get install fonts-noto-cjk): the Chinese pages would be"
                " drawn as boxes"
            )
        return
    # CI installs Chromium and sets this: there a missing browser is a failure, not a skip
    if os.environ.get("GMASSIST_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"no Chromium at {CHROMIUM}: the browser tests cannot run")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    # playwright's sync API keeps an event loop running in this thread; the ORM calls the tests
    # make around it (fixtures, database flushes, assertions) are plain synchronous code all the
    # same. Set for as long as the browser runs, and only then.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, request, live_server) -> Iterator:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.base_url = live_server.url  # used by `visit`
    # Whatever the Content-Security-Policy refused (an inline style or script, a foreign
    # source): Chromium says so on the console. Every browser test fails on it.
    refused: list[str] = []
    tab.on(
        "console",
        lambda message: (
            refused.append(f"{tab.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        RESULTS_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        tab.screenshot(path=str(RESULTS_DIR / f"{name}.png"), full_page=True)
    context.close()
    assert refused == [], "the Content-Security-Policy refused:\n" + "\n".join(refused)


def visit(tab, path: str) -> None:
    tab.goto(tab.base_url + path)


def log_in(tab, username: str, password: str) -> None:
    visit(tab, "/login/")
    tab.fill("#id_username", username)
    tab.fill("#id_password", password)
    tab.click("button[type=submit]")
    tab.wait_for_load_state()


def wait_until(tab, expression: str, timeout_ms: int = 10_000) -> None:
    """Wait until the JavaScript `expression` is true in the page, reading it from outside.

    Playwright's `wait_for_function` polls a string predicate by evaluating it inside the page,
    which the Content-Security-Policy refuses (no 'unsafe-eval') as soon as it has to try twice;
    `evaluate` from here is not the page's own script and is not refused.
    """
    waited = 0
    while not tab.evaluate(f"Boolean({expression})"):
        if waited >= timeout_ms:
            raise AssertionError(f"still false after {timeout_ms} ms: {expression}")
        tab.wait_for_timeout(100)
        waited += 100
