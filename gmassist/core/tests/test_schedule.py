"""Recurring jobs: their slots, when they are due, and running the due ones from cron or beat."""

from __future__ import annotations

import datetime as dt
import json
import re
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from gmassist.core import schedule
from gmassist.core.choices import JobStatus
from gmassist.core.jobs import JobError, job_handler
from gmassist.core.models import Job
from gmassist.core.permissions import SYSTEM
from gmassist.core.schedule import DAY, MONTH, WEEK, RecurringJob, latest_slot, next_slot
from gmassist.core.selectors import recurring_job_states
from gmassist.core.services import job_submit, recurring_jobs_submit_due

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- slots (pure) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "latest", "following"),
    [
        ("2026-11-24 07:59", "2026-11-23 08:00", "2026-11-24 08:00"),
        ("2026-11-24 08:00", "2026-11-24 08:00", "2026-11-25 08:00"),
        ("2026-11-24 23:00", "2026-11-24 08:00", "2026-11-25 08:00"),
    ],
)
def test_a_daily_slot_is_today_at_the_hour_once_it_has_come(now, latest, following):
    job = RecurringJob("x.daily", every=DAY, hour=8)
    assert latest_slot(job, at(now)) == at(latest)
    assert next_slot(job, at(now)) == at(following)


@pytest.mark.parametrize(
    ("now", "latest", "following"),
    [
        # 2026-11-23 is a Monday
        ("2026-11-23 08:59", "2026-11-16 09:00", "2026-11-23 09:00"),
        ("2026-11-23 09:00", "2026-11-23 09:00", "2026-11-30 09:00"),
        ("2026-11-29 23:00", "2026-11-23 09:00", "2026-11-30 09:00"),
    ],
)
def test_a_weekly_slot_is_the_last_monday_at_the_hour(now, latest, following):
    job = RecurringJob("x.weekly", every=WEEK, weekday=0, hour=9)
    assert latest_slot(job, at(now)) == at(latest)
    assert next_slot(job, at(now)) == at(following)


@pytest.mark.parametrize(
    ("now", "latest", "following"),
    [
        ("2026-11-24 12:00", "2026-11-01 02:00", "2026-12-01 02:00"),
        ("2026-12-01 01:59", "2026-11-01 02:00", "2026-12-01 02:00"),
        ("2027-01-01 01:00", "2026-12-01 02:00", "2027-01-01 02:00"),
        ("2027-01-01 02:00", "2027-01-01 02:00", "2027-02-01 02:00"),
    ],
)
def test_a_monthly_slot_crosses_months_and_years(now, latest, following):
    job = RecurringJob("x.monthly", every=MONTH, day=1, hour=2)
    assert latest_slot(job, at(now)) == at(latest)
    assert next_slot(job, at(now)) == at(following)


def test_the_cron_line_of_each_cadence():
    assert RecurringJob("a", every=DAY, hour=8).cron() == "0 8 * * *"
    assert RecurringJob("b", every=WEEK, weekday=0, hour=9).cron() == "0 9 * * 1"
    assert RecurringJob("c", every=WEEK, weekday=6, hour=9).cron() == "0 9 * * 0"
    assert RecurringJob("d", every=MONTH, day=15, hour=3).cron() == "0 3 15 * *"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"every": "hour", "hour": 1}, "every must be day, week or month, not 'hour'"),
        ({"every": DAY, "hour": 24}, "hour must be 0-23, not 24"),
        ({"every": MONTH, "hour": 1, "day": 31}, "day must be 1-28, not 31"),
        ({"every": WEEK, "hour": 1, "weekday": 7}, "weekday must be 0 (Monday) to 6, not 7"),
    ],
)
def test_an_impossible_schedule_is_refused_with_its_reason(fields, message):
    with pytest.raises(ValueError, match=re.escape(f"x.bad: {message}")):
        RecurringJob("x.bad", **fields)


# --- due jobs (database) ---------------------------------------------------------------------

RUNS: list[str] = []


@job_handler("test.recurring")
def _recurring_handler(ctx, **params):
    RUNS.append(ctx.job.kind)
    return {"ran": True}


@pytest.fixture
def only_the_test_job(monkeypatch, settings):
    """The schedule holds one daily job at 08:00 (not the apps' own), run in-process."""
    settings.CELERY_BROKER_URL = ""
    monkeypatch.setattr(schedule, "_RECURRING", {})
    schedule.recurring_job("test.recurring", every=DAY, hour=8, summary="a test job")
    RUNS.clear()


@pytest.mark.django_db
def test_a_job_never_run_is_due_and_running_it_makes_it_wait_for_its_next_slot(
    only_the_test_job,
):
    with time_machine.travel(at("2026-11-24 09:00"), tick=False):
        [state] = recurring_job_states()
        assert (state.due, state.last_job) == (True, None)
        jobs = recurring_jobs_submit_due(
            submit=lambda kind: job_submit(kind=kind, params={}, by=SYSTEM, wait=True)
        )
        assert [(j.kind, j.status, j.created_by) for j in jobs] == [
            ("test.recurring", JobStatus.SUCCEEDED, None)
        ]
        assert recurring_jobs_submit_due() == []
    with time_machine.travel(at("2026-11-25 08:00"), tick=False):
        [state] = recurring_job_states()
        assert state.due is True
    assert RUNS == ["test.recurring"]


