"""Writes of the customers app: policies, and the analyses that end in proposals (re-tiering,
re-matching account managers, re-routing service channels) with how those proposals apply, the
churn scores, and the records typed on screen or sent to the API (a customer's details, its
service contacts). Keyword-only, one transaction, audited.

`by=SYSTEM` is the system (a scheduled job, the CLI run without --user); `by=None` is nobody
and may do nothing. Making a customers
proposal needs the customers domain's "propose" right over everything (the GM and the
assistant); approving one is the GM's (`ProposalKind.domain = "customers"`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext

from gmassist.core.choices import Action, AuditAction, ProposalStatus
from gmassist.core.imports.records import import_record
from gmassist.core.models import Proposal
from gmassist.core.permissions import ALL, SYSTEM, Domain, acting_user, reach, user_can
from gmassist.core.services import audit_record, proposal_create
from gmassist.customers.choices import PolicyKind, ServiceChannel, Tier
from gmassist.customers.engine.channels import RulesError, plan_channels, rules_from_toml
from gmassist.customers.engine.churn import FEATURE_LABELS as CHURN_LABELS
from gmassist.customers.engine.churn import HORIZON_MONTHS, TARGET, churn_reason, snapshots
from gmassist.customers.engine.matching import MatchResult, match_account_managers
from gmassist.customers.engine.tiering import (
    PolicyError,
    policy_from_toml,
    tier_changes,
    tier_customers,
)
from gmassist.customers.importers.customers import PRODUCT_SEPARATOR
from gmassist.customers.models import (
    AccountManager,
    ChurnRun,
    ChurnScore,
    CustomerPolicy,
    GroupCustomer,
    Industry,
    ManagerHistory,
    ServiceContact,
    TierHistory,
)
from gmassist.customers.reasons import Reason
from gmassist.customers.selectors import (
    channel_rules_current,
    churn_history,
    customer_revenue_records,
    last_complete_month,
    matching_problem,
    routing_candidates,
    tiering_policy_current,
    tiering_policy_effective,
)
from gmassist.lib.phrases import Phrase, ngettext_noop

if TYPE_CHECKING:
    from gmassist.core.models import User

RETIER = "customers.retier"
REASSIGN = "customers.reassign"
REROUTE = "customers.reroute"


def _check_may(by: User | None, action: str, what: str) -> None:
    """Customers-wide writes (policies, proposals about every customer) need reach ALL."""
    if reach(by, Domain.CUSTOMERS, action) != ALL:
        raise PermissionDenied(f"your role may not {what}")


# --- policies --------------------------------------------------------------------------------


@transaction.atomic
def tiering_policy_save(*, text: str, by: User | None) -> CustomerPolicy:
    """Save a new version of the tiering policy from TOML text; it becomes the current one.

    Raises ValidationError({"toml": "<key>: <what is wrong>"}) naming the TOML key at fault
    (e.g. "scale.large: must be a number, got 'big'") and PermissionDenied unless `by` may
    change every customer (the GM, the assistant). Returns the saved `CustomerPolicy` row;
    `selectors.tiering_policy_current()` reads it back as a `TieringPolicy`.
    """
    _check_may(by, Action.CHANGE, "change the tiering policy")
    try:
        policy_from_toml(text)
    except PolicyError as exc:
        raise ValidationError({"toml": str(exc)}) from exc
    record = CustomerPolicy.objects.create(
        kind=PolicyKind.TIERING, toml=text, saved_by=acting_user(by)
    )
    audit_record(actor=by, action=AuditAction.UPDATE, target=record, changes={"toml": text})
    return record


# --- re-tiering ------------------------------------------------------------------------------


def _check_all_exist(model: type, ids: set[Any], *, field: str, what: str) -> None:
    """ValidationError on `field` naming (up to 10 of) the `ids` no `model` row has: a payload
    checked again at approval may name rows deleted since it was proposed."""
    found = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = sorted(map(str, ids - found))
    if missing:
        raise ValidationError({field: f"no {what} with ids {', '.join(missing[:10])}"})


def retier_validate(payload: dict[str, Any]) -> dict[str, Any]:
    """Check a re-tiering payload: `changes` is a list of {customer_id, to, ...} with tiers
    A/B/C and customers that exist; everything else is kept as it is."""
    changes = payload.get("changes")
    if not isinstance(changes, list) or not changes:
        raise ValidationError({"changes": "a re-tiering lists at least one change"})
    ids = set()
    for index, change in enumerate(changes):
        if not isinstance(change, dict) or change.get("to") not in Tier.values:
            raise ValidationError(
                {"changes": f"change {index + 1}: the new tier must be A, B or C"}
            )
        ids.add(change.get("customer_id"))
    _check_all_exist(GroupCustomer, ids, field="changes", what="customers")
    return payload


def _book_subjects(customer_ids: set[Any], manager_ids: set[Any]) -> set[int]:
    """The employees whose book a customers proposal changes: the account managers it names
    (`manager_ids`, AccountManager ids) and those serving `customer_ids` now."""
    customers = sorted(pk for pk in customer_ids if isinstance(pk, int))
    managers = {pk for pk in manager_ids if isinstance(pk, int)}
    for start in range(0, len(customers), UPDATE_BATCH):
        managers.update(
            GroupCustomer.objects.filter(
                pk__in=customers[start : start + UPDATE_BATCH], account_manager__isnull=False
            ).values_list("account_manager_id", flat=True)
        )
    ordered = sorted(managers)
    subjects: set[int] = set()
    for start in range(0, len(ordered), UPDATE_BATCH):
        subjects.update(
            AccountManager.objects.filter(pk__in=ordered[start : start + UPDATE_BATCH]).values_list(
                "employee_id", flat=True
            )
        )
    return subjects


def retier_subjects(payload: dict[str, Any]) -> set[int]:
    """The account managers of the re-tiered customers: a tier sets how much of a manager's
    capacity a customer takes (workload units), so a re-tiering changes their book."""
    changes = payload.get("changes") or []
    return _book_subjects({c.get("customer_id") for c in changes if isinstance(c, dict)}, set())


def retier_describe(proposal: Proposal) -> str:
    """ "Re-tier 12 customers (revenue to 2026-10)", in the reader's language."""
    count = len(proposal.payload.get("changes", []))
    return ngettext(
        "Re-tier %(count)d customer (revenue to %(month)s)",
        "Re-tier %(count)d customers (revenue to %(month)s)",
        count,
    ) % {"count": count, "month": proposal.payload.get("month", "")}


