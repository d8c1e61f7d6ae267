"""The maths imports no Django: every engine module (gmassist/*/engine.py, gmassist/*/engine/*.py,
and the same in an app's parts: gmassist/*/*/engine.py, gmassist/*/*/engine/*.py)
and the shared library (gmassist/lib) load without a single `django` module, so they can be
tested without a database and benchmarked at scale."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The two library modules that are Django's by design, each with its reason.
USES_DJANGO = {
    "gmassist.lib.bulk": "writes rows through Django's database connections",
    "gmassist.lib.env": "the settings helpers raise Django's ImproperlyConfigured",
}

# Imports each module in turn in a fresh interpreter and prints, per module, the Django
# modules its import added. Modules before it loaded none, so the first module that adds some
# is the one to blame.
PROBE = """
import importlib, json, sys
added = {}
for name in sys.argv[1:]:
    before = {m for m in sys.modules if m == "django" or m.startswith("django.")}
    importlib.import_module(name)
    after = {m for m in sys.modules if m == "django" or m.startswith("django.")}
    added[name] = sorted(after - before)
print(json.dumps(added))
"""


def engine_modules() -> list[str]:
    """The dotted names of the engine and library modules, found on disk."""
    paths = [
        *ROOT.glob("gmassist/*/engine.py"),
        *ROOT.glob("gmassist/*/engine/*.py"),
        *ROOT.glob("gmassist/*/*/engine.py"),
        *ROOT.glob("gmassist/*/*/engine/*.py"),
        *ROOT.glob("gmassist/lib/*.py"),
    ]
    return sorted(".".join(p.relative_to(ROOT).with_suffix("").parts) for p in paths)


def django_loaded_by(modules: list[str]) -> dict[str, list[str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *modules],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout)


def test_it_finds_the_engines_of_every_app_and_the_library():
    modules = engine_modules()
    for expected in (
        "gmassist.customers.engine.matching",
        "gmassist.decisions.engine",
        "gmassist.talent.engine.incentive_plan",
        "gmassist.voice.engine.classifier",
        "gmassist.lib.risk_model",
    ):
        assert expected in modules
    assert set(USES_DJANGO) <= set(modules)


def test_importing_any_engine_or_library_module_loads_no_django():
    pure = [m for m in engine_modules() if m not in USES_DJANGO]
    loaded = django_loaded_by(pure)
    assert list(loaded) == pure
    assert {name: found for name, found in loaded.items() if found} == {}
