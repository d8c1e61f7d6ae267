from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gmassist.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Each app declares its proposal kinds, import entities and job handlers in its own
        # modules; importing them here fills the registries before any request or command.
        from gmassist.core import registry

        registry.autodiscover()
