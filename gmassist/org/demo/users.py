"""Who the demo users are in the company, and the pay raises the demo head proposes on the
first run (so that the GM has something to decide on)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from gmassist.org.demo.company import (
    CURRENCY,
    DEMO_USERS,
    DemoLogin,
    PositionRow,
    gettext_noop,
)
from gmassist.org.demo.structure import DIVISIONS, position_index, round100

if TYPE_CHECKING:
    from gmassist.org.demo.simulation import Simulation

PROPOSAL_COMPA_RATIO = 0.88  # paid below this share of the band midpoint: far below the band
PROPOSAL_TARGET_COMPA = 0.92
PROPOSAL_MAX_RAISE = 0.15  # at most 15% at once
PROPOSALS_MIN, PROPOSALS_MAX = 3, 5


# -- the demo users ---------------------------------------------------------------------------


def pick_logins(sim: Simulation) -> list[DemoLogin]:
    """The people the demo users are: picked from who is there at the end.

    The head is the head of the Enterprise Sales team with the most people paid far below
    their band and rated well (something to decide on), then the most staff; the account
    manager and the employee are in that team.
    """
    p = sim.people
    active = p["active"]
    heads = set(sim.head.tolist())
    dept_of = p["department"]
    office = [int(q) for q in np.nonzero(active & (dept_of == 0))[0] if int(q) not in heads]
    divisions = {d.code: i for i, d in enumerate(sim.structure.departments) if d.depth == 1}

    def staff(dept: int) -> list[int]:
        return [int(q) for q in np.nonzero(active & (dept_of == dept))[0] if q not in heads]

    candidates = _proposal_candidates_by_team(sim)
    team = max(_sales_teams(sim), key=lambda d: (*candidates(d), len(staff(d)), -d))
    team_staff = staff(team)
    sales_staff = [q for q in team_staff if p["family"][q] == 3]
    account_manager = (sales_staff or team_staff)[0]
    employee = next(q for q in team_staff if q != account_manager)
    people = {
        "gm": int(sim.head[0]),
        "assistant": office[0] if office else int(team_staff[-1]),
        "hr": int(sim.head[divisions["HR"]]),
        "head": int(sim.head[team]),
        "am": account_manager,
        "employee": employee,
    }
    return [
        DemoLogin(username, password, role, people[username], description)
        for username, password, role, description in DEMO_USERS
    ]


def _sales_teams(sim: Simulation) -> list[int]:
    """The lowest-level departments of the Enterprise Sales division."""
    sales_div = [d[0] for d in DIVISIONS].index("ES")
    return [int(d) for d in sim.leaves if sim.structure.departments[d].division == sales_div]


def _proposal_candidates_by_team(sim: Simulation) -> Any:
    """A function of a department: (how many of its people are paid far below their band
    and rated 3 or more in their last two reviews, how many of those were rated 4 or 5
    once), each counted up to PROPOSALS_MIN."""
    p = sim.people
    active = p["active"]
    dept_of = p["department"]
    pos = position_index(p["family"], p["grade"])
    previous = np.where(p["previous_rating"] > 0, p["previous_rating"], p["last_rating"])
    solid = active & (p["pay"] < PROPOSAL_COMPA_RATIO * sim.band_mid[pos])
    solid &= np.minimum(p["last_rating"], previous) >= 3
    solid[sim.head] = False
    good = solid & (np.maximum(p["last_rating"], previous) >= 4)

    def candidates(dept: int) -> tuple[int, int]:
        in_dept = dept_of == dept
        enough = PROPOSALS_MIN
        return min(int(np.sum(solid & in_dept)), enough), min(int(np.sum(good & in_dept)), enough)

    return candidates


# -- the pay raises the demo head proposes ----------------------------------------------------


def propose_raises(
    sim: Simulation,
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
    mid = np.array([pos.band_mid for pos in sim.positions], dtype=np.float64)
    compa = people["base_pay"] / mid[people["position"]]
    by_person: dict[int, list[tuple[str, int]]] = {}
    for person, period, rating in zip(
        reviews["person"], reviews["period"], reviews["rating"], strict=True
    ):
        by_person.setdefault(int(person), []).append((str(period), int(rating)))
    candidates = _raise_candidates(head, people, compa, by_person)
    as_of = sim.calendar.as_of
    effective = (np.datetime64(as_of, "M") + 1).astype("datetime64[D]").item()
    return [
        _proposal(
            q,
            position=sim.positions[int(people["position"][q])],
            compa=float(compa[q]),
            ratings=sorted(by_person[q])[-2:],
            people=people,
            pay_changes=pay_changes,
            as_of=as_of,
            effective=effective,
        )
        for q in candidates[:PROPOSALS_MAX]
    ]


def _raise_candidates(
    head: int,
    people: dict[str, np.ndarray],
    compa: np.ndarray,
    by_person: dict[int, list[tuple[str, int]]],
) -> list[int]:
    """The people of the head's department to propose a raise for, in order (see
    `propose_raises`); `by_person`: each person's (period, rating) reviews."""

    def last_two(q: int) -> list[int]:
        return [r for _period, r in sorted(by_person.get(q, []))[-2:]] or [0]

    def best(q: int) -> int:
        return max(last_two(q)) if min(last_two(q)) >= 3 else 0

    dept = int(people["department"][head])
    underpaid = np.nonzero(
        (people["department"] == dept)
        & (people["status"] == "active")
        & (compa < PROPOSAL_COMPA_RATIO)
    )[0]
    underpaid = [int(q) for q in underpaid if int(q) != head and best(int(q)) >= 3]
    candidates = sorted((q for q in underpaid if best(q) >= 4), key=lambda q: (compa[q], q))
    # fewer than PROPOSALS_MIN rated 4+: those rated 3 (meets expectations) come next
    solid = sorted((q for q in underpaid if best(q) == 3), key=lambda q: (compa[q], q))
    return candidates + solid[: max(0, PROPOSALS_MIN - len(candidates))]


