"""Uploads are bounded (a 413 with a message, nothing kept) and deleted when their import ends;
a request body over the limit is a 413, not a 500."""

from __future__ import annotations

import json
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gmassist.core.imports import run_import_job
from gmassist.core.jobs import JobContext, job_run
from gmassist.core.models import Job
from gmassist.core.uploads import is_upload, uploads_sweep
from gmassist.org.models import Employee

PROBLEM = "application/problem+json"
GOOD_CSV = b"employee_no,full_name,department,hire_date\nN001,Nora New,RND,2024-02-01\n"
BAD_CSV = b"employee_no,full_name,department,hire_date\nN001,Nora New,RND,not a date\n"
TOO_LARGE = (
    "The file is larger than 1 MB, the most an upload may be. Split it into smaller files, or "
    "ask your administrator to raise the limit (GMASSIST_UPLOAD_MAX_MB)."
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def small_uploads(settings, media):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    return settings


def big_csv() -> SimpleUploadedFile:
    return SimpleUploadedFile("big.csv", b"a\n" + b"x" * (2 * 1024 * 1024))


def kept_uploads(media) -> list[str]:
    root = media / "imports"
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- the size of an upload -------------------------------------------------------------------


def test_an_upload_over_the_limit_is_a_413_problem_on_the_api(client, cast, small_uploads):
    client.force_login(cast.hr)
    response = client.post("/api/imports", {"entity": "employees", "file": big_csv()})
    assert (response.status_code, response["Content-Type"]) == (413, PROBLEM)
    assert (response.json()["title"], response.json()["detail"]) == ("Request too large", TOO_LARGE)
    assert (Job.objects.count(), kept_uploads(small_uploads.MEDIA_ROOT)) == (0, [])


def test_an_upload_over_the_limit_is_a_413_page_on_the_import_page(client, cast, small_uploads):
    client.force_login(cast.hr)
    response = client.post(reverse("imports"), {"entity": "employees", "file": big_csv()})
    assert response.status_code == 413
    assert TOO_LARGE in response.content.decode()
    assert (Job.objects.count(), kept_uploads(small_uploads.MEDIA_ROOT)) == (0, [])


def test_a_file_just_over_the_limit_is_refused_by_the_form_and_the_api(client, cast, small_uploads):
    # under the request's bound (the file plus its form fields), over the file's
    just_over = b"a\n" + b"x" * (1024 * 1024)
    client.force_login(cast.hr)
    page = client.post(
        reverse("imports"),
        {"entity": "employees", "file": SimpleUploadedFile("a.csv", just_over)},
    )
    assert page.context["form"].errors["file"] == [TOO_LARGE]
    api = client.post(
        "/api/imports", {"entity": "employees", "file": SimpleUploadedFile("a.csv", just_over)}
    )
    assert (api.status_code, api.json()["detail"]) == (413, TOO_LARGE)
    assert (Job.objects.count(), kept_uploads(small_uploads.MEDIA_ROOT)) == (0, [])


def test_an_upload_over_the_limit_without_a_login_is_a_413_too(client, db, small_uploads):
    response = client.post("/api/imports", {"entity": "employees", "file": big_csv()})
    assert response.status_code == 413
    assert kept_uploads(small_uploads.MEDIA_ROOT) == []


def test_a_json_body_over_the_limit_is_a_413_problem_not_a_500(client, cast, small_uploads):
    client.force_login(cast.gm)
    body = json.dumps({"budget": 1000, "menu_toml": "# " + "x" * 100_000})
    response = client.post("/api/talent/plans", body, content_type="application/json")
    assert (response.status_code, response["Content-Type"]) == (413, PROBLEM)
    assert response.json()["detail"] == (
        "The request is larger than 64 KB, the most the API reads (an upload's file aside)."
    )
    assert Job.objects.count() == 0


def test_the_import_form_says_the_limits(client, cast, media):
    client.force_login(cast.hr)
    form = client.get(reverse("imports")).context["form"]
    assert form.fields["file"].help_text == (
        "At most 200 MB and 200,000 rows; split a larger file."
    )


# --- an upload is deleted when its import ends -----------------------------------------------


def _api_upload(client, content: bytes, *, dry_run: bool):
    response = client.post(
        "/api/imports",
        {
            "entity": "employees",
            "file": SimpleUploadedFile("people.csv", content),
            "dry_run": "true" if dry_run else "false",
        },
    )
    assert response.status_code == 202, response.content
    return Job.objects.get(pk=response.json()["id"])


@pytest.mark.parametrize(
    ("content", "dry_run", "status"),
    [(GOOD_CSV, False, "succeeded"), (BAD_CSV, False, "failed"), (GOOD_CSV, True, "succeeded")],
    ids=["imported", "failed", "api dry run"],
)
def test_an_api_upload_is_deleted_when_its_import_ends(
    client, cast, media, settings, content, dry_run, status
):
    settings.GMASSIST_JOBS_EAGER = False  # queued for a worker: the test runs it below
    client.force_login(cast.hr)
    job = _api_upload(client, content, dry_run=dry_run)
    assert kept_uploads(media) == ["people.csv"]
    assert job_run(job.pk).status == status
    assert kept_uploads(media) == []
    assert list((media / "imports").iterdir()) == []  # its folder too


def test_a_dry_run_on_the_page_keeps_the_file_for_the_confirmation_only(
    client, cast, media, django_capture_on_commit_callbacks
):
    client.force_login(cast.hr)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            reverse("imports"),
            {"entity": "employees", "file": SimpleUploadedFile("people.csv", GOOD_CSV)},
        )
    dry = Job.objects.get()
    job_run(dry.pk)
    assert kept_uploads(media) == ["people.csv"]
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("import-confirm", args=[dry.pk]))
    real = Job.objects.exclude(pk=dry.pk).get()
    assert real.params["keep_for_confirm"] is False
    job_run(real.pk)
    assert Employee.objects.filter(employee_no="N001").exists()
    assert kept_uploads(media) == []


def test_a_dry_run_with_errors_deletes_its_file(
    client, cast, media, django_capture_on_commit_callbacks
):
    client.force_login(cast.hr)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            reverse("imports"),
            {"entity": "employees", "file": SimpleUploadedFile("people.csv", BAD_CSV)},
        )
    job_run(Job.objects.get().pk)
    assert kept_uploads(media) == []


def test_an_unconfirmed_dry_run_is_swept_and_cannot_be_confirmed(
    client, cast, media, settings, django_capture_on_commit_callbacks
):
    client.force_login(cast.hr)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            reverse("imports"),
            {"entity": "employees", "file": SimpleUploadedFile("people.csv", GOOD_CSV)},
        )
    dry = Job.objects.get()
    job_run(dry.pk)
    assert uploads_sweep() == 0  # not yet old
    later = time.time() + settings.UPLOAD_KEEP_HOURS * 3600 + 1
    assert uploads_sweep(now=later) == 1
    assert kept_uploads(media) == []
    response = client.post(reverse("import-confirm", args=[dry.pk]), follow=True)
    assert "The uploaded file is no longer kept" in response.content.decode()
    assert Job.objects.count() == 1


def test_a_file_named_on_the_command_line_is_never_deleted(cast, media, tmp_path):
    path = tmp_path / "mine.csv"
    path.write_bytes(GOOD_CSV)
    assert not is_upload(path)
    job = Job.objects.create(kind="core.import", params={}, created_by=None)
    run_import_job(JobContext(job=job), entity="employees", path=str(path))
    assert path.exists()
    assert os.path.getsize(path) == len(GOOD_CSV)
