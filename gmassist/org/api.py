"""The organisation's endpoints of the REST API: departments, positions, employees (and their
pay, audited), reviews and employee skills. Reads go through `restrict` or the selectors, writes
through the services; the shapes are in `schemas.py`."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from gmassist.api import (
    ObjectId,
    PageNumberPagination,
    problems,
    reference_or_422,
    request_user,
    visible_or_404,
)
from gmassist.core.models import User
from gmassist.org import selectors, services
from gmassist.org.models import Department, Employee, Position, Skill
from gmassist.org.schemas import (
    DepartmentFilters,
    DepartmentIn,
    DepartmentOut,
    DepartmentPatch,
    EmployeeDetailOut,
    EmployeeFilters,
    EmployeeIn,
    EmployeeOut,
    EmployeePatch,
    EmployeeSkillFilters,
    EmployeeSkillIn,
    EmployeeSkillOut,
    PayOut,
    PositionFilters,
    PositionIn,
    PositionOut,
    PositionPatch,
    ReviewFilters,
    ReviewIn,
    ReviewOut,
    ReviewPatch,
)

router = Router()

# Writes: 400 for a body that is not JSON, 403 for a visible record the role may not change.
WRITE_PROBLEMS = problems(400, 403, 404, 409)


def _references(user: User, data: dict[str, Any], refs: dict[str, Any]) -> dict[str, Any]:
    """Turn `<name>_id` keys of `data` into the records they name, as `user` may see them.

    `refs` maps a name to its model's manager, e.g. {"department": Department.objects}. A key
    that is absent stays absent (a partial update leaves it as it is).
    """
    resolved = dict(data)
    for name, manager in refs.items():
        key = f"{name}_id"
        if key in resolved:
            resolved[name] = reference_or_422(manager, resolved.pop(key), field=key, user=user)
    return resolved


# --- departments -----------------------------------------------------------------------------

DEPARTMENT_REFS = {"parent": Department.objects, "head": Employee.objects}


def _departments(user: User):
    return selectors.departments_listed(user=user)


@router.get("/departments", response={200: list[DepartmentOut], **problems()}, tags=["departments"])
@paginate(PageNumberPagination)
def department_list(request: HttpRequest, filters: Query[DepartmentFilters]):
    """Departments you may see, by name; `parent_id` lists those directly below one."""
    departments = _departments(request_user(request))
    if filters.search.strip():
        text = filters.search.strip()
        departments = departments.filter(Q(code__icontains=text) | Q(name__icontains=text))
    if filters.parent_id is not None:
        departments = departments.filter(parent_id=filters.parent_id)
    return departments


@router.get(
    "/departments/{department_id}",
    response={200: DepartmentOut, **problems(404)},
    tags=["departments"],
)
def department_detail(request: HttpRequest, department_id: ObjectId):
    return visible_or_404(_departments(request_user(request)), department_id)


@router.post("/departments", response={201: DepartmentOut, **WRITE_PROBLEMS}, tags=["departments"])
def department_create(request: HttpRequest, payload: DepartmentIn):
    """Add a department (under `parent_id`, or at the top)."""
    user = request_user(request)
    fields = _references(user, payload.model_dump(), DEPARTMENT_REFS)
    return Status(201, services.department_create(by=user, **fields))


@router.patch(
    "/departments/{department_id}",
    response={200: DepartmentOut, **WRITE_PROBLEMS},
    tags=["departments"],
)
def department_update(request: HttpRequest, department_id: ObjectId, payload: DepartmentPatch):
    """Change a department's code, name, parent or head (only the fields sent)."""
    user = request_user(request)
    department = visible_or_404(_departments(user), department_id)
    data = _references(user, payload.model_dump(exclude_unset=True), DEPARTMENT_REFS)
    return services.department_update(department=department, data=data, by=user)


# --- positions -------------------------------------------------------------------------------