def retier_apply(proposal: Proposal, by: User | None) -> dict[str, Any]:
    """Set the proposed tiers and write the tier history; a customer whose tier moved since
    the proposal was made (not its `from` any more) is skipped and counted."""
    changes = proposal.payload["changes"]
    current = dict(
        GroupCustomer.objects.select_for_update()
        .filter(pk__in=[c["customer_id"] for c in changes])
        .values_list("pk", "tier")
    )
    now = timezone.now()
    by_tier: dict[str, list[int]] = {}
    history = []
    skipped = 0
    for change in changes:
        pk = change["customer_id"]
        if current.get(pk) != (change.get("from") or ""):
            skipped += 1
            continue
        by_tier.setdefault(change["to"], []).append(pk)
        history.append(
            TierHistory(
                customer_id=pk,
                from_tier=change.get("from") or "",
                to_tier=change["to"],
                at=now,
                by=acting_user(by),
                proposal=proposal,
            )
        )
    _update_customers(pks_by_value=by_tier, field="tier", now=now)
    TierHistory.objects.bulk_create(history, batch_size=2000)
    result = {"applied": len(history), "skipped": skipped}
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target_type="customers.groupcustomer",
        target_repr=f"tiers of {len(history)} customers",
        changes={**result, "proposal": proposal.pk},
    )
    return result


# keys per UPDATE statement: SQLite limits the parameters of one statement
UPDATE_BATCH = 5000


def _update_customers(
    *, pks_by_value: dict[Any, list[int]], field: str, now: dt.datetime, **also: Any
) -> None:
    """Set `field` (and the fields in `also`) of many customers as an approved proposal says:
    one UPDATE per value, at most UPDATE_BATCH customers each."""
    for value, pks in pks_by_value.items():
        for start in range(0, len(pks), UPDATE_BATCH):
            GroupCustomer.objects.filter(pk__in=pks[start : start + UPDATE_BATCH]).update(
                **{field: value}, **also, updated_at=now
            )


def _replace_open(kind: str, by: User | None, same: Any) -> Proposal | None:
    """The open proposal of `kind` when its payload's changes equal `same` (nothing to do);
    otherwise every open one of `kind` is withdrawn, to be replaced by a new one."""
    open_ones = list(
        Proposal.objects.select_for_update().filter(kind=kind, status=ProposalStatus.OPEN)
    )
    for proposal in open_ones:
        if proposal.payload.get("changes") == same or proposal.payload.get("moves") == same:
            return proposal
    for proposal in open_ones:
        proposal.status = ProposalStatus.WITHDRAWN
        proposal.decided_at = timezone.now()
        proposal.decision_comment = "replaced by a newer run"
        proposal.save(update_fields=["status", "decided_at", "decision_comment", "updated_at"])
        audit_record(
            actor=by, action=AuditAction.WITHDRAW, target=proposal, changes={"replaced": True}
        )
    return None


@transaction.atomic
def retier_customers(*, by: User | None, as_of: dt.date | None = None) -> Proposal | None:
    """Grade every customer that is not lost by the current tiering policy and propose the
    changes as ONE proposal (kind "customers.retier"); None when no tier would change.

    Revenue is the 12 complete months before `as_of`'s month (default: today), the previous 12
    for growth; strategic industries are the policy's plus those flagged strategic. An open
    re-tiering with the same changes is returned as it is; an open one with other changes is
    withdrawn and replaced (its rationale says so). The payload lists every change:
    {customer_id, code, name, from, to, score, reasons}, most important first; each reason is
    stored as {template, params} and shown in the reader's language (`presenters.reason_text`).
    """
    _check_may(by, Action.PROPOSE, "propose re-tiering")
    month = last_complete_month(as_of or timezone.localdate())
    current_policy = tiering_policy_current()
    policy = tiering_policy_effective(current_policy.policy)
    records = customer_revenue_records(user=SYSTEM, as_of=month)
    results = tier_customers(records, policy)
    customers = {
        pk: (code, name, tier)
        for pk, code, name, tier in GroupCustomer.objects.filter(
            pk__in=[r.customer_id for r in records]
        ).values_list("pk", "code", "name", "tier")
    }
    changes = tier_changes({pk: (t or None) for pk, (_c, _n, t) in customers.items()}, results)
    if not changes:
        _replace_open(RETIER, by, None)
        return None
    payload_changes = _retier_changes(changes, customers, results)
    same = _replace_open(RETIER, by, payload_changes)
    if same is not None:
        return same
    summary = _retier_summary(customers, results, payload_changes)
    count = len(payload_changes)
    return proposal_create(
        kind=RETIER,
        title=f"Re-tier {count:,} customers (revenue to {month:%Y-%m})",
        payload={
            "month": f"{month:%Y-%m}",
            "policy_id": current_policy.record.pk if current_policy.record else None,
            "changes": payload_changes,
        },
        rationale=Phrase(
            gettext_noop(
                "The tiering policy graded %(total)s customers on their revenue of the 12 months "
                "to %(month)s: %(count)s would change tier (%(up)s up, %(down)s down, %(new)s "
                "not tiered before). Every change lists its reasons."
            ),
            {
                "total": f"{len(results):,}",
                "month": f"{month:%Y-%m}",
                "count": f"{count:,}",
                "up": f"{summary['up']:,}",
                "down": f"{summary['down']:,}",
                "new": f"{summary['new']:,}",
            },
        ),
        evidence=[
            {
                "label": gettext_noop("customers per tier now"),
                "value": summary["before"],
            },
            {
                "label": gettext_noop("customers per tier after"),
                "value": summary["after"],
            },
            {"label": gettext_noop("changes"), "value": summary["moves"]},
        ],
        expected_effect=Phrase.counted(
            ngettext_noop(
                "%(count)s customer changes tier; the history records it.",
                "%(count)s customers change tier; the history records it.",
            ),
            count="count",
            params={"count": f"{count:,}"},
        ),
        by=by,
    )


