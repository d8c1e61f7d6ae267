"""The decisions register's writes: drafting, publishing to the audience in bulk, amending
with history, withdrawing, acknowledging, responding (named and anonymous), answering,
notifying and reminding; who may do each."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from gmassist.core.choices import AuditAction, Role
from gmassist.core.models import AuditEntry
from gmassist.decisions import services
from gmassist.decisions.choices import DecisionStatus, ResponseKind, ResponseTheme
from gmassist.decisions.models import Acknowledgement, Decision, DecisionVersion, Response
from gmassist.decisions.services import Audience
from gmassist.org.choices import EmployeeStatus

TEXTS = {
    "title": "Expense claims within 30 days",
    "rationale": "Late claims delay the monthly close by a week.",
    "effective_date": dt.date(2026, 4, 1),
}


def addressee_ids(decision):
    return set(
        Acknowledgement.objects.filter(decision=decision).values_list("employee_id", flat=True)
    )


# --- drafting --------------------------------------------------------------------------------


def test_a_draft_is_audited_with_its_audience(cast, draft):
    assert draft.status == DecisionStatus.DRAFT
    assert draft.version == 1
    assert list(draft.audience_departments.all()) == [cast.sales]
    entry = AuditEntry.objects.get(target_type="decisions.decision", target_id=str(draft.pk))
    assert entry.action == AuditAction.CREATE
    assert entry.actor == cast.gm
    assert entry.changes["audience_departments"] == ["SALES"]
    assert Acknowledgement.objects.count() == 0  # a draft reaches nobody yet


def test_the_rationale_is_required(cast):
    with pytest.raises(ValidationError) as raised:
        services.decision_create(
            by=cast.gm, **{**TEXTS, "rationale": "  "}, audience=Audience(roles=(Role.HR,))
        )
    assert raised.value.message_dict == {
        "rationale": ["Explain the decision: the rationale is required."]
    }
    assert Decision.objects.count() == 0


def test_an_empty_audience_is_refused(cast):
    with pytest.raises(ValidationError) as raised:
        services.decision_create(by=cast.gm, **TEXTS, audience=Audience())
    assert list(raised.value.message_dict) == ["audience"]


def test_an_unknown_role_is_refused(cast):
    with pytest.raises(ValidationError) as raised:
        services.decision_create(by=cast.gm, **TEXTS, audience=Audience(roles=("boss",)))
    assert list(raised.value.message_dict) == ["audience_roles"]


def test_the_assistant_drafts_but_does_not_publish(cast):
    draft = services.decision_create(
        by=cast.assistant, **TEXTS, audience=Audience(roles=(Role.EMPLOYEE,))
    )
    with pytest.raises(PermissionDenied):
        services.decision_publish(decision=draft, by=cast.assistant)
    draft.refresh_from_db()
    assert draft.status == DecisionStatus.DRAFT
    assert Acknowledgement.objects.count() == 0


def test_a_head_drafts_and_publishes_for_their_own_subtree(cast):
    draft = services.decision_create(
        by=cast.head,
        **TEXTS,
        department=cast.sales,
        audience=Audience(departments=(cast.sales_east,)),
    )
    decision = services.decision_publish(decision=draft, by=cast.head)
    assert addressee_ids(decision) == {cast.employee.employee_id}


def test_a_head_may_not_decide_for_the_company_or_another_department(cast):
    with pytest.raises(PermissionDenied):
        services.decision_create(by=cast.head, **TEXTS, audience=Audience(roles=(Role.HR,)))
    with pytest.raises(PermissionDenied):
        services.decision_create(
            by=cast.head, **TEXTS, department=cast.rnd, audience=Audience(departments=(cast.rnd,))
        )
    assert Decision.objects.count() == 0


def test_a_department_decision_keeps_its_audience_inside_the_department(cast):
    with pytest.raises(ValidationError) as raised:
        services.decision_create(
            by=cast.gm,
            **TEXTS,
            department=cast.sales,
            audience=Audience(departments=(cast.rnd,), people=(cast.outsider.employee,)),
        )
    assert raised.value.message_dict == {
        "audience_departments": ["R&D is outside Sales."],
        "audience_people": ["Oscar Outsider is outside Sales."],
    }


def test_employees_may_not_draft(cast):
    with pytest.raises(PermissionDenied):
        services.decision_create(by=cast.employee, **TEXTS, audience=Audience(roles=(Role.HR,)))


def test_a_draft_is_edited_in_place_and_audited(cast, draft):
    services.decision_update(
        decision=draft,
        by=cast.assistant,
        title="Four-day week in Sales East",
        rationale=draft.rationale,
        effective_date=draft.effective_date,
        summary=draft.summary,
        audience=Audience(departments=(cast.sales_east,)),
    )
    draft.refresh_from_db()
    assert draft.title == "Four-day week in Sales East"
    assert list(draft.audience_departments.all()) == [cast.sales_east]
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE).get()
    assert entry.changes["title"] == ["Four-day week in Sales", "Four-day week in Sales East"]


def test_a_published_decision_is_not_edited_but_amended(cast, published):
    with pytest.raises(ValidationError):
        services.decision_update(
            decision=published, by=cast.gm, **TEXTS, audience=Audience(roles=(Role.HR,))
        )


# --- publishing ------------------------------------------------------------------------------


def test_publishing_reaches_the_departments_subtree(cast, published):
    assert published.status == DecisionStatus.PUBLISHED
    assert published.published_by == cast.gm
    assert addressee_ids(published) == {
        cast.head.employee_id,
        cast.employee.employee_id,
        cast.account_manager.employee_id,
    }
    row = Acknowledgement.objects.get(decision=published, employee=cast.employee.employee)
    assert row.department == cast.sales_east
    assert row.acknowledged_at is None
    assert [v.number for v in published.versions.all()] == [1]


def test_publishing_reaches_roles_and_people_but_not_those_who_left(cast, draft):
    outsider = cast.outsider.employee
    outsider.status = EmployeeStatus.LEFT
    outsider.leave_date = dt.date(2025, 1, 1)
    outsider.save()
    services.decision_update(
        decision=draft,
        by=cast.gm,
        title=draft.title,
        rationale=draft.rationale,
        effective_date=draft.effective_date,
        audience=Audience(roles=(Role.HR,), people=(cast.gm.employee, outsider)),
    )
    decision = services.decision_publish(decision=draft, by=cast.gm)
    assert addressee_ids(decision) == {cast.hr.employee_id, cast.gm.employee_id}


def test_publishing_twice_is_refused(cast, published):
    with pytest.raises(ValidationError):
        services.decision_publish(decision=published, by=cast.gm)
    assert Acknowledgement.objects.filter(decision=published).count() == 3


def test_an_audience_that_reaches_nobody_is_not_published(cast):
    draft = services.decision_create(
        by=cast.gm,
        **TEXTS,
        audience=Audience(roles=(Role.ASSISTANT,)),  # no employee record
    )
    with pytest.raises(ValidationError):
        services.decision_publish(decision=draft, by=cast.gm)
    draft.refresh_from_db()
    assert draft.status == DecisionStatus.DRAFT


def test_the_addressees_are_written_in_batches(cast, draft, monkeypatch):
    monkeypatch.setattr(services, "ACK_BATCH", 2)
    progress = []
    services.decision_publish(decision=draft, by=cast.gm, progress=lambda f, m: progress.append(m))
    assert Acknowledgement.objects.count() == 3
    assert progress == [
        "Addressees found: 3",
        "Addressees added: 2 of 3",
        "Addressees added: 3 of 3",
    ]


def test_publishing_tells_the_addressees_in_their_language(cast, published):
    cast.employee.email = "emma@example.com"
    cast.employee.language = "zh-hans"
    cast.employee.save()
    cast.head.email = "hank@example.com"
    cast.head.save()
    sent = services.decision_notify_addressees(decision=published, base_url="https://gm.example")
    assert sent == 2
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects["hank@example.com"] == "Decision to acknowledge: Four-day week in Sales"
    body = next(m.body for m in mail.outbox if m.to == ["hank@example.com"])
    assert f"https://gm.example/decisions/{published.pk}/" in body
    assert "Customers buy on weekdays" in body
    # told once: a second run writes to nobody
    assert services.decision_notify_addressees(decision=published) == 0
    assert set(
        Acknowledgement.objects.filter(decision=published).values_list(
            "notified_version", flat=True
        )
    ) == {1}


# --- acknowledging and responding ------------------------------------------------------------


def test_an_addressee_acknowledges_the_current_version(cast, published):
    with time_machine.travel(dt.datetime(2026, 2, 10, 9, 30, tzinfo=dt.UTC), tick=False):
        row = services.decision_acknowledge(decision=published, by=cast.employee)
    assert row.acknowledged_at == dt.datetime(2026, 2, 10, 9, 30, tzinfo=dt.UTC)
    assert row.acknowledged_version == 1
    entry = AuditEntry.objects.get(target_type="decisions.acknowledgement")
    assert entry.actor == cast.employee


def test_acknowledging_twice_changes_nothing(cast, published):
    first = services.decision_acknowledge(decision=published, by=cast.employee)
    again = services.decision_acknowledge(decision=published, by=cast.employee)
    assert again.acknowledged_at == first.acknowledged_at
    assert AuditEntry.objects.filter(target_type="decisions.acknowledgement").count() == 1


def test_someone_not_addressed_may_not_acknowledge_or_respond(cast, published):
    with pytest.raises(PermissionDenied):
        services.decision_acknowledge(decision=published, by=cast.outsider)
    with pytest.raises(PermissionDenied):
        services.decision_respond(
            decision=published, by=cast.outsider, kind="question", text="Why?", anonymous=True
        )
    assert Response.objects.count() == 0


def test_a_draft_cannot_be_acknowledged(cast, draft):
    with pytest.raises(PermissionDenied):  # nobody is addressed before publication
        services.decision_acknowledge(decision=draft, by=cast.employee)


def test_a_named_response_keeps_the_sender_and_is_audited(cast, published):
    with time_machine.travel(dt.datetime(2026, 2, 10, 9, 30, tzinfo=dt.UTC), tick=False):
        response = services.decision_respond(
            decision=published,
            by=cast.employee,
            kind=ResponseKind.OBJECTION,
            theme=ResponseTheme.WORKLOAD,
            text="Thursdays will be too long.",
            anonymous=False,
        )
    assert response.author == cast.employee
    assert response.department == cast.sales_east
    assert response.submitted_on == dt.date(2026, 2, 10)
    entry = AuditEntry.objects.get(target_type="decisions.response")
    assert entry.actor == cast.employee
    assert entry.target_id == str(response.pk)


def test_an_anonymous_response_stores_no_sender_no_time_and_no_audit(cast, published):
    audit_before = AuditEntry.objects.count()
    with time_machine.travel(dt.datetime(2026, 2, 10, 9, 30, tzinfo=dt.UTC), tick=False):
        response = services.decision_respond(
            decision=published,
            by=cast.employee,
            kind=ResponseKind.QUESTION,
            text="Do part-timers keep their hours?",
            anonymous=True,
        )
    stored = Response.objects.filter(pk=response.pk).values().get()
    assert stored["author_id"] is None
    assert stored["department_id"] is None
    assert stored["is_anonymous"] is True
    assert stored["submitted_on"] == dt.date(2026, 2, 10)
    # no column holds a time or anything of the sender
    assert {k for k, v in stored.items() if isinstance(v, dt.datetime)} == set()
    assert set(stored) == {
        "id", "decision_id", "version", "kind", "theme", "text", "is_anonymous", "author_id",
        "department_id", "submitted_on", "answer", "answered_by_id", "answered_on",
    }  # fmt: skip
    assert AuditEntry.objects.count() == audit_before


def test_a_response_needs_text_and_a_known_kind(cast, published):
    with pytest.raises(ValidationError) as raised:
        services.decision_respond(
            decision=published, by=cast.employee, kind="rant", text=" ", anonymous=False
        )
    assert set(raised.value.message_dict) == {"kind", "text"}
    assert Response.objects.count() == 0


def test_the_author_answers_a_question(cast, published):
    question = services.decision_respond(
        decision=published, by=cast.employee, kind="question", text="And Fridays?", anonymous=True
    )
    with time_machine.travel(dt.date(2026, 2, 12), tick=False):
        services.response_answer(response=question, by=cast.gm, answer="Fridays are off.")
    question.refresh_from_db()
    assert (question.answer, question.answered_by, question.answered_on) == (
        "Fridays are off.",
        cast.gm,
        dt.date(2026, 2, 12),
    )


def test_an_addressee_may_not_answer_and_objections_are_not_answered(cast, published):
    question = services.decision_respond(
        decision=published, by=cast.employee, kind="question", text="And Fridays?", anonymous=False
    )
    with pytest.raises(PermissionDenied):
        services.response_answer(response=question, by=cast.employee, answer="No idea")
    objection = services.decision_respond(
        decision=published, by=cast.employee, kind="objection", text="No.", anonymous=False
    )
    with pytest.raises(ValidationError):
        services.response_answer(response=objection, by=cast.gm, answer="Noted")
    assert Response.objects.exclude(answer="").count() == 0


# --- amending and withdrawing ----------------------------------------------------------------


def test_a_substantive_amendment_keeps_the_history_and_asks_again(cast, published):
    services.decision_acknowledge(decision=published, by=cast.employee)
    amended = services.decision_amend(
        decision=published,
        by=cast.gm,
        title=published.title,
        summary=published.summary,
        rationale=published.rationale,
        effective_date=dt.date(2026, 4, 6),
        change_note="Start moved to April after the Q1 close.",
        substantive=True,
    )
    assert (amended.status, amended.version) == (DecisionStatus.AMENDED, 2)
    assert [(v.number, v.effective_date) for v in amended.versions.all()] == [
        (2, dt.date(2026, 4, 6)),
        (1, dt.date(2026, 3, 2)),
    ]
    row = Acknowledgement.objects.get(decision=amended, employee=cast.employee.employee)
    assert (row.acknowledged_at, row.acknowledged_version) == (None, 1)
    entry = AuditEntry.objects.filter(
        action=AuditAction.UPDATE, target_type="decisions.decision"
    ).get()
    assert entry.changes["effective_date"] == ["2026-03-02", "2026-04-06"]
    assert entry.changes["asked_again"] == 1


def test_a_wording_amendment_keeps_the_acknowledgements(cast, published):
    services.decision_acknowledge(decision=published, by=cast.employee)
    services.decision_amend(
        decision=published,
        by=cast.gm,
        title="Four-day week in Sales (Mon-Thu)",
        rationale=published.rationale,
        effective_date=published.effective_date,
        change_note="Title clarified.",
        substantive=False,
    )
    row = Acknowledgement.objects.get(decision=published, employee=cast.employee.employee)
    assert row.acknowledged_version == 1
    assert row.acknowledged_at is not None
    assert DecisionVersion.objects.get(decision=published, number=2).substantive is False


def test_an_amendment_with_a_new_audience_adds_and_removes_addressees(cast, published):
    services.decision_amend(
        decision=published,
        by=cast.gm,
        title=published.title,
        rationale=published.rationale,
        effective_date=published.effective_date,
        change_note="R&D too, Sales East only.",
        substantive=True,
        audience=Audience(departments=(cast.sales_east, cast.rnd)),
    )
    assert addressee_ids(published) == {cast.employee.employee_id, cast.outsider.employee_id}


def test_an_amendment_needs_a_note_and_a_change(cast, published):
    same = {
        "title": published.title,
        "summary": published.summary,
        "rationale": published.rationale,
        "effective_date": published.effective_date,
    }
    with pytest.raises(ValidationError) as raised:
        services.decision_amend(
            decision=published, by=cast.gm, **same, change_note="", substantive=True
        )
    assert list(raised.value.message_dict) == ["change_note"]
    with pytest.raises(ValidationError):
        services.decision_amend(
            decision=published, by=cast.gm, **same, change_note="nothing", substantive=True
        )
    published.refresh_from_db()
    assert published.version == 1


def test_withdrawing_needs_a_reason_and_ends_acknowledging(cast, published):
    with pytest.raises(ValidationError):
        services.decision_withdraw(decision=published, by=cast.gm, reason=" ")
    with pytest.raises(PermissionDenied):
        services.decision_withdraw(decision=published, by=cast.assistant, reason="no")
    withdrawn = services.decision_withdraw(
        decision=published, by=cast.gm, reason="The union asked for a trial first."
    )
    assert withdrawn.status == DecisionStatus.WITHDRAWN
    assert withdrawn.withdrawal_reason == "The union asked for a trial first."
    with pytest.raises(ValidationError):
        services.decision_acknowledge(decision=withdrawn, by=cast.employee)
    entry = AuditEntry.objects.get(action=AuditAction.WITHDRAW)
    assert entry.changes["reason"] == "The union asked for a trial first."


# --- reminders -------------------------------------------------------------------------------


def test_reminders_go_to_those_who_have_not_acknowledged(cast, published):
    for user, address in ((cast.employee, "emma@x.org"), (cast.head, "hank@x.org")):
        user.email = address
        user.save()
    services.decision_acknowledge(decision=published, by=cast.head)
    counts = services.decision_remind(decision=published, by=cast.assistant)
    assert counts == {"pending": 2, "reminded": 2, "emails": 1}
    assert [m.to for m in mail.outbox] == [["emma@x.org"]]
    assert mail.outbox[0].subject == "Reminder: please acknowledge Four-day week in Sales"
    row = Acknowledgement.objects.get(decision=published, employee=cast.employee.employee)
    assert row.reminder_count == 1


def test_a_reminder_round_reminds_nobody_twice(cast, published):
    with time_machine.travel(dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        since = dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.UTC)
        services.decision_remind(decision=published, by=cast.gm, since=since)
        again = services.decision_remind(decision=published, by=cast.gm, since=since)
    assert again["reminded"] == 0


def test_employees_may_not_send_reminders(cast, published):
    with pytest.raises(PermissionDenied):
        services.decision_remind(decision=published, by=cast.employee)
    assert set(Acknowledgement.objects.values_list("reminder_count", flat=True)) == {0}
