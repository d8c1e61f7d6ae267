"""Settings from the environment: typed helpers fail loudly; production settings pass --deploy."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from gmassist.lib.env import database_from_url, env_bool, env_int, env_list, env_str


def test_env_bool_understands_the_usual_spellings(monkeypatch):
    for raw, expected in [("1", True), ("yes", True), ("On", True), ("0", False), ("no", False)]:
        monkeypatch.setenv("FLAG", raw)
        assert env_bool("FLAG") is expected


def test_env_bool_rejects_anything_else_naming_the_variable(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG='maybe' is not a boolean"):
        env_bool("FLAG")


def test_env_int_rejects_a_non_number(monkeypatch):
    monkeypatch.setenv("PORT", "eighty")
    with pytest.raises(ImproperlyConfigured, match="PORT='eighty' is not an integer"):
        env_int("PORT", 8000)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example.com, b.example.com,")
    assert env_list("HOSTS", []) == ["a.example.com", "b.example.com"]


def test_a_secret_is_read_from_its_file(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("SECRET_KEY_FILE", str(secret))
    assert env_str("SECRET_KEY") == "s3cret"


def test_a_missing_secret_file_fails_loudly(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY_FILE"):
        env_str("SECRET_KEY")


def test_database_urls_for_postgres_and_sqlite():
    pg = database_from_url("postgres://gm:p%40ss@db.local:5433/gmassist?sslmode=require")
    assert (pg["ENGINE"], pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "django.db.backends.postgresql",
        "gmassist",
        "gm",
        "p@ss",
        "db.local",
        "5433",
    )
    assert pg["OPTIONS"] == {"sslmode": "require"}
    assert database_from_url("sqlite:////srv/gm.sqlite3")["NAME"] == "/srv/gm.sqlite3"
    assert database_from_url("sqlite:///var/gm.sqlite3")["NAME"] == "var/gm.sqlite3"


def test_an_unknown_database_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured, match="'mysql' is not supported"):
        database_from_url("mysql://root@localhost/gm")


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {
        **os.environ,
        "SECRET_KEY": "x" * 20 + "-production-key-with-enough-entropy-1234567890",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "gm.example.com",
        "SECURE_COOKIES": "1",
        "SECURE_SSL_REDIRECT": "1",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
        "SECURE_HSTS_PRELOAD": "1",
        "BEHIND_PROXY": "1",
        "GMASSIST_DATA_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-m", "gmassist.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _settings_import(tmp_path, **variables) -> subprocess.CompletedProcess:
    env = {**os.environ, "GMASSIST_DATA_DIR": str(tmp_path), **variables}
    return subprocess.run(
        [sys.executable, "-c", "import gmassist.settings"], env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"GMASSIST_FEEDBACK_HR_TOPICS": "pay,salary"},
            "GMASSIST_FEEDBACK_HR_TOPICS: salary is not a topic",
        ),
        (
            {"GMASSIST_FEEDBACK_TRIAGE_BELOW_PERCENT": "101"},
            "GMASSIST_FEEDBACK_TRIAGE_BELOW_PERCENT=101 must be at most 100",
        ),
        (
            {"GMASSIST_FEEDBACK_TRIAGE_BELOW_PERCENT": "-1"},
            "GMASSIST_FEEDBACK_TRIAGE_BELOW_PERCENT='-1' must be at least 0",
        ),
    ],
)
def test_bad_feedback_routing_settings_stop_the_start_naming_the_variable(
    tmp_path, variables, message
):
    result = _settings_import(tmp_path, **variables)
    assert result.returncode != 0
    assert message in result.stderr


def test_the_settings_know_the_feedback_topics():
    from django.conf import settings

    from gmassist.voice.feedback.choices import Topic

    assert list(settings.FEEDBACK_TOPIC_NAMES) == Topic.values
    assert (settings.FEEDBACK_HR_TOPICS, settings.FEEDBACK_TRIAGE_BELOW_PERCENT) == (
        ["pay", "career"],
        50,
    )
