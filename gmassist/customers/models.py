"""Group (B2B) customers: industries, customers, monthly revenue, service contacts, account
managers, and the history of tiers and managers.

Money is in the company's currency (`core.Company.currency`). Products held are a JSON list of
product codes on the customer (`GroupCustomer.products`): there is no product catalogue yet, the
list is read whole and never joined on; a table can replace it when products get attributes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gmassist.core.models import BaseModel
from gmassist.core.permissions import Domain, RestrictedQuerySet, Scope
from gmassist.customers.choices import (
    ContactKind,
    CustomerStatus,
    PolicyKind,
    ServiceChannel,
    Tier,
)

MONEY = {"max_digits": 16, "decimal_places": 2}

# lookup paths from a customer to the account manager's employee and department
_MANAGER = "account_manager__employee"
_CUSTOMER_SCOPE = Scope(
    domain=Domain.CUSTOMERS, department=f"{_MANAGER}__department", employee=_MANAGER
)


def _follows_customer() -> Scope:
    """The scope of a record about one customer: whoever may see the customer."""
    return Scope(
        domain=Domain.CUSTOMERS,
        department=f"customer__{_MANAGER}__department",
        employee=f"customer__{_MANAGER}",
    )


class Industry(BaseModel):
    """An industry customers belong to; strategic ones weigh in the tiering."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    strategic = models.BooleanField(_("strategic"), default=False)

    objects = RestrictedQuerySet.as_manager()
    # reference data, like positions and skills, but it drives the customer tiers: the GM's
    # office changes it, not HR
    restrict_scope = Scope(domain=Domain.CUSTOMER_CATALOGUE)

    class Meta:
        ordering = ["name", "code"]
        verbose_name_plural = _("industries")
        constraints = [
            models.CheckConstraint(
                condition=~Q(code=""),
                name="customers_industry_code_not_empty",
                violation_error_message=_("An industry needs a code."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class AccountManager(BaseModel):
    """An employee who serves group customers, with a region and a capacity in workload units."""

    employee = models.OneToOneField(
        "org.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="account_manager",
    )
    region = models.CharField(_("region"), max_length=100, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"),
        default=40,
        help_text=_("In workload units: by default an A customer is 5, B 2, C 1."),
    )

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(
        domain=Domain.CUSTOMERS, department="employee__department", employee="employee"
    )

    class Meta:
        ordering = ["employee__employee_no"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=0),
                name="customers_manager_capacity_not_negative",
                violation_error_message=_("A capacity cannot be negative."),
            )
        ]

    def __str__(self) -> str:
        return str(self.employee)


class GroupCustomer(BaseModel):
    """A business customer: who it is, how big, what it holds, its tier and who serves it."""

    # uniqueness declared in Meta: a field-level unique adds a second "_like" index on PostgreSQL
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    industry = models.ForeignKey(
        Industry,
        verbose_name=_("industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    scale = models.PositiveIntegerField(
        _("scale"), null=True, blank=True, help_text=_("Number of employees or lines.")
    )
    region = models.CharField(_("region"), max_length=100, blank=True)
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    products = models.JSONField(
        _("products held"), default=list, blank=True, help_text=_("A list of product codes.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE
    )
    tier = models.CharField(
        _("tier"),
        max_length=1,
        choices=Tier.choices,
        blank=True,
        help_text=_("Blank until the customer is tiered."),
    )
    service_channel = models.CharField(
        _("service channel"),
        max_length=20,
        choices=ServiceChannel.choices,
        default=ServiceChannel.ACCOUNT_MANAGER,
    )
    account_manager = models.ForeignKey(
        AccountManager,
        verbose_name=_("account manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
    )
    # who to call at the customer; a database default too, so that the imports and the demo
    # that insert rows column by column (COPY) need not name them
    contact_name = models.CharField(
        _("contact person"), max_length=200, blank=True, default="", db_default=""
    )
    contact_phone = models.CharField(
        _("phone"), max_length=50, blank=True, default="", db_default=""
    )
    contact_email = models.CharField(
        _("e-mail"), max_length=254, blank=True, default="", db_default=""
    )
    address = models.CharField(_("address"), max_length=300, blank=True, default="", db_default="")

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = _CUSTOMER_SCOPE

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="customers_customer_code_unique"),
            models.CheckConstraint(
                condition=~Q(code=""),
                name="customers_customer_code_not_empty",
                violation_error_message=_("A customer needs a code."),
            ),
            models.CheckConstraint(
                condition=Q(contract_start__isnull=True)
                | Q(contract_end__isnull=True)
                | Q(contract_end__gte=F("contract_start")),
                name="customers_customer_contract_ends_after_start",
                violation_error_message=_("A contract cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=CustomerStatus.values),
                name="customers_customer_status_valid",
                violation_error_message=_("The status is not one of the known ones."),
            ),
            models.CheckConstraint(
                condition=Q(tier="") | Q(tier__in=Tier.values),
                name="customers_customer_tier_valid",
                violation_error_message=_("A tier is A, B or C."),
            ),
            models.CheckConstraint(
                condition=Q(service_channel__in=ServiceChannel.values),
                name="customers_customer_channel_valid",
                violation_error_message=_("The service channel is not one of the known ones."),
            ),
        ]
        indexes = [
            models.Index(fields=["account_manager", "tier"], name="customers_customer_manager"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("customers:customer", args=[self.pk])


class MonthlyRevenue(BaseModel):
    """A customer's revenue in one month (returns subtracted, so it may be negative)."""

    customer = models.ForeignKey(
        GroupCustomer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="revenue",
        db_index=False,  # served by the unique constraint that starts with the customer
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    amount = models.DecimalField(_("amount"), **MONEY)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = _follows_customer()

    class Meta:
        ordering = ["customer_id", "month"]
        verbose_name_plural = _("monthly revenue")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "month"], name="customers_revenue_one_per_month"
            ),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="customers_revenue_month_first_day",
                violation_error_message=_("A month is stored as its first day."),
            ),
        ]
        indexes = [models.Index(fields=["month"], name="customers_revenue_month")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.month:%Y-%m}: {self.amount}"


class ServiceContact(BaseModel):
    """A contact with a customer: when, through which channel, what about, how it went."""

    customer = models.ForeignKey(
        GroupCustomer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="contacts",
        db_index=False,  # served by the unique constraint that starts with the customer
    )
    date = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=20, choices=ServiceChannel.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=ContactKind.choices)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    resolved = models.BooleanField(_("resolved"), default=False)
    summary = models.TextField(
        _("summary"),
        blank=True,
        default="",
        db_default="",
        help_text=_("What it was about and what was agreed."),
    )

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = _follows_customer()

    class Meta:
        ordering = ["customer_id", "-date"]
        verbose_name = _("service contact")
        verbose_name_plural = _("service contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "date", "channel", "kind"],
                name="customers_contact_unique",
                violation_error_message=_("A customer has one contact per day, channel and kind."),
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | (Q(satisfaction__gte=1) & Q(satisfaction__lte=5)),
                name="customers_contact_satisfaction_1_5",
                violation_error_message=_("Satisfaction is from 1 to 5."),
            ),
            models.CheckConstraint(
                condition=Q(channel__in=ServiceChannel.values),
                name="customers_contact_channel_valid",
                violation_error_message=_("The service channel is not one of the known ones."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ContactKind.values),
                name="customers_contact_kind_valid",
                violation_error_message=_("The kind of contact is not one of the known ones."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.date} {self.channel} {self.kind}"


class TierHistory(BaseModel):
    """A change of a customer's tier: from, to, when, by whom and through which proposal."""

    customer = models.ForeignKey(
        GroupCustomer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="tier_history",
    )
    from_tier = models.CharField(_("from"), max_length=1, choices=Tier.choices, blank=True)
    to_tier = models.CharField(_("to"), max_length=1, choices=Tier.choices)
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposal = models.ForeignKey(
        "core.Proposal",
        verbose_name=_("proposal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tier_changes",
    )

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = _follows_customer()

    class Meta:
        ordering = ["customer_id", "-at", "-id"]
        verbose_name_plural = _("tier history")
        constraints = [
            models.CheckConstraint(
                condition=Q(from_tier="") | Q(from_tier__in=Tier.values),
                name="customers_tier_history_from_valid",
                violation_error_message=_("A tier is A, B or C."),
            ),
            models.CheckConstraint(
                condition=Q(to_tier__in=Tier.values),
                name="customers_tier_history_to_valid",
                violation_error_message=_("A tier is A, B or C."),
            ),
            models.CheckConstraint(
                condition=~Q(from_tier=F("to_tier")),
                name="customers_tier_history_changes",
                violation_error_message=_("A tier change must change the tier."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.from_tier or '-'} → {self.to_tier} ({self.at:%Y-%m-%d})"


class ManagerHistory(BaseModel):
    """A change of a customer's account manager: from, to, when, by whom, through which proposal."""

    customer = models.ForeignKey(
        GroupCustomer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="manager_history",
    )
    from_manager = models.ForeignKey(
        AccountManager,
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_manager = models.ForeignKey(
        AccountManager,
        verbose_name=_("to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposal = models.ForeignKey(
        "core.Proposal",
        verbose_name=_("proposal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="manager_changes",
    )

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = _follows_customer()

    class Meta:
        ordering = ["customer_id", "-at", "-id"]
        verbose_name_plural = _("manager history")
        constraints = [
            models.CheckConstraint(
                condition=(Q(from_manager__isnull=False) | Q(to_manager__isnull=False))
                & (
                    Q(from_manager__isnull=True)
                    | Q(to_manager__isnull=True)
                    | ~Q(from_manager=F("to_manager"))
                ),
                name="customers_manager_history_changes",
                violation_error_message=_("A manager change must change the manager."),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.customer_id} {self.from_manager_id} → {self.to_manager_id} ({self.at:%Y-%m-%d})"
        )


class CustomerPolicy(BaseModel):
    """One saved version of a customers policy (tiering, service channels) as TOML text; the
    latest version of a kind is the current one, the earlier ones are its history."""

    kind = models.CharField(_("kind"), max_length=20, choices=PolicyKind.choices)
    toml = models.TextField(_("policy (TOML)"))
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()
    # what the company's customers policy is, like positions and skills, is no secret; it is
    # the GM's office's to change
    restrict_scope = Scope(domain=Domain.CUSTOMER_CATALOGUE)

    class Meta:
        ordering = ["kind", "-created_at", "-id"]
        verbose_name_plural = _("customers policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PolicyKind.values),
                name="customers_policy_kind_valid",
                violation_error_message=_("The kind of policy is not one of the known ones."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class ChurnRun(BaseModel):
    """One fit of the churn model: as of when, how it was measured (time-based backtest) and
    what it learned; its scores are `ChurnScore` rows."""

    as_of = models.DateField(_("as of"), help_text=_("The month the scores are for."))
    horizon_months = models.PositiveSmallIntegerField(_("horizon (months)"))
    snapshots = models.PositiveIntegerField(_("training rows"))
    churners = models.PositiveIntegerField(_("churned in the rows"))
    backtest = models.JSONField(
        _("backtest"),
        default=dict,
        blank=True,
        help_text=_("ROC AUC and calibration of a model trained on earlier months."),
    )
    model_summary = models.JSONField(_("model"), default=dict, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()
    # the model as a whole is the GM's office's: managers see their customers' scores only
    restrict_scope = Scope(domain=Domain.CUSTOMERS)

    class Meta:
        ordering = ["-as_of", "-id"]

    def __str__(self) -> str:
        return f"churn model {self.as_of:%Y-%m}"


class ChurnScore(BaseModel):
    """A customer's churn risk in one run: the probability of churning within the run's horizon
    and the reasons (the columns that raise it most)."""

    run = models.ForeignKey(
        ChurnRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="scores"
    )
    customer = models.ForeignKey(
        GroupCustomer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="churn_scores",
        db_index=False,  # served by the unique constraint that starts with the customer
    )
    risk = models.FloatField(_("risk"), help_text=_("Probability from 0 to 1."))
    reasons = models.JSONField(_("reasons"), default=list, blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = _follows_customer()

    class Meta:
        ordering = ["customer_id", "-run_id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "run"], name="customers_churn_one_per_run"),
            models.CheckConstraint(
                condition=Q(risk__gte=0) & Q(risk__lte=1),
                name="customers_churn_risk_0_1",
                violation_error_message=_("A risk is from 0 to 1."),
            ),
        ]
        indexes = [models.Index(fields=["run", "-risk"], name="customers_churn_run_risk")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.risk:.2f}"
