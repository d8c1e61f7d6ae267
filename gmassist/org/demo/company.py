"""The demo company as plain data: what `generator.generate` returns and `writer` writes.

Dataclasses and numpy arrays, no Django import. People are numbered 0..n-1 in the order they
join the data (the organisation first, then hires); their employee number is `E` and that
index + 1 on six digits. Dates are numpy `datetime64[D]`; pay is CNY a year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gmassist.org.demo.causes import DEMO_CAUSES, DemoCauses

TIERS = {"S": 500, "M": 20_000, "L": 100_000}
MONTHS = 36
DAYS_PER_MONTH = 30.44
DAYS_PER_YEAR = 365.25
CURRENCY = "CNY"
EMAIL_DOMAIN = "demo-company.example"
DEMO_COMPANY_NAME = "Demo Company 演示公司"


@dataclass(frozen=True)
class DemoLogin:
    """A demo user: who logs in with what, and which employee they are."""

    username: str
    password: str
    role: str
    person: int
    description: str


DEMO_USERS = (  # username, password, role, what they are in the company
    ("gm", "gm-demo-2026", "gm", "General manager"),
    ("assistant", "assistant-demo-2026", "assistant", "Assistant to the general manager"),
    ("hr", "hr-demo-2026", "hr", "Head of Human Resources"),
    ("head", "head-demo-2026", "dept_head", "Head of a sales department"),
    ("am", "am-demo-2026", "account_manager", "Account manager in that department"),
    ("employee", "employee-demo-2026", "employee", "Employee in that department"),
)
DEMO_USERNAMES = tuple(username for username, *_rest in DEMO_USERS)


@dataclass(frozen=True)
class DemoCalendar:
    """The 36 simulated months: they end with the last complete month before `as_of`."""

    as_of: dt.date

    @property
    def first_month(self) -> np.datetime64:
        as_of_month = np.datetime64(self.as_of, "M")
        return as_of_month - MONTHS

    @property
    def month_starts(self) -> np.ndarray:
        """The first day of each simulated month, and of the month of `as_of` (37 days)."""
        return (self.first_month + np.arange(MONTHS + 1)).astype("datetime64[D]")

    @property
    def start(self) -> np.datetime64:
        """The first day of the records (the first simulated month's first day)."""
        return self.month_starts[0]

    @property
    def end(self) -> np.datetime64:
        """The last day simulated: the last day of the last complete month."""
        return self.month_starts[MONTHS] - 1

    @property
    def as_of_day(self) -> np.datetime64:
        return np.datetime64(self.as_of, "D")

    def calendar_month(self, month: int) -> int:
        """January = 0 .. December = 11, of simulated month `month` (0..35)."""
        return int((self.first_month + month).astype(np.int64) % 12)

    def year(self, month: int) -> int:
        return int((self.first_month + month).astype(np.int64) // 12) + 1970

    @property
    def band_year(self) -> int:
        """The year whose bands the positions show: the year of the last simulated month."""
        return self.year(MONTHS - 1)


def demo_calendar(as_of: dt.date | None = None) -> DemoCalendar:
    """The calendar of a demo built on `as_of` (default: today)."""
    if as_of is None:
        as_of = dt.date.today()
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    return DemoCalendar(as_of=as_of)


@dataclass
class DepartmentRow:
    code: str
    name: str
    parent: int | None  # index into the department list
    depth: int  # 0 for the company's top, 1 for a division, ...
    division: int  # index into DIVISIONS; -1 for the top
    family: int  # the department's main job family
    location: int  # index into LOCATIONS


@dataclass
class PositionRow:
    code: str
    title: str
    job_family: str
    grade: int
    band_min: int  # CNY a year, in the year of the last simulated month
    band_mid: int
    band_max: int


@dataclass
class Structure:
    """The organisation on the first simulated day: departments, who heads them, who is in them."""

    seed: int
    tier: str
    departments: list[DepartmentRow]
    person_department: np.ndarray  # the department of each first-day person; heads first
    unhappy_departments: list[int]
    bad_manager_people: list[int]

    @property
    def size(self) -> int:
        return len(self.person_department)

    @staticmethod
    def employee_no(person: int) -> str:
        return employee_no(person)


@dataclass
class DemoCompany:
    """Everything the demo writer needs, as plain data (see the module docstring)."""

    seed: int
    tier: str
    departments: list[DepartmentRow]
    positions: list[PositionRow]
    skills: list[tuple[str, str, str]]  # code, name, category (job family)
    people: dict[str, np.ndarray]
    department_heads: np.ndarray  # person heading each department at the end
    pay_changes: dict[str, np.ndarray]
    reviews: dict[str, np.ndarray]
    separations: dict[str, np.ndarray]
    employee_skills: dict[str, np.ndarray]
    unhappy_departments: list[int]
    bad_manager_people: list[int]
    factor_stats: dict[str, dict[str, int]]
    logins: list[DemoLogin]
    calendar: DemoCalendar
    proposals: list[dict[str, Any]]  # raises the demo head proposes (`users`)
    causes: DemoCauses = field(default=DEMO_CAUSES)

    @property
    def as_of(self) -> dt.date:
        return self.calendar.as_of

    def monthly_flows(self) -> list[tuple[str, int, int]]:
        """(YYYY-MM, hires, leavers) of each simulated month."""
        months = self.calendar.month_starts.astype("datetime64[M]")
        hires = self.people["hire_date"].astype("datetime64[M]")
        leaves = self.separations["date"].astype("datetime64[M]")
        return [
            (str(m), int(np.sum(hires == m)), int(np.sum(leaves == m))) for m in months[:MONTHS]
        ]

    @property
    def size(self) -> int:
        return len(self.people["employee_no"])

    def counts(self) -> dict[str, int]:
        status = self.people["status"]
        return {
            "departments": len(self.departments),
            "positions": len(self.positions),
            "skills": len(self.skills),
            "employees": self.size,
            "active": int(np.sum(status != "left")),
            "left": int(np.sum(status == "left")),
            "pay_changes": len(self.pay_changes["person"]),
            "reviews": len(self.reviews["person"]),
            "separations": len(self.separations["person"]),
            "employee_skills": len(self.employee_skills["person"]),
        }


def employee_no(person: int) -> str:
    return f"E{person + 1:06d}"


def gettext_noop(message: str) -> str:
    """Marks an evidence label for translation (found by makemessages) without Django: labels
    are stored in English and translated when shown."""
    return message


def random_stream(seed: int, tier: str, stream: int) -> np.random.Generator:
    """An independent random stream per purpose, so that one part can be rebuilt alone."""
    return np.random.default_rng([seed, ord(tier), stream])


def check_tier(tier: str) -> None:
    if tier not in TIERS:
        raise ValueError(f"unknown tier {tier!r}; use one of {', '.join(TIERS)}")
