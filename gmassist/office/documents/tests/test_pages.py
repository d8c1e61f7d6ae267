"""The documents pages: success, no login, wrong scope (nothing changed), bad input; and the
permission-checked downloads."""

import datetime as dt

import pytest
from django.utils import timezone

from gmassist.core.models import ApprovalDeputy, AuditEntry
from gmassist.core.services import deputy_name
from gmassist.office.documents import services
from gmassist.office.documents.choices import DocumentStatus
from gmassist.office.documents.engine import docx_text
from gmassist.office.documents.models import Document, DocumentStep

from .conftest import exe_upload, pdf_upload


def _titles(response):
    return [row.title for row in response.context["rows"]]


def test_the_list_asks_for_a_login(client, sequence_doc):
    for url in (
        "/office/documents/",
        "/office/documents/archive/",
        "/office/documents/new/",
        f"/office/documents/{sequence_doc.pk}/",
        f"/office/documents/{sequence_doc.pk}/versions/1/file/",
    ):
        assert client.get(url).status_code == 302, url


def test_the_approver_finds_it_awaiting_them_first(client, cast, sequence_doc, parallel_doc):
    client.force_login(cast.head)
    response = client.get("/office/documents/")
    assert response.status_code == 200
    assert response.context["form"]["show"].value() == "awaiting"
    assert sorted(_titles(response)) == ["Supply contract with Acme", "Travel policy 2027"]


def test_the_gm_waits_for_their_turn_in_a_sequence(client, cast, sequence_doc, parallel_doc):
    client.force_login(cast.gm)
    response = client.get("/office/documents/?show=awaiting")
    assert _titles(response) == ["Travel policy 2027"]


def test_an_outsider_sees_no_document(client, cast, sequence_doc, parallel_doc):
    client.force_login(cast.outsider)
    assert _titles(client.get("/office/documents/?show=all")) == []
    assert client.get(f"/office/documents/{sequence_doc.pk}/").status_code == 404
    assert client.get(f"/office/documents/{sequence_doc.pk}/versions/1/file/").status_code == 404


def test_a_document_is_listed_once_though_its_approver_has_two_versions(client, cast, sequence_doc):
    services.document_decide(document=sequence_doc, by=cast.head, decision="changes", comment="x")
    services.document_add_version(document=sequence_doc, by=cast.employee, text="v2")
    client.force_login(cast.head)
    assert _titles(client.get("/office/documents/?show=all")) == ["Supply contract with Acme"]


