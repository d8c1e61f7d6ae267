"""What a task can be made from: a registry of the kinds of record a task may be "about".

A module registers each kind with how to name a record, where its page is and who may see it:

    register_task_subject(
        "voice.feedback",
        title=lambda item: item.subject,
        url=lambda item: reverse("voice:feedback_detail", args=[item.pk]),
        may_see=lambda user, item: ...,
    )

`task_create` refuses a task about a record its creator may not see (the same answer as for a
record that does not exist, so nothing leaks), and keeps the record's title on the task.
The registrations of the existing modules are at the end of this module; the documents part
registers its document itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class TaskSubject:
    """A kind of record a task can be about: `label` is "<app_label.model>" (lower case)."""

    label: str
    title: Callable[[Any], str]
    url: Callable[[Any], str]
    may_see: Callable[[Any, Any], bool]  # (user, record) -> may the user see it


_SUBJECTS: dict[str, TaskSubject] = {}


def register_task_subject(
    label: str,
    *,
    title: Callable[[Any], str],
    url: Callable[[Any], str],
    may_see: Callable[[Any, Any], bool],
) -> TaskSubject:
    """Register (or replace, on a re-import) a kind of record tasks can be made from."""
    subject = TaskSubject(label=label.lower(), title=title, url=url, may_see=may_see)
    _SUBJECTS[subject.label] = subject
    return subject


def registered_task_subjects() -> list[str]:
    """The labels of every kind of record a task can be about, sorted."""
    return sorted(_SUBJECTS)


@dataclass(frozen=True)
class ResolvedSubject:
    """A record a task is about, as the creator sees it."""

    about: str  # "<app_label.model>:<pk>"
    title: str
    url: str
    record: Any


def _not_found(about: str) -> ValidationError:
    return ValidationError({"about": _("No record %(about)s that you may see.") % {"about": about}})


def subject_resolve(*, about: str, user: Any) -> ResolvedSubject:
    """The record `about` ("<app_label.model>:<pk>") names, if `user` may see it.

    Raises ValidationError on `about` when the text is not of that form, names a kind of record
    no module registered, or a record that does not exist or that `user` may not see (these
    last two give the same message)."""
    label, sep, pk = (about or "").strip().partition(":")
    label = label.lower()
    if not sep or not label or not pk:
        raise ValidationError(
            {"about": _("Write what the task is about as <app_label.model>:<id>.")}
        )
    subject = _SUBJECTS.get(label)
    if subject is None:
        raise ValidationError(
            {
                "about": _("A task cannot be made from %(label)s; it can from: %(labels)s.")
                % {"label": label, "labels": ", ".join(registered_task_subjects())}
            }
        )
    model = apps.get_model(label)
    try:
        record = model._default_manager.filter(pk=pk).first()
    except (ValueError, ValidationError, OverflowError):
        record = None
    if record is None or not subject.may_see(user, record):
        raise _not_found(f"{label}:{pk}")
    return ResolvedSubject(
        about=f"{label}:{record.pk}",
        title=str(subject.title(record))[:200],
        url=subject.url(record),
        record=record,
    )


def subject_url(*, about: str) -> str:
    """The page of the record a task is about ("" when the kind is not registered or the
    record is gone). Opening it still goes through that page's own permission rule."""
    label, _sep, pk = about.partition(":")
    subject = _SUBJECTS.get(label)
    if subject is None:
        return ""
    try:
        record = apps.get_model(label)._default_manager.filter(pk=pk).first()
    except (ValueError, ValidationError, OverflowError, LookupError):
        return ""
    return subject.url(record) if record is not None else ""


# --- the existing modules' records -----------------------------------------------------------


def _restricted_has(user: Any, record: Any) -> bool:
    from gmassist.core.choices import Action

    return type(record)._default_manager.restrict(user, Action.VIEW).filter(pk=record.pk).exists()


def _feedback_title(item: Any) -> str:
    return item.subject


def _response_title(response: Any) -> str:
    text = " ".join(response.text.split())
    short = text if len(text) <= 80 else text[:79] + "…"
    return f"{response.decision.title}: {short}"


def _response_may_see(user: Any, response: Any) -> bool:
    from gmassist.decisions import selectors

    decision = selectors.decisions_visible(user=user).filter(pk=response.decision_id).first()
    if decision is None:
        return False
    return (
        selectors.responses_readable(user=user, decision=decision).filter(pk=response.pk).exists()
    )


def _proposal_title(proposal: Any) -> str:
    return proposal.display_title


register_task_subject(
    "voice.feedback",
    title=_feedback_title,
    url=lambda item: reverse("voice:feedback_detail", args=[item.pk]),
    may_see=_restricted_has,
)
register_task_subject(
    "decisions.response",
    title=_response_title,
    url=lambda r: reverse("decisions:detail", args=[r.decision_id]) + "#responses",
    may_see=_response_may_see,
)
register_task_subject(
    "decisions.decision",
    title=lambda d: d.title,
    url=lambda d: reverse("decisions:detail", args=[d.pk]),
    may_see=_restricted_has,
)
register_task_subject(
    "customers.groupcustomer",
    title=lambda c: c.name,
    url=lambda c: reverse("customers:customer", args=[c.pk]),
    may_see=_restricted_has,
)
register_task_subject(
    "org.employee",
    title=lambda e: e.full_name,
    url=lambda e: reverse("org:employee", args=[e.pk]),
    may_see=_restricted_has,
)
register_task_subject(
    "core.proposal",
    title=_proposal_title,
    url=lambda p: reverse("proposal", args=[p.pk]),
    may_see=_restricted_has,
)
register_task_subject(
    "voice.requisition",
    title=str,  # its code and the position's title
    url=lambda r: reverse("voice:requisition_detail", args=[r.pk]),
    may_see=_restricted_has,
)
