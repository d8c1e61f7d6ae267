"""Middleware of core: each user's own language, remembered on their account; an API token's
last use, noted after the request unless it was an anonymous act; the Content-Security-Policy
header."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from gmassist.core.anonymity import is_anonymous_act

# the attribute of the request on which the API's token authentication leaves the token used
API_TOKEN_ATTRIBUTE = "gmassist_api_token"


class UserLanguageMiddleware:
    """Use the language a logged-in user chose (User.language) over the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None else ""
        if language and user.is_authenticated:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class ApiTokenUseMiddleware:
    """Note when an API token was used, after the view has run: only then is it known whether
    the request was an anonymous act (`mark_anonymous_act`), for which nothing is written to a
    row of the sender's (the token's `last_used_at` would time the act to the microsecond)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        token = getattr(request, API_TOKEN_ATTRIBUTE, None)
        if token is not None and not is_anonymous_act(request):
            from gmassist.core.services import api_token_note_use

            api_token_note_use(token=token)
        return response


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy of settings.CONTENT_SECURITY_POLICY on every response.

    The policy allows scripts and styles from our own static files only: no inline <script>,
    <style>, style="" or on…="" (a page's data travels in <script type="application/json">,
    which is not run). A view that sets its own header keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
