"""Import and export of the organisation's files: departments, positions, employees, reviews,
skills and pay history (the entity specs that `gmassist.core.imports` runs, registered here).

Natural keys: Department.code, Position.code, Employee.employee_no, Review (employee, period),
EmployeeSkill (employee, skill), PayChange (employee, effective_date), Separation (employee,
date). A column missing from the file leaves that field of existing rows as stored.

Employees: a department or position given by name is looked up by code, then by unique name,
and created when missing (code derived from the name). A manager is found by employee number,
else by unique normalised full name ("Brandon R. LeBlanc" is "LeBlanc, Brandon  R") in the file
and the database. A leaver (a leave date) gets status "left" and a Separation. A new
employee's base pay is set (the audit names each amount), with no PayChange (pay history comes
from the pay import and from approved proposals). A changed base pay of an existing employee is
never written: the changes of a file become ONE batch pay-change proposal (kind
"org.pay_change_batch", effective the day of the import; the GM's lines a batch of their own),
decided like any proposal, and the import's result names it (`ImportReport.proposals`). An
empty pay cell does not clear a recorded pay (a warning).

Reasons are translated (`gettext`) where a problem is found, in the language the import job
runs in; never per row that has none.

The modules: `structure` (departments, positions), `employees` (the employee file's columns and
row checks), `employee_stream` (new employees sent to PostgreSQL while the next rows are
checked), `employee_writes` (what an employee file writes, and its pay proposal), `history`
(reviews, skills, pay history), `lookups` (managers by number or name, memoised lookups),
`common` (finding an employee by number).
"""

from __future__ import annotations

from gmassist.core.imports import EntitySpec, register_entity
from gmassist.org.importers.employee_writes import EMPLOYEE_ATTRIBUTES
from gmassist.org.importers.employees import (
    EMPLOYEE_COLUMNS,
    employee_attributes,
    export_employees,
    plan_employees,
)
from gmassist.org.importers.history import (
    PAY_COLUMNS,
    REVIEW_COLUMNS,
    SKILL_COLUMNS,
    export_pay,
    export_reviews,
    export_skills,
    plan_pay,
    plan_reviews,
    plan_skills,
)
from gmassist.org.importers.structure import (
    DEPARTMENT_COLUMNS,
    POSITION_COLUMNS,
    export_departments,
    export_positions,
    plan_departments,
    plan_positions,
)
from gmassist.org.models import Department, Employee, EmployeeSkill, PayChange, Position, Review

register_entity(
    EntitySpec(
        "departments",
        Department,
        DEPARTMENT_COLUMNS,
        ("code",),
        plan_departments,
        export_departments,
    )
)
register_entity(
    EntitySpec("positions", Position, POSITION_COLUMNS, ("code",), plan_positions, export_positions)
)
register_entity(
    EntitySpec(
        "employees",
        Employee,
        EMPLOYEE_COLUMNS,
        ("employee_no",),
        plan_employees,
        export_employees,
        custom_entity=EMPLOYEE_ATTRIBUTES,
        known_attributes=employee_attributes,
    )
)
register_entity(
    EntitySpec(
        "reviews", Review, REVIEW_COLUMNS, ("employee", "period"), plan_reviews, export_reviews
    )
)
register_entity(
    EntitySpec(
        "skills", EmployeeSkill, SKILL_COLUMNS, ("employee", "skill"), plan_skills, export_skills
    )
)
register_entity(
    EntitySpec("pay", PayChange, PAY_COLUMNS, ("employee", "effective_date"), plan_pay, export_pay)
)


__all__ = [
    "DEPARTMENT_COLUMNS",
    "EMPLOYEE_ATTRIBUTES",
    "EMPLOYEE_COLUMNS",
    "PAY_COLUMNS",
    "POSITION_COLUMNS",
    "REVIEW_COLUMNS",
    "SKILL_COLUMNS",
    "employee_attributes",
    "export_departments",
    "export_employees",
    "export_pay",
    "export_positions",
    "export_reviews",
    "export_skills",
    "plan_departments",
    "plan_employees",
    "plan_pay",
    "plan_positions",
    "plan_reviews",
    "plan_skills",
]
