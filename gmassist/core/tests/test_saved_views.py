"""Saved views: a list's filters, sort, grouping and columns under a name, private or shared
with a role; saved, renamed, shared and deleted by their owner (or the GM for a shared one),
audited, and shown to each user within their own scope."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from gmassist.core import selectors, services
from gmassist.core.choices import AuditAction, Role
from gmassist.core.models import AuditEntry, SavedView
from gmassist.core.permissions import Domain
from gmassist.org.views import DirectoryPage

DIRECTORY = reverse("org:directory")
CREATE = reverse("saved-view-create")
MANAGE = reverse("saved-views")
DIRECTORY_ROLES = [Role.GM, Role.ASSISTANT, Role.HR, Role.DEPT_HEAD]


def save(user, name="Sales people", query=None, shared_with_role="", page="org:directory"):
    return services.saved_view_save(
        by=user,
        page=page,
        name=name,
        query=query if query is not None else {"group": ["department"]},
        domain=Domain.PEOPLE,
        roles=DIRECTORY_ROLES,
        shared_with_role=shared_with_role,
    )


def post_view(client, **fields):
    data = {"page": "org:directory", "query": "group=department&status=active", "name": "Active"}
    data.update(fields)
    return client.post(CREATE, data)


def view_entries(action):
    return AuditEntry.objects.filter(target_type="core.savedview", action=action)


# --- saving ----------------------------------------------------------------------------------


def test_saving_the_current_list_keeps_it_under_a_name_and_opens_it(client, cast):
    client.force_login(cast.head)
    response = post_view(client, query="group=department&status=active&page=3&view=9")
    view = SavedView.objects.get()
    assert (view.owner, view.page, view.name, view.shared_with_role) == (
        cast.head,
        "org:directory",
        "Active",
        "",
    )
    # the page number and the view it came from are no part of it
    assert view.query == {"group": ["department"], "status": ["active"]}
    assert response.status_code == 302
    assert response["Location"] == f"{DIRECTORY}?group=department&status=active&view={view.pk}"
    [entry] = view_entries(AuditAction.CREATE)
    assert (entry.actor, entry.target_id) == (cast.head, str(view.pk))


def test_saving_again_under_the_same_name_replaces_the_view(client, cast):
    client.force_login(cast.hr)
    post_view(client)
    post_view(client, query="group=position")
    view = SavedView.objects.get()
    assert view.query == {"group": ["position"]}
    assert view_entries(AuditAction.UPDATE).count() == 1


def test_saving_a_view_needs_a_login(client, cast):
    response = post_view(client)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not SavedView.objects.exists()


def test_a_role_that_may_not_use_the_page_saves_no_view_of_it(client, cast):
    client.force_login(cast.employee)
    assert post_view(client).status_code == 403
    assert post_view(client, page="audit-log", query="").status_code == 403
    assert not SavedView.objects.exists()


def test_a_page_without_saved_views_is_not_found(client, cast):
    client.force_login(cast.gm)
    assert post_view(client, page="talent:pay_review").status_code == 404
    assert not SavedView.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"query": "base_pay__gt=100000"}, "query"),
        ({"query": "group=base_pay"}, "query"),
        ({"query": "status=retired"}, "query"),
        ({"query": "where.department=sales"}, "query"),
        ({"query": "sort=base_pay"}, "query"),
        ({"shared_with_role": "employee"}, "shared_with_role"),
        ({"shared_with_role": "janitor"}, "shared_with_role"),
    ],
)
def test_a_bad_view_is_not_saved_and_the_error_names_the_field(client, cast, fields, field):
    client.force_login(cast.hr)
    response = post_view(client, **fields)
    assert response.status_code == 422
    assert list(response.context["create_form"].errors) == [field]
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert not SavedView.objects.exists()
    assert not view_entries(AuditAction.CREATE).exists()


def test_a_filter_out_of_the_users_scope_is_a_bad_view(client, cast):
    # the head's department filter offers their subtree only
    client.force_login(cast.head)
    response = post_view(client, query=f"department={cast.rnd.pk}")
    assert response.status_code == 422
    assert not SavedView.objects.exists()


def test_a_department_head_may_not_share_a_view(client, cast):
    client.force_login(cast.head)
    response = post_view(client, shared_with_role="dept_head")
    assert response.status_code == 403
    assert list(response.context["create_form"].errors) == ["shared_with_role"]
    assert not SavedView.objects.exists()
    # and the menu does not offer it
    menu = client.get(DIRECTORY).context["view_save"]
    assert menu["roles"] == []


def test_hr_shares_a_directory_view_with_the_heads(client, cast):
    client.force_login(cast.hr)
    menu = client.get(DIRECTORY).context["view_save"]
    assert [role for role, _label in menu["roles"]] == DIRECTORY_ROLES
    post_view(client, shared_with_role="dept_head")
    assert SavedView.objects.get().shared_with_role == "dept_head"


# --- using -----------------------------------------------------------------------------------


def test_the_menu_lists_ones_own_views_and_those_shared_with_the_role(client, cast):
    mine = save(cast.head, name="Mine")
    shared = save(cast.hr, name="For heads", shared_with_role="dept_head")
    save(cast.hr, name="HR only")
    save(cast.assistant, name="For HR", shared_with_role="hr")
    client.force_login(cast.head)
    items = client.get(DIRECTORY).context["saved_views"]
    assert [(item["view"], item["mine"]) for item in items] == [(shared, False), (mine, True)]
    assert items[1]["url"] == f"?group=department&view={mine.pk}"


def test_the_gm_sees_every_shared_view_but_no_one_elses_private_one(cast):
    shared = save(cast.hr, name="For heads", shared_with_role="dept_head")
    save(cast.hr, name="HR only")
    assert list(selectors.saved_views_usable(user=cast.gm, page="org:directory")) == [shared]
    assert list(selectors.saved_views_changeable(user=cast.gm)) == [shared]


def test_a_shared_view_shows_each_user_only_their_own_rows(client, cast):
    shared = save(cast.hr, name="By department", shared_with_role="dept_head")
    client.force_login(cast.head)
    response = client.get(DIRECTORY, {"group": "department", "view": shared.pk})
    assert [(r["group"].label, r["group"].count) for r in response.context["group_rows"]] == [
        ("Sales", 2),
        ("Sales East", 1),
    ]
    assert response.context["current_view"] == shared


# --- renaming, sharing, deleting -------------------------------------------------------------


def test_the_owner_renames_and_shares_a_view(client, cast):
    view = save(cast.hr)
    client.force_login(cast.hr)
    response = client.post(
        reverse("saved-view-update", args=[view.pk]),
        {"name": "Sales, by department", "shared_with_role": "gm"},
    )
    assert response.status_code == 302
    view.refresh_from_db()
    assert (view.name, view.shared_with_role) == ("Sales, by department", "gm")
    [entry] = view_entries(AuditAction.UPDATE)
    assert entry.changes == {
        "name": ["Sales people", "Sales, by department"],
        "shared_with_role": ["", "gm"],
    }


def test_the_gm_renames_a_shared_view_of_someone_else(client, cast):
    view = save(cast.hr, shared_with_role="dept_head")
    client.force_login(cast.gm)
    client.post(
        reverse("saved-view-update", args=[view.pk]),
        {"name": "Heads: by department", "shared_with_role": "dept_head"},
    )
    view.refresh_from_db()
    assert view.name == "Heads: by department"


@pytest.mark.parametrize("who", ["head", "assistant", "gm"])
def test_someone_elses_private_view_cannot_be_changed_or_deleted(client, cast, who):
    view = save(cast.hr)
    client.force_login(getattr(cast, who))
    update = client.post(
        reverse("saved-view-update", args=[view.pk]), {"name": "Mine now", "shared_with_role": ""}
    )
    delete = client.post(reverse("saved-view-delete", args=[view.pk]))
    assert (update.status_code, delete.status_code) == (404, 404)
    view.refresh_from_db()
    assert view.name == "Sales people"
    assert not view_entries(AuditAction.UPDATE).exists()


def test_a_view_shared_with_ones_role_is_used_not_changed(client, cast):
    view = save(cast.hr, shared_with_role="dept_head")
    client.force_login(cast.head)
    assert client.post(reverse("saved-view-delete", args=[view.pk])).status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()
    with pytest.raises(PermissionDenied):
        services.saved_view_delete(view=view, by=cast.head)
    with pytest.raises(PermissionDenied):
        services.saved_view_update(
            view=view,
            by=cast.head,
            name="x",
            shared_with_role="",
            domain=Domain.PEOPLE,
            roles=DIRECTORY_ROLES,
        )
    view.refresh_from_db()
    assert (view.name, view.shared_with_role) == ("Sales people", "dept_head")


def test_renaming_needs_a_login(client, cast):
    view = save(cast.hr)
    response = client.post(reverse("saved-view-update", args=[view.pk]), {"name": "x"})
    assert response.status_code == 302
    assert client.post(reverse("saved-view-delete", args=[view.pk])).status_code == 302
    view.refresh_from_db()
    assert view.name == "Sales people"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "", "shared_with_role": ""}, "name"),
        ({"name": "Taken", "shared_with_role": ""}, "name"),
        ({"name": "Sales people", "shared_with_role": "employee"}, "shared_with_role"),
    ],
)
def test_a_bad_rename_changes_nothing_and_names_the_field(client, cast, fields, field):
    view = save(cast.hr)
    save(cast.hr, name="Taken")
    client.force_login(cast.hr)
    response = client.post(reverse("saved-view-update", args=[view.pk]), fields)
    assert response.status_code == 422
    assert f'data-testid="error-{field}"' in response.content.decode()
    view.refresh_from_db()
    assert (view.name, view.shared_with_role) == ("Sales people", "")


def test_a_head_may_make_a_view_private_but_not_share_it(cast):
    view = save(cast.head)
    with pytest.raises(PermissionDenied):
        services.saved_view_update(
            view=view,
            by=cast.head,
            name=view.name,
            shared_with_role="dept_head",
            domain=Domain.PEOPLE,
            roles=DIRECTORY_ROLES,
        )
    view.refresh_from_db()
    assert view.shared_with_role == ""


def test_the_owner_deletes_a_view(client, cast):
    view = save(cast.hr)
    client.force_login(cast.hr)
    response = client.post(reverse("saved-view-delete", args=[view.pk]))
    assert response["Location"] == MANAGE
    assert not SavedView.objects.exists()
    [entry] = view_entries(AuditAction.DELETE)
    assert entry.changes == {"query": {"group": ["department"]}, "shared_with_role": ""}


def test_the_saved_views_page_lists_what_the_user_may_use_and_change(client, cast):
    mine = save(cast.head, name="Mine")
    shared = save(cast.hr, name="For heads", shared_with_role="dept_head")
    save(cast.gm, name="Audit", page="audit-log", query={"group": ["action"]})
    client.force_login(cast.head)
    response = client.get(MANAGE)
    assert response.status_code == 200
    [section] = response.context["sections"]
    assert str(section["title"]) == "Employees"
    assert [(item["view"], item["may_change"]) for item in section["items"]] == [
        (shared, False),
        (mine, True),
    ]
    assert client.get(MANAGE).content.decode().count('data-testid="saved-view-edit"') == 1


def test_the_saved_views_page_needs_a_login(client, cast):
    assert client.get(MANAGE).status_code == 302


def test_a_saved_query_is_checked_by_the_service_too(cast):
    with pytest.raises(ValidationError) as error:
        save(cast.hr, query={"group": "department"})  # a text, not a list of texts
    assert list(error.value.message_dict) == ["query"]
    with pytest.raises(ValidationError):
        save(cast.hr, query={"search": ["x" * 5000]})
    assert not SavedView.objects.exists()


def test_a_saved_view_query_is_checked_against_its_page(cast):
    from django.http import QueryDict

    assert DirectoryPage.checked_query(QueryDict("group=manager&cols=1&col=status"), cast.gm) == {
        "col": ["status"],
        "cols": ["1"],
        "group": ["manager"],
    }
    with pytest.raises(ValidationError):
        DirectoryPage.checked_query(QueryDict("export=csv&evil=1"), cast.gm)
