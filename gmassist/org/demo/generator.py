"""The demo company as plain data: an organisation of a DESIGN.md tier and three years of history.

`generate(seed=, tier=, as_of=)` returns a `DemoCompany` of dataclasses and numpy arrays; the same
seed, tier and `as_of` date always give the same company. The 36 months of history end with the
last complete month before `as_of` (default: today): as of 2026-11-24 they are 2023-11..2026-10,
and the current month has no hires or leavers yet (the books are closed month by month). Leaving
is simulated month by month from the hazards of `causes.py`; hiring follows leaving with a lag
(open positions are filled with a monthly chance that is low in February, around the Spring
Festival, and high in July-September, when graduates come) and the company grows by
`GROWTH_PER_YEAR`, mostly through the graduate intake, so that it starts the window smaller and
its head count at `as_of` is exactly the tier's size. Pure: no Django import; `writer.py` puts
the result into the database and the benchmark writes it to CSV.

People are numbered 0..n-1 in the order they join the data (the organisation first, then hires);
their employee number is `E` and that index + 1 on six digits. Dates are numpy `datetime64[D]`.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gmassist.org.demo import names
from gmassist.org.demo.causes import (
    DEMO_CAUSES,
    INVOLUNTARY_REASONS,
    OTHER_VOLUNTARY_REASONS,
    RETIREMENT_REASON,
    VOLUNTARY_FACTORS,
    VOLUNTARY_REASONS,
    DemoCauses,
    involuntary_hazard,
    retirement_hazard,
    voluntary_factors,
    voluntary_hazard,
)

TIERS = {"S": 500, "M": 20_000, "L": 100_000}
LEAF_SIZE = {"S": 18, "M": 30, "L": 35}  # people per lowest-level department, roughly
MONTHS = 36
# Growth of the head count a year, and how each calendar month (January first) shares it: most
# of it is the graduate intake of July-September; nothing in February (the Spring Festival).
GROWTH_PER_YEAR = 0.04
GROWTH_SHARE_BY_MONTH = np.array(
    [0.05, 0.0, 0.08, 0.05, 0.05, 0.05, 0.21, 0.21, 0.15, 0.05, 0.05, 0.05]
)
# The chance that an open position is filled in a month, by calendar month (January first).
FILL_BY_MONTH = np.array([0.5, 0.25, 0.65, 0.55, 0.55, 0.5, 0.8, 0.85, 0.75, 0.55, 0.55, 0.45])
GRADUATE_MONTHS = (6, 7, 8)  # July-September: most positions added then go to graduates
DAYS_PER_MONTH = 30.44
DAYS_PER_YEAR = 365.25
CURRENCY = "CNY"
EMAIL_DOMAIN = "demo-company.example"

# (code, job family, role title, midpoint of grade 1 in CNY a year)
FAMILIES = (
    ("ENG", "Network engineering", "Network Engineer", 150_000),
    ("IT", "Software and IT", "Software Engineer", 160_000),
    ("OPS", "Network operations", "Operations Engineer", 110_000),
    ("SAL", "Sales", "Account Manager", 120_000),
    ("SVC", "Customer service", "Customer Service Specialist", 80_000),
    ("MKT", "Marketing", "Marketing Specialist", 110_000),
    ("FIN", "Finance", "Finance Specialist", 115_000),
    ("HR", "Human resources", "HR Specialist", 105_000),
)
GENERAL = len(FAMILIES)  # the family index of the general manager's own position
GRADES = 7  # grades 1..7 in every family; the general manager is grade 8
GRADE_STEP = 1.2  # a grade's band midpoint is 1.2 times the one below
BAND_WIDTH = 0.2  # band min/max = midpoint * (1 -/+ 0.2)
BAND_DRIFT_PER_YEAR = 0.04  # the market moves bands up 4% every January (positions show the
# bands of the year of the last simulated month)
GM_BAND_MID = 1_200_000

# (code, name, family index, share of the head count)
DIVISIONS = (
    ("NE", "Network Engineering", 0, 0.14),
    ("IT", "IT and Software", 1, 0.10),
    ("NO", "Network Operations", 2, 0.16),
    ("ES", "Enterprise Sales", 3, 0.14),
    ("CS", "Consumer Sales", 3, 0.12),
    ("SV", "Customer Service", 4, 0.18),
    ("MK", "Marketing", 5, 0.06),
    ("FI", "Finance", 6, 0.05),
    ("HR", "Human Resources", 7, 0.05),
)
REGIONS = (
    ("N", "North", "Beijing"),
    ("E", "East", "Shanghai"),
    ("S", "South", "Shenzhen"),
    ("W", "West", "Chengdu"),
    ("C", "Central", "Wuhan"),
    ("NE", "Northeast", "Shenyang"),
    ("SW", "Southwest", "Chongqing"),
    ("NW", "Northwest", "Xi'an"),
)
LOCATIONS = ("Beijing", "Shanghai", "Shenzhen", "Chengdu", "Wuhan", "Shenyang", "Chongqing",
             "Xi'an", "Guangzhou", "Hangzhou", "Nanjing")  # fmt: skip
HQ_LOCATION = 0
EMPLOYMENT_TYPES = ("full_time", "contract", "part_time", "intern")
EMPLOYMENT_TYPE_SHARES = (0.88, 0.06, 0.03, 0.03)
SEPARATION_TYPES = ("voluntary", "involuntary", "retirement")
HEAD_GRADE_BY_DEPTH = {0: 8, 1: 7, 2: 6, 3: 5}
MEMBER_GRADE_SHARES = (0.24, 0.28, 0.24, 0.16, 0.08)  # grades 1..5 of the first staff
MEMBER_GRADE_CAP = 6  # staff are promoted up to grade 6; grade 7 is for division heads

# The skills catalogue: five per family, (code, name).
SKILLS = {
    "ENG": (("5GC", "5G core network"), ("RAN", "Radio access network planning"),
            ("IPN", "IP/MPLS networking"), ("OPT", "Optical transport"),
            ("NFV", "Network function virtualisation")),
    "IT": (("PY", "Python"), ("JAVA", "Java"), ("CLOUD", "Cloud platforms"),
           ("DATA", "Data engineering"), ("SEC", "Information security")),
    "OPS": (("NOC", "Network monitoring"), ("FIELD", "Field maintenance"),
            ("INC", "Incident management"), ("PWR", "Power and cooling systems"),
            ("AUTO", "Operations automation")),
    "SAL": (("KAM", "Key account management"), ("NEG", "Negotiation"),
            ("SOL", "Solution selling"), ("B2B", "Enterprise ICT products"),
            ("CRM", "CRM tools")),
    "SVC": (("CX", "Customer care"), ("CMP", "Complaint handling"), ("BILL", "Billing systems"),
            ("TECH", "Technical support"), ("RET", "Customer retention")),
    "MKT": (("BRAND", "Brand management"), ("DIGI", "Digital marketing"),
            ("MR", "Market research"), ("PRICE", "Pricing"), ("PROD", "Product management")),
    "FIN": (("ACC", "Accounting"), ("FPA", "Financial planning and analysis"),
            ("TAX", "Tax"), ("AUD", "Internal audit"), ("PROC", "Procurement")),
    "HR": (("REC", "Recruiting"), ("COMP", "Compensation and benefits"),
           ("LD", "Learning and development"), ("ER", "Employee relations"),
           ("LAW", "Labour law")),
}  # fmt: skip

# The reasons a Separation can give, in one list; separations refer to them by index.
REASONS = (
    *VOLUNTARY_REASONS.values(),
    *OTHER_VOLUNTARY_REASONS,
    INVOLUNTARY_REASONS["performance"],
    *INVOLUNTARY_REASONS["other"],
    RETIREMENT_REASON,
)
_REASON_INDEX = {reason: i for i, reason in enumerate(REASONS)}

PAY_REASONS = ("hire", "review", "promotion", "adjustment")
RAISE_BY_RATING = np.array([0.0, 0.0, 0.01, 0.03, 0.05, 0.08])  # index = rating 1..5
PROMOTION_CHANCE_BY_RATING = np.array([0.0, 0.0, 0.0, 0.0, 0.3, 0.6])
# Calendar months (January = 0) of the yearly events; none happens on the first simulated day.
PROMOTION_MONTHS = (0, 6)  # promotions take effect on 1 January and 1 July
RAISE_MONTHS = (3,)  # the yearly pay review takes effect on 1 April
ROTATION_MONTHS = (0,)  # heads of some departments swap places on 1 January
REVIEW_MONTHS = (5, 11)  # half-yearly reviews on the last day of June and of December
ROTATION_SHARE = 0.08
TRANSFER_MONTHLY = 0.003
ON_LEAVE_SHARE = 0.02

DEMO_COMPANY_NAME = "Demo Company 演示公司"

# The pay raises the demo head proposes on the first run (see `_Simulation._proposals`).
PROPOSAL_COMPA_RATIO = 0.85  # paid below this share of the band midpoint: far below the band
PROPOSAL_TARGET_COMPA = 0.92
PROPOSAL_MAX_RAISE = 0.15  # at most 15% at once
PROPOSALS_MIN, PROPOSALS_MAX = 3, 5
# So that there is something to propose, the demo head's division (Enterprise Sales) was built by
# hiring below the band (first-day compa-ratios DEMO_DIVISION_PAY_GAP lower) and missed the pay
# reviews of the last DEMO_DIVISION_FROZEN_YEARS years (a budget freeze). Its people then face
# the low-pay cause of `causes.py` like anyone else.
DEMO_DIVISION_PAY_GAP = 0.12
DEMO_DIVISION_FROZEN_YEARS = 2


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
    proposals: list[dict[str, Any]]  # the pay raises the demo head proposes (see `_proposals`)
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


def _rng(seed: int, tier: str, stream: int) -> np.random.Generator:
    """An independent random stream per purpose, so that one part can be rebuilt alone."""
    return np.random.default_rng([seed, ord(tier), stream])


def _check_tier(tier: str) -> None:
    if tier not in TIERS:
        raise ValueError(f"unknown tier {tier!r}; use one of {', '.join(TIERS)}")


def _round_shares(total: int, shares: np.ndarray) -> np.ndarray:
    """Split `total` in integers proportional to `shares` (largest remainder)."""
    exact = total * shares / shares.sum()
    parts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - parts), kind="stable")
    parts[order[: total - parts.sum()]] += 1
    return parts


# --- the organisation ------------------------------------------------------------------------


def start_size(tier: str) -> int:
    """The head count on the first day: the tier's size before three years of growth."""
    return round(TIERS[tier] / (1 + GROWTH_PER_YEAR) ** (MONTHS / 12))


