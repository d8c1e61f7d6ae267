"""Reads of core data, always scoped to the requesting user through `restrict`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from gmassist.core.choices import Action, AuditAction, ProposalStatus
from gmassist.core.grouping import EMPTY, Group, GroupBy, Grouping, GroupSum
from gmassist.core.models import (
    ApiToken,
    ApprovalDeputy,
    AuditEntry,
    ImportMapping,
    Job,
    Proposal,
    SavedView,
    User,
)
from gmassist.core.schedule import (
    RecurringJob,
    latest_slot,
    next_slot,
    recurring_jobs,
    slot_is_due,
)


def _pay_columns(path: str) -> tuple[str, str]:
    """The pay columns under `path`, to defer when a person is only shown by name."""
    return (f"{path}__base_pay", f"{path}__custom")


def _proposals_reached(user: Any) -> QuerySet[Proposal]:
    """The proposals `user` may see: through the rule, and, while they are someone's deputy,
    the open proposals their principals may see (they are there to decide them)."""
    principals = deputy_principals(user)
    if not principals:
        return Proposal.objects.restrict(user, Action.VIEW)
    reached = [Proposal.objects.all().restrict_q(user, Action.VIEW)]
    for principal in principals:
        q = Proposal.objects.all().restrict_q(principal, Action.VIEW)
        if q is not None:
            reached.append(q & Q(status=ProposalStatus.OPEN))
    parts = [q for q in reached if q is not None]
    if not parts:
        return Proposal.objects.none().scoped_by_selector(user, Action.VIEW)
    if any(not q for q in parts):  # an empty Q is "everything" (and would vanish in an OR)
        return Proposal.objects.restrict(user, Action.VIEW)
    combined = parts[0]
    for q in parts[1:]:
        combined |= q
    return Proposal.objects.filter(combined).scoped_by_selector(user, Action.VIEW)


def proposals_visible(*, user: User, status: str | None = None) -> QuerySet[Proposal]:
    """Proposals the user may see, newest first, optionally of one status (a deputy also sees
    the open proposals of the principals they act for)."""
    qs = (
        _proposals_reached(user)
        .select_related(
            "proposed_by__employee",
            "decided_by__employee",
            "subject_employee",
            "department",
        )
        # a user is shown by their employee name; their pay stays unread
        .defer(*_pay_columns("proposed_by__employee"), *_pay_columns("decided_by__employee"))
        .defer(*_pay_columns("subject_employee"))
    )
    return qs.filter(status=status) if status else qs


def proposals_shown(
    *, user: User, what: str, status: str | None = None, limit: int = 10
) -> list[Proposal]:
    """The newest `limit` proposals the user may see (of one status), as a page that is not a
    list page shows them (the home page): the pay they show is audited as read (`what`
    names the page)."""
    from gmassist.core.sensitive import audit_rows_read

    rows = list(proposals_visible(user=user, status=status)[:limit])
    audit_rows_read(actor=user, rows=rows, what=what)
    return rows


def jobs_visible(*, user: User) -> QuerySet[Job]:
    """Jobs the user may see: their own, or all for the GM's office."""
    return Job.objects.restrict(user, Action.VIEW).select_related("created_by")


def jobs_recent(*, user: User, kind: str, limit: int = 5) -> list[Job]:
    """The newest `limit` jobs of `kind` the user may see (a page's "recent runs")."""
    return list(jobs_visible(user=user).filter(kind=kind).order_by("-id")[:limit])


def audit_entries_visible(*, user: User) -> QuerySet[AuditEntry]:
    """The audit log, for the roles allowed to read it (the GM)."""
    return (
        AuditEntry.objects.restrict(user, Action.VIEW)
        .select_related("actor__employee")
        .defer(*_pay_columns("actor__employee"))
    )


