"""The one job page (`/jobs/<id>/`): every registered kind is shown through it, only to those
who may see the job and its domain."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gmassist.core.choices import JobStatus
from gmassist.core.job_pages import registered_job_pages
from gmassist.core.jobs import registered_job_kinds
from gmassist.core.models import Job

# The kinds the apps run (the suite registers "test.*" kinds of its own).
APP_KINDS = [kind for kind in registered_job_kinds() if not kind.startswith("test.")]


def test_every_job_kind_declares_its_page():
    assert sorted(registered_job_pages()) == APP_KINDS


# What the starting page puts in a job's parameters, where its outcome links back by them.
PARAMS = {"decisions.publish": {"decision_id": 1}, "decisions.notify": {"decision_id": 1}}
PARAMS["decisions.remind"] = PARAMS["decisions.publish"]


def _job(kind: str, by, status: str, **result) -> Job:
    return Job.objects.create(
        kind=kind, created_by=by, status=status, params=PARAMS.get(kind, {}), result=result
    )


@pytest.mark.parametrize("kind", APP_KINDS)
def test_a_succeeded_job_of_every_kind_shows_its_outcome_to_the_gm(client, cast, kind):
    job = _job(kind, cast.gm, JobStatus.SUCCEEDED)
    client.force_login(cast.gm)
    response = client.get(reverse("job", args=[job.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert f'data-kind="{kind}" data-status="succeeded"' in body
    assert 'data-testid="job-outcome"' in body
    assert 'hx-trigger="every 1s"' not in body


@pytest.mark.parametrize("kind", APP_KINDS)
def test_a_failed_job_of_every_kind_shows_its_reason(client, cast, kind):
    job = _job(kind, cast.gm, JobStatus.FAILED)
    Job.objects.filter(pk=job.pk).update(error="the file is empty")
    client.force_login(cast.gm)
    body = client.get(reverse("job", args=[job.pk])).content.decode()
    assert 'data-status="failed"' in body and "the file is empty" in body


def test_a_running_job_polls_and_a_partial_is_only_the_section(client, cast):
    job = _job("customers.tier", cast.gm, JobStatus.RUNNING)
    Job.objects.filter(pk=job.pk).update(progress=40, message="Grading customers")
    client.force_login(cast.gm)
    partial = client.get(reverse("job", args=[job.pk]), headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert body.lstrip().startswith(f'<section id="job-{job.pk}"')
    assert f'hx-get="/jobs/{job.pk}/"' in body and "40% · Grading customers" in body


def test_an_inline_job_keeps_polling_inline(client, cast):
    job = _job("decisions.publish", cast.gm, JobStatus.RUNNING)
    client.force_login(cast.gm)
    url = reverse("job", args=[job.pk]) + "?inline=1"
    body = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert f'hx-get="/jobs/{job.pk}/?inline=1"' in body and "<h1>" not in body


def test_the_outcome_links_the_proposal_the_job_made_when_the_user_may_see_it(client, cast):
    from gmassist.core.models import Proposal

    proposal = Proposal.objects.create(
        kind="customers.retier", title="Re-tier 3 customers", payload={"changes": []}
    )
    job = _job("customers.tier", cast.gm, JobStatus.SUCCEEDED, proposal_id=proposal.pk)
    client.force_login(cast.gm)
    response = client.get(reverse("job", args=[job.pk]))
    assert response.context["proposal"] == proposal
    assert f'href="/proposals/{proposal.pk}/"' in response.content.decode()


def test_anonymous_is_sent_to_log_in(client, cast):
    job = _job("core.import", cast.hr, JobStatus.SUCCEEDED)
    response = client.get(reverse("job", args=[job.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_someone_elses_job_is_a_404(client, cast):
    job = _job("core.import", cast.hr, JobStatus.SUCCEEDED)
    client.force_login(cast.head)
    assert client.get(reverse("job", args=[job.pk])).status_code == 404


def test_a_job_of_a_domain_the_role_may_not_see_is_a_403(client, cast):
    job = _job("talent.score", cast.account_manager, JobStatus.SUCCEEDED)
    client.force_login(cast.account_manager)
    assert client.get(reverse("job", args=[job.pk])).status_code == 403


def test_an_unknown_id_is_a_404(client, cast):
    client.force_login(cast.gm)
    assert client.get("/jobs/999999/").status_code == 404
    assert client.get("/jobs/abc/").status_code == 404


def test_a_plan_job_is_headed_by_the_plan_it_made_not_by_its_own_number(client, cast):
    job = _job("talent.plan", cast.gm, JobStatus.SUCCEEDED)
    plan_id = job.pk + 7  # a job's number is not its plan's
    Job.objects.filter(pk=job.pk).update(result={"plan_id": plan_id})
    client.force_login(cast.gm)

    body = client.get(reverse("job", args=[job.pk])).content.decode()

    assert f"<h1>Incentive plan #{plan_id}</h1>" in body
    assert f"<li>job #{job.pk}</li>" in body
    assert f'href="/talent/plans/{plan_id}/"' in body


def test_a_running_job_says_its_own_number_as_a_job(client, cast):
    job = _job("talent.plan", cast.gm, JobStatus.RUNNING)
    client.force_login(cast.gm)

    body = client.get(reverse("job", args=[job.pk])).content.decode()

    assert "<h1>Incentive plan</h1>" in body
    assert f"Job #{job.pk}, started by Grace Manager on" in body
