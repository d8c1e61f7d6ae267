"""The core pages: home per role, language, password, imports, proposals, audit log, tokens,
error pages."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.template.loader import get_template
from django.urls import reverse

from conftest import make_user
from gmassist.core.choices import AuditAction, ProposalStatus, Role
from gmassist.core.jobs import job_run
from gmassist.core.models import ApiToken, AuditEntry, Company, ImportMapping, Job, Proposal
from gmassist.core.services import api_token_create
from gmassist.core.templatetags.workspace import navigation
from gmassist.org.models import Employee
from gmassist.org.selectors import hires_and_leavers_by_month
from gmassist.org.services import pay_change_propose

# --- home ------------------------------------------------------------------------------------


@time_machine.travel(dt.datetime(2025, 3, 15, 12, tzinfo=dt.UTC), tick=False)
def test_hires_and_leavers_are_counted_per_month_in_scope(cast):
    Employee.objects.filter(employee_no="E004").update(hire_date=dt.date(2025, 2, 3))
    Employee.objects.filter(employee_no="E006").update(hire_date=dt.date(2025, 2, 20))
    Employee.objects.filter(employee_no="E005").update(
        hire_date=dt.date(2024, 5, 1), status="left", leave_date=dt.date(2025, 1, 31)
    )
    months = hires_and_leavers_by_month(user=cast.gm, months=3)
    assert months == [
        {"month": dt.date(2025, 1, 1), "hires": 0, "leavers": 1},
        {"month": dt.date(2025, 2, 1), "hires": 2, "leavers": 0},
        {"month": dt.date(2025, 3, 1), "hires": 0, "leavers": 0},
    ]
    head_months = hires_and_leavers_by_month(user=cast.head, months=3)
    assert [(m["hires"], m["leavers"]) for m in head_months] == [(0, 0), (2, 0), (0, 0)]
    assert len(hires_and_leavers_by_month(user=cast.gm)) == 24


def test_the_gm_home_has_the_charts_data_and_open_proposals(client, cast):
    proposal = pay_change_propose(
        employee=cast.employee.employee,
        new_base_pay=Decimal("105000"),
        effective_date=dt.date(2025, 7, 1),
        rationale="Below the band midpoint",
        by=cast.head,
    )
    client.force_login(cast.gm)
    # the GM's home page is Today (office.today); the company at a glance is its own page
    response = client.get(reverse("glance"))
    body = response.content.decode()
    assert response.context["headcount_total"] == 6
    assert len(response.context["chart_flow"]["labels"]) == 24
    assert response.context["open_proposals"] == [proposal]
    assert 'id="chart-flow-data"' in body and "chart.umd.min.js" in body
    assert reverse("proposal", args=[proposal.pk]) in body


def test_an_employee_home_shows_their_own_pay_and_no_company_figures(client, cast):
    client.force_login(cast.employee)
    response = client.get(reverse("home"))
    body = response.content.decode()
    assert response.context["pay"]["base_pay"] == 100000
    assert "glance" not in response.context
    assert 'data-testid="own-record"' in body and "chart" not in body


NAV_KEYS = [
    "core.home",
    "org.directory",
    "org.departments",
    "org.positions",
    "core.proposals",
    "core.imports",
    "core.audit",
]


@pytest.mark.parametrize(
    ("role", "keys"),
    [
        ("gm", NAV_KEYS),
        ("hr", NAV_KEYS[:6]),
        ("assistant", NAV_KEYS[:6]),
        ("head", NAV_KEYS[:5]),
        ("employee", NAV_KEYS[:1]),
        ("account_manager", NAV_KEYS[:1]),
    ],
)
def test_the_navigation_shows_only_what_the_role_may_use(rf, cast, role, keys):
    request = rf.get("/")
    pages = [
        page["key"]
        for section in navigation({"request": request, "user": getattr(cast, role)})
        for page in section["pages"]
    ]
    assert [key for key in NAV_KEYS if key in pages] == keys


def test_the_top_row_shows_one_link_per_section_and_a_section_page_shows_its_pages(client, cast):
    client.force_login(cast.gm)
    body = client.get(reverse("org:departments")).content.decode()
    nav = body[body.index('data-testid="nav"') : body.index("</nav>")]
    top = re.findall(r'data-testid="nav-([\w.]+)"', nav)
    assert top == [
        "core.home",
        "core.inbox",
        "office.triage",  # the office's parts, one section named "Office"
        "org.directory",
        "talent.overview",
        "decisions",
        "workforce",
        "core.proposals",
        "voice.feedback",
        "voice.requisitions",
        "customers.list",
    ]
    office = body[body.index('data-testid="nav-office.triage"') :]
    assert office[office.index(">") + 1 : office.index("</a>")].strip() == "Office"
    assert re.findall(r'data-testid="subnav-([\w.]+)"', body) == [
        "org.directory",
        "org.departments",
        "org.positions",
    ]
    # the page shown is the current one, and its section is marked in the top row
    assert 'data-testid="subnav-org.departments" aria-current="page"' in body
    assert 'data-testid="nav-org.directory" aria-current="page"' in body


def test_a_section_of_one_page_has_no_second_row(client, cast):
    client.force_login(cast.employee)
    body = client.get(reverse("home")).content.decode()
    assert 'data-testid="subnav"' not in body


# --- language and password -------------------------------------------------------------------


def test_switching_to_chinese_is_remembered_on_the_user(client, cast):
    client.force_login(cast.gm)
    response = client.post(
        reverse("set-language"), {"language": "zh-hans", "next": "/org/employees/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/org/employees/"
    assert response.cookies["django_language"].value == "zh-hans"
    cast.gm.refresh_from_db()
    assert cast.gm.language == "zh-hans"
    client.cookies.pop("django_language")  # the account remembers it, not only the cookie
    page = client.get(reverse("org:directory")).content.decode()
    assert "员工" in page and "部门" in page
    assert '<html lang="zh-hans"' in page


def test_the_language_switch_refuses_an_unknown_language_and_a_foreign_next(client, cast):
    client.force_login(cast.gm)
    assert client.post(reverse("set-language"), {"language": "xx"}).status_code == 400
    cast.gm.refresh_from_db()
    assert cast.gm.language == ""
    response = client.post(
        reverse("set-language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_the_login_page_speaks_the_cookies_language(client, db):
    client.post(reverse("set-language"), {"language": "zh-hans"})
    assert "登录" in client.get(reverse("login")).content.decode()


def test_the_password_change_shows_errors_next_to_the_field(client, cast):
    client.force_login(cast.gm)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
    )
    assert response.status_code == 200
    assert 'data-testid="error-old_password"' in response.content.decode()
    ok = client.post(
        reverse("password_change"),
        {
            "old_password": "pass-gm",
            "new_password1": "a-long-new-secret-9",
            "new_password2": "a-long-new-secret-9",
        },
    )
    assert ok["Location"] == reverse("password_change_done")


# --- imports ---------------------------------------------------------------------------------

GOOD_CSV = b"employee_no,full_name,department,hire_date\nN001,Nora New,RND,2024-02-01\n"
BAD_CSV = (
    b"employee_no,full_name,department,hire_date\n"
    b"N001,Nora New,RND,2024-02-01\nN002,Ned Bad,RND,not a date\n"
)


def upload(client, content: bytes, name: str = "people.csv", **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"entity": "employees", "file": SimpleUploadedFile(name, content), **extra}
    return client.post(reverse("imports"), data)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_an_import_is_a_dry_run_first_then_confirmed(
    client, cast, media, django_capture_on_commit_callbacks
):
    client.force_login(cast.hr)
    with django_capture_on_commit_callbacks(execute=False):
        response = upload(client, GOOD_CSV)
    job = Job.objects.get()
    assert response["Location"] == reverse("job", args=[job.pk])
    assert job.params["dry_run"] is True and job.params["mapping"] is None
    assert job.params["path"].startswith(str(media / "imports")) and job.params["path"].endswith(
        "people.csv"
    )
    waiting = client.get(reverse("job", args=[job.pk]))
    assert 'hx-trigger="every 1s"' in waiting.content.decode()
    job_run(job.pk)
    page = client.get(reverse("job", args=[job.pk]), headers={"HX-Request": "true"})
    body = page.content.decode()
    assert 'hx-trigger="every 1s"' not in body and 'id="import-confirm"' in body
    assert not Employee.objects.filter(employee_no="N001").exists()
    with django_capture_on_commit_callbacks(execute=False):
        confirmed = client.post(reverse("import-confirm", args=[job.pk]))
    real = Job.objects.exclude(pk=job.pk).get()
    assert confirmed["Location"] == reverse("job", args=[real.pk])
    assert real.params["dry_run"] is False
    job_run(real.pk)
    assert Employee.objects.get(employee_no="N001").full_name == "Nora New"


def test_the_dry_run_of_a_bad_file_shows_the_row_errors_and_cannot_be_confirmed(
    client, cast, media, django_capture_on_commit_callbacks
):
    client.force_login(cast.hr)
    with django_capture_on_commit_callbacks(execute=False):
        upload(client, BAD_CSV)
    job = Job.objects.get()
    job_run(job.pk)
    response = client.get(reverse("job", args=[job.pk]))
    assert response.context["errors"] == [
        {
            "row": 3,
            "column": "hire_date",
            "value": "not a date",
            "reason": response.context["errors"][0]["reason"],
        }
    ]
    body = response.content.decode()
    assert 'data-testid="import-errors"' in body and "not a date" in body
    assert 'id="import-confirm"' not in body
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("import-confirm", args=[job.pk]))
    assert Job.objects.count() == 1  # nothing was started


def test_a_mapping_is_checked_and_can_be_saved_by_name(
    client, cast, media, django_capture_on_commit_callbacks
):
    client.force_login(cast.hr)
    bad = upload(client, GOOD_CSV, mapping_text="[columns\nnope")
    assert bad.status_code == 200
    assert "mapping_text" in bad.context["form"].errors
    assert Job.objects.count() == 0
    toml = (
        '[columns]\nemployee_no = "No"\nfull_name = "Name"\n'
        'department = "Dept"\nhire_date = "Hired"\n'
    )
    with django_capture_on_commit_callbacks(execute=False):
        upload(
            client,
            b"No,Name,Dept,Hired\nN001,Nora,RND,2024-02-01\n",
            mapping_text=toml,
            save_as="HR system",
        )
    saved = ImportMapping.objects.get()
    assert (saved.entity, saved.name, saved.toml) == ("employees", "HR system", toml.strip())
    assert Job.objects.get().params["mapping"] == toml.strip()
    form = client.get(reverse("imports")).context["form"]
    assert list(form.fields["saved_mapping"].queryset) == [saved]


def test_an_upload_needs_a_file_and_a_known_entity(client, cast, media):
    client.force_login(cast.hr)
    response = client.post(reverse("imports"), {"entity": "spaceships"})
    assert set(response.context["form"].errors) == {"entity", "file"}
    assert Job.objects.count() == 0


def test_the_import_page_offers_hr_only_what_hr_may_import_by_name_with_none_chosen(client, cast):
    client.force_login(cast.hr)

    choices = client.get(reverse("imports")).context["form"].fields["entity"].choices

    assert [(name, str(label)) for name, label in choices] == [
        ("", "Choose what the file holds"),
        ("candidates", "Candidates"),
        ("departments", "Departments"),
        ("employees", "Employees"),
        ("pay", "Pay history"),
        ("reviews", "Performance reviews"),
        ("positions", "Positions"),
        ("recruiting_agencies", "Recruiting agencies"),
        ("requisitions", "Requisitions"),
        ("skills", "Skills"),
    ]


def test_an_entity_the_role_may_not_import_is_refused_by_the_form(client, cast, media):
    client.force_login(cast.hr)
    response = upload(client, GOOD_CSV, entity="customers")
    assert "entity" in response.context["form"].errors
    assert Job.objects.count() == 0


@pytest.mark.parametrize("role", ["head", "employee"])
def test_roles_that_may_not_import_get_a_403_and_start_nothing(client, cast, media, role):
    client.force_login(getattr(cast, role))
    assert client.get(reverse("imports")).status_code == 403
    assert upload(client, GOOD_CSV).status_code == 403
    assert Job.objects.count() == 0


def test_another_users_import_job_is_a_404(client, cast, media, django_capture_on_commit_callbacks):
    client.force_login(cast.hr)
    with django_capture_on_commit_callbacks(execute=False):
        upload(client, GOOD_CSV)
    job = Job.objects.get()
    client.force_login(cast.assistant)  # the GM's office sees every job
    assert client.get(reverse("job", args=[job.pk])).status_code == 200
    other_hr = make_user("hr2", Role.HR)
    client.force_login(other_hr)
    assert client.get(reverse("job", args=[job.pk])).status_code == 404


def test_imports_ask_for_a_login(client, db):
    assert client.get(reverse("imports")).status_code == 302


# --- proposals -------------------------------------------------------------------------------


@pytest.fixture
def proposal(cast) -> Proposal:
    return pay_change_propose(
        employee=cast.employee.employee,
        new_base_pay=Decimal("130000"),
        effective_date=dt.date(2025, 7, 1),
        rationale="Key account holder, paid below the band midpoint",
        by=cast.head,
        evidence=[{"label": "leaving risk", "value": "0.41", "unit": ""}],
    )


def test_the_inbox_shows_rationale_evidence_and_cost(client, cast, proposal):
    client.force_login(cast.gm)
    response = client.get(reverse("proposals"))
    body = response.content.decode()
    assert list(response.context["rows"]) == [proposal]
    assert "Key account holder" in body and "leaving risk" in body and "0.41" in body
    assert "30,000.00" in body
    assert 'data-testid="approve"' in body


def test_a_head_sees_the_proposal_but_no_decision_form(client, cast, proposal):
    client.force_login(cast.head)
    response = client.get(reverse("proposals"))
    assert list(response.context["rows"]) == [proposal]
    assert 'data-testid="decision-form"' not in response.content.decode()


def test_the_gm_approves_with_a_comment(client, cast, proposal):
    client.force_login(cast.gm)
    response = client.post(
        reverse("proposal-decide", args=[proposal.pk]), {"decision": "approve", "comment": "ok"}
    )
    assert response["Location"] == reverse("proposals")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_comment) == (ProposalStatus.APPLIED, "ok")
    assert Employee.objects.get(employee_no="E004").base_pay == Decimal("130000")
    history = client.get(reverse("proposals-history"))
    assert list(history.context["rows"]) == [proposal]


def test_a_rejection_without_a_comment_is_a_form_error_and_changes_nothing(client, cast, proposal):
    client.force_login(cast.gm)
    response = client.post(reverse("proposal-decide", args=[proposal.pk]), {"decision": "reject"})
    assert response.status_code == 200
    assert 'data-testid="error-comment"' in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN


def test_hr_above_the_limit_sees_why_and_nothing_changes(client, cast, proposal):
    company = Company.get()
    company.hr_approval_limit = Decimal("10000")
    company.save()
    client.force_login(cast.hr)
    response = client.post(
        reverse("proposal-decide", args=[proposal.pk]), {"decision": "approve", "comment": ""}
    )
    assert response.status_code == 403
    assert "the GM decides it" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN
    assert Employee.objects.get(employee_no="E004").base_pay == Decimal("100000")


def test_deciding_twice_shows_the_validation_message(client, cast, proposal):
    client.force_login(cast.gm)
    url = reverse("proposal-decide", args=[proposal.pk])
    client.post(url, {"decision": "reject", "comment": "no budget"})
    again = client.post(url, {"decision": "approve"})
    assert again.status_code == 200
    assert "already" in again.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED


def test_a_proposal_out_of_scope_is_a_404_and_cannot_be_decided(client, cast, proposal):
    client.force_login(cast.outsider)
    assert client.get(reverse("proposal", args=[proposal.pk])).status_code == 404
    response = client.post(reverse("proposal-decide", args=[proposal.pk]), {"decision": "approve"})
    assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN


def test_the_proposals_list_makes_the_same_queries_whatever_the_rows(
    client, cast, proposal, django_assert_num_queries
):
    for amount in ("110000", "120000", "125000"):
        pay_change_propose(
            employee=cast.employee.employee,
            new_base_pay=Decimal(amount),
            effective_date=dt.date(2025, 8, 1),
            rationale="More",
            by=cast.head,
        )
    client.force_login(cast.gm)
    client.get(reverse("proposals"))
    # session, user with their employee record (top bar name), count, the page with its
    # people, the saved views of the page, and one audit entry for reading the pay it shows
    with django_assert_num_queries(7):  # 7: with the reader's deputyships
        response = client.get(reverse("proposals"))
    assert len(response.context["rows"]) == 4


def test_proposals_ask_for_a_login(client, db):
    assert client.get(reverse("proposals")).status_code == 302


# --- audit log -------------------------------------------------------------------------------


def test_the_gm_reads_the_audit_log_filtered_by_action(client, cast, proposal):
    client.force_login(cast.gm)
    response = client.get(reverse("audit-log"))
    assert [e.action for e in response.context["rows"]] == [AuditAction.PROPOSE]
    assert client.get(reverse("audit-log"), {"action": "approve"}).context["rows"].count() == 0
    bad = client.get(reverse("audit-log"), {"action": "dance"})
    assert "action" in bad.context["form"].errors


@pytest.fixture
def audit_trail(cast):
    """Three entries: HR changed Emma on the 1st, the head changed proposal #5 on the 2nd, HR
    read pay on the 3rd (company time)."""
    import datetime as dt

    from django.utils import timezone

    rows = [
        (cast.hr, AuditAction.UPDATE, "org.employee", "4", "Emma Employee (E004)", 1),
        (cast.head, AuditAction.UPDATE, "core.proposal", "5", "Pay change for Oscar", 2),
        (cast.hr, AuditAction.READ_PAY, "org.employee", "5", "Oscar Outsider (E005)", 3),
    ]
    entries = []
    for actor, action, kind, pk, text, day in rows:
        entry = AuditEntry.objects.create(
            actor=actor, action=action, target_type=kind, target_id=pk, target_repr=text
        )
        at = timezone.make_aware(dt.datetime(2026, 11, day, 10, 0))
        AuditEntry.objects.filter(pk=entry.pk).update(at=at)
        entries.append(entry.pk)
    return entries


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"who": "harriet"}, [0, 2]),
        ({"who": "hr"}, [0, 2]),
        ({"record": "E004"}, [0]),
        ({"record": "proposal #5"}, [1]),
        ({"record": "core.proposal#5"}, [1]),
        ({"record": "org.employee"}, [0, 2]),
        ({"since": "2026-11-02", "until": "2026-11-02"}, [1]),
        ({"since": "2026-11-02"}, [1, 2]),
        ({"who": "hr", "action": "read_pay"}, [2]),
    ],
)
def test_the_audit_log_filters_by_person_record_and_days(
    client, cast, audit_trail, query, expected
):
    client.force_login(cast.gm)
    rows = client.get(reverse("audit-log"), {"sort": "at", **query}).context["rows"]
    assert [entry.pk for entry in rows] == [audit_trail[i] for i in expected]


def test_an_end_before_the_start_is_an_error_next_to_it(client, cast, audit_trail):
    client.force_login(cast.gm)
    response = client.get(reverse("audit-log"), {"since": "2026-11-03", "until": "2026-11-01"})
    assert response.context["form"].errors == {"until": ["The end is before the start."]}
    assert response.context["rows"] == []


@pytest.mark.parametrize("role", ["hr", "assistant", "head", "employee"])
def test_only_the_gm_reads_the_audit_log(client, cast, role):
    client.force_login(getattr(cast, role))
    assert client.get(reverse("audit-log")).status_code == 403


def test_the_audit_log_makes_the_same_queries_whatever_the_rows(
    client, cast, django_assert_num_queries
):
    for i in range(30):
        AuditEntry.objects.create(actor=cast.hr, action=AuditAction.UPDATE, target_repr=f"x{i}")
    client.force_login(cast.gm)
    client.get(reverse("audit-log"))
    # session, user with their employee record (top bar name), count, the page with its
    # actors, the saved views of the page
    with django_assert_num_queries(5):
        response = client.get(reverse("audit-log"))
    assert len(response.context["rows"]) == 30


def test_the_audit_log_exports_the_filtered_entries(client, cast, proposal):
    client.force_login(cast.gm)
    response = client.get(reverse("audit-log"), {"action": "propose", "export": "csv"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "at,actor,action,target_type,target_id,target,changes"
    assert len(lines) == 2 and ",propose,core.proposal," in lines[1]


# --- API tokens ------------------------------------------------------------------------------


def test_a_new_token_is_shown_once(client, cast):
    client.force_login(cast.employee)
    response = client.post(reverse("api-tokens"), {"name": "payroll script"})
    key = response.context["new_key"]
    assert key.startswith("gma_") and key in response.content.decode()
    assert ApiToken.objects.get().name == "payroll script"
    assert key not in client.get(reverse("api-tokens")).content.decode()


def test_a_token_needs_a_name(client, cast):
    client.force_login(cast.employee)
    response = client.post(reverse("api-tokens"), {"name": ""})
    assert "name" in response.context["form"].errors
    assert ApiToken.objects.count() == 0


def test_a_user_revokes_their_own_token_but_not_anothers(client, cast):
    own, _key = api_token_create(user=cast.employee, name="mine")
    other, _key = api_token_create(user=cast.gm, name="the GM's")
    client.force_login(cast.employee)
    assert [t.name for t in client.get(reverse("api-tokens")).context["tokens"]] == ["mine"]
    assert client.post(reverse("api-token-revoke", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None
    assert client.post(reverse("api-token-revoke", args=[own.pk])).status_code == 302
    own.refresh_from_db()
    assert own.revoked_at is not None


def test_tokens_ask_for_a_login(client, db):
    assert client.get(reverse("api-tokens")).status_code == 302


# --- errors ----------------------------------------------------------------------------------


def test_a_missing_page_is_the_friendly_404(client, cast):
    client.force_login(cast.gm)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert 'data-testid="error-404"' in response.content.decode()


def test_the_500_page_renders_without_a_request():
    html = get_template("500.html").render()
    assert 'data-testid="error-500"' in html


def test_a_denied_page_is_the_friendly_403(client, cast):
    client.force_login(cast.employee)
    response = client.get(reverse("audit-log"))
    assert 'data-testid="error-403"' in response.content.decode()
