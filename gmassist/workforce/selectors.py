"""Reads of the workforce plan, scoped to the requesting user, and the history the engine
learns from."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

import pandas as pd
from django.db.models import Avg, Count, QuerySet
from django.utils import timezone

from gmassist.core.models import User
from gmassist.core.permissions import Action, Domain, may
from gmassist.org.choices import SeparationType
from gmassist.org.models import Employee, Position, Separation
from gmassist.voice.recruiting.models import Requisition
from gmassist.workforce.engine.gaps import Gap, InternalMove, internal_moves, recruitment_plan
from gmassist.workforce.engine.gaps import Requisition as RecruitmentLine
from gmassist.workforce.engine.history import CleanHistory, clean_history
from gmassist.workforce.models import Backtest, Driver, Plan, PlanLine, Scenario

HISTORY_COLUMNS = [
    "employee_id",
    "department",
    "job_family",
    "grade",
    "hire_date",
    "leave_date",
    "birth_date",
    "gender",
]


def employee_history() -> CleanHistory:
    """Everyone who ever worked here, as the engine takes it (`engine.history`): department
    names, job family, grade, hire, leave and birth dates, women (for the retirement age).

    A system read, not scoped: the supply model learns from the whole company's history, and
    what leaves the engine are counts per department and job family, never a person."""
    rows = Employee.objects.order_by("pk").values_list(
        "pk",
        "department__name",
        "position__job_family",
        "position__grade",
        "hire_date",
        "leave_date",
        "birth_date",
        "gender",
    )
    frame = pd.DataFrame(list(rows), columns=HISTORY_COLUMNS)
    frame["female"] = frame["gender"] == "female"
    voluntary = set(
        Separation.objects.filter(separation_type=SeparationType.VOLUNTARY).values_list(
            "employee_id", flat=True
        )
    )
    frame["voluntary"] = frame["employee_id"].isin(voluntary)
    return clean_history(frame.drop(columns=["gender"]))


def time_to_fill_days() -> dict[str, int]:
    """The median days from opening to filling a requisition per job family ("" for all),
    from the recruiting records' filled requisitions."""
    rows = Requisition.objects.filter(status="filled", closed_on__isnull=False).values_list(
        "position__job_family", "opened_on", "closed_on"
    )
    days: dict[str, list[int]] = {}
    for family, opened, closed in rows:
        filled_in = (closed - opened).days
        days.setdefault(family or "", []).append(filled_in)
        if family:
            days.setdefault("", []).append(filled_in)
    return {family: round(statistics.median(values)) for family, values in days.items()}


def plans_visible(*, user: User | object | None) -> QuerySet[Plan]:
    """The plans the user may open (`PlanQuerySet`: a head, those with a line of their
    subtree), newest first."""
    return Plan.objects.restrict(user, Action.VIEW)  # type: ignore[arg-type]


def plan_lines(*, user: User | None, plan: Plan) -> QuerySet[PlanLine]:
    """The plan's lines the user may see (a head: the lines of their subtree)."""
    return (
        PlanLine.objects.restrict(user, Action.VIEW)
        .filter(plan=plan)
        .select_related("department", "driver")
    )


def drivers_series() -> dict[str, dict[dt.date, float]]:
    """Every driver's monthly values, by name."""
    out: dict[str, dict[dt.date, float]] = {}
    for driver in Driver.objects.prefetch_related("values"):
        out[driver.name] = {v.month: v.value for v in driver.values.all()}
    return out


def latest_backtest(*, user: User | None) -> Backtest | None:
    return Backtest.objects.restrict(user, Action.VIEW).first()


@dataclass
class PlanGaps:
    """A plan's gaps of the lines the user may see, the internal moves of the first quarter
    and the recruitment plan that closes the rest."""

    gaps: list[Gap]
    moves: list[InternalMove]
    requisitions: list[RecruitmentLine]
    lines: dict[tuple[str, str], PlanLine]


