"""The tiering-policy page: view, edit by field or as TOML with errors by field, run the
re-tiering as a job and follow it to its proposal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gmassist.core.jobs import job_run
from gmassist.core.models import Job, Proposal
from gmassist.customers.models import CustomerPolicy
from gmassist.customers.selectors import tiering_policy_current
from gmassist.customers.tests.test_pages_customers import make_revenue_book

PAGE = reverse("customers:tiering")

FORM = {
    "action": "save_form",
    "a_revenue_share": "0.7",
    "b_revenue_share": "0.2",
    "contribution_weight": "1",
    "scale_weight": "0.25",
    "scale_large": "1000",
    "scale_medium": "100",
    "strategic_weight": "0.25",
    "strategic_industries": "Telecom, Banking",
    "growth_weight": "0.25",
    "growth_full_points_at": "0.3",
    "a_min_score": "1",
    "b_min_score": "0.5",
}


@pytest.fixture
def book(cast):
    return make_revenue_book(cast)


def test_the_page_shows_the_policy_in_force_by_field_and_as_toml(client, cast):
    client.force_login(cast.gm)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response.context["form"].initial["a_revenue_share"] == 0.8
    html = response.content.decode()
    assert "a_revenue_share = 0.8" in html
    assert 'data-testid="retier-run"' in html
    assert "The default policy: nothing has been saved yet." in html


def test_saving_the_form_makes_a_new_version(client, cast):
    client.force_login(cast.gm)
    response = client.post(PAGE, FORM)
    assert response.status_code == 302
    policy = tiering_policy_current().policy
    assert (policy.a_revenue_share, policy.b_revenue_share) == (0.7, 0.2)
    assert policy.strategic_industries == ("Telecom", "Banking")
    assert CustomerPolicy.objects.get().saved_by == cast.gm


def test_an_inconsistent_form_names_the_field_and_saves_nothing(client, cast):
    client.force_login(cast.gm)
    response = client.post(PAGE, {**FORM, "scale_medium": "5000"})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert list(errors) == ["scale_medium"]
    assert errors["scale_medium"] == ["must not exceed scale.large (1000.0), got 5000.0"]
    assert CustomerPolicy.objects.count() == 0


def test_a_missing_field_is_a_form_error(client, cast):
    client.force_login(cast.gm)
    response = client.post(PAGE, {**FORM, "a_min_score": ""})
    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["a_min_score"]
    assert CustomerPolicy.objects.count() == 0


def test_saving_toml_makes_a_new_version(client, cast):
    client.force_login(cast.assistant)
    text = "[contribution]\na_revenue_share = 0.75\n"
    response = client.post(PAGE, {"action": "save_toml", "toml": text})
    assert response.status_code == 302
    assert tiering_policy_current().toml == text


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('[scale]\nlarge = "big"\n', "scale.large: must be a number, got 'big'"),
        ("[scale]\nhuge = 3\n", "scale.huge: unknown key"),
    ],
)
def test_bad_toml_names_the_key_and_saves_nothing(client, cast, text, error):
    client.force_login(cast.gm)
    response = client.post(PAGE, {"action": "save_toml", "toml": text})
    assert response.status_code == 422
    assert response.context["toml_form"].errors["toml"] == [error]
    assert CustomerPolicy.objects.count() == 0


@pytest.mark.parametrize("role", ["account_manager", "head"])
def test_roles_that_read_customers_see_the_policy_but_may_not_change_it(client, cast, role):
    client.force_login(getattr(cast, role))
    response = client.get(PAGE)
    assert response.status_code == 200
    assert 'data-testid="retier-run"' not in response.content.decode()
    assert client.post(PAGE, FORM).status_code == 403
    assert client.post(PAGE, {"action": "run"}).status_code == 403
    assert CustomerPolicy.objects.count() == 0
    assert Job.objects.count() == 0


@pytest.mark.parametrize("role", ["hr", "employee"])
def test_roles_without_customers_are_refused(client, cast, role):
    client.force_login(getattr(cast, role))
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, FORM).status_code == 403
    assert CustomerPolicy.objects.count() == 0


def test_nobody_logged_in_is_sent_to_the_login(client, cast):
    assert client.get(PAGE).status_code == 302
    assert client.post(PAGE, FORM).status_code == 302
    assert CustomerPolicy.objects.count() == 0


def test_an_unknown_action_is_not_found(client, cast):
    client.force_login(cast.gm)
    assert client.post(PAGE, {"action": "delete"}).status_code == 404


def test_running_re_tiering_starts_a_job_and_its_page_leads_to_the_proposal(client, cast, book):
    client.force_login(cast.gm)
    response = client.post(PAGE, {"action": "run"})
    job = Job.objects.get()
    assert (job.kind, job.created_by) == ("customers.tier", cast.gm)
    assert response["Location"] == reverse("job", args=[job.pk])
    progress = client.get(response["Location"])
    assert progress.status_code == 200
    assert 'data-testid="job-progress"' in progress.content.decode()

    job_run(job.pk)
    done = client.get(response["Location"], HTTP_HX_REQUEST="true")
    proposal = Proposal.objects.get(kind="customers.retier")
    assert done.context["proposal"] == proposal
    html = done.content.decode()
    assert html.lstrip().startswith('<section id="job-')
    assert 'data-status="succeeded"' in html
    assert reverse("proposal", args=[proposal.pk]) in html


def test_another_users_job_is_not_found(client, cast, book):
    client.force_login(cast.gm)
    client.post(PAGE, {"action": "run"})
    job = Job.objects.get()
    client.force_login(cast.account_manager)
    assert client.get(reverse("job", args=[job.pk])).status_code == 404
