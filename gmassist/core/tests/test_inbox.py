"""The inbox: sections registered by apps, the page, the navigation badge and GET /api/inbox."""

import datetime as dt

import pytest

from conftest import assert_problem
from gmassist.core.inbox import (
    InboxItem,
    InboxSection,
    inbox_action_count,
    inbox_for,
    register_inbox_section,
    unregister_inbox_section,
)


def _items_for(user):
    # two items for the employee (one to do), nothing for anyone else
    if user.username != "employee":
        return []
    return [
        InboxItem(
            title="Read the travel policy",
            url="/somewhere/1/",
            due=dt.date(2026, 3, 1),
            status="To acknowledge",
            needs_action=True,
            detail="from Grace Manager",
        ),
        InboxItem(title="Old notice", url="/somewhere/2/", status="Acknowledged"),
    ]


@pytest.fixture(autouse=True)
def only_the_tests_sections(monkeypatch):
    """The apps' own sections are set aside: these tests count exactly what they register."""
    from gmassist.core import inbox

    monkeypatch.setattr(inbox, "_SECTIONS", {})


@pytest.fixture
def test_section():
    """A section registered by the test, the way an app registers one; removed afterwards."""
    section = register_inbox_section(
        InboxSection(key="zz-test", title="Test things", order=999, items=_items_for)
    )
    yield section
    unregister_inbox_section(section.key)


@pytest.fixture
def counted_section():
    """A section with its own cheap count, which the badge uses instead of the items."""
    section = register_inbox_section(
        InboxSection(
            key="zz-counted",
            title="Counted",
            order=1000,
            items=lambda user: [],
            action_count=lambda user: 7,
        )
    )
    yield section
    unregister_inbox_section(section.key)


def test_a_registered_section_gives_the_users_items(cast, test_section):
    sections = {section.key: section for section in inbox_for(cast.employee)}
    mine = sections["zz-test"]
    assert mine.title == "Test things"
    assert [item.title for item in mine.items] == ["Read the travel policy", "Old notice"]
    assert mine.action_count == 1


def test_another_user_sees_the_section_empty(cast, test_section):
    sections = {section.key: section for section in inbox_for(cast.outsider)}
    assert sections["zz-test"].items == []
    assert sections["zz-test"].action_count == 0


def test_the_action_count_uses_a_sections_own_count_when_given(cast, test_section, counted_section):
    assert inbox_action_count(cast.employee) == 1 + 7
    assert inbox_action_count(cast.outsider) == 7


def test_nobody_logged_in_has_an_empty_inbox(test_section):
    from django.contrib.auth.models import AnonymousUser

    assert inbox_for(AnonymousUser()) == []
    assert inbox_action_count(AnonymousUser()) == 0


# --- the page --------------------------------------------------------------------------------


def test_the_inbox_page_lists_the_sections_and_what_needs_action(client, cast, test_section):
    client.force_login(cast.employee)
    response = client.get("/inbox/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="inbox-section-zz-test"' in html
    assert "Read the travel policy" in html
    assert "Old notice" in html
    assert "due 2026-03-01" in html
    assert "from Grace Manager" in html
    assert html.count('data-needs-action="true"') == 1
    assert "1 item waits for you." in html
    assert client.get("/inbox/badge/").content.decode() == (
        ' <span class="status status-open" data-testid="inbox-badge">1</span>'
    )


def test_the_inbox_page_and_badge_need_a_login(client, cast, test_section):
    for path in ("/inbox/", "/inbox/badge/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_the_inbox_page_shows_another_user_nothing_of_the_employees(client, cast, test_section):
    client.force_login(cast.outsider)
    html = client.get("/inbox/").content.decode()
    assert "Read the travel policy" not in html


def test_the_navigation_badge_counts_what_needs_action(client, cast, counted_section):
    client.force_login(cast.outsider)
    html = client.get("/").content.decode()
    assert 'hx-get="/inbox/badge/" hx-trigger="load"' in html  # fetched after the page loads
    assert 'data-testid="inbox-badge">7</span>' in client.get("/inbox/badge/").content.decode()


def test_there_is_no_badge_when_nothing_needs_action(client, cast, test_section):
    client.force_login(cast.gm)
    html = client.get("/inbox/").content.decode()
    assert client.get("/inbox/badge/").content == b""
    assert 'data-testid="nav-core.inbox"' in html
    assert "Nothing waits for you." in html


# --- the API ---------------------------------------------------------------------------------


def test_the_inbox_api_returns_the_sections_with_counts(client, cast, test_section):
    client.force_login(cast.employee)
    response = client.get("/api/inbox")
    assert response.status_code == 200
    body = response.json()
    section = next(s for s in body["sections"] if s["key"] == "zz-test")
    assert section == {
        "key": "zz-test",
        "title": "Test things",
        "url": "",
        "needs_action": 1,
        "items": [
            {
                "title": "Read the travel policy",
                "url": "/somewhere/1/",
                "due": "2026-03-01",
                "status": "To acknowledge",
                "needs_action": True,
                "detail": "from Grace Manager",
            },
            {
                "title": "Old notice",
                "url": "/somewhere/2/",
                "due": None,
                "status": "Acknowledged",
                "needs_action": False,
                "detail": "",
            },
        ],
    }
    assert body["needs_action"] == 1


def test_the_inbox_api_needs_a_login(client, cast, test_section):
    assert_problem(client.get("/api/inbox"), 401)


def test_the_inbox_api_shows_another_user_only_their_own(client, cast, test_section):
    client.force_login(cast.outsider)
    body = client.get("/api/inbox").json()
    section = next(s for s in body["sections"] if s["key"] == "zz-test")
    assert section["items"] == []
    assert section["needs_action"] == 0


def test_the_inbox_api_is_read_only(client, cast):
    # the inbox takes no input, so there is no bad input to refuse; a write is a 405
    client.force_login(cast.employee)
    assert_problem(client.post("/api/inbox", data="{}", content_type="application/json"), 405)


@pytest.fixture
def long_section():
    """A section that lists 10 of the 40 items waiting, as the apps' sections cut their lists."""
    items = [InboxItem(title=f"Decision {n}", url=f"/d/{n}/", needs_action=True) for n in range(10)]
    section = register_inbox_section(
        InboxSection(
            key="zz-long",
            title="Decisions",
            order=1,
            items=lambda user: items,
            action_count=lambda user: 40,
            url="/decisions/?pending=1",
        )
    )
    yield section
    unregister_inbox_section(section.key)


def test_the_badge_the_page_and_the_api_say_the_same_count(client, cast, long_section):
    client.force_login(cast.gm)

    badge = client.get("/inbox/badge/").content.decode()
    page = client.get("/inbox/").content.decode()
    api = client.get("/api/inbox").json()

    assert 'data-testid="inbox-badge">40</span>' in badge
    assert '<p data-testid="inbox-summary">40 items wait for you.</p>' in page
    assert (api["needs_action"], api["sections"][0]["needs_action"]) == (40, 40)
    assert page.count('data-testid="inbox-item"') == 10


def test_a_section_cut_short_says_how_many_more_and_links_them(client, cast, long_section):
    client.force_login(cast.gm)

    page = client.get("/inbox/").content.decode()

    assert (
        '<p data-testid="inbox-more"><a href="/decisions/?pending=1">and 30 more to do</a></p>'
        in page
    )
