"""Talent tables: leaving-risk scores with their history, the model runs that made them, and
incentive plans with their lines.

Money is in the company's currency; probabilities in [0, 1]; an expected effect is retained
value in the company's currency (the person's value, their replacement cost, times the fall in
leaving risk); a line's net value is its effect minus its cost.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gmassist.core.models import BaseModel
from gmassist.core.permissions import Domain, RestrictedQuerySet, Scope
from gmassist.talent.choices import PlanLineStatus, PlanStatus

MONEY = {"max_digits": 14, "decimal_places": 2}


class RiskModelRun(BaseModel):
    """One fit of the leaving-risk model for a month: its backtest, calibration and response.

    The backtest trained on what was known on `backtest_month` and predicted its people's next
    12 months: ROC AUC with its 95% interval (DeLong) on `backtest_test_rows` people, of whom
    `backtest_leavers` left. Probabilities are recalibrated (`recalibration`: calibrated
    log-odds = intercept + slope x fitted log-odds; `calibration` before it, on the backtest,
    `calibration_after` after). `base_rate` is the company's yearly voluntary leaving rate and
    `risk_medium_from` / `risk_high_from` the band limits made from it (`leaving.risk_bands`);
    `history_months` the month-ends each score's `history` is aligned with.
    """

    as_of = models.DateField(_("as of"), help_text=_("The month-end snapshot scored."))
    version = models.CharField(_("model version"), max_length=40)
    backtest_auc = models.FloatField(_("backtest ROC AUC"), null=True, blank=True)
    backtest_auc_low = models.FloatField(
        _("backtest ROC AUC, interval from"), null=True, blank=True
    )
    backtest_auc_high = models.FloatField(_("backtest ROC AUC, interval to"), null=True, blank=True)
    backtest_month = models.DateField(_("backtest month"), null=True, blank=True)
    backtest_train_rows = models.PositiveIntegerField(_("backtest training rows"), default=0)
    backtest_test_rows = models.PositiveIntegerField(_("backtest test rows"), default=0)
    backtest_leavers = models.PositiveIntegerField(_("leavers in the backtest month"), default=0)
    calibration = models.JSONField(_("calibration"), default=list, blank=True)
    calibration_after = models.JSONField(
        _("calibration after recalibration"), default=list, blank=True
    )
    recalibration = models.JSONField(
        _("recalibration"),
        default=dict,
        blank=True,
        help_text=_("Intercept and slope applied to the model's log-odds."),
    )
    base_rate = models.FloatField(
        _("yearly leaving rate"),
        null=True,
        blank=True,
        help_text=_("The share of the people of the backtest month who left voluntarily."),
    )
    risk_medium_from = models.FloatField(_("medium risk from"), null=True, blank=True)
    risk_high_from = models.FloatField(_("high risk from"), null=True, blank=True)
    history_months = models.JSONField(_("history months"), default=list, blank=True)
    train_rows = models.PositiveIntegerField(_("training rows"), default=0)
    train_leavers = models.PositiveIntegerField(_("leavers in training"), default=0)
    response = models.JSONField(
        _("response"), default=dict, blank=True, help_text=_("Log-odds per unit of a feature.")
    )
    reason_counts = models.JSONField(_("reasons across leavers"), default=dict, blank=True)
    scored = models.PositiveIntegerField(_("people scored"), default=0)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.PEOPLE)

    class Meta:
        ordering = ["-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["as_of"], name="talent_riskmodelrun_one_per_month"),
            models.CheckConstraint(
                condition=Q(backtest_auc__isnull=True)
                | (Q(backtest_auc__gte=0) & Q(backtest_auc__lte=1)),
                name="talent_riskmodelrun_auc_0_1",
            ),
            models.CheckConstraint(
                condition=(Q(backtest_auc_low__isnull=True) | Q(backtest_auc_low__gte=0))
                & (Q(backtest_auc_high__isnull=True) | Q(backtest_auc_high__lte=1)),
                name="talent_riskmodelrun_auc_interval_0_1",
            ),
            models.CheckConstraint(
                condition=Q(base_rate__isnull=True) | (Q(base_rate__gte=0) & Q(base_rate__lte=1)),
                name="talent_riskmodelrun_base_rate_0_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.as_of}"


class RiskScore(BaseModel):
    """An employee's probability of leaving voluntarily within 12 months, as of a month-end."""

    run = models.ForeignKey(
        RiskModelRun, verbose_name=_("model run"), on_delete=models.CASCADE, related_name="scores"
    )
    employee = models.ForeignKey(
        "org.Employee",
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        related_name="risk_scores",
        db_index=False,  # served by the unique constraint that starts with the employee
    )
    as_of = models.DateField(_("as of"))
    probability = models.FloatField(_("leaving risk"))
    reasons = models.JSONField(_("reasons"), default=list, blank=True, encoder=DjangoJSONEncoder)
    features = models.JSONField(_("features"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    history = models.JSONField(
        _("risk history"),
        default=list,
        blank=True,
        help_text=_("The probability at each of the run's history months, by its model."),
    )
    model_version = models.CharField(_("model version"), max_length=40)
    model_auc = models.FloatField(_("model ROC AUC"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(
        domain=Domain.PEOPLE, department="employee__department", employee="employee"
    )

    class Meta:
        ordering = ["-as_of", "-probability", "employee_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "as_of"], name="talent_riskscore_one_per_month"
            ),
            models.CheckConstraint(
                condition=Q(probability__gte=0) & Q(probability__lte=1),
                name="talent_riskscore_probability_0_1",
            ),
        ]
        indexes = [models.Index(fields=["as_of", "probability"], name="talent_risk_month")]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.as_of}: {self.probability:.2f}"


class IncentivePlan(BaseModel):
    """A set of incentives chosen within a yearly budget to keep the people most at risk."""

    budget = models.DecimalField(_("budget"), help_text=_("Yearly, company currency."), **MONEY)
    as_of = models.DateField(_("risk as of"))
    effective_date = models.DateField(_("effective date"))
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    menu = models.JSONField(_("instrument menu"), default=dict, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    total_cost = models.DecimalField(_("total cost"), default=Decimal("0"), **MONEY)
    total_effect = models.FloatField(_("expected retained value"), default=0.0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incentive_plans",
    )
    job = models.ForeignKey(
        "core.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL
    )

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.PEOPLE, user="created_by")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gte=0), name="talent_plan_budget_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(total_cost__lte=models.F("budget")),
                name="talent_plan_within_budget",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PlanStatus.values), name="talent_plan_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Incentive plan #{self.pk} ({self.budget:,.0f})"