def audit_entries(
    *,
    user: User,
    action: str = "",
    who: str = "",
    record: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """The audit log as `user` may read it, filtered: by `action`; by `who` (part of the
    actor's username or name); by `record` (part of what it names, "type#id" such as
    "proposal #5" or "core.proposal#5", a type such as "org.employee"); and by the days from `since`
    to `until` (company time, both included)."""
    qs = audit_entries_visible(user=user)
    if action:
        qs = qs.filter(action=action)
    who = who.strip()
    if who:
        qs = qs.filter(
            Q(actor__username__icontains=who) | Q(actor__employee__full_name__icontains=who)
        )
    record = record.strip()
    if record:
        kind, hash_sign, number = (part.strip() for part in record.partition("#"))
        if hash_sign:
            named = Q(target_id=number)
            if kind:  # "core.proposal" or just "proposal"
                named &= Q(target_type=kind) | Q(target_type__endswith=f".{kind}")
            qs = qs.filter(named)
        else:
            qs = qs.filter(
                Q(target_repr__icontains=record) | Q(target_type=record) | Q(target_id=record)
            )
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs


def proposals_decided(*, user: User) -> QuerySet[Proposal]:
    """Decided proposals (approved, rejected or withdrawn) the user may see, latest first."""
    return (
        proposals_visible(user=user)
        .exclude(status=ProposalStatus.OPEN)
        .order_by("-decided_at", "-id")
    )


def import_mappings_visible(*, user: User, entity: str = "") -> QuerySet[ImportMapping]:
    """Saved import mappings the user may use, optionally of one entity."""
    qs = ImportMapping.objects.restrict(user, Action.VIEW)
    return qs.filter(entity=entity) if entity else qs


def api_tokens_of(*, user: User) -> QuerySet[ApiToken]:
    """The user's own API tokens, newest first (revoked ones included)."""
    return ApiToken.objects.restrict(user, Action.VIEW).filter(user=user)


@dataclass(frozen=True)
class RecurringJobState:
    """A recurring job as the schedule sees it at `now`: its latest and next slot, the last job
    of its kind (by the schedule or a person) and whether it is due."""

    job: RecurringJob
    latest_slot: dt.datetime
    next_slot: dt.datetime
    last_job: Job | None
    due: bool


def recurring_job_states(*, now: dt.datetime | None = None) -> list[RecurringJobState]:
    """Every declared recurring job (core.schedule) with its state at `now` (default: now)."""
    now = timezone.localtime(now or timezone.now())
    states = []
    for job in recurring_jobs():
        slot = latest_slot(job, now)
        last = Job.objects.filter(kind=job.kind).order_by("-created_at", "-id").first()
        since_slot = Job.objects.filter(kind=job.kind, created_at__gte=slot)
        since_slot = since_slot.order_by("created_at", "id")
        statuses = list(since_slot.values_list("status", flat=True))
        due = slot_is_due(statuses=statuses, max_tries=settings.GMASSIST_JOB_MAX_TRIES)
        states.append(RecurringJobState(job, slot, next_slot(job, now), last, due))
    return states


# the audit actions that change a record (its history shows these, not the reads)
RECORD_WRITES = (AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE, AuditAction.APPLY)


def record_history(
    *,
    record: models.Model,
    related: Iterable[models.Model] = (),
    limit: int = 50,
) -> list[AuditEntry]:
    """The latest `limit` writes recorded on `record` and on the `related` records shown with
    it (an employee's reviews and skills): who, when, what changed, why; newest first. Not
    scoped: the app that shows a record's history decides who may read it and what of its
    values (pay) they may see, as `org.selectors.employee_history` does."""
    targets = Q(target_type=record._meta.label_lower, target_id=str(record.pk))
    by_type: dict[str, list[str]] = {}
    for other in related:
        by_type.setdefault(other._meta.label_lower, []).append(str(other.pk))
    for target_type, ids in by_type.items():
        targets |= Q(target_type=target_type, target_id__in=ids)
    return list(
        AuditEntry.objects.filter(targets, action__in=RECORD_WRITES)
        .select_related("actor__employee")
        .defer(*_pay_columns("actor__employee"))
        .order_by("-at", "-id")[:limit]
    )


def record_notes(*, user: Any, record: models.Model) -> list[Any] | None:
    """The notes on `record`, newest first, or None when `user` may not read them (the app
    that registered the record's model says who may: `core.notes`). A note whose attachment
    holds pay keeps its words, and `can_open` says whether `user` may open the file."""
    from gmassist.core.models import Note
    from gmassist.core.notes import noted_record

    noted = noted_record(record._meta.label_lower)
    if noted is None or not noted.may_read(user, record):
        return None
    notes = list(
        Note.objects.filter(target_type=record._meta.label_lower, target_id=str(record.pk))
        .select_related("author")
        .order_by("-created_at", "-id")[:100]
    )
    pay_ok = noted.may_read_pay(user, record) if any(n.holds_pay for n in notes) else True
    for note in notes:
        note.can_open = bool(note.attachment) and (pay_ok or not note.holds_pay)
    return notes


# --- grouped lists ---------------------------------------------------------------------------


def _require_scoped(rows: QuerySet) -> None:
    if not getattr(rows, "is_restricted", False):
        raise ImproperlyConfigured(
            "group only rows that came through restrict or a scoped selector"
        )


def rows_grouped(
    *,
    rows: QuerySet,
    by: GroupBy,
    sums: tuple[GroupSum, ...] | list[GroupSum] = (),
    limit: int = 50,
) -> Grouping:
    """The groups of `rows` (a list page's scoped, filtered queryset) by the column `by`:
    each group's value, label, row count and `sums` (each in its field's unit, 0 for none),
    counted in one query in the database, so that nobody sees a count of rows they could not
    list. The `limit` largest groups (the newest, for a `newest_first` column, e.g. days),
    largest first, ties by label; the rows with no value (NULL or "") are one group.
    `total` is every row's count (one more query only when groups were left out)."""
    _require_scoped(rows)
    selected: dict[str, Any] = {"group_value": by.value_expression()}
    name = by.name_expression()
    if name is not None:
        selected["group_name"] = name
    sum_names = {f"group_sum_{item.key}": item for item in sums}
    grouped = (
        rows.order_by()
        .values(**selected)
        .annotate(group_count=Count("pk"), **{n: Sum(s.field) for n, s in sum_names.items()})
    )
    order = ("-group_value",) if by.newest_first else ("-group_count", "group_value")
    found = list(grouped.order_by(*order)[: limit + 1])
    cut = len(found) > limit
    merged: dict[Any, dict[str, Any]] = {}
    for row in found[:limit]:
        value = EMPTY if row["group_value"] in (None, "") else row["group_value"]
        entry = merged.setdefault(
            value,
            {
                "count": 0,
                "name": row.get("group_name"),
                "sums": dict.fromkeys((item.key for item in sums), Decimal(0)),
            },
        )
        entry["count"] += row["group_count"]
        for column, item in sum_names.items():
            entry["sums"][item.key] += Decimal(row[column] or 0)
    groups = [
        Group(
            value=value,
            label=by.label_of(value, entry["name"]),
            count=entry["count"],
            sums=entry["sums"],
        )
        for value, entry in merged.items()
    ]
    if not by.newest_first:
        groups.sort(key=lambda group: (-group.count, group.label))
    total = rows.order_by().count() if cut else sum(group.count for group in groups)
    return Grouping(by=by, groups=groups, total=total, cut=cut)


def rows_in_group(*, rows: QuerySet, by: GroupBy, value: Any) -> QuerySet:
    """`rows` narrowed to the group of `value` (EMPTY: the rows with no value) by `by`: the
    list a group links to, exactly the rows the group counted."""
    _require_scoped(rows)
    aliases, condition = by.matching(value, rows.model)
    if aliases:
        rows = rows.alias(**aliases)
    return rows.filter(condition)


def group_label(*, rows: QuerySet, by: GroupBy, value: Any) -> str:
    """The label of the group of `value` among `rows`, as `rows_grouped` labels it (a column
    named by the database reads it from the first row of the group)."""
    name = by.name_expression()
    if name is None or value == EMPTY:
        return by.label_of(value)
    found = list(rows_in_group(rows=rows, by=by, value=value).order_by().values_list(name)[:1])
    return by.label_of(value, found[0][0] if found else None)


# --- saved views -----------------------------------------------------------------------------


def _saved_views(user: User, action: str) -> QuerySet[SavedView]:
    return (
        SavedView.objects.restrict(user, action)
        # the owner is shown by name; their pay stays unread
        .select_related("owner__employee")
        .defer(*_pay_columns("owner__employee"))
        .order_by("page", "name", "id")
    )


def saved_views_usable(*, user: User, page: str = "") -> QuerySet[SavedView]:
    """The saved views `user` may use (of list page `page`, its URL name; every page's when
    empty): their own and those shared with their role (for the GM: every shared one), by
    name."""
    views = _saved_views(user, Action.VIEW)
    return views.filter(page=page) if page else views


def saved_views_changeable(*, user: User) -> QuerySet[SavedView]:
    """The saved views `user` may rename, share or delete: their own; for the GM also every
    shared one. By page, then name."""
    return _saved_views(user, Action.CHANGE)


# --- deputies --------------------------------------------------------------------------------


def deputyships_acting(*, user: Any, on: dt.date | None = None) -> list[ApprovalDeputy]:
    """The deputyships in which `user` is the deputy on the day `on` (default: the company's
    today), with their principals, earliest ending first. Deputyships do not chain: a deputy
    acts for their principals, not for their principals' principals."""
    if getattr(user, "pk", None) is None or not getattr(user, "is_authenticated", False):
        return []
    day = on or timezone.localdate()
    cache = getattr(user, "_deputyships_acting", None)
    if cache is not None and day in cache:
        return cache[day]
    rows = list(
        ApprovalDeputy.objects.filter(
            deputy_id=user.pk,
            ended_at__isnull=True,
            starts_on__lte=day,
            ends_on__gte=day,
            principal__is_active=True,
        )
        .select_related("principal__employee")
        .defer(*_pay_columns("principal__employee"))
        .order_by("ends_on", "id")
    )
    # kept on the user for the request: a list page asks once per row
    if cache is None:
        cache = {}
        user._deputyships_acting = cache
    cache[day] = rows
    return rows


def deputy_principals(user: Any, *, on: dt.date | None = None) -> list[User]:
    """The users for whom `user` decides as deputy on the day `on` (default: today): the one
    function proposals and documents both ask. Empty for the system and for nobody."""
    return [row.principal for row in deputyships_acting(user=user, on=on)]


def deputyships_visible(*, user: Any) -> QuerySet[ApprovalDeputy]:
    """The deputyships `user` may see: theirs as principal or as deputy, or all for the GM's
    office; latest start first."""
    return (
        ApprovalDeputy.objects.restrict(user, Action.VIEW)
        .select_related("principal__employee", "deputy__employee", "named_by__employee")
        .defer(
            *_pay_columns("principal__employee"),
            *_pay_columns("deputy__employee"),
            *_pay_columns("named_by__employee"),
        )
    )


def deputyship_current_for(*, principal: Any, on: dt.date | None = None) -> ApprovalDeputy | None:
    """Who decides for `principal` on the day `on` (default today), or None."""
    day = on or timezone.localdate()
    return (
        ApprovalDeputy.objects.filter(
            principal_id=principal.pk, ended_at__isnull=True, starts_on__lte=day, ends_on__gte=day
        )
        .select_related("deputy__employee")
        .order_by("ends_on", "id")
        .first()
    )