def _retier_changes(
    changes: list[Any], customers: dict[int, tuple[str, str, str]], results: list[Any]
) -> list[dict[str, Any]]:
    """The payload's changes: {customer_id, code, name, from, to, reasons, score} each, in
    the order of `changes` (`customers`: id -> code, name, stored tier)."""
    payload_changes = [
        {
            "customer_id": change.customer_id,
            "code": customers[change.customer_id][0],
            "name": customers[change.customer_id][1],
            "from": change.from_tier or "",
            "to": change.to_tier,
            "reasons": [reason.as_dict() for reason in change.reasons],
        }
        for change in changes
    ]
    scores = {r.customer_id: r.score for r in results}
    for row in payload_changes:
        row["score"] = scores[row["customer_id"]]
    return payload_changes


def _retier_summary(
    customers: dict[int, tuple[str, str, str]],
    results: list[Any],
    payload_changes: list[dict[str, Any]],
) -> dict[str, Any]:
    """What the rationale and evidence say: customers per tier before and after, the moves
    ("B→A": count), and how many go up (A is the top), down, or are tiered for the first
    time."""
    before = Counter(t or "-" for _c, _n, t in customers.values())
    after = Counter({r.customer_id: r.tier for r in results}.values())
    moves = Counter(f"{c['from'] or '-'}→{c['to']}" for c in payload_changes)
    return {
        "before": dict(sorted(before.items())),
        "after": dict(sorted(after.items())),
        "moves": dict(sorted(moves.items())),
        "up": sum(1 for c in payload_changes if c["from"] and c["to"] < c["from"]),
        "down": sum(1 for c in payload_changes if c["from"] and c["to"] > c["from"]),
        "new": sum(1 for c in payload_changes if not c["from"]),
    }


# --- matching account managers ---------------------------------------------------------------


@dataclass(frozen=True)
class MatchOptions:
    """How to match: `region_rule` "hard" (only managers of the customer's region) or
    "penalty" (anyone, at `region_penalty` value units per customer out of region);
    `change_penalty` value units per changed relationship; at most `max_changes` changes (None:
    no cap); `time_limit_s` seconds for the solver. A value unit is one point of importance
    (tier weight A 10, B 3, C 1) times one point of composite grade (0-5)."""

    region_rule: str = "hard"
    region_penalty: float = 2.0
    change_penalty: float = 1.0
    max_changes: int | None = None
    time_limit_s: float = 30.0

    def __post_init__(self) -> None:
        errors = {}
        if self.region_rule not in ("hard", "penalty"):
            errors["region_rule"] = f"must be 'hard' or 'penalty', got {self.region_rule!r}"
        if self.region_penalty < 0:
            errors["region_penalty"] = "must be at least 0"
        if self.change_penalty < 0:
            errors["change_penalty"] = "must be at least 0"
        if self.max_changes is not None and self.max_changes < 0:
            errors["max_changes"] = "must be at least 0"
        if self.time_limit_s <= 0:
            errors["time_limit_s"] = "must be more than 0 seconds"
        if errors:
            raise ValidationError(errors)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _manager_names() -> dict[int, str]:
    return dict(AccountManager.objects.values_list("pk", "employee__full_name"))


def reassign_validate(payload: dict[str, Any]) -> dict[str, Any]:
    """Check a re-matching payload: `moves` lists {customer_id, from, to, ...} with customers
    and managers (to may be None) that exist."""
    moves = payload.get("moves")
    if not isinstance(moves, list) or not moves:
        raise ValidationError({"moves": "a re-matching lists at least one move"})
    customers = {m.get("customer_id") for m in moves if isinstance(m, dict)}
    managers = {m.get("to") for m in moves if isinstance(m, dict)} - {None}
    if len(customers) != len(moves):
        raise ValidationError({"moves": "every move names a different customer"})
    _check_all_exist(GroupCustomer, customers, field="moves", what="customers")
    _check_all_exist(AccountManager, managers, field="moves", what="account managers")
    return payload


def reassign_subjects(payload: dict[str, Any]) -> set[int]:
    """The account managers customers move from and to (and who serves them now)."""
    moves = [m for m in payload.get("moves") or [] if isinstance(m, dict)]
    return _book_subjects(
        {m.get("customer_id") for m in moves},
        {m.get("from") for m in moves} | {m.get("to") for m in moves},
    )