def build_structure(*, seed: int, tier: str) -> Structure:
    """Departments (a tree 2-4 levels deep sized to the tier), their heads and first staff.

    The departments are those of the tier's size; the first staff are `start_size(tier)`.
    """
    _check_tier(tier)
    rng = _rng(seed, tier, 1)
    size = TIERS[tier]
    leaf = LEAF_SIZE[tier]
    departments = [
        DepartmentRow("GMO", "General Management Office", None, 0, -1, GENERAL, HQ_LOCATION)
    ]
    leaves_by_division: list[list[int]] = []
    for div_index, (code, name, family, share) in enumerate(DIVISIONS):
        div = len(departments)
        departments.append(DepartmentRow(code, name, 0, 1, div_index, family, HQ_LOCATION))
        n_leaves = max(1, round(size * share / leaf))
        if n_leaves == 1:
            leaves_by_division.append([div])
            continue
        n_regions = min(len(REGIONS), n_leaves)
        teams = _round_shares(n_leaves, np.ones(n_regions))
        leaves: list[int] = []
        for r in range(n_regions):
            r_code, r_name, city = REGIONS[r]
            location = LOCATIONS.index(city)
            region = len(departments)
            departments.append(
                DepartmentRow(
                    f"{code}-{r_code}", f"{name} {r_name}", div, 2, div_index, family, location
                )
            )
            if n_leaves <= len(REGIONS):
                leaves.append(region)
                continue
            for k in range(teams[r]):
                leaves.append(len(departments))
                departments.append(
                    DepartmentRow(
                        f"{code}-{r_code}-{k + 1:02d}",
                        f"{name} {r_name} Team {k + 1}",
                        region,
                        3,
                        div_index,
                        family,
                        location,
                    )
                )
        leaves_by_division.append(leaves)

    n_depts = len(departments)
    office_staff = max(2, round(size * 0.004))
    members = start_size(tier) - n_depts - office_staff
    div_members = _round_shares(members, np.array([d[3] for d in DIVISIONS]))
    person_department = [np.arange(n_depts), np.zeros(office_staff, dtype=int)]
    all_leaves: list[int] = []
    for leaves, n in zip(leaves_by_division, div_members, strict=True):
        sizes = _round_shares(int(n), rng.dirichlet(np.full(len(leaves), 20.0)))
        for dept, k in zip(leaves, sizes, strict=True):
            person_department.append(np.full(int(k), dept))
        all_leaves.extend(leaves)

    leaf_array = np.array(all_leaves)
    causes = DEMO_CAUSES
    n_unhappy = max(2, round(causes.unhappy_department_share * len(leaf_array)))
    unhappy = sorted(int(d) for d in rng.choice(leaf_array, n_unhappy, replace=False))
    others = np.array([d for d in all_leaves if d not in set(unhappy)])
    n_bad = max(2, round(causes.bad_manager_share * len(leaf_array)))
    bad_departments = rng.choice(others, n_bad, replace=False)
    # heads are people 0..n_depts-1: department d is headed by person d on the first day
    bad_people = sorted(int(d) for d in bad_departments)
    return Structure(
        seed=seed,
        tier=tier,
        departments=departments,
        person_department=np.concatenate(person_department).astype(np.int32),
        unhappy_departments=unhappy,
        bad_manager_people=bad_people,
    )


def build_positions() -> list[PositionRow]:
    """Job families x grades with yearly salary bands (CNY, this year's values)."""
    positions = []
    for code, family, title, grade1_mid in FAMILIES:
        for grade in range(1, GRADES + 1):
            mid = _round100(grade1_mid * GRADE_STEP ** (grade - 1))
            positions.append(
                PositionRow(
                    f"{code}-{grade}",
                    f"{title} G{grade}",
                    family,
                    grade,
                    _round100(mid * (1 - BAND_WIDTH)),
                    mid,
                    _round100(mid * (1 + BAND_WIDTH)),
                )
            )
    positions.append(
        PositionRow(
            "GEN-8",
            "General Manager",
            "General management",
            8,
            _round100(GM_BAND_MID * (1 - BAND_WIDTH)),
            GM_BAND_MID,
            _round100(GM_BAND_MID * (1 + BAND_WIDTH)),
        )
    )
    return positions


def _round100(value: float) -> int:
    return round(value / 100.0) * 100


