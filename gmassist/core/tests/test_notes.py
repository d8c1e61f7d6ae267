"""Notes and files on a record: who adds and reads them, and a file that holds pay."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gmassist.core.models import AuditEntry, Note


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _add(client, employee, **data):
    return client.post(f"/notes/org.employee/{employee.pk}/add/", data)


def test_hr_adds_a_note_with_a_file_and_it_shows_on_the_record(client, cast):
    employee = cast.employee.employee
    client.force_login(cast.hr)

    response = _add(
        client,
        employee,
        body="Asked for part-time from March",
        attachment=SimpleUploadedFile("request.pdf", b"%PDF-1.4 letter", "application/pdf"),
    )

    assert response.status_code == 302
    assert response["Location"] == f"/org/employees/{employee.pk}/"
    note = Note.objects.get()
    assert (note.body, note.attachment_name, note.attachment_size, note.author) == (
        "Asked for part-time from March",
        "request.pdf",
        15,
        cast.hr,
    )
    entry = AuditEntry.objects.get(target_type="core.note")
    assert entry.changes == {
        "record": f"org.employee#{employee.pk}",
        "file": "request.pdf",
        "bytes": 15,
    }
    page = client.get(f"/org/employees/{employee.pk}/").content.decode()
    assert "Asked for part-time from March" in page
    download = client.get(f"/notes/{note.pk}/file/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 letter"
    assert download["Content-Disposition"] == 'attachment; filename="request.pdf"'


def test_a_file_that_holds_pay_opens_only_for_who_may_read_pay_and_is_audited(client, cast):
    employee = cast.employee.employee
    client.force_login(cast.hr)
    _add(
        client,
        employee,
        attachment=SimpleUploadedFile("offer.pdf", b"%PDF offer 120,000", "application/pdf"),
        holds_pay="on",
    )
    note = Note.objects.get()

    assert client.get(f"/notes/{note.pk}/file/").status_code == 200
    read = AuditEntry.objects.get(action="read_pay", changes__what="note attachment")
    assert read.changes["employee_nos"] == ["E004"]

    client.force_login(cast.head)  # heads Sales, the person's department: may read pay
    assert client.get(f"/notes/{note.pk}/file/").status_code == 200
    client.force_login(cast.account_manager)
    assert client.get(f"/notes/{note.pk}/file/").status_code == 404


@pytest.mark.parametrize("who", ["employee", "account_manager"])
def test_a_role_that_does_not_read_the_record_s_history_cannot_add_a_note(client, cast, who):
    client.force_login(getattr(cast, who))

    response = _add(client, cast.employee.employee, body="x")

    assert response.status_code == 404
    assert not Note.objects.exists()


def test_a_head_cannot_add_a_note_outside_their_subtree(client, cast):
    client.force_login(cast.head)

    response = _add(client, cast.outsider.employee, body="x")

    assert response.status_code == 404
    assert not Note.objects.exists()


def test_notes_need_a_login(client, cast):
    response = _add(client, cast.employee.employee, body="x")

    assert response.status_code == 302
    assert not Note.objects.exists()


def test_a_file_of_a_kind_that_a_browser_would_run_is_refused(client, cast):
    client.force_login(cast.hr)

    _add(
        client,
        cast.employee.employee,
        attachment=SimpleUploadedFile("page.html", b"<script>", "text/html"),
    )

    assert not Note.objects.exists()


def test_a_file_over_the_limit_is_refused_with_its_size(client, cast, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    client.force_login(cast.hr)

    response = _add(
        client,
        cast.employee.employee,
        attachment=SimpleUploadedFile("big.pdf", b"x" * (3 * 1024 * 1024), "application/pdf"),
    )

    assert not Note.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "the file is 3.0 MB; at most 1 MB" in page


def test_an_empty_note_is_refused(client, cast):
    client.force_login(cast.hr)

    response = _add(client, cast.employee.employee, body="  ")

    assert "write a note or attach a file" in client.get(response["Location"]).content.decode()
    assert not Note.objects.exists()
