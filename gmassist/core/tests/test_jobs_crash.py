"""Jobs survive a crash: real worker processes killed with SIGKILL in the middle of an import.

Each test starts real processes (`gmassist worker`, `gmassist serve`, Celery workers on Redis)
against the test database, waits until the import's all-or-nothing transaction is open and
writing, kills the process that runs it, and checks that nothing was half-written and that the
job ends (done, or failed with its reason) within a bounded time. Heartbeats are short here
(1 s, stale after 3 s) so that each test takes seconds, not minutes.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from gmassist.core.choices import AuditAction, JobStatus
from gmassist.core.models import AuditEntry, Job
from gmassist.core.permissions import SYSTEM
from gmassist.core.services import job_submit, jobs_recover_stale
from gmassist.core.worker import Worker
from gmassist.org.models import Department, Employee, PayChange, Position

HEARTBEAT, STALE = 1, 3
ROWS = 3000
# From the kill to the job's end: one stale period, a recovery pass (every half stale period),
# a poll, and the import run again, on a shared and busy machine.
BOUND = 25.0


@pytest.fixture(autouse=True)
def _quick_heartbeats(settings):
    settings.GMASSIST_JOBS_EAGER = False  # the workers run the jobs, not this process
    settings.GMASSIST_JOB_HEARTBEAT_SECONDS = HEARTBEAT
    settings.GMASSIST_JOB_STALE_SECONDS = STALE


@pytest.fixture
def company(transactional_db) -> None:
    Department.objects.create(code="RND", name="R&D")
    Position.objects.create(
        code="ENG-3",
        title="Engineer",
        job_family="Engineering",
        grade=3,
        band_min=Decimal("90000"),
        band_mid=Decimal("110000"),
        band_max=Decimal("130000"),
        currency="CNY",
    )


def _people_file(folder: Path, rows: int = ROWS) -> Path:
    path = folder / "people.csv"
    lines = ["employee_no,full_name,department,position,hire_date,base_pay"]
    lines += [f"K{i:06},Person {i},RND,ENG-3,2021-02-01,{100000 + i}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _submit_import(path: Path) -> Job:
    params = {"entity": "employees", "path": str(path), "mapping": None, "dry_run": False}
    return job_submit(kind="core.import", params=params, by=SYSTEM)


def _database_url() -> str:
    """The test database, as a URL the worker processes can use."""
    conf = connection.settings_dict
    if connection.vendor == "sqlite":
        return "sqlite:///" + str(Path(conf["NAME"]).resolve())
    password = f":{conf['PASSWORD']}" if conf["PASSWORD"] else ""
    return f"postgres://{conf['USER']}{password}@{conf['HOST']}:{conf['PORT']}/{conf['NAME']}"


def _env(**extra: str) -> dict[str, str]:
    drop = {"CELERY_BROKER_URL", "CELERY_QUEUE", "DATABASE_URL", "GMASSIST_JOBS_EAGER"}
    env = {name: value for name, value in os.environ.items() if name not in drop}
    env.update(
        DATABASE_URL=_database_url(),
        GMASSIST_JOB_HEARTBEAT_SECONDS=str(HEARTBEAT),
        GMASSIST_JOB_STALE_SECONDS=str(STALE),
        GMASSIST_JOB_POLL_SECONDS="1",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class Processes:
    """Real `gmassist` processes, each in its own process group, all killed at the end."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.started: list[subprocess.Popen] = []

    def start(self, *args: str, **env: str) -> subprocess.Popen:
        log = self.folder / f"process-{len(self.started)}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "gmassist.cli", *args],
            env=_env(**env),
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log = log  # type: ignore[attr-defined]
        self.started.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(f"--- {p.args}\n{p.log.read_text()}" for p in self.started)  # type: ignore[attr-defined]

    def kill_all(self) -> None:
        for process in self.started:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


@pytest.fixture
def processes(tmp_path) -> Iterator[Processes]:
    started = Processes(tmp_path)
    yield started
    started.kill_all()


def _until(check: Callable[[], object], *, within: float, what: str, logs=lambda: "") -> object:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"not within {within} s: {what}\n{logs()}")