def position_index(family: np.ndarray, grade: np.ndarray) -> np.ndarray:
    """The index into `build_positions()` of each (family, grade)."""
    return np.where(family == GENERAL, GENERAL * GRADES, family * GRADES + (grade - 1))


def build_skills() -> list[tuple[str, str, str]]:
    family_names = {code: family for code, family, _title, _mid in FAMILIES}
    return [
        (f"{fam}-{code}", name, family_names[fam])
        for fam, skills in SKILLS.items()
        for code, name in skills
    ]


# --- the people and the simulation -----------------------------------------------------------


class _People:
    """Columns of people that grow as hires join (amortised doubling)."""

    COLUMNS = {
        "department": np.int32, "family": np.int8, "grade": np.int8, "hire_day": np.int64,
        "birth_day": np.int64, "female": bool, "pay": np.float64, "last_promotion_day": np.int64,
        "manager_change_day": np.int64, "latent": np.float64, "last_rating": np.int8,
        "previous_rating": np.int8,
        "active": bool, "leave_day": np.int64, "separation_type": np.int8, "reason": np.int16,
        "regretted": np.int8, "manager_at_leave": np.int32, "employment_type": np.int8,
        "location": np.int16,
    }  # fmt: skip

    def __init__(self, capacity: int):
        self.n = 0
        self.cols = {name: np.zeros(capacity, dtype=dtype) for name, dtype in self.COLUMNS.items()}

    def __getitem__(self, name: str) -> np.ndarray:
        return self.cols[name][: self.n]

    def append(self, **values: np.ndarray) -> np.ndarray:
        k = len(next(iter(values.values())))
        capacity = len(self.cols["department"])
        if self.n + k > capacity:
            new_capacity = max(capacity * 2, self.n + k)
            for name, column in self.cols.items():
                grown = np.zeros(new_capacity, dtype=column.dtype)
                grown[: self.n] = column[: self.n]
                self.cols[name] = grown
        idx = np.arange(self.n, self.n + k)
        for name, column in self.cols.items():
            column[idx] = values.get(name, 0)
        self.n += k
        return idx


def _day(value: np.datetime64) -> int:
    return int(value.astype("datetime64[D]").astype(np.int64))


def _band_factor(calendar: DemoCalendar, month: int) -> float:
    """Band level in the year of `month` relative to the bands that positions show."""
    return (1 + BAND_DRIFT_PER_YEAR) ** (calendar.year(month) - calendar.band_year)


class _Records:
    """History rows collected as lists of arrays, concatenated at the end."""

    def __init__(self, *columns: str):
        self.columns = columns
        self.parts: dict[str, list[np.ndarray]] = {c: [] for c in columns}

    def add(self, **values: Any) -> None:
        n = len(next(iter(values.values())))
        for c in self.columns:
            value = values[c]
            self.parts[c].append(np.broadcast_to(np.asarray(value), (n,)).copy())

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            c: (np.concatenate(parts) if parts else np.array([])) for c, parts in self.parts.items()
        }


def generate(
    *, seed: int, tier: str, as_of: dt.date | None = None, causes: DemoCauses = DEMO_CAUSES
) -> DemoCompany:
    """The demo company of `tier` (S, M or L) from `seed` as of `as_of` (default: today).

    Same seed, tier and as_of: same company.
    """
    structure = build_structure(seed=seed, tier=tier)
    positions = build_positions()
    sim = _Simulation(structure, positions, causes, demo_calendar(as_of))
    sim.run()
    return sim.result()


