"""Documents awaiting approval: the document, its versions (an uploaded PDF or DOCX, or written
text) and the route of approvers each version goes through."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gmassist.core.models import BaseModel
from gmassist.core.permissions import Domain, RestrictedQuerySet, Scope
from gmassist.office.documents.choices import DocumentKind, DocumentStatus, Routing, StepStatus


class DocumentQuerySet(RestrictedQuerySet):
    """Documents through the rule, once each: the approvers are reached through the steps
    (one per approver and version), so that part of the rule is a subquery, not a join that
    would repeat a document once per step."""

    def restrict_q(self, actor: Any, action: str) -> Q | None:
        q = super().restrict_q(actor, action)
        if not q:  # None (nothing) or Q() (everything)
            return q
        return Q(pk__in=Document.objects.filter(q).values("pk"))


class Document(BaseModel):
    """A document on its way to approval: who wrote it, what it is, how it is routed."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=12, choices=DocumentKind.choices, default=DocumentKind.MEMO
    )
    summary = models.TextField(_("summary"), blank=True, max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="documents_written",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DocumentStatus.choices,
        default=DocumentStatus.DRAFT,
        db_index=True,
    )
    routing = models.CharField(
        pgettext_lazy("approval", "route"),
        max_length=10,
        choices=Routing.choices,
        default=Routing.SEQUENCE,
    )
    # in parallel: how many approvals approve it (None: all of them); in sequence: all
    min_approvals = models.PositiveSmallIntegerField(_("approvals needed"), null=True, blank=True)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    # a document about one person (their contract, their appraisal): that person never decides
    about_employee = models.ForeignKey(
        "org.Employee",
        verbose_name=_("about"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents_about",
    )
    submitted_at = models.DateTimeField(_("sent for approval"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # set when approved: from then on the document is read-only, kept with its approval record
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True, db_index=True)

    objects = DocumentQuerySet.as_manager()
    restrict_scope = Scope(
        domain=Domain.OFFICE_DOCUMENTS,
        department="department",
        user=("author", "steps__approver"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DocumentStatus.values),
                name="office_document_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DocumentKind.values), name="office_document_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(routing__in=Routing.values), name="office_document_routing_valid"
            ),
            models.CheckConstraint(
                condition=Q(min_approvals__isnull=True) | Q(min_approvals__gte=1),
                name="office_document_min_approvals_positive",
            ),
            models.CheckConstraint(
                condition=Q(archived_at__isnull=True) | Q(status=DocumentStatus.APPROVED),
                name="office_document_archived_when_approved",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("office:document_detail", args=[self.pk])

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


def _version_file_path(version: DocumentVersion, filename: str) -> str:
    """Where a version's file is stored: a random name below MEDIA_ROOT (which the web server
    does not serve); the file's own name is kept apart and never used as a path."""
    return f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class DocumentVersion(BaseModel):
    """One version of a document: an uploaded PDF or DOCX, or text written here."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=_version_file_path, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_size = models.PositiveIntegerField(_("file size (bytes)"), default=0)
    file_kind = models.CharField(_("file type"), max_length=8, blank=True)  # "pdf", "docx"
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    text = models.TextField(_("text"), blank=True)
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="office_document_version_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="office_document_version_number_positive"
            ),
            models.CheckConstraint(
                condition=~Q(file="") | ~Q(text=""), name="office_document_version_has_content"
            ),
            models.CheckConstraint(
                condition=Q(file="", file_kind="") | Q(file_kind__in=["pdf", "docx"]),
                name="office_document_version_file_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    @property
    def is_file(self) -> bool:
        return bool(self.file)


class DocumentStep(BaseModel):
    """One approver's step on the route of one version: their turn, their decision, and who
    took it (the approver, or their deputy on their behalf)."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="steps"
    )
    version = models.ForeignKey(
        DocumentVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        on_delete=models.PROTECT,
        related_name="document_steps",
    )
    status = models.CharField(
        _("state"), max_length=10, choices=StepStatus.choices, default=StepStatus.WAITING
    )
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # who decided: the approver, or the approver's deputy acting on their behalf
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("waiting since"), null=True, blank=True)

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        indexes = [
            models.Index(fields=["approver", "status"], name="office_docstep_approver_open"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "order"], name="office_document_step_unique_order"
            ),
            models.UniqueConstraint(
                fields=["version", "approver"], name="office_document_step_unique_approver"
            ),
            models.CheckConstraint(
                condition=Q(status__in=StepStatus.values), name="office_document_step_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["waiting", "open", "skipped"])
                | (Q(decided_at__isnull=False) & Q(decided_by__isnull=False)),
                name="office_document_step_decided_whole",
            ),
            models.CheckConstraint(
                condition=Q(order__gte=1), name="office_document_step_order_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} step {self.order}: {self.approver} ({self.status})"

    @property
    def on_behalf(self) -> bool:
        """True when a deputy decided this step for its approver."""
        return self.decided_by_id is not None and self.decided_by_id != self.approver_id