def reassign_describe(proposal: Proposal) -> str:
    """ "Re-match 25 customers with account managers", in the reader's language."""
    count = len(proposal.payload.get("moves", []))
    return ngettext(
        "Re-match %(count)d customer with account managers",
        "Re-match %(count)d customers with account managers",
        count,
    ) % {"count": count}


def reassign_apply(proposal: Proposal, by: User | None) -> dict[str, Any]:
    """Move the customers and write the manager history; a customer whose manager changed
    since the proposal was made is skipped and counted."""
    moves = proposal.payload["moves"]
    current = dict(
        GroupCustomer.objects.select_for_update()
        .filter(pk__in=[m["customer_id"] for m in moves])
        .values_list("pk", "account_manager_id")
    )
    now = timezone.now()
    by_manager: dict[int | None, list[int]] = {}
    history = []
    skipped = 0
    for move in moves:
        pk = move["customer_id"]
        if current.get(pk) != move.get("from"):
            skipped += 1
            continue
        by_manager.setdefault(move["to"], []).append(pk)
        history.append(
            ManagerHistory(
                customer_id=pk,
                from_manager_id=move.get("from"),
                to_manager_id=move["to"],
                at=now,
                by=acting_user(by),
                proposal=proposal,
            )
        )
    _update_customers(pks_by_value=by_manager, field="account_manager_id", now=now)
    ManagerHistory.objects.bulk_create(history, batch_size=2000)
    result = {"applied": len(history), "skipped": skipped}
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target_type="customers.groupcustomer",
        target_repr=f"account managers of {len(history)} customers",
        changes={**result, "proposal": proposal.pk},
    )
    return result


def _gap(result: MatchResult) -> float | None:
    """The relative gap between CP-SAT's bound and the solution of the second phase, when it
    stopped at the time limit (None when proven optimal or unknown)."""
    phase2 = result.stats.get("phase2")
    if result.optimal or not phase2 or len(phase2) < 4:
        return None
    objective, bound = phase2[2], phase2[3]
    if not bound:
        return None
    return round(abs(bound - objective) / abs(bound), 6)


@transaction.atomic
def match_customers(
    *, by: User | None, options: MatchOptions | None = None, as_of: dt.date | None = None
) -> Proposal | None:
    """Match customers to account managers optimally (`engine.matching`) and propose the moves
    as ONE proposal (kind "customers.reassign"); None when nothing would move.

    The payload holds every move {customer_id, code, name, tier, from, from_name, to, to_name,
    why}, each manager's workload {manager_id, name, capacity, before, after}, the objective
    before and after with its split (value, region_penalty, change_penalty), whether it is
    proven optimal (or the gap at the time limit), the solver and the options. An open
    re-matching with the same moves is returned; other open ones are withdrawn and replaced.
    Raises ValidationError when the change cap cannot be met or no solution was found in time.
    """
    _check_may(by, Action.PROPOSE, "propose a re-matching of account managers")
    options = options or MatchOptions()
    customers, managers, grades = matching_problem(as_of=as_of)
    result = match_account_managers(
        customers,
        managers,
        region_rule="hard" if options.region_rule == "hard" else "penalised",
        region_penalty=options.region_penalty,
        change_penalty=options.change_penalty,
        max_changes=options.max_changes,
        time_limit_s=options.time_limit_s,
    )
    if result.status in ("infeasible", "unknown"):
        raise ValidationError(result.message)
    if not result.moves:
        _replace_open(REASSIGN, by, None)
        return None
    names = _manager_names()
    info = {
        pk: (code, name, tier)
        for pk, code, name, tier in GroupCustomer.objects.filter(
            pk__in=[m.customer_id for m in result.moves]
        ).values_list("pk", "code", "name", "tier")
    }
    moves = [
        {
            "customer_id": m.customer_id,
            "code": info[m.customer_id][0],
            "name": info[m.customer_id][1],
            "tier": info[m.customer_id][2],
            "from": m.from_manager,
            "from_name": names.get(m.from_manager, ""),
            "to": m.to_manager,
            "to_name": names.get(m.to_manager, ""),
            "why": _reasons_with_names(m.why, names),
        }
        for m in result.moves
    ]
    same = _replace_open(REASSIGN, by, moves)
    if same is not None:
        return same
    workload = [
        {
            "manager_id": pk,
            "name": names.get(pk, ""),
            "grade": grades[pk].composite,
            "capacity": result.capacity[pk],
            "before": result.workload_before[pk],
            "after": result.workload_after[pk],
        }
        for pk in result.capacity
    ]
    gap = _gap(result)
    parts = {k: round(v, 3) for k, v in result.objective_parts.items()}
    count = len(moves)
    optimal_words = (
        Phrase(gettext_noop("proven optimal"))
        if result.optimal
        else Phrase(
            gettext_noop("not proven optimal (gap %(gap)s)"),
            {"gap": f"{gap:.2%}" if gap is not None else "?"},
        )
    )
    return proposal_create(
        kind=REASSIGN,
        title=f"Re-match {count:,} customers with account managers",
        payload={
            "moves": moves,
            "workload": workload,
            "objective": round(result.objective, 3),
            "objective_before": round(result.objective_before, 3),
            "objective_parts": parts,
            "optimal": result.optimal,
            "gap": gap,
            "status": result.status,
            "solver": result.solver,
            "seconds": round(result.seconds, 2),
            "unassigned": len(result.unassigned),
            "options": options.as_dict(),
        },
        rationale=Phrase(
            gettext_noop(
                "Serving the most important customers with the best-graded managers within "
                "capacity: the value of who serves whom goes from %(before)s to %(after)s "
                "(value %(value)s, region penalty %(region)s, change penalty %(change)s), "
                "%(optimal)s. %(count)s customers move."
            ),
            {
                "before": f"{result.objective_before:,.1f}",
                "after": f"{result.objective:,.1f}",
                "value": f"{parts['value']:,.1f}",
                "region": f"{parts['region_penalty']:,.1f}",
                "change": f"{parts['change_penalty']:,.1f}",
                "optimal": optimal_words,
                "count": f"{count:,}",
            },
        ),
        evidence=[
            {"label": gettext_noop("objective before"), "value": round(result.objective_before, 3)},
            {"label": gettext_noop("objective after"), "value": round(result.objective, 3)},
            {"label": gettext_noop("proven optimal"), "value": result.optimal},
            {"label": gettext_noop("solver"), "value": result.solver},
            {
                "label": gettext_noop("customers left without a manager"),
                "value": len(result.unassigned),
            },
        ],
        expected_effect=Phrase.counted(
            ngettext_noop(
                "%(count)s customer changes account manager; no manager above capacity.",
                "%(count)s customers change account manager; no manager above capacity.",
            ),
            count="count",
            params={"count": f"{count:,}"},
        ),
        by=by,
    )


