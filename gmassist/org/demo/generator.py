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

The parts: `company` (the plain data: DemoCompany and its rows, the calendar, the demo users),
`structure` (the organisation and the first day's staff), `simulation` (the months, and the
careers in them), `turnover` (leavers and hires), `result` (the end as a DemoCompany) and
`users` (who the demo users are, and the raises the demo head proposes). Here: `generate`, and
the employee file written from a company.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np

from gmassist.org.demo.causes import DEMO_CAUSES, DemoCauses
from gmassist.org.demo.company import DemoCompany, demo_calendar
from gmassist.org.demo.result import company_of
from gmassist.org.demo.simulation import Simulation
from gmassist.org.demo.structure import build_positions, build_structure


def generate(
    *, seed: int, tier: str, as_of: dt.date | None = None, causes: DemoCauses = DEMO_CAUSES
) -> DemoCompany:
    """The demo company of `tier` (S, M or L) from `seed` as of `as_of` (default: today).

    Same seed, tier and as_of: same company.
    """
    structure = build_structure(seed=seed, tier=tier)
    positions = build_positions()
    sim = Simulation(structure, positions, causes, demo_calendar(as_of))
    sim.run()
    return company_of(sim)


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
