from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "gmassist.decisions"
    label = "decisions"
    verbose_name = _("Decisions register")

    def ready(self) -> None:
        # the decisions' section of the employee's inbox (core.inbox)
        from gmassist.decisions import inbox

        inbox.register()
