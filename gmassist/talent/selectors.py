"""Reads of the talent module, always scoped to the requesting user through `restrict`.

Pay is sensitive: the pay review reads it through `pay_review_people` only, and the key-people
list through `key_people_frame` only; each writes ONE audit entry per read summarising whose pay
was read (how many people, in which departments, with which filters, and their employee
numbers), not one entry per person.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext

from gmassist.core.choices import Action, AuditAction
from gmassist.core.models import User
from gmassist.core.permissions import ALL, SUBTREE, Domain, ScopedRows, scope_filter
from gmassist.core.sensitive import PersonRead, audit_people_read, audit_rows_read
from gmassist.lib.phrases import ngettext_noop
from gmassist.org.choices import AttributeKind, EmployeeStatus, SeparationType
from gmassist.org.models import (
    AttributeDefinition,
    Employee,
    EmployeeSkill,
    PayChange,
    Position,
    Review,
    Separation,
)
from gmassist.org.selectors import department_subtree_ids
from gmassist.talent.engine import key_talent, leaving
from gmassist.talent.engine import pay_review as engine
from gmassist.talent.models import IncentivePlan, IncentivePlanLine, RiskModelRun, RiskScore
from gmassist.voice.feedback.selectors import department_negative_share

# the reaches (of VIEW_PAY in the people domain) that may read leaving risk: more than oneself
RISK_REACHES = (ALL, SUBTREE)

# An audit entry lists the employee numbers whose pay was read (up to
# core.sensitive.AUDIT_MAX_NUMBERS), the count per department and whether the list was cut.

# The orders of the pay-review table; a "-" in front reverses them. Missing values go last.
PAY_REVIEW_SORTS = {
    "name": ("full_name", "employee_no"),
    "employee_no": ("employee_no",),
    "department": ("department", "full_name"),
    "position": ("position", "full_name"),
    "base_pay": ("base_pay", "employee_no"),
    "compa_ratio": ("compa_ratio", "employee_no"),
    "band_position": ("band_position", "employee_no"),
    "last_rating": ("last_rating", "employee_no"),
}

# the pay review and the pages of many people's risk are for the roles that may read the pay of
# more people than themselves
PAY_OF_MANY = (ALL, SUBTREE)


def _restricted(queryset: QuerySet, user: User | None, action: str) -> QuerySet:
    """`queryset` as `user` may use it for `action`: everything for `SYSTEM` (the CLI without
    --user), nothing for None."""
    return queryset.restrict(user, action)


def latest_rating_subquery(*, user: User | None) -> Subquery:
    """The latest review rating of the employee of the outer query (OuterRef "pk") that `user`
    may see: by review date (undated last), then period."""
    reviews = (
        _restricted(Review.objects, user, Action.VIEW)
        .filter(employee=OuterRef("pk"))
        .order_by(F("review_date").desc(nulls_last=True), "-period")
        .values("rating")[:1]
    )
    return Subquery(reviews)


def pay_visible(*, user: User | None) -> QuerySet[Employee]:
    """Employees whose pay `user` may read (the one scope of the pay review); everyone for
    `SYSTEM`."""
    return _restricted(Employee.objects, user, Action.VIEW_PAY)


def pay_review_people(
    *,
    user: User | None,
    department_id: int | None = None,
    position_id: int | None = None,
) -> pd.DataFrame:
    """The people of the pay review as `user` may see them with their pay, one row each.

    Current employees (active or on leave) whose pay the user (None: the system) may read, in
    the department and everything below it, and in the position, when given. Columns:
    engine.PEOPLE_COLUMNS plus `department_code`; money yearly in the company's currency. One
    query (plus the scope's), and one audit entry when anyone else's pay is read.
    """
    qs = pay_visible(user=user).exclude(status=EmployeeStatus.LEFT)
    filters: dict[str, Any] = {}
    if department_id is not None:
        qs = qs.filter(
            department_id__in=sorted(department_subtree_ids(department_id=department_id))
        )
        filters["department_id"] = department_id
    if position_id is not None:
        qs = qs.filter(position_id=position_id)
        filters["position_id"] = position_id
    rows = list(
        qs.annotate(last_rating=latest_rating_subquery(user=user))
        .order_by("employee_no")
        .values(
            "pk",
            "employee_no",
            "full_name",
            "department_id",
            "department__code",
            "department__name",
            "position_id",
            "position__title",
            "position__grade",
            "gender",
            "hire_date",
            "base_pay",
            "position__band_min",
            "position__band_mid",
            "position__band_max",
            "last_rating",
        )
    )
    frame = pd.DataFrame(
        [
            {
                "employee_id": r["pk"],
                "employee_no": r["employee_no"],
                "full_name": r["full_name"],
                "department_id": r["department_id"],
                "department_code": r["department__code"],
                "department": r["department__name"],
                "position_id": r["position_id"],
                "position": r["position__title"] or "",
                "grade": r["position__grade"],
                "gender": r["gender"],
                "hire_date": r["hire_date"],
                "base_pay": _float(r["base_pay"]),
                "band_min": _float(r["position__band_min"]),
                "band_mid": _float(r["position__band_mid"]),
                "band_max": _float(r["position__band_max"]),
                "last_rating": r["last_rating"],
            }
            for r in rows
        ],
        columns=[*engine.PEOPLE_COLUMNS, "department_code"],
    )
    _audit_pay_read(user=user, frame=frame, filters=filters)
    return frame


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _audit_pay_read(
    *,
    user: User | None,
    frame: pd.DataFrame,
    filters: dict[str, Any],
    target_type: str = "talent.pay_review",
    label: str = "Pay review",
) -> None:
    """One audit entry for a read of other people's pay (none when only one's own) by the
    page `target_type` (`label` in the entry's title); `frame` has the people whose pay was
    read (employee_id, employee_no, department_code). The system's reads (the CLI without
    --user) are recorded with no actor."""
    own_id = user.employee_id if user is not None else None
    others = frame[frame["employee_id"] != own_id] if own_id else frame
    if others.empty:
        return
    audit_people_read(
        actor=user,
        action=AuditAction.READ_PAY,
        employee_nos=others["employee_no"],
        target_type=target_type,
        label=label,
        filters=filters,
        extra={"departments": dict(sorted(Counter(others["department_code"]).items()))},
    )


@dataclass
class PayReview:
    """A pay review as a user may see it: every person's place (`positions`, a frame from
    engine.pay_positions), the summary and the gender gaps. Money yearly, company currency."""

    positions: pd.DataFrame
    summary: dict
    gaps: list[engine.GenderGap] = field(default_factory=list)
    as_of: dt.date | None = None


def pay_review(
    *,
    user: User | None,
    department_id: int | None = None,
    position_id: int | None = None,
    as_of: dt.date | None = None,
) -> PayReview:
    """The pay review of the people `pay_review_people` gives (read once, audited once)."""
    as_of = as_of or timezone.localdate()
    people = pay_review_people(user=user, department_id=department_id, position_id=position_id)
    positions = engine.pay_positions(people)
    return PayReview(
        positions=positions,
        summary=engine.pay_summary(positions),
        gaps=engine.gender_pay_gaps(people, as_of=as_of),
        as_of=as_of,
    )


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def pay_review_rows(
    review: PayReview, *, flag: str | None = None, sort: str = "name"
) -> ScopedRows:
    """The rows of the pay-review table: optionally only those with `flag` (one of
    engine.FLAGS), sorted by a key of PAY_REVIEW_SORTS ("-" for the reverse; missing values
    last either way). Unknown sorts or flags raise ValueError."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in PAY_REVIEW_SORTS:
        raise ValueError(f"unknown sort {sort!r}; use one of {sorted(PAY_REVIEW_SORTS)}")
    if flag and flag not in engine.FLAGS:
        raise ValueError(f"unknown flag {flag!r}; use one of {list(engine.FLAGS)}")
    frame = review.positions
    if flag:
        frame = frame[frame[flag]]
    columns = list(PAY_REVIEW_SORTS[key])
    frame = frame.sort_values(
        columns,
        ascending=[not descending] + [True] * (len(columns) - 1),
        na_position="last",
        kind="stable",
    )
    keep = [
        "employee_id",
        "employee_no",
        "full_name",
        "department_id",
        "department",
        "position_id",
        "position",
        "grade",
        "base_pay",
        "band_min",
        "band_mid",
        "band_max",
        "compa_ratio",
        "band_position",
        "to_band_min",
        "over_band_max",
        "last_rating",
        "flags",
    ]
    rows = []
    for record in frame[keep].to_dict("records"):
        row = {name: _clean(value) for name, value in record.items()}
        if row["last_rating"] is not None:
            row["last_rating"] = int(row["last_rating"])
        if row["grade"] is not None:
            row["grade"] = int(row["grade"])
        rows.append(row)
    return ScopedRows(rows)  # the review was read through `pay_visible` and audited


