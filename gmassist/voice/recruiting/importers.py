"""Import and export of the recruiting files: agencies, requisitions and candidates (the entity
specs that `gmassist.core.imports` runs, all or nothing, with dry runs and row errors).

Natural keys: RecruitingAgency.name, Requisition.code, Candidate (requisition code, name). A
column missing from the file leaves that field of existing rows as stored. Specialities and
regions are lists written with ";" between items. A requisition's position is found by code,
then by unique title; its department by code, then by unique name; a candidate's agency by
name, and the employee they became by employee number. Nothing is created on the way: an
unknown reference is a row error. Sharing a requisition with agencies is not imported: it
writes to the agencies, which is a person's act (the requisition page).

Every rule the database enforces (see the models' named constraints) is checked here per row,
so that a bad file gets row errors, never a failed transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gmassist.core.imports import (
    CHOICE,
    DATE,
    DECIMAL,
    INT,
    NAME,
    REF,
    TEXT,
    Column,
    EntitySpec,
    ImportContext,
    ParsedRow,
    Plan,
    column_choices,
    given_values,
    merge_rows,
    out_of_range_reason,
    register_entity,
    save_rows,
    text_or_empty,
)
from gmassist.lib import normalize
from gmassist.lib.bulk import ids_by_key
from gmassist.org.models import Department, Employee, Position
from gmassist.voice.recruiting.choices import (
    AgencyKind,
    AgencyStatus,
    CandidateSource,
    CandidateStage,
    RequisitionReason,
    RequisitionStatus,
    Urgency,
)
from gmassist.voice.recruiting.models import (
    STAGE_DATE_FIELDS,
    Candidate,
    RecruitingAgency,
    Requisition,
)

LIST_SEPARATOR = ";"


def _list(value: str | None) -> list[str]:
    """ "Sales; Retail ;;sales" -> ["Sales", "Retail"]: trimmed, no empties, no repeats."""
    out: list[str] = []
    for item in (value or "").replace("；", LIST_SEPARATOR).split(LIST_SEPARATOR):
        text = normalize.clean_name(item)
        if text and text.casefold() not in {o.casefold() for o in out}:
            out.append(text)
    return out


def _unique_lookup(pairs: list[tuple[int, str, str]]) -> tuple[dict[str, int], dict[str, list]]:
    """(code -> id, folded name -> [ids]) of catalogue rows (id, code, name)."""
    by_code: dict[str, int] = {}
    by_name: dict[str, list[int]] = {}
    for pk, code, name in pairs:
        by_code[code.casefold()] = pk
        by_name.setdefault(normalize.clean_name(name).casefold(), []).append(pk)
    return by_code, by_name


def _resolve(
    ctx: ImportContext,
    row: ParsedRow,
    name: str,
    lookup: tuple[dict[str, int], dict[str, list]],
    missing: str,
    ambiguous: str,
) -> int | None:
    value = row.values.get(name)
    if not value:
        return None
    by_code, by_name = lookup
    folded = value.casefold()
    if folded in by_code:
        return by_code[folded]
    ids = by_name.get(folded, [])
    if len(ids) == 1:
        return ids[0]
    ctx.error(row, name, ambiguous if ids else missing)
    return None


# --- agencies --------------------------------------------------------------------------------

AGENCY_COLUMNS = (
    Column("name", NAME, max_length=200),
    Column("kind", CHOICE, choices=column_choices(AgencyKind)),
    Column("contact_person", NAME, max_length=200),
    Column("email", TEXT, max_length=254),
    Column("phone", TEXT, max_length=40),
    Column("specialities", TEXT),
    Column("regions", TEXT),
    Column("fee_percent", DECIMAL),
    Column("guarantee_days", INT),
    Column("status", CHOICE, choices=column_choices(AgencyStatus)),
    Column("notes", TEXT),
)
_AGENCY_FIELDS = [
    "kind",
    "contact_person",
    "email",
    "phone",
    "specialities",
    "regions",
    "fee_percent",
    "guarantee_days",
    "status",
    "notes",
]
_AGENCY_DEFAULTS = {
    "kind": AgencyKind.AGENCY.value,
    "contact_person": "",
    "email": "",
    "phone": "",
    "specialities": [],
    "regions": [],
    "fee_percent": Decimal("20.00"),
    "guarantee_days": 90,
    "status": AgencyStatus.ACTIVE.value,
    "notes": "",
}


def plan_agencies(ctx: ImportContext) -> Plan:
    existing = {r["name"]: r for r in RecruitingAgency.objects.values("name", *_AGENCY_FIELDS)}
    for stored in existing.values():
        stored["fee_percent"] = stored["fee_percent"].quantize(Decimal("0.01"))
    incoming = []
    for row in ctx.rows:
        name = row.values.get("name")
        if not name:
            ctx.error(row, "name", _("the name is required"))
            continue
        values = row.values
        given = given_values(
            row, {"fee_percent": "fee_percent", "guarantee_days": "guarantee_days"}
        )
        for field in ("contact_person", "email", "phone", "notes"):
            if field in values:
                given[field] = text_or_empty(values[field])
        for field in ("kind", "status"):
            if field in values:
                given[field] = values[field] or _AGENCY_DEFAULTS[field]
        for field in ("specialities", "regions"):
            if field in values:
                given[field] = _list(values[field])
        if given.get("email") and not _looks_like_email(given["email"]):
            ctx.error(row, "email", _("not an e-mail address"))
        if "fee_percent" in given:
            fee = given["fee_percent"]
            if fee is None:
                given["fee_percent"] = _AGENCY_DEFAULTS["fee_percent"]
            elif not 0 <= fee <= 100:
                ctx.error(row, "fee_percent", out_of_range_reason(0, 100))
            else:
                given["fee_percent"] = fee.quantize(Decimal("0.01"))
        if "guarantee_days" in given:
            days = given["guarantee_days"]
            if days is None:
                given["guarantee_days"] = _AGENCY_DEFAULTS["guarantee_days"]
            elif not 0 <= days <= 730:
                ctx.error(row, "guarantee_days", out_of_range_reason(0, 730))
        incoming.append((row, name, {"name": name, **given}))
    new_rows, changed_rows, counts = merge_rows(
        ctx,
        needs=gettext_noop("a new agency needs %(field)s"),
        existing=existing,
        incoming=incoming,
        defaults=_AGENCY_DEFAULTS,
        required={},
    )

    def write() -> None:
        save_rows(RecruitingAgency, new_rows, changed_rows, ["name"], _AGENCY_FIELDS)

    return Plan(counts={"recruiting_agencies": counts}, write=write)


def _looks_like_email(value: str) -> bool:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def export_agencies(queryset: QuerySet) -> Iterator[list[Any]]:
    rows = queryset.order_by("name").values_list("name", *_AGENCY_FIELDS)
    for row in rows.iterator(chunk_size=2000):
        values = list(row)
        values[5] = LIST_SEPARATOR.join(values[5] or [])  # specialities
        values[6] = LIST_SEPARATOR.join(values[6] or [])  # regions
        yield values


# --- requisitions ----------------------------------------------------------------------------

REQUISITION_COLUMNS = (
    Column("code", max_length=40),
    Column("position", REF),
    Column("department", REF),
    Column("headcount", INT),
    Column("urgency", CHOICE, choices=column_choices(Urgency)),
    Column("target_date", DATE),
    Column("reason", CHOICE, choices=column_choices(RequisitionReason)),
    Column("reason_note", TEXT),
    Column("status", CHOICE, choices=column_choices(RequisitionStatus)),
    Column("opened_on", DATE),
    Column("closed_on", DATE),
)
_REQUISITION_FIELDS = [
    "position_id",
    "department_id",
    "headcount",
    "urgency",
    "target_date",
    "reason",
    "reason_note",
    "status",
    "opened_on",
    "closed_on",
]
_REQUISITION_DEFAULTS = {
    "position_id": None,
    "department_id": None,
    "headcount": 1,
    "urgency": Urgency.NORMAL.value,
    "target_date": None,
    "reason": RequisitionReason.REPLACEMENT.value,
    "reason_note": "",
    "status": RequisitionStatus.OPEN.value,
    "opened_on": None,
    "closed_on": None,
}


def plan_requisitions(ctx: ImportContext) -> Plan:
    existing = {r["code"]: r for r in Requisition.objects.values("code", *_REQUISITION_FIELDS)}
    positions = _unique_lookup(list(Position.objects.values_list("id", "code", "title")))
    departments = _unique_lookup(list(Department.objects.values_list("id", "code", "name")))
    incoming = []
    for row in ctx.rows:
        code = row.values.get("code")
        if not code:
            ctx.error(row, "code", _("the code is required"))
            continue
        values = row.values
        given = given_values(
            row,
            {
                "headcount": "headcount",
                "target_date": "target_date",
                "opened_on": "opened_on",
                "closed_on": "closed_on",
            },
        )
        for field in ("urgency", "reason", "status"):
            if field in values:
                given[field] = values[field] or _REQUISITION_DEFAULTS[field]
        if "reason_note" in values:
            given["reason_note"] = text_or_empty(values["reason_note"])
        if "headcount" in given:
            if given["headcount"] is None:
                given["headcount"] = 1
            elif not 1 <= given["headcount"] <= 10_000:
                ctx.error(row, "headcount", out_of_range_reason(1, 10_000))
        if values.get("position"):
            given["position_id"] = _resolve(
                ctx,
                row,
                "position",
                positions,
                _("no such position"),
                _("several positions have this title: give the code"),
            )
        if values.get("department"):
            given["department_id"] = _resolve(
                ctx,
                row,
                "department",
                departments,
                _("no such department"),
                _("ambiguous department name"),
            )
        merged = {**_REQUISITION_DEFAULTS, **existing.get(code, {}), **given}
        # (a cell that failed to parse or resolve already has its error: not reported twice)
        for field in ("position_id", "department_id", "target_date", "opened_on"):
            if merged[field] is None:
                column = field.removesuffix("_id")
                ctx.error(row, column, _("%(field)s is required") % {"field": column})
        opened, closed, target = merged["opened_on"], merged["closed_on"], merged["target_date"]
        is_open = merged["status"] == RequisitionStatus.OPEN
        if is_open and closed is not None:
            ctx.error(row, "closed_on", _("an open requisition has no closing date"))
        if not is_open and closed is None:
            ctx.error(
                row, "closed_on", _("a filled or cancelled requisition needs its closing date")
            )
        if opened and closed and closed < opened:
            ctx.error(row, "closed_on", _("cannot close before it opens"))
        if opened and target and target < opened:
            ctx.error(row, "target_date", _("the target date cannot be before the opening date"))
        incoming.append((row, code, {"code": code, **given}))
    new_rows, changed_rows, counts = merge_rows(
        ctx,
        needs=gettext_noop("a new requisition needs %(field)s"),
        existing=existing,
        incoming=incoming,
        defaults=_REQUISITION_DEFAULTS,
        required={},
    )

    def write() -> None:
        save_rows(Requisition, new_rows, changed_rows, ["code"], _REQUISITION_FIELDS)

    return Plan(counts={"requisitions": counts}, write=write)


def export_requisitions(queryset: QuerySet) -> Iterator[list[Any]]:
    rows = queryset.order_by("code").values_list(
        "code",
        "position__code",
        "department__code",
        "headcount",
        "urgency",
        "target_date",
        "reason",
        "reason_note",
        "status",
        "opened_on",
        "closed_on",
    )
    for row in rows.iterator(chunk_size=2000):
        yield list(row)


# --- candidates ------------------------------------------------------------------------------

_DATE_COLUMNS = tuple(STAGE_DATE_FIELDS.values())
CANDIDATE_COLUMNS = (
    Column("requisition", REF),
    Column("name", NAME, max_length=200),
    Column("email", TEXT, max_length=254),
    Column("phone", TEXT, max_length=40),
    Column("source", CHOICE, choices=column_choices(CandidateSource)),
    Column("agency", REF),
    Column("stage", CHOICE, choices=column_choices(CandidateStage)),
    *(Column(field, DATE) for field in _DATE_COLUMNS),
    Column("hired_employee", REF),
    Column("notes", TEXT),
)
_CANDIDATE_FIELDS = [
    "email",
    "phone",
    "source",
    "agency_id",
    "stage",
    *_DATE_COLUMNS,
    "hired_employee_id",
    "notes",
]
_CANDIDATE_DEFAULTS = {
    "email": "",
    "phone": "",
    "source": CandidateSource.AGENCY.value,
    "agency_id": None,
    "stage": CandidateStage.APPLIED.value,
    **dict.fromkeys(_DATE_COLUMNS),
    "hired_employee_id": None,
    "notes": "",
}


def plan_candidates(ctx: ImportContext) -> Plan:
    codes = ids_by_key(Requisition, ["code"])
    folded_codes = {code.casefold(): pk for code, pk in codes.items()}
    agencies = {
        normalize.clean_name(name).casefold(): pk
        for pk, name in RecruitingAgency.objects.values_list("id", "name")
    }
    numbers = ids_by_key(Employee, ["employee_no"]) if ctx.has("hired_employee") else {}
    existing = {
        (r["requisition_id"], r["full_name"]): r
        for r in Candidate.objects.values("requisition_id", "full_name", *_CANDIDATE_FIELDS)
    }
    incoming = []
    for row in ctx.rows:
        values = row.values
        code, name = values.get("requisition"), values.get("name")
        requisition = None
        if not code:
            ctx.error(row, "requisition", _("the requisition is required"))
        else:
            requisition = codes.get(code) or folded_codes.get(code.casefold())
            if requisition is None:
                ctx.error(row, "requisition", _("no requisition with this code"))
        if not name:
            ctx.error(row, "name", _("the name is required"))
        if requisition is None or not name:
            continue
        given = given_values(row, {field: field for field in _DATE_COLUMNS})
        for field in ("email", "phone", "notes"):
            if field in values:
                given[field] = text_or_empty(values[field])
        if given.get("email") and not _looks_like_email(given["email"]):
            ctx.error(row, "email", _("not an e-mail address"))
        for field in ("source", "stage"):
            if field in values:
                given[field] = values[field] or _CANDIDATE_DEFAULTS[field]
        if "agency" in values:
            given["agency_id"] = None
            if values["agency"]:
                given["agency_id"] = agencies.get(values["agency"].casefold())
                if given["agency_id"] is None:
                    ctx.error(row, "agency", _("no agency with this name"))
        if "hired_employee" in values:
            given["hired_employee_id"] = None
            if values["hired_employee"]:
                given["hired_employee_id"] = numbers.get(values["hired_employee"])
                if given["hired_employee_id"] is None:
                    ctx.error(row, "hired_employee", _("no employee with this employee number"))
        key = (requisition, name)
        merged = {**_CANDIDATE_DEFAULTS, **existing.get(key, {}), **given}
        _check_candidate(ctx, row, merged)
        incoming.append((row, key, {"requisition_id": requisition, "full_name": name, **given}))
    new_rows, changed_rows, counts = merge_rows(
        ctx,
        needs=gettext_noop("a new candidate needs %(field)s"),
        existing=existing,
        incoming=incoming,
        defaults=_CANDIDATE_DEFAULTS,
        required={},
    )

    def write() -> None:
        save_rows(
            Candidate, new_rows, changed_rows, ["requisition_id", "full_name"], _CANDIDATE_FIELDS
        )

    return Plan(counts={"candidates": counts}, write=write)


def _check_candidate(ctx: ImportContext, row: ParsedRow, merged: dict[str, Any]) -> None:
    """The candidates' constraints, as row errors."""
    # a cell that failed to parse or resolve already has its error (ctx.error reports one)
    if merged["applied_on"] is None:
        ctx.error(row, "applied_on", _("%(field)s is required") % {"field": "applied_on"})
    from_agency = merged["source"] == CandidateSource.AGENCY
    if from_agency and merged["agency_id"] is None:
        ctx.error(row, "agency", _("a candidate from an agency names the agency"))
    if not from_agency and merged["agency_id"] is not None:
        ctx.error(row, "source", _("a candidate with an agency has the source agency"))
    stage_field = STAGE_DATE_FIELDS.get(merged["stage"])
    if stage_field and merged[stage_field] is None:
        ctx.error(
            row,
            stage_field,
            _("the stage %(stage)s needs its date") % {"stage": merged["stage"]},
        )
    if merged["hired_employee_id"] is not None and merged["stage"] != CandidateStage.HIRED:
        ctx.error(row, "hired_employee", _("only a hired candidate is linked to an employee"))
    applied, hired = merged["applied_on"], merged["hired_on"]
    if applied and hired and hired < applied:
        ctx.error(row, "hired_on", _("cannot be hired before applying"))


def export_candidates(queryset: QuerySet) -> Iterator[list[Any]]:
    rows = queryset.order_by("requisition__code", "applied_on", "full_name").values_list(
        "requisition__code",
        "full_name",
        "email",
        "phone",
        "source",
        "agency__name",
        "stage",
        *_DATE_COLUMNS,
        "hired_employee__employee_no",
        "notes",
    )
    for row in rows.iterator(chunk_size=2000):
        yield list(row)


register_entity(
    EntitySpec(
        "recruiting_agencies",
        RecruitingAgency,
        AGENCY_COLUMNS,
        ("name",),
        plan_agencies,
        export_agencies,
    )
)
register_entity(
    EntitySpec(
        "requisitions",
        Requisition,
        REQUISITION_COLUMNS,
        ("code",),
        plan_requisitions,
        export_requisitions,
    )
)
register_entity(
    EntitySpec(
        "candidates",
        Candidate,
        CANDIDATE_COLUMNS,
        ("requisition", "name"),
        plan_candidates,
        export_candidates,
    )
)
