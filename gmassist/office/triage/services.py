"""Writes of the triage: a matter comes in and gets the assistant's proposal, the GM decides,
the GM edits the rules; feedback to the GM comes in as matters.

Keyword-only, one transaction each, audited. Who may: typing a matter in is the office_triage
domain's change action (the GM and the assistant); deciding a matter and editing the rules its
approve action (the GM: "the assistant prepares, a person decides"). Nobody decides a matter
that came from their own feedback.

The proposal (`engine.propose`): the first active rule with a phrase in the matter, else the
company's classifier, trained on the shipped seed examples and each decided matter's latest
decision, cached for the process by (seed file, count and highest id of the decisions) read
from the database, so every web process retrains after a decision. A proposal to delegate
names an owner: the rule's, else the head of the department the matter is about, else nobody
(the GM chooses).
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gmassist.core.choices import Action, AuditAction
from gmassist.core.models import User
from gmassist.core.permissions import SYSTEM, Domain, may
from gmassist.core.services import audit_record
from gmassist.office.triage import engine, selectors
from gmassist.office.triage.choices import Category, MatterStatus, Route, Source
from gmassist.office.triage.models import Matter, TriageDecision, TriageRule
from gmassist.org.models import Department

MAX_TITLE = 200
MAX_TEXT = 20_000
MAX_NOTE = 500
MAX_PHRASE = 80
MAX_PHRASES = 40
# Feedback to the GM older than this many days does not come into the triage: on a first run
# (or after a long pause) the older items were already read in voice, where the GM owns them.
INTAKE_DAYS = 14
# A proposal's reasons name the next likeliest category when its probability is at least this.
RUNNER_UP_AT_LEAST = 0.1


def unsure_below() -> float:
    """The confidence (0-1) under which a proposal is unsure
    (GMASSIST_TRIAGE_UNSURE_BELOW_PERCENT / 100)."""
    return settings.TRIAGE_UNSURE_BELOW_PERCENT / 100


_CLASSIFIER: dict[tuple, engine.TriageClassifier] = {}
_CLASSIFIER_LOCK = threading.Lock()


def company_classifier(examples: Path = engine.SEED_EXAMPLES) -> engine.TriageClassifier:
    """The classifier trained on the seed examples and the GM's decisions (each decided
    matter's latest category, weighed engine.DECISION_WEIGHT); trained once per process and
    again when a decision is made (well under a second for the seed set)."""
    key = (
        str(examples),
        examples.stat().st_mtime_ns if examples.exists() else 0,
        *selectors.decisions_version(),
    )
    with _CLASSIFIER_LOCK:
        classifier = _CLASSIFIER.get(key)
        if classifier is None:
            learnt = [
                engine.Example(
                    text=text, category=category, language=language, weight=engine.DECISION_WEIGHT
                )
                for text, language, category in selectors.decisions_learnt()
            ]
            classifier = engine.TriageClassifier([*engine.load_examples(examples), *learnt])
            _CLASSIFIER.clear()  # one company, one current model
            _CLASSIFIER[key] = classifier
        return classifier


def _engine_rules() -> list[engine.Rule]:
    return [
        engine.Rule(
            id=rule.pk,
            phrases=tuple(rule.phrases),
            category=rule.category,
            route=rule.route,
            owner=rule.owner_id,
        )
        for rule in selectors.rules_active()
    ]


def matter_text(matter: Matter) -> str:
    """What the engine reads of a matter (and learns from, once it is decided)."""
    return f"{matter.title}\n{matter.text}".strip()


def _reasons(proposal: engine.Proposal) -> list[dict[str, Any]]:
    """The proposal's reasons as data (presenters.proposal_reasons words them)."""
    if proposal.rule is not None:
        return [
            {
                "kind": "rule",
                "rule": proposal.rule,
                "phrase": proposal.phrase,
                "category": proposal.category,
            }
        ]
    reasons: list[dict[str, Any]] = [
        {
            "kind": "classifier",
            "category": proposal.category,
            "confidence": round(proposal.confidence, 4),
        }
    ]
    ranked = sorted(proposal.probabilities.items(), key=lambda item: -item[1])
    # the next likeliest category, when it is a real alternative (10% or more)
    if len(ranked) > 1 and ranked[1][1] >= RUNNER_UP_AT_LEAST:
        runner_up, probability = ranked[1]
        reasons.append(
            {"kind": "runner_up", "category": runner_up, "confidence": round(probability, 4)}
        )
    if proposal.unsure:
        reasons.append({"kind": "unsure", "threshold": unsure_below()})
    return reasons


