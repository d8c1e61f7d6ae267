"""The shapes of the task endpoints."""

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema

from gmassist.api import ObjectId, Text
from gmassist.office.tasks.choices import EntryKind, Escalation, Priority, TaskStatus
from gmassist.office.tasks.models import MAX_TEXT, MAX_TITLE
from gmassist.office.tasks.selectors import DELEGATED, EVERYTHING, MINE, SUBTREE_TASKS, TASK_SORTS

PriorityName = Literal[tuple(Priority.values)]  # type: ignore[valid-type]
StatusName = Literal[tuple(TaskStatus.values)]  # type: ignore[valid-type]
EscalationName = Literal[tuple(Escalation.values)]  # type: ignore[valid-type]
EntryKindName = Literal[tuple(EntryKind.values)]  # type: ignore[valid-type]
Whose = Literal[MINE, DELEGATED, SUBTREE_TASKS, EVERYTHING]  # type: ignore[valid-type]
TaskSort = Literal[tuple(k for base in TASK_SORTS for k in (base, f"-{base}"))]  # type: ignore[valid-type]
Title = Annotated[Text, Field(min_length=1, max_length=MAX_TITLE)]
LongText = Annotated[Text, Field(max_length=MAX_TEXT)]
About = Annotated[Text, Field(max_length=120)]


class PersonRef(Schema):
    id: int
    name: str


class TaskOut(Schema):
    id: int
    title: str
    description: str
    owner: PersonRef
    delegated_by: PersonRef | None = Field(description="null: made by the system")
    due_on: dt.date | None
    remind_on: dt.date | None
    priority: PriorityName
    status: StatusName
    late: bool = Field(description="still open after its due date")
    days_late: int
    escalation: EscalationName
    escalated_at: dt.datetime | None
    escalated_to: PersonRef | None
    completed_at: dt.datetime | None
    about: str = Field(description="'<app_label.model>:<pk>' of what it was made from, or ''")
    about_title: str
    created_at: dt.datetime


class HistoryOut(Schema):
    when: dt.datetime
    author: PersonRef | None = Field(description="null: the application (reminders, escalation)")
    kind: EntryKindName
    text: str = Field(description="what happened, in the reader's language")
    comment: str = Field(description="the person's words: a comment, or a change's note")


class TaskDetailOut(Schema):
    task: TaskOut
    history: list[HistoryOut]


class TaskFilters(Schema):
    whose: Whose | None = Field(
        None, description="mine, delegated (by me), subtree (a head's people), all"
    )
    status: StatusName | None = None
    open: bool = Field(False, description="only open, in progress and waiting")
    owner_id: ObjectId | None = None
    priority: PriorityName | None = None
    overdue: bool = Field(False, description="only those still open after their due date")
    sort: TaskSort = "due"


class TaskIn(Schema):
    title: Title
    owner_id: ObjectId = Field(description="the user who does it")
    due_on: dt.date | None = None
    remind_on: dt.date | None = Field(None, description="a reminder day, on or before due_on")
    priority: PriorityName = "normal"
    description: LongText = ""
    about: About = Field("", description="'<app_label.model>:<pk>' of a record you may see")


class TaskPatch(Schema):
    title: Title | None = None
    description: LongText | None = None
    due_on: dt.date | None = Field(None, description="null with clear_due_on to clear")
    clear_due_on: bool = False
    remind_on: dt.date | None = None
    clear_remind_on: bool = False
    priority: PriorityName | None = None
    owner_id: ObjectId | None = Field(None, description="reassign the task to this user")


class CommentIn(Schema):
    text: Annotated[Text, Field(min_length=1, max_length=MAX_TEXT)]


class StatusIn(Schema):
    status: StatusName
    note: LongText = ""
