"""Recruiting arithmetic: time to fill, agency performance, overdue urgent requisitions and which
agencies to share a requisition with. Pure: plain data in, plain data out, no Django.

Units: days are whole calendar days between two dates; rates are shares from 0 to 1; money is
in the company's currency (`Decimal`, 2 places), pay is yearly.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

FILLED = "filled"
OPEN = "open"
URGENT_LEVELS = ("urgent", "critical")
# stages at or after the interview (a candidate there has been interviewed)
INTERVIEWED_STAGES = ("interview", "offer", "hired")
HIRED = "hired"
ACTIVE = "active"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class RequisitionFacts:
    """What the engine needs of a requisition."""

    id: int
    department: str
    family: str  # the position's job family ("" when none)
    urgency: str
    status: str
    opened_on: dt.date
    target_date: dt.date
    closed_on: dt.date | None = None


def days_to_fill(requisition: RequisitionFacts) -> int | None:
    """Days from opening to filling a filled requisition; None for an open or cancelled one."""
    if requisition.status != FILLED or requisition.closed_on is None:
        return None
    return (requisition.closed_on - requisition.opened_on).days


@dataclass(frozen=True)
class TimeToFill:
    """Time to fill of one group (a department or a job family), in days."""

    group: str
    filled: int  # filled requisitions counted
    median_days: float
    min_days: int
    max_days: int


def time_to_fill(requisitions: Iterable[RequisitionFacts], *, by: str) -> list[TimeToFill]:
    """The median days to fill per group of filled requisitions, `by` "department" or "family"
    (a requisition with no job family counts under ""). Slowest median first, then by name."""
    if by not in ("department", "family"):
        raise ValueError("by must be 'department' or 'family'")
    days: dict[str, list[int]] = {}
    for requisition in requisitions:
        filled_in = days_to_fill(requisition)
        if filled_in is not None:
            days.setdefault(getattr(requisition, by), []).append(filled_in)
    groups = [
        TimeToFill(
            group=group,
            filled=len(values),
            median_days=float(statistics.median(values)),
            min_days=min(values),
            max_days=max(values),
        )
        for group, values in days.items()
    ]
    groups.sort(key=lambda g: (-g.median_days, g.group))
    return groups


def overall_median_days_to_fill(requisitions: Iterable[RequisitionFacts]) -> float | None:
    """The median days to fill over every filled requisition; None when none is filled."""
    values = [d for r in requisitions if (d := days_to_fill(r)) is not None]
    return float(statistics.median(values)) if values else None


@dataclass(frozen=True)
class OverdueRequisition:
    id: int
    days_overdue: int  # days past the target date, at least 1


def overdue_urgent(
    requisitions: Iterable[RequisitionFacts], *, today: dt.date
) -> list[OverdueRequisition]:
    """The open urgent or critical requisitions whose target date is before `today`, most
    overdue first (then by id)."""
    overdue = [
        OverdueRequisition(id=r.id, days_overdue=(today - r.target_date).days)
        for r in requisitions
        if r.status == OPEN and r.urgency in URGENT_LEVELS and r.target_date < today
    ]
    overdue.sort(key=lambda o: (-o.days_overdue, o.id))
    return overdue


# --- agency performance ----------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyTerms:
    """An agency's terms and specialities."""

    id: int
    name: str
    fee_percent: Decimal  # of the hire's annual pay
    guarantee_days: int
    specialities: tuple[str, ...] = ()
    status: str = ACTIVE


@dataclass(frozen=True)
class CandidateFacts:
    """What the engine needs of a candidate sent by an agency (or another source: agency_id
    None)."""

    agency_id: int | None
    stage: str
    applied_on: dt.date
    interviewed: bool  # reached the interview (whatever happened after)
    hired_on: dt.date | None = None
    family: str = ""  # the requisition's job family
    # for a hire: the day they started (the employee's hire date; else hired_on), their
    # annual pay (the employee's base pay; else the position's band midpoint; None: unknown)
    # and the day they left, if they did (the first separation on or after the start)
    started_on: dt.date | None = None
    annual_pay: Decimal | None = None
    left_on: dt.date | None = None


@dataclass
class AgencyPerformance:
    """An agency's results: counts, rates (0-1, None when nothing was sent), the median days
    from application to hire, the fees its hires cost, and the guarantee breaches."""

    agency_id: int
    name: str
    sent: int = 0
    interviewed: int = 0
    hires: int = 0
    interview_rate: float | None = None
    hire_rate: float | None = None
    median_days_to_hire: float | None = None
    fee_cost: Decimal = Decimal("0.00")
    hires_with_unknown_pay: int = 0  # hires whose fee could not be counted
    guarantee_breaches: int = 0
    hire_families: dict[str, int] = field(default_factory=dict)  # job family -> hires


def is_guarantee_breach(candidate: CandidateFacts, guarantee_days: int) -> bool:
    """True for a hire who left within `guarantee_days` days of starting (the day they left
    counted from the start: leaving on day `guarantee_days` is still a breach)."""
    if candidate.stage != HIRED or candidate.left_on is None:
        return False
    start = candidate.started_on or candidate.hired_on
    if start is None or candidate.left_on < start:
        return False
    return (candidate.left_on - start).days <= guarantee_days


def fee(annual_pay: Decimal, fee_percent: Decimal) -> Decimal:
    """The agency's fee for one hire: `fee_percent` % of the annual pay, to the cent."""
    return (annual_pay * fee_percent / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)


