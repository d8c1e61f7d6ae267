from django.contrib.auth import views as auth_views
from django.urls import path
from django.utils.translation import gettext_lazy as _

from gmassist.core import views
from gmassist.core.choices import Action
from gmassist.core.permissions import ALL, SUBTREE, Domain
from gmassist.core.views_lib import NavItem, register_nav

urlpatterns = [
    path("", views.home, name="home"),
    path("glance/", views.glance, name="glance"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChange.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/badge/", views.inbox_badge, name="inbox-badge"),
    path("language/", views.set_language, name="set-language"),
    path("imports/", views.imports, name="imports"),
    path("jobs/<int:pk>/", views.job_page, name="job"),
    path("imports/jobs/<int:pk>/confirm/", views.import_confirm, name="import-confirm"),
    path("proposals/", views.ProposalInbox.as_view(), name="proposals"),
    path("proposals/history/", views.ProposalHistory.as_view(), name="proposals-history"),
    path("proposals/<int:pk>/", views.ProposalPage.as_view(), name="proposal"),
    path("proposals/<int:pk>/decide/", views.proposal_decide, name="proposal-decide"),
    path(
        "proposals/<int:pk>/outside-decision/",
        views.proposal_outside_decision,
        name="proposal-outside-decision",
    ),
    path("audit/", views.AuditLogPage.as_view(), name="audit-log"),
    path("notes/<str:target_type>/<str:target_id>/add/", views.note_add, name="note-add"),
    path("notes/<int:note_id>/file/", views.note_file, name="note-file"),
    path("deputies/", views.deputies, name="deputies"),
    path("deputies/<int:pk>/end/", views.deputy_end, name="deputy-end"),
    path("views/", views.saved_views, name="saved-views"),
    path("views/new/", views.saved_view_create, name="saved-view-create"),
    path("views/<int:pk>/", views.saved_view_update, name="saved-view-update"),
    path("views/<int:pk>/delete/", views.saved_view_delete, name="saved-view-delete"),
    path("tokens/", views.api_tokens, name="api-tokens"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
]

register_nav(NavItem("core.home", _("Home"), "home", order=10, group="home"))
# The company at a glance, for those whose home page is Today (office.today: the roles that
# follow up others' tasks); HR's home page is the glance itself. The page lets in whoever sees
# many people.
register_nav(
    NavItem(
        "core.glance",
        _("At a glance"),
        "glance",
        Domain.OFFICE_TASKS,
        Action.VIEW,
        reaches=(ALL, SUBTREE),
        order=11,
        group="home",
    )
)
register_nav(NavItem("core.inbox", _("Inbox"), "inbox", order=15, group="inbox"))
register_nav(
    NavItem("core.proposals", _("Proposals"), "proposals", Domain.PEOPLE, Action.PROPOSE, order=40)
)
register_nav(
    NavItem("core.imports", _("Imports"), "imports", Domain.PEOPLE, Action.IMPORT, order=50)
)
register_nav(
    NavItem("core.audit", _("Audit log"), "audit-log", Domain.AUDIT, Action.VIEW, order=60)
)

# Today's source of this module (office.today.registry): registered with its routes
import gmassist.core.today  # noqa: E402, F401
