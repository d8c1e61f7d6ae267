"""Three years of the demo company, month by month: on the first day everyone's grade, pay,
age and tenure are drawn; then each month brings (in this order) the January rotation of some
department heads, the promotions of January and July, the April pay review, leavers and hires
(`turnover`), a few transfers, and the half-yearly reviews of June and December. The same
seed draws the same months: every draw comes from the simulation's one random stream, in this
order. Pure numpy; `result.company_of` turns the end into a `DemoCompany`."""

from __future__ import annotations

from typing import Any

import numpy as np

from gmassist.org.demo.causes import VOLUNTARY_FACTORS, DemoCauses
from gmassist.org.demo.company import (
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
    MONTHS,
    TIERS,
    DemoCalendar,
    PositionRow,
    Structure,
    random_stream,
)
from gmassist.org.demo.structure import (
    DIVISIONS,
    EMPLOYMENT_TYPE_SHARES,
    EMPLOYMENT_TYPES,
    GENERAL,
    GROWTH_PER_YEAR,
    HEAD_GRADE_BY_DEPTH,
    LOCATIONS,
    band_factor,
    position_index,
)
from gmassist.org.demo.turnover import hire_for_open_positions, leave

# How each calendar month (January first) shares the year's growth (`GROWTH_PER_YEAR`): most
# of it is the graduate intake of July-September; nothing in February (the Spring Festival).
GROWTH_SHARE_BY_MONTH = np.array(
    [0.05, 0.0, 0.08, 0.05, 0.05, 0.05, 0.21, 0.21, 0.15, 0.05, 0.05, 0.05]
)
MEMBER_GRADE_SHARES = (0.24, 0.28, 0.24, 0.16, 0.08)  # grades 1..5 of the first staff
MEMBER_GRADE_CAP = 6  # staff are promoted up to grade 6; grade 7 is for division heads
PAY_REASONS = ("hire", "review", "promotion", "adjustment")  # a pay change's reason, by index
RAISE_BY_RATING = np.array([0.0, 0.0, 0.01, 0.03, 0.05, 0.08])  # index = rating 1..5
PROMOTION_CHANCE_BY_RATING = np.array([0.0, 0.0, 0.0, 0.0, 0.3, 0.6])
# Calendar months (January = 0) of the yearly events; none happens on the first simulated day.
PROMOTION_MONTHS = (0, 6)  # promotions take effect on 1 January and 1 July
RAISE_MONTHS = (3,)  # the yearly pay review takes effect on 1 April
ROTATION_MONTHS = (0,)  # heads of some departments swap places on 1 January
REVIEW_MONTHS = (5, 11)  # half-yearly reviews on the last day of June and of December
ROTATION_SHARE = 0.08
TRANSFER_MONTHLY = 0.003
# So that there is something to propose, the demo head's division (Enterprise Sales) was built by
# hiring below the band (first-day compa-ratios DEMO_DIVISION_PAY_GAP lower) and missed the pay
# reviews of the last DEMO_DIVISION_FROZEN_YEARS years (a budget freeze). Its people then face
# the low-pay cause of `causes.py` like anyone else.
DEMO_DIVISION_PAY_GAP = 0.12
DEMO_DIVISION_FROZEN_YEARS = 2


class People:
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


def day_number(value: np.datetime64) -> int:
    """A date as days since 1970-01-01 (the simulation counts days as integers)."""
    return int(value.astype("datetime64[D]").astype(np.int64))


class Records:
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


