"""The leaving-risk `History` of a generated demo company, without a database.

The same frames the talent selector reads from the database after `gmassist demo`, made
straight from the pure generator (person index = employee id, department index = department
id), so that the model's tests and the benchmark run at any tier without writing a company.
Pure: no Django import.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gmassist.org.demo.company import DemoCompany
from gmassist.talent.engine.leaving import History


def demo_history(company: DemoCompany) -> History:
    """The history of `company` as `leaving.History` frames (ids are generator indexes)."""
    p = company.people
    positions = company.positions
    n = company.size
    leave = p["leave_date"]
    people = pd.DataFrame(
        {
            "employee_id": np.arange(n),
            "department_id": p["department"],
            "department": np.array([d.code for d in company.departments], dtype=object)[
                p["department"]
            ],
            "job_family": np.array([positions[i].job_family for i in p["position"]], dtype=object),
            "grade": np.array([positions[i].grade for i in p["position"]]),
            "hire_date": p["hire_date"],
            "leave_date": np.where(np.isnat(leave), np.datetime64("NaT"), leave),
        }
    )
    pay = company.pay_changes
    rev = company.reviews
    sep = company.separations
    reviewer = rev["reviewer"].astype(float)
    reviewer[reviewer < 0] = np.nan
    return History(
        people=people,
        pay=pd.DataFrame(
            {
                "employee_id": pay["person"],
                "date": pay["date"],
                "base_pay": pay["base_pay"].astype(float),
                "reason": pay["reason"],
            }
        ),
        reviews=pd.DataFrame(
            {
                "employee_id": rev["person"],
                "date": rev["date"],
                "rating": rev["rating"],
                "reviewer_id": reviewer,
            }
        ),
        separations=pd.DataFrame(
            {
                "employee_id": sep["person"],
                "date": sep["date"],
                "voluntary": sep["type"] == "voluntary",
            }
        ),
        bands=pd.DataFrame(
            {
                "job_family": [pos.job_family for pos in positions],
                "grade": [pos.grade for pos in positions],
                "band_mid": [float(pos.band_mid) for pos in positions],
            }
        ),
        end=company.as_of,
    )