def test_the_document_page_shows_the_route_and_the_decision_form(client, cast, sequence_doc):
    client.force_login(cast.head)
    response = client.get(f"/office/documents/{sequence_doc.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["may_decide"] is True
    assert 'data-testid="decide-form"' in body
    assert [view.state_label for view in response.context["versions"][0]["steps"]] == [
        "To decide",
        "Waiting its turn",
    ]


def test_the_author_sees_why_they_do_not_decide(client, cast, sequence_doc):
    client.force_login(cast.employee)
    response = client.get(f"/office/documents/{sequence_doc.pk}/")
    assert response.context["may_decide"] is False
    assert 'data-testid="decide-form"' not in response.content.decode()


def test_deciding_on_the_page_moves_the_route(client, cast, sequence_doc):
    client.force_login(cast.head)
    response = client.post(
        f"/office/documents/{sequence_doc.pk}/decide/", {"decision": "approve", "comment": ""}
    )
    assert response.status_code == 302
    assert list(
        DocumentStep.objects.filter(document=sequence_doc).values_list("status", flat=True)
    ) == ["approved", "open"]


def test_a_refused_decision_is_a_403_and_changes_nothing(client, cast, sequence_doc):
    client.force_login(cast.gm)  # not yet their turn
    response = client.post(
        f"/office/documents/{sequence_doc.pk}/decide/", {"decision": "approve", "comment": ""}
    )
    assert response.status_code == 403
    assert "not your turn" in response.content.decode()
    assert list(
        DocumentStep.objects.filter(document=sequence_doc).values_list("status", flat=True)
    ) == ["open", "waiting"]


def test_asking_for_changes_without_a_comment_is_a_422(client, cast, sequence_doc):
    client.force_login(cast.head)
    response = client.post(
        f"/office/documents/{sequence_doc.pk}/decide/", {"decision": "changes", "comment": " "}
    )
    assert response.status_code == 422
    assert response.context["decide_form"].errors["comment"] == [
        "Say what must change, or why you reject it."
    ]


def test_a_wrong_scope_decision_is_a_404(client, cast, sequence_doc):
    client.force_login(cast.outsider)
    response = client.post(
        f"/office/documents/{sequence_doc.pk}/decide/", {"decision": "approve", "comment": ""}
    )
    assert response.status_code == 404
    assert AuditEntry.objects.filter(action="approve").count() == 0


def test_writing_a_document_on_the_page(client, cast):
    client.force_login(cast.employee)
    assert client.get("/office/documents/new/").status_code == 200
    response = client.post(
        "/office/documents/new/",
        {
            "title": "Client visit report",
            "kind": "report",
            "text": "Visited Acme.",
            "routing": "sequence",
            "approver_1": "head",
            "approver_2": "GM",
            "submit": "on",
        },
    )
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/office/documents/{document.pk}/"
    assert document.status == DocumentStatus.IN_REVIEW
    assert list(document.steps.values_list("approver__username", "status")) == [
        ("head", "open"),
        ("gm", "waiting"),
    ]


def test_uploading_a_renamed_program_is_refused_on_the_page(client, cast):
    client.force_login(cast.employee)
    response = client.post(
        "/office/documents/new/",
        {
            "title": "Contract",
            "kind": "contract",
            "file": exe_upload(),
            "routing": "sequence",
            "approver_1": "head",
        },
    )
    assert response.status_code == 422
    assert "is not a PDF or a Word (DOCX) document" in response.context["form"].errors["file"][0]
    assert Document.objects.count() == 0


def test_an_unknown_or_own_approver_is_shown_next_to_the_field(client, cast):
    client.force_login(cast.employee)
    response = client.post(
        "/office/documents/new/",
        {"title": "M", "kind": "memo", "text": "x", "routing": "sequence", "approver_1": "nobody"},
    )
    assert response.context["form"].errors["approver_1"] == ["No active user logs in as “nobody”."]
    response = client.post(
        "/office/documents/new/",
        {
            "title": "M",
            "kind": "memo",
            "text": "x",
            "routing": "sequence",
            "approver_1": "employee",
        },
    )
    assert response.context["form"].errors["approver_1"] == [
        "You cannot approve your own document: choose others."
    ]
    assert Document.objects.count() == 0


def test_a_new_version_on_the_page_restarts_the_route(client, cast, sequence_doc):
    services.document_decide(document=sequence_doc, by=cast.head, decision="changes", comment="x")
    client.force_login(cast.employee)
    response = client.post(
        f"/office/documents/{sequence_doc.pk}/versions/",
        {"file": pdf_upload("v2.pdf"), "note": "Fixed the dates"},
    )
    assert response.status_code == 302
    sequence_doc.refresh_from_db()
    assert sequence_doc.status == DocumentStatus.IN_REVIEW
    assert sequence_doc.versions.count() == 2


def test_a_new_version_by_someone_else_is_refused(client, cast, sequence_doc):
    services.document_decide(document=sequence_doc, by=cast.head, decision="changes", comment="x")
    client.force_login(cast.head)
    response = client.post(
        f"/office/documents/{sequence_doc.pk}/versions/", {"text": "mine", "note": ""}
    )
    assert response.status_code == 403
    assert sequence_doc.versions.count() == 1


def test_the_uploaded_file_is_downloaded_as_it_was(client, cast, sequence_doc):
    client.force_login(cast.head)
    response = client.get(f"/office/documents/{sequence_doc.pk}/versions/1/file/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.4")


def test_the_approval_record_is_for_approved_documents(client, cast, parallel_doc):
    client.force_login(cast.head)
    assert client.get(f"/office/documents/{parallel_doc.pk}/record/").status_code == 404
    services.document_decide(document=parallel_doc, by=cast.head, decision="approve")
    services.document_decide(document=parallel_doc, by=cast.gm, decision="approve")
    response = client.get(f"/office/documents/{parallel_doc.pk}/record/")
    assert response.status_code == 200
    assert "Approved" in docx_text(response.content)
    archive = client.get("/office/documents/archive/")
    assert _titles(archive) == ["Travel policy 2027"]


def test_a_deputy_finds_the_principals_document_and_decides_on_their_behalf(
    client, cast, sequence_doc
):
    today = timezone.localdate()
    deputy_name(
        principal=cast.head,
        deputy=cast.outsider,
        starts_on=today,
        ends_on=today + dt.timedelta(days=2),
        by=cast.head,
    )
    client.force_login(cast.outsider)
    assert _titles(client.get("/office/documents/")) == ["Supply contract with Acme"]
    page = client.get(f"/office/documents/{sequence_doc.pk}/").content.decode()
    until = (today + dt.timedelta(days=2)).isoformat()
    assert f"You decide on behalf of Hank Head until {until}." in page
    client.post(f"/office/documents/{sequence_doc.pk}/decide/", {"decision": "approve"})
    step = DocumentStep.objects.get(document=sequence_doc, order=1)
    assert (step.status, step.decided_by) == ("approved", cast.outsider)


def test_the_deputies_page_names_and_ends_a_deputy(client, cast):
    client.force_login(cast.hr)
    assert client.get("/deputies/").status_code == 200
    today = timezone.localdate().isoformat()
    response = client.post(
        "/deputies/", {"deputy": "outsider", "starts_on": today, "ends_on": today, "note": "Leave"}
    )
    assert response.status_code == 302
    row = ApprovalDeputy.objects.get()
    assert (row.principal, row.deputy, row.note) == (cast.hr, cast.outsider, "Leave")
    client.post(f"/deputies/{row.pk}/end/")
    row.refresh_from_db()
    assert row.ended_at is not None


def test_the_deputies_page_shows_bad_dates_next_to_the_field(client, cast):
    client.force_login(cast.hr)
    response = client.post(
        "/deputies/", {"deputy": "outsider", "starts_on": "2030-01-05", "ends_on": "2030-01-01"}
    )
    assert response.status_code == 422
    assert response.context["form"].errors["ends_on"] == ["The last day is before the first day."]
    assert ApprovalDeputy.objects.count() == 0


def test_only_the_gms_office_names_a_deputy_for_someone_else(client, cast):
    today = timezone.localdate().isoformat()
    client.force_login(cast.head)
    client.post(
        "/deputies/",
        {"principal": "hr", "deputy": "outsider", "starts_on": today, "ends_on": today},
    )
    assert ApprovalDeputy.objects.get().principal == cast.head  # the field is not offered
    ApprovalDeputy.objects.all().delete()
    client.force_login(cast.assistant)
    client.post(
        "/deputies/",
        {"principal": "hr", "deputy": "outsider", "starts_on": today, "ends_on": today},
    )
    assert ApprovalDeputy.objects.get().principal == cast.hr


def test_someone_elses_deputyship_is_not_ended_by_a_stranger(client, cast):
    today = timezone.localdate()
    row = deputy_name(
        principal=cast.hr, deputy=cast.outsider, starts_on=today, ends_on=today, by=cast.hr
    )
    client.force_login(cast.employee)
    assert client.post(f"/deputies/{row.pk}/end/").status_code == 404
    row.refresh_from_db()
    assert row.ended_at is None


@pytest.mark.parametrize("who", ["gm", "head"])
def test_the_documents_appear_in_the_inbox_and_on_today(
    client, cast, sequence_doc, parallel_doc, who
):
    from gmassist.core.inbox import inbox_for
    from gmassist.office.today.registry import registered_today_sources

    user = getattr(cast, who)
    source = next(s for s in registered_today_sources() if s.key == "office.documents.awaiting")
    expected = {
        "gm": ["Travel policy 2027"],
        "head": ["Supply contract with Acme", "Travel policy 2027"],
    }[who]
    assert [item.title for item in source.items(user)] == expected
    assert source.count(user) == len(expected)
    section = next(s for s in inbox_for(user) if s.key == "office.documents")
    assert section.action_count == len(expected)


def _more_documents(cast, count):
    for number in range(count):
        services.document_create(
            by=cast.employee, title=f"Memo {number}", approvers=[cast.head], text="Text"
        )


@pytest.mark.parametrize("count", [1, 6])
def test_the_list_makes_the_same_queries_whatever_the_rows(
    client, cast, django_assert_num_queries, count
):
    _more_documents(cast, count)
    client.force_login(cast.head)
    client.get("/office/documents/?show=awaiting")  # the session and the caches warm
    with django_assert_num_queries(6):
        response = client.get("/office/documents/?show=awaiting")
    assert len(response.context["rows"]) == count


def test_only_the_author_sends_or_withdraws(client, cast, sequence_doc):
    client.force_login(cast.head)
    assert client.post(f"/office/documents/{sequence_doc.pk}/withdraw/").status_code == 403
    sequence_doc.refresh_from_db()
    assert sequence_doc.status == DocumentStatus.IN_REVIEW
    client.force_login(cast.employee)
    response = client.post(f"/office/documents/{sequence_doc.pk}/withdraw/")
    assert response.status_code == 302
    sequence_doc.refresh_from_db()
    assert sequence_doc.status == DocumentStatus.WITHDRAWN


def test_sending_a_draft_from_its_page(client, cast):
    draft = services.document_create(
        by=cast.employee, title="Memo", approvers=[cast.head], text="Hi", submit=False
    )
    client.force_login(cast.employee)
    assert (
        'data-testid="document-submit"'
        in client.get(f"/office/documents/{draft.pk}/").content.decode()
    )
    client.post(f"/office/documents/{draft.pk}/submit/")
    draft.refresh_from_db()
    assert draft.status == DocumentStatus.IN_REVIEW
    again = client.post(f"/office/documents/{draft.pk}/submit/", follow=True)
    assert "Only a draft is sent for approval." in again.content.decode()
