"""Nobody who may not see leaving risk or pay reaches it: every talent page, export and API
path, for each role that may not (an employee, not even for their own record; an account
manager), is refused, reads nothing (no audit entry) and changes nothing. HR may; a department
head only their subtree (see the pages and API tests)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from gmassist.core.models import AuditEntry, Job, Proposal
from gmassist.org.models import Employee
from gmassist.talent.choices import PlanLineStatus
from gmassist.talent.models import IncentivePlan
from gmassist.talent.services import incentive_plan_create

DENIED = ("employee", "outsider", "account_manager")


def _paths(plan: IncentivePlan, own: Employee, other: Employee, job: Job):
    """(method, path, body) of every talent page, export and API endpoint."""
    pages = [
        ("get", reverse("talent:overview"), None),
        ("get", reverse("talent:overview") + "?box=medium-medium", None),
        ("post", reverse("talent:overview"), {}),
        ("get", reverse("talent:person", args=[own.pk]), None),
        ("get", reverse("talent:person", args=[other.pk]), None),
        ("get", reverse("talent:plan"), None),
        ("post", reverse("talent:plan"), {"budget": "1000"}),
        ("get", reverse("talent:plan_detail", args=[plan.pk]), None),
        ("post", reverse("talent:plan_detail", args=[plan.pk]), {"which": "all"}),
        ("get", reverse("job", args=[job.pk]), None),
        ("get", reverse("talent:pay_review"), None),
        ("get", reverse("talent:pay_review") + "?export=csv", None),
        ("get", reverse("talent:key_people"), None),
        ("get", reverse("talent:key_people") + "?export=xlsx", None),
    ]
    api = [
        ("get", "/api/talent/risk-scores", None),
        ("get", f"/api/talent/people/{own.pk}/risk", None),
        ("get", f"/api/talent/people/{other.pk}/risk", None),
        ("get", "/api/talent/risk-model", None),
        ("get", "/api/talent/nine-box", None),
        ("get", "/api/talent/risk-heatmap", None),
        ("post", "/api/talent/score", None),
        ("post", "/api/talent/plans", {"budget": 1000}),
        ("get", "/api/talent/plans", None),
        ("get", f"/api/talent/plans/{plan.pk}", None),
        ("post", f"/api/talent/plans/{plan.pk}/approve", {}),
        ("get", "/api/talent/pay-review", None),
        ("get", "/api/talent/pay-gaps", None),
        ("get", "/api/talent/key-people", None),
    ]
    return pages, api


@pytest.mark.parametrize("role", DENIED)
def test_no_talent_page_export_or_endpoint_gives_risk_or_pay_to_a_role_that_may_not(
    client, scored, role
):
    user = getattr(scored, role)
    plan = incentive_plan_create(budget=30000, by=scored.gm, time_limit=5)
    job = Job.objects.create(kind="talent.score", created_by=scored.gm)
    other = (
        Employee.objects.exclude(pk=user.employee_id)
        .filter(employee_no__in=["E004", "E005"])
        .order_by("employee_no")
        .first()
    )
    pages, api = _paths(plan, user.employee, other, job)
    audit_before = AuditEntry.objects.count()
    client.force_login(user)
    for method, path, body in pages:
        response = getattr(client, method)(path, body or {})
        assert response.status_code in (403, 404), (method, path, response.status_code)
    for method, path, body in api:
        if method == "post":
            response = client.post(path, json.dumps(body or {}), content_type="application/json")
        else:
            response = client.get(path)
        assert response.status_code in (403, 404), (method, path, response.status_code)
        assert response["Content-Type"] == "application/problem+json"
    assert AuditEntry.objects.count() == audit_before  # nobody's pay or risk was read
    assert Job.objects.count() == 1
    assert IncentivePlan.objects.count() == 1
    assert plan.lines.exclude(status=PlanLineStatus.PLANNED).count() == 0
    assert Proposal.objects.count() == 0


def test_hr_reaches_every_talent_page(client, scored):
    plan = incentive_plan_create(budget=30000, by=scored.gm, time_limit=5)
    job = Job.objects.create(kind="talent.plan", created_by=scored.hr)
    emma = Employee.objects.get(employee_no="E004")
    pages, api = _paths(plan, emma, emma, job)
    client.force_login(scored.hr)
    for method, path, _body in pages + api:
        if method == "get":
            assert client.get(path).status_code == 200, path
