"""`gmassist voice ...`: the command of the voice app; each part adds its own actions (its
cli.py): feedback `evaluate` and `remind`, `surveys ...`, `recruiting ...`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from gmassist.voice.feedback.cli import add_feedback_arguments, run_feedback
from gmassist.voice.recruiting.cli import add_recruiting_arguments, run_recruiting
from gmassist.voice.surveys.cli import add_survey_arguments, run_surveys


class Command(BaseCommand):
    help = (
        "Feedback. `evaluate`: the classifier's accuracy on the held-back part of the labelled "
        "examples. `remind`: e-mail the owners of overdue feedback. `surveys list|results|"
        "open-due`: pulse surveys. `recruiting agencies|requisitions`: recruiting contacts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add_feedback_arguments(actions)
        add_survey_arguments(actions)
        add_recruiting_arguments(actions)

    def handle(self, *args, action: str, **options) -> None:
        if action in ("evaluate", "remind"):
            run_feedback(self, action=action, **options)
        elif action == "surveys":
            run_surveys(self, **options)
        elif action == "recruiting":
            run_recruiting(self, **options)
