"""Stored values as a person reads them: evidence of proposals and changes in the audit log.

Evidence and audit changes are stored as plain JSON (numbers as strings, true/false, small
objects) so that they can be read back exactly. Shown to a person, they are written in the
reader's language: numbers with the locale's thousands separators, yes and no for true and
false, a small object as "key: value" pairs, and a change as "field: old → new".
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from gmassist.lib.phrases import Phrase, stored_phrase

# a stored number such as "80300.00", "-12", "0.5" (not "2026-01-01", "0.98 → 1.05", "E004")
_NUMBER_CHARS = set("0123456789.-")


def readable_value(value: Any) -> str:
    """`value` as a person reads it in the active language: "—" for nothing, "Yes"/"No",
    numbers grouped ("80,300.00"; whole numbers without decimals), a list joined by commas,
    an object as "key: value; key: value" with its keys in words ("call centre: 0")."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, dict):
        return "; ".join(f"{_words(key)}: {readable_value(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(readable_value(item) for item in value)
    number = _number(value)
    if number is not None:
        places = 0 if number == number.to_integral_value() else min(_places(number), 4)
        # grouped by thousands with "," in both languages: Django's Chinese format groups
        # nothing, and the GM's office reads "19,900" in Chinese as in English
        return f"{number:,.{places}f}"
    return str(value)


def change_lines(changes: Any) -> list[tuple[str, str]]:
    """An audit entry's changes as (field in words, what changed) pairs: a [old, new] pair as
    "old → new", anything else as its readable value."""
    if not isinstance(changes, dict):
        return [("", readable_value(changes))]
    lines = []
    for key, value in changes.items():
        if (
            isinstance(value, list)
            and len(value) == 2
            and not any(isinstance(v, dict | list) for v in value)
        ):
            text = f"{readable_value(value[0])} → {readable_value(value[1])}"
        else:
            text = readable_value(value)
        lines.append((_words(key), text))
    return lines


def _words(key: Any) -> str:
    """A stored key in words: "call_centre" -> "call centre"."""
    return str(key).replace("_", " ")


def _number(value: Any) -> Decimal | None:
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str) and value and set(value) <= _NUMBER_CHARS and value != "-":
        if value.count(".") > 1 or "-" in value[1:]:
            return None
        try:
            return Decimal(value)
        except InvalidOperation:
            return None
    return None