@pytest.mark.django_db
def test_a_job_started_by_hand_after_the_slot_counts_as_this_slots_run(only_the_test_job):
    with time_machine.travel(at("2026-11-24 08:30"), tick=False):
        job_submit(kind="test.recurring", params={}, by=SYSTEM, wait=True)
    with time_machine.travel(at("2026-11-24 09:00"), tick=False):
        [state] = recurring_job_states()
        assert (state.due, state.last_job.kind) == (False, "test.recurring")
        assert state.next_slot == at("2026-11-25 08:00")


@job_handler("test.recurring_refuses")
def _refusing_handler(ctx, **params):
    RUNS.append(ctx.job.kind)
    raise JobError("the source is not there yet")


@pytest.mark.django_db
def test_a_slot_whose_job_failed_is_run_again_up_to_its_tries(
    only_the_test_job, monkeypatch, settings
):
    settings.GMASSIST_JOB_MAX_TRIES = 3
    monkeypatch.setattr(schedule, "_RECURRING", {})
    schedule.recurring_job("test.recurring_refuses", every=DAY, hour=8)

    def run(kind):
        return job_submit(kind=kind, params={}, by=SYSTEM, wait=True)

    with time_machine.travel(at("2026-11-24 09:00"), tick=False):
        runs = [recurring_jobs_submit_due(submit=run) for _ in range(4)]
    statuses = [[job.status for job in jobs] for jobs in runs]
    assert statuses == [["failed"], ["failed"], ["failed"], []]
    with time_machine.travel(at("2026-11-25 08:00"), tick=False):
        assert [job.status for job in recurring_jobs_submit_due(submit=run)] == ["failed"]
    assert RUNS == ["test.recurring_refuses"] * 4


@pytest.mark.django_db
def test_a_job_stuck_running_when_its_worker_died_does_not_stand_for_its_slot(
    only_the_test_job, settings
):
    settings.GMASSIST_JOB_MAX_TRIES = 2
    with time_machine.travel(at("2026-11-24 08:00"), tick=False):
        stuck = Job.objects.create(
            kind="test.recurring",
            status=JobStatus.RUNNING,
            attempts=2,  # its last try
            heartbeat_at=at("2026-11-24 08:00"),
        )
    # a month later in the old code; here the next look, 15 minutes on
    with time_machine.travel(at("2026-11-24 08:15"), tick=False):
        jobs = recurring_jobs_submit_due(
            submit=lambda kind: job_submit(kind=kind, params={}, by=SYSTEM, wait=True)
        )
    stuck.refresh_from_db()
    assert stuck.status == JobStatus.FAILED
    assert stuck.error.startswith("Its worker stopped while it ran (no heartbeat for 60 seconds)")
    assert [(job.kind, job.status) for job in jobs] == [("test.recurring", JobStatus.SUCCEEDED)]
    assert RUNS == ["test.recurring"]


@pytest.mark.parametrize(
    ("statuses", "due"),
    [
        ([], True),
        (["failed"], True),
        (["failed", "failed"], True),
        (["failed", "failed", "failed"], False),
        (["failed", "succeeded"], False),
        (["queued"], False),
        (["running"], False),
        (["succeeded", "failed"], True),
    ],
)
def test_a_slot_is_due_with_no_job_or_a_failed_last_job_within_its_tries(statuses, due):
    assert schedule.slot_is_due(statuses=statuses, max_tries=3) is due


@pytest.mark.django_db
def test_the_schedule_command_lists_and_runs_what_is_due(only_the_test_job):
    with time_machine.travel(at("2026-11-24 09:00"), tick=False):
        out = StringIO()
        call_command("schedule", "--json", stdout=out)
        assert json.loads(out.getvalue()) == [
            {
                "kind": "test.recurring",
                "cron": "0 8 * * *",
                "summary": "a test job",
                "last_job": None,
                "last_run": None,
                "next": "2026-11-25T08:00:00+00:00",
                "due": True,
            }
        ]
        out = StringIO()
        call_command("schedule", "--run-due", stdout=out)
        job = Job.objects.get()
        assert f"#{job.pk} test.recurring: succeeded" in out.getvalue()
        out = StringIO()
        call_command("schedule", "--run-due", stdout=out)
        assert out.getvalue() == "Nothing is due.\n"
    assert RUNS == ["test.recurring"]


def test_every_app_declares_its_recurring_jobs_with_a_registered_handler():
    from gmassist.core.jobs import registered_job_kinds

    kinds = [job.kind for job in schedule.recurring_jobs()]
    assert kinds == [
        "core.apply_due",
        "customers.churn",
        "customers.tier",
        "decisions.remind",
        "office.tasks_follow_up",
        "office.triage_intake",
        "talent.score",
        "voice.remind",
        "voice.surveys_open_due",
    ]
    assert set(kinds) <= set(registered_job_kinds())


def test_celery_beat_looks_for_due_jobs_every_15_minutes():
    from celery.schedules import crontab

    from gmassist.celery_app import app
    from gmassist.core import tasks

    entry = app.conf.beat_schedule["recurring-jobs"]
    assert (entry["task"], entry["schedule"]) == (
        "gmassist.submit_due_jobs",
        crontab(minute="*/15"),
    )
    assert app.tasks["gmassist.submit_due_jobs"].run is tasks.submit_due_jobs.run
