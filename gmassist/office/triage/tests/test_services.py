"""The triage's writes: intake with its proposal, the GM's decision, corrections learnt, the
rules, feedback to the GM coming in, and the acceptance rate."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gmassist.core.models import AuditEntry
from gmassist.office.tasks.models import Task
from gmassist.office.triage import selectors, services
from gmassist.office.triage.choices import MatterStatus
from gmassist.office.triage.models import Matter, TriageDecision, TriageRule
from gmassist.office.triage.tests.conftest import NOW, decide, make_matter


def test_a_request_typed_in_gets_the_classifiers_proposal_with_its_reasons(cast):
    matter = services.matter_submit(
        by=cast.assistant,
        title="记者来电",
        text="记者打电话询问产品召回的情况，想要采访。",
    )
    assert (matter.proposed_route, matter.proposed_category) == ("gm", "image")
    assert matter.language == "zh"
    assert matter.source == "request" and matter.submitted_by == cast.assistant
    assert matter.received_at == NOW
    assert matter.reasons[0]["kind"] == "classifier"
    assert matter.reasons[0]["category"] == "image"
    assert matter.status == MatterStatus.WAITING
    assert AuditEntry.objects.filter(target_type="office.matter").count() == 1


def test_a_detail_about_a_department_is_proposed_to_its_head(cast):
    matter = make_matter(department=cast.sales_east)
    assert (matter.proposed_route, matter.proposed_category) == ("delegate", "detail")
    assert matter.proposed_owner == cast.head  # the nearest head above Sales East
    assert matter.reasons[-1] == {"kind": "owner_head", "department": "Sales East"}


def test_a_rule_decides_and_names_its_owner(cast):
    services.rule_save(
        by=cast.gm,
        phrases_en="printer, copier",
        phrases_zh="打印机",
        category="detail",
        route="delegate",
        owner=cast.assistant,
    )
    matter = make_matter(department=cast.sales)
    assert matter.proposed_owner == cast.assistant
    assert matter.confidence == 1.0
    assert matter.reasons == [
        {"kind": "rule", "rule": matter.proposed_by_rule_id, "phrase": "printer",
         "category": "detail"},
        {"kind": "owner_rule"},
    ]  # fmt: skip


def test_only_the_gms_office_types_matters_in_and_nothing_is_written_otherwise(cast):
    for user in (cast.hr, cast.head, cast.employee):
        with pytest.raises(PermissionDenied):
            services.matter_submit(by=user, title="Something")
    assert Matter.objects.count() == 0


def test_a_matter_needs_a_title_and_a_record_comes_in_once(cast):
    with pytest.raises(ValidationError) as error:
        services.matter_submit(by=cast.assistant, title="  ", source="gossip")
    assert set(error.value.message_dict) == {"title", "source"}
    make_matter(source="document", source_ref="office.document:4")
    with pytest.raises(ValidationError) as error:
        make_matter(source="document", source_ref="office.document:4")
    assert error.value.message_dict == {"source_ref": ["This record is already in the triage."]}
    assert Matter.objects.count() == 1


def test_confirming_the_proposal_counts_as_accepted_and_keeps_the_decision(cast):
    matter = make_matter(department=cast.sales)
    matter = decide(matter, cast.gm, "delegate", owner=cast.head)
    assert (matter.status, matter.route, matter.category) == ("decided", "delegate", "detail")
    assert (matter.owner, matter.accepted, matter.decided_by) == (cast.head, True, cast.gm)
    assert matter.decided_at == NOW
    decision = TriageDecision.objects.get()
    assert (decision.route, decision.accepted, decision.owner) == ("delegate", True, cast.head)
    # the matter became its owner's task
    task = Task.objects.get()
    assert matter.task_ref == f"office.task:{task.pk}"
    assert (task.owner, task.delegated_by, task.about) == (
        cast.head,
        cast.gm,
        f"office.matter:{matter.pk}",
    )


def test_changing_the_route_takes_the_likeliest_category_of_the_new_route(cast):
    matter = make_matter(title="A colleague keeps asking about my salary and my marriage.")
    assert matter.proposed_route == "not_company"
    matter = decide(matter, cast.gm, "gm")
    assert matter.accepted is False
    expected = max(("overall", "image", "interests"), key=lambda c: matter.probabilities[c])
    assert matter.category == expected


def test_delegating_to_another_owner_than_proposed_is_a_change(cast):
    matter = make_matter(department=cast.sales)
    matter = decide(matter, cast.gm, "delegate", owner=cast.hr)
    assert (matter.owner, matter.accepted) == (cast.hr, False)


def test_only_the_gm_decides_and_nothing_changes_otherwise(cast):
    matter = make_matter()
    for user in (cast.assistant, cast.hr, cast.head, cast.employee):
        with pytest.raises(PermissionDenied):
            decide(matter, user, "gm")
    matter.refresh_from_db()
    assert matter.status == "waiting" and TriageDecision.objects.count() == 0


@pytest.mark.parametrize(
    ("route", "owner", "field"),
    [("delegate", None, "owner"), ("elsewhere", None, "route"), ("delegate", "gm", "owner")],
)
def test_a_bad_decision_is_refused_with_its_field(cast, route, owner, field):
    matter = make_matter()
    with pytest.raises(ValidationError) as error:
        decide(matter, cast.gm, route, owner=getattr(cast, owner) if owner else None)
    assert list(error.value.message_dict) == [field]
    assert TriageDecision.objects.count() == 0


def test_a_decision_can_be_changed_and_the_history_keeps_both(cast):
    matter = make_matter(department=cast.sales)
    decide(matter, cast.gm, "delegate", owner=cast.head)
    matter = decide(matter, cast.gm, "not_company", note="Private, not ours")
    history = list(selectors.matter_decisions(user=cast.gm, matter=matter))
    assert [(d.route, d.accepted) for d in history] == [("delegate", True), ("not_company", False)]
    assert (matter.route, matter.accepted, matter.note) == (
        "not_company",
        False,
        "Private, not ours",
    )
    with pytest.raises(ValidationError):
        decide(matter, cast.gm, "not_company", category=matter.category)


def test_a_correction_changes_the_next_proposal(cast):
    text = "The union asks for a meeting about the canteen prices."
    first = make_matter(title="Union letter", text=text)
    assert (first.proposed_route, first.proposed_category) == ("delegate", "detail")
    decide(first, cast.gm, "gm", category="image")
    second = make_matter(title="Union letter", text=text + " Again.")
    assert (second.proposed_route, second.proposed_category) == ("gm", "image")


def test_nobody_decides_a_matter_that_is_their_own_feedback(cast):
    from gmassist.voice.feedback.services import feedback_submit

    sent = feedback_submit(
        by=cast.gm, kind="suggestion", addressed_to="gm", subject="Canteen", body="More fruit.",
        today=dt.date(2026, 3, 1),
    )  # fmt: skip
    services.matters_from_feedback(today=dt.date(2026, 3, 2))
    matter = Matter.objects.get(source_ref=f"voice.feedback:{sent.feedback.pk}")
    with pytest.raises(PermissionDenied):
        decide(matter, cast.gm, "not_company")


def test_feedback_to_the_gm_comes_in_after_its_day_dated_to_the_day(cast):
    from gmassist.voice.feedback.services import feedback_submit

    anonymous = feedback_submit(
        by=cast.employee, kind="complaint", addressed_to="gm", subject="Press",
        body="A journalist asked me about the layoffs.", anonymous=True,
        today=dt.date(2026, 3, 1),
    ).feedback  # fmt: skip
    today_item = feedback_submit(
        by=cast.employee, kind="complaint", addressed_to="gm", subject="Later",
        body="Sent today.", today=dt.date(2026, 3, 2),
    ).feedback  # fmt: skip
    feedback_submit(
        by=cast.employee, kind="complaint", addressed_to="department", subject="Not to the GM",
        body="To the department.", department=cast.sales_east, today=dt.date(2026, 3, 1),
    )  # fmt: skip
    assert services.matters_from_feedback(today=dt.date(2026, 3, 2)) == 1
    matter = Matter.objects.get()
    assert matter.source_ref == f"voice.feedback:{anonymous.pk}"
    assert (matter.source, matter.title, matter.submitted_by) == ("feedback", "Press", None)
    assert matter.received_at.time() == dt.time(0) and matter.received_at.date() == dt.date(
        2026, 3, 1
    )
    assert services.matters_from_feedback(today=dt.date(2026, 3, 2)) == 0  # safe to run twice
    assert services.matters_from_feedback(today=dt.date(2026, 3, 3)) == 1
    assert Matter.objects.filter(source_ref=f"voice.feedback:{today_item.pk}").exists()


def test_a_rule_needs_a_phrase_and_a_delegate_rule_an_owner(cast):
    with pytest.raises(ValidationError) as error:
        services.rule_save(
            by=cast.gm, phrases_en=" , ", phrases_zh="", category="detail", route="delegate"
        )
    assert error.value.message_dict == {
        "phrases_en": ["Give at least one phrase, in English or in Chinese."],
        "owner": ["A rule that delegates needs its owner."],
    }
    assert TriageRule.objects.count() == 0


def test_only_the_gm_edits_rules(cast):
    for user in (cast.assistant, cast.hr, cast.employee):
        with pytest.raises(PermissionDenied):
            services.rule_save(
                by=user, phrases_en="press", phrases_zh="", category="image", route="gm"
            )
    assert TriageRule.objects.count() == 0


def test_a_new_rule_proposes_again_for_the_waiting_matters(cast):
    waiting = make_matter(title="A journalist called", text="She asks about the new plant.")
    decided = make_matter(title="A journalist wrote", text="About the plant.")
    decide(decided, cast.gm, "not_company")
    rule = services.rule_save(
        by=cast.gm, phrases_en="journalist", phrases_zh="记者", category="image", route="gm"
    )
    waiting.refresh_from_db()
    assert (waiting.proposed_by_rule_id, waiting.proposed_route) == (rule.pk, "gm")
    decided.refresh_from_db()
    assert decided.proposed_by_rule_id is None


def test_rules_keep_their_order_and_move(cast):
    first = services.rule_save(
        by=cast.gm, phrases_en="press", phrases_zh="", category="image", route="gm"
    )
    second = services.rule_save(
        by=cast.gm, phrases_en="", phrases_zh="发票", category="detail", route="delegate",
        owner=cast.assistant,
    )  # fmt: skip
    assert [r.pk for r in selectors.rules_visible(user=cast.gm)] == [first.pk, second.pk]
    services.rule_move(rule=second, by=cast.gm, up=True)
    assert [r.pk for r in selectors.rules_visible(user=cast.gm)] == [second.pk, first.pk]
    with pytest.raises(ValidationError):
        services.rule_move(rule=second, by=cast.gm, up=True)
    services.rule_delete(rule=first, by=cast.gm)
    assert list(TriageRule.objects.values_list("pk", flat=True)) == [second.pk]


def test_the_acceptance_rate_is_exact_on_a_small_history(cast):
    import time_machine

    # five matters: three accepted (one in February), two changed
    with time_machine.travel(dt.datetime(2026, 2, 20, 9, tzinfo=dt.UTC), tick=False):
        old = make_matter(department=cast.sales)
        decide(old, cast.gm, "delegate", owner=cast.head)  # accepted, detail, February
    details = [make_matter(department=cast.sales) for _ in range(2)]
    decide(details[0], cast.gm, "delegate", owner=cast.head)  # accepted
    decide(details[1], cast.gm, "gm", category="overall")  # changed
    privacy = make_matter(title="A colleague keeps asking about my salary and my marriage.")
    decide(privacy, cast.gm, "not_company", category="privacy")  # accepted
    image = make_matter(title="记者来电", text="记者打电话询问产品召回的情况，想要采访。")
    decide(image, cast.gm, "delegate", owner=cast.head)  # changed
    make_matter()  # waiting: not counted
    report = selectors.acceptance_report(user=cast.gm)
    assert (report["decided"], report["accepted"], report["corrected"]) == (5, 3, 2)
    assert report["rate"] == 0.6
    assert report["by_category"] == [
        {"category": "image", "decided": 1, "accepted": 0, "rate": 0.0},
        {"category": "privacy", "decided": 1, "accepted": 1, "rate": 1.0},
        {"category": "detail", "decided": 3, "accepted": 2, "rate": 2 / 3},
    ]
    assert report["by_month"] == [
        {"month": "2026-02", "decided": 1, "accepted": 1, "rate": 1.0},
        {"month": "2026-03", "decided": 4, "accepted": 2, "rate": 0.5},
    ]
    assert report["by_proposer"] == [
        {"proposer": "classifier", "decided": 5, "accepted": 3, "rate": 0.6}
    ]


def test_the_report_is_empty_for_those_outside_the_gms_office(cast):
    decide(make_matter(), cast.gm, "gm")
    assert selectors.acceptance_report(user=cast.hr)["decided"] == 0
    assert selectors.acceptance_report(user=cast.assistant)["decided"] == 1


def test_the_nightly_intake_job_brings_feedback_to_the_gm(cast):
    from gmassist.core.schedule import recurring_jobs
    from gmassist.office.triage.jobs import triage_intake
    from gmassist.voice.feedback.services import feedback_submit

    feedback_submit(
        by=cast.employee, kind="complaint", addressed_to="gm", subject="Press",
        body="A journalist called me.", today=dt.date(2026, 3, 1),
    )  # fmt: skip

    class Progress:
        def progress(self, percent, message):
            pass

    assert triage_intake(Progress(), today="2026-03-02") == {"matters": 1}
    assert "office.triage_intake" in {job.kind for job in recurring_jobs()}


def test_a_detail_about_the_gms_own_department_is_proposed_to_nobody_in_particular(cast):
    cast.hq.head = cast.gm.employee
    cast.hq.save()
    matter = make_matter(department=cast.rnd)  # R&D has no head; above it, the GM heads HQ
    assert (matter.proposed_route, matter.proposed_owner) == ("delegate", None)
    assert cast.gm not in selectors.delegate_choices()
