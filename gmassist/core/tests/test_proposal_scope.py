"""A proposal is seen only by the roles that may see its kind's domain, and every read of one
that shows someone's pay is audited, on whatever page or endpoint shows it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from gmassist.core.choices import Action, AuditAction
from gmassist.core.models import AuditEntry, Proposal
from gmassist.core.permissions import SYSTEM, user_can
from gmassist.customers.services import RETIER
from gmassist.org.services import pay_change_propose

MARKER = "Retier ZZQ-CUSTOMER-CODES"


@pytest.fixture
def customer_proposal(cast) -> Proposal:
    # a re-tiering with customer codes, revenue and tiers: the customers domain's
    return Proposal.objects.create(
        kind=RETIER,
        title="Re-tier 1 customer",
        payload={"changes": [{"code": "ZZQ-1", "from": "B", "to": "A"}]},
        rationale=f"{MARKER}: revenue 12,345,678 over 12 months",
        proposed_by=cast.gm,
    )


@pytest.fixture
def pay_proposal(cast) -> Proposal:
    return pay_change_propose(
        employee=cast.employee.employee,
        new_base_pay=Decimal("123457"),
        effective_date=dt.date(2026, 1, 1),
        rationale="below the band midpoint",
        by=cast.head,
    )


def pay_reads(user):
    return AuditEntry.objects.filter(actor=user, action=AuditAction.READ_PAY)


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("gm", True),
        ("assistant", True),
        ("hr", False),
        ("head", False),
        ("employee", False),
        ("account_manager", False),
    ],
)
def test_a_customers_proposal_is_seen_by_the_customers_domain_only(
    cast, customer_proposal, role, sees
):
    user = getattr(cast, role)
    assert (customer_proposal in Proposal.objects.restrict(user)) is sees
    assert user_can(user, Action.VIEW, customer_proposal) is sees


def test_hr_still_sees_people_proposals(cast, pay_proposal, customer_proposal):
    assert list(Proposal.objects.restrict(cast.hr)) == [pay_proposal]
    assert set(Proposal.objects.restrict(SYSTEM)) == {pay_proposal, customer_proposal}


def test_hr_reads_no_customers_proposal_on_any_page(client, cast, customer_proposal):
    client.force_login(cast.hr)
    for url in (reverse("proposals"), reverse("proposals-history"), reverse("home")):
        response = client.get(url)
        assert response.status_code == 200
        assert MARKER not in response.content.decode()
    assert client.get(reverse("proposal", args=[customer_proposal.pk])).status_code == 404
    customer_proposal.status = "rejected"
    customer_proposal.decided_at = customer_proposal.created_at
    customer_proposal.save()
    assert MARKER not in client.get(reverse("proposals-history")).content.decode()


def test_hr_reads_no_customers_proposal_in_the_api(client, cast, customer_proposal):
    client.force_login(cast.hr)
    assert client.get("/api/proposals").json()["count"] == 0
    assert client.get(f"/api/proposals/{customer_proposal.pk}").status_code == 404
    # and may not decide one either: it is not there for them
    response = client.post(
        f"/api/proposals/{customer_proposal.pk}/approve", {}, content_type="application/json"
    )
    assert response.status_code == 404
    customer_proposal.refresh_from_db()
    assert customer_proposal.status == "open"


def test_the_gm_sees_the_customers_proposal(client, cast, customer_proposal):
    client.force_login(cast.gm)
    assert MARKER in client.get(reverse("proposals")).content.decode()
    assert client.get(f"/api/proposals/{customer_proposal.pk}").status_code == 200


# --- reading a pay proposal is reading the pay ----------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        lambda p: reverse("proposals"),
        lambda p: reverse("proposal", args=[p.pk]),
        lambda p: reverse("home"),
        lambda p: reverse("proposals") + "?export=csv",
        lambda p: "/api/proposals",
        lambda p: f"/api/proposals/{p.pk}",
    ],
    ids=["inbox", "detail", "home", "export", "api-list", "api-detail"],
)
def test_reading_a_pay_proposal_is_an_audited_read_of_that_pay(client, cast, pay_proposal, url):
    client.force_login(cast.hr)
    response = client.get(url(pay_proposal))
    assert response.status_code == 200
    assert "123457" in response.content.decode().replace(",", "")
    [entry] = pay_reads(cast.hr)
    assert entry.changes["employee_nos"] == ["E004"]


def test_a_page_without_pay_proposals_writes_no_pay_read(client, cast, customer_proposal):
    client.force_login(cast.gm)
    client.get(reverse("proposals"))
    client.get("/api/proposals")
    assert not pay_reads(cast.gm).exists()


def test_the_proposals_need_a_login(client, cast, pay_proposal):
    assert client.get(reverse("proposal", args=[pay_proposal.pk])).status_code == 302
    assert client.get(f"/api/proposals/{pay_proposal.pk}").status_code == 401
    assert not AuditEntry.objects.filter(action=AuditAction.READ_PAY).exists()


def test_a_bad_proposal_id_is_a_404_and_reads_nothing(client, cast, pay_proposal):
    client.force_login(cast.hr)
    assert client.get(reverse("proposal", args=[999999])).status_code == 404
    assert client.get("/api/proposals/0").status_code == 422
    assert not pay_reads(cast.hr).exists()
