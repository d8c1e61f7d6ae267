"""The demo organisation: job families and their salary bands, the divisions, regions and
teams of a tier's size, the skills catalogue, and who is where on the first simulated day
(with the departments and managers the planted causes of `causes.py` act through)."""

from __future__ import annotations

import numpy as np

from gmassist.org.demo.causes import DEMO_CAUSES
from gmassist.org.demo.company import (
    MONTHS,
    TIERS,
    DemoCalendar,
    DepartmentRow,
    PositionRow,
    Structure,
    check_tier,
    random_stream,
)

LEAF_SIZE = {"S": 18, "M": 30, "L": 35}  # people per lowest-level department, roughly
# Growth of the head count a year (see `simulation` for how the months share it).
GROWTH_PER_YEAR = 0.04

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
HEAD_GRADE_BY_DEPTH = {0: 8, 1: 7, 2: 6, 3: 5}

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


def round_shares(total: int, shares: np.ndarray) -> np.ndarray:
    """Split `total` in integers proportional to `shares` (largest remainder)."""
    exact = total * shares / shares.sum()
    parts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - parts), kind="stable")
    parts[order[: total - parts.sum()]] += 1
    return parts


def start_size(tier: str) -> int:
    """The head count on the first day: the tier's size before three years of growth."""
    return round(TIERS[tier] / (1 + GROWTH_PER_YEAR) ** (MONTHS / 12))


def build_structure(*, seed: int, tier: str) -> Structure:
    """Departments (a tree 2-4 levels deep sized to the tier), their heads and first staff.

    The departments are those of the tier's size; the first staff are `start_size(tier)`.
    """
    check_tier(tier)
    rng = random_stream(seed, tier, 1)
    departments, leaves_by_division = _departments(tier)
    person_department, all_leaves = _first_staff(rng, tier, len(departments), leaves_by_division)
    unhappy, bad_people = _planted_causes(rng, all_leaves)
    return Structure(
        seed=seed,
        tier=tier,
        departments=departments,
        person_department=person_department,
        unhappy_departments=unhappy,
        bad_manager_people=bad_people,
    )


def _departments(tier: str) -> tuple[list[DepartmentRow], list[list[int]]]:
    """The department tree of the tier's size: the office, then each division with its
    regions and their teams; and the lowest-level departments (indexes) of each division."""
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
        else:
            leaves_by_division.append(_regions(departments, div, div_index, n_leaves))
    return departments, leaves_by_division


def _regions(
    departments: list[DepartmentRow], div: int, div_index: int, n_leaves: int
) -> list[int]:
    """Add the regions of division `div` (and their teams, when it has more lowest-level
    departments than regions) to `departments`; the indexes of its lowest-level ones."""
    code, name, family, _share = DIVISIONS[div_index]
    n_regions = min(len(REGIONS), n_leaves)
    teams = round_shares(n_leaves, np.ones(n_regions))
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
    return leaves


def _first_staff(
    rng: np.random.Generator, tier: str, n_depts: int, leaves_by_division: list[list[int]]
) -> tuple[np.ndarray, list[int]]:
    """The department of each first-day person (the heads first: person d heads department
    d, then the office staff, then each division's members spread over its lowest-level
    departments); and every lowest-level department, division by division."""
    size = TIERS[tier]
    office_staff = max(2, round(size * 0.004))
    members = start_size(tier) - n_depts - office_staff
    div_members = round_shares(members, np.array([d[3] for d in DIVISIONS]))
    person_department = [np.arange(n_depts), np.zeros(office_staff, dtype=int)]
    all_leaves: list[int] = []
    for leaves, n in zip(leaves_by_division, div_members, strict=True):
        sizes = round_shares(int(n), rng.dirichlet(np.full(len(leaves), 20.0)))
        for dept, k in zip(leaves, sizes, strict=True):
            person_department.append(np.full(int(k), dept))
        all_leaves.extend(leaves)
    return np.concatenate(person_department).astype(np.int32), all_leaves


def _planted_causes(rng: np.random.Generator, all_leaves: list[int]) -> tuple[list[int], list[int]]:
    """The unhappy departments and the bad managers (people, heads of other lowest-level
    departments) that the causes of leaving act through."""
    leaf_array = np.array(all_leaves)
    causes = DEMO_CAUSES
    n_unhappy = max(2, round(causes.unhappy_department_share * len(leaf_array)))
    unhappy = sorted(int(d) for d in rng.choice(leaf_array, n_unhappy, replace=False))
    others = np.array([d for d in all_leaves if d not in set(unhappy)])
    n_bad = max(2, round(causes.bad_manager_share * len(leaf_array)))
    bad_departments = rng.choice(others, n_bad, replace=False)
    # heads are people 0..n_depts-1: department d is headed by person d on the first day
    bad_people = sorted(int(d) for d in bad_departments)
    return unhappy, bad_people


def build_positions() -> list[PositionRow]:
    """Job families x grades with yearly salary bands (CNY, this year's values)."""
    positions = []
    for code, family, title, grade1_mid in FAMILIES:
        for grade in range(1, GRADES + 1):
            mid = round100(grade1_mid * GRADE_STEP ** (grade - 1))
            positions.append(
                PositionRow(
                    f"{code}-{grade}",
                    f"{title} G{grade}",
                    family,
                    grade,
                    round100(mid * (1 - BAND_WIDTH)),
                    mid,
                    round100(mid * (1 + BAND_WIDTH)),
                )
            )
    positions.append(
        PositionRow(
            "GEN-8",
            "General Manager",
            "General management",
            8,
            round100(GM_BAND_MID * (1 - BAND_WIDTH)),
            GM_BAND_MID,
            round100(GM_BAND_MID * (1 + BAND_WIDTH)),
        )
    )
    return positions


def band_factor(calendar: DemoCalendar, month: int) -> float:
    """Band level in the year of `month` relative to the bands that positions show."""
    return (1 + BAND_DRIFT_PER_YEAR) ** (calendar.year(month) - calendar.band_year)


def round100(value: float) -> int:
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
