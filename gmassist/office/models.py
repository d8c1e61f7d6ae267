"""The models of the office app. They are defined in its parts (each part's models.py) and
imported here, where Django looks for an app's models; they keep the app's label `office`, so
their tables (office_*) and the migrations are the app's.

Code imports a model from its part, not from here.
"""

from gmassist.office.documents.models import Document, DocumentStep, DocumentVersion
from gmassist.office.schedule.models import (
    BusyCalendar,
    BusyInterval,
    FeedToken,
    Meeting,
    MeetingParticipant,
    WorkingHours,
)
from gmassist.office.tasks.models import Task, TaskComment
from gmassist.office.triage.models import Matter, TriageDecision, TriageRule

__all__ = [
    "BusyCalendar",
    "BusyInterval",
    "Document",
    "DocumentStep",
    "DocumentVersion",
    "FeedToken",
    "Matter",
    "Meeting",
    "MeetingParticipant",
    "Task",
    "TaskComment",
    "TriageDecision",
    "TriageRule",
    "WorkingHours",
]
