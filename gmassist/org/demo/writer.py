"""Puts a generated demo company into the database, replacing the demo data that was there.

Everything is written in one transaction with `bulk_create`; self-references (managers,
department heads) take a second pass over the few rows that need it. The demo users are created
through `core.services.user_create`; then the demo head proposes the company's first pay raises
through `org.services.pay_change_propose`, so that the GM has something to decide on. Last, the
other apps' demo extensions (`org.demo.extensions`) write their part in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import models, transaction

from gmassist.core.models import Company, Proposal, User
from gmassist.core.permissions import SYSTEM
from gmassist.core.services import user_create
from gmassist.org.demo.company import (
    CURRENCY,
    DEMO_COMPANY_NAME,
    DEMO_USERNAMES,
    DemoCompany,
)
from gmassist.org.demo.extensions import DemoContext, demo_extensions
from gmassist.org.models import (
    Department,
    Employee,
    EmployeeSkill,
    PayChange,
    Position,
    Review,
    Separation,
    Skill,
)

ProgressCallback = Callable[[float, str], None]
BATCH_SIZE = 2000


class DemoRefused(Exception):
    """The database holds data that is not demo data; the demo will not overwrite it."""


def demo_refusal(*, force: bool) -> str | None:
    """Why the demo may not be written here (None when it may): real data and no `force`."""
    if force or not Employee.objects.exists():
        return None
    if Company.objects.filter(pk=1, is_demo=True).exists():
        return None
    count = Employee.objects.count()
    return (
        f"the database holds {count:,} employees that are not demo data; "
        "building the demo would delete them. Use --force to replace them anyway."
    )


def demo_company_write(
    *,
    company: DemoCompany,
    force: bool = False,
    progress: ProgressCallback | None = None,
    batch_size: int = BATCH_SIZE,
    only: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """Replace the organisation data with `company` and create the demo users; one transaction.

    Then every app's demo extension writes its part, or only the ones named in `only` (e.g.
    `("talent",)`: a test that needs the scores but no customers); every extension's previous
    demo rows are deleted either way. Refuses (`DemoRefused`) when there are employees that are
    not demo data, unless `force`. Returns the counts of rows written.
    """
    report = progress or (lambda _percent, _message: None)
    with transaction.atomic():
        reason = demo_refusal(force=force)
        if reason:
            raise DemoRefused(reason)
        extensions = demo_extensions()
        report(20, "Deleting the previous demo data")
        for extension in reversed(extensions):
            extension.delete()
        _delete_org_data()
        writer = _Writer(company, report, batch_size)
        writer.write()
        report(ORG_DONE, "Creating the demo users")
        _create_logins(company, writer.employee_pk)
        report(ORG_DONE + 1, "Proposing the first pay raises")
        _propose(company, writer.employee_pk)
        chosen = [e for e in extensions if only is None or e.name in only]
        extension_counts = _write_extensions(company, writer.employee_pk, chosen, report)
        record = Company.get()
        record.name = DEMO_COMPANY_NAME
        record.currency = CURRENCY
        record.is_demo = True
        record.demo_tier = company.tier
        record.demo_seed = company.seed
        record.save()
    counts = company.counts()
    counts["users"] = len(company.logins)
    counts["proposals"] = len(company.proposals)
    counts.update(extension_counts)
    return counts


# The organisation's tables fill the progress bar from 20% to ORG_DONE; the extensions share the
# rest up to 99%.
ORG_DONE = 80


def _write_extensions(
    company: DemoCompany, employee_pk: np.ndarray, extensions: list, report: ProgressCallback
) -> dict[str, int]:
    """Run every registered demo extension in order; returns their counts, merged."""
    users = {user.username: user for user in User.objects.filter(username__in=DEMO_USERNAMES)}
    counts: dict[str, int] = {}
    share = (99 - (ORG_DONE + 2)) / max(len(extensions), 1)
    for index, extension in enumerate(extensions):
        start = ORG_DONE + 2 + index * share

        def progress(fraction: float, message: str, start: float = start) -> None:
            report(start + share * min(max(fraction, 0.0), 1.0), message)

        progress(0.0, f"Writing the {extension.name} demo data")
        context = DemoContext(
            company=company,
            employee_pk=employee_pk,
            users=users,
            as_of=company.as_of,
            seed=company.seed,
            progress=progress,
        )
        counts.update(extension.write(context))
    return counts


def _delete_org_data() -> None:
    """Delete the organisation tables' rows (children first) and the demo users."""
    # proposals about the people and departments being deleted would point at nothing
    Proposal.objects.filter(
        models.Q(subject_employee__isnull=False) | models.Q(department__isnull=False)
    ).delete()
    User.objects.filter(username__in=DEMO_USERNAMES).delete()
    for model in (EmployeeSkill, Review, PayChange, Separation):
        model.objects.all().delete()
    Department.objects.update(head=None, parent=None)
    Employee.objects.update(manager=None)
    Employee.objects.all().delete()
    Department.objects.all().delete()
    Position.objects.all().delete()
    Skill.objects.all().delete()