MANAGER_PARAMS = ("manager", "from_manager", "to_manager")


def _reasons_with_names(reasons: tuple[Reason, ...], names: dict[int, str]) -> list[dict]:
    """The matching engine's reasons in their stored form, with the managers it names by id
    named by their names (the reader sees "Oscar Outsider has grade 3.45")."""
    stored = []
    for reason in reasons:
        params = {
            key: names.get(value, str(value)) if key in MANAGER_PARAMS else value
            for key, value in reason.params.items()
        }
        stored.append(Reason(reason.template, params).as_dict())
    return stored


# --- service channels ------------------------------------------------------------------------


@transaction.atomic
def channel_rules_save(*, text: str, by: User | None) -> CustomerPolicy:
    """Save a new version of the service-channel rules from TOML text (it becomes current).

    Raises ValidationError({"toml": "<key>: <what is wrong>"}) and PermissionDenied unless
    `by` may change every customer (the GM, the assistant)."""
    _check_may(by, Action.CHANGE, "change the service-channel rules")
    try:
        rules_from_toml(text)
    except RulesError as exc:
        raise ValidationError({"toml": str(exc)}) from exc
    record = CustomerPolicy.objects.create(
        kind=PolicyKind.CHANNELS, toml=text, saved_by=acting_user(by)
    )
    audit_record(actor=by, action=AuditAction.UPDATE, target=record, changes={"toml": text})
    return record


def reroute_validate(payload: dict[str, Any]) -> dict[str, Any]:
    """Check a re-routing payload: `moves` lists {customer_id, to_channel, ...} with known
    channels and customers that exist."""
    moves = payload.get("moves")
    if not isinstance(moves, list) or not moves:
        raise ValidationError({"moves": "a re-routing lists at least one move"})
    for index, move in enumerate(moves):
        if not isinstance(move, dict) or move.get("to_channel") not in ServiceChannel.values:
            raise ValidationError({"moves": f"move {index + 1}: unknown channel"})
    ids = {m["customer_id"] for m in moves}
    _check_all_exist(GroupCustomer, ids, field="moves", what="customers")
    return payload


def reroute_subjects(payload: dict[str, Any]) -> set[int]:
    """The account managers whose customers leave their book for another channel."""
    moves = [m for m in payload.get("moves") or [] if isinstance(m, dict)]
    return _book_subjects(
        {m.get("customer_id") for m in moves}, {m.get("manager_id") for m in moves}
    )


def reroute_describe(proposal: Proposal) -> str:
    """ "Serve 40 customers through other channels", in the reader's language."""
    count = len(proposal.payload.get("moves", []))
    return ngettext(
        "Serve %(count)d customer through another channel",
        "Serve %(count)d customers through other channels",
        count,
    ) % {"count": count}


def reroute_apply(proposal: Proposal, by: User | None) -> dict[str, Any]:
    """Set the customers' channels; they leave their account manager's book (history written).
    A customer no longer served by an account manager since the proposal is skipped."""
    moves = proposal.payload["moves"]
    rows = {
        pk: (channel, manager)
        for pk, channel, manager in GroupCustomer.objects.select_for_update()
        .filter(pk__in=[m["customer_id"] for m in moves])
        .values_list("pk", "service_channel", "account_manager_id")
    }
    now = timezone.now()
    by_channel: dict[str, list[int]] = {}
    history = []
    skipped = 0
    for move in moves:
        channel, manager = rows[move["customer_id"]]
        if channel != ServiceChannel.ACCOUNT_MANAGER:
            skipped += 1
            continue
        by_channel.setdefault(move["to_channel"], []).append(move["customer_id"])
        if manager is not None:
            history.append(
                ManagerHistory(
                    customer_id=move["customer_id"],
                    from_manager_id=manager,
                    to_manager=None,
                    at=now,
                    by=acting_user(by),
                    proposal=proposal,
                )
            )
    _update_customers(
        pks_by_value=by_channel, field="service_channel", now=now, account_manager=None
    )
    ManagerHistory.objects.bulk_create(history, batch_size=2000)
    applied = sum(len(pks) for pks in by_channel.values())
    result = {"applied": applied, "skipped": skipped}
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target_type="customers.groupcustomer",
        target_repr=f"service channels of {applied} customers",
        changes={**result, "proposal": proposal.pk},
    )
    return result


