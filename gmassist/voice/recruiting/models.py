"""Recruiting contacts: agencies and headhunters, the open requisitions shared with them, and the
candidates they (or other sources) bring.

The whole of it is the "recruiting" permission domain: the GM, the assistant and HR see
everything; a department head the requisitions of their subtree and their candidates; nobody
else anything (candidates' names and contacts are personal data). The models belong to the
voice app (label `voice`, tables `voice_*`): `gmassist/voice/models.py` imports them.
"""

from __future__ import annotations

import functools
import operator
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gmassist.core.models import BaseModel
from gmassist.core.permissions import Domain, RestrictedQuerySet, Scope
from gmassist.voice.recruiting.choices import (
    AgencyKind,
    AgencyStatus,
    CandidateSource,
    CandidateStage,
    RequisitionReason,
    RequisitionStatus,
    Urgency,
)


class RecruitingAgency(BaseModel):
    """A recruiting agency or headhunter: who to call, what they are good at, their terms."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=12, choices=AgencyKind.choices, default=AgencyKind.AGENCY
    )
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    specialities = models.JSONField(
        _("specialities"),
        default=list,
        blank=True,
        help_text=_("Job families and skills the agency recruits for, e.g. Engineering, Sales."),
    )
    regions = models.JSONField(_("regions"), default=list, blank=True)
    fee_percent = models.DecimalField(
        # a percent sign, not a placeholder: xgettext:no-python-format
        _("fee (% of annual pay)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
    )
    guarantee_days = models.PositiveSmallIntegerField(
        _("guarantee period (days)"),
        default=90,
        help_text=_("A hire who leaves within this many days of starting is a guarantee breach."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AgencyStatus.choices, default=AgencyStatus.ACTIVE
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.RECRUITING)

    class Meta:
        ordering = ["name"]
        verbose_name = _("recruiting agency")
        verbose_name_plural = _("recruiting agencies")
        constraints = [
            models.UniqueConstraint(fields=["name"], name="voice_agency_name_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="voice_agency_name_not_empty"),
            models.CheckConstraint(
                condition=Q(kind__in=AgencyKind.values), name="voice_agency_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AgencyStatus.values), name="voice_agency_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(fee_percent__gte=0, fee_percent__lte=100),
                name="voice_agency_fee_percent_range",
                violation_error_message=_("The fee is a percentage from 0 to 100."),
            ),
            models.CheckConstraint(
                condition=Q(guarantee_days__lte=730),
                name="voice_agency_guarantee_at_most_two_years",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Requisition(BaseModel):
    """An open position to fill: which position, where, how many, how urgent, by when, why."""

    code = models.CharField(_("code"), max_length=40)
    position = models.ForeignKey(
        "org.Position",
        verbose_name=_("position"),
        on_delete=models.PROTECT,
        related_name="requisitions",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="requisitions",
    )
    headcount = models.PositiveSmallIntegerField(_("count"), default=1)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    target_date = models.DateField(_("target date"))
    reason = models.CharField(
        _("reason"),
        max_length=12,
        choices=RequisitionReason.choices,
        default=RequisitionReason.REPLACEMENT,
    )
    reason_note = models.TextField(_("reason in words"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RequisitionStatus.choices,
        default=RequisitionStatus.OPEN,
    )
    opened_on = models.DateField(_("opened"))
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.RECRUITING, department="department", user="opened_by")

    class Meta:
        ordering = ["-opened_on", "code"]
        verbose_name = _("requisition")
        verbose_name_plural = _("requisitions")
        indexes = [models.Index(fields=["status", "target_date"], name="voice_req_status_target")]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="voice_requisition_code_unique"),
            models.CheckConstraint(condition=~Q(code=""), name="voice_requisition_code_not_empty"),
            models.CheckConstraint(
                condition=Q(headcount__gte=1),
                name="voice_requisition_headcount_positive",
                violation_error_message=_("A requisition is for at least one person."),
            ),
            models.CheckConstraint(
                condition=Q(urgency__in=Urgency.values), name="voice_requisition_urgency_valid"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=RequisitionReason.values),
                name="voice_requisition_reason_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RequisitionStatus.values),
                name="voice_requisition_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=RequisitionStatus.OPEN, closed_on__isnull=True)
                | (~Q(status=RequisitionStatus.OPEN) & Q(closed_on__isnull=False)),
                name="voice_requisition_closed_iff_not_open",
                violation_error_message=_("A filled or cancelled requisition has a closing date."),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="voice_requisition_closed_after_opened",
            ),
            models.CheckConstraint(
                condition=Q(target_date__gte=models.F("opened_on")),
                name="voice_requisition_target_after_opened",
                violation_error_message=_("The target date cannot be before the opening date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.position.title}"


class RequisitionShare(BaseModel):
    """A requisition sent to an agency, and the day it was sent."""

    requisition = models.ForeignKey(
        Requisition, verbose_name=_("requisition"), on_delete=models.CASCADE, related_name="shares"
    )
    agency = models.ForeignKey(
        RecruitingAgency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="shares",
    )
    shared_on = models.DateField(_("shared"))
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shared by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(
        domain=Domain.RECRUITING,
        department="requisition__department",
        user="requisition__opened_by",
    )

    class Meta:
        ordering = ["requisition", "shared_on", "agency"]
        constraints = [
            models.UniqueConstraint(
                fields=["requisition", "agency"], name="voice_share_once_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.requisition_id} -> {self.agency_id} ({self.shared_on})"


# the date field of each candidate stage
STAGE_DATE_FIELDS = {stage: f"{stage}_on" for stage in CandidateStage.values}


class Candidate(BaseModel):
    """A person considered for a requisition: where they came from and how far they got, with
    the day they reached each stage. Names and contacts are personal data."""

    requisition = models.ForeignKey(
        Requisition,
        verbose_name=_("requisition"),
        on_delete=models.CASCADE,
        related_name="candidates",
    )
    full_name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    source = models.CharField(
        _("source"), max_length=12, choices=CandidateSource.choices, default=CandidateSource.AGENCY
    )
    agency = models.ForeignKey(
        RecruitingAgency,
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="candidates",
    )
    stage = models.CharField(
        _("stage"), max_length=10, choices=CandidateStage.choices, default=CandidateStage.APPLIED
    )
    applied_on = models.DateField(_("applied"))
    screening_on = models.DateField(_("screening"), null=True, blank=True)
    interview_on = models.DateField(_("interview"), null=True, blank=True)
    offer_on = models.DateField(_("offer"), null=True, blank=True)
    hired_on = models.DateField(_("hired"), null=True, blank=True)
    rejected_on = models.DateField(_("rejected"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn"), null=True, blank=True)
    hired_employee = models.ForeignKey(
        "org.Employee",
        verbose_name=_("hired as employee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(
        domain=Domain.RECRUITING,
        department="requisition__department",
        user="requisition__opened_by",
    )

    class Meta:
        ordering = ["requisition", "applied_on", "full_name"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        indexes = [models.Index(fields=["agency", "stage"], name="voice_cand_agency_stage")]
        constraints = [
            models.UniqueConstraint(
                fields=["requisition", "full_name"], name="voice_candidate_once_per_requisition"
            ),
            models.CheckConstraint(
                condition=~Q(full_name=""), name="voice_candidate_name_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(source__in=CandidateSource.values), name="voice_candidate_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(stage__in=CandidateStage.values), name="voice_candidate_stage_valid"
            ),
            models.CheckConstraint(
                condition=Q(source=CandidateSource.AGENCY, agency__isnull=False)
                | (~Q(source=CandidateSource.AGENCY) & Q(agency__isnull=True)),
                name="voice_candidate_agency_iff_agency_source",
                violation_error_message=_("A candidate from an agency names the agency."),
            ),
            models.CheckConstraint(
                condition=functools.reduce(
                    operator.or_,
                    (
                        Q(stage=stage, **{f"{field}__isnull": False})
                        for stage, field in STAGE_DATE_FIELDS.items()
                    ),
                ),
                name="voice_candidate_stage_dated",
                violation_error_message=_("The candidate's current stage needs its date."),
            ),
            models.CheckConstraint(
                condition=Q(hired_employee__isnull=True) | Q(stage=CandidateStage.HIRED),
                name="voice_candidate_employee_only_when_hired",
            ),
            models.CheckConstraint(
                condition=Q(hired_on__isnull=True) | Q(hired_on__gte=models.F("applied_on")),
                name="voice_candidate_hired_after_applied",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name
