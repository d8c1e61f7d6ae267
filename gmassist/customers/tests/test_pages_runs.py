"""The matching and routing pages: start a run with its options, follow the job, read the
proposal's moves, workloads and objective there and on the proposal's own page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gmassist.core.jobs import job_run
from gmassist.core.models import Job, Proposal
from gmassist.customers.models import GroupCustomer
from gmassist.customers.tests.test_pages_customers import make_revenue_book

MATCHING = reverse("customers:matching")
ROUTING = reverse("customers:routing")

OPTIONS = {
    "region_rule": "penalty",
    "region_penalty": "2",
    "change_penalty": "1",
    "max_changes": "",
    "time_limit_s": "10",
}


@pytest.fixture
def book(cast):
    return make_revenue_book(cast)


def test_the_matching_page_offers_the_options(client, cast, book):
    client.force_login(cast.gm)
    response = client.get(MATCHING)
    assert response.status_code == 200
    assert response.context["form"].fields["region_rule"].initial == "hard"
    assert 'data-testid="tab-matching"' in response.content.decode()


def test_starting_a_matching_run_makes_a_job_with_the_options(client, cast, book):
    client.force_login(cast.assistant)
    response = client.post(MATCHING, {**OPTIONS, "max_changes": "3"})
    job = Job.objects.get()
    assert response["Location"] == reverse("job", args=[job.pk])
    assert (job.kind, job.created_by) == ("customers.match", cast.assistant)
    assert job.params == {
        "region_rule": "penalty",
        "region_penalty": 2.0,
        "change_penalty": 1.0,
        "max_changes": 3,
        "time_limit_s": 10.0,
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"region_rule": "loose"}, "region_rule"),
        ({"max_changes": "-1"}, "max_changes"),
        ({"time_limit_s": "0"}, "time_limit_s"),
        ({"change_penalty": "a lot"}, "change_penalty"),
    ],
)
def test_bad_options_are_field_errors_and_start_nothing(client, cast, book, change, field):
    client.force_login(cast.gm)
    response = client.post(MATCHING, {**OPTIONS, **change})
    assert response.status_code == 422
    assert list(response.context["form"].errors) == [field]
    assert Job.objects.count() == 0


@pytest.mark.parametrize("url", [MATCHING, ROUTING])
@pytest.mark.parametrize("role", ["account_manager", "head", "hr", "employee"])
def test_runs_are_the_gms_offices(client, cast, book, url, role):
    client.force_login(getattr(cast, role))
    assert client.get(url).status_code == 403
    assert client.post(url, OPTIONS).status_code == 403
    assert Job.objects.count() == 0


@pytest.mark.parametrize("url", [MATCHING, ROUTING])
def test_runs_ask_for_a_login(client, book, url):
    assert client.post(url, OPTIONS).status_code == 302
    assert Job.objects.count() == 0


def test_a_matching_run_ends_in_a_proposal_shown_with_moves_workloads_and_objective(
    client, cast, book
):
    client.force_login(cast.gm)
    response = client.post(MATCHING, OPTIONS)
    job = Job.objects.get()
    job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    proposal = Proposal.objects.get(kind="customers.reassign")
    moves = proposal.payload["moves"]
    assert [m["code"] for m in moves] == ["C3"]  # the customer without a manager gets one

    done = client.get(response["Location"])
    html = done.content.decode()
    assert 'data-testid="reassign-payload"' in html
    assert html.count('data-testid="reassign-move"') == 1
    assert 'id="reassign-workload-data"' in html
    assert 'data-testid="reassign-optimal">Optimal<' in html

    page = client.get(reverse("proposal", args=[proposal.pk]))
    assert page.status_code == 200
    assert 'data-testid="reassign-moves-table"' in page.content.decode()


def test_the_routing_page_shows_the_rules_and_a_run_ends_in_a_proposal(client, cast, book):
    # a C customer of Alice's with no revenue and no contacts: simple needs
    GroupCustomer.objects.create(
        code="C4", name="Dot", tier="C", account_manager=book["C1"].account_manager
    )
    client.force_login(cast.gm)
    page = client.get(ROUTING)
    assert page.status_code == 200
    assert "[" in page.context["rules"].toml
    response = client.post(ROUTING)
    job = Job.objects.get()
    assert job.kind == "customers.route"
    assert response["Location"] == reverse("job", args=[job.pk])
    job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    proposal = Proposal.objects.get(kind="customers.reroute")
    assert [m["code"] for m in proposal.payload["moves"]] == ["C3", "C4"]
    done = client.get(response["Location"]).content.decode()
    assert 'data-status="succeeded"' in done
    assert done.count('data-testid="reroute-move"') == 2
    page = client.get(reverse("proposal", args=[proposal.pk])).content.decode()
    for chart in ("reroute-chart-workload", "reroute-chart-cost", "reroute-chart-channels"):
        assert f'id="{chart}"' in page
    workload = proposal.payload["am_workload_before"], proposal.payload["am_workload_after"]
    assert f'data-values="{workload[0]},{workload[1]}"' in page


def test_the_gm_edits_the_channel_rules_on_the_routing_page(client, cast, book):
    from gmassist.customers.engine.channels import ChannelRules, rules_to_toml
    from gmassist.customers.models import CustomerPolicy

    text = rules_to_toml(ChannelRules()).replace("capacity = 300", "capacity = 40", 1)
    client.force_login(cast.gm)
    response = client.post(ROUTING, {"action": "save_rules", "toml": text})
    assert response.status_code == 302
    assert response["Location"] == ROUTING
    saved = CustomerPolicy.objects.get(kind="channels")
    assert (saved.toml, saved.saved_by) == (text, cast.gm)
    page = client.get(ROUTING)
    assert page.context["rules"].rules.channels["call_centre"].capacity == 40
    assert Job.objects.count() == 0


def test_bad_channel_rules_say_which_key_and_save_nothing(client, cast, book):
    from gmassist.customers.engine.channels import ChannelRules, rules_to_toml
    from gmassist.customers.models import CustomerPolicy

    text = rules_to_toml(ChannelRules()).replace("capacity = 300", "capacity = -3", 1)
    client.force_login(cast.gm)
    response = client.post(ROUTING, {"action": "save_rules", "toml": text})
    assert response.status_code == 422
    assert response.context["rules_form"].errors["toml"] == [
        "channels.call_centre.capacity: must be a number of at least 0, got -3"
    ]
    assert CustomerPolicy.objects.filter(kind="channels").count() == 0


def test_a_department_head_cannot_change_the_channel_rules(client, cast, book):
    from gmassist.customers.models import CustomerPolicy

    client.force_login(cast.head)
    response = client.post(ROUTING, {"action": "save_rules", "toml": "[eligibility]\n"})
    assert response.status_code == 403
    assert CustomerPolicy.objects.filter(kind="channels").count() == 0
