"""The talent endpoints of the REST API: the pay review, the gender pay gaps, the key people.

Pay is read through `selectors.pay_review`, which is scoped to the user and audited once per
request; a role that may read nobody's pay but their own gets a 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.pagination import paginate

from gmassist.api import PageNumberPagination, problems, reference_or_422, request_user
from gmassist.core.choices import Action
from gmassist.core.models import User
from gmassist.core.permissions import reach
from gmassist.org.models import Department, Position
from gmassist.talent import selectors
from gmassist.talent.engine import pay_review as engine
from gmassist.talent.schemas import (
    KeyPeopleFilters,
    KeyPersonOut,
    PayGapsOut,
    PayReviewFilters,
    PayReviewRowOut,
    PayScopeFilters,
)
from gmassist.talent.views import PAY_OF_MANY

router = Router()


def _pay_review(user: User, filters: PayScopeFilters) -> selectors.PayReview:
    if reach(user, "people", Action.VIEW_PAY) not in PAY_OF_MANY:
        raise PermissionDenied(_("Your role may not see the pay review."))
    department = reference_or_422(
        Department.objects, filters.department_id, field="department_id", user=user
    )
    position = reference_or_422(
        Position.objects, filters.position_id, field="position_id", user=user
    )
    return selectors.pay_review(
        user=user,
        department_id=department.pk if department else None,
        position_id=position.pk if position else None,
    )


@router.get(
    "/talent/pay-review",
    response={200: list[PayReviewRowOut], **problems(403)},
    tags=["talent"],
)
@paginate(PageNumberPagination)
def pay_review_list(request: HttpRequest, filters: Query[PayReviewFilters]):
    """Everyone whose pay you may see: compa-ratio, position in band, latest rating and flags
    (below band, above band, rated high and paid low, rated low and paid high). Yearly pay in
    the company's currency. Every request is written to the audit log once."""
    review = _pay_review(request_user(request), filters)
    return selectors.pay_review_rows(review, flag=filters.flag, sort=filters.sort)


@router.get("/talent/pay-gaps", response={200: PayGapsOut, **problems(403)}, tags=["talent"])
def pay_gaps(request: HttpRequest, filters: Query[PayScopeFilters]):
    """Gender pay gaps per position, adjusted for tenure and latest rating (OLS of log pay),
    with the yearly cost of closing each; positions with too few people say so."""
    review = _pay_review(request_user(request), filters)
    return {
        "as_of": review.as_of,
        "min_group": engine.MIN_GAP_GROUP,
        "min_per_gender": engine.MIN_PER_GENDER,
        "gaps": [gap.as_dict() for gap in review.gaps],
    }


@router.get(
    "/talent/key-people",
    response={200: list[KeyPersonOut], **problems(403)},
    tags=["talent"],
)
@paginate(PageNumberPagination)
def key_people_list(request: HttpRequest, filters: Query[KeyPeopleFilters]):
    """Everyone you may see with their key-talent score (0-1), its parts (performance,
    potential, skill scarcity, replacement cost in the company's currency), whether they are
    irreplaceable, and the reasons. The replacement cost is pay: every request is written to the
    audit log once, and roles that may read only their own pay get a 403."""
    user = request_user(request)
    if reach(user, "people", Action.VIEW_PAY) not in PAY_OF_MANY:
        raise PermissionDenied(_("Your role may not see the key people."))
    department = reference_or_422(
        Department.objects, filters.department_id, field="department_id", user=user
    )
    result = selectors.key_people(user=user, department_id=department.pk if department else None)
    return selectors.key_people_rows(
        result, irreplaceable_only=filters.irreplaceable, sort=filters.sort
    )
