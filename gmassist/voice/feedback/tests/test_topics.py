"""Routing by topic, the triage of unsure topics, topic corrections (kept, audited, learnt by
the company's classifier): the services, the triage page, the item page, the API and the inbox."""

import datetime as dt
import json
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from conftest import assert_problem
from gmassist.core.models import AuditEntry
from gmassist.voice.engine.classifier import CorrectedTopic
from gmassist.voice.feedback import selectors, services
from gmassist.voice.feedback.models import Feedback, TopicCorrection
from gmassist.voice.feedback.tests.conftest import make_feedback

DAY = dt.date(2026, 3, 2)
PAY = ("Overtime pay", "My overtime pay for March is missing from my payslip.")
WORKLOAD = ("Too many weekend shifts", "We work every weekend and the team is exhausted.")
# the shipped classifier is 24% sure of its topic (management): below the triage threshold
UNSURE = ("A question", "Who do I ask about this?")


@pytest.fixture(autouse=True)
def _fixed_day():
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 31, 7), tick=False):
        yield


def submit(cast, text=WORKLOAD, **extra):
    subject, body = text
    fields = {
        "by": cast.employee,
        "kind": "complaint",
        "addressed_to": "department",
        "department": cast.sales_east,
        "subject": subject,
        "body": body,
        "today": DAY,
    }
    fields.update(extra)
    return services.feedback_submit(**fields).feedback


def in_triage(cast, **extra) -> Feedback:
    fields = {
        "department": cast.sales_east,
        "subject": UNSURE[0],
        "body": UNSURE[1],
        "topic": "management",
        "topic_confidence": 0.24,
        "in_triage": True,
    }
    return make_feedback(**{**fields, **extra})


# --- routing and triage ---------------------------------------------------------------------


def test_a_pay_item_to_a_department_is_owned_by_hr_and_seen_by_its_heads(cast):
    item = submit(cast, PAY)
    assert (item.topic, item.owner, item.head_department) == ("pay", cast.hr, cast.sales_east)
    assert (item.in_triage, item.topic_confidence) == (False, 1.0)


def test_a_workload_item_goes_to_the_departments_head(cast):
    item = submit(cast, WORKLOAD)
    assert (item.topic, item.owner, item.head_department) == (
        "workload",
        cast.head,
        cast.sales_east,
    )


def test_an_unsure_topic_goes_to_triage_with_no_owner(cast):
    item = submit(cast, UNSURE)
    assert (item.in_triage, item.owner, item.head_department) == (True, None, cast.sales_east)
    assert item.topic_confidence == 0.236
    assert list(selectors.feedback_triage(user=cast.hr)) == [item]


def test_items_to_the_gm_and_urgent_items_never_wait_in_triage(cast):
    to_gm = submit(cast, UNSURE, addressed_to="gm", department=None)
    urgent = submit(cast, ("Who do I ask?", "My supervisor touched my waist at the party."))
    assert (to_gm.in_triage, to_gm.owner) == (False, cast.gm)
    assert (urgent.in_triage, urgent.owner, urgent.urgent_flags) == (False, cast.hr, ["harassment"])


@override_settings(FEEDBACK_TRIAGE_BELOW_PERCENT=0)
def test_a_threshold_of_0_turns_triage_off(cast):
    assert submit(cast, UNSURE).in_triage is False


@override_settings(FEEDBACK_HR_TOPICS=[])
def test_without_hr_topics_a_pay_item_goes_to_the_head(cast):
    assert submit(cast, PAY).owner == cast.head


# --- setting the topic ------------------------------------------------------------------------


