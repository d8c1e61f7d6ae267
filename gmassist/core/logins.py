"""Throttled logins: wrong passwords and bad API tokens lock out, with django-axes.

- A password (the login page; any `authenticate()` with a request) is refused for
  LOGIN_LOCKOUT_MINUTES once its username has LOGIN_FAILURES_PER_USER failures, or its address
  LOGIN_FAILURES_PER_ADDRESS failures (whatever usernames they named), each failure no more
  than that long after the one before. The right password is refused too while locked out.
- An API token is refused (429) for as long once its address sent TOKEN_FAILURES_PER_ADDRESS
  bad tokens; valid tokens from that address are refused too.
- Bad tokens and wrong passwords are counted apart: a script with a revoked token does not lock
  its office out of the login page, nor the reverse.

The attempts are rows of axes' AccessAttempt table (so every web process and machine shares
them); an administrator unlocks with axes' commands, e.g. `gmassist axes_reset_username gm`
or `gmassist axes_reset_ip 203.0.113.7` (see the README).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja.errors import HttpError

from gmassist.core.models import ApiToken
from gmassist.core.services import api_token_find

# The "username" under which bad API tokens are counted: not a possible username (a username
# has letters, digits and @.+-_ only), so no login's failures are ever mixed with them.
TOKEN_USERNAME = "<api token>"


def _is_token(credentials: dict[str, Any] | None) -> bool:
    return bool(credentials) and credentials.get("username") == TOKEN_USERNAME


def lockout_parameters(request: Any, credentials: dict[str, Any] | None) -> list[Any]:
    """What axes counts failures by (AXES_LOCKOUT_PARAMETERS): bad tokens by address (with
    the token marker); passwords by username and, separately, by address."""
    if _is_token(credentials):
        return [["ip_address", "username"]]
    return ["username", "ip_address"]


def failure_limit(request: Any, credentials: dict[str, Any] | None) -> int:
    """The failures that lock out (AXES_FAILURE_LIMIT): see `AttemptsHandler.get_failures`
    for the separate limit by address of passwords."""
    if _is_token(credentials):
        return settings.TOKEN_FAILURES_PER_ADDRESS
    return settings.LOGIN_FAILURES_PER_USER


def client_ip(request: HttpRequest) -> str | None:
    """The client's address (AXES_CLIENT_IP_CALLABLE): REMOTE_ADDR, or behind TRUSTED_PROXIES
    proxies the address the outermost of them saw, from X-Forwarded-For counted from the right
    (the left end is whatever the client wrote). Not an address: REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXIES
    if proxies > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if hops:
            candidate = hops[-proxies] if len(hops) >= proxies else hops[0]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return remote


class AttemptsHandler(AxesDatabaseHandler):
    """axes' database handler with bad tokens counted apart from passwords, and a limit of its
    own for the failures of passwords from one address."""

    def filter_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> list[Any]:
        attempts = super().filter_user_attempts(request, credentials)
        if _is_token(credentials):
            return attempts
        return [queryset.exclude(username=TOKEN_USERNAME) for queryset in attempts]

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """The failures that count against `failure_limit`. For a password the address has a
        limit of its own (LOGIN_FAILURES_PER_ADDRESS, larger: an office shares one address);
        its failures are scaled to the username's limit, so that axes' one comparison
        (failures >= limit) locks at either limit exactly: floor(f * user / address) >= user
        exactly when f >= address."""
        if _is_token(credentials):
            return super().get_failures(request, credentials)
        by_user, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        per_user = get_failure_limit(request, credentials)
        per_address = settings.LOGIN_FAILURES_PER_ADDRESS
        return max(by_user, by_address * per_user // per_address)


def _tokens_locked_out_message() -> str:
    return _(
        "Too many bad API tokens from your address: tokens from it are refused for "
        "%(minutes)d minutes after the last bad one. An administrator can unlock it."
    ) % {"minutes": settings.LOGIN_LOCKOUT_MINUTES}


def token_find(*, request: HttpRequest, key: str) -> ApiToken | None:
    """The active API token `key` (with its user), or None for a bad one (counted against the
    address); raises HttpError 429 while the address is locked out, whatever the token."""
    credentials = {"username": TOKEN_USERNAME}
    if not AxesProxyHandler.is_allowed(request, credentials):
        raise HttpError(429, _tokens_locked_out_message())
    token = api_token_find(key=key)
    if token is None:
        AxesProxyHandler.user_login_failed(
            sender=__name__, credentials=credentials, request=request
        )
    return token


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The login page with the lockout said in words, 429 (AXES_LOCKOUT_CALLABLE); for the
    bad token that locked its address, the API's problem response."""
    if _is_token(credentials):
        from gmassist.api import problem_response  # the API imports this module

        return problem_response(request, 429, _tokens_locked_out_message())
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {
        "form": form,
        "locked_out": True,
        "lockout_minutes": settings.LOGIN_LOCKOUT_MINUTES,
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    return render(request, "registration/login.html", context, status=429)
