"""The catalogue data that drives customer tiers (industries and their "strategic" flag, the
customers policies) belongs to the GM's office: the GM and the assistant change and import
it; HR, like everyone else, only reads it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from gmassist.core.choices import Action, JobStatus
from gmassist.core.imports import import_file
from gmassist.core.jobs import job_run
from gmassist.core.models import Job
from gmassist.core.permissions import reach
from gmassist.customers.models import CustomerPolicy, Industry

INDUSTRIES = "code,name,strategic\nTEL,Telecom,yes\n"


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "industries.csv"
    path.write_text(INDUSTRIES, encoding="utf-8")
    return path


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize("role", ["gm", "assistant"])
def test_the_gms_office_imports_industries_and_their_strategic_flag(cast, tmp_path, role):
    import_file(
        entity="industries", path=_file(tmp_path), mapping=None, by=getattr(cast, role),
        dry_run=False,
    )  # fmt: skip
    assert list(Industry.objects.values_list("code", "strategic")) == [("TEL", True)]


@pytest.mark.parametrize("role", ["hr", "head", "account_manager", "employee"])
def test_nobody_else_imports_industries_and_nothing_changes(cast, tmp_path, role):
    Industry.objects.create(code="TEL", name="Telecom", strategic=False)
    with pytest.raises(PermissionDenied):
        import_file(
            entity="industries", path=_file(tmp_path), mapping=None, by=getattr(cast, role),
            dry_run=False,
        )  # fmt: skip
    assert list(Industry.objects.values_list("code", "strategic")) == [("TEL", False)]


def test_hr_gets_a_403_from_the_import_api_and_no_job(client, cast, media):
    client.force_login(cast.hr)
    upload = SimpleUploadedFile("industries.csv", INDUSTRIES.encode())
    response = client.post("/api/imports", {"file": upload, "entity": "industries"})
    assert response.status_code == 403
    assert Job.objects.count() == 0
    assert Industry.objects.count() == 0


def test_the_assistant_imports_industries_through_the_api(
    client, cast, media, django_capture_on_commit_callbacks
):
    client.force_login(cast.assistant)
    upload = SimpleUploadedFile("industries.csv", INDUSTRIES.encode())
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/api/imports", {"file": upload, "entity": "industries"})
    assert response.status_code == 202
    assert job_run(response.json()["id"]).status == JobStatus.SUCCEEDED
    assert Industry.objects.get().strategic is True


@pytest.mark.parametrize("model", [Industry, CustomerPolicy])
def test_every_role_still_reads_the_customer_catalogue_but_only_the_gms_office_changes_it(
    cast, model
):
    domain = model.restrict_scope.domain
    for role in ("gm", "assistant", "hr", "head", "account_manager", "employee"):
        assert reach(getattr(cast, role), domain, Action.VIEW) == "all"
    changers = {
        role
        for role in ("gm", "assistant", "hr", "head", "account_manager", "employee")
        for action in (Action.CHANGE, Action.IMPORT)
        if reach(getattr(cast, role), domain, action) is not None
    }
    assert changers == {"gm", "assistant"}
