"""Jobs: progress, results, failures, running twice, the worker, heartbeats and recovery, and a
real Celery worker on Redis. Killing real workers is in test_jobs_crash.py."""

import datetime as dt
import socket
import threading
import time

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections, transaction
from django.db.models import F
from django.test import override_settings
from django.utils import timezone

from gmassist.core.choices import JobStatus
from gmassist.core.jobs import (
    JobError,
    job_beat_file,
    job_handler,
    job_run,
    job_run_or_take_over,
    recover_stale_jobs,
    worker_name,
)
from gmassist.core.models import Job
from gmassist.core.permissions import SYSTEM
from gmassist.core.services import job_submit
from gmassist.core.worker import Worker

CALLS: list[int] = []


@job_handler("test.count")
def count_to(ctx, *, n: int) -> dict:
    for i in range(1, n + 1):
        ctx.progress(100 * i / n, f"{i} of {n}")
    CALLS.append(n)
    return {"counted": n}


@job_handler("test.refuse")
def refuse(ctx) -> dict:
    ctx.progress(40, "checking")
    raise JobError("row 3: bad date", result={"errors": 1})


@job_handler("test.crash")
def crash(ctx) -> dict:
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def _reset_calls():
    CALLS.clear()


def test_a_job_runs_in_process_and_reports_progress_to_its_listener(db):
    seen = []
    job = job_submit(
        kind="test.count",
        params={"n": 4},
        by=SYSTEM,
        wait=True,
        listener=lambda p, m: seen.append(p),
    )
    job.refresh_from_db()
    assert seen == [25, 50, 75, 100]
    assert (job.status, job.progress, job.result) == (JobStatus.SUCCEEDED, 100, {"counted": 4})
    assert job.started_at is not None and job.finished_at is not None


def test_a_refused_job_fails_with_its_message_and_report(db):
    job = job_submit(kind="test.refuse", params={}, by=SYSTEM, wait=True)
    job.refresh_from_db()
    assert (job.status, job.error, job.result) == (
        JobStatus.FAILED,
        "row 3: bad date",
        {"errors": 1},
    )


def test_a_crash_is_recorded_on_the_job(db):
    job = job_submit(kind="test.crash", params={}, by=SYSTEM, wait=True)
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "RuntimeError: boom")


def test_an_unknown_kind_fails_cleanly(db):
    job = job_submit(kind="test.nothing", params={}, by=SYSTEM, wait=True)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "no handler" in job.error


def test_running_a_finished_job_again_does_nothing(db):
    job = job_submit(kind="test.count", params={"n": 2}, by=SYSTEM, wait=True)
    job_run(job.pk)
    assert CALLS == [2]


def test_with_jobs_eager_a_submitted_job_runs_once_its_transaction_commits(transactional_db):
    job = job_submit(kind="test.count", params={"n": 3}, by=SYSTEM)

    job.refresh_from_db()
    assert (job.status, job.result, job.attempts) == (JobStatus.SUCCEEDED, {"counted": 3}, 1)


def test_a_submitted_job_waits_queued_for_the_worker_process_which_runs_it(
    transactional_db, settings
):
    settings.GMASSIST_JOBS_EAGER = False
    first = job_submit(kind="test.count", params={"n": 1}, by=SYSTEM)
    second = job_submit(kind="test.count", params={"n": 2}, by=SYSTEM)
    time.sleep(0.2)  # nothing in this process runs it: no thread of the web process
    assert Job.objects.get(pk=first.pk).status == JobStatus.QUEUED

    ran = Worker().run(burst=True)

    assert ran == 2
    assert CALLS == [1, 2]  # oldest first
    assert [(j.status, j.attempts, j.worker) for j in Job.objects.order_by("id")] == [
        (JobStatus.SUCCEEDED, 1, worker_name())
    ] * 2
    assert second.pk > first.pk


# --- surviving the loss of a worker ----------------------------------------------------------


def _running(*, attempts: int = 1, quiet_for: float | None = 120, kind="test.count", n=2) -> Job:
    """A job a worker claimed and then stopped beating for (`quiet_for` seconds; None: never
    beat, as the jobs left running before heartbeats existed)."""
    beat = None if quiet_for is None else timezone.now() - dt.timedelta(seconds=quiet_for)
    return Job.objects.create(
        kind=kind,
        params={"n": n},
        status=JobStatus.RUNNING,
        attempts=attempts,
        started_at=beat,
        heartbeat_at=beat,
        worker="gone.example.com:4242",
    )


@pytest.fixture
def quick_heartbeats(settings):
    settings.GMASSIST_JOB_HEARTBEAT_SECONDS = 1
    settings.GMASSIST_JOB_STALE_SECONDS = 2
    settings.GMASSIST_JOB_MAX_TRIES = 3


