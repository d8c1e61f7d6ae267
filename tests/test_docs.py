"""The docs say what the code does: every setting the code reads is documented, every command of
the project's apps is on the commands page, and every link and image points to a file (and a
heading) that exists."""

from __future__ import annotations

import argparse
import re
import tomllib
import unicodedata
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parent.parent
CODE = ROOT / "gmassist"
DOCS = ROOT / "docs"
SETTINGS_PAGE = DOCS / "settings.md"
CLI_PAGE = DOCS / "cli.md"
ENV_EXAMPLE = ROOT / ".env.example"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]

# --- settings --------------------------------------------------------------------------------

_NAME = r"([A-Z][A-Z0-9_]*)"
ENV_READS = [
    re.compile(rf"\benv_(?:str|int|bool|float|list|path)\(\s*[\"']{_NAME}[\"']"),
    re.compile(rf"\bos\.environ\.(?:get|setdefault|pop)\(\s*[\"']{_NAME}[\"']"),
    re.compile(rf"\bos\.environ\[\s*[\"']{_NAME}[\"']\s*\]"),
    re.compile(rf"\bos\.getenv\(\s*[\"']{_NAME}[\"']"),
]


def _code_files(folder: Path) -> list[Path]:
    """The application's Python files, its tests left out (they set variables of their own)."""
    return [
        path
        for path in sorted(folder.rglob("*.py"))
        if "tests" not in path.relative_to(folder).parts
        and "migrations" not in path.relative_to(folder).parts
    ]


def variables_read(files: list[Path]) -> dict[str, Path]:
    """Every upper-case environment variable the files read, with the first file reading it."""
    found: dict[str, Path] = {}
    for path in files:
        text = path.read_text(encoding="utf-8")
        for pattern in ENV_READS:
            for name in pattern.findall(text):
                found.setdefault(name, path)
    return found


def _documented_variables() -> set[str]:
    """The variables of the tables on the settings page (their first column)."""
    text = SETTINGS_PAGE.read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", text, flags=re.MULTILINE))


def test_the_scan_finds_the_settings_it_must():
    read = variables_read(_code_files(CODE))
    # a scan that finds nothing would pass every check below
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "HOST", "PORT"} <= read.keys()
    assert len(read) > 40


def test_every_variable_the_code_reads_is_on_the_settings_page():
    documented = _documented_variables()
    missing = {
        name: str(path.relative_to(ROOT))
        for name, path in variables_read(_code_files(CODE)).items()
        if name not in documented
    }
    assert not missing, f"add to docs/settings.md (a table row `| \\`NAME\\` | ...`): {missing}"


def test_every_variable_the_code_reads_is_in_env_example():
    example = ENV_EXAMPLE.read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    missing = {
        name: str(path.relative_to(ROOT))
        for name, path in variables_read(_code_files(CODE)).items()
        if name not in listed
    }
    assert not missing, f"add to .env.example (`# NAME=default  # meaning`): {missing}"


def test_every_documented_variable_is_read_somewhere():
    """No stale rows: the application, the test suite's browser tests or its runner read each."""
    read = variables_read(_code_files(CODE) + sorted((ROOT / "tests").rglob("*.py")))
    stale = sorted(_documented_variables() - read.keys())
    assert not stale, f"docs/settings.md documents variables nothing reads: {stale}"


# --- commands --------------------------------------------------------------------------------

# Django's own options of every command, documented by `--help`, not on the commands page
DJANGO_OPTIONS = {
    "--help",
    "--version",
    "--verbosity",
    "--settings",
    "--pythonpath",
    "--traceback",
    "--no-color",
    "--force-color",
    "--skip-checks",
}


def project_commands() -> dict[str, str]:
    """The management commands of the project's own apps: name -> app."""
    return {name: app for name, app in get_commands().items() if app.startswith("gmassist")}


