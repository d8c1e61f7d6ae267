"""The demo company opens with its customers scored for churn: the worklist and the analytics
are filled from the first `make run`, not "the churn model has not run yet"."""

from __future__ import annotations

import datetime as dt

from gmassist.core.models import User
from gmassist.customers.choices import CustomerStatus
from gmassist.customers.models import ChurnRun, ChurnScore, GroupCustomer
from gmassist.org.demo.generator import generate
from gmassist.org.demo.writer import demo_company_write

AS_OF = dt.date(2026, 10, 31)


def test_the_demo_opens_with_every_customer_scored_and_a_worklist(client, db):
    demo_company_write(
        company=generate(seed=1, tier="S", as_of=AS_OF), only=("customers", "customers_churn")
    )

    [run] = ChurnRun.objects.all()
    on_books = GroupCustomer.objects.exclude(status=CustomerStatus.LOST).count()
    assert ChurnScore.objects.filter(run=run).count() == on_books
    client.force_login(User.objects.get(username="gm"))
    analytics = client.get("/customers/analytics/").content.decode()
    worklist = client.get("/customers/?churn=high&sort=-churn")
    assert 'data-testid="analytics-auc"' in analytics
    assert "has not run yet" not in analytics
    risks = [row.churn_risk for row in worklist.context["rows"]]
    assert risks and all(risk >= 0.3 for risk in risks)
    assert risks == sorted(risks, reverse=True)
