"""Demand: how many people a department x job family line needs at the end of each quarter,
set in one of three ways (`DemandMethod`):

* `target`: a head count per quarter (the last one given carries on);
* `growth`: today's head count grown by a yearly percentage, compounded per quarter;
* `driver`: a business driver's value at the quarter's end (a monthly series: customers,
  revenue, ...) divided by the ratio the line keeps to it (customers per account manager,
  revenue per head), rounded up: 130 customers at 40 per manager need 4 managers."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from enum import StrEnum


class DemandMethod(StrEnum):
    TARGET = "target"
    GROWTH = "growth"
    DRIVER = "driver"


class DemandError(ValueError):
    """A demand line cannot be computed (says which line and why)."""


@dataclass
class DemandLine:
    """One line of a plan. `targets` (people per quarter) for `target`; `growth_percent` (per
    year) for `growth`; `driver` (a name in the series given) and `ratio` (driver units per
    person) for `driver`. `current` is today's head count of the line."""

    department: str
    job_family: str
    method: DemandMethod
    current: int
    targets: list[int] = field(default_factory=list)
    growth_percent: float | None = None
    driver: str | None = None
    ratio: float | None = None

    @property
    def label(self) -> str:
        return f"{self.department} / {self.job_family or '-'}"


def month_value(series: dict[dt.date, float], day: dt.date) -> float | None:
    """The value of a monthly series for the month of `day`: that month's, else the latest
    month before it (a forecast that ends carries on flat); None before the series starts."""
    key = dt.date(day.year, day.month, 1)
    months = sorted(m for m in series if m <= key)
    return series[months[-1]] if months else None


def line_demand(
    line: DemandLine, quarter_ends: list[dt.date], drivers: dict[str, dict[dt.date, float]]
) -> list[int]:
    """The people `line` needs at each of `quarter_ends`."""
    quarters = len(quarter_ends)
    if line.method == DemandMethod.TARGET:
        if not line.targets:
            raise DemandError(f"{line.label}: a target line needs at least one target head count")
        if any(t < 0 for t in line.targets):
            raise DemandError(f"{line.label}: a target head count cannot be negative")
        return [line.targets[min(k, len(line.targets) - 1)] for k in range(quarters)]
    if line.method == DemandMethod.GROWTH:
        if line.growth_percent is None or line.growth_percent <= -100:
            raise DemandError(f"{line.label}: a growth line needs a yearly growth above -100%")
        factor = 1 + line.growth_percent / 100
        return [round(line.current * factor ** ((k + 1) / 4)) for k in range(quarters)]
    if line.driver is None or line.ratio is None or line.ratio <= 0:
        raise DemandError(f"{line.label}: a driver line needs a driver and a positive ratio")
    if line.driver not in drivers:
        raise DemandError(f"{line.label}: no driver named {line.driver!r}")
    out = []
    for day in quarter_ends:
        value = month_value(drivers[line.driver], day)
        if value is None:
            raise DemandError(
                f"{line.label}: driver {line.driver!r} has no value on or before {day}"
            )
        out.append(math.ceil(value / line.ratio - 1e-9))
    return out


def trend_forecast(
    series: dict[dt.date, float], *, months: int, window: int = 12
) -> dict[dt.date, float]:
    """The next `months` months of a monthly series by the straight line through its last
    `window` months (least squares), never below zero: a driver's plain forecast when nobody
    gave one. Raises DemandError on a series of fewer than 3 months."""
    import numpy as np

    keys = sorted(series)[-window:]
    if len(keys) < 3:
        raise DemandError("a driver needs at least 3 months of values to extend it")
    x = np.arange(len(keys), dtype=float)
    y = np.array([series[k] for k in keys], dtype=float)
    slope, intercept = np.polyfit(x, y, 1)
    out: dict[dt.date, float] = {}
    month = keys[-1]
    for step in range(1, months + 1):
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        out[month] = max(0.0, float(intercept + slope * (len(keys) - 1 + step)))
    return out
