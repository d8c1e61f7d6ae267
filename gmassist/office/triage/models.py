"""The triage's tables: incoming matters with the assistant's proposal and the GM's decision,
each decision kept (the classifier learns from them), and the GM's rules.

The models belong to the office app (label `office`, tables `office_*`): office/models.py
imports them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gmassist.core.models import BaseModel
from gmassist.core.permissions import Domain, RestrictedQuerySet, Scope
from gmassist.office.triage.choices import Category, MatterStatus, Route, Source


class Matter(BaseModel):
    """Something that came in to the GM's office, with the assistant's proposal and the GM's
    decision: the GM's, delegated to an owner, or not the company's business."""

    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    language = models.CharField(_("language"), max_length=5, default="en")
    source = models.CharField(_("where from"), max_length=12, choices=Source.choices)
    # the record it came from, "<app_label.model>:<pk>" ("voice.feedback:<uuid>"), "" for none
    source_ref = models.CharField(_("source record"), max_length=120, blank=True)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("about department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received"), db_index=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("typed in by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # the assistant's proposal
    proposed_route = models.CharField(_("proposed route"), max_length=12, choices=Route.choices)
    proposed_category = models.CharField(
        _("proposed category"), max_length=12, choices=Category.choices
    )
    proposed_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # probability (0-1) that the proposed category is right; 1 when one of the GM's rules decided
    confidence = models.FloatField(_("confidence"))
    unsure = models.BooleanField(_("unsure"), default=False)
    proposed_by_rule = models.ForeignKey(
        "office.TriageRule",
        verbose_name=_("rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # the reasons as data, rendered in the reader's language by presenters.proposal_reasons:
    # [{"kind": "rule", "phrase": ..., "category": ...} | {"kind": "classifier", ...} | ...]
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    # the classifier's probability of each category, {category: 0-1}: when the GM changes the
    # route, the decision's category is the likeliest of the new route
    probabilities = models.JSONField(_("probabilities"), default=dict, blank=True)
    # the GM's decision (the latest; each one is kept in TriageDecision)
    status = models.CharField(
        _("status"), max_length=10, choices=MatterStatus.choices, default=MatterStatus.WAITING
    )
    route = models.CharField(_("route"), max_length=12, choices=Route.choices, blank=True)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    accepted = models.BooleanField(_("proposal accepted"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # the delegated task made of it, "office.task:<pk>"; "" until the tasks part makes one
    task_ref = models.CharField(_("delegated task"), max_length=60, blank=True)

    objects = RestrictedQuerySet.as_manager()
    # the GM's office only (core.permissions, office_triage): no other role reaches the domain
    restrict_scope = Scope(domain=Domain.OFFICE_TRIAGE, user="submitted_by")

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        indexes = [models.Index(fields=["status", "received_at"], name="office_matter_waiting")]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=Source.values), name="office_matter_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(proposed_route__in=Route.values),
                name="office_matter_proposed_route_valid",
            ),
            models.CheckConstraint(
                condition=Q(proposed_category__in=Category.values),
                name="office_matter_proposed_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0, confidence__lte=1),
                name="office_matter_confidence_0_1",
            ),
            models.CheckConstraint(
                condition=Q(status__in=MatterStatus.values), name="office_matter_status_valid"
            ),
            # decided: a route, a category, who and when, and whether the proposal was taken;
            # waiting: none of these
            models.CheckConstraint(
                condition=(
                    Q(status=MatterStatus.WAITING, route="", category="", decided_at__isnull=True)
                    & Q(accepted__isnull=True)
                )
                | (
                    Q(status=MatterStatus.DECIDED, route__in=Route.values)
                    & Q(category__in=Category.values, decided_at__isnull=False)
                    & Q(accepted__isnull=False)
                ),
                name="office_matter_decision_whole",
            ),
            models.CheckConstraint(
                condition=~Q(route=Route.DELEGATE) | Q(owner__isnull=False),
                name="office_matter_delegated_has_owner",
                violation_error_message=_("A delegated matter needs its owner."),
            ),
            models.UniqueConstraint(
                fields=["source_ref"],
                condition=~Q(source_ref=""),
                name="office_matter_source_once",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def about(self) -> str:
        """The matter as "<app_label.model>:<pk>", for a task delegated from it."""
        return f"office.matter:{self.pk}"


class TriageDecision(models.Model):
    """One decision of the GM on a matter, never changed: the history of a matter and what
    the classifier learns (each matter's latest decision). The classifier's cache is keyed on
    the count and the highest id of these rows."""

    matter = models.ForeignKey(
        Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="decisions"
    )
    route = models.CharField(_("route"), max_length=12, choices=Route.choices)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted = models.BooleanField(_("proposal accepted"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.OFFICE_TRIAGE, user="decided_by")

    class Meta:
        ordering = ["matter", "decided_at", "id"]
        verbose_name = _("triage decision")
        verbose_name_plural = _("triage decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(route__in=Route.values), name="office_decision_route_valid"
            ),
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="office_decision_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.matter_id}: {self.route}/{self.category}"


class TriageRule(BaseModel):
    """One of the GM's rules: a matter that mentions any of its phrases (English or Chinese)
    gets its category and route (and owner, when it delegates). The first active rule in
    `position` order that matches decides."""

    position = models.PositiveIntegerField(_("order"))
    phrases_en = models.JSONField(_("English phrases"), default=list, blank=True)
    phrases_zh = models.JSONField(_("Chinese phrases"), default=list, blank=True)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    route = models.CharField(_("route"), max_length=12, choices=Route.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.OFFICE_TRIAGE, user="created_by")

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("triage rule")
        verbose_name_plural = _("triage rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="office_rule_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(route__in=Route.values), name="office_rule_route_valid"
            ),
            models.CheckConstraint(
                condition=~Q(route=Route.DELEGATE) | Q(owner__isnull=False),
                name="office_rule_delegate_has_owner",
                violation_error_message=_("A rule that delegates needs its owner."),
            ),
        ]

    def __str__(self) -> str:
        return ", ".join([*self.phrases_en, *self.phrases_zh])[:80]

    @property
    def phrases(self) -> list[str]:
        return [*self.phrases_en, *self.phrases_zh]
