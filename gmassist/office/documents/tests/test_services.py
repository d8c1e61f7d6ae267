"""The rules of a document's route: sequence, parallel with a minimum, changes, new version,
rejection, own case, file checks, deputies, all audited."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gmassist.core.choices import AuditAction
from gmassist.core.models import AuditEntry
from gmassist.core.services import deputy_name
from gmassist.office.documents import services
from gmassist.office.documents.choices import DocumentStatus, Routing
from gmassist.office.documents.models import Document, DocumentStep

from .conftest import docx_upload, exe_upload, pdf_upload


def _states(document, number=None):
    steps = DocumentStep.objects.filter(document=document).order_by("version__number", "order")
    if number is not None:
        steps = steps.filter(version__number=number)
    return [(s.approver.username, s.status) for s in steps]


def test_in_sequence_only_the_first_approver_decides_first(cast, sequence_doc):
    assert _states(sequence_doc) == [("head", "open"), ("gm", "waiting")]
    with pytest.raises(PermissionDenied, match="not your turn"):
        services.document_decide(document=sequence_doc, by=cast.gm, decision="approve")
    assert _states(sequence_doc) == [("head", "open"), ("gm", "waiting")]


def test_in_sequence_the_next_opens_and_the_last_approval_archives(cast, sequence_doc):
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC), tick=False):
        services.document_decide(document=sequence_doc, by=cast.head, decision="approve")
    assert _states(sequence_doc) == [("head", "approved"), ("gm", "open")]
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC), tick=False):
        services.document_decide(
            document=sequence_doc, by=cast.gm, decision="approve", comment="Fine."
        )
    sequence_doc.refresh_from_db()
    assert sequence_doc.status == DocumentStatus.APPROVED
    assert sequence_doc.archived_at == dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC)


def test_in_parallel_two_of_three_approve_and_the_third_is_not_needed(cast, parallel_doc):
    assert _states(parallel_doc) == [("head", "open"), ("gm", "open"), ("assistant", "open")]
    services.document_decide(document=parallel_doc, by=cast.assistant, decision="approve")
    parallel_doc.refresh_from_db()
    assert parallel_doc.status == DocumentStatus.IN_REVIEW
    services.document_decide(document=parallel_doc, by=cast.head, decision="approve")
    parallel_doc.refresh_from_db()
    assert parallel_doc.status == DocumentStatus.APPROVED
    assert _states(parallel_doc) == [
        ("head", "approved"),
        ("gm", "skipped"),
        ("assistant", "approved"),
    ]


def test_a_rejection_rejects_the_document(cast, parallel_doc):
    services.document_decide(document=parallel_doc, by=cast.head, decision="approve")
    services.document_decide(
        document=parallel_doc, by=cast.gm, decision="reject", comment="Too costly."
    )
    parallel_doc.refresh_from_db()
    assert parallel_doc.status == DocumentStatus.REJECTED
    assert parallel_doc.archived_at is None
    assert _states(parallel_doc) == [
        ("head", "approved"),
        ("gm", "rejected"),
        ("assistant", "skipped"),
    ]


def test_changes_send_it_back_and_a_new_version_restarts_the_route(cast, sequence_doc):
    services.document_decide(document=sequence_doc, by=cast.head, decision="approve")
    services.document_decide(
        document=sequence_doc, by=cast.gm, decision="changes", comment="Cap the penalty."
    )
    sequence_doc.refresh_from_db()
    assert sequence_doc.status == DocumentStatus.CHANGES_REQUESTED
    version = services.document_add_version(
        document=sequence_doc, by=cast.employee, upload=docx_upload(), note="Penalty capped"
    )
    sequence_doc.refresh_from_db()
    assert (version.number, version.file_kind) == (2, "docx")
    assert sequence_doc.status == DocumentStatus.IN_REVIEW
    assert _states(sequence_doc, 1) == [("head", "approved"), ("gm", "changes")]
    assert _states(sequence_doc, 2) == [("head", "open"), ("gm", "waiting")]


def test_a_new_version_is_refused_while_in_review(cast, sequence_doc):
    with pytest.raises(ValidationError, match="in review"):
        services.document_add_version(document=sequence_doc, by=cast.employee, text="v2")
    assert sequence_doc.versions.count() == 1


def test_a_new_version_is_for_the_author_only(cast, sequence_doc):
    services.document_decide(document=sequence_doc, by=cast.head, decision="changes", comment="x")
    with pytest.raises(PermissionDenied, match="author"):
        services.document_add_version(document=sequence_doc, by=cast.head, text="mine now")
    assert sequence_doc.versions.count() == 1


def test_changes_and_rejection_need_a_comment(cast, sequence_doc):
    for decision in ("changes", "reject"):
        with pytest.raises(ValidationError) as error:
            services.document_decide(document=sequence_doc, by=cast.head, decision=decision)
        assert list(error.value.message_dict) == ["comment"]
    assert _states(sequence_doc) == [("head", "open"), ("gm", "waiting")]


def test_an_author_cannot_put_themself_on_the_route(cast):
    with pytest.raises(ValidationError, match="your own document"):
        services.document_create(
            by=cast.head, title="Memo", approvers=[cast.head, cast.gm], text="Hello"
        )
    assert Document.objects.count() == 0


def test_the_person_a_document_is_about_is_not_on_its_route(cast):
    with pytest.raises(ValidationError, match="about Emma Employee"):
        services.document_create(
            by=cast.hr,
            title="Employment contract",
            approvers=[cast.employee],
            about_employee=cast.employee.employee,
            text="Terms",
        )


def test_an_author_never_decides_their_own_document_even_as_deputy(cast, sequence_doc):
    deputy_name(
        principal=cast.head,
        deputy=cast.employee,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=3),
        by=cast.head,
    )
    with pytest.raises(PermissionDenied, match="nobody approves their own"):
        services.document_decide(document=sequence_doc, by=cast.employee, decision="approve")
    assert _states(sequence_doc) == [("head", "open"), ("gm", "waiting")]


def test_a_deputy_decides_on_behalf_of_the_approver_in_the_audit(cast, sequence_doc):
    deputy_name(
        principal=cast.head,
        deputy=cast.account_manager,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=3),
        by=cast.head,
    )
    step = services.document_decide(
        document=sequence_doc, by=cast.account_manager, decision="approve"
    )
    assert (step.approver, step.decided_by, step.on_behalf) == (
        cast.head,
        cast.account_manager,
        True,
    )
    entry = AuditEntry.objects.filter(action=AuditAction.APPROVE).get()
    assert entry.actor == cast.account_manager
    assert entry.changes["on_behalf_of"] == "Hank Head"
    assert entry.changes["approver"] == "Hank Head"


def test_a_deputy_outside_the_dates_decides_nothing(cast, sequence_doc):
    deputy_name(
        principal=cast.head,
        deputy=cast.account_manager,
        starts_on=timezone.localdate() + dt.timedelta(days=2),
        ends_on=timezone.localdate() + dt.timedelta(days=3),
        by=cast.head,
    )
    with pytest.raises(PermissionDenied, match="not on this document's route"):
        services.document_decide(document=sequence_doc, by=cast.account_manager, decision="approve")


def test_a_deputy_never_decides_a_document_about_themself(cast):
    document = services.document_create(
        by=cast.hr,
        title="Appraisal of Alice",
        approvers=[cast.head],
        about_employee=cast.account_manager.employee,
        text="Good year.",
    )
    deputy_name(
        principal=cast.head,
        deputy=cast.account_manager,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        by=cast.gm,
    )
    with pytest.raises(PermissionDenied, match="about you"):
        services.document_decide(document=document, by=cast.account_manager, decision="approve")


def test_a_renamed_program_is_refused_with_a_clear_message(cast):
    with pytest.raises(ValidationError) as error:
        services.document_create(
            by=cast.employee, title="Contract", approvers=[cast.head], upload=exe_upload()
        )
    assert error.value.message_dict["file"] == [
        "“contract.pdf” is not a PDF or a Word (DOCX) document, whatever its name says: "
        "upload the document as PDF or DOCX."
    ]
    assert Document.objects.count() == 0


def test_a_file_over_the_limit_is_refused(cast, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1))
    with pytest.raises(ValidationError) as error:
        services.document_create(by=cast.employee, title="Big", approvers=[cast.head], upload=big)
    assert error.value.message_dict["file"] == [
        "“big.pdf” is 1.0 MB; a document may be at most 1 MB."
    ]


def test_a_pdf_named_docx_keeps_the_pdf_extension(cast):
    document = services.document_create(
        by=cast.employee, title="Odd", approvers=[cast.head], upload=pdf_upload("odd.docx")
    )
    version = document.versions.get()
    assert (version.file_name, version.file_kind, version.file_size > 0) == ("odd.pdf", "pdf", True)
    assert len(version.sha256) == 64


def test_a_parallel_minimum_above_the_approvers_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        services.document_create(
            by=cast.hr,
            title="Policy",
            approvers=[cast.head, cast.gm],
            routing=Routing.PARALLEL,
            min_approvals=3,
            text="x",
        )
    assert error.value.message_dict["min_approvals"] == [
        "Between 1 and 2, the number of approvers."
    ]


def test_a_draft_opens_its_route_when_submitted(cast):
    document = services.document_create(
        by=cast.employee, title="Memo", approvers=[cast.head], text="Hi", submit=False
    )
    assert _states(document) == [("head", "waiting")]
    with pytest.raises(PermissionDenied, match="not in review"):
        services.document_decide(document=document, by=cast.head, decision="approve")
    services.document_submit(document=document, by=cast.employee)
    assert _states(document) == [("head", "open")]


def test_the_author_withdraws_and_the_open_steps_close(cast, sequence_doc):
    services.document_withdraw(document=sequence_doc, by=cast.employee)
    sequence_doc.refresh_from_db()
    assert sequence_doc.status == DocumentStatus.WITHDRAWN
    assert _states(sequence_doc) == [("head", "skipped"), ("gm", "skipped")]
    assert AuditEntry.objects.filter(action=AuditAction.WITHDRAW).count() == 1


def test_every_decision_is_audited(cast, sequence_doc):
    services.document_decide(document=sequence_doc, by=cast.head, decision="approve", comment="ok")
    services.document_decide(document=sequence_doc, by=cast.gm, decision="reject", comment="no")
    entries = AuditEntry.objects.filter(target_type="office.document").order_by("id")
    assert [(e.action, e.changes.get("decision")) for e in entries] == [
        ("create", None),
        ("approve", "approve"),
        ("reject", "reject"),
    ]
    assert entries.last().changes["status"] == ["in_review", "rejected"]


def test_the_approval_record_names_every_decision_and_deputy(cast, parallel_doc):
    from gmassist.office.documents.engine import docx_text

    deputy_name(
        principal=cast.gm,
        deputy=cast.outsider,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        by=cast.gm,
    )
    services.document_decide(document=parallel_doc, by=cast.head, decision="approve")
    services.document_decide(document=parallel_doc, by=cast.outsider, decision="approve")
    parallel_doc.refresh_from_db()
    text = docx_text(services.approval_record_docx(document=parallel_doc))
    assert "Travel policy 2027" in text
    assert "Version approved: 1" in text
    assert "Oscar Outsider on behalf of Grace Manager" in text
    assert "Economy class below six hours." in text