def agency_performance(
    agencies: Sequence[AgencyTerms], candidates: Iterable[CandidateFacts]
) -> list[AgencyPerformance]:
    """One row per agency (agencies that sent nobody too), in the order of `agencies`.

    Sent: candidates from the agency; interviewed: those who reached the interview; hires:
    those hired. Rates are over those sent. The median days to hire runs from application to
    hire. The fee cost is the agency's current fee % of each hire's annual pay; a hire with
    no known pay is counted in `hires_with_unknown_pay` instead. Candidates of other sources
    and of agencies not listed are ignored.
    """
    rows = {a.id: AgencyPerformance(agency_id=a.id, name=a.name) for a in agencies}
    terms = {a.id: a for a in agencies}
    days_to_hire: dict[int, list[int]] = {}
    for candidate in candidates:
        row = rows.get(candidate.agency_id) if candidate.agency_id is not None else None
        if row is None:
            continue
        row.sent += 1
        hired = candidate.stage == HIRED
        if candidate.interviewed or hired or candidate.stage in INTERVIEWED_STAGES:
            row.interviewed += 1
        if not hired:
            continue
        row.hires += 1
        if candidate.family:
            row.hire_families[candidate.family] = row.hire_families.get(candidate.family, 0) + 1
        if candidate.hired_on is not None:
            days_to_hire.setdefault(row.agency_id, []).append(
                (candidate.hired_on - candidate.applied_on).days
            )
        agency = terms[row.agency_id]
        if candidate.annual_pay is None:
            row.hires_with_unknown_pay += 1
        else:
            row.fee_cost += fee(candidate.annual_pay, agency.fee_percent)
        if is_guarantee_breach(candidate, agency.guarantee_days):
            row.guarantee_breaches += 1
    for row in rows.values():
        if row.sent:
            row.interview_rate = row.interviewed / row.sent
            row.hire_rate = row.hires / row.sent
        values = days_to_hire.get(row.agency_id)
        if values:
            row.median_days_to_hire = float(statistics.median(values))
    return [rows[a.id] for a in agencies]


# --- which agencies to share a requisition with ----------------------------------------------

# how strongly past results count next to a matching speciality (a match is worth 1)
PRIOR_SENT = 4  # a new agency is taken as 1 hire in 4 sent until it has results of its own
BREACH_WEIGHT = 0.5


@dataclass(frozen=True)
class Reason:
    """Why an agency is suggested: a `code` the page words, with its values."""

    code: str  # "speciality", "family_hires", "hire_rate", "breaches", "no_results"
    values: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class AgencySuggestion:
    agency_id: int
    name: str
    score: float
    reasons: tuple[Reason, ...]


def _folded(values: Iterable[str]) -> dict[str, str]:
    return {v.strip().casefold(): v for v in values if v and v.strip()}


def suggest_agencies(
    *,
    family: str,
    keywords: Sequence[str],
    agencies: Sequence[AgencyTerms],
    performance: dict[int, AgencyPerformance],
    exclude: Iterable[int] = (),
    limit: int = 5,
) -> list[AgencySuggestion]:
    """The active agencies best placed for a requisition of job `family` (with `keywords`: the
    position's title words, the department's name), best first, at most `limit`.

    An agency is suggested when one of its specialities is the job family (worth 1), or one of
    the keywords (worth 0.5), or when it has already hired for the family. Its past results
    add the smoothed hire rate, (hires + 1) / (sent + 4), and subtract half its share of hires
    that broke the guarantee. Agencies in `exclude` (already shared) are left out. Ties go to
    the name.
    """
    excluded = set(exclude)
    family_folded = family.strip().casefold()
    keyword_folded = _folded(keywords)
    suggestions = []
    for agency in agencies:
        if agency.status != ACTIVE or agency.id in excluded:
            continue
        specialities = _folded(agency.specialities)
        row = performance.get(agency.id) or AgencyPerformance(agency_id=agency.id, name=agency.name)
        reasons: list[Reason] = []
        match = 0.0
        if family_folded and family_folded in specialities:
            match = 1.0
            reasons.append(Reason("speciality", {"speciality": specialities[family_folded]}))
        else:
            hits = [specialities[k] for k in keyword_folded if k in specialities]
            if hits:
                match = 0.5
                reasons.append(Reason("speciality", {"speciality": hits[0]}))
        family_hires = next(
            (n for f, n in row.hire_families.items() if f.casefold() == family_folded), 0
        )
        if family_hires:
            reasons.append(Reason("family_hires", {"hires": family_hires, "family": family}))
        if match == 0 and not family_hires:
            continue
        smoothed = (row.hires + 1) / (row.sent + PRIOR_SENT)
        breach_share = row.guarantee_breaches / row.hires if row.hires else 0.0
        if row.sent:
            reasons.append(Reason("hire_rate", {"hires": row.hires, "sent": row.sent}))
        else:
            reasons.append(Reason("no_results"))
        if row.guarantee_breaches:
            reasons.append(Reason("breaches", {"count": row.guarantee_breaches}))
        score = match + smoothed - BREACH_WEIGHT * breach_share
        suggestions.append(
            AgencySuggestion(
                agency_id=agency.id,
                name=agency.name,
                score=round(score, 4),
                reasons=tuple(reasons),
            )
        )
    suggestions.sort(key=lambda s: (-s.score, s.name))
    return suggestions[:limit]