@router.get("/positions", response={200: list[PositionOut], **problems()}, tags=["positions"])
@paginate(PageNumberPagination)
def position_list(request: HttpRequest, filters: Query[PositionFilters]):
    """Positions (everyone may read the catalogue), by job family, grade and title."""
    positions = selectors.positions_listed(user=request_user(request))
    if filters.search.strip():
        text = filters.search.strip()
        positions = positions.filter(Q(code__icontains=text) | Q(title__icontains=text))
    if filters.job_family:
        positions = positions.filter(job_family=filters.job_family)
    if filters.grade is not None:
        positions = positions.filter(grade=filters.grade)
    return positions


@router.get(
    "/positions/{position_id}", response={200: PositionOut, **problems(404)}, tags=["positions"]
)
def position_detail(request: HttpRequest, position_id: ObjectId):
    return visible_or_404(selectors.positions_listed(user=request_user(request)), position_id)


@router.post("/positions", response={201: PositionOut, **WRITE_PROBLEMS}, tags=["positions"])
def position_create(request: HttpRequest, payload: PositionIn):
    """Add a position with its yearly salary band (min ≤ mid ≤ max)."""
    return Status(201, services.position_create(by=request_user(request), **payload.model_dump()))


@router.patch(
    "/positions/{position_id}", response={200: PositionOut, **WRITE_PROBLEMS}, tags=["positions"]
)
def position_update(request: HttpRequest, position_id: ObjectId, payload: PositionPatch):
    """Change a position (only the fields sent)."""
    user = request_user(request)
    position = visible_or_404(selectors.positions_listed(user=user), position_id)
    data = payload.model_dump(exclude_unset=True)
    return services.position_update(position=position, data=data, by=user)


# --- employees -------------------------------------------------------------------------------

EMPLOYEE_REFS = {
    "department": Department.objects,
    "position": Position.objects,
    "manager": Employee.objects,
}


@router.get("/employees", response={200: list[EmployeeOut], **problems()}, tags=["employees"])
@paginate(PageNumberPagination)
def employee_list(request: HttpRequest, filters: Query[EmployeeFilters]):
    """The employee directory as you may see it: search, filters and sort. Never pay."""
    return selectors.employee_directory(
        user=request_user(request),
        search=filters.search,
        department_id=filters.department_id,
        position_id=filters.position_id,
        status=filters.status,
        sort=filters.sort,
    )


@router.get(
    "/employees/{employee_id}",
    response={200: EmployeeDetailOut, **problems(404)},
    tags=["employees"],
)
def employee_detail(request: HttpRequest, employee_id: ObjectId):
    return visible_or_404(selectors.employees_visible(user=request_user(request)), employee_id)


@router.get(
    "/employees/{employee_id}/pay",
    response={200: PayOut, **problems(403, 404)},
    tags=["employees"],
)
def employee_pay(request: HttpRequest, employee_id: ObjectId):
    """An employee's yearly base pay, band and pay history. Every read of another person's pay
    is written to the audit log."""
    user = request_user(request)
    employee = visible_or_404(selectors.employees_visible(user=user), employee_id)
    pay = selectors.employee_pay(user=user, employee=employee)
    if pay is None:
        raise PermissionDenied(_("Your role may not see this person's pay."))
    return pay


@router.post("/employees", response={201: EmployeeOut, **WRITE_PROBLEMS}, tags=["employees"])
def employee_create(request: HttpRequest, payload: EmployeeIn):
    """Add an employee; `base_pay` is the starting pay (later changes go through proposals)."""
    user = request_user(request)
    fields = _references(user, payload.model_dump(), EMPLOYEE_REFS)
    return Status(201, services.employee_create(by=user, **fields))


