"""core.registry finds every app's plug-in modules and those of the parts an app names."""

import sys
import types

from gmassist.core import registry

CALLS: list[str] = []


def _fake_app(tmp_path, name: str, modules: dict[str, list[str]], parts=()):
    """A package `name` under tmp_path with, for each sub-package ("" is the app itself), the
    plug-in modules listed, each noting its import in CALLS."""
    for package, plugin_modules in modules.items():
        folder = tmp_path / name / package if package else tmp_path / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "__init__.py").write_text("")
        for module in plugin_modules:
            dotted = ".".join(p for p in (name, package, module) if p)
            (folder / f"{module}.py").write_text(
                f"from {__name__} import CALLS\nCALLS.append({dotted!r})\n"
            )
    __import__(name)
    return types.SimpleNamespace(name=name, module=sys.modules[name], parts=parts)


def test_it_imports_the_apps_modules_then_their_parts_kind_by_kind(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    plain = _fake_app(tmp_path, "plainapp", {"": ["importers", "jobs"]})
    parted = _fake_app(
        tmp_path,
        "partedapp",
        {"": ["jobs"], "one": ["jobs", "demo"], "two": ["importers", "jobs"]},
        parts=("one", "two"),
    )
    monkeypatch.setattr(registry.apps, "get_app_configs", lambda: [plain, parted])
    CALLS.clear()
    registry.autodiscover()
    assert CALLS == [
        "plainapp.importers",
        "plainapp.jobs",
        "partedapp.two.importers",
        "partedapp.jobs",
        "partedapp.one.jobs",
        "partedapp.two.jobs",
        "partedapp.one.demo",
    ]