def test_a_running_job_whose_heartbeat_stopped_is_queued_again_then_run(db, quick_heartbeats):
    job = _running(attempts=1)

    [recovered] = recover_stale_jobs()

    job.refresh_from_db()
    assert recovered.pk == job.pk
    assert (job.status, job.attempts, job.worker, job.heartbeat_at, job.message) == (
        JobStatus.QUEUED,
        1,
        "",
        None,
        "Queued again: its worker stopped",
    )
    job = job_run(job.pk)
    assert (job.status, job.attempts, job.result) == (JobStatus.SUCCEEDED, 2, {"counted": 2})


def test_a_job_left_running_before_heartbeats_existed_is_recovered(db, quick_heartbeats):
    job = _running(quiet_for=None)

    recover_stale_jobs()

    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED


def test_after_its_last_try_a_job_whose_worker_was_lost_fails_with_its_reason(db, quick_heartbeats):
    job = _running(attempts=3)

    recover_stale_jobs()

    job.refresh_from_db()
    assert (job.status, job.message, job.error) == (
        JobStatus.FAILED,
        "Failed",
        "Its worker stopped while it ran (no heartbeat for 2 seconds), in each of its 3 tries;"
        " it is not tried again.",
    )
    assert job.finished_at is not None


def test_a_job_that_beats_is_left_to_its_worker(db, quick_heartbeats):
    job = _running(quiet_for=1)

    assert recover_stale_jobs() == []
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING


@job_handler("test.slow")
def slow(ctx, *, seconds: float) -> dict:
    from gmassist.org.models import Department

    ctx.progress(10, "writing")
    # one all-or-nothing write that lasts longer than a stale period: no progress reaches the
    # database meanwhile (and on SQLite no other writer can), only the heartbeat thread's beats
    with transaction.atomic():
        Department.objects.create(code="SLOW", name="Slow")
        time.sleep(seconds)
    return {"slept": seconds}


def test_the_heartbeat_keeps_a_job_alive_through_a_long_transaction(
    transactional_db, quick_heartbeats
):
    found: list[list[Job]] = []

    def recover_while_it_runs():
        time.sleep(2.5)
        found.append(recover_stale_jobs())
        connections.close_all()

    watcher = threading.Thread(target=recover_while_it_runs)
    watcher.start()
    job = job_submit(kind="test.slow", params={"seconds": 3.5}, by=SYSTEM, wait=True)
    watcher.join()

    assert found == [[]]
    assert (job.status, job.attempts, job.result) == (JobStatus.SUCCEEDED, 1, {"slept": 3.5})


@job_handler("test.taken_over")
def taken_over(ctx) -> dict:
    # another worker takes the job over while this one still runs it
    Job.objects.filter(pk=ctx.job.pk).update(attempts=F("attempts") + 1, worker="other:1")
    ctx._last_write = 0
    ctx.progress(50, "still going")
    CALLS.append(-1)  # not reached: the handler is stopped
    return {"from": "the worker that lost it"}


def test_a_worker_that_lost_its_job_stops_and_does_not_write_over_the_new_run(transactional_db):
    job = job_submit(kind="test.taken_over", params={}, by=SYSTEM, wait=True)

    job.refresh_from_db()
    assert (job.status, job.attempts, job.worker, job.result, job.progress) == (
        JobStatus.RUNNING,
        2,
        "other:1",
        {},
        0,
    )
    assert CALLS == []