class _Simulation:
    def __init__(
        self,
        structure: Structure,
        positions: list[PositionRow],
        causes: DemoCauses,
        calendar: DemoCalendar,
    ):
        self.structure = structure
        self.calendar = calendar
        self.positions = positions
        self.causes = causes
        self.rng = _rng(structure.seed, structure.tier, 2)
        departments = structure.departments
        self.n_depts = len(departments)
        self.parent = np.array([-1 if d.parent is None else d.parent for d in departments])
        self.depth = np.array([d.depth for d in departments])
        self.dept_family = np.array([d.family for d in departments])
        self.dept_location = np.array([d.location for d in departments])
        self.children: dict[int, list[int]] = {}
        for i, d in enumerate(departments):
            if d.parent is not None:
                self.children.setdefault(d.parent, []).append(i)
        self.leaves = np.array([i for i in range(self.n_depts) if i not in self.children])
        self.band_mid = np.array([p.band_mid for p in positions], dtype=np.float64)
        self.band_min = np.array([p.band_min for p in positions], dtype=np.float64)
        self.head = np.arange(self.n_depts)
        self.gm = 0
        size = structure.size
        self.people = _People(capacity=int(size * 1.6) + 16)
        self.bad = np.zeros(int(size * 1.6) + 16, dtype=bool)
        self.pay_changes = _Records("person", "day", "pay", "previous", "reason")
        self.reviews = _Records("person", "period", "day", "rating", "potential", "reviewer")
        # open positions: (department, family, grade, first day they may be filled)
        self._pending_head: list[tuple[int, int, int, int]] = []
        self.open_positions: list[tuple[int, int, int, int]] = []
        self.expected_leavers = 0.0
        first_staff = np.bincount(structure.person_department, minlength=self.n_depts)
        weight = first_staff[self.leaves].astype(np.float64)
        self.leaf_weight = weight / weight.sum()
        # the division of the demo head's team (see DEMO_DIVISION_* above)
        sales_div = [d[0] for d in DIVISIONS].index("ES")
        self.pay_gap_departments = [i for i, d in enumerate(departments) if d.division == sales_div]
        self.factor_stats = {
            f: {"with_months": 0, "with_leavers": 0, "without_months": 0, "without_leavers": 0}
            for f in VOLUNTARY_FACTORS
        }
        self._first_day()

    # -- the first day --------------------------------------------------------------------

    def _first_day(self) -> None:
        rng = self.rng
        s = self.structure
        dept = s.person_department
        n = len(dept)
        start = _day(self.calendar.start)
        is_head = np.zeros(n, dtype=bool)
        is_head[: self.n_depts] = True
        members = ~is_head & (dept != 0)
        family = self.dept_family[dept].copy()
        other = members & (rng.random(n) < 0.2)
        family[other] = rng.integers(0, GENERAL, other.sum())
        office = ~is_head & (dept == 0)
        family[office] = rng.integers(0, GENERAL, office.sum())
        grade = np.where(
            is_head,
            np.vectorize(HEAD_GRADE_BY_DEPTH.get)(self.depth[dept]),
            rng.choice(np.arange(1, 6), n, p=MEMBER_GRADE_SHARES),
        )
        employment_type = np.where(
            is_head, 0, rng.choice(len(EMPLOYMENT_TYPES), n, p=EMPLOYMENT_TYPE_SHARES)
        )
        grade = np.where(employment_type == 3, 1, grade)  # interns are grade 1
        female = rng.random(n) < 0.45
        retire_age = np.where(
            female, self.causes.retirement_age_female, self.causes.retirement_age_male
        )
        age = 24 + 3.0 * (grade - 1) + rng.normal(0, 7, n) + np.where(is_head, 5, 0)
        age = np.clip(age, 21, retire_age - 1.0)
        tenure = np.minimum(age - 21, rng.exponential(5.5, n) + np.where(is_head, 3, 0))
        hire_day = start - np.ceil(tenure * DAYS_PER_YEAR).astype(np.int64) - 1
        promotion_gap = np.minimum(start - hire_day, rng.exponential(2.5, n) * DAYS_PER_YEAR)
        last_promotion = start - promotion_gap.astype(np.int64)
        manager_change = np.full(n, -(10**6), dtype=np.int64)
        recent = rng.random(n) < 0.05
        manager_change[recent] = start - rng.integers(1, 150, recent.sum())
        compa = np.clip(rng.normal(0.99, 0.11, n), 0.7, 1.3)
        # the demo head's division was built by hiring below the band (DEMO_DIVISION_*)
        in_division = np.isin(dept, self.pay_gap_departments)
        compa[in_division] = np.clip(compa[in_division] - DEMO_DIVISION_PAY_GAP, 0.7, 1.3)
        pos = position_index(family, grade)
        pay = np.round(self.band_mid[pos] * _band_factor(self.calendar, 0) * compa, -2)
        latent = rng.normal(0, 1, n)
        location = np.where(
            rng.random(n) < 0.93, self.dept_location[dept], rng.integers(0, len(LOCATIONS), n)
        )
        idx = self.people.append(
            department=dept, family=family, grade=grade, hire_day=hire_day,
            birth_day=start - (age * DAYS_PER_YEAR).astype(np.int64), female=female, pay=pay,
            last_promotion_day=last_promotion, manager_change_day=manager_change, latent=latent,
            last_rating=self._rating(latent), active=np.ones(n, dtype=bool),
            leave_day=np.full(n, -1), separation_type=np.full(n, -1),
            reason=np.full(n, -1), regretted=np.full(n, -1), manager_at_leave=np.full(n, -1),
            employment_type=employment_type, location=location,
        )  # fmt: skip
        self.bad[s.bad_manager_people] = True
        # Pay before the records: a starting pay at hire (deflated by 3% a year of service),
        # then the pay on the first day of the records as an adjustment.
        years = (start - hire_day) / DAYS_PER_YEAR
        starting = np.round(pay / 1.03 ** np.minimum(years, 15), -2)
        self.pay_changes.add(person=idx, day=hire_day, pay=starting, previous=-1, reason=0)
        self.pay_changes.add(person=idx, day=start, pay=pay, previous=starting, reason=3)

    def _rating(self, latent: np.ndarray) -> np.ndarray:
        score = 0.8 * latent + self.rng.normal(0, 0.6, len(latent))
        return (1 + np.searchsorted([-1.645, -0.84, 0.84, 1.645], score)).astype(np.int8)

    # -- month by month -------------------------------------------------------------------

    def managers(self, persons: np.ndarray) -> np.ndarray:
        """The manager of each person now: their department's head, or the parent's head."""
        dept = self.people["department"][persons]
        own_head = self.head[dept]
        parent = self.parent[dept]
        parent_head = np.where(parent >= 0, self.head[np.maximum(parent, 0)], -1)
        return np.where(own_head == persons, parent_head, own_head)

    def run(self) -> None:
        calendar = self.calendar
        month_starts = calendar.month_starts
        for month in range(MONTHS):
            day = _day(month_starts[month])
            in_year = calendar.calendar_month(month)
            if month and in_year in ROTATION_MONTHS:
                self._rotate_heads(day)
            if month and in_year in PROMOTION_MONTHS:
                self._promote(month, day)
            if month and in_year in RAISE_MONTHS:
                self._raise_pay(month, day)
            self._leave(month, day)
            self._hire_for_open_positions(month, day)
            self._transfer(day)
            if in_year in REVIEW_MONTHS:
                self._review(month)

    def _target(self, month: int) -> float:
        """The head count the company plans for the end of `month` (-1: the first day)."""
        remaining = sum(
            GROWTH_SHARE_BY_MONTH[self.calendar.calendar_month(m)] for m in range(month + 1, MONTHS)
        )
        share_per_year = GROWTH_SHARE_BY_MONTH.sum()
        return TIERS[self.structure.tier] / (1 + GROWTH_PER_YEAR) ** (remaining / share_per_year)

    def _reports_of(self, departments: list[int]) -> np.ndarray:
        """Active people whose manager is the head of one of `departments`."""
        p = self.people
        in_depts = np.isin(p["department"], departments)
        child_heads = [self.head[c] for d in departments for c in self.children.get(d, [])]
        mask = p["active"] & in_depts
        mask[np.array(child_heads, dtype=np.int64)] = True
        mask[self.head[departments]] = False
        return np.nonzero(mask & p["active"])[0]

    def _rotate_heads(self, day: int) -> None:
        rng = self.rng
        for depth in (1, 2, 3):
            depts = np.nonzero(self.depth == depth)[0]
            k = int(len(depts) * ROTATION_SHARE) // 2 * 2
            if k < 2:
                continue
            chosen = rng.choice(depts, k, replace=False)
            for a, b in chosen.reshape(-1, 2):
                head_a, head_b = self.head[a], self.head[b]
                self.head[a], self.head[b] = head_b, head_a
                self.people.cols["department"][head_a] = b
                self.people.cols["department"][head_b] = a
                affected = self._reports_of([int(a), int(b)])
                self.people.cols["manager_change_day"][affected] = day
                self.people.cols["manager_change_day"][[head_a, head_b]] = day

    def _promote(self, month: int, day: int) -> None:
        p = self.people
        n = p.n
        is_head = np.zeros(n, dtype=bool)
        is_head[self.head] = True
        months_since = (day - p["last_promotion_day"]) / DAYS_PER_MONTH
        eligible = p["active"] & ~is_head & (p["grade"] < MEMBER_GRADE_CAP) & (months_since >= 18)
        chance = PROMOTION_CHANCE_BY_RATING[p["last_rating"]]
        promoted = np.nonzero(eligible & (self.rng.random(n) < chance))[0]
        if not len(promoted):
            return
        self._set_grade(promoted, p["grade"][promoted] + 1, month, day)

    def _set_grade(self, persons: np.ndarray, grade: np.ndarray, month: int, day: int) -> None:
        p = self.people
        new_pos = position_index(p["family"][persons], grade)
        old_pay = p["pay"][persons]
        new_pay = np.maximum(
            np.round(old_pay * 1.10, -2),
            self.band_min[new_pos] * _band_factor(self.calendar, month),
        )
        new_pay = np.round(new_pay, -2)
        p.cols["grade"][persons] = grade
        p.cols["pay"][persons] = new_pay
        p.cols["last_promotion_day"][persons] = day
        self.pay_changes.add(person=persons, day=day, pay=new_pay, previous=old_pay, reason=2)

    def _raise_pay(self, month: int, day: int) -> None:
        p = self.people
        eligible = p["active"] & (p["hire_day"] < day - 90)
        if month >= MONTHS - 12 * DEMO_DIVISION_FROZEN_YEARS:
            eligible &= ~np.isin(p["department"], self.pay_gap_departments)
        persons = np.nonzero(eligible)[0]
        pct = RAISE_BY_RATING[p["last_rating"][persons]] + self.rng.normal(0, 0.005, len(persons))
        pos = position_index(p["family"][persons], p["grade"][persons])
        compa = p["pay"][persons] / (self.band_mid[pos] * _band_factor(self.calendar, month))
        pct = np.where(compa > 1.15, pct / 2, pct)
        raised = pct > 0.002
        persons, pct = persons[raised], pct[raised]
        old_pay = p["pay"][persons]
        new_pay = np.round(old_pay * (1 + pct), -2)
        changed = new_pay > old_pay
        persons, old_pay, new_pay = persons[changed], old_pay[changed], new_pay[changed]
        p.cols["pay"][persons] = new_pay
        self.pay_changes.add(person=persons, day=day, pay=new_pay, previous=old_pay, reason=1)

    def _leave(self, month: int, day: int) -> None:
        """Who leaves this month, drawn from the hazards of `causes.py`; their jobs open up."""
        p = self.people
        rng = self.rng
        causes = self.causes
        active = np.nonzero(p["active"])[0]
        active = active[active != self.gm]
        pos = position_index(p["family"][active], p["grade"][active])
        compa = p["pay"][active] / (self.band_mid[pos] * _band_factor(self.calendar, month))
        manager = self.managers(active)
        factors = voluntary_factors(
            compa_ratio=compa,
            months_since_promotion=(day - p["last_promotion_day"][active]) / DAYS_PER_MONTH,
            bad_manager=np.where(manager >= 0, self.bad[np.maximum(manager, 0)], False),
            unhappy_department=np.isin(p["department"][active], self.structure.unhappy_departments),
            months_since_manager_change=(day - p["manager_change_day"][active]) / DAYS_PER_MONTH,
            tenure_months=(day - p["hire_day"][active]) / DAYS_PER_MONTH,
            causes=causes,
        )
        h_vol = voluntary_hazard(factors, causes)
        h_inv = involuntary_hazard(p["last_rating"][active], causes)
        age = (day - p["birth_day"][active]) / DAYS_PER_YEAR
        h_ret = retirement_hazard(age, p["female"][active], causes)
        u = rng.random(len(active))
        voluntary = u < h_vol
        involuntary = ~voluntary & (u < h_vol + h_inv)
        retiring = ~voluntary & ~involuntary & (u < h_vol + h_inv + h_ret)
        self.expected_leavers = float(np.minimum(h_vol + h_inv + h_ret, 1.0).sum())
        for name, flag in factors.items():
            stats = self.factor_stats[name]
            stats["with_months"] += int(flag.sum())
            stats["with_leavers"] += int((flag & voluntary).sum())
            stats["without_months"] += int((~flag).sum())
            stats["without_leavers"] += int((~flag & voluntary).sum())

        leaving = voluntary | involuntary | retiring
        leavers = active[leaving]
        if not len(leavers):
            return
        k = len(leavers)
        sep_type = np.where(voluntary[leaving], 0, np.where(involuntary[leaving], 1, 2))
        reason = np.full(k, _REASON_INDEX[RETIREMENT_REASON])
        # a voluntary leaver's reason is the factor that tipped them, drawn in proportion to
        # how much each of their factors added to their hazard (the base counts as 1)
        vol_rows = np.nonzero(voluntary[leaving])[0]
        if len(vol_rows):
            weights = np.column_stack(
                [np.ones(len(vol_rows))]
                + [
                    factors[f][leaving][vol_rows] * (causes.multiplier(f) - 1)
                    for f in VOLUNTARY_FACTORS
                ]
            )
            cumulative = np.cumsum(weights, axis=1)
            draw = rng.random(len(vol_rows)) * cumulative[:, -1]
            choice = (cumulative < draw[:, None]).sum(axis=1)
            factor_reasons = np.array(
                [_REASON_INDEX[VOLUNTARY_REASONS[f]] for f in VOLUNTARY_FACTORS]
            )
            others = np.array([_REASON_INDEX[r] for r in OTHER_VOLUNTARY_REASONS])
            base_reason = others[rng.integers(0, len(others), len(vol_rows))]
            reason[vol_rows] = np.where(
                choice == 0, base_reason, factor_reasons[np.maximum(choice - 1, 0)]
            )
        inv_rows = np.nonzero(involuntary[leaving])[0]
        if len(inv_rows):
            low = p["last_rating"][leavers[inv_rows]] <= 2
            other_inv = np.array([_REASON_INDEX[r] for r in INVOLUNTARY_REASONS["other"]])
            reason[inv_rows] = np.where(
                low,
                _REASON_INDEX[INVOLUNTARY_REASONS["performance"]],
                other_inv[rng.integers(0, len(other_inv), len(inv_rows))],
            )
        rating = p["last_rating"][leavers]
        regretted = np.where(sep_type == 0, (rating >= 4).astype(np.int8), 0)
        regretted = np.where(sep_type == 2, -1, regretted)
        offset = rng.integers(0, 27, k)  # day 1..27 of the month
        p.cols["active"][leavers] = False
        p.cols["leave_day"][leavers] = day + offset
        p.cols["separation_type"][leavers] = sep_type
        p.cols["reason"][leavers] = reason
        p.cols["regretted"][leavers] = regretted
        p.cols["manager_at_leave"][leavers] = manager[leaving]

        # Each leaver leaves an open position, filled later (see `_hire_for_open_positions`).
        head_of = {int(h): d for d, h in enumerate(self.head)}
        for i, person in enumerate(leavers):
            person = int(person)
            dept = int(p["department"][person])
            grade = int(p["grade"][person])
            family = int(p["family"][person])
            free_from = day + int(offset[i]) + 1
            if head_of.get(person) == dept:
                successor = self._internal_successor(dept)
                if successor < 0:
                    # nobody to promote: an outside hire heads the department this month
                    self._pending_head.append((dept, family, grade, free_from))
                    continue
                # the successor's old job is the one to fill
                family = int(p["family"][successor])
                grade = int(p["grade"][successor])
                self._make_head(dept, successor, month, free_from)
            elif rng.random() < 0.4:
                grade = max(1, grade - 1)
            self.open_positions.append((dept, family, grade, free_from))

    def _hire_for_open_positions(self, month: int, day: int) -> None:
        """Fill some of the open positions, and the positions the company grows by.

        Each open position (a leaver's, or one of the plan's new ones, plus a pipeline of about
        the expected leavers of a month that keeps the head count on plan) is filled this month
        with the chance `FILL_BY_MONTH` of its calendar month, oldest first; never beyond the
        tier's size, and in the last month exactly up to it. A department whose head left
        with nobody to promote gets an outside head this month.
        """
        p = self.people
        rng = self.rng
        size = TIERS[self.structure.tier]
        active = int(p["active"].sum())
        in_year = self.calendar.calendar_month(month)
        heads = self._pending_head
        self._pending_head = []
        queue = self.open_positions
        if month == MONTHS - 1:
            n = size - active
            growth_open = max(0, n - len(heads) - len(queue))
        else:
            target = self._target(month)
            growth = target - self._target(month - 1)
            mean_fill = float(FILL_BY_MONTH.mean())
            pipeline = (1 - mean_fill) / mean_fill * (self.expected_leavers + growth)
            wanted = max(0, round(target + pipeline - active))
            n = min(int(rng.binomial(wanted, FILL_BY_MONTH[in_year])), size - active)
            growth_open = max(0, wanted - len(heads) - len(queue))
        n = max(n, len(heads))
        rest = n - len(heads)
        n_growth = round(rest * growth_open / max(1, growth_open + len(queue)))
        n_queue = min(len(queue), rest - n_growth)
        n_growth = rest - n_queue
        filled = heads + queue[:n_queue]
        self.open_positions = queue[n_queue:]
        if not n:
            return
        dept = np.array([f[0] for f in filled] + [0] * n_growth, dtype=np.int64)
        family = np.array([f[1] for f in filled] + [0] * n_growth, dtype=np.int64)
        grade = np.array([f[2] for f in filled] + [0] * n_growth, dtype=np.int64)
        earliest = np.array([max(0, f[3] - day) for f in filled] + [0] * n_growth)
        graduate = np.zeros(n, dtype=bool)
        if n_growth:
            new = slice(len(filled), n)
            dept[new] = rng.choice(self.leaves, n_growth, p=self.leaf_weight)
            family[new] = np.where(
                rng.random(n_growth) < 0.8,
                self.dept_family[dept[new]],
                rng.integers(0, GENERAL, n_growth),
            )
            grade[new] = rng.choice([1, 2, 3], n_growth, p=[0.5, 0.35, 0.15])
            if in_year in GRADUATE_MONTHS:
                graduate[new] = rng.random(n_growth) < 0.75
                grade[graduate] = 1
        hire_offset = rng.integers(np.minimum(earliest, 27), 28)
        head_of = np.full(n, -1)
        head_of[: len(heads)] = [h[0] for h in heads]
        self._hire(dept, family, grade, day + hire_offset, month, head_of, graduate)

    def _internal_successor(self, dept: int) -> int:
        """The active member of `dept` with the highest grade, then the longest service."""
        p = self.people
        members = np.nonzero(p["active"] & (p["department"] == dept))[0]
        members = members[~np.isin(members, self.head)]
        if not len(members):
            return -1
        order = np.lexsort((p["hire_day"][members], -p["grade"][members].astype(int)))
        return int(members[order[0]])

    def _make_head(self, dept: int, person: int, month: int, day: int) -> None:
        p = self.people
        self.head[dept] = person
        head_grade = HEAD_GRADE_BY_DEPTH[int(self.depth[dept])]
        if head_grade > p["grade"][person]:
            self._set_grade(np.array([person]), np.array([head_grade]), month, day)
        affected = self._reports_of([dept])
        p.cols["manager_change_day"][affected] = day
        p.cols["manager_change_day"][person] = day

    def _hire(
        self,
        dept: np.ndarray,
        family: np.ndarray,
        grade: np.ndarray,
        hire_day: np.ndarray,
        month: int,
        head_of: np.ndarray,
        graduate: np.ndarray,
    ) -> None:
        """Hire people; `head_of` is the department each new head heads (-1: not a head)."""
        rng = self.rng
        k = len(dept)
        female = rng.random(k) < 0.45
        employment_type = rng.choice(len(EMPLOYMENT_TYPES), k, p=EMPLOYMENT_TYPE_SHARES)
        new_head = head_of >= 0
        employment_type = np.where(new_head | graduate, 0, employment_type)
        grade = np.where(employment_type == 3, 1, grade)
        age = np.clip(24 + 2.5 * (grade - 1) + rng.normal(0, 4, k), 21, 50)
        age = np.where(graduate, np.clip(22.5 + rng.normal(0, 1, k), 21, 26), age)
        compa = np.clip(rng.normal(0.98, 0.07, k), 0.8, 1.2)
        pos = position_index(family, grade)
        pay = np.round(self.band_mid[pos] * _band_factor(self.calendar, month) * compa, -2)
        latent = rng.normal(0, 1, k)
        location = np.where(
            rng.random(k) < 0.93, self.dept_location[dept], rng.integers(0, len(LOCATIONS), k)
        )
        idx = self.people.append(
            department=dept, family=family, grade=grade, hire_day=hire_day,
            birth_day=hire_day - (age * DAYS_PER_YEAR).astype(np.int64), female=female, pay=pay,
            last_promotion_day=hire_day, manager_change_day=np.full(k, -(10**6)), latent=latent,
            last_rating=np.full(k, 3), active=np.ones(k, dtype=bool), leave_day=np.full(k, -1),
            separation_type=np.full(k, -1), reason=np.full(k, -1), regretted=np.full(k, -1),
            manager_at_leave=np.full(k, -1), employment_type=employment_type, location=location,
        )  # fmt: skip
        if len(self.bad) < self.people.n:
            grown = np.zeros(2 * self.people.n, dtype=bool)
            grown[: len(self.bad)] = self.bad
            self.bad = grown
        self.pay_changes.add(person=idx, day=hire_day, pay=pay, previous=-1, reason=0)
        for i in np.nonzero(new_head)[0]:  # an outside hire heads a department
            d = int(head_of[i])
            self.head[d] = int(idx[i])
            affected = self._reports_of([d])
            self.people.cols["manager_change_day"][affected] = int(hire_day[i])

    def _transfer(self, day: int) -> None:
        p = self.people
        rng = self.rng
        is_head = np.zeros(p.n, dtype=bool)
        is_head[self.head] = True
        movers = np.nonzero(p["active"] & ~is_head & (rng.random(p.n) < TRANSFER_MONTHLY))[0]
        if not len(movers):
            return
        p.cols["department"][movers] = rng.choice(self.leaves, len(movers))
        p.cols["manager_change_day"][movers] = day + rng.integers(0, 28, len(movers))

    def _review(self, month: int) -> None:
        p = self.people
        review_day = _day(self.calendar.month_starts[month + 1]) - 1
        persons = np.nonzero(p["active"] & (p["hire_day"] <= review_day - 90))[0]
        rating = self._rating(p["latent"][persons])
        age = (review_day - p["birth_day"][persons]) / DAYS_PER_YEAR
        potential_score = 0.6 * p["latent"][persons] - 0.04 * (age - 35)
        potential_score += self.rng.normal(0, 0.6, len(persons))
        potential = 1 + np.searchsorted([-0.5, 0.9], potential_score)
        reviewer = self.managers(persons)
        year = self.calendar.year(month)
        period = f"{year}-H{1 if self.calendar.calendar_month(month) < 6 else 2}"
        p.cols["previous_rating"][persons] = p["last_rating"][persons]
        p.cols["last_rating"][persons] = rating
        self.reviews.add(
            person=persons, period=period, day=review_day, rating=rating,
            potential=potential, reviewer=reviewer,
        )  # fmt: skip

    # -- the end: plain data --------------------------------------------------------------

    def result(self) -> DemoCompany:
        p = self.people
        n = p.n
        rng = _rng(self.structure.seed, self.structure.tier, 3)
        status = np.where(p["active"], "active", "left").astype(object)
        current = np.nonzero(p["active"])[0]
        manager = np.full(n, -1, dtype=np.int64)
        manager[current] = self.managers(current)
        left = ~p["active"]
        manager[left] = p["manager_at_leave"][left]
        logins = self._logins()
        login_people = {login.person for login in logins}
        heads = set(self.head.tolist())
        may_be_away = [q for q in current if int(q) not in login_people and int(q) not in heads]
        away = rng.choice(may_be_away, round(len(current) * ON_LEAVE_SHARE), replace=False)
        status[away] = "on_leave"
        family = p["family"]
        grade = p["grade"]
        end_day = np.where(left, p["leave_day"], _day(self.calendar.as_of_day))
        service_years = (end_day - p["hire_day"]) / DAYS_PER_YEAR
        paid_leave = 10.0 + np.minimum(10, np.floor(service_years / 2))
        people = {
            "employee_no": np.array([employee_no(i) for i in range(n)], dtype=object),
            "department": p["department"].astype(np.int64),
            "position": position_index(family, grade).astype(np.int64),
            "manager": manager,
            "hire_date": p["hire_day"].astype("datetime64[D]"),
            "leave_date": np.where(left, p["leave_day"], np.iinfo(np.int64).min).astype(
                "datetime64[D]"
            ),
            "birth_date": p["birth_day"].astype("datetime64[D]"),
            "gender": np.where(p["female"], "female", "male").astype(object),
            "location": np.array(LOCATIONS, dtype=object)[p["location"]],
            "employment_type": np.array(EMPLOYMENT_TYPES, dtype=object)[p["employment_type"]],
            "status": status,
            "base_pay": p["pay"].astype(np.int64),
            "paid_leave_days": paid_leave,
        }
        people.update(_names(_rng(self.structure.seed, self.structure.tier, 4), p["female"]))
        left_people = np.nonzero(left)[0]
        order = np.argsort(p["leave_day"][left_people], kind="stable")
        left_people = left_people[order]
        separations = {
            "person": left_people,
            "date": p["leave_day"][left_people].astype("datetime64[D]"),
            "type": np.array(SEPARATION_TYPES, dtype=object)[p["separation_type"][left_people]],
            "reason": np.array(REASONS, dtype=object)[p["reason"][left_people]],
            "regretted": p["regretted"][left_people],
        }
        pay = self.pay_changes.arrays()
        pay_changes = {
            "person": pay["person"].astype(np.int64),
            "date": pay["day"].astype("datetime64[D]"),
            "base_pay": pay["pay"].astype(np.int64),
            "previous_base_pay": pay["previous"].astype(np.int64),
            "reason": np.array(PAY_REASONS, dtype=object)[pay["reason"].astype(int)],
        }
        rev = self.reviews.arrays()
        reviews = {
            "person": rev["person"].astype(np.int64),
            "period": rev["period"].astype(object),
            "date": rev["day"].astype(np.int64).astype("datetime64[D]"),
            "rating": rev["rating"].astype(np.int64),
            "potential": rev["potential"].astype(np.int64),
            "reviewer": rev["reviewer"].astype(np.int64),
        }
        return DemoCompany(
            seed=self.structure.seed,
            tier=self.structure.tier,
            departments=self.structure.departments,
            positions=self.positions,
            skills=build_skills(),
            people=people,
            department_heads=self.head.copy(),
            pay_changes=pay_changes,
            reviews=reviews,
            separations=separations,
            employee_skills=self._skills(rng, current),
            unhappy_departments=list(self.structure.unhappy_departments),
            bad_manager_people=list(self.structure.bad_manager_people),
            factor_stats=self.factor_stats,
            logins=logins,
            calendar=self.calendar,
            proposals=self._proposals(logins, people, reviews, pay_changes),
            causes=self.causes,
        )

    def _skills(self, rng: np.random.Generator, persons: np.ndarray) -> dict[str, np.ndarray]:
        """3-6 skills for each current employee, mostly of their own job family."""
        per_family = len(next(iter(SKILLS.values())))
        n_families = len(SKILLS)
        p = self.people
        family = np.where(
            p["family"][persons] == GENERAL, rng.integers(0, n_families, len(persons)),
            p["family"][persons],
        )  # fmt: skip
        own = rng.integers(2, per_family, len(persons))  # 2-4 of the own family's five
        extra = rng.integers(1, 3, len(persons))  # and 1-2 others
        rows_person, rows_skill = [], []
        for count in range(per_family):
            take = own > count
            rows_person.append(persons[take])
            rows_skill.append(family[take] * per_family + count)
        for count in range(2):
            take = extra > count
            fam = (family[take] + 1 + rng.integers(0, n_families - 1, take.sum())) % n_families
            rows_person.append(persons[take])
            rows_skill.append(fam * per_family + count * 2 + rng.integers(0, 2, take.sum()))
        person = np.concatenate(rows_person)
        skill = np.concatenate(rows_skill)
        pairs = np.unique(person * 1000 + skill)
        person, skill = pairs // 1000, pairs % 1000
        own_family = skill // per_family == family[np.searchsorted(persons, person)]
        level = 1 + 0.5 * p["grade"][person] + np.where(own_family, 0.5, -1.0)
        level = np.clip(np.round(level + rng.normal(0, 0.8, len(person))), 0, 5)
        return {
            "person": person.astype(np.int64),
            "skill": skill.astype(np.int64),
            "level": level.astype(np.int64),
            # assessed in the last skills round, at the end of the month before the last one
            "assessed_on": np.full(len(person), self.calendar.month_starts[MONTHS - 1] - 1),
        }

    def _proposals(
        self,
        logins: list[DemoLogin],
        people: dict[str, np.ndarray],
        reviews: dict[str, np.ndarray],
        pay_changes: dict[str, np.ndarray],
    ) -> list[dict[str, Any]]:
        """Pay raises for the demo head to propose on the first run.

        The people of the head's department paid far below their band (compa-ratio below
        `PROPOSAL_COMPA_RATIO`), rated 3 or more in their last two reviews and 4 or 5 in one of
        them, the lowest paid first, at most `PROPOSALS_MAX`; when fewer than `PROPOSALS_MIN`
        were rated 4+, those rated 3 come next (the rationale says what they were rated). Each
        brings the pay to `PROPOSAL_TARGET_COMPA` of the band midpoint, by at most
        `PROPOSAL_MAX_RAISE`. The evidence is the last ratings and the months since the last
        raise; `pay_change_propose` adds the pay and the compa-ratio before and after.
        """
        head = next(login.person for login in logins if login.role == "dept_head")
        dept = int(people["department"][head])
        mid = np.array([pos.band_mid for pos in self.positions], dtype=np.float64)
        pos_of = people["position"]
        compa = people["base_pay"] / mid[pos_of]
        by_person: dict[int, list[tuple[str, int]]] = {}
        for person, period, rating in zip(
            reviews["person"], reviews["period"], reviews["rating"], strict=True
        ):
            by_person.setdefault(int(person), []).append((str(period), int(rating)))

        def last_two(q: int) -> list[int]:
            return [r for _period, r in sorted(by_person.get(q, []))[-2:]] or [0]

        def best(q: int) -> int:
            return max(last_two(q)) if min(last_two(q)) >= 3 else 0

        underpaid = np.nonzero(
            (people["department"] == dept)
            & (people["status"] == "active")
            & (compa < PROPOSAL_COMPA_RATIO)
        )[0]
        underpaid = [int(q) for q in underpaid if int(q) != head and best(int(q)) >= 3]
        candidates = sorted((q for q in underpaid if best(q) >= 4), key=lambda q: (compa[q], q))
        # fewer than PROPOSALS_MIN rated 4+: those rated 3 (meets expectations) come next
        solid = sorted((q for q in underpaid if best(q) == 3), key=lambda q: (compa[q], q))
        candidates += solid[: max(0, PROPOSALS_MIN - len(candidates))]
        as_of = self.calendar.as_of
        effective = (np.datetime64(as_of, "M") + 1).astype("datetime64[D]").item()
        raised = pay_changes["reason"] != "hire"
        proposals = []
        for q in candidates[:PROPOSALS_MAX]:
            position = self.positions[int(pos_of[q])]
            old = int(people["base_pay"][q])
            target = min(position.band_mid * PROPOSAL_TARGET_COMPA, old * (1 + PROPOSAL_MAX_RAISE))
            new = max(_round100(target), old + 100)
            ratings = sorted(by_person[q])[-2:]
            changes = pay_changes["date"][(pay_changes["person"] == q) & raised]
            since = changes.max() if len(changes) else people["hire_date"][q]
            months = int((np.datetime64(as_of, "M") - since.astype("datetime64[M]")).astype(int))
            since_label = (
                gettext_noop("months since the last raise")
                if len(changes)
                else gettext_noop("months since hire (no raise since)")
            )
            since_text = (
                f"the last raise was {months} months ago"
                if len(changes)
                else f"hired {months} months ago, with no raise since"
            )
            name = str(people["full_name"][q])
            rated = " and ".join(f"{r} ({period})" for period, r in ratings)
            rationale = (
                f"{name} is paid {old:,} {CURRENCY} a year, {compa[q]:.3f} of the midpoint of "
                f"the {position.title} band ({position.band_mid:,}), and was rated {rated} in "
                f"the last review{'s' if len(ratings) > 1 else ''}; {since_text}. In this "
                f"company people paid below {PROPOSAL_COMPA_RATIO:.2f} of the midpoint leave "
                "about twice as often. "
                f"A raise to {new:,} {CURRENCY} (+{new - old:,} a year, "
                f"{new / position.band_mid:.2f} of the midpoint) brings the pay closer to the "
                f"band."
            )
            proposals.append(
                {
                    "person": q,
                    "new_base_pay": new,
                    "effective_date": effective,
                    "rationale": rationale,
                    "evidence": [
                        {
                            "label": gettext_noop("last ratings"),
                            "value": ", ".join(f"{period}: {r}" for period, r in ratings),
                        },
                        {
                            "label": since_label,
                            "value": str(months),
                            "since": str(since),
                        },
                    ],
                }
            )
        return proposals

    def _logins(self) -> list[DemoLogin]:
        """The people the demo users are: picked from who is there at the end."""
        p = self.people
        active = p["active"]
        heads = set(self.head.tolist())
        dept_of = p["department"]
        office = [int(q) for q in np.nonzero(active & (dept_of == 0))[0] if int(q) not in heads]
        divisions = {d.code: i for i, d in enumerate(self.structure.departments) if d.depth == 1}
        hr_div = divisions["HR"]
        sales_div = [d[0] for d in DIVISIONS].index("ES")
        sales_leaves = [
            int(d) for d in self.leaves if self.structure.departments[d].division == sales_div
        ]

        def staff(dept: int) -> list[int]:
            return [int(q) for q in np.nonzero(active & (dept_of == dept))[0] if q not in heads]

        # the team with the most people paid far below their band and rated well (something
        # for the demo head to decide on), then the most staff
        pos = position_index(p["family"], p["grade"])
        previous = np.where(p["previous_rating"] > 0, p["previous_rating"], p["last_rating"])
        solid = active & (p["pay"] < PROPOSAL_COMPA_RATIO * self.band_mid[pos])
        solid &= np.minimum(p["last_rating"], previous) >= 3
        solid[self.head] = False
        good = solid & (np.maximum(p["last_rating"], previous) >= 4)

        def candidates(dept: int) -> tuple[int, int]:
            in_dept = dept_of == dept
            enough = PROPOSALS_MIN
            return min(int(np.sum(solid & in_dept)), enough), min(
                int(np.sum(good & in_dept)), enough
            )

        team = max(sales_leaves, key=lambda d: (*candidates(d), len(staff(d)), -d))
        team_staff = staff(team)
        sales_staff = [q for q in team_staff if p["family"][q] == 3]
        account_manager = (sales_staff or team_staff)[0]
        employee = next(q for q in team_staff if q != account_manager)
        people = {
            "gm": int(self.head[0]),
            "assistant": office[0] if office else int(team_staff[-1]),
            "hr": int(self.head[hr_div]),
            "head": int(self.head[team]),
            "am": account_manager,
            "employee": employee,
        }
        return [
            DemoLogin(username, password, role, people[username], description)
            for username, password, role, description in DEMO_USERS
        ]