# --- key and irreplaceable people ------------------------------------------------------------

# The orders of the key-people table; a "-" in front reverses them. Missing values go last.
KEY_PEOPLE_SORTS = {
    "name": ("full_name", "employee_no"),
    "department": ("department", "full_name"),
    "position": ("position", "full_name"),
    "score": ("score", "employee_no"),
    "performance": ("performance", "employee_no"),
    "potential": ("potential", "employee_no"),
    "scarcity": ("scarcity", "employee_no"),
    "replacement_cost": ("replacement_cost", "employee_no"),
    "irreplaceable": ("irreplaceable", "employee_no"),
}


def _pay_if_visible(user: User | None) -> tuple[Any, Any]:
    """(yearly base pay where `user` may read it else NULL, whether they may) as annotations of
    an Employee queryset: the VIEW_PAY rule of `restrict`, per row, in the same query."""
    pay_field = Employee._meta.get_field("base_pay")
    q = scope_filter(user, Employee.restrict_scope, Action.VIEW_PAY)
    if q is None:
        return Value(None, output_field=pay_field), Value(False, output_field=BooleanField())
    if not q:
        return F("base_pay"), Value(True, output_field=BooleanField())
    return (
        Case(When(q, then=F("base_pay")), default=None, output_field=pay_field),
        Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField()),
    )


@dataclass
class KeyPeopleData:
    """What the key-talent engine takes, read for one user (see `key_people_frame`)."""

    people: pd.DataFrame
    reviews: pd.DataFrame
    holdings: pd.DataFrame
    skill_totals: pd.DataFrame
    reference_cost: float | None


