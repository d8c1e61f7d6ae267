"""Django settings, read from environment variables; the embedded default needs none of them."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from gmassist.lib.env import (
    SQLITE_OPTIONS,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("GMASSIST_DATA_DIR", str(BASE_DIR.parent / "var"))).resolve()

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """SECRET_KEY from the environment; else one generated once and kept in the data folder."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    try:
        if not key_file.exists():
            DATA_DIR.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
            key_file.chmod(0o600)
        return key_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ImproperlyConfigured(f"set SECRET_KEY, or make {DATA_DIR} writable: {exc}") from exc


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "axes",
    "gmassist.core",
    "gmassist.org",
    "gmassist.talent",
    "gmassist.customers",
    "gmassist.voice",
    "gmassist.decisions",
    "gmassist.workforce",
    "gmassist.office",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gmassist.core.middleware.UserLanguageMiddleware",
    "gmassist.core.middleware.ApiTokenUseMiddleware",
    "gmassist.core.uploads.UploadLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gmassist.core.middleware.ContentSecurityPolicyMiddleware",
    # last, as axes asks: it turns a locked-out login into the lockout page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gmassist.urls"
WSGI_APPLICATION = "gmassist.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": database_from_url(_database_url)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "gmassist.sqlite3",
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    }
# The SQLite test database is a file, not shared-cache memory, so that a job thread or a Celery
# worker and the test itself can use it at the same time (WAL), as they do in production.
# One file per test run (process id), so that two runs side by side do not share it.
_test_db_default = str(DATA_DIR / f"test-{os.getpid()}.sqlite3") if not _database_url else ""
DATABASES["default"]["TEST"] = {"NAME": env_str("GMASSIST_TEST_DB_NAME", _test_db_default) or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
# axes first: it refuses a locked-out login before any password is checked
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "gmassist.core.backends.UserWithEmployeeBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Throttled logins (gmassist/core/logins.py, django-axes): failures within LOGIN_LOCKOUT_MINUTES
# of each other lock out for that long after the last one. An office behind one address shares
# the per-address count, hence its larger default.
LOGIN_FAILURES_PER_USER = env_int("LOGIN_FAILURES_PER_USER", 5)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 20)
TOKEN_FAILURES_PER_ADDRESS = env_int("TOKEN_FAILURES_PER_ADDRESS", 20)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
for _name in (
    "LOGIN_FAILURES_PER_USER",
    "LOGIN_FAILURES_PER_ADDRESS",
    "TOKEN_FAILURES_PER_ADDRESS",
    "LOGIN_LOCKOUT_MINUTES",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more")
# The proxies in front of the application that add X-Forwarded-For (1 with BEHIND_PROXY): the
# client's address is the one the outermost of them saw.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 1 if env_bool("BEHIND_PROXY") else 0)
AXES_HANDLER = "gmassist.core.logins.AttemptsHandler"
AXES_LOCKOUT_PARAMETERS = "gmassist.core.logins.lockout_parameters"
AXES_FAILURE_LIMIT = "gmassist.core.logins.failure_limit"
AXES_CLIENT_IP_CALLABLE = "gmassist.core.logins.client_ip"
AXES_LOCKOUT_CALLABLE = "gmassist.core.logins.locked_out"
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_RESET_ON_SUCCESS = True  # a login that works forgets the typos before it
AXES_DISABLE_ACCESS_LOG = True  # successful logins are User.last_login; no table of them

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# numbers grouped by thousands in Chinese too (gmassist/formats/zh_Hans)
FORMAT_MODULE_PATH = ["gmassist.formats"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Front-end libraries come from the npm registry (package-lock.json), installed by `make run`
# into node_modules/ and served from here; nothing is fetched from the internet at run time.
NODE_MODULES = Path(env_str("GMASSIST_NODE_MODULES", str(BASE_DIR.parent / "node_modules")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
    ("vendor/pico", NODE_MODULES / "@picocss" / "pico" / "css"),
]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True  # the embedded default serves static files without collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"

# Limits of uploads, imports and job results (docs/security.md, "Uploads and imports are
# bounded"): a request over them is refused with a message, before it costs memory.
UPLOAD_MAX_BYTES = env_int("GMASSIST_UPLOAD_MAX_MB", 200, minimum=1) * 1024 * 1024
UPLOAD_KEEP_HOURS = env_int("GMASSIST_UPLOAD_KEEP_HOURS", 24, minimum=1)
# an attachment to a note on a record (a contract, a letter): bounded on its own
ATTACHMENT_MAX_BYTES = env_int("GMASSIST_ATTACHMENT_MAX_MB", 10, minimum=1) * 1024 * 1024
# rows of a file an import holds whole (about 2.6 KB of memory a row of 20 columns), and of a
# file it reads chunk by chunk (monthly revenue: memory is bounded by the chunk)
IMPORT_MAX_ROWS = env_int("GMASSIST_IMPORT_MAX_ROWS", 200_000, minimum=1)
IMPORT_MAX_STREAMED_ROWS = env_int("GMASSIST_IMPORT_MAX_STREAMED_ROWS", 20_000_000, minimum=1)
IMPORT_MAX_COLUMNS = env_int("GMASSIST_IMPORT_MAX_COLUMNS", 500, minimum=1)
IMPORT_MAX_CELL_CHARS = env_int("GMASSIST_IMPORT_MAX_CELL_CHARS", 32_767, minimum=1)  # Excel's
JOB_RESULT_MAX_BYTES = env_int("GMASSIST_JOB_RESULT_MAX_KB", 1024, minimum=16) * 1024
# a request body other than an upload's file (JSON, form fields): Django's default, 2.5 MB
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("GMASSIST_BODY_MAX_KB", 2560, minimum=64) * 1024

# Feedback routing (docs/voice.md, "Routing and triage"). An item to a department whose topic
# the classifier is less sure of than this (percent; 0 turns triage off) waits in the triage list
# for HR to set its topic instead of going to a guessed owner; 50 was chosen from the
# classifier's calibration (voice/engine/classifier.py). Items to a department whose topic is
# one of GMASSIST_FEEDBACK_HR_TOPICS are owned by HR, the others by the department's head.
FEEDBACK_TRIAGE_BELOW_PERCENT = env_int("GMASSIST_FEEDBACK_TRIAGE_BELOW_PERCENT", 50, minimum=0)
if FEEDBACK_TRIAGE_BELOW_PERCENT > 100:
    raise ImproperlyConfigured(
        f"GMASSIST_FEEDBACK_TRIAGE_BELOW_PERCENT={FEEDBACK_TRIAGE_BELOW_PERCENT} "
        "must be at most 100"
    )
# The GM's triage (docs/office/triage.md): a proposal of the classifier less sure than this
# (percent) says it is unsure, and the GM decides without a suggested route.
TRIAGE_UNSURE_BELOW_PERCENT = env_int("GMASSIST_TRIAGE_UNSURE_BELOW_PERCENT", 50, minimum=0)
if TRIAGE_UNSURE_BELOW_PERCENT > 100:
    raise ImproperlyConfigured(
        f"GMASSIST_TRIAGE_UNSURE_BELOW_PERCENT={TRIAGE_UNSURE_BELOW_PERCENT} must be at most 100"
    )
# the topics of voice.feedback.choices.Topic (a test keeps the two the same)
FEEDBACK_TOPIC_NAMES = (
    "pay", "workload", "management", "career", "process", "facilities", "customers", "other"
)  # fmt: skip
FEEDBACK_HR_TOPICS = env_list("GMASSIST_FEEDBACK_HR_TOPICS", ["pay", "career"])
if unknown_topics := [t for t in FEEDBACK_HR_TOPICS if t not in FEEDBACK_TOPIC_NAMES]:
    raise ImproperlyConfigured(
        f"GMASSIST_FEEDBACK_HR_TOPICS: {', '.join(unknown_topics)} is not a topic "
        f"(the topics: {', '.join(FEEDBACK_TOPIC_NAMES)})"
    )

# Delegated tasks (office.tasks): a late task is escalated to the owner's head the day after
# its due date, and this many days after that, still open, to the GM's desk (Today).
TASK_ESCALATE_TO_GM_DAYS = env_int("GMASSIST_TASK_ESCALATE_TO_GM_DAYS", 3, minimum=0)
# The schedule (docs/office/schedule.md): an imported .ics is expanded into busy times for
# this many days from the day it is imported (recurring events included); the slot finder
# looks no further ahead. 90 days cover a quarter's planning at a few thousand rows a person.
SCHEDULE_BUSY_WINDOW_DAYS = env_int("GMASSIST_SCHEDULE_BUSY_WINDOW_DAYS", 90, minimum=7)
if SCHEDULE_BUSY_WINDOW_DAYS > 366:
    raise ImproperlyConfigured(
        f"GMASSIST_SCHEDULE_BUSY_WINDOW_DAYS={SCHEDULE_BUSY_WINDOW_DAYS} must be at most 366"
    )

# Scripts and styles from our own static files only: no inline script, style or handler, no
# eval. Pico's icons are data: images. A deployment may replace the whole policy ("" sends none).
CONTENT_SECURITY_POLICY = env_str(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'",
)

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "gmassist@localhost")
# Where people reach the application: e-mails sent by jobs (no request to ask) link to it.
# by default the address `gmassist serve` listens on (PORT), so that `PORT=8080 make run` links
# to where it runs
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}")

# Long jobs run in a worker process (`gmassist worker`, started by `gmassist serve`) polling the
# jobs table, unless a broker is configured; then Celery workers run them (core.jobs).
# A running job beats every JOB_HEARTBEAT_SECONDS; one that has not beaten for JOB_STALE_SECONDS
# lost its worker and is queued again, or failed after JOB_MAX_TRIES tries.
GMASSIST_JOB_HEARTBEAT_SECONDS = env_int("GMASSIST_JOB_HEARTBEAT_SECONDS", 10)
GMASSIST_JOB_STALE_SECONDS = env_int("GMASSIST_JOB_STALE_SECONDS", 60)
GMASSIST_JOB_MAX_TRIES = env_int("GMASSIST_JOB_MAX_TRIES", 3)
GMASSIST_JOB_POLL_SECONDS = env_int("GMASSIST_JOB_POLL_SECONDS", 1)
# On Celery, a job queued this long that no worker took is sent to the workers again (its
# message may be lost: a broker restarted without its data, or away at submission).
GMASSIST_JOB_RESEND_SECONDS = env_int("GMASSIST_JOB_RESEND_SECONDS", 600)
# The job worker `gmassist serve` starts also queues the recurring jobs when due (no cron); off
# when cron runs `gmassist schedule --run-due` instead.
GMASSIST_RUN_SCHEDULE = env_bool("GMASSIST_RUN_SCHEDULE", True)
# Run a submitted job in the submitting process as soon as its transaction commits (tests, and
# `runserver` without a worker); never in production, where a web worker may be killed mid-job.
GMASSIST_JOBS_EAGER = env_bool("GMASSIST_JOBS_EAGER", False)


def check_job_timing(*, heartbeat: int, stale: int, max_tries: int, poll: int, resend: int) -> None:
    """Refuse job timings that cannot work, naming the variable."""
    if heartbeat < 1:
        raise ImproperlyConfigured("GMASSIST_JOB_HEARTBEAT_SECONDS must be 1 or more")
    if stale < 2 * heartbeat:
        # one late beat (a busy machine) must not make a live job look lost
        raise ImproperlyConfigured(
            "GMASSIST_JOB_STALE_SECONDS must be at least twice GMASSIST_JOB_HEARTBEAT_SECONDS"
        )
    if max_tries < 1:
        raise ImproperlyConfigured("GMASSIST_JOB_MAX_TRIES must be 1 or more")
    if poll < 1:
        raise ImproperlyConfigured("GMASSIST_JOB_POLL_SECONDS must be 1 or more")
    if resend < stale:
        # a job waits up to a stale period for a lost worker's recovery: not a lost message
        raise ImproperlyConfigured(
            "GMASSIST_JOB_RESEND_SECONDS must be at least GMASSIST_JOB_STALE_SECONDS"
        )


check_job_timing(
    heartbeat=GMASSIST_JOB_HEARTBEAT_SECONDS,
    stale=GMASSIST_JOB_STALE_SECONDS,
    max_tries=GMASSIST_JOB_MAX_TRIES,
    poll=GMASSIST_JOB_POLL_SECONDS,
    resend=GMASSIST_JOB_RESEND_SECONDS,
)

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
# A task is acknowledged when it ends, not when it starts, and given back to the broker when the
# process running it dies: a killed worker's job is delivered again (core.tasks).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# the queue the web submits to and the workers read (one broker can serve several deployments)
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # a job's result lives on its Job row, not in a result backend
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_trace_for_refusals": {"()": "gmassist.lib.logs.NoTraceForRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    # a 403 is one line ("Forbidden (Permission denied): /audit/"), not a traceback
    "loggers": {
        "django.request": {"filters": ["no_trace_for_refusals"]},
        # axes says at DEBUG, on every login and token check, which address it looked at: at
        # the time of an anonymous act that would tie the act to an address. Its failures and
        # lockouts (INFO and up) are what an admin needs.
        "axes": {"level": "INFO"},
    },
}
