"""Where apps plug in: each app's proposals.py, importers.py, jobs.py and demo.py register
their proposal kinds, import entities, job handlers and demo extensions.

An app made of parts (sub-packages, e.g. voice's feedback, surveys and recruiting) names them in
its AppConfig's `parts`; their plug-in modules are found as the app's own are.
"""

from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule

PLUGIN_MODULES = ("proposals", "importers", "jobs", "demo")


def autodiscover() -> None:
    """Import every installed app's plug-in modules, and its parts', so that their registrations
    run: app by app, each kind of module in the order of PLUGIN_MODULES, the app's own before
    its parts' (in the order the app names them)."""
    for app_config in apps.get_app_configs():
        packages = [
            app_config.module,
            *(
                import_module(f"{app_config.name}.{part}")
                for part in getattr(app_config, "parts", ())
            ),
        ]
        for module_name in PLUGIN_MODULES:
            for package in packages:
                if module_has_submodule(package, module_name):
                    import_module(f"{package.__name__}.{module_name}")
