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

        # The policy has one entry per Domain and everything the apps declared (models'
        # scopes, proposal kinds, import entities) names a Domain: a typo stops the start.
        from gmassist.core.permissions import check_policy

        check_policy()

        # A proposal about a person's pay shows their pay: every page and endpoint that shows
        # one audits it (core.sensitive).
        from gmassist.core.models import Proposal
        from gmassist.core.proposals import proposal_person_reads
        from gmassist.core.sensitive import register_sensitive_rows

        register_sensitive_rows(Proposal, proposal_person_reads)