def _apply_proposal(matter: Matter, proposal: engine.Proposal) -> None:
    matter.proposed_route = proposal.route
    matter.proposed_category = proposal.category
    matter.confidence = round(min(max(proposal.confidence, 0.0), 1.0), 4)
    matter.unsure = proposal.unsure
    matter.proposed_by_rule_id = proposal.rule
    matter.reasons = _reasons(proposal)
    matter.probabilities = {k: round(v, 4) for k, v in proposal.probabilities.items()}
    matter.language = proposal.language
    owner = None
    if proposal.route == Route.DELEGATE:
        if proposal.owner is not None:
            owner = User.objects.filter(pk=proposal.owner, is_active=True).first()
        if owner is None:
            owner = selectors.department_head_user(matter.department)
            if owner is not None:
                matter.reasons.append({"kind": "owner_head", "department": matter.department.name})
        else:
            matter.reasons.append({"kind": "owner_rule"})
    matter.proposed_owner = owner


def _propose(matters: list[Matter]) -> None:
    """Set the proposal of each matter (not saved)."""
    proposals = engine.propose(
        [matter_text(m) for m in matters],
        rules=_engine_rules(),
        classifier=company_classifier(),
        unsure_below=unsure_below(),
    )
    for matter, proposal in zip(matters, proposals, strict=True):
        _apply_proposal(matter, proposal)


def _check_text(value: str, *, field: str, limit: int, required: bool, errors: dict) -> str:
    text = (value or "").strip()
    if required and not text:
        errors[field] = _("This field is required.")
    elif len(text) > limit:
        errors[field] = _("At most %(limit)s characters.") % {"limit": limit}
    elif "\x00" in text:
        errors[field] = _("The text contains a NUL character.")
    return text


def may_submit(user: Any) -> bool:
    """True when `user` may type a matter in (the GM and the assistant)."""
    return may(user, Domain.OFFICE_TRIAGE, Action.CHANGE)


def may_decide(user: Any) -> bool:
    """True when `user` may decide matters and edit the rules (the GM)."""
    return may(user, Domain.OFFICE_TRIAGE, Action.APPROVE)


@transaction.atomic
def matter_submit(
    *,
    by: Any,
    title: str,
    text: str = "",
    source: str = Source.REQUEST,
    source_ref: str = "",
    department: Department | None = None,
    received_at: dt.datetime | None = None,
) -> Matter:
    """Record an incoming matter and its proposal; audited.

    `by` is the GM's office or the system (an intake job); `source` one of Source (a request
    typed in, a document, a finding, feedback to the GM) with the record it came from as
    "<app_label.model>:<pk>" in `source_ref` (a record comes in once: a second submission of
    the same `source_ref` is refused); `department` the department it is about (its head is
    the proposed owner when delegating); `received_at` defaults to now.
    """
    if by is not SYSTEM and not may_submit(by):
        raise PermissionDenied(_("You may not put matters in the GM's triage."))
    errors: dict[str, str] = {}
    title = _check_text(title, field="title", limit=MAX_TITLE, required=True, errors=errors)
    text = _check_text(text, field="text", limit=MAX_TEXT, required=False, errors=errors)
    if source not in Source.values:
        errors["source"] = _("Choose one of: %(values)s.") % {"values": ", ".join(Source.values)}
    source_ref = (source_ref or "").strip()
    if len(source_ref) > 120 or (source_ref and ":" not in source_ref):
        errors["source_ref"] = _('Name the record as "<app_label.model>:<id>".')
    elif source_ref and Matter.objects.filter(source_ref=source_ref).exists():
        errors["source_ref"] = _("This record is already in the triage.")
    if errors:
        raise ValidationError(errors)
    matter = Matter(
        title=title,
        text=text,
        source=source,
        source_ref=source_ref,
        department=department,
        received_at=received_at or timezone.now(),
        submitted_by=None if by is SYSTEM else by,
    )
    _propose([matter])
    matter.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        target=matter,
        target_repr=f"matter {matter.pk}",
        changes={"proposed_route": matter.proposed_route, "category": matter.proposed_category},
    )
    return matter