def _key_talent_reads(
    *, user: User | None, people: Q
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """What the key-talent engine reads besides the people: their reviews, their skills held
    at expert level, and for each of those skills how many active people hold it at that level
    company-wide (the scarcity). `people` selects the employees (a Q on `employee`)."""
    reviews = pd.DataFrame(
        list(
            _restricted(Review.objects, user, Action.VIEW)
            .filter(people)
            .order_by()
            .values_list("employee_id", "review_date", "period", "rating", "potential")
        ),
        columns=key_talent.REVIEW_COLUMNS,
    )
    expert = _restricted(EmployeeSkill.objects, user, Action.VIEW).filter(
        people, level__gte=key_talent.EXPERT_LEVEL
    )
    holdings = pd.DataFrame(
        list(expert.order_by().values_list("employee_id", "skill_id", "skill__name", "level")),
        columns=key_talent.HOLDING_COLUMNS,
    )
    totals = (
        EmployeeSkill.objects.filter(level__gte=key_talent.EXPERT_LEVEL)
        .exclude(employee__status=EmployeeStatus.LEFT)
        .filter(skill_id__in=expert.values("skill_id"))
        .order_by()
        .values("skill_id")
        .annotate(holders=Count("employee_id"), total_level=Sum("level"))
        .values_list("skill_id", "holders", "total_level")
    )
    skill_totals = pd.DataFrame(list(totals), columns=key_talent.SKILL_TOTAL_COLUMNS)
    return reviews, holdings, skill_totals


def key_people_frame(
    *,
    user: User | None,
    department_id: int | None = None,
    employee_ids: list[int] | None = None,
    with_pay: bool = True,
) -> KeyPeopleData:
    """The key-talent engine's input for the current employees (active or on leave) `user`
    may see (None: the system), in the department and everything below it when given.

    - people (engine.PEOPLE_COLUMNS): `restrict(user, VIEW)`; yearly base pay only where the
      user may also read it (VIEW_PAY), else NaN;
    - their reviews and their skills at level 4+, as the user may see them;
    - per skill they hold, the holders at 4+ and the sum of their levels over EVERY current
      employee of the company: counts, not people, so that scarcity and the irreplaceable rule
      mean the same to a department head as to the GM;
    - reference_cost: the company's average yearly base pay (the score's yardstick, see the
      engine), an aggregate of the same kind.

    Five queries (plus the scope's), whatever the number of people, and one audit entry when
    anyone else's pay is read.
    """
    current = Employee.objects.exclude(status=EmployeeStatus.LEFT)
    people_qs = _restricted(current, user, Action.VIEW)
    filters: dict[str, Any] = {}
    if department_id is not None:
        people_qs = people_qs.filter(
            department_id__in=sorted(department_subtree_ids(department_id=department_id))
        )
        filters["department_id"] = department_id
    if employee_ids is not None:
        # a person's score reads only their own rows and company-wide counts, so scoring a
        # few people gives them the same score as scoring everyone (Today's risers)
        people_qs = people_qs.filter(pk__in=sorted(employee_ids))
        filters["employee_ids"] = sorted(employee_ids)
    # without pay (`with_pay=False`) nobody's pay is read: the replacement cost and so the
    # score are left without it, the irreplaceable flag (skills only) is the same
    visible_pay, pay_seen = _pay_if_visible(user if with_pay else None)
    rows = list(
        people_qs.annotate(visible_pay=visible_pay, pay_seen=pay_seen)
        .order_by("employee_no")
        .values(
            "pk",
            "employee_no",
            "full_name",
            "department_id",
            "department__code",
            "department__name",
            "position__title",
            "position__grade",
            "visible_pay",
            "pay_seen",
        )
    )
    people = pd.DataFrame(
        [
            {
                "employee_id": r["pk"],
                "employee_no": r["employee_no"],
                "full_name": r["full_name"],
                "department_id": r["department_id"],
                "department_code": r["department__code"],
                "department": r["department__name"],
                "position": r["position__title"] or "",
                "grade": r["position__grade"],
                "base_pay": math.nan if r["visible_pay"] is None else float(r["visible_pay"]),
                "pay_seen": bool(r["pay_seen"]),
            }
            for r in rows
        ],
        columns=[*key_talent.PEOPLE_COLUMNS, "pay_seen"],
    )
    # Typed even with no rows: an empty frame's columns are `object`, and indexing a frame
    # with an `object` column selects columns, not rows (a KeyError for an empty department).
    people["pay_seen"] = people["pay_seen"].astype(bool)
    reviews, holdings, skill_totals = _key_talent_reads(
        user=user, people=Q(employee__in=people_qs.values("pk"))
    )
    average = current.filter(base_pay__gt=0).aggregate(average=Avg("base_pay"))["average"]
    seen = people[people["pay_seen"]]
    _audit_pay_read(
        user=user,
        frame=seen,
        filters=filters,
        target_type="talent.key_people",
        label="Key people",
    )
    return KeyPeopleData(
        people=people.drop(columns=["pay_seen"]),
        reviews=reviews,
        holdings=holdings,
        skill_totals=skill_totals,
        reference_cost=None if average is None else float(average),
    )


@dataclass
class KeyPeople:
    """The key-talent list as a user may see it: every person's score and its parts (`scored`,
    a frame from engine.key_talent) and the irreplaceable people per department."""

    scored: pd.DataFrame
    by_department: list[dict] = field(default_factory=list)
    reference_cost: float | None = None


def key_people(
    *,
    user: User | None,
    department_id: int | None = None,
    employee_ids: list[int] | None = None,
    with_pay: bool = True,
) -> KeyPeople:
    """The key people `key_people_frame` gives (read once, audited once), scored; only those
    of `employee_ids` when given; without reading pay when not `with_pay`."""
    data = key_people_frame(
        user=user, department_id=department_id, employee_ids=employee_ids, with_pay=with_pay
    )
    scored = key_talent.key_talent(
        data.people,
        data.reviews,
        data.holdings,
        data.skill_totals,
        reference_cost=data.reference_cost,
    )
    return KeyPeople(
        scored=scored,
        by_department=key_talent.irreplaceable_by_department(scored),
        reference_cost=data.reference_cost,
    )


def reason_text(reason: key_talent.Reason) -> str:
    """A reason in the active language."""
    return gettext(reason.template) % reason.params


def key_people_rows(
    result: KeyPeople, *, irreplaceable_only: bool = False, sort: str = "-score"
) -> ScopedRows:
    """The rows of the key-people table: optionally only the irreplaceable, sorted by a key of
    KEY_PEOPLE_SORTS ("-" for the reverse; missing values last either way), reasons in the
    active language. Unknown sorts raise ValueError."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in KEY_PEOPLE_SORTS:
        raise ValueError(f"unknown sort {sort!r}; use one of {sorted(KEY_PEOPLE_SORTS)}")
    frame = result.scored
    if irreplaceable_only:
        frame = frame[frame["irreplaceable"]]
    columns = list(KEY_PEOPLE_SORTS[key])
    frame = frame.sort_values(
        columns,
        ascending=[not descending] + [True] * (len(columns) - 1),
        na_position="last",
        kind="stable",
    )
    rows = []
    # a handful of templates for 20,000 people: each translated once per call
    translated: dict[str, str] = {}
    for record in frame.to_dict("records"):
        reasons = []
        for reason in record["reasons"]:
            if reason.template not in translated:
                translated[reason.template] = gettext(reason.template)
            reasons.append(translated[reason.template] % reason.params)
        grade = _clean(record["grade"])
        potential = _clean(record["potential"])
        rows.append(
            {
                "employee_id": int(record["employee_id"]),
                "employee_no": record["employee_no"],
                "full_name": record["full_name"],
                "department_id": int(record["department_id"]),
                "department_code": record["department_code"],
                "department": record["department"],
                "position": record["position"],
                "grade": None if grade is None else int(grade),
                "score": float(record["score"]),
                "performance": _clean(record["performance"]),
                "last_ratings": [int(r) for r in record["last_ratings"]],
                "potential": None if potential is None else int(potential),
                "scarcity": float(record["scarcity"]),
                "scarce_skill": record["scarce_skill"],
                "others_holding": record["others_holding"],
                "replacement_months": int(record["replacement_months"]),
                "replacement_cost": _clean(record["replacement_cost"]),
                "irreplaceable": bool(record["irreplaceable"]),
                "irreplaceable_skills": list(record["irreplaceable_skills"]),
                "reasons": reasons,
                "top_reason": reasons[0] if reasons else "",
            }
        )
    return ScopedRows(rows)  # `key_people` read them through `pay_visible` and audited


# --- leaving risk ----------------------------------------------------------------------------


def leaving_history(*, end: dt.date | None = None) -> leaving.History:
    """The company's whole history as the leaving-risk engine takes it (`leaving.History`).

    A system read, not scoped: the model learns from everyone who ever worked here, and only
    the scoring service (run by the roles that see everyone's risk, or by the system) calls it.
    Nothing of it is shown to anyone; the scores are read through `risk_scores_visible`.
    Custom attributes become `custom__<name>` columns (numbers as numbers).
    """
    people_rows = list(
        Employee.objects.order_by("pk").values_list(
            "pk",
            "department_id",
            "department__code",
            "position__job_family",
            "position__grade",
            "hire_date",
            "leave_date",
            "custom",
        )
    )
    people = pd.DataFrame(
        [row[:7] for row in people_rows],
        columns=[
            "employee_id",
            "department_id",
            "department",
            "job_family",
            "grade",
            "hire_date",
            "leave_date",
        ],
    )
    kinds = dict(AttributeDefinition.objects.filter(entity="employee").values_list("name", "kind"))
    for name, kind in sorted(kinds.items()):
        values = [(row[7] or {}).get(name) for row in people_rows]
        column = pd.Series(values, dtype=object)
        if kind == AttributeKind.NUMBER:
            column = pd.to_numeric(column, errors="coerce")
        elif kind == AttributeKind.DATE:
            continue  # a date attribute's meaning changes with the snapshot; left out
        people[f"custom__{name}"] = column
    pay = pd.DataFrame(
        list(
            PayChange.objects.order_by().values_list(
                "employee_id", "effective_date", "base_pay", "reason"
            )
        ),
        columns=leaving.PAY_COLUMNS,
    )
    pay["base_pay"] = pay["base_pay"].astype(float)
    reviews = pd.DataFrame(
        list(
            Review.objects.filter(review_date__isnull=False)
            .order_by()
            .values_list("employee_id", "review_date", "rating", "reviewer_id")
        ),
        columns=leaving.REVIEW_COLUMNS,
    )
    separations = pd.DataFrame(
        [
            (employee_id, date, kind == SeparationType.VOLUNTARY)
            for employee_id, date, kind in Separation.objects.order_by().values_list(
                "employee_id", "date", "separation_type"
            )
        ],
        columns=leaving.SEPARATION_COLUMNS,
    )
    bands = pd.DataFrame(
        list(
            Position.objects.filter(grade__isnull=False, band_mid__isnull=False)
            .order_by()
            .values_list("job_family", "grade", "band_mid")
        ),
        columns=leaving.BAND_COLUMNS,
    )
    bands["band_mid"] = bands["band_mid"].astype(float)
    return leaving.History(
        people=people,
        pay=pay,
        reviews=reviews,
        separations=separations,
        bands=bands,
        end=end,
    )


def department_feedback_signal(*, snapshots: list[dt.date]) -> pd.DataFrame | None:
    """The share of negative feedback per department at each snapshot month-end, over the
    `leaving.FEEDBACK_MONTHS` months before it (the voice module's
    `department_negative_share`), as a frame of `leaving.SIGNAL_COLUMNS`; None when there is no
    feedback at all, so that the model leaves the feature out rather than read it as zeros.
    One query per snapshot; aggregates only (no item, no author)."""
    rows = []
    for day in snapshots:
        shares = department_negative_share(as_of=day, months=leaving.FEEDBACK_MONTHS)
        rows.extend((department_id, day, share) for department_id, share in shares.items())
    if not rows:
        return None
    return pd.DataFrame(rows, columns=leaving.SIGNAL_COLUMNS)


def risk_reach_ok(user: User | None) -> bool:
    """Whether `user` may read anyone's leaving risk: the system, and the roles that may read
    the pay of more people than themselves (gm, assistant, hr: everyone; a department head:
    their subtree). An employee may not, not even their own; None (nobody) may not."""
    from gmassist.core.permissions import reach

    return reach(user, Domain.PEOPLE, Action.VIEW_PAY) in RISK_REACHES


def risk_scores_visible(*, user: User | None) -> QuerySet[RiskScore]:
    """The ONE scope of leaving-risk reads: the scores `user` may read (none for an employee
    or account manager, their subtree's for a department head, all for gm/assistant/hr and the
    system). Callers that show scores of other people audit the read (`audit_risk_read`)."""
    if not risk_reach_ok(user):
        return RiskScore.objects.none()
    return _restricted(RiskScore.objects, user, Action.VIEW_PAY)


def audit_risk_read(
    *, user: User | None, employee_nos: list[str], what: str, filters: dict | None = None
) -> None:
    """One audit entry for a read of other people's leaving risk (`what` names the page or
    endpoint); none when nobody else's risk was read."""
    audit_people_read(
        actor=user,
        action=AuditAction.READ_RISK,
        employee_nos=employee_nos,
        what=what,
        target_type="talent.risk",
        label=f"Leaving risk ({what})",
        filters=filters,
    )


def latest_risk_run() -> RiskModelRun | None:
    """The latest model run (its month, backtest AUC and calibration): model quality, no one's
    risk."""
    return RiskModelRun.objects.order_by("-as_of").first()


def risk_bands(run: RiskModelRun | None) -> leaving.RiskBands:
    """THE leaving-risk bands, of one model run: every page, export, API, worklist filter and
    the heat map use these (`leaving.risk_bands`: medium from the company's yearly voluntary
    leaving rate, high from twice it, with floors), stored with the run when it was scored.
    No run, or a run saved before runs kept them: the bands of its rate when it has one, else
    the floors alone (no query: reading the scores here would be an unaudited read of risk)."""
    if run is None:
        return leaving.risk_bands(None)
    if run.risk_medium_from is not None and run.risk_high_from is not None:
        return leaving.RiskBands(
            base_rate=None if run.base_rate is None else round(run.base_rate, 2),
            medium_from=run.risk_medium_from,
            high_from=run.risk_high_from,
        )
    return leaving.risk_bands(run.base_rate)


def risk_band_counts(run: RiskModelRun) -> dict[str, int]:
    """How many of the run's scores are in each band (counts only, nobody's risk)."""
    bands = risk_bands(run)
    scores = RiskScore.objects.filter(run=run)
    return {name: in_risk_band(scores, name, bands).count() for name in leaving.BAND_NAMES}


def risk_scores(
    *,
    user: User | None,
    as_of: dt.date | None = None,
    department_id: int | None = None,
    min_probability: float | None = None,
    audit: str = "",
) -> QuerySet[RiskScore]:
    """The scores of one month (default: the latest) that `user` may read, highest risk first,
    in the department and everything below it when given. With `audit` (the page or endpoint's
    name) the read is audited once here; a paginated caller audits the page it shows instead."""
    qs = risk_scores_visible(user=user)
    if as_of is None:
        run = latest_risk_run()
        if run is None:
            return qs.none()
        as_of = run.as_of
    qs = qs.filter(as_of=as_of)
    filters: dict[str, Any] = {"as_of": as_of.isoformat()}
    if department_id is not None:
        qs = qs.filter(
            employee__department_id__in=sorted(department_subtree_ids(department_id=department_id))
        )
        filters["department_id"] = department_id
    if min_probability is not None:
        qs = qs.filter(probability__gte=min_probability)
        filters["min_probability"] = min_probability
    qs = qs.select_related("employee", "employee__department", "employee__position").order_by(
        "-probability", "employee__employee_no"
    )
    if audit:
        audit_risk_read(
            user=user,
            employee_nos=list(qs.values_list("employee__employee_no", flat=True)),
            what=audit,
            filters=filters,
        )
    return qs


RISK_SORTS: dict[str, tuple[str, ...]] = {
    "risk": ("probability", "employee__employee_no"),
    "name": ("employee__full_name", "employee__employee_no"),
    "department": ("employee__department__name", "employee__employee_no"),
}


def risk_worklist(
    *,
    user: User | None,
    run: RiskModelRun | None,
    bands: leaving.RiskBands,
    department_id: int | None = None,
    band: str | None = None,
    sort: str = "-risk",
) -> QuerySet[RiskScore]:
    """The scores of `run` (the latest) `user` may read as a worklist: in the department and
    below it, in one of `bands` (`risk_bands(run)`), each annotated with its band, sorted by
    a key of RISK_SORTS ("-" first: reversed; the riskiest first by default). Not audited
    here: the list page audits the rows it shows (a score is a sensitive row)."""
    if run is None:
        return RiskScore.objects.none()
    scores = risk_scores(user=user, as_of=run.as_of, department_id=department_id)
    qs = in_risk_band(scores, band, bands)
    qs = qs.annotate(band=band_of_probability(bands))
    key = sort.lstrip("-")
    if key not in RISK_SORTS:
        raise ValueError(f"unknown sort {sort!r}; use one of {sorted(RISK_SORTS)}")
    prefix = "-" if sort.startswith("-") else ""
    return qs.order_by(*(prefix + name for name in RISK_SORTS[key]))


def band_of_probability(bands: leaving.RiskBands) -> Case:
    """The band of a score's probability in `bands`, as an annotation ("low", "medium",
    "high")."""
    return Case(
        When(probability__gte=bands.high_from, then=Value("high")),
        When(probability__gte=bands.medium_from, then=Value("medium")),
        default=Value("low"),
    )


def in_risk_band(
    scores: QuerySet[RiskScore], band: str | None, bands: leaving.RiskBands
) -> QuerySet[RiskScore]:
    """`scores` in one of `bands` (the high band includes a probability of 1); all of them for
    no band. ValueError for an unknown band."""
    if not band:
        return scores
    low, high = bands.bounds(band)
    scores = scores.filter(probability__gte=low)
    return scores if high is None else scores.filter(probability__lt=high)


def risk_score_reads(score: RiskScore) -> list[PersonRead]:
    """A risk score shows the person's leaving risk."""
    return [PersonRead(AuditAction.READ_RISK, score.employee_id, score.employee.employee_no)]


def person_risk(*, user: User | None, employee: Employee) -> dict | None:
    """One person's risk now, reasons and history (oldest first), or None when `user` may not
    read it. Every read of another person's risk is audited."""
    if not risk_reach_ok(user):
        return None
    if not _restricted(Employee.objects, user, Action.VIEW_PAY).filter(pk=employee.pk).exists():
        return None
    scores = list(
        risk_scores_visible(user=user)
        .filter(employee=employee)
        .select_related("run")
        .order_by("as_of")
    )
    audit_risk_read(user=user, employee_nos=[employee.employee_no], what="person")
    latest = scores[-1] if scores else None
    return {
        "latest": latest,
        "bands": risk_bands(latest.run if latest else latest_risk_run()),
        "history": [
            {"as_of": s.as_of, "probability": s.probability, "model_auc": s.model_auc}
            for s in scores
        ],
        "model_history": _model_history(latest),
    }


def _model_history(score: RiskScore | None) -> list[dict[str, Any]]:
    """The months of a score's history by its run's model, oldest first: {as_of, probability},
    only the months the person was on the books."""
    if score is None or not score.history:
        return []
    months = score.run.history_months
    return [
        {"as_of": dt.date.fromisoformat(month), "probability": probability}
        for month, probability in zip(months, score.history, strict=False)
        if probability is not None
    ]


# --- the talent pages: overview, heat map, nine-box, one person -------------------------------

# Nine-box rows: performance (mean of the last two ratings, 1-5) from these lower bounds
PERFORMANCE_LEVELS = (("low", 0.0), ("medium", 3.0), ("high", 4.0))
POTENTIAL_LEVELS = (("low", 1), ("medium", 2), ("high", 3))  # the latest review's potential


def risk_overview_rows(
    *, user: User | None, run: RiskModelRun | None, what: str = "overview"
) -> list[dict[str, Any]]:
    """Every score of `run` (the latest, usually) `user` may read (one query), highest first,
    as {employee_id, employee_no, full_name, department_id, department, probability, band (of
    the run's `risk_bands`)}; the read is audited once (`what` names the page). None: no rows."""
    if run is None:
        return []
    qs = risk_scores(user=user, as_of=run.as_of)
    bands = risk_bands(run)
    rows = [
        {
            "employee_id": employee_id,
            "employee_no": employee_no,
            "full_name": full_name,
            "department_id": department_id,
            "department": department,
            "probability": probability,
            "band": bands.band(probability),
        }
        for employee_id, employee_no, full_name, department_id, department, probability in (
            qs.values_list(
                "employee_id",
                "employee__employee_no",
                "employee__full_name",
                "employee__department_id",
                "employee__department__name",
                "probability",
            )
        )
    ]
    audit_risk_read(user=user, employee_nos=[r["employee_no"] for r in rows], what=what)
    return rows


def risk_heatmap_cells(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per department of `rows` (from `risk_overview_rows`): people, mean risk and the count in
    each band ({"low": n, "medium": n, "high": n}), the highest mean first (then by name)."""
    departments: dict[int, dict[str, Any]] = {}
    for row in rows:
        cell = departments.setdefault(
            row["department_id"],
            {
                "department_id": row["department_id"],
                "department": row["department"],
                "people": 0,
                "total": 0.0,
                "bands": {name: 0 for name in leaving.BAND_NAMES},
            },
        )
        cell["people"] += 1
        cell["total"] += row["probability"]
        cell["bands"][row["band"]] += 1
    out = []
    for cell in departments.values():
        total = cell.pop("total")
        cell["mean_risk"] = round(total / cell["people"], 4)
        out.append(cell)
    out.sort(key=lambda c: (-c["mean_risk"], c["department"]))
    return out


def performance_level(performance: float | None) -> str | None:
    """The nine-box row of a performance (mean rating, 1-5), None when unrated."""
    if performance is None or performance != performance:  # NaN
        return None
    level = None
    for name, low in PERFORMANCE_LEVELS:
        if performance >= low:
            level = name
    return level


def potential_level(potential: float | None) -> str | None:
    """The nine-box column of a potential (1-3), None when not assessed."""
    if potential is None or potential != potential:
        return None
    for name, value in POTENTIAL_LEVELS:
        if int(potential) <= value:
            return name
    return POTENTIAL_LEVELS[-1][0]


def nine_box(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The nine-box grid of key-people rows (`key_people_rows`): {"cells": {"<performance>-
    <potential>": [row, ...]}, "unplaced": n} with every one of the nine cells present; people
    without a rating or a potential are counted as unplaced."""
    cells: dict[str, list[dict[str, Any]]] = {
        f"{perf}-{pot}": [] for perf, _low in PERFORMANCE_LEVELS for pot, _v in POTENTIAL_LEVELS
    }
    unplaced = 0
    for row in rows:
        perf = performance_level(row["performance"])
        pot = potential_level(row["potential"])
        if perf is None or pot is None:
            unplaced += 1
            continue
        cells[f"{perf}-{pot}"].append(row)
    return {"cells": cells, "unplaced": unplaced}


def nine_box_ids(result: KeyPeople) -> dict[str, Any]:
    """The nine-box grid of the key people by employee id, without building every person's row
    (reasons in words) as `nine_box(key_people_rows(result))` does: {"cells": {"<performance>-
    <potential>": [employee id, ...]}, "unplaced": n}, every cell present, each cell in the
    key-people order (highest score first, then by employee number)."""
    cells: dict[str, list[int]] = {
        f"{perf}-{pot}": [] for perf, _low in PERFORMANCE_LEVELS for pot, _v in POTENTIAL_LEVELS
    }
    unplaced = 0
    frame = result.scored.sort_values(
        list(KEY_PEOPLE_SORTS["score"]), ascending=[False, True], na_position="last", kind="stable"
    )
    for employee_id, performance, potential in zip(
        frame["employee_id"].tolist(),
        frame["performance"].tolist(),
        frame["potential"].tolist(),
        strict=True,
    ):
        perf = performance_level(performance)
        pot = potential_level(potential)
        if perf is None or pot is None:
            unplaced += 1
            continue
        cells[f"{perf}-{pot}"].append(int(employee_id))
    return {"cells": cells, "unplaced": unplaced}


def key_people_of(result: KeyPeople, employee_ids: list[int]) -> KeyPeople:
    """`result` narrowed to `employee_ids` (to build the rows of a few people only)."""
    scored = result.scored[result.scored["employee_id"].isin(employee_ids)]
    return KeyPeople(
        scored=scored, by_department=result.by_department, reference_cost=result.reference_cost
    )


# how each leaving-risk feature reads as a reason (the value goes in %(value)s); a counted
# one is a singular/plural pair chosen by the value ("1 month", "7 months")
RISK_REASON_TEMPLATES: dict[str, str | tuple[str, str]] = {
    "compa_ratio": gettext_noop("paid at %(value)s of the band midpoint (compa-ratio)"),
    "months_since_raise": ngettext_noop(
        "%(value)s month since the last raise", "%(value)s months since the last raise"
    ),
    "months_since_promotion": ngettext_noop(
        "%(value)s month since the last promotion", "%(value)s months since the last promotion"
    ),
    "tenure_months": ngettext_noop(
        "%(value)s month with the company", "%(value)s months with the company"
    ),
    "grade": gettext_noop("grade %(value)s"),
    "last_rating": gettext_noop("last performance rating %(value)s"),
    "manager_changes_12m": ngettext_noop(
        "%(value)s manager change in the last 12 months",
        "%(value)s manager changes in the last 12 months",
    ),
    "department_attrition_rate": gettext_noop(
        "the department loses %(value)s of its people a year"
    ),
    "department_negative_share": gettext_noop(
        "%(value)s of the department's feedback is negative (last 6 months)"
    ),
}
PERCENT_FEATURES = {"compa_ratio", "department_attrition_rate", "department_negative_share"}


def risk_reason_text(reason: dict[str, Any]) -> str:
    """A stored leaving-risk reason ({feature, value, effect}) in plain words in the active
    language, e.g. "36 months since the last promotion"."""
    feature = reason.get("feature", "")
    value = reason.get("value")
    if value is None:
        shown = gettext("missing")
    elif isinstance(value, bool) or not isinstance(value, int | float):
        shown = str(value)
    elif feature in PERCENT_FEATURES:
        shown = f"{value:.0%}"
    elif "months" in feature or float(value).is_integer():
        shown = f"{value:.0f}"  # months are counted whole
    else:
        shown = f"{value:.2f}"
    template = RISK_REASON_TEMPLATES.get(feature)
    if template is None:
        name = feature.removeprefix("custom__").replace("_", " ").strip()
        return gettext("%(name)s: %(value)s") % {"name": name, "value": shown}
    if isinstance(template, tuple):
        count = round(float(value)) if isinstance(value, int | float) else 0
        return ngettext(template[0], template[1], count) % {"value": shown}
    return gettext(template) % {"value": shown}


def key_person(*, user: User | None, employee: Employee) -> dict[str, Any] | None:
    """One person's key-talent factors (performance, potential, scarcity, replacement cost,
    score, reasons) and pay position (base pay, band, compa-ratio, band position), or None when
    `user` may not read their pay. Money yearly, company currency. Scarcity counts holders over
    the whole company, as the key-people list does. One audit entry for another person's pay."""
    if not pay_visible(user=user).filter(pk=employee.pk).exists():
        return None
    row = (
        Employee.objects.filter(pk=employee.pk)
        .values(
            "pk",
            "employee_no",
            "full_name",
            "department_id",
            "department__code",
            "department__name",
            "position__title",
            "position__grade",
            "base_pay",
            "position__band_min",
            "position__band_mid",
            "position__band_max",
        )
        .get()
    )
    pay = _float(row["base_pay"])
    people = pd.DataFrame(
        [
            {
                "employee_id": row["pk"],
                "employee_no": row["employee_no"],
                "full_name": row["full_name"],
                "department_id": row["department_id"],
                "department_code": row["department__code"],
                "department": row["department__name"],
                "position": row["position__title"] or "",
                "grade": row["position__grade"],
                "base_pay": math.nan if pay is None else pay,
            }
        ],
        columns=list(key_talent.PEOPLE_COLUMNS),
    )
    reviews, holdings, skill_totals = _key_talent_reads(user=user, people=Q(employee=employee))
    average = (
        Employee.objects.exclude(status=EmployeeStatus.LEFT)
        .filter(base_pay__gt=0)
        .aggregate(average=Avg("base_pay"))["average"]
    )
    scored = key_talent.key_talent(
        people,
        reviews,
        holdings,
        skill_totals,
        reference_cost=None if average is None else float(average),
    )
    _audit_pay_read(
        user=user,
        frame=people,
        filters={},
        target_type="talent.person",
        label="Person",
    )
    [key] = key_people_rows(KeyPeople(scored=scored))
    band_min, band_mid, band_max = (
        _float(row["position__band_min"]),
        _float(row["position__band_mid"]),
        _float(row["position__band_max"]),
    )
    compa = pay / band_mid if pay is not None and band_mid else None
    width = (band_max - band_min) if band_max is not None and band_min is not None else None
    return {
        **key,
        "base_pay": pay,
        "band_min": band_min,
        "band_mid": band_mid,
        "band_max": band_max,
        "compa_ratio": None if compa is None else round(compa, 4),
        "band_position": None if pay is None or not width else round((pay - band_min) / width, 4),
    }


# --- incentive plans -------------------------------------------------------------------------


def incentive_plans_visible(*, user: User | None) -> QuerySet[IncentivePlan]:
    """The incentive plans `user` may see (a department head their own), newest first; the
    maker is shown by their employee name, their pay stays unread."""
    return (
        IncentivePlan.objects.restrict(user, Action.VIEW)
        .select_related("created_by__employee")
        .defer("created_by__employee__base_pay", "created_by__employee__custom")
    )


def plan_line_reads(line: IncentivePlanLine) -> list[PersonRead]:
    """A plan line shows the person's raise or new pay and their risk before and after."""
    number = line.employee.employee_no
    return [
        PersonRead(AuditAction.READ_PAY, line.employee_id, number),
        PersonRead(AuditAction.READ_RISK, line.employee_id, number),
    ]


def incentive_plan_lines(
    *,
    user: User | None,
    what: str,
    plan: IncentivePlan | None = None,
    employee: Employee | None = None,
    limit: int | None = None,
) -> list[IncentivePlanLine]:
    """The lines `user` may read (the people whose pay they may read, in plans they may see),
    of one plan or about one person (latest plans first), with employee, department, plan
    and proposal. Audited: one read of those people's pay and one of their risk (`what`
    names the page or endpoint)."""
    lines = (
        IncentivePlanLine.objects.restrict(user, Action.VIEW_PAY)
        .filter(plan__in=IncentivePlan.objects.restrict(user, Action.VIEW).values("pk"))
        .select_related("employee", "employee__department", "plan", "proposal")
    )
    if plan is not None:
        lines = lines.filter(plan=plan)
    if employee is not None:
        lines = lines.filter(employee=employee).order_by("-plan__created_at", "-pk")
    rows = list(lines[:limit] if limit else lines)
    audit_rows_read(actor=user, rows=rows, what=what)
    return rows


def incentive_plan_line(
    *, user: User | None, plan: IncentivePlan, line_id: int
) -> IncentivePlanLine | None:
    """One line of `plan` that `user` may read (the plan visible to them, the person's pay
    readable by them), with its employee and plan; None otherwise. Not audited: the callers
    change the line, they do not show it (the write is audited)."""
    if not IncentivePlan.objects.restrict(user, Action.VIEW).filter(pk=plan.pk).exists():
        return None
    return (
        IncentivePlanLine.objects.restrict(user, Action.VIEW_PAY)
        .filter(plan=plan, pk=line_id)
        .select_related("employee", "plan")
        .first()
    )
