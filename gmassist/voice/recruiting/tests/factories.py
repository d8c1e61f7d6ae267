"""Helpers of the recruiting tests: agencies, requisitions and candidates made directly (the
services are tested on their own)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gmassist.voice.recruiting.models import Candidate, RecruitingAgency, Requisition


def make_agency(name: str = "Alpha Search", **extra) -> RecruitingAgency:
    fields = {
        "kind": "agency",
        "contact_person": "Ann Alpha",
        "email": "ann@alpha.example",
        "specialities": ["Sales"],
        "regions": ["East"],
        "fee_percent": Decimal("20"),
        "guarantee_days": 90,
    }
    fields.update(extra)
    return RecruitingAgency.objects.create(name=name, **fields)


def make_requisition(cast, code: str = "REQ-2026-001", **extra) -> Requisition:
    fields = {
        "position": cast.salesperson,
        "department": cast.sales_east,
        "headcount": 1,
        "urgency": "normal",
        "opened_on": dt.date(2026, 1, 5),
        "target_date": dt.date(2026, 3, 1),
    }
    fields.update(extra)
    return Requisition.objects.create(code=code, **fields)


def make_candidate(requisition, name: str = "Carl Candidate", agency=None, **extra) -> Candidate:
    fields = {
        "source": "agency" if agency is not None else "direct",
        "agency": agency,
        "stage": "applied",
        "applied_on": dt.date(2026, 1, 10),
        "email": "carl@example.com",
    }
    fields.update(extra)
    return Candidate.objects.create(requisition=requisition, full_name=name, **fields)
