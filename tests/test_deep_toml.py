"""TOML nested 5,000 deep, wherever a person may send TOML, is a 4xx naming the field and saves
or starts nothing (it was a RecursionError, a 500). The bound itself is `lib.bounded_toml`."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gmassist.core.imports import run_import_job
from gmassist.core.jobs import JobContext, JobError
from gmassist.core.models import ImportMapping, Job
from gmassist.customers.models import CustomerPolicy

DEEP = "x = " + "[" * 5_000 + "]" * 5_000
DEEP_TABLE = "[" + ".".join(["a"] * 5_000) + "]\nx = 1\n"
PROBLEM = "application/problem+json"


def _field_errors(response) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == PROBLEM
    return [(e["field"], e["message"]) for e in response.json()["errors"]]


@pytest.mark.parametrize("text", [DEEP, DEEP_TABLE], ids=["arrays", "table"])
@pytest.mark.parametrize(
    "url", ["/api/customers/tiering-policy", "/api/customers/channel-rules"], ids=["tier", "chan"]
)
def test_a_deep_policy_is_a_422_on_toml_and_saves_nothing(client, cast, url, text):
    client.force_login(cast.gm)
    response = client.put(url, json.dumps({"toml": text}), content_type="application/json")
    [(field, message)] = _field_errors(response)
    assert field == "toml"
    assert message == "toml: not valid TOML: nested more than 16 levels deep"
    assert CustomerPolicy.objects.count() == 0


def test_a_deep_plan_menu_is_a_422_on_menu_toml_and_starts_nothing(client, cast):
    client.force_login(cast.gm)
    body = json.dumps({"budget": 1000, "menu_toml": DEEP})
    response = client.post("/api/talent/plans", body, content_type="application/json")
    assert _field_errors(response) == [
        ("menu_toml", "not valid TOML: nested more than 16 levels deep")
    ]
    assert Job.objects.count() == 0


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_deep_mapping_sent_to_the_api_is_a_422_and_starts_nothing(client, cast, media):
    client.force_login(cast.hr)
    response = client.post(
        "/api/imports",
        {"entity": "employees", "mapping": DEEP, "file": SimpleUploadedFile("a.csv", b"a\n1\n")},
    )
    [(field, message)] = _field_errors(response)
    assert (field, message) == ("mapping", "not valid TOML: nested more than 16 levels deep")
    assert Job.objects.count() == 0


def test_a_deep_mapping_on_the_import_page_is_a_form_error(client, cast, media):
    client.force_login(cast.hr)
    response = client.post(
        reverse("imports"),
        {
            "entity": "employees",
            "file": SimpleUploadedFile("a.csv", b"a\n1\n"),
            "mapping_text": DEEP,
            "save_as": "deep",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["mapping_text"] == [
        "The mapping is not valid: not valid TOML: nested more than 16 levels deep"
    ]
    assert (Job.objects.count(), ImportMapping.objects.count()) == (0, 0)


def test_a_deep_mapping_in_an_import_job_fails_the_job_with_the_reason(cast, media):
    path = media / "a.csv"
    path.write_bytes(b"employee_no\nE1\n")
    job = Job.objects.create(kind="core.import", params={}, created_by=cast.hr)
    with pytest.raises(JobError, match="nested more than 16 levels deep"):
        run_import_job(JobContext(job=job), entity="employees", path=str(path), mapping=DEEP)


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("customers:tiering", {"action": "save_toml", "toml": DEEP}),
        ("customers:routing", {"action": "save_rules", "toml": DEEP}),
        ("talent:plan", {"budget": "1000", "menu_toml": DEEP}),
    ],
)
def test_a_deep_toml_on_a_page_is_a_422_with_the_form_error(client, cast, url, data):
    client.force_login(cast.gm)
    response = client.post(reverse(url), data)
    assert response.status_code == 422
    assert "nested more than 16 levels deep" in response.content.decode()
    assert (CustomerPolicy.objects.count(), Job.objects.count()) == (0, 0)


def test_a_mapping_file_over_the_size_is_a_form_error(client, cast, media):
    client.force_login(cast.hr)
    response = client.post(
        reverse("imports"),
        {
            "entity": "employees",
            "file": SimpleUploadedFile("a.csv", b"a\n1\n"),
            "mapping_file": SimpleUploadedFile("m.toml", b"# " + b"x" * 4_000_000),
        },
    )
    assert response.context["form"].errors["mapping_file"] == ["The mapping file is too large."]
    assert Job.objects.count() == 0