def _money(value: int) -> Decimal:
    return Decimal(int(value))


class _Writer:
    # share of the progress bar (20..97) each table takes, roughly by its row count
    STAGES = (
        ("catalogue", 2),
        ("employees", 25),
        ("pay changes", 25),
        ("reviews", 25),
        ("separations", 3),
        ("skills", 17),
    )

    def __init__(self, company: DemoCompany, report: ProgressCallback, batch_size: int):
        self.company = company
        self.report = report
        self.batch_size = batch_size
        self.employee_pk = np.zeros(company.size, dtype=np.int64)
        self._done = 20.0

    def write(self) -> None:
        c = self.company
        self._stage("catalogue", 0, 1)
        positions = Position.objects.bulk_create(
            [
                Position(
                    code=p.code,
                    title=p.title,
                    job_family=p.job_family,
                    grade=p.grade,
                    band_min=_money(p.band_min),
                    band_mid=_money(p.band_mid),
                    band_max=_money(p.band_max),
                    currency=CURRENCY,
                )
                for p in c.positions
            ],
            batch_size=self.batch_size,
        )
        self.position_pk = [p.pk for p in positions]
        skills = Skill.objects.bulk_create(
            [Skill(code=code, name=name, category=category) for code, name, category in c.skills],
            batch_size=self.batch_size,
        )
        self.skill_pk = [s.pk for s in skills]
        self._departments()
        self._employees()
        self._history()

    def _stage(self, name: str, done: int, total: int) -> None:
        before = 20.0
        for stage, weight in self.STAGES:
            if stage == name:
                percent = before + weight * (ORG_DONE - 20) / 100 * (done / max(total, 1))
                self.report(percent, f"Writing {name} ({done:,} of {total:,})")
                return
            before += weight * (ORG_DONE - 20) / 100

    def _departments(self) -> None:
        """Departments level by level, so that every parent has its key before its children."""
        departments = self.company.departments
        self.department_pk = [0] * len(departments)
        for depth in sorted({d.depth for d in departments}):
            level = [i for i, d in enumerate(departments) if d.depth == depth]
            created = Department.objects.bulk_create(
                [
                    Department(
                        code=departments[i].code,
                        name=departments[i].name,
                        parent_id=(
                            None
                            if departments[i].parent is None
                            else self.department_pk[departments[i].parent]
                        ),
                    )
                    for i in level
                ],
                batch_size=self.batch_size,
            )
            for i, obj in zip(level, created, strict=True):
                self.department_pk[i] = obj.pk

    def _employees(self) -> None:
        """Managers and heads first without their own manager, then everyone else, then the
        managers' managers and the departments' heads."""
        c = self.company
        people = c.people
        manager = people["manager"]
        managers = np.union1d(manager[manager >= 0], c.department_heads)
        is_manager = np.zeros(c.size, dtype=bool)
        is_manager[managers] = True
        columns = {
            "hire": people["hire_date"].tolist(),
            "leave": people["leave_date"].tolist(),
            "birth": people["birth_date"].tolist(),
        }
        leave_days = {v: Decimal(f"{v:.1f}") for v in np.unique(people["paid_leave_days"])}
        department_pk = self.department_pk
        position_pk = self.position_pk
        employee_pk = self.employee_pk

        def build(index: int) -> Employee:
            m = manager[index]
            return Employee(
                employee_no=people["employee_no"][index],
                full_name=people["full_name"][index],
                family_name=people["family_name"][index],
                given_name=people["given_name"][index],
                email=people["email"][index],
                department_id=department_pk[people["department"][index]],
                position_id=position_pk[people["position"][index]],
                manager_id=None if (m < 0 or is_manager[index]) else int(employee_pk[m]),
                hire_date=columns["hire"][index],
                leave_date=columns["leave"][index],
                birth_date=columns["birth"][index],
                gender=people["gender"][index],
                location=people["location"][index],
                employment_type=people["employment_type"][index],
                status=people["status"][index],
                base_pay=_money(people["base_pay"][index]),
                paid_leave_days=leave_days[people["paid_leave_days"][index]],
            )

        total = c.size
        written = 0
        # the managers' keys must be known before the rows that refer to them are built
        for group in (managers, np.nonzero(~is_manager)[0]):
            for start in range(0, len(group), self.batch_size):
                chunk = group[start : start + self.batch_size]
                created = Employee.objects.bulk_create([build(int(i)) for i in chunk])
                employee_pk[chunk] = [obj.pk for obj in created]
                written += len(chunk)
                self._stage("employees", written, total)

        # second pass: the managers' own managers, and the heads of departments
        updates = [
            Employee(pk=int(employee_pk[i]), manager_id=int(employee_pk[manager[i]]))
            for i in managers
            if manager[i] >= 0
        ]
        Employee.objects.bulk_update(updates, ["manager"], batch_size=self.batch_size)
        heads = [
            Department(pk=self.department_pk[d], head_id=int(employee_pk[h]))
            for d, h in enumerate(c.department_heads)
        ]
        Department.objects.bulk_update(heads, ["head"], batch_size=self.batch_size)

    def _bulk(self, stage: str, model: type[models.Model], rows: Iterable[models.Model], n: int):
        written = 0
        for batch in _batches(rows, self.batch_size):
            model.objects.bulk_create(batch)
            written += len(batch)
            self._stage(stage, written, n)

    def _history(self) -> None:
        c = self.company
        pk = self.employee_pk

        pay = c.pay_changes
        dates = pay["date"].tolist()
        previous = pay["previous_base_pay"]
        self._bulk(
            "pay changes",
            PayChange,
            (
                PayChange(
                    employee_id=int(pk[person]),
                    effective_date=dates[i],
                    base_pay=_money(pay["base_pay"][i]),
                    previous_base_pay=None if previous[i] < 0 else _money(previous[i]),
                    reason=pay["reason"][i],
                )
                for i, person in enumerate(pay["person"])
            ),
            len(dates),
        )

        rev = c.reviews
        dates = rev["date"].tolist()
        reviewer = rev["reviewer"]
        self._bulk(
            "reviews",
            Review,
            (
                Review(
                    employee_id=int(pk[person]),
                    period=rev["period"][i],
                    review_date=dates[i],
                    rating=int(rev["rating"][i]),
                    potential=int(rev["potential"][i]),
                    reviewer_id=None if reviewer[i] < 0 else int(pk[reviewer[i]]),
                )
                for i, person in enumerate(rev["person"])
            ),
            len(dates),
        )

        sep = c.separations
        dates = sep["date"].tolist()
        regretted = {-1: None, 0: False, 1: True}
        self._bulk(
            "separations",
            Separation,
            (
                Separation(
                    employee_id=int(pk[person]),
                    date=dates[i],
                    separation_type=sep["type"][i],
                    reason=sep["reason"][i],
                    regretted=regretted[int(sep["regretted"][i])],
                )
                for i, person in enumerate(sep["person"])
            ),
            len(dates),
        )

        skills = c.employee_skills
        assessed = skills["assessed_on"].tolist()
        skill_pk = self.skill_pk
        self._bulk(
            "skills",
            EmployeeSkill,
            (
                EmployeeSkill(
                    employee_id=int(pk[person]),
                    skill_id=skill_pk[skills["skill"][i]],
                    level=int(skills["level"][i]),
                    assessed_on=assessed[i],
                )
                for i, person in enumerate(skills["person"])
            ),
            len(assessed),
        )


def _batches(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _create_logins(company: DemoCompany, employee_pk: np.ndarray) -> None:
    people = company.people
    for login in company.logins:
        employee = Employee.objects.get(pk=int(employee_pk[login.person]))
        user_create(
            username=login.username,
            password=login.password,
            role=login.role,
            employee=employee,
            email=employee.email,
            first_name=str(people["given_name"][login.person]),
            last_name=str(people["family_name"][login.person]),
            by=SYSTEM,
        )


def _propose(company: DemoCompany, employee_pk: np.ndarray) -> None:
    """The demo head's proposals (`DemoCompany.proposals`), made as the head, left open."""
    from gmassist.org.services import pay_change_propose

    head = next(login for login in company.logins if login.role == "dept_head")
    by = User.objects.get(username=head.username)
    for proposal in company.proposals:
        pay_change_propose(
            employee=Employee.objects.select_related("position", "department").get(
                pk=int(employee_pk[proposal["person"]])
            ),
            new_base_pay=Decimal(int(proposal["new_base_pay"])),
            effective_date=proposal["effective_date"],
            rationale=proposal["rationale"],
            by=by,
            evidence=proposal["evidence"],
        )
