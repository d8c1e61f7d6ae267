"""The REST API: one NinjaAPI under /api/, with the pieces every app's endpoints share.

Each app keeps its endpoints in its own `api.py` as a ninja `Router`, mounted here (ROUTERS).
What is shared lives in this module, so that every endpoint works the same way:

- authentication: a personal API token (`Authorization: Bearer gma_…`) or the browser's session
  (with a CSRF check on unsafe methods);
- page pagination (`?page=&page_size=`, at most MAX_PAGE_SIZE per page, with `count`);
- the permission rule applied by the helpers themselves: the paginator narrows a list with
  `restrict` unless it already went through it and refuses rows that did not, `visible_or_404`
  finds one object through it (a 404 when the user may not see it); rows that show someone's
  pay or risk are audited as they are shown (`core.sensitive`);
- one error format, RFC 9457 problem details (`application/problem+json`), for every error:
  ninja's own validation errors, 401, 403, 404, 405, 409, 422 and unexpected 500s;
- the OpenAPI document (`/api/openapi.json`) declares those errors on every operation, and the
  interactive docs (`/api/docs`) are served from the installed package's own static files.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Annotated, Any, TypeVar

from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ImproperlyConfigured,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, models
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import re_path
from django.utils.translation import gettext_lazy as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger
from ninja.pagination import PaginationBase
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie

from gmassist.core.choices import Action
from gmassist.core.logins import token_find
from gmassist.core.middleware import API_TOKEN_ATTRIBUTE
from gmassist.core.models import User
from gmassist.core.permissions import scoped_rows
from gmassist.core.sensitive import audit_rows_read

logger = logging.getLogger(__name__)

# The routers of the apps, mounted under /api/ in this order; a new app adds its line here.
ROUTERS = [
    "gmassist.core.api.router",
    "gmassist.org.api.router",
    "gmassist.talent.api.router",
    "gmassist.customers.api.router",
    "gmassist.voice.feedback.api.router",
    "gmassist.voice.recruiting.api.router",
    "gmassist.voice.surveys.api.router",
    "gmassist.decisions.api.router",
    "gmassist.office.today.api.router",
    "gmassist.office.tasks.api.router",
    "gmassist.office.triage.api.router",
    "gmassist.office.schedule.api.router",
    "gmassist.office.documents.api.router",
    "gmassist.workforce.api.router",
]

# Ids are 64-bit integers in both databases; a larger number can only be "not found" (and would
# make SQLite raise OverflowError instead).
MAX_ID = 2**63 - 1
MAX_PAGE = 1_000_000
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

# Text that may reach the database: PostgreSQL refuses NUL characters in text, so they are a 422
# here, not a 500 there.
NO_NUL = r"^[^\x00]*$"
Text = Annotated[str, Field(pattern=NO_NUL)]
ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]

PROBLEM_JSON = "application/problem+json"

M = TypeVar("M", bound=models.Model)

# RFC 9457: "about:blank" when the status says it all; a type of our own where a problem
# carries more (the `errors` list of a validation problem).
ABOUT_BLANK = "about:blank"
VALIDATION_PROBLEM = "urn:gmassist:problem:validation-error"
CONFLICT_PROBLEM = "urn:gmassist:problem:conflict"

TITLES = {
    400: _("Bad request"),
    401: _("Not logged in"),
    403: _("Not allowed"),
    404: _("Not found"),
    405: _("Method not allowed"),
    409: _("Conflict"),
    422: _("Invalid input"),
    413: _("Request too large"),
    429: _("Too many requests"),
    500: _("Server error"),
}


# --- the error format ------------------------------------------------------------------------


class FieldError(Schema):
    """One problem with one input field; `field` is null for a problem with the whole input."""

    field: str | None
    message: str


class Problem(Schema):
    """RFC 9457 problem details, the body of every error response."""

    type: str = Field(description='a URI naming the kind of problem; "about:blank": see status')
    title: str = Field(description="a short, human-readable summary of the kind of problem")
    status: int = Field(description="the HTTP status code")
    detail: str = Field(description="what went wrong this time, for a person to read")
    instance: str | None = Field(None, description="the path of the request")
    errors: list[FieldError] | None = Field(
        None, description="for a validation problem: every invalid field with its message"
    )


def problem_response(
    request: HttpRequest,
    status: int,
    detail: str,
    *,
    title: str | None = None,
    type_uri: str = ABOUT_BLANK,
    errors: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    """An `application/problem+json` response of `status` (RFC 9457)."""
    body: dict[str, Any] = {
        "type": type_uri,
        "title": str(title or TITLES.get(status) or HTTPStatus(status).phrase),
        "status": status,
        "detail": str(detail),
        "instance": request.path,
    }
    if errors is not None:
        body["errors"] = errors
    return JsonResponse(
        body, status=status, content_type=PROBLEM_JSON, json_dumps_params={"ensure_ascii": False}
    )


def problems(*statuses: int) -> dict[int, type[Problem]]:
    """The error responses an operation declares, for `response={200: X, **problems(...)}`.

    Every operation can answer 401 (it needs a login), 422 (its input is checked) and 429 (too
    many bad API tokens from the caller's address: core.logins), so those are always included.
    """
    return {status: Problem for status in sorted({401, 422, 429, *statuses})}


def django_field_errors(exc: DjangoValidationError) -> list[dict[str, Any]]:
    """The `errors` list of a Django ValidationError: one entry per message, by field."""
    if not hasattr(exc, "error_dict"):
        return [{"field": None, "message": str(message)} for message in exc.messages]
    return [
        {"field": None if name == NON_FIELD_ERRORS else name, "message": str(message)}
        for name, messages in exc.message_dict.items()
        for message in messages
    ]


def _ninja_field(location: Iterable[Any]) -> str:
    """The field of a ninja/pydantic error location, e.g. ("query", "page") -> "page".

    The body's own parameter name is dropped: ("body", "payload", "name") -> "name".
    """
    parts = [str(part) for part in location]
    if parts and parts[0] in ("query", "path", "header", "cookie", "form", "file"):
        parts = parts[1:]
    elif parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 2 else parts[1:]
    return ".".join(parts)


class GmassistAPI(NinjaAPI):
    """NinjaAPI with problem details everywhere, including ninja's own 405 and unknown paths."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._routers_mounted = False

    def mount_routers(self) -> None:
        """Mount every app's router (ROUTERS) once, when the URLs are first asked for.

        Late, so that an app's `api.py` can import this module without an import cycle.
        """
        if self._routers_mounted:
            return
        self._routers_mounted = True
        for dotted_path in ROUTERS:
            self.add_router("", dotted_path)

    @property
    def urls(self) -> tuple[list[Any], str, str]:
        self.mount_routers()
        return super().urls

    def _get_urls(self) -> list[Any]:
        patterns = super()._get_urls()
        for pattern in patterns:
            pattern.callback = _problem_on_405(pattern.callback)
        # Anything else under /api/ is a problem too, not Django's HTML 404 page.
        patterns.append(re_path(r"^.+$", _unknown_path, name="unknown"))
        return patterns

    def get_openapi_operation_id(self, operation: Any) -> str:
        """`<module>_<function>`, as ninja makes it, but with the module an endpoint's module
        names in `OPERATION_ID_MODULE` when it names one: generated API clients name their
        methods after the operation ids, so an endpoint keeps its id when its code moves."""
        view = operation.view_func
        module = getattr(sys.modules.get(view.__module__), "OPERATION_ID_MODULE", view.__module__)
        return f"{module}_{view.__name__}".replace(".", "_")

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        self.mount_routers()
        schema = super().get_openapi_schema(**kwargs)
        problem_ref = {"schema": {"$ref": "#/components/schemas/Problem"}}
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                # ninja keys some statuses by int and some by str: with both 400 and "400" the
                # JSON document had the key twice, and the docs page could not read it
                responses = {str(status): r for status, r in operation.get("responses", {}).items()}
                operation["responses"] = responses
                if "requestBody" in operation and "400" not in responses:
                    # a body that is not JSON (or not a form) at all
                    responses["400"] = {
                        "description": "Bad Request",
                        "content": {PROBLEM_JSON: problem_ref},
                    }
                if "requestBody" in operation and "413" not in responses:
                    # a body (or an upload) over the limits of the settings
                    responses["413"] = {
                        "description": "Content Too Large",
                        "content": {PROBLEM_JSON: problem_ref},
                    }
                # ninja declares every response as application/json; errors are problem+json.
                for status, response in responses.items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        response["content"] = {PROBLEM_JSON: content["application/json"]}
        return schema


def _problem_on_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def view_with_problem_405(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type", "").startswith("text/"):
            problem = problem_response(
                request, 405, _("%(method)s is not allowed here.") % {"method": request.method}
            )
            problem["Allow"] = response["Allow"]
            return problem
        return response

    # ninja's views handle CSRF themselves (in the session auth below)
    view_with_problem_405.csrf_exempt = True  # type: ignore[attr-defined]
    return view_with_problem_405


def _unknown_path(request: HttpRequest) -> HttpResponse:
    return problem_response(request, 404, _("There is no API endpoint at this address."))


# --- authentication --------------------------------------------------------------------------


class ApiTokenAuth(HttpBearer):
    """A personal API token: `Authorization: Bearer gma_…` (create one at /api/tokens)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        # throttled: bad tokens lock their address out for a while (429)
        found = token_find(request=request, key=token.strip()) if token else None
        if found is None:
            return None
        # its use is noted after the view, unless the view marks an anonymous act
        setattr(request, API_TOKEN_ATTRIBUTE, found)
        return found.user


class SessionCsrfAuth(APIKeyCookie):
    """The browser's Django session; unsafe methods also need the CSRF token (X-CSRFToken)."""

    param_name = "sessionid"

    def __init__(self) -> None:
        # csrf=True also makes the docs page send the CSRF token with its requests; the check
        # itself is made below, and only for a logged-in session (else it is a 401, not a 403).
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            # Django's own check, as the middleware would have made it for a form post
            reason = CsrfViewMiddleware(lambda req: HttpResponse()).process_view(
                request, None, (), {}
            )
            if reason is not None:
                raise HttpError(403, str(_("The CSRF token is missing or wrong.")))
        return user


# --- pagination ------------------------------------------------------------------------------


class PageNumberPagination(PaginationBase):
    """`?page=1&page_size=50`: one page of a list with the total `count` of items."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="the page, from 1")
        page_size: int = Field(
            DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="items per page"
        )

    class Output(Schema):
        count: int = Field(description="items in the whole list, on every page")
        page: int
        page_size: int
        items: list[Any]

    def paginate_queryset(
        self, queryset: Any, pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        """One page of rows as the user may see them: the permission rule is applied here
        (a restricted queryset is not narrowed twice; rows that did not come through the rule
        are refused) and the rows that show someone's pay or risk are audited."""
        user = request_user(request)
        to_row = None
        if isinstance(queryset, MappedRows):
            queryset, to_row = queryset.queryset, queryset.to_row
        rows = scoped_rows(queryset, user, Action.VIEW)
        offset = (pagination.page - 1) * pagination.page_size
        page = list(rows[offset : offset + pagination.page_size])
        audit_rows_read(actor=user, rows=page, what=request.path)
        return {
            "count": self._items_count(rows),
            "page": pagination.page,
            "page_size": pagination.page_size,
            "items": [to_row(row) for row in page] if to_row is not None else page,
        }


class MappedRows:
    """A restricted queryset for the paginator, each row of the page it shows turned into an
    output row by `to_row` (so that only one page of rows is ever built)."""

    def __init__(self, queryset: Any, to_row: Callable[[Any], Any]):
        self.queryset = queryset
        self.to_row = to_row


# --- reads and the user ----------------------------------------------------------------------


def request_user(request: HttpRequest) -> User:
    """The user the request acts for (set by the authentication above)."""
    return request.auth  # type: ignore[attr-defined]


def visible_or_404(
    queryset: models.QuerySet[M], pk: int, *, user: User | None = None, action: str = Action.VIEW
) -> M:
    """The object `pk` of `queryset`, or a 404 when it does not exist or is not visible.

    Pass a queryset that is already restricted (a selector), or a model's manager and `user`
    to restrict it here; a queryset that went through neither is refused
    (ImproperlyConfigured), so that an endpoint cannot forget the rule. A denied read is a 404
    so that it does not reveal that the object exists. An object that shows someone's pay or
    risk (`core.sensitive`) is audited as read.
    """
    queryset = queryset.all()
    if user is not None:
        if queryset.is_restricted:  # type: ignore[attr-defined]
            queryset = queryset.ensure_restricted(user, action)  # type: ignore[attr-defined]
        else:
            queryset = queryset.restrict(user, action)  # type: ignore[attr-defined]
    elif not getattr(queryset, "is_restricted", False):
        raise ImproperlyConfigured(
            f"{queryset.model._meta.label} read without the permission rule: pass a "
            "selector's queryset or user="
        )
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404(f"{queryset.model._meta.verbose_name} {pk} not found")
    audit_rows_read(
        actor=queryset._restricted_actor,  # type: ignore[attr-defined]
        rows=[obj],
        what=f"api {queryset.model._meta.label_lower}",
    )
    return obj


def reference_or_422(
    queryset: models.QuerySet[M], pk: int | None, *, field: str, user: User
) -> M | None:
    """An object named by id in a request body, restricted to what `user` may see.

    None stays None; an id the user may not see is a field error (422), not a leak.
    """
    if pk is None:
        return None
    obj = queryset.restrict(user, Action.VIEW).filter(pk=pk).first()  # type: ignore[attr-defined]
    if obj is None:
        raise DjangoValidationError(
            {
                field: _("No %(what)s with id %(id)s.")
                % {"what": queryset.model._meta.verbose_name, "id": pk}
            }
        )
    return obj


# --- the API ---------------------------------------------------------------------------------

api = GmassistAPI(
    title="GM Assistant API",
    version="1",
    description=(
        "The GM Assistant's REST API. Authenticate with a personal API token "
        "(`Authorization: Bearer gma_…`) or a browser session. Every error is an RFC 9457 "
        "problem (`application/problem+json`). Lists take `page` and `page_size` (at most "
        f"{MAX_PAGE_SIZE}) and return `count`."
    ),
    urls_namespace="api",
    auth=[ApiTokenAuth(), SessionCsrfAuth()],
    # Swagger UI from ninja's own static files; no online validator badge (no internet).
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": True}),
)


@api.exception_handler(NinjaValidationError)
def _invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": _ninja_field(error.get("loc", ())), "message": str(error.get("msg", ""))}
        for error in exc.errors
    ]
    return problem_response(
        request,
        422,
        _("The input is not valid; see errors."),
        type_uri=VALIDATION_PROBLEM,
        errors=errors,
    )


@api.exception_handler(DjangoValidationError)
def _invalid_for_the_data(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    # Field errors are bad input (422); a message about the object's state, e.g. "already
    # approved", is a conflict with the data as it is (409).
    if hasattr(exc, "error_dict"):
        return problem_response(
            request,
            422,
            _("The input is not valid; see errors."),
            type_uri=VALIDATION_PROBLEM,
            errors=django_field_errors(exc),
        )
    return problem_response(
        request, 409, "; ".join(str(m) for m in exc.messages), type_uri=CONFLICT_PROBLEM
    )


@api.exception_handler(AuthenticationError)
def _not_logged_in(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem_response(
        request, 401, _("Log in, or send a valid API token: Authorization: Bearer gma_…")
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(request, exc.status_code, str(exc))


@api.exception_handler(PermissionDenied)
def _not_allowed(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem_response(request, 403, str(exc) or _("Your role may not do this."))


@api.exception_handler(Http404)
@api.exception_handler(ObjectDoesNotExist)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(request, 404, _("Not found, or not visible to you."))


@api.exception_handler(IntegrityError)
def _integrity_conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    # Validation runs first, so this is a race with another write (e.g. two creates of the
    # same code); the database kept its rules.
    logger.warning("API write refused by the database: %s", exc)
    return problem_response(
        request,
        409,
        _("The change conflicts with the data as it is now; reload and try again."),
        type_uri=CONFLICT_PROBLEM,
    )


@api.exception_handler(DataError)
def _data_out_of_range(request: HttpRequest, exc: DataError) -> HttpResponse:
    logger.warning("API input refused by the database: %s", exc)
    return problem_response(request, 422, _("A value is out of range or too long."))


@api.exception_handler(RequestDataTooBig)
@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def _too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE (an upload's file aside,
    # which gmassist.core.uploads bounds): that is the client's request, a 413, not our 500
    limit_kb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
    return problem_response(
        request,
        413,
        _(
            "The request is larger than %(limit)s KB, the most the API reads (an upload's file "
            "aside)."
        )
        % {"limit": f"{limit_kb:,}"},
    )


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    # The trace goes to the log, never to the client.
    return problem_response(request, 500, _("Something went wrong on our side; it is logged."))
