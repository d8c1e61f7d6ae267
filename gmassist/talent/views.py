"""Talent pages: the pay review and the key people."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gmassist.core.choices import Action
from gmassist.core.models import Company
from gmassist.core.permissions import ALL, SUBTREE
from gmassist.core.views_lib import ExportColumn, ListColumn, ListPage
from gmassist.talent import selectors
from gmassist.talent.engine import key_talent
from gmassist.talent.engine import pay_review as engine
from gmassist.talent.forms import FLAG_LABELS, KeyPeopleFilterForm, PayReviewFilterForm

# the pay review is for the roles that may read the pay of more people than themselves
PAY_OF_MANY = (ALL, SUBTREE)


class _Rows(list):
    """Rows computed in memory, exported the way `ListPage.export` reads a queryset."""

    def iterator(self, chunk_size: int | None = None):
        return iter(self)


def compa_chart(distribution: list[dict]) -> dict[str, list]:
    """The compa-ratio distribution as the chart draws it: {labels, values}."""
    labels = []
    for bin_ in distribution:
        if bin_["lower"] == 0:
            labels.append(f"< {bin_['upper']:.2f}")
        elif bin_["upper"] is None:
            labels.append(f"≥ {bin_['lower']:.2f}")
        else:
            labels.append(f"{bin_['lower']:.2f}–{bin_['upper']:.2f}")
    return {"labels": labels, "values": [bin_["count"] for bin_ in distribution]}


class PayReviewPage(ListPage):
    """Everyone's place in their band and against their rating, with the gender gaps above."""

    title = _("Pay review")
    template_name = "talent/pay_review.html"
    results_template = "talent/_pay_results.html"
    permission = ("people", Action.VIEW_PAY)
    permission_reaches = PAY_OF_MANY
    filter_form_class = PayReviewFilterForm
    columns = [
        ListColumn(_("Employee no."), sort="employee_no"),
        ListColumn(_("Name"), sort="name"),
        ListColumn(_("Department"), sort="department"),
        ListColumn(_("Position"), sort="position"),
        ListColumn(_("Base pay"), sort="base_pay", numeric=True),
        ListColumn(_("Band"), numeric=True),
        ListColumn(_("Compa-ratio"), sort="compa_ratio", numeric=True),
        ListColumn(_("Band position"), sort="band_position", numeric=True),
        ListColumn(_("Last rating"), sort="last_rating", numeric=True),
        ListColumn(_("Flags")),
    ]
    default_sort = "name"
    row_template = "talent/_pay_row.html"
    # a department head exports the pay of their subtree, the same people they see here
    export_permission = ("people", Action.EXPORT)
    export_name = "pay-review"
    export_columns = [
        ExportColumn(name, itemgetter(name))
        for name in (
            "employee_no",
            "full_name",
            "department",
            "position",
            "grade",
            "base_pay",
            "band_min",
            "band_mid",
            "band_max",
            "compa_ratio",
            "band_position",
            "last_rating",
            "to_band_min",
            "over_band_max",
        )
    ] + [ExportColumn("flags", lambda row: " ".join(row["flags"]))]
    testid = "pay"

    review: selectors.PayReview | None = None

    def get_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet:
        self.review = selectors.pay_review(
            user=self.request.user,
            department_id=filters.get("department_id"),
            position_id=filters.get("position_id"),
        )
        rows = selectors.pay_review_rows(self.review, flag=filters.get("flag"), sort=sort)
        for row in rows:
            row["flag_labels"] = [(flag, FLAG_LABELS[flag]) for flag in row["flags"]]
        return _Rows(rows)

    def get_extra_context(self) -> dict[str, Any]:
        review = self.review
        if review is None:
            return {"review": None}
        return {
            "review": review,
            "summary": review.summary,
            "gaps": review.gaps,
            "chart_compa": compa_chart(review.summary["distribution"]),
            "chart_labels": {"people": str(_("People"))},
            "currency": Company.get().currency,
            "min_gap_group": engine.MIN_GAP_GROUP,
            "min_per_gender": engine.MIN_PER_GENDER,
            "paid_low": engine.PAID_LOW,
            "high_rating": engine.HIGH_RATING,
        }


class KeyPeoplePage(ListPage):
    """Who the company can least afford to lose: the key-talent score, its parts and reasons,
    with the irreplaceable people per department above."""

    title = _("Key people")
    template_name = "talent/key_people.html"
    results_template = "talent/_key_results.html"
    # the replacement cost is pay: the roles that may read the pay of more than themselves
    permission = ("people", Action.VIEW_PAY)
    permission_reaches = PAY_OF_MANY
    filter_form_class = KeyPeopleFilterForm
    columns = [
        ListColumn(_("Name"), sort="name"),
        ListColumn(_("Department"), sort="department"),
        ListColumn(_("Position"), sort="position"),
        ListColumn(_("Score"), sort="score", numeric=True),
        ListColumn(_("Performance"), sort="performance", numeric=True),
        ListColumn(_("Potential"), sort="potential", numeric=True),
        ListColumn(_("Scarcity"), sort="scarcity", numeric=True),
        ListColumn(_("Replacement cost"), sort="replacement_cost", numeric=True),
        ListColumn(_("Irreplaceable"), sort="irreplaceable"),
        ListColumn(_("Top reason")),
    ]
    default_sort = "-score"
    row_template = "talent/_key_row.html"
    export_permission = ("people", Action.EXPORT)
    export_name = "key-people"
    export_columns = [
        ExportColumn(name, itemgetter(name))
        for name in (
            "employee_no",
            "full_name",
            "department",
            "position",
            "grade",
            "score",
            "performance",
            "potential",
            "scarcity",
            "scarce_skill",
            "others_holding",
            "replacement_months",
            "replacement_cost",
            "irreplaceable",
        )
    ] + [
        ExportColumn("irreplaceable_skills", lambda row: "; ".join(row["irreplaceable_skills"])),
        ExportColumn("reasons", lambda row: "; ".join(row["reasons"])),
    ]
    testid = "key"

    result: selectors.KeyPeople | None = None

    def get_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet:
        self.result = selectors.key_people(
            user=self.request.user, department_id=filters.get("department_id")
        )
        rows = selectors.key_people_rows(
            self.result, irreplaceable_only=bool(filters.get("irreplaceable_only")), sort=sort
        )
        return _Rows(rows)

    def get_extra_context(self) -> dict[str, Any]:
        result = self.result
        if result is None:
            return {"key_people": None}
        return {
            "key_people": result,
            "by_department": result.by_department,
            "irreplaceable_count": sum(len(d["people"]) for d in result.by_department),
            "currency": Company.get().currency,
            "weights": {name: round(w * 100) for name, w in key_talent.WEIGHTS.items()},
            "expert_level": key_talent.EXPERT_LEVEL,
            "hire_months": key_talent.HIRE_MONTHS,
        }