def _source_author_id(matter: Matter) -> int | None:
    """The user who sent the feedback a matter came from, when named (else None)."""
    if matter.source != Source.FEEDBACK or not matter.source_ref.startswith("voice.feedback:"):
        return None
    from gmassist.voice.feedback.models import Feedback

    pk = matter.source_ref.partition(":")[2]
    return Feedback.objects.filter(pk=pk).values_list("author_id", flat=True).first()


@transaction.atomic
def matter_decide(
    *,
    matter: Matter,
    by: User,
    route: str,
    owner: User | None = None,
    category: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> Matter:
    """The GM decides a matter (or changes an earlier decision): `route` one of Route; `owner`
    required to delegate (ignored otherwise); `category` one of Category, by default the
    proposed one when the route is the proposed one, else the likeliest category of the new
    route. The decision is kept (`TriageDecision`, the classifier learns from it at its next
    training), `accepted` says whether it is the proposal (same route, category and, when
    delegating, owner); audited. A matter delegated becomes a delegated task of its owner
    (`_delegate_matter`). `now` defaults to the current time.
    """
    if not may_decide(by):
        raise PermissionDenied(_("Only the GM decides the triage."))
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    if _source_author_id(matter) == by.pk:
        raise PermissionDenied(_("Nobody decides their own case: this matter is your feedback."))
    errors: dict[str, str] = {}
    if route not in Route.values:
        errors["route"] = _("Choose one of: %(values)s.") % {"values": ", ".join(Route.values)}
    if category and category not in Category.values:
        errors["category"] = _("Choose one of: %(values)s.") % {
            "values": ", ".join(Category.values)
        }
    note = _check_text(note, field="note", limit=MAX_NOTE, required=False, errors=errors)
    if route == Route.DELEGATE:
        if owner is None:
            errors["owner"] = _("Choose who the matter is delegated to.")
        elif not owner.is_active:
            errors["owner"] = _("This person can no longer log in; choose someone else.")
        elif owner.pk == by.pk:
            errors["owner"] = _('To keep the matter yourself, choose "The GM\'s".')
    else:
        owner = None
    if errors:
        raise ValidationError(errors)
    if not category:
        if route == matter.proposed_route:
            category = matter.proposed_category
        else:
            proposal = engine.Proposal(
                route=matter.proposed_route,
                category=matter.proposed_category,
                confidence=matter.confidence,
                probabilities=matter.probabilities or {},
            )
            category = proposal.likeliest_of_route(route)
    accepted = (
        route == matter.proposed_route
        and category == matter.proposed_category
        and (
            route != Route.DELEGATE or (owner is not None and owner.pk == matter.proposed_owner_id)
        )
    )
    if (
        matter.status == MatterStatus.DECIDED
        and matter.route == route
        and matter.category == category
        and matter.owner_id == (owner.pk if owner else None)
    ):
        raise ValidationError({"route": _("The matter is already decided so.")})
    now = now or timezone.now()
    previous = {"route": matter.route, "category": matter.category, "owner": matter.owner_id}
    TriageDecision.objects.create(
        matter=matter,
        route=route,
        category=category,
        owner=owner,
        accepted=accepted,
        decided_by=by,
        decided_at=now,
        note=note,
    )
    matter.status = MatterStatus.DECIDED
    matter.route, matter.category, matter.owner = route, category, owner
    matter.accepted, matter.decided_by, matter.decided_at, matter.note = accepted, by, now, note
    if route == Route.DELEGATE:
        matter.task_ref = _delegate_matter(matter=matter, by=by)
    matter.save()
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target=matter,
        target_repr=f"matter {matter.pk}",
        changes={
            "route": [previous["route"], route],
            "category": [previous["category"], category],
            "owner": [previous["owner"], owner.pk if owner else None],
            "accepted": accepted,
        },
    )
    return matter