def _names(rng: np.random.Generator, female: np.ndarray) -> dict[str, np.ndarray]:
    """About half English and half Chinese names, and e-mail addresses that are unique."""
    n = len(female)
    chinese = rng.random(n) < 0.5
    pick = rng.random((n, 2))
    full, family_col, given_col, email = [], [], [], []
    for i in range(n):
        if chinese[i]:
            fam, fam_py = names.CHINESE_FAMILY[int(pick[i, 0] * len(names.CHINESE_FAMILY))]
            pool = names.CHINESE_GIVEN_FEMALE if female[i] else names.CHINESE_GIVEN_MALE
            given, given_py = pool[int(pick[i, 1] * len(pool))]
            full.append(fam + given)
            address = f"{given_py}.{fam_py}"
        else:
            fam = names.ENGLISH_FAMILY[int(pick[i, 0] * len(names.ENGLISH_FAMILY))]
            pool = names.ENGLISH_GIVEN_FEMALE if female[i] else names.ENGLISH_GIVEN_MALE
            given = pool[int(pick[i, 1] * len(pool))]
            full.append(f"{given} {fam}")
            address = f"{given}.{fam}".lower()
        family_col.append(fam)
        given_col.append(given)
        email.append(f"{address}.{i + 1}@{EMAIL_DOMAIN}")
    return {
        "full_name": np.array(full, dtype=object),
        "family_name": np.array(family_col, dtype=object),
        "given_name": np.array(given_col, dtype=object),
        "email": np.array(email, dtype=object),
    }


