"""The end of the simulation as plain data: the `DemoCompany` of dataclasses and arrays, with
the people's names, who is on leave at the end, the current employees' skills, the demo users
and the pay raises the demo head proposes (`users`)."""

from __future__ import annotations

import numpy as np

from gmassist.org.demo import names
from gmassist.org.demo.company import (
    DAYS_PER_YEAR,
    EMAIL_DOMAIN,
    MONTHS,
    DemoCompany,
    employee_no,
    random_stream,
)
from gmassist.org.demo.simulation import PAY_REASONS, Simulation, day_number
from gmassist.org.demo.structure import (
    EMPLOYMENT_TYPES,
    GENERAL,
    LOCATIONS,
    SKILLS,
    build_skills,
    position_index,
)
from gmassist.org.demo.turnover import REASONS, SEPARATION_TYPES
from gmassist.org.demo.users import pick_logins, propose_raises

ON_LEAVE_SHARE = 0.02  # of the current employees, on leave at the end (not a demo user, no head)


def company_of(sim: Simulation) -> DemoCompany:
    """The finished simulation `sim` as a DemoCompany (draws from random streams 3 and 4)."""
    structure = sim.structure
    rng = random_stream(structure.seed, structure.tier, 3)
    current = np.nonzero(sim.people["active"])[0]
    logins = pick_logins(sim)
    people = _people(sim, rng, current, {login.person for login in logins})
    reviews = _reviews(sim)
    pay_changes = _pay_changes(sim)
    return DemoCompany(
        seed=structure.seed,
        tier=structure.tier,
        departments=structure.departments,
        positions=sim.positions,
        skills=build_skills(),
        people=people,
        department_heads=sim.head.copy(),
        pay_changes=pay_changes,
        reviews=reviews,
        separations=_separations(sim),
        employee_skills=_skills(sim, rng, current),
        unhappy_departments=list(structure.unhappy_departments),
        bad_manager_people=list(structure.bad_manager_people),
        factor_stats=sim.factor_stats,
        logins=logins,
        calendar=sim.calendar,
        proposals=propose_raises(sim, logins, people, reviews, pay_changes),
        causes=sim.causes,
    )


def _people(
    sim: Simulation, rng: np.random.Generator, current: np.ndarray, login_people: set[int]
) -> dict[str, np.ndarray]:
    """The people's columns as the writer takes them (one item per person, in person order):
    the manager now (or when they left), status, paid leave days (10, one more every two
    years of service up to 20), names and e-mail addresses."""
    p = sim.people
    n = p.n
    status = np.where(p["active"], "active", "left").astype(object)
    manager = np.full(n, -1, dtype=np.int64)
    manager[current] = sim.managers(current)
    left = ~p["active"]
    manager[left] = p["manager_at_leave"][left]
    heads = set(sim.head.tolist())
    may_be_away = [q for q in current if int(q) not in login_people and int(q) not in heads]
    away = rng.choice(may_be_away, round(len(current) * ON_LEAVE_SHARE), replace=False)
    status[away] = "on_leave"
    family = p["family"]
    grade = p["grade"]
    end_day = np.where(left, p["leave_day"], day_number(sim.calendar.as_of_day))
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
    people.update(_names(random_stream(sim.structure.seed, sim.structure.tier, 4), p["female"]))
    return people


def _separations(sim: Simulation) -> dict[str, np.ndarray]:
    """The leavers' separations, in the order they left."""
    p = sim.people
    left_people = np.nonzero(~p["active"])[0]
    order = np.argsort(p["leave_day"][left_people], kind="stable")
    left_people = left_people[order]
    return {
        "person": left_people,
        "date": p["leave_day"][left_people].astype("datetime64[D]"),
        "type": np.array(SEPARATION_TYPES, dtype=object)[p["separation_type"][left_people]],
        "reason": np.array(REASONS, dtype=object)[p["reason"][left_people]],
        "regretted": p["regretted"][left_people],
    }


def _pay_changes(sim: Simulation) -> dict[str, np.ndarray]:
    pay = sim.pay_changes.arrays()
    return {
        "person": pay["person"].astype(np.int64),
        "date": pay["day"].astype("datetime64[D]"),
        "base_pay": pay["pay"].astype(np.int64),
        "previous_base_pay": pay["previous"].astype(np.int64),
        "reason": np.array(PAY_REASONS, dtype=object)[pay["reason"].astype(int)],
    }


def _reviews(sim: Simulation) -> dict[str, np.ndarray]:
    rev = sim.reviews.arrays()
    return {
        "person": rev["person"].astype(np.int64),
        "period": rev["period"].astype(object),
        "date": rev["day"].astype(np.int64).astype("datetime64[D]"),
        "rating": rev["rating"].astype(np.int64),
        "potential": rev["potential"].astype(np.int64),
        "reviewer": rev["reviewer"].astype(np.int64),
    }


def _skills(
    sim: Simulation, rng: np.random.Generator, persons: np.ndarray
) -> dict[str, np.ndarray]:
    """3-6 skills for each current employee, mostly of their own job family."""
    per_family = len(next(iter(SKILLS.values())))
    n_families = len(SKILLS)
    p = sim.people
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
        "assessed_on": np.full(len(person), sim.calendar.month_starts[MONTHS - 1] - 1),
    }


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