class Simulation:
    """The company month by month (see the module docstring): `people` (columns, one item
    per person who ever joined), `head` (the person heading each department now), the pay
    changes and reviews recorded so far, and the open positions waiting to be filled."""

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
        self.rng = random_stream(structure.seed, structure.tier, 2)
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
        self.people = People(capacity=int(size * 1.6) + 16)
        self.bad = np.zeros(int(size * 1.6) + 16, dtype=bool)
        self.pay_changes = Records("person", "day", "pay", "previous", "reason")
        self.reviews = Records("person", "period", "day", "rating", "potential", "reviewer")
        # open positions: (department, family, grade, first day they may be filled)
        self.pending_head: list[tuple[int, int, int, int]] = []
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
        start = day_number(self.calendar.start)
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
        pay = np.round(self.band_mid[pos] * band_factor(self.calendar, 0) * compa, -2)
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
        # Pay before the records: a starting pay at hire (deflated by 3% a year of service), the
        # last promotion when there was one since the hire (so that the records know how long
        # ago it was, as a real pay history does), then the pay on the first day of the
        # records as an adjustment.
        years = (start - hire_day) / DAYS_PER_YEAR
        starting = np.round(pay / 1.03 ** np.minimum(years, 15), -2)
        self.pay_changes.add(person=idx, day=hire_day, pay=starting, previous=-1, reason=0)
        promoted = np.nonzero(last_promotion > hire_day)[0]
        years_since = (start - last_promotion[promoted]) / DAYS_PER_YEAR
        at_promotion = np.round(pay[promoted] / 1.03 ** np.minimum(years_since, 15), -2)
        self.pay_changes.add(
            person=idx[promoted], day=last_promotion[promoted], pay=at_promotion,
            previous=starting[promoted], reason=2,
        )  # fmt: skip
        before_start = starting.copy()
        before_start[promoted] = at_promotion
        self.pay_changes.add(person=idx, day=start, pay=pay, previous=before_start, reason=3)

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
            day = day_number(month_starts[month])
            in_year = calendar.calendar_month(month)
            if month and in_year in ROTATION_MONTHS:
                self._rotate_heads(day)
            if month and in_year in PROMOTION_MONTHS:
                self._promote(month, day)
            if month and in_year in RAISE_MONTHS:
                self._raise_pay(month, day)
            leave(self, month, day)
            hire_for_open_positions(self, month, day)
            self._transfer(day)
            if in_year in REVIEW_MONTHS:
                self._review(month)

    def planned_head_count(self, month: int) -> float:
        """The head count the company plans for the end of `month` (-1: the first day)."""
        remaining = sum(
            GROWTH_SHARE_BY_MONTH[self.calendar.calendar_month(m)] for m in range(month + 1, MONTHS)
        )
        share_per_year = GROWTH_SHARE_BY_MONTH.sum()
        return TIERS[self.structure.tier] / (1 + GROWTH_PER_YEAR) ** (remaining / share_per_year)

    def reports_of(self, departments: list[int]) -> np.ndarray:
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
                affected = self.reports_of([int(a), int(b)])
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
        self.set_grade(promoted, p["grade"][promoted] + 1, month, day)

    def set_grade(self, persons: np.ndarray, grade: np.ndarray, month: int, day: int) -> None:
        p = self.people
        new_pos = position_index(p["family"][persons], grade)
        old_pay = p["pay"][persons]
        new_pay = np.maximum(
            np.round(old_pay * 1.10, -2),
            self.band_min[new_pos] * band_factor(self.calendar, month),
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
        compa = p["pay"][persons] / (self.band_mid[pos] * band_factor(self.calendar, month))
        pct = np.where(compa > 1.15, pct / 2, pct)
        raised = pct > 0.002
        persons, pct = persons[raised], pct[raised]
        old_pay = p["pay"][persons]
        new_pay = np.round(old_pay * (1 + pct), -2)
        changed = new_pay > old_pay
        persons, old_pay, new_pay = persons[changed], old_pay[changed], new_pay[changed]
        p.cols["pay"][persons] = new_pay
        self.pay_changes.add(person=persons, day=day, pay=new_pay, previous=old_pay, reason=1)

    def make_head(self, dept: int, person: int, month: int, day: int) -> None:
        p = self.people
        self.head[dept] = person
        head_grade = HEAD_GRADE_BY_DEPTH[int(self.depth[dept])]
        if head_grade > p["grade"][person]:
            self.set_grade(np.array([person]), np.array([head_grade]), month, day)
        affected = self.reports_of([dept])
        p.cols["manager_change_day"][affected] = day
        p.cols["manager_change_day"][person] = day

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
        review_day = day_number(self.calendar.month_starts[month + 1]) - 1
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
