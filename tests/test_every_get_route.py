"""Every GET route, as every role and as nobody, against one small company: generated from the
URL conf and the OpenAPI document, not from a hand list, so that a new page or endpoint is
checked the day it is added.

Each route is requested by each user of the usual cast (conftest's `cast`: the GM, the
assistant, HR, a department head, an employee of that department, an employee of another, an
account manager) and anonymously; a route with path parameters once with a record the user may
see and once with one they may not (real ids of the company below); a list page also as its
CSV export. A request fails the test when

- it answers 500;
- it serves a record the user may not see: a record out of scope answers 200, or any body
  carries the marker text of a record out of the user's scope (`restrict(user, "view")`);
- it shows pay the user may not read (another person's yearly base pay, each one a distinct
  number in this company), or risk the user may not read (the risk tables read at all);
- it shows another person's pay or reads other people's leaving risk without writing the
  audit entry (READ_PAY naming the person; READ_RISK) in the same request.

A route whose path parameter names no model here fails too: say which model it takes in
PATH_MODELS, and it is checked like the others.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from gmassist.core.choices import Action, AuditAction
from gmassist.core.models import ApiToken, ApprovalDeputy, AuditEntry, Job, Proposal, SavedView
from gmassist.core.permissions import reach
from gmassist.core.views_lib import ListPage
from gmassist.customers.models import GroupCustomer
from gmassist.customers.services import RETIER
from gmassist.decisions.models import Decision
from gmassist.office.documents.models import Document
from gmassist.office.schedule.models import BusyCalendar, Meeting
from gmassist.org.models import Employee
from gmassist.talent.selectors import risk_reach_ok
from gmassist.voice.feedback.models import Feedback
from gmassist.voice.recruiting.models import Candidate, RecruitingAgency, Requisition
from gmassist.voice.surveys.models import Survey
from tests.company import PATH_MODELS, PAY, marker, small_company

ROLES = ["gm", "assistant", "hr", "head", "employee", "outsider", "account_manager", None]

# parameters that are not a record the route shows (a note's record type; a note's id, whose
# reader is its record's: tests/core/test_notes.py)
PLAIN_PARAMS = {
    "number": "1",
    "target_type": "org.employee",
    "note_id": "1",
    "secret": "gmf_not-a-feed",  # the iCalendar feed's secret: a wrong one is a 404
}

# The records whose text carries a marker: the marker of a record out of the user's scope
# must appear in no response to them.
MARKED = [
    (Proposal, "rationale"),
    (GroupCustomer, "name"),
    (Feedback, "subject"),
    (Decision, "title"),
    (Survey, "title"),
    (Requisition, "reason_note"),
    (RecruitingAgency, "name"),
    (Candidate, "full_name"),
    (ApiToken, "name"),
    (Job, "message"),
    (SavedView, "name"),
    (Meeting, "title"),
    (BusyCalendar, "name"),
    (Document, "title"),
    (ApprovalDeputy, "note"),
]

# Routes that show pay by design without auditing each read, with the reason.
PAY_READ_NOT_AUDITED = {
    # the audit log records every pay write with its amounts (who changed whose pay from what
    # to what); only the GM reads it, and an entry for each read of the log would itself fill
    # the log
    "audit-log": "the audit log's own record of pay writes",
}

RISK_COLUMNS = re.compile(r'"talent_(riskscore|incentiveplanline)"\."(probability|risk_before)"')
OUT_OF_SCOPE_OK = {302, 400, 401, 403, 404, 405, 422}


# --- the routes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """A GET route: where it comes from, its template and its path parameters."""

    name: str  # a page's URL name, or "api <path>"
    params: tuple[str, ...]
    build: Any  # {param: value} -> path
    list_page: bool = False


def _walk(patterns, namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace == "api":
                continue  # the API's routes come from the OpenAPI document
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, pattern


def page_routes() -> list[Route]:
    """Every named page of the URL conf (the API aside)."""
    routes = []
    for name, pattern in _walk(get_resolver().url_patterns):
        params = tuple(pattern.pattern.converters)
        view_class = getattr(pattern.callback, "view_class", None)
        routes.append(
            Route(
                name=name,
                params=params,
                build=lambda values, name=name: reverse(name, kwargs=values),
                list_page=bool(view_class and issubclass(view_class, ListPage)),
            )
        )
    return routes


def api_routes() -> list[Route]:
    """Every GET operation of the OpenAPI document."""
    from gmassist.api import api

    routes = []
    for path, item in api.get_openapi_schema()["paths"].items():
        if "get" not in item:
            continue
        params = tuple(re.findall(r"{(\w+)}", path))
        routes.append(
            Route(
                name=f"api {path}",
                params=params,
                build=lambda values, path=path: re.sub(
                    r"{(\w+)}", lambda m: str(values[m.group(1)]), path
                ),
            )
        )
    return routes


def test_the_routes_come_from_the_url_conf_and_the_openapi_document():
    pages = {route.name for route in page_routes()}
    apis = {route.name for route in api_routes()}
    assert {"home", "proposals", "org:directory", "decisions:detail"} <= pages
    assert {"api /api/proposals", "api /api/talent/plans/{plan_id}"} <= apis
    assert len(pages) >= 70 and len(apis) >= 50


# --- scope -----------------------------------------------------------------------------------


def visible_ids(model: type, user: Any) -> set[Any]:
    """The records of `model` the user may see, as the pages should apply the rule: through
    `restrict`, and only in a domain the policy lets the role reach at all (checked here
    against the policy table itself: a proposal's domain is its kind's)."""
    from gmassist.core.proposals import proposal_kind

    rows = model._default_manager.restrict(user, Action.VIEW)
    if model is Proposal:
        return {
            pk
            for pk, kind in rows.values_list("pk", "kind")
            if reach(user, proposal_kind(kind).domain, Action.VIEW) is not None
        }
    if reach(user, model.restrict_scope.domain, Action.VIEW) is None:
        return set()
    return set(rows.values_list("pk", flat=True))


def path_model(route: Route, param: str) -> type | None:
    if route.name.startswith("api "):
        return PATH_MODELS.get(param)
    return PATH_MODELS.get(route.name) if param == "pk" else PATH_MODELS.get(param)


def path_values(route: Route, user: Any) -> list[tuple[str, dict[str, Any]]]:
    """("in"/"out", {param: value}) for one record the user may see and one they may not."""
    if not route.params:
        return [("-", {})]
    choices: dict[str, dict[str, Any]] = {"in": {}, "out": {}}
    for param in route.params:
        if param in PLAIN_PARAMS:
            for values in choices.values():
                values[param] = PLAIN_PARAMS[param]
            continue
        model = path_model(route, param)
        if model is None:
            pytest.fail(
                f"{route.name}: path parameter {param!r} names no model; add it to PATH_MODELS"
            )
        every = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
        seen = visible_ids(model, user) if user is not None else set()
        # someone else's record where there is one: reading one's own is not audited
        own = getattr(user, "employee_id", None) if model is Employee else None
        inside = sorted((pk for pk in every if pk in seen), key=lambda pk: (pk == own, pk))
        outside = [pk for pk in every if pk not in seen]
        choices["in"][param] = inside[0] if inside else None
        choices["out"][param] = outside[0] if outside else None
    return [(kind, values) for kind, values in choices.items() if None not in values.values()]


# --- what a response shows -------------------------------------------------------------------


def flat(body: str) -> str:
    """The body with thousands separators gone, so that 174,004 reads as 174004."""
    return re.sub(r"(?<=\d)[,\u00a0\u202f ](?=\d{3}\b)", "", body)


@dataclass
class Reader:
    user: Any
    label: str
    own_no: str | None
    pay_visible: set[str]
    risk_allowed: bool
    out_of_scope_markers: list[str]


def reader(user: Any) -> Reader:
    own = user.employee.employee_no if user is not None and user.employee_id else None
    pay_visible = (
        set(Employee.objects.restrict(user, Action.VIEW_PAY).values_list("employee_no", flat=True))
        if user is not None
        else set()
    )
    out = []
    for model, _field in MARKED:
        seen = visible_ids(model, user) if user is not None else set()
        out += [
            marker(model, pk)
            for pk in model._default_manager.values_list("pk", flat=True)
            if pk not in seen
        ]
    return Reader(
        user=user,
        label=user.username if user is not None else "anonymous",
        own_no=own,
        pay_visible=pay_visible,
        risk_allowed=user is not None and risk_reach_ok(user),
        out_of_scope_markers=out,
    )


def audited_numbers(entries: list[AuditEntry], action: str) -> set[str]:
    numbers: set[str] = set()
    for entry in entries:
        if entry.action != action:
            continue
        numbers.update((entry.changes or {}).get("employee_nos", []))
        if entry.target_type == "org.employee":
            numbers.update(
                Employee.objects.filter(pk=entry.target_id).values_list("employee_no", flat=True)
            )
    return numbers


def check(client: Client, who: Reader, route: Route, scope: str, url: str) -> list[str]:
    """What is wrong with GET `url` as `who` (empty: nothing)."""
    where = f"{who.label} GET {url} ({route.name}, {scope})"
    last_entry = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with CaptureQueriesContext(connection) as queries:
        try:
            response = client.get(url)
        except Exception as exc:  # a crash is a 500 the test client raises
            return [f"{where}: raised {type(exc).__name__}: {exc}"]
    problems = []
    if response.status_code >= 500:
        problems.append(f"{where}: answered {response.status_code}")
    if scope == "out" and response.status_code not in OUT_OF_SCOPE_OK:
        problems.append(f"{where}: a record out of scope answered {response.status_code}")
    content_type = response.get("Content-Type", "")
    is_text = content_type.startswith(("text/", "application/json", "application/problem"))
    body = flat(b"".join(response).decode("utf-8", "replace") if is_text else "")
    for text in who.out_of_scope_markers:
        if text in body:
            problems.append(f"{where}: shows {text}, out of the user's scope")
    entries = list(AuditEntry.objects.filter(id__gt=last_entry))
    if who.user is not None:
        entries = [e for e in entries if e.actor_id == who.user.pk]
    shown = {no for no, pay in PAY.items() if str(pay) in body and no != who.own_no}
    for no in sorted(shown - who.pay_visible):
        problems.append(f"{where}: shows the pay of {no}, which the user may not read")
    unaudited = (shown & who.pay_visible) - audited_numbers(entries, AuditAction.READ_PAY)
    if route.name in PAY_READ_NOT_AUDITED:
        unaudited = set()
    for no in sorted(unaudited):
        problems.append(f"{where}: shows the pay of {no} with no audit entry")
    read_risk = any(
        RISK_COLUMNS.search(q["sql"].split(" FROM ")[0]) for q in queries.captured_queries
    )
    if read_risk and not who.risk_allowed:
        problems.append(f"{where}: reads leaving risk, which the user may not")
    elif read_risk and not audited_numbers(entries, AuditAction.READ_RISK):
        problems.append(f"{where}: reads leaving risk with no audit entry")
    return problems


def csv_cells(response) -> str:
    return "\n".join(",".join(row) for row in csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("role", ROLES, ids=[role or "anonymous" for role in ROLES])
def test_every_get_route_shows_each_role_only_its_scope_and_audits_pay_and_risk(cast, role):
    small_company(cast)
    user = getattr(cast, role) if role else None
    client = Client()
    if user is not None:
        client.force_login(user)
    who = reader(user)
    problems: list[str] = []
    requests = 0
    for route in page_routes() + api_routes():
        for scope, values in path_values(route, user):
            url = route.build(values)
            problems += check(client, who, route, scope, url)
            requests += 1
            if route.list_page and scope == "-":
                problems += check(client, who, route, "export", url + "?export=csv")
                requests += 1
    assert requests > 120
    assert not problems, "\n".join(problems)


def test_the_company_has_records_in_and_out_of_each_roles_scope(cast):
    small_company(cast)
    head, hr = reader(cast.head), reader(cast.hr)
    retier = Proposal.objects.get(kind=RETIER)
    assert marker(Proposal, retier.pk) in hr.out_of_scope_markers
    assert hr.pay_visible == set(PAY)
    assert head.pay_visible == {"E003", "E004", "E006"}
    assert (head.risk_allowed, reader(cast.employee).risk_allowed) == (True, False)
    oscar = Employee.objects.get(employee_no="E005")
    [(_in, inside), (_out, outside)] = path_values(
        Route("org:employee", ("pk",), build=None), cast.head
    )
    assert inside["pk"] != cast.head.employee_id
    assert (
        outside["pk"]
        == Employee.objects.order_by("pk")
        .exclude(department__in=[cast.sales, cast.sales_east])
        .first()
        .pk
    )
    assert oscar.base_pay == Decimal(PAY["E005"])


def test_the_checks_see_a_leak_an_unaudited_read_and_a_crash(cast, client):
    """The checks fail on what they are for, on a page that shows what it should not."""
    from django.http import HttpResponse

    small_company(cast)
    client.force_login(cast.head)
    who = reader(cast.head)
    retier = Proposal.objects.get(kind=RETIER)
    route = Route("test", (), build=None)
    leak = f"{marker(Proposal, retier.pk)} and the pay of Oscar 175,005 and Emma 174,004"
    with _serving(lambda request: HttpResponse(leak)):
        problems = check(client, who, route, "-", "/zz-test/")
    with _serving(lambda request: HttpResponse(status=200)):
        out_of_scope = check(client, who, route, "out", "/zz-test/")
    with _serving(lambda request: 1 / 0):
        crash = check(client, who, route, "-", "/zz-test/")
    assert problems == [
        f"head GET /zz-test/ (test, -): shows {marker(Proposal, retier.pk)}, out of the user's "
        "scope",
        "head GET /zz-test/ (test, -): shows the pay of E005, which the user may not read",
        "head GET /zz-test/ (test, -): shows the pay of E004 with no audit entry",
    ]
    assert out_of_scope == ["head GET /zz-test/ (test, out): a record out of scope answered 200"]
    assert crash == ["head GET /zz-test/ (test, -): raised ZeroDivisionError: division by zero"]


class _serving:
    """Serve `view` at /zz-test/ for the duration (a page that does something wrong)."""

    def __init__(self, view):
        self.view = view

    def __enter__(self):
        from django.urls import clear_url_caches, path

        from gmassist import urls

        self.saved = list(urls.urlpatterns)
        urls.urlpatterns.insert(0, path("zz-test/", self.view))
        clear_url_caches()

    def __exit__(self, *exc):
        from django.urls import clear_url_caches

        from gmassist import urls

        urls.urlpatterns[:] = self.saved
        clear_url_caches()