@transaction.atomic
def route_customers(*, by: User | None, as_of: dt.date | None = None) -> Proposal | None:
    """Route customers with low, simple needs away from account managers by the current
    channel rules (`engine.channels`) and propose it as ONE proposal (kind
    "customers.reroute"); None when no customer qualifies or no channel has room.

    The payload holds every move {customer_id, code, name, tier, manager_id, manager_name,
    to_channel, why ({template, params}, shown in the reader's language)}, customers per
    channel before/after, account-manager workload (units) and
    service cost (a year, the company's currency) before/after. An open re-routing with the
    same moves is returned; other open ones are withdrawn and replaced."""
    _check_may(by, Action.PROPOSE, "propose a re-routing of service channels")
    current = channel_rules_current()
    plan = plan_channels(routing_candidates(as_of=as_of), current.rules)
    if not plan.moves:
        _replace_open(REROUTE, by, None)
        return None
    names = _manager_names()
    info = {
        pk: (code, name, tier, manager)
        for pk, code, name, tier, manager in GroupCustomer.objects.filter(
            pk__in=[m.customer_id for m in plan.moves]
        ).values_list("pk", "code", "name", "tier", "account_manager_id")
    }
    moves = [
        {
            "customer_id": m.customer_id,
            "code": info[m.customer_id][0],
            "name": info[m.customer_id][1],
            "tier": info[m.customer_id][2],
            "manager_id": info[m.customer_id][3],
            "manager_name": names.get(info[m.customer_id][3], ""),
            "to_channel": m.to_channel,
            "why": m.why.as_dict(),
        }
        for m in plan.moves
    ]
    same = _replace_open(REROUTE, by, moves)
    if same is not None:
        return same
    count = len(moves)
    saving = plan.cost_before - plan.cost_after
    return proposal_create(
        kind=REROUTE,
        title=f"Serve {count:,} customers through other channels",
        payload={
            "moves": moves,
            "eligible": plan.eligible,
            "customers_before": plan.customers_before,
            "customers_after": plan.customers_after,
            "am_workload_before": plan.am_workload_before,
            "am_workload_after": plan.am_workload_after,
            "cost_before": plan.cost_before,
            "cost_after": plan.cost_after,
            "rules_id": current.record.pk if current.record else None,
        },
        rationale=Phrase(
            gettext_noop(
                "%(eligible)s customers have low, simple needs by the channel rules; %(count)s "
                "fit the channels' capacity. Account-manager workload goes from %(before)s to "
                "%(after)s units, service cost from %(cost_before)s to %(cost_after)s a year."
            ),
            {
                "eligible": f"{plan.eligible:,}",
                "count": f"{count:,}",
                "before": f"{plan.am_workload_before:,}",
                "after": f"{plan.am_workload_after:,}",
                "cost_before": f"{plan.cost_before:,.0f}",
                "cost_after": f"{plan.cost_after:,.0f}",
            },
        ),
        evidence=[
            {"label": gettext_noop("customers per channel now"), "value": plan.customers_before},
            {"label": gettext_noop("customers per channel after"), "value": plan.customers_after},
            {"label": gettext_noop("yearly service cost saved"), "value": round(saving, 2)},
        ],
        expected_effect=Phrase(
            gettext_noop(
                "Frees %(units)s account-manager workload units and saves %(saving)s a year."
            ),
            {
                "units": f"{plan.am_workload_before - plan.am_workload_after:,}",
                "saving": f"{saving:,.0f}",
            },
        ),
        by=by,
    )


# --- churn -----------------------------------------------------------------------------------

MIN_CHURNERS = 10  # fewer labelled churners than this: no model worth the name
BACKTEST_MONTHS = 3  # the backtest tests on the latest labelled months