@router.patch(
    "/employees/{employee_id}",
    response={200: EmployeeDetailOut, **WRITE_PROBLEMS},
    tags=["employees"],
)
def employee_update(request: HttpRequest, employee_id: ObjectId, payload: EmployeePatch):
    """Change an employee's record (only the fields sent)."""
    user = request_user(request)
    employee = visible_or_404(selectors.employees_visible(user=user), employee_id)
    data = _references(user, payload.model_dump(exclude_unset=True), EMPLOYEE_REFS)
    return services.employee_update(employee=employee, data=data, by=user)


# --- reviews ---------------------------------------------------------------------------------

REVIEW_REFS = {"employee": Employee.objects, "reviewer": Employee.objects}


def _reviews(user: User):
    return selectors.reviews_visible(user=user)


@router.get("/reviews", response={200: list[ReviewOut], **problems()}, tags=["reviews"])
@paginate(PageNumberPagination)
def review_list(request: HttpRequest, filters: Query[ReviewFilters]):
    """Performance reviews you may see, optionally of one employee or period."""
    reviews = _reviews(request_user(request))
    if filters.employee_id is not None:
        reviews = reviews.filter(employee_id=filters.employee_id)
    if filters.period:
        reviews = reviews.filter(period=filters.period)
    return reviews


@router.get("/reviews/{review_id}", response={200: ReviewOut, **problems(404)}, tags=["reviews"])
def review_detail(request: HttpRequest, review_id: ObjectId):
    return visible_or_404(_reviews(request_user(request)), review_id)


@router.post("/reviews", response={201: ReviewOut, **WRITE_PROBLEMS}, tags=["reviews"])
def review_create(request: HttpRequest, payload: ReviewIn):
    """Record a review: rating 1-5, potential 1-3, one per employee and period."""
    user = request_user(request)
    fields = _references(user, payload.model_dump(), REVIEW_REFS)
    return Status(201, services.review_create(by=user, **fields))


@router.patch("/reviews/{review_id}", response={200: ReviewOut, **WRITE_PROBLEMS}, tags=["reviews"])
def review_update(request: HttpRequest, review_id: ObjectId, payload: ReviewPatch):
    """Change a review (only the fields sent)."""
    user = request_user(request)
    review = visible_or_404(_reviews(user), review_id)
    data = _references(user, payload.model_dump(exclude_unset=True), REVIEW_REFS)
    return services.review_update(review=review, data=data, by=user)


# --- employee skills -------------------------------------------------------------------------


def _employee_skills(user: User):
    return selectors.employee_skills_visible(user=user)


@router.get("/skills", response={200: list[EmployeeSkillOut], **problems()}, tags=["skills"])
@paginate(PageNumberPagination)
def employee_skill_list(request: HttpRequest, filters: Query[EmployeeSkillFilters]):
    """Employees' skill levels you may see, optionally of one employee or skill, from a level."""
    rows = _employee_skills(request_user(request))
    if filters.employee_id is not None:
        rows = rows.filter(employee_id=filters.employee_id)
    if filters.skill_id is not None:
        rows = rows.filter(skill_id=filters.skill_id)
    if filters.min_level is not None:
        rows = rows.filter(level__gte=filters.min_level)
    return rows


@router.get(
    "/skills/{employee_skill_id}",
    response={200: EmployeeSkillOut, **problems(404)},
    tags=["skills"],
)
def employee_skill_detail(request: HttpRequest, employee_skill_id: ObjectId):
    return visible_or_404(_employee_skills(request_user(request)), employee_skill_id)


@router.put(
    "/skills",
    response={200: EmployeeSkillOut, 201: EmployeeSkillOut, **WRITE_PROBLEMS},
    tags=["skills"],
)
def employee_skill_set(request: HttpRequest, payload: EmployeeSkillIn):
    """Set an employee's level (0-5) in a skill: 201 when new, 200 when it was there."""
    user = request_user(request)
    fields = _references(
        user, payload.model_dump(), {"employee": Employee.objects, "skill": Skill.objects}
    )
    row, created = services.employee_skill_set(by=user, **fields)
    return Status(201 if created else 200, row)
