"""Quarters as the plan counts them: each quarter of a projection starts `3 x k` months after
the day the projection starts from, so a projection from 15 May has quarters ending 15 August,
15 November, ... (the backtest compares head counts on those days)."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by `months` calendar months; the 31st becomes the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def quarter_ends(start: dt.date, quarters: int) -> list[dt.date]:
    """The days `3, 6, ..., 3 x quarters` months after `start`."""
    return [add_months(start, 3 * (k + 1)) for k in range(quarters)]


def calendar_quarter(day: dt.date) -> int:
    """The calendar quarter of `day`, 0 (January-March) to 3."""
    return (day.month - 1) // 3


def quarter_label(day: dt.date) -> str:
    """`2026Q3` for a day in July-September 2026."""
    return f"{day.year}Q{calendar_quarter(day) + 1}"
