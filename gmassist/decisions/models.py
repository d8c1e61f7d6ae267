"""The decisions register: decisions with their rationale and audience, each published version,
who must acknowledge them and what the addressees answered."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Role
from gmassist.core.models import BaseModel
from gmassist.core.permissions import Domain, RestrictedQuerySet, Scope
from gmassist.decisions.choices import DecisionStatus, ResponseKind, ResponseTheme


class Decision(BaseModel):
    """A decision of the GM (or of a department head for their subtree), explained to staff.

    `department` is whose decision it is: None for the whole company, else a department, and
    then its audience stays inside that department's subtree. The audience is departments
    (each with everything below it), roles and people; the addressees are the active
    employees it reaches, one `Acknowledgement` each.
    """

    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    rationale = models.TextField(
        _("rationale"), help_text=_("Why, in plain words: what the staff should understand.")
    )
    effective_date = models.DateField(_("effective date"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DecisionStatus.choices,
        default=DecisionStatus.DRAFT,
        db_index=True,
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised by every amendment.")
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("decided for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
        help_text=_("Empty: the whole company."),
    )
    audience_departments = models.ManyToManyField(
        "org.Department",
        verbose_name=_("departments addressed"),
        blank=True,
        related_name="decisions_addressed",
        help_text=_("Each with every department below it."),
    )
    audience_roles = models.JSONField(
        _("roles addressed"), default=list, blank=True, help_text=_("Logins of these roles.")
    )
    audience_people = models.ManyToManyField(
        "org.Employee",
        verbose_name=_("people addressed"),
        blank=True,
        related_name="decisions_addressed",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="decisions_written",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions_published",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    # addressees reach it through their acknowledgement row, authors as its author, heads
    # through the department it is decided for
    restrict_scope = Scope(
        domain=Domain.DECISIONS,
        department="department",
        employee="acknowledgements__employee",
        user="author",
    )

    class Meta:
        ordering = ["-effective_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DecisionStatus.values),
                name="decisions_decision_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(rationale=""),
                name="decisions_decision_rationale_required",
                violation_error_message=_("Explain the decision: the rationale is required."),
            ),
            models.CheckConstraint(
                condition=~Q(title=""),
                name="decisions_decision_title_required",
                violation_error_message=_("A decision needs a title."),
            ),
            models.CheckConstraint(
                condition=Q(status=DecisionStatus.DRAFT) | Q(published_at__isnull=False),
                name="decisions_decision_published_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=DecisionStatus.WITHDRAWN) | ~Q(withdrawal_reason=""),
                name="decisions_decision_withdrawn_has_reason",
                violation_error_message=_("Say why the decision is withdrawn."),
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="decisions_decision_version_from_1"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_live(self) -> bool:
        """Published or amended: in force, to be acknowledged."""
        return self.status in (DecisionStatus.PUBLISHED, DecisionStatus.AMENDED)

    def audience_role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels.get(role, role)) for role in self.audience_roles]


class DecisionVersion(models.Model):
    """One published wording of a decision; every publication and amendment keeps one."""

    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    rationale = models.TextField(_("rationale"))
    effective_date = models.DateField(_("effective date"))
    change_note = models.TextField(_("what changed"), blank=True)
    substantive = models.BooleanField(
        _("changes the substance"),
        default=True,
        help_text=_("Addressees are asked to acknowledge it again."),
    )
    created_at = models.DateTimeField(_("published"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(
        domain=Domain.DECISIONS,
        department="decision__department",
        employee="decision__acknowledgements__employee",
        user="decision__author",
    )

    class Meta:
        ordering = ["decision", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "number"], name="decisions_version_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"


class Acknowledgement(models.Model):
    """One addressee of a published decision: whether and when they acknowledged it.

    `department` is the addressee's department when the decision reached them (for counts by
    department and a head's view of their subtree). When an amendment changes the substance,
    `acknowledged_at` is cleared and `acknowledged_version` keeps the version they had read.
    """

    decision = models.ForeignKey(
        Decision,
        verbose_name=_("decision"),
        on_delete=models.CASCADE,
        related_name="acknowledgements",
    )
    employee = models.ForeignKey(
        "org.Employee",
        verbose_name=_("addressee"),
        on_delete=models.CASCADE,
        related_name="decision_acknowledgements",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # served by the (decision, department) index
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_version = models.PositiveIntegerField(
        _("version acknowledged"), null=True, blank=True
    )
    notified_version = models.PositiveIntegerField(
        _("version notified"), null=True, blank=True, help_text=_("The last version e-mailed.")
    )
    reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)
    reminder_count = models.PositiveIntegerField(_("reminders"), default=0)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.DECISIONS, department="department", employee="employee")

    class Meta:
        ordering = ["decision", "employee"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "employee"], name="decisions_ack_one_per_addressee"
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(acknowledged_version__isnull=False),
                name="decisions_ack_has_version",
            ),
        ]
        indexes = [
            models.Index(fields=["decision", "department"], name="decisions_ack_by_department"),
            models.Index(fields=["employee", "acknowledged_at"], name="decisions_ack_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.decision_id}: {self.employee_id}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class Response(models.Model):
    """A question, objection or support from an addressee, named or anonymous.

    Anonymous means: no author, no department, no time (only the day, `submitted_on`), and a
    random id, so that neither a field nor the order of ids links it to its sender. Every
    response carries only the day, named or not, so that the two kinds cannot be told apart
    by their timing either.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.CASCADE, related_name="responses"
    )
    version = models.PositiveIntegerField(_("version"), help_text=_("The version answered."))
    kind = models.CharField(_("kind"), max_length=10, choices=ResponseKind.choices)
    theme = models.CharField(
        _("theme"), max_length=10, choices=ResponseTheme.choices, default=ResponseTheme.OTHER
    )
    text = models.TextField(_("text"))
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_on = models.DateField(_("date"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_on = models.DateField(_("answered"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(
        domain=Domain.DECISIONS, department="decision__department", user="author"
    )

    class Meta:
        ordering = ["decision", "-submitted_on", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ResponseKind.values), name="decisions_response_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(theme__in=ResponseTheme.values),
                name="decisions_response_theme_valid",
            ),
            models.CheckConstraint(
                condition=~Q(text=""),
                name="decisions_response_text_required",
                violation_error_message=_("Write something."),
            ),
            models.CheckConstraint(
                condition=Q(is_anonymous=False)
                | (Q(author__isnull=True) & Q(department__isnull=True)),
                name="decisions_response_anonymous_has_no_sender",
            ),
            models.CheckConstraint(
                condition=Q(answer="") | Q(kind=ResponseKind.QUESTION),
                name="decisions_response_only_questions_answered",
            ),
        ]
        indexes = [models.Index(fields=["decision", "kind"], name="decisions_response_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"

    @property
    def is_answered(self) -> bool:
        return bool(self.answer)