def test_setting_the_topic_from_triage_routes_the_item_and_is_kept_and_audited(cast):
    item = in_triage(cast)
    services.feedback_set_topic(feedback=item, topic="pay", by=cast.hr, today=DAY)
    item.refresh_from_db()
    assert (item.topic, item.in_triage, item.topic_confidence) == ("pay", False, None)
    assert (item.owner, item.head_department) == (cast.hr, cast.sales_east)
    correction = TopicCorrection.objects.get()
    assert (correction.feedback, correction.old_topic, correction.new_topic) == (
        item,
        "management",
        "pay",
    )
    assert (correction.corrected_by, correction.corrected_on) == (cast.hr, DAY)
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_repr) == (
        cast.hr,
        "update",
        f"feedback {item.short_id}",
    )
    assert entry.changes == {"topic": ["management", "pay"], "owner": [None, "Harriet Ross"]}


def test_confirming_the_guessed_topic_from_triage_routes_it_to_the_head(cast):
    item = in_triage(cast)
    services.feedback_set_topic(feedback=item, topic="management", by=cast.gm)
    item.refresh_from_db()
    assert (item.topic, item.in_triage, item.owner) == ("management", False, cast.head)


def test_correcting_an_open_item_routes_it_by_its_new_topic(cast):
    item = submit(cast, WORKLOAD)
    services.feedback_set_topic(feedback=item, topic="career", by=cast.assistant)
    item.refresh_from_db()
    assert (item.topic, item.owner) == ("career", cast.hr)
    assert AuditEntry.objects.get().changes == {
        "topic": ["workload", "career"],
        "owner": ["Hank Head", "Harriet Ross"],
    }


def test_correcting_a_closed_or_urgent_item_keeps_its_owner(cast):
    closed = make_feedback(department=cast.sales, owner=cast.head, status="closed", topic="other")
    urgent = make_feedback(
        department=cast.sales, head_department=None, owner=cast.hr, flag_safety=True
    )
    services.feedback_set_topic(feedback=closed, topic="pay", by=cast.hr)
    services.feedback_set_topic(feedback=urgent, topic="facilities", by=cast.hr)
    closed.refresh_from_db()
    urgent.refresh_from_db()
    assert (closed.topic, closed.owner) == ("pay", cast.head)
    assert (urgent.topic, urgent.owner, urgent.head_department) == ("facilities", cast.hr, None)
    assert [e.changes for e in AuditEntry.objects.order_by("id")] == [
        {"topic": ["other", "pay"]},
        {"topic": ["other", "facilities"]},
    ]


@pytest.mark.parametrize("role", ["head", "employee", "outsider", "account_manager"])
def test_only_hr_and_the_gms_office_set_topics_and_a_refusal_changes_nothing(cast, role):
    item = in_triage(cast)
    with pytest.raises(PermissionDenied):
        services.feedback_set_topic(feedback=item, topic="pay", by=getattr(cast, role))
    item.refresh_from_db()
    assert (item.topic, item.in_triage, item.owner) == ("management", True, None)
    assert TopicCorrection.objects.count() == 0 and AuditEntry.objects.count() == 0


def test_nobody_sets_the_topic_of_their_own_named_item(cast):
    item = in_triage(cast, author=cast.hr)
    assert not services.may_set_topic(user=cast.hr, feedback=item)
    with pytest.raises(PermissionDenied):
        services.feedback_set_topic(feedback=item, topic="pay", by=cast.hr)
    assert services.may_set_topic(user=cast.gm, feedback=item)


@pytest.mark.parametrize("topic", ["salary", ""])
def test_an_unknown_topic_is_refused_and_changes_nothing(cast, topic):
    item = in_triage(cast)
    with pytest.raises(ValidationError) as error:
        services.feedback_set_topic(feedback=item, topic=topic, by=cast.hr)
    assert list(error.value.message_dict) == ["topic"]
    item.refresh_from_db()
    assert (item.topic, item.in_triage) == ("management", True)
    assert TopicCorrection.objects.count() == 0


def test_a_correction_to_the_topic_an_item_already_has_is_refused(cast):
    item = submit(cast, WORKLOAD)
    with pytest.raises(ValidationError, match="already has this topic"):
        services.feedback_set_topic(feedback=item, topic="workload", by=cast.hr)
    assert TopicCorrection.objects.count() == 0


