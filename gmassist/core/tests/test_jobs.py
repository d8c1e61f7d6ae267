"""Jobs: progress, results, failures, running twice, and a real Celery worker on Redis."""

import socket

import pytest
from django.test import override_settings

from gmassist.core.choices import JobStatus
from gmassist.core.jobs import JobError, job_handler, job_run
from gmassist.core.models import Job
from gmassist.core.permissions import SYSTEM
from gmassist.core.services import job_submit

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


def test_a_background_job_runs_in_a_thread(transactional_db):
    job = job_submit(kind="test.count", params={"n": 3}, by=SYSTEM)
    for _ in range(100):
        job.refresh_from_db()
        if job.is_finished:
            break
        __import__("time").sleep(0.05)
    assert (job.status, job.result) == (JobStatus.SUCCEEDED, {"counted": 3})


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
