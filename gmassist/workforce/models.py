"""The workforce plan: versions of a plan, its lines (demand per department, job family and
quarter, with the supply and gap the simulation found), business drivers as monthly series,
scenarios, and backtests of the supply model against the company's own history."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gmassist.core.models import BaseModel
from gmassist.core.permissions import ALL, SYSTEM, Domain, RestrictedQuerySet, Scope, reach
from gmassist.workforce.choices import DemandMethodChoice, PlanStatus, ScenarioKind, SupplySource


class Driver(BaseModel):
    """A business driver the demand can follow: a monthly series (customers, revenue, ...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.WORKFORCE)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DriverValue(BaseModel):
    """A driver's value for one month (actual or forecast), dated by the month's first day."""

    driver = models.ForeignKey(Driver, on_delete=models.CASCADE, related_name="values")
    month = models.DateField(_("month"))
    value = models.FloatField(_("value"))
    forecast = models.BooleanField(_("forecast"), default=False)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.WORKFORCE)

    class Meta:
        ordering = ["driver", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["driver", "month"], name="workforce_driver_month_unique"
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="workforce_driver_value_first_of_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.driver} {self.month:%Y-%m}: {self.value:g}"


class PlanQuerySet(RestrictedQuerySet):
    """Plans: every plan for the roles that reach the whole workforce domain; for a department
    head, the plans with a line of their subtree (whose other lines they do not see:
    `PlanLine` is scoped by department)."""

    def restrict_q(self, actor: Any, action: str) -> Q | None:
        if actor is SYSTEM:
            return Q()
        how_far = reach(actor, Domain.WORKFORCE, action)
        if how_far is None:
            return None
        if how_far == ALL:
            return Q()
        lines = PlanLine.objects.restrict(actor, action)
        return Q(pk__in=lines.values("plan"))


class Plan(BaseModel):
    """One version of a workforce plan: its horizon, how supply was projected, its status.

    A new version copies its lines from `previous` (the history of the plan is the chain of
    versions); `summary` holds the simulation's company-level figures per quarter."""

    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_versions"
    )
    as_of = models.DateField(_("as of"))
    horizon = models.PositiveSmallIntegerField(_("horizon (quarters)"), default=8)
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    supply_source = models.CharField(
        _("supply from"), max_length=12, choices=SupplySource.choices, default=SupplySource.SURVIVAL
    )
    runs = models.PositiveIntegerField(_("simulation runs"), default=1000)
    retirement_age_male = models.FloatField(_("retirement age (men)"), default=60)
    retirement_age_female = models.FloatField(_("retirement age (women)"), default=55)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    objects = PlanQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.WORKFORCE)

    class Meta:
        ordering = ["-as_of", "name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "version"], name="workforce_plan_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(horizon__gte=1) & Q(horizon__lte=12),
                name="workforce_plan_horizon_1_to_12",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class PlanLine(BaseModel):
    """A plan's demand for one department and job family, how it is set, and per quarter the
    demand, the simulated supply and the gap with its 90% interval (lists over quarters)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="lines")
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="workforce_lines"
    )
    job_family = models.CharField(_("job family"), max_length=100, blank=True)
    method = models.CharField(_("method"), max_length=10, choices=DemandMethodChoice.choices)
    targets = models.JSONField(_("target head counts"), default=list, blank=True)
    growth_percent = models.FloatField(_("growth per year (%)"), null=True, blank=True)
    driver = models.ForeignKey(
        Driver, null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )
    ratio = models.FloatField(_("driver units per person"), null=True, blank=True)
    current = models.PositiveIntegerField(_("people now"), default=0)
    demand = models.JSONField(_("demand"), default=list, blank=True)
    supply = models.JSONField(_("supply"), default=list, blank=True)
    gap = models.JSONField(_("gap"), default=list, blank=True)
    gap_low = models.JSONField(_("gap from"), default=list, blank=True)
    gap_high = models.JSONField(_("gap to"), default=list, blank=True)
    payroll_per_person = models.FloatField(_("yearly pay per person"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.WORKFORCE, department="department")

    class Meta:
        ordering = ["plan", "department__name", "job_family"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "department", "job_family"], name="workforce_line_unique"
            ),
            models.CheckConstraint(
                condition=~Q(method="driver") | (Q(driver__isnull=False) & Q(ratio__gt=0)),
                name="workforce_line_driver_has_ratio",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} / {self.job_family or '-'}"


class Scenario(BaseModel):
    """A variant of a plan (hiring freeze, growth of x%, leaving up by y%, a department
    closed) with its company-level result per quarter."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ScenarioKind.choices)
    percent = models.FloatField(_("percent"), null=True, blank=True)
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.JSONField(_("result"), default=dict, blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.WORKFORCE)

    class Meta:
        ordering = ["plan", "name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="workforce_scenario_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Backtest(BaseModel):
    """One backtest of the supply model: as of a past day, over a horizon, its errors and
    those of the two baselines (`result`, as `gmassist workforce backtest --json` prints)."""

    as_of = models.DateField(_("as of"))
    horizon = models.PositiveSmallIntegerField(_("horizon (quarters)"))
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="backtests"
    )
    result = models.JSONField(_("result"), default=dict)
    beats_baselines = models.BooleanField(_("beats both baselines"), default=False)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.WORKFORCE)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"backtest as of {self.as_of}"