def _places(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def phrase_text(phrase: Phrase) -> str:
    """A generated sentence in the active language: its template translated (with ngettext by
    its count when it has a plural) and filled in. A translation whose placeholders do not fit
    its params falls back to the English."""
    params = {key: _clause(value) for key, value in phrase.params.items()}
    try:
        if phrase.plural is not None:
            return ngettext(phrase.template, phrase.plural, phrase.number()) % params
        return gettext(phrase.template) % params
    except (KeyError, TypeError, ValueError):
        return str(phrase)


def stored_text(stored: Any, text: str) -> str:
    """A stored text in the active language: the phrase's (`stored`, its stored form) when
    there is one, else `text` as it was written (old rows, what a person typed)."""
    phrase = stored_phrase(stored)
    return phrase_text(phrase) if phrase is not None else text


def _clause(value: Any) -> Any:
    """A parameter in the active language: a clause (a stored phrase) translated in turn."""
    phrase = stored_phrase(value)
    return phrase_text(phrase) if phrase is not None else value


# --- the audit log ---------------------------------------------------------------------------

# What an audit entry is about when it names no model (a read of pay or risk, a page of the
# talent app): its words in both languages. A model's target type reads as its verbose_name.
AUDIT_TARGETS = {
    "pay": _("pay"),
    "talent.risk": _("leaving risk"),
    "talent.pay_review": _("pay review"),
    "talent.key_people": _("key people"),
    "talent.person": _("person's talent page"),
    # models without a verbose_name of their own
    "core.proposal": _("proposal"),
    "decisions.decision": _("decision"),
}

# The keys of audit changes that are not a field of the target's model, in words.
AUDIT_FIELDS = {
    "kind": _("kind"),
    "comment": _("comment"),
    "takes_effect_on": _("takes effect on"),
    "added": _("added"),
    "removed": _("removed"),
    "audience_departments": _("audience: departments"),
    "audience_roles": _("audience: roles"),
    "audience_people": _("audience: people"),
    "questions": _("questions"),
    "what": _("page"),
    "people": _("people"),
    "filters": _("filters"),
    "employee_nos": _("employee numbers"),
    "employee_nos_cut": _("list cut short"),
    "counts": _("counts"),
    "applied": _("applied"),
    "skipped": _("skipped"),
    "proposal": _("proposal"),
    "separation_type": _("separation type"),
    "leave_reason": _("reason for leaving"),
    "regretted": _("regretted"),
    "record": _("record"),
    "file": _("file"),
    "bytes": _("bytes"),
    "holds_pay": _("holds pay"),
    # deputies, and the documents' route (office.documents)
    "on_behalf_of": _("on behalf of"),
    "on_behalf_of_user_id": _("on behalf of (user id)"),
    "ended": _("ended"),
    "approvers": _("approvers"),
    "approver": _("approver"),
    "version": _("version"),
    "step": _("step"),
    "decision": _("decision"),
    "text": _("written text"),
    "submitted": _("sent for approval"),
    "archived": _("archived"),
    "route": _("route"),
    "note": _("note"),
}


# The pages and endpoints an audited read names (`what` in core.sensitive's entries) when it is
# not a path: its words in both languages. "api <page>" and "export <entity>" read as such.
AUDIT_PAGES = {
    "home": _("home page"),
    "today": _("Today"),  # office.today: the GM's desk
    "person": _("person's page"),
    "incentive plan": _("incentive plan"),
    "heat map": _("heat map"),
    "employee pay": _("employee pay"),
    "agency fees": _("agency fees"),
    "account-manager grades": _("account-manager grades"),
}

# How the value of one key of a target type's audit changes reads, registered by the app that
# owns the type (a survey's questions by their kinds' labels): (target_type, key) -> reader.
_AUDIT_VALUE_READERS: dict[tuple[str, str], Callable[[Any], Any]] = {}


def register_audit_value(target_type: str, key: str, reader: Callable[[Any], Any]) -> None:
    """Make `reader` turn the stored value of `key` in `target_type`'s audit changes into what
    the reader sees, in their language (called when the entry is shown)."""
    _AUDIT_VALUE_READERS[(target_type, key)] = reader


def audit_page_text(what: Any) -> Any:
    """An audited read's page in the reader's language: a path as it is, "home" as "home
    page", "api heat map" as "API: heat map", "export employees" as "export: employees"."""
    if not isinstance(what, str) or what.startswith("/"):
        return what
    if what.startswith("api "):
        return gettext("API: %(page)s") % {"page": audit_page_text(what.removeprefix("api "))}
    if what.startswith("export "):
        from gmassist.core.forms import entity_label

        return gettext("export: %(entity)s") % {"entity": entity_label(what[len("export ") :])}
    page = AUDIT_PAGES.get(what)
    if page is not None:
        return str(page)
    return audit_target_label(what) if "." in what else what


def _target_model(target_type: str) -> Any:
    from django.apps import apps

    try:
        return apps.get_model(target_type) if "." in target_type else None
    except (LookupError, ValueError):
        return None


def audit_target_label(target_type: str) -> str:
    """What kind of record an audit entry is about, in the reader's language ("talent.risk"
    -> "leaving risk", "core.proposal" -> "proposal"); the stored type when unknown."""
    if target_type in AUDIT_TARGETS:
        return str(AUDIT_TARGETS[target_type])
    model = _target_model(target_type)
    return str(model._meta.verbose_name) if model is not None else target_type


def audit_target_text(entry: Any) -> str:
    """The record an audit entry is about, in the reader's language: a proposal by its title
    as its kind says it, a read of pay or risk as "Pay read: 3 people"; else as stored."""
    from gmassist.core.models import Proposal

    changes = entry.changes if isinstance(entry.changes, dict) else {}
    if entry.target_type == "core.proposal" and entry.target_id:
        proposal = Proposal.objects.filter(pk=entry.target_id).first()
        if proposal is not None:
            return proposal.display_title
    if "employee_nos" in changes and isinstance(changes.get("people"), int):
        count = changes["people"]
        return ngettext(
            "%(what)s read: %(count)s person", "%(what)s read: %(count)s people", count
        ) % {"what": audit_target_label(entry.target_type), "count": f"{count:,}"}
    return entry.target_repr or audit_target_label(entry.target_type)


def audit_change_lines(entry: Any, *, without: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """An audit entry's changes as (field, what changed) pairs in the reader's language: a
    field of the target's model by its verbose name, its choices by their labels, a
    proposal's kind by the kind's label; other keys by AUDIT_FIELDS; the keys `without` left
    out (a record's history shows the comment apart)."""
    from django.core.exceptions import FieldDoesNotExist

    from gmassist.core.proposals import proposal_kind, registered_proposal_kinds

    changes = entry.changes
    if not isinstance(changes, dict):
        return change_lines(changes)
    model = _target_model(entry.target_type)
    lines = []
    for key, value in changes.items():
        if key in without:
            continue
        label: Any = AUDIT_FIELDS.get(key)
        choices: dict[Any, Any] = {}
        if model is not None:
            try:
                field = model._meta.get_field(key)
            except FieldDoesNotExist:
                field = None
            if field is not None:
                label = label or getattr(field, "verbose_name", None)
                choices = dict(getattr(field, "flatchoices", None) or [])
                registered = (entry.target_type, key) in _AUDIT_VALUE_READERS
                if field.many_to_one and field.related_model is not None and not registered:
                    value = _related_names(value, field.related_model)
        if key == "kind" and isinstance(value, str) and value in registered_proposal_kinds():
            value = str(proposal_kind(value).label)
        elif key == "what":
            value = audit_page_text(value)
        elif (entry.target_type, key) in _AUDIT_VALUE_READERS:
            value = _AUDIT_VALUE_READERS[(entry.target_type, key)](value)
        if choices:
            value = _choice_labels(value, choices)
        [(_field, text)] = change_lines({key: value})
        lines.append((str(label) if label else _words(key), text))
    return lines


def _related_names(value: Any, model: Any) -> Any:
    """A stored id (or [old, new] ids) of a related record as that record reads ("Sales",
    "Hank Head (E003)"); an id whose record is gone stays a number."""
    ids = value if isinstance(value, list) else [value]
    wanted = [i for i in ids if isinstance(i, int) and not isinstance(i, bool)]
    if not wanted:
        return value
    names = {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=wanted)}
    named = [names.get(i, i) if isinstance(i, int) else i for i in ids]
    return named if isinstance(value, list) else named[0]


def _choice_labels(value: Any, choices: dict[Any, Any]) -> Any:
    if isinstance(value, list):
        return [_choice_labels(item, choices) for item in value]
    return str(choices[value]) if isinstance(value, str) and value in choices else value