def _month_date(first: dt.date, index: int) -> dt.date:
    month = first.month - 1 + index
    return dt.date(first.year + month // 12, month % 12 + 1, 1)


@transaction.atomic
def churn_scores_refresh(
    *, by: User | None, as_of: dt.date | None = None, progress=None
) -> ChurnRun:
    """Fit the churn model on the company's own history and score every customer on the books.

    Monthly snapshots (`engine.churn.snapshots`) are labelled by whether the customer churned
    in the following `HORIZON_MONTHS`; the one risk-model engine (`lib.risk_model`) is
    backtested by time (trained on the snapshots before the last `BACKTEST_MONTHS` labelled
    months, tested on those: ROC AUC and calibration), then fitted on every labelled snapshot
    and used to score the last complete month, with each customer's three strongest reasons.
    Returns the saved `ChurnRun` (its `ChurnScore`s hold risk 0-1 and reasons
    [{feature, label, value, effect (log-odds), text (English), template, params}], shown in
    the reader's language by `presenters.reason_text`). Raises ValidationError when the
    history has fewer than MIN_CHURNERS churners, PermissionDenied unless `by` may change
    every customer (the GM's office).
    """
    import pandas as pd

    from gmassist.lib.risk_model import (
        backtest_by_time,
        fit_risk_model,
        prepare_table,
        score,
        top_reasons,
    )

    report = progress or (lambda _percent, _message: None)
    _check_may(by, Action.CHANGE, "refresh the churn scores")
    report(10, "Reading the history")
    history, first = churn_history(as_of=as_of)
    labelled = snapshots(history, horizon=HORIZON_MONTHS)
    churners = int(labelled[TARGET].sum()) if len(labelled) else 0
    if churners < MIN_CHURNERS:
        raise ValidationError(
            f"the history holds {churners} churned customer-months: at least {MIN_CHURNERS} "
            "are needed to learn from"
        )
    report(30, "Backtesting by time")
    dated = labelled.assign(snapshot=[_month_date(first, m) for m in labelled["month"]])
    last_labelled = int(labelled["month"].max())
    cut = _month_date(first, last_labelled - BACKTEST_MONTHS + 1)
    try:
        bt = backtest_by_time(
            dated.drop(columns=["month"]),
            target=TARGET,
            positive=1,
            date_column="snapshot",
            cut=cut,
            id_column="customer_id",
        )
        backtest = {
            "auc": round(bt.auc, 4),
            "cut": cut.isoformat(),
            "n_train": bt.n_train,
            "n_test": bt.n_test,
            "calibration": [
                {
                    "low": b.low,
                    "high": b.high,
                    "count": b.count,
                    "mean_predicted": round(b.mean_predicted, 4),
                    "observed_rate": round(b.observed_rate, 4),
                }
                for b in bt.calibration
            ],
        }
    except Exception as exc:  # a backtest that cannot run is reported, the scores still made
        backtest = {"error": str(exc), "cut": cut.isoformat()}
    report(60, "Fitting and scoring")
    prepared = prepare_table(
        labelled.drop(columns=["month"]), target=TARGET, positive=1, id_column="customer_id"
    )
    model = fit_risk_model(prepared, labels=CHURN_LABELS)
    current = snapshots(history, labelled=False)
    risks = score(model, current) if len(current) else []
    reasons = top_reasons(model, current, k=3) if len(current) else []
    coefficients = model.pipeline.named_steps["model"].coef_[0].tolist()
    names = model.pipeline.named_steps["columns"].get_feature_names_out().tolist()
    run = ChurnRun.objects.create(
        as_of=_month_date(first, history.months - 1),
        horizon_months=HORIZON_MONTHS,
        snapshots=prepared.n,
        churners=churners,
        backtest=backtest,
        model_summary={
            "features": list(prepared.spec.columns),
            "coefficients": {
                n.split("__", 1)[-1]: round(c, 4) for n, c in zip(names, coefficients, strict=True)
            },
        },
        by=acting_user(by),
    )
    report(85, "Saving the scores")
    ChurnScore.objects.bulk_create(
        [
            ChurnScore(
                run=run,
                customer_id=int(customer_id),
                risk=float(min(1.0, max(0.0, risk))),
                reasons=[_churn_reason_stored(r, pd.isna(r.value)) for r in row],
            )
            for customer_id, risk, row in zip(current["customer_id"], risks, reasons, strict=True)
        ],
        batch_size=2000,
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        target=run,
        changes={"scores": len(current), "auc": backtest.get("auc")},
    )
    return run


def _churn_reason_stored(reason: Any, missing: bool) -> dict[str, Any]:
    """A churn reason of `lib.risk_model.top_reasons` as a ChurnScore stores it: the feature,
    its label and value, the effect (log-odds), the English `text`, and `template` and
    `params` (`engine.churn.churn_reason`) for the reader's language."""
    value = None if missing else float(reason.value)
    words = churn_reason(reason.feature, value)
    return {
        "feature": reason.feature,
        "label": reason.label,
        "value": value,
        "effect": round(reason.effect, 4),
        "text": str(words),
        **words.as_dict(),
    }


# --- records on screen: a customer's details and its service contacts -------------------------
# Typed on a page or sent to the API, written through the customers and service_contacts
# imports (one validation for a file, a form and the API), each write audited on its record
# with every change as [old, new] and the comment that says why.

# What may change on a customer's record: the customers import's columns but the code (its
# natural key) and what only a proposal changes (see THROUGH_PROPOSALS).
CUSTOMER_RECORD_FIELDS = (
    "name",
    "industry",
    "scale",
    "region",
    "contract_start",
    "contract_end",
    "products",
    "status",
    "contact_name",
    "contact_phone",
    "contact_email",
    "address",
)
# the columns of the customers import that change only through an approved proposal
THROUGH_PROPOSALS = {
    "tier": gettext_noop("the tier changes through a re-tiering proposal"),
    "account_manager": gettext_noop("the account manager changes through a matching proposal"),
    "service_channel": gettext_noop("the service channel changes through a routing proposal"),
}
# what a service contact holds besides its customer; date, channel and kind are its key
SERVICE_CONTACT_FIELDS = ("date", "channel", "kind", "satisfaction", "resolved", "summary")
SERVICE_CONTACT_KEY = ("date", "channel", "kind")


def _check_may_change(by: User | None, obj: Any) -> None:
    """PermissionDenied unless `by` may change `obj` (the one rule: restrict(by, CHANGE); an
    account manager their own customers, the GM's office every one)."""
    if not user_can(by, Action.CHANGE, obj):
        raise PermissionDenied(gettext("You may not change this customer's records."))


def _cell(value: Any) -> str:
    """A value as the customers imports read it: an industry by its code, a date in ISO form,
    a yes/no, products as codes separated by ";", anything else as its text."""
    if value is None:
        return ""
    if isinstance(value, Industry):
        return value.code
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return PRODUCT_SEPARATOR.join(str(v) for v in value)
    return str(value)


def _audited(value: Any) -> Any:
    """A stored value as a record's history keeps it: a related row by its id, products as
    the text of the import ("A; B"), a date as ISO text."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list):
        return f"{PRODUCT_SEPARATOR} ".join(str(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _state(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: _audited(getattr(obj, name)) for name in fields}


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {name: [before[name], value] for name, value in after.items() if before[name] != value}


def _industry(value: Any) -> Any:
    """An industry given by code must exist: a record typed on screen or sent to the API never
    creates one (a file may: see the customers import). The industries are the GM's office's."""
    if value in (None, "") or isinstance(value, Industry):
        return value
    found = Industry.objects.filter(code=str(value).strip()).first()
    if found is None:
        raise ValidationError(
            {"industry": gettext("no such industry code: %(code)s") % {"code": value}}
        )
    return found


@transaction.atomic
def customer_update(
    *, customer: GroupCustomer, data: dict[str, Any], by: User | None, comment: str = ""
) -> GroupCustomer:
    """Change a customer's details and who to call there: the columns of
    CUSTOMER_RECORD_FIELDS in `data` (objects, dates and numbers, or text as typed; one left
    out stays as it is, an empty one is emptied), checked by the customers import's rules.
    The code does not change; the tier, the account manager and the service channel change
    only through their proposals (THROUGH_PROPOSALS: a ValidationError naming the field).
    Scale is a number of employees or lines. One audit entry with each change as [old, new]
    and the `comment`; none when nothing changed."""
    customer = GroupCustomer.objects.select_for_update().get(pk=customer.pk)
    _check_may_change(by, customer)
    data = dict(data)
    refused = {name: gettext(THROUGH_PROPOSALS[name]) for name in data if name in THROUGH_PROPOSALS}
    if "code" in data and str(data["code"]).strip() != customer.code:
        refused["code"] = gettext("a customer's code does not change")
    if refused:
        raise ValidationError(refused)
    data.pop("code", None)
    if "industry" in data:
        data["industry"] = _industry(data["industry"])
    before = _state(customer, CUSTOMER_RECORD_FIELDS)
    record = {name: _cell(value) for name, value in data.items()}
    import_record(
        entity="customers",
        record={"code": customer.code, **record},
        by=by,
        allowed=("code", *CUSTOMER_RECORD_FIELDS),
    )
    customer.refresh_from_db()
    changes = _changes(before, _state(customer, CUSTOMER_RECORD_FIELDS))
    if changes:
        if comment:
            changes["comment"] = comment
        audit_record(actor=by, action=AuditAction.UPDATE, target=customer, changes=changes)
    return customer


@transaction.atomic
def service_contact_create(
    *,
    customer: GroupCustomer,
    date: dt.date | str,
    channel: str,
    kind: str,
    by: User | None,
    satisfaction: int | str | None = None,
    resolved: bool | str = False,
    summary: str = "",
) -> ServiceContact:
    """Log a contact with `customer`: when, through which service channel, what kind (a
    visit, an inquiry, a complaint...), the customer's satisfaction (1-5, optional), whether
    it was resolved and a summary; checked by the service_contacts import's rules and stored
    as an imported contact is, so it feeds the churn model and the channel rules the same way.
    A customer has one contact a day per channel and kind: a second one is refused (change
    the first). Audited on the contact with every value."""
    customer = GroupCustomer.objects.select_for_update().get(pk=customer.pk)
    _check_may_change(by, customer)
    record = {
        "customer": customer.code,
        "date": _cell(date),
        "channel": _cell(channel),
        "kind": _cell(kind),
        "satisfaction": _cell(satisfaction),
        "resolved": _cell(resolved),
        "summary": _cell(summary),
    }
    report = import_record(
        entity="service_contacts",
        record=record,
        by=by,
        allowed=("customer", *SERVICE_CONTACT_FIELDS),
    )
    if report.counts["service_contacts"]["created"] != 1:
        raise ValidationError(
            {
                "kind": gettext(
                    "this customer has a contact of this kind through this channel on this "
                    "date already: change that one"
                )
            }
        )
    contact = customer.contacts.order_by("-pk").first()  # the customer's row is locked: ours
    assert contact is not None
    changes = {
        k: v for k, v in _state(contact, SERVICE_CONTACT_FIELDS).items() if v not in (None, "")
    }
    audit_record(actor=by, action=AuditAction.CREATE, target=contact, changes=changes)
    return contact


@transaction.atomic
def service_contact_update(
    *, contact: ServiceContact, data: dict[str, Any], by: User | None, comment: str = ""
) -> ServiceContact:
    """Change a logged contact's satisfaction (1-5), whether it was resolved and its summary,
    checked by the service_contacts import's rules. Its date, channel and kind are its key and
    do not change (log another contact instead). One audit entry with each change as
    [old, new] and the `comment`; none when nothing changed."""
    contact = (
        ServiceContact.objects.select_for_update().select_related("customer").get(pk=contact.pk)
    )
    _check_may_change(by, contact)
    key = _state(contact, SERVICE_CONTACT_KEY)
    moved = [
        name for name in SERVICE_CONTACT_KEY if name in data and _cell(data[name]) != key[name]
    ]
    if moved:
        message = gettext("a contact's date, channel and kind do not change: log another one")
        raise ValidationError(dict.fromkeys(moved, message))
    before = _state(contact, SERVICE_CONTACT_FIELDS)
    record = {name: _cell(value) for name, value in data.items()}
    record.update(customer=contact.customer.code, **key)
    import_record(
        entity="service_contacts",
        record=record,
        by=by,
        allowed=("customer", *SERVICE_CONTACT_FIELDS),
    )
    contact.refresh_from_db()
    changes = _changes(before, _state(contact, SERVICE_CONTACT_FIELDS))
    if changes:
        if comment:
            changes["comment"] = comment
        audit_record(actor=by, action=AuditAction.UPDATE, target=contact, changes=changes)
    return contact
