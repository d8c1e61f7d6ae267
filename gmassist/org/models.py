"""The organisation: departments, positions, employees and their pay, reviews, skills and leaving.

Money is in the company's currency (`core.Company.currency`); base pay is yearly.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gmassist.core.models import BaseModel
from gmassist.core.permissions import Domain, RestrictedQuerySet, Scope
from gmassist.org.choices import (
    AttributeKind,
    EmployeeStatus,
    EmploymentType,
    Gender,
    PayChangeReason,
    SeparationType,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class Department(BaseModel):
    """A unit of the company; departments form a tree, each may have a head."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    head = models.ForeignKey(
        "org.Employee",
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.PEOPLE, department="pk")

    class Meta:
        ordering = ["name", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="org_department_not_own_parent",
                violation_error_message=_("A department cannot be its own parent."),
            ),
            models.CheckConstraint(
                condition=~Q(code=""),
                name="org_department_code_not_empty",
                violation_error_message=_("A department needs a code."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Position(BaseModel):
    """A job with its family, grade and yearly salary band."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    job_family = models.CharField(_("job family"), max_length=100, blank=True)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    band_min = models.DecimalField(_("band minimum"), null=True, blank=True, **MONEY)
    band_mid = models.DecimalField(_("band midpoint"), null=True, blank=True, **MONEY)
    band_max = models.DecimalField(_("band maximum"), null=True, blank=True, **MONEY)
    currency = models.CharField(_("currency"), max_length=3, blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.CATALOGUE)

    class Meta:
        ordering = ["job_family", "grade", "title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(code=""),
                name="org_position_code_not_empty",
                violation_error_message=_("A position needs a code."),
            ),
            models.CheckConstraint(
                condition=Q(band_min__isnull=True)
                | Q(band_mid__isnull=True)
                | Q(band_min__lte=F("band_mid")),
                name="org_position_band_min_le_mid",
                violation_error_message=_("The band minimum must not be above the midpoint."),
            ),
            models.CheckConstraint(
                condition=Q(band_mid__isnull=True)
                | Q(band_max__isnull=True)
                | Q(band_mid__lte=F("band_max")),
                name="org_position_band_mid_le_max",
                violation_error_message=_("The band midpoint must not be above the maximum."),
            ),
            models.CheckConstraint(
                condition=Q(band_min__isnull=True)
                | Q(band_max__isnull=True)
                | Q(band_min__lte=F("band_max")),
                name="org_position_band_min_le_max",
                violation_error_message=_("The band minimum must not be above the maximum."),
            ),
            models.CheckConstraint(
                condition=Q(band_min__isnull=True) | Q(band_min__gte=0),
                name="org_position_band_not_negative",
                violation_error_message=_("A salary band cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Employee(BaseModel):
    """A person employed by the company, now or in the past."""

    # Uniqueness and the name index are declared in Meta: on PostgreSQL a field-level unique or
    # db_index on a CharField adds a second "_like" index that no query here uses and that every
    # import would have to maintain.
    employee_no = models.CharField(_("employee number"), max_length=40)
    full_name = models.CharField(_("name"), max_length=200)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="employees",
        db_index=False,  # served by the (department, status) index
    )
    position = models.ForeignKey(
        Position,
        verbose_name=_("position"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employees",
    )
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    hire_date = models.DateField(_("hire date"))
    leave_date = models.DateField(_("leave date"), null=True, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    location = models.CharField(_("location"), max_length=100, blank=True)
    employment_type = models.CharField(
        _("employment type"),
        max_length=20,
        choices=EmploymentType.choices,
        default=EmploymentType.FULL_TIME,
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EmployeeStatus.choices,
        default=EmployeeStatus.ACTIVE,
    )
    base_pay = models.DecimalField(
        _("base pay"),
        null=True,
        blank=True,
        help_text=_("Yearly, in the company's currency."),
        **MONEY,
    )
    paid_leave_days = models.DecimalField(
        _("paid-leave days"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Paid-leave entitlement in days per year."),
    )
    custom = models.JSONField(_("custom attributes"), default=dict, blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.PEOPLE, department="department", employee="pk")

    class Meta:
        ordering = ["employee_no"]
        constraints = [
            models.UniqueConstraint(fields=["employee_no"], name="org_employee_no_unique"),
            models.CheckConstraint(
                condition=~Q(employee_no=""),
                name="org_employee_no_not_empty",
                violation_error_message=_("An employee needs an employee number."),
            ),
            models.CheckConstraint(
                condition=~Q(manager=F("pk")),
                name="org_employee_not_own_manager",
                violation_error_message=_("Nobody can be their own manager."),
            ),
            models.CheckConstraint(
                condition=Q(base_pay__isnull=True) | Q(base_pay__gte=0),
                name="org_employee_base_pay_not_negative",
                violation_error_message=_("Base pay cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(paid_leave_days__isnull=True) | Q(paid_leave_days__gte=0),
                name="org_employee_leave_days_not_negative",
                violation_error_message=_("Paid-leave days cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(leave_date__isnull=True) | Q(leave_date__gte=F("hire_date")),
                name="org_employee_leaves_after_hire",
                violation_error_message=_("The leave date cannot be before the hire date."),
            ),
            models.CheckConstraint(
                condition=~Q(status=EmployeeStatus.LEFT) | Q(leave_date__isnull=False),
                name="org_employee_left_has_leave_date",
                violation_error_message=_("Someone who has left needs a leave date."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=EmployeeStatus.values),
                name="org_employee_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(employment_type__in=EmploymentType.values),
                name="org_employee_employment_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(gender="") | Q(gender__in=Gender.values),
                name="org_employee_gender_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status"], name="org_employee_dept_status"),
            models.Index(fields=["full_name", "employee_no"], name="org_employee_name"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("org:employee", args=[self.pk])

    def __str__(self) -> str:
        return f"{self.full_name} ({self.employee_no})"


class PayChange(BaseModel):
    """A change of an employee's yearly base pay, from an effective date."""

    employee = models.ForeignKey(
        Employee,
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        related_name="pay_changes",
        db_index=False,  # served by the unique constraint that starts with the employee
    )
    effective_date = models.DateField(_("effective date"))
    base_pay = models.DecimalField(_("new base pay"), **MONEY)
    previous_base_pay = models.DecimalField(_("previous base pay"), null=True, blank=True, **MONEY)
    reason = models.CharField(
        _("reason"), max_length=20, choices=PayChangeReason.choices, default=PayChangeReason.REVIEW
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    proposal = models.ForeignKey(
        "core.Proposal",
        verbose_name=_("proposal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pay_changes",
    )

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(
        domain=Domain.PEOPLE, department="employee__department", employee="employee"
    )

    class Meta:
        ordering = ["employee_id", "-effective_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "effective_date"], name="org_paychange_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(base_pay__gte=0),
                name="org_paychange_not_negative",
                violation_error_message=_("Base pay cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(reason__in=PayChangeReason.values),
                name="org_paychange_reason_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.effective_date}: {self.base_pay}"


class Review(BaseModel):
    """A performance review for one period: rating 1-5 and potential 1-3."""

    employee = models.ForeignKey(
        Employee,
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        related_name="reviews",
        db_index=False,  # served by the unique constraint that starts with the employee
    )
    period = models.CharField(_("period"), max_length=20, help_text=_("e.g. 2025 or 2025-H1"))
    review_date = models.DateField(_("review date"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"))
    potential = models.PositiveSmallIntegerField(_("potential"), null=True, blank=True)
    reviewer = models.ForeignKey(
        Employee,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviews_given",
    )
    comment = models.TextField(_("comment"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(
        domain=Domain.PEOPLE, department="employee__department", employee="employee"
    )

    class Meta:
        ordering = ["employee_id", "-period"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "period"], name="org_review_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5),
                name="org_review_rating_1_5",
                violation_error_message=_("A rating is from 1 to 5."),
            ),
            models.CheckConstraint(
                condition=Q(potential__isnull=True) | (Q(potential__gte=1) & Q(potential__lte=3)),
                name="org_review_potential_1_3",
                violation_error_message=_("Potential is from 1 to 3."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.period}: {self.rating}"


class Skill(BaseModel):
    """A skill the company needs, e.g. "5G core network"."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=100, blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.CATALOGUE)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(code=""),
                name="org_skill_code_not_empty",
                violation_error_message=_("A skill needs a code."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class EmployeeSkill(BaseModel):
    """How well an employee holds a skill, from 0 (none) to 5 (expert)."""

    employee = models.ForeignKey(
        Employee,
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        related_name="skills",
        db_index=False,  # served by the unique constraint that starts with the employee
    )
    skill = models.ForeignKey(
        Skill, verbose_name=_("skill"), on_delete=models.CASCADE, related_name="holders"
    )
    level = models.PositiveSmallIntegerField(_("level"))
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(
        domain=Domain.PEOPLE, department="employee__department", employee="employee"
    )

    class Meta:
        ordering = ["employee_id", "skill_id"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "skill"], name="org_employee_skill_unique"),
            models.CheckConstraint(
                condition=Q(level__gte=0) & Q(level__lte=5),
                name="org_employee_skill_level_0_5",
                violation_error_message=_("A skill level is from 0 to 5."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.skill_id}: {self.level}"


class Separation(BaseModel):
    """An employee's leaving: when, of which type, why, and whether the company regrets it."""

    employee = models.ForeignKey(
        Employee,
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        related_name="separations",
        db_index=False,  # served by the unique constraint that starts with the employee
    )
    date = models.DateField(_("date"))
    separation_type = models.CharField(_("type"), max_length=12, choices=SeparationType.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    regretted = models.BooleanField(_("regretted"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(
        domain=Domain.PEOPLE, department="employee__department", employee="employee"
    )

    class Meta:
        ordering = ["-date", "employee_id"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "date"], name="org_separation_one_per_day"),
            models.CheckConstraint(
                condition=Q(separation_type__in=SeparationType.values),
                name="org_separation_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.date} {self.separation_type}"


class AttributeDefinition(BaseModel):
    """An extra column kept from imports as a custom attribute, with its type."""

    entity = models.CharField(_("entity"), max_length=40, default="employee")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("type"), max_length=10, choices=AttributeKind.choices)

    objects = RestrictedQuerySet.as_manager()
    restrict_scope = Scope(domain=Domain.CATALOGUE)

    class Meta:
        ordering = ["entity", "name"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "name"], name="org_attribute_unique_name"),
            models.CheckConstraint(
                condition=Q(kind__in=AttributeKind.values), name="org_attribute_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"
