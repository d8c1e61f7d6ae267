"""Where apps plug in: each app's proposals.py, importers.py, jobs.py and demo.py register
their proposal kinds, import entities, job handlers and demo extensions."""

from django.utils.module_loading import autodiscover_modules

PLUGIN_MODULES = ("proposals", "importers", "jobs", "demo")


def autodiscover() -> None:
    """Import every installed app's plug-in modules so that their registrations run."""
    autodiscover_modules(*PLUGIN_MODULES)
