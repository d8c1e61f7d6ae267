"""The recruiting engine on small hand-checked cases, and its properties."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gmassist.voice.engine.recruiting import (
    AgencyTerms,
    CandidateFacts,
    RequisitionFacts,
    agency_performance,
    days_to_fill,
    is_guarantee_breach,
    overall_median_days_to_fill,
    overdue_urgent,
    suggest_agencies,
    time_to_fill,
)

D = dt.date


JAN_1 = D(2025, 1, 1)
MAR_1 = D(2025, 3, 1)


def req(id, *, dept="Sales", family="Sales", status="filled", opened=JAN_1, closed=None,
        target=MAR_1, urgency="normal"):  # fmt: skip
    return RequisitionFacts(
        id=id,
        department=dept,
        family=family,
        urgency=urgency,
        status=status,
        opened_on=opened,
        target_date=target,
        closed_on=closed,
    )


def test_days_to_fill_counts_only_filled_requisitions():
    assert days_to_fill(req(1, closed=D(2025, 2, 15))) == 45
    assert days_to_fill(req(2, status="cancelled", closed=D(2025, 2, 15))) is None
    assert days_to_fill(req(3, status="open")) is None


def test_time_to_fill_is_the_median_per_group_slowest_first():
    requisitions = [
        req(1, dept="Sales", closed=D(2025, 1, 31)),  # 30
        req(2, dept="Sales", closed=D(2025, 3, 2)),  # 60
        req(3, dept="Sales", closed=D(2025, 1, 11)),  # 10
        req(4, dept="R&D", family="Engineering", closed=D(2025, 2, 10)),  # 40
        req(5, dept="R&D", family="Engineering", closed=D(2025, 2, 20)),  # 50
        req(6, dept="R&D", family="Engineering", status="open"),
    ]
    by_department = time_to_fill(requisitions, by="department")
    assert [(g.group, g.filled, g.median_days, g.min_days, g.max_days) for g in by_department] == [
        ("R&D", 2, 45.0, 40, 50),
        ("Sales", 3, 30.0, 10, 60),
    ]
    assert [g.group for g in time_to_fill(requisitions, by="family")] == ["Engineering", "Sales"]
    assert overall_median_days_to_fill(requisitions) == 40.0
    assert overall_median_days_to_fill([req(9, status="open")]) is None


def test_time_to_fill_rejects_an_unknown_grouping():
    with pytest.raises(ValueError):
        time_to_fill([], by="position")


def test_overdue_urgent_lists_open_urgent_requisitions_past_their_target():
    today = D(2025, 3, 11)
    requisitions = [
        req(1, status="open", urgency="urgent", target=D(2025, 3, 1)),  # 10 days late
        req(2, status="open", urgency="critical", target=D(2025, 2, 9)),  # 30 days late
        req(3, status="open", urgency="normal", target=D(2025, 2, 1)),  # not urgent
        req(4, status="open", urgency="urgent", target=D(2025, 3, 11)),  # due today: not late
        req(5, status="filled", urgency="urgent", target=D(2025, 2, 1), closed=D(2025, 3, 1)),
    ]
    assert [(o.id, o.days_overdue) for o in overdue_urgent(requisitions, today=today)] == [
        (2, 30),
        (1, 10),
    ]


AGENCY_A = AgencyTerms(1, "Alpha Search", Decimal("20"), 90, ("Engineering",))
AGENCY_B = AgencyTerms(2, "北京猎聘", Decimal("25"), 180, ("Sales", "Marketing"))
AGENCY_C = AgencyTerms(3, "Quiet Partners", Decimal("15"), 60, ())


def cand(agency, stage, *, applied=JAN_1, interviewed=False, hired=None, **extra):
    return CandidateFacts(
        agency_id=agency,
        stage=stage,
        applied_on=applied,
        interviewed=interviewed,
        hired_on=hired,
        **extra,
    )


def test_agency_performance_counts_rates_fees_and_breaches():
    candidates = [
        # Alpha: 4 sent, 3 interviewed, 2 hired (20 and 40 days), one left after 30 days
        cand(1, "rejected", interviewed=True),
        cand(1, "applied"),
        cand(
            1,
            "hired",
            interviewed=True,
            hired=D(2025, 1, 21),
            started_on=D(2025, 2, 1),
            annual_pay=Decimal("120000"),
            left_on=D(2025, 3, 3),
            family="Engineering",
        ),
        cand(1, "hired", hired=D(2025, 2, 10), annual_pay=None, family="Engineering"),
        # 北京猎聘: 1 sent, hired, left after 200 days (outside its 180-day guarantee)
        cand(
            2,
            "hired",
            interviewed=True,
            hired=D(2025, 1, 31),
            started_on=D(2025, 2, 1),
            annual_pay=Decimal("99999.99"),
            left_on=D(2025, 8, 20),
        ),
        # not an agency's: ignored
        cand(None, "hired", hired=D(2025, 1, 5)),
    ]
    rows = agency_performance([AGENCY_A, AGENCY_B, AGENCY_C], candidates)

    alpha, beijing, quiet = rows
    assert (alpha.sent, alpha.interviewed, alpha.hires) == (4, 3, 2)
    assert (alpha.interview_rate, alpha.hire_rate) == (0.75, 0.5)
    assert alpha.median_days_to_hire == 30.0
    assert alpha.fee_cost == Decimal("24000.00")
    assert alpha.hires_with_unknown_pay == 1
    assert alpha.guarantee_breaches == 1
    assert alpha.hire_families == {"Engineering": 2}
    assert beijing.fee_cost == Decimal("25000.00")  # 24,999.9975 to the cent
    assert (beijing.guarantee_breaches, beijing.median_days_to_hire) == (0, 30.0)
    assert (quiet.sent, quiet.interview_rate, quiet.hire_rate, quiet.median_days_to_hire) == (
        0,
        None,
        None,
        None,
    )


def test_a_hire_leaving_on_the_last_guarantee_day_is_a_breach():
    start = D(2025, 1, 1)
    hire = cand(1, "hired", hired=start, started_on=start, left_on=start + dt.timedelta(days=90))
    late = cand(1, "hired", hired=start, started_on=start, left_on=start + dt.timedelta(days=91))
    assert is_guarantee_breach(hire, 90) is True
    assert is_guarantee_breach(late, 90) is False
    assert is_guarantee_breach(cand(1, "rejected", left_on=start), 90) is False


def test_suggestions_rank_speciality_then_past_results():
    performance = {
        row.agency_id: row
        for row in agency_performance(
            [AGENCY_A, AGENCY_B, AGENCY_C],
            [
                cand(2, "hired", hired=D(2025, 1, 9), family="Sales"),
                cand(2, "rejected"),
                cand(1, "rejected"),
            ],
        )
    }
    suggestions = suggest_agencies(
        family="Sales",
        keywords=["Engineering"],
        agencies=[AGENCY_A, AGENCY_B, AGENCY_C],
        performance=performance,
    )
    # 北京猎聘: 1 (family) + (1+1)/(2+4); Alpha: 0.5 (keyword) + (0+1)/(1+4); Quiet: no match
    assert [(s.name, s.score) for s in suggestions] == [("北京猎聘", 1.3333), ("Alpha Search", 0.7)]
    assert [r.code for r in suggestions[0].reasons] == ["speciality", "family_hires", "hire_rate"]
    assert suggestions[0].reasons[2].values == {"hires": 1, "sent": 2}


def test_suggestions_leave_out_shared_and_inactive_agencies():
    paused = AgencyTerms(4, "Paused Co", Decimal("10"), 30, ("Sales",), status="paused")
    suggestions = suggest_agencies(
        family="Sales",
        keywords=[],
        agencies=[AGENCY_B, paused],
        performance={},
        exclude=[2],
    )
    assert suggestions == []


def test_a_guarantee_breach_lowers_the_score():
    agencies = [
        AgencyTerms(1, "A", Decimal("20"), 90, ("Sales",)),
        AgencyTerms(2, "B", Decimal("20"), 90, ("Sales",)),
    ]
    start = D(2025, 1, 1)
    rows = agency_performance(
        agencies,
        [
            cand(1, "hired", hired=start, left_on=start + dt.timedelta(days=10)),
            cand(2, "hired", hired=start),
        ],
    )
    suggestions = suggest_agencies(
        family="Sales", keywords=[], agencies=agencies, performance={r.agency_id: r for r in rows}
    )
    assert [(s.name, s.score) for s in suggestions] == [("B", 1.4), ("A", 0.9)]
    assert suggestions[1].reasons[-1].code == "breaches"


STAGES = ["applied", "screening", "interview", "offer", "hired", "rejected", "withdrawn"]


@st.composite
def candidate_lists(draw):
    out = []
    for _ in range(draw(st.integers(0, 30))):
        stage = draw(st.sampled_from(STAGES))
        applied = D(2025, 1, 1) + dt.timedelta(days=draw(st.integers(0, 300)))
        hired = applied + dt.timedelta(days=draw(st.integers(0, 120))) if stage == "hired" else None
        left = None
        if hired and draw(st.booleans()):
            left = hired + dt.timedelta(days=draw(st.integers(0, 400)))
        out.append(
            CandidateFacts(
                agency_id=draw(st.sampled_from([1, 2, None])),
                stage=stage,
                applied_on=applied,
                interviewed=draw(st.booleans()),
                hired_on=hired,
                annual_pay=draw(st.sampled_from([None, Decimal("50000"), Decimal("80000.50")])),
                left_on=left,
            )
        )
    return out


@given(candidate_lists())
def test_performance_counts_are_nested_and_fees_match_the_hires(candidates):
    rows = agency_performance([AGENCY_A, AGENCY_B], candidates)
    for row, terms in zip(rows, [AGENCY_A, AGENCY_B], strict=True):
        mine = [c for c in candidates if c.agency_id == row.agency_id]
        assert row.sent == len(mine)
        assert 0 <= row.guarantee_breaches <= row.hires <= row.interviewed <= row.sent
        assert row.hires_with_unknown_pay <= row.hires
        paid = [c.annual_pay for c in mine if c.stage == "hired" and c.annual_pay is not None]
        expected = sum((p * terms.fee_percent / 100 for p in paid), Decimal(0))
        assert abs(row.fee_cost - expected) <= Decimal("0.005") * len(paid)
        if row.sent:
            assert row.hire_rate == row.hires / row.sent


@given(st.lists(st.tuples(st.integers(0, 400), st.sampled_from(["A", "B", "C"])), max_size=30))
def test_a_group_median_lies_between_its_fastest_and_slowest(fills):
    requisitions = [
        req(i, dept=dept, closed=D(2025, 1, 1) + dt.timedelta(days=days))
        for i, (days, dept) in enumerate(fills)
    ]
    groups = time_to_fill(requisitions, by="department")
    assert sum(g.filled for g in groups) == len(fills)
    for g in groups:
        assert g.min_days <= g.median_days <= g.max_days
