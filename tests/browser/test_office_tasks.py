"""Delegated tasks through a real browser: the GM delegates a task to an employee of Sales East,
the employee finds it in their inbox, starts it and comments, the GM follows it on the list
with what is late; the task page in English, in Chinese and on a phone. The screenshots for
docs/office/tasks.md go to docs/screenshots/office-tasks*.png."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gmassist.office.tasks import services
from gmassist.office.tasks.models import Task
from tests.browser.conftest import SCREENSHOTS, log_in, visit, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def log_out(page) -> None:
    page.get_by_test_id("account-menu").click()
    page.get_by_test_id("logout").click()
    page.wait_for_load_state()


def _others(cast) -> None:
    """A few tasks around the one the test makes: one late and escalated, one done."""
    today = timezone.localdate()
    late = services.task_create(
        by=cast.gm,
        title="Answer the complaint about delivery delays",
        owner=cast.head,
        priority="urgent",
        due_on=today,
    )
    Task.objects.filter(pk=late.pk).update(
        due_on=today - dt.timedelta(days=5), escalation="gm", escalated_at=timezone.now()
    )
    services.task_create(
        by=cast.gm,
        title="核对大客户的回款计划",
        owner=cast.account_manager,
        priority="high",
        due_on=today + dt.timedelta(days=3),
    )
    done = services.task_create(
        by=cast.assistant,
        title="Book the off-site for the management team",
        owner=cast.hr,
        due_on=today + dt.timedelta(days=1),
    )
    services.task_set_status(task=done, status="done", by=cast.hr)


def test_a_task_delegated_worked_and_followed_up(page, cast):
    _others(cast)
    due = timezone.localdate() + dt.timedelta(days=4)
    log_in(page, "gm", "pass-gm")
    visit(page, "/office/tasks/new/")
    page.get_by_test_id("task-title").fill("Visit Lin Logistics before the renewal")
    page.get_by_test_id("task-owner").select_option(label="Emma Employee · Sales East")
    page.get_by_test_id("task-due").fill(due.isoformat())
    page.get_by_test_id("task-remind").fill((due - dt.timedelta(days=2)).isoformat())
    page.get_by_test_id("task-priority").select_option("high")
    page.get_by_test_id("task-description").fill(
        "They asked for a price review: bring the service numbers of the last twelve months."
    )
    page.screenshot(path=str(SCREENSHOTS / "office-tasks-new.png"), full_page=True)
    page.get_by_test_id("task-submit").click()
    page.wait_for_load_state()
    task = Task.objects.get(title="Visit Lin Logistics before the renewal")
    assert (task.owner, task.due_on, task.priority) == (cast.employee, due, "high")
    assert page.get_by_test_id("task-owner").inner_text().startswith("Emma Employee")
    log_out(page)

    # the employee finds it in the inbox, starts it and says where it stands
    log_in(page, "employee", "pass-employee")
    visit(page, "/inbox/")
    page.get_by_role("link", name="Visit Lin Logistics before the renewal").click()
    page.wait_for_load_state()
    page.get_by_test_id("status-in_progress").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("task-status").inner_text() == "In progress"
    page.get_by_test_id("comment-text").fill("Meeting booked for Thursday with their buyer.")
    page.get_by_test_id("comment-submit").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("history-comment").count() == 1
    log_out(page)

    # the GM follows up: the list shows what is late, the task its history
    log_in(page, "gm", "pass-gm")
    visit(page, "/office/tasks/?whose=delegated")
    assert page.get_by_test_id("task-row").count() == 3
    assert "1 task you delegated is late" in page.get_by_test_id("late-delegated-link").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "office-tasks-list.png"), full_page=True)
    visit(page, f"/office/tasks/{task.pk}/")
    assert [page.get_by_test_id(f"history-{kind}").count() for kind in ("created", "status")] == [
        1,
        1,
    ]
    page.screenshot(path=str(SCREENSHOTS / "office-tasks-detail.png"), full_page=True)

    # in Chinese, then on a phone
    page.click("#language-zh-hans")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_test_id("task-status").inner_text() == "处理中"
    assert page.locator("#history h2").inner_text() == "评论与记录"
    page.screenshot(path=str(SCREENSHOTS / "office-tasks-detail-zh.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    visit(page, "/office/tasks/")
    wait_until(page, "document.documentElement.scrollWidth <= 390", 10_000)
    page.screenshot(path=str(SCREENSHOTS / "office-tasks-list-phone-zh.png"), full_page=True)
    visit(page, f"/office/tasks/{task.pk}/")
    wait_until(page, "document.documentElement.scrollWidth <= 390", 10_000)
    page.screenshot(path=str(SCREENSHOTS / "office-tasks-detail-phone-zh.png"), full_page=True)
