"""Demo extensions: other apps add their part of the demo company in the writer's transaction."""

from __future__ import annotations

import datetime as dt

import pytest

from gmassist.core.models import Job
from gmassist.org.demo import extensions
from gmassist.org.demo.company import DEMO_USERNAMES
from gmassist.org.demo.extensions import DemoContext, demo_extension, demo_extensions
from gmassist.org.demo.generator import generate
from gmassist.org.demo.writer import demo_company_write
from gmassist.org.models import Employee

pytestmark = pytest.mark.django_db(transaction=False)

AS_OF = dt.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def only_these_extensions(monkeypatch):
    """Run the writer with only the extensions a test registers (not the installed apps')."""
    monkeypatch.setattr(extensions, "_EXTENSIONS", {})


def test_extensions_write_in_order_after_the_organisation_and_report_their_counts(
    only_these_extensions,
):
    calls: list[tuple] = []

    @demo_extension("second", order=20, delete=lambda: calls.append(("delete", "second")))
    def write_second(ctx: DemoContext) -> dict[str, int]:
        calls.append(("write", "second"))
        return {"second_rows": 2}

    @demo_extension("first", order=10, delete=lambda: calls.append(("delete", "first")))
    def write_first(ctx: DemoContext) -> dict[str, int]:
        calls.append(("write", "first", Employee.objects.count(), sorted(ctx.users)))
        return {"first_rows": 1}

    company = generate(seed=1, tier="S", as_of=AS_OF)
    counts = demo_company_write(company=company)

    assert [extension.name for extension in demo_extensions()] == ["first", "second"]
    assert calls == [
        ("delete", "second"),
        ("delete", "first"),
        ("write", "first", 706, sorted(DEMO_USERNAMES)),
        ("write", "second"),
    ]
    assert (counts["first_rows"], counts["second_rows"]) == (1, 2)


def test_the_context_maps_generated_people_to_their_rows(only_these_extensions):
    seen: dict[str, object] = {}

    @demo_extension("probe", order=10, delete=lambda: None)
    def write_probe(ctx: DemoContext) -> dict[str, int]:
        first = Employee.objects.get(pk=int(ctx.employee_pk[0]))
        seen["employee_no"] = first.employee_no
        seen["as_of"] = ctx.as_of
        seen["same_rng"] = ctx.rng(7).integers(1000) == ctx.rng(7).integers(1000)
        return {}

    company = generate(seed=1, tier="S", as_of=AS_OF)
    demo_company_write(company=company)

    assert seen == {
        "employee_no": str(company.people["employee_no"][0]),
        "as_of": AS_OF,
        "same_rng": True,
    }


def test_a_failing_extension_leaves_nothing_written(only_these_extensions):
    @demo_extension("broken", order=10, delete=lambda: None)
    def write_broken(ctx: DemoContext) -> dict[str, int]:
        raise RuntimeError("the extension failed")

    company = generate(seed=1, tier="S", as_of=AS_OF)
    with pytest.raises(RuntimeError, match="the extension failed"):
        demo_company_write(company=company)

    assert (Employee.objects.count(), Job.objects.count()) == (0, 0)


def test_only_the_named_extensions_write_but_every_one_deletes_its_old_rows(
    only_these_extensions,
):
    calls: list[tuple[str, str]] = []
    for name, order in (("first", 10), ("second", 20)):
        demo_extension(name, order=order, delete=lambda n=name: calls.append(("delete", n)))(
            lambda ctx, n=name: calls.append(("write", n)) or {}
        )

    demo_company_write(company=generate(seed=1, tier="S", as_of=AS_OF), only=("second",))

    assert calls == [("delete", "second"), ("delete", "first"), ("write", "second")]
