"""Writes of the customers app: policies, and the analyses that end in proposals (re-tiering,
re-matching account managers, re-routing service channels) with how those proposals apply, and
the churn scores. Keyword-only, one transaction, audited.

`by=None` is the system (a scheduled job, the CLI run without --user). Making a customers
proposal needs the customers domain's "propose" right over everything (the GM and the
assistant); approving one is the GM's (`ProposalKind.domain = "customers"`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from gmassist.core.choices import Action, AuditAction, ProposalStatus
from gmassist.core.models import Proposal
from gmassist.core.permissions import ALL, reach
from gmassist.core.services import audit_record, proposal_create
from gmassist.customers.choices import PolicyKind, Tier
from gmassist.customers.engine.tiering import (
    PolicyError,
    policy_from_toml,
    tier_changes,
    tier_customers,
)
from gmassist.customers.models import CustomerPolicy, GroupCustomer, TierHistory
from gmassist.customers.selectors import (
    customer_revenue_records,
    last_complete_month,
    tiering_policy_current,
    tiering_policy_effective,
)

if TYPE_CHECKING:
    from gmassist.core.models import User

RETIER = "customers.retier"
REASSIGN = "customers.reassign"
REROUTE = "customers.reroute"


def _check_may(by: User | None, action: str, what: str) -> None:
    """Customers-wide writes (policies, proposals about every customer) need reach ALL."""
    if by is not None and reach(by, "customers", action) != ALL:
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
    record = CustomerPolicy.objects.create(kind=PolicyKind.TIERING, toml=text, saved_by=by)
    audit_record(actor=by, action=AuditAction.UPDATE, target=record, changes={"toml": text})
    return record


# --- re-tiering ------------------------------------------------------------------------------


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
    known = set(GroupCustomer.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = sorted(map(str, ids - known))
    if missing:
        raise ValidationError({"changes": f"no customers with ids {', '.join(missing[:10])}"})
    return payload


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
                by=by,
                proposal=proposal,
            )
        )
    for tier, pks in by_tier.items():
        for start in range(0, len(pks), 5000):
            GroupCustomer.objects.filter(pk__in=pks[start : start + 5000]).update(
                tier=tier, updated_at=now
            )
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
    {customer_id, code, name, from, to, score, reasons}, most important first.
    """
    _check_may(by, Action.PROPOSE, "propose re-tiering")
    month = last_complete_month(as_of or timezone.localdate())
    current_policy = tiering_policy_current()
    policy = tiering_policy_effective(current_policy.policy)
    records = customer_revenue_records(user=None, as_of=month)
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
    payload_changes = [
        {
            "customer_id": change.customer_id,
            "code": customers[change.customer_id][0],
            "name": customers[change.customer_id][1],
            "from": change.from_tier or "",
            "to": change.to_tier,
            "reasons": list(change.reasons),
        }
        for change in changes
    ]
    scores = {r.customer_id: r.score for r in results}
    for row in payload_changes:
        row["score"] = scores[row["customer_id"]]
    same = _replace_open(RETIER, by, payload_changes)
    if same is not None:
        return same
    before = Counter(t or "-" for _c, _n, t in customers.values())
    after = Counter({r.customer_id: r.tier for r in results}.values())
    moves = Counter(f"{c['from'] or '-'}→{c['to']}" for c in payload_changes)
    up = sum(1 for c in payload_changes if c["from"] and c["to"] < c["from"])
    down = sum(1 for c in payload_changes if c["from"] and c["to"] > c["from"])
    new = sum(1 for c in payload_changes if not c["from"])
    count = len(payload_changes)
    return proposal_create(
        kind=RETIER,
        title=f"Re-tier {count:,} customers (revenue to {month:%Y-%m})",
        payload={
            "month": f"{month:%Y-%m}",
            "policy_id": current_policy.record.pk if current_policy.record else None,
            "changes": payload_changes,
        },
        rationale=gettext(
            "The tiering policy graded %(total)s customers on their revenue of the 12 months to "
            "%(month)s: %(count)s would change tier (%(up)s up, %(down)s down, %(new)s not "
            "tiered before). Every change lists its reasons."
        )
        % {
            "total": f"{len(results):,}",
            "month": f"{month:%Y-%m}",
            "count": f"{count:,}",
            "up": f"{up:,}",
            "down": f"{down:,}",
            "new": f"{new:,}",
        },
        evidence=[
            {"label": "customers per tier now", "value": dict(sorted(before.items()))},
            {"label": "customers per tier after", "value": dict(sorted(after.items()))},
            {"label": "changes", "value": dict(sorted(moves.items()))},
        ],
        expected_effect=gettext("%(count)s customers change tier; the history records it.")
        % {"count": f"{count:,}"},
        by=by,
    )
