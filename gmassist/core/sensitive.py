"""Reads of another person's pay or leaving risk: each one is written to the audit log, one way.

DESIGN.md: "every read of another person's pay or risk goes through one scoped selector and is
audited". Two halves make that hold whatever page, endpoint or export shows the data:

- `audit_people_read` writes the one kind of entry every such read leaves (READ_PAY or
  READ_RISK, the employee numbers read, the page or endpoint, its filters), leaving out the
  reader's own record. The pay and risk selectors call it.
- Models whose rows *are* someone's pay or risk when shown (a pay-change proposal, a line of an
  incentive plan) register what each row reveals (`register_sensitive_rows`); the list and
  detail pages, the API's list and detail helpers and the exports call `audit_rows_read` on
  exactly the rows they show, so a new page of such rows is audited without anyone remembering.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from gmassist.core.choices import AuditAction

# an entry lists at most this many employee numbers (the count is always exact)
AUDIT_MAX_NUMBERS = 1000


@dataclass(frozen=True)
class PersonRead:
    """One person's pay or leaving risk shown to a reader."""

    action: str  # AuditAction.READ_PAY or AuditAction.READ_RISK
    employee_id: int
    employee_no: str = ""  # looked up by `audit_reads` when not known


RowReads = Callable[[Any], Iterable[PersonRead]]

_ROW_READS: dict[type, RowReads] = {}


def register_sensitive_rows(model: type, reads: RowReads) -> None:
    """Declare that showing a row of `model` shows the pay or risk `reads(row)` names."""
    _ROW_READS[model] = reads


def sensitive_models() -> list[type]:
    """The models whose rows are pay or risk when shown (what the pages and APIs audit)."""
    return list(_ROW_READS)


def reads_of(rows: Iterable[Any]) -> list[PersonRead]:
    """What showing `rows` reveals (nothing for rows of a model that reveals nothing)."""
    out: list[PersonRead] = []
    for row in rows:
        reads = _ROW_READS.get(type(row))
        if reads is not None:
            out.extend(reads(row))
    return out


def audit_people_read(
    *,
    actor: Any,
    action: str,
    employee_nos: Iterable[str],
    what: str = "",
    target_type: str = "",
    label: str = "",
    filters: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    target: Any = None,
) -> Any:
    """One audit entry for `actor`'s read of other people's pay or leaving risk (`action`:
    READ_PAY or READ_RISK) on the page or endpoint `what`; none when only the actor's own
    record was read. `SYSTEM`'s reads (the CLI without --user, a job) are recorded with no
    actor. A read of one person may name their record as the entry's `target`. Returns the
    entry, or None."""
    from gmassist.core.services import audit_record

    employee = getattr(actor, "employee", None) if getattr(actor, "employee_id", None) else None
    own_no = employee.employee_no if employee is not None else None
    others = sorted({no for no in employee_nos if no and no != own_no})
    if not others:
        return None
    noun = "Pay" if action == AuditAction.READ_PAY else "Leaving risk"
    changes: dict[str, Any] = {
        **({"what": what} if what else {}),
        "people": len(others),
        "filters": filters or {},
        **(extra or {}),
        "employee_nos": others[:AUDIT_MAX_NUMBERS],
        "employee_nos_cut": len(others) > AUDIT_MAX_NUMBERS,
    }
    if target is not None:
        return audit_record(actor=actor, action=action, target=target, changes=changes)
    return audit_record(
        actor=actor,
        action=action,
        target_type=target_type or ("talent.risk" if action == AuditAction.READ_RISK else "pay"),
        target_repr=f"{label or (f'{noun} ({what})' if what else noun)}: {len(others)} people",
        changes=changes,
    )


def audit_reads(*, actor: Any, reads: Iterable[PersonRead], what: str) -> None:
    """Audit `reads` (collected row by row, e.g. while an export is written): one entry per
    kind of read (pay, risk) naming every person concerned, none when there are none."""
    reads = list(reads)
    unknown = {read.employee_id for read in reads if not read.employee_no}
    numbers: dict[int, str] = {}
    if unknown:
        from gmassist.org.models import Employee

        numbers = dict(Employee.objects.filter(pk__in=unknown).values_list("pk", "employee_no"))
    by_action: dict[str, set[str]] = defaultdict(set)
    for read in reads:
        number = read.employee_no or numbers.get(read.employee_id, "")
        if number:
            by_action[read.action].add(number)
    for action in (AuditAction.READ_PAY, AuditAction.READ_RISK):
        if by_action.get(action):
            audit_people_read(
                actor=actor,
                action=action,
                employee_nos=by_action[action],
                what=what,
                target_type="pay" if action == AuditAction.READ_PAY else "talent.risk",
            )


def audit_rows_read(*, actor: Any, rows: Iterable[Any], what: str) -> None:
    """Audit what showing `rows` to `actor` reveals (see `register_sensitive_rows`)."""
    audit_reads(actor=actor, reads=reads_of(rows), what=what)
