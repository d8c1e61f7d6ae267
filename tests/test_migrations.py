"""The models and the committed migrations agree, and every migration can be reversed."""

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:
        pytest.fail(f"makemigrations --check found changes:\n{out.getvalue()} ({exc})")


@pytest.mark.django_db(transaction=True)
def test_migrations_reverse_to_zero_and_back():
    call_command("migrate", "org", "zero", verbosity=0)
    call_command("migrate", "core", "zero", verbosity=0)
    call_command("migrate", verbosity=0)