def _leaves(
    parser: argparse.ArgumentParser, path: tuple[str, ...]
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every runnable (sub)command under `parser`, as its words and its parser."""
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subparsers:
        return [(path, parser)]
    leaves = []
    for action in subparsers:
        for word, subparser in action.choices.items():
            leaves.extend(_leaves(subparser, (*path, word)))
    return leaves


def command_lines() -> list[tuple[str, list[list[str]]]]:
    """Each (sub)command as `gmassist …` with its options (each a list of its spellings)."""
    lines = []
    for name, app in sorted(project_commands().items()):
        parser = load_command_class(app, name).create_parser("gmassist", name)
        for words, leaf in _leaves(parser, (name,)):
            options = [
                list(action.option_strings)
                for action in leaf._actions
                if action.option_strings and not DJANGO_OPTIONS & set(action.option_strings)
            ]
            lines.append(("gmassist " + " ".join(words), options))
    return lines


def test_the_project_has_its_commands():
    assert {"import", "export", "demo", "serve", "worker", "talent", "customers"} <= set(
        project_commands()
    )


@pytest.mark.parametrize("command, options", command_lines(), ids=lambda v: str(v))
def test_every_command_and_option_is_on_the_commands_page(command, options):
    text = CLI_PAGE.read_text(encoding="utf-8")
    pattern = re.compile(rf"`{re.escape(command)}(?=[ `])")
    rows = [line for line in text.splitlines() if pattern.search(line)]
    assert rows, f"docs/cli.md does not show `{command}`"
    for spellings in options:
        assert any(
            re.search(rf"(?<![\w-]){re.escape(spelling)}(?![\w-])", row)
            for row in rows
            for spelling in spellings
        ), f"docs/cli.md: the row of `{command}` does not name {' / '.join(spellings)}"


# --- links -----------------------------------------------------------------------------------

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _strip_fences(text: str) -> str:
    return re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)


def _prose(text: str) -> str:
    """The text without fenced code blocks and inline code, where brackets are not links."""
    return re.sub(r"`[^`\n]*`", "", _strip_fences(text))


def heading_anchors(text: str) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces to
    hyphens, a repeated one numbered."""
    anchors: set[str] = set()
    counts: dict[str, int] = {}
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*$", _strip_fences(text), flags=re.MULTILINE):
        plain = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
        slug = "".join(
            ch
            for ch in plain
            if ch in " -_" or unicodedata.category(ch)[0] in "LN"  # letters and digits
        ).replace(" ", "-")
        n = counts.get(slug, 0)
        counts[slug] = n + 1
        anchors.add(slug if n == 0 else f"{slug}-{n}")
    return anchors


def page_links() -> list[tuple[str, str]]:
    links = []
    for page in PAGES:
        for target in LINK.findall(_prose(page.read_text(encoding="utf-8"))):
            links.append((str(page.relative_to(ROOT)), target))
    return links


def test_the_pages_have_links():
    assert len(page_links()) > 100


@pytest.mark.parametrize("page, target", page_links())
def test_every_relative_link_and_image_points_to_what_exists(page, target):
    if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: …: not checked here
        return
    source = ROOT / page
    path_part, _, anchor = target.partition("#")
    destination = (source.parent / path_part).resolve() if path_part else source
    assert destination.exists(), f"{page}: {target} points to nothing"
    assert ROOT in destination.parents or destination == ROOT, f"{page}: {target} leaves the repo"
    if anchor:
        assert destination.suffix == ".md", f"{page}: {target}: an anchor into a non-page"
        anchors = heading_anchors(destination.read_text(encoding="utf-8"))
        assert anchor in anchors, f"{page}: {target}: no heading #{anchor} in {destination.name}"


# --- the mapping example ---------------------------------------------------------------------


def test_the_mapping_example_is_the_tested_mapping_file():
    """The example of docs/imports-and-exports.md is the mapping the HR-dataset import test
    uses (gmassist/org/tests/test_importers_hr.py), comments aside."""
    page = (DOCS / "imports-and-exports.md").read_text(encoding="utf-8")
    examples = re.findall(r"^```toml\n(.*?)^```", page, flags=re.MULTILINE | re.DOTALL)
    assert len(examples) == 1
    tested = ROOT / "gmassist" / "org" / "tests" / "data" / "hr_mapping.toml"
    assert tomllib.loads(examples[0]) == tomllib.loads(tested.read_text(encoding="utf-8"))
