"""Where apps plug in: each app's proposals.py, importers.py and jobs.py register kinds."""

from django.utils.module_loading import autodiscover_modules

PLUGIN_MODULES = ("proposals", "importers", "jobs")


def autodiscover() -> None:
    """Import every installed app's plug-in modules so that their registrations run."""
    autodiscover_modules(*PLUGIN_MODULES)
