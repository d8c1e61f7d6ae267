"""Core tables: users and roles, the audit log, proposals, jobs and the company's own settings."""

from __future__ import annotations

import functools
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import AuditAction, JobStatus, ProposalStatus, Role
from gmassist.core.permissions import SYSTEM, Domain, RestrictedQuerySet, Scope, scope_filter


class BaseModel(models.Model):
    """Adds creation and update times to every table."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class User(AbstractUser):
    """A person who logs in, with one role and, usually, the employee record they are."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.EMPLOYEE)
    employee = models.OneToOneField(
        "org.Employee",
        verbose_name=_("employee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )
    language = models.CharField(_("language"), max_length=10, blank=True)

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="core_user_role_valid")
        ]

    def __str__(self) -> str:
        # The employee record writes names as people write them ("蒋慧", "Grace Hopper"); Django's
        # first + last would turn a Chinese name around.
        if self.employee_id is not None and self.employee is not None:
            return self.employee.full_name
        return self.get_full_name() or self.username


class Company(BaseModel):
    """The company this installation serves: one row, with settings the GM owns."""

    name = models.CharField(_("name"), max_length=200, default="")
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    hr_approval_limit = models.DecimalField(
        _("HR approval limit"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("20000"),
        help_text=_("HR may approve people proposals whose yearly cost is below this amount."),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    demo_tier = models.CharField(max_length=1, blank=True)
    demo_seed = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name or "Company"

    @classmethod
    def get(cls) -> Company:
        """The single company row, created with defaults on first use."""
        company, _created = cls.objects.get_or_create(pk=1)
        return company


class AuditEntry(models.Model):
    """One write, decision or read of someone else's pay: who, when, what."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    target_type = models.CharField(_("target type"), max_length=60)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_repr = models.CharField(_("target"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.AUDIT)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="core_audit_target")]
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_repr}"


class ProposalQuerySet(RestrictedQuerySet):
    """Proposals are reached through their kind's domain: HR, who has no business with
    customers, sees no re-tiering, however it is listed."""

    def restrict_q(self, actor: Any, action: str) -> Q | None:
        from gmassist.core.proposals import kinds_by_domain

        if actor is SYSTEM:
            return Q()
        scope: Scope = self.model.restrict_scope
        q = None
        for domain, kinds in kinds_by_domain().items():
            reached = scope_filter(actor, replace(scope, domain=domain), action)
            if reached is None:
                continue
            part = Q(kind__in=kinds) & reached
            q = part if q is None else q | part
        return q


class Proposal(BaseModel):
    """A prepared action that changes nothing until a person allowed to approves it."""

    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    payload = models.JSONField(_("payload"), encoder=DjangoJSONEncoder)
    rationale = models.TextField(_("rationale"))
    evidence = models.JSONField(_("evidence"), default=list, blank=True, encoder=DjangoJSONEncoder)
    cost = models.DecimalField(
        _("yearly cost"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        help_text=_("In the company's currency per year; one-time costs count in full."),
    )
    expected_effect = models.TextField(_("expected effect"), blank=True)
    # the generated texts as template and params ({"rationale": {...}, "expected_effect":
    # {...}}, lib.phrases.Phrase's stored form), shown in the reader's language; rationale and
    # expected_effect keep the English (what old rows and people's own texts hold)
    texts = models.JSONField(_("texts"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ProposalStatus.choices,
        default=ProposalStatus.OPEN,
        db_index=True,
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
    )
    subject_employee = models.ForeignKey(
        "org.Employee",
        verbose_name=_("about"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="proposals_made",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals_decided",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_comment = models.TextField(_("comment"), blank=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    # the day an approved proposal takes effect (its kind's `takes_effect`): a scheduled one
    # is applied on that day
    effective_on = models.DateField(_("takes effect on"), null=True, blank=True, db_index=True)
    result = models.JSONField(_("result"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    # A proposal about the GM (their pay, their promotion) is decided outside the application,
    # e.g. by the board; who decided it there, on which day, and the reference of the minutes
    # are recorded here. decided_by is then the user who recorded it.
    outside_decided_by = models.CharField(_("decided outside by"), max_length=200, blank=True)
    outside_decided_on = models.DateField(_("decided outside on"), null=True, blank=True)
    outside_reference = models.CharField(_("reference"), max_length=200, blank=True)

    objects = ProposalQuerySet.as_manager()
    # the paths of every proposal; the domain is its kind's (ProposalKind.domain, see
    # ProposalQuerySet): PEOPLE here is what the proposals pages are listed under
    restrict_scope = Scope(
        domain=Domain.PEOPLE, department="department", employee="", user="proposed_by"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ProposalStatus.values),
                name="core_proposal_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(cost__gte=0), name="core_proposal_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(status=ProposalStatus.OPEN) | Q(decided_at__isnull=False),
                name="core_proposal_decided_has_time",
            ),
            # an outside decision is recorded whole: who, when and the reference
            models.CheckConstraint(
                condition=(
                    Q(outside_decided_on__isnull=True, outside_decided_by="", outside_reference="")
                    | (
                        Q(outside_decided_on__isnull=False)
                        & ~Q(outside_decided_by="")
                        & ~Q(outside_reference="")
                    )
                ),
                name="core_proposal_outside_decision_whole",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        """The title in the reader's language when its kind can say it, else as stored."""
        from gmassist.core.proposals import proposal_kind

        try:
            describe = proposal_kind(self.kind).describe
        except KeyError:
            return self.title
        return describe(self) if describe is not None else self.title

    @property
    def display_rationale(self) -> str:
        """The rationale in the reader's language when it was generated, else as written."""
        from gmassist.core.presenters import stored_text

        return stored_text((self.texts or {}).get("rationale"), self.rationale)

    @property
    def display_expected_effect(self) -> str:
        """The expected effect in the reader's language when generated, else as written."""
        from gmassist.core.presenters import stored_text

        return stored_text((self.texts or {}).get("expected_effect"), self.expected_effect)

    @property
    def decided_outside(self) -> bool:
        """True when the decision was taken outside the application and recorded here."""
        return self.outside_decided_on is not None

    @property
    def detail_template(self) -> str:
        """The template that shows this kind's payload on the proposal's page, or "".

        By convention: kind "<app>.<name>" may have "<app>/proposal_<name>.html" (e.g. the
        moves of a customers.reassign in customers/proposal_reassign.html).
        """
        return proposal_detail_template(self.kind)


@functools.cache
def proposal_detail_template(kind: str) -> str:
    """`Proposal.detail_template` of `kind`, looked up once per kind and process."""
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    app, _dot, name = kind.partition(".")
    if not name:
        return ""
    template = f"{app}/proposal_{name}.html"
    try:
        get_template(template)
    except TemplateDoesNotExist:
        return ""
    return template


class Job(BaseModel):
    """A piece of long work with its progress (0-100 and a message) and its result."""

    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    status = models.CharField(
        _("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # While it runs, a job's worker writes the time here every few seconds (core.jobs); a job
    # whose heartbeat stopped lost its worker and is queued again or failed.
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    # How many times a worker has started the job; also the token a worker holds the job by,
    # so that a worker that lost the job cannot write over the one that took it over.
    attempts = models.PositiveSmallIntegerField(_("tries"), default=0)
    worker = models.CharField(_("worker"), max_length=100, blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.JOBS, user="created_by")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="core_job_progress_0_100",
            ),
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values),
                name="core_job_status_valid",
            ),
        ]
        indexes = [
            # the workers' two questions: the oldest queued job, the running ones gone quiet
            models.Index(fields=["status", "created_at"], name="core_job_status_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class ImportMapping(BaseModel):
    """A saved column mapping (TOML text) for files from one source, per entity."""

    name = models.CharField(_("name"), max_length=100)
    entity = models.CharField(_("entity"), max_length=40)
    toml = models.TextField(_("mapping (TOML)"))

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.CATALOGUE)

    class Meta:
        ordering = ["entity", "name"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "name"], name="core_mapping_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.entity}: {self.name}"


class ApiToken(BaseModel):
    """A personal API token: only its SHA-256 digest is stored; the key is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=12, help_text=_("shown to recognise it"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.TOKENS, user="user")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


def _note_file_path(note: Note, filename: str) -> str:
    """Where an attachment is stored: a random name (the file's own name is kept apart and
    never used as a path), below MEDIA_ROOT, which the web server does not serve."""
    import uuid

    return f"notes/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Note(BaseModel):
    """A note on a record (an employee, a customer), with an optional attachment."""

    target_type = models.CharField(_("record type"), max_length=60)
    target_id = models.CharField(_("record id"), max_length=64)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("note"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to=_note_file_path, blank=True)
    attachment_name = models.CharField(_("file name"), max_length=200, blank=True)
    attachment_size = models.PositiveIntegerField(_("file size (bytes)"), default=0)
    # an attachment that holds pay (a payslip, an offer letter) follows the pay rule: only who
    # may read the person's pay opens it, and each opening is audited as a read of pay
    holds_pay = models.BooleanField(_("holds pay"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="core_note_target")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(body="") | ~models.Q(attachment=""),
                name="core_note_has_content",
            )
        ]

    def __str__(self) -> str:
        return f"{self.target_type}#{self.target_id}: {self.attachment_name or self.body[:40]}"


class SavedViewQuerySet(RestrictedQuerySet):
    """Saved views: each user's own, and those shared with their role. The GM also reaches
    every shared view to change it (to rename or remove what is shared), never another user's
    private one (see POLICY[Domain.SAVED_VIEWS])."""

    def restrict_q(self, actor: Any, action: str) -> Q | None:
        from gmassist.core.choices import Action
        from gmassist.core.permissions import user_role

        if actor is SYSTEM:
            return Q()
        own = scope_filter(actor, self.model.restrict_scope, action)
        role = user_role(actor)
        if own is None or role is None:
            return None
        if role == Role.GM:
            return own | ~Q(shared_with_role="")
        if action == Action.VIEW:
            return own | Q(shared_with_role=role)
        return own


class SavedView(BaseModel):
    """A list page's filters, sort, grouping and columns saved under a name by one user,
    private or shared with a role."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="saved_views",
    )
    page = models.CharField(
        _("page"), max_length=60, help_text=_("The list page it belongs to, e.g. org.directory.")
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.JSONField(
        _("query"),
        default=dict,
        blank=True,
        help_text=_("The page's address parameters: each name with its list of values."),
    )
    shared_with_role = models.CharField(
        _("shared with"),
        max_length=20,
        choices=Role.choices,
        blank=True,
        help_text=_("Empty: only its owner uses it."),
    )

    objects = SavedViewQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.SAVED_VIEWS, user="owner")

    class Meta:
        ordering = ["page", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "page", "name"], name="core_saved_view_unique_name"
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="core_saved_view_named",
                violation_error_message=_("A saved view needs a name."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.page}: {self.name}"


class ApprovalDeputy(BaseModel):
    """A deputy who decides in a principal's place from `starts_on` to `ends_on` (both
    included, company dates): the proposals and documents that wait for the principal."""

    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("away"),
        on_delete=models.CASCADE,
        related_name="deputies_named",
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deputy"),
        on_delete=models.CASCADE,
        related_name="deputyships",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("named by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # set when the deputyship is ended before its last day (the principal came back early);
    # from then on it covers no day
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.DEPUTIES, user=("principal", "deputy"))

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("deputyship")
        verbose_name_plural = _("deputyships")
        indexes = [
            models.Index(fields=["deputy", "starts_on", "ends_on"], name="core_deputy_acting"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="core_deputy_dates_in_order",
            ),
            models.CheckConstraint(
                condition=~Q(principal=models.F("deputy")),
                name="core_deputy_not_principal",
            ),
        ]

    def __str__(self) -> str:
        # stored as the audit entries' target, read in either language
        return f"{self.principal} → {self.deputy}, {self.starts_on} – {self.ends_on}"

    def covers(self, day: Any) -> bool:
        """True when the deputy acts for the principal on `day` (a date)."""
        return self.ended_at is None and self.starts_on <= day <= self.ends_on