def _delegate_matter(*, matter: Matter, by: User) -> str:
    """Make the delegated matter a task of its owner (office.tasks), in the decision's
    transaction, returning the task as "office.task:<pk>"."""
    from gmassist.office.tasks.services import task_create

    task = task_create(
        by=by,
        title=matter.title,
        owner=matter.owner,
        description=matter.text,
        about=matter.about,
    )
    return f"office.task:{task.pk}"


# --- rules ---


def _clean_phrases(values: list[str] | str, *, field: str, errors: dict) -> list[str]:
    if isinstance(values, str):
        values = values.replace("，", ",").replace("\n", ",").split(",")
    phrases: list[str] = []
    for value in values:
        phrase = " ".join(str(value).split())
        if phrase and phrase.lower() not in {p.lower() for p in phrases}:
            phrases.append(phrase)
    if any(len(p) > MAX_PHRASE for p in phrases):
        errors[field] = _("A phrase has at most %(limit)s characters.") % {"limit": MAX_PHRASE}
    elif len(phrases) > MAX_PHRASES:
        errors[field] = _("At most %(limit)s phrases.") % {"limit": MAX_PHRASES}
    return phrases


@transaction.atomic
def rule_save(
    *,
    by: User,
    phrases_en: list[str] | str,
    phrases_zh: list[str] | str,
    category: str,
    route: str,
    owner: User | None = None,
    active: bool = True,
    rule: TriageRule | None = None,
) -> TriageRule:
    """Create a rule (at the end of the order) or change `rule`; audited. Phrases are lists or
    comma-separated text; at least one phrase in either language; a rule that delegates needs
    its owner (ignored otherwise). The waiting matters get their proposal again."""
    if not may_decide(by):
        raise PermissionDenied(_("Only the GM edits the triage rules."))
    errors: dict[str, str] = {}
    english = _clean_phrases(phrases_en, field="phrases_en", errors=errors)
    chinese = _clean_phrases(phrases_zh, field="phrases_zh", errors=errors)
    if not english and not chinese and not errors:
        errors["phrases_en"] = _("Give at least one phrase, in English or in Chinese.")
    if category not in Category.values:
        errors["category"] = _("Choose one of: %(values)s.") % {
            "values": ", ".join(Category.values)
        }
    if route not in Route.values:
        errors["route"] = _("Choose one of: %(values)s.") % {"values": ", ".join(Route.values)}
    if route == Route.DELEGATE and owner is None:
        errors["owner"] = _("A rule that delegates needs its owner.")
    if errors:
        raise ValidationError(errors)
    created = rule is None
    if rule is None:
        last = TriageRule.objects.aggregate(last=Max("position"))["last"]
        rule = TriageRule(position=(last or 0) + 1, created_by=by)
    else:
        rule = TriageRule.objects.select_for_update().get(pk=rule.pk)
    before = {"phrases": rule.phrases, "category": rule.category, "route": rule.route}
    rule.phrases_en, rule.phrases_zh = english, chinese
    rule.category, rule.route, rule.active = category, route, active
    rule.owner = owner if route == Route.DELEGATE else None
    rule.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        target=rule,
        target_repr=f"triage rule {rule.pk}",
        changes={
            "phrases": [before["phrases"], rule.phrases],
            "category": [before["category"], category],
            "route": [before["route"], route],
            "active": active,
        },
    )
    matters_repropose()
    return rule


