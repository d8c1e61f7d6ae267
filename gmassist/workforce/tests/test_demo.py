"""The workforce part of the demo company, on a small company."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import time_machine

from gmassist.workforce.demo import WORKLOAD, delete_workforce_demo, write_workforce_demo
from gmassist.workforce.models import Backtest, Driver, Plan, Scenario
from gmassist.workforce.tests.company import fill_company


def test_the_demo_writes_a_plan_with_its_driver_scenarios_and_backtest(cast):
    fill_company(cast)
    ctx = SimpleNamespace(as_of=dt.date(2025, 1, 6), progress=lambda *_: None)
    with time_machine.travel(dt.datetime(2025, 1, 6, 9, tzinfo=dt.UTC), tick=False):
        counts = write_workforce_demo(ctx)
    plan = Plan.objects.get()
    assert (plan.as_of, plan.horizon, plan.runs) == (dt.date(2024, 12, 31), 8, 1000)
    assert counts == {"workforce plans": 1, "workforce lines": plan.lines.count(), "backtests": 1}
    driver = Driver.objects.get(name=WORKLOAD)
    assert driver.values.filter(forecast=False).count() == 24
    assert driver.values.filter(forecast=True).count() == 27
    assert sorted(Scenario.objects.values_list("name", flat=True)) == [
        "Hiring freeze", "Leaving up 20%"
    ]  # fmt: skip
    assert Backtest.objects.get().plan == plan
    delete_workforce_demo()
    assert (Plan.objects.count(), Driver.objects.count(), Backtest.objects.count()) == (0, 0, 0)