# --- what the classifier learns -------------------------------------------------------------


def test_the_classifier_learns_each_items_latest_topic_and_nothing_about_its_sender(cast):
    anonymous = in_triage(cast, is_anonymous=True, reply_code_digest="a" * 64)
    named = make_feedback(department=cast.sales, subject="Canteen", body="It closes at 1.")
    services.feedback_set_topic(feedback=anonymous, topic="pay", by=cast.hr)
    services.feedback_set_topic(feedback=named, topic="facilities", by=cast.hr)
    services.feedback_set_topic(feedback=anonymous, topic="career", by=cast.gm)
    assert selectors.topic_corrections_learnt() == [
        CorrectedTopic(text="Canteen\nIt closes at 1.", topic="facilities"),
        CorrectedTopic(text="A question\nWho do I ask about this?", topic="career"),
    ]
    assert selectors.topic_corrections_count() == 2
    assert selectors.topic_corrections_version() == (3, TopicCorrection.objects.last().pk)


@pytest.fixture
def trainings(monkeypatch, tmp_path):
    """The company's classifier trained on the tiny set (fast), counting its trainings."""
    from gmassist.voice.tests.test_classifier import TINY

    calls = []
    real = services.FeedbackClassifier

    def counted(examples, corrections=()):
        calls.append(len(corrections))
        return real(examples, corrections)

    monkeypatch.setattr(services, "FeedbackClassifier", counted)
    monkeypatch.setattr(services, "_COMPANY_CLASSIFIER", {})
    return lambda: services.company_classifier(TINY), calls


def test_the_company_classifier_is_trained_again_only_when_the_corrections_change(cast, trainings):
    classifier, calls = trainings
    first = classifier()
    assert classifier() is first and calls == [0]
    item = make_feedback(department=cast.sales, subject="Shuttle", body="It never comes on time.")
    assert first.classify("Shuttle\nIt never comes on time.").topic != "management"
    services.feedback_set_topic(feedback=item, topic="management", by=cast.hr)
    second = classifier()
    assert second is not first and calls == [0, 1]
    assert second.classify("Shuttle\nIt never comes on time.").topic == "management"
    assert classifier() is second and calls == [0, 1]


def test_a_correction_made_by_another_process_is_seen_through_the_database(cast, trainings):
    classifier, calls = trainings
    classifier()
    item = make_feedback(department=cast.sales)
    # another web process wrote it: nothing in this process was told
    TopicCorrection.objects.create(
        feedback=item, old_topic="other", new_topic="pay", corrected_by=cast.hr, corrected_on=DAY
    )
    classifier()
    item.delete()  # the correction goes with its item: the model forgets it too
    classifier()
    assert calls == [0, 1, 0]


