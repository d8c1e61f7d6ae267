"""The models of the voice app. They are defined in its three parts (feedback, surveys,
recruiting: each part's models.py) and imported here, where Django looks for an app's models;
they keep the app's label `voice`, so their tables (voice_*) and the migrations are the app's.

Code imports a model from its part, not from here.
"""

# In the order the models were first defined: the order in which the app registers them.
# isort: off
from gmassist.voice.feedback.models import Feedback, FeedbackMessage
from gmassist.voice.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyParticipation,
    SurveyQuestion,
    SurveyResponse,
    SurveyRound,
    SurveySnapshot,
)
from gmassist.voice.recruiting.models import (
    Candidate,
    RecruitingAgency,
    Requisition,
    RequisitionShare,
)
from gmassist.voice.feedback.models import TopicCorrection
# isort: on

__all__ = [
    "Candidate",
    "Feedback",
    "FeedbackMessage",
    "RecruitingAgency",
    "Requisition",
    "RequisitionShare",
    "Survey",
    "SurveyAnswer",
    "SurveyParticipation",
    "SurveyQuestion",
    "SurveyResponse",
    "SurveyRound",
    "SurveySnapshot",
    "TopicCorrection",
]
