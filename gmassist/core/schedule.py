"""Recurring work: which jobs run by themselves, and when they are due.

An app declares its recurring jobs next to their handlers, in its `jobs.py`:

    recurring_job("talent.score", every=MONTH, day=1, hour=2, summary="…")

`every` is DAY (at `hour`), WEEK (on `weekday`, 0 = Monday, at `hour`) or MONTH (on `day`,
1-28, at `hour`). One rule decides when a job is due, whatever drives it: a job is due when its
latest slot (the last time at or before now that matches, in TIME_ZONE) has passed and no job
of that kind was created since, whether by the schedule or by a person, or when the latest such
job failed (a slot gets up to GMASSIST_JOB_MAX_TRIES jobs). So a missed slot runs once when the
schedule next looks, a job somebody started by hand after the slot is not run again, and a slot
whose job failed (or lost its worker for good) is run again at the next look instead of waiting
for the next slot. Two things look:

- `gmassist schedule --run-due` from cron (every 15 minutes, say) on a machine without Celery;
- Celery beat (`gmassist worker --beat` on one worker), which calls the same code every 15
  minutes (core.tasks).

This module is pure (no Django import): the registry and the slot arithmetic.
`core.selectors.recurring_job_states` reads the Job table; `core.services.recurring_jobs_submit_due`
submits what is due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Every = Literal["day", "week", "month"]
DAY: Every = "day"
WEEK: Every = "week"
MONTH: Every = "month"


@dataclass(frozen=True)
class RecurringJob:
    """Job `kind` runs every day at `hour`, every week on `weekday` (0 = Monday) at `hour`, or
    every month on `day` at `hour` (local time), with no parameters and as the system."""

    kind: str
    every: Every
    hour: int
    day: int = 1
    weekday: int = 0
    summary: str = ""

    def __post_init__(self) -> None:
        if self.every not in (DAY, WEEK, MONTH):
            raise ValueError(f"{self.kind}: every must be day, week or month, not {self.every!r}")
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"{self.kind}: weekday must be 0 (Monday) to 6, not {self.weekday}")
        if not 0 <= self.hour <= 23:
            raise ValueError(f"{self.kind}: hour must be 0-23, not {self.hour}")
        # the 29th-31st do not exist in every month, so a monthly slot stays within 1-28
        if not 1 <= self.day <= 28:
            raise ValueError(f"{self.kind}: day must be 1-28, not {self.day}")

    def cron(self) -> str:
        """The slot as a crontab time field ("0 2 1 * *")."""
        day_of_month = str(self.day) if self.every == MONTH else "*"
        # cron counts the days of the week from Sunday = 0
        day_of_week = str((self.weekday + 1) % 7) if self.every == WEEK else "*"
        return f"0 {self.hour} {day_of_month} * {day_of_week}"


_RECURRING: dict[str, RecurringJob] = {}


def recurring_job(
    kind: str, *, every: Every, hour: int, day: int = 1, weekday: int = 0, summary: str = ""
) -> RecurringJob:
    """Declare that jobs of `kind` run by themselves (see the module docstring)."""
    job = RecurringJob(kind=kind, every=every, hour=hour, day=day, weekday=weekday, summary=summary)
    _RECURRING[kind] = job
    return job


def recurring_jobs() -> list[RecurringJob]:
    """The declared recurring jobs, by kind."""
    return [_RECURRING[kind] for kind in sorted(_RECURRING)]


def latest_slot(job: RecurringJob, now: dt.datetime) -> dt.datetime:
    """The last time at or before `now` (an aware or naive local datetime; the result has the
    same tzinfo) at which `job` is meant to start."""
    if job.every in (DAY, WEEK):
        slot = now.replace(hour=job.hour, minute=0, second=0, microsecond=0)
        if job.every == WEEK:
            slot -= dt.timedelta(days=(now.weekday() - job.weekday) % 7)
        period = dt.timedelta(days=1 if job.every == DAY else 7)
        return slot if slot <= now else slot - period
    slot = now.replace(day=job.day, hour=job.hour, minute=0, second=0, microsecond=0)
    if slot <= now:
        return slot
    previous_month_end = now.replace(day=1) - dt.timedelta(days=1)
    return slot.replace(year=previous_month_end.year, month=previous_month_end.month)


def slot_is_due(*, statuses: Sequence[str], max_tries: int) -> bool:
    """Whether a slot still needs a job, given the statuses ("queued", "running", "succeeded",
    "failed") of the jobs of its kind created since the slot, oldest first: when there is none,
    or when the latest failed and fewer than `max_tries` were made."""
    if not statuses:
        return True
    return statuses[-1] == "failed" and len(statuses) < max_tries


def next_slot(job: RecurringJob, now: dt.datetime) -> dt.datetime:
    """The first time after `now` at which `job` is meant to start."""
    if job.every in (DAY, WEEK):
        return latest_slot(job, now) + dt.timedelta(days=1 if job.every == DAY else 7)
    slot = latest_slot(job, now)
    month_end = slot.replace(day=28) + dt.timedelta(days=4)  # always in the next month
    return slot.replace(year=month_end.year, month=month_end.month)
