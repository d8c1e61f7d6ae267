"""Every page, read in Simplified Chinese, is in Chinese: no English word is left on it.

The GM and HR log in with their language set to zh-hans on a small company (tests/company.py's
`small_company`, with a proposal of each kind, some decided, an audit log and an import job)
and every GET page route of the URL conf is rendered (the routes as tests/test_every_get_route
takes them). The visible text of each page (tags, scripts and styles stripped; the title,
placeholder and aria-label attributes kept) must hold no English word (an ASCII word of three
or more letters) outside what the test data itself holds (names, codes and texts people typed)
and a short allow-list of names that stay as they are in Chinese (units, product names, file
formats). The findings are printed grouped by page, so the test shows what remains.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from gmassist.core.models import AuditEntry, Job, Proposal
from gmassist.core.permissions import SYSTEM
from gmassist.core.services import job_submit, proposal_approve
from gmassist.customers.models import AccountManager, GroupCustomer, Industry
from gmassist.org.models import Department, Employee, Position, Skill
from gmassist.org.services import pay_changes_propose, promotion_propose
from gmassist.talent.models import IncentivePlanLine
from gmassist.talent.services import incentive_propose
from gmassist.voice.recruiting.models import Requisition
from gmassist.workforce.models import Plan
from tests.company import small_company
from tests.test_every_get_route import page_routes, path_values

# Words that stay as they are in a Chinese page: units, product and format names.
ALLOWED_WORDS = {
    "CNY",  # the company's currency code
    "GM",  # "GM Assistant", the product's name, and the GM's role as the office says it
    "Assistant",
    "eNPS",
    "API",
    "CSV",
    "XLSX",
    "PDF",  # the formats a document is uploaded in
    "DOCX",
    "TOML",
    "JSON",
    "ROC",
    "AUC",
    "English",  # the language switch names each language in itself
    "ARPU",
    "HHI",  # the Herfindahl-Hirschman index, called so in Chinese too
    "SAT",  # CP-SAT, the solver's name
    "toml",  # the file extension ".toml"
    "Authorization",  # "Authorization: Bearer <key>", the HTTP header as it is sent
    "Bearer",
    "XXXX",  # the shape of a follow-up code, in its field's placeholder
    # the schedule: IANA time-zone names (Asia/Shanghai) and UTC as calendars show them, the
    # .ics file extension, the calendar products and the keys people press, by their names
    "UTC",
    "Asia",
    "Europe",
    "America",
    "ics",
    "Outlook",
    "Google",
    "Apple",
    "Windows",
    "Mac",
    "iPhone",
    "Ctrl",
}

# English still shown on one page (route name, word), with why: the debt, to be paid.
# Words of the test data that are not a person's name or a record's text (the data's own
# words are taken from the database, see `data_phrases`).
DATA_WORDS = {"gma_x", "zzmark"}

WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z]{3,}(?![A-Za-z0-9_])")
URL = re.compile(r"(https?://|/)[\w\-./?=&%#:]+")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
IDENTIFIER = re.compile(r"\b[\w.-]*[\d_][\w.-]*\b")  # E004, SAL-2, gma_x, zzmark-job-3
ATTRIBUTES = re.compile(r'\s(?:title|placeholder|aria-label|alt)="([^"]*)"')


def visible_text(body: str) -> str:
    """What a reader sees of an HTML page: its text and its title/placeholder/aria-label."""
    attributes = " ".join(ATTRIBUTES.findall(body))
    # scripts and styles are not read; code (a policy's TOML, an HTTP header) stays as written
    body = re.sub(r"(?is)<(script|style|template|code|pre|textarea)\b.*?</\1>", " ", body)
    body = re.sub(r"(?s)<!--.*?-->", " ", body)
    body = re.sub(r"(?s)<[^>]+>", " ", body)
    return html.unescape(body + " " + attributes)


def data_phrases() -> list[str]:
    """The texts of the test data (names, codes, what people typed), longest first: removed
    from a page before its words are counted."""
    phrases: set[str] = set()
    for model, fields in [
        (Employee, ["full_name", "employee_no", "email", "location"]),
        (Department, ["name", "code"]),
        (Position, ["title", "code", "job_family"]),
        (Skill, ["name", "code"]),
        (Industry, ["name", "code"]),
        (AccountManager, ["region"]),
        (GroupCustomer, ["name", "code"]),
        (Requisition, ["code"]),
        (Plan, ["name"]),  # a workforce plan's name, as its author typed it
    ]:
        for row in model._default_manager.values_list(*fields):
            phrases.update(str(value) for value in row if value)
    phrases.update(Proposal.objects.values_list("decision_comment", flat=True))
    for user in ("gm", "assistant", "hr", "head", "employee", "outsider", "am"):
        phrases.add(user)
    # texts people typed in the test company
    phrases.update(
        {
            "below the band",
            "because",
            "please",
            "Would you recommend us?",
            "Re-tier",
            "ready for the next grade",
            "people.csv",
        }
    )
    return sorted((p for p in phrases if p), key=len, reverse=True)


def english_words(text: str, phrases: list[str]) -> list[str]:
    """The English words of `text` outside the data and the allow-list, in order, once each."""
    text = URL.sub(" ", EMAIL.sub(" ", text))
    for phrase in phrases:
        text = re.sub(r"(?<![A-Za-z])" + re.escape(phrase) + r"(?![A-Za-z])", " ", text, flags=re.I)
    text = IDENTIFIER.sub(" ", text)
    found: list[str] = []
    for word in WORD.findall(text):
        if word in ALLOWED_WORDS or word in DATA_WORDS or word in found:
            continue
        found.append(word)
    return found


def more_proposals(cast) -> None:
    """A proposal of each kind small_company lacks, some decided, and an import job."""
    emma = Employee.objects.get(employee_no="E004")
    alice = Employee.objects.get(employee_no="E006")
    Position.objects.create(
        code="SAL-3",
        title="Senior sales representative",
        job_family="Sales",
        grade=3,
        band_min=Decimal("100000"),
        band_mid=Decimal("120000"),
        band_max=Decimal("140000"),
        currency="CNY",
    )
    promotion_propose(
        employee=alice,
        new_base_pay=Decimal("180000"),
        effective_date=dt.date(2027, 1, 1),
        rationale="ready for the next grade",
        by=cast.head,
    )
    pay_changes_propose(
        lines=[
            {
                "employee_id": alice.pk,
                "employee_no": alice.employee_no,
                "name": alice.full_name,
                "current_base_pay": alice.base_pay,
                "new_base_pay": alice.base_pay + 900,
            }
        ],
        effective_date=dt.date(2027, 1, 1),
        source="people.csv",
        by=SYSTEM,
    )
    line = IncentivePlanLine.objects.filter(employee=emma).first()
    line.actions = [{"instrument": "bonus", "amount": 3000.0}]
    line.save()
    incentive_propose(line=line, employee=emma, rationale="because", by=cast.head)
    # one decided: the history has a card
    decided = Proposal.objects.filter(kind="org.pay_change", subject_employee=emma).get()
    proposal_approve(proposal=decided, by=cast.gm, comment="")


def import_job(user, tmp_path: Path) -> Job:
    path = tmp_path / "people.csv"
    path.write_text(
        "employee_no,full_name,department,position,hire_date\n"
        "E006,Alice Account,SALES,SAL-2,2020-01-01\n",
        encoding="utf-8",
    )
    return job_submit(
        kind="core.import",
        params={"entity": "employees", "path": str(path), "mapping": None, "dry_run": True},
        by=user,
        wait=True,
    )


def findings_of(user, phrases: list[str]) -> dict[str, list[str]]:
    client = Client()
    client.force_login(user)
    found: dict[str, list[str]] = {}
    for route in page_routes():
        for scope, values in path_values(route, user):
            if scope == "out":
                continue
            url = route.build(values)
            response = client.get(url)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            words = english_words(visible_text(response.content.decode()), phrases)
            if words:
                found[f"{user.username} {url} ({route.name})"] = words
    return found


@pytest.fixture
def chinese_company(cast, tmp_path):
    small_company(cast)
    more_proposals(cast)
    for user in (cast.gm, cast.hr):
        user.language = "zh-hans"
        user.save(update_fields=["language"])
    import_job(cast.hr, tmp_path)
    import_job(cast.gm, tmp_path)
    assert AuditEntry.objects.exists()
    return cast


def test_every_page_in_chinese_has_no_english_word(chinese_company):
    cast = chinese_company
    phrases = data_phrases()
    found: dict[str, list[str]] = {}
    for user in (cast.gm, cast.hr):
        found.update(findings_of(user, phrases))
    report = "\n".join(f"{page}: {' '.join(words)}" for page, words in sorted(found.items()))
    print(report)
    assert not found, f"English words on {len(found)} Chinese pages:\n{report}"


def test_the_check_finds_english_and_passes_names_codes_and_numbers():
    phrases = ["Grace Manager", "SAL-2"]
    text = visible_text(
        "<p title='x'>提案 Grace Manager SAL-2 19,900 CNY E004 a@b.cn https://x.org/y "
        "<script>var solver = 1;</script>1 manager changes</p>"
    )
    assert english_words(text, phrases) == ["manager", "changes"]