def test_threads_of_a_process_share_one_training(cast, trainings):
    classifier, calls = trainings
    results = []
    threads = [threading.Thread(target=lambda: results.append(classifier())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [0] and len({id(r) for r in results}) == 1


# --- the triage page --------------------------------------------------------------------------


def test_the_triage_page_lists_the_items_oldest_first_with_the_guess(client, cast):
    later = in_triage(cast, subject="Later", submitted_on=dt.date(2026, 3, 1))
    earlier = in_triage(cast, subject="Earlier", submitted_on=dt.date(2026, 2, 20))
    make_feedback(department=cast.sales, subject="Routed", owner=cast.head)
    client.force_login(cast.hr)
    page = client.get("/voice/feedback/triage/")
    assert page.status_code == 200
    assert [row["item"] for row in page.context["rows"]] == [earlier, later]
    text = page.content.decode()
    assert "2 items await a topic, the oldest first." in text
    assert "The classifier's guess: Management, 24% sure" in text
    assert "The classifier has learnt from 0 topic corrections." in text
    assert "to HR for Pay and Career" in text


def test_setting_a_topic_on_the_triage_page_routes_it_and_comes_back(client, cast):
    item = in_triage(cast)
    client.force_login(cast.hr)
    response = client.post(
        f"/voice/feedback/{item.pk}/topic/", {"topic": "pay", "return_to": "triage"}
    )
    assert response.status_code == 302 and response["Location"] == "/voice/feedback/triage/"
    item.refresh_from_db()
    assert (item.topic, item.owner, item.in_triage) == ("pay", cast.hr, False)
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "The topic is set to Pay; owner: Harriet Ross." in text
    assert "No feedback awaits a topic." in text
    assert "The classifier has learnt from 1 topic correction." in text


def test_a_bad_topic_on_the_triage_page_is_a_422_that_says_why_and_changes_nothing(client, cast):
    item = in_triage(cast)
    client.force_login(cast.hr)
    response = client.post(
        f"/voice/feedback/{item.pk}/topic/", {"topic": "salary", "return_to": "triage"}
    )
    assert response.status_code == 422
    assert response.context["rows"][0]["errors"] == [
        "Select a valid choice. salary is not one of the available choices."
    ]
    item.refresh_from_db()
    assert (item.topic, item.in_triage) == ("management", True)
    assert TopicCorrection.objects.count() == 0


def test_the_triage_page_and_the_topic_need_a_login(client, cast):
    item = in_triage(cast)
    for response in (
        client.get("/voice/feedback/triage/"),
        client.post(f"/voice/feedback/{item.pk}/topic/", {"topic": "pay"}),
    ):
        assert response.status_code == 302 and "/login" in response["Location"]
    item.refresh_from_db()
    assert item.in_triage and TopicCorrection.objects.count() == 0


@pytest.mark.parametrize(("role", "status"), [("head", 403), ("employee", 404), ("outsider", 404)])
def test_others_may_not_triage_and_nothing_changes(client, cast, role, status):
    item = in_triage(cast)
    client.force_login(getattr(cast, role))
    assert client.get("/voice/feedback/triage/").status_code == 403
    response = client.post(f"/voice/feedback/{item.pk}/topic/", {"topic": "pay"})
    assert response.status_code == status
    item.refresh_from_db()
    assert (item.topic, item.in_triage, item.owner) == ("management", True, None)
    assert TopicCorrection.objects.count() == 0


def test_the_triage_page_is_in_chinese(client, cast):
    in_triage(cast)
    cast.hr.language = "zh-hans"
    cast.hr.save()
    client.force_login(cast.hr)
    text = client.get("/voice/feedback/triage/").content.decode()
    assert "反馈分拣" in text
    assert "1 条反馈等待设定话题，最早的在前。" in text
    assert "分类器的猜测：管理，把握 24%" in text
    assert "设定话题" in text


# --- the item page and the queue --------------------------------------------------------------


def test_the_item_page_lets_hr_correct_the_topic(client, cast):
    item = submit(cast, WORKLOAD)
    client.force_login(cast.hr)
    page = client.get(f"/voice/feedback/{item.pk}/")
    assert page.context["may_set_topic"] and page.context["confidence_percent"] == 100
    assert b"Correct the topic" in page.content
    response = client.post(f"/voice/feedback/{item.pk}/topic/", {"topic": "pay"})
    assert response.status_code == 302 and response["Location"] == f"/voice/feedback/{item.pk}/"
    item.refresh_from_db()
    assert (item.topic, item.owner) == ("pay", cast.hr)
    again = client.post(f"/voice/feedback/{item.pk}/topic/", {"topic": "pay"})
    assert again.status_code == 422
    assert again.context["topic_form"].errors == {"topic": ["The feedback already has this topic."]}
    assert TopicCorrection.objects.count() == 1


def test_the_head_sees_no_topic_form_on_the_item_page(client, cast):
    item = submit(cast, WORKLOAD)
    client.force_login(cast.head)
    page = client.get(f"/voice/feedback/{item.pk}/")
    assert page.context["may_set_topic"] is False
    assert b"Correct the topic" not in page.content and b"sure)" not in page.content


def test_the_queue_says_what_waits_in_triage_and_what_the_classifier_learnt(client, cast):
    in_triage(cast)
    client.force_login(cast.hr)
    text = client.get("/voice/feedback/").content.decode()
    assert "1 item awaits its topic in triage." in text
    assert "The classifier has learnt from 0 topic corrections." in text
    assert 'data-testid="feedback-in-triage"' in text
    client.force_login(cast.head)
    text = client.get("/voice/feedback/").content.decode()
    assert "awaits its topic" not in text and "has learnt" not in text


def test_the_queue_filters_the_items_in_triage(client, cast):
    in_triage(cast)
    make_feedback(department=cast.sales, subject="Routed", owner=cast.head)
    client.force_login(cast.gm)
    page = client.get("/voice/feedback/?triage=on")
    assert [row.subject for row in page.context["page_obj"]] == ["A question"]


def test_the_inbox_shows_hr_the_items_to_triage(client, cast):
    in_triage(cast)
    client.force_login(cast.hr)
    page = client.get("/inbox/")
    sections = {s.key: s for s in page.context["sections"]}
    assert [i.title for i in sections["voice.triage"].items] == ["A question"]
    assert sections["voice.triage"].action_count == 1
    client.force_login(cast.head)
    sections = {s.key: s for s in client.get("/inbox/").context["sections"]}
    assert "voice.triage" not in sections or sections["voice.triage"].action_count == 0


# --- the API ----------------------------------------------------------------------------------


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_the_api_lists_the_items_in_triage_and_sets_a_topic(client, cast):
    item = in_triage(cast)
    make_feedback(department=cast.sales, subject="Routed", owner=cast.head)
    client.force_login(cast.hr)
    body = client.get("/api/voice/feedback?triage=true").json()
    assert [(i["subject"], i["in_triage"], i["topic_confidence"]) for i in body["items"]] == [
        ("A question", True, 0.24)
    ]
    response = post(client, f"/api/voice/feedback/{item.pk}/topic", {"topic": "career"})
    assert response.status_code == 200
    assert (response.json()["topic"], response.json()["in_triage"]) == ("career", False)
    assert response.json()["owner"] == {"id": cast.hr.pk, "name": "Harriet Ross"}
    assert client.get("/api/voice/feedback?triage=true").json()["count"] == 0


def test_the_api_topic_needs_a_login_the_right_role_and_a_known_topic(client, cast):
    item = in_triage(cast)
    path = f"/api/voice/feedback/{item.pk}/topic"
    assert_problem(post(client, path, {"topic": "pay"}), 401)
    client.force_login(cast.head)
    assert_problem(post(client, path, {"topic": "pay"}), 403)
    client.force_login(cast.outsider)
    assert_problem(post(client, path, {"topic": "pay"}), 404)
    client.force_login(cast.hr)
    body = assert_problem(post(client, path, {"topic": "salary"}), 422)
    assert [e["field"] for e in body["errors"]] == ["topic"]
    item.refresh_from_db()
    assert (item.topic, item.in_triage) == ("management", True)
    assert TopicCorrection.objects.count() == 0


def test_the_triage_page_makes_as_many_queries_for_five_items_as_for_one(client, cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.hr)
    in_triage(cast)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/voice/feedback/triage/").status_code == 200
    for n in range(4):
        in_triage(cast, subject=f"More {n}")
    with CaptureQueriesContext(connection) as five:
        assert len(client.get("/voice/feedback/triage/").context["rows"]) == 5
    # the session and its user, the page's count and rows, the corrections learnt
    assert len(one) == len(five) == 5
