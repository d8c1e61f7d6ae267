"""Fixtures of the decisions tests: a decision for Sales, drafted and published."""

import datetime as dt

import pytest

from gmassist.decisions import services
from gmassist.decisions.services import Audience


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def draft(cast):
    """The GM's draft for the whole company, addressed to Sales (and so Sales East)."""
    return services.decision_create(
        by=cast.gm,
        title="Four-day week in Sales",
        summary="Sales works Monday to Thursday from March.",
        rationale="Customers buy on weekdays; Fridays bring 4% of orders.",
        effective_date=dt.date(2026, 3, 2),
        audience=Audience(departments=(cast.sales,)),
    )


@pytest.fixture
def published(cast, draft):
    """The draft, published by the GM: head, employee and account manager are addressees."""
    return services.decision_publish(decision=draft, by=cast.gm)
