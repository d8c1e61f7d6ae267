"""A small company with three years of history for the workforce tests and screenshots: the
cast's departments filled with people hired and leaving month by month (leavers replaced a
month later, a summer intake), deterministic."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np

from gmassist.org.models import Employee


def fill_company(cast, *, seed: int = 3, start: dt.date = dt.date(2022, 1, 1),
                 end: dt.date = dt.date(2024, 12, 31)) -> int:  # fmt: skip
    """Add about 150 people to the cast's Sales, Sales East and R&D with hires and leavers
    from `start` to `end`; returns how many were added."""
    rng = np.random.default_rng(seed)
    units = [
        (cast.sales, cast.salesperson, 40),
        (cast.sales_east, cast.salesperson, 30),
        (cast.rnd, cast.engineer, 60),
    ]
    rows: list[dict] = []
    for department, position, size in units:
        for _ in range(size):
            hire = start - dt.timedelta(days=int(rng.integers(30, 3000)))
            rows.append({"department": department, "position": position, "hire_date": hire})
    day = start
    while day < end:
        for row in list(rows):
            if row.get("leave_date") is None and row["hire_date"] <= day:
                tenure = (day - row["hire_date"]).days / 365.25
                if rng.random() < (0.035 if tenure < 1 else 0.012):
                    row["leave_date"] = day + dt.timedelta(days=int(rng.integers(1, 28)))
                    replacement = row["leave_date"] + dt.timedelta(days=int(rng.integers(20, 60)))
                    if replacement <= end:
                        rows.append({**row, "hire_date": replacement, "leave_date": None})
        if day.month == 7:
            for department, position, _size in units:
                rows.append(
                    {"department": department, "position": position,
                     "hire_date": day + dt.timedelta(days=10)}
                )  # fmt: skip
        day = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    Employee.objects.bulk_create(
        Employee(
            employee_no=f"W{i:04d}",
            full_name=f"Person {i}",
            department=row["department"],
            position=row["position"],
            hire_date=row["hire_date"],
            leave_date=row.get("leave_date"),
            status="left" if row.get("leave_date") else "active",
            birth_date=row["hire_date"] - dt.timedelta(days=int(rng.integers(22, 50) * 365.25)),
            gender="female" if rng.random() < 0.45 else "male",
            base_pay=Decimal(int(rng.integers(80, 140)) * 1000),
        )
        for i, row in enumerate(rows)
    )
    return len(rows)
