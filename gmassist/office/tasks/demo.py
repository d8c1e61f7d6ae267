"""The delegated tasks' part of the demo company (order 40): a realistic week of the GM's office.

The GM and the assistant hand 25 tasks to the heads and staff who have demo logins, made from
feedback items, decisions' objections and customers or on their own, in English and Chinese;
during the week owners start, finish and comment on them, and the daily follow-up runs each
morning, so the reminders, due-date notices and escalations in the tasks' histories happened
on their days: some tasks are done, some late and escalated to the owner's head, one still
open three days after that and so at the GM's desk.

Everything is written through the services (with e-mail off: this is history, not news), day
by day; then the times of each day's rows are set to that day. Deterministic from the demo seed
(which records are picked); about 25 tasks at every tier, so fast at tier L too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from gmassist.org.demo.extensions import DemoContext, demo_extension

# the demo's week: day 0 is the demo's "today", -7 a week before
FIRST_DAY = -7


def delete_tasks_demo() -> None:
    from gmassist.office.tasks.models import Task

    Task.objects.all().delete()  # the comments and history go with them


@dataclass(frozen=True)
class Plan:
    """One demo task: who gives it to whom, when (days from the demo's today), from what, and
    what happens to it during the week: `events` are (day, who, "comment" text or a status)."""

    by: str
    owner: str
    title: str
    created: int
    due: int | None
    priority: str = "normal"
    remind: int | None = None
    about: str = ""  # "feedback", "objection", "customer" or ""
    description: str = ""
    events: tuple[tuple[int, str, str, str], ...] = field(default_factory=tuple)


C = "comment"
S = "status"

PLANS: tuple[Plan, ...] = (
    # --- from the GM to the head of sales, and on to their people
    Plan(
        "gm",
        "head",
        "Visit the customer before the contract renewal",
        -7,
        3,
        "high",
        1,
        "customer",
        "They asked for a price review; bring the service numbers of the last year.",
        (
            (-6, "head", S, "in_progress"),
            (-4, "head", C, "Meeting booked for Thursday with their procurement director."),
        ),
    ),
    Plan(
        "gm",
        "head",
        "Answer the complaint about delivery delays",
        -7,
        -5,
        "urgent",
        -6,
        "feedback",
        "Find out what happened with the three late deliveries and answer in person.",
        (
            (-6, "head", S, "in_progress"),
            (-5, "head", C, "Waiting for the logistics report; I will chase it."),
            (-3, "gm", C, "This is now late. What is blocking it?"),
        ),
    ),
    Plan(
        "gm",
        "head",
        "回应关于弹性工作时间的反对意见",
        -6,
        -1,
        "normal",
        -3,
        "objection",
        "整理销售部门的反对意见，提出客服岗位的排班方案。",
        (
            (-5, "head", S, "in_progress"),
            (-2, "head", C, "排班方案初稿已完成，还需要和客服组长确认。"),
        ),
    ),
    Plan(
        "gm",
        "head",
        "Quarterly pipeline review for the board pack",
        -5,
        2,
        "high",
        0,
        events=((-3, "head", S, "in_progress"),),
    ),
    Plan(
        "gm",
        "head",
        "核对大客户的回款计划",
        -4,
        -2,
        "high",
        -3,
        "customer",
        events=((-3, "head", S, "waiting"), (-3, "head", C, "客户财务在休假，周一回来后确认。")),
    ),
    Plan(
        "head",
        "employee",
        "Prepare the visit notes for the renewal meeting",
        -6,
        -2,
        "normal",
        -3,
        "customer",
        events=(
            (-5, "employee", S, "in_progress"),
            (-2, "employee", S, "done"),
            (-2, "employee", C, "Notes are in the shared folder."),
        ),
    ),
    Plan(
        "head",
        "employee",
        "整理投诉客户的联系记录",
        -4,
        4,
        "normal",
        2,
        "feedback",
        events=((-3, "employee", S, "in_progress"),),
    ),
    # --- from the assistant, preparing for the GM
    Plan(
        "assistant",
        "head",
        "Send the sales forecast for the monthly meeting",
        -7,
        -4,
        "normal",
        -5,
        events=((-4, "head", S, "done"),),
    ),
    Plan(
        "assistant",
        "hr",
        "Draft the answer to the objection on expense claims",
        -6,
        -3,
        "normal",
        -4,
        "objection",
        events=(
            (-5, "hr", S, "in_progress"),
            (-3, "hr", S, "done"),
            (-3, "hr", C, "Draft sent to the GM for review."),
        ),
    ),
    Plan(
        "assistant",
        "hr",
        "核实员工关于加班费的反馈",
        -5,
        -1,
        "high",
        -2,
        "feedback",
        events=((-4, "hr", S, "in_progress"), (-2, "hr", C, "已经拿到考勤数据，正在和财务核对。")),
    ),
    Plan(
        "assistant", "hr", "Schedule the onboarding week for the new engineers", -3, 5, "normal", 3
    ),
    Plan(
        "assistant",
        "am",
        "Call the customer about the billing error",
        -5,
        -3,
        "urgent",
        -4,
        "customer",
        events=(
            (-4, "am", S, "in_progress"),
            (-3, "am", S, "done"),
            (-3, "am", C, "Refund approved; the customer confirmed by e-mail."),
        ),
    ),
    Plan(
        "assistant",
        "am",
        "更新重点客户的联系人名单",
        -4,
        1,
        "low",
        0,
        "customer",
        events=((-2, "am", S, "in_progress"),),
    ),
    Plan(
        "assistant",
        "employee",
        "Collect the signed acknowledgements from Sales East",
        -6,
        -4,
        "normal",
        -5,
        events=(
            (-5, "employee", S, "in_progress"),
            (-4, "employee", C, "Two people are travelling; I have the rest."),
            (-4, "employee", S, "done"),
        ),
    ),
    # --- from the GM to the assistant and HR
    Plan(
        "gm",
        "assistant",
        "Book the off-site for the management team",
        -7,
        -3,
        "normal",
        -5,
        events=((-6, "assistant", S, "in_progress"), (-3, "assistant", S, "done")),
    ),
    Plan(
        "gm",
        "assistant",
        "准备董事会材料的目录",
        -3,
        3,
        "high",
        1,
        events=((-2, "assistant", S, "in_progress"),),
    ),
    Plan(
        "gm",
        "hr",
        "Look into the workload complaints in the support team",
        -7,
        -2,
        "high",
        -4,
        "feedback",
        events=(
            (-6, "hr", S, "in_progress"),
            (-4, "hr", C, "Interviews with four people done; two more on Monday."),
            (-1, "gm", C, "Please send me what you have so far."),
        ),
    ),
    Plan(
        "gm",
        "hr",
        "审核新的差旅报销标准",
        -5,
        -3,
        "normal",
        -4,
        "objection",
        events=((-4, "hr", S, "done"),),
    ),
    Plan("gm", "hr", "Plan the pulse survey for the third quarter", -2, 6, "low", 4),
    Plan(
        "gm",
        "am",
        "Prepare the churn-risk review of the top ten customers",
        -6,
        0,
        "high",
        -2,
        "customer",
        events=(
            (-5, "am", S, "in_progress"),
            (-1, "am", C, "Eight done, two waiting for the latest revenue figures."),
        ),
    ),
    Plan("gm", "am", "回访上季度流失风险最高的客户", -3, 4, "normal", 2, "customer"),
    Plan(
        "gm",
        "employee",
        "Share the customer's feedback with the product team",
        -5,
        -3,
        "normal",
        -4,
        "feedback",
        events=(
            (-4, "employee", S, "done"),
            (-4, "employee", C, "Sent to the product owner with the examples."),
        ),
    ),
    Plan("gm", "employee", "Test the new quotation template with two customers", -2, 5, "low", 3),
    Plan(
        "gm",
        "head",
        "Book the stand at the spring trade fair",
        -6,
        2,
        "low",
        events=(
            (-4, "gm", C, "We are not going to the fair this year."),
            (-4, "gm", S, "cancelled"),
        ),
    ),
    Plan("assistant", "head", "确认下周客户来访的接待安排", -1, 2, "normal", 1),
)


def _records(kind: str, rng) -> list[str]:
    """The `about` of a few records of `kind`, picked by the seed."""
    from gmassist.customers.models import GroupCustomer
    from gmassist.decisions.models import Response
    from gmassist.voice.feedback.models import Feedback

    if kind == "customer":
        pks = list(GroupCustomer.objects.order_by("pk").values_list("pk", flat=True)[:200])
        label = "customers.groupcustomer"
    elif kind == "feedback":
        pks = list(
            Feedback.objects.filter(kind="complaint")
            .order_by("-submitted_on", "id")
            .values_list("pk", flat=True)[:200]
        )
        label = "voice.feedback"
    else:
        pks = list(
            Response.objects.filter(kind="objection")
            .order_by("-submitted_on", "id")
            .values_list("pk", flat=True)[:200]
        )
        label = "decisions.response"
    order = rng.permutation(len(pks)) if pks else []
    return [f"{label}:{pks[i]}" for i in order]


def _moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
    return min(moment, timezone.now())


@demo_extension("office_tasks", order=40, delete=delete_tasks_demo)
def write_tasks_demo(ctx: DemoContext) -> dict[str, int]:
    """Write the demo week of tasks (see the module doc); returns the counts written."""
    from django.core.exceptions import ValidationError

    from gmassist.core.models import AuditEntry
    from gmassist.office.tasks import services
    from gmassist.office.tasks.models import Task, TaskComment
    from gmassist.office.tasks.subjects import subject_resolve

    rng = ctx.rng(40)
    users = ctx.users
    pools = {kind: _records(kind, rng) for kind in ("customer", "feedback", "objection")}
    plans = [p for p in PLANS if users.get(p.by) is not None and users.get(p.owner) is not None]
    tasks: dict[int, Task] = {}
    ctx.progress(0.0, "Delegated tasks")

    def last_ids() -> tuple[int, int]:
        return (
            TaskComment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
            AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        )

    def about_for(plan: Plan) -> str:
        """A record of the plan's kind that its delegator may see ("" when none)."""
        pool = pools.get(plan.about, [])
        for position, about in enumerate(pool[:50]):
            try:
                subject_resolve(about=about, user=users[plan.by])
            except ValidationError:
                continue
            return pool.pop(position)
        return ""

    def stamp(model, after: int, upto: int, moment: dt.datetime, *, field: str) -> None:
        """Give the rows written in (after, upto] the time of their day, a second apart."""
        pks = model.objects.filter(pk__gt=after, pk__lte=upto).order_by("pk")
        for n, pk in enumerate(pks.values_list("pk", flat=True)):
            model.objects.filter(pk=pk).update(**{field: moment + dt.timedelta(seconds=n)})

    with services.notifications_off():
        for offset in range(FIRST_DAY, 1):
            day = ctx.as_of + dt.timedelta(days=offset)
            start = last_ids()
            # the follow-up runs first thing in the morning, on the tasks of the days before
            services.tasks_follow_up(now=_moment(day, 7))
            morning = last_ids()
            for index, plan in enumerate(plans):
                if plan.created != offset:
                    continue
                task = services.task_create(
                    by=users[plan.by],
                    title=plan.title,
                    owner=users[plan.owner],
                    priority=plan.priority,
                    description=plan.description,
                    about=about_for(plan) if plan.about else "",
                )
                # the dates, which may be in the past by now: set as they were that day
                due = None if plan.due is None else ctx.as_of + dt.timedelta(days=plan.due)
                remind = None if plan.remind is None else ctx.as_of + dt.timedelta(days=plan.remind)
                Task.objects.filter(pk=task.pk).update(
                    due_on=due, remind_on=remind, created_at=_moment(day, 9, index % 60)
                )
                tasks[index] = task
            for index, plan in enumerate(plans):
                for event_day, who, what, value in plan.events:
                    if event_day != offset or index not in tasks:
                        continue
                    task = Task.objects.get(pk=tasks[index].pk)
                    if what == C:
                        services.task_comment_add(task=task, by=users[who], text=value)
                    else:
                        services.task_set_status(task=task, status=value, by=users[who])
                        if value == "done":
                            Task.objects.filter(pk=task.pk).update(
                                completed_at=_moment(day, 16, index % 60)
                            )
            # what happened that day happened on that day: the follow-up at 7, the rest from 9
            end = last_ids()
            stamp(TaskComment, start[0], morning[0], _moment(day, 7), field="created_at")
            stamp(TaskComment, morning[0], end[0], _moment(day, 9, 30), field="created_at")
            stamp(AuditEntry, start[1], morning[1], _moment(day, 7), field="at")
            stamp(AuditEntry, morning[1], end[1], _moment(day, 9, 30), field="at")
            ctx.progress((offset - FIRST_DAY + 1) / (1 - FIRST_DAY), "Delegated tasks")
    open_tasks = Task.objects.exclude(status__in=("done", "cancelled"))
    return {
        "tasks": Task.objects.count(),
        "late": open_tasks.filter(due_on__lt=ctx.as_of).count(),
        "at_gm_desk": open_tasks.filter(escalation="gm").count(),
        "comments": TaskComment.objects.filter(kind="comment").count(),
    }
