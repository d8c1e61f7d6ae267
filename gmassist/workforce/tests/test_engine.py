"""The workforce engine on small hand-checked histories."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gmassist.workforce.engine.backtest import BacktestError, errors_of, run_backtest
from gmassist.workforce.engine.calendar import add_months, quarter_ends
from gmassist.workforce.engine.demand import DemandError, DemandLine, DemandMethod, line_demand
from gmassist.workforce.engine.gaps import Gap, internal_moves, recruitment_plan
from gmassist.workforce.engine.history import HistoryError, clean_history
from gmassist.workforce.engine.supply import SupplyInput, simulate_supply
from gmassist.workforce.engine.survival import estimate_hazards, quarterly_probability
from gmassist.workforce.engine.transitions import estimate_transitions


def people(rows):
    frame = pd.DataFrame(rows, columns=["employee_id", "department", "hire_date", "leave_date"])
    return clean_history(frame).people


def test_add_months_keeps_the_month_end():
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert quarter_ends(dt.date(2024, 11, 30), 2) == [dt.date(2025, 2, 28), dt.date(2025, 5, 30)]


def test_the_hazard_is_leavers_per_year_on_the_books_in_the_tenure_band():
    history = people(
        [
            (1, "Sales", "2021-01-01", None),
            (2, "Sales", "2021-01-01", "2024-07-01"),
        ]
    )
    hazards = estimate_hazards(
        history, start=pd.Timestamp("2024-01-01"), end=pd.Timestamp("2025-01-01")
    )
    # both are in the 2-5 year band (index 3): 366 + 182 days, one leaver
    assert hazards.by_tenure[3] == pytest.approx(1 / ((366 + 182) / 365.25))
    assert hazards.leavers == 1
    # nobody in the other bands: they take the nearest band's rate
    assert hazards.by_tenure[4] == pytest.approx(hazards.by_tenure[3])
    # Sales is the whole company: observed 1 = expected 1, so its factor is exactly 1
    assert hazards.factor("Sales") == pytest.approx(1.0)


def test_a_small_department_is_shrunk_towards_the_company_rate():
    rows = [(i, "Big", "2021-01-01", "2024-06-01" if i < 10 else None) for i in range(100)]
    rows += [(100, "Tiny", "2021-01-01", "2024-06-01"), (101, "Tiny", "2021-01-01", None)]
    hazards = estimate_hazards(
        people(rows), start=pd.Timestamp("2024-01-01"), end=pd.Timestamp("2025-01-01")
    )
    # Tiny lost half its people, the company a tenth; its factor moves only part of the way
    tiny = hazards.factor("Tiny")
    assert 1.0 < tiny < 2.0
    rate = hazards.by_tenure[3]
    exposure = (152 + 366) / 365.25
    assert tiny == pytest.approx((1 + 6) / (rate * exposure + 6))


def test_the_transition_matrix_counts_promotions_and_leavers_per_quarter():
    history = clean_history(
        pd.DataFrame(
            {
                "employee_id": [1, 2, 3],
                "department": ["A"] * 3,
                "hire_date": ["2020-01-01"] * 3,
                "leave_date": [None, None, "2024-02-15"],
                "grade": [2, 1, 1],
            }
        )
    ).people
    promotions = pd.DataFrame({"employee_id": [1], "date": ["2024-03-01"]})
    matrix = estimate_transitions(
        history, promotions, start=pd.Timestamp("2024-01-01"), end=pd.Timestamp("2024-07-01")
    )
    # quarter 1: three people in grade 1 (person 1 before the promotion): one up, one left
    # quarter 2: person 1 in grade 2 stays, person 2 in grade 1 stays
    assert matrix.grades == [1, 2]
    assert matrix.observations.tolist() == [4.0, 1.0]
    np.testing.assert_allclose(matrix.probabilities[0], [0.5, 0.25, 0.25])
    np.testing.assert_allclose(matrix.probabilities[1], [0.0, 1.0, 0.0])
    assert matrix.promotion_chance() == {1: 0.25, 2: 0.0}


def test_the_markov_projection_conserves_people():
    history = clean_history(
        pd.DataFrame(
            {
                "employee_id": [1, 2, 3],
                "department": ["A"] * 3,
                "hire_date": ["2020-01-01"] * 3,
                "leave_date": [None, None, "2024-02-15"],
                "grade": [2, 1, 1],
            }
        )
    ).people
    matrix = estimate_transitions(
        history,
        pd.DataFrame({"employee_id": [1], "date": ["2024-03-01"]}),
        start=pd.Timestamp("2024-01-01"),
        end=pd.Timestamp("2024-07-01"),
    )
    projected = matrix.project(np.array([10, 4]), quarters=3)
    assert projected.sum(axis=1).tolist() == pytest.approx([14.0, 14.0, 14.0])
    assert projected[0].tolist() == pytest.approx([5.0, 6.5, 2.5])


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 40),
    quarters=st.integers(1, 6),
    seed=st.integers(0, 1000),
    uncertainty=st.sampled_from([0.0, 0.3]),
)
def test_the_simulated_supply_conserves_people(n, quarters, seed, uncertainty):
    rng = np.random.default_rng(seed)
    data = SupplyInput(
        segments=[("A", "x"), ("B", "y")],
        segment=rng.integers(0, 2, n),
        leave_probability=rng.uniform(0, 0.5, (n, quarters)),
        known_leave_quarter=np.where(rng.random(n) < 0.2, rng.integers(0, quarters, n), -1),
        join_quarter=np.where(rng.random(n) < 0.2, rng.integers(0, quarters, n), -1),
        rate_uncertainty=uncertainty,
    )
    runs = simulate_supply(data, runs=7, seed=seed, chunk=3)
    # in = out + stayed, in every run, segment and quarter
    expected = (
        runs.start[None, :, None]
        + np.cumsum(runs.joiners, axis=2)
        - np.cumsum(runs.leavers, axis=2)
    )
    np.testing.assert_array_equal(runs.head_count, expected)
    assert runs.head_count.sum(axis=1).max() <= n


def test_a_known_leaver_leaves_in_their_quarter_and_a_known_joiner_joins_in_theirs():
    data = SupplyInput(
        segments=[("A", "x")],
        segment=np.array([0, 0, 0]),
        leave_probability=np.zeros((3, 3)),
        known_leave_quarter=np.array([1, -1, -1]),
        join_quarter=np.array([-1, -1, 2]),
    )
    runs = simulate_supply(data, runs=2, seed=1)
    assert runs.head_count[:, 0, :].tolist() == [[2, 1, 2], [2, 1, 2]]


def test_the_interval_covers_the_truth_at_its_stated_rate_on_simulated_companies():
    rng = np.random.default_rng(7)
    covered = 0
    companies = 300
    for company in range(companies):
        n = int(rng.integers(30, 300))
        p = rng.uniform(0.01, 0.08, (n, 4))
        data = SupplyInput(
            segments=[("A", "x")],
            segment=np.zeros(n, dtype=int),
            leave_probability=p,
            known_leave_quarter=np.full(n, -1),
            join_quarter=np.full(n, -1),
        )
        # the truth: one more draw of the same company's future
        truth = simulate_supply(data, runs=1, seed=10_000 + company).head_count[0, 0, 3]
        low, high = simulate_supply(data, runs=400, seed=company).interval(0.9)
        covered += int(low[0, 3] <= truth <= high[0, 3])
    # a 90% interval of a discrete count covers at least 90% (the ends are included)
    assert 0.88 <= covered / companies <= 0.99


def test_the_three_demand_methods():
    ends = quarter_ends(dt.date(2025, 12, 31), 4)
    target = DemandLine("Sales", "sales", DemandMethod.TARGET, current=10, targets=[11, 12])
    assert line_demand(target, ends, {}) == [11, 12, 12, 12]
    growth = DemandLine("Sales", "sales", DemandMethod.GROWTH, current=100, growth_percent=10)
    assert line_demand(growth, ends, {}) == [102, 105, 107, 110]
    customers = {dt.date(2026, 3, 1): 130.0, dt.date(2026, 6, 1): 161.0}
    driver = DemandLine("Sales", "am", DemandMethod.DRIVER, current=3, driver="customers", ratio=40)
    assert line_demand(driver, ends, {"customers": customers}) == [4, 5, 5, 5]


def test_a_driver_line_without_its_driver_says_which_line():
    line = DemandLine("Sales", "am", DemandMethod.DRIVER, current=3, driver="revenue", ratio=1e6)
    with pytest.raises(DemandError, match="Sales / am: no driver named 'revenue'"):
        line_demand(line, quarter_ends(dt.date(2025, 12, 31), 1), {})


def _gap(department, family, quarter, mean, high):
    return Gap(
        department=department,
        job_family=family,
        quarter=quarter,
        quarter_end=quarter_ends(dt.date(2025, 12, 31), 4)[quarter],
        demand=10,
        supply_mean=10 - mean,
        gap_mean=mean,
        gap_low=mean - 1,
        gap_high=high,
        chance_short=0.5,
        payroll_per_year=None,
    )


def test_the_recruitment_plan_opens_each_requisition_its_time_to_fill_early():
    gaps = [_gap("Sales", "sales", 0, 1.2, 3), _gap("Sales", "sales", 1, 3.0, 5)]
    starts = [dt.date(2025, 12, 31), dt.date(2026, 3, 31)]
    plan = recruitment_plan(
        gaps, needed_by=starts, time_to_fill_days={"sales": 45}, today=dt.date(2025, 12, 1)
    )
    assert [(r.count, r.needed_by, r.open_on, r.late_days) for r in plan] == [
        (2, dt.date(2025, 12, 31), dt.date(2025, 12, 1), 15),
        (1, dt.date(2026, 3, 31), dt.date(2026, 2, 14), 0),
    ]


def test_people_to_spare_in_one_line_fill_another_of_the_same_family_first():
    gaps = [_gap("North", "eng", 0, -4.0, -2.5), _gap("South", "eng", 0, 3.0, 5.0)]
    moves = internal_moves(gaps, quarter=0)
    assert [(m.from_department, m.to_department, m.count) for m in moves] == [("North", "South", 2)]
    plan = recruitment_plan(
        gaps,
        needed_by=[dt.date(2025, 12, 31)],
        time_to_fill_days={},
        today=dt.date(2025, 1, 1),
        moves=moves,
    )
    assert [(r.department, r.count) for r in plan] == [("South", 1)]


def test_clean_history_handles_an_exports_quirks():
    frame = pd.DataFrame(
        {
            "employee_id": ["a", "b", "c", "d", "d", "e"],
            "department": ["Ops", " ", "Ops", "Ops", "Ops", "Ops"],
            "hire_date": ["2020-01-01", "2021-01-01", "not a date", "2019-01-01", "2022-01-01",
                          "2020-01-01"],
            "leave_date": [None, None, None, "2020-06-30", None, "2019-01-01"],
        }
    )  # fmt: skip
    clean = clean_history(frame)
    assert clean.notes == {
        "dropped: no readable hire date": 1,
        "dropped: leave date before hire date": 1,
        "counted in (no department): no department": 1,
        "kept as separate spells: the same employee id twice (rehire)": 2,
    }
    assert clean.people["department"].tolist() == ["Ops", "(no department)", "Ops", "Ops"]


def test_clean_history_names_the_missing_columns():
    with pytest.raises(HistoryError, match="hire_date"):
        clean_history(pd.DataFrame({"employee_id": [1], "department": ["A"]}))


def test_errors_are_the_mean_absolute_and_percentage_errors():
    result = errors_of(np.array([11.0, 18.0]), np.array([10.0, 20.0]))
    assert (result.mae, result.mape) == (1.5, pytest.approx(10.0))


def _steady_company(seed: int) -> pd.DataFrame:
    """A company of 200 that replaces every leaver a month later and hires 10 more each
    summer, with leaving twice as likely in the first year: what the model should see."""
    rng = np.random.default_rng(seed)
    rows = []
    next_id = 0
    start = pd.Timestamp("2019-01-01")
    for i in range(200):
        rows.append(
            [next_id, "AB"[i % 2], start - pd.Timedelta(days=int(rng.integers(0, 3000))), None]
        )
        next_id += 1
    day = start
    while day < pd.Timestamp("2025-01-01"):
        following = day + pd.DateOffset(months=1)
        for row in rows:
            if row[3] is None and row[2] <= day:
                tenure = (day - row[2]).days / 365.25
                if rng.random() < (0.03 if tenure < 1 else 0.012):
                    row[3] = day + pd.Timedelta(days=int(rng.integers(1, 28)))
                    rows.append([next_id, row[1], row[3] + pd.Timedelta(days=30), None])
                    next_id += 1
        if day.month == 7:
            for j in range(10):
                rows.append([next_id, "AB"[j % 2], day + pd.Timedelta(days=5), None])
                next_id += 1
        day = following
    frame = pd.DataFrame(rows, columns=["employee_id", "department", "hire_date", "leave_date"])
    frame.loc[frame["hire_date"] > pd.Timestamp("2025-01-01"), "hire_date"] = pd.NaT
    return clean_history(frame.dropna(subset=["hire_date"])).people


def test_the_backtest_scores_the_quarters_within_the_history_only():
    history = _steady_company(1)
    result = run_backtest(
        history, as_of=dt.date(2023, 6, 30), horizon=8, history_end=dt.date(2024, 12, 31)
    )
    assert result.quarter_ends[-1] == dt.date(2024, 12, 30)
    assert len(result.quarter_ends) == 6
    assert [d.name for d in result.departments] == sorted(
        [d.name for d in result.departments],
        key=lambda n: -next(u.people for u in result.departments if u.name == n),
    )
    body = result.as_dict()
    assert body["as_of"] == "2023-06-30" and body["horizon"] == 8
    assert set(body["company"]) == {"model", "carry_forward", "trailing_rate", "people"}
    carry = result.company.errors["carry_forward"].mae
    actual = np.array(result.company.actual)
    assert carry == pytest.approx(np.mean(np.abs(actual - result.company.people)))


def test_the_backtest_refuses_a_day_without_a_year_of_history_before_it():
    history = _steady_company(2)
    with pytest.raises(BacktestError, match="less than a year of history"):
        run_backtest(history, as_of=dt.date(2019, 3, 1))
    with pytest.raises(BacktestError, match="no quarter after --as-of 2024-12-01"):
        run_backtest(history, as_of=dt.date(2024, 12, 1), history_end=dt.date(2024, 12, 31))


def test_quarterly_probability_of_a_yearly_hazard():
    assert float(quarterly_probability(4 * np.log(2))) == pytest.approx(0.5)


def _real_world_export(path) -> None:
    """A small HR export as they come: 300 people, dates in two spellings, a department left
    blank, rehires under the same id, a leave date typed before the hire date, a header with a
    BOM, leavers recorded only from 2021 on."""
    rng = np.random.default_rng(5)
    lines = ["\ufeffemployee_id,department,hire_date,leave_date"]
    departments = ["Finance", "Ops", "Ops", "Ops", "Sales", "Sales", "IT"]
    day0 = pd.Timestamp("2021-01-01")
    for i in range(300):
        hire = day0 - pd.Timedelta(days=int(rng.integers(0, 4000)))
        if i >= 220:  # hired during the records
            hire = day0 + pd.Timedelta(days=int(rng.integers(0, 1400)))
        leave = hire + pd.Timedelta(days=int(rng.exponential(5 * 365)))
        left = leave < pd.Timestamp("2024-12-31") and leave > day0
        department = departments[i % len(departments)] if i % 53 else ""
        hire_text = hire.strftime("%Y/%m/%d") if i % 3 else hire.strftime("%Y-%m-%d")
        lines.append(f"E{i:04d},{department},{hire_text},{leave.date() if left else ''}")
        if left and i % 40 == 0:  # rehired later under the same number
            lines.append(f"E{i:04d},{department},{(leave + pd.Timedelta(days=200)).date()},")
    lines.append("E9999,Ops,2022-05-01,2021-05-01")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_the_backtest_runs_on_a_small_real_world_export(tmp_path):
    export = tmp_path / "export.csv"
    _real_world_export(export)
    history = clean_history(pd.read_csv(export, encoding="utf-8-sig", dtype=str))
    assert history.notes["dropped: leave date before hire date"] == 1
    assert history.notes["counted in (no department): no department"] == 6
    assert "kept as separate spells: the same employee id twice (rehire)" in history.notes
    result = run_backtest(
        history.people, as_of=dt.date(2022, 12, 31), horizon=8, history_end=dt.date(2024, 12, 31)
    )
    assert len(result.quarter_ends) == 8
    assert result.company.people == sum(d.people for d in result.departments)
    assert {d.name for d in result.departments} == {
        "Finance",
        "Ops",
        "Sales",
        "IT",
        "(no department)",
    }


def test_a_voluntary_only_hazard_counts_only_the_voluntary_leavers():
    history = people(
        [
            (1, "Sales", "2021-01-01", None),
            (2, "Sales", "2021-01-01", "2024-07-01"),
            (3, "Sales", "2021-01-01", "2024-04-01"),
        ]
    ).assign(counts=[False, True, False])
    hazards = estimate_hazards(
        history, start=pd.Timestamp("2024-01-01"), end=pd.Timestamp("2025-01-01")
    )
    # one event over 366 + 182 + 91 days on the books (the other leaver's days still count)
    assert hazards.by_tenure[3] == pytest.approx(1 / ((366 + 182 + 91) / 365.25))
    assert hazards.leavers == 1