def _proposal(
    q: int,
    *,
    position: PositionRow,
    compa: float,
    ratings: list[tuple[str, int]],
    people: dict[str, np.ndarray],
    pay_changes: dict[str, np.ndarray],
    as_of: Any,
    effective: Any,
) -> dict[str, Any]:
    """The raise proposed for person `q` (pay in CNY a year), with its rationale (English,
    as a person would write it) and evidence (labels marked for translation)."""
    old = int(people["base_pay"][q])
    target = min(position.band_mid * PROPOSAL_TARGET_COMPA, old * (1 + PROPOSAL_MAX_RAISE))
    new = max(round100(target), old + 100)
    raised = pay_changes["reason"] != "hire"
    changes = pay_changes["date"][(pay_changes["person"] == q) & raised]
    since = changes.max() if len(changes) else people["hire_date"][q]
    months = int((np.datetime64(as_of, "M") - since.astype("datetime64[M]")).astype(int))
    if len(changes):
        since_label = gettext_noop("months since the last raise")
        since_text = f"the last raise was {months} months ago"
    else:
        since_label = gettext_noop("months since hire (no raise since)")
        since_text = f"hired {months} months ago, with no raise since"
    name = str(people["full_name"][q])
    rated = " and ".join(f"{r} ({period})" for period, r in ratings)
    rationale = (
        f"{name} is paid {old:,} {CURRENCY} a year, {compa:.3f} of the midpoint of "
        f"the {position.title} band ({position.band_mid:,}), and was rated {rated} in "
        f"the last review{'s' if len(ratings) > 1 else ''}; {since_text}. In this "
        f"company people paid below {PROPOSAL_COMPA_RATIO:.2f} of the midpoint leave "
        "about twice as often. "
        f"A raise to {new:,} {CURRENCY} (+{new - old:,} a year, "
        f"{new / position.band_mid:.2f} of the midpoint) brings the pay closer to the "
        f"band."
    )
    return {
        "person": q,
        "new_base_pay": new,
        "effective_date": effective,
        "rationale": rationale,
        "evidence": [
            {
                "label": gettext_noop("last ratings"),
                "value": ", ".join(f"{period}: {r}" for period, r in ratings),
            },
            {"label": since_label, "value": str(months), "since": str(since)},
        ],
    }
