from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoiceConfig(AppConfig):
    name = "gmassist.voice"
    label = "voice"
    verbose_name = _("Feedback and surveys")
    # The parts of the app, each a sub-package with its own models, services, pages and
    # plug-in modules (core.registry finds them); the models keep the app's label and tables.
    parts = ("feedback", "surveys", "recruiting")

    def ready(self) -> None:
        from gmassist.core.presenters import register_audit_value
        from gmassist.voice.surveys.presenters import audited_questions

        register_audit_value("voice.survey", "questions", audited_questions)