def test_an_import_taken_from_its_worker_keeps_its_upload_for_the_run_that_took_it_over(
    db, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gmassist.core.imports import run_import_job
    from gmassist.core.jobs import JobContext, JobLost
    from gmassist.core.uploads import upload_save

    settings.MEDIA_ROOT = tmp_path
    upload = upload_save(upload=SimpleUploadedFile("p.csv", b"code,title\nP-1,Analyst\n"))
    ctx = JobContext(job=Job.objects.create(kind="core.import", status=JobStatus.RUNNING))
    ctx.lost.set()  # the heartbeat found the job taken over

    with pytest.raises(JobLost):
        run_import_job(ctx, entity="positions", path=str(upload))

    assert upload.exists()


def test_a_task_delivered_again_takes_over_a_job_whose_worker_was_lost(db, quick_heartbeats):
    job = _running(attempts=1, n=3)

    job = job_run_or_take_over(job.pk)

    assert (job.status, job.attempts, job.result) == (JobStatus.SUCCEEDED, 2, {"counted": 3})


def test_a_task_delivered_again_leaves_a_job_that_beats_to_its_worker(
    transactional_db, quick_heartbeats
):
    job = _running(attempts=1, quiet_for=0)
    stop = threading.Event()

    def live_worker():
        while not stop.wait(0.3):
            Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
            touch = job_beat_file(job.pk) if connection.vendor == "sqlite" else None
            if touch is not None:
                touch.parent.mkdir(exist_ok=True)
                touch.touch()
        connections.close_all()

    beating = threading.Thread(target=live_worker)
    beating.start()
    try:
        started = time.monotonic()
        result = job_run_or_take_over(job.pk)
        waited = time.monotonic() - started
    finally:
        stop.set()
        beating.join()

    assert (result.status, result.attempts, CALLS) == (JobStatus.RUNNING, 1, [])
    assert waited < 2  # it saw the beat and let go, without waiting out a stale period


def test_celery_tasks_are_acknowledged_late_and_given_back_when_their_worker_is_lost():
    from gmassist.celery_app import app
    from gmassist.core.tasks import run_job

    assert (run_job.acks_late, run_job.reject_on_worker_lost) == (True, True)
    assert (app.conf.task_acks_late, app.conf.task_reject_on_worker_lost) == (True, True)


@pytest.mark.parametrize(
    ("timing", "message"),
    [
        ({"heartbeat": 0}, "GMASSIST_JOB_HEARTBEAT_SECONDS must be 1 or more"),
        ({"stale": 19}, "GMASSIST_JOB_STALE_SECONDS must be at least twice"),
        ({"max_tries": 0}, "GMASSIST_JOB_MAX_TRIES must be 1 or more"),
        ({"poll": 0}, "GMASSIST_JOB_POLL_SECONDS must be 1 or more"),
        ({"resend": 59}, "GMASSIST_JOB_RESEND_SECONDS must be at least GMASSIST_JOB_STALE"),
    ],
)
def test_job_timings_that_cannot_work_are_refused(timing, message):
    from gmassist.settings import check_job_timing

    with pytest.raises(ImproperlyConfigured, match=message):
        check_job_timing(
            **{"heartbeat": 10, "stale": 60, "max_tries": 3, "poll": 1, "resend": 600, **timing}
        )


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.celery
@pytest.mark.skipif(not _redis_answers(), reason="Redis is not reachable on 127.0.0.1:6379")
def test_with_a_broker_a_real_celery_worker_runs_the_job(transactional_db):
    from celery.contrib.testing.worker import start_worker

    from gmassist.celery_app import app

    broker = "redis://127.0.0.1:6379/15"
    app.conf.update(broker_url=broker, result_backend=None, task_ignore_result=True)
    with (
        override_settings(CELERY_BROKER_URL=broker),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        job = job_submit(kind="test.count", params={"n": 5}, by=SYSTEM)
        assert Job.objects.get(pk=job.pk).status in (
            JobStatus.QUEUED,
            JobStatus.RUNNING,
            JobStatus.SUCCEEDED,
        )
        for _ in range(200):
            job.refresh_from_db()
            if job.is_finished:
                break
            __import__("time").sleep(0.05)
    assert (job.status, job.progress, job.result) == (JobStatus.SUCCEEDED, 100, {"counted": 5})


@job_handler("test.language")
def language(ctx) -> dict:
    from django.utils import translation

    return {"language": translation.get_language()}


def test_a_job_runs_in_the_language_of_the_user_who_started_it(cast):
    cast.hr.language = "zh-hans"
    cast.hr.save(update_fields=["language"])

    job = job_submit(kind="test.language", params={}, by=cast.hr, wait=True)

    assert (job.result, job.message) == ({"language": "zh-hans"}, "完成")


def test_a_job_of_the_system_or_of_a_user_with_no_language_runs_in_language_code(cast):
    cast.hr.language = ""
    cast.hr.save(update_fields=["language"])

    jobs = [job_submit(kind="test.language", params={}, by=by, wait=True) for by in (None, cast.hr)]

    assert [(job.result, job.message) for job in jobs] == [({"language": "en"}, "Done")] * 2


# --- a queued job whose broker message was lost ----------------------------------------------


def test_a_job_queued_longer_than_the_resend_period_is_sent_again_once_per_period(db, settings):
    from gmassist.core.jobs import queued_jobs_to_resend

    settings.GMASSIST_JOB_RESEND_SECONDS = 600
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        waiting = Job.objects.create(kind="core.import", params={})
        Job.objects.create(kind="core.import", params={}, status=JobStatus.SUCCEEDED)
    with time_machine.travel(start + dt.timedelta(seconds=599), tick=False):
        assert queued_jobs_to_resend() == []
    with time_machine.travel(start + dt.timedelta(seconds=601), tick=False):
        assert queued_jobs_to_resend() == [waiting.pk]
        assert queued_jobs_to_resend() == []  # marked: not again in this period
    with time_machine.travel(start + dt.timedelta(seconds=1202), tick=False):
        assert queued_jobs_to_resend() == [waiting.pk]
    waiting.refresh_from_db()
    assert waiting.status == JobStatus.QUEUED