@transaction.atomic
def rule_delete(*, rule: TriageRule, by: User) -> None:
    """Delete a rule (the matters it proposed keep their reasons); audited."""
    if not may_decide(by):
        raise PermissionDenied(_("Only the GM edits the triage rules."))
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        target=rule,
        target_repr=f"triage rule {rule.pk}",
        changes={"phrases": rule.phrases},
    )
    rule.delete()
    matters_repropose()


@transaction.atomic
def rule_move(*, rule: TriageRule, by: User, up: bool) -> TriageRule:
    """Swap a rule with the one before it (`up`) or after it in the order; audited."""
    if not may_decide(by):
        raise PermissionDenied(_("Only the GM edits the triage rules."))
    ordered = list(TriageRule.objects.select_for_update().order_by("position", "id"))
    index = next(i for i, r in enumerate(ordered) if r.pk == rule.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        raise ValidationError(
            _("The rule is already the first.") if up else _("The rule is already the last.")
        )
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, row in enumerate(ordered, start=1):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target=rule,
        target_repr=f"triage rule {rule.pk}",
        changes={"moved": "up" if up else "down"},
    )
    matters_repropose()
    return ordered[other]


def matters_repropose() -> int:
    """Propose again for every waiting matter (after the rules changed); the number changed."""
    waiting = list(Matter.objects.filter(status=MatterStatus.WAITING).select_related("department"))
    if not waiting:
        return 0
    before = [(m.proposed_route, m.proposed_category, m.proposed_owner_id) for m in waiting]
    _propose(waiting)
    changed = [
        m
        for m, old in zip(waiting, before, strict=True)
        if (m.proposed_route, m.proposed_category, m.proposed_owner_id) != old
    ]
    Matter.objects.bulk_update(
        waiting,
        [
            "proposed_route",
            "proposed_category",
            "proposed_owner",
            "confidence",
            "unsure",
            "proposed_by_rule",
            "reasons",
            "probabilities",
            "language",
        ],
    )
    return len(changed)


# --- intake from the other modules ---


@transaction.atomic
def matters_from_feedback(*, today: dt.date | None = None) -> int:
    """Feedback addressed to the GM comes in as matters: every such item submitted in the
    INTAKE_DAYS days before `today` (default: the local date) that is not in the triage yet.
    Returns how many came in.

    Only finished days come in, all of a day at once, and each matter is dated at the start of
    its item's day: feedback keeps no time finer than a day (voice's anonymity rule), so the
    triage must not say when within the day an item arrived, nor record it as it arrives. Run
    each morning (jobs.py) and by `gmassist office triage --intake`.
    """
    from gmassist.voice.feedback.choices import Addressee
    from gmassist.voice.feedback.models import Feedback

    today = today or timezone.localdate()
    known = set(
        Matter.objects.filter(source_ref__startswith="voice.feedback:").values_list(
            "source_ref", flat=True
        )
    )
    items = [
        item
        for item in Feedback.objects.filter(
            addressed_to=Addressee.GM,
            submitted_on__lt=today,
            submitted_on__gte=today - dt.timedelta(days=INTAKE_DAYS),
        )
        .select_related("department")
        .order_by("submitted_on", "id")
        if f"voice.feedback:{item.pk}" not in known
    ]
    if not items:
        return 0
    zone = timezone.get_current_timezone()
    matters = [
        Matter(
            title=item.subject[:MAX_TITLE],
            text=item.body[:MAX_TEXT],
            source=Source.FEEDBACK,
            source_ref=f"voice.feedback:{item.pk}",
            department=item.department,
            received_at=dt.datetime.combine(item.submitted_on, dt.time(0), tzinfo=zone),
        )
        for item in items
    ]
    _propose(matters)
    Matter.objects.bulk_create(matters)
    audit_record(
        actor=SYSTEM,
        action=AuditAction.IMPORT,
        target_type="office.matter",
        target_repr=f"{len(matters)} feedback item(s) to the GM",
        changes={"count": len(matters)},
    )
    return len(matters)