def plan_gaps(*, user: User | object | None, plan: Plan, today: dt.date | None = None) -> PlanGaps:
    """The gaps per visible line and quarter (people; 90% interval; the payroll per year of
    the shortfall at the line's average pay), the moves between lines of a job family in the
    first quarter, and when to open each requisition given the recorded time to fill."""
    ends = [dt.date.fromisoformat(d) for d in plan.summary.get("quarter_ends", [])]
    lines = {
        (line.department.name, line.job_family): line for line in plan_lines(user=user, plan=plan)
    }  # type: ignore[arg-type]
    gaps = []
    for (department, family), line in lines.items():
        for k, end in enumerate(ends[: len(line.gap)]):
            short = max(line.gap[k], 0.0)
            gaps.append(
                Gap(
                    department=department,
                    job_family=family,
                    quarter=k,
                    quarter_end=end,
                    demand=line.demand[k],
                    supply_mean=line.supply[k],
                    gap_mean=line.gap[k],
                    gap_low=line.gap_low[k],
                    gap_high=line.gap_high[k],
                    chance_short=0.0,
                    payroll_per_year=(
                        short * line.payroll_per_person
                        if line.payroll_per_person is not None
                        and gap_cost_visible(user=user, line=line)
                        else None
                    ),
                )
            )
    moves = internal_moves(gaps, quarter=0)
    requisitions = recruitment_plan(
        gaps,
        needed_by=ends,
        time_to_fill_days=time_to_fill_days(),
        today=today or timezone.localdate(),
        moves=moves,
    )
    return PlanGaps(gaps=gaps, moves=moves, requisitions=requisitions, lines=lines)


def line_position(*, line: PlanLine) -> Position | None:
    """The position a requisition for `line` opens: the line's most held position today (its
    lowest grade on a tie), else the lowest-graded position of its job family."""
    held = (
        Employee.objects.filter(
            department=line.department,
            position__job_family=line.job_family,
            leave_date__isnull=True,
        )
        .values("position")
        .annotate(n=Count("pk"))
        .order_by("-n", "position__grade")
        .first()
    )
    if held and held["position"]:
        return Position.objects.get(pk=held["position"])
    return Position.objects.filter(job_family=line.job_family).order_by("grade", "code").first()


def scenarios_of(*, user: User | None, plan: Plan) -> QuerySet[Scenario]:
    return Scenario.objects.restrict(user, Action.VIEW).filter(plan=plan)


def line_pay() -> dict[tuple[str, str], float]:
    """The average yearly base pay of today's people per department (name) and job family: a
    system read for the cost of a gap, stored on the plan's lines and shown only to those who
    may see the pay of that department (`gap_cost_visible`)."""
    rows = (
        Employee.objects.filter(leave_date__isnull=True, base_pay__isnull=False)
        .values_list("department__name", "position__job_family")
        .annotate(pay=Avg("base_pay"))
    )
    return {(d, f or ""): float(pay) for d, f, pay in rows}


def gap_cost_visible(*, user: User | object | None, line: PlanLine) -> bool:
    """Whether `user` may see the cost of `line`'s gap (an average of its people's pay)."""
    return may(user, Domain.PEOPLE, Action.VIEW_PAY, department_id=line.department_id)  # type: ignore[arg-type]


def customer_workload_series(
    *, first: dt.date, last: dt.date, workload: dict[str, int] | None = None
) -> dict[dt.date, float]:
    """The account managers' workload per month from the customers module: the group
    customers under contract on each month's first day, each counting its tier's workload
    units (A 5, B 2, C 1, as the service channels count them). Today's tier is used for past
    months (a re-tiering moves the whole history). A system read of counts, no customer."""
    from gmassist.customers.models import GroupCustomer

    units = workload or {"A": 5, "B": 2, "C": 1}
    rows = list(GroupCustomer.objects.values_list("contract_start", "contract_end", "tier"))
    out: dict[dt.date, float] = {}
    month = dt.date(first.year, first.month, 1)
    while month <= last:
        out[month] = float(
            sum(
                units.get(tier or "", 0)
                for start, end, tier in rows
                if start is not None and start <= month and (end is None or end >= month)
            )
        )
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return out


# the risk model is trusted for the supply when its backtest found at least this ROC AUC on at
# least this many leavers, scored within this many days before the plan's day
RISK_MIN_AUC = 0.65
RISK_MIN_LEAVERS = 30
RISK_MAX_AGE_DAYS = 62


def trusted_leaving_risk(*, as_of: dt.date) -> tuple[dict[int, float], str] | None:
    """Everyone's 12-month voluntary leaving risk from the latest leaving-risk run, when it
    is recent enough and its backtest good enough on enough leavers (else None: the plan
    takes the survival model), with a sentence on the run. A system read of risk: the plan
    service turns it into counts per department and job family; nobody's risk is stored or
    shown by the plan."""
    from gmassist.talent.models import RiskModelRun, RiskScore

    run = RiskModelRun.objects.filter(as_of__lte=as_of).order_by("-as_of").first()
    if (
        run is None
        or run.backtest_auc is None
        or run.backtest_auc < RISK_MIN_AUC
        or run.backtest_leavers < RISK_MIN_LEAVERS
        or (as_of - run.as_of).days > RISK_MAX_AGE_DAYS
    ):
        return None
    scores = dict(RiskScore.objects.filter(run=run).values_list("employee_id", "probability"))
    return scores, f"risk run of {run.as_of} (backtest AUC {run.backtest_auc:.2f})"
