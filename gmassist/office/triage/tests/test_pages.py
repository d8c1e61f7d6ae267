"""The triage pages: success for the GM's office, no login, wrong scope (and nothing changed),
bad input."""

import pytest
from django.urls import reverse

from gmassist.office.triage import services
from gmassist.office.triage.models import Matter, TriageDecision, TriageRule
from gmassist.office.triage.tests.conftest import decide, make_matter

PAGES = ["office:triage", "office:triage_decided", "office:triage_rules", "office:triage_report"]


@pytest.mark.parametrize("name", PAGES)
def test_the_gms_office_sees_the_triage_pages(client, cast, name):
    make_matter(department=cast.sales)
    for user in (cast.gm, cast.assistant):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", [*PAGES, "office:triage_new"])
def test_the_triage_pages_need_a_login(client, cast, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("name", [*PAGES, "office:triage_new"])
@pytest.mark.parametrize("who", ["hr", "head", "employee", "account_manager"])
def test_no_other_role_sees_the_triage(client, cast, name, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse(name)).status_code == 403


def test_the_list_shows_each_proposal_with_reasons_and_the_gms_buttons(client, cast):
    matter = make_matter(department=cast.sales)
    client.force_login(cast.gm)
    html = client.get(reverse("office:triage")).content.decode()
    assert "The printer on the third floor is broken" in html
    assert 'data-route="delegate"' in html and "→ Hank Head" in html
    assert "reads like the GM&#x27;s past matters" in html
    assert html.count('data-testid="triage-confirm"') == 1
    assert 'data-testid="triage-not-company"' in html and 'data-testid="triage-gm"' in html
    assert f'action="/office/triage/{matter.pk}/decide/"' in html


def test_the_assistant_sees_proposals_but_no_decision_buttons(client, cast):
    make_matter()
    client.force_login(cast.assistant)
    html = client.get(reverse("office:triage")).content.decode()
    assert 'data-testid="triage-proposal"' in html
    assert 'data-testid="triage-confirm"' not in html


def test_the_list_in_chinese(client, cast):
    make_matter(title="记者来电", text="记者打电话询问产品召回的情况，想要采访。")
    client.force_login(cast.gm)
    html = client.get(reverse("office:triage"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "三管三不管" in html and "确认" in html and "委派给……" in html
    assert "与总经理以往判为“公司形象与管理”的事项相似" in html


def test_one_click_confirms_from_the_list(client, cast):
    matter = make_matter(department=cast.sales)
    client.force_login(cast.gm)
    response = client.post(
        reverse("office:triage_decide", args=[matter.pk]),
        {"route": "delegate", "owner": cast.head.pk, "return_to": "list"},
    )
    assert response.status_code == 302 and response["Location"] == "/office/triage/"
    matter.refresh_from_db()
    assert (matter.route, matter.owner, matter.accepted) == ("delegate", cast.head, True)


def test_delegating_without_an_owner_is_refused_on_the_list(client, cast):
    matter = make_matter()
    client.force_login(cast.gm)
    response = client.post(
        reverse("office:triage_decide", args=[matter.pk]),
        {"route": "delegate", "return_to": "list"},
    )
    assert response.status_code == 422
    assert "Choose who the matter is delegated to." in response.content.decode()
    assert TriageDecision.objects.count() == 0


@pytest.mark.parametrize("who", ["hr", "head", "employee"])
def test_other_roles_cannot_see_or_decide_a_matter(client, cast, who):
    matter = make_matter()
    client.force_login(getattr(cast, who))
    assert client.get(reverse("office:triage_matter", args=[matter.pk])).status_code == 404
    response = client.post(reverse("office:triage_decide", args=[matter.pk]), {"route": "gm"})
    assert response.status_code == 404
    matter.refresh_from_db()
    assert matter.status == "waiting" and TriageDecision.objects.count() == 0


def test_the_assistant_may_not_decide(client, cast):
    matter = make_matter()
    client.force_login(cast.assistant)
    response = client.post(reverse("office:triage_decide", args=[matter.pk]), {"route": "gm"})
    assert response.status_code == 403
    assert TriageDecision.objects.count() == 0


def test_the_matter_page_shows_the_history(client, cast):
    matter = make_matter(department=cast.sales)
    decide(matter, cast.gm, "delegate", owner=cast.head)
    decide(matter, cast.gm, "gm", note="I will call them myself")
    client.force_login(cast.gm)
    html = client.get(reverse("office:triage_matter", args=[matter.pk])).content.decode()
    assert html.count('data-testid="matter-history-row"') == 2
    assert "I will call them myself" in html and "proposal changed" in html


def test_the_assistant_types_a_matter_in(client, cast):
    client.force_login(cast.assistant)
    response = client.post(
        reverse("office:triage_new"),
        {"title": "Letter from the city", "text": "The mayor invites the GM to discuss the "
         "new industrial park and our expansion plans.", "source": "request"},
    )  # fmt: skip
    matter = Matter.objects.get()
    assert response["Location"] == f"/office/triage/{matter.pk}/"
    assert matter.submitted_by == cast.assistant


def test_a_matter_without_a_title_is_refused(client, cast):
    client.force_login(cast.assistant)
    response = client.post(reverse("office:triage_new"), {"title": "", "source": "request"})
    assert response.status_code == 422 and Matter.objects.count() == 0


def test_the_gm_adds_a_rule_and_a_bad_one_is_refused_with_a_clear_message(client, cast):
    client.force_login(cast.gm)
    response = client.post(
        reverse("office:triage_rules"),
        {"phrases_en": "", "phrases_zh": "", "category": "detail", "route": "delegate"},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Give at least one phrase, in English or in Chinese." in html
    assert "A rule that delegates needs its owner." in html
    assert TriageRule.objects.count() == 0
    response = client.post(
        reverse("office:triage_rules"),
        {"phrases_en": "press, journalist", "phrases_zh": "媒体，记者", "category": "image",
         "route": "gm", "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    rule = TriageRule.objects.get()
    assert (rule.phrases_en, rule.phrases_zh) == (["press", "journalist"], ["媒体", "记者"])


def test_the_assistant_may_read_the_rules_but_not_change_them(client, cast):
    rule = services.rule_save(
        by=cast.gm, phrases_en="press", phrases_zh="", category="image", route="gm"
    )
    client.force_login(cast.assistant)
    assert (
        'data-testid="rule-form"' not in client.get(reverse("office:triage_rules")).content.decode()
    )
    data = {"phrases_en": "x", "category": "image", "route": "gm"}
    assert client.post(reverse("office:triage_rules"), data).status_code == 403
    assert client.post(reverse("office:triage_rule", args=[rule.pk]), data).status_code == 403
    assert client.post(reverse("office:triage_rule_delete", args=[rule.pk])).status_code == 403
    assert TriageRule.objects.get().phrases_en == ["press"]


def test_the_gm_changes_moves_and_deletes_a_rule(client, cast):
    rule = services.rule_save(
        by=cast.gm, phrases_en="press", phrases_zh="", category="image", route="gm"
    )
    client.force_login(cast.gm)
    assert client.get(reverse("office:triage_rule", args=[rule.pk])).status_code == 200
    client.post(
        reverse("office:triage_rule", args=[rule.pk]),
        {"phrases_en": "press, reporter", "category": "image", "route": "gm"},
    )
    rule.refresh_from_db()
    assert (rule.phrases_en, rule.active) == (["press", "reporter"], False)
    response = client.post(reverse("office:triage_rule_move", args=[rule.pk]), {"direction": "up"})
    assert response.status_code == 302  # already the first: a message, nothing moved
    client.post(reverse("office:triage_rule_delete", args=[rule.pk]))
    assert TriageRule.objects.count() == 0


def test_the_report_shows_the_rate_by_category_and_month(client, cast):
    decide(make_matter(department=cast.sales), cast.gm, "delegate", owner=cast.head)
    decide(make_matter(department=cast.sales), cast.gm, "gm")
    client.force_login(cast.gm)
    html = client.get(reverse("office:triage_report")).content.decode()
    assert "The GM accepted 50.0% of the proposals: 1 of 2 decided matters." in html
    assert html.count('data-testid="report-month-row"') == 1
    assert html.count('data-testid="report-category-row"') == 1


def test_the_decided_list_filters_by_route_and_acceptance(client, cast):
    decide(make_matter(department=cast.sales), cast.gm, "delegate", owner=cast.head)
    decide(make_matter(department=cast.sales), cast.gm, "gm")
    client.force_login(cast.gm)
    assert client.get("/office/triage/decided/").content.decode().count('"decided-row"') == 2
    html = client.get("/office/triage/decided/?accepted=no").content.decode()
    assert html.count('"decided-row"') == 1
    html = client.get("/office/triage/decided/?route=nowhere").content.decode()
    assert html.count('"decided-row"') == 2  # an unknown route is no filter


def test_today_lists_the_waiting_matters_for_the_gm_only(cast):
    from gmassist.office.today.registry import registered_today_sources

    old = make_matter(title="Older")
    make_matter(title="Newer")
    decide(make_matter(title="Done"), cast.gm, "gm")
    source = next(s for s in registered_today_sources() if s.key == "office.triage.waiting")
    items = source.items(cast.gm)
    assert [i.title for i in items][:1] == ["Older"] and len(items) == 2
    assert items[0].key == f"office.matter:{old.pk}" and items[0].action.kind == "open"
    assert source.count(cast.gm) == 2
    assert source.items(cast.assistant) == [] and source.count(cast.hr) == 0


def _queries(client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "path", ["/office/triage/", "/office/triage/decided/", "/api/office/triage"]
)
def test_the_lists_read_in_as_many_queries_for_two_matters_as_for_six(client, cast, path):
    def add(n):
        for _ in range(n):
            matter = make_matter(department=cast.sales)
            if "decided" in path:
                decide(matter, cast.gm, "delegate", owner=cast.head)

    add(2)
    client.force_login(cast.gm)
    two = _queries(client, path)
    add(4)
    assert _queries(client, path) == two


def test_the_one_click_owners_are_the_shortlist_and_the_proposed_owner(client, cast):
    make_matter(department=cast.sales)
    client.force_login(cast.gm)
    response = client.get(reverse("office:triage"))
    owners = [str(u) for u in response.context["rows"][0]["owners"]]
    # HR and the assistant (no department heads above the third level but Sales' head, who is
    # proposed: the head of Sales is at the second level, so already on the shortlist)
    assert sorted(owners) == sorted([str(cast.hr), str(cast.assistant), str(cast.head)])