def _writing() -> bool:
    """Whether another connection has an open transaction that writes to the test database."""
    if connection.vendor == "sqlite":
        probe = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:  # "database is locked": someone holds the write lock
            return True
        finally:
            probe.close()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, backend_xid::text FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL ORDER BY pid"
        )
        return bool(cursor.fetchall())


class ImportGate:
    """Holds an import in the middle of its transaction, where the test kills its worker.

    On PostgreSQL a 3,000-row import writes in well under a tenth of a second, too quickly to
    catch by looking, so the gate locks the audit table against inserts (reads go on) from a
    connection of its own: the import writes every employee, then waits at its audit entry, the
    last write before its commit, for as long as the gate is shut. On SQLite (one writer at a
    time) no outside lock can stop a writer half-way; there the import is slow enough to be
    caught by looking (a write lock held through 5 looks over 0.1 s: not a progress write).
    """

    def __init__(self) -> None:
        self._lock = None
        if connection.vendor == "postgresql":
            import psycopg

            conf = connection.settings_dict
            self._lock = psycopg.connect(
                host=conf["HOST"],
                port=conf["PORT"] or 5432,
                user=conf["USER"],
                password=conf["PASSWORD"] or None,
                dbname=conf["NAME"],
            )
            self._lock.execute(
                f"LOCK TABLE {AuditEntry._meta.db_table} IN SHARE ROW EXCLUSIVE MODE"
            )

    def open(self) -> None:
        """Let the held import go on (to its commit, or to the rollback of a killed worker)."""
        if self._lock is not None:
            self._lock.rollback()
            self._lock.close()
            self._lock = None

    def held(self) -> bool:
        """Whether an import transaction has written and waits at the gate (PostgreSQL)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks JOIN pg_stat_activity USING (pid)"
                " WHERE relation = %s::regclass AND NOT granted AND backend_xid IS NOT NULL",
                [AuditEntry._meta.db_table],
            )
            return cursor.fetchone()[0] > 0


@pytest.fixture
def gate(transactional_db) -> Iterator[ImportGate]:
    shut = ImportGate()
    yield shut
    shut.open()


def _in_the_middle_of_the_import(job: Job, processes: Processes, gate: ImportGate) -> int:
    """Wait until a worker has claimed `job` and its import transaction is writing; its pid."""

    def claimed():
        job.refresh_from_db()
        return job.status == JobStatus.RUNNING and job.worker

    _until(claimed, within=60, what="a worker claims the job", logs=processes.logs)
    if connection.vendor == "postgresql":
        _until(gate.held, within=30, what="the import waits at the gate", logs=processes.logs)
    else:
        held = []

        def writing_for_a_while():
            held.append(_writing())
            return len(held) >= 5 and all(held[-5:])

        _until(writing_for_a_while, within=30, what="the import writes", logs=processes.logs)
    return int(job.worker.rsplit(":", 1)[1])


def _assert_nothing_written() -> None:
    assert Employee.objects.filter(employee_no__startswith="K").count() == 0
    assert PayChange.objects.count() == 0
    assert not AuditEntry.objects.filter(action=AuditAction.IMPORT).exists()


def _assert_imported_once() -> None:
    assert Employee.objects.filter(employee_no__startswith="K").count() == ROWS
    [entry] = AuditEntry.objects.filter(action=AuditAction.IMPORT)
    assert entry.changes["counts"]["employees"] == {"created": ROWS, "updated": 0, "unchanged": 0}


def _ended(job: Job) -> Callable[[], bool]:
    def check() -> bool:
        job.refresh_from_db()
        return job.is_finished

    return check


# --- the embedded worker (no broker), on SQLite (and on PostgreSQL when the suite runs there) --


def test_a_worker_killed_in_the_middle_of_an_import_leaves_nothing_and_another_runs_it_again(
    company, processes, tmp_path, gate
):
    processes.start("worker")
    processes.start("worker")
    job = _submit_import(_people_file(tmp_path))
    victim = _in_the_middle_of_the_import(job, processes, gate)

    os.kill(victim, signal.SIGKILL)
    killed_at = time.monotonic()
    gate.open()

    _assert_nothing_written()
    _until(_ended(job), within=BOUND, what="the job ends", logs=processes.logs)
    took = time.monotonic() - killed_at
    assert (job.status, job.attempts, job.error) == (JobStatus.SUCCEEDED, 2, "")
    assert job.worker != f"{socket.gethostname()}:{victim}"
    _assert_imported_once()
    assert took < BOUND


def test_after_its_last_try_a_killed_import_fails_with_its_reason(
    company, processes, tmp_path, settings, gate
):
    settings.GMASSIST_JOB_MAX_TRIES = 1
    worker = processes.start("worker", GMASSIST_JOB_MAX_TRIES="1")
    job = _submit_import(_people_file(tmp_path))
    _in_the_middle_of_the_import(job, processes, gate)

    os.kill(worker.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    gate.open()

    _assert_nothing_written()
    # the recovery every worker runs, here run by the test: no worker is left
    _until(jobs_recover_stale, within=STALE + 2, what="the job is recovered")
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.FAILED, 1)
    assert job.error == (
        f"Its worker stopped while it ran (no heartbeat for {STALE} seconds), in its only try;"
        " it is not tried again."
    )
    assert time.monotonic() - killed_at < STALE + 2
    _assert_nothing_written()


def test_a_worker_asked_to_stop_in_the_middle_of_an_import_puts_it_back_in_the_queue(
    company, processes, tmp_path, gate
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gmassist.core.uploads import upload_save

    # an upload, which an import deletes when it ends (it holds pay): here it has not ended
    upload = upload_save(
        upload=SimpleUploadedFile("people.csv", _people_file(tmp_path).read_bytes())
    )
    worker = processes.start("worker")
    job = _submit_import(upload)
    _in_the_middle_of_the_import(job, processes, gate)

    worker.send_signal(signal.SIGTERM)
    gate.open()

    assert worker.wait(15) == 0, processes.logs()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.worker, job.message) == (
        JobStatus.QUEUED,
        0,
        "",
        "Queued again: its worker was stopped",
    )
    _assert_nothing_written()
    assert upload.exists()
    # the next worker (this process's own, here) runs it to its end, which deletes the upload
    assert Worker().run(burst=True) == 1
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 1)
    _assert_imported_once()
    assert not upload.exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _worker_pids(serve: subprocess.Popen) -> list[int]:
    return [
        int(pid) for pid in re.findall(r"job worker started \(pid (\d+)\)", serve.log.read_text())
    ]  # type: ignore[attr-defined]


def test_serve_runs_jobs_in_a_worker_process_and_starts_it_again_when_it_is_killed(
    company, processes, tmp_path
):
    serve = processes.start("serve", "--port", str(_free_port()), "--no-access-log")
    job = _submit_import(_people_file(tmp_path, rows=5))
    _until(_ended(job), within=60, what="serve's worker runs the job", logs=processes.logs)
    [first] = _worker_pids(serve)
    assert (job.status, job.worker) == (JobStatus.SUCCEEDED, f"{socket.gethostname()}:{first}")
    # a process of its own, not the web process, kept running by serve's supervisor
    supervisor = _parent(first)
    assert (_command(first), _parent(supervisor), _command(supervisor)[:3]) == (
        [sys.executable, "-m", "gmassist.cli", "worker", "--schedule"],
        serve.pid,
        [sys.executable, "-m", "gmassist.core.supervisor"],
    )

    os.kill(first, signal.SIGKILL)

    pids = _until(
        lambda: _worker_pids(serve)[1:], within=10, what="another worker", logs=processes.logs
    )
    assert (_alive(pids[0]), _parent(pids[0]), _command(pids[0])) == (
        True,
        supervisor,
        [sys.executable, "-m", "gmassist.cli", "worker", "--schedule"],
    )
    serve.send_signal(signal.SIGTERM)
    _until(lambda: serve.poll() is not None, within=30, what="serve stops", logs=processes.logs)
    _until(lambda: not _alive(pids[0]), within=20, what="its worker stops with it")
    assert not _alive(supervisor)


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _command(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_text().rstrip("\0").split("\0")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (ended, not yet reaped by its parent) is not alive
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"


# --- Celery on Redis, with PostgreSQL ---------------------------------------------------------

REDIS = "redis://127.0.0.1:6379/12"


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def celery_queue(transactional_db) -> Iterator[str]:
    if connection.vendor != "postgresql":
        pytest.skip("the Celery fault tests run on PostgreSQL (DATABASE_URL=postgres://...)")
    if not _redis_answers():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    import redis

    queue = f"gmassist-test-{uuid.uuid4().hex[:12]}"  # this run's own queue
    yield queue
    redis.Redis.from_url(REDIS).delete(queue)


def _send(job: Job, queue: str) -> None:
    """What the web does on commit (core.services.job_submit), from a producer of its own."""
    from celery import Celery

    producer = Celery(broker=REDIS)
    try:
        producer.send_task("gmassist.run_job", args=[job.pk], queue=queue)
    finally:
        producer.close()


def _celery_worker(processes: Processes, queue: str, **env: str) -> subprocess.Popen:
    return processes.start(
        "worker", "--concurrency", "1", CELERY_BROKER_URL=REDIS, CELERY_QUEUE=queue, **env
    )


@pytest.mark.celery
def test_a_celery_pool_process_killed_mid_import_gets_its_task_again_which_takes_the_job_over(
    company, processes, tmp_path, celery_queue, gate
):
    _celery_worker(processes, celery_queue)
    job = _submit_import(_people_file(tmp_path))
    _send(job, celery_queue)
    victim = _in_the_middle_of_the_import(job, processes, gate)

    os.kill(victim, signal.SIGKILL)  # the pool process; the worker gives the task back
    killed_at = time.monotonic()
    gate.open()

    _assert_nothing_written()
    _until(_ended(job), within=BOUND, what="the job ends", logs=processes.logs)
    assert (job.status, job.attempts, job.error) == (JobStatus.SUCCEEDED, 2, "")
    assert time.monotonic() - killed_at < BOUND
    _assert_imported_once()
    # the task delivered again took the job over (core.jobs.job_run_or_take_over)
    assert "WorkerLostError" in processes.logs()
    assert f"job {job.pk} (core.import) lost its worker" in processes.logs()


@pytest.mark.celery
def test_a_whole_celery_worker_killed_mid_import_another_worker_recovers_the_job(
    company, processes, tmp_path, celery_queue, gate
):
    _celery_worker(processes, celery_queue)
    _celery_worker(processes, celery_queue)
    job = _submit_import(_people_file(tmp_path))
    _send(job, celery_queue)
    victim = _in_the_middle_of_the_import(job, processes, gate)

    os.killpg(os.getpgid(victim), signal.SIGKILL)  # the worker and its pool, as a lost machine
    killed_at = time.monotonic()
    gate.open()

    _assert_nothing_written()
    _until(_ended(job), within=BOUND, what="the job ends", logs=processes.logs)
    assert (job.status, job.attempts, job.error) == (JobStatus.SUCCEEDED, 2, "")
    assert time.monotonic() - killed_at < BOUND
    _assert_imported_once()
    # the other worker's recovery thread queued it again and sent it anew (core.tasks)
    assert f"job {job.pk} (core.import) lost its worker" in processes.logs()


@pytest.mark.celery
def test_a_queued_job_whose_message_the_broker_lost_is_sent_again_and_runs(
    company, processes, tmp_path, celery_queue
):
    _celery_worker(processes, celery_queue, GMASSIST_JOB_RESEND_SECONDS=str(STALE))
    # queued, and never sent: as when the broker lost the message
    job = _submit_import(_people_file(tmp_path, rows=5))

    _until(_ended(job), within=BOUND, what="the job ends", logs=processes.logs)

    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 1)
    assert Employee.objects.filter(employee_no__startswith="K").count() == 5
    assert f"without a worker: sent again ({job.pk})" in processes.logs()