# --- files -----------------------------------------------------------------------------------

EMPLOYEE_CSV_COLUMNS = (
    "employee_no", "full_name", "email", "department", "position", "manager", "hire_date",
    "leave_date", "separation_type", "leave_reason", "birth_date", "gender", "location",
    "employment_type", "status", "base_pay", "paid_leave_days",
)  # fmt: skip


def _iso(values: np.ndarray) -> list[str]:
    return ["" if np.isnat(v) else str(v) for v in values]


def employee_rows(company: DemoCompany) -> list[list[str]]:
    """The employees in the canonical import columns (`EMPLOYEE_CSV_COLUMNS`), as text."""
    people = company.people
    n = company.size
    separation_type = [""] * n
    leave_reason = [""] * n
    seps = company.separations
    for person, kind, reason in zip(seps["person"], seps["type"], seps["reason"], strict=True):
        separation_type[person] = kind
        leave_reason[person] = reason
    dept_codes = [d.code for d in company.departments]
    pos_codes = [p.code for p in company.positions]
    numbers = people["employee_no"]
    columns = {
        "employee_no": numbers,
        "full_name": people["full_name"],
        "email": people["email"],
        "department": [dept_codes[d] for d in people["department"]],
        "position": [pos_codes[q] for q in people["position"]],
        "manager": [numbers[m] if m >= 0 else "" for m in people["manager"]],
        "hire_date": _iso(people["hire_date"]),
        "leave_date": _iso(people["leave_date"]),
        "separation_type": separation_type,
        "leave_reason": leave_reason,
        "birth_date": _iso(people["birth_date"]),
        "gender": people["gender"],
        "location": people["location"],
        "employment_type": people["employment_type"],
        "status": people["status"],
        "base_pay": [str(v) for v in people["base_pay"]],
        "paid_leave_days": [f"{v:.1f}" for v in people["paid_leave_days"]],
    }
    return [list(row) for row in zip(*(columns[c] for c in EMPLOYEE_CSV_COLUMNS), strict=True)]


def write_employees_csv(company: DemoCompany, path: Path) -> int:
    """Write the employee file (UTF-8, comma-separated, a header row); returns the row count."""
    rows = employee_rows(company)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(EMPLOYEE_CSV_COLUMNS)
        writer.writerows(rows)
    return len(rows)


__all__ = [
    "DEMO_COMPANY_NAME",
    "DEMO_USERS",
    "TIERS",
    "DemoCompany",
    "build_structure",
    "generate",
    "write_employees_csv",
]
