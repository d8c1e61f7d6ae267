"""The Content-Security-Policy on every response, no inline script or style in any template,
and a refused request (403) logged as one line."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@pytest.mark.parametrize("path", ["/login/", "/api/openapi.json", "/api/docs", "/no-such-page/"])
def test_every_response_carries_the_content_security_policy(client, db, path):
    response = client.get(path)
    assert response["Content-Security-Policy"] == POLICY


def test_a_logged_in_page_carries_it_too(client, cast):
    client.force_login(cast.gm)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == POLICY


def test_a_deployment_may_replace_the_policy(client, db, settings):
    settings.CONTENT_SECURITY_POLICY = "default-src 'self' https://cdn.example"
    from gmassist.core.middleware import ContentSecurityPolicyMiddleware

    response = ContentSecurityPolicyMiddleware(lambda request: client.get("/login/"))(None)
    assert response["Content-Security-Policy"] == "default-src 'self' https://cdn.example"


# what the policy refuses: inline scripts (a <script> without src that is not JSON data),
# <style> blocks, style="" attributes and on…="" handlers
INLINE = re.compile(
    r"<script(?![^>]*\b(src|type=\"application/json\")=?)[^>]*>"
    r"|<style\b|\sstyle=|\son[a-z]+=",
    re.IGNORECASE,
)


def test_no_template_has_an_inline_script_or_style():
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        if "email" not in path.parts  # e-mails are not pages: no policy applies there
        for match in INLINE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_a_403_is_logged_as_one_line_without_a_traceback(client, cast, caplog):
    client.force_login(cast.employee)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("audit-log"))
    assert response.status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Forbidden (Permission denied): /audit/"
    assert record.exc_info is None
    assert "\n" not in logging.Formatter().format(record)


def test_a_server_error_keeps_its_traceback(rf):
    from gmassist.lib.logs import NoTraceForRefusals

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        record = logging.LogRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: /",
            (),
            sys.exc_info(),
        )
    record.status_code = 500
    assert NoTraceForRefusals().filter(record) is True
    assert record.exc_info is not None