class IncentivePlanLine(BaseModel):
    """One person's incentives in a plan: what, its cost, the risk it buys down and why."""

    plan = models.ForeignKey(
        IncentivePlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="lines"
    )
    employee = models.ForeignKey(
        "org.Employee",
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        related_name="incentive_lines",
    )
    actions = models.JSONField(_("actions"), default=list, encoder=DjangoJSONEncoder)
    cost = models.DecimalField(_("cost"), **MONEY)
    effect = models.FloatField(_("expected retained value"))
    value = models.FloatField(_("value of the person"))
    risk_before = models.FloatField(_("risk now"))
    risk_after = models.FloatField(_("risk after"))
    reasons = models.JSONField(_("reasons"), default=list, blank=True, encoder=DjangoJSONEncoder)
    inputs = models.JSONField(
        _("planned from"),
        default=dict,
        blank=True,
        help_text=_(
            "The person's risk, value, pay, band and months as the plan read them: an edited "
            "amount is re-priced from these."
        ),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=PlanLineStatus.choices, default=PlanLineStatus.PLANNED
    )
    proposal = models.ForeignKey(
        "core.Proposal",
        verbose_name=_("proposal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incentive_lines",
    )

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(
        domain=Domain.PEOPLE, department="employee__department", employee="employee"
    )

    class Meta:
        ordering = ["plan_id", "-effect", "employee_id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "employee"], name="talent_planline_one_each"),
            models.CheckConstraint(
                condition=Q(cost__gte=0), name="talent_planline_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(status__in=PlanLineStatus.values), name="talent_planline_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.employee_id}: {self.cost}"
