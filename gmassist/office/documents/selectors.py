"""Reads of documents awaiting approval, always scoped to the reader: a document is seen by its
author, the approvers on its route, their deputies while they act, and the GM's office."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from gmassist.core.choices import Action
from gmassist.core.selectors import deputy_principals
from gmassist.office.documents.choices import DocumentStatus, StepStatus
from gmassist.office.documents.models import Document, DocumentStep, DocumentVersion

_PAY = ("base_pay", "custom")


def _people_deferred(*paths: str) -> list[str]:
    """The pay columns under the employee records of `paths`: names are shown, pay never."""
    return [f"{path}__employee__{column}" for path in paths for column in _PAY]


def documents_visible(*, user: Any, on: dt.date | None = None) -> QuerySet[Document]:
    """The documents `user` may see, newest first: through the rule (their own, the ones on
    whose route they are, all for the GM's office) and, while they are someone's deputy on the
    day `on` (default today), the documents on their principals' routes. Each once."""
    own = Document.objects.all().restrict_q(user, Action.VIEW)
    principals = deputy_principals(user, on=on)
    if principals and own != Q():
        acting = Q(
            pk__in=DocumentStep.objects.filter(approver__in=principals).values("document_id")
        )
        qs = Document.objects.filter(acting if own is None else own | acting)
        qs = qs.scoped_by_selector(user, Action.VIEW)
    else:
        qs = Document.objects.restrict(user, Action.VIEW)
    return qs.select_related("author__employee", "department", "about_employee").defer(
        *_people_deferred("author"), "about_employee__base_pay", "about_employee__custom"
    )


def document_with_route(*, user: Any, pk: int) -> Document | None:
    """One document `user` may see, with its versions (newest first) and every step of every
    version with its approver and decider; None when it does not exist or is out of reach."""
    steps = (
        DocumentStep.objects.select_related("approver__employee", "decided_by__employee")
        .defer(*_people_deferred("approver", "decided_by"))
        .order_by("order")
    )
    versions = (
        DocumentVersion.objects.select_related("created_by__employee")
        .defer(*_people_deferred("created_by"))
        .prefetch_related(Prefetch("steps", queryset=steps))
        .order_by("-number")
    )
    return (
        documents_visible(user=user)
        .prefetch_related(Prefetch("versions", queryset=versions))
        .filter(pk=pk)
        .first()
    )


def current_version(document: Document) -> DocumentVersion | None:
    """The document's latest version (from its prefetched versions when there are)."""
    cache = getattr(document, "_prefetched_objects_cache", {})
    if "versions" in cache:
        versions = cache["versions"]
        return max(versions, key=lambda v: v.number) if versions else None
    return document.versions.order_by("-number").first()


def steps_awaiting(*, user: Any, on: dt.date | None = None) -> QuerySet[DocumentStep]:
    """The open steps waiting for `user`'s decision, the longest waiting first: their own,
    and those of the principals they act for as deputy on the day `on` (default today). Not
    the steps of a document they wrote or that is about them: nobody decides their own case."""
    if getattr(user, "pk", None) is None or not getattr(user, "is_authenticated", False):
        return DocumentStep.objects.none()
    deciders = [user.pk, *(principal.pk for principal in deputy_principals(user, on=on))]
    steps = DocumentStep.objects.filter(
        status=StepStatus.OPEN,
        approver_id__in=deciders,
        document__status=DocumentStatus.IN_REVIEW,
    ).exclude(document__author_id=user.pk)
    if user.employee_id is not None:
        steps = steps.exclude(document__about_employee_id=user.employee_id)
    return (
        steps.select_related(
            "document__author__employee", "approver__employee", "version", "document__department"
        )
        .defer(*_people_deferred("document__author", "approver"))
        .order_by("opened_at", "id")
    )


def documents_awaiting(*, user: Any, on: dt.date | None = None) -> QuerySet[Document]:
    """The documents waiting for `user`'s decision (their own turn or a principal's), the
    longest waiting first (each once)."""
    waiting = steps_awaiting(user=user, on=on)
    ids = waiting.values("document_id")
    return documents_visible(user=user, on=on).filter(pk__in=ids).order_by("submitted_at", "id")


def documents_written_by(*, user: Any) -> QuerySet[Document]:
    """The documents `user` wrote, newest first."""
    return documents_visible(user=user).filter(author_id=getattr(user, "pk", None))


def documents_in_flight(*, user: Any) -> QuerySet[Document]:
    """The documents `user` may see that are on their way: in review or back with their author
    for changes, the oldest sent first."""
    return (
        documents_visible(user=user)
        .filter(status__in=[DocumentStatus.IN_REVIEW, DocumentStatus.CHANGES_REQUESTED])
        .order_by("submitted_at", "id")
    )


def documents_archived(*, user: Any, search: str = "") -> QuerySet[Document]:
    """The approved documents `user` may see, kept with their approval record; the latest
    archived first; `search` a part of the title."""
    qs = documents_visible(user=user).filter(archived_at__isnull=False)
    if search.strip():
        qs = qs.filter(title__icontains=search.strip())
    return qs.order_by("-archived_at", "-id")


def documents_listed(
    *, user: Any, show: str = "", search: str = "", kind: str = "", status: str = ""
) -> QuerySet[Document]:
    """The documents list as `user` may see it: `show` "awaiting" (their decision, as approver
    or deputy), "mine" (written by them), "in_flight" (in review or back for changes),
    "archive" (approved) or anything else (all they may see); `search` a part of the title;
    `kind`, `status` one value each."""
    qs = {
        "awaiting": lambda: documents_awaiting(user=user),
        "mine": lambda: documents_written_by(user=user),
        "in_flight": lambda: documents_in_flight(user=user),
        "archive": lambda: documents_archived(user=user),
    }.get(show, lambda: documents_visible(user=user))()
    if search.strip():
        qs = qs.filter(title__icontains=search.strip())
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs
